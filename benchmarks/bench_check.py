"""Time the static checks on a generated 1,000-item rule file.

Run from the repository root::

    python benchmarks/bench_check.py [--items 1000] [--runs 5]

It writes the rule file to a temporary directory, runs
``qualitykpi.checks.check`` on it a few times (``time.perf_counter``) and
prints the median.  Not a test: no timing is asserted anywhere.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from qualitykpi.checks import check

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.rule"
        path.write_text(rule_text(args.items), encoding="utf-8")
        timings = []
        found = 0
        for _ in range(args.runs):
            start = time.perf_counter()
            found = len(check(path))
            timings.append(time.perf_counter() - start)
    lines = rule_text(args.items).count("\n")
    print(
        f"check: {args.items} items ({lines} lines), {found} diagnostics; "
        f"median of {args.runs} runs {statistics.median(timings):.3f} s "
        f"(min {min(timings):.3f} s, max {max(timings):.3f} s)"
    )


if __name__ == "__main__":
    main()
