"""The charts sheet of the workbook: native Excel charts over the numbers.

Totals by entity (read from the ranking sheet), the grade distribution and
the points lost by office (each over a small table on the charts sheet, so
that the numbers a chart draws are there to read).  Excel, WPS and
LibreOffice draw them; the numbers stay exact in the cells, a chart only
draws them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from openpyxl.chart import BarChart, Reference  # type: ignore[import-untyped]
from openpyxl.chart.label import DataLabelList  # type: ignore[import-untyped]
from openpyxl.drawing.spreadsheet_drawing import (  # type: ignore[import-untyped]
    AnchorMarker,
    OneCellAnchor,
)
from openpyxl.drawing.xdr import XDRPositiveSize2D  # type: ignore[import-untyped]
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]
from openpyxl.utils.units import cm_to_EMU  # type: ignore[import-untyped]

from ..i18n import _, pgettext
from ..results import Results
from ..scheme import Scheme
from ..values import to_decimal
from .xlsx import NAME, NUMBER, Cell, Column, heading, print_setup, write_table

#: The charts' sizes in centimetres: one wide chart above two narrow ones.
WIDE = 25.0
NARROW = 12.3
HIGH = 8.0
GAP = 0.4
#: The height of a row in centimetres (15 points).
ROW = 15 / 72 * 2.54


def _bar(title: str, *, horizontal: bool = False) -> Any:
    chart = BarChart()
    chart.type = "bar" if horizontal else "col"
    chart.title = title
    chart.legend = None
    chart.style = 10
    # openpyxl hides the axes unless told otherwise.
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.y_axis.numFmt = "General"
    chart.gapWidth = 60
    # The value only: LibreOffice shows the series and category too unless told not to.
    chart.dataLabels = DataLabelList(
        showVal=True, showSerName=False, showCatName=False, showLegendKey=False, showPercent=False
    )
    return chart


def _column_cm(sheet: Any, index: int) -> float:
    """A column's width in centimetres, as Excel lays it out (7-pixel characters)."""
    width = sheet.column_dimensions[get_column_letter(index)].width or 8.43
    return (int(width * 7 + 5)) / 96 * 2.54


def _place(
    sheet: Any, chart: Any, row: int, left: float, width: float, height: float = HIGH
) -> None:
    """Put ``chart`` at ``row`` (0-based), ``left`` centimetres from the sheet's edge."""
    column = 0
    while left > _column_cm(sheet, column + 1):
        left -= _column_cm(sheet, column + 1)
        column += 1
    start = AnchorMarker(col=column, colOff=cm_to_EMU(left), row=row, rowOff=0)
    size = XDRPositiveSize2D(cm_to_EMU(width), cm_to_EMU(height))
    chart.anchor = OneCellAnchor(_from=start, ext=size)
    sheet.add_chart(chart)


def add_charts(
    book: Any,
    scheme: Scheme,
    results: Results,
    titles: tuple[str, str],
    subtitle: str,
    losses: Sequence[tuple[str, Decimal]],
    *,
    totals: tuple[Any, int],
) -> None:
    """The charts sheet, titled ``titles`` (the sheet's and the report's).

    ``losses`` are the points each office lost over the cohort; ``totals``
    is the ranking sheet and the row of its first entity (entities in
    column B, totals in column C).
    """
    sheet = book.create_sheet(pgettext("workbook", "charts"))
    top = heading(sheet, titles[0], [subtitle])
    ranking, first = totals
    count = len(results)
    tables_end = top
    if results.grades:
        counts = Counter(result.grade for result in results)
        header: list[Cell] = [_("grade"), pgettext("workbook", "entities")]
        rows: list[list[Cell]] = [[grade, counts.get(grade, 0)] for grade in results.grades]
        tables_end = max(tables_end, write_table(sheet, top, [header], rows, [NAME, NUMBER]))
    if losses:
        header = [_("office"), pgettext("workbook", "points lost")]
        rows = [[office, lost] for office, lost in losses]
        layout = [Column(8, 30), NUMBER]
        tables_end = max(tables_end, write_table(sheet, top, [header], rows, layout, left=4))

    row = tables_end + 1
    chart = _bar(pgettext("workbook", "Totals by entity"))
    chart.add_data(
        Reference(ranking, min_col=3, min_row=first, max_row=first + count - 1),
        titles_from_data=False,
    )
    chart.set_categories(Reference(ranking, min_col=2, min_row=first, max_row=first + count - 1))
    chart.y_axis.scaling.min = 0
    chart.y_axis.scaling.max = float(to_decimal(scheme.scorer.max))
    _place(sheet, chart, row, 0, WIDE)
    row += int((HIGH + GAP) / ROW) + 1
    if results.grades:
        grades = _bar(pgettext("workbook", "Grade distribution"))
        last = top + len(results.grades)
        grades.add_data(Reference(sheet, min_col=2, min_row=top + 1, max_row=last))
        grades.set_categories(Reference(sheet, min_col=1, min_row=top + 1, max_row=last))
        grades.y_axis.scaling.min = 0
        grades.y_axis.majorUnit = 1
        _place(sheet, grades, row, 0, NARROW)
    if losses:
        offices = _bar(pgettext("workbook", "Points lost by office"), horizontal=True)
        last = top + len(losses)
        offices.add_data(Reference(sheet, min_col=5, min_row=top + 1, max_row=last))
        offices.set_categories(Reference(sheet, min_col=4, min_row=top + 1, max_row=last))
        # The first office at the top, as in the table.
        offices.x_axis.scaling.orientation = "maxMin"
        # A bar for each office, each with room for its name.
        height = max(HIGH, 0.7 * len(losses) + 2)
        left = NARROW + GAP if results.grades else 0
        _place(sheet, offices, row, left, WIDE - NARROW - GAP, height)
    print_setup(sheet, titles[1], one_page=True, landscape=True)
