"""Snapped value sets as runs of integers: the fast, exact algebra of the table checks.

A :class:`Lattice` numbers the values of one domain with integers:

* on a grid (``precision P``, a count, a yes/no) index ``k`` is the value
  ``k·P``; a snapped set is the set of its grid points;
* without a grid, the ends of every interval of one analysis are multiples
  of ``1/D`` (``D`` the least common multiple of their denominators);
  index ``2j`` is the value ``j/D`` and index ``2j + 1`` the open gap
  between ``j/D`` and ``(j + 1)/D``, so open and closed ends are exact.

Either way a set of values is a tuple of :data:`Run` — inclusive index
ranges, in order, disjoint and not adjacent, ``None`` unbounded — and
union, intersection, difference and inclusion are integer comparisons.
:meth:`Lattice.value_set` turns runs back into the snapped
:class:`~qualitykpi.domains.ValueSet` that :meth:`Domain.snap
<qualitykpi.domains.Domain.snap>` gives, interval for interval.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from fractions import Fraction
from functools import lru_cache
from math import lcm

from .domains import NOTHING, Domain, Interval, ValueSet

#: Inclusive indices ``(low, high)``; ``None`` is unbounded on that side.
Run = tuple[int | None, int | None]
#: A set of values: runs in order, disjoint and not adjacent.
Runs = tuple[Run, ...]


class Lattice:
    """The integer numbering of one domain's values (see the module's docstring)."""

    __slots__ = ("cells", "den", "full", "high", "low", "num")

    def __init__(self, domain: Domain, unit: Fraction, *, cells: bool) -> None:
        self.cells = cells
        self.num = unit.numerator
        self.den = unit.denominator
        self.low: int | None = None
        self.high: int | None = None
        if domain.low is not None:
            self.low = self._up(domain.low, False)
        if domain.high is not None:
            self.high = self._down(domain.high, False)
        #: Every value of the domain (None if it has none).
        self.full: Run | None = (
            None
            if self.low is not None and self.high is not None and self.low > self.high
            else (self.low, self.high)
        )

    @classmethod
    def of(cls, domain: Domain, intervals: Iterable[Interval | None] = ()) -> Lattice:
        """The lattice for sets of ``domain`` whose intervals are among ``intervals``.

        A grid's lattice does not depend on the intervals; without a grid
        their ends (and the domain's bounds) fix the denominator.
        """
        if domain.step is not None:
            return _grid(domain)
        denominators = {1}
        for x in (domain.low, domain.high):
            if x is not None:
                denominators.add(x.denominator)
        for iv in intervals:
            if iv is not None:
                if iv.low is not None:
                    denominators.add(iv.low.denominator)
                if iv.high is not None:
                    denominators.add(iv.high.denominator)
        return cls(domain, Fraction(1, 2 * lcm(*denominators)), cells=True)

    # ------------------------------------------------------------ indices

    def _up(self, x: Fraction, open_: bool) -> int:
        """The lowest index at or (``open_``) above ``x``."""
        n, d = x.numerator * self.den, x.denominator * self.num
        k = -(-n // d)
        if k * d == n:
            return k + 1 if open_ else k
        if self.cells:
            raise ValueError(f"{x} is not an end this lattice was made for")
        return k

    def _down(self, x: Fraction, open_: bool) -> int:
        """The highest index at or (``open_``) below ``x``."""
        n, d = x.numerator * self.den, x.denominator * self.num
        k = n // d
        if k * d == n:
            return k - 1 if open_ else k
        if self.cells:
            raise ValueError(f"{x} is not an end this lattice was made for")
        return k

    def value(self, k: int) -> Fraction:
        """The value of grid index ``k``."""
        return Fraction(k * self.num, self.den)

    def run(self, iv: Interval | None) -> Run | None:
        """The indices of ``iv``'s values within the domain; None if there are none."""
        if iv is None:
            return None
        low = self.low
        if iv.low is not None:
            k = self._up(iv.low, not iv.low_closed)
            if low is None or k > low:
                low = k
        high = self.high
        if iv.high is not None:
            k = self._down(iv.high, not iv.high_closed)
            if high is None or k < high:
                high = k
        if low is not None and high is not None and low > high:
            return None
        return (low, high)

    def low_end(self, k: int | None) -> int | None:
        """The index of the value a run starting at ``k`` starts at (open or closed)."""
        if k is None or not self.cells:
            return k
        return k - (k & 1)

    def high_end(self, k: int | None) -> int | None:
        """The index of the value a run ending at ``k`` ends at (open or closed)."""
        if k is None or not self.cells:
            return k
        return k + (k & 1)

    # ------------------------------------------------------------- values

    def value_set(self, runs: Sequence[Run]) -> ValueSet:
        """The snapped value set of ``runs``."""
        if not runs:
            return NOTHING
        out: list[Interval] = []
        num, den = self.num, self.den
        for low, high in runs:
            if not self.cells:
                out.append(
                    Interval(
                        None if low is None else Fraction(low * num, den),
                        None if high is None else Fraction(high * num, den),
                        low is not None,
                        high is not None,
                    )
                )
                continue
            low_value = high_value = None
            if low is not None:
                low_value = Fraction(low - (low & 1), den)
            if high is not None:
                high_value = Fraction(high + (high & 1), den)
            out.append(
                Interval(
                    low_value,
                    high_value,
                    low is not None and not low & 1,
                    high is not None and not high & 1,
                )
            )
        return ValueSet.normalised(tuple(out))


@lru_cache(maxsize=256)
def _grid(domain: Domain) -> Lattice:
    assert domain.step is not None
    return Lattice(domain, domain.step, cells=False)


# ------------------------------------------------------------- run algebra


def meet(a: Run | None, b: Run | None) -> Run | None:
    """The indices in both runs; None if none."""
    if a is None or b is None:
        return None
    a_low, a_high = a
    b_low, b_high = b
    low = b_low if a_low is None or (b_low is not None and b_low > a_low) else a_low
    high = b_high if a_high is None or (b_high is not None and b_high < a_high) else a_high
    if low is not None and high is not None and low > high:
        return None
    return (low, high)


def covers(runs: Runs, run: Run) -> bool:
    """Every index of ``run`` is in ``runs``."""
    low, high = run
    for a, b in runs:
        if (a is None or (low is not None and a <= low)) and (
            b is None or (high is not None and b >= high)
        ):
            return True
    return False


def touches(runs: Runs, run: Run | None) -> bool:
    """Some index of ``run`` is in ``runs``."""
    return run is not None and any(meet(each, run) is not None for each in runs)


def add(runs: Runs, run: Run) -> Runs:
    """The union of ``runs`` and ``run``."""
    low, high = run
    out: list[Run] = []
    placed = False
    for a, b in runs:
        if b is not None and low is not None and b < low - 1:
            out.append((a, b))
        elif a is not None and high is not None and a > high + 1:
            if not placed:
                out.append((low, high))
                placed = True
            out.append((a, b))
        else:
            low = None if a is None or low is None else min(a, low)
            high = None if b is None or high is None else max(b, high)
    if not placed:
        out.append((low, high))
    return tuple(out)


def minus(run: Run | None, runs: Runs) -> Runs:
    """The indices of ``run`` not in ``runs``."""
    if run is None:
        return ()
    low, high = run
    out: list[Run] = []
    for a, b in runs:
        if b is not None and low is not None and b < low:
            continue
        if a is not None and high is not None and a > high:
            break
        if a is not None and (low is None or a > low):
            out.append((low, a - 1))
        if b is None:
            return tuple(out)
        low = b + 1
        if high is not None and low > high:
            return tuple(out)
    out.append((low, high))
    return tuple(out)
