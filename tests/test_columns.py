"""Columns in, results out: ``score_table`` takes a pandas DataFrame, a pyarrow
Table and a polars DataFrame as they come, and gives the same results and the
same data errors as the same data given as rows; ``Results`` gives the JSON
of ``qualitykpi score --format json`` and a pandas DataFrame."""

from __future__ import annotations

import json
import sys
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import qualitykpi as qk
from conftest import DATA, run_cli
from qualitykpi import reports
from qualitykpi.values import is_absent

pd = pytest.importorskip("pandas")
pa = pytest.importorskip("pyarrow", reason="pyarrow is not installed")
pl = pytest.importorskip("polars", reason="polars is not installed")

SCHEME = qk.loads(
    """scheme "p" {
  grades { A at least 20; B otherwise }
  input bad: yes/no
  veto "v" when bad → grade B
  item "a" max 10 { input x: number; no data → 1; at least 50 → full
    at least 100% of peer mean → 6; otherwise → 0 }
  item "b" max 10 { input r: percent precision 0.1; scaled to peer max }
  item "c" max 5 { input n: count; = 0 → 0; otherwise → full }
  item "d" max 5 { input q: one of "优", "良", "差"; no data → 0; = "优" → full
    = "良" → 3; otherwise → 0 }
}"""
)

#: Each column's kind in the four libraries: records (no type), pandas, pyarrow, polars.
KINDS: dict[str, tuple[str, Any, Any]] = {
    "entity": ("object", pa.string(), pl.String),
    "x": ("float64", pa.float64(), pl.Float64),
    "r": ("float64", pa.float64(), pl.Float64),
    "n": ("int64", pa.int64(), pl.Int64),
    "q": ("object", pa.string(), pl.String),
    "bad": ("object", pa.bool_(), pl.Boolean),
}

NAN = float("nan")
floats = st.one_of(
    st.none(),
    st.just(NAN),
    st.integers(-2000, 2000).map(lambda tenths: tenths / 10),
    st.floats(min_value=-1e25, max_value=1e25, allow_nan=False),
)
cells = {
    "entity": st.one_of(st.none(), st.sampled_from(["甲", "乙", "丙", "丁", "戊", "己", " "])),
    "x": floats,
    "r": floats,
    # int64 throughout: a count of 19 digits is too long, an error of its entity.
    "n": st.one_of(st.integers(0, 30), st.integers(-(2**63), 2**63 - 1)),
    "q": st.one_of(st.none(), st.sampled_from(["优", "良", "差", "中", ""])),
    "bad": st.one_of(st.none(), st.booleans()),
}
cohorts = st.lists(st.fixed_dictionaries(cells), min_size=0, max_size=8)


def as_frames(records: list[dict[str, object]]) -> dict[str, Any]:
    """The same cohort as rows, and as a table of each library, column by column."""
    columns = {name: [row[name] for row in records] for name in KINDS}
    return {
        "records": records,
        "pandas": pd.DataFrame(
            {name: pd.Series(values, dtype=KINDS[name][0]) for name, values in columns.items()}
        ),
        "pyarrow": pa.table(
            {name: pa.array(values, type=KINDS[name][1]) for name, values in columns.items()}
        ),
        "polars": pl.DataFrame(
            [pl.Series(name, values, dtype=KINDS[name][2]) for name, values in columns.items()]
        ),
    }


def errors_of(results: qk.Results) -> list[tuple[object, ...]]:
    """The data errors; an absent value is None whichever marker held it."""
    return [
        (
            error.entity,
            error.input,
            None if is_absent(error.value) else reports.error_json(error)["value"],
            error.line,
            error.message,
        )
        for error in results.errors
    ]


@settings(max_examples=60, deadline=None)
@given(cohorts)
def test_a_cohort_scores_the_same_as_rows_and_as_each_librarys_table(
    records: list[dict[str, object]],
) -> None:
    outcomes = {name: SCHEME.score_table(table) for name, table in as_frames(records).items()}
    expected = outcomes.pop("records")
    for name, results in outcomes.items():
        assert results.to_dict()["entities"] == expected.to_dict()["entities"], name
        assert results.peers == expected.peers, name
        assert errors_of(results) == errors_of(expected), name


def test_missing_cells_of_every_kind_are_no_data() -> None:
    scheme = qk.loads(
        'scheme "m" { item "a" max 5 { input x: number; no data → 2; otherwise → full } }'
    )
    tables = [
        pd.DataFrame({"entity": ["a", "b", "c", "d"], "x": [None, NAN, pd.NA, 1]}, dtype=object),
        pd.DataFrame({"entity": ["a", "b", "c", "d"], "x": [pd.NaT, NAN, None, 1]}, dtype=object),
        pa.table({"entity": ["a", "b", "c", "d"], "x": pa.array([None, NAN, None, 1.0])}),
        pl.DataFrame({"entity": ["a", "b", "c", "d"], "x": [None, NAN, None, 1.0]}),
    ]
    for table in tables:
        results = scheme.score_table(table)
        assert [r.total for r in results] == [2, 2, 2, 5], type(table)
        assert results.errors == ()


@pytest.mark.parametrize("library", ["pyarrow", "polars"])
def test_a_float_is_read_as_its_shortest_repr(library: str) -> None:
    scheme = qk.loads(
        'scheme "f" { item "a" max 10 { input rate: percent precision 0.1\n'
        " at least 87.2% → full\n otherwise → 0 } }"
    )
    for width in (64, 32):
        if library == "pyarrow":
            kind = pa.float64() if width == 64 else pa.float32()
            table = pa.table({"entity": ["a", "b"], "rate": pa.array([87.2, 87.1], type=kind)})
        else:
            kind = pl.Float64 if width == 64 else pl.Float32
            table = pl.DataFrame(
                {"entity": ["a", "b"], "rate": pl.Series([87.2, 87.1], dtype=kind)}
            )
        results = scheme.score_table(table)
        # 87.2 as a float32 widens to 87.19999694824219, which precision 0.1 refuses.
        assert results.errors == (), width
        assert [r.total for r in results] == [10, 0], width
        assert results["a"]["1"].inputs == (("rate", "87.2%"),)


def test_big_integers_are_exact_and_too_long_ones_are_data_errors() -> None:
    scheme = qk.loads(
        'scheme "i" { item "a" max 5 { input n: count; at least 1 → full; otherwise → 0 } }'
    )
    big, huge = 10**18 - 1, 2**64 - 1
    rows = [{"entity": "a", "n": big}, {"entity": "b", "n": huge}]
    tables = [
        rows,
        pa.table({"entity": ["a", "b"], "n": pa.array([big, huge], type=pa.uint64())}),
        pl.DataFrame({"entity": ["a", "b"], "n": pl.Series([big, huge], dtype=pl.UInt64)}),
    ]
    outcomes = [scheme.score_table(table) for table in tables]
    for results in outcomes:
        assert list(results.results) == ["a"]
        (error,) = results.errors
        assert (error.entity, error.input, error.value, error.line) == ("b", "n", huge, 1)
    assert len({json.dumps(reports.score_data(r), sort_keys=True) for r in outcomes}) == 1


def test_a_decimal_column_is_exact() -> None:
    scheme = qk.loads('scheme "d" { item "a" max 10 { input x: number; scaled from 0 to 0.3 } }')
    values = [Decimal("0.1"), Decimal("0.2"), None]
    arrow = pa.table({"entity": ["a", "b", "c"], "x": pa.array(values, type=pa.decimal128(10, 4))})
    polars = pl.DataFrame(
        {"entity": ["a", "b", "c"], "x": pl.Series(values, dtype=pl.Decimal(10, 4))}
    )
    for table in (arrow, polars):
        results = scheme.score_table(table)
        assert [r.total for r in results] == [Decimal("3.3333"), Decimal("6.6667")]
        assert [(e.entity, e.input, e.value) for e in results.errors] == [("c", "x", None)]


def test_booleans_are_yes_or_no_and_text_is_text() -> None:
    scheme = qk.loads(
        'scheme "b" { item "a" max 5 { input ok: yes/no; yes → full; no → 0 }\n'
        ' item "b" max 5 { input q: one of "优", "差"; = "优" → full; otherwise → 0 } }'
    )
    arrow = pa.table({"entity": ["a", "b"], "ok": [True, False], "q": ["优", "中"]})
    polars = pl.DataFrame({"entity": ["a", "b"], "ok": [True, False], "q": ["优", "中"]})
    for table in (arrow, polars):
        results = scheme.score_table(table)
        assert [r.total for r in results] == [10]
        (error,) = results.errors
        assert (error.entity, error.input, error.value, error.line) == ("b", "q", "中", 2)


def test_the_entity_column_is_found_by_name() -> None:
    scheme = qk.load(DATA / "worked_example.rule")
    frame = pd.read_csv(DATA / "worked_example.csv").rename(columns={"entity": "单位"})
    expected = scheme.score_table(frame.to_dict("records"), entity="单位")
    for table in (pa.Table.from_pandas(frame), pl.from_pandas(frame), pa.record_batch(frame)):
        assert scheme.score_table(table, entity="单位").to_dict() == expected.to_dict()
    missing = scheme.score_table(pl.from_pandas(frame))
    assert [e.entity for e in missing.errors] == ["row 1", "row 2", "row 3"]


def test_results_to_dict_and_to_json_are_what_the_cli_writes() -> None:
    code, out, _err = run_cli(
        "score",
        str(DATA / "worked_example.rule"),
        str(DATA / "worked_example.csv"),
        "--format",
        "json",
    )
    assert code == 0
    results = qk.load(DATA / "worked_example.rule").score_table(
        qk.read_table(DATA / "worked_example.csv")
    )
    assert results.to_json() == out
    assert results.to_dict() == json.loads(out)
    assert "ledger" in results.to_dict(explain=True)["entities"][0]
    assert results.to_json(explain=True) == reports.score_json(results, explain=True)


def test_results_to_frame_has_exact_scores_in_ranking_order() -> None:
    records = [
        {"entity": "甲", "x": 60, "r": 90, "n": 1, "q": "优", "bad": "no"},
        {"entity": "乙", "x": 10, "r": 45, "n": 0, "q": "差", "bad": "yes"},
        {"entity": "丙", "x": 55, "r": 30, "n": 3, "q": "良", "bad": "no"},
    ]
    results = SCHEME.score_table(records)
    frame = results.to_frame()
    assert list(frame.columns) == ["rank", "entity", "total", "grade", "vetoes", "1", "2", "3", "4"]
    assert list(frame["entity"]) == ["甲", "丙", "乙"]
    assert list(frame["rank"]) == [1, 2, 3]
    assert list(frame["grade"]) == ["A", "A", "B"]
    assert list(frame["vetoes"]) == [(), (), ("v",)]
    assert list(frame["total"]) == [r.total for _, r in results.ranking()]
    assert all(isinstance(cell, Decimal) for cell in frame[["total", "1", "2", "3", "4"]].stack())
    assert frame.loc[1, "2"] == results["丙"]["2"].score == Decimal("3.3333")
    empty = SCHEME.score_table([]).to_frame()
    assert len(empty) == 0 and list(empty.columns)[:5] == [
        "rank",
        "entity",
        "total",
        "grade",
        "vetoes",
    ]


def test_to_frame_without_pandas_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    results = SCHEME.score_table([])
    monkeypatch.setitem(sys.modules, "pandas", None)  # what an absent module looks like
    with pytest.raises(ImportError, match="pip install pandas"):
        results.to_frame()


def test_a_column_named_twice_is_refused_not_half_read() -> None:
    table = pa.table(
        [pa.array(["a"]), pa.array([1.0]), pa.array([2.0])], names=["entity", "x", "x"]
    )
    with pytest.raises(ValueError, match="the column 'x' appears twice"):
        SCHEME.score_table(table)


def test_last_periods_data_may_be_a_table_too() -> None:
    examples = DATA.parents[1] / "examples"
    scheme = qk.load(examples / "water-2023.rule")
    now, last = (pd.read_csv(examples / name) for name in ("water-2023.csv", "water-2022.csv"))
    expected = scheme.score_table(now.to_dict("records"), previous=last.to_dict("records"))
    assert len(expected) == 7 and expected.errors == ()
    for convert in (pa.Table.from_pandas, pl.from_pandas):
        results = scheme.score_table(convert(now), previous=convert(last))
        assert results.to_dict() == expected.to_dict()
        assert results.notes == expected.notes
