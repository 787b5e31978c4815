"""Conditions: what a rule line or a clause tests its subject's value against.

``at least 90%``, ``80–90``, ``meets target``, ``below target by 1–3 points``,
``120% of peer mean``, ``yes``, ``no data``, ``otherwise``: each is a small
frozen attrs class that says whether a value holds it and, for the trace,
what it compared.  :class:`Env` is what a condition may consult besides the
value: the subject's target and its cohort's peer statistics.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Literal, Protocol

import attrs

from .values import Value, exact, exact_or_none, fmt


class ScoreProblem(Exception):
    """Scoring one entity cannot go on; the caller turns it into a DataError."""

    def __init__(self, message: str, *, input: str | None, value: Value, line: int | None) -> None:
        super().__init__(message)
        self.message = message
        self.input = input
        self.value = value
        self.line = line


@attrs.frozen
class Env:
    """What a line may consult besides its subject's value."""

    target: Fraction | None = None
    peers: Mapping[str, Fraction] = attrs.field(factory=dict)
    subject: str = ""
    percent: bool = False

    def peer(self, stat: str, line: int | None, value: Value) -> Fraction:
        if stat not in self.peers:
            raise ScoreProblem(
                f"needs the peer {stat} of {self.subject!r}: score a cohort with "
                f"score_table(), or pass peers={{{self.subject!r}: {{{stat!r}: …}}}}",
                input=self.subject,
                value=value,
                line=line,
            )
        return self.peers[stat]

    def show(self, value: Fraction) -> str:
        return fmt(value) + ("%" if self.percent else "")


class Condition(Protocol):
    def holds(self, value: Value, env: Env, line: int | None) -> bool: ...

    def detail(self, value: Value, env: Env, line: int | None) -> str | None: ...


@attrs.frozen(repr=False)
class Range:
    """The subject lies in an interval; ``None`` ends are unbounded."""

    low: Fraction | None = attrs.field(converter=exact_or_none)
    high: Fraction | None = attrs.field(converter=exact_or_none)
    low_closed: bool = True
    high_closed: bool = True

    def contains(self, x: Fraction) -> bool:
        if self.low is not None and (x < self.low or (x == self.low and not self.low_closed)):
            return False
        return not (
            self.high is not None and (x > self.high or (x == self.high and not self.high_closed))
        )

    def holds(self, value: Value, env: Env, line: int | None) -> bool:
        return isinstance(value, Fraction) and self.contains(value)

    def detail(self, value: Value, env: Env, line: int | None) -> str | None:
        return None

    def describe(self) -> str:
        low, high = self.low, self.high
        if low is not None and high is not None and low == high:
            return f"= {fmt(low)}"
        if high is None and low is not None:
            return f"{'at least' if self.low_closed else 'more than'} {fmt(low)}"
        if low is None and high is not None:
            return f"{'at most' if self.high_closed else 'less than'} {fmt(high)}"
        if low is None and high is None:
            return "any value"
        assert low is not None and high is not None
        return (
            f"{'[' if self.low_closed else '('}{fmt(low)}, {fmt(high)}"
            f"{']' if self.high_closed else ')'}"
        )

    def __repr__(self) -> str:
        return f"<{self.describe()}>"


@attrs.frozen(repr=False)
class MeetsTarget:
    """The subject is at or above its target."""

    def holds(self, value: Value, env: Env, line: int | None) -> bool:
        return isinstance(value, Fraction) and value >= _target(env, line, value)

    def detail(self, value: Value, env: Env, line: int | None) -> str | None:
        return f"target {env.show(_target(env, line, value))}"

    def __repr__(self) -> str:
        return "<meets target>"


@attrs.frozen(repr=False)
class OffTarget:
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

    def detail(self, value: Value, env: Env, line: int | None) -> str | None:
        target = _target(env, line, value)
        if not isinstance(value, Fraction):
            return f"target {env.show(target)}"
        gap = self._gap(value, env, line)
        side = "below" if gap >= 0 else "above"
        if self.direction == "above":
            side = "above" if gap >= 0 else "below"
        unit = " points" if env.percent else ""
        return f"target {env.show(target)}: {fmt(abs(gap))}{unit} {side}"

    def __repr__(self) -> str:
        return f"<{self.by.describe()} {self.direction} target>"


@attrs.frozen(repr=False)
class PeerRelative:
    """``x op K% of peer STAT``: ``at least 120% of peer mean`` has factor 6/5.

    K% of a statistic is read as "(K − 100)% above it" (or below it, for K
    under 100), measured on the statistic's size: the threshold is
    ``stat + (K/100 − 1) × |stat|``.  For a positive statistic that is
    ``K/100 × stat`` as usual; for a negative one it keeps the meaning, so
    120% of a mean of −10 is −8 (20% better), not −12.
    """

    op: Literal[">=", "<=", ">", "<", "="]
    factor: Fraction = attrs.field(converter=exact)
    stat: str = "mean"

    def threshold(self, stat: Fraction) -> Fraction:
        """The value ``K% of`` the statistic ``stat`` stands for (see the class)."""
        return stat + (self.factor - 1) * abs(stat)

    def statistics_at(self, mark: Fraction) -> tuple[Fraction, ...]:
        """The statistics whose threshold is ``mark`` (for the checks' sample cohorts)."""
        found: list[Fraction] = []
        # stat ≥ 0: threshold = factor × stat; stat < 0: threshold = (2 − factor) × stat.
        if self.factor and mark / self.factor >= 0:
            found.append(mark / self.factor)
        if 2 - self.factor and mark / (2 - self.factor) < 0:
            found.append(mark / (2 - self.factor))
        return tuple(found)

    def bound(self, env: Env, line: int | None, value: Value) -> Fraction:
        return self.threshold(env.peer(self.stat, line, value))

    def holds(self, value: Value, env: Env, line: int | None) -> bool:
        if not isinstance(value, Fraction):
            return False
        return _compare(value, self.op, self.bound(env, line, value))

    def detail(self, value: Value, env: Env, line: int | None) -> str | None:
        stat = env.peer(self.stat, line, value)
        return (
            f"peer {self.stat} {env.show(stat)}, {fmt(self.factor * 100)}% of it is "
            f"{env.show(self.threshold(stat))}"
        )

    def __repr__(self) -> str:
        return f"<{self.op} {fmt(self.factor * 100)}% of peer {self.stat}>"


@attrs.frozen(repr=False)
class IsYes:
    """A yes/no subject is yes (``expected=True``) or no."""

    expected: bool = True

    def holds(self, value: Value, env: Env, line: int | None) -> bool:
        return isinstance(value, bool) and value is self.expected

    def detail(self, value: Value, env: Env, line: int | None) -> str | None:
        return None

    def __repr__(self) -> str:
        return "<yes>" if self.expected else "<no>"


@attrs.frozen(repr=False)
class NoData:
    """The value is absent from the data."""

    def holds(self, value: Value, env: Env, line: int | None) -> bool:
        return value is None

    def detail(self, value: Value, env: Env, line: int | None) -> str | None:
        return None

    def __repr__(self) -> str:
        return "<no data>"


@attrs.frozen(repr=False)
class Otherwise:
    """Any present value."""

    def holds(self, value: Value, env: Env, line: int | None) -> bool:
        return value is not None

    def detail(self, value: Value, env: Env, line: int | None) -> str | None:
        return None

    def __repr__(self) -> str:
        return "<otherwise>"


def _compare(x: Fraction, op: str, bound: Fraction) -> bool:
    return {
        ">=": x >= bound,
        "<=": x <= bound,
        ">": x > bound,
        "<": x < bound,
        "=": x == bound,
    }[op]


def _target(env: Env, line: int | None, value: Value) -> Fraction:
    if env.target is None:
        raise ScoreProblem(
            f"this line compares {env.subject!r} with its target, but no target is set",
            input=env.subject,
            value=value,
            line=line,
        )
    return env.target
