"""Time scoring against a hand-written ``decimal`` function, in the same run.

Run from the repository root::

    python benchmarks/bench_score.py [--rows 100000] [--single 5000] [--runs 3]

The rules R1–R5 of issue 10: tiers below a target of 90 (R1), ``each whole
1% below 100% → deduct 0.3, floor 0`` out of 3 (R2), a deduction of one point
per incident, at most 2 (R3), the four vegetable bands (R4), and a veto to D
with grades on the total (R5).  ``--rows`` seeded rows hit every band edge.

It times, with ``time.perf_counter`` (median of ``--runs``):

* baseline — :func:`baseline`, a hand-written function on ``decimal.Decimal``
  that reads the same text cells and gives the same total and grade;
* score_table — ``Scheme.score_table`` on every row;
* score — ``Scheme.score`` on the first ``--single`` rows, one entity at a
  time;

and prints each per entity, with its ratio to the baseline.  Before timing
it checks that the baseline and qualitykpi agree on every row, so the ratio
compares the same work.  Not a test: no timing is asserted anywhere.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from qualitykpi import Scheme, loads

RULE = """\
scheme "R1–R5" {
  total 15.5
  grades { A at least 14; B at least 12; C at least 9; D otherwise }
  input incident: yes/no
  veto "发生质量安全事件" when incident → grade D
  section "质量" max 15.5 {
    item r1 "制造业产品质量合格率" max 10 {
      input pass_rate: percent precision 0.1
      target 90%
      meets target → full
      below target by up to 1 points → deduct 1
      below target by 1–3 points → deduct 3
      below target by 3–5 points → deduct 5
      below target by 5–10 points → deduct 6
      below target by 10–15 points → deduct 8
      below target by more than 15 points → deduct 10
    }
    item r2 "旅游投诉办结率" max 3 {
      input resolution: percent precision 0.1
      each whole 1% below 100% → deduct 0.3, floor 0
    }
    item r3 "重大质量事件" deduct at most 2 {
      input incidents: count
      each 1 → deduct 1
    }
    item r4 "蔬菜" max 2.5 {
      input veg: percent precision 0.1
      at least 94.5% → full
      [92%, 94.4%] → deduct 0.1
      [90%, 91.9%] → deduct 0.2
      at most 89.9% → deduct 0.3
    }
  }
}
"""

Row = dict[str, str]

_GRADES = ((Decimal(14), "A"), (Decimal(12), "B"), (Decimal(9), "C"))
_YES = {"yes", "是"}


def baseline(row: Row) -> tuple[Decimal, str]:
    """R1–R5 written by hand on ``Decimal``: the total and the grade of one row."""
    gap = 90 - Decimal(row["pass_rate"])
    if gap <= 0:
        r1 = Decimal(10)
    elif gap <= 1:
        r1 = Decimal(9)
    elif gap <= 3:
        r1 = Decimal(7)
    elif gap <= 5:
        r1 = Decimal(5)
    elif gap <= 10:
        r1 = Decimal(4)
    elif gap <= 15:
        r1 = Decimal(2)
    else:
        r1 = Decimal(0)
    whole_units = int(100 - Decimal(row["resolution"]))  # floor: the shortfall is ≥ 0
    r2 = max(3 - Decimal("0.3") * whole_units, Decimal(0))
    r3 = -min(int(row["incidents"]), 2)
    veg = Decimal(row["veg"])
    if veg >= Decimal("94.5"):
        r4 = Decimal("2.5")
    elif veg >= 92:
        r4 = Decimal("2.4")
    elif veg >= 90:
        r4 = Decimal("2.3")
    else:
        r4 = Decimal("2.2")
    total = min(max(r1 + r2 + r3 + r4, Decimal(0)), Decimal("15.5"))
    grade = next((label for bound, label in _GRADES if total >= bound), "D")
    if row["incident"] in _YES:
        grade = "D"
    return total, grade


def _edges(around: Sequence[int]) -> list[str]:
    """Band edges of a percent on a 0.1 grid, and their neighbours."""
    out: list[str] = []
    for whole in around:
        for tenths in (-1, 0, 1):
            value = Decimal(whole) + Decimal(tenths) / 10
            if 0 <= value <= 100:
                out.append(str(value))
    return out


def rows(count: int, seed: int = 20261206) -> list[Row]:
    """Seeded rows; half of each percent on or next to a band edge."""
    rng = random.Random(seed)
    pass_edges = _edges([90, 89, 87, 85, 80, 75, 74])
    veg_edges = [*_edges([92, 90]), "94.4", "94.5", "94.6", "91.9", "89.9"]

    def percent(edges: list[str]) -> str:
        if rng.random() < 0.5:
            return rng.choice(edges)
        return str(Decimal(rng.randint(0, 1000)) / 10)

    return [
        {
            "entity": f"e{index}",
            "pass_rate": percent(pass_edges),
            "resolution": percent(_edges(list(range(90, 101)))),
            "incidents": str(rng.randint(0, 4)),
            "veg": percent(veg_edges),
            "incident": "yes" if rng.random() < 0.05 else "no",
        }
        for index in range(count)
    ]


def agree(scheme: Scheme, data: Sequence[Row]) -> None:
    """Raise unless qualitykpi and the baseline give every row the same total and grade."""
    results = scheme.score_table(data)
    assert not results.errors, results.errors[:3]
    for row in data:
        result = results[row["entity"]]
        expected = baseline(row)
        if (result.total, result.grade) != expected:
            raise AssertionError(f"{row}: qualitykpi {result.total} {result.grade}, {expected}")


def _median(run: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


@dataclass(frozen=True)
class Figures:
    """Seconds per entity of each way of scoring, medians of ``runs`` runs."""

    rows: int
    single: int
    runs: int
    baseline: float
    score_table: float
    score: float


def measure(count: int = 100_000, single: int = 5_000, runs: int = 3) -> Figures:
    """Check agreement on ``count`` seeded rows, then time the three ways of scoring."""
    scheme = loads(RULE, "r1-r5.rule")
    data = rows(count)
    agree(scheme, data)
    inputs = [{key: value for key, value in row.items() if key != "entity"} for row in data]
    inputs = inputs[:single]

    def one_by_one() -> None:
        for values in inputs:
            scheme.score(values)

    base = _median(lambda: [baseline(row) for row in data], runs) / len(data)
    table = _median(lambda: scheme.score_table(data), runs) / len(data)
    alone = _median(one_by_one, runs) / len(inputs)
    return Figures(len(data), len(inputs), runs, base, table, alone)


def report(figures: Figures) -> list[str]:
    base = figures.baseline
    lines = [
        f"R1–R5, {figures.rows} rows ({figures.single} scored one by one); "
        f"median of {figures.runs} runs"
    ]
    for label in ("baseline", "score_table", "score"):
        seconds = getattr(figures, label)
        lines.append(
            f"{label:<12} {seconds * 1e6:8.1f} µs per entity  {seconds / base:6.1f}× baseline"
            f"  ({1 / seconds:,.0f} rows/s)"
        )
    return lines


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--single", type=int, default=5_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    print("\n".join(report(measure(args.rows, args.single, args.runs))))


if __name__ == "__main__":
    main()
