"""The checks of rule lines as written: ``no data`` lines and shorthand ranges.

:func:`check_no_data` asks for a ``no data`` line where the rest of the
scheme says what an absent value scores; :func:`check_shorthand` says which
of two adjacent ``A–B`` ranges takes their shared end.
"""

from __future__ import annotations

from collections.abc import Iterator

from .. import syntax
from ..diagnostics import Diagnostic
from ..i18n import _
from .context import Context, what
from .tables import is_no_data


def _uses_no_data(ctx: Context) -> bool:
    for item in ctx.items():
        if item.table is not None and any(is_no_data(line) for line in item.table.lines):
            return True
        if any(clause.takes_absent for clause in item.clauses):
            return True
    return any(veto.takes_absent for veto in ctx.scheme.scorer.vetoes)


def check_no_data(ctx: Context) -> Iterator[Diagnostic]:
    """``no-data-line``: only in a scheme that says elsewhere what an absent value scores."""
    if not _uses_no_data(ctx):
        return
    for item in ctx.items():
        if item.kind == "part":
            continue
        missing: list[str] = []
        for node in item.walk():
            if node.table is None:
                continue
            covered = {line.subject for line in node.table.lines if is_no_data(line)}
            missing.extend(s for s in node.table.subjects() if s not in covered)
        if missing:
            names = _(", ").join(f"`{name}`" for name in dict.fromkeys(missing))
            yield ctx.diagnostic(
                "no-data-line",
                _(
                    "{node} has no `no data` line for {inputs}: an absent value is a "
                    "data error here, while other items of this scheme say what it scores"
                ).format(node=what(item), inputs=names),
                ctx.header(item),
                hint=_('add `no data → 0` ("未报送的不得分") if an absent value should score'),
            )


def _shorthand(line: syntax.Line) -> tuple[str, syntax.Interval] | None:
    if not isinstance(line, syntax.BandLine):
        return None
    condition = line.condition
    kind = "plain"
    if isinstance(condition, syntax.TargetDelta):
        kind, condition = condition.direction, condition.delta  # type: ignore[assignment]
    if isinstance(condition, syntax.Interval) and condition.shorthand:
        return f"{line.subject}:{kind}", condition
    return None


def check_shorthand(ctx: Context) -> Iterator[Diagnostic]:
    """``shorthand-endpoint``: which of two adjacent ``A–B`` ranges takes the shared end."""
    for written in ctx.nodes.values():
        if not isinstance(written, syntax.Item):
            continue
        groups: dict[str, list[tuple[syntax.BandLine, syntax.Interval]]] = {}
        for line in written.lines:
            found = _shorthand(line)
            if found is not None:
                assert isinstance(line, syntax.BandLine)
                groups.setdefault(found[0], []).append((line, found[1]))
        for ranges in groups.values():
            shared: list[tuple[syntax.BandLine, syntax.Interval, syntax.BandLine]] = []
            for upper_line, upper in ranges:
                for lower_line, lower in ranges:
                    if lower is not upper and lower.high.value == upper.low.value:
                        shared.append((lower_line, lower, upper_line))
                        break
            if not shared:
                continue
            shared.sort(key=lambda entry: entry[2].span.line)
            words = [
                _("{end} to `{range}` (line {line})").format(
                    end=entry[1].high.text, range=entry[1].text, line=entry[0].span.line
                )
                for entry in shared
            ]
            first = shared[0]
            message = _(
                "adjacent ranges share an end, which goes to the range it ends: {ends} — "
                "a range `A–B` leaves out A and includes B (含本数)"
            ).format(ends=_(", ").join(words))
            related = {entry[0].span.line for entry in shared} | {
                entry[2].span.line for entry in shared
            }
            yield ctx.diagnostic(
                "shorthand-endpoint", message, first[2].condition.span, related=related
            )
