"""Factories for building scorers in Python: ``at_least(90)``, ``band(…)``, ``table(…)``.

They spell the rule language's constructs as functions, so a program can
build a scheme without writing rule text; every number may be given as a
``Fraction``, ``Decimal``, ``int`` or decimal text and is kept exact.
"""

from __future__ import annotations

from typing import Literal

from .i18n import _
from .nodes.clauses import ForEach, When
from .nodes.conditions import Condition, PeerRelative, Range
from .nodes.scaling import Linear, Scaled
from .nodes.scorers import Band, Deduct, Full, Outcome, PerUnit, Score
from .nodes.tables import Line, Table
from .nodes.targets import OffTarget, WithinTarget
from .values import Number, exact


def at_least(value: Number) -> Range:
    """x ≥ value."""
    return Range(value, None, True, True)


def at_most(value: Number) -> Range:
    """x ≤ value."""
    return Range(None, value, True, True)


def more_than(value: Number) -> Range:
    """x > value."""
    return Range(value, None, False, True)


def less_than(value: Number) -> Range:
    """x < value."""
    return Range(None, value, True, False)


def equals(value: Number) -> Range:
    """x = value."""
    return Range(value, value, True, True)


def between(low: Number, high: Number) -> Range:
    """The shorthand range ``low–high``: low < x ≤ high (上限含本数)."""
    return Range(low, high, False, True)


def interval(low: Number, high: Number, *, closed: str = "[]") -> Range:
    """An interval with its ends as written: ``closed`` is one of ``[] [) (] ()``."""
    return Range(low, high, closed[0] == "[", closed[1] == "]")


def below_target(by: Range) -> OffTarget:
    """The subject is below its target by an amount in ``by``."""
    return OffTarget("below", by)


def above_target(by: Range) -> OffTarget:
    """The subject is above its target by an amount in ``by``."""
    return OffTarget("above", by)


def within_target(distance: Number) -> WithinTarget:
    """``within D of target``: at most ``distance`` from the target, on either side."""
    return WithinTarget(exact(distance))


def up_to(value: Number) -> Range:
    """0 < d ≤ value, for ``below_target(up_to(1))``."""
    return Range(0, value, False, True)


def of_peer(
    op: Literal[">=", "<=", ">", "<", "="], percent: Number, stat: str = "mean"
) -> PeerRelative:
    """``of_peer(">=", 120)`` is ``at least 120% of peer mean``.

    ``stat`` is ``mean``, ``median``, ``max``, ``min`` or a statistic the
    scheme's environment registered.
    """
    return PeerRelative(op, exact(percent) / 100, stat)


def full() -> Full:
    return Full()


def score(value: Number) -> Score:
    return Score(value)


def deduct(amount: Number) -> Deduct:
    return Deduct(amount)


def band(condition: Condition, outcome: Outcome, *, subject: str = "") -> Band:
    """One table line."""
    return Band(condition, outcome, subject)


def per_unit(
    effect: Literal["deduct", "award"],
    amount: Number,
    *,
    unit: Number = 1,
    below: Number | None = None,
    above: Number | None = None,
    mode: Literal["pro rata", "whole", "started"] = "pro rata",
    cap: Number | None = None,
    floor: Number | None = None,
    subject: str = "",
) -> PerUnit:
    """A per-unit line built in Python.

    ``per_unit("deduct", "0.3", below=100, floor=0)`` is the rule line
    ``each 1 below 100 → deduct 0.3, floor 0``.
    """
    if below is not None and above is not None:
        raise ValueError(_("give either below= or above=, not both"))
    reference: Literal["below", "above"] | None = (
        "below" if below is not None else "above" if above is not None else None
    )
    threshold = below if below is not None else above
    return PerUnit(effect, amount, unit, reference, threshold, mode, cap, floor, subject)


def scaled(low: Number, high: Number, *, subject: str = "") -> Scaled:
    return Scaled(low, high, subject=subject)


def scaled_to_peer_max(*, subject: str = "") -> Scaled:
    return Scaled(to_peer_max=True, subject=subject)


def linear(*points: tuple[Number, Number], subject: str = "") -> Linear:
    """``→ linear through (x1, s1), (x2, s2), …``: ``linear((80, 0), (90, 6), (100, 10))``."""
    return Linear(tuple((exact(x), exact(y)) for x, y in points), subject=subject)


def table(*lines: Line) -> Table:
    return Table(lines)


def deduct_if(
    amount: Number, input: str, condition: Condition | None = None, *, negate: bool = False
) -> When:
    return When("deduct", amount, input, condition, negate)


def award_if(
    amount: Number, input: str, condition: Condition | None = None, *, negate: bool = False
) -> When:
    return When("award", amount, input, condition, negate)


def deduct_each(
    amount: Number,
    input: str,
    *,
    unit: Number = 1,
    mode: Literal["pro rata", "whole", "started"] = "pro rata",
    beyond: Number | None = None,
    cap: Number | None = None,
) -> ForEach:
    return ForEach("deduct", amount, input, unit, mode, beyond, cap)


def award_each(
    amount: Number,
    input: str,
    *,
    unit: Number = 1,
    mode: Literal["pro rata", "whole", "started"] = "pro rata",
    beyond: Number | None = None,
    cap: Number | None = None,
) -> ForEach:
    return ForEach("award", amount, input, unit, mode, beyond, cap)
