"""Schemes that compute over the cohort (``let``, ``rank of``, ``previous``, peer
statistics in expressions) score the same by column as by row.

The column path works each let out once per distinct combination of what it
reads, in the row path's rounds (:mod:`qualitykpi.columnar.derive`); these
properties hold it to the row path on generated rule files of every kind of
computing item, with ties, absent values, divisions by zero, values with no
finite decimal form, unreadable cells and names given twice.
"""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import qualitykpi as qk
import strategies_lets as lets
from conftest import benchmark
from test_columnar import same, widened

np = pytest.importorskip("numpy")
pd = pytest.importorskip("pandas")

PROPERTIES = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTIES
@given(st.data())
def test_computing_rule_files_score_the_same_by_column_as_by_row(data: st.DataObject) -> None:
    rule = data.draw(lets.computing_rule_texts(), label="rule")
    scheme = qk.loads(rule.text)
    rows = data.draw(widened(data.draw(lets.computing_cohorts(rule))), label="cohort")
    by_column = scheme.score_table(rows, engine="columns")
    same(scheme.score_table(rows, engine="rows"), by_column)
    if rows:
        assert type(by_column.results).__name__ == "ColumnResults"


@PROPERTIES
@given(st.data())
def test_last_periods_file_gives_the_same_by_column_as_by_row(data: st.DataObject) -> None:
    rule = data.draw(lets.computing_rule_texts(), label="rule")
    scheme = qk.loads(rule.text)
    rows = data.draw(lets.computing_cohorts(rule), label="cohort")
    earlier = [name for name in rule.inputs if name.startswith("previous ")]
    this = [{k: v for k, v in row.items() if k not in earlier} for row in rows]
    last = [
        {"entity": row["entity"], **{name.removeprefix("previous "): row[name] for name in earlier}}
        for row in rows[: len(rows) - data.draw(st.integers(0, 1))]
    ]
    expected = scheme.score_table(this, previous=last, engine="rows")
    got = scheme.score_table(this, previous=last, engine="columns")
    same(expected, got)
    assert got.notes == expected.notes


@settings(max_examples=25, deadline=None)
@given(st.data())
def test_a_computing_schemes_data_frame_scores_the_same_by_column(data: st.DataObject) -> None:
    rule = data.draw(lets.computing_rule_texts(), label="rule")
    scheme = qk.loads(rule.text)
    rows = data.draw(widened(data.draw(lets.computing_cohorts(rule))), label="cohort")
    frame = pd.DataFrame(rows, columns=["entity", *rule.inputs], dtype=object)
    same(scheme.score_table(rows, engine="rows"), scheme.score_table(frame, engine="columns"))


# A rank ("前三名得满分") and a share of the peer mean ("本地值/全市平均值").
RANKED = benchmark("bench_lets").RULE


def test_a_rank_compared_with_a_share_of_the_peers_is_scored_by_row_and_by_column() -> None:
    # The plan's traced items once got a cohort without ranks or size: this
    # rule raised a Python error from score_table.
    scheme = qk.loads(RANKED)
    rows = [{"entity": f"e{n}", "output": str(n)} for n in range(1, 8)]
    for engine in ("rows", "columns"):
        results = scheme.score_table(rows, engine=engine)  # type: ignore[arg-type]
        assert [results[f"e{n}"].total for n in range(1, 8)] == [0, 0, 0, 3, 10, 10, 10]
    assert "rank of output = 3 of 7" in scheme.score_table(rows, engine="columns")["e5"].explain()


def test_a_large_cohort_of_a_computing_scheme_takes_the_column_path_by_itself() -> None:
    scheme = qk.loads(RANKED)
    rows = [{"entity": f"e{n}", "output": str(n % 97)} for n in range(qk.columnar.COLUMNS_FROM)]
    large = scheme.score_table(rows)
    assert type(large.results).__name__ == "ColumnResults"
    same(scheme.score_table(rows, engine="rows"), large)


def test_a_value_with_no_finite_decimal_form_is_scored_exactly() -> None:
    scheme = qk.loads(RANKED)
    rows = [{"entity": "a", "output": "1"}, {"entity": "b", "output": "1"}]
    rows += [{"entity": "c", "output": "2"}, {"entity": "d", "output": "3"}]
    got = scheme.score_table(rows, engine="columns")
    same(scheme.score_table(rows, engine="rows"), got)
    # share = 1 / (7/4) = 4/7 for a and b (ranked 3rd of 4); 12/7 for d.
    assert got["a"].total == 4 and got["d"].total == 10
    assert "share = output / peer mean of output = 1 / 1.75 = ≈0.5714" in got["a"].explain()


COMBINED = """scheme "短板" {
  total 100
  section s "任务与结果" max 100 {
    item tasks "任务完成" max 100 { assessed }
    item result "结果考核" max 100 { assessed }
    combine → min(score of tasks, score of result)
  }
}
"""


def test_a_scheme_the_plan_cannot_score_is_scored_by_row_and_says_why() -> None:
    scheme = qk.loads(COMBINED)
    rows = [{"entity": f"e{n}", "tasks": "90", "result": str(n)} for n in range(3)]
    with pytest.raises(ValueError, match="combines its parts' scores"):
        scheme.score_table(rows, engine="columns")
    assert type(scheme.score_table(rows).results) is dict
    ranked = qk.loads(
        'scheme "r" { total 5; grades { A rank of total at most 1; B otherwise }\n'
        '  item "a" max 5 { input x: number; x at least 1 → full; otherwise → 0 } }'
    )
    with pytest.raises(ValueError, match="combines its parts' scores, or a grade"):
        ranked.score_table([{"entity": "e", "x": "1"}], engine="columns")


@given(
    st.lists(st.fractions(min_value=-5, max_value=5, max_denominator=4), min_size=1),
    st.fractions(min_value=-6, max_value=6, max_denominator=4),
    st.sampled_from(["higher", "lower"]),
)
def test_a_counted_ranking_ranks_as_the_sorted_column_does(
    values: list[Fraction], value: Fraction, better: str
) -> None:
    from qualitykpi.nodes.derived import Ranking

    ranking = Ranking.of([(v, 1) for v in values], better)  # type: ignore[arg-type]
    column = sorted(values)
    # 1 = best; equal values share the better rank, and the next is skipped.
    if better == "higher":
        expected = 1 + sum(1 for v in column if v > value)
    else:
        expected = 1 + sum(1 for v in column if v < value)
    assert ranking.rank(value) == (expected, len(values))
    assert sum(count for _, count in ranking.counted()) == len(values)
