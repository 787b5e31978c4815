"""The fast path's arithmetic: exact decimals, or a refusal.

A compiled plan (:mod:`qualitykpi.plan`) scores on ``Decimal``, which is
many times faster than ``Fraction``, through :data:`EXACT`: a context with
room for every number the language allows and a trap on every rounding.  An
operation whose result has no exact decimal (a share of 1/3) raises instead
of rounding, and the entity is scored by the traced evaluator on
``Fraction``, which is the reference.  So the fast path is exact by
construction: it gives the reference's number or none at all.

Each node says how it evaluates fast (``fast`` methods on lines, clauses
and :class:`~qualitykpi.domains.Interval`); what it cannot do fast, it
declines with :class:`Decline` when the plan is compiled, or leaves with
:class:`Slow` for one entity.
"""

from __future__ import annotations

import decimal
from collections.abc import Callable, Mapping
from decimal import Decimal
from fractions import Fraction
from typing import TypeAlias

from .values import EXACT, is_finite_decimal, to_decimal

#: A value as the fast path reads it: a decimal, yes/no, or absent.
FastValue: TypeAlias = Decimal | bool | None
#: One entity's values by input, as the fast path reads them.
FastValues: TypeAlias = Mapping[str, FastValue]

#: Rounding on purpose (``total rounded to N places``): half up, as 四舍五入.
HALF_UP = decimal.Context(prec=400, rounding=decimal.ROUND_HALF_UP)
add = EXACT.add
subtract = EXACT.subtract
multiply = EXACT.multiply
divide = EXACT.divide
divide_int = EXACT.divide_int
ZERO = Decimal(0)
ONE = Decimal(1)


class Slow(Exception):
    """This entity leaves the fast path; the traced evaluator scores it (or names
    the problem with its data)."""


class Decline(Exception):
    """A node has no fast form (a host's scorer, a constant with no finite
    decimal); it is evaluated by the traced evaluator."""


def const(value: Fraction) -> Decimal:
    """A rule's constant as an exact decimal, once, when the plan is compiled."""
    if not is_finite_decimal(value):
        raise Decline(f"{value} has no finite decimal form")
    return to_decimal(value)


def const_or_none(value: Fraction | None) -> Decimal | None:
    return None if value is None else const(value)


def bound(value: Fraction) -> Decimal | Fraction:
    """A comparison's bound: a decimal when it has one; else the exact fraction,
    which a ``Decimal`` compares with exactly (a peer mean of 1/3)."""
    return to_decimal(value) if is_finite_decimal(value) else value


def always(value: FastValue) -> bool:
    return True


def never(value: FastValue) -> bool:
    return False


#: A line's score for a value where it holds.
FastScore: TypeAlias = Callable[[FastValue], Decimal]


def constant(score: Decimal) -> FastScore:
    def fixed(value: FastValue) -> Decimal:
        return score

    return fixed
