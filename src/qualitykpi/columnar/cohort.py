"""Scoring a cohort a column at a time: what :meth:`Scheme.score_table` does for
a large cohort, with the same results and the same data errors as row by row.

The rows are read by column (:mod:`.frames` for a data frame; a list of rows
is gathered into columns), each column encoded once (:mod:`.encode`), the
peer statistics counted from the codes, and the plan run over the columns
(:mod:`.evaluate`).  A row with a cell that cannot be read, or one the plan
leaves, is scored by the row path — which is also what names its problems,
so that an error reads the same whichever path a cohort took.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from itertools import groupby
from operator import itemgetter
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from ..entities import entity_name, name_error
from ..errors import DataError, besides
from ..nodes.derived import Cohort
from ..readers import DataTable
from ..results import Result, Results
from .derive import Derived, counted, derive_columns
from .encode import Column, encode
from .evaluate import ColumnarPlan, Scored
from .frames import frame_columns
from .lazy import ColumnResults

if TYPE_CHECKING:
    from ..scheme import Scheme

Stats = dict[str, dict[str, Fraction]]


def score_columns(
    scheme: Scheme,
    rows: Any,
    entity: str,
    frame: bool,
    *,
    peers: Mapping[str, Mapping[str, Fraction]] | None = None,
    first_row: int = 1,
    taken: Iterable[str] = (),
    rounds: Sequence[Cohort] | None = None,
) -> Results | None:
    """The cohort's results, or None when it is one to score row by row (a column
    given twice, values too large for the column path's integers).

    A part of a larger cohort (:mod:`qualitykpi.dask`) gives the whole's
    ``peers``, the number of its ``first_row``, and the names earlier parts
    have ``taken``, as for :meth:`Scheme._score_rows`; for a scheme that
    computes, the whole's cohort before each round of its lets and after the
    last (``rounds``, see :func:`~.derive.derive_columns`).
    """
    derivation = scheme._derivation
    if derivation is not None and (
        (peers is not None and rounds is None) or "total" in derivation.ranked
    ):
        return None  # ranks of the total need a first round scored by row
    source = _Source.of(scheme, rows, entity, frame)
    if source is None:
        return None
    # Scored after the cohort's statistics (as the row path does when it must
    # count them first), every reading error comes before the scoring ones.
    peer_mode = peers is None and (bool(scheme.peer_inputs()) or derivation is not None)
    names, kept, loop_errors, columns = _encoded(scheme, source, entity, first_row, taken)
    bad = np.zeros(len(kept), dtype=bool)
    for column in columns.values():
        if column.problems:
            bad |= column.bad()
    every: dict[str, Column] = columns
    derived = None
    if derivation is not None:
        derived = derive_columns(derivation, columns, len(kept), rounds)
        every = {**columns, **derived.columns}
        stats = {name: dict(found) for name, found in derived.cohort.stats.items()}
    elif peers is None:
        stats = _statistics(scheme, columns)
    else:
        stats = {name: dict(found) for name, found in peers.items()}
    plan = scheme._plan(stats, None if derived is None else derived.cohort)
    if plan is None:
        return None
    scored = ColumnarPlan(plan, derivation).score(every, len(kept))
    if scored is None:
        return None

    # The rows the row path scores: their results, and the errors of every row.
    eager: dict[int, Result] = {}
    row_errors: dict[int, list[DataError]] = {}
    score_errors: dict[int, list[DataError]] = {}
    for place in np.flatnonzero(bad | scored.slow).tolist():
        position = kept[place]
        row = source.row(position)
        cells = scheme._cells(row)
        values, read_errors = scheme._read(names[place], cells, row)
        if derived is None:
            outcome = scheme._evaluate(names[place], values, stats, plan, cells)
        else:
            # As the row path scores it: its values, computed ones included.
            exact, why = derived.row(every, place)
            outcome = scheme._evaluate(
                names[place],
                exact,  # type: ignore[arg-type]
                stats,
                plan,
                cells,
                derived.cohort,
                why,
            )
        if read_errors:
            row_errors[position] = read_errors
            if not isinstance(outcome, Result):
                score_errors[position] = besides(outcome, read_errors)
        elif isinstance(outcome, Result):
            eager[place] = outcome
        else:
            score_errors[position] = outcome
    errors = _ordered(len(source.names), loop_errors, row_errors, score_errors, peer_mode)
    results = ColumnResults(
        names,
        scored,
        plan,
        eager,
        np.flatnonzero(~(bad | scored.slow)),
        _tracer(scheme, columns, every, derived, stats),
        scheme.scorer.file,
    )
    return scheme._results(results, errors, stats)


def count_rounds(
    scheme: Scheme,
    rows: Any,
    entity: str,
    frame: bool,
    rounds: Sequence[Cohort],
    taken: Iterable[str] = (),
) -> tuple[int, dict[str, list[tuple[Fraction, int]]]] | None:
    """For a part of a larger cohort (:mod:`qualitykpi.dask`): how many of its rows
    are scored, and the counts of each value the scheme's statistics and ranks
    read once the lets of the first ``len(rounds)`` rounds are worked out over
    the whole cohort's ``rounds``; None when it is one to read row by row (a
    column given twice)."""
    derivation = scheme._derivation
    assert derivation is not None
    source = _Source.of(scheme, rows, entity, frame)
    if source is None:
        return None
    _, kept, _, columns = _encoded(scheme, source, entity, 1, taken)
    derived = derive_columns(derivation, columns, len(kept), rounds)
    return len(kept), counted(derivation, {**columns, **derived.columns}, derived.exact)


def _encoded(
    scheme: Scheme, source: _Source, entity: str, first_row: int, taken: Iterable[str]
) -> tuple[list[str], list[int], dict[int, list[DataError]], dict[str, Column]]:
    """The names of the rows that are scored, their places, the errors of the rows
    that are not (no name, a name seen before), and the inputs' columns."""
    loop_errors: dict[int, list[DataError]] = {}
    kept: list[int] = []
    names: list[str] = []
    seen: set[str] = set(taken)
    plain = _plain_names(source.names, seen, source.trimmed_names)
    if plain is not None:
        names, kept = plain, list(range(len(plain)))
    for position, raw in enumerate(source.names if plain is None else ()):
        index = source.numbers[position] if source.numbers else position + first_row
        name = entity_name(raw)
        wrong = name_error(raw, name, index, entity, seen)
        if wrong is not None:
            loop_errors[position] = [wrong]
        else:
            seen.add(name)
            kept.append(position)
            names.append(name)
    # Every row, in the common case: no column to copy.
    picked = None if plain is not None else np.asarray(kept, np.int64)
    columns = {
        name: encode(source.cells(name, picked), spec) for name, spec in scheme._specs.items()
    }
    return names, kept, loop_errors, columns


def _plain_names(raw: list[object], taken: set[str], trimmed: bool) -> list[str] | None:
    """The entity names, when every one is text, not blank, and given once (the
    common case, checked a column at a time); else None.  ``trimmed``: the
    frame has found them text with nothing to strip."""
    if trimmed:
        names = cast("list[str]", raw)
    else:
        if set(map(type, raw)) != {str}:
            return None
        names = list(map(str.strip, raw))  # type: ignore[arg-type]
    found = set(names)
    if len(found) != len(names) or "" in found or not found.isdisjoint(taken):
        return None
    return names


class _Source:
    """Rows or a frame, seen by column."""

    def __init__(
        self,
        names: list[object],
        columns: Mapping[str, Any],
        row: Any,
        numbers: Sequence[int],
        read_from: Mapping[str, str],
        trimmed_names: bool = False,
    ) -> None:
        self.names = names
        self.trimmed_names = trimmed_names
        self._columns = columns
        self.row = row
        self.numbers = numbers
        self._read_from = read_from

    @classmethod
    def of(cls, scheme: Scheme, rows: Any, entity: str, frame: bool) -> _Source | None:
        headers = dict(scheme._columns.headed)
        if frame:
            wanted = [*scheme._specs, *headers.values()]
            found = frame_columns(rows, entity, wanted)
            if found is None:
                return None
            if any(
                name in found.cells and header in found.cells for name, header in headers.items()
            ):
                return None  # given twice: the row path compares the two cells row by row
            read_from = {
                name: name if name in found.cells else headers.get(name, name)
                for name in scheme._specs
            }
            return cls(found.names, found.cells, found.row, (), read_from, found.trimmed_names)
        numbers: Sequence[int] = ()
        if isinstance(rows, DataTable):
            if len(rows.row_numbers) == len(rows.rows):
                numbers = rows.row_numbers
            rows = rows.rows
        listed = rows if isinstance(rows, Sequence) else list(rows)
        if not all(isinstance(row, Mapping) for row in listed):
            return None  # the row path says which row is not a mapping
        if headers and any(
            name in row and header in row for row in listed for name, header in headers.items()
        ):
            return None
        names = [row.get(entity) for row in listed]
        cells = {
            name: [
                row.get(name) if name in row else row.get(headers.get(name, name)) for row in listed
            ]
            for name in scheme._specs
        }
        return cls(names, cells, listed.__getitem__, numbers, {name: name for name in cells})

    def cells(self, name: str, picked: Any) -> Any:
        """The cells of input ``name`` in the rows ``picked`` (None: every row)."""
        column = self._columns.get(self._read_from[name])
        if picked is None:
            return [None] * len(self.names) if column is None else column
        if column is None:
            return [None] * len(picked)
        if isinstance(column, np.ndarray):
            return column[picked]
        return [column[position] for position in picked.tolist()]


def _statistics(scheme: Scheme, columns: Mapping[str, Column]) -> Stats:
    """:meth:`Scheme.cohort_peers`, counted from the codes."""
    stats: Stats = {}
    for name in scheme.peer_inputs():
        column = columns[name]
        counts = np.bincount(column.codes, minlength=len(column.values)).tolist()
        counted = sorted(
            (Fraction(value), count)
            for value, count in zip(column.values, counts, strict=True)
            if isinstance(value, Decimal) and count
        )
        if counted:
            # Equal values written differently (87.2, 87.20) are one value.
            merged = [
                (value, sum(count for _, count in same))
                for value, same in groupby(counted, key=itemgetter(0))
            ]
            stats[name] = scheme._statistics(merged)
    return stats


def _tracer(
    scheme: Scheme,
    columns: Mapping[str, Column],
    every: Mapping[str, Column],
    derived: Derived | None,
    stats: Stats,
) -> Callable[[str, int], Result]:
    """What traces a row scored by column, from the values the row path would keep."""
    if derived is None:

        def trace(entity: str, place: int) -> Result:
            values = {name: column.value(place) for name, column in columns.items()}
            return scheme._traced(entity, values, stats)

    else:

        def trace(entity: str, place: int) -> Result:
            exact, why = derived.row(every, place)
            return scheme._traced(entity, exact, stats, derived.cohort, why)  # type: ignore[arg-type]

    return trace


def _ordered(
    size: int,
    loop: Mapping[int, list[DataError]],
    read: Mapping[int, list[DataError]],
    scoring: Mapping[int, list[DataError]],
    peer_mode: bool,
) -> list[DataError]:
    """The errors in the order the row path gives them: scored as read, each row's
    reading then scoring errors; scored after the cohort's statistics, every
    reading error first."""
    rows = sorted({*loop, *read, *scoring})
    errors: list[DataError] = []
    if peer_mode:
        for position in rows:
            errors.extend(loop.get(position, ()))
            errors.extend(read.get(position, ()))
        for position in rows:
            errors.extend(scoring.get(position, ()))
        return errors
    for position in rows:
        errors.extend(loop.get(position, ()))
        errors.extend(read.get(position, ()))
        errors.extend(scoring.get(position, ()))
    return errors


__all__ = ["Scored", "score_columns"]
