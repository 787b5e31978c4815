"""Conditions: what a rule line or a clause tests its subject's value against.

``at least 90%``, ``80–90``, ``meets target``, ``below target by 1–3 points``,
``120% of peer mean``, ``yes``, ``no data``, ``otherwise``: each is a small
frozen attrs class, and each says once, for every tool, what it means:

* :meth:`~Condition.holds` — whether a value holds it, and
  :meth:`~Condition.detail` — what it compared, for the trace;
* :meth:`~Condition.interval` — the present values it holds for, given the
  target and the cohort's statistics (the static checks' sets, the grades);
* :meth:`~Condition.comparisons` and :meth:`~Condition.needs_target` — what
  it needs besides the value (which statistics the cohort must supply);
* :meth:`~Condition.ends` — its boundaries, named (coverage, ``verify``);
* :meth:`~Condition.side`, :meth:`~Condition.position` and
  :meth:`~Condition.open_sides` — where on the value axis it holds (which
  way is better, cascades of ``at least`` lines);
* ``takes_absent`` and ``takes_all`` — ``no data`` and ``otherwise``.

:data:`CONDITIONS` lists every kind; a test runs every tool on each.
:class:`Env` is what a condition may consult besides the value: the
subject's target and its cohort's peer statistics.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Literal, Protocol, TypeAlias

import attrs

from ..domains import ALL, Interval
from ..fast import Decline, FastValue, never
from ..i18n import N_, _
from ..phrases import Joined, Phrase, Said, phrase, stat_name
from ..values import Value, exact, exact_or_none, fmt, labels_tuple

#: Where a condition holds on the value axis (see :meth:`Condition.side`).
Side: TypeAlias = Literal["high", "low", "bounded"] | None
#: Statistics of one cohort by name: ``{"mean": 3}``.
Stats: TypeAlias = Mapping[str, Fraction]

_NO_STATS: Stats = {}
_ZERO = Fraction(0)

#: A comparison with a value, as the explanation spells it in each language.
COMPARED = {
    ">=": N_("at least {value}"),
    ">": N_("more than {value}"),
    "<=": N_("at most {value}"),
    "<": N_("less than {value}"),
    "=": N_("= {value}"),
}


def interval_phrase(low: str, high: str, low_closed: bool, high_closed: bool) -> Phrase:
    """``[low, high]`` and its half-open kin, as the documents say them."""
    if low_closed and high_closed:
        return phrase(N_("[{low}, {high}]"), low=low, high=high)
    if high_closed:
        return phrase(N_("({low}, {high}]"), low=low, high=high)
    if low_closed:
        return phrase(N_("[{low}, {high})"), low=low, high=high)
    return phrase(N_("({low}, {high})"), low=low, high=high)


@attrs.frozen
class Boundary:
    """A value where a condition starts or stops holding, and how to name it.

    ``label`` is how coverage reports speak of it (``90%``, ``the target
    90%``, ``120% of peer mean``); ``stat`` is the statistic it depends on,
    with the value it was worked out for.
    """

    label: str
    value: Fraction
    stat: tuple[str, Fraction] | None = None


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
    #: The input that holds the target, when it is one (``target plan``).
    target_source: str = ""
    #: What the entity's expressions read (a :class:`~qualitykpi.nodes.expressions.Scope`):
    #: a comparison with a computed value, a computed outcome.
    scope: Any = None

    def peer(self, stat: str, line: int | None, value: Value) -> Fraction:
        if stat not in self.peers:
            raise ScoreProblem(
                _(
                    "needs the peer {statistic} of {input}: score a cohort with "
                    "score_table(), or pass peers={{{input}: {{{key}: …}}}}"
                ).format(statistic=stat, input=repr(self.subject), key=repr(stat)),
                input=self.subject,
                value=value,
                line=line,
            )
        return self.peers[stat]

    def show(self, value: Fraction) -> str:
        return fmt(value) + ("%" if self.percent else "")


class Condition(Protocol):
    """What every condition says about itself (see the module's docstring)."""

    #: It holds for an absent value: ``no data`` (and no other condition).
    takes_absent: bool
    #: It holds for every present value: ``otherwise``.
    takes_all: bool
    #: It tests a yes/no value: its interval is on the axis no = 0, yes = 1, and
    #: it holds for no number (``yes``, ``no``).
    on_yes_no: bool

    @property
    def interval_is_hull(self) -> bool:
        """Its interval is only the hull of where it holds: levels that are not next
        to each other (``in ("优", "差")``).  The table checks leave such a table
        alone and say so, rather than judge it by the hull."""
        ...

    def holds(self, value: Value, env: Env, line: int | None) -> bool:
        """Whether ``value`` holds it (a :class:`ScoreProblem` when it cannot tell)."""
        ...

    def detail(self, value: Value, env: Env, line: int | None) -> Said | None:
        """What it compared ``value`` with, for the trace (None: nothing to add)."""
        ...

    def construct(self, env: Env) -> Said:
        """The condition in words, as a rule in the current language writes it."""
        ...

    def interval(self, target: Fraction | None, stats: Stats = _NO_STATS) -> Interval | None:
        """The present values it holds for; None when there are none, or the target
        or a statistic it needs is missing."""
        ...

    def comparisons(self) -> tuple[PeerRelative, ...]:
        """The comparisons with the cohort it makes (each names its statistic)."""
        ...

    def needs_target(self) -> bool:
        """Whether it compares with the subject's target."""
        ...

    def ends(
        self, target: Fraction | None, stats: Stats = _NO_STATS, unit: str = ""
    ) -> tuple[Boundary, ...]:
        """Its boundaries, named (``unit`` follows a number: ``%``)."""
        ...

    def side(self) -> Side:
        """``high`` when it holds up to the top of the axis, ``low`` down to the bottom,
        ``bounded`` in between, None when it has no place on the axis."""
        ...

    def position(self, target: Fraction | None) -> Fraction | None:
        """The middle of a bounded condition, to order lines along the axis."""
        ...

    def open_sides(self) -> tuple[bool, bool]:
        """Whether, as written, it is unbounded below and above: in a cascade of
        ``at least`` lines the values above an earlier line are meant to be taken."""
        ...

    def gap(self, value: Fraction, target: Fraction | None) -> Fraction | None:
        """How far ``value`` is from the target, as this condition measures it (in
        points), or None when it does not measure one."""
        ...

    def expressions(self) -> tuple[Any, ...]:
        """The expressions it compares with (:mod:`qualitykpi.nodes.expressions`)."""
        ...

    def nests(self) -> bool:
        """Whether an earlier line may take the middle of where it holds on purpose
        (``within 1 point of target`` under ``within 0.5 points``), as a cascade of
        ``at least`` lines takes the top."""
        ...

    def fast_test(self, target: Fraction | None, stats: Stats) -> Callable[[FastValue], bool]:
        """:meth:`holds` for present values, compiled for the fast path (raises
        :class:`~qualitykpi.fast.Decline` when the target or a statistic is missing:
        the traced evaluator names what is)."""
        ...


class _Plain:
    """What most conditions say: no cohort, no target, present values only."""

    takes_absent = False
    takes_all = False
    on_yes_no = False
    interval_is_hull = False

    def comparisons(self) -> tuple[PeerRelative, ...]:
        return ()

    def needs_target(self) -> bool:
        return False

    def position(self, target: Fraction | None) -> Fraction | None:
        return None

    def detail(self, value: Value, env: Env, line: int | None) -> Said | None:
        return None

    def gap(self, value: Fraction, target: Fraction | None) -> Fraction | None:
        return None

    def nests(self) -> bool:
        return False

    def expressions(self) -> tuple[Any, ...]:
        return ()

    if TYPE_CHECKING:
        # Every condition says where it holds; fast_test reads it.
        def interval(
            self, target: Fraction | None, stats: Stats = _NO_STATS
        ) -> Interval | None: ...

    def fast_test(self, target: Fraction | None, stats: Stats) -> Callable[[FastValue], bool]:
        # Where a condition holds is its interval: one meaning, for the checks
        # and the fast path alike.
        if (self.needs_target() and target is None) or any(
            comparison.stat not in stats for comparison in self.comparisons()
        ):
            raise Decline("needs a target or a peer statistic it does not have")
        interval = self.interval(target, stats)
        return never if interval is None else interval.predicate()


@attrs.frozen(repr=False)
class Range(_Plain):
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

    def as_interval(self) -> Interval:
        """The interval itself (possibly empty)."""
        return Interval(self.low, self.high, self.low_closed, self.high_closed)

    def interval(self, target: Fraction | None, stats: Stats = _NO_STATS) -> Interval | None:
        found = self.as_interval()
        return None if found.empty else found

    def ends(
        self, target: Fraction | None, stats: Stats = _NO_STATS, unit: str = ""
    ) -> tuple[Boundary, ...]:
        return tuple(Boundary(f"{fmt(end)}{unit}", end) for end in range_ends(self))

    def side(self) -> Side:
        if self.high is None:
            return None if self.low is None else "high"
        return "low" if self.low is None else "bounded"

    def position(self, target: Fraction | None) -> Fraction | None:
        if self.low is None or self.high is None:
            return None
        return (self.low + self.high) / 2

    def open_sides(self) -> tuple[bool, bool]:
        return self.low is None, self.high is None

    def construct(self, env: Env) -> Said:
        low, high = self.low, self.high
        if low is not None and high is not None and low == high:
            return phrase(COMPARED["="], value=env.show(low))
        if high is None and low is not None:
            return phrase(COMPARED[">=" if self.low_closed else ">"], value=env.show(low))
        if low is None and high is not None:
            return phrase(COMPARED["<=" if self.high_closed else "<"], value=env.show(high))
        if low is None or high is None:
            return phrase(N_("any value"))
        return interval_phrase(env.show(low), env.show(high), self.low_closed, self.high_closed)

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
class PeerRelative(_Plain):
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
        return compare(value, self.op, self.bound(env, line, value))

    def detail(self, value: Value, env: Env, line: int | None) -> Said | None:
        stat = env.peer(self.stat, line, value)
        return phrase(
            N_("peer {stat} {value}, {share}% of it is {threshold}"),
            stat=stat_name(self.stat),
            value=env.show(stat),
            share=fmt(self.factor * 100),
            threshold=env.show(self.threshold(stat)),
        )

    def construct(self, env: Env) -> Said:
        share = f"{fmt(self.factor * 100)}%"
        return phrase(
            COMPARED[self.op],
            value=phrase(N_("{share} of peer {stat}"), share=share, stat=stat_name(self.stat)),
        )

    def comparisons(self) -> tuple[PeerRelative, ...]:
        return (self,)

    def interval(self, target: Fraction | None, stats: Stats = _NO_STATS) -> Interval | None:
        stat = stats.get(self.stat)
        if stat is None:
            return None
        bound = self.threshold(stat)
        return {
            ">=": Interval(bound, None, True, False),
            ">": Interval(bound, None, False, False),
            "<=": Interval(None, bound, False, True),
            "<": Interval(None, bound, False, False),
            "=": Interval(bound, bound),
        }[self.op]

    def ends(
        self, target: Fraction | None, stats: Stats = _NO_STATS, unit: str = ""
    ) -> tuple[Boundary, ...]:
        stat = stats.get(self.stat)
        if stat is None:
            return ()
        label = _("{percent}% of peer {statistic}").format(
            percent=fmt(self.factor * 100), statistic=stat_name(self.stat)
        )
        return (Boundary(label, self.threshold(stat), (self.stat, stat)),)

    def side(self) -> Side:
        if self.op in (">=", ">"):
            return "high"
        return "low" if self.op in ("<=", "<") else "bounded"

    def open_sides(self) -> tuple[bool, bool]:
        return False, False

    def __repr__(self) -> str:
        return f"<{self.op} {fmt(self.factor * 100)}% of peer {self.stat}>"


class Unplaced(_Plain):
    """A condition with no place on a value axis: no ends, no side (``yes``, ``no
    data``, ``otherwise``, a comparison with a value computed for each entity)."""

    def ends(
        self, target: Fraction | None, stats: Stats = _NO_STATS, unit: str = ""
    ) -> tuple[Boundary, ...]:
        return ()

    def side(self) -> Side:
        return None

    def open_sides(self) -> tuple[bool, bool]:
        return False, False


@attrs.frozen(repr=False)
class IsYes(Unplaced):
    """A yes/no subject is yes (``expected=True``) or no."""

    expected: bool = True
    on_yes_no = True

    def holds(self, value: Value, env: Env, line: int | None) -> bool:
        return isinstance(value, bool) and value is self.expected

    def interval(self, target: Fraction | None, stats: Stats = _NO_STATS) -> Interval | None:
        # On the yes/no axis, no is 0 and yes is 1.
        point = Fraction(1 if self.expected else 0)
        return Interval(point, point)

    def construct(self, env: Env) -> Said:
        return phrase(N_("yes")) if self.expected else phrase(N_("no"))

    def __repr__(self) -> str:
        return "<yes>" if self.expected else "<no>"


def _chosen(indices: Iterable[int]) -> tuple[int, ...]:
    return tuple(sorted(set(indices)))


@attrs.frozen(repr=False)
class OneOf(_Plain):
    """A level input holds one of some of its levels: ``= "完整"``, ``in ("部分", "未建立")``.

    ``levels`` is the input's whole list and ``chosen`` the indices of the
    levels tested.  A level is read as its index in the list (see
    :class:`~qualitykpi.values.InputSpec`), so on the checks' axis the
    input's values are 0 … n − 1, one step apart, and a test of levels next
    to each other is one interval.  Levels with others between them
    (``in ("优", "差")``) hold on no one interval: :meth:`interval` is then the
    hull and :attr:`interval_is_hull` says so.  Levels have no order of
    merit: :meth:`side` is None, so no direction is read from the list.
    """

    levels: tuple[str, ...] = attrs.field(converter=labels_tuple)
    chosen: tuple[int, ...] = attrs.field(converter=_chosen)

    @chosen.validator
    def _check(self, attribute: object, chosen: tuple[int, ...]) -> None:
        if not chosen or not all(0 <= index < len(self.levels) for index in chosen):
            raise ValueError(f"levels {chosen} are not among the {len(self.levels)} listed")

    @property
    def labels(self) -> tuple[str, ...]:
        """The levels it tests, in the order of the list."""
        return tuple(self.levels[index] for index in self.chosen)

    @property
    def interval_is_hull(self) -> bool:  # type: ignore[override]
        return self.chosen[-1] - self.chosen[0] + 1 != len(self.chosen)

    def holds(self, value: Value, env: Env, line: int | None) -> bool:
        return isinstance(value, Fraction) and value in self.chosen

    def interval(self, target: Fraction | None, stats: Stats = _NO_STATS) -> Interval | None:
        return Interval(Fraction(self.chosen[0]), Fraction(self.chosen[-1]))

    def ends(
        self, target: Fraction | None, stats: Stats = _NO_STATS, unit: str = ""
    ) -> tuple[Boundary, ...]:
        return ()  # levels are tried one by one, not on both sides of an end

    def side(self) -> Side:
        return None

    def open_sides(self) -> tuple[bool, bool]:
        return False, False

    def fast_test(self, target: Fraction | None, stats: Stats) -> Callable[[FastValue], bool]:
        # The fast path reads a level as the Decimal of its index.
        members = frozenset(Decimal(index) for index in self.chosen)
        return lambda value: value.__class__ is Decimal and value in members

    def construct(self, env: Env) -> Said:
        quoted = tuple(phrase(N_("“{level}”"), level=label) for label in self.labels)
        if len(quoted) == 1:
            return phrase(COMPARED["="], value=quoted[0])
        return phrase(N_("in ({levels})"), levels=Joined(quoted, phrase(N_(", "))))

    def describe(self) -> str:
        shown = ", ".join(f'"{label}"' for label in self.labels)
        return f"= {shown}" if len(self.chosen) == 1 else f"in ({shown})"

    def __repr__(self) -> str:
        return f"<{self.describe()}>"


@attrs.frozen(repr=False)
class NoData(Unplaced):
    """The value is absent from the data."""

    takes_absent = True

    def holds(self, value: Value, env: Env, line: int | None) -> bool:
        return value is None

    def interval(self, target: Fraction | None, stats: Stats = _NO_STATS) -> Interval | None:
        return None  # no present value

    def construct(self, env: Env) -> Said:
        return phrase(N_("no data"))

    def __repr__(self) -> str:
        return "<no data>"


@attrs.frozen(repr=False)
class Otherwise(Unplaced):
    """Any present value."""

    takes_all = True

    def holds(self, value: Value, env: Env, line: int | None) -> bool:
        return value is not None

    def interval(self, target: Fraction | None, stats: Stats = _NO_STATS) -> Interval | None:
        return ALL

    def open_sides(self) -> tuple[bool, bool]:
        return True, True

    def construct(self, env: Env) -> Said:
        return phrase(N_("otherwise"))

    def __repr__(self) -> str:
        return "<otherwise>"


def range_ends(condition: Range) -> tuple[Fraction, ...]:
    return tuple(end for end in (condition.low, condition.high) if end is not None)


def compare(x: Fraction, op: str, bound: Fraction) -> bool:
    """``x op bound``: ``>=``, ``<=``, ``>``, ``<`` or ``=``."""
    return {
        ">=": x >= bound,
        "<=": x <= bound,
        ">": x > bound,
        "<": x < bound,
        "=": x == bound,
    }[op]
