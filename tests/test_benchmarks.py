"""The benchmark keeps working: its generated rule loads, adds up, and the
script runs.  No timing is asserted (benchmarks/README.md says why)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import qualitykpi as qk
from conftest import benchmark

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_check.py"


def test_generated_rule_loads_with_sums_that_add_up() -> None:
    bench = benchmark("bench_check")
    text = bench.rule_text(40)
    scheme = qk.loads(text, name="bench.rule")
    assert len([node for node in scheme.scorer.walk() if node.kind == "item"]) == 40
    codes = {diagnostic.code for diagnostic in qk.check_text(text)}
    assert not codes & {"sum-mismatch", "total-mismatch", "syntax"}


def test_script_runs_and_reports_every_step(tmp_path: Path) -> None:
    written = tmp_path / "bench.rule"
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--items", "16", "--runs", "1", "--write", str(written)],
        capture_output=True,
        text=True,
        check=True,
    )
    labels = [line.split()[0] for line in done.stdout.splitlines()[1:]]
    assert labels == ["load", "checks", "total", "command", "edited"]
    assert written.read_text(encoding="utf-8").startswith('scheme "基准"')


SCORE_SCRIPT = SCRIPT.with_name("bench_score.py")


def test_the_hand_written_baseline_scores_as_qualitykpi_does() -> None:
    """The scoring benchmark compares like with like: the decimal function and the
    rule agree on every seeded row, band edges included (an independent check of
    both)."""
    bench = benchmark("bench_score")
    data = bench.rows(3000, seed=7)
    bench.agree(qk.loads(bench.RULE), data)
    assert {bench.baseline(row)[1] for row in data} == {"A", "B", "C", "D"}


def test_the_score_benchmark_runs() -> None:
    done = subprocess.run(
        [sys.executable, str(SCORE_SCRIPT), "--rows", "200", "--single", "50", "--runs", "1"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "× baseline" in done.stdout
