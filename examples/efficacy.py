"""A host program that extends qualitykpi with the 功效系数法 (efficacy coefficient).

Many provincial rules score an indicator between a 不允许值 (the value that
earns only the base share, usually 60%) and a 满意值 (the value that earns
full points):

    d = base + (100 − base) × (x − 不允许值) / (满意值 − 不允许值),  capped to [base, 100]

The score is d% of the item's points.  The rule file `efficacy.rule` uses it
as ``using efficacy with low = …, high = …``; the program registers it.  Run
``python examples/efficacy.py``.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import attrs

import qualitykpi as qk


@attrs.frozen
class Efficacy(qk.CustomScorer):
    """功效系数法 between ``low`` (不允许值) and ``high`` (满意值)."""

    low: Fraction
    high: Fraction
    base: Fraction = Fraction(60)

    def __attrs_post_init__(self) -> None:
        if self.low == self.high:
            raise ValueError("low and high must differ")
        if not 0 <= self.base <= 100:
            raise ValueError("base is a percentage between 0 and 100")

    def score(self, value: Fraction, maximum: Fraction) -> Fraction:
        share = self.base + (100 - self.base) * (value - self.low) / (self.high - self.low)
        share = min(max(share, self.base), Fraction(100))
        return maximum * share / 100

    def direction(self) -> qk.scorers.Direction:
        # A 满意值 below the 不允许值 means lower is better (complaints, accidents).
        return "higher" if self.high > self.low else "lower"

    def reach(self, maximum: Fraction) -> qk.scorers.Reach:
        return maximum * self.base / 100, maximum


def p75(values: list[Fraction]) -> Fraction:
    """The upper quartile (nearest rank) of the cohort: a stricter benchmark than the mean."""
    rank = -(-3 * len(values) // 4)  # ceil(0.75 n)
    return values[max(rank, 1) - 1]


ENVIRONMENT = qk.Environment()
ENVIRONMENT.register_scorer(
    "efficacy",
    Efficacy,
    params=("low", "high"),
    optional=("base",),
    doc="功效系数法: base% of the points at the 不允许值, full points at the 满意值",
)
ENVIRONMENT.register_statistic("p75", p75)

RULE = Path(__file__).with_name("efficacy.rule")

COHORT = [
    {"entity": "甲市", "pass_rate": "96.0", "complaints": "2", "awards": "9"},
    {"entity": "乙市", "pass_rate": "88.0", "complaints": "15", "awards": "4"},
    {"entity": "丙市", "pass_rate": "79.5", "complaints": "40", "awards": "6"},
    {"entity": "丁市", "pass_rate": "91.1", "complaints": "8", "awards": "1"},
]

if __name__ == "__main__":
    scheme = ENVIRONMENT.load(RULE)
    results = scheme.score_table(COHORT)
    for rank, result in results.ranking():
        print(f"{rank}  {result.entity}  {result.total} of {result.max}")
    print()
    print(results["乙市"].explain())
