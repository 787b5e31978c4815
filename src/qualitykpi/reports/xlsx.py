"""The ranking as an Excel workbook (``qualitykpi score --format xlsx``).

Sheets: ``ranking``, ``breakdown`` (every node's score), ``owners`` (points
lost per office), then ``ledger`` with ``--explain`` and ``errors`` when
rows had data errors.  Header rows are frozen.

Numbers.  A score is written as a number cell whose format shows exactly
its decimals (``27.15`` gets ``0.00``, ``10`` gets ``0``), so Excel and WPS
show the exact value and can add it up.  A spreadsheet number is a binary
double: it holds every decimal of up to 15 significant digits exactly
enough that Excel shows it and a reader gets it back unchanged (openpyxl
writes 16 significant digits, which round-trip).  A value with more digits
than that is written as text, to stay exact.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from os import PathLike
from typing import Any

from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.styles import Alignment, Font  # type: ignore[import-untyped]
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]

from ..i18n import _
from ..results import Result, Results
from ..scheme import Scheme
from ..source import display_width
from ..values import normalize, to_decimal
from . import error_json, node_columns, number, ranking_header, top_columns, vetoes_text
from .owners import OWNERS_NOTE, owner_table

#: The most significant digits a spreadsheet number holds exactly.
EXACT_DIGITS = 15

Cell = str | int | Decimal | None

_BOLD = Font(bold=True)


def number_format(value: Decimal) -> str:
    """The Excel format that shows ``value`` with exactly its decimals."""
    exponent = value.as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return "0" if places == 0 else "0." + "0" * places


def fits(value: Decimal) -> bool:
    """Whether a spreadsheet number shows and gives back ``value`` exactly."""
    return value.is_finite() and len(value.as_tuple().digits) <= EXACT_DIGITS


def _put(sheet: Any, row: int, column: int, value: Cell) -> None:
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


def _sheet(
    book: Any,
    title: str,
    headers: Sequence[Sequence[Cell]],
    rows: Iterable[Sequence[Cell]],
    *,
    freeze_columns: int = 0,
) -> Any:
    sheet = book.create_sheet(title)
    widths: dict[int, int] = {}
    line = 0
    for line, cells in enumerate([*headers, *rows], start=1):
        for column, value in enumerate(cells, start=1):
            _put(sheet, line, column, value)
            if line <= len(headers):
                sheet.cell(row=line, column=column).font = _BOLD
            shown = number(value) if isinstance(value, Decimal) else str(value or "")
            widths[column] = max(widths.get(column, 0), display_width(shown))
    for column, width in widths.items():
        sheet.column_dimensions[get_column_letter(column)].width = min(max(width + 2, 6), 60)
    sheet.freeze_panes = sheet.cell(row=len(headers) + 1, column=freeze_columns + 1)
    return sheet


def _ranking(book: Any, scheme: Scheme, results: Results) -> None:
    tops = top_columns(scheme)
    header: list[Cell] = [*ranking_header()]
    header += [column.name for column in tops]
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
    _sheet(book, _("ranking"), [header], rows, freeze_columns=2)


def _breakdown(book: Any, scheme: Scheme, results: Results) -> None:
    columns = node_columns(scheme)
    ids: list[Cell] = [_("entity"), _("total"), *(column.id for column in columns)]
    names: list[Cell] = [None, None, *(column.name for column in columns)]
    maxima: list[Cell] = [_("max"), None, *(column.max for column in columns)]
    maxima[1] = _total_max(scheme)
    rows: list[list[Cell]] = []
    for _rank, result in results.ranking():
        scores = result.scores
        rows.append(
            [
                result.entity,
                result.total,
                *(scores.get(column.id) for column in columns),
            ]
        )
    _sheet(book, _("breakdown"), [ids, names, maxima], rows, freeze_columns=1)


def _total_max(scheme: Scheme) -> Decimal:
    return to_decimal(scheme.scorer.max)


def _owners(book: Any, scheme: Scheme, results: Results) -> None:
    offices, entities, lost = owner_table(scheme, results)
    header: list[Cell] = [_("office"), _("points"), *entities]
    rows: list[list[Cell]] = []
    for office in offices:
        by_entity = lost.get(office.name, {})
        rows.append(
            [
                office.label,
                office.points,
                *(by_entity.get(entity, Decimal(0)) for entity in entities),
            ]
        )
    sheet = _sheet(book, _("owners"), [header], rows, freeze_columns=1)
    note = sheet.cell(row=len(rows) + 3, column=1)
    note.value = _(OWNERS_NOTE)
    note.alignment = Alignment(wrap_text=False)


def _ledger(book: Any, results: Results) -> None:
    header: list[Cell] = [
        _("entity"),
        _("node"),
        _("name"),
        _("owners"),
        _("amount"),
        _("reason"),
        _("kind"),
        _("line"),
    ]
    rows: list[list[Cell]] = []
    for _rank, result in results.ranking():
        rows.extend(_ledger_rows(result))
    _sheet(book, _("ledger"), [header], rows, freeze_columns=1)


def _ledger_rows(result: Result) -> list[list[Cell]]:
    return [
        [
            result.entity,
            entry.node_id or None,
            entry.node_name,
            ", ".join(entry.owners) or None,
            entry.amount,
            entry.reason,
            entry.kind,
            entry.line,
        ]
        for entry in result.lost_points()
    ]


def _errors(book: Any, results: Results) -> None:
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
    _sheet(book, _("errors"), [header], rows, freeze_columns=1)


def write_workbook(
    path: str | PathLike[str], scheme: Scheme, results: Results, *, explain: bool = False
) -> None:
    """Write the ranking workbook to ``path``."""
    book = Workbook()
    book.remove(book.active)
    _ranking(book, scheme, results)
    _breakdown(book, scheme, results)
    _owners(book, scheme, results)
    if explain:
        _ledger(book, results)
    if results.errors:
        _errors(book, results)
    book.save(path)
