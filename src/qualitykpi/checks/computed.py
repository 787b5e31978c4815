"""``ratio-number``: a ratio compared with a number that reads as a percentage.

``let growth = (rd − previous rd) / previous rd`` is a ratio: 0.1 is a
growth of 10%.  ``growth at least 10 → full`` compares it with 10, a growth
of 1,000%, which no county reaches: the line silently never holds.  The
author almost always meant ``10%``.  A ratio of five or more is rare enough
in scoring rules that a number that large, written without ``%``, is worth a
warning (a ratio of 2, "是上年的2倍", is left alone).
"""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction

from ..diagnostics import Diagnostic
from ..i18n import _
from ..nodes.tree import Item
from ..values import fmt
from .context import Context, what

#: A ratio compared with a number this large (or larger) was most likely meant in percent.
RATIO_LIMIT = Fraction(5)


def check_ratio_numbers(ctx: Context) -> Iterator[Diagnostic]:
    """``ratio-number``: ``growth at least 10`` where ``growth`` is a ratio."""
    ratios = {let.name for let in ctx.scheme.scorer.lets if let.ratio}
    if not ratios:
        return
    for item in ctx.items():
        yield from _item(ctx, item, ratios)


def _item(ctx: Context, item: Item, ratios: set[str]) -> Iterator[Diagnostic]:
    if item.table is None:
        return
    for index, line in enumerate(item.table.lines):
        if line.subject not in ratios:
            continue
        # The numbers written on its condition (a line that scores every value has none).
        large = [end.value for end in line.ends(None) if abs(end.value) >= RATIO_LIMIT]
        if not large:
            continue
        number = fmt(large[0])
        yield ctx.diagnostic(
            "ratio-number",
            _(
                "`{name}` is a ratio (0.1 is 10%), and this line of {node} compares it with "
                "{number}, that is {percent}%; did you mean `{number}%`?"
            ).format(
                name=line.subject, node=what(item), number=number, percent=fmt(large[0] * 100)
            ),
            written.span if (written := ctx.line_syntax(item, index)) else ctx.at_line(line.line),
            hint=_(
                "write `{number}%` for {number} percent; a ratio of {number} (times) is "
                "written as it is, and this warning can then be left aside"
            ).format(number=number),
        )
