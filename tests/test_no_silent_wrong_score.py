"""No silent wrong score, no crash on bad input.

Each test reproduces one way a score used to come out wrong without a word,
or a run used to crash or hang, through the public API or the command line
only, so that the tests outlive any rewrite of the engine.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import qualitykpi as qk
import strategies as gen
from conftest import ROOT, assert_ledger_adds_up
from qualitykpi import reports
from qualitykpi.reports import owners as owners_report
from test_cli import run

EXAMPLES = ROOT / "examples"


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# ------------------------------------------------ absent values in tables

SEVERAL_INPUTS = """\
scheme "缺数" { item "卫片执法检查" max 20 {
  input illegal_use: yes/no
  input stopped_in_time: yes/no
  illegal_use no → full
  stopped_in_time yes → full
  stopped_in_time no → 0 } }
"""


def test_an_absent_value_in_a_several_input_table_is_a_data_error() -> None:
    scheme = qk.loads(SEVERAL_INPUTS, "缺数.rule")
    rows = [
        {"entity": "甲", "illegal_use": "no", "stopped_in_time": "no"},
        {"entity": "丁", "illegal_use": "", "stopped_in_time": "yes"},
    ]
    results = scheme.score_table(rows)
    assert [result.entity for result in results] == ["甲"]
    (error,) = results.errors
    assert (error.entity, error.input, error.line) == ("丁", "illegal_use", 4)
    assert "no data for 'illegal_use'" in error.message


def test_a_no_data_line_of_that_input_decides_instead() -> None:
    text = SEVERAL_INPUTS.replace(
        "  illegal_use no → full\n", "  illegal_use no → full\n  no data → 5\n"
    )
    results = qk.loads(text).score_table(
        [{"entity": "丁", "illegal_use": "", "stopped_in_time": "yes"}]
    )
    assert results.errors == ()
    assert results["丁"].total == 5  # not 20 from the later `stopped_in_time yes` line


def test_the_cli_names_the_entity_and_scores_the_others(tmp_path: Path) -> None:
    rule = write(tmp_path / "缺数.rule", SEVERAL_INPUTS)
    data = write(tmp_path / "data.csv", "entity,illegal_use,stopped_in_time\n甲,no,no\n丁,,yes\n")
    code, out, err = run("score", str(rule), str(data), "--format", "csv")
    assert code == 1
    assert "甲" in out and "丁" not in out
    assert "entity '丁': no data for 'illegal_use'" in err and "缺数.rule:4" in err


# ------------------------------------------------------------------ vetoes

VETO = """\
scheme "否决" {
  total 100
  grades { A at least 90; B at least 80; C at least 60; D otherwise }
  input incident: yes/no
  veto "发生区域性、系统性产品质量安全事件" when incident → grade C
  item "得分" max 100 { input points: number; scaled from 0 to 100 }
}
"""


def test_a_veto_never_improves_a_grade() -> None:
    scheme = qk.loads(VETO)
    low = scheme.score({"points": 50, "incident": True})
    assert (low.total, low.grade) == (50, "D")  # the veto's C would be better than D
    high = scheme.score({"points": 95, "incident": True})
    assert (high.total, high.grade) == (95, "C")
    assert [hit.name for hit in low.vetoes] == ["发生区域性、系统性产品质量安全事件"]


# -------------------------------------------------------- negative peers

PEER_MAX = """\
scheme "比例" { item "相对得分" max 16 { input x: number; scaled to peer max } }
"""


def test_scaling_to_a_negative_or_zero_peer_max_is_a_data_error() -> None:
    scheme = qk.loads(PEER_MAX)
    for cohort in (["-5", "-2"], ["0", "0"], ["-3", "0"]):
        rows = [{"entity": f"e{i}", "x": x} for i, x in enumerate(cohort)]
        results = scheme.score_table(rows)
        assert len(results) == 0, cohort
        assert {error.entity for error in results.errors} == {"e0", "e1"}
        assert all("peer max of 'x'" in error.message for error in results.errors)


def test_a_line_above_says_what_such_values_score() -> None:
    scheme = qk.loads(PEER_MAX.replace("scaled to peer max", "at most 0 → 0; scaled to peer max"))
    results = scheme.score_table([{"entity": "a", "x": "0"}, {"entity": "b", "x": "-2"}])
    assert results.errors == ()
    assert [result.total for result in results] == [0, 0]
    mixed = scheme.score_table([{"entity": "a", "x": "-5"}, {"entity": "b", "x": "4"}])
    assert [result.total for result in mixed] == [0, 16]


def test_k_percent_of_a_negative_mean_is_above_it_for_k_above_100() -> None:
    scheme = qk.loads(
        'scheme "增速" { item "增速" max 4 {\n input g: number\n'
        " at least 120% of peer mean → full\n otherwise → 0 } }"
    )
    peers = {"g": {"mean": "-10"}}
    assert scheme.score({"g": "-11"}, peers).total == 0  # below the mean: no points
    assert scheme.score({"g": "-8"}, peers).total == 4  # 20% above −10 is −8
    assert scheme.score({"g": "12"}, {"g": {"mean": "10"}}).total == 4
    cohort = scheme.score_table([{"entity": e, "g": g} for e, g in (("a", "-12"), ("b", "-8"))])
    assert cohort.peers["g"]["mean"] == "-10"
    assert [(r.entity, r.total) for r in cohort] == [("a", 0), ("b", 4)]


def test_check_asks_about_peer_comparisons_of_inputs_that_can_be_negative() -> None:
    text = (
        'scheme "s" { total 8\n item "a" max 4 {\n input g: number\n'
        " at least 120% of peer mean → full\n otherwise → 0 }\n"
        ' item "b" max 4 { input h: number; at most 0 → 0; scaled to peer max } }'
    )
    assert sorted(d.code for d in qk.check_text(text)) == ["negative-peer", "negative-peer"]
    bounded = text.replace("input g: number", "input g: number at least 0").replace(
        "input h: number", "input h: number at least 0"
    )
    assert qk.check_text(bounded) == []


# -------------------------------------------------------------- direction


def test_which_way_is_better_follows_from_the_outcomes() -> None:
    rule = ROOT / "tests" / "data" / "direction.rule"
    assert qk.check(rule) == []
    code, out, _ = run("check", "--strict", str(rule))
    assert code == 0, out


# ---------------------------------------------------------------- ranking


def test_ranking_is_by_grade_first_everywhere(tmp_path: Path) -> None:
    rule = EXAMPLES / "shuangtaizi-2016-2017.rule"
    data = EXAMPLES / "shuangtaizi-2016-2017.csv"
    results = qk.load(rule).score_table(qk.read_table(data))
    ranked = [(rank, result.entity, result.grade) for rank, result in results.ranking()]
    assert ranked[-1] == (6, "大洼区", "D")  # vetoed, total 89.6, below 盘山县's C
    code, out, _ = run("score", str(rule), str(data), "--format", "csv")
    assert code == 0
    assert out.strip().splitlines()[-1].split(",")[:4] == ["6", "大洼区", "89.6", "D"]
    code, out, _ = run("score", str(rule), str(data), "--explain")
    assert "veto: 发生区域性、系统性产品质量安全事件 → grade D" in out


def test_ties_share_a_rank_only_within_a_grade() -> None:
    scheme = qk.loads(VETO)
    rows = [
        {"entity": "a", "points": "95", "incident": "no"},
        {"entity": "b", "points": "95", "incident": "yes"},
        {"entity": "c", "points": "95", "incident": "yes"},
        {"entity": "d", "points": "80", "incident": "no"},
    ]
    ranking = [(rank, r.entity, r.grade) for rank, r in scheme.score_table(rows).ranking()]
    assert ranking == [(1, "a", "A"), (2, "d", "B"), (3, "b", "C"), (3, "c", "C")]


# ------------------------------------------------------------- exactness


def test_nothing_is_rounded_to_28_digits() -> None:
    tiny = "0." + "0" * 19 + "1"  # 20 places, the most a number may have
    scheme = qk.loads(
        f'scheme "细" {{ item "i" max 10 {{ input x: number; at least 1 → deduct {tiny}; '
        "otherwise → full } }"
    )
    result = scheme.score({"x": 5})
    assert result.total == Decimal("9.99999999999999999999")
    assert_ledger_adds_up(result)
    assert "9.99999999999999999999" in result.explain()
    wide = "123456789012345678.12345678901234567891"  # 38 digits
    shown = qk.loads('scheme "s" { item "i" max 1 { input x: number; otherwise → full } }')
    assert f"x = {wide}" in shown.score({"x": wide}).explain()


def test_numbers_beyond_the_bounds_are_refused_not_rounded() -> None:
    with pytest.raises(qk.RuleError) as caught:
        qk.loads(
            'scheme "s" { item "i" max 10 { input x: number; '
            "otherwise → deduct 0.00000000000000000000000000001 } }"
        )
    assert caught.value.code == "number-size"
    scheme = qk.loads('scheme "s" { item "i" max 1 { input x: number; otherwise → full } }')
    with pytest.raises(qk.DataError, match="29 digits after the decimal point"):
        scheme.score({"x": "89.99999999999999999999999999999"})


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_the_ledger_adds_up_for_generated_rule_files(data: st.DataObject) -> None:
    """Caps, floors, start, bonuses, deduction-only items and sections, parts,
    assessed items, a total cap and vetoes: the ledger always adds up."""
    rule = data.draw(gen.rule_texts(), label="rule")
    scheme = qk.loads(rule.text, "generated.rule")
    results = scheme.score_table(data.draw(gen.text_cohorts(rule), label="rows"))
    for result in results:
        assert_ledger_adds_up(result)
        result.explain()
    for error in results.errors:
        assert error.entity is not None and error.line is not None


# ------------------------------------------------------------- output


def test_owners_shows_every_entity_whole(tmp_path: Path) -> None:
    rule, data = EXAMPLES / "henan-2021.rule", EXAMPLES / "henan-2021.csv"
    entities = [row["entity"] for row in qk.read_table(data).rows]
    code, out, _ = run("owners", str(rule), str(data))
    assert code == 0
    lost = out.split("Points lost by each office")[1]
    words = lost.split()
    for entity in entities:
        assert words.count(entity) == 1, entity  # present, once, never folded
    assert max(len(line) for line in lost.splitlines()) <= 100
    target = tmp_path / "owners.txt"
    assert run("owners", str(rule), str(data), "-o", str(target))[0] == 0
    assert target.read_text(encoding="utf-8") == out


def test_the_output_format_follows_the_file_name(tmp_path: Path) -> None:
    rule, data = EXAMPLES / "shuangtaizi-2016-2017.rule", EXAMPLES / "shuangtaizi-2016-2017.csv"
    book = tmp_path / "results.xlsx"
    assert run("score", str(rule), str(data), "-o", str(book))[0] == 0
    assert book.read_bytes()[:2] == b"PK"  # a workbook, not text named .xlsx
    template = tmp_path / "blank.xlsx"
    assert run("template", str(rule), "-o", str(template))[0] == 0
    assert template.read_bytes()[:2] == b"PK"
    assert run("score", str(rule), str(data), "-o", str(tmp_path / "r.json"))[0] == 0
    assert (tmp_path / "r.json").read_text(encoding="utf-8").startswith("{")
    code, _, err = run("score", str(rule), str(data), "--format", "csv", "-o", str(book))
    assert code == 2 and "--format csv" in err
    code, _, err = run("score", str(rule), str(data), "-o", str(tmp_path / "r.html"))
    assert code == 2 and "ends in .html, which this command does not write" in err
    code, _, err = run("score", str(rule), str(data), "-o", str(tmp_path / "r.pdf"))
    assert code == 2 and "suffix `.pdf`" in err
    owners = tmp_path / "owners.xlsx"
    assert run("owners", str(rule), "-o", str(owners))[0] == 0
    assert owners.read_bytes()[:2] == b"PK"


def test_a_data_frame_is_scored_as_it_comes() -> None:
    pd = pytest.importorskip("pandas")
    scheme = qk.load(ROOT / "tests" / "data" / "worked_example.rule")
    frame = pd.read_csv(ROOT / "tests" / "data" / "worked_example.csv")
    totals = {r.entity: r.total for r in scheme.score_table(frame)}
    assert totals == {"甲": Decimal("34.1"), "乙": Decimal("27.15"), "丙": Decimal("7.4")}
    frame.loc[0, "pass_rate"] = float("nan")
    results = scheme.score_table(frame.set_index("entity"))
    (error,) = results.errors
    assert (error.entity, error.input) == ("甲", "pass_rate")
    assert "nan" not in error.message
    records = scheme.score_table(frame.to_dict("records"))
    assert [e.input for e in records.errors] == ["pass_rate"]


# ---------------------------------------------------- one bad cell, one entity


@pytest.mark.parametrize("cell", ["1e57", "1e400", "1e99999999", "9" * 5000, "0." + "1" * 60])
def test_one_absurd_cell_is_a_data_error_for_its_entity_only(cell: str) -> None:
    rule = EXAMPLES / "shuangtaizi-2016-2017.rule"
    table = qk.read_table(EXAMPLES / "shuangtaizi-2016-2017.csv")
    rows = [dict(row) for row in table.rows]
    rows[0]["awards"] = cell
    rows[1]["infra_index"] = cell
    started = time.perf_counter()
    results = qk.load(rule).score_table(rows)
    assert time.perf_counter() - started < 5
    bad = {error.entity for error in results.errors}
    assert bad == {rows[0]["entity"], rows[1]["entity"]}
    assert len(results) == len(rows) - 2


def test_exact_values_with_no_decimal_form_are_refused_not_crashed() -> None:
    scheme = qk.loads('scheme "s" { item "i" max 3 { input x: number; scaled from 0 to 1 } }')
    assert scheme.score({"x": Fraction(1, 4)}).total == Decimal("0.75")
    with pytest.raises(qk.DataError, match="1/3 has no finite decimal form"):
        scheme.score({"x": Fraction(1, 3)})


@pytest.mark.parametrize("cell", ["①", "²", "٣", "1_000", "1e", "--1"])
def test_digits_other_than_ascii_and_full_width_are_refused(cell: str) -> None:
    scheme = qk.loads('scheme "s" { item "i" max 1 { input x: number; otherwise → full } }')
    with pytest.raises(qk.DataError, match="is not a number"):
        scheme.score({"x": cell})


def test_full_width_digits_are_read() -> None:
    scheme = qk.loads('scheme "s" { item "i" max 100 { input x: number; scaled from 0 to 100 } }')
    assert scheme.score({"x": "８７．５"}).total == Decimal("87.5")
    assert scheme.score({"x": "１，２３４"}).total == 100  # 1234, clamped


def test_malformed_csv_is_refused_with_its_line(tmp_path: Path) -> None:
    rule = EXAMPLES / "shuangtaizi-2016-2017.rule"
    text = (EXAMPLES / "shuangtaizi-2016-2017.csv").read_text(encoding="utf-8-sig")
    header, first, *rest = text.splitlines()
    short = write(tmp_path / "short.csv", "\n".join([header, first.rsplit(",", 1)[0], *rest]))
    code, out, err = run("score", str(rule), str(short))
    assert (code, out) == (2, "") and "line 2 has" in err
    quote = write(tmp_path / "quote.csv", "\n".join([header, *rest, '"新区,1,2']) + "\n")
    code, out, err = run("score", str(rule), str(quote))
    assert (code, out) == (2, "") and "never closed" in err


# -------------------------------------------------------- rules and paths


def test_deep_nesting_is_a_rule_error_not_a_recursion_error() -> None:
    text = 'scheme "deep" {\n' + 'section "s" max 1 {\n' * 600 + "}" * 601
    with pytest.raises(qk.RuleError) as caught:
        qk.loads(text)
    assert caught.value.code == "too-deep" and caught.value.line == 18


def test_a_number_of_thousands_of_digits_is_refused_at_load() -> None:
    for body in (
        "max {n} {{ input x: number; otherwise → full",
        "max 1 {{ input x: number; at least {n} → full",
        "max 1 {{ input x: number precision 0.{n}; otherwise → full",
    ):
        text = 'scheme "s" { item "i" ' + body.format(n="9" * 5000) + " } }"
        with pytest.raises(qk.RuleError) as caught:
            qk.loads(text)
        assert "number-size" in {error.code for error in caught.value.errors}


def test_otherwise_alone_tests_no_input() -> None:
    text = (
        'scheme "s" { total 5\n item "i" max 5 {\n input a: number\n input b: number\n'
        " otherwise → full } }"
    )
    assert [d.code for d in qk.check_text(text)] == ["unused-input", "unused-input"]
    assert qk.loads(text).score({"a": None, "b": None}).total == 5


def test_check_exits_2_when_a_rule_does_not_load(tmp_path: Path) -> None:
    bad = write(tmp_path / "bad.rule", 'scheme "s" { item "x" max 1 { at lest 1 → full } }')
    assert run("check", str(bad))[0] == 2
    assert run("check", "--strict", str(bad))[0] == 2
    good = EXAMPLES / "henan-2021.rule"
    assert run("check", str(good))[0] == 0


def test_a_rule_file_that_is_not_utf8_is_a_rule_error(tmp_path: Path) -> None:
    path = tmp_path / "gbk.rule"
    path.write_bytes(
        'scheme "质量" { item "i" max 1 { input x: number; otherwise → full } }'.encode("gbk")
    )
    with pytest.raises(qk.RuleError, match="is not UTF-8 text"):
        qk.load(path)
    code, _, err = run("score", str(path), str(EXAMPLES / "henan-2021.csv"))
    assert code == 2 and "GBK" in err


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file names are bytes")
def test_a_gbk_file_name_is_shown_not_crashed(tmp_path: Path) -> None:
    name = os.fsdecode("质量考核.rule".encode("gbk"))
    rule = tmp_path / name
    rule.write_text((EXAMPLES / "henan-2021.rule").read_text(encoding="utf-8"), encoding="utf-8")
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    for args in (["check", str(rule)], ["test", str(rule)], ["owners", str(rule)]):
        done = subprocess.run(
            [sys.executable, "-m", "qualitykpi", *args],
            capture_output=True,
            env=env,
            check=False,
        )
        assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
        assert b"Traceback" not in done.stderr
    missing = tmp_path / os.fsdecode("质量缺失.rule".encode("gbk"))
    done = subprocess.run(
        [sys.executable, "-m", "qualitykpi", "score", str(missing), "x.csv"],
        capture_output=True,
        env=env,
        check=False,
    )
    assert done.returncode == 2
    assert "质量缺失.rule" in done.stderr.decode("utf-8") and b"Traceback" not in done.stderr


def test_given_peer_statistics_are_read_like_data() -> None:
    scheme = qk.loads(
        'scheme "s" { item "i" max 1 { input x: number\n'
        " at least 100% of peer mean → full\n otherwise → 0 } }"
    )
    assert scheme.score({"x": 1}, {"x": {"mean": 0.5}}).total == 1  # a float, by its repr
    for bad, why in (("1e400", "401 digits"), ("abc", "not a number"), (None, "not given")):
        with pytest.raises(qk.DataError, match=why):
            scheme.score({"x": 1}, {"x": {"mean": bad}})


def test_a_json_integer_of_thousands_of_digits_is_a_data_error(tmp_path: Path) -> None:
    rule = write(
        tmp_path / "s.rule", 'scheme "s" { item "i" max 1 { input x: number\n otherwise → full } }'
    )
    data = write(
        tmp_path / "big.json", '[{"entity": "a", "x": ' + "9" * 5000 + '}, {"entity": "b", "x": 1}]'
    )
    code, out, err = run("score", str(rule), str(data), "--format", "json")
    assert code == 1 and '"entity": "b"' in out
    assert "entity 'a'" in err and "5000 digits before the decimal point" in err


def test_no_sign_change_or_order_rounds_to_28_digits() -> None:
    """`-x` and `abs(x)` on a Decimal round to 28 digits; a long number or total must not."""
    wide = "99999999999999999.99999999999999999999"
    scheme = qk.loads(
        'scheme "s" { item "i" max 100000000000000000 {\n'
        f" input x: number at least -{wide}\n scaled from 0 to 100000000000000000 }} }}"
    )
    assert scheme.inputs["x"].low == -Fraction(Decimal(wide))
    results = scheme.score_table(
        [
            {"entity": "a", "x": "99999999999999999.00000000000000000001"},
            {"entity": "b", "x": "99999999999999999.00000000000000000002"},
        ]
    )
    assert [(rank, r.entity) for rank, r in results.ranking()] == [(1, "b"), (2, "a")]


# --------------------------------------------- found trying it as a user would


def test_owners_never_cuts_a_long_entity_name(tmp_path: Path) -> None:
    rule = write(
        tmp_path / "own.rule",
        'scheme "o" { item "a" max 5 owner "局" { input p: number; at least 1 → full; '
        "otherwise → 0 } }",
    )
    long_name = "A very long English entity name that is wider than a hundred columns " * 2
    data = write(
        tmp_path / "own.csv", f"entity,p\n{long_name.strip()},0\n兴隆台区经济技术开发区,1\n"
    )
    code, out, _ = run("owners", str(rule), str(data))
    assert code == 0
    lost = out.split("Points lost by each office")[1]
    assert long_name.strip() in lost and "兴隆台区经济技术开发区" in lost
    assert "局           5" in lost and lost.count(" 5\n") + lost.count(" 0\n") >= 2
    scheme = qk.load(rule)
    results = scheme.score_table(qk.read_table(data))
    for width in (50, 60, 100):
        text = reports.render_text(owners_report.owners_blocks(scheme, results, width=width))
        assert long_name.strip() in text and "兴隆台区经济技术开发区" in text, width


def test_float32_cells_are_read_as_typed() -> None:
    pd = pytest.importorskip("pandas")
    np = pytest.importorskip("numpy")
    scheme = qk.loads(
        'scheme "f" { item "a" max 10 { input rate: percent precision 0.1\n'
        " at least 91.2% → full\n otherwise → 0 } }"
    )
    frame = pd.DataFrame(
        {"entity": ["甲", "乙"], "rate": np.array([91.2, np.nan], dtype=np.float32)}
    )
    results = scheme.score_table(frame)
    assert results["甲"].total == 10
    assert [(e.entity, e.input) for e in results.errors] == [("乙", "rate")]
    assert scheme.score({"rate": np.float32(91.2)}).total == 10


def test_json_nan_is_absent_and_infinity_an_error_for_its_entity(tmp_path: Path) -> None:
    rule = write(
        tmp_path / "cell.rule",
        'scheme "c" { item "a" max 5 { input x: number; no data → 1; otherwise → full } }',
    )
    data = write(
        tmp_path / "dump.json",
        '[{"entity": "A", "x": 5}, {"entity": "E", "x": NaN}, {"entity": "F", "x": Infinity}]',
    )
    code, out, err = run("score", str(rule), str(data), "--format", "csv")
    assert code == 1
    assert [line.split(",")[1] for line in out.strip().splitlines()[1:]] == ["A", "E"]
    assert "entity 'F'" in err and "entity 'A'" not in err


def test_all_of_an_entitys_errors_come_together() -> None:
    scheme = qk.loads(
        'scheme "s" { total 10\n item "a" max 5 { input x: number at least 0; at least 1 → '
        'full; otherwise → 0 }\n item "b" max 5 { input y: number; scaled to peer max } }'
    )
    results = scheme.score_table(
        [{"entity": "a", "x": "-1", "y": "0"}, {"entity": "b", "x": "1", "y": "0"}]
    )
    assert sorted((e.entity, e.input) for e in results.errors) == [
        ("a", "x"),
        ("a", "y"),
        ("b", "y"),
    ]


def test_size_messages_say_what_is_wrong() -> None:
    scheme = qk.loads('scheme "s" { item "i" max 1 { input x: number; otherwise → full } }')
    assert scheme.score({"x": "1." + "0" * 80}).total == 1  # trailing zeros do not count
    with pytest.raises(qk.DataError, match="has too many digits"):
        scheme.score({"x": "9" * 5000})
    with pytest.raises(qk.DataError, match="a very long integer has 5001 digits"):
        scheme.score({"x": 10**5000})


def test_negative_peer_names_its_statistic_in_lines_and_vetoes() -> None:
    text = (
        'scheme "s" { total 4\n grades { A at least 3; D otherwise }\n input g: number\n'
        ' veto "v" when g less than 50% of peer min → grade D\n'
        ' item "i" max 4 { g more than 150% of peer median → full\n g otherwise → 0 } }'
    )
    messages = {d.line: d.message for d in qk.check_text(text) if d.code == "negative-peer"}
    assert "150% of a median of -10 is -5" in messages[5]
    assert "50% of a min of -10 is -15" in messages[4]


def test_the_check_functions_say_what_they_take(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="use check\\(path\\)"):
        qk.check_text(tmp_path / "x.rule")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="check_text"):
        qk.check('scheme "s" {\n item "i" max 1 { input x: number; otherwise → full } }')
    rule = write(
        tmp_path / "c.rule", 'scheme "s" { item "i" max 1 { input x: number\n otherwise → full } }'
    )
    assert qk.check(os.fsencode(rule)) == qk.check(rule)


def test_output_named_only_by_its_suffix(tmp_path: Path) -> None:
    rule, data = EXAMPLES / "henan-2021.rule", EXAMPLES / "henan-2021.csv"
    code, _, _ = run("score", str(rule), str(data), "-o", str(tmp_path / ".xlsx"))
    assert code == 0 and (tmp_path / ".xlsx").read_bytes()[:2] == b"PK"
    code, _, err = run("owners", str(rule), "-o", str(tmp_path / "o.md"), "--format", "xlsx")
    assert code == 2 and "--format xlsx does not write markdown" in err


def test_a_peer_line_outside_the_cohort_is_not_blamed_on_another_line() -> None:
    text = (
        'scheme "s" { total 5\n item "g" max 5 {\n input g2: number at least 0\n'
        " more than 150% of peer median → full\n at most 0% of peer min → 1\n"
        " otherwise → 0 } }"
    )
    (finding,) = [d for d in qk.check_text(text) if d.code == "unreachable-line"]
    assert "no entity of the cohort has a value that satisfies" in finding.message
    assert "already taken by" not in finding.message and finding.related == ()
