"""The `qualitykpi` command: output, exit status, stdout/stderr split."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import DATA, check_golden
from qualitykpi.cli import main

GOLDEN = Path(__file__).resolve().parent / "golden" / "cli"


def run(*args: str) -> tuple[int, str, str]:
    # Relative paths keep the golden files independent of the checkout's place.
    cwd = os.getcwd()
    os.chdir(DATA.parent)
    try:
        result = CliRunner().invoke(main, list(args))
    finally:
        os.chdir(cwd)
    return result.exit_code, result.stdout, result.stderr


def test_test_command_passes() -> None:
    code, out, err = run("test", "data/worked_example.rule")
    assert (code, err) == (0, "")
    check_golden(GOLDEN / "test_pass.txt", out)


def test_test_command_shows_failures_with_trace() -> None:
    code, out, _ = run("test", "data/failing_example.rule", "data/worked_example.rule")
    assert code == 1
    assert "data/failing_example.rule:9: example failed: expected 7, got 8" in out
    assert out.rstrip().endswith("2 passed, 1 failed")
    check_golden(GOLDEN / "test_fail.txt", out)


def test_test_command_rule_error_is_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.rule"
    bad.write_text(
        'scheme "s" {\n  item "x" max 1 {\n    at least 1 → deduct\n  }\n}\n', encoding="utf-8"
    )
    code, _, err = run("test", str(bad))
    assert code == 2
    assert f"{bad}:3:" in err and "^" in err
    assert "Traceback" not in err


def test_score_prints_the_ranking() -> None:
    code, out, err = run("score", "data/worked_example.rule", "data/worked_example.csv")
    assert (code, err) == (0, "")
    check_golden(GOLDEN / "score.txt", out)


def test_score_explain_adds_ledgers() -> None:
    code, out, _ = run("score", "data/worked_example.rule", "data/worked_example.csv", "--explain")
    assert code == 0
    check_golden(GOLDEN / "score_explain.txt", out)


def test_score_with_data_errors_is_exit_1_and_still_ranks_the_rest() -> None:
    code, out, err = run("score", "data/worked_example.rule", "data/bad_data.csv")
    assert code == 1
    assert "甲" in out and "乙" not in out
    check_golden(GOLDEN / "score_errors.stderr.txt", err)


def test_missing_file_is_exit_2() -> None:
    code, _, err = run("score", "data/nowhere.rule", "data/worked_example.csv")
    assert code == 2
    assert "cannot read data/nowhere.rule" in err


def test_entry_point_is_installed() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "qualitykpi", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0
    assert "test" in completed.stdout and "score" in completed.stdout


@pytest.mark.parametrize("args", [[], ["score"], ["test"]])
def test_usage_errors_are_exit_2(args: list[str]) -> None:
    code, _, _ = run(*args)
    assert code == 2
