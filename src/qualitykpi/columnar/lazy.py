"""A cohort's results kept as columns, each :class:`~qualitykpi.results.Result`
made when it is read.

A million results made at once would hold a million node trees' worth of
objects; kept as columns they are a few integers a row.  A result is made
from its row when asked for, by the plan's own
:meth:`~qualitykpi.plan.Plan.result`, so it is the result the row path
makes, and its trace is run, as there, only when it is read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from typing import Any

import numpy as np

from ..fast import FastValue
from ..plan import Plan
from ..results import Result
from .evaluate import Scored


class ColumnResults(Mapping[str, Result]):
    """Results by entity, in the order of the rows."""

    def __init__(
        self,
        names: list[str],
        scored: Scored,
        plan: Plan,
        eager: dict[int, Result],
        fast: Any,
        values: Callable[[int], dict[str, FastValue]],
        trace: Callable[[str, dict[str, FastValue]], Result],
        file: str | None,
    ) -> None:
        self._names = names
        self._scored = scored
        self._plan = plan
        self._eager = eager
        self._values = values
        self._trace = trace
        self._file = file
        # The rows that have a result, in row order: those scored here and those
        # the row path scored.
        kept = np.zeros(len(names), dtype=bool)
        kept[fast] = True
        kept[list(eager)] = True
        self._rows: list[int] = np.flatnonzero(kept).tolist()
        self._places: dict[str, int] | None = None
        self._labels = plan.scorer.grades.labels() if plan.scorer.grades is not None else ()

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
        scores = [scored.decimal(column[row]) for column in scored.scores]
        grade_index = int(scored.grades[row])
        grade = self._labels[grade_index] if grade_index >= 0 else None
        fired = [index for index, hit in enumerate(scored.fired) if hit[row]]
        entity = self._names[row]
        values = self._values

        def trace() -> Result:
            return self._trace(entity, values(row))

        total: Decimal = scored.decimal(scored.total[row])
        return self._plan.result(entity, total, grade, fired, scores, trace, self._file)

    def totals(self) -> list[tuple[str, Decimal, str | None]]:
        """Each entity's total and grade, in row order, without making its result."""
        scored = self._scored
        out: list[tuple[str, Decimal, str | None]] = []
        for row in self._rows:
            made = self._eager.get(row)
            if made is not None:
                out.append((made.entity or "", made.total, made.grade))
                continue
            grade_index = int(scored.grades[row])
            out.append(
                (
                    self._names[row],
                    scored.decimal(scored.total[row]),
                    self._labels[grade_index] if grade_index >= 0 else None,
                )
            )
        return out
