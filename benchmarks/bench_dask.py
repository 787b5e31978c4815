"""Time ``qualitykpi.dask.score`` on generated R1–R5 rows, on a local Dask cluster.

Run from the repository root, with the ``dask`` extra installed::

    python benchmarks/bench_dask.py [--rows 10000000] [--partitions 40] [--workers 2]

Each partition's rows are generated on its worker with numpy, seeded by the
partition's number (so the cohort is the same from run to run, and never
passes through this process), as ``bench_score.rows`` draws them: rates on
a 0.1 grid, half of each on or next to a band edge, incidents 0–4, and a
veto input that is "yes" for about 5% of the rows.  The rules are R1–R5 of
``bench_score.py``.  It times the whole of it — the first pass (statistics
and names), scoring every partition and the ranks — with the scores and
errors computed together and counted (not kept), and prints rows per
second.  Not a test: no timing is asserted anywhere.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

# The benchmarks are scripts beside this one, not a package.
sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_score
from bench_score import RULE

import qualitykpi as qk


def r1_r5_part(count: int, seed: int) -> Any:
    """``count`` R1–R5 rows drawn vectorised like ``bench_score.rows``: half of each
    percent on or next to a band edge, 5% of incidents yes; entity names carry the seed."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)

    def percent(edges: list[str]) -> Any:
        tenth = np.array([round(Decimal(edge) * 10) for edge in edges], np.int64)
        values = np.where(
            rng.random(count) < 0.5,
            tenth[rng.integers(0, len(tenth), count)],
            rng.integers(0, 1001, count),
        )
        return values / 10

    edges = bench_score._edges
    return pd.DataFrame(
        {
            "entity": [f"p{seed}-{index}" for index in range(count)],
            "pass_rate": percent(edges([90, 89, 87, 85, 80, 75, 74])),
            "resolution": percent(edges(list(range(90, 101)))),
            "incidents": rng.integers(0, 5, count),
            "veg": percent([*edges([92, 90]), "94.4", "94.5", "94.6", "91.9", "89.9"]),
            "incident": rng.random(count) < 0.05,
        }
    )


def frame(rows: int, partitions: int) -> Any:
    """A Dask DataFrame of ``rows`` generated rows in ``partitions`` partitions."""
    import dask
    import dask.dataframe as dd

    sizes = [
        rows // partitions + (1 if index < rows % partitions else 0) for index in range(partitions)
    ]
    meta = r1_r5_part(0, 0)
    parts = [dask.delayed(r1_r5_part)(size, index) for index, size in enumerate(sizes)]
    with dask.config.set({"dataframe.convert-string": False}):
        return dd.from_delayed(parts, meta=meta, verify_meta=False)


@dataclass(frozen=True)
class Figures:
    rows: int
    partitions: int
    workers: int
    seconds: float
    scored: int
    errors: int

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds


def measure(rows: int = 10_000_000, partitions: int = 40, workers: int = 2) -> Figures:
    """Score ``rows`` generated rows on a local cluster of ``workers`` processes."""
    import dask
    import distributed

    from qualitykpi.dask import score

    scheme = qk.loads(RULE, "R1–R5")
    with (
        distributed.LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster),
    ):
        data = frame(rows, partitions)
        start = time.perf_counter()
        scored = score(scheme, data)
        # Counted, not kept: 10 million rows of Decimal objects would not fit.
        count, wrong = dask.compute(scored.frame.shape[0], scored.errors.shape[0])
        seconds = time.perf_counter() - start
    return Figures(rows, partitions, workers, seconds, int(count), int(wrong))


def report(figures: Figures) -> list[str]:
    return [
        f"qualitykpi.dask, R1–R5, {figures.rows:,} rows in {figures.partitions} partitions "
        f"on {figures.workers} worker processes",
        f"  {figures.seconds:.1f} s, {figures.rows_per_second:,.0f} rows/s "
        f"({figures.scored:,} scored, {figures.errors:,} data errors)",
    ]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--partitions", type=int, default=40)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    figures = measure(args.rows, args.partitions, args.workers)
    print("\n".join(report(figures)))


if __name__ == "__main__":
    main()
