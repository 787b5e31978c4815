"""The report as one HTML page (``qualitykpi report … -o report.html``).

One self-contained file that opens offline — government networks have no
internet: the style sheet, the sorting script and the charts (SVG, text kept
as text) are all inline, nothing is fetched.  The page holds the title block,
the ranking (grades, vetoes, the top-level subtotals), the grade
distribution, a chart of the totals, a heat map of the points each office
lost for each entity, then one section per entity with its 扣分说明
(:func:`qualitykpi.feedback.build_notice`) and vetoes.  Each entity's section
starts a new page when printed.

Every text from the rule or the data (names are user text) is escaped.
Numbers are the exact decimal text; the charts use floats only to place bars.
Headings are in the current language (:func:`qualitykpi.use_language`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from decimal import Decimal
from fractions import Fraction
from html import escape

from ..feedback import Notice, NoticePoint, build_notice, offices_line, signed, standing
from ..i18n import _, language, ngettext, pgettext
from ..results import Result, Results
from ..scheme import Scheme
from ..values import to_decimal
from . import number as exact
from . import ranking_header, top_columns
from . import vetoes_text as _vetoes_text
from .charts import grade_colours, grades_chart, heat_map, totals_chart
from .document import ReportInfo
from .html_assets import CSS, SCRIPT
from .owners import OWNERS_NOTE, owner_table


def write_report(
    path: str | os.PathLike[str], scheme: Scheme, results: Results, info: ReportInfo
) -> None:
    """Write the HTML report of ``results`` (scored by ``scheme``) to ``path``."""
    text = render(scheme, results, info)
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(text)


def render(scheme: Scheme, results: Results, info: ReportInfo) -> str:
    """The HTML report as text, in the current language."""
    title = info.title or scheme.name
    ranking = results.ranking()
    body = [
        _title_block(scheme, results, info, title),
        _contents(results),
        _ranking_section(scheme, results),
        _grades_section(results),
        _totals_section(scheme, results),
        _heat_section(scheme, results),
        _problems_section(results),
        '<div id="entities">',
        *(
            _entity_section(scheme, results, index, rank, result)
            for index, (rank, result) in enumerate(ranking, start=1)
        ),
        "</div>",
    ]
    lang = "zh-CN" if language() == "zh" else "en"
    return "\n".join(
        [
            "<!DOCTYPE html>",
            f'<html lang="{lang}">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{escape(title)}</title>",
            f"<style>{CSS}</style>",
            "</head>",
            "<body>",
            "<main>",
            *(part for part in body if part),
            "</main>",
            f"<script>{SCRIPT}</script>",
            "</body>",
            "</html>",
            "",
        ]
    )


# ---------------------------------------------------------------- pieces


def _element(tag: str, text: str) -> str:
    """An element holding ``text``, escaped."""
    return f"<{tag}>{escape(text)}</{tag}>"


def _cell(text: str, *, sort: int | None = None, classes: str = "") -> str:
    attributes = f' data-sort="{sort}"' if sort is not None else ""
    if classes:
        attributes += f' class="{classes}"'
    return f"<td{attributes}>{text}</td>"


def _table(
    header: Sequence[str],
    rows: Iterable[str],
    *,
    numeric: Iterable[int] = (),
    sortable: bool = True,
    table_id: str = "",
) -> str:
    """A table of ready rows (``<tr>…</tr>``); header cells are escaped here."""
    right = set(numeric)
    heads = "".join(
        f'<th scope="col"{" class=num" if index in right else ""}>{escape(name)}</th>'
        for index, name in enumerate(header)
    )
    attributes = f' id="{table_id}"' if table_id else ""
    if sortable:
        label = escape(_("Sort by this column"))
        attributes += f' class="sortable" data-sort-label="{label}"'
    return (
        f'<div class="scroll"><table{attributes}>\n<thead><tr>{heads}</tr></thead>\n'
        f"<tbody>\n{chr(10).join(rows)}\n</tbody></table></div>"
    )


def _order(values: Sequence[Decimal | None]) -> list[int]:
    """Each value's place among the distinct values, smallest first, blanks last:
    the sort key of a column of exact numbers."""
    distinct = sorted({value for value in values if value is not None})
    places = {value: place for place, value in enumerate(distinct)}
    return [places[value] if value is not None else len(distinct) for value in values]


def _date(info: ReportInfo) -> str:
    day = info.date
    if language() == "zh":
        return f"{day.year}年{day.month}月{day.day}日"
    return day.isoformat()


def _lowest(results: Results) -> str | None:
    """The worst grade of the scheme, which the report highlights."""
    return results.grades[-1] if results.grades else None


# ---------------------------------------------------------------- sections


def _title_block(scheme: Scheme, results: Results, info: ReportInfo, title: str) -> str:
    facts = []
    if info.year:
        facts.append(_("Assessment year: {year}").format(year=info.year))
    facts.append(_("Date: {date}").format(date=_date(info)))
    assessed = ngettext("{count} entity assessed", "{count} entities assessed", len(results))
    facts.append(assessed.format(count=len(results)))
    facts.append(_("maximum {max} points").format(max=exact(scheme.scorer.max)))
    meta = "".join(f"<span>{escape(fact)}</span>" for fact in facts)
    parts = [f"<header>\n<h1>{escape(title)}</h1>"]
    if info.title and info.title != scheme.name:
        parts.append(f'<p class="meta">{escape(scheme.name)}</p>')
    parts.append(f'<p class="meta">{meta}</p>')
    if info.notes:
        notes = "".join(f"<p>{escape(note)}</p>" for note in info.notes)
        parts.append(f'<div class="notes">{notes}</div>')
    parts.append("</header>")
    return "\n".join(parts)


def _contents(results: Results) -> str:
    links = [
        ("ranking", _("Ranking")),
        ("grades", _("Grade distribution")) if results.grades else None,
        ("totals", _("Totals by entity")),
        ("heat", _("Points lost by office")),
        ("entities", _("Points lost by each entity")),
    ]
    items = "".join(
        f'<li><a href="#{anchor}">{escape(text)}</a></li>' for anchor, text in filter(None, links)
    )
    label = escape(_("Contents"))
    return f'<nav aria-label="{label}"><ul>{items}</ul></nav>'


def _ranking_section(scheme: Scheme, results: Results) -> str:
    columns = top_columns(scheme)
    ranking = results.ranking()
    lowest = _lowest(results)
    header = [
        *ranking_header(),
        *(
            f"{column.name} ({exact(column.max)})" if column.max is not None else column.name
            for column in columns
        ),
    ]
    totals = _order([result.total for _rank, result in ranking])
    subtotals = [
        _order([result.scores.get(column.id) for _rank, result in ranking]) for column in columns
    ]
    rows = []
    for index, (rank, result) in enumerate(ranking):
        grade = result.grade or ""
        place = results.grades.index(grade) if grade in results.grades else len(results.grades)
        vetoes = _vetoes_text(result)
        mark = f'<span class="veto">{escape(vetoes)}</span>' if vetoes else ""
        link = f'<a href="#entity-{index + 1}">{escape(result.entity or "")}</a>'
        cells = [
            _cell(str(rank), sort=rank, classes="num"),
            _cell(link, classes="entity"),
            _cell(exact(result.total), sort=totals[index], classes="num"),
            _cell(escape(grade), sort=place, classes="grade"),
            _cell(mark, classes="vetoes" if vetoes else ""),
        ]
        for column, order in zip(columns, subtotals, strict=True):
            score = result.scores.get(column.id)
            text = exact(score) if score is not None else ""
            cells.append(_cell(text, sort=order[index], classes="num"))
        row_class = ' class="lowest"' if lowest is not None and grade == lowest else ""
        vetoed = ' data-vetoed="yes"' if result.vetoes else ""
        rows.append(f"<tr{row_class}{vetoed}>{''.join(cells)}</tr>")
    numeric = {0, 2, *range(5, len(header))}
    table = _table(header, rows, numeric=numeric, table_id="ranking-table")
    heading = _element("h2", _("Ranking"))
    return f'<section id="ranking">\n{heading}\n{table}\n</section>'


def _grades_section(results: Results) -> str:
    if not results.grades:
        return ""
    lowest = _lowest(results)
    ranking = results.ranking()
    members = {
        grade: [r.entity or "" for _rank, r in ranking if r.grade == grade]
        for grade in results.grades
    }
    counts = [len(members[grade]) for grade in results.grades]
    rows = []
    for grade in results.grades:
        classes = ' class="lowest"' if grade == lowest else ""
        names = escape(("、" if language() == "zh" else ", ").join(members[grade]))
        count = len(members[grade])
        rows.append(
            f"<tr{classes}>{_cell(escape(grade), classes='grade')}"
            f"{_cell(str(count), sort=count, classes='num')}{_cell(names)}</tr>"
        )
    header = [_("grade"), _("number of entities"), _("entities")]
    table = _table(header, rows, numeric={1}, sortable=False)
    title = _("Grade distribution")
    heading = _element("h2", title)
    chart = grades_chart(list(results.grades), counts, title)
    return (
        f'<section id="grades">\n{heading}\n'
        f'<div class="charts"><div>{table}</div><figure>{chart}</figure></div>\n</section>'
    )


def _totals_section(scheme: Scheme, results: Results) -> str:
    ranking = results.ranking()
    colours = grade_colours(results.grades)
    entities, totals, labels, fills = [], [], [], []
    for _rank, result in ranking:
        entities.append(result.entity or "")
        totals.append(result.total)
        label = exact(result.total)
        if result.grade:
            label += f" {result.grade}"
        if result.vetoes:
            label += " " + _("(veto)")
        labels.append(label)
        fills.append(colours.get(result.grade or "", "#607d8b"))
    heading = _("Totals by entity")
    chart = totals_chart(entities, totals, labels, fills, to_decimal(scheme.scorer.max), heading)
    caption = _("In the order of the ranking; the colour is the grade.")
    return (
        f'<section id="totals">\n<h2>{escape(heading)}</h2>\n'
        f"<figure>{chart}<figcaption>{escape(caption)}</figcaption></figure>\n</section>"
    )


def _heat_section(scheme: Scheme, results: Results) -> str:
    offices, _entities, lost = owner_table(scheme, results)
    # The columns in the order of the ranking, as the totals chart has them.
    entities = [result.entity or "" for _rank, result in results.ranking()]
    rows = [office.label for office in offices]
    values = [
        [lost.get(office.name, {}).get(entity, Decimal(0)) for entity in entities]
        for office in offices
    ]
    heading = _("Points lost by office")
    chart = heat_map(rows, entities, values, heading, _("points lost"))
    columns = list(zip(*values, strict=True)) if values else []
    orders = [_order(list(column)) for column in columns]
    table_rows = []
    for index, (office, row) in enumerate(zip(rows, values, strict=True)):
        cells = [_cell(escape(office))]
        cells += [
            _cell(exact(value), sort=orders[place][index], classes="num")
            for place, value in enumerate(row)
        ]
        table_rows.append(f"<tr>{''.join(cells)}</tr>")
    header = [_("office"), *entities]
    table = _table(header, table_rows, numeric=range(1, len(header)), table_id="heat-table")
    caption = _element("figcaption", _(OWNERS_NOTE))
    summary = _element("summary", _("The numbers as a table"))
    return (
        f'<section id="heat">\n<h2>{escape(heading)}</h2>\n'
        f"<figure>{chart}{caption}</figure>\n"
        f"<details>{summary}\n{table}\n"
        "</details>\n</section>"
    )


def _problems_section(results: Results) -> str:
    if not results.errors and not results.notes:
        return ""
    parts = ['<section id="problems">', _element("h2", _("Rows not scored and notes"))]
    if results.errors:
        rows = [
            f"<tr>{_cell(escape(error.entity or ''))}{_cell(escape(error.input or ''))}"
            f"{_cell(escape(error.message))}</tr>"
            for error in results.errors
        ]
        parts.append(_table([_("entity"), _("input"), _("problem")], rows, sortable=False))
    parts.extend(f"<p>{escape(note)}</p>" for note in results.notes)
    parts.append("</section>")
    return "\n".join(parts)


# ---------------------------------------------------------------- entities


def _entity_section(scheme: Scheme, results: Results, index: int, rank: int, result: Result) -> str:
    """The ``index``-th entity of the ranking: its standing, subtotals, vetoes, 扣分说明."""
    entity = result.entity or ""
    notice = build_notice(results, entity, scheme)
    parts = [
        f'<section class="entity" id="entity-{index}" data-entity="{escape(entity)}">',
        f"<h2>{escape(f'{rank}. {entity}')}</h2>",
        f'<p class="standing">{escape(standing(notice))}</p>',
        _subtotals(result),
        _vetoes(notice),
        _points(notice),
        _bonuses(notice),
        "</section>",
    ]
    return "\n".join(part for part in parts if part)


def _subtotals(result: Result) -> str:
    rows = [
        f"<tr>{_cell(escape(node.name))}{_cell(exact(node.score), classes='num')}"
        f"{_cell(exact(node.max) if node.capped else '', classes='num')}"
        f"{_cell(exact(node.lost) if node.capped else '', classes='num')}</tr>"
        for node in result.nodes
    ]
    header = [_("part of the rules"), _("score"), pgettext("report", "max"), _("points lost")]
    return _table(header, rows, numeric={1, 2, 3}, sortable=False)


def _vetoes(notice: Notice) -> str:
    if not notice.vetoes:
        return ""
    items = []
    for veto in notice.vetoes:
        line = veto.said()
        offices = offices_line(veto.owners, ())
        text = escape(line) + (f" — {escape(offices)}" if offices else "")
        items.append(f"<li>{text}</li>")
    heading = escape(_("Vetoes"))
    return f'<h3 class="veto">{heading}</h3>\n<ul class="vetoes">{"".join(items)}</ul>'


def _points(notice: Notice) -> str:
    if notice.points:
        title = pgettext("notice", "Points lost ({points} in all)").format(
            points=exact(notice.deducted)
        )
    else:
        title = pgettext("notice", "Points lost")
    parts = [f"<h3>{escape(title)}</h3>"]
    if not notice.points and not notice.adjustments:
        parts.append(_element("p", _("No points were lost.")))
        return "\n".join(parts)
    rows = []
    for number, point in enumerate(notice.points, start=1):
        rows.append(
            f"<tr>{_cell(str(number), sort=number, classes='num')}"
            f"{_cell(escape(' › '.join(point.path)))}"
            f"{_cell(escape(signed(point.amount)), classes='num')}"
            f"{_cell(_details(point), classes='details')}"
            f"{_cell(escape(offices_line(point.owners, point.supporters) or ''))}</tr>"
        )
    for what, amount in notice.adjustments:
        text = _("Adjustment of the total: {what}: {points}")
        rows.append(
            f"<tr>{_cell('')}{_cell(escape(text.format(what=what, points=signed(amount))))}"
            f"{_cell('')}{_cell('')}{_cell('')}</tr>"
        )
    header = [_("No."), _("item"), _("points"), _("details"), _("office")]
    parts.append(_table(header, rows, numeric={0, 2}, sortable=False))
    return "\n".join(parts)


def _details(point: NoticePoint) -> str:
    lines = []
    for text in point.quotation:
        lines.append(_("Text of the rules: {text}").format(text=_quoted(text)))
    for line, text in point.lines_shown():
        lines.append(_("Rule line {line}: {text}").format(line=line, text=_quoted(text)))
    for reason, amount in point.reasons:
        lines.append(_("{reason}: {points}").format(reason=reason, points=signed(amount)))
    if point.data:
        comma = "，" if language() == "zh" else ", "
        shown = comma.join(f"{column} {value}" for column, value in point.data)
        if point.notes:
            shown = _("{values} ({notes})").format(values=shown, notes=comma.join(point.notes))
        lines.append(_("Data: {values}").format(values=shown))
    return "".join(f"<p>{escape(line)}</p>" for line in lines)


def _quoted(text: str) -> str:
    return f"「{text}」" if language() == "zh" else f"“{text}”"


def _bonuses(notice: Notice) -> str:
    if not notice.bonuses:
        return ""
    items = []
    for name, points, owners in notice.bonuses:
        line = _("{name}: {points} bonus points").format(name=name, points=exact(points))
        offices = offices_line(owners, ())
        items.append(f"<li>{escape(line)}{f' — {escape(offices)}' if offices else ''}</li>")
    total = sum((Fraction(points) for _name, points, _owners in notice.bonuses), Fraction(0))
    if Fraction(notice.bonus_points) != total:
        added = _("Added to the total: {points}").format(points=exact(notice.bonus_points))
        items.append(f"<li>{escape(added)}</li>")
    heading = _element("h3", _("Bonuses"))
    return f"{heading}\n<ul>{''.join(items)}</ul>"
