"""Run every benchmark in one run and print the figures against the targets of issue 10.

Run from the repository root, in the project's virtualenv::

    python benchmarks/run.py [--quick]

It runs, one after the other in this process (and the fresh processes they
start), ``bench_score`` (R1–R5 against a hand-written ``decimal`` function),
``bench_cohort`` (the 双台子 scheme: ``score_table``, the ``score`` command,
``import qualitykpi``) and ``bench_check`` (the 1,000-item file), prints what
each prints, then one table: each figure, its target, today's figure over the
target and whether it is met.  ``--quick`` uses smaller sizes to see that
everything runs; its figures are noisier, and its 30,000-entity command is a
3,000-entity one, so that row is not comparable with its target.  Not a test:
nothing asserts a timing.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

# The benchmarks are scripts beside this one, not a package.
sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_check
import bench_cohort
import bench_score


@dataclass(frozen=True)
class Sizes:
    score_rows: int
    score_single: int
    score_runs: int
    table_entities: int
    table_runs: int
    cli_entities: int
    import_runs: int
    check_items: int
    check_runs: int


FULL = Sizes(100_000, 5_000, 3, 3_000, 3, 30_000, 10, 1_000, 5)
QUICK = Sizes(5_000, 1_000, 3, 300, 3, 3_000, 5, 1_000, 2)


@dataclass(frozen=True)
class Figure:
    """One line of the summary: a figure, its target, and how they compare."""

    what: str
    today: float
    target: float | None  # None: shown for comparison, no target of its own
    unit: str  # "µs", "ms", "s", "MiB" or "×"
    note: str = ""

    def cells(self) -> tuple[str, str, str, str, str]:
        today = _show(self.today, self.unit)
        if self.target is None:
            return (self.what, today, "—", "—", "—")
        met = "yes" if self.today <= self.target else "no"
        target = f"≤ {_show(self.target, self.unit)}"
        return (self.what, today, target, f"{self.today / self.target:.1f}", met)


def _show(value: float, unit: str) -> str:
    if unit == "×":
        return f"{value:.1f}×"
    if unit == "MiB":
        return f"{value:.0f} MiB"
    return f"{value:.3g} {unit}" if value < 100 else f"{value:,.0f} {unit}"


@dataclass(frozen=True)
class Outcome:
    score: bench_score.Figures
    cohort: bench_cohort.Figures
    check: bench_check.Figures
    seconds: float


def measure(sizes: Sizes) -> Outcome:
    start = time.perf_counter()
    score = bench_score.measure(sizes.score_rows, sizes.score_single, sizes.score_runs)
    print("\n".join(bench_score.report(score)) + "\n", flush=True)
    cohort = bench_cohort.measure(
        sizes.table_entities, sizes.cli_entities, sizes.table_runs, sizes.import_runs
    )
    print("\n".join(bench_cohort.report(cohort)) + "\n", flush=True)
    check = bench_check.measure(sizes.check_items, sizes.check_runs)
    print("\n".join(bench_check.report(check)) + "\n", flush=True)
    return Outcome(score, cohort, check, time.perf_counter() - start)


def figures(outcome: Outcome) -> list[Figure]:
    score, cohort, check = outcome.score, outcome.cohort, outcome.check
    base = score.baseline
    return [
        Figure(
            "R1–R5 Scheme.score / decimal baseline",
            score.score / base,
            5,
            "×",
            f"{score.score * 1e6:.0f} µs vs {base * 1e6:.1f} µs per entity",
        ),
        Figure(
            "R1–R5 Scheme.score_table / decimal baseline",
            score.score_table / base,
            None,
            "×",
            f"{score.score_table * 1e6:.0f} µs per entity",
        ),
        Figure(
            f"双台子 score_table, {cohort.table_entities:,} entities, per entity",
            cohort.table_seconds * 1e3,
            0.2,
            "ms",
        ),
        Figure(
            f"双台子 `qualitykpi score --format csv`, {cohort.cli.entities:,} entities, wall",
            cohort.cli.seconds,
            10,
            "s",
        ),
        Figure(
            f"双台子 `qualitykpi score --format csv`, {cohort.cli.entities:,} entities, peak RSS",
            cohort.cli.peak_mib,
            400,
            "MiB",
        ),
        Figure(
            "`import qualitykpi` / `python -c pass`, fresh process",
            cohort.import_seconds / cohort.bare_seconds,
            5,
            "×",
            f"{cohort.import_seconds * 1e3:.0f} ms vs {cohort.bare_seconds * 1e3:.0f} ms",
        ),
        Figure(
            f"`qualitykpi check` of the {check.items:,}-item file",
            statistics.median(check.command),
            0.5,
            "s",
            f"the file unchanged; edited before each run: "
            f"{statistics.median(check.edited):.2f} s (load {statistics.median(check.load):.2f} s"
            f" + checks {statistics.median(check.checks):.2f} s in process)",
        ),
    ]


def table(rows: Sequence[Figure]) -> list[str]:
    header = ("what", "today", "target", "today/target", "met")
    cells = [figure.cells() for figure in rows]
    widths = [max(_width(line[i]) for line in (header, *cells)) for i in range(len(header))]
    lines = []
    for line, figure in zip((header, *cells), (None, *rows), strict=True):
        padded = (
            _pad(cell, width, i > 0)
            for i, (cell, width) in enumerate(zip(line, widths, strict=True))
        )
        text = "  ".join(padded)
        if figure is not None and figure.note:
            text += f"  ({figure.note})"
        lines.append(text.rstrip())
    return lines


def _width(text: str) -> int:
    # CJK characters take two columns in a terminal.
    return sum(2 if "\u2e80" <= char <= "\u9fff" else 1 for char in text)


def _pad(text: str, width: int, right: bool) -> str:
    fill = " " * (width - _width(text))
    return fill + text if right else text + fill


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, to see it runs")
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    outcome = measure(sizes)
    print(
        f"Issue 10 targets ({'quick sizes, not comparable' if args.quick else 'full sizes'}); "
        f"Python {platform.python_version()}, {platform.machine()}, "
        f"{_cpus()} CPUs; {outcome.seconds:.0f} s in all"
    )
    print("\n".join(table(figures(outcome))))


def _cpus() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 0


if __name__ == "__main__":
    main()
