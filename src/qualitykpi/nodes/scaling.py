"""Lines that compute a score from the value: ``scaled`` and ``using NAME``.

``scaled from A to B`` and ``scaled to peer max`` share the points in
proportion; ``using NAME with …`` hands the value to a scorer the host
program registered (see :mod:`qualitykpi.environment`).  Both hold for every
present value, like ``each …`` lines.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal
from fractions import Fraction
from itertools import pairwise
from typing import Protocol

import attrs

from ..fast import (
    Decline,
    FastScore,
    FastValue,
    add,
    always,
    const,
    divide,
    multiply,
    subtract,
)
from ..i18n import N_, _
from ..phrases import Said, phrase
from ..values import Value, exact_or_none, fmt, rounded
from .conditions import Env, PeerRelative, ScoreProblem, Stats
from .scorers import Applied, AppliedStep, Direction, Reach, _EveryValue, quoted, rounding


@attrs.frozen(repr=False)
class Scaled(_EveryValue):
    """``scaled from A to B``: max × (x − A)/(B − A); with ``to_peer_max``, max × x / peer max."""

    low: Fraction | None = attrs.field(converter=exact_or_none, default=None)
    high: Fraction | None = attrs.field(converter=exact_or_none, default=None)
    to_peer_max: bool = False
    subject: str = ""
    text: str = ""
    line: int | None = None

    def __attrs_post_init__(self) -> None:
        if not self.to_peer_max and (
            self.low is None or self.high is None or self.low == self.high
        ):
            raise ValueError("`scaled from A to B` needs two different ends")

    def matches(self, value: Value, env: Env) -> bool:
        return isinstance(value, Fraction)

    def apply(self, value: Value, env: Env, maximum: Fraction) -> Applied:
        assert isinstance(value, Fraction)
        if self.to_peer_max:
            top = env.peer("max", self.line, value)
            if top <= 0:
                # M × x / max means "the share of the best": with a best of 0
                # or below there is no share to give, and any score would be
                # a guess, so the entity is named instead.
                raise ScoreProblem(
                    _(
                        "the peer max of {input} is {value}: `scaled to peer max` gives "
                        "each entity its share of the cohort's best, which needs a best "
                        "above 0 (add a line such as `at most 0 → 0` above it to say what "
                        "such values score)"
                    ).format(input=repr(self.subject), value=env.show(top)),
                    input=self.subject,
                    value=value,
                    line=self.line,
                )
            exact_score = maximum * value / top
            detail: Said | None = phrase(N_("peer max {value}"), value=env.show(top))
        else:
            assert self.low is not None and self.high is not None
            exact_score = maximum * (value - self.low) / (self.high - self.low)
            detail = None
        score, was_rounded = rounded(exact_score)
        steps: list[AppliedStep] = [("line", quoted(self, env), maximum - score)]
        if was_rounded:
            steps.append(rounding(exact_score, score))
        return Applied(score, tuple(steps), detail)

    def fast(
        self, maximum: Fraction, target: Fraction | None, stats: Stats
    ) -> tuple[Callable[[FastValue], bool], FastScore]:
        top = const(maximum)
        if self.to_peer_max:
            best = stats.get("max")
            if best is None or best <= 0:
                raise Decline("no peer max above 0: the traced evaluator names the problem")
            peak = const(best)

            def share(value: FastValue) -> Decimal:
                assert isinstance(value, Decimal)
                return divide(multiply(top, value), peak)

            return always, share
        assert self.low is not None and self.high is not None
        low, width = const(self.low), const(self.high - self.low)

        def scaled(value: FastValue) -> Decimal:
            assert isinstance(value, Decimal)
            return divide(multiply(top, subtract(value, low)), width)

        return always, scaled

    def comparisons(self) -> tuple[PeerRelative, ...]:
        # Scaling to the peer max needs the max: 100% of it is full marks.
        return (PeerRelative(">=", 1, "max"),) if self.to_peer_max else ()

    def scales_by(self) -> str | None:
        return "max" if self.to_peer_max else None

    def marks(self, target: Fraction | None) -> tuple[Fraction, ...]:
        return tuple(end for end in (self.low, self.high) if end is not None)

    def reach(self, maximum: Fraction) -> Reach:
        # Unbounded without the input's domain; the item's clamp bounds it.
        return None, None

    def direction(self) -> Direction:
        if self.to_peer_max:
            return "higher"
        assert self.low is not None and self.high is not None
        return "higher" if self.high > self.low else "lower"

    def construct(self, env: Env) -> Said:
        if self.to_peer_max:
            return phrase(N_("scaled to peer max"))
        assert self.low is not None and self.high is not None
        return phrase(
            N_("scaled from {low} to {high}"), low=env.show(self.low), high=env.show(self.high)
        )

    def __repr__(self) -> str:
        if self.to_peer_max:
            return "<scaled to peer max>"
        assert self.low is not None and self.high is not None
        return f"<scaled from {fmt(self.low)} to {fmt(self.high)}>"


class CustomScoring(Protocol):
    """What :class:`Custom` needs of a host's scorer (see :class:`qualitykpi.CustomScorer`)."""

    def score(self, value: Fraction, maximum: Fraction) -> Fraction | Decimal | int: ...

    def direction(self) -> Direction: ...

    def reach(self, maximum: Fraction) -> Reach: ...


@attrs.frozen(repr=False)
class Custom(_EveryValue):
    """``using NAME with …``: a line scored by a scorer the host registered.

    Holds for every present value, like ``scaled``; the result is checked to
    be exact, rounded like any other when it has no finite decimal form, and
    recorded in the trace.
    """

    scorer: CustomScoring
    hosted = True
    name: str = ""
    subject: str = ""
    text: str = ""
    line: int | None = None

    def matches(self, value: Value, env: Env) -> bool:
        return isinstance(value, Fraction)

    def apply(self, value: Value, env: Env, maximum: Fraction) -> Applied:
        assert isinstance(value, Fraction)
        try:
            raw = self.scorer.score(value, maximum)
        except (ArithmeticError, ValueError) as error:
            raise ScoreProblem(
                _("the scorer `{name}` cannot score {input} = {value}: {error}").format(
                    name=self.name, input=self.subject, value=env.show(value), error=error
                ),
                input=self.subject,
                value=value,
                line=self.line,
            ) from None
        if isinstance(raw, bool) or not isinstance(raw, Fraction | Decimal | int):
            raise TypeError(
                f"the scorer `{self.name}` returned {type(raw).__name__} {raw!r}; return a "
                "Fraction, a Decimal or an int — a float would lose exactness"
            )
        exact_score = Fraction(raw)
        score, was_rounded = rounded(exact_score)
        steps: list[AppliedStep] = [("line", quoted(self, env), maximum - score)]
        if was_rounded:
            steps.append(rounding(exact_score, score))
        return Applied(score, tuple(steps), None)

    def reach(self, maximum: Fraction) -> Reach:
        return self.scorer.reach(maximum)

    def fast(
        self, maximum: Fraction, target: Fraction | None, stats: Stats
    ) -> tuple[Callable[[FastValue], bool], FastScore]:
        # A host's code is called as written, on Fractions, with its trace.
        raise Decline(f"the scorer `{self.name}` is the host's code")

    def direction(self) -> Direction:
        return self.scorer.direction()

    def construct(self, env: Env) -> Said:
        return phrase(N_("using {scorer}"), scorer=self.name)

    def __repr__(self) -> str:
        return f"<using {self.name}: {self.scorer!r}>"


def _points(
    values: Iterable[tuple[Fraction, Fraction]],
) -> tuple[tuple[Fraction, Fraction], ...]:
    points = tuple((Fraction(x), Fraction(y)) for x, y in values)
    if len(points) < 2 or any(b[0] <= a[0] for a, b in pairwise(points)):
        raise ValueError("`linear through` needs two or more points, from the lowest value up")
    return points


@attrs.frozen(repr=False)
class Linear(_EveryValue):
    """``→ linear through (x1, y1), (x2, y2), …``: straight lines between the points.

    Below the first point the first score holds, above the last the last; a
    score with no finite decimal form is rounded like any other, and the
    trace says so.
    """

    points: tuple[tuple[Fraction, Fraction], ...] = attrs.field(converter=_points)
    subject: str = ""
    text: str = ""
    line: int | None = None

    def matches(self, value: Value, env: Env) -> bool:
        return isinstance(value, Fraction)

    def exact(self, value: Fraction) -> tuple[Fraction, int | None]:
        """The exact score of ``value``, and the segment it lies on (None: beyond the ends)."""
        points = self.points
        if value <= points[0][0]:
            return points[0][1], None
        for index, ((x0, y0), (x1, y1)) in enumerate(pairwise(points)):
            if value <= x1:
                return y0 + (y1 - y0) * (value - x0) / (x1 - x0), index
        return points[-1][1], None

    def apply(self, value: Value, env: Env, maximum: Fraction) -> Applied:
        assert isinstance(value, Fraction)
        exact_score, segment = self.exact(value)
        score, was_rounded = rounded(exact_score)
        steps: list[AppliedStep] = [("line", quoted(self, env), maximum - score)]
        if was_rounded:
            steps.append(rounding(exact_score, score))
        detail: Said | None = None
        if segment is not None:
            (x0, y0), (x1, y1) = self.points[segment], self.points[segment + 1]
            detail = phrase(
                N_("between ({x0}, {y0}) and ({x1}, {y1})"),
                x0=env.show(x0),
                y0=fmt(y0),
                x1=env.show(x1),
                y1=fmt(y1),
            )
        return Applied(score, tuple(steps), detail)

    def fast(
        self, maximum: Fraction, target: Fraction | None, stats: Stats
    ) -> tuple[Callable[[FastValue], bool], FastScore]:
        points = [(const(x), const(y)) for x, y in self.points]
        segments = [
            (x0, x1, y0, subtract(y1, y0), subtract(x1, x0))
            for (x0, y0), (x1, y1) in pairwise(points)
        ]
        first, last = points[0], points[-1]

        def score(value: FastValue) -> Decimal:
            assert isinstance(value, Decimal)
            if value <= first[0]:
                return first[1]
            for x0, x1, y0, rise, run in segments:
                if value <= x1:
                    return add(y0, divide(multiply(rise, subtract(value, x0)), run))
            return last[1]

        return always, score

    def reach(self, maximum: Fraction) -> Reach:
        scores = [y for _, y in self.points]
        return min(scores), max(scores)

    def direction(self) -> Direction:
        scores = [y for _, y in self.points]
        rising = all(b >= a for a, b in pairwise(scores))
        falling = all(b <= a for a, b in pairwise(scores))
        if rising and not falling:
            return "higher"
        if falling and not rising:
            return "lower"
        return "none"

    def marks(self, target: Fraction | None) -> tuple[Fraction, ...]:
        return tuple(x for x, _ in self.points)

    def construct(self, env: Env) -> Said:
        points = ", ".join(f"({env.show(x)}, {fmt(y)})" for x, y in self.points)
        return phrase(N_("linear through {points}"), points=points)

    def __repr__(self) -> str:
        points = ", ".join(f"({fmt(x)}, {fmt(y)})" for x, y in self.points)
        return f"<linear through {points}>"
