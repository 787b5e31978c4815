"""The ranking of a scored cohort as a report: terminal table, JSON, CSV, Markdown.

The ranking of ``qualitykpi score`` gives rank, entity, total, grade, vetoes
and the subtotal of each top-level node, with every entity's deduction
ledger when asked for.  The command line (:mod:`qualitykpi.cli`) only picks
a function here and writes what it returns; the responsibility table is in
:mod:`qualitykpi.reports.owners`, the workbook in :mod:`qualitykpi.reports.xlsx`.

Every number is written from its exact :class:`~decimal.Decimal`, as text,
never through binary floating point.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from collections.abc import Container, Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from typing import IO

import attrs
from rich.box import Box
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..explain import ledger_line, offices_after
from ..i18n import N_, _
from ..nodes.tree import Item, Section
from ..results import Result, Results
from ..results_export import JSONObject as JSONObject
from ..results_export import dumps as dumps
from ..results_export import entity_json as entity_json
from ..results_export import error_json as error_json
from ..results_export import node_json as node_json
from ..results_export import number as number
from ..results_export import score_data as score_data
from ..results_export import score_json as score_json
from ..results_export import score_json_pieces as score_json_pieces
from ..scheme import Scheme
from ..values import decimal_sum, to_decimal

#: A table border of plain ASCII: a dashed rule under the header and nothing
#: else.  Box-drawing characters are "ambiguous width" and take two columns
#: in many Chinese terminals, which would break the alignment.
PLAIN = Box("    \n    \n -  \n    \n    \n    \n    \n    \n", ascii=True)

#: The width of tables written to a file or a pipe (a terminal uses its own).
PIPE_WIDTH = 100

#: What a CSV file starts with so that Excel reads it as UTF-8.
BOM = "\ufeff"


# ------------------------------------------------------------------ numbers
# (`number` and the JSON of the ranking are in qualitykpi.results_export.)


def total_of(values: Iterable[Decimal]) -> Decimal:
    return decimal_sum(values)


# ------------------------------------------------------------------ columns


@attrs.frozen
class Column:
    """A node of the scheme as a report column."""

    id: str
    name: str
    kind: str
    #: None: a bonus without a cap.
    max: Decimal | None


def _column(node: Section | Item) -> Column:
    ceiling = node.ceiling if isinstance(node, Item) else node.max
    return Column(node.id, node.name, node.kind, None if ceiling is None else to_decimal(node.max))


def top_columns(scheme: Scheme) -> list[Column]:
    """The top-level nodes: the subtotal columns of the ranking."""
    return [_column(node) for node in scheme.scorer.children]


def node_columns(scheme: Scheme) -> list[Column]:
    """Every node of the scheme in tree order: sections, items, parts, bonuses."""
    return [_column(node) for node in scheme.scorer.walk()]


def _score(scores: Mapping[str, Decimal], node_id: str) -> str:
    score = scores.get(node_id)
    # A result's scores are written without trailing zeros already.
    return format(score, "f") if score is not None else ""


def vetoes_text(result: Result) -> str:
    """The vetoes that fired, by name, ``; ``-separated ('' when none)."""
    return _("; ").join(hit.name for hit in result.vetoes)


def heading(scheme: Scheme, results: Results) -> str:
    message = _("{scheme} — {count} scored, max {max}")
    return message.format(scheme=scheme.name, count=len(results), max=number(scheme.scorer.max))


#: The headings of the ranking's first columns, for people: the terminal
#: table, Markdown, CSV and the workbook write them in the current language
#: (JSON keys, node ids and codes stay as they are).
RANK = N_("rank")
ENTITY = N_("entity")
TOTAL = N_("total")
GRADE = N_("grade")
VETOES = N_("vetoes")


def ranking_header() -> list[str]:
    """rank, entity, total, grade, vetoes: in the current language."""
    return [_(RANK), _(ENTITY), _(TOTAL), _(GRADE), _(VETOES)]


def ranking_rows(scheme: Scheme, results: Results) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the ranking, numbers as exact text.

    Columns: rank, entity, total, grade, vetoes, then each top-level node by
    name.  An entity without a grade or vetoes has ``''`` there.
    """
    return _rows(results, top_columns(scheme), by_id=False)


def _rows(
    results: Results, columns: Sequence[Column], *, by_id: bool
) -> tuple[list[str], list[list[str]]]:
    """The ranking with one score column per node, headed by its id or its name."""
    header, rows = _ranked_rows(results, columns, by_id=by_id)
    return header, list(rows)


def _ranked_rows(
    results: Results, columns: Sequence[Column], *, by_id: bool
) -> tuple[list[str], Iterator[list[str]]]:
    """:func:`_rows`, the rows made one at a time."""
    names = (column.id if by_id else column.name for column in columns)
    header = [*ranking_header(), *names]

    def rows() -> Iterator[list[str]]:
        for rank, result in results.ranked():
            scores = result.scores
            yield [
                str(rank),
                result.entity or "",
                number(result.total),
                result.grade or "",
                vetoes_text(result),
                *(_score(scores, column.id) for column in columns),
            ]

    return header, rows()


# ------------------------------------------------------------------- ledger


def ledger_lines(result: Result) -> list[str]:
    """One entity's deduction ledger as text lines (largest loss first)."""
    if result.grade is not None:
        first = _("{entity}: lost {lost} of {max}, grade {grade}")
    else:
        first = _("{entity}: lost {lost} of {max}")
    lost, maximum = number(result.lost), number(result.max)
    lines = [first.format(entity=result.entity, lost=lost, max=maximum, grade=result.grade)]
    for hit in result.vetoes:
        # Translators: a place in the rule file, after the veto's effect.
        where = _(" (line {line})").format(line=hit.line) if hit.line else ""
        veto = _("  veto: {name} → {effect}{where}{owners}")
        owners = offices_after(hit.owners)
        lines.append(veto.format(name=hit.name, effect=hit.effect, where=where, owners=owners))
    # The same lines as `explain` writes: one wording, one bracket style.
    lines.extend(ledger_line(entry) for entry in result.lost_points())
    return lines


# ---------------------------------------------------------------------- csv


def csv_text(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    return "".join(csv_pieces(header, rows))


def csv_pieces(header: Sequence[str], rows: Iterable[Sequence[str]]) -> Iterator[str]:
    """CSV text with a byte-order mark, a piece per thousand rows, made as written."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    yield BOM + buffer.getvalue()
    rows = iter(rows)
    while chunk := list(itertools.islice(rows, 1000)):
        buffer.seek(0)
        buffer.truncate()
        writer.writerows(chunk)
        yield buffer.getvalue()


def score_csv(scheme: Scheme, results: Results) -> str:
    """One row per entity in ranking order: rank, entity, total, grade,
    vetoes, then every node's score in a column named by its id.

    The text starts with a byte-order mark so that Excel reads it as UTF-8.
    """
    return "".join(score_csv_pieces(scheme, results))


def score_csv_pieces(scheme: Scheme, results: Results) -> Iterator[str]:
    """:func:`score_csv` in pieces, each entity's row made as it is written."""
    header, rows = _ranked_rows(results, node_columns(scheme), by_id=True)
    return csv_pieces(header, rows)


# ----------------------------------------------------------------- markdown


def _md(cell: str) -> str:
    return cell.replace("\\", "\\\\").replace("|", "\\|").replace("\n", "<br>")


def markdown_table(header: Sequence[str], rows: Iterable[Sequence[str]], right: set[int]) -> str:
    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(_md(cell) for cell in cells) + " |"

    rule = "|" + "|".join("---:" if index in right else "---" for index in range(len(header)))
    return "\n".join([line(header), rule + "|", *(line(row) for row in rows)])


def score_markdown(scheme: Scheme, results: Results, *, explain: bool = False) -> str:
    header, rows = ranking_rows(scheme, results)
    right = {0, 2, *range(5, len(header))}
    parts = [f"# {heading(scheme, results)}", markdown_table(header, rows, right)]
    if explain:
        parts.append("## " + _("Points lost"))
        for _rank, result in results.ranking():
            lines = ledger_lines(result)
            parts.append(f"### {lines[0]}")
            if len(lines) > 1:
                parts.append("\n".join(f"- {line.strip()}" for line in lines[1:]))
    return "\n\n".join(parts) + "\n"


# ------------------------------------------------------------ terminal text


def make_console(stream: IO[str], *, terminal: bool | None = None) -> Console:
    """A console for ``stream``: colour and the real width only on a terminal.

    Written to a pipe or file, tables are 100 columns wide and plain text,
    so the output does not depend on where it goes.
    """
    if terminal is None:
        terminal = stream.isatty()
    return Console(
        file=stream,
        force_terminal=terminal,
        no_color=not terminal,
        color_system="auto" if terminal else None,
        width=None if terminal else PIPE_WIDTH,
        highlight=False,
        markup=False,
        emoji=False,
    )


#: The narrowest a column of names (``keep``) is squeezed to.
NAME_WIDTH = 16


def text_table(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    right: set[int],
    keep: Container[int] = (0,),
    whole: Container[int] = (),
) -> Table:
    """A rich table of plain cells.

    When the table is too wide, a long header wraps before any number does:
    the numbers (columns ``right``, right-aligned) keep their full width, and
    the names (columns ``keep``) at least :data:`NAME_WIDTH` columns.  The
    headers of columns ``whole`` (entity names) never wrap.  The rest
    (reasons, lists) wraps.
    """
    table = Table(box=PLAIN, show_edge=False, pad_edge=False, collapse_padding=True)
    for index, title in enumerate(header):
        widest = max((cell_len(row[index]) for row in rows), default=0)
        if index in whole:
            widest = max(widest, cell_len(title))
        if index in right:
            least: int | None = widest
        elif index in keep:
            least = min(widest, NAME_WIDTH)
        else:
            least = None
        table.add_column(
            Text(title),
            justify="right" if index in right else "left",
            min_width=least,
            overflow="fold",
        )
    for row in rows:
        table.add_row(*(Text(cell) for cell in row))
    return table


Block = str | Table


def output_width(stream: IO[str] | None) -> int:
    """The width tables are laid out for: a terminal's own, else :data:`PIPE_WIDTH`."""
    if stream is not None and stream.isatty():
        return make_console(stream).width
    return PIPE_WIDTH


def column_groups(widths: Sequence[int], fixed: int, width: int) -> list[range]:
    """Consecutive runs of columns that fit ``width`` beside ``fixed`` columns of text.

    For tables with one column per entity: rather than squeeze or drop a
    column when there are many entities, the table is printed in several
    parts, each with every row and a run of the columns.  Every column is
    in exactly one part; a column wider than the room still gets one of its own.
    """
    groups: list[range] = []
    start, used = 0, fixed
    for index, column in enumerate(widths):
        need = column + 2
        if index > start and used + need > width:
            groups.append(range(start, index))
            start, used = index, fixed
        used += need
    groups.append(range(start, len(widths)))
    return groups


#: Runs of characters a header does not break inside: Latin words and
#: numbers (Chinese text breaks between any two characters).
_UNBROKEN = re.compile(r"[^\s\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]+")


def _least_width(table: Table) -> int:
    """The width the table needs so that no column is squeezed below its least.

    When a table is wider than the console, Rich squeezes its columns,
    ``min_width`` or not, and crops what no longer fits; so the console is
    made at least as wide as every column's ``min_width`` and the longest
    word of its header, with two columns between.
    """
    widths = []
    for column in table.columns:
        header = str(column.header)
        words = [cell_len(word) for word in _UNBROKEN.findall(header)]
        wide = 2 if any(cell_len(char) == 2 for char in header) else 1
        widths.append(max(column.min_width or 1, wide, *words))
    return sum(widths) + 2 * (len(widths) - 1)


def print_blocks(console: Console, blocks: Iterable[Block]) -> None:
    """Print text lines and tables; away from a terminal, without trailing blanks.

    A table whose numbers cannot fit the width is printed wider rather than
    cut: a number is never shortened.
    """

    def render() -> None:
        for block in blocks:
            if isinstance(block, str):
                console.print(Text(block), soft_wrap=True)
                continue
            least = _least_width(block)
            width = console.width
            try:
                console.width = max(least, width)
                console.print(block)
            finally:
                console.width = width

    if console.is_terminal:
        render()
        return
    with console.capture() as captured:
        render()
    text = "\n".join(line.rstrip() for line in captured.get().split("\n"))
    console.file.write(text)
    console.file.flush()


def score_blocks(scheme: Scheme, results: Results, *, explain: bool = False) -> list[Block]:
    """The ranking for a terminal: the heading, the table, then the ledgers."""
    header, rows = ranking_rows(scheme, results)
    shown = [[*row[:3], row[3] or "-", row[4] or "-", *row[5:]] for row in rows]
    blocks: list[Block] = [
        heading(scheme, results),
        text_table(header, shown, {0, 2, *range(5, len(header))}, keep={1, 3}),
    ]
    if explain:
        for _rank, result in results.ranking():
            blocks.append("")
            blocks.extend(ledger_lines(result))
    return blocks


def render_text(blocks: Iterable[Block]) -> str:
    """``blocks`` as plain text, the way they look in a pipe."""
    buffer = io.StringIO()
    print_blocks(make_console(buffer, terminal=False), blocks)
    return buffer.getvalue()
