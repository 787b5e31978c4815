"""The report as a Word document: the 考核结果通报 and every unit's 扣分说明.

One ``.docx`` in the form of a Chinese official document (GB/T 9704-2012,
laid out by :mod:`qualitykpi.reports.gongwen`):

* the 通报 the office sends up and out: the title, the ranking grouped by
  grade (each grade's units in rank order with their totals), the vetoes that
  fired (which unit, which veto, its effect, the responsible office), the
  office's notes, the attachment line and the date;
* then, as its attachment, one 扣分说明 per unit, in rank order, each
  starting on a new page: a feedback letter to the unit with its total, grade
  and rank, each point lost with its item, the rule's text (原文), the rule
  line and the data that decided it and the responsible office, then the
  vetoes and bonuses (:func:`qualitykpi.feedback.build_notice` gives the
  data; nothing is scored again).

In the current language (:func:`qualitykpi.use_language`).  Every number is
the exact decimal text of its :class:`~decimal.Decimal`.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Sequence
from itertools import groupby
from os import PathLike
from pathlib import Path
from typing import Any

from ..feedback import Notice, NoticePoint, build_notice, joined, offices_line, signed, standing
from ..i18n import _, language, ngettext, pgettext
from ..results import Result, Results
from ..scheme import Scheme
from ..values import fmt
from . import gongwen as page
from . import number, total_of
from .document import ReportInfo

#: Column widths of the ranking tables, in mm (the type area is 156 mm wide).
_WIDTHS = (24, 78, 54)
_WIDTHS_WITH_VETO = (15, 42, 54, 45)


def write_report(
    path: str | PathLike[str], scheme: Scheme, results: Results, info: ReportInfo
) -> None:
    """Write the 通报 and every unit's 扣分说明 into one Word document at ``path``."""
    document = page.new_document()
    _announcement(document, scheme, results, info)
    for _rank, result in results.ranking():
        assert result.entity is not None  # a cohort's results are named
        _notice(document, build_notice(results, result.entity, scheme), info)
    document.core_properties.title = title(scheme, info)
    document.core_properties.language = "zh-CN" if language() == "zh" else "en"
    page.save(document, path)


def write_notices(
    folder: str | PathLike[str], scheme: Scheme, results: Results, info: ReportInfo
) -> list[Path]:
    """Write each unit's 扣分说明 as a Word document of its own into ``folder`` (made
    when missing), named after the unit; the paths written, in rank order.

    An office sends each unit its own letter: these are the attachment pages of
    :func:`write_report`, one file each."""
    where = Path(folder)
    where.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    taken: set[str] = set()
    for _rank, result in results.ranking():
        assert result.entity is not None  # a cohort's results are named
        notice = build_notice(results, result.entity, scheme)
        document = page.new_document()
        _notice(document, notice, info, new_page=False)
        document.core_properties.title = _heading(notice)
        document.core_properties.language = "zh-CN" if language() == "zh" else "en"
        path = where / _file_name(result.entity, taken)
        page.save(document, path)
        written.append(path)
    return written


#: What a file name may not hold on Windows, where most offices open them.
_NOT_IN_NAMES = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


def _file_name(entity: str, taken: set[str]) -> str:
    """``{entity}扣分说明.docx``, made safe for a file system and unique in its folder
    (two units whose names differ only in such characters get ``-2``, ``-3``…)."""
    stem = pgettext("file name", "{entity} notice of points lost").format(
        entity=_NOT_IN_NAMES.sub("_", entity).strip(" .") or "_"
    )
    name, number_ = f"{stem}.docx", 1
    while name.casefold() in taken:
        number_ += 1
        name = f"{stem}-{number_}.docx"
    taken.add(name.casefold())
    return name


def title(scheme: Scheme, info: ReportInfo) -> str:
    """The 通报's title: the office's own, else one built from the scheme's name.

    The year is named unless the scheme's name has it already.
    """
    if info.title:
        return info.title
    if info.year and info.year not in scheme.name:
        return _("Notice of the results of {scheme}, {year}").format(
            scheme=scheme.name, year=info.year
        )
    return _("Notice of the results of {scheme}").format(scheme=scheme.name)


def date_text(date: datetime.date) -> str:
    """The date as official documents write it: ``2022年1月5日``, ``5 January 2022``."""
    if language() == "zh":
        # GB/T 9704 §7.3.5.1: Arabic numerals, the year in full, no leading zeros.
        return f"{date.year}年{date.month}月{date.day}日"
    return f"{date.day} {_MONTHS[date.month - 1]} {date.year}"


_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

# ----------------------------------------------------------------- numbering

_DIGITS = "〇一二三四五六七八九"


def chinese_number(value: int) -> str:
    """一 … 九十九 as official documents number their headings; Arabic from 100."""
    if not 0 < value < 100:
        return str(value)
    tens, units = divmod(value, 10)
    if tens == 0:
        return _DIGITS[units]
    head = "" if tens == 1 else _DIGITS[tens]
    return head + "十" + (_DIGITS[units] if units else "")


def _first(number_: int, text: str) -> str:
    """A first-level heading: ``一、考核结果``, ``1. Result``."""
    if language() == "zh":
        return f"{chinese_number(number_)}、{text}"
    return f"{number_}. {text}"


def _second(number_: int, text: str) -> str:
    """A second-level heading: ``（一）扣 0.5 分``, ``(1) deduct 0.5``."""
    if language() == "zh":
        return f"（{chinese_number(number_)}）{text}"
    return f"({number_}) {text}"


def _listed(names: Iterable[str]) -> str:
    return ("、" if language() == "zh" else ", ").join(names)


def _quoted(text: str) -> str:
    return f"「{text}」" if language() == "zh" else f"“{text}”"


# ------------------------------------------------------------------ 通报


def _announcement(document: Any, scheme: Scheme, results: Results, info: ReportInfo) -> None:
    page.paragraph(document, title(scheme, info), page.TITLE)
    count = len(results)
    opening = ngettext(
        "Under the scoring rules of {scheme}, the result of the {count} unit assessed "
        "is announced as follows:",
        "Under the scoring rules of {scheme}, the results of the {count} units assessed "
        "are announced as follows:",
        count,
    )
    page.paragraph(document, opening.format(scheme=scheme.name, count=count), page.BODY)
    section = 1
    graded = bool(results.grades)
    heading = _("Results and grades") if graded else _("Results")
    page.paragraph(document, _first(section, heading), page.HEADING_1)
    ranking = results.ranking()
    if graded:
        for index, (grade, members) in enumerate(
            groupby(ranking, key=lambda ranked: ranked[1].grade), start=1
        ):
            group = list(members)
            page.paragraph(
                document, _second(index, _grade_heading(grade, len(group))), page.HEADING_2
            )
            _ranking_table(document, scheme, results, group)
    else:
        _ranking_table(document, scheme, results, ranking)

    section += 1
    page.paragraph(document, _first(section, _("Vetoes")), page.HEADING_1)
    fired = [result for _rank, result in ranking if result.vetoes]
    if not fired:
        page.paragraph(document, _("No veto fired in this assessment."), page.BODY)
    for result in fired:
        for hit in result.vetoes:
            if hit.owners:
                line = _("{entity}: {veto}; {effect}. Responsible office: {owners}.")
            else:
                line = _("{entity}: {veto}; {effect}.")
            text = line.format(
                entity=result.entity, veto=hit.name, effect=hit.effect, owners=_listed(hit.owners)
            )
            page.paragraph(document, text, page.BODY)

    if info.notes:
        section += 1
        page.paragraph(document, _first(section, _("Notes")), page.HEADING_1)
        for note in info.notes:
            page.paragraph(document, note, page.BODY)

    # 附件说明: after a blank line, two characters in (GB/T 9704 §7.3.4).
    page.paragraph(document, "", page.BODY)
    attachment = _("Attachment: the notice of points lost of each unit assessed")
    page.paragraph(document, attachment, page.BODY)
    page.paragraph(document, "", page.BODY)
    page.paragraph(document, date_text(info.date), page.SIGNED)


def _grade_heading(grade: str | None, count: int) -> str:
    if grade is None:
        return ngettext(
            "Without a grade: {count} unit", "Without a grade: {count} units", count
        ).format(count=count)
    return ngettext("Grade {grade}: {count} unit", "Grade {grade}: {count} units", count).format(
        grade=grade, count=count
    )


def _ranking_table(
    document: Any, scheme: Scheme, results: Results, ranked: Sequence[tuple[int, Result]]
) -> None:
    vetoes = any(result.vetoes for result in results)
    total = pgettext("table", "Score (of {max})").format(max=number(scheme.scorer.max))
    header = [pgettext("table", "Rank"), pgettext("table", "Unit"), total]
    rows = []
    for rank, result in ranked:
        row = [str(rank), result.entity or "", number(result.total)]
        if vetoes:
            row.append(_listed(hit.name for hit in result.vetoes))
        rows.append(row)
    if vetoes:
        header.append(pgettext("table", "Vetoes"))
    page.table(document, header, rows, _WIDTHS_WITH_VETO if vetoes else _WIDTHS)


# ---------------------------------------------------------------- 扣分说明


def _heading(notice: Notice) -> str:
    return _("{scheme}: notice of points lost").format(scheme=notice.scheme)


def _notice(document: Any, notice: Notice, info: ReportInfo, *, new_page: bool = True) -> None:
    page.paragraph(document, _heading(notice), page.TITLE, new_page=new_page)
    page.paragraph(document, _("To: {entity}").format(entity=notice.entity), page.FLUSH)
    opening = _(
        "Under the scoring rules of {scheme}, the points your unit lost in the "
        "assessment are set out below."
    )
    page.paragraph(document, opening.format(scheme=notice.scheme), page.BODY)

    section = 1
    page.paragraph(document, _first(section, _("Result")), page.HEADING_1)
    page.paragraph(document, _standing(notice), page.BODY)

    section += 1
    if notice.points:
        lost = pgettext("notice", "Points lost ({points} in all)").format(
            points=fmt(notice.deducted)
        )
        page.paragraph(document, _first(section, lost), page.HEADING_1)
    else:
        page.paragraph(document, _first(section, pgettext("notice", "Points lost")), page.HEADING_1)
        page.paragraph(document, _("No points were lost."), page.BODY)
    previous: tuple[str, ...] = ()
    for index, point in enumerate(notice.points, start=1):
        _point(document, index, point, same_text=point.quotation == previous)
        previous = point.quotation
    for what, amount in notice.adjustments:
        line = _("Adjustment of the total: {what}: {points}").format(
            what=what, points=signed(amount)
        )
        page.paragraph(document, line, page.BODY)

    if notice.vetoes:
        section += 1
        page.paragraph(document, _first(section, _("Vetoes")), page.HEADING_1)
        for veto in notice.vetoes:
            line = veto.said()
            offices = offices_line(veto.owners, ())
            page.paragraph(document, joined([line, offices]) if offices else line, page.BODY)

    if notice.bonuses:
        section += 1
        page.paragraph(document, _first(section, _("Bonuses")), page.HEADING_1)
        for name, points, owners in notice.bonuses:
            line = _("{name}: {points} bonus points").format(name=name, points=fmt(points))
            offices = offices_line(owners, ())
            page.paragraph(document, joined([line, offices]) if offices else line, page.BODY)
        if notice.bonus_points != total_of(bonus[1] for bonus in notice.bonuses):
            # The total's cap kept part of them back.
            added = _("Added to the total: {points}").format(points=fmt(notice.bonus_points))
            page.paragraph(document, added, page.BODY)

    if notice.points:
        page.paragraph(
            document, _("Please review the points above and see to their improvement."), page.BODY
        )
    page.paragraph(document, _("This is to inform your unit."), page.BODY)
    page.paragraph(document, "", page.BODY)
    page.paragraph(document, date_text(info.date), page.SIGNED)


def _point(document: Any, index: int, point: NoticePoint, *, same_text: bool) -> None:
    heading = _("{item}: {points}").format(item=" › ".join(point.path), points=signed(point.amount))
    page.paragraph(document, _second(index, heading), page.HEADING_2)
    if same_text and point.quotation:
        # The parts of one item quote the item's text: once is enough.
        page.paragraph(document, _("Text of the rules: as above"), page.BODY)
    else:
        for text in point.quotation:
            line = _("Text of the rules: {text}").format(text=_quoted(text))
            page.paragraph(document, line, page.BODY)
    for line_number, text in point.lines_shown():
        line = _("Rule line {line}: {text}").format(line=line_number, text=_quoted(text))
        page.paragraph(document, line, page.BODY)
    for reason, amount in point.reasons:
        line = _("{reason}: {points}").format(reason=reason, points=signed(amount))
        page.paragraph(document, line, page.BODY)
    if point.data:
        shown = joined(f"{column} {value}" for column, value in point.data)
        if point.notes:
            shown = _("{values} ({notes})").format(values=shown, notes=joined(point.notes))
        page.paragraph(document, _("Data: {values}").format(values=shown), page.BODY)
    offices = offices_line(point.owners, point.supporters)
    if offices:
        page.paragraph(document, offices, page.BODY)


def _standing(notice: Notice) -> str:
    # A sentence of its own here, not a line of a letter's text block.
    text = standing(notice)
    return text[:1].upper() + text[1:]
