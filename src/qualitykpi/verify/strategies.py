"""hypothesis strategies for :func:`~qualitykpi.verify.verify`: entities, cohorts, changes.

:class:`Strategies` draws from a :class:`~qualitykpi.verify.plan.Plan`;
each property draws a :class:`Case`.  hypothesis is imported inside the
methods, when a run starts, so importing this module never needs it.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import attrs

from ..values import Value
from .plan import Entity, InputPlan, Plan

if TYPE_CHECKING:
    from hypothesis.strategies import DrawFn, SearchStrategy


@attrs.frozen
class Case:
    """What one property check draws: an entity and, for ``monotone``, one change."""

    entity: Entity
    input: str | None = None
    first: Fraction | None = None
    second: Fraction | None = None


class Strategies:
    """hypothesis strategies for a plan; each imports hypothesis when it is called."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.cache: dict[tuple[str, bool], SearchStrategy[Any]] = {}

    def value(
        self,
        plan: InputPlan,
        peers: Mapping[str, Mapping[str, Fraction]],
        *,
        absent: bool,
    ) -> SearchStrategy[Any]:
        """Values of one input; near its thresholds (and ``K% of peer STAT``) half of the time."""
        from hypothesis import strategies as st

        stats = peers.get(plan.name, {})
        points = [
            mark.threshold(stats[mark.stat]) for mark in plan.peer_marks if mark.stat in stats
        ]
        key = (plan.name, absent)
        if not points and key in self.cache:
            return self.cache[key]
        base: SearchStrategy[Any]
        if plan.flag:
            base = st.booleans()
        else:
            count = int((plan.high - plan.low) / plan.step)
            low, step = plan.low, plan.step
            base = st.integers(0, count).map(lambda k: low + k * step)
            near = list(dict.fromkeys([*plan.near(points), *plan.edges]))
            # An assessed score's edges are the ends of its range: no need to aim.
            options = [st.sampled_from(near)] if near and count > 2 * len(near) else []
            if plan.scorable:
                options.append(st.sampled_from(plan.scorable))
            if options:
                base = st.one_of(*options, base)
        if absent:
            base = st.one_of(base, st.none())
        if not points:
            self.cache[key] = base
        return base

    def entities(self) -> SearchStrategy[Entity]:
        from hypothesis import strategies as st

        plan = self.plan

        @st.composite
        def draw_entity(draw: DrawFn) -> Entity:
            peers: dict[str, dict[str, Fraction]] = {}
            cohort = None
            if plan.peer_inputs:
                # Cohorts of 1, 2, 4 or 5 others keep the mean a finite decimal.
                size = draw(st.sampled_from([1, 2, 4, 5]))
                rows = [
                    {
                        name: draw(self.value(plan.input(name), {}, absent=False))
                        for name in plan.peer_inputs
                    }
                    for _ in range(size)
                ]
                peers = plan.scheme.cohort_peers(rows)
                derivation = plan.scheme._derivation
                if derivation is not None:
                    # Ranks among the others, and the statistics expressions read.
                    cohort = derivation.cohort(rows)
                    peers = {name: dict(stats) for name, stats in cohort.stats.items()}
            values: dict[str, Value] = {}
            for item in plan.inputs:
                values[item.name] = draw(self.value(item, peers, absent=item.absent))
            for column, events in plan.per_event.items():
                # A deduction per event: the rate drawn times the events counted.
                rate, count = values.get(column), values.get(events)
                if isinstance(rate, Fraction) and isinstance(count, Fraction):
                    values[column] = rate * count
            return Entity(values, peers, cohort)

        return draw_entity()

    def cases(self, property_name: str) -> SearchStrategy[Case]:
        from hypothesis import strategies as st

        plan = self.plan
        if property_name != "monotone":
            return self.entities().map(Case)

        @st.composite
        def draw_change(draw: DrawFn) -> Case:
            entity = draw(self.entities())
            name = draw(st.sampled_from(sorted(plan.directed)))
            strategy = self.value(plan.input(name), entity.peers, absent=False)
            return Case(entity, name, draw(strategy), draw(strategy))

        return draw_change()
