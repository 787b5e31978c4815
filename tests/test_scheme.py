"""The public API: load/loads, score, score_table and their data errors."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

import qualitykpi as qk

RULE = """scheme "s" {
  input incident: yes/no
  veto "事故" when incident → score 0
  item q1 "合格率" max 10 {
    input rate: percent precision 0.1
    at least 90% → full
    otherwise → 5
  }
  item q2 "激励" max 4 {
    input awards: count
    at least 100% of peer mean → full
    otherwise → 2
  }
}
"""


@pytest.fixture
def scheme() -> qk.Scheme:
    return qk.loads(RULE, name="s.rule")


def test_load_reads_a_file_with_a_bom(tmp_path: Path) -> None:
    path = tmp_path / "bom.rule"
    path.write_bytes("\ufeff".encode() + RULE.encode())
    scheme = qk.load(path)
    assert scheme.name == "s"
    assert scheme.source is not None and scheme.source.name == str(path)


def test_inputs_include_assessed_ids() -> None:
    scheme = qk.loads('scheme "s" { item m8 "x" max 1 { assessed } }')
    assert set(scheme.inputs) == {"m8"}


def test_bad_rows_are_reported_and_the_others_scored(scheme: qk.Scheme) -> None:
    rows = [
        {"entity": "甲", "rate": "95", "awards": "4", "incident": "no"},
        {"entity": "乙", "rate": "105", "awards": "2.5", "incident": "no"},
        {"entity": "丙", "rate": "80", "awards": "2", "incident": "no"},
        {"entity": "丁", "rate": "95.25", "awards": "3", "incident": "maybe"},
        {"entity": "戊", "rate": "95", "awards": "", "incident": "no"},
    ]
    results = scheme.score_table(rows)
    assert [result.entity for result in results] == ["甲", "丙"]
    assert "乙" not in results and "丁" not in results
    by_entity: dict[str | None, list[str | None]] = {}
    for error in results.errors:
        assert isinstance(error, qk.DataError)
        assert error.filename == "s.rule" and error.line is not None
        by_entity.setdefault(error.entity, []).append(error.input)
    # Every problem of every row, not just the first of each.
    # In the order the inputs are declared; `incident` comes first.
    assert by_entity == {"乙": ["rate", "awards"], "丁": ["incident", "rate"], "戊": ["awards"]}
    rate_error = results.errors[0]
    assert rate_error.input == "rate"
    assert rate_error.value == "105"
    assert rate_error.line == 5  # the input's declaration
    assert "乙" in str(rate_error) and "105" in str(rate_error) and "s.rule:5" in str(rate_error)


def test_peer_statistics_use_every_valid_value_of_the_cohort(scheme: qk.Scheme) -> None:
    rows = [
        {"entity": "a", "rate": "95", "awards": "4", "incident": "no"},
        {"entity": "b", "rate": "200", "awards": "2", "incident": "no"},
        {"entity": "c", "rate": "95", "awards": "3", "incident": "no"},
    ]
    results = scheme.score_table(rows)
    # b is not scored (bad rate), but its valid awards count for the mean.
    assert results.peers["awards"]["mean"] == "3"
    assert results["a"]["q2"].score == 4
    assert results["c"]["q2"].score == 4


def test_duplicate_and_missing_entities(scheme: qk.Scheme) -> None:
    row = {"rate": "95", "awards": "1", "incident": "no"}
    results = scheme.score_table([{"entity": "a", **row}, {"entity": "a", **row}, row])
    assert len(results) == 1
    assert [error.entity for error in results.errors] == ["a", "row 3"]
    assert "appears again in row 2" in str(results.errors[0])


def test_entity_column_can_be_renamed(scheme: qk.Scheme) -> None:
    results = scheme.score_table(
        [{"地区": "a", "rate": "95", "awards": "1", "incident": "no"}], entity="地区"
    )
    assert results["a"].total == 14


def test_score_raises_all_problems_together(scheme: qk.Scheme) -> None:
    with pytest.raises(qk.RuleErrors) as caught:
        scheme.score({"rate": "abc", "awards": "-1", "incident": "no"})
    assert [error.input for error in caught.value.errors] == ["rate", "awards"]
    with pytest.raises(qk.DataError):
        scheme.score({"rate": "95", "awards": "1", "incident": ""}, peers={"awards": {"mean": 1}})


def test_score_accepts_exact_types_and_float_by_repr(scheme: qk.Scheme) -> None:
    peers = {"awards": {"mean": Decimal("2")}}
    result = scheme.score({"rate": 89.9, "awards": 2, "incident": False}, peers=peers)
    assert result.total == 9
    assert result["q1"].score == 5
    assert result["q2"].score == 4


def test_veto_score_zero_and_ranking(scheme: qk.Scheme) -> None:
    rows = [
        {"entity": "a", "rate": "95", "awards": "4", "incident": "yes"},
        {"entity": "b", "rate": "80", "awards": "4", "incident": "no"},
        {"entity": "c", "rate": "95", "awards": "4", "incident": "no"},
        {"entity": "d", "rate": "80", "awards": "4", "incident": "no"},
    ]
    results = scheme.score_table(rows)
    assert results["a"].total == 0
    assert [hit.name for hit in results["a"].vetoes] == ["事故"]
    assert [(rank, result.entity) for rank, result in results.ranking()] == [
        (1, "c"),
        (2, "b"),
        (2, "d"),
        (4, "a"),
    ]


def test_results_lookup_by_id_and_name(scheme: qk.Scheme) -> None:
    result = scheme.score(
        {"rate": "95", "awards": "1", "incident": "no"}, peers={"awards": {"mean": "1"}}
    )
    assert result["q1"] is result["合格率"]
    with pytest.raises(KeyError):
        result["nothing"]


def test_results_are_immutable(scheme: qk.Scheme) -> None:
    result = scheme.score(
        {"rate": "95", "awards": "1", "incident": "no"}, peers={"awards": {"mean": "1"}}
    )
    with pytest.raises(AttributeError):
        result.total = Decimal(0)  # type: ignore[misc]


def test_errors_are_value_errors_and_pickle() -> None:
    import pickle

    with pytest.raises(ValueError) as caught:
        qk.loads('scheme "s" { item "x" max 1 { input a: count\n at least 1% → full } }')
    again = pickle.loads(pickle.dumps(caught.value))
    assert str(again) == str(caught.value)
    assert again.line == caught.value.line
