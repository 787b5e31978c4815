"""A computed value's boundaries, tried through one of the inputs it is computed from.

``growth = (rd − previous rd) / previous rd`` cannot be given in an example:
its boundaries (``growth at least 10%``) are tried by giving ``rd``, with
``previous rd`` at the value the examples give it (or a plain guess).  With
the other values held, the computed value moves with that one input along a
straight line (:class:`Axis`): a boundary of the value is a value of the
input.  A value computed from the cohort (a statistic, a rank) has no such
line, and has no cases here; its examples (``example cohort``) try it.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction

import attrs

from ..domains import Domain
from ..nodes.conditions import ScoreProblem
from ..nodes.derived import NO_COHORT, Let, scope_for
from ..values import InputSpec, Value


@attrs.frozen
class Axis:
    """A computed value read along one input, the others held."""

    name: str
    input: str
    #: The values the others are held at (and the input's own, where it starts).
    held: Mapping[str, Value]
    slope: Fraction
    start: Fraction  # the input's value where the computed value is ``at``
    at: Fraction
    spec: InputSpec

    def to_input(self, value: Value) -> Value:
        """The input's value that gives the computed value ``value`` (None: no data)."""
        if not isinstance(value, Fraction):
            return None
        return self.start + (value - self.at) / self.slope


def axis(let: Let, held: Mapping[str, Value], specs: Mapping[str, InputSpec]) -> Axis | None:
    """``let`` read along the first input it reads, the others at ``held``; None when it
    reads the cohort or a node, or does not move along a straight line."""
    if let.expression is None:
        return None
    needs = let.expression.needs()
    if needs.stats or needs.ranks or needs.nodes or needs.count or needs.total:
        return None
    inputs = sorted(name for name in needs.inputs if name in specs)
    if not inputs or len(inputs) != len(needs.inputs):
        return None
    name = inputs[0]
    spec = specs[name]
    if spec.type not in ("number", "percent", "count"):
        return None
    start = held.get(name)
    if not isinstance(start, Fraction):
        return None
    points = [_value(let, held, name, start + step) for step in (0, 1, 2)]
    if any(point is None for point in points):
        return None
    first, second, third = (point for point in points if point is not None)
    slope = second - first
    if not slope or third - second != slope:
        return None
    domain = Domain.of(spec)
    step = None if domain.step is None else abs(slope) * domain.step

    def mapped(value: Fraction | None) -> Fraction | None:
        return None if value is None else first + slope * (value - start)

    low, high = mapped(domain.low), mapped(domain.high)
    if slope < 0:
        low, high = high, low
    offset = first - slope * start
    if step is not None and (offset / step).denominator != 1:
        step = None
    return Axis(
        let.name,
        name,
        dict(held),
        slope,
        start,
        first,
        InputSpec(let.name, "number", step, low, high),
    )


def _value(let: Let, held: Mapping[str, Value], name: str, value: Fraction) -> Fraction | None:
    values = {**held, name: value}
    try:
        found = let.value(scope_for(values, NO_COHORT, frozenset()))
    except (ScoreProblem, ArithmeticError):
        return None
    return found if isinstance(found, Fraction) else None


def computed(let: Let, values: Mapping[str, Value]) -> Value:
    """``let``'s value for an example's values (None: it cannot be worked out)."""
    try:
        return let.value(scope_for(values, NO_COHORT, frozenset()))
    except (ScoreProblem, ArithmeticError):
        return None
