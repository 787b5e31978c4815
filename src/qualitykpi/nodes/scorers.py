"""Leaf scorers: outcomes, rule lines and tables (clauses are in :mod:`qualitykpi.nodes.clauses`).

Small frozen attrs classes with readable reprs, built on the conditions of
:mod:`qualitykpi.nodes.conditions`.  The compiler builds them from rule files;
Python programs may build them directly through the factories of
:mod:`qualitykpi.factories` (``at_least``, ``band``, ``per_unit``,
``table``, ...).  All arithmetic is on ``Fraction``; constants are kept as
exact ``Fraction`` values and printed as decimals.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

import attrs

from ..domains import ALL, Interval
from ..fast import (
    ONE,
    ZERO,
    Decline,
    FastScore,
    FastValue,
    add,
    always,
    const,
    const_or_none,
    constant,
    divide,
    divide_int,
    multiply,
    subtract,
)
from ..i18n import N_
from ..phrases import Quoted, Said, phrase
from ..values import Value, exact, exact_or_none, fmt, rounded
from .conditions import Boundary, Condition, Env, PeerRelative, Side, Stats

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

    def construct(self) -> Said:
        return phrase(N_("full"))

    def __repr__(self) -> str:
        return "full"


@attrs.frozen(repr=False)
class Score:
    """A fixed score (``→ N``, ``award N``)."""

    value: Fraction = attrs.field(converter=exact)

    def score(self, maximum: Fraction) -> Fraction:
        return self.value

    def construct(self) -> Said:
        return phrase(N_("score {points}"), points=fmt(self.value))

    def __repr__(self) -> str:
        return f"score {fmt(self.value)}"


@attrs.frozen(repr=False)
class Deduct:
    """The item's max less ``amount``."""

    amount: Fraction = attrs.field(converter=exact)

    def score(self, maximum: Fraction) -> Fraction:
        return maximum - self.amount

    def construct(self) -> Said:
        return phrase(N_("deduct {points}"), points=fmt(self.amount))

    def __repr__(self) -> str:
        return f"deduct {fmt(self.amount)}"


Outcome: TypeAlias = Full | Score | Deduct

#: One step of what a line did: its kind, its words, the points it lost.
AppliedStep: TypeAlias = tuple[str, Said, Fraction | None]


def rounding(exact_value: Fraction, kept: Fraction) -> AppliedStep:
    """The step that says a score with no finite decimal form was rounded."""
    return (
        "round",
        phrase(N_("{exact} rounded half up to {kept}"), exact=fmt(exact_value), kept=fmt(kept)),
        None,
    )


def with_limit(rule: Said, limit: Said) -> Said:
    """A rule and its ``at most`` or ``floor``, as one sentence."""
    return phrase(N_("{rule}, {limit}"), rule=rule, limit=limit)


def quoted(line: Any, env: Any) -> Quoted:
    """A rule line as its author wrote it, and as its construct reads in Chinese."""
    return Quoted(line.text or repr(line), line.construct(env))


# ----------------------------------------------------------------------- lines


@attrs.frozen
class Applied:
    """What a line or clause did: the score it set or the change it made."""

    score: Fraction
    steps: tuple[AppliedStep, ...]
    detail: Said | None = None


class Conditioned:
    """What a line that holds where its condition does says about itself, for every
    tool: its condition's word (a band, a computed score)."""

    if TYPE_CHECKING:
        condition: Condition

    @property
    def otherwise(self) -> bool:
        """It is an ``otherwise`` line: it holds everywhere by its condition, not a
        line that scores each value itself."""
        return self.condition.takes_all

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

    @property
    def on_yes_no(self) -> bool:
        """It tests a yes/no value (and holds for no number)."""
        return self.condition.on_yes_no

    @property
    def interval_is_hull(self) -> bool:
        """Its interval is only the hull of where it holds (see :class:`Condition`)."""
        return self.condition.interval_is_hull

    def gap(self, value: Fraction, target: Fraction | None) -> Fraction | None:
        """How far ``value`` is from the target, as the condition measures it."""
        return self.condition.gap(value, target)

    def side(self) -> Side:
        """Where on the value axis the line holds; which side is *better* follows
        from the outcomes (see :meth:`Table.direction`)."""
        return self.condition.side()

    def position(self, target: Fraction | None) -> Fraction | None:
        """The middle of a bounded condition, to order bounded lines along the axis."""
        return self.condition.position(target)

    def open_sides(self) -> tuple[bool, bool]:
        return self.condition.open_sides()

    def nests(self) -> bool:
        return self.condition.nests()

    def expressions(self) -> tuple[Any, ...]:
        """The expressions the line reads (its condition's, its score's)."""
        return self.condition.expressions()

    def compared_with(self) -> tuple[Any, ...]:
        """The values computed for each entity it compares with: where it holds moves
        with them (a computed score leaves where it holds alone)."""
        return self.condition.expressions()


@attrs.frozen(repr=False)
class Band(Conditioned):
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
        return Applied(score, (("line", quoted(self, env), maximum - score),), detail)

    def construct(self, env: Env) -> Said:
        """The line in words: ``below target by 1–3 points → deduct 3``."""
        return phrase(
            N_("{condition} → {outcome}"),
            condition=self.condition.construct(env),
            outcome=self.outcome.construct(),
        )

    def reach(self, maximum: Fraction) -> Reach:
        """The scores this line can set (before the item's clamp)."""
        score = self.outcome.score(maximum)
        return score, score

    def score(self, value: Fraction, env: Env, maximum: Fraction) -> Fraction:
        """The score it gives ``value`` (where it holds), without writing a trace."""
        return self.outcome.score(maximum)

    def limit_kinds(self) -> tuple[str, ...]:
        """The limits it applies to its own score, as its trace names them: none."""
        return ()

    #: It runs a host's code: no, a band is the rule's own.
    hosted = False

    def fast(
        self, maximum: Fraction, target: Fraction | None, stats: Stats
    ) -> tuple[Callable[[FastValue], bool], FastScore]:
        """Its test and its score, compiled for the fast path (:mod:`qualitykpi.fast`)."""
        score = self.fixed_score(maximum)
        if score is None:
            raise Decline("a line that scores each value itself")
        return self.condition.fast_test(target, stats), constant(const(score))

    def scales_by(self) -> str | None:
        """The statistic the line's score is proportional to (None: a fixed outcome)."""
        return None

    def fixed_score(self, maximum: Fraction) -> Fraction | None:
        """The score it gives wherever it holds; None when it scores each value itself.

        Only the library's own outcomes are known to be fixed (a subclass may
        score otherwise, so a tool must ask it value by value).
        """
        if type(self) is not Band or type(self.outcome) not in (Full, Score, Deduct):
            return None
        return self.outcome.score(maximum)

    def jumps(self, count: int) -> tuple[Fraction, ...]:
        return ()  # a fixed outcome: the score only changes at the condition's ends

    def __repr__(self) -> str:
        return f"<band {repr(self.condition)[1:-1]}: {self.outcome!r}>"


class _EveryValue:
    """A line that holds for every present value and scores it itself:
    ``each …``, ``scaled …``, ``using …``."""

    takes_absent = False
    takes_all = True
    on_yes_no = False
    interval_is_hull = False

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

    def position(self, target: Fraction | None) -> Fraction | None:
        return None  # it holds everywhere: no middle

    def limit_kinds(self) -> tuple[str, ...]:
        return ()

    #: It runs a host's code (a registered scorer): ``using NAME``.
    hosted = False
    otherwise = False

    if TYPE_CHECKING:

        def apply(self, value: Value, env: Env, maximum: Fraction) -> Applied: ...

    def score(self, value: Fraction, env: Env, maximum: Fraction) -> Fraction:
        """The score it gives ``value``, without writing a trace."""
        return self.apply(value, env, maximum).score

    def nests(self) -> bool:
        return False

    def expressions(self) -> tuple[Any, ...]:
        return ()

    def compared_with(self) -> tuple[Any, ...]:
        return ()  # it holds for every present value

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

    def score(self, value: Fraction, env: Env, maximum: Fraction) -> Fraction:
        return self.points(value, maximum)

    def limit_kinds(self) -> tuple[str, ...]:
        """Its ``at most`` (``cap``) and ``floor``, as its trace steps name them."""
        return tuple(
            kind for kind, limit in (("cap", self.cap), ("floor", self.floor)) if limit is not None
        )

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

    def fast(
        self, maximum: Fraction, target: Fraction | None, stats: Stats
    ) -> tuple[Callable[[FastValue], bool], FastScore]:
        """:meth:`points` for the fast path: the same steps on exact decimals."""
        amount, unit, top = const(self.amount), const(self.unit), const(maximum)
        threshold = const_or_none(self.threshold)
        cap, floor = const_or_none(self.cap), const_or_none(self.floor)
        reference, mode, deduct = self.reference, self.mode, self.effect == "deduct"

        def score(value: FastValue) -> Decimal:
            assert isinstance(value, Decimal)
            if threshold is None:
                span = value
            else:
                span = (
                    subtract(threshold, value)
                    if reference == "below"
                    else subtract(value, threshold)
                )
            taken = multiply(amount, fast_units(span if span > 0 else ZERO, unit, mode))
            if cap is not None and taken > cap:
                taken = cap
            result = subtract(top, taken) if deduct else taken
            return floor if floor is not None and result < floor else result

        return always, score

    def apply(self, value: Value, env: Env, maximum: Fraction) -> Applied:
        assert isinstance(value, Fraction)
        units = self.units(value)
        steps: list[AppliedStep] = []
        raw, was_rounded = rounded(self.amount * units)
        counted = phrase(
            N_("{rule}: {units} × {amount}"),
            rule=quoted(self, env),
            units=fmt(units),
            amount=fmt(self.amount),
        )
        if self.effect == "deduct":
            steps.append(("line", counted, raw))
            taken = raw
            if self.cap is not None and taken > self.cap:
                cap = phrase(N_("at most {cap} deducted"), cap=fmt(self.cap))
                steps.append(("cap", cap, self.cap - taken))
                taken = self.cap
            score = maximum - taken
        else:
            steps.append(("line", counted, maximum - raw))
            given = raw
            if self.cap is not None and given > self.cap:
                cap = phrase(N_("at most {cap} awarded"), cap=fmt(self.cap))
                steps.append(("cap", cap, given - self.cap))
                given = self.cap
            score = given
        if was_rounded:
            exact_amount = fmt(self.amount * units)
            steps.append(("round", phrase(N_("{exact} rounded half up"), exact=exact_amount), None))
        if self.floor is not None and score < self.floor:
            floor = phrase(N_("floor {floor}"), floor=fmt(self.floor))
            steps.append(("floor", floor, score - self.floor))
            score = self.floor
        return Applied(score, tuple(steps), self._gap(value, env))

    def _gap(self, value: Fraction, env: Env) -> Said | None:
        """How far the value is from the threshold the units are counted from."""
        if self.reference is None or self.threshold is None:
            return None
        messages = {
            ("below", True): N_("{gap} points below {threshold}"),
            ("below", False): N_("{gap} below {threshold}"),
            ("above", True): N_("{gap} points above {threshold}"),
            ("above", False): N_("{gap} above {threshold}"),
        }
        return phrase(
            messages[self.reference, env.percent],
            gap=fmt(abs(value - self.threshold)),
            threshold=env.show(self.threshold),
        )

    def construct(self, env: Env) -> Said:
        """The line in words: ``each 1% below 100% → deduct 0.3, floor 0``."""
        unit = env.show(self.unit)
        each: Said = unit
        if self.mode == "whole":
            each = phrase(N_("whole {unit}"), unit=unit)
        elif self.mode == "started":
            each = phrase(N_("started {unit}"), unit=unit)
        messages = {
            ("below", "deduct"): N_("each {unit} below {threshold} → deduct {amount}"),
            ("below", "award"): N_("each {unit} below {threshold} → award {amount}"),
            ("above", "deduct"): N_("each {unit} above {threshold} → deduct {amount}"),
            ("above", "award"): N_("each {unit} above {threshold} → award {amount}"),
            (None, "deduct"): N_("each {unit} → deduct {amount}"),
            (None, "award"): N_("each {unit} → award {amount}"),
        }
        threshold = "" if self.threshold is None else env.show(self.threshold)
        said: Said = phrase(
            messages[self.reference, self.effect],
            unit=each,
            threshold=threshold,
            amount=fmt(self.amount),
        )
        if self.cap is not None:
            said = with_limit(said, phrase(N_("at most {cap}"), cap=fmt(self.cap)))
        if self.floor is not None:
            said = with_limit(said, phrase(N_("floor {floor}"), floor=fmt(self.floor)))
        return said

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


def fast_units(span: Decimal, unit: Decimal, mode: str) -> Decimal:
    """:func:`count_units` on exact decimals (pro rata raises when the ratio has none)."""
    if mode == "whole":
        return divide_int(span, unit)
    if mode == "started":
        whole = divide_int(span, unit)
        return whole if multiply(whole, unit) == span else add(whole, ONE)
    return divide(span, unit)
