"""A cohort's results kept as columns, each :class:`~qualitykpi.results.Result`
made when it is read.

A million results made at once would hold a million node trees' worth of
objects; kept as columns they are a few integers a row.  A result is made
from its row when asked for, by the plan's own
:meth:`~qualitykpi.plan.Plan.result`, so it is the result the row path
makes, and its trace is run, as there, only when it is read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any

import numpy as np

from ..fast import Decline
from ..plan import SCORES_SHARED, Plan
from ..results import Result, competition, ranking_key, record
from ..values import normalize
from .evaluate import Scored, scaled


class ColumnResults(Mapping[str, Result]):
    """Results by entity, in the order of the rows."""

    def __init__(
        self,
        names: list[str],
        scored: Scored,
        plan: Plan,
        eager: dict[int, Result],
        fast: Any,
        trace: Callable[[str, int], Result],
        file: str | None,
    ) -> None:
        self._names = names
        self._scored = scored
        self._plan = plan
        self._eager = eager
        #: The traced evaluation of the entity of a row, from the row's values.
        self._trace = trace
        self._file = file
        # The rows that have a result, in row order: those scored here and those
        # the row path scored.
        self._rows: Sequence[int]
        if len(fast) == len(names):
            self._rows = range(len(names))  # every row: no list of a million indices
        else:
            kept = np.zeros(len(names), dtype=bool)
            kept[fast] = True
            kept[list(eager)] = True
            self._rows = np.flatnonzero(kept).tolist()
        self._places: dict[str, int] | None = None
        self._labels = plan.scorer.grades.labels() if plan.scorer.grades is not None else ()
        self._shown: dict[int, Decimal] = {}

    def __len__(self) -> int:
        return len(self._rows)

    def __iter__(self) -> Iterator[str]:
        names = self._names
        return (names[row] for row in self._rows)

    def __contains__(self, entity: object) -> bool:
        return entity in self._place()

    def __getitem__(self, entity: str) -> Result:
        return self.at(self._place()[entity])

    def _place(self) -> dict[str, int]:
        # Made when an entity is first looked up by name: a cohort written out
        # whole never needs it.
        if self._places is None:
            names = self._names
            self._places = {names[row]: row for row in self._rows}
        return self._places

    def at(self, row: int) -> Result:
        """The result of the cohort's row ``row`` (0-based among the scored rows' places)."""
        made = self._eager.get(row)
        if made is not None:
            return made
        scored = self._scored
        fired = [index for index, hit in enumerate(scored.fired) if hit[row]]
        entity = self._names[row]

        def trace() -> Result:
            return self._trace(entity, row)

        def scores() -> list[Decimal]:
            return [self._show(number) for number in scored.scores[:, row].tolist()]

        total = self._show(int(scored.total[row]))
        return self._plan.result(entity, total, self._grade(row), fired, scores, trace, self._file)

    def records(self, ids: Sequence[str]) -> Iterator[list[object]]:
        """Each result in row order as ``[entity, total, grade, vetoes, *scores]``
        (the node scores of ``ids``, None for a node it does not have), read off the
        columns without making a result: a table of a large cohort."""
        scored = self._scored
        slot_of = {shape.id: slot for slot, shape in enumerate(self._plan.shapes)}
        slots = [slot_of.get(node) for node in ids]
        hits = self._plan.hits
        show = self._show
        for row in self._rows:
            made = self._eager.get(row)
            if made is not None:
                yield record(made, ids)
                continue
            numbers = scored.scores[:, row].tolist()
            fired = tuple(
                hit.name for hit, found in zip(hits, scored.fired, strict=True) if found[row]
            )
            shown = [None if slot is None else show(numbers[slot]) for slot in slots]
            total = show(int(scored.total[row]))
            yield [self._names[row], total, self._grade(row), fired, *shown]

    def _grade(self, row: int) -> str | None:
        index = int(self._scored.grades[row])
        return self._labels[index] if index >= 0 else None

    def _show(self, number: int) -> Decimal:
        """A score as a result shows it; each distinct one made once."""
        shown = self._shown.get(number)
        if shown is None:
            shown = normalize(self._scored.decimal(number))
            if len(self._shown) < SCORES_SHARED:
                self._shown[number] = shown
        return shown

    def ranked(self, grades: Sequence[str]) -> Iterator[tuple[int, Result]]:
        """Results best first, with competition ranks, as
        :meth:`~qualitykpi.results.Results.ranking` orders them: sorted on the
        columns, each result made as it is reached."""
        scored = self._scored
        rows = (
            np.arange(len(self._rows), dtype=np.int64)
            if isinstance(self._rows, range)
            else np.asarray(self._rows, dtype=np.int64)
        )
        if not len(rows):
            return
        totals = scored.total[rows].copy()
        place = np.full(len(rows), len(grades), dtype=np.int64)
        if self._labels and grades:
            index = scored.grades[rows].astype(np.int64)
            known = np.array(
                [grades.index(label) if label in grades else len(grades) for label in self._labels]
                + [len(grades)],
                dtype=np.int64,
            )
            place = known[np.where(index >= 0, index, len(self._labels))]
        # The rows the row path scored: their own numbers (the rows are in order).
        for row, made in self._eager.items():
            at = int(np.searchsorted(rows, row))
            try:
                totals[at] = scaled(made.total, scored.scale)
            except Decline:  # more places than the columns keep: sorted as results
                by = ranking_key(grades)
                yield from competition(sorted(map(self.at, self._rows), key=by), by)
                return
            place[at] = grades.index(made.grade) if made.grade in grades else len(grades)
        # By grade, then by total, best first; equal ones in row order.
        order = np.lexsort((-totals, place))
        rank = 0
        previous: tuple[int, int] | None = None
        for position, at in enumerate(order.tolist(), start=1):
            key = (int(place[at]), int(totals[at]))
            if key != previous:
                rank, previous = position, key
            yield rank, self.at(self._rows[at])
