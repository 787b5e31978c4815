"""Compound expressions: arithmetic, ``min``/``max``, ``abs`` and ``round``.

Each answers the questions of :class:`~qualitykpi.nodes.expressions.Expression`
from its parts': its value exactly, its bounds by interval arithmetic
(sound, not always tight: an unbounded part or a divisor that may be 0
makes it unbounded), its trend from its parts' trends and signs, and its
text with the parentheses that make it read back the same.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Literal

import attrs

from ..i18n import N_, _
from ..phrases import Joined, Said, phrase
from ..values import fmt, round_half_up
from .conditions import ScoreProblem
from .expressions import (
    UNBOUNDED,
    Atom,
    Bounds,
    Domains,
    Expression,
    Given,
    Input,
    Needs,
    NodeValue,
    Number,
    PeerStat,
    Previous,
    RankOf,
    Scope,
    Trend,
    shown_percent,
)


def _paren(expression: Expression, binds: int) -> str:
    text = expression.text()
    return f"({text})" if expression.precedence < binds else text


def _paren_shown(expression: Expression, binds: int, scope: Scope) -> str:
    text = expression.show(scope)
    return f"({text})" if expression.precedence < binds else text


def _negated(trend: Trend) -> Trend:
    return {"up": "down", "down": "up"}.get(trend, trend)  # type: ignore[return-value]


def _together(trends: list[Trend]) -> Trend:
    """The trend of a sum (or a min or max) of parts with these trends."""
    moving = {trend for trend in trends if trend != "flat"}
    if not moving:
        return "flat"
    return moving.pop() if len(moving) == 1 and "unknown" not in moving else "unknown"


def _sign(bounds: Bounds) -> int | None:
    """1 when every value is ≥ 0, −1 when every value is ≤ 0, else None."""
    low, high = bounds
    if low is not None and low >= 0:
        return 1
    if high is not None and high <= 0:
        return -1
    return None


def _scaled(trend: Trend, sign: int | None) -> Trend:
    if trend == "flat":
        return "flat"
    if sign is None:
        return "unknown"
    return trend if sign > 0 else _negated(trend)


def _products(a: Bounds, b: Bounds) -> Bounds:
    if None in a or None in b:
        return UNBOUNDED  # sound, not tight
    assert a[0] is not None and a[1] is not None and b[0] is not None and b[1] is not None
    corners = [x * y for x in (a[0], a[1]) for y in (b[0], b[1])]
    return min(corners), max(corners)


@attrs.frozen(repr=False)
class Arithmetic:
    """``a + b``, ``a − b``, ``a × b``, ``a / b``."""

    op: Literal["+", "−", "×", "/"]
    left: Expression
    right: Expression

    @property
    def precedence(self) -> int:
        return 1 if self.op in ("+", "−") else 2

    @property
    def percent(self) -> bool:
        if self.op in ("+", "−"):
            return self.left.percent or self.right.percent
        if self.op == "×":
            return self.left.percent != self.right.percent
        return self.left.percent and not self.right.percent

    def evaluate(self, scope: Scope) -> Fraction:
        left, right = self.left.evaluate(scope), self.right.evaluate(scope)
        if self.op == "+":
            return left + right
        if self.op == "−":
            return left - right
        if self.op == "×":
            return left * right
        if not right:
            raise ScoreProblem(
                _("`{expression}` divides by zero ({divisor} = 0)").format(
                    expression=self.text(), divisor=self.right.text()
                ),
                input=None,
                value=None,
                line=None,
            )
        return left / right

    def needs(self) -> Needs:
        return self.left.needs() | self.right.needs()

    def bounds(self, domains: Domains) -> Bounds:
        a, b = self.left.bounds(domains), self.right.bounds(domains)
        if self.op == "+":
            return _add(a, b)
        if self.op == "−":
            return _add(a, (None if b[1] is None else -b[1], None if b[0] is None else -b[0]))
        if self.op == "×":
            return _products(a, b)
        if _sign(b) is None or 0 in (b[0], b[1]):
            return UNBOUNDED  # the divisor may be 0 or change sign
        low, high = b
        return _products(a, (None if high is None else 1 / high, None if low is None else 1 / low))

    def trend(self, name: str, domains: Domains) -> Trend:
        left, right = self.left.trend(name, domains), self.right.trend(name, domains)
        if self.op == "+":
            return _together([left, right])
        if self.op == "−":
            return _together([left, _negated(right)])
        a, b = self.left.bounds(domains), self.right.bounds(domains)
        if self.op == "×":
            if right == "flat":
                return _scaled(left, _sign(b))
            if left == "flat":
                return _scaled(right, _sign(a))
            if _sign(a) == 1 and _sign(b) == 1:
                return _together([left, right])
            return "unknown"
        if right == "flat":
            divisor = _sign(b)
            return _scaled(left, divisor) if b[0] != 0 and b[1] != 0 else "unknown"
        divisor = _sign(b)
        if left == "flat" and divisor is not None and 0 not in (b[0], b[1]):
            # d(a / b)/db = −a / b²: a / b falls as b rises when a > 0, whatever
            # the sign of b (as long as b keeps it).
            sign = _sign(a)
            return "unknown" if sign is None else _scaled(_negated(right), sign)
        return "unknown"

    def text(self) -> str:
        binds = self.precedence
        # The right side of − and / binds tighter: a − (b − c), a / (b × c).
        right = binds + 1 if self.op in ("−", "/") else binds
        return f"{_paren(self.left, binds)} {self.op} {_paren(self.right, right)}"

    def show(self, scope: Scope) -> str:
        binds = self.precedence
        right = binds + 1 if self.op in ("−", "/") else binds
        left_text = _paren_shown(self.left, binds, scope)
        return f"{left_text} {self.op} {_paren_shown(self.right, right, scope)}"

    def __repr__(self) -> str:
        return f"<{self.text()}>"


def _add(a: Bounds, b: Bounds) -> Bounds:
    return (
        None if a[0] is None or b[0] is None else a[0] + b[0],
        None if a[1] is None or b[1] is None else a[1] + b[1],
    )


def _arguments(values: tuple[Expression, ...]) -> tuple[Expression, ...]:
    if not values:
        raise ValueError("min and max take at least one value")
    return tuple(values)


@attrs.frozen(repr=False)
class Extreme(Atom):
    """``min(a, b, …)`` or ``max(a, b, …)``."""

    which: Literal["min", "max"]
    args: tuple[Expression, ...] = attrs.field(converter=_arguments)

    @property
    def percent(self) -> bool:  # type: ignore[override]
        return any(arg.percent for arg in self.args)

    def evaluate(self, scope: Scope) -> Fraction:
        values = [arg.evaluate(scope) for arg in self.args]
        return min(values) if self.which == "min" else max(values)

    def needs(self) -> Needs:
        found = Needs()
        for arg in self.args:
            found = found | arg.needs()
        return found

    def bounds(self, domains: Domains) -> Bounds:
        all_bounds = [arg.bounds(domains) for arg in self.args]
        lows, highs = [b[0] for b in all_bounds], [b[1] for b in all_bounds]
        if self.which == "min":
            low = None if None in lows else min(x for x in lows if x is not None)
            known = [x for x in highs if x is not None]
            return low, (min(known) if known else None)
        known = [x for x in lows if x is not None]
        high = None if None in highs else max(x for x in highs if x is not None)
        return (max(known) if known else None), high

    def trend(self, name: str, domains: Domains) -> Trend:
        return _together([arg.trend(name, domains) for arg in self.args])

    def text(self) -> str:
        return f"{self.which}({', '.join(arg.text() for arg in self.args)})"

    def show(self, scope: Scope) -> str:
        return f"{self.which}({', '.join(arg.show(scope) for arg in self.args)})"

    def __repr__(self) -> str:
        return f"<{self.text()}>"


@attrs.frozen(repr=False)
class Absolute(Atom):
    """``abs(a)``."""

    arg: Expression

    @property
    def percent(self) -> bool:  # type: ignore[override]
        return self.arg.percent

    def evaluate(self, scope: Scope) -> Fraction:
        return abs(self.arg.evaluate(scope))

    def needs(self) -> Needs:
        return self.arg.needs()

    def bounds(self, domains: Domains) -> Bounds:
        low, high = self.arg.bounds(domains)
        if low is not None and low >= 0:
            return low, high
        if high is not None and high <= 0:
            return -high, None if low is None else -low
        if low is None or high is None:
            return Fraction(0), None
        return Fraction(0), max(-low, high)

    def trend(self, name: str, domains: Domains) -> Trend:
        return _scaled(self.arg.trend(name, domains), _sign(self.arg.bounds(domains)))

    def text(self) -> str:
        return f"abs({self.arg.text()})"

    def show(self, scope: Scope) -> str:
        return f"abs({self.arg.show(scope)})"

    def __repr__(self) -> str:
        return f"<{self.text()}>"


@attrs.frozen(repr=False)
class Rounded(Atom):
    """``round(a, N)``: half up to N decimal places, the only rounding there is."""

    arg: Expression
    places: int

    @property
    def percent(self) -> bool:  # type: ignore[override]
        return self.arg.percent

    def evaluate(self, scope: Scope) -> Fraction:
        return round_half_up(self.arg.evaluate(scope), self.places)

    def needs(self) -> Needs:
        return self.arg.needs()

    def bounds(self, domains: Domains) -> Bounds:
        low, high = self.arg.bounds(domains)  # rounding is monotone
        return (
            None if low is None else round_half_up(low, self.places),
            None if high is None else round_half_up(high, self.places),
        )

    def trend(self, name: str, domains: Domains) -> Trend:
        return self.arg.trend(name, domains)

    def text(self) -> str:
        return f"round({self.arg.text()}, {self.places})"

    def show(self, scope: Scope) -> str:
        return f"round({self.arg.show(scope)}, {self.places})"

    def __repr__(self) -> str:
        return f"<{self.text()}>"


def traced(name: str, expression: Expression, scope: Scope, *, as_percent: bool = False) -> Said:
    """The trace of a computed value: ``growth = (220 − 200) / 200 = 0.1`` (``10%`` when
    ``as_percent``: a ratio the rule compares with percentages)."""
    value = expression.evaluate(scope)
    shown = shown_percent(value) if expression.percent or as_percent else fmt(value)
    if isinstance(expression, RankOf):
        # `rank of output = 2 of 7`: the rank is the value itself, said in words.
        rank, size = scope.ranks.get(expression.name, (0, 0))
        if rank:
            words: list[Said] = list(dict.fromkeys([name, expression.text()]))
            words.append(phrase(N_("{rank} of {size}"), rank=str(rank), size=str(size)))
            return Joined(tuple(words), " = ")
    steps = [name, expression.text(), expression.show(scope)]
    if not isinstance(expression, RankOf):  # `2 of 13` is the rank itself
        steps.append(shown)
    return " = ".join(dict.fromkeys(steps))


def affine(expression: Expression, name: str) -> tuple[Fraction, Fraction] | None:
    """``(a, b)`` when ``expression`` is ``a × x + b`` in the input ``name`` as the data
    give it (a percent as reported: 93 for 93%), with constants elsewhere; else None.

    The checks read a rule line on such a value on its input's own axis."""
    match expression:
        case Number(value=value):
            return Fraction(0), value
        case Input(name=found, percent=percent):
            if found != name:
                return None
            return (Fraction(1, 100) if percent else Fraction(1)), Fraction(0)
        case Arithmetic(op=op, left=left, right=right):
            first, second = affine(left, name), affine(right, name)
            if first is None or second is None:
                return None
            if op == "+":
                return first[0] + second[0], first[1] + second[1]
            if op == "−":
                return first[0] - second[0], first[1] - second[1]
            if op == "×":
                if first[0] == 0:
                    return first[1] * second[0], first[1] * second[1]
                if second[0] == 0:
                    return second[1] * first[0], second[1] * first[1]
                return None
            if second[0] == 0 and second[1] != 0:
                return first[0] / second[1], first[1] / second[1]
            return None
        case _:
            return None


#: Every form of expression (LANGUAGE-2 §2), for the test that asks each every question.
EXPRESSIONS: tuple[type, ...] = (
    *(Number, Input, Previous, Given, PeerStat, RankOf, NodeValue),
    *(Arithmetic, Extreme, Absolute, Rounded),
)
