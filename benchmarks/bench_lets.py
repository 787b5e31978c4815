"""Time a scheme that computes over the cohort (ranks, a share of the peer mean),
by column and by row, against a hand-written exact baseline, in one run.

Run from the repository root, in the project's virtualenv::

    python benchmarks/bench_lets.py [--rows 1000000] [--sample 20000]

The scheme (:data:`RULE`) ranks each entity's output ("前三名得满分") and scores
its output as a share of the cohort's mean ("本地值/全市平均值"), a ratio that
usually has no finite decimal form.  The cohort is ``--rows`` entities with
whole outputs from 0 to 999, as a pandas DataFrame.  Timed in the same run:

* ``score_table(frame)``, which takes the column path (issue 14);
* ``score_table(frame.head(sample), engine="rows")``, the row path, on a
  sample (a million rows by row take minutes), as a rate;
* :func:`baseline`, the same two rules written by hand in Python with exact
  fractions (the mean as a ``Fraction``, the ranks by counting); its totals
  must equal qualitykpi's on every row, or the run stops.
"""

from __future__ import annotations

import argparse
import time
from bisect import bisect_right
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pandas as pd

import qualitykpi as qk

RULE = """scheme "横比" {
  total 10
  item "产值排名" max 4 {
    input output: number
    rank of output at most 3 → full
    rank of output at most peers × 50% → 1
    otherwise → 0
  }
  item "产值占比" max 6 {
    let share = output / peer mean of output
    share at least 1.2 → full
    share at least 1 → 3
    otherwise → 0
  }
}
"""


def frame(count: int, seed: int = 14) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {"entity": [f"企业{n:07d}" for n in range(count)], "output": rng.integers(0, 1000, count)}
    )


def baseline(outputs: Sequence[int]) -> list[Decimal]:
    """Each entity's total, by hand: exact, with no qualitykpi."""
    size = len(outputs)
    mean = Fraction(sum(outputs), size)
    ordered = sorted(outputs)
    totals = []
    for output in outputs:
        rank = 1 + size - bisect_right(ordered, output)  # 1 = best, ties share
        points = 4 if rank <= 3 else 1 if 2 * rank <= size else 0
        share = output / mean
        points += 6 if share >= Fraction(6, 5) else 3 if share >= 1 else 0
        totals.append(Decimal(points))
    return totals


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="entities by column")
    parser.add_argument("--sample", type=int, default=20_000, help="entities by row")
    args = parser.parse_args(argv)
    scheme = qk.loads(RULE)
    cohort = frame(args.rows)

    start = time.perf_counter()
    results = scheme.score_table(cohort)
    columns = time.perf_counter() - start
    outputs = cohort["output"].tolist()
    start = time.perf_counter()
    expected = baseline(outputs)
    by_hand = time.perf_counter() - start
    totals = [record[1] for record in results.records(())]
    if len(results.errors) or totals != expected:
        raise SystemExit("the hand-written baseline and qualitykpi disagree")

    sample = cohort.head(args.sample)
    start = time.perf_counter()
    scheme.score_table(sample, engine="rows")
    rows = time.perf_counter() - start

    print(f"computing scheme, {args.rows:,} entities from a DataFrame:")
    for label, seconds, count, note in (
        ("by column", columns, args.rows, ""),
        ("by hand", by_hand, args.rows, " (exact fractions)"),
        (f"by row ({args.sample:,})", rows, args.sample, ""),
    ):
        print(f"  {label:<16} {seconds:8.2f} s {count / seconds:12,.0f} rows/s{note}")


if __name__ == "__main__":
    main()
