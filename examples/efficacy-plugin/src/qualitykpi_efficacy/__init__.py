"""The 功效系数法 (efficacy coefficient) for qualitykpi rule files, as a plugin.

Many provincial rules score an indicator between a 不允许值 (the value that
earns only the base share, usually 60%) and a 满意值 (the value that earns
full points):

    d = base + (100 − base) × (x − 不允许值) / (满意值 − 不允许值),  capped to [base, 100]

The score is d% of the item's points.  A rule file uses it as ``using
efficacy with low = …, high = …`` and the upper-quartile benchmark as ``at
least 100% of peer p75``.  Installed, this distribution's entry point in the
``qualitykpi.plugins`` group makes both known to the ``qualitykpi`` command;
a host program calls :func:`register` on its own environment.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

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

    def direction(self) -> qk.Direction:
        # A 满意值 below the 不允许值 means lower is better (complaints, accidents).
        return "higher" if self.high > self.low else "lower"

    def reach(self, maximum: Fraction) -> qk.Reach:
        return maximum * self.base / 100, maximum


def p75(values: Sequence[Fraction]) -> Fraction:
    """The upper quartile (nearest rank) of the cohort: a stricter benchmark than the mean."""
    rank = -(-3 * len(values) // 4)  # ceil(0.75 n)
    return values[max(rank, 1) - 1]


def register(environment: qk.Environment) -> None:
    """Add the ``efficacy`` scorer and the ``p75`` statistic to ``environment``."""
    environment.register_scorer(
        "efficacy",
        Efficacy,
        params=("low", "high"),
        optional=("base",),
        doc="功效系数法: base% of the points at the 不允许值, full points at the 满意值",
    )
    environment.register_statistic("p75", p75)
