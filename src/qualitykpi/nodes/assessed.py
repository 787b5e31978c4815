"""What an assessor writes in an item's column, and the values it may take.

Three forms read an item's own column (named by its id) besides
``assessed`` scores and ``assessed deduction at most C``:

* :class:`PerEvent` — ``assessed deduction A–B for each NAME`` (每起扣5-10分):
  the deduction must lie in ``[A × NAME, B × NAME]``;
* :class:`Adjustment` — ``assessed adjustment A–B``: an adjustment within
  ``[A, B]`` added to the score the item's rule lines compute.

Each checks the value it is given and says what it did; :class:`Judgement`
describes any assessed column for the tools (data template, verify,
coverage), so that none re-derives the allowed range.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from typing import Literal

import attrs

from ..fast import FastValues, Slow, const, multiply, subtract
from ..i18n import N_, _
from ..phrases import Said, phrase
from ..values import Value, exact, fmt
from .conditions import ScoreProblem


def _range(low: Fraction, high: Fraction) -> str:
    if low < 0:
        return _("{low} to {high}").format(low=fmt(low), high=fmt(high))
    return f"{fmt(low)}–{fmt(high)}"


@attrs.frozen
class Judgement:
    """The column an assessor fills in for an item (its id) and what it may hold.

    ``kind`` says what the value is: the item's ``score``, a ``deduction``
    or an ``adjustment`` to the computed score.  ``low``–``high`` is the
    allowed range; with ``events`` set it is per event, and the value must
    lie within it times the entity's count of ``events``.
    """

    kind: Literal["score", "deduction", "adjustment"]
    low: Fraction = attrs.field(converter=exact)
    high: Fraction = attrs.field(converter=exact)
    events: str | None = None

    def allowed(self, count: Fraction | None = None) -> tuple[Fraction, Fraction]:
        """The values allowed for an entity with ``count`` events (per event: ``count``
        must be given)."""
        if self.events is None:
            return self.low, self.high
        assert count is not None
        return self.low * count, self.high * count

    def describe(self) -> str:
        """``deduction 5–10 for each accidents``, ``adjustment -2 to 2``, ``score 0–5``."""
        each = f" for each {self.events}" if self.events is not None else ""
        return f"{self.kind} {_range(self.low, self.high)}{each}"

    def neutral(self, count: Fraction | None = None) -> Fraction:
        """An allowed value that changes the computed score least (0 where allowed):
        what coverage writes for the column when it aims at something else."""
        low, high = self.allowed(count)
        if self.kind == "score":
            return high
        return min(max(Fraction(0), low), high)


@attrs.frozen(repr=False)
class PerEvent:
    """``assessed deduction A–B for each NAME``: the assessor's deduction, A to B
    points for each event the entity's ``events`` input counts."""

    low: Fraction = attrs.field(converter=exact)
    high: Fraction = attrs.field(converter=exact)
    events: str
    line: int | None = None

    def judgement(self) -> Judgement:
        return Judgement("deduction", self.low, self.high, self.events)

    def deduction(self, item: str, name: str, count: Value, value: Value) -> tuple[Fraction, Said]:
        """The deduction for ``count`` events and the assessor's ``value``, with its
        description; a count or value that cannot be scored is a problem naming
        the column, the value and the range the count allows."""
        if not isinstance(count, Fraction):
            raise ScoreProblem(
                _(
                    "no data for {input}, which the assessed deduction of item {id} ({name}) counts"
                ).format(input=repr(self.events), id=repr(item), name=name),
                input=self.events,
                value=count,
                line=self.line,
            )
        low, high = self.low * count, self.high * count
        each = phrase(
            N_("{low}–{high} for each of {count} {events}"),
            low=fmt(self.low),
            high=fmt(self.high),
            count=fmt(count),
            events=self.events,
        )
        if value is None and count == 0:
            return Fraction(0), phrase(N_("no {events}: nothing to deduct"), events=self.events)
        if not isinstance(value, Fraction):
            raise ScoreProblem(
                _(
                    "no assessed deduction for item {id} ({name}): {count} {input} call for "
                    "a deduction of {low}–{high} ({each})"
                ).format(
                    id=repr(item),
                    name=name,
                    count=fmt(count),
                    input=self.events,
                    low=fmt(low),
                    high=fmt(high),
                    each=each,
                ),
                input=item,
                value=value,
                line=self.line,
            )
        if not low <= value <= high:
            raise ScoreProblem(
                _(
                    "the assessed deduction {value} for item {id} ({name}) is outside "
                    "{low}–{high} ({each})"
                ).format(
                    value=fmt(value),
                    id=repr(item),
                    name=name,
                    low=fmt(low),
                    high=fmt(high),
                    each=each,
                ),
                input=item,
                value=value,
                line=self.line,
            )
        return value, phrase(N_("assessed deduction {value} ({each})"), value=fmt(value), each=each)

    def fast(self, item: str, maximum: Decimal) -> Callable[[FastValues], Decimal]:
        """The raw score on the fast path: ``max − deduction``; anything the traced
        evaluator would report leaves the fast path."""
        low, high = const(self.low), const(self.high)
        events = self.events

        def deducted(values: FastValues) -> Decimal:
            count, value = values.get(events), values.get(item)
            if not isinstance(count, Decimal):
                raise Slow
            if value is None and count == 0:
                return maximum
            if not isinstance(value, Decimal):
                raise Slow
            if not multiply(low, count) <= value <= multiply(high, count):
                raise Slow
            return subtract(maximum, value)

        return deducted

    def __repr__(self) -> str:
        return f"<assessed deduction {fmt(self.low)}–{fmt(self.high)} for each {self.events}>"


@attrs.frozen(repr=False)
class Adjustment:
    """``assessed adjustment A–B``: the assessor's adjustment, within ``[A, B]``,
    to the score an item's rule lines and clauses compute."""

    low: Fraction = attrs.field(converter=exact)
    high: Fraction = attrs.field(converter=exact)
    line: int | None = None

    def judgement(self) -> Judgement:
        return Judgement("adjustment", self.low, self.high)

    def adjust(self, item: str, name: str, value: Value) -> tuple[Fraction, Said]:
        """The adjustment ``value`` and its description; an absent value or one
        outside the bounds is a problem (0 is written for no adjustment)."""
        bounds = _range(self.low, self.high)
        if not isinstance(value, Fraction):
            raise ScoreProblem(
                _(
                    "no assessed adjustment for item {id} ({name}): write one within "
                    "{bounds}, or 0 for none"
                ).format(id=repr(item), name=name, bounds=bounds),
                input=item,
                value=value,
                line=self.line,
            )
        if not self.low <= value <= self.high:
            raise ScoreProblem(
                _(
                    "the assessed adjustment {value} for item {id} ({name}) is outside {bounds}"
                ).format(value=fmt(value), id=repr(item), name=name, bounds=bounds),
                input=item,
                value=value,
                line=self.line,
            )
        sign = "+" if value > 0 else ""
        return value, phrase(
            N_("assessed adjustment {value} (within {bounds})"),
            value=sign + fmt(value),
            bounds=bounds,
        )

    def fast(self, item: str) -> Callable[[FastValues], Decimal]:
        """The adjustment on the fast path; an absent or out-of-bounds value leaves it."""
        low, high = const(self.low), const(self.high)

        def adjustment(values: FastValues) -> Decimal:
            value = values.get(item)
            if not isinstance(value, Decimal) or not low <= value <= high:
                raise Slow
            return value

        return adjustment

    def __repr__(self) -> str:
        return f"<assessed adjustment {_range(self.low, self.high)}>"
