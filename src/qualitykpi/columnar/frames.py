"""A data frame's columns as they come: pandas, pyarrow and polars, without rows.

Each column a scheme reads is taken whole.  A column of plain numbers
without nulls stays a NumPy array, whose distinct values are read once each
(:mod:`.encode`); any other column becomes the Python cells the row path
would see, from the same conversion (:mod:`qualitykpi.columns` for pyarrow
and polars), so that a cell means the same thing on either path.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs

from ..columns import _cells as _typed_cells
from ..columns import columnar_kind


@attrs.frozen(eq=False)
class FrameColumns:
    """What a frame holds for a scheme: its entity cells and the columns it reads."""

    size: int
    names: list[object]
    #: By column name: a NumPy array of numbers, or a list of cells.
    cells: dict[str, Any]
    #: The names are known to be text, none missing, blank or with spaces to strip.
    trimmed_names: bool = False

    def row(self, index: int) -> dict[str, object]:
        """One row as the row path reads it (only the columns read)."""
        return {name: _cell(column, index) for name, column in self.cells.items()}


def frame_columns(frame: Any, entity: str, wanted: Sequence[str]) -> FrameColumns | None:
    """The entity column and those of ``wanted`` that the frame has; None when the
    frame is one the row path must read (a column name given twice)."""
    kind = columnar_kind(frame)
    if kind == "pyarrow":
        names_of = list(frame.schema.names)
    elif kind == "polars":
        names_of = list(frame.columns)
    else:
        if entity not in frame.columns and entity in (frame.index.names or ()):
            frame = frame.reset_index()
        names_of = list(frame.columns)
    if len(set(names_of)) != len(names_of):
        return None
    present = set(names_of)
    cells: dict[str, Any] = {}
    for name in dict.fromkeys(wanted):
        if name in present:
            cells[name] = _column(frame, kind, name)
    size = len(frame)
    names = _column(frame, kind, entity, numbers=False) if entity in present else [None] * size
    trimmed = kind is None and entity in present and _trimmed_text(frame[entity])
    return FrameColumns(size, list(names), cells, trimmed)


#: What ``str.strip`` strips: the characters for which ``str.isspace()`` holds.
WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)


def _trimmed_text(series: Any) -> bool:
    """Whether a pandas text column's names are none of them missing, blank or
    with spaces to strip, found by pandas a column at a time (a Python loop
    over a million names is a sizeable part of scoring them)."""
    if str(series.dtype) not in ("str", "string") or series.isna().any():
        return False
    return bool((series.str.strip(WHITESPACE) == series).all() and not (series == "").any())


def _column(frame: Any, kind: str | None, name: str, *, numbers: bool = True) -> Any:
    if kind == "pyarrow":
        column = frame.column(name)
        dtype = str(column.type)
        if numbers and column.null_count == 0 and _plain_number(dtype):
            # A RecordBatch's column is an Array, which copies only when told to.
            return column.to_numpy() if hasattr(column, "chunks") else column.to_numpy(False)
        return _typed_cells(column.to_pylist(), dtype)
    if kind == "polars":
        series = frame.get_column(name)
        dtype = str(series.dtype)
        if numbers and series.null_count() == 0 and _plain_number(dtype):
            return series.to_numpy()
        return _typed_cells(series.to_list(), dtype)
    series = frame[name]
    array = getattr(series, "array", None)
    numpy = type(array).__name__ == "NumpyExtensionArray" or type(array).__name__ == "PandasArray"
    if numbers and numpy and series.dtype.kind in "biuf":
        return series.to_numpy()
    if series.dtype.kind == "f" and series.dtype.itemsize < 8:
        return list(series.to_numpy())  # NumPy float32 cells, as the row path reads them
    if str(series.dtype) in ("str", "string") and not series.isna().any():
        return series.tolist()  # text, and nothing missing: the cells as they are
    # As ``to_dict("records")`` gives them to the row path: a missing cell of a
    # nullable column is None there, where ``tolist`` gives pandas' NA.
    cells: list[object] = frame[[name]].to_dict("list")[name]
    return cells


def _plain_number(dtype: str) -> bool:
    """A pyarrow or polars type whose NumPy form holds the same numbers as its cells."""
    return dtype.lower() in {
        "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
        "double", "float64", "bool",
        "boolean",
    }  # fmt: skip


def _cell(column: Any, index: int) -> object:
    cell = column[index]
    item = getattr(cell, "item", None)
    # A NumPy number as the Python number a row holds; a float32 stays one.
    if item is not None and getattr(getattr(cell, "dtype", None), "itemsize", 8) == 8:
        return item()
    if item is not None and getattr(cell.dtype, "kind", "") in "biu":
        return item()
    return cell
