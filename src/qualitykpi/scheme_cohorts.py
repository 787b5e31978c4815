"""The part of :class:`~qualitykpi.scheme.Scheme` that works out values computed from
values: last period's data, the rounds over a cohort, the ranks of the total.

A mixin, so that the scheme's front (``score``, ``score_table``) stays in
:mod:`qualitykpi.scheme`, and what computing adds to it lives here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import attrs

from .cohorts import Derivation, subexpressions
from .columns import columnar_kind, columnar_rows
from .errors import DataError
from .fast import FastValue, FastValues
from .nodes.conditions import ScoreProblem
from .nodes.derived import Cohort, Ranking
from .nodes.evaluation import Context, ScoreProblems
from .nodes.expressions import RankOf
from .nodes.scheme_scorer import SchemeScorer
from .nodes.tree import Item, Section
from .previous import merge as merge_previous
from .previous import wanted
from .readers import DataTable
from .results import Results
from .values import InputSpec, Value, is_finite_decimal, is_narrow_float, to_decimal


class ComputedScoring:
    """Scoring a scheme whose rules compute values from values."""

    if TYPE_CHECKING:
        scorer: SchemeScorer
        _specs: dict[str, InputSpec]
        _derivation: Derivation | None

        def _score_cohort(self, rows: Any, entity: str, engine: Any) -> Results: ...

        def _read(
            self, entity: str | None, cells: tuple[object, ...]
        ) -> tuple[dict[str, FastValue], list[DataError]]: ...

        def cohort_peers(
            self, rows: Iterable[Mapping[str, Value | Any]]
        ) -> dict[str, dict[str, Fraction]]: ...

    def _with_previous(self, rows: Any, previous: Any, entity: str, engine: Any) -> Results:
        table = rows if isinstance(rows, DataTable) else None
        current = list(_records(rows, entity))
        source = previous.source if isinstance(previous, DataTable) else "last period's data"
        merged = merge_previous(
            current, list(_records(previous, entity)), entity, wanted(self._specs), source=source
        )
        contradicted = {error.entity for error in merged.errors}
        kept = [
            (index, row)
            for index, row in enumerate(merged.rows)
            if str(row.get(entity, "")).strip() not in contradicted
        ]
        scored: Any = [row for _, row in kept]
        if table is not None:
            numbers = tuple(table.row_numbers[index] for index, _ in kept if table.row_numbers)
            scored = attrs.evolve(table, rows=tuple(scored), row_numbers=numbers)
        results = self._score_cohort(scored, entity, engine)
        return attrs.evolve(
            results, errors=(*merged.errors, *results.errors), notes=(*merged.notes,)
        )

    def _fast_values(
        self, read: FastValues, exact: Mapping[str, Value]
    ) -> dict[str, FastValue] | None:
        """The inputs as read (fast decimals) and the computed values as exact decimals;
        None when one has no finite decimal form (1/3)."""
        fast: dict[str, FastValue] = dict(read)
        for let in self.scorer.lets:
            value = exact.get(let.name)
            if isinstance(value, Fraction):
                if not is_finite_decimal(value):
                    return None
                fast[let.name] = to_decimal(value)
            else:
                fast[let.name] = value
        return fast

    def _derived(
        self,
        values: FastValues,
        cohort: Cohort,
        done: Mapping[str, ScoreProblem] | None,
    ) -> tuple[dict[str, Value], Mapping[str, ScoreProblem]]:
        """The entity's values with the computed ones, and why some are absent."""
        derivation = self._derivation
        assert derivation is not None
        if done is not None:
            return dict(values), done  # type: ignore[arg-type]
        ctx = derivation.context(None, values, {}, cohort)
        return dict(ctx.values), ctx.why

    def _cohort_values(
        self, names: Sequence[str], rows: Sequence[Mapping[str, object]]
    ) -> tuple[list[dict[str, Value]], list[dict[str, ScoreProblem]], Cohort]:
        """Each row's values with those computed over the cohort, why some are absent,
        and the cohort.  Ranks of the total need every total first: a first round
        scores without grades."""
        derivation = self._derivation
        assert derivation is not None
        computed, whys, cohort = derivation.cohort_values(rows)
        if "total" in derivation.ranked:
            ungraded = attrs.evolve(self.scorer, grades=None)
            for name, row, why in zip(names, computed, whys, strict=True):
                ctx = derivation.context(name, row, cohort.stats, cohort, done=why)
                try:
                    row["total"] = Fraction(ungraded.evaluate(ctx).total)
                except ScoreProblems:
                    row["total"] = None  # reported when it is scored
            totals = [(total, 1) for row in computed if isinstance(total := row["total"], Fraction)]
            ranking = Ranking.of(totals, derivation.ranked["total"])
            columns = {**cohort.columns, "total": ranking}
            cohort = attrs.evolve(cohort, columns=columns)
        return computed, whys, cohort

    def _cohort_contexts(
        self, names: Sequence[str], rows: Sequence[Mapping[str, object]]
    ) -> list[Context]:
        """The contexts of a cohort's rows, its statistics and ranks computed over them."""
        if self._derivation is None:
            peers = self.cohort_peers(rows)
            return [
                Context(name, row, peers, self._specs)
                for name, row in zip(names, rows, strict=True)
            ]
        computed, whys, cohort = self._cohort_values(names, rows)
        return [
            self._derivation.context(name, row, cohort.stats, cohort, done=why)
            for name, row, why in zip(names, computed, whys, strict=True)
        ]

    def _ranked_subject(self, node: Section | Item | None) -> str:
        """What an example's ``given rank R of N`` ranks, when it names nothing."""
        names = node.inputs() if node is not None else tuple(self._specs)
        found = _ranked(self.scorer, names)
        return found[0] if len(found) == 1 else ""


def _records(rows: Any, entity: str) -> Iterable[Mapping[str, object]]:
    """Rows as mappings, from any form :meth:`Scheme.score_table` takes."""
    if isinstance(rows, DataTable):
        return rows.rows
    if is_data_frame(rows):
        return frame_records(rows, entity)
    return rows  # type: ignore[no-any-return]


def is_data_frame(rows: object) -> bool:
    """A pandas DataFrame, a pyarrow Table or a polars DataFrame, recognised
    without importing any of them (they are optional)."""
    kind = type(rows)
    pandas = kind.__name__ == "DataFrame" and kind.__module__.split(".")[0] == "pandas"
    return pandas or columnar_kind(rows) is not None


def frame_records(frame: Any, entity: str) -> Iterable[dict[str, object]]:
    """A data frame's rows as dicts: those of a pyarrow or polars table read by
    column (:mod:`qualitykpi.columns`), those of a pandas DataFrame as below."""
    if columnar_kind(frame) is not None:
        return columnar_rows(frame)
    return _pandas_records(frame, entity)


def _pandas_records(frame: Any, entity: str) -> list[dict[str, object]]:
    """A DataFrame's rows as dicts; an index named after the entity column becomes it.

    pandas widens float32 cells to Python floats (91.2 becomes
    91.19999694824219); such columns are read from their own NumPy values.
    """
    if entity not in frame.columns and entity in (frame.index.names or ()):
        frame = frame.reset_index()
    records: list[dict[str, object]] = frame.to_dict("records")
    for column in frame.columns:
        if is_narrow_float(frame[column]):  # a Series has the dtype of its cells
            for record, value in zip(records, frame[column].to_numpy(), strict=True):
                record[column] = value
    return records


def _ranked(scorer: SchemeScorer, names: Iterable[str]) -> list[str]:
    """The values ranked by the lets among ``names``."""
    lets = {let.name: let for let in scorer.lets}
    found: list[str] = []
    for name in names:
        let = lets.get(name)
        if let is not None and let.expression is not None:
            found.extend(
                part.name for part in subexpressions(let.expression) if isinstance(part, RankOf)
            )
    return list(dict.fromkeys(found))
