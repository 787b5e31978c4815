"""The benchmark keeps working: its generated rule loads, adds up, and the
script runs.  No timing is asserted (benchmarks/README.md says why)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import qualitykpi as qk

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_check.py"


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_check", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_check"] = module
    spec.loader.exec_module(module)
    return module


def test_generated_rule_loads_with_sums_that_add_up() -> None:
    bench = _bench()
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


def _score_bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_score", SCORE_SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # dataclasses look their module up in sys.modules while they are built
    sys.modules["bench_score"] = module
    spec.loader.exec_module(module)
    return module


def test_the_hand_written_baseline_scores_as_qualitykpi_does() -> None:
    """The scoring benchmark compares like with like: the decimal function and the
    rule agree on every seeded row, band edges included (an independent check of
    both)."""
    bench = _score_bench()
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
