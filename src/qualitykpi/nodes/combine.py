"""``combine``: how a section's children make its score, when it is not their sum.

``combine → min(score of tasks, score of result)`` or a table of lines
``class = "一类" → 0.4 × score of econ + 0.6 × score of eco``, read top to
bottom, the first whose test holds deciding (``otherwise`` holds always).
The children's maxima need not add up to the section's: the section's
score is what the expression gives, clamped to its bounds.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from fractions import Fraction

import attrs

from ..i18n import _
from ..phrases import Said
from ..results import NodeResult
from .arithmetic import traced
from .conditions import ScoreProblem
from .derived import Test, leaves
from .expressions import Domains, Expression, Scope


@attrs.frozen
class CombineLine:
    """When ``test`` holds (None: always), the section's score is ``expression``."""

    test: Test | None
    expression: Expression
    text: str = ""
    line: int | None = None


def _lines(values: Iterable[CombineLine]) -> tuple[CombineLine, ...]:
    return tuple(values)


@attrs.frozen
class Combination:
    """The lines of a ``combine``."""

    lines: tuple[CombineLine, ...] = attrs.field(converter=_lines)

    def scope(self, base: Scope | None, children: Sequence[NodeResult]) -> Scope:
        scores = {
            key: Fraction(node.score)
            for child in children
            for node in child.walk()
            for key in (node.id, node.name)
        }
        maxima = {
            key: Fraction(node.max)
            for child in children
            for node in child.walk()
            for key in (node.id, node.name)
        }
        return attrs.evolve(base or Scope(), scores=scores, maxima=maxima)

    def score(self, scope: Scope, line: int | None) -> tuple[Fraction, CombineLine, Said]:
        """The exact score, the line that gave it, and how it was worked out."""
        for entry in self.lines:
            try:
                if entry.test is None or entry.test.holds(scope):
                    value = entry.expression.evaluate(scope)
                    return value, entry, traced("combine", entry.expression, scope)
            except ScoreProblem as problem:
                raise ScoreProblem(
                    problem.message,
                    input=problem.input,
                    value=problem.value,
                    line=problem.line or entry.line or line,
                ) from None
        raise ScoreProblem(_("no line of `combine` holds"), input=None, value=None, line=line)

    def bounds(self, domains: Domains) -> tuple[Fraction | None, Fraction | None]:
        """The scores its lines can give, from the children's bounds (None: unbounded)."""
        lows: list[Fraction | None] = []
        highs: list[Fraction | None] = []
        for entry in self.lines:
            low, high = entry.expression.bounds(domains)
            lows.append(low)
            highs.append(high)
        low = None if None in lows else min(x for x in lows if x is not None)
        high = None if None in highs else max(x for x in highs if x is not None)
        return low, high

    def reads(self) -> frozenset[str]:
        """The inputs and computed values its lines read (not the nodes' scores)."""
        found: set[str] = set()
        for entry in self.lines:
            found |= entry.expression.needs().inputs
            if entry.test is not None:
                found |= {leaf.name for leaf in leaves(entry.test) if leaf.subject is None}
        return frozenset(found)

    def __repr__(self) -> str:
        return "<combine " + "; ".join(entry.expression.text() for entry in self.lines) + ">"
