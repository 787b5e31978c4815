"""Run every benchmark in one run and print the figures against the targets of
issues 10 and 14.

Run from the repository root, in the project's virtualenv::

    python benchmarks/run.py [--issue 10] [--issue 14] [--quick] [--skip-large]

For issue 10 it runs, one after the other in this process (and the fresh
processes they start), ``bench_score`` (R1–R5 against a hand-written
``decimal`` function), ``bench_cohort`` (the 双台子 scheme: ``score_table``,
the ``score`` command, ``import qualitykpi``) and ``bench_check`` (the
1,000-item file); for issue 14, ``bench_columns`` (R1–R5 on a million rows of
DataFrame columns against numpy, 双台子 on a million entities from a
DataFrame, the command on 30,000 entities, Dask on ten million rows).  It
prints what each prints, then a table per issue: each figure, its target,
today's figure over the target and whether it is met.  Without ``--issue``
it runs both, and issue 14 reuses issue 10's measurement of the command.
``--quick`` uses smaller sizes to see that everything runs; its figures are
noisier and its sizes are not those of the targets, so its rows are not
comparable with them.  ``--skip-large`` leaves out issue 14's 双台子 cohort
and Dask run.  Not a test: nothing asserts a timing.
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
import bench_columns
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
class Sizes14:
    rows: int
    runs: int
    entities: int
    cli_entities: int
    dask_rows: int


FULL_14 = Sizes14(1_000_000, 3, 1_000_000, 30_000, 10_000_000)
QUICK_14 = Sizes14(20_000, 3, 5_000, 3_000, 200_000)


@dataclass(frozen=True)
class Figure:
    """One line of the summary: a figure, its target, and how they compare."""

    what: str
    today: float | None  # None: not measured here ("not available")
    target: float | None  # None: shown for comparison, no target of its own
    unit: str  # "µs", "ms", "s", "MiB", "rows/s" or "×"
    note: str = ""
    at_least: bool = False  # the target is a floor (rows/s), not a ceiling
    missing: str = "not available"  # what ``today`` None shows

    def cells(self) -> tuple[str, str, str, str, str]:
        if self.today is None:
            return (self.what, self.missing, "—", "—", "—")
        today = _show(self.today, self.unit)
        if self.target is None:
            return (self.what, today, "—", "—", "—")
        ratio = self.today / self.target
        met = "yes" if (ratio >= 1 if self.at_least else ratio <= 1) else "no"
        target = f"{'≥' if self.at_least else '≤'} {_show(self.target, self.unit)}"
        return (self.what, today, target, f"{ratio:.1f}" if ratio >= 0.1 else f"{ratio:.2g}", met)


def _show(value: float, unit: str) -> str:
    if unit == "×":
        return f"{value:.1f}×" if value >= 1 else f"{value:.2g}×"
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


def figures_14(outcome: bench_columns.Figures) -> list[Figure]:
    columns, cohort, cli = outcome.columns, outcome.cohort, outcome.cli
    rate, float_rate = columns.rows / columns.qualitykpi, columns.rows / columns.numpy_float
    exact_rate = columns.rows / columns.numpy_exact
    cohort_what = f"双台子 score_table, {outcome.entities_asked:,} entities from a DataFrame"
    dask = outcome.dask
    skipped = "skipped" if outcome.skipped_large else "not available"
    return [
        Figure(
            f"R1–R5 score_table, {columns.rows:,} rows of DataFrame columns",
            rate,
            1_000_000,
            "rows/s",
            f"numpy float {float_rate:,.0f} rows/s, numpy exact int64 {exact_rate:,.0f} rows/s",
            at_least=True,
        ),
        Figure(
            "R1–R5 score_table rows/s / numpy float rows/s",
            rate / float_rate,
            0.1,
            "×",
            f"numpy float wrong: {columns.float_wrong_totals:,} totals (by up to "
            f"{columns.float_largest_error:.1e}), {columns.float_wrong_grades:,} grades; "
            "numpy exact agrees on every row",
            at_least=True,
        ),
        Figure(
            f"{cohort_what}, wall",
            cohort.score_seconds if cohort else None,
            60,
            "s",
            f"scoring only; building the frame {cohort.build_seconds:.1f} s" if cohort else "",
            missing=skipped,
        ),
        Figure(
            f"{cohort_what}, peak RSS",
            cohort.peak_mib if cohort else None,
            4096,
            "MiB",
            f"the frame built: {cohort.frame_mib:,.0f} MiB" if cohort else "",
            missing=skipped,
        ),
        Figure(
            f"双台子 `qualitykpi score --format csv`, {cli.entities:,} entities, wall",
            cli.seconds,
            5,
            "s",
        ),
        Figure(
            f"双台子 `qualitykpi score --format csv`, {cli.entities:,} entities, peak RSS",
            cli.peak_mib,
            300,
            "MiB",
        ),
        Figure(
            f"Dask, R1–R5, {outcome.dask_asked:,} generated rows",
            dask.rows / dask.seconds if dask else None,
            None,
            "rows/s",
            f"{dask.seconds:.1f} s on {dask.workers} worker processes, {dask.partitions} "
            "partitions, the rows generated on the workers"
            if dask
            else "",
            missing=skipped,
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
    parser.add_argument(
        "--issue",
        type=int,
        choices=(10, 14),
        action="append",
        help="print this issue's table (may be given twice; default: both)",
    )
    parser.add_argument("--quick", action="store_true", help="smaller sizes, to see it runs")
    parser.add_argument(
        "--skip-large", action="store_true", help="issue 14 without the 双台子 cohort and Dask"
    )
    args = parser.parse_args(argv)
    issues = args.issue or [10, 14]
    tables: list[str] = []
    cli: bench_cohort.CliRun | None = None
    if 10 in issues:
        outcome = measure(QUICK if args.quick else FULL)
        tables.append(
            "\n".join([_heading(10, args.quick, outcome.seconds), *table(figures(outcome))])
        )
        cli = outcome.cohort.cli
    if 14 in issues:
        sizes = QUICK_14 if args.quick else FULL_14
        start = time.perf_counter()
        large = bench_columns.measure(
            sizes.rows,
            sizes.runs,
            sizes.entities,
            sizes.cli_entities,
            sizes.dask_rows,
            skip_large=args.skip_large,
            echo=True,
            cli_run=cli if cli is not None and cli.entities == sizes.cli_entities else None,
        )
        print(flush=True)
        heading = _heading(14, args.quick, time.perf_counter() - start)
        tables.append("\n".join([heading, *table(figures_14(large))]))
    print("\n\n".join(tables))


def _heading(issue: int, quick: bool, seconds: float) -> str:
    return (
        f"Issue {issue} targets ({'quick sizes, not comparable' if quick else 'full sizes'}); "
        f"Python {platform.python_version()}, {platform.machine()}, "
        f"{_cpus()} CPUs; {seconds:.0f} s in all"
    )


def _cpus() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 0


if __name__ == "__main__":
    main()
