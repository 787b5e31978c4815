"""Column headers: ``input rate "制造业产品质量合格率（%）": percent``.

The header is carried to the input's spec; the template titles the column
by it; the data may title the column by the header or by the name (both,
only when they agree); unknown columns get suggestions that understand
Chinese titles.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import openpyxl  # type: ignore[import-untyped]
import pytest
from click.testing import CliRunner

import qualitykpi as qk
from qualitykpi.cli import main
from qualitykpi.readers import _closest, check_columns, read_table
from qualitykpi.template import template_columns, write_template_csv, write_template_xlsx

RATE = "制造业产品质量合格率（%）"

RULE = f"""\
scheme "示范考核" {{
  grades {{ A at least 9; B otherwise }}
  item q1 "制造业产品质量合格率" max 10 owner "第三方机构" {{
    input rate "{RATE}": percent precision 0.1
    target 90%
    meets target → full
    below target by up to 1 points → deduct 1
    below target by more than 1 points → deduct 10
    example rate = 89.5% → 9
  }}
  item q2 "建设工程质量" max 2 {{
    input level "工程质量评价": one of "好", "中", "差"
    level = "好" → full
    otherwise → 0
  }}
}}
"""


@pytest.fixture(scope="module")
def scheme() -> qk.Scheme:
    return qk.loads(RULE, name="headers.rule")


def test_the_header_reaches_the_spec(scheme: qk.Scheme) -> None:
    assert scheme.inputs["rate"].header == RATE
    assert scheme.inputs["level"].header == "工程质量评价"
    assert scheme.declarations["rate"].header is not None
    assert scheme.declarations["rate"].header.value == RATE
    assert qk.loads(RULE.replace(f' "{RATE}"', "")).inputs["rate"].header is None


def test_the_data_may_title_a_column_either_way(scheme: qk.Scheme) -> None:
    by_header = scheme.score_table([{"entity": "甲", RATE: "89.5", "工程质量评价": "好"}])
    by_name = scheme.score_table([{"entity": "甲", "rate": "89.5", "level": "好"}])
    assert by_header["甲"].total == by_name["甲"].total == Decimal("11")
    assert scheme.score({"rate": "95", "工程质量评价": "差"}).total == Decimal("10")


def test_both_columns_must_agree(scheme: qk.Scheme) -> None:
    rows = [
        {"entity": "甲", "rate": "89.5", RATE: "89.50", "level": "好"},
        {"entity": "乙", "rate": "89.5", RATE: "91", "level": "好"},
    ]
    results = scheme.score_table(rows)
    assert results["甲"].total == Decimal("11")  # the same value, written two ways
    assert "乙" not in results
    (error,) = results.errors
    assert (error.entity, error.input) == ("乙", "rate")
    assert str(error) == (
        "entity '乙': input 'rate' is given twice, differently: column 'rate' holds '89.5' "
        f"and column '{RATE}' holds '91'; keep one of the two columns"
    )


def test_a_data_error_names_the_input_and_its_column(scheme: qk.Scheme) -> None:
    results = scheme.score_table([{"entity": "甲", RATE: "百分之九十", "level": "好"}])
    (error,) = results.errors
    assert error.input == "rate"
    assert "input 'rate'" in str(error)
    assert f"(read from column '{RATE}')" in str(error)
    with qk.use_language("zh"):
        results = scheme.score_table([{"entity": "甲", RATE: "百分之九十", "level": "好"}])
    assert f"（取自列 '{RATE}'）" in str(results.errors[0])
    # Read under its name, the column is the input's name: nothing more to say.
    results = scheme.score_table([{"entity": "甲", "rate": "百分之九十", "level": "好"}])
    assert "read from column" not in str(results.errors[0])


def test_two_inputs_may_not_share_a_header() -> None:
    text = RULE.replace('"工程质量评价"', f'"{RATE}"')
    with pytest.raises(qk.RuleError) as caught:
        qk.loads(text, name="h.rule")
    (error,) = caught.value.errors
    assert error.code == "duplicate-header"
    assert (error.line, error.column) == (12, 17)
    assert "inputs `rate` and `level` have the same column header" in error.message


def test_a_header_may_not_be_another_inputs_name() -> None:
    with pytest.raises(qk.RuleError) as caught:
        qk.loads(RULE.replace('"工程质量评价"', '"rate"'), name="h.rule")
    (error,) = caught.value.errors
    assert error.code == "header-is-name"
    with qk.use_language("zh"), pytest.raises(qk.RuleError) as caught:
        qk.loads(RULE.replace('"工程质量评价"', '"rate"'), name="h.rule")
    assert "与第 4 行声明的输入同名" in caught.value.errors[0].message


def test_an_input_may_be_titled_by_its_own_name() -> None:
    scheme = qk.loads(RULE.replace(f'"{RATE}"', '"rate"'))
    assert scheme.inputs["rate"].header == "rate"


# ---------------------------------------------------------------- columns


def test_check_columns_accepts_headers_and_names(scheme: qk.Scheme) -> None:
    assert check_columns(scheme, ["entity", RATE, "level"]) == []
    assert check_columns(scheme, ["entity", "rate", "工程质量评价"]) == []


def test_a_missing_headed_input_names_both_titles(scheme: qk.Scheme) -> None:
    (problem,) = check_columns(scheme, ["entity", "level"])
    assert problem.kind == "missing-input"
    assert f"titled '{RATE}' or 'rate'" in problem.message


@pytest.mark.parametrize(
    ("column", "guess"),
    [
        ("制造业产品质量合格率", RATE),  # the unit left out
        ("制造业产品质量合格率(%)", RATE),  # half-width brackets
        ("制造业产品质量合格率（%", RATE),  # the closing bracket missing
        ("制造业产品质量合格率 （%）", RATE),  # a space
        ("制造业产品质最合格率（%）", RATE),  # 量 typed as 最
        ("制造业产品合格率（%）", RATE),  # a word left out
        ("工程质量评介", "工程质量评价"),
        ("RATE", "rate"),
    ],
)
def test_unknown_columns_get_the_right_suggestion(
    scheme: qk.Scheme, column: str, guess: str
) -> None:
    problems = check_columns(scheme, ["entity", column])
    unknown = [problem for problem in problems if problem.kind == "unknown-column"]
    assert [problem.suggestion for problem in unknown] == [guess]
    assert f"did you mean {guess!r}?" in unknown[0].message


def test_the_suggestion_tells_similar_titles_apart() -> None:
    titles = ["食品抽检合格率（%）", "农产品抽检合格率（%）", "药品抽检合格率（%）"]
    assert _closest("食品抽检合格率", titles) == "食品抽检合格率（%）"
    assert _closest("农产品抽检合格率(%)", titles) == "农产品抽检合格率（%）"
    assert _closest("药品抽查合格率（%）", titles) == "药品抽检合格率（%）"
    assert _closest("食品抽检合格率【%】", titles) == "食品抽检合格率（%）"
    assert _closest("旅游投诉办结率", titles) is None


# ---------------------------------------------------------------- template


def test_the_template_titles_the_column_by_its_header(scheme: qk.Scheme) -> None:
    columns = template_columns(scheme)
    assert [column.name for column in columns] == ["entity", RATE, "工程质量评价"]
    assert [column.input for column in columns] == [None, "rate", "level"]
    assert columns[1].label == "制造业产品质量合格率 (input rate)"
    out = io.StringIO()
    write_template_csv(scheme, out)
    assert out.getvalue() == f"entity,{RATE},工程质量评价\n"


def test_a_filled_xlsx_template_scores(scheme: qk.Scheme, tmp_path: Path) -> None:
    path = tmp_path / "data.xlsx"
    write_template_xlsx(scheme, path)
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["data"]
    assert [cell.value for cell in sheet[1]] == ["entity", RATE, "工程质量评价"]
    sheet.append(["甲", 89.5, "好"])
    workbook.save(path)
    table = read_table(path)
    assert table.columns == ("entity", RATE, "工程质量评价")
    assert check_columns(scheme, table.columns) == []
    assert scheme.score_table(table)["甲"].total == Decimal("11")


def test_the_cli_template_and_score_use_the_header(tmp_path: Path) -> None:
    rule = tmp_path / "headers.rule"
    rule.write_text(RULE, encoding="utf-8")
    result = CliRunner().invoke(main, ["template", str(rule)])
    assert result.exit_code == 0
    assert result.stdout.lstrip("\ufeff") == f"entity,{RATE},工程质量评价\n"
    data = tmp_path / "data.csv"
    with data.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["entity", "制造业产品质量合格率", "工程质量评价"])
        writer.writerow(["甲", "89.5", "好"])
    result = CliRunner().invoke(main, ["score", str(rule), str(data), "--format", "csv"])
    expected = "column '制造业产品质量合格率' matches no input of the rule; did you mean"
    assert f"{expected} '{RATE}'?" in result.stderr
