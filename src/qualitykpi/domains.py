"""Exact sets of values: intervals, value sets and the domain of an input.

Everything is computed with ``Fraction``: a percent lies in [0, 100], a
count is a whole number ≥ 0, a number is any decimal, a yes/no is 0 (no)
or 1 (yes); with ``precision P`` only the multiples of P are values.  Sets
of values are unions of intervals (:class:`ValueSet`); on a grid they are
kept *snapped* — closed intervals between grid points, adjacent ones
merged — so ``[92, 94.4]`` and ``[94.5, 100]`` at precision 0.1 are one set
with no gap.  :meth:`Domain.describe` puts a snapped set into words for the
diagnostics.

The table checks do their algebra on integer images of these sets
(:mod:`qualitykpi.lattice`); this module is the exact reference they
convert from and back to.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache

import attrs

from .fast import FastValue, always, bound, never
from .i18n import N_, _
from .values import InputSpec, InputType, fmt, show_level

# ------------------------------------------------------------- intervals


@attrs.frozen
class Interval:
    """An interval of the rationals; ``None`` is unbounded on that side."""

    low: Fraction | None
    high: Fraction | None
    low_closed: bool = True
    high_closed: bool = True

    @property
    def empty(self) -> bool:
        if self.low is None or self.high is None:
            return False
        if self.low == self.high:
            return not (self.low_closed and self.high_closed)
        return self.low > self.high

    def contains(self, x: Fraction) -> bool:
        if self.low is not None and (x < self.low or (x == self.low and not self.low_closed)):
            return False
        return not (
            self.high is not None and (x > self.high or (x == self.high and not self.high_closed))
        )

    def predicate(self) -> Callable[[FastValue], bool]:
        """:meth:`contains` for the fast path: the bounds converted once, one
        comparison per bound (yes/no values compare as 1 and 0)."""
        if self.empty:
            return never
        if self.low is None:
            return always if self.high is None else _below(bound(self.high), self.high_closed)
        low = bound(self.low)
        if self.high is None:
            return _above(low, self.low_closed)
        high = bound(self.high)
        if low == high:
            return lambda x: x == low
        match self.low_closed, self.high_closed:
            case True, True:
                return lambda x: low <= x <= high  # type: ignore[operator]
            case True, False:
                return lambda x: low <= x < high  # type: ignore[operator]
            case False, True:
                return lambda x: low < x <= high  # type: ignore[operator]
            case _:
                return lambda x: low < x < high  # type: ignore[operator]


def _above(low: Decimal | Fraction, closed: bool) -> Callable[[FastValue], bool]:
    if closed:
        return lambda x: x >= low  # type: ignore[operator]
    return lambda x: x > low  # type: ignore[operator]


def _below(high: Decimal | Fraction, closed: bool) -> Callable[[FastValue], bool]:
    if closed:
        return lambda x: x <= high  # type: ignore[operator]
    return lambda x: x < high  # type: ignore[operator]


def _low_key(iv: Interval) -> tuple[int, Fraction, int]:
    if iv.low is None:
        return (0, Fraction(0), 0)
    return (1, iv.low, 0 if iv.low_closed else 1)


def _higher_end(a: Interval, b: Interval) -> tuple[Fraction | None, bool]:
    if a.high is None or b.high is None:
        return None, False
    if a.high != b.high:
        return (a.high, a.high_closed) if a.high > b.high else (b.high, b.high_closed)
    return a.high, a.high_closed or b.high_closed


def _touches(first: Interval, then: Interval) -> bool:
    """``then`` (starting at or after ``first``) overlaps or adjoins ``first``."""
    if first.high is None or then.low is None:
        return True
    if then.low != first.high:
        return then.low < first.high
    return first.high_closed or then.low_closed


def meet(a: Interval, b: Interval) -> Interval:
    """The intersection of two intervals (possibly empty)."""
    if a.low is None or (b.low is not None and b.low > a.low):
        low, low_closed = b.low, b.low_closed
    elif b.low is None or a.low > b.low:
        low, low_closed = a.low, a.low_closed
    else:
        low, low_closed = a.low, a.low_closed and b.low_closed
    if a.high is None or (b.high is not None and b.high < a.high):
        high, high_closed = b.high, b.high_closed
    elif b.high is None or a.high < b.high:
        high, high_closed = a.high, a.high_closed
    else:
        high, high_closed = a.high, a.high_closed and b.high_closed
    return Interval(low, high, low_closed, high_closed)


def _normal(intervals: Iterable[Interval]) -> tuple[Interval, ...]:
    ordered = sorted((iv for iv in intervals if not iv.empty), key=_low_key)
    if len(ordered) < 2:
        return tuple(ordered)
    out: list[Interval] = []
    for iv in ordered:
        if out and _touches(out[-1], iv):
            high, closed = _higher_end(out[-1], iv)
            out[-1] = Interval(out[-1].low, high, out[-1].low_closed, closed)
        else:
            out.append(iv)
    return tuple(out)


@attrs.frozen
class ValueSet:
    """A finite union of disjoint intervals, in order."""

    intervals: tuple[Interval, ...] = attrs.field(converter=_normal)

    @classmethod
    def of(cls, *intervals: Interval) -> ValueSet:
        return cls(intervals)

    @classmethod
    def normalised(cls, intervals: tuple[Interval, ...]) -> ValueSet:
        """A set of intervals already in order, disjoint, not touching and not empty."""
        self = object.__new__(cls)
        object.__setattr__(self, "intervals", intervals)
        return self

    @property
    def empty(self) -> bool:
        return not self.intervals

    def contains(self, x: Fraction) -> bool:
        return any(iv.contains(x) for iv in self.intervals)

    def __or__(self, other: ValueSet) -> ValueSet:
        return ValueSet(self.intervals + other.intervals)

    def __and__(self, other: ValueSet) -> ValueSet:
        return ValueSet(meet(a, b) for a in self.intervals for b in other.intervals)

    def complement(self) -> ValueSet:
        out: list[Interval] = []
        low: Fraction | None = None
        low_closed = False
        for iv in self.intervals:
            if iv.low is not None:
                out.append(Interval(low, iv.low, low_closed, not iv.low_closed))
            if iv.high is None:
                return ValueSet(out)
            low, low_closed = iv.high, not iv.high_closed
        out.append(Interval(low, None, low_closed, False))
        return ValueSet(out)

    def __sub__(self, other: ValueSet) -> ValueSet:
        return self & other.complement()

    def issubset(self, other: ValueSet) -> bool:
        return (self - other).empty

    def ends(self) -> Iterator[Fraction]:
        for iv in self.intervals:
            if iv.low is not None:
                yield iv.low
            if iv.high is not None:
                yield iv.high


#: Every value: the interval that holds for any present value.
ALL = Interval(None, None, False, False)
EVERYTHING = ValueSet.normalised((ALL,))
NOTHING = ValueSet.normalised(())


def point(x: Fraction) -> Interval:
    """The one value ``x``."""
    return Interval(x, x)


# ---------------------------------------------------------------- domains


@attrs.frozen
class Domain:
    """The values an input (or a total) can take: bounds and an optional grid step."""

    type: InputType
    step: Fraction | None
    low: Fraction | None
    high: Fraction | None
    #: A level input's labels: its values are their indices 0 … n − 1.
    labels: tuple[str, ...] = ()

    @classmethod
    def of(cls, spec: InputSpec) -> Domain:
        return _domain_of(spec.type, spec.precision, spec.low, spec.high, spec.levels)

    @classmethod
    def totals(cls, low: Fraction, high: Fraction | None, places: int | None = None) -> Domain:
        """The totals a scheme can give: every number between two bounds (on the
        grid of ``total rounded to N places``, when it rounds); a ``high`` of None:
        no upper bound."""
        step = None if places is None else Fraction(1, 10**places)
        return cls("number", step, low, high)

    @property
    def bounds(self) -> ValueSet:
        return ValueSet.of(self.interval)

    @property
    def interval(self) -> Interval:
        """The bounds as one interval, closed where bounded."""
        return Interval(self.low, self.high, self.low is not None, self.high is not None)

    def full(self) -> ValueSet:
        return _full(self)

    def snap(self, values: ValueSet) -> ValueSet:
        """``values`` within the domain; on a grid, closed grid intervals, adjacent merged."""
        inside = values & self.bounds
        step = self.step
        if step is None:
            return inside
        out: list[Interval] = []
        for iv in inside.intervals:
            low = high = None
            if iv.low is not None:
                k = math.ceil(iv.low / step)
                if k * step == iv.low and not iv.low_closed:
                    k += 1
                low = k * step
            if iv.high is not None:
                k = math.floor(iv.high / step)
                if k * step == iv.high and not iv.high_closed:
                    k -= 1
                high = k * step
            if low is not None and high is not None and low > high:
                continue
            if out and (out[-1].high is None or (low is not None and low <= out[-1].high + step)):
                last = out[-1]
                top = None if last.high is None or high is None else max(last.high, high)
                out[-1] = Interval(last.low, top, last.low_closed, top is not None)
                continue
            out.append(Interval(low, high, low is not None, high is not None))
        return ValueSet.normalised(tuple(out))

    def grid_down(self, x: Fraction) -> Fraction:
        assert self.step is not None
        return math.floor(x / self.step) * self.step

    def grid_up(self, x: Fraction) -> Fraction:
        assert self.step is not None
        return math.ceil(x / self.step) * self.step

    def inside(self, x: Fraction) -> bool:
        if self.low is not None and x < self.low:
            return False
        if self.high is not None and x > self.high:
            return False
        return self.step is None or (x / self.step).denominator == 1

    def points(self, values: ValueSet) -> Iterator[Fraction]:
        """Every grid point of a bounded snapped set (for tests and small domains)."""
        assert self.step is not None
        for iv in self.snap(values).intervals:
            assert iv.low is not None and iv.high is not None
            x = iv.low
            while x <= iv.high:
                yield x
                x += self.step

    # ------------------------------------------------------------ words

    @property
    def unit(self) -> str:
        return "%" if self.type == "percent" else ""

    def show(self, x: Fraction, *, unit: bool = True) -> str:
        if self.type == "yes/no":
            return "yes" if x else "no"
        if self.type == "level":
            return show_level(x, self.labels)
        return fmt(x) + (self.unit if unit else "")

    def _span(self, low: Fraction, high: Fraction) -> str:
        return f"{self.show(low, unit=False)}–{self.show(high)}"

    def describe(self, values: ValueSet) -> tuple[str, bool]:
        """A phrase for a snapped set, and whether it is plural.

        ``values below 98% (0–97.9%)``, ``values 93–93.4%``, ``the value 5``.
        """
        if self.type == "yes/no":
            shown = [self.show(x) for x in self.points(values)]
            if len(shown) == 1:
                return _("the value {value}").format(value=shown[0]), False
            return _("the values yes and no"), True
        if self.type == "level":
            labels = [self.show(x) for x in self.points(values)]
            if len(labels) == 1:
                return _("the level {level}").format(level=labels[0]), False
            listed = _(", ").join(labels[:-1])
            return _("the levels {levels} and {last}").format(levels=listed, last=labels[-1]), True
        if values.intervals == self.full().intervals:
            return _("every value"), True
        phrases = [self._describe(iv) for iv in values.intervals]
        if len(phrases) == 1:
            whole, _bare, fields = phrases[0]
            return _(whole).format(**fields), whole != _ONE_VALUE
        # Several runs of values: "values" is said once, before the list.
        words = [_(bare).format(**fields) for _whole, bare, fields in phrases]
        listed = _(", ").join(words[:-1])
        return _("values {values} and {last}").format(values=listed, last=words[-1]), True

    def _describe(self, iv: Interval) -> tuple[str, str, dict[str, str]]:
        """A run of values: its phrase alone, its phrase in a list after "values",
        and the fields of both."""
        low, high = iv.low, iv.high
        if self.step is not None:
            bottom = None if self.low is None else self.grid_up(self.low)
            top = None if self.high is None else self.grid_down(self.high)
            if low is not None and high is not None:
                if low == high:
                    return _ONE_VALUE, _ONE_VALUE, {"value": self.show(low)}
                listed = self._span(low, high)
                if low == bottom and high != top:
                    fields = {"value": self.show(high + self.step), "listed": listed}
                    return _BELOW_LISTED, _BARE_BELOW_LISTED, fields
                if high == top and low != bottom:
                    fields = {"value": self.show(low - self.step), "listed": listed}
                    return _ABOVE_LISTED, _BARE_ABOVE_LISTED, fields
                return _RUN, _BARE_RUN, {"values": listed}
            if low is not None:
                return _AND_ABOVE, _BARE_AND_ABOVE, {"value": self.show(low)}
            if high is not None:
                return _AND_BELOW, _BARE_AND_BELOW, {"value": self.show(high)}
            return _EVERY, _EVERY, {}
        if low is not None and high is not None and low == high:
            return _ONE_VALUE, _ONE_VALUE, {"value": self.show(low)}
        if low is not None and (high is None or high == self.high) and low != self.low:
            if iv.low_closed:
                return _AT_LEAST, _BARE_AT_LEAST, {"value": self.show(low)}
            return _ABOVE, _BARE_ABOVE, {"value": self.show(low)}
        if high is not None and (low is None or low == self.low) and high != self.high:
            if iv.high_closed:
                return _AT_MOST, _BARE_AT_MOST, {"value": self.show(high)}
            return _BELOW, _BARE_BELOW, {"value": self.show(high)}
        if low is None or high is None:
            return _EVERY, _EVERY, {}
        interval = (
            f"{'[' if iv.low_closed else '('}{self.show(low)}, "
            f"{self.show(high)}{']' if iv.high_closed else ')'}"
        )
        return _IN, _BARE_IN, {"interval": interval}


# How a run of values is said alone, and in a list after "values" (which the
# list says once).
_ONE_VALUE = N_("the value {value}")
_EVERY = N_("every value")
_BELOW_LISTED, _BARE_BELOW_LISTED = (
    N_("values below {value} ({listed})"),
    N_("below {value} ({listed})"),
)
_ABOVE_LISTED, _BARE_ABOVE_LISTED = (
    N_("values above {value} ({listed})"),
    N_("above {value} ({listed})"),
)
_RUN, _BARE_RUN = N_("values {values}"), "{values}"
_AND_ABOVE, _BARE_AND_ABOVE = N_("values of {value} and above"), N_("of {value} and above")
_AND_BELOW, _BARE_AND_BELOW = N_("values of {value} and below"), N_("of {value} and below")
_AT_LEAST, _BARE_AT_LEAST = N_("values of at least {value}"), N_("of at least {value}")
_ABOVE, _BARE_ABOVE = N_("values above {value}"), N_("above {value}")
_AT_MOST, _BARE_AT_MOST = N_("values of at most {value}"), N_("of at most {value}")
_BELOW, _BARE_BELOW = N_("values below {value}"), N_("below {value}")
_IN, _BARE_IN = N_("values in {interval}"), N_("in {interval}")


@lru_cache(maxsize=256)
def _domain_of(
    type: InputType,
    precision: Fraction | None,
    low: Fraction | None = None,
    high: Fraction | None = None,
    levels: tuple[str, ...] = (),
) -> Domain:
    if type == "yes/no":
        return Domain("yes/no", Fraction(1), Fraction(0), Fraction(1))
    if type == "level":
        # A level is its index in the list: n values one step apart.
        return Domain("level", Fraction(1), Fraction(0), Fraction(len(levels) - 1), levels)
    if type == "percent":
        domain = Domain("percent", precision, Fraction(0), Fraction(100))
    elif type == "count":
        step = Fraction(precision.numerator) if precision is not None else Fraction(1)
        domain = Domain("count", step, Fraction(0), None)
    else:
        domain = Domain("number", precision, None, None)
    # Declared bounds (`number at least 0`) narrow the type's own.
    if low is not None and (domain.low is None or low > domain.low):
        domain = attrs.evolve(domain, low=low)
    if high is not None and (domain.high is None or high < domain.high):
        domain = attrs.evolve(domain, high=high)
    return domain


@lru_cache(maxsize=512)
def _full(domain: Domain) -> ValueSet:
    return domain.snap(domain.bounds)
