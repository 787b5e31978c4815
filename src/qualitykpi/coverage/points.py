"""The value grid of ``qualitykpi test --coverage``: where boundaries fall.

An input's grid (its ``precision``, else the finest decimal place of the
numbers its rule compares it with), the ends of a condition on it, and the
grid values just below and just above each end with the line that decides
each: the points an example should try.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from fractions import Fraction

import attrs

from ..domains import Domain
from ..nodes.conditions import Condition, Env
from ..values import InputSpec, Value


@attrs.frozen
class End:
    """An end of a condition: where it falls for the subject, and how it reads."""

    owner: int  # the line (or clause outcome) whose condition has this end
    label: str
    value: Fraction
    peer: tuple[str, Fraction] | None = None  # the peer statistic it is a share of


@attrs.frozen
class Side:
    """The value just on one side of a boundary, and the line that decides it."""

    owner: int
    end: End
    side: str  # "below" or "above"
    value: Fraction
    window: tuple[Fraction, Fraction]

    @property
    def key(self) -> tuple[object, ...]:
        return (self.owner, self.end.owner, self.end.label, self.side)


def _decimals(value: Fraction) -> int | None:
    for places in range(9):
        if (value * 10**places).denominator == 1:
            return places
    return None


@attrs.frozen
class Grid:
    step: Fraction
    low: Fraction | None
    high: Fraction | None

    @classmethod
    def of(cls, spec: InputSpec, ends: Sequence[Fraction]) -> Grid:
        # The input's domain: its type's bounds, narrowed by `at least`/`at most`.
        domain = Domain.of(spec)
        low, high = domain.low, domain.high
        precision = spec.precision
        if spec.type == "count":
            step = precision if precision is not None and precision.denominator == 1 else None
            step = step or Fraction(1)
        elif precision is not None:
            step = precision
        else:
            places = [p for p in (_decimals(end) for end in ends) if p is not None]
            step = Fraction(1, 10 ** max(places, default=0))
        return cls(step, low, high)

    def inside(self, x: Fraction) -> bool:
        return (self.low is None or x >= self.low) and (self.high is None or x <= self.high)

    def pairs(self, end: Fraction) -> list[tuple[Fraction, Fraction]]:
        """The neighbouring grid values around ``end`` (two pairs when it is on the grid)."""
        k = end / self.step
        if k.denominator == 1:
            pairs = [(end - self.step, end), (end, end + self.step)]
        else:
            down = math.floor(k) * self.step
            pairs = [(down, down + self.step)]
        return [(a, b) for a, b in pairs if self.inside(a) and self.inside(b)]


def boundary_sides(
    ends: Sequence[End], decide: Callable[[Value], int | None], grid: Grid
) -> list[Side]:
    pairs: dict[tuple[Fraction, Fraction], list[End]] = {}
    for end in ends:
        for pair in grid.pairs(end.value):
            pairs.setdefault(pair, []).append(end)
    out: list[Side] = []
    seen: set[tuple[int, Fraction]] = set()
    for (a, b), producing in sorted(pairs.items()):
        first, second = decide(a), decide(b)
        if first == second:
            continue
        producing.sort(key=lambda end: (end.owner, end.label))
        for owner, side, value in ((first, "below", a), (second, "above", b)):
            if owner is None or (owner, value) in seen:
                continue  # no line there (a gap), or `= A` seen from its other side
            seen.add((owner, value))
            own = [end for end in producing if end.owner == owner]
            out.append(Side(owner, (own or producing)[0], side, value, (a, b)))
    return out


def tried_sides(
    sides: Sequence[Side], decide: Callable[[Value], int | None], value: Fraction
) -> Iterator[tuple[object, ...]]:
    for side in sides:
        a, b = side.window
        if a <= value <= b and decide(value) == side.owner:
            yield side.key


def condition_ends(
    condition: Condition, owner: int, target: Fraction | None, env: Env, percent: bool
) -> list[End]:
    """The ends of ``condition`` (its own word), as the ends of line or outcome ``owner``."""
    unit = "%" if percent else ""
    return [
        End(owner, end.label, end.value, end.stat)
        for end in condition.ends(target, env.peers, unit)
    ]


def up(value: Fraction, spec: InputSpec, *, strictly: bool = False) -> Fraction:
    """The first value of the input's grid at (or, ``strictly``, above) ``value``."""
    if spec.precision is not None:
        step = spec.precision
    elif spec.type == "count":
        step = Fraction(1)
    else:
        places = _decimals(value)
        step = Fraction(1, 10 ** min(places if places is not None else 4, 4))
    k = math.ceil(value / step)
    if strictly and k * step == value:
        k += 1
    result: Fraction = k * step
    return min(result, Fraction(100)) if spec.type == "percent" else result
