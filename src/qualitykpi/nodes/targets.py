"""Conditions on the subject's distance from its target.

``meets target``, ``below target by R points``, ``above target by R points``
and ``within D points of target``: each says, as every condition does (see
:mod:`qualitykpi.nodes.conditions`), what it means to every tool; what they
share is that they need the item's target, and name it when it is missing.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Literal

import attrs

from ..domains import Interval, meet
from ..i18n import N_, _
from ..phrases import Said, phrase
from ..values import Value, exact, fmt
from .conditions import (
    _NO_STATS,
    Boundary,
    Env,
    Range,
    ScoreProblem,
    Side,
    Stats,
    _Plain,
    range_ends,
)

_ZERO = Fraction(0)


@attrs.frozen(repr=False)
class MeetsTarget(_Plain):
    """The subject is at or above its target."""

    def holds(self, value: Value, env: Env, line: int | None) -> bool:
        return isinstance(value, Fraction) and value >= _target(env, line, value)

    def detail(self, value: Value, env: Env, line: int | None) -> Said | None:
        return phrase(N_("target {target}"), target=env.show(_target(env, line, value)))

    def construct(self, env: Env) -> Said:
        return phrase(N_("meets target"))

    def needs_target(self) -> bool:
        return True

    def interval(self, target: Fraction | None, stats: Stats = _NO_STATS) -> Interval | None:
        return None if target is None else Interval(target, None, True, False)

    def ends(
        self, target: Fraction | None, stats: Stats = _NO_STATS, unit: str = ""
    ) -> tuple[Boundary, ...]:
        if target is None:
            return ()
        return (Boundary(_("the target {value}").format(value=f"{fmt(target)}{unit}"), target),)

    def side(self) -> Side:
        return "high"

    def open_sides(self) -> tuple[bool, bool]:
        return False, True

    def __repr__(self) -> str:
        return "<meets target>"


_ABOVE_ZERO = Interval(_ZERO, None, False, False)


@attrs.frozen(repr=False)
class OffTarget(_Plain):
    """The subject is below (or above) its target by an amount in ``by``."""

    direction: Literal["below", "above"]
    by: Range

    def _gap(self, value: Fraction, env: Env, line: int | None) -> Fraction:
        target = _target(env, line, value)
        return target - value if self.direction == "below" else value - target

    def holds(self, value: Value, env: Env, line: int | None) -> bool:
        if not isinstance(value, Fraction):
            return False
        gap = self._gap(value, env, line)
        return gap > 0 and self.by.contains(gap)

    def detail(self, value: Value, env: Env, line: int | None) -> Said | None:
        target = _target(env, line, value)
        if not isinstance(value, Fraction):
            return phrase(N_("target {target}"), target=env.show(target))
        gap = self._gap(value, env, line)
        below = (gap >= 0) == (self.direction == "below")
        if env.percent:
            message = (
                N_("target {target}: {gap} points below")
                if below
                else N_("target {target}: {gap} points above")
            )
        else:
            message = (
                N_("target {target}: {gap} below") if below else N_("target {target}: {gap} above")
            )
        return phrase(message, target=env.show(target), gap=fmt(abs(gap)))

    def construct(self, env: Env) -> Said:
        by = self.by
        if by.low is not None and by.high is not None and by.low != by.high:
            # The documents write a band of the gap as 1–3, its ends as the rule says.
            span: Said = f"{fmt(by.low)}–{fmt(by.high)}"
        else:
            span = by.construct(Env())
        if env.percent:
            message = (
                N_("below target by {by} points")
                if self.direction == "below"
                else N_("above target by {by} points")
            )
        else:
            message = (
                N_("below target by {by}")
                if self.direction == "below"
                else N_("above target by {by}")
            )
        return phrase(message, by=span)

    def needs_target(self) -> bool:
        return True

    def interval(self, target: Fraction | None, stats: Stats = _NO_STATS) -> Interval | None:
        if target is None:
            return None
        by = self.by.as_interval()
        if by.empty:
            return None
        gap = _meet(by, _ABOVE_ZERO)
        if gap is None:
            return None
        if self.direction == "above":
            return Interval(
                None if gap.low is None else target + gap.low,
                None if gap.high is None else target + gap.high,
                gap.low_closed,
                gap.high_closed,
            )
        return Interval(
            None if gap.high is None else target - gap.high,
            None if gap.low is None else target - gap.low,
            gap.high_closed,
            gap.low_closed,
        )

    def ends(
        self, target: Fraction | None, stats: Stats = _NO_STATS, unit: str = ""
    ) -> tuple[Boundary, ...]:
        if target is None:
            return ()
        sign = -1 if self.direction == "below" else 1
        gaps = [_ZERO] + [end for end in range_ends(self.by) if end > 0]
        return tuple(
            Boundary(_("the target") if gap == 0 else fmt(gap), target + sign * gap)
            for gap in dict.fromkeys(gaps)
        )

    def side(self) -> Side:
        if self.by.high is not None:
            return "bounded"
        return "low" if self.direction == "below" else "high"

    def position(self, target: Fraction | None) -> Fraction | None:
        by = self.by
        if target is None or by.high is None:
            return None
        middle = ((by.low or _ZERO) + by.high) / 2
        return target - middle if self.direction == "below" else target + middle

    def open_sides(self) -> tuple[bool, bool]:
        unbounded = self.by.high is None
        return (unbounded, False) if self.direction == "below" else (False, unbounded)

    def gap(self, value: Fraction, target: Fraction | None) -> Fraction | None:
        if target is None:
            return None
        return target - value if self.direction == "below" else value - target

    def __repr__(self) -> str:
        return f"<{self.by.describe()} {self.direction} target>"


@attrs.frozen(repr=False)
class WithinTarget(_Plain):
    """The subject is at most ``distance`` away from its target, on either side."""

    distance: Fraction = attrs.field(converter=exact)

    def holds(self, value: Value, env: Env, line: int | None) -> bool:
        return (
            isinstance(value, Fraction) and abs(value - _target(env, line, value)) <= self.distance
        )

    def detail(self, value: Value, env: Env, line: int | None) -> Said | None:
        target = _target(env, line, value)
        if not isinstance(value, Fraction):
            return phrase(N_("target {target}"), target=env.show(target))
        message = (
            N_("target {target}: {gap} points away")
            if env.percent
            else N_("target {target}: {gap} away")
        )
        return phrase(message, target=env.show(target), gap=fmt(abs(value - target)))

    def construct(self, env: Env) -> Said:
        message = (
            N_("within {distance} points of target")
            if env.percent
            else N_("within {distance} of target")
        )
        return phrase(message, distance=fmt(self.distance))

    def needs_target(self) -> bool:
        return True

    def interval(self, target: Fraction | None, stats: Stats = _NO_STATS) -> Interval | None:
        if target is None:
            return None
        return Interval(target - self.distance, target + self.distance)

    def ends(
        self, target: Fraction | None, stats: Stats = _NO_STATS, unit: str = ""
    ) -> tuple[Boundary, ...]:
        if target is None:
            return ()
        distance = fmt(self.distance)
        away = _("{number} points").format(number=distance) if unit == "%" else distance
        return (
            Boundary(_("{away} below the target").format(away=away), target - self.distance),
            Boundary(_("{away} above the target").format(away=away), target + self.distance),
        )

    def side(self) -> Side:
        return "bounded"

    def position(self, target: Fraction | None) -> Fraction | None:
        return target

    def open_sides(self) -> tuple[bool, bool]:
        return False, False

    def gap(self, value: Fraction, target: Fraction | None) -> Fraction | None:
        return None if target is None else abs(value - target)

    def nests(self) -> bool:
        return True

    def __repr__(self) -> str:
        return f"<within {fmt(self.distance)} of target>"


def _meet(a: Interval, b: Interval) -> Interval | None:
    found = meet(a, b)
    return None if found.empty else found


def _target(env: Env, line: int | None, value: Value) -> Fraction:
    if env.target is None and env.target_source:
        raise ScoreProblem(
            _("no data for {target}, the target of {input}").format(
                target=repr(env.target_source), input=repr(env.subject)
            ),
            input=env.target_source,
            value=None,
            line=line,
        )
    if env.target is None:
        raise ScoreProblem(
            _("this line compares {input} with its target, but no target is set").format(
                input=repr(env.subject)
            ),
            input=env.subject,
            value=value,
            line=line,
        )
    return env.target
