"""Leaf scorers: outcomes, rule lines and tables (clauses are in :mod:`qualitykpi.clauses`).

Small frozen attrs classes with readable reprs, built on the conditions of
:mod:`qualitykpi.conditions`.  The compiler builds them from rule files;
Python programs may build them directly through the factories of
:mod:`qualitykpi.factories` (``at_least``, ``band``, ``per_unit``,
``table``, ...).  All arithmetic is on ``Fraction``; constants are kept as
exact ``Fraction`` values and printed as decimals.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from decimal import Decimal
from fractions import Fraction
from typing import Literal, Protocol, TypeAlias

import attrs

from .conditions import Boundary, Condition, Env, PeerRelative, ScoreProblem, Side, Stats
from .domains import ALL, Interval
from .values import Value, exact, exact_or_none, fmt, rounded

Direction: TypeAlias = Literal["higher", "lower", "none"]

_NO_STATS: Stats = {}
#: A range of scores or changes; ``None`` is unbounded on that side.
Reach: TypeAlias = tuple[Fraction | None, Fraction | None]


# -------------------------------------------------------------------- outcomes


@attrs.frozen(repr=False)
class Full:
    """The full points of the item."""

    def score(self, maximum: Fraction) -> Fraction:
        return maximum

    def __repr__(self) -> str:
        return "full"


@attrs.frozen(repr=False)
class Score:
    """A fixed score (``→ N``, ``award N``)."""

    value: Fraction = attrs.field(converter=exact)

    def score(self, maximum: Fraction) -> Fraction:
        return self.value

    def __repr__(self) -> str:
        return f"score {fmt(self.value)}"


@attrs.frozen(repr=False)
class Deduct:
    """The item's max less ``amount``."""

    amount: Fraction = attrs.field(converter=exact)

    def score(self, maximum: Fraction) -> Fraction:
        return maximum - self.amount

    def __repr__(self) -> str:
        return f"deduct {fmt(self.amount)}"


Outcome: TypeAlias = Full | Score | Deduct

# ----------------------------------------------------------------------- lines


@attrs.frozen
class Applied:
    """What a line or clause did: the score it set or the change it made."""

    score: Fraction
    steps: tuple[tuple[str, str, Fraction | None], ...]
    detail: str | None = None


@attrs.frozen(repr=False)
class Band:
    """A table line: when ``condition`` holds, ``outcome`` sets the score."""

    condition: Condition
    outcome: Outcome
    subject: str = ""
    text: str = ""
    line: int | None = None

    def matches(self, value: Value, env: Env) -> bool:
        return self.condition.holds(value, env, self.line)

    def apply(self, value: Value, env: Env, maximum: Fraction) -> Applied:
        score = self.outcome.score(maximum)
        detail = self.condition.detail(value, env, self.line)
        return Applied(score, (("line", self.text or repr(self), maximum - score),), detail)

    def reach(self, maximum: Fraction) -> Reach:
        """The scores this line can set (before the item's clamp)."""
        score = self.outcome.score(maximum)
        return score, score

    # What the line says about itself, for every tool: its condition's word.

    @property
    def takes_absent(self) -> bool:
        """A ``no data`` line: it holds for an absent value, and only for one."""
        return self.condition.takes_absent

    @property
    def takes_all(self) -> bool:
        """An ``otherwise`` line: it holds for every present value."""
        return self.condition.takes_all

    def interval(self, target: Fraction | None, stats: Stats = _NO_STATS) -> Interval | None:
        """The present values this line holds for (see :meth:`Condition.interval`)."""
        return self.condition.interval(target, stats)

    def comparisons(self) -> tuple[PeerRelative, ...]:
        return self.condition.comparisons()

    def scales_by(self) -> str | None:
        """The statistic the line's score is proportional to (None: a fixed outcome)."""
        return None

    def needs_target(self) -> bool:
        return self.condition.needs_target()

    def ends(
        self, target: Fraction | None, stats: Stats = _NO_STATS, unit: str = ""
    ) -> tuple[Boundary, ...]:
        """Where this line starts or stops holding, named (its condition's ends)."""
        return self.condition.ends(target, stats, unit)

    def marks(self, target: Fraction | None) -> tuple[Fraction, ...]:
        """The values where this line starts or stops deciding."""
        return tuple(end.value for end in self.ends(target))

    def fixed_score(self, maximum: Fraction) -> Fraction | None:
        """The score it gives wherever it holds; None when it scores each value itself.

        Only the library's own outcomes are known to be fixed (a subclass may
        score otherwise, so a tool must ask it value by value).
        """
        if type(self) is not Band or type(self.outcome) not in (Full, Score, Deduct):
            return None
        return self.outcome.score(maximum)

    @property
    def on_yes_no(self) -> bool:
        """It tests a yes/no value (and holds for no number)."""
        return self.condition.on_yes_no

    def gap(self, value: Fraction, target: Fraction | None) -> Fraction | None:
        """How far ``value`` is from the target, as the condition measures it."""
        return self.condition.gap(value, target)

    def jumps(self, count: int) -> tuple[Fraction, ...]:
        return ()  # a fixed outcome: the score only changes at the condition's ends

    def side(self) -> Side:
        """Where on the value axis the line holds; which side is *better* follows
        from the outcomes (see :meth:`Table.direction`)."""
        return self.condition.side()

    def position(self, target: Fraction | None) -> Fraction | None:
        """The middle of a bounded condition, to order bounded lines along the axis."""
        return self.condition.position(target)

    def open_sides(self) -> tuple[bool, bool]:
        return self.condition.open_sides()

    def __repr__(self) -> str:
        return f"<band {repr(self.condition)[1:-1]}: {self.outcome!r}>"


class _EveryValue:
    """A line that holds for every present value and scores it itself:
    ``each …``, ``scaled …``, ``using …``."""

    takes_absent = False
    takes_all = True
    on_yes_no = False

    def interval(self, target: Fraction | None, stats: Stats = _NO_STATS) -> Interval | None:
        return ALL

    def fixed_score(self, maximum: Fraction) -> Fraction | None:
        return None  # it scores each value itself

    def gap(self, value: Fraction, target: Fraction | None) -> Fraction | None:
        return None

    def comparisons(self) -> tuple[PeerRelative, ...]:
        return ()

    def scales_by(self) -> str | None:
        return None

    def needs_target(self) -> bool:
        return False

    def ends(
        self, target: Fraction | None, stats: Stats = _NO_STATS, unit: str = ""
    ) -> tuple[Boundary, ...]:
        return ()  # it holds for every present value: no boundary of its own

    def marks(self, target: Fraction | None) -> tuple[Fraction, ...]:
        return ()

    def jumps(self, count: int) -> tuple[Fraction, ...]:
        """Values where the line's own score jumps (``count`` on each side of its origin)."""
        return ()

    def open_sides(self) -> tuple[bool, bool]:
        return True, True


@attrs.frozen(repr=False)
class PerUnit(_EveryValue):
    """``each U below T → deduct P`` and its kin; holds for every present value.

    ``reference`` is ``below`` (deduct for each unit short of ``threshold``),
    ``above`` (for each unit over it) or ``None`` (for each unit of the value
    itself).  ``mode`` counts units pro rata, only ``whole`` ones, or every
    ``started`` one.  ``cap`` limits the deduction (or award), ``floor`` keeps
    the score at or above a value.
    """

    effect: Literal["deduct", "award"]
    amount: Fraction = attrs.field(converter=exact)
    unit: Fraction = attrs.field(converter=exact, default=Fraction(1))
    reference: Literal["below", "above"] | None = None
    threshold: Fraction | None = attrs.field(converter=exact_or_none, default=None)
    mode: Literal["pro rata", "whole", "started"] = "pro rata"
    cap: Fraction | None = attrs.field(converter=exact_or_none, default=None)
    floor: Fraction | None = attrs.field(converter=exact_or_none, default=None)
    subject: str = ""
    text: str = ""
    line: int | None = None

    def __attrs_post_init__(self) -> None:
        if self.unit <= 0:
            raise ValueError("the unit counted by `each` must be more than 0")
        if self.reference is not None and self.threshold is None:
            raise ValueError(f"`each … {self.reference}` needs a threshold")

    def matches(self, value: Value, env: Env) -> bool:
        return isinstance(value, Fraction)

    def units(self, value: Fraction) -> Fraction:
        if self.reference == "below":
            assert self.threshold is not None
            span = max(self.threshold - value, Fraction(0))
        elif self.reference == "above":
            assert self.threshold is not None
            span = max(value - self.threshold, Fraction(0))
        else:
            span = max(value, Fraction(0))
        return count_units(span, self.unit, self.mode)

    def points(self, value: Fraction, maximum: Fraction) -> Fraction:
        """The score :meth:`apply` gives, without its trace.

        The checks score thousands of sample values and read only the number;
        writing each trace cost them a fifth of their time.
        """
        score, _ = self._before_floor(value, maximum)
        return score if self.floor is None else max(score, self.floor)

    def limits(self, value: Fraction, maximum: Fraction) -> tuple[bool, bool]:
        """Whether the cap and the floor bind at ``value``: the steps :meth:`apply` records."""
        score, capped = self._before_floor(value, maximum)
        return capped, self.floor is not None and score < self.floor

    def _before_floor(self, value: Fraction, maximum: Fraction) -> tuple[Fraction, bool]:
        """The score before the floor, and whether the cap took part in it."""
        amount, _ = rounded(self.amount * self.units(value))
        capped = self.cap is not None and amount > self.cap
        if self.cap is not None and capped:
            amount = self.cap
        return (maximum - amount if self.effect == "deduct" else amount), capped

    def apply(self, value: Value, env: Env, maximum: Fraction) -> Applied:
        assert isinstance(value, Fraction)
        units = self.units(value)
        steps: list[tuple[str, str, Fraction | None]] = []
        raw, was_rounded = rounded(self.amount * units)
        label = self.text or repr(self)
        if self.effect == "deduct":
            steps.append(("line", f"{label}: {fmt(units)} × {fmt(self.amount)}", raw))
            taken = raw
            if self.cap is not None and taken > self.cap:
                steps.append(("cap", f"at most {fmt(self.cap)} deducted", self.cap - taken))
                taken = self.cap
            score = maximum - taken
        else:
            steps.append(("line", f"{label}: {fmt(units)} × {fmt(self.amount)}", maximum - raw))
            given = raw
            if self.cap is not None and given > self.cap:
                steps.append(("cap", f"at most {fmt(self.cap)} awarded", given - self.cap))
                given = self.cap
            score = given
        if was_rounded:
            steps.append(("round", f"{fmt(self.amount * units)} rounded half up", None))
        if self.floor is not None and score < self.floor:
            steps.append(("floor", f"floor {fmt(self.floor)}", score - self.floor))
            score = self.floor
        detail = None
        if self.reference is not None and self.threshold is not None:
            gap = fmt(abs(value - self.threshold)) + (" points" if env.percent else "")
            detail = f"{gap} {self.reference} {env.show(self.threshold)}"
        return Applied(score, tuple(steps), detail)

    def jumps(self, count: int) -> tuple[Fraction, ...]:
        """Whole and started units step at every unit from the origin."""
        if self.mode == "pro rata":
            return ()
        base = self.threshold if self.threshold is not None else Fraction(0)
        return tuple(base + n * self.unit for n in range(-count, count + 1))

    def marks(self, target: Fraction | None) -> tuple[Fraction, ...]:
        """Where the count starts, and where the cap is reached."""
        base = self.threshold if self.threshold is not None else Fraction(0)
        if self.cap is None or not self.amount:
            return (base,)
        sign = -1 if self.reference == "below" else 1
        return base, base + sign * self.unit * self.cap / self.amount

    def reach(self, maximum: Fraction) -> Reach:
        low: Fraction | None
        high: Fraction | None
        if self.effect == "deduct":
            low = maximum - self.cap if self.cap is not None else None
            high = maximum
        else:
            low, high = Fraction(0), self.cap
        if self.floor is not None:
            low = self.floor if low is None else max(low, self.floor)
            high = None if high is None else max(high, self.floor)
        return low, high

    def direction(self) -> Direction:
        if self.effect == "award":
            return "higher"
        return "higher" if self.reference == "below" else "lower"

    def __repr__(self) -> str:
        mode = "" if self.mode == "pro rata" else f"{self.mode} "
        ref = ""
        if self.reference is not None and self.threshold is not None:
            ref = f" {self.reference} {fmt(self.threshold)}"
        extra = ""
        if self.cap is not None:
            extra += f", at most {fmt(self.cap)}"
        if self.floor is not None:
            extra += f", floor {fmt(self.floor)}"
        return f"<each {mode}{fmt(self.unit)}{ref}: {self.effect} {fmt(self.amount)}{extra}>"


def count_units(span: Fraction, unit: Fraction, mode: str) -> Fraction:
    """How many units of ``unit`` are in ``span``: pro rata, whole or started."""
    ratio = span / unit
    if mode == "whole":
        return Fraction(math.floor(ratio))
    if mode == "started":
        return Fraction(math.ceil(ratio))
    return ratio


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
                    f"the peer max of {self.subject!r} is {env.show(top)}: `scaled to peer "
                    "max` gives each entity its share of the cohort's best, which needs a "
                    "best above 0 (add a line such as `at most 0 → 0` above it to say what "
                    "such values score)",
                    input=self.subject,
                    value=value,
                    line=self.line,
                )
            exact_score = maximum * value / top
            detail = f"peer max {env.show(top)}"
        else:
            assert self.low is not None and self.high is not None
            exact_score = maximum * (value - self.low) / (self.high - self.low)
            detail = None
        score, was_rounded = rounded(exact_score)
        steps: list[tuple[str, str, Fraction | None]] = [
            ("line", self.text or repr(self), maximum - score)
        ]
        if was_rounded:
            steps.append(("round", f"{fmt(exact_score)} rounded half up to {fmt(score)}", None))
        return Applied(score, tuple(steps), detail)

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
                f"the scorer `{self.name}` cannot score "
                f"{self.subject} = {env.show(value)}: {error}",
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
        steps: list[tuple[str, str, Fraction | None]] = [
            ("line", self.text or repr(self), maximum - score)
        ]
        if was_rounded:
            steps.append(("round", f"{fmt(exact_score)} rounded half up to {fmt(score)}", None))
        return Applied(score, tuple(steps), None)

    def reach(self, maximum: Fraction) -> Reach:
        return self.scorer.reach(maximum)

    def direction(self) -> Direction:
        return self.scorer.direction()

    def __repr__(self) -> str:
        return f"<using {self.name}: {self.scorer!r}>"


Line: TypeAlias = Band | PerUnit | Scaled | Custom
#: Every kind of table line, for the test that runs every tool on each.
LINES: tuple[type, ...] = (Band, PerUnit, Scaled, Custom)


def _lines(values: Iterable[Line]) -> tuple[Line, ...]:
    return tuple(values)


@attrs.frozen(repr=False)
class Table:
    """Rule lines read top to bottom; the first whose condition holds decides."""

    lines: tuple[Line, ...] = attrs.field(converter=_lines)

    def subjects(self) -> tuple[str, ...]:
        """The inputs the lines test, in order (a line that tests none is left out)."""
        return tuple(dict.fromkeys(line.subject for line in self.lines if line.subject))

    def direction(
        self, subject: str, maximum: Fraction, target: Fraction | None = None
    ) -> Direction:
        """Whether higher values of ``subject`` score more, as the outcomes say."""
        return self.direction_evidence(subject, maximum, target)[0]

    def direction_evidence(
        self, subject: str, maximum: Fraction, target: Fraction | None = None
    ) -> tuple[Direction, tuple[int | None, ...]]:
        """The direction of ``subject`` and the rule lines that show it.

        Read from the outcomes, not from the conditions alone: ``less than
        2% → deduct 0.5`` above ``otherwise → full`` scores the low values
        less, so higher is better.  The first line that holds on one side
        of the axis (``at least …``, ``less than …``, ``meets target``) is
        compared with what the rest of the axis scores (the ``otherwise``
        line, else the last line); an ``each``, ``scaled`` or custom line
        says its own direction; a table of ranges alone compares its
        lowest and highest range.
        """
        lines = [line for line in self.lines if line.subject == subject and not line.takes_absent]
        if not lines:
            return "none", ()
        rest = next(
            (line for line in lines if isinstance(line, Band) and line.takes_all), lines[-1]
        )
        for line in lines:
            if not isinstance(line, Band):
                implied = line.direction()
                if implied != "none":
                    return implied, (line.line,)
                continue
            side = line.side()
            if side not in ("high", "low"):
                continue
            if not isinstance(rest, Band):
                implied = rest.direction()
                if implied != "none":
                    return implied, (rest.line,)
                continue
            here, there = line.outcome.score(maximum), rest.outcome.score(maximum)
            if here == there:
                continue
            # The side this line holds on is the better one when it scores more.
            better_side: Direction = "higher" if (side == "high") == (here > there) else "lower"
            return better_side, (line.line, rest.line)
        placed = sorted(
            (
                (position, line)
                for line in lines
                if isinstance(line, Band)
                for position in [line.position(target)]
                if position is not None
            ),
            key=lambda pair: pair[0],
        )
        if len(placed) >= 2:
            low_line, high_line = placed[0][1], placed[-1][1]
            low_score = low_line.outcome.score(maximum)
            high_score = high_line.outcome.score(maximum)
            if low_score != high_score:
                direction: Direction = "higher" if high_score > low_score else "lower"
                return direction, (low_line.line, high_line.line)
        return "none", ()

    def __repr__(self) -> str:
        return "<table " + "; ".join(repr(line)[1:-1] for line in self.lines) + ">"
