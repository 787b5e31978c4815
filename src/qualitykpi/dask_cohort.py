"""What :mod:`qualitykpi.dask` runs on each partition, and how the partitions' answers
are combined: exact value counts into peer statistics, name hashes into the names
that appear again, grades and totals into competition ranks.

Every function here takes and returns plain data (pandas frames, numpy arrays,
counters), so that a worker process runs it with nothing but the scheme.
Neither pandas nor numpy is imported before a function needs it.
"""

from __future__ import annotations

import importlib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import attrs

from .entities import entity_name as read_name
from .i18n import Language, use_language
from .nodes.derived import Cohort
from .results_export import error_json
from .scheme_cohorts import frame_records
from .values import counted_statistics

if TYPE_CHECKING:
    from .scheme import Scheme

Counts = Mapping[str, Counter[Decimal | Fraction]]
#: A result's place in the ranking: its grade's place among the grades, then its
#: total negated (as ``Results.ranking`` orders them).
RankKey = tuple[int, Decimal]


@attrs.frozen
class Survey:
    """One partition as the first pass sees it."""

    rows: int
    #: A hash of each entity name the partition holds (numpy uint64, once each).
    hashes: Any
    #: Each compared input's valid values, counted, over the rows that are scored.
    counts: Counts


def entity_name(row: Mapping[str, object], entity: str) -> str:
    """The row's entity name as ``score_table`` reads it ("" for none)."""
    return read_name(row.get(entity))


def survey_part(
    part: Any,
    scheme: Scheme,
    entity: str,
    wanted: Sequence[str],
    taken: Iterable[str],
    lang: Language,
) -> Survey:
    """The partition's length, names and value counts.  A row without a name, or
    with a name seen before (in ``taken``: earlier partitions), is not scored and
    does not count, as in process."""
    seen = set(taken)
    names: list[str] = []
    counts: dict[str, Counter[Decimal | Fraction]] = {name: Counter() for name in wanted}
    with use_language(lang):
        for row in frame_records(part, entity):
            name = entity_name(row, entity)
            if not name or name in seen:
                continue
            seen.add(name)
            names.append(name)
            if wanted:
                values, _ = scheme._read(name, scheme._cells(row), row)
                for key in wanted:
                    value = values.get(key)
                    if isinstance(value, Fraction | Decimal):
                        counts[key][value] += 1
    return Survey(len(part), _hashes(names), counts)


def names_part(part: Any, entity: str, repeated: Any) -> list[str]:
    """The partition's names whose hash is among ``repeated``."""
    numpy = importlib.import_module("numpy")

    names = list(
        dict.fromkeys(
            name for row in frame_records(part, entity) if (name := entity_name(row, entity))
        )
    )
    hashes = _hashes(names)
    return [name for name, hit in zip(names, numpy.isin(hashes, repeated), strict=True) if hit]


def _hashes(names: Sequence[str]) -> Any:
    """Hashes of ``names`` that every process computes alike (Python's ``hash``
    of a string differs between processes)."""
    numpy = importlib.import_module("numpy")
    pandas = importlib.import_module("pandas")

    return pandas.util.hash_array(numpy.array(names, dtype=object))


def repeated_hashes(hashes: Sequence[Any]) -> Any:
    """The hashes found in more than one partition (each partition's are distinct)."""
    numpy = importlib.import_module("numpy")

    if not hashes:
        return numpy.array([], dtype="uint64")
    values, counts = numpy.unique(numpy.concatenate(hashes), return_counts=True)
    return values[counts > 1]


def earlier_names(found: Sequence[Sequence[str]]) -> list[frozenset[str]]:
    """For each partition, the names (of those ``found``) that an earlier one holds.
    Hashes may collide: only a name itself is taken."""
    taken: list[frozenset[str]] = []
    before: set[str] = set()
    for names in found:
        taken.append(frozenset(before))
        before.update(names)
    return taken


def peer_statistics_of(parts: Sequence[Counts]) -> dict[str, dict[str, Fraction]]:
    """Mean, median, max and min of each compared input over every partition's
    counts: exactly what :func:`qualitykpi.values.peer_statistics` gives for the
    values themselves."""
    total: dict[str, Counter[Fraction]] = {}
    for counts in parts:
        for name, counter in counts.items():
            into = total.setdefault(name, Counter())
            for value, count in counter.items():
                into[Fraction(value)] += count
    counted = {
        name: sorted((value, count) for value, count in found.items() if count)
        for name, found in total.items()
    }
    return {name: counted_statistics(pairs) for name, pairs in counted.items() if pairs}


def round_part(
    part: Any,
    scheme: Scheme,
    entity: str,
    rounds: Sequence[Cohort],
    taken: Iterable[str],
    lang: Language,
) -> tuple[int, dict[str, list[tuple[Fraction, int]]]]:
    """How many of the partition's rows are scored, and the counts of the values the
    scheme's statistics and ranks read, once its lets of the first ``len(rounds)``
    rounds are worked out over the whole cohort's ``rounds``."""
    with use_language(lang):
        return scheme._count_part(part, entity, rounds, taken)


def merged_counts(
    parts: Sequence[Mapping[str, Sequence[tuple[Fraction, int]]]],
) -> dict[str, list[tuple[Fraction, int]]]:
    """The partitions' counts of each value, added up."""
    total: dict[str, Counter[Fraction]] = {}
    for counts in parts:
        for name, pairs in counts.items():
            into = total.setdefault(name, Counter())
            for value, count in pairs:
                into[value] += count
    return {name: sorted(found.items()) for name, found in total.items()}


def score_part(
    part: Any,
    scheme: Scheme,
    entity: str,
    peers: Mapping[str, Mapping[str, Fraction]],
    first_row: int,
    taken: Iterable[str],
    nodes: Sequence[str],
    lang: Language,
    rounds: Sequence[Cohort] | None = None,
) -> tuple[Any, Any]:
    """The partition's scores (no rank yet) and data errors, as pandas frames."""
    pandas = importlib.import_module("pandas")

    with use_language(lang):
        results = scheme._score_part(part, entity, peers, first_row, taken, rounds)
        rows = list(results.records(nodes))
        errors = [error_json(error) for error in results.errors]
    scores = pandas.DataFrame(
        rows, columns=["entity", "total", "grade", "vetoes", *nodes], dtype=object
    )
    fields = ("entity", "input", "value", "message", "line")
    table = pandas.DataFrame(
        [[error[field] for field in fields] for error in errors], columns=fields, dtype=object
    )
    return scores, table


def key_counts(scores: Any, grades: Sequence[str]) -> Counter[RankKey]:
    """How many of the partition's results have each place in the ranking."""
    return Counter(
        _key(grade, total, grades)
        for grade, total in zip(scores["grade"], scores["total"], strict=True)
    )


def rank_table(parts: Sequence[Counter[RankKey]]) -> dict[RankKey, int]:
    """Each place's competition rank over the whole cohort (1, 2, 2, 4)."""
    total: Counter[RankKey] = Counter()
    for counts in parts:
        total.update(counts)
    ranks: dict[RankKey, int] = {}
    before = 0
    for key in sorted(total):
        ranks[key] = before + 1
        before += total[key]
    return ranks


def ranked(scores: Any, ranks: Mapping[RankKey, int], grades: Sequence[str]) -> Any:
    """The partition's scores with their ranks in front."""
    out = scores.copy()
    places = [
        ranks[_key(grade, total, grades)]
        for grade, total in zip(scores["grade"], scores["total"], strict=True)
    ]
    out.insert(0, "rank", places)
    return out.astype({"rank": "int64"})


def _key(grade: str | None, total: Decimal, grades: Sequence[str]) -> RankKey:
    place = grades.index(grade) if grade in grades else len(grades)
    return place, total.copy_negate()
