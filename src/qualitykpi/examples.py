"""Running a rule file's ``example`` lines: one entity, or a small cohort written out.

An example gives an entity's values (and, if its rule compares with the
cohort, the cohort's statistics or its rank: ``given peer mean 3``, ``given
rank 2 of 13``) and the score it expects of its node.  The rows of
``example cohort { … }`` are scored together, so that the statistics and
ranks they read are computed from them, as :meth:`Scheme.score_table` would.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import TYPE_CHECKING

import attrs

from .compiler import ExampleCase
from .errors import DataError
from .explain import explain_node, explain_result
from .i18n import _
from .nodes.derived import Cohort
from .nodes.evaluation import Context, ScoreProblems
from .nodes.tree import Item, Section
from .values import fmt

if TYPE_CHECKING:
    from .scheme import Scheme


@attrs.frozen
class ExampleOutcome:
    """What running one ``example`` line gave."""

    line: int
    text: str
    node_id: str | None
    passed: bool
    expected: str
    actual: str
    trace: str
    errors: tuple[DataError, ...] = ()

    @property
    def failure(self) -> str:
        """What a failed example says: ``example failed: expected 7, got 3``."""
        message = _("example failed: expected {expected}, got {actual}")
        return message.format(expected=self.expected, actual=self.actual)


def run_examples(scheme: Scheme) -> list[ExampleOutcome]:
    """Every example of ``scheme``, in the order of the file."""
    cohorts: dict[int, dict[str, Context | tuple[DataError, ...]]] = {}
    outcomes: list[ExampleOutcome] = []
    for case in scheme.examples:
        if case.cohort is None:
            outcomes.append(_single(scheme, case))
            continue
        entity, start = case.cohort
        if start not in cohorts:
            rows = [other for other in scheme.examples if other.cohort and other.cohort[1] == start]
            cohorts[start] = _cohort(scheme, rows)
        outcomes.append(_outcome(scheme, case, cohorts[start][entity]))
    return outcomes


def _values(scheme: Scheme, case: ExampleCase) -> tuple[dict[str, object], list[DataError]]:
    raw = {name: _example_value(value) for name, value in case.values}
    values, errors = scheme._read(case.cohort[0] if case.cohort else None, scheme._cells(raw))
    return dict(values), errors


def _single(scheme: Scheme, case: ExampleCase) -> ExampleOutcome:
    values, errors = _values(scheme, case)
    if errors:
        return _failed(case, tuple(errors))
    peers: dict[str, dict[str, Fraction]] = {}
    ranks: dict[str, tuple[int, int]] = {}
    node = scheme.node(case.node_id) if case.node_id is not None else None
    for name, stat, value in case.peers:
        if stat in ("rank", "rank of"):
            subject = name or scheme._ranked_subject(node)
            rank, size = ranks.get(subject, (0, 0))
            ranks[subject] = (int(value), size) if stat == "rank" else (rank, int(value))
        else:
            peers.setdefault(name or _single_subject(node), {})[stat] = value
    ctx = scheme._context(None, values, peers, Cohort(peers, {}, ranks))  # type: ignore[arg-type]
    return _outcome(scheme, case, ctx)


def _cohort(
    scheme: Scheme, cases: Sequence[ExampleCase]
) -> dict[str, Context | tuple[DataError, ...]]:
    """Each row's context, its statistics and ranks computed over the rows."""
    read = [_values(scheme, case) for case in cases]
    names = [case.cohort[0] if case.cohort else "" for case in cases]
    contexts = scheme._cohort_contexts(names, [values for values, _errors in read])
    out: dict[str, Context | tuple[DataError, ...]] = {}
    for name, (_values_read, errors), ctx in zip(names, read, contexts, strict=True):
        out[name] = tuple(errors) if errors else ctx
    return out


def _outcome(
    scheme: Scheme, case: ExampleCase, ctx: Context | tuple[DataError, ...]
) -> ExampleOutcome:
    if not isinstance(ctx, Context):
        return _failed(case, ctx)
    node = scheme.node(case.node_id) if case.node_id is not None else None
    try:
        if node is None:
            result = scheme.scorer.evaluate(ctx)
            actual = fmt(Fraction(result.total))
            if case.grade is not None:
                actual = (
                    _("{score} grade {grade}").format(score=actual, grade=result.grade)
                    if case.score is not None
                    else _("grade {grade}").format(grade=result.grade)
                )
            passed = (case.score is None or Fraction(result.total) == case.score) and (
                case.grade is None or result.grade == case.grade
            )
            trace = explain_result(result)
        else:
            node_result = node.own(ctx)
            actual = fmt(Fraction(node_result.score))
            passed = case.score is not None and Fraction(node_result.score) == case.score
            file = scheme.source.name if scheme.source else None
            trace = explain_node(node_result, file=file)
    except ScoreProblems as exc:
        entity = case.cohort[0] if case.cohort else None
        return _failed(case, tuple(scheme._data_error(entity, problem) for problem in exc.problems))
    return ExampleOutcome(
        case.line, case.text, case.node_id, passed, _expected(case), actual, trace
    )


def _failed(case: ExampleCase, errors: tuple[DataError, ...]) -> ExampleOutcome:
    return ExampleOutcome(
        case.line, case.text, case.node_id, False, _expected(case), _("error"), "", errors
    )


def _example_value(value: object) -> object:
    if value is None or isinstance(value, bool):
        return value
    return str(getattr(value, "value", value))


def _expected(case: ExampleCase) -> str:
    if case.grade is None:
        return fmt(case.score) if case.score is not None else ""
    if case.score is None:
        return _("grade {grade}").format(grade=case.grade)
    return _("{score} grade {grade}").format(score=fmt(case.score), grade=case.grade)


def _single_subject(node: Section | Item | None) -> str:
    if node is None:
        return ""
    names = node.inputs()
    return names[0] if names else ""
