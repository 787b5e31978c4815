"""The part of :class:`~qualitykpi.scheme.Scheme` that scores a cohort row by row,
and a part of a larger cohort (:mod:`qualitykpi.dask`) by column or by row.

A mixin, so that the scheme's front (``score``, ``score_table``) stays in
:mod:`qualitykpi.scheme`; the column path is :mod:`qualitykpi.columnar`.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterable, Iterator, Mapping, Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, Any, cast

from .columnar import columns_unfit
from .entities import entity_name, name_error
from .errors import DataError, besides
from .fast import FastValue, FastValues
from .nodes.conditions import ScoreProblem
from .nodes.derived import NO_COHORT, Cohort
from .nodes.scheme_scorer import SchemeScorer
from .plan import Plan
from .readers import DataTable
from .results import Result, Results
from .scheme_cohorts import frame_records, is_data_frame
from .values import InputSpec, Value, shown_stats

if TYPE_CHECKING:
    from .cohorts import Derivation
    from .scheme import Scheme


class RowScoring:
    """Scoring a cohort one row at a time."""

    if TYPE_CHECKING:
        scorer: SchemeScorer
        _specs: dict[str, InputSpec]
        _derivation: Derivation | None

        @property
        def name(self) -> str: ...

        def peer_inputs(self) -> tuple[str, ...]: ...

        def _column_refusal(self) -> str | None: ...

        def cohort_peers(
            self, rows: Iterable[Mapping[str, Value | Any]]
        ) -> dict[str, dict[str, Fraction]]: ...

        def _cells(self, row: Mapping[str, object]) -> tuple[object, ...]: ...

        def _read(
            self,
            entity: str | None,
            cells: tuple[object, ...],
            row: Mapping[str, object] | None = None,
        ) -> tuple[dict[str, FastValue], list[DataError]]: ...

        def _plan(
            self, peers: Mapping[str, Mapping[str, Fraction]], cohort: Cohort | None = None
        ) -> Plan | None: ...

        def _evaluate(
            self,
            entity: str | None,
            values: FastValues,
            peers: Mapping[str, Mapping[str, Fraction]],
            plan: Plan | None,
            cells: tuple[object, ...],
            cohort: Cohort = NO_COHORT,
            done: Mapping[str, ScoreProblem] | None = None,
        ) -> Result | list[DataError]: ...

        def _cohort_values(
            self, names: Sequence[str], rows: Sequence[Mapping[str, object]]
        ) -> tuple[list[dict[str, Value]], list[dict[str, ScoreProblem]], Cohort]: ...

    def _score_part(
        self,
        part: Any,
        entity: str,
        peers: Mapping[str, Mapping[str, Fraction]],
        first_row: int,
        taken: Iterable[str],
        rounds: Sequence[Cohort] | None = None,
    ) -> Results:
        """One part of a larger cohort, scored with the whole's statistics (see
        :mod:`qualitykpi.dask`) and, for a scheme that computes, the whole's cohort
        before each round of its lets and after the last (``rounds``): by column
        when it can, else row by row."""
        with collector_paused():
            if columns_unfit(self._column_refusal(), part, asked=True) is None:
                from .columnar.cohort import score_columns

                scored = score_columns(
                    cast("Scheme", self),
                    part,
                    entity,
                    is_data_frame(part),
                    peers=peers,
                    first_row=first_row,
                    taken=taken,
                    rounds=rounds,
                )
                if scored is not None:
                    return scored
            return self._score_rows(
                part,
                entity,
                peers=peers,
                first_row=first_row,
                taken=taken,
                whole=rounds[-1] if rounds else None,
            )

    def _count_part(
        self, part: Any, entity: str, rounds: Sequence[Cohort], taken: Iterable[str]
    ) -> tuple[int, dict[str, list[tuple[Fraction, int]]]]:
        """For one part of a larger cohort (see :mod:`qualitykpi.dask`), of a scheme
        that computes: how many of its rows are scored, and the counts of the values
        its statistics and ranks read, its lets of the first ``len(rounds)`` rounds
        worked out over the whole's ``rounds``.  By column when it can, else row by
        row, as :meth:`_score_part`."""
        derivation = self._derivation
        assert derivation is not None
        with collector_paused():
            if columns_unfit(self._column_refusal(), part, asked=True) is None:
                from .columnar.cohort import count_rounds

                found = count_rounds(
                    cast("Scheme", self), part, entity, is_data_frame(part), rounds, taken
                )
                if found is not None:
                    return found
            seen = set(taken)
            read: list[dict[str, FastValue]] = []
            for row in frame_records(part, entity) if is_data_frame(part) else part:
                name = entity_name(row.get(entity))
                if name and name not in seen:  # else not scored, and not counted
                    seen.add(name)
                    read.append(self._read(name, self._cells(row), row)[0])
            values, _, _ = derivation.cohort_values(read, rounds)
            return len(values), derivation.counts(values)

    def _score_rows(
        self,
        rows: Iterable[Mapping[str, object]] | DataTable | Any,
        entity: str,
        *,
        peers: Mapping[str, Mapping[str, Fraction]] | None = None,
        first_row: int = 1,
        taken: Iterable[str] = (),
        whole: Cohort | None = None,
    ) -> Results:
        # A part of a larger cohort (qualitykpi.dask) gives the whole's statistics,
        # the number of its first row, the names earlier rows have taken, and for
        # a scheme that computes, the whole's cohort, over which each row's values
        # are worked out as it is read.
        if peers is not None and self._derivation is not None and whole is None:
            raise ValueError("a scheme that computes over the cohort is scored with its cohort")
        wanted = self.peer_inputs()
        read: list[
            tuple[str, dict[str, FastValue] | None, tuple[object, ...], dict[str, FastValue]]
        ] = []
        results: dict[str, Result] = {}
        errors: list[DataError] = []
        stats: dict[str, dict[str, Fraction]] = {
            name: dict(found) for name, found in (peers or {}).items()
        }
        derivation = self._derivation
        cohort = NO_COHORT if whole is None else whole
        plan = self._plan(stats, whole if derivation is not None else None)
        done: Mapping[str, ScoreProblem] | None = None

        def score(name: str, values: FastValues, cells: tuple[object, ...]) -> None:
            outcome = self._evaluate(name, values, stats, plan, cells, cohort, done)
            if name in bad:
                # Scored all the same, so that all its errors are named together;
                # what its unreadable cells caused downstream is not news.
                if not isinstance(outcome, Result):
                    errors.extend(besides(outcome, bad[name]))
                return
            if isinstance(outcome, Result):
                results[name] = outcome
            else:
                errors.extend(outcome)

        # Entities with unreadable cells, and those cells' errors.
        bad: dict[str, list[DataError]] = {}
        seen: set[str] = set(taken)
        numbers: Sequence[int] = ()
        if isinstance(rows, DataTable):
            if len(rows.row_numbers) == len(rows.rows):
                numbers = rows.row_numbers
            rows = rows.rows
        elif is_data_frame(rows):
            rows = frame_records(rows, entity)
        for position, row in enumerate(rows):
            index = numbers[position] if numbers else position + first_row
            if not isinstance(row, Mapping):
                raise TypeError(
                    f"row {index} is a {type(row).__name__}: score_table takes rows as "
                    "mappings of column to value, a DataTable from read_table, or a "
                    "pandas, pyarrow or polars table"
                )
            raw_name = row.get(entity)
            name = entity_name(raw_name)
            wrong = name_error(raw_name, name, index, entity, seen)
            if wrong is not None:
                errors.append(wrong)
                continue
            seen.add(name)
            cells = self._cells(row)
            values, row_errors = self._read(name, cells, row)
            if row_errors:
                errors.extend(row_errors)
                bad[name] = row_errors
            if peers is not None or (not wanted and derivation is None):
                # Nothing waits for the cohort: scored now, its values let go.
                score(name, values, cells)
                continue
            # Valid values still count for the peer statistics of the cohort,
            # so one bad cell does not shift everyone else's comparison.  Only
            # those are kept until then (and a bad row's values, which cannot
            # be read again); the rest is read again from the cells.  Values
            # computed from values need them all.
            peer_values = (
                values if derivation is not None else {key: values.get(key) for key in wanted}
            )
            read.append((name, values if row_errors else None, cells, peer_values))
        if derivation is not None and peers is None:
            computed, whys, cohort = self._cohort_values(
                [entry[0] for entry in read], [entry[3] for entry in read]
            )
            stats = {name: dict(found) for name, found in cohort.stats.items()}
            plan = self._plan(stats, cohort)
            for (name, _, cells, _), row, why in zip(read, computed, whys, strict=True):
                done = why
                score(name, row, cells)  # type: ignore[arg-type]
        elif peers is None:
            stats = self.cohort_peers(entry[3] for entry in read)
            plan = self._plan(stats)
            for name, kept, cells, _ in read:
                score(name, kept if kept is not None else self._read(name, cells)[0], cells)
        return self._results(results, errors, stats)

    def _results(
        self,
        results: Mapping[str, Result],
        errors: Sequence[DataError],
        stats: Mapping[str, Mapping[str, Fraction]],
    ) -> Results:
        """A scored cohort's :class:`Results`, whichever path scored it."""
        grades = self.scorer.grades
        return Results(
            self.name,
            results,
            tuple(errors),
            shown_stats(stats),
            grades.labels() if grades is not None else (),
        )


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    # Parsing makes tens of thousands of small objects that all live until
    # the AST is built, and so does scoring a cohort (every row's values and
    # result); the cycle collector rescans them again and again, which
    # doubled the time to load a large file and cost a third of the time to
    # score a cohort.  Neither makes cycles worth collecting early, and the
    # collector is restored after.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
