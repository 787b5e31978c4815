"""A section of the scorer tree: its children summed (or combined), clamped."""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction
from typing import TYPE_CHECKING

import attrs

from ..i18n import N_
from ..phrases import phrase
from ..results import NodeResult, Step
from ..values import exact, exact_or_none, fmt, rounded, to_decimal
from .combine import Combination
from .common import Bounds, as_nodes, bound_text, plus
from .conditions import ScoreProblem
from .evaluation import (
    Context,
    ScoreProblems,
    add_bounds,
    as_strings,
    clamp_score,
    collect_results,
    make_step,
    sum_step,
)
from .expressions import Domains
from .scorers import Direction, rounding

if TYPE_CHECKING:
    from .tree import Item


@attrs.frozen(repr=False)
class Section:
    """A section: the sum of its children, clamped to ``[minimum, max]``.

    ``deductions_cap`` caps the sum of its deduction-only children; a
    deduction-only section (``deduct_cap``) has max 0.  Bonuses inside it
    are reported here but add to the scheme total.
    """

    id: str
    name: str
    max: Fraction = attrs.field(converter=exact)
    children: tuple[Section | Item, ...] = attrs.field(default=(), converter=as_nodes)
    owners: tuple[str, ...] = attrs.field(default=(), converter=as_strings)
    deductions_cap: Fraction | None = attrs.field(default=None, converter=exact_or_none)
    deduct_cap: Fraction | None = attrs.field(default=None, converter=exact_or_none)
    text: str = ""
    line: int | None = None
    supporters: tuple[str, ...] = attrs.field(default=(), converter=as_strings)
    #: How its children make its score, when it is not their sum (``combine``).
    combine: Combination | None = None

    kind = "section"

    @property
    def minimum(self) -> Fraction | None:
        """0, or below 0 for a section of deductions; None: no lower bound.

        ``deduct at most C`` gives −C; a ``max 0`` section (only deductions
        inside) can go as low as its children together, or its
        ``deductions at most`` cap; without that cap, a child that deducts
        without a cap leaves it with no lower bound.
        """
        if self.deduct_cap is not None:
            return -self.deduct_cap
        if self.max == 0:
            lows = [child.minimum for child in self.scored()]
            low = None if None in lows else sum((x for x in lows if x is not None), Fraction(0))
            if self.deductions_cap is not None:
                low = -self.deductions_cap if low is None else max(low, -self.deductions_cap)
            return low
        return Fraction(0)

    def scored(self) -> tuple[Section | Item, ...]:
        return tuple(child for child in self.children if child.kind != "bonus")

    def inputs(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(name for child in self.children for name in child.inputs()))

    def bounds(self) -> Bounds:
        """The scores this section can take: its evaluation applied to the children's bounds.

        Every step of the evaluation (sum, deductions cap, clamp) is monotone,
        so applying it to the children's lower and upper bounds gives the
        section's.
        """
        children = self.scored()
        if self.combine is not None:
            return self._combined_bounds()
        low, high = add_bounds(child.bounds() for child in children if not deducts(child))
        ded_low, ded_high = add_bounds(child.bounds() for child in children if deducts(child))
        if self.deductions_cap is not None:
            floor = -self.deductions_cap
            ded_low = floor if ded_low is None else max(ded_low, floor)
            ded_high = floor if ded_high is None else max(ded_high, floor)
        return self._clamp(plus(low, ded_low)), self._clamp(plus(high, ded_high))

    def _clamp(self, value: Fraction | None) -> Fraction | None:
        """Within ``[minimum, max]``; an unbounded (low) value stops at the minimum."""
        if value is None:
            return self.minimum
        if self.minimum is not None:
            value = max(value, self.minimum)
        return min(value, self.max)

    def raw_combined_bounds(self) -> tuple[Fraction | None, Fraction | None]:
        """What ``combine`` can give before the clamp (None: unbounded on that side)."""
        assert self.combine is not None
        nodes = [node for child in self.children for node in child.walk()]
        domains = Domains(
            nodes={key: node.bounds() for node in nodes for key in (node.id, node.name)},
            maxima={key: node.max for node in nodes for key in (node.id, node.name)},
        )
        return self.combine.bounds(domains)

    def _combined_bounds(self) -> tuple[Fraction | None, Fraction]:
        low, high = self.raw_combined_bounds()
        return self._clamp(low), self.max if high is None else min(
            max(high, self.minimum if self.minimum is not None else high), self.max
        )

    def direction(self, input: str) -> Direction:
        for child in self.scored():
            implied = child.direction(input)
            if implied != "none":
                return implied
        return "none"

    def walk(self) -> Iterator[Section | Item]:
        yield self
        for child in self.children:
            yield from child.walk()

    def own(self, ctx: Context) -> NodeResult:
        """What an example of this node checks: its result."""
        return self.evaluate(ctx)

    def evaluate(self, ctx: Context) -> NodeResult:
        children = tuple(collect_results(self.children, lambda child: child.evaluate(ctx)))
        steps: list[Step] = []
        scored = [result for result in children if result.kind != "bonus"]
        if self.combine is not None:
            return self._result(self._combined(ctx, scored, steps), children, steps)
        inner = sum((Fraction(result.max) for result in scored), Fraction(0))
        if inner != self.max:
            steps.append(
                sum_step(
                    N_("its children are worth {inner}, not {max}"), inner, self.max, self.line
                )
            )
        deductions = sum(
            (
                Fraction(result.score)
                for result in scored
                if result.max == 0 and (result.minimum is None or result.minimum < 0)
            ),
            Fraction(0),
        )  # the same children deducts() picks
        raw = sum((Fraction(result.score) for result in scored), Fraction(0))
        if self.deductions_cap is not None and deductions < -self.deductions_cap:
            given_back = -self.deductions_cap - deductions
            steps.append(
                make_step(
                    "cap",
                    phrase(N_("deductions here at most {cap}"), cap=fmt(self.deductions_cap)),
                    -given_back,
                    self.line,
                )
            )
            raw += given_back
        return self._result(raw, children, steps)

    def _combined(self, ctx: Context, scored: list[NodeResult], steps: list[Step]) -> Fraction:
        """The raw score of ``combine``; its step gives back or takes what the children's
        own losses do not account for, so that the ledger still adds up."""
        assert self.combine is not None
        scope = self.combine.scope(ctx.scope, scored)
        try:
            exact, entry, shown = self.combine.score(scope, self.line)
        except ScoreProblem as problem:
            raise ScoreProblems([problem]) from None
        where = entry.line or self.line
        raw, was_rounded = rounded(exact)  # a score is kept to its places, like any other
        lost = sum(
            (Fraction(result.max) - Fraction(result.score) for result in scored), Fraction(0)
        )
        steps.append(make_step("combine", shown, self.max - raw - lost, where))
        if was_rounded:
            kind, said, _ = rounding(exact, raw)
            steps.append(make_step(kind, said, None, where))
        return raw

    def _result(
        self, raw: Fraction, children: tuple[NodeResult, ...], steps: list[Step]
    ) -> NodeResult:
        score = clamp_score(raw, self.minimum, self.max, bound_text(self.minimum), self.line, steps)
        return NodeResult(
            id=self.id,
            name=self.name,
            kind="section",
            score=to_decimal(score),
            max=to_decimal(self.max),
            minimum=None if self.minimum is None else to_decimal(self.minimum),
            owners=self.owners,
            supporters=self.supporters,
            children=children,
            steps=tuple(steps),
            text=self.text or None,
            line=self.line,
        )

    def __repr__(self) -> str:
        return (
            f"<section {self.id} {self.name!r} max {fmt(self.max)}: {len(self.children)} children>"
        )


def deducts(node: Section | Item) -> bool:
    """A deduction-only child: its score only ever takes points away."""
    return node.max == 0 and (node.minimum is None or node.minimum < 0)
