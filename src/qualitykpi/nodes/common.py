"""What the tree's nodes share: their children, their bounds and how a bound is said."""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction
from typing import TYPE_CHECKING

from ..i18n import N_
from ..phrases import Said, phrase
from ..values import fmt

if TYPE_CHECKING:
    from .sections import Section
    from .tree import Item

#: The scores a node can take, lowest and highest; None: no bound on that side
#: (a deduction-only item or a bonus written without a cap).
Bounds = tuple[Fraction | None, Fraction | None]


# A typed converter: attrs' mypy plugin cannot see through a bare ``tuple``.
def as_nodes(values: Iterable[Section | Item]) -> tuple[Section | Item, ...]:
    return tuple(values)


def bound_text(value: Fraction | None) -> Said:
    """A lower bound as the trace names it."""
    return fmt(value) if value is not None else phrase(N_("no lower bound"))


def plus(a: Fraction | None, b: Fraction | None) -> Fraction | None:
    """A sum where None (unbounded) stays unbounded."""
    return None if a is None or b is None else a + b
