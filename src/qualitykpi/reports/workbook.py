"""The report workbook: what an assessment office prints and hands on.

``qualitykpi report … -o FILE.xlsx`` and ``qualitykpi score … -o FILE.xlsx``
write it.  Sheets, named in the language of the moment:

* the ranking (排名): the title block, then rank, entity, total, grade,
  vetoes and each top-level section's subtotal, with each section's max
  under its name; the lowest grade of the scheme's scale is shaded and the
  vetoes that fired are in red; the office's notes under the table;
* charts (图表): totals by entity, the grade distribution and the points
  lost by office, native Excel charts over small tables of their numbers;
* the breakdown (得分明细): every node of the rule (name, id, max) down the
  side, one column per entity;
* the owners (责任单位): each office, its points and duties, and the points
  it lost for each entity;
* the notices of points lost (扣分说明): every entity's, as
  :func:`~qualitykpi.feedback.build_notice` gives it (``score`` writes them
  with ``--explain``);
* data errors, when rows had any.

Every number is an exact cell (see :mod:`qualitykpi.reports.xlsx`); every
sheet prints on A4 (:func:`~qualitykpi.reports.xlsx.print_setup`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from decimal import Decimal
from fractions import Fraction
from os import PathLike
from typing import Any, TypeVar

from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.styles import Alignment  # type: ignore[import-untyped]

from ..feedback import Notice, build_notice, signed
from ..i18n import _, language, ngettext, pgettext
from ..nodes.tree import Item, Section
from ..results import Results
from ..scheme import Scheme
from ..values import to_decimal
from . import error_json, number, ranking_header, top_columns, vetoes_text
from .document import ReportInfo
from .owners import OWNERS_NOTE, Office, owner_table
from .workbook_charts import add_charts
from .xlsx import (
    BOLD,
    GROUP_FILL,
    LOW_FILL,
    LOW_FONT,
    NAME,
    NUMBER,
    QUIET,
    VETO_FONT,
    Cell,
    Column,
    heading,
    paragraph,
    print_setup,
    write_table,
)

CENTRED = Alignment(horizontal="center", vertical="top")


def title_of(scheme: Scheme, info: ReportInfo) -> str:
    return info.title if info.title is not None else scheme.name


def _date(info: ReportInfo) -> str:
    day = info.date
    if language() == "zh":
        return f"{day.year}年{day.month}月{day.day}日"
    return day.isoformat()


def subtitle(scheme: Scheme, results: Results | None, info: ReportInfo) -> str:
    """The line under a sheet's title: the year, the cohort, the date."""
    parts = []
    if info.year:
        parts.append(_("Assessment year: {year}").format(year=info.year))
    if results is not None:
        cohort = ngettext(
            "{count} entity scored, max {max}", "{count} entities scored, max {max}", len(results)
        )
        parts.append(cohort.format(count=len(results), max=number(to_decimal(scheme.scorer.max))))
    parts.append(_("Date: {date}").format(date=_date(info)))
    return "    ".join(parts)


def _part_title(scheme: Scheme, info: ReportInfo, part: str) -> str:
    # Translators: a sheet's title: the report's title, then what the sheet holds.
    return _("{title} — {part}").format(title=title_of(scheme, info), part=part)


def lowest_grade(results: Results) -> str | None:
    """The lowest grade of the scheme's scale (whatever it is called), if it has one."""
    return results.grades[-1] if results.grades else None


# ------------------------------------------------------------------ ranking


def _ranking(book: Any, scheme: Scheme, results: Results, info: ReportInfo) -> tuple[Any, int]:
    """The ranking sheet; return it and the row of its first entity."""
    sheet = book.create_sheet(_("ranking"))
    top = heading(sheet, title_of(scheme, info), [subtitle(scheme, results, info)])
    tops = top_columns(scheme)
    header: list[Cell] = [*ranking_header(), *(column.name for column in tops)]
    maxima: list[Cell] = [None, pgettext("workbook", "max"), to_decimal(scheme.scorer.max)]
    maxima += [None, None, *(column.max for column in tops)]
    rows: list[list[Cell]] = []
    for rank, result in results.ranking():
        scores = result.scores
        rows.append(
            [
                rank,
                result.entity,
                result.total,
                result.grade,
                vetoes_text(result) or None,
                *(scores.get(column.id) for column in tops),
            ]
        )
    vetoes = Column(6, 24, wrap=True)
    layout = [Column(4, 6), NAME, NUMBER, Column(4, 8), vetoes, *(NAME for _column in tops)]
    last = write_table(sheet, top, [header, maxima], rows, layout)
    for cell in sheet[top + 1]:
        cell.font = QUIET
    low = lowest_grade(results)
    for line, (_rank, result) in enumerate(results.ranking(), start=top + 2):
        if low is not None and result.grade == low:
            for cell in sheet[line]:
                cell.fill = LOW_FILL
                cell.font = LOW_FONT
        if result.vetoes:
            sheet.cell(row=line, column=5).font = VETO_FONT
        sheet.cell(row=line, column=4).alignment = CENTRED
    sheet.freeze_panes = sheet.cell(row=top + 2, column=3)
    line = last + 2
    for text in _legend(results):
        sheet.cell(row=line, column=1, value=text).font = QUIET
        line += 1
    if info.notes:
        line += 1
        sheet.cell(row=line, column=1, value=pgettext("workbook", "Notes")).font = BOLD
        for note in info.notes:
            line += 1
            paragraph(sheet, line, note, 90)
    print_setup(sheet, title_of(scheme, info), header_rows=(top, top + 1))
    return sheet, top + 2


def _legend(results: Results) -> list[str]:
    low = lowest_grade(results)
    lines = []
    if low is not None and any(result.grade == low for result in results):
        lines.append(_("Grade {grade} is shaded.").format(grade=low))
    if any(result.vetoes for result in results):
        lines.append(_("A veto that fired is in red."))
    return lines


# ---------------------------------------------------------------- breakdown


def _nodes(nodes: Sequence[Section | Item], depth: int = 0) -> Iterator[tuple[Section | Item, int]]:
    for node in nodes:
        yield node, depth
        yield from _nodes(node.children, depth + 1)


def _breakdown(book: Any, scheme: Scheme, results: Results, info: ReportInfo) -> None:
    sheet = book.create_sheet(_("breakdown"))
    part = pgettext("workbook", "Scores by item")
    top = heading(sheet, _part_title(scheme, info, part), [subtitle(scheme, results, info)])
    ranked = [result for _rank, result in results.ranking()]
    header: list[Cell] = [
        pgettext("workbook", "item"),
        pgettext("workbook", "id"),
        pgettext("workbook", "max"),
        *(result.entity for result in ranked),
    ]
    rows: list[list[Cell]] = [
        [_("total"), None, to_decimal(scheme.scorer.max), *(result.total for result in ranked)],
    ]
    if results.grades:
        rows.append([_("grade"), None, None, *(result.grade for result in ranked)])
    nodes = list(_nodes(scheme.scorer.children))
    for node, _depth in nodes:
        ceiling = node.ceiling if isinstance(node, Item) else node.max
        maximum = None if ceiling is None else to_decimal(node.max)
        rows.append(
            [node.name, node.id, maximum, *(result.scores.get(node.id) for result in ranked)]
        )
    layout = [Column(12, 40, wrap=True), Column(4, 14), NUMBER, *(NUMBER for _result in ranked)]
    write_table(sheet, top, [header], rows, layout)
    first = top + 1 + len(rows) - len(nodes)
    for cell in sheet[top + 1]:
        cell.font = BOLD
    for line, (node, depth) in enumerate(nodes, start=first):
        name = sheet.cell(row=line, column=1)
        name.alignment = Alignment(wrap_text=True, vertical="top", horizontal="left", indent=depth)
        if isinstance(node, Section):
            for cell in sheet[line]:
                cell.font = BOLD
                cell.fill = GROUP_FILL
    sheet.freeze_panes = sheet.cell(row=top + 1, column=4)
    print_setup(sheet, title_of(scheme, info), header_rows=(top, top), title_columns=3)


# ------------------------------------------------------------------- owners


def _duties(office: Office) -> str:
    lines = [f"{item.id} {item.name}" for item in office.items]
    lines += [
        _("support: {item}").format(item=f"{item.id} {item.name}") for item in office.supports
    ]
    lines += [_("veto: {name}").format(name=name) for name, _line in office.vetoes]
    return "\n".join(lines)


def owners_sheet(
    book: Any, scheme: Scheme, results: Results | None, info: ReportInfo, *, duties: bool = True
) -> None:
    """The responsibility table; with results, the points each office lost per entity.

    Without ``duties``, the items each office answers for are left out (the
    workbook lists them in its breakdown), which keeps the sheet to a page.
    """
    sheet = book.create_sheet(_("owners"))
    part = pgettext("workbook", "Points lost by office")
    if results is None:
        part = pgettext("workbook", "Responsibility table")
    top = heading(sheet, _part_title(scheme, info, part), [subtitle(scheme, results, info)])
    offices, entities, lost = owner_table(scheme, results)
    if results is not None:
        entities = [result.entity or "" for _rank, result in results.ranking()]
    header: list[Cell] = [_("office"), _("points"), *([_("items")] if duties else []), *entities]
    rows: list[list[Cell]] = []
    for office in offices:
        by_entity = lost.get(office.name, {})
        losses = [by_entity.get(entity, Decimal(0)) for entity in entities]
        listed = [_duties(office)] if duties else []
        rows.append([office.label, office.points, *listed, *losses])
    layout = [Column(8, 20, wrap=True), NUMBER]
    layout += [Column(12, 36, wrap=True)] if duties else []
    layout += [NUMBER for _entity in entities]
    last = write_table(sheet, top, [header], rows, layout)
    if results is not None:
        sheet.cell(row=last + 2, column=1, value=_(OWNERS_NOTE)).font = QUIET
    sheet.freeze_panes = sheet.cell(row=top + 1, column=2)
    print_setup(sheet, title_of(scheme, info), header_rows=(top, top), title_columns=1)


def office_losses(scheme: Scheme, results: Results) -> list[tuple[str, Decimal]]:
    """Each office's points lost over the whole cohort, in the table's order."""
    offices, entities, lost = owner_table(scheme, results)
    totals = []
    for office in offices:
        by_entity = lost.get(office.name, {})
        total = sum((Fraction(by_entity.get(entity, 0)) for entity in entities), Fraction(0))
        totals.append((office.label, to_decimal(total)))
    return totals


# ------------------------------------------------------------------ notices


def _joined(parts: Sequence[str]) -> str:
    return ("，" if language() == "zh" else ", ").join(parts)


def _standing(notice: Notice) -> str:
    total = pgettext("notice", "total {total} of {max}")
    parts = [total.format(total=number(notice.total), max=number(notice.max))]
    if notice.grade is not None:
        parts.append(_("grade {grade}").format(grade=notice.grade))
    if notice.rank is not None:
        rank = _("rank {rank} of the {count} units assessed")
        parts.append(rank.format(rank=notice.rank, count=notice.cohort))
    return _joined(parts)


def _offices(owners: Sequence[str], supporters: Sequence[str]) -> str | None:
    listed = _(", ").join(owners)
    if supporters:
        helpers = _(", ").join(supporters)
        return _("{owners} (lead); supporting: {supporters}").format(
            owners=listed, supporters=helpers
        )
    return listed or None


def _notice_rows(notice: Notice) -> list[tuple[str, list[Cell]]]:
    """One entity's notice as rows, each with its kind (``entity``, ``point``, …)."""
    entity = notice.entity
    lost = pgettext("workbook", "points lost in all")
    rows: list[tuple[str, list[Cell]]] = [
        ("entity", [entity, None, lost, notice.lost, _standing(notice), None, None, None])
    ]
    for point in notice.points:
        shown = point.lines_shown()
        how = [_("line {line}: {text}").format(line=line, text=text) for line, text in shown]
        how += [
            _("{reason}: {points}").format(reason=reason, points=signed(amount))
            for reason, amount in point.reasons
        ]
        data = _(", ").join(f"{column} {value}" for column, value in point.data)
        if point.notes:
            data = _("{values} ({notes})").format(values=data, notes=_joined(point.notes))
        rows.append(
            (
                "point",
                [
                    entity,
                    point.id or None,
                    point.path[-1],
                    point.amount,
                    "\n".join(point.quotation) or None,
                    "\n".join(how) or None,
                    data or None,
                    _offices(point.owners, point.supporters),
                ],
            )
        )
    for what, amount in notice.adjustments:
        rows.append(("adjustment", [entity, None, what, amount, None, None, None, None]))
    bonus_rows = [
        [entity, None, name, None, None, _("{points} bonus points").format(points=number(points))]
        for name, points, _owners in notice.bonuses
    ]
    for (_name, _points, owners), cells in zip(notice.bonuses, bonus_rows, strict=True):
        rows.append(("bonus", [*cells, None, _offices(owners, ())]))
    if notice.bonus_points:
        added = pgettext("workbook", "bonus points added to the total")
        rows.append(("bonus", [entity, None, added, -notice.bonus_points, None, None, None, None]))
    for veto in notice.vetoes:
        where = _("line {line}: {text}").format(line=veto.line, text=veto.effect)
        rows.append(
            (
                "veto",
                [
                    entity,
                    None,
                    _("veto: {name}").format(name=veto.name),
                    None,
                    None,
                    where if veto.line else veto.effect,
                    None,
                    _offices(veto.owners, ()),
                ],
            )
        )
    return rows


#: The column of a notice's rows that holds the data read.
DATA = 6
T = TypeVar("T")


def _without(cells: Sequence[T], index: int) -> list[T]:
    return [cell for place, cell in enumerate(cells) if place != index]


def _notices(book: Any, scheme: Scheme, results: Results, info: ReportInfo) -> None:
    sheet = book.create_sheet(pgettext("workbook", "notices"))
    part = pgettext("workbook", "Notices of points lost")
    top = heading(sheet, _part_title(scheme, info, part), [subtitle(scheme, results, info)])
    header: list[Cell] = [
        _("entity"),
        pgettext("workbook", "id"),
        pgettext("workbook", "item"),
        pgettext("workbook", "points lost"),
        pgettext("workbook", "clause"),
        pgettext("workbook", "how it was scored"),
        pgettext("workbook", "data"),
        _("office"),
    ]
    kinds: list[str] = []
    rows: list[list[Cell]] = []
    for _rank, result in results.ranking():
        for kind, cells in _notice_rows(build_notice(results, result.entity or "", scheme)):
            kinds.append(kind)
            rows.append(cells)
    layout = [NAME, Column(4, 12), Column(10, 24, wrap=True), NUMBER]
    layout += [Column(10, 40, wrap=True), Column(10, 30, wrap=True), Column(6, 20, wrap=True), NAME]
    if not any(row[DATA] for row in rows):
        # Data read from columns (not an assessor's scores): most rules have none.
        header, layout = _without(header, DATA), _without(layout, DATA)
        rows = [_without(row, DATA) for row in rows]
    write_table(sheet, top, [header], rows, layout)
    for line, kind in enumerate(kinds, start=top + 1):
        if kind == "entity":
            for cell in sheet[line]:
                cell.font = BOLD
                cell.fill = GROUP_FILL
            # The entity's standing, on one line across the clause and how it was scored.
            sheet.merge_cells(start_row=line, start_column=5, end_row=line, end_column=6)
            sheet.cell(row=line, column=5).alignment = Alignment(vertical="top")
            sheet.row_dimensions[line].height = None
        else:
            sheet.cell(row=line, column=1).font = QUIET
        if kind == "veto":
            sheet.cell(row=line, column=3).font = VETO_FONT
    sheet.freeze_panes = sheet.cell(row=top + 1, column=2)
    print_setup(sheet, title_of(scheme, info), header_rows=(top, top), title_columns=1)


# ------------------------------------------------------------------- errors


def _errors(book: Any, scheme: Scheme, results: Results, info: ReportInfo) -> None:
    sheet = book.create_sheet(_("errors"))
    part = pgettext("workbook", "Data errors")
    top = heading(sheet, _part_title(scheme, info, part), [subtitle(scheme, results, info)])
    header: list[Cell] = [_("entity"), _("input"), _("value"), _("message"), _("line")]
    rows: list[list[Cell]] = []
    for error in results.errors:
        data = error_json(error)
        value = data["value"]
        rows.append(
            [
                data["entity"],
                data["input"],
                None if value is None else str(value),
                data["message"],
                data["line"],
            ]
        )
    layout = [NAME, Column(6, 20), Column(6, 20), Column(20, 60, wrap=True), Column(4, 6)]
    write_table(sheet, top, [header], rows, layout)
    sheet.freeze_panes = sheet.cell(row=top + 1, column=2)
    print_setup(sheet, title_of(scheme, info), header_rows=(top, top), title_columns=1)


# ------------------------------------------------------------------ writers


def _book() -> Any:
    book = Workbook()
    book.remove(book.active)
    return book


def write_workbook(
    path: str | PathLike[str],
    scheme: Scheme,
    results: Results,
    info: ReportInfo | None = None,
    *,
    notices: bool = True,
) -> None:
    """Write the workbook to ``path``; ``notices`` False leaves out the notices."""
    info = info if info is not None else ReportInfo()
    book = _book()
    ranking, first = _ranking(book, scheme, results, info)
    add_charts(
        book,
        scheme,
        results,
        (_part_title(scheme, info, pgettext("workbook", "Charts")), title_of(scheme, info)),
        subtitle(scheme, results, info),
        office_losses(scheme, results),
        totals=(ranking, first),
    )
    _breakdown(book, scheme, results, info)
    owners_sheet(book, scheme, results, info, duties=False)
    if notices:
        _notices(book, scheme, results, info)
    if results.errors:
        _errors(book, scheme, results, info)
    book.save(path)


def write_report(
    path: str | PathLike[str], scheme: Scheme, results: Results, info: ReportInfo
) -> None:
    """The report of ``qualitykpi report … -o FILE.xlsx``: the whole workbook."""
    write_workbook(path, scheme, results, info)


def write_owners(
    path: str | PathLike[str],
    scheme: Scheme,
    results: Results | None,
    info: ReportInfo | None = None,
) -> None:
    """The owners sheet on its own (``qualitykpi owners … -o FILE.xlsx``)."""
    book = _book()
    owners_sheet(book, scheme, results, info if info is not None else ReportInfo())
    book.save(path)
