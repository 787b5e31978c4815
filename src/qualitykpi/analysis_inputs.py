"""The checks of one input's declaration: its precision, its bounds and its levels.

Run by :mod:`qualitykpi.analysis` for every input it declares, each error
reported through the :class:`~qualitykpi.analysis_lines.LineAnalyser`.
"""

from __future__ import annotations

from . import syntax
from .analysis_lines import LineAnalyser
from .i18n import _
from .values import level_key


def check_declaration(lines: LineAnalyser, decl: syntax.InputDecl) -> None:
    """Report what cannot be meant in ``decl`` (its name is checked by the caller)."""
    _bounds(lines, decl)
    if decl.type == "level":
        _levels(lines, decl)
    if decl.precision is not None:
        if decl.type == "yes/no":
            lines.error("bad-precision", _("a yes/no input has no precision"), decl.precision.span)
        elif decl.precision.value <= 0:
            lines.error(
                "bad-precision",
                _("a precision is a positive step such as 0.1"),
                decl.precision.span,
            )


def _levels(lines: LineAnalyser, decl: syntax.InputDecl) -> None:
    """``one of "完整", "部分", "未建立"``: some levels, each once, none empty."""
    if not decl.levels:
        lines.error(
            "level-list",
            _('`{name}` is one of no values; list them: `one of "完整", "部分", "未建立"`').format(
                name=decl.name
            ),
            decl.span,
        )
    seen: dict[str, syntax.Label] = {}
    for label in decl.levels:
        key = level_key(label.value)
        if not key:
            lines.error("level-list", _("a level needs some text between its quotes"), label.span)
        elif key in seen:
            lines.error(
                "level-list",
                (
                    _("{level} is listed twice among the levels of `{input}` (as {first})")
                    if seen[key].value != label.value
                    else _("{level} is listed twice among the levels of `{input}`")
                ).format(level=label, input=decl.name, first=seen[key]),
                label.span,
            )
        else:
            seen[key] = label


def _bounds(lines: LineAnalyser, decl: syntax.InputDecl) -> None:
    """``at least A`` / ``at most B`` of an input: numbers of its own kind, in order."""
    given = [bound for bound in (decl.low, decl.high) if bound is not None]
    if not given:
        return
    if decl.type == "yes/no":
        lines.error("type-mismatch", _("a yes/no input has no range of values"), given[0].span)
        return
    for bound in given:
        lines.number_for(bound, decl)
    low, high = decl.low, decl.high
    if low is not None and high is not None and low.value > high.value:
        lines.error(
            "reversed-range",
            _(
                "`{name}` is at least {low} and at most {high}, which no value "
                "is; swap the two numbers"
            ).format(name=decl.name, low=low.text, high=high.text),
            high.span,
        )
