"""A cohort's columns as codes: each distinct cell read once, every row a code.

Scoring rules are step functions of inputs that take few values: a rate to
one decimal place has at most 1,001, a count a few dozen, a yes/no two.  So
a column is *dictionary-encoded*: each distinct cell is read once, by the
input's own reader (:meth:`~qualitykpi.values.InputSpec.read_exact`, the
one that reads a single row), and each row keeps the index of its cell
among the distinct ones.  What a cell means is therefore decided in one
place for the row and the column paths alike; a column of a million floats
costs one sort and a few thousand reads.

Cells are distinct by type and value: ``1``, ``1.0`` and ``True`` are three
cells (they are read differently), while a float and the same float are one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

import attrs
import numpy as np

from ..fast import FastValue
from ..values import InputSpec, ValueProblem, is_narrow_float

#: Codes past this many distinct keys are compacted (see :func:`keyed`).
_WIDE = 1 << 40


@attrs.frozen(eq=False)
class Column:
    """One input over the cohort: ``values[codes[row]]`` is the row's value as read.

    ``problems`` holds, by code, why a cell could not be read; ``cells`` one
    cell of each code, as the data gave it.  A computed value with no finite
    decimal form (1/3) is None in ``values``, which the compiled plan reads,
    and itself in ``endless``.
    """

    codes: Any  # numpy int64 array, one code per row
    values: tuple[FastValue, ...]
    problems: dict[int, ValueProblem]
    cells: tuple[object, ...]
    endless: Mapping[int, Fraction] = attrs.field(factory=dict)

    def __len__(self) -> int:
        return len(self.codes)

    def value(self, row: int) -> FastValue:
        value: FastValue = self.values[self.codes[row]]
        return value

    def bad(self) -> Any:
        """Which rows hold a cell that cannot be read (a boolean array)."""
        if not self.problems:
            return np.zeros(len(self.codes), dtype=bool)
        flags = np.zeros(len(self.values), dtype=bool)
        flags[list(self.problems)] = True
        return flags[self.codes]


def encode(cells: Sequence[object] | Any, spec: InputSpec) -> Column:
    """The column of ``cells`` (a NumPy array of numbers, or any sequence of cells)."""
    if isinstance(cells, np.ndarray) and cells.dtype.kind in "biuf":
        return _numeric(cells, spec)
    index: dict[tuple[type, object], int] = {}
    codes = np.empty(len(cells), dtype=np.int64)
    distinct: list[object] = []
    for row, cell in enumerate(cells):
        try:
            key: tuple[type, object] = (cell.__class__, cell)
            code = index.get(key)
        except TypeError:  # an unhashable cell: a key of its own
            key, code = (object, row), None
        if code is None:
            code = index[key] = len(distinct)
            distinct.append(cell)
        codes[row] = code
    return _read(codes, distinct, spec)


def _numeric(cells: Any, spec: InputSpec) -> Column:
    narrow = is_narrow_float(cells)
    found, codes = distinct(cells)
    # A float32 cell is read as the NumPy value it is (at its own precision),
    # as a row of the same DataFrame is; others as the Python number.
    cells_found = list(found) if narrow else found.tolist()
    return _read(codes.reshape(-1).astype(np.int64, copy=False), cells_found, spec)


def distinct(cells: Any) -> tuple[Any, Any]:
    """The distinct numbers of an array, and each cell's index among them: whole
    numbers within a narrow range by counting, others by hashing when pandas is
    at hand (several times faster than sorting)."""
    if cells.dtype.kind in "iu" and len(cells):
        low, high = int(cells.min()), int(cells.max())
        # In int64, so that neither a narrow type nor the offset overflows.
        if high - low <= 4 * len(cells) + 1024 and high < 1 << 63:
            offsets = cells.astype(np.int64) - low
            used = np.flatnonzero(np.bincount(offsets, minlength=high - low + 1))
            renumber = np.empty(high - low + 1, dtype=np.int64)
            renumber[used] = np.arange(len(used), dtype=np.int64)
            return (used + low).astype(cells.dtype), renumber[offsets]
    try:
        import pandas  # type: ignore[import-untyped]
    except ImportError:
        return np.unique(cells, return_inverse=True, equal_nan=True)
    codes, found = pandas.factorize(cells, use_na_sentinel=False)
    return found, codes


def _read(codes: Any, distinct: list[object], spec: InputSpec) -> Column:
    values: list[FastValue] = []
    problems: dict[int, ValueProblem] = {}
    for code, cell in enumerate(distinct):
        try:
            values.append(spec.read_exact(cell))
        except ValueProblem as problem:
            problems[code] = problem
            values.append(None)
    return Column(codes, tuple(values), problems, tuple(distinct))


def keyed(columns: Sequence[Column], size: int) -> tuple[Any, Any]:
    """One code per row for the combination of ``columns``' values, and one row of
    each combination: ``(codes, rows)``, codes numbered 0… in ``rows``' order."""
    if not columns:
        return np.zeros(size, dtype=np.int64), np.zeros(min(size, 1), dtype=np.int64)
    code = columns[0].codes
    width = len(columns[0].values)
    for column in columns[1:]:
        more = len(column.values)
        if width * more >= _WIDE:
            code, width = _compact(code)
        code = code * more + column.codes
        width *= more
    if width <= 4 * size + 1024:
        # Few possible keys: find the used ones by counting, not by sorting.
        used = np.flatnonzero(np.bincount(code, minlength=width))
        renumber = np.empty(width, dtype=np.int64)
        renumber[used] = np.arange(len(used), dtype=np.int64)
        codes = renumber[code]
    else:
        _, codes = np.unique(code, return_inverse=True)
        codes = codes.reshape(-1)
        used = None
    count = int(codes.max()) + 1 if len(codes) else 0
    rows = np.empty(count, dtype=np.int64)
    # Any row of a key will do: they all hold the same values.
    rows[codes] = np.arange(len(codes), dtype=np.int64)
    return codes, rows


def combinations(columns: Sequence[Column], size: int) -> tuple[Any, list[tuple[int, ...]]]:
    """One code per row for the combination of ``columns``' values (as :func:`keyed`),
    and each combination as the codes of its values in ``columns``."""
    if len(columns) == 1:
        return columns[0].codes, [(code,) for code in range(len(columns[0].values))]
    codes, rows = keyed(columns, size)
    if not columns:
        return codes, [()] * len(rows)
    return codes, list(zip(*(column.codes[rows].tolist() for column in columns), strict=True))


def _compact(code: Any) -> tuple[Any, int]:
    found, codes = np.unique(code, return_inverse=True)
    return codes.reshape(-1), len(found)
