"""扣分说明: the notice each assessed unit receives about the points it lost (a feedback letter).

A feedback letter in the style an assessment office sends: the unit, its
total, grade and rank, then each point lost — the item under its section,
the clause as the rule quotes it (原文) and the rule line that applied, the
data that triggered it, the points, the responsible and supporting offices
— then the vetoes that fired and the bonuses awarded.

Nothing is computed again: the points are the result's ledger
(:meth:`Result.lost_points`) grouped by node, in the order of the rule; the
rank is :meth:`Results.ranking`'s.  The entries of a notice add up to
``max − total`` exactly, as the ledger does.  :func:`build_notice` gives
the notice as data (for reports that lay it out themselves),
:func:`notice` as text in the current language.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING

import attrs

from .i18n import _, language, pgettext
from .values import fmt, to_decimal

if TYPE_CHECKING:
    from .results import LostPoints, NodeResult, Results
    from .scheme import Scheme

#: What separates the notices of a cohort: a form feed, so each unit's
#: letter starts a new page when printed.
SEPARATOR = "\f\n"


@attrs.frozen
class NoticePoint:
    """One point lost: a node of the rule and what it lost there (net of what a floor
    or cap of the same node gave back)."""

    path: tuple[str, ...]
    amount: Decimal
    #: The clause text the rule quotes (``text "…"``), of the node or of its item.
    quotation: tuple[str, ...]
    #: ``(line, text)`` of each rule line that took or gave back points here.
    lines: tuple[tuple[int, str], ...]
    #: Each ledger entry's own account, when there are several (``12 × 0.3``, ``floor 0``).
    reasons: tuple[tuple[str, Decimal], ...]
    #: The values read, ``(column, shown)``, and the trace's notes about them.
    data: tuple[tuple[str, str], ...]
    notes: tuple[str, ...]
    owners: tuple[str, ...]
    supporters: tuple[str, ...]
    #: The node's id in the rule (a report shows it beside the name).
    id: str = ""

    def lines_shown(self) -> tuple[tuple[int, str], ...]:
        """:attr:`lines` for the reader: an English line in Chinese keywords when the
        language is Chinese (「低于目标值 5–10 个百分点 → 扣 6 分」)."""
        if language() != "zh":
            return self.lines
        from .fmt import line_in_chinese  # the parser, only for a Chinese reader

        return tuple((line, line_in_chinese(text)) for line, text in self.lines)


@attrs.frozen
class NoticeVeto:
    """A veto that fired: ``said()`` is its sentence in the current language."""

    name: str
    effect: str
    line: int | None
    owners: tuple[str, ...]

    def said(self) -> str:
        """``name (line 95): grade D`` (``名称（第 95 行）：等级 D``)."""
        where = (
            _("{name} (line {line})").format(name=self.name, line=self.line)
            if self.line
            else self.name
        )
        return _("{veto}: {effect}").format(veto=where, effect=self.effect)


@attrs.frozen
class Notice:
    """One unit's 扣分说明 as data; :meth:`text` lays it out."""

    scheme: str
    entity: str
    total: Decimal
    max: Decimal
    grade: str | None
    rank: int | None
    cohort: int
    points: tuple[NoticePoint, ...]
    vetoes: tuple[NoticeVeto, ...]
    #: Bonuses awarded: ``(name, points, owners)``.
    bonuses: tuple[tuple[str, Decimal, tuple[str, ...]], ...]
    #: What the bonuses added to the total (after its cap, if the total has one).
    bonus_points: Decimal
    #: The scheme's other steps (the total's cap, a veto's score): ``(what, amount)``.
    adjustments: tuple[tuple[str, Decimal], ...]

    @property
    def deducted(self) -> Decimal:
        """The points lost item by item."""
        return _sum(point.amount for point in self.points)

    @property
    def lost(self) -> Decimal:
        """``max − total``: the points lost, less the bonus points, plus the adjustments."""
        amounts = [
            self.deducted,
            self.bonus_points.copy_negate(),
            *(amount for _, amount in self.adjustments),
        ]
        return _sum(amounts)

    def text(self) -> str:
        """The notice as a letter, in the current language."""
        return _render(self)


def build_notice(results: Results, entity: str, scheme: Scheme | None = None) -> Notice:
    """The notice of ``entity`` as data.

    With ``scheme`` (the one ``results`` were scored by), each point quotes
    its rule lines as written and names a column by its declared header;
    without it, the ledger's own account of each line stands for them.
    Raises :class:`KeyError` for an entity that has no result.
    """
    result = results[entity]
    rank = next((place for place, known in results.ranking() if known is result), None)
    ledger: dict[str, list[LostPoints]] = {}
    for entry in result.lost_points():
        ledger.setdefault(entry.node_id, []).append(entry)
    points: list[NoticePoint] = []
    bonuses: list[tuple[str, Decimal, tuple[str, ...]]] = []
    for node, ancestors in _walk(result.nodes, ()):
        if node.kind == "bonus" and node.score:
            bonuses.append((_named(node, ancestors), node.score, _inherited(node, ancestors)[0]))
        entries = ledger.get(node.id, [])
        amount = _sum(entry.amount for entry in entries)
        if amount:
            points.append(_point(node, ancestors, entries, amount, scheme))
    steps = ledger.get("", [])
    bonus_points = _sum(entry.amount for entry in steps if entry.kind == "bonus").copy_negate()
    adjustments = tuple((entry.reason, entry.amount) for entry in steps if entry.kind != "bonus")
    vetoes = tuple(NoticeVeto(hit.name, hit.effect, hit.line, hit.owners) for hit in result.vetoes)
    return Notice(
        result.scheme,
        entity,
        result.total,
        result.max,
        result.grade,
        rank,
        len(results),
        tuple(points),
        vetoes,
        tuple(bonuses),
        bonus_points,
        adjustments,
    )


def notice(results: Results, entity: str, scheme: Scheme | None = None) -> str:
    """The 扣分说明 of ``entity``: the letter its office receives, as text.

    In the current language (:func:`qualitykpi.use_language`); see
    :func:`build_notice` for ``scheme``.
    """
    return build_notice(results, entity, scheme).text()


def notices(results: Results, scheme: Scheme | None = None) -> str:
    """Every entity's notice, in the order of the rows, each on a page of its own
    (separated by a form feed)."""
    return SEPARATOR.join(notice(results, entity, scheme) for entity in results.results)


# ------------------------------------------------------------------ gathering


def _walk(
    nodes: tuple[NodeResult, ...], ancestors: tuple[NodeResult, ...]
) -> Iterator[tuple[NodeResult, tuple[NodeResult, ...]]]:
    for node in nodes:
        yield node, ancestors
        yield from _walk(node.children, (*ancestors, node))


def _sum(amounts: Iterator[Decimal] | list[Decimal]) -> Decimal:
    # Exactly: a Decimal sum rounds to its context's 28 digits.
    return to_decimal(sum((Fraction(amount) for amount in amounts), Fraction(0)))


def _named(node: NodeResult, ancestors: tuple[NodeResult, ...]) -> str:
    return " › ".join(part.name for part in (*ancestors, node))


def _inherited(
    node: NodeResult, ancestors: tuple[NodeResult, ...]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The offices of the nearest node that names them: a part answers to its item's."""
    for holder in (node, *reversed(ancestors)):
        if holder.owners or holder.supporters:
            return holder.owners, holder.supporters
    return (), ()


def _point(
    node: NodeResult,
    ancestors: tuple[NodeResult, ...],
    entries: list[LostPoints],
    amount: Decimal,
    scheme: Scheme | None,
) -> NoticePoint:
    quotation: tuple[str, ...] = ()
    for holder in (node, *reversed(ancestors)):
        if holder.text:
            quotation = tuple(holder.text.splitlines())
            break
    lines: dict[int, str] = {}
    for entry in entries:
        # Other steps (an assessor's score, a cap) sit on a node's header line,
        # which says nothing: their own account is shown instead.
        if entry.kind in _QUOTED and entry.line is not None and entry.line not in lines:
            lines[entry.line] = _line_text(scheme, entry.line, entry.reason)
    quoted_only = len(entries) == 1 and entries[0].kind in _QUOTED
    reasons = () if quoted_only else tuple((entry.reason, entry.amount) for entry in entries)
    headers: Mapping[str, str | None] = (
        {name: spec.header for name, spec in scheme.inputs.items()} if scheme else {}
    )
    # An assessed item's own column is its score, which its reason states.
    data = tuple(
        (headers.get(name) or name, shown) for name, shown in node.inputs if name != node.id
    )
    notes = tuple(step.description for step in node.steps if step.kind == "note")
    owners, supporters = _inherited(node, ancestors)
    return NoticePoint(
        tuple(part.name for part in (*ancestors, node)),
        amount,
        quotation,
        tuple(lines.items()),
        reasons,
        data,
        notes,
        owners,
        supporters,
        node.id,
    )


#: The steps whose rule line is the clause that decided them.
_QUOTED = ("line", "clause")


def _line_text(scheme: Scheme | None, line: int, fallback: str) -> str:
    """A rule line as its author wrote it, without its comment."""
    if scheme is None or scheme.source is None:
        return fallback
    text = scheme.source.line_text(line).split("#", 1)[0].strip()
    return text or fallback


# ------------------------------------------------------------------ layout


_NUMERALS = "一二三四五六七八九十"


def _heading(number: int, title: str) -> str:
    if language() == "zh":
        return f"{_NUMERALS[number - 1]}、{title}"
    return f"{number}. {title}"


def _quoted(text: str) -> str:
    return f"「{text}」" if language() == "zh" else f"“{text}”"


def joined(parts: Iterable[str]) -> str:
    """Parts of a sentence, with the comma of the language."""
    return ("，" if language() == "zh" else ", ").join(parts)


def offices_line(owners: tuple[str, ...], supporters: tuple[str, ...]) -> str | None:
    """The sentence naming the responsible (and supporting) offices, or None."""
    listed = "、".join(owners) if language() == "zh" else ", ".join(owners)
    if supporters:
        helpers = "、".join(supporters) if language() == "zh" else ", ".join(supporters)
        if owners:
            return _("Responsible office: {owners} (lead); supporting: {supporters}").format(
                owners=listed, supporters=helpers
            )
        return _("Supporting offices: {supporters}").format(supporters=helpers)
    if owners:
        return _("Responsible office: {owners}").format(owners=listed)
    return None


def signed(amount: Decimal) -> str:
    """A loss as ``deduct 6``, points given back as ``add back 0.6``."""
    if amount >= 0:
        return _("deduct {points}").format(points=fmt(amount))
    return _("add back {points}").format(points=fmt(amount.copy_negate()))


def _render(notice: Notice) -> str:
    out = [
        _("{scheme}: notice of points lost").format(scheme=notice.scheme),
        "",
        _("To: {entity}").format(entity=notice.entity),
        "",
        _(
            "Under the scoring rules of {scheme}, the points your unit lost in the "
            "assessment are set out below."
        ).format(scheme=notice.scheme),
        "",
    ]
    section = 1
    out.append(_heading(section, _("Result")))
    out.append("    " + standing(notice))
    section += 1
    if notice.points:
        lost = pgettext("notice", "Points lost ({points} in all)").format(
            points=fmt(notice.deducted)
        )
        out.append(_heading(section, lost))
    else:
        out.append(_heading(section, pgettext("notice", "Points lost")))
        out.append("    " + _("No points were lost."))
    previous: tuple[str, ...] = ()
    for number, point in enumerate(notice.points, start=1):
        out.extend(_point_lines(number, point, same_text=point.quotation == previous))
        previous = point.quotation
    for what, amount in notice.adjustments:
        out.append(
            "    "
            + _("Adjustment of the total: {what}: {points}").format(
                what=what, points=signed(amount)
            )
        )
    if notice.vetoes:
        section += 1
        out.append(_heading(section, _("Vetoes")))
        for veto in notice.vetoes:
            line = veto.said()
            offices = offices_line(veto.owners, ())
            out.append("    " + (joined([line, offices]) if offices else line))
    if notice.bonuses:
        section += 1
        out.append(_heading(section, _("Bonuses")))
        for name, points, owners in notice.bonuses:
            line = _("{name}: {points} bonus points").format(name=name, points=fmt(points))
            offices = offices_line(owners, ())
            out.append("    " + (joined([line, offices]) if offices else line))
        if notice.bonus_points != _sum(bonus[1] for bonus in notice.bonuses):
            # The total's cap kept part of them back.
            added = _("Added to the total: {points}").format(points=fmt(notice.bonus_points))
            out.append("    " + added)
    out.append("")
    if notice.points:
        out.append(_("Please review the points above and see to their improvement."))
        out.append("")
    out.append(_("This is to inform your unit."))
    return "\n".join(out) + "\n"


def standing(notice: Notice) -> str:
    """Total, grade and rank, as one sentence: ``总分 89.6 分（满分 100 分），等级 D，…。``"""
    parts = [
        pgettext("notice", "total {total} of {max}").format(
            total=fmt(notice.total), max=fmt(notice.max)
        )
    ]
    if notice.grade is not None:
        parts.append(_("grade {grade}").format(grade=notice.grade))
    if notice.rank is not None:
        parts.append(
            _("rank {rank} of the {count} units assessed").format(
                rank=notice.rank, count=notice.cohort
            )
        )
    return _("{standing}.").format(standing=joined(parts))


def _point_lines(number: int, point: NoticePoint, *, same_text: bool) -> list[str]:
    pad = "       "
    lines = [
        _("    {number}. {item}: {points}").format(
            number=number, item=" › ".join(point.path), points=signed(point.amount)
        )
    ]
    if same_text and point.quotation:
        # The parts of one item quote the item's text: once is enough.
        lines.append(pad + _("Text of the rules: as above"))
    else:
        for text in point.quotation:
            lines.append(pad + _("Text of the rules: {text}").format(text=_quoted(text)))
    for line, text in point.lines_shown():
        lines.append(pad + _("Rule line {line}: {text}").format(line=line, text=_quoted(text)))
    for reason, amount in point.reasons:
        lines.append(pad + _("{reason}: {points}").format(reason=reason, points=signed(amount)))
    if point.data:
        shown = joined([f"{column} {value}" for column, value in point.data])
        if point.notes:
            shown = _("{values} ({notes})").format(values=shown, notes=joined(point.notes))
        lines.append(pad + _("Data: {values}").format(values=shown))
    offices = offices_line(point.owners, point.supporters)
    if offices:
        lines.append(pad + offices)
    return lines
