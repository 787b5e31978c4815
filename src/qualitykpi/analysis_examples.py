"""Semantic analysis of ``example`` lines: the values they give, what they expect.

A value must fit the input it is given for (a number for a number, a level
in quotes for a level, ``yes``/``no`` for yes/no, last period's value only
where the rule reads it, never a computed value), a peer statistic must be
one the scheme knows, and a grade is expected only of the whole scheme.
"""

from __future__ import annotations

from collections.abc import Mapping

from . import syntax
from .analysis_lines import LineAnalyser
from .i18n import _
from .source import Span


def check_example(
    lines: LineAnalyser,
    ids: Mapping[str, Span],
    example: syntax.Example,
    subject: str | None,
    *,
    top: bool = False,
) -> None:
    """An example's values against the inputs they give, and its grade's place."""
    if example.grade is not None and not top:
        lines.error(
            "misplaced",
            _(
                "only an example of the whole scheme can expect a grade; a grade "
                "belongs to the total"
            ),
            example.span,
        )
    rows = [row.assignments for row in example.rows] or [example.assignments]
    for row in example.rows:
        if row.grade is not None and not top:
            lines.error(
                "misplaced",
                _("only an example of the whole scheme can expect a grade"),
                row.span,
            )
    for assignment in (assignment for row in rows for assignment in row):
        name = assignment.name
        if name in ids and name not in lines.inputs:
            continue
        if name.startswith("previous ") and name not in lines.inputs:
            lines.error(
                "undefined-input",
                _(
                    "no rule line reads `{name}`: an example gives last period's value "
                    "only where the rule reads it"
                ).format(name=name),
                assignment.span,
            )
            continue
        if name in lines.lets:
            lines.error(
                "misplaced",
                _(
                    "`{name}` is computed from other values: give the values it is computed from"
                ).format(name=name),
                assignment.span,
            )
            continue
        decl = lines.lookup(name, assignment.span)
        if decl is None:
            continue
        value = assignment.value
        if isinstance(value, syntax.Label):
            if decl.type == "level":
                lines.level_of(value, decl)
            else:
                lines.error(
                    "type-mismatch",
                    _("`{name}` is a {type}, not a level; write its value without quotes").format(
                        name=name, type=decl.type
                    ),
                    assignment.span,
                )
        elif decl.type == "level" and value is not None:
            listed = _(", ").join(str(label) for label in decl.levels)
            lines.error(
                "type-mismatch",
                _("`{name}` is one of {listed}; write the level in quotes").format(
                    name=name, listed=listed
                ),
                assignment.span,
            )
        elif isinstance(value, bool) and decl.type != "yes/no":
            lines.error(
                "type-mismatch",
                _("`{name}` is a {type}, not yes/no").format(name=name, type=decl.type),
                assignment.span,
            )
        elif isinstance(value, syntax.Num):
            if decl.type == "yes/no":
                lines.error(
                    "type-mismatch",
                    _("`{name}` is yes/no; write `{name} = yes` or `{name} = no`").format(
                        name=name
                    ),
                    assignment.span,
                )
            else:
                lines.number_for(value, decl)
    for peer in example.peers:
        if peer.size is not None:
            # `given rank 2 of 13`: of what the item ranks, unless it names it.
            if peer.input is not None:
                lines.lookup(peer.input, peer.span)
            if not 1 <= peer.value.value <= peer.size.value:
                lines.error(
                    "bad-rank",
                    _("a rank runs from 1 to the cohort's size, not {rank} of {size}").format(
                        rank=peer.value.text, size=peer.size.text
                    ),
                    peer.span,
                )
            continue
        lines.statistic(peer.stat, peer.span)
        peer_input = peer.input or subject
        if peer_input is None:
            lines.error(
                "ambiguous-subject",
                _("name the input of this peer statistic: `given NAME peer mean V`"),
                peer.span,
            )
        elif peer_input not in lines.inputs:
            lines.lookup(peer_input, peer.span)
