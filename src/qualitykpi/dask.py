"""Scoring a Dask DataFrame: a cohort too large for one machine, or already in Dask.

:func:`score` gives what :meth:`Scheme.score_table <qualitykpi.Scheme.score_table>`
gives for ``frame.compute()``, without ever holding the whole frame (or every
entity's result) in one process:

1. A first pass over every partition, computed when :func:`score` is called:
   each partition's length (rows are numbered across the whole frame, "row 7"
   as in process), a hash of each entity name (a name in two partitions is an
   error for the later row, as in process), and the exact count of each value
   of every input the rules compare with the cohort.  The counts give the
   mean, median, max and min exactly (:mod:`qualitykpi.dask_cohort`).
2. Each partition scored with those statistics, lazily: :attr:`DaskResults.frame`
   is a Dask DataFrame of the scores, one row per entity in row order, with the
   columns of :meth:`Results.to_frame <qualitykpi.Results.to_frame>` (``rank``
   is the competition rank over the whole cohort, from a reduce of the grades
   and totals), and :attr:`DaskResults.errors` a Dask DataFrame of the data
   errors.  Compute both together (:meth:`DaskResults.compute`, or
   ``dask.compute(scored.frame, scored.errors)``): each partition is then
   scored once.

A scheme whose rules compute over the cohort (``let``, ``rank of``,
``previous``, peer statistics in expressions) takes a pass per round of its
computed values between the two: each partition works out a round's values
over the whole cohort's statistics and ranks so far and counts them, and the
counts give the next round's cohort (:meth:`Derivation.counted_cohort
<qualitykpi.cohorts.Derivation.counted_cohort>`, as in process).  A scheme
that combines sections' scores, grades on more than the total or ranks the
total, or uses a plugin's scorer or statistic, is refused with
:class:`NotPartitionable`, which says why: it is scored in process with
``score_table``.  Nothing is ever scored approximately.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from .dask_cohort import (
    Survey,
    earlier_names,
    key_counts,
    merged_counts,
    names_part,
    peer_statistics_of,
    rank_table,
    ranked,
    repeated_hashes,
    round_part,
    score_part,
    survey_part,
)
from .errors import RuleError
from .i18n import _, language
from .nodes.derived import Cohort
from .values import shown_stats

if TYPE_CHECKING:
    from .scheme import Scheme

__all__ = ["DaskResults", "NotPartitionable", "score"]


class NotPartitionable(RuleError):
    """The scheme cannot be scored a partition at a time; it is scored in process."""

    code = "dask"


@attrs.frozen
class DaskResults:
    """A cohort scored over a Dask DataFrame: lazy frames of the scores and errors.

    ``frame`` holds one row per scored entity, in the order of the rows, with
    the columns ``rank``, ``entity``, ``total``, ``grade``, ``vetoes`` and each
    node's score by id, as :meth:`Results.to_frame <qualitykpi.Results.to_frame>`
    (exact :class:`~decimal.Decimal` objects, dtype ``object``); sort by
    ``rank`` for the ranking.  ``errors`` holds one row per data error, in the
    order of the rows, with the fields ``qualitykpi score --format json``
    writes: ``entity``, ``input``, ``value``, ``message``, ``line``.  ``peers``
    are the cohort's statistics as exact text, ``rows`` the frame's length.
    """

    scheme: str
    frame: Any
    errors: Any
    peers: Mapping[str, Mapping[str, str]]
    grades: tuple[str, ...]
    rows: int

    def compute(self, **kwargs: Any) -> tuple[Any, Any]:
        """The scores and the errors as two pandas DataFrames, each partition scored
        once (for a cohort whose scores fit in memory)."""
        dask = importlib.import_module("dask")

        frame, errors = dask.compute(self.frame, self.errors, **kwargs)
        return frame, errors


def score(scheme: Scheme, frame: Any, entity: str = "entity") -> DaskResults:
    """Score a Dask DataFrame with ``scheme`` as ``scheme.score_table(frame.compute(),
    entity)`` would, a partition at a time.

    The cohort's statistics and the names' uniqueness are worked out now (the
    frame is read once for them, and again when a name appears in two
    partitions); the scores are lazy.  Persist the frame first if it is costly
    to read.  Raises :class:`NotPartitionable` for a scheme that combines
    sections' scores, grades on more than the total, ranks the total, or uses a
    plugin.
    """
    dask = importlib.import_module("dask")

    _refuse_unpartitionable(scheme)
    lang = language()
    parts = frame.to_delayed()
    held = dask.delayed(scheme, pure=True)
    derivation = scheme._derivation
    # A scheme that computes counts its values round by round, below.
    wanted = scheme.peer_inputs() if derivation is None else ()
    surveys: Sequence[Survey] = dask.compute(
        *(dask.delayed(survey_part)(part, held, entity, wanted, (), lang) for part in parts)
    )
    taken: list[frozenset[str]] = [frozenset() for _ in parts]
    repeated = repeated_hashes([survey.hashes for survey in surveys])
    if len(repeated):
        found = dask.compute(*(dask.delayed(names_part)(part, entity, repeated) for part in parts))
        taken = earlier_names(found)
        if wanted:
            # The later rows of a repeated name are not scored, and do not count.
            surveys = dask.compute(
                *(
                    dask.delayed(survey_part)(part, held, entity, wanted, names, lang)
                    for part, names in zip(parts, taken, strict=True)
                )
            )
    rounds: tuple[Cohort, ...] | None = None
    if derivation is None:
        peers = peer_statistics_of([survey.counts for survey in surveys])
    else:
        # Before each round of lets, the whole cohort's statistics and ranks of the
        # values worked out so far; after the last, what the items read.
        rounds = ()
        for _ in range(len(derivation.levels()) + 1):
            found = dask.compute(
                *(
                    dask.delayed(round_part)(part, held, entity, rounds, names, lang)
                    for part, names in zip(parts, taken, strict=True)
                )
            )
            size = sum(count for count, _ in found)
            counted = merged_counts([counts for _, counts in found])
            rounds = (*rounds, derivation.counted_cohort(counted, size))
        peers = {name: dict(stats) for name, stats in rounds[-1].stats.items()}
    firsts = [1]
    for survey in surveys:
        firsts.append(firsts[-1] + survey.rows)
    grades = scheme.scorer.grades.labels() if scheme.scorer.grades is not None else ()
    nodes = tuple(node.id for node in scheme.scorer.walk())
    scored = [
        dask.delayed(score_part, nout=2)(
            part, held, entity, peers, first, names, nodes, lang, rounds
        )
        for part, first, names in zip(parts, firsts[:-1], taken, strict=True)
    ]
    # Only each partition's counts of (grade, total) travel, never its scores.
    ranks = dask.delayed(rank_table)(
        [dask.delayed(key_counts)(scores, grades) for scores, _ in scored]
    )
    frames = [dask.delayed(ranked)(scores, ranks, grades) for scores, _ in scored]
    return DaskResults(
        scheme.name,
        _from_delayed(frames, _score_meta(nodes)),
        _from_delayed([errors for _, errors in scored], _error_meta()),
        shown_stats(peers),
        grades,
        firsts[-1] - 1,
    )


def _refuse_unpartitionable(scheme: Scheme) -> None:
    if scheme._column_refusal() is not None:
        message = _(
            "the scheme {scheme} combines sections' scores, grades on more than the "
            "total or ranks the total, which qualitykpi.dask cannot work out a "
            "partition at a time; score it in process with score_table(frame.compute())"
        )
    elif scheme.uses_extensions():
        message = _(
            "the scheme {scheme} uses a plugin's scorer or statistic, which "
            "qualitykpi.dask does not send to the workers; score it in process "
            "with score_table(frame.compute())"
        )
    else:
        return
    raise NotPartitionable(message.format(scheme=repr(scheme.name)))


def _from_delayed(parts: list[Any], meta: Any) -> Any:
    dask = importlib.import_module("dask")
    dataframe = importlib.import_module("dask.dataframe")
    # Dask turns columns of Python objects into strings by default, and the
    # scores are Decimal objects: the frame is made, and keeps, its own setting.
    with dask.config.set({"dataframe.convert-string": False}):
        return dataframe.from_delayed(parts, meta=meta, verify_meta=False)


def _score_meta(nodes: Sequence[str]) -> Any:
    pandas = importlib.import_module("pandas")

    columns = ["entity", "total", "grade", "vetoes", *nodes]
    frame = pandas.DataFrame({name: pandas.Series([], dtype=object) for name in columns})
    frame.insert(0, "rank", pandas.Series([], dtype="int64"))
    return frame


def _error_meta() -> Any:
    pandas = importlib.import_module("pandas")

    columns = ("entity", "input", "value", "message", "line")
    return pandas.DataFrame({name: pandas.Series([], dtype=object) for name in columns})
