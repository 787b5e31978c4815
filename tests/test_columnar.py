"""The column path (:mod:`qualitykpi.columnar`) gives the row path's results.

``score_table(…, engine="columns")`` must give, on every cohort, the same
results (totals, grades, vetoes, every node's score, the ledger of every
entity, the peer statistics) and the same data errors, in the same order,
as ``engine="rows"``: over generated scheme trees and rule files, with
values on and next to every edge, absent values, unreadable cells, rows
without a name and names given twice; over the shipped examples; and for
each kind of table (rows, pandas, pyarrow, polars).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import qualitykpi as qk
import strategies as gen
from conftest import ROOT, benchmark
from test_columns import SCHEME as FRAME_SCHEME
from test_columns import as_frames, cohorts, errors_of

np = pytest.importorskip("numpy")

bench_cohort = benchmark("bench_cohort")


def same(rows: qk.Results, columns: qk.Results) -> None:
    """Everything a user can read of two scored cohorts is equal."""
    assert list(columns.results) == list(rows.results)
    assert columns.to_dict(explain=True) == rows.to_dict(explain=True)
    for entity, result in rows.results.items():
        assert columns[entity] == result, entity
        assert columns[entity].steps == result.steps, entity
    assert columns.peers == rows.peers
    assert errors_of(columns) == errors_of(rows)


@st.composite
def widened(draw: st.DrawFn, rows: list[dict[str, str]], entity: str = "entity") -> list[dict]:
    """The rows of a generated cohort repeated under new names (so that values
    repeat, as in a real cohort), with sometimes an unreadable cell, a row
    without a name and a name given twice."""
    copies = draw(st.integers(1, 6))
    out = [{**row, entity: f"{row[entity]}-{copy}"} for copy in range(copies) for row in rows]
    draw(st.randoms()).shuffle(out)
    if out and draw(st.booleans()):
        victim = draw(st.integers(0, len(out) - 1))
        column = draw(st.sampled_from([key for key in out[victim] if key != entity] or [entity]))
        out[victim] = {**out[victim], column: draw(st.sampled_from(["abc", "-5", "1e400", "是的"]))}
    if out and draw(st.booleans()):
        out.append({**out[0]})  # a name given twice
    if out and draw(st.booleans()):
        out.insert(draw(st.integers(0, len(out))), {**out[-1], entity: " "})
    return out


PROPERTIES = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTIES
@given(st.data())
def test_generated_trees_score_the_same_by_column_as_by_row(data: st.DataObject) -> None:
    g = data.draw(gen.schemes(depth=2), label="scheme")
    base = data.draw(g.cohorts(absent=data.draw(st.booleans()), max_size=6), label="rows")
    rows = data.draw(widened(base), label="cohort")
    same(g.scheme.score_table(rows, engine="rows"), g.scheme.score_table(rows, engine="columns"))


@PROPERTIES
@given(st.data())
def test_generated_rule_files_score_the_same_by_column_as_by_row(data: st.DataObject) -> None:
    rule = data.draw(gen.rule_texts(), label="rule")
    scheme = qk.loads(rule.text)
    rows = data.draw(widened(data.draw(gen.text_cohorts(rule))), label="cohort")
    same(scheme.score_table(rows, engine="rows"), scheme.score_table(rows, engine="columns"))


@settings(max_examples=40, deadline=None)
@given(cohorts)
def test_every_librarys_table_scores_the_same_by_column_as_rows_by_row(
    records: list[dict[str, object]],
) -> None:
    expected = FRAME_SCHEME.score_table(records, engine="rows")
    tables = as_frames(records)
    batches = tables["pyarrow"].combine_chunks().to_batches()
    if batches:  # a RecordBatch's columns are Arrays, not ChunkedArrays
        tables["pyarrow batch"] = batches[0]
    for name, table in tables.items():
        got = FRAME_SCHEME.score_table(table, engine="columns")
        assert got.to_dict()["entities"] == expected.to_dict()["entities"], name
        assert got.peers == expected.peers, name
        assert errors_of(got) == errors_of(expected), name


@pytest.mark.parametrize("count", [1, 120])
def test_the_shuangtaizi_scheme_scores_the_same_by_column(count: int) -> None:
    scheme = qk.load(ROOT / "examples" / "shuangtaizi-2016-2017.rule")
    rows = bench_cohort.cohort_rows(scheme, count)
    rows[0] = {**rows[0], "pass_rate": "abc"}
    same(scheme.score_table(rows, engine="rows"), scheme.score_table(rows, engine="columns"))


def test_a_large_cohort_takes_the_column_path_by_itself() -> None:
    scheme = qk.load(ROOT / "examples" / "shuangtaizi-2016-2017.rule")
    rows = bench_cohort.cohort_rows(scheme, qk.columnar.COLUMNS_FROM)
    large = scheme.score_table(rows)
    assert type(large.results).__name__ == "ColumnResults"
    small = scheme.score_table(rows[:20])
    assert type(small.results) is dict
    assert small.to_dict() == scheme.score_table(rows[:20], engine="columns").to_dict()


def test_an_item_reading_an_input_it_does_not_list_is_not_shared_by_rows() -> None:
    from qualitykpi.columnar.evaluate import _Only, _Unlisted

    values = _Only({"x": None})
    assert values.get("x") is None
    with pytest.raises(_Unlisted):
        values.get("y")
    with pytest.raises(_Unlisted):
        "y" in values  # noqa: B015


def test_a_pandas_frame_of_a_million_cells_keeps_its_numbers_exact() -> None:
    pd = pytest.importorskip("pandas")
    scheme = qk.loads(
        'scheme "e" { item "a" max 3 { input r: percent precision 0.1\n'
        "  each whole 1% below 100% → deduct 0.3, floor 0 } }"
    )
    tenths = np.arange(0, 1001, dtype=np.int64)
    frame = pd.DataFrame({"entity": [f"e{n}" for n in range(1001)], "r": tenths / 10})
    results = scheme.score_table(frame, engine="columns")
    # 99.7% is 0.3 points short: no whole 1%, no deduction; a float would say 0.29999…
    assert results["e997"].total == 3
    assert str(results["e970"].total) == "2.1"
    assert str(results["e0"].total) == "0"
    same(scheme.score_table(frame, engine="rows"), results)


def test_the_command_writes_a_column_scored_cohort_as_it_wrote_one_scored_by_row(
    tmp_path: Path,
) -> None:
    """CSV and JSON are written one entity at a time from a cohort scored by column:
    the bytes are those of the same cohort scored row by row, written whole."""
    from conftest import run_cli
    from qualitykpi import reports

    rule = ROOT / "examples" / "shuangtaizi-2016-2017.rule"
    scheme = qk.load(rule)
    rows = bench_cohort.cohort_rows(scheme, qk.columnar.COLUMNS_FROM + 10)
    rows[3] = {**rows[3], "pass_rate": "不详"}  # a data error, named the same way
    data = bench_cohort.write_csv(rows, tmp_path / "units.csv")
    by_row = scheme.score_table(qk.read_table(data), engine="rows")
    for format_, expected in (
        ("csv", reports.score_csv(scheme, by_row)),
        ("json", by_row.to_json()),
    ):
        out = tmp_path / f"out.{format_}"
        code, _, _ = run_cli("score", str(rule), str(data), "--format", format_, "-o", str(out))
        assert code == 1  # the data error
        assert out.read_bytes() == expected.encode("utf-8"), format_
    code, table, _ = run_cli("score", str(rule), str(data))
    first = by_row.ranking()[0][1]
    assert first.entity in table and code == 1


@pytest.mark.parametrize("forced", [True, False])
def test_a_total_no_grade_band_holds_is_graded_by_a_veto_or_named(forced: bool) -> None:
    """Grades without ``otherwise``: below the lowest band only a veto to the lowest
    grade decides; without one the row path names the problem, on either path."""
    veto = 'veto "v" when bad → grade C' if forced else 'veto "v" when bad → grade B'
    scheme = qk.loads(
        'scheme "g" {\n  grades { A at least 8; B at least 5; C at least 3 }\n'
        f"  input bad: yes/no\n  {veto}\n"
        '  item "a" max 10 { input x: number; at least 1 → 4; otherwise → 1 }\n}'
    )
    rows = [{"entity": f"e{n}", "x": str(n % 3), "bad": "是" if n % 2 else "否"} for n in range(40)]
    by_row = scheme.score_table(rows, engine="rows")
    same(by_row, scheme.score_table(rows, engine="columns"))
    # A total of 1 is in no band: graded C by the veto to C when it fires, else an error.
    assert {result.grade for result in by_row} == {"C"}
    assert len(by_row.errors) == (7 if forced else 14)


def test_pandas_nullable_columns_read_as_the_row_path_reads_them() -> None:
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(
        {
            "entity": pd.Series(["甲", None, "丙", "丁", " "] * 3, dtype="string"),
            "x": pd.Series([1.5, None, 80.0, 120.0, 3.0] * 3, dtype="Float64"),
            "r": pd.Series([90.1, 87.2, None, 99.9, 100.0] * 3, dtype="float32"),
            "n": pd.Series([0, 3, None, 2, 1] * 3, dtype="Int64"),
            "q": pd.Series(["优", "良", None, "差", "中"] * 3, dtype="string"),
            "bad": pd.Series([True, False, None, False, True] * 3, dtype="boolean"),
        }
    )
    by_row = FRAME_SCHEME.score_table(frame, engine="rows")
    by_column = FRAME_SCHEME.score_table(frame, engine="columns")
    assert by_column.to_dict(explain=True) == by_row.to_dict(explain=True)
    assert errors_of(by_column) == errors_of(by_row)
    assert len(by_row.errors) > 0 and len(by_row) > 0


def test_the_whitespace_pandas_strips_from_names_is_what_python_strips() -> None:
    from qualitykpi.columnar.frames import WHITESPACE

    assert set(WHITESPACE) == {chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()}


@pytest.mark.parametrize("name", [" 甲", "甲\x1f", "甲\u3000", "", None, "乙"])
def test_a_frames_names_padded_blank_missing_or_repeated_are_named_as_by_row(
    name: str | None,
) -> None:
    pd = pytest.importorskip("pandas")
    names = [f"单位{n}" for n in range(30)]
    names[7] = name  # type: ignore[call-overload]
    names[12] = "乙" if name == "乙" else names[12]
    frame = pd.DataFrame({"entity": pd.Series(names, dtype="str"), "x": [1.0] * 30})
    same(
        FRAME_SCHEME.score_table(frame, engine="rows"),
        FRAME_SCHEME.score_table(frame, engine="columns"),
    )


def test_a_plugins_scorer_and_statistic_score_the_same_by_column() -> None:
    """A host's scorer is evaluated traced, once per distinct value; a registered
    statistic is computed over the whole sorted column."""
    plugin = pytest.importorskip("qualitykpi_efficacy")
    environment = qk.Environment()
    plugin.register(environment)
    scheme = environment.load(ROOT / "examples" / "efficacy.rule")
    rng = np.random.default_rng(14)
    rows = [
        {
            "entity": f"e{n}",
            "pass_rate": str(rng.integers(700, 1001) / 10),
            "complaints": str(rng.integers(0, 40)),
            "awards": str(rng.integers(0, 9)),
        }
        for n in range(300)
    ]
    missing = [name for name in scheme.inputs if name not in rows[0]]
    for row in rows:
        row.update({name: "0" for name in missing})
    by_row = scheme.score_table(rows, engine="rows")
    assert len(by_row) > 250, by_row.errors[:3]
    same(by_row, scheme.score_table(rows, engine="columns"))


def test_an_unknown_engine_is_refused() -> None:
    with pytest.raises(ValueError, match="engine is 'auto', 'rows' or 'columns', not 'fast'"):
        FRAME_SCHEME.score_table([], engine="fast")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("maximum", "kept_as"),
    [
        ("1000000000000", "ColumnResults"),  # past 32 bits: kept in 64
        ("100000000000000000", "dict"),  # sums could pass 64 bits: scored by row
    ],
)
def test_scores_too_wide_for_the_columns_integers_are_kept_wider_or_scored_by_row(
    maximum: str, kept_as: str
) -> None:
    scheme = qk.loads(
        f'scheme "wide" {{ item "a" max {maximum} {{ input x: number\n'
        "  at least 1 → full; otherwise → 0.5 } }"
    )
    rows = [{"entity": f"e{n}", "x": str(n % 3)} for n in range(50)]
    columns = scheme.score_table(rows, engine="columns")
    assert type(columns.results).__name__ == kept_as
    assert columns["e1"].total == int(maximum)
    same(scheme.score_table(rows, engine="rows"), columns)


@pytest.mark.parametrize("dtype", ["int8", "uint8", "int16", "int32", "uint32", "uint64", "int64"])
def test_whole_number_columns_of_every_width_read_as_by_row(dtype: str) -> None:
    """Their extremes included: counted apart in 64 bits, or hashed when they do not fit."""
    pd = pytest.importorskip("pandas")
    info = np.iinfo(dtype)
    cells = np.array([info.min, info.max, 0, 1, info.max, info.min, 3] * 5, dtype=dtype)
    frame = pd.DataFrame({"entity": [f"e{n}" for n in range(len(cells))], "n": cells})
    by_row = FRAME_SCHEME.score_table(frame, engine="rows")
    by_column = FRAME_SCHEME.score_table(frame, engine="columns")
    assert by_column.to_dict(explain=True) == by_row.to_dict(explain=True)
    assert errors_of(by_column) == errors_of(by_row)


def test_rows_given_once_are_read_once() -> None:
    """A generator of rows is scored whole by column, and by row when the columns
    cannot take it (a name under both its column and its header)."""
    scheme = qk.loads(
        'scheme "h" { item "a" max 5 { input x "产值": number\n'
        "  at least 1 → full; otherwise → 0 } }"
    )
    rows = [{"entity": f"e{n}", "x": str(n % 3)} for n in range(10)]
    assert len(scheme.score_table((row for row in rows), engine="columns")) == 10
    both = [{**row, "产值": row["x"]} for row in rows]
    by_row = scheme.score_table(both, engine="rows")
    assert len(by_row) == 10
    same(by_row, scheme.score_table((row for row in both), engine="columns"))
