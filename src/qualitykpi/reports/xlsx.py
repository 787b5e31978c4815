"""Worksheet building blocks of the workbook: exact number cells, tables, print setup.

What the sheets say is in :mod:`qualitykpi.reports.workbook`; this module
knows how a cell holds a number, how a table is laid out, and how a sheet
prints.

Numbers.  A score is written as a number cell whose format shows exactly
its decimals (``27.15`` gets ``0.00``, ``10`` gets ``0``), so Excel and WPS
show the exact value and can add it up.  A spreadsheet number is a binary
double: it holds every decimal of up to 15 significant digits exactly
enough that Excel shows it and a reader gets it back unchanged (openpyxl
writes 16 significant digits, which round-trip).  A value with more digits
than that is written as text, to stay exact.

Printing.  Every sheet prints on A4, fit to the page width (a wide table
over as few pages across as it can be read on), landscape when it is wider
than a portrait page, with its header rows (and name columns) repeated on
each page and the page number in the footer.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

import attrs
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side  # type: ignore[import-untyped]
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]
from openpyxl.worksheet.properties import PageSetupProperties  # type: ignore[import-untyped]

from ..i18n import _
from ..source import display_width
from ..values import normalize
from . import number

#: The most significant digits a spreadsheet number holds exactly.
EXACT_DIGITS = 15

Cell = str | int | Decimal | None

#: The workbook's own font (openpyxl's default style): a font without a name
#: would be drawn in the reader's default, a serif in LibreOffice.
FONT = "Calibri"
BOLD = Font(name=FONT, size=11, bold=True)
TITLE = Font(name=FONT, bold=True, size=14)
QUIET = Font(name=FONT, size=11, color="595959")
#: Excel's own "bad" style: the lowest grade.
LOW_FILL = PatternFill("solid", start_color="FFC7CE", end_color="FFC7CE")
LOW_FONT = Font(name=FONT, size=11, color="9C0006")
VETO_FONT = Font(name=FONT, size=11, bold=True, color="C00000")
HEADER_FILL = PatternFill("solid", start_color="D9E1F2", end_color="D9E1F2")
GROUP_FILL = PatternFill("solid", start_color="F2F2F2", end_color="F2F2F2")
_THIN = Side(style="thin", color="A6A6A6")
GRID = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")
HEADER_ALIGN = Alignment(wrap_text=True, vertical="center", horizontal="center")

#: The widths (in characters) a page holds at 100%: A4 with the margins
#: below, in portrait and landscape.  Scaled to fit, a table may be up to
#: :data:`SHRINK` times wider and still be read on paper.
PORTRAIT_WIDTH = 95
LANDSCAPE_WIDTH = 140
SHRINK = 1.45
#: The height in points of a line of 11-point text: Chinese fonts need more than Latin.
LINE_HEIGHT = 16.5


def number_format(value: Decimal) -> str:
    """The Excel format that shows ``value`` with exactly its decimals."""
    exponent = value.as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return "0" if places == 0 else "0." + "0" * places


def fits(value: Decimal) -> bool:
    """Whether a spreadsheet number shows and gives back ``value`` exactly."""
    return value.is_finite() and len(value.as_tuple().digits) <= EXACT_DIGITS


def put(sheet: Any, row: int, column: int, value: Cell) -> Any:
    """Write ``value`` to a cell, a number exactly (see above); return the cell."""
    cell = sheet.cell(row=row, column=column)
    if isinstance(value, Decimal):
        value = normalize(value)
        if fits(value):
            cell.value = value
            cell.number_format = number_format(value)
        else:
            cell.value = number(value)
    else:
        cell.value = value
    return cell


def shown(value: Cell) -> str:
    return number(value) if isinstance(value, Decimal) else str(value if value is not None else "")


@attrs.frozen
class Column:
    """How a table column is laid out: its least and greatest width, whether it wraps."""

    least: int = 4
    most: int = 40
    wrap: bool = False


NAME = Column(8, 16, wrap=True)
NUMBER = Column(5, 14)
TEXT = Column(8, 40, wrap=True)


def _widest(text: str) -> int:
    return max((display_width(line) for line in text.split("\n")), default=0)


def write_table(
    sheet: Any,
    top: int,
    headers: Sequence[Sequence[Cell]],
    rows: Iterable[Sequence[Cell]],
    columns: Sequence[Column],
    *,
    left: int = 1,
) -> int:
    """Write a table with its header rows at row ``top`` (and its first column
    at ``left``); return its last row.

    Each column gets the width of its widest cell between its least and its
    greatest; wider text wraps.  Every cell gets a thin border.
    """
    widths = [column.least for column in columns]
    table = [*headers, *rows]
    line = top - 1
    for line, cells in enumerate(table, start=top):
        header = line < top + len(headers)
        for index, value in enumerate(cells):
            cell = put(sheet, line, left + index, value)
            cell.border = GRID
            if header:
                cell.font = BOLD
                cell.fill = HEADER_FILL
                cell.alignment = HEADER_ALIGN
                # A header wraps rather than widen its column much past its numbers.
                need = min(_widest(shown(value)), max(widths[index], 8))
            else:
                cell.alignment = WRAP if columns[index].wrap else TOP
                need = _widest(shown(value))
            widths[index] = min(max(widths[index], need + 1), columns[index].most)
    for index, width in enumerate(widths, start=left):
        sheet.column_dimensions[get_column_letter(index)].width = width + 1
    # Neither Excel nor LibreOffice grows a row for wrapped text it did not
    # lay out itself, so each row is given the height its longest cell needs.
    for row, cells in enumerate(table, start=top):
        header = row < top + len(headers)
        lines = max(
            (
                text_lines(shown(value), widths[index])
                for index, value in enumerate(cells)
                if header or columns[index].wrap
            ),
            default=1,
        )
        if lines > 1:
            sheet.row_dimensions[row].height = LINE_HEIGHT * lines + 2
    return line


def text_lines(text: str, width: float) -> int:
    """The lines ``text`` takes in a column ``width`` characters wide."""
    room = max(width - 0.5, 1.0)
    return sum(max(1, math.ceil(display_width(part) / room)) for part in text.split("\n"))


def heading(sheet: Any, title: str, lines: Sequence[str]) -> int:
    """A sheet's title and the lines under it; return the first free row after a gap."""
    sheet.cell(row=1, column=1, value=title).font = TITLE
    for row, text in enumerate(lines, start=2):
        sheet.cell(row=row, column=1, value=text).font = QUIET
    return len(lines) + 3


def paragraph(sheet: Any, row: int, text: str, width: int, *, font: Font | None = None) -> None:
    """A paragraph across the first ``width`` characters of columns, wrapped."""
    last = 1
    room = 0.0
    while last < sheet.max_column and room < width:
        room += sheet.column_dimensions[get_column_letter(last)].width or 8.43
        last += 1
    room = max(room, 20.0)
    sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=max(last - 1, 1))
    cell = sheet.cell(row=row, column=1, value=text)
    cell.alignment = Alignment(wrap_text=True, vertical="top")
    if font is not None:
        cell.font = font
    sheet.row_dimensions[row].height = LINE_HEIGHT * text_lines(text, room) + 3


def table_width(sheet: Any) -> float:
    return sum(
        sheet.column_dimensions[get_column_letter(index)].width or 8.43
        for index in range(1, sheet.max_column + 1)
    )


def escape_header(text: str) -> str:
    """Text for a page header or footer, where ``&`` starts a code."""
    return text.replace("&", "&&")


def print_setup(
    sheet: Any,
    title: str,
    *,
    header_rows: tuple[int, int] | None = None,
    title_columns: int = 0,
    one_page: bool = False,
    landscape: bool | None = None,
) -> None:
    """A4, landscape when wider than a portrait page, fit to the page width
    (or, with ``one_page``, to one page), header rows and the first
    ``title_columns`` columns repeated, the title and the page in header and footer."""
    width = table_width(sheet)
    setup = sheet.page_setup
    setup.paperSize = sheet.PAPERSIZE_A4
    if landscape is None:
        landscape = width > PORTRAIT_WIDTH
    setup.orientation = "landscape" if landscape else "portrait"
    page = LANDSCAPE_WIDTH if landscape else PORTRAIT_WIDTH
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    setup.fitToWidth = 1 if one_page else max(1, math.ceil(width / (page * SHRINK)))
    setup.fitToHeight = 1 if one_page else 0
    sheet.page_margins.left = sheet.page_margins.right = 0.5
    sheet.page_margins.top = sheet.page_margins.bottom = 0.6
    sheet.page_margins.header = sheet.page_margins.footer = 0.3
    sheet.print_options.horizontalCentered = True
    if header_rows is not None:
        sheet.print_title_rows = f"{header_rows[0]}:{header_rows[1]}"
    if title_columns:
        sheet.print_title_cols = f"A:{get_column_letter(title_columns)}"
    for header in (sheet.oddHeader, sheet.evenHeader, sheet.firstHeader):
        header.left.text = escape_header(title)
        header.left.size = 9
        header.right.text = "&A"
        header.right.size = 9
    for footer in (sheet.oddFooter, sheet.evenFooter, sheet.firstFooter):
        # Translators: the page footer of a printed workbook; &P is the page, &N the pages.
        footer.center.text = _("Page &P of &N")
        footer.center.size = 9
