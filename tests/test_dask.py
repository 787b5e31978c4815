"""qualitykpi.dask scores a Dask DataFrame exactly as score_table scores it whole.

On a local cluster of two worker processes (started once for the module): the
same scores, grades, vetoes, node scores and ranks, the same statistics and
the same data errors, whatever the partitions; schemes it cannot score a
partition at a time are refused, never scored wrong.
"""

from __future__ import annotations

import itertools
import runpy
from collections import Counter
from collections.abc import Iterator, Sequence
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import qualitykpi as qk
import strategies as gen
import strategies_lets as lets
from conftest import benchmark
from qualitykpi.i18n import use_language
from qualitykpi.results_export import error_json
from test_columnar import widened
from test_columnar_lets import RANKED

pandas = pytest.importorskip("pandas")
dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")
qdask = pytest.importorskip("qualitykpi.dask")

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    cluster = distributed.LocalCluster(
        n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None
    )
    with cluster, distributed.Client(cluster) as connected:
        yield connected


def assert_same(
    scheme: qk.Scheme, frame: Any, partitions: int, entity: str = "entity"
) -> tuple[qk.Results, Any, Any]:
    """Score ``frame`` both ways and compare everything; the in-process results and
    the Dask scores and errors, for more checks."""
    parts = dd.from_pandas(frame, npartitions=partitions, sort=False)
    whole = parts.compute()
    expected = scheme.score_table(whole, entity)
    scored = qdask.score(scheme, parts, entity)
    scores, errors = scored.compute()
    assert scored.rows == len(frame)
    assert scored.peers == expected.peers
    assert scored.grades == expected.grades
    # In the order of the rows; by rank (ties in row order) the in-process ranking.
    assert list(scores["entity"]) == list(expected.results)
    ranking = scores.sort_values("rank", kind="stable").reset_index(drop=True)
    if len(expected):
        pandas.testing.assert_frame_equal(ranking, expected.to_frame())
    else:
        # A lazy frame's columns are known before any row is scored: every node's.
        assert set(expected.to_frame().columns) <= set(scores.columns)
    # The same errors; score_table names every unreadable cell of a cohort compared
    # with itself before any error of scoring, the partitions are scored in turn.
    assert sorted(map(repr, errors.to_dict("records"))) == sorted(
        repr(error_json(error)) for error in expected.errors
    )
    if not scheme.peer_inputs() and scheme._derivation is None:
        assert errors.to_dict("records") == [error_json(error) for error in expected.errors]
    return expected, scores, errors


def csv_frame(name: str) -> Any:
    return pandas.read_csv(EXAMPLES / name, dtype=str, keep_default_na=False)


@pytest.mark.parametrize(
    ("rule", "data"),
    [
        ("henan-2021.rule", "henan-2021.csv"),
        ("ningxia-2013-2014.rule", "ningxia-2013-2014.csv"),
        ("shuangtaizi-2016-2017.rule", "shuangtaizi-2016-2017.csv"),
        ("shuangtaizi-2016-2017.zh.rule", "shuangtaizi-2016-2017.csv"),
    ],
)
def test_each_shipped_example_scores_as_in_process(client: Any, rule: str, data: str) -> None:
    scheme = qk.load(EXAMPLES / rule)
    expected, _, _ = assert_same(scheme, csv_frame(data), partitions=3)
    assert len(expected) > 0


def test_a_generated_shuangtaizi_cohort_over_many_partitions(client: Any) -> None:
    cohort = benchmark("bench_cohort")
    scheme = qk.load(cohort.RULE)
    frame = pandas.DataFrame(cohort.cohort_rows(scheme, 400, seed=14))
    expected, scores, _ = assert_same(scheme, frame, partitions=7)
    # The statistics were read over all 400 rows, not each partition's own.
    assert expected.peers and len(scores) == 400
    assert scores["rank"].min() == 1


def test_bad_rows_absent_values_and_repeated_names_give_the_same_errors(client: Any) -> None:
    frame = csv_frame("shuangtaizi-2016-2017.csv")
    rows = frame.to_dict("records")
    first = dict(rows[0])
    bad_cell = {**rows[1], "entity": "坏数据区", "awards": "many"}
    no_name = {**rows[2], "entity": " "}
    absent = {**rows[3], "entity": "缺数区", "infra_index": None}
    again = {**rows[4], "awards": "7"}  # a name of an earlier partition: not scored
    cohort = [*rows, bad_cell, no_name, absent, first, again, first]
    expected, _, errors = assert_same(
        scheme_of("shuangtaizi-2016-2017.rule"), pandas.DataFrame(cohort), 4
    )
    messages = list(errors["message"])
    # "row 8" is the eighth row of the whole frame, 1-based.
    assert any(message.startswith("row 8 has no entity name") for message in messages)
    assert sum("appears again in row" in message for message in messages) == 3
    assert {error.entity for error in expected.errors} >= {"坏数据区", rows[0]["entity"]}


def test_the_statistics_leave_out_the_rows_of_a_repeated_name(client: Any) -> None:
    # A repeated name in a later partition: its values do not move the cohort's mean.
    frame = csv_frame("shuangtaizi-2016-2017.csv")
    rows = frame.to_dict("records")
    cohort = [*rows, {**rows[0], "awards": "1000", "infra_index": "0"}]
    expected, _, _ = assert_same(
        scheme_of("shuangtaizi-2016-2017.rule"), pandas.DataFrame(cohort), 3
    )
    assert expected.peers["awards"]["max"] == "8"


def test_the_entity_may_be_the_index_and_errors_speak_chinese(client: Any) -> None:
    frame = csv_frame("henan-2021.csv")
    entity = frame.columns[0]
    frame.loc[2, frame.columns[3]] = "不是数字"
    indexed = frame.set_index(entity)
    with use_language("zh"):
        _, _, errors = assert_same(scheme_of("henan-2021.rule"), indexed, 2, entity)
    assert len(errors) >= 1
    assert all(any("\u4e00" <= char <= "\u9fff" for char in text) for text in errors["message"])


@pytest.mark.parametrize("rule", ["water-2023.rule", "efficacy.rule"])
def test_a_scheme_that_cannot_be_scored_in_parts_is_refused(client: Any, rule: str) -> None:
    if rule == "efficacy.rule":
        host = runpy.run_path(str(EXAMPLES / "efficacy.py"))
        scheme = host["ENVIRONMENT"].load(EXAMPLES / rule)
        why = "plugin"
    else:
        scheme = qk.load(EXAMPLES / rule)
        why = "combines sections' scores, grades on more than the total"
    parts = dd.from_pandas(pandas.DataFrame({"entity": ["a", "b"]}), npartitions=2)
    with pytest.raises(qdask.NotPartitionable, match=why) as raised:
        qdask.score(scheme, parts)
    assert "score_table" in str(raised.value)


# The cluster makes each example slow: few examples, and a failure is reported
# as found (shrinking it over the cluster takes minutes).
QUICK = settings(
    max_examples=10,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@QUICK
@given(data=st.data())
def test_generated_schemes_and_cohorts_score_as_in_process(client: Any, data: Any) -> None:
    g = data.draw(gen.schemes(), label="scheme")
    rows: list[dict[str, Any]] = data.draw(g.cohorts(max_size=8, absent=True), label="rows")
    # Some rows again, under their names or none: errors both ways.
    extra = data.draw(st.lists(st.sampled_from(rows), max_size=2), label="again")
    blank = data.draw(st.booleans(), label="blank")
    cohort: Sequence[dict[str, Any]] = [
        *rows,
        *extra,
        *([{**rows[0], "entity": None}] if blank else []),
    ]
    partitions = data.draw(st.integers(1, 4), label="partitions")
    assert_same(g.scheme, pandas.DataFrame(cohort, dtype=object), partitions)


@QUICK
@given(data=st.data())
def test_computing_rule_files_score_as_in_process(client: Any, data: Any) -> None:
    # Lets, ranks, previous values and peer statistics in expressions: their
    # rounds are counted over every partition before any partition is scored.
    rule = data.draw(lets.computing_rule_texts(), label="rule")
    scheme = qk.loads(rule.text)
    rows = data.draw(widened(data.draw(lets.computing_cohorts(rule))), label="cohort")
    partitions = data.draw(st.integers(1, 4), label="partitions")
    frame = pandas.DataFrame(rows, columns=["entity", *rule.inputs], dtype=object)
    assert_same(scheme, frame, partitions)


def test_a_ranked_share_of_the_peer_mean_over_many_partitions(client: Any) -> None:
    scheme = qk.loads(RANKED)
    frame = pandas.DataFrame(
        {"entity": [f"e{n}" for n in range(600)], "output": [str(n % 89) for n in range(600)]}
    )
    expected, scores, _ = assert_same(scheme, frame, partitions=5)
    assert len(expected) == 600 and scores["rank"].min() == 1


def test_a_computing_scheme_with_an_input_under_its_name_and_its_header(client: Any) -> None:
    # The columns cannot take such a partition (the row path compares the two
    # cells): its values are counted, and it is scored, row by row.
    scheme = qk.loads(
        'scheme "h" { total 10\n  item "a" max 10 { input output "产值（万元）": number\n'
        "    let share = output / peer mean of output\n"
        "    share at least 1 → full; otherwise → 0 } }"
    )
    outputs = [str(n % 7) for n in range(40)]
    frame = pandas.DataFrame(
        {"entity": [f"e{n}" for n in range(40)], "output": outputs, "产值（万元）": outputs},
        dtype=object,
    )
    frame.loc[3, "产值（万元）"] = "5"  # the two cells disagree: an error, both ways
    expected, scores, errors = assert_same(scheme, frame, partitions=3)
    assert len(scores) == 39 and len(errors) == 1 and expected.peers


def scheme_of(rule: str) -> qk.Scheme:
    return qk.load(EXAMPLES / rule)


@settings(max_examples=200, deadline=None)
@given(
    values=st.lists(
        st.decimals(min_value=-1000, max_value=1000, places=2, allow_nan=False), min_size=1
    ),
    cuts=st.lists(st.integers(0, 50), max_size=4),
)
def test_statistics_from_partitions_value_counts_are_the_cohorts(
    values: list[Decimal], cuts: list[int]
) -> None:
    from qualitykpi.dask_cohort import peer_statistics_of
    from qualitykpi.values import peer_statistics

    bounds = [0, *sorted(min(cut, len(values)) for cut in cuts), len(values)]
    parts = [{"x": Counter(values[low:high])} for low, high in itertools.pairwise(bounds)]
    assert peer_statistics_of(parts) == {"x": peer_statistics(Fraction(v) for v in values)}
