"""Time loading and checking a generated 1,000-item rule file.

Run from the repository root::

    python benchmarks/bench_check.py [--items 1000] [--runs 5] [--write FILE]

It generates a scheme of ``--items`` items (eight item shapes, cycled, in
sections of ten) and times, separately, with ``time.perf_counter``:

* load — the text compiled afresh (``qualitykpi.scheme.compile_text``):
  parse, build, analyse and compile, with neither the environment's kept
  schemes nor the cache folder's;
* checks — ``qualitykpi.checks.check_scheme`` on the loaded scheme: the
  static checks alone;
* command — ``qualitykpi check FILE`` in a new process, as an author runs
  it: start-up, imports, loading, checking and printing; once on an
  unchanged file (its compiled scheme is kept in the cache folder, see
  ``qualitykpi.cache``) and once on a file edited before every run (a
  comment line added), which is compiled afresh each time.

Each is run ``--runs`` times and the median (with min and max) printed.
``--write FILE`` also saves the generated rule file.  Not a test: no
timing is asserted anywhere.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from qualitykpi.checks import check_scheme
from qualitykpi.registry import NO_EXTENSIONS
from qualitykpi.scheme import compile_text

T = TypeVar("T")

# Eight item shapes, cycled: band tables, target deltas, per-unit lines,
# peer comparisons, parts, clauses, assessed items and deduction-only items.
SHAPES = (
    """    item "合格率{n}" max 10 owner "市场监管局" {{
      input r{n}: percent precision 0.1
      at least 94.5% → full
      [92%, 94.4%] → deduct 1
      [90%, 91.9%] → deduct 2
      at most 89.9% → deduct 3
    }}""",
    """    item "目标{n}" max 10 {{
      input t{n}: percent precision 0.1
      target 90%
      meets target → full
      below target by up to 1 points → deduct 1
      below target by 1–3 points → deduct 3
      below target by 3–5 points → deduct 5
      below target by more than 5 points → deduct 10
    }}""",
    """    item "办结率{n}" max 10 {{
      input c{n}: percent
      each 1% below 100% → deduct 0.3, floor 0
    }}""",
    """    item "激励{n}" max 10 {{
      input a{n}: count
      = 0 → 0
      at least 120% of peer mean → 10
      at least 100% of peer mean → 8
      at least 50% of peer mean → 5
      otherwise → 2
    }}""",
    """    item "分项{n}" max 10 {{
      part "甲{n}" max 5 {{
        input p{n}: percent precision 0.1
        at least 98% → full
        otherwise → 2
      }}
      part "乙{n}" max 5 {{
        input q{n}: count
        better lower
        = 0 → full
        at most 2 → 3
        otherwise → 0
      }}
    }}""",
    """    item "工作{n}" max 10 {{
      input plan{n}: yes/no
      input acts{n}: count
      deduct 2 if not plan{n}
      award 1 for each acts{n}, at most 8
    }}""",
    """    item m{n} "评价{n}" max 10 {{ assessed }}""",
    """    item "事故{n}" deduct at most 2 {{
      input e{n}: count
      each 1 → deduct 1
    }}""",
)


def _worth(n: int) -> int:
    """Points of item ``n``: 10, or 0 for the deduction-only shape."""
    return 0 if SHAPES[n % len(SHAPES)].lstrip().startswith('item "事故') else 10


def rule_text(items: int, per_section: int = 10) -> str:
    """A scheme of ``items`` items in sections of ``per_section``, sums correct."""
    sections = []
    for first in range(0, items, per_section):
        numbers = range(first, min(first + per_section, items))
        body = "\n".join(SHAPES[n % len(SHAPES)].format(n=n) for n in numbers)
        worth = sum(_worth(n) for n in numbers)
        name = f"第{first // per_section + 1}部分"
        sections.append(f'  section "{name}" max {worth} owner "考核办" {{\n{body}\n  }}')
    total = sum(_worth(n) for n in range(items))
    grades = "  grades { A at least 90; B at least 80; C at least 60; D otherwise }\n"
    return f'scheme "基准" {{\n  total {total}\n{grades}' + "\n".join(sections) + "\n}\n"


def timed(run: Callable[[], T], runs: int) -> tuple[T, list[float]]:
    """The result of ``run()`` and the seconds each of ``runs`` calls took."""
    timings: list[float] = []
    result = run()  # not timed: imports, caches
    for _ in range(runs):
        start = time.perf_counter()
        result = run()
        timings.append(time.perf_counter() - start)
    return result, timings


def summary(label: str, timings: list[float]) -> str:
    return (
        f"{label:<7} median {statistics.median(timings):.3f} s "
        f"(min {min(timings):.3f} s, max {max(timings):.3f} s)"
    )


def command_times(text: str, runs: int, *, edited: bool = False) -> list[float]:
    """Seconds each run of ``qualitykpi check`` on ``text`` takes, end to end.

    ``edited``: the file changes before every run, as an author's does.
    """
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.rule"
        path.write_text(text, encoding="utf-8")
        command = [sys.executable, "-m", "qualitykpi", "check", str(path)]
        # Python's own byte-code cache is written as an installed package's
        # would be, even where the environment turns it off.
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        edits = iter(range(runs + 1))

        def run() -> None:
            if edited:
                path.write_text(f"{text}# edit {next(edits)}\n", encoding="utf-8")
            subprocess.run(command, env=env, stdout=subprocess.DEVNULL, check=False)

        return timed(run, runs)[1]


@dataclass(frozen=True)
class Figures:
    """Seconds of each timed run of each step."""

    items: int
    lines: int
    diagnostics: int
    runs: int
    load: list[float]
    checks: list[float]
    command: list[float]
    edited: list[float]


def measure(items: int = 1000, runs: int = 5, write: Path | None = None) -> Figures:
    text = rule_text(items)
    if write is not None:
        write.write_text(text, encoding="utf-8")
    scheme, load_times = timed(lambda: compile_text(text, "bench.rule", NO_EXTENSIONS), runs)
    found, check_times = timed(lambda: check_scheme(scheme), runs)
    command = command_times(text, runs)
    edited = command_times(text, runs, edited=True)
    return Figures(
        items, text.count("\n"), len(found), runs, load_times, check_times, command, edited
    )


def report(figures: Figures) -> list[str]:
    total = statistics.median(figures.load) + statistics.median(figures.checks)
    return [
        f"{figures.items} items ({figures.lines} lines), {figures.diagnostics} diagnostics; "
        f"median of {figures.runs} runs",
        summary("load", figures.load) + "  parse, build, analyse, compile",
        summary("checks", figures.checks) + "  check_scheme on the loaded scheme",
        f"{'total':<7} {total:.3f} s",
        summary("command", figures.command) + "  `qualitykpi check FILE`, the file unchanged",
        summary("edited", figures.edited) + "  the same, the file edited before each run",
    ]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--write", type=Path, help="also save the generated rule file here")
    args = parser.parse_args(argv)
    print("\n".join(report(measure(args.items, args.runs, args.write))))


if __name__ == "__main__":
    main()
