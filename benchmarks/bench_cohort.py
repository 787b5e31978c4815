"""Time the full 双台子 scheme on a seeded synthetic cohort.

Run from the repository root, in the project's virtualenv::

    python benchmarks/bench_cohort.py [--table 3000] [--cli 30000] [--runs 3] [--imports 10]

It generates seeded rows for ``examples/shuangtaizi-2016-2017.rule``: every
input gets values in its declared domain and precision, a good share of them
on or next to a band edge, and the veto's yes/no input is mostly "no".  Then
it measures:

* table — ``Scheme.score_table`` on ``--table`` entities, per entity
  (median of ``--runs``); every row must score without a data error;
* cli — ``qualitykpi score RULE DATA.csv --format csv -o OUT.csv`` on
  ``--cli`` entities in a fresh process: wall time and peak resident memory
  (``ru_maxrss`` of the command, read by a helper process that runs only it);
  the command must succeed and write one line per entity;
* import — ``python -c "import qualitykpi"`` against ``python -c pass``, each
  in a fresh process, interleaved, median of ``--imports`` runs.

Not a test: no timing is asserted anywhere.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import cached_property
from math import ceil, floor
from pathlib import Path

import qualitykpi as qk

RULE = Path(__file__).resolve().parents[1] / "examples" / "shuangtaizi-2016-2017.rule"

Row = dict[str, str]

# A share of each input's values drawn from its edges, the rest uniform on its grid.
EDGE_SHARE = 0.4
# Vetoes should fire rarely, as they do in a real cohort.
YES_SHARE = 0.02


@dataclass(frozen=True)
class Hint:
    """What the declarations of an input do not say and a realistic cohort needs.

    ``low``/``high`` narrow the domain (decimal text), ``step`` is the grid of
    an input declared without a precision, ``usual`` the lower end of the
    values most entities report (rates near 0% would make nearly every
    entity a D), ``edges`` the band edges to favour.
    """

    low: str | None = None
    high: str | None = None
    step: str | None = None
    usual: str | None = None
    edges: tuple[str, ...] = ()


def _around(*values: str, by: str = "0.1") -> tuple[str, ...]:
    """Each value and its neighbours one ``by`` either side."""
    near = (str(Decimal(v) + k * Decimal(by)) for v in values for k in (-1, 0, 1))
    return tuple(dict.fromkeys(near))


# Read off the 双台子 rule: its band ends and the narrowings that keep every row
# scorable.  Inputs not named here get the defaults of their type.
HINTS: dict[str, Hint] = {
    # target 90%; tiers end 1, 3, 5, 10 and 15 points below it
    "pass_rate": Hint(usual="70", edges=_around("90", "89", "87", "85", "80", "75")),
    "veg_rate": Hint(usual="85", edges=_around("94.5", "94.4", "92", "91.9", "90", "89.9")),
    # the rule has no line below 98% (a defect of the source it keeps), so
    # a lower value is a data error, not a score
    "livestock_rate": Hint(low="98", edges=("98", "98.1", "100")),
    "aquatic_rate": Hint(usual="80", edges=_around("93", "93.4", "90", "89.9", "85", "84.9")),
    # compared with the cohort's mean; 0 has its own line
    "awards": Hint(high="10", edges=("0", "1", "2", "3")),
    "infra_index": Hint(high="3", step="0.01", edges=("0", "0.5", "1")),
    # scaled from 0 to 100
    "water_score": Hint(low="0", high="100", step="0.1", usual="50", edges=("0", "62.5", "100")),
    "campaigns": Hint(high="4", edges=("0", "1", "2")),
    # pro rata below 100%, floor at 90%
    "resolution_rate": Hint(
        low="80", step="0.01", usual="88", edges=("100", "99", "96.7", "90", "89.9")
    ),
}

# Defaults by input type when neither the rule nor a hint bounds the input.
DEFAULT_HIGH = {"count": Fraction(10), "number": Fraction(100)}
DEFAULT_STEP = Fraction(1, 10)
# Assessors give scores in quarter points (0.25 is the finest the rule's examples use);
# full marks are common, 0 is rare.  Each entity is assessed at a level of its own
# (its scores drawn from that share of the points up), so the grades spread over A–D.
ASSESSED_STEP = Fraction(1, 4)
ASSESSED_LEVELS = (Fraction(1, 4), Fraction(1, 2), Fraction(3, 4), Fraction(9, 10))
ASSESSED_EDGES = (1, 1, 1, 0)  # in units of the item's points
ASSESSED_EDGE_SHARE = 0.2


@dataclass(frozen=True)
class Domain:
    """The values one input may take: ``low + k·step`` up to ``high``, or yes/no.

    A draw is one of ``edges`` (a share ``edge_share`` of them), else uniform
    on the grid from ``usual`` to ``high``; for an ``assessed`` score, from
    the entity's level (a share of ``high``) to ``high``.
    """

    name: str
    yes_no: bool = False
    low: Fraction = Fraction(0)
    high: Fraction = Fraction(0)
    step: Fraction = Fraction(1)
    usual: Fraction = Fraction(0)
    edges: tuple[Fraction, ...] = ()
    edge_share: float = EDGE_SHARE
    assessed: bool = False

    def contains(self, value: Fraction) -> bool:
        return self.low <= value <= self.high and ((value - self.low) / self.step).denominator == 1

    @cached_property
    def grid(self) -> tuple[str, ...]:
        """Every value, as text, low to high (worked out once: 30,000 rows draw 1.4M)."""
        last = floor((self.high - self.low) / self.step)
        return tuple(decimal_text(self.low + k * self.step) for k in range(last + 1))

    @cached_property
    def edge_texts(self) -> tuple[str, ...]:
        return tuple(map(decimal_text, self.edges))

    def first(self, level: Fraction) -> int:
        """Where on the grid the usual values start, at an entity's assessed level."""
        usual = self.high * level if self.assessed else self.usual
        return ceil((usual - self.low) / self.step)

    def draw(self, rng: random.Random, level: Fraction) -> str:
        if self.yes_no:
            return "yes" if rng.random() < YES_SHARE else "no"
        if self.edges and rng.random() < self.edge_share:
            return rng.choice(self.edge_texts)
        return self.grid[rng.randint(self.first(level), len(self.grid) - 1)]


def decimal_text(value: Fraction) -> str:
    """Exact decimal text of a value with a terminating expansion (never via float)."""
    text = format((Decimal(value.numerator) / Decimal(value.denominator)).normalize(), "f")
    if Fraction(text) != value:
        raise ValueError(f"{value} has no short decimal form")
    return text


def _fraction(text: str | None, default: Fraction | None) -> Fraction | None:
    return default if text is None else Fraction(text)


def domains(scheme: qk.Scheme, hints: Mapping[str, Hint] = HINTS) -> list[Domain]:
    """Every input of ``scheme`` with the values a valid row may give it."""
    unknown = set(hints) - set(scheme.inputs)
    if unknown:
        raise ValueError(f"hints for inputs the rule does not declare: {sorted(unknown)}")
    out: list[Domain] = []
    for name, spec in scheme.inputs.items():
        hint = hints.get(name, Hint())
        if spec.type == "yes/no":
            out.append(Domain(name, yes_no=True))
            continue
        assessed = _assessed_max(scheme, name)
        if assessed is not None:
            low, high, step = Fraction(0), assessed, ASSESSED_STEP
            if (high / step).denominator != 1:
                step = high
            usual = low
            edges: tuple[Fraction, ...] = tuple(high * unit for unit in ASSESSED_EDGES)
            share = ASSESSED_EDGE_SHARE
        else:
            ceiling = Fraction(100) if spec.type == "percent" else DEFAULT_HIGH[spec.type]
            # Drawn from 0 up even where a number may be negative: rates, counts
            # and scores are what assessment rules measure.
            low = _highest(spec.low, _fraction(hint.low, None), Fraction(0))
            high = _lowest(spec.high, _fraction(hint.high, ceiling))
            step = (
                Fraction(1)
                if spec.type == "count"
                else spec.precision or Fraction(hint.step or DEFAULT_STEP)
            )
            usual = max(low, Fraction(hint.usual or low))
            edges = tuple(Fraction(edge) for edge in hint.edges)
            share = EDGE_SHARE
        grid = Domain(name, low=low, high=high, step=step)
        edges = tuple(edge for edge in edges if grid.contains(edge))
        out.append(Domain(name, False, low, high, step, usual, edges, share, assessed is not None))
    return out


def _assessed_max(scheme: qk.Scheme, name: str) -> Fraction | None:
    """The points of the assessed item whose score column ``name`` is, else None."""
    try:
        node = scheme.node(name)
    except KeyError:
        return None
    return Fraction(node.max) if node.id == name else None


def _highest(*bounds: Fraction | None) -> Fraction:
    return max(bound for bound in bounds if bound is not None)


def _lowest(*bounds: Fraction | None) -> Fraction:
    return min(bound for bound in bounds if bound is not None)


def cohort_rows(scheme: qk.Scheme, count: int, seed: int = 20261215) -> list[Row]:
    """``count`` seeded rows for ``scheme``, entity names ``e00001``, …"""
    rng = random.Random(seed)
    wanted = domains(scheme)
    width = len(str(count))
    rows = []
    for index in range(1, count + 1):
        level = rng.choice(ASSESSED_LEVELS)
        rows.append(
            {"entity": f"e{index:0{width}d}", **{d.name: d.draw(rng, level) for d in wanted}}
        )
    return rows


def assert_scores(scheme: qk.Scheme, rows: Sequence[Row]) -> qk.Results:
    """Score the cohort; raise unless every row has a result and none a data error."""
    results = scheme.score_table(rows)
    assert not results.errors, results.errors[:3]
    assert len(results.results) == len(rows)
    return results


def write_csv(rows: Sequence[Row], path: Path) -> Path:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


# ---------------------------------------------------------------- timings


def table_seconds(scheme: qk.Scheme, rows: Sequence[Row], runs: int) -> float:
    """Median seconds per entity of ``score_table`` on ``rows`` (checked first, untimed)."""
    assert_scores(scheme, rows)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        scheme.score_table(rows)
        times.append(time.perf_counter() - start)
    return statistics.median(times) / len(rows)


# Runs one command and reports its wall time and the peak RSS of its process
# tree; a process of its own, so its own memory is not what is measured.
_HELPER = """\
import json, resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
wall = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"wall": wall, "peak": peak, "code": done.returncode,
                  "stderr": done.stderr.decode("utf-8", "replace")[-2000:]}))
"""


@dataclass(frozen=True)
class CliRun:
    seconds: float
    peak_mib: float
    entities: int


def _environment() -> dict[str, str]:
    # Python's byte-code cache is written as an installed package's would be,
    # even where the environment turns it off (bench_check does the same).
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def qualitykpi_command() -> list[str]:
    """The console script of the running interpreter's environment."""
    script = Path(sys.executable).with_name("qualitykpi")
    if script.exists():
        return [str(script)]
    found = shutil.which("qualitykpi")
    return [found] if found else [sys.executable, "-m", "qualitykpi"]


def cli_run(rule: Path, data: Path, output: Path) -> CliRun:
    """``qualitykpi score RULE DATA --format csv -o OUTPUT`` in a fresh process."""
    command = [*qualitykpi_command(), "score", str(rule), str(data), "--format", "csv"]
    command += ["-o", str(output)]
    done = subprocess.run(
        [sys.executable, "-c", _HELPER, *command],
        capture_output=True,
        text=True,
        check=True,
        env=_environment(),
    )
    report = json.loads(done.stdout)
    if report["code"] != 0:
        raise RuntimeError(f"qualitykpi score exited {report['code']}: {report['stderr']}")
    # ru_maxrss is in KiB on Linux, in bytes on macOS.
    kib = report["peak"] / 1024 if sys.platform == "darwin" else report["peak"]
    with output.open(encoding="utf-8-sig", newline="") as written:
        lines = sum(1 for _ in csv.reader(written))
    return CliRun(report["wall"], kib / 1024, lines - 1)


def import_seconds(runs: int) -> tuple[float, float]:
    """Median wall seconds of ``python -c pass`` and of ``python -c 'import qualitykpi'``."""
    env = _environment()
    commands = ([sys.executable, "-c", "pass"], [sys.executable, "-c", "import qualitykpi"])
    times: tuple[list[float], list[float]] = ([], [])
    for run in range(runs + 1):
        # interleaved, so that a change in the machine's load hits both alike
        for command, out in zip(commands, times, strict=True):
            start = time.perf_counter()
            subprocess.run(command, env=env, check=True)
            if run:  # the first is a warm-up: file cache, byte-code cache
                out.append(time.perf_counter() - start)
    return statistics.median(times[0]), statistics.median(times[1])


@dataclass(frozen=True)
class Figures:
    table_entities: int
    table_seconds: float
    cli: CliRun
    bare_seconds: float
    import_seconds: float


def measure(table: int = 3000, cli: int = 30_000, runs: int = 3, imports: int = 10) -> Figures:
    scheme = qk.load(RULE)
    rows = cohort_rows(scheme, max(table, cli))
    per_entity = table_seconds(scheme, rows[:table], runs)
    with tempfile.TemporaryDirectory() as folder:
        data = write_csv(rows[:cli], Path(folder) / f"shuangtaizi-{cli}.csv")
        run = cli_run(RULE, data, Path(folder) / "out.csv")
    if run.entities != cli:
        raise AssertionError(f"qualitykpi score wrote {run.entities} entities, not {cli}")
    bare, imported = import_seconds(imports)
    return Figures(table, per_entity, run, bare, imported)


def report(figures: Figures) -> list[str]:
    cli = figures.cli
    return [
        f"table   {figures.table_seconds * 1e3:8.3f} ms per entity  "
        f"score_table of {figures.table_entities} entities",
        f"cli     {cli.seconds:8.1f} s  {cli.peak_mib:6.0f} MiB peak  "
        f"`qualitykpi score … --format csv -o OUT` on {cli.entities} entities",
        f"import  {figures.import_seconds * 1e3:8.0f} ms  "
        f"(python -c pass {figures.bare_seconds * 1e3:.0f} ms, "
        f"{figures.import_seconds / figures.bare_seconds:.1f}×)",
    ]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--table", type=int, default=3000, help="entities for score_table")
    parser.add_argument("--cli", type=int, default=30_000, help="entities for the command")
    parser.add_argument("--runs", type=int, default=3, help="timed runs of score_table")
    parser.add_argument("--imports", type=int, default=10, help="runs of each import timing")
    parser.add_argument("--write", type=Path, help="only write the --cli rows to this CSV file")
    args = parser.parse_args(argv)
    if args.write is not None:
        write_csv(cohort_rows(qk.load(RULE), args.cli), args.write)
        return
    figures = measure(args.table, args.cli, args.runs, args.imports)
    print(f"双台子 2016-2017 ({RULE.name}); median of {args.runs} runs")
    print("\n".join(report(figures)))


if __name__ == "__main__":
    main()
