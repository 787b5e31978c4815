"""The compiled plan gives the traced evaluator's numbers, and the trace comes on demand.

``Scheme.score`` and ``score_table`` run a compiled plan on exact decimals;
``explain()``, the steps and ``lost_points()`` re-run the traced evaluator
(the reference, on ``Fraction``) for that entity when first asked for.  The
properties compare the two on generated schemes and cohorts, node by node.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import qualitykpi as qk
import strategies as gen
from conftest import assert_ledger_adds_up
from qualitykpi.nodes.evaluation import Context, ScoreProblems
from qualitykpi.nodes.scheme_scorer import SchemeScorer
from qualitykpi.results import NodeResult, Result


def _reference(
    scheme: qk.Scheme, entity: str, row: Mapping[str, object], peers: Mapping[str, object]
) -> Result | None:
    """What the traced evaluator alone gives for one row (None: a data error)."""
    values = {name: spec.read(row.get(name)) for name, spec in scheme.inputs.items()}
    try:
        return scheme.scorer.evaluate(Context(entity, values, peers, scheme.inputs))
    except ScoreProblems:
        return None


def _numbers(nodes: tuple[NodeResult, ...]) -> Iterator[tuple[str, str, Decimal, str]]:
    for top in nodes:
        for node in top.walk():
            # str(): the same number must also be written the same way.
            yield node.id, node.kind, node.score, str(node.score)


def assert_same_as_reference(scheme: qk.Scheme, rows: list[dict[str, str]]) -> None:
    readable = [
        row
        for row in rows
        if all(_reads(spec, row.get(name)) for name, spec in scheme.inputs.items())
    ]
    results = scheme.score_table(readable)
    peers = scheme.cohort_peers(
        {name: spec.read(row.get(name)) for name, spec in scheme.inputs.items()} for row in readable
    )
    for row in readable:
        entity = row["entity"]
        expected = _reference(scheme, entity, row, peers)
        if expected is None:
            assert entity not in results, f"{entity}: the reference finds a data error"
            continue
        assert entity in results, f"{entity}: {[str(e) for e in results.errors]}"
        got = results[entity]
        if not scheme.peer_inputs():
            # One by one, the same plan.
            alone = scheme.score(row, entity=entity)
            assert (str(alone.total), alone.grade) == (str(got.total), got.grade)
        assert (str(got.total), got.grade) == (str(expected.total), expected.grade)
        assert got.vetoes == expected.vetoes
        assert list(_numbers(got.nodes)) == list(_numbers(expected.nodes))
        assert got.peers == expected.peers
        # The trace on demand is the reference's, and adds up.
        assert got.steps == expected.steps
        assert [node.steps for node in got.walk()] == [node.steps for node in expected.walk()]
        assert got.explain() == expected.explain()
        assert_ledger_adds_up(got)


def _reads(spec: qk.InputSpec, raw: object) -> bool:
    try:
        spec.read(raw)
    except ValueError:
        return False
    return True


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_the_plan_gives_the_reference_numbers_for_generated_rule_files(
    data: st.DataObject,
) -> None:
    rule = data.draw(gen.rule_texts(), label="rule")
    scheme = qk.loads(rule.text, "generated.rule")
    assert_same_as_reference(scheme, data.draw(gen.text_cohorts(rule), label="rows"))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_the_plan_gives_the_reference_numbers_for_generated_schemes(
    data: st.DataObject,
) -> None:
    """Python-built schemes: peer comparisons, targets, every line and clause kind."""
    generated = data.draw(gen.schemes(), label="scheme")
    scheme = qk.Scheme(generated.scorer)
    rows = data.draw(
        gen.cohorts(generated.pool, absent=True, near=gen.edges_of(generated.scorer)),
        label="rows",
    )
    assert_same_as_reference(scheme, rows)


# ---------------------------------------------------------- the trace on demand


class _Counting:
    """Counts the traced evaluations of a scheme's root."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls = 0
        evaluate = SchemeScorer.evaluate

        def counted(scorer: SchemeScorer, ctx: Context) -> Result:
            self.calls += 1
            return evaluate(scorer, ctx)

        monkeypatch.setattr(SchemeScorer, "evaluate", counted)


RULE = """\
scheme "s" {
  total 10
  grades { A at least 8; B at least 5; C otherwise }
  input late: yes/no
  veto "late" when late → grade C
  section "q" max 10 {
    item a "rate" max 6 owner "局" {
      input rate: percent precision 0.1
      target 90%
      meets target → full
      below target by up to 5 points → deduct 2
      otherwise → 0
    }
    item b "complaints" max 4 {
      input complaints: count
      each 1 → deduct 0.5, floor 0
    }
  }
}
"""


def _rows(count: int) -> list[dict[str, str]]:
    return [
        {
            "entity": f"e{index}",
            "rate": f"{80 + index % 15}.{index % 10}",
            "complaints": str(index % 9),
            "late": "yes" if index % 7 == 0 else "no",
        }
        for index in range(count)
    ]


def test_a_cohort_is_scored_without_writing_a_trace(monkeypatch: pytest.MonkeyPatch) -> None:
    counting = _Counting(monkeypatch)
    scheme = qk.loads(RULE)
    results = scheme.score_table(_rows(50))
    assert len(results) == 50 and counting.calls == 0
    # What reports read besides the ledger needs no trace either.
    assert [node.score for node in results["e3"].walk()]
    assert results.ranking() and counting.calls == 0


def test_the_trace_is_computed_once_when_first_asked_for(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    counting = _Counting(monkeypatch)
    result = qk.loads(RULE).score_table(_rows(20))["e7"]
    ledger = result.lost_points()
    assert counting.calls == 1
    assert result.explain() and result["b"].steps and result.steps is not None
    assert result.lost_points() == ledger and counting.calls == 1
    assert sum((entry.amount for entry in ledger), Decimal(0)) == result.lost


def test_a_host_scorer_is_called_as_written_and_its_item_traced() -> None:
    """An item with a host's scorer has no fast form; the rest of the scheme does."""
    env = qk.Environment()

    class Third(qk.CustomScorer):
        def score(self, value: Fraction, maximum: Fraction) -> Fraction:
            return maximum * value / 300  # 1/3 of a percent: rounded half up

        def direction(self) -> qk.Direction:
            return "higher"

    env.register_scorer("third", Third)
    scheme = env.loads(
        'scheme "s" { total 8\n'
        ' item t "third" max 5 { input rate: percent\n using third }\n'
        ' item p "plain" max 3 { input n: count\n each 1 → deduct 1, floor 0 } }'
    )
    results = scheme.score_table([{"entity": "甲", "rate": "50", "n": "1"}])
    assert str(results["甲"]["t"].score) == "0.8333"
    assert str(results["甲"].total) == "2.8333"
    assert "rounded half up" in results["甲"].explain()


@pytest.mark.parametrize(
    ("line", "value", "score"),
    [
        # A pro-rata unit of 1/3 point: no exact decimal on the way, an exact one at the end.
        ("each 0.3 below 100 → deduct 0.1", "99", "2.6667"),
        ("scaled from 0 to 30", "10", "1"),
        ("scaled from 0 to 30", "7", "0.7"),
        ("scaled from 0 to 7", "1", "0.4286"),
    ],
)
def test_what_has_no_exact_decimal_is_left_to_the_reference(
    line: str, value: str, score: str
) -> None:
    scheme = qk.loads(f'scheme "s" {{ item i "i" max 3 {{ input x: number\n {line} }} }}')
    result = scheme.score({"x": value})
    reference = scheme.scorer.evaluate(Context(None, {"x": Fraction(value)}, {}, scheme.inputs))
    assert str(result.total) == str(reference.total) == score


def test_a_peer_mean_with_no_finite_decimal_is_compared_exactly() -> None:
    scheme = qk.loads(
        'scheme "s" { item i "i" max 2 { input x: number\n'
        " at least 100% of peer mean → full\n otherwise → 0 } }"
    )
    # The mean of 1, 1 and 2 is 4/3: 1.3333 is below it, 2 above.
    results = scheme.score_table(
        [{"entity": "a", "x": "1"}, {"entity": "b", "x": "1"}, {"entity": "c", "x": "2"}]
    )
    assert [str(result.total) for result in results] == ["0", "0", "2"]
