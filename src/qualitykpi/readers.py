"""Reading a cohort's data table (CSV, TSV, XLSX, JSON) without losing exactness.

Every reader gives the same thing: a header of column names and one dict per
entity whose values :meth:`~qualitykpi.values.InputSpec.read` understands —
text, ``int``, ``Decimal``, ``bool`` or ``None``.  No binary float leaves this
module: a spreadsheet number stored as a double is turned back into the
decimal a person typed (see :func:`_excel_number`).

The encoding of a CSV file is detected, never guessed silently: a byte-order
mark, else strict UTF-8, else GB18030 (what Chinese Excel's "CSV (逗号分隔)"
writes); bytes that are neither are refused with a hint to pass
``--encoding``.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import difflib
import io
import json
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Context, Decimal
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import attrs

from .errors import RuleError
from .i18n import _
from .source import display_path
from .values import normalize

if TYPE_CHECKING:
    from .scheme import Scheme

#: Significant digits Excel keeps of a number (it shows and computes with 15).
EXCEL_DIGITS = 15

_EXCEL_CONTEXT = Context(prec=EXCEL_DIGITS, rounding=ROUND_HALF_UP)

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    # Excel's "Unicode text (*.txt)" is UTF-16 with a byte-order mark.
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

_SUFFIXES = ".csv, .tsv, .txt, .xlsx, .xlsm, .json"


class DataFileError(RuleError):
    """A data file that cannot be read as a table (format, encoding, layout)."""

    code = "data-file"

    def __init__(self, path: str, message: str, *, hint: str | None = None) -> None:
        self.path = path
        super().__init__(
            _("data file {path}: {message}").format(path=path, message=message), hint=hint
        )


@attrs.frozen
class DataTable:
    """A data table as read: rows in file order, columns in header order.

    ``row_numbers`` gives, for each row, where it stands in the file: its
    spreadsheet row, its CSV line (blank lines skipped by the reader still
    count), or its place in the JSON list.  :meth:`Scheme.score_table`
    names rows by them.
    """

    rows: tuple[dict[str, object], ...]
    columns: tuple[str, ...]
    source: str
    encoding: str | None = None
    sheet: str | None = None
    row_numbers: tuple[int, ...] = ()


def read_table(
    path: str | PathLike[str], *, encoding: str | None = None, sheet: str | None = None
) -> DataTable:
    """Read a data table; the file's suffix says its format.

    ``encoding`` overrides the detection for text files; ``sheet`` picks a
    worksheet of a workbook by name (the first one by default).
    """
    file = Path(path)
    name = display_path(path)
    suffix = file.suffix.lower()
    if sheet is not None and suffix not in (".xlsx", ".xlsm"):
        raise DataFileError(
            name,
            _("--sheet applies to .xlsx workbooks, not {suffix}").format(suffix=suffix or "this"),
        )
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise DataFileError(
                name, _("unknown encoding {encoding}").format(encoding=repr(encoding))
            ) from None
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(file, name, sheet)
    if suffix == ".xls":
        raise DataFileError(
            name, _("the old .xls format is not read"), hint=_("save the sheet as .xlsx or CSV")
        )
    if suffix not in (".csv", ".tsv", ".txt", ".json"):
        raise DataFileError(
            name,
            _("unknown file type {suffix}; use one of {suffixes}").format(
                suffix=repr(suffix), suffixes=_SUFFIXES
            ),
        )
    try:
        data = file.read_bytes()
    except OSError as error:
        raise DataFileError(
            name,
            _("cannot read it: {error}").format(error=error.strerror or error),
        ) from error
    if suffix == ".json":
        return _read_json(data, name, encoding)
    text, used = _decode(data, name, encoding)
    return _read_delimited(text, name, used, "," if suffix == ".csv" else "\t")


# ------------------------------------------------------------------ text


def _decode(data: bytes, name: str, encoding: str | None) -> tuple[str, str]:
    """The text of ``data`` and the encoding it was read with."""
    hint = _("name the file's encoding with --encoding (e.g. --encoding gbk)")
    if encoding is not None:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError as error:
            raise DataFileError(
                name,
                _("is not valid {encoding} (byte {start}: {reason})").format(
                    encoding=encoding, start=error.start, reason=error.reason
                ),
                hint=hint,
            ) from None
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec), codec
            except UnicodeDecodeError:
                raise DataFileError(
                    name,
                    _("starts with a {codec} byte-order mark but is not {codec}").format(
                        codec=codec
                    ),
                    hint=hint,
                ) from None
    for codec in ("utf-8", "gb18030"):
        try:
            return data.decode(codec), codec
        except UnicodeDecodeError:
            continue
    raise DataFileError(name, _("is neither UTF-8 nor GB18030/GBK text"), hint=hint)


def _read_delimited(text: str, name: str, encoding: str, delimiter: str) -> DataTable:
    # Strict: a quoted cell that never closes is an error, not the rest of
    # the file read as one cell (which made a phantom entity).
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    lines: list[tuple[int, list[Any]]] = []
    start = 1
    try:
        for cells in reader:
            lines.append((start, [cell.strip() for cell in cells]))
            start = reader.line_num + 1
    except csv.Error as error:
        if "end of data" in str(error):
            raise DataFileError(
                name,
                _("line {start}: a quoted cell starts here and is never closed").format(
                    start=start
                ),
                hint=_('add the closing `"`, or remove the opening one'),
            ) from None
        raise DataFileError(
            name, _("line {line}: {error}").format(line=reader.line_num, error=error)
        ) from None
    rows, numbers = _build_rows(lines, name, blank="", pad_short=False)
    return DataTable(rows, _columns(lines), name, encoding, row_numbers=numbers)


def _columns(lines: list[tuple[int, list[Any]]]) -> tuple[str, ...]:
    _start, header = _header(lines)
    return tuple(cell for cell in header if cell)


def _header(lines: list[tuple[int, list[Any]]]) -> tuple[int, list[str]]:
    """The first non-empty line: its row number and its column names."""
    for number, cells in lines:
        if any(_present(cell) for cell in cells):
            header = ["" if cell is None else str(cell).strip() for cell in cells]
            # A byte-order mark decoded by the wrong codec must not rename column 1.
            header[0] = header[0].lstrip("\ufeff").strip()
            return number, header
    return 0, []


def _present(cell: object) -> bool:
    return cell is not None and cell != ""


def _build_rows(
    lines: list[tuple[int, list[Any]]], name: str, *, blank: object, pad_short: bool
) -> tuple[tuple[dict[str, object], ...], tuple[int, ...]]:
    """Rows under the first non-empty line, checked against that header, and their numbers.

    Fully empty lines are skipped (Excel leaves them); a cell with data under
    an empty or repeated header would be lost silently, so it is an error.
    A sheet's row ends at its last filled cell, so a short one is padded with
    ``blank``; a text row with fewer cells than the header names has lost a
    separator somewhere (every later cell may sit under the wrong column), so
    unless ``pad_short`` it is an error.
    """
    header_row, header = _header(lines)
    if not header:
        raise DataFileError(name, _("has no header row (the first row names the columns)"))
    seen: set[str] = set()
    for cell in header:
        if cell and cell in seen:
            raise DataFileError(
                name, _("the column {cell} appears twice in the header").format(cell=repr(cell))
            )
        seen.add(cell)
    named = max((index + 1 for index, cell in enumerate(header) if cell), default=0)
    rows: list[dict[str, object]] = []
    numbers: list[int] = []
    for number, cells in lines:
        if number <= header_row or not any(_present(cell) for cell in cells):
            continue
        if not pad_short and len(cells) < named:
            raise DataFileError(
                name,
                _(
                    "line {number} has {cells} cells, but the header (line {header_row}) "
                    "names {named} columns"
                ).format(number=number, cells=len(cells), header_row=header_row, named=named),
                hint=_(
                    "a separator or a cell is missing in that line; an empty cell is "
                    "written as nothing between two separators"
                ),
            )
        for index, cell in enumerate(cells):
            if _present(cell) and (index >= len(header) or not header[index]):
                letter = _column_letter(index)
                raise DataFileError(
                    name,
                    _(
                        "row {number} has data in column {letter}, which has no name in the "
                        "header row"
                    ).format(number=number, letter=letter),
                    hint=_("name column {letter} in row {header_row} or delete its data").format(
                        letter=letter, header_row=header_row
                    ),
                )
        padded = list(cells) + [blank] * (len(header) - len(cells))
        rows.append({column: padded[i] for i, column in enumerate(header) if column})
        numbers.append(number)
    return tuple(rows), tuple(numbers)


def _column_letter(index: int) -> str:
    """Spreadsheet letters of a 0-based column index: 0 → A, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


# ------------------------------------------------------------------ xlsx


def _read_xlsx(file: Path, name: str, sheet: str | None) -> DataTable:
    import zipfile

    from openpyxl import load_workbook  # type: ignore[import-untyped]
    from openpyxl.utils.exceptions import InvalidFileException  # type: ignore[import-untyped]

    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except OSError as error:
        raise DataFileError(
            name,
            _("cannot read it: {error}").format(error=error.strerror or error),
        ) from error
    except (InvalidFileException, zipfile.BadZipFile, KeyError) as error:
        raise DataFileError(
            name, _("is not a readable .xlsx workbook ({error})").format(error=error)
        ) from None
    try:
        titles: list[str] = [str(ws.title) for ws in workbook.worksheets]
        if not titles:
            raise DataFileError(name, _("has no worksheet"))
        if sheet is None:
            index = 0
        elif sheet in titles:
            index = titles.index(sheet)
        else:
            listed = _(", ").join(repr(title) for title in titles)
            raise DataFileError(
                name,
                _("has no sheet {sheet}; its sheets are {listed}").format(
                    sheet=repr(sheet), listed=listed
                ),
            )
        worksheet = workbook.worksheets[index]
        # A stored sheet size can be wrong (some tools write none); read it all.
        worksheet.reset_dimensions()
        lines: list[tuple[int, list[Any]]] = [
            (number, [_cell_value(cell) for cell in cells])
            for number, cells in enumerate(worksheet.iter_rows(), start=1)
        ]
    finally:
        workbook.close()
    uncomputed = _uncomputed_formulas(file, index, lines)
    if uncomputed:
        shown = ", ".join(uncomputed[:5]) + (", …" if len(uncomputed) > 5 else "")
        raise DataFileError(
            name,
            _(
                "has {uncomputed} formula cell(s) with no saved result ({shown}): the "
                "workbook was written by a program and never calculated, so their "
                "values are unknown"
            ).format(uncomputed=len(uncomputed), shown=shown),
            hint=_("open it in Excel or WPS and save it, so the results are stored"),
        )
    rows, numbers = _build_rows(lines, name, blank=None, pad_short=True)
    return DataTable(rows, _columns(lines), name, None, titles[index], row_numbers=numbers)


def _uncomputed_formulas(file: Path, index: int, lines: list[tuple[int, list[Any]]]) -> list[str]:
    """The cells (``C5``) that hold a formula whose result was never saved.

    Read for their values, such cells look blank, and blank means no data:
    the entity would be scored without a value it has.  Only blank cells
    can be such formulas, so a sheet without blanks is not read twice.
    """
    blank = {
        (number, column) for number, cells in lines for column, v in enumerate(cells) if v is None
    }
    if not blank:
        return []
    from openpyxl import load_workbook

    workbook = load_workbook(file, read_only=True, data_only=False)
    try:
        worksheet = workbook.worksheets[index]
        worksheet.reset_dimensions()
        return [
            f"{_column_letter(column)}{number}"
            for number, cells in enumerate(worksheet.iter_rows(), start=1)
            for column, cell in enumerate(cells)
            if (number, column) in blank and getattr(cell, "data_type", None) == "f"
        ]
    finally:
        workbook.close()


def _cell_value(cell: Any) -> object:
    value: object = cell.value
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        # 1 formatted as a percentage is shown, and meant, as 100%.
        return value * 100 if _is_percent_format(str(cell.number_format)) else value
    if isinstance(value, float):
        return _excel_number(value, percent=_is_percent_format(str(cell.number_format)))
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def _excel_number(value: float, *, percent: bool) -> Decimal:
    """The decimal a spreadsheet number stands for.

    ``repr`` is the shortest text that reads back as the stored double, so
    it is exactly what was typed whenever that had at most 15 significant
    digits (all a double can hold faithfully).  Rounding to Excel's own 15
    digits removes what arithmetic left over: ``=0.1+0.2`` is stored as
    0.30000000000000004 and shown by Excel as 0.3.  A cell formatted as a
    percentage holds 0.872 for 87.2%; the data mean 87.2.
    """
    if not math.isfinite(value):
        return Decimal("NaN")  # refused later by InputSpec.read as not a number
    number = _EXCEL_CONTEXT.plus(Decimal(repr(value)))
    if percent:
        number = number.scaleb(2)
    return normalize(number)


def _is_percent_format(number_format: str) -> bool:
    """Whether Excel shows the number ×100: a ``%`` outside quotes and escapes."""
    quoted = escaped = False
    for char in number_format:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif char == "%" and not quoted:
            return True
    return False


# ------------------------------------------------------------------ json


def _json_int(text: str) -> int | Decimal:
    """A JSON integer: ``int`` as usual, a ``Decimal`` when it is too long for one.

    ``int()`` of thousands of digits raises ValueError; as a Decimal the
    value is read, then refused by its size for its entity alone.
    """
    return int(text) if len(text) <= 1000 else Decimal(text)


def _read_json(data: bytes, name: str, encoding: str | None) -> DataTable:
    used = encoding or "utf-8"
    try:
        text = data.decode(encoding or "utf-8-sig")
    except UnicodeDecodeError as error:
        raise DataFileError(
            name,
            _("is not valid {used} (byte {start}: {reason})").format(
                used=used, start=error.start, reason=error.reason
            ),
            hint=_("JSON files are UTF-8; name another encoding with --encoding"),
        ) from None

    def constant(word: str) -> object:
        # json.dump writes NaN for a missing float: absent, as in a DataFrame.
        # An infinity is left for the entity's own data error.
        return None if word == "NaN" else Decimal(word)

    def unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        # json keeps the last of two equal keys silently; one value would be lost.
        found: dict[str, Any] = {}
        for key, value in pairs:
            if key in found:
                raise DataFileError(
                    name, _("the key {key} appears twice in one object").format(key=repr(key))
                )
            found[key] = value
        return found

    try:
        document = json.loads(
            text,
            parse_float=Decimal,
            parse_int=_json_int,
            parse_constant=constant,
            object_pairs_hook=unique,
        )
    except json.JSONDecodeError as error:
        raise DataFileError(
            name,
            _("is not valid JSON (line {lineno}, column {colno}: {msg})").format(
                lineno=error.lineno, colno=error.colno, msg=error.msg
            ),
        ) from None
    if isinstance(document, dict):
        key = next((k for k in ("rows", "entities") if k in document), None)
        if key is None:
            raise DataFileError(name, _('holds an object without a "rows" or "entities" list'))
        document = document[key]
    if not isinstance(document, list):
        raise DataFileError(name, _("must hold a list of objects, one per entity"))
    columns: dict[str, None] = {}
    records: list[dict[str, object]] = []
    for number, record in enumerate(document, start=1):
        if not isinstance(record, dict):
            raise DataFileError(
                name, _("row {number} is not an object of column: value").format(number=number)
            )
        row: dict[str, object] = {}
        for raw_key, value in record.items():
            key = str(raw_key).strip()
            if isinstance(value, dict | list):
                raise DataFileError(
                    name,
                    _(
                        "row {number}, key {key}: a value must be a number, text, true/false "
                        "or null, not a list or object"
                    ).format(number=number, key=repr(key)),
                )
            row[key] = value.strip() if isinstance(value, str) else value
            columns.setdefault(key, None)
        records.append(row)
    rows = tuple({column: record.get(column) for column in columns} for record in records)
    numbers = tuple(range(1, len(rows) + 1))
    return DataTable(rows, tuple(columns), name, used, row_numbers=numbers)


# --------------------------------------------------------------- columns


#: How many unknown columns (and missing inputs) get a "did you mean" guess.
GUESSES = 50


@attrs.frozen
class ColumnProblem:
    """A mismatch between a data table's columns and a rule's inputs."""

    kind: Literal["unknown-column", "missing-input", "missing-entity"]
    column: str
    suggestion: str | None
    message: str


def check_columns(
    scheme: Scheme, columns: Iterable[str], entity: str = "entity"
) -> list[ColumnProblem]:
    """What a table's columns lack or have too many, with likely renames.

    An input is matched by its name or by its declared column header;
    guesses offer the header where there is one (the title the offices
    write).  Missing entity column first, then unknown columns in table
    order, then missing inputs in the rule's declaration order.
    """
    present = list(dict.fromkeys(columns))
    specs = scheme.inputs
    assessed = {item.id: item.name for item in scheme.scorer.assessed_ids()}
    headers = {spec.header: name for name, spec in specs.items() if spec.header}
    unknown = [
        column
        for column in present
        if column != entity and column not in specs and column not in headers
    ]
    missing = [name for name in specs if name not in present and specs[name].header not in present]
    # Each missing input is guessed at by its header and by its name.
    titles = [title for name in missing for title in _titles(name, specs[name].header)]
    problems: list[ColumnProblem] = []
    if entity not in present:
        guess = _closest(entity, unknown)
        if guess:
            message = _(
                "the data has no entity column {entity} (the column naming each entity); "
                "is it the column {guess}?"
            )
        else:
            message = _("the data has no entity column {entity} (the column naming each entity)")
        message = message.format(entity=repr(entity), guess=repr(guess))
        problems.append(ColumnProblem("missing-entity", entity, guess, message))
    # Each guess compares one name with every candidate: with thousands of
    # mismatched columns that is minutes of work, so only the first ones guess.
    for position, column in enumerate(unknown):
        candidates = [*titles, *([entity] if entity not in present else [])]
        guess = _closest(column, candidates) if position < GUESSES else None
        if guess:
            message = _("column {column} matches no input of the rule; did you mean {guess}?")
        else:
            message = _("column {column} matches no input of the rule and is not used")
        message = message.format(column=repr(column), guess=repr(guess))
        problems.append(ColumnProblem("unknown-column", column, guess, message))
    for position, name in enumerate(missing):
        header = specs[name].header
        guess = None
        if position < GUESSES:
            guess = _closest(header, unknown) if header else None
            guess = guess or _closest(name, unknown)
        if name in assessed:
            what = _("assessed item {id} ({name})").format(id=repr(name), name=assessed[name])
        else:
            what = _("input {name}").format(name=repr(name))
        if header and guess:
            message = _(
                "the rule's input {name} has no column in the data, titled {header} or {name} "
                "(every entity will have no data for it); is it the column {guess}?"
            )
        elif header:
            message = _(
                "the rule's input {name} has no column in the data, titled {header} or {name} "
                "(every entity will have no data for it)"
            )
        elif guess:
            message = _(
                "the rule's {what} has no column in the data (every entity will have no data "
                "for it); is it the column {guess}?"
            )
        else:
            message = _(
                "the rule's {what} has no column in the data (every entity will have no data "
                "for it)"
            )
        message = message.format(what=what, guess=repr(guess), name=repr(name), header=repr(header))
        problems.append(ColumnProblem("missing-input", name, guess, message))
    return problems


def _titles(name: str, header: str | None) -> tuple[str, ...]:
    return (header, name) if header else (name,)


def _fold(text: str) -> str:
    """A column title as compared: full-width forms as half-width (NFKC), any case,
    no spaces (an office's sheet writes ``（%）``, ``(%)`` or ``( % )`` alike)."""
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())


def _bare(text: str) -> str:
    """A folded title without what brackets add (a unit: ``合格率(%)`` → ``合格率``)."""
    return _BRACKETED.sub("", text).strip("(")


_BRACKETED = re.compile(r"\([^()]*\)?$|\[[^\[\]]*\]?$|【[^【】]*】?$")


def _closest(word: str, candidates: Sequence[str]) -> str | None:
    """The candidate ``word`` most likely misspells.

    Titles equal but for width, case or spaces match first; then titles
    equal but for a bracketed unit (``食品抽检合格率`` for ``食品抽检合格率（%）``,
    or a bracket left open); then the closest by difflib's ratio, which
    weighs each Chinese character as one.
    """
    folded: dict[str, str] = {}
    for candidate in candidates:
        folded.setdefault(_fold(candidate), candidate)
    key = _fold(word)
    if key in folded:
        return folded[key]
    bare: dict[str, str] = {}
    for fold, candidate in folded.items():
        bare.setdefault(_bare(fold), candidate)
    if _bare(key) and _bare(key) in bare:
        return bare[_bare(key)]
    found = difflib.get_close_matches(key, list(folded), n=1, cutoff=0.6)
    return folded[found[0]] if found else None
