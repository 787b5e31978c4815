"""``no-cap``: the sides of a score the source leaves unbounded, said, not assumed.

A deduction-only item written ``deduct`` (no ``at most``) has no lower
bound, and a bonus without ``at most`` no upper bound: both score exactly,
but what stops them is somewhere else — the section that holds the
deductions stops at 0, the total stops at 0 and at ``total N`` — or
nowhere.  The check names the node and what, if anything, bounds it, so
that an author who forgot the cap hears of it, and one who meant it can
read where the sum stops.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from ..diagnostics import Diagnostic
from ..i18n import _
from ..nodes.tree import Item, Section
from ..values import fmt
from .context import Context, what


def _holders(ctx: Context, node: Item) -> list[Section | Item]:
    """The nodes above ``node``, nearest first."""
    found: list[Section | Item] = []

    def visit(nodes: Sequence[Section | Item], path: list[Section | Item]) -> bool:
        for child in nodes:
            if child is node:
                found.extend(reversed(path))
                return True
            if visit(child.children, [*path, child]):
                return True
        return False

    visit(ctx.scheme.scorer.children, [])
    return found


def _floor(ctx: Context, item: Item) -> str:
    """What stops the deductions of ``item``: the first holder with a lower bound."""
    for holder in _holders(ctx, item):
        if isinstance(holder, Item):
            if holder.minimum is not None:
                return _("{node} stops at {floor}").format(
                    node=what(holder), floor=fmt(holder.minimum)
                )
            continue
        if holder.deductions_cap is not None:
            return _("{node} deducts at most {cap}").format(
                node=what(holder), cap=fmt(holder.deductions_cap)
            )
        if holder.minimum is not None:
            return _("{node} stops at {floor}").format(node=what(holder), floor=fmt(holder.minimum))
    return _("the scheme's total stops at 0")


def check_caps(ctx: Context) -> Iterator[Diagnostic]:
    """``no-cap``: a deduction-only item or a bonus written without a cap."""
    scorer = ctx.scheme.scorer
    for item in ctx.items():
        if not item.uncapped:
            continue
        if item.deduct_only:
            yield ctx.diagnostic(
                "no-cap",
                _(
                    "the deductions of {node} have no lower bound: the item can fall "
                    "below any score; {stop}"
                ).format(node=what(item), stop=_floor(ctx, item)),
                ctx.header(item),
                hint=_("if the source caps them (最高扣N分), write `deduct at most N`"),
            )
            continue
        if scorer.total is not None and not scorer.plus_bonus:
            message = _(
                "{node} has no cap: it adds whatever it awards; the total stops at {total}"
            ).format(node=what(item), total=fmt(scorer.total))
        else:
            message = _(
                "{node} has no cap: it adds whatever it awards; nor has the total "
                "(`total N plus bonus`, or no `total`)"
            ).format(node=what(item))
        yield ctx.diagnostic(
            "no-cap",
            message,
            ctx.header(item),
            hint=_("if the source caps it (最高加N分), write `at most N` after its name"),
        )
