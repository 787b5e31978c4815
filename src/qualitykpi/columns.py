"""Tables that hold their data by column: a pyarrow ``Table`` and a polars
``DataFrame``, read as they come.

Neither library is a dependency of qualitykpi, and neither is imported: a
table is recognised by the name and module of its type, as a pandas
DataFrame is.  It is read a slice at a time, column by column, into the
Python values its cells hold (``to_pylist`` / ``to_list``), and handed to
the scorer one row at a time, so that no copy of the whole table as Python
objects is ever made.  What each cell means is then decided by the input
that reads it, as for any other row: a null or a float NaN is ``no data``,
an integer or a decimal is exact, a float is read through its shortest
``repr`` (87.2 stays 87.2), text is text and a boolean is yes or no.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Iterator, Sequence
from typing import Any

from .i18n import _

#: Rows converted at a time: a slice's columns as Python objects, no more.
SLICE = 4_096

#: The struct codes of the floats narrower than a Python float, by the name
#: pyarrow (``str(pa.float32())``) and polars (``str(pl.Float32)``) give them.
_NARROW = {"float": "f", "halffloat": "e", "Float32": "f", "Float16": "e"}


def columnar_kind(rows: object) -> str | None:
    """``"pyarrow"`` for a pyarrow Table or RecordBatch, ``"polars"`` for a polars
    DataFrame, else None; recognised without importing either library."""
    kind = type(rows)
    library = kind.__module__.split(".")[0]
    if library == "pyarrow" and kind.__name__ in ("Table", "RecordBatch"):
        return "pyarrow"
    if library == "polars" and kind.__name__ == "DataFrame":
        return "polars"
    return None


def columnar_rows(table: Any) -> Iterator[dict[str, object]]:
    """The rows of a pyarrow or polars table as mappings of column to cell."""
    if columnar_kind(table) == "polars":
        names = list(table.columns)
        for part in table.iter_slices(n_rows=SLICE):
            columns = [_cells(series.to_list(), str(series.dtype)) for series in part]
            yield from _rows(names, columns)
        return
    names = list(table.schema.names)
    repeated = next((name for index, name in enumerate(names) if name in names[:index]), None)
    if repeated is not None:
        # A row keeps one cell of a name: the other column would be lost silently.
        message = _("the column {cell} appears twice in the header")
        raise ValueError(message.format(cell=repr(repeated)))
    batches = table.to_batches(max_chunksize=SLICE) if hasattr(table, "to_batches") else [table]
    for batch in batches:
        columns = [
            _cells(batch.column(index).to_pylist(), str(batch.schema.field(index).type))
            for index in range(len(names))
        ]
        yield from _rows(names, columns)


def _rows(names: list[str], columns: Sequence[list[object]]) -> Iterator[dict[str, object]]:
    for cells in zip(*columns, strict=True):
        yield dict(zip(names, cells, strict=True))


def _cells(cells: list[object], dtype: str) -> list[object]:
    """A column's cells; a float32 (or float16) column's as the decimal text typed.

    Such a column's cells come out widened to Python floats (91.2 becomes
    91.19999694824219); their shortest text at their own precision is what
    was typed, as for a NumPy float32 in a pandas DataFrame.
    """
    code = _NARROW.get(dtype)
    if code is None:
        return cells
    return [_narrow_text(cell, code) if isinstance(cell, float) else cell for cell in cells]


def _narrow_text(cell: float, code: str) -> object:
    """The shortest decimal text that reads back as the same narrow float."""
    if not math.isfinite(cell):
        return cell  # NaN is absent; an infinity is refused by the input, as a float
    for digits in range(1, 18):
        text = f"{cell:.{digits}g}"
        if struct.unpack(code, struct.pack(code, float(text)))[0] == cell:
            return text
    return repr(cell)
