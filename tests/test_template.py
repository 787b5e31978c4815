"""Blank data sheets for a rule: columns, notes, CSV and XLSX templates."""

from __future__ import annotations

import io
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import openpyxl  # type: ignore[import-untyped]
import pytest

import qualitykpi as qk
from qualitykpi.readers import check_columns, read_table
from qualitykpi.template import (
    VALIDATED_ROWS,
    TemplateColumn,
    template_columns,
    template_notes,
    write_template_csv,
    write_template_xlsx,
)

ROOT = Path(__file__).resolve().parents[1]
SMALL_RULE = Path(__file__).resolve().parent / "data" / "readers" / "small.rule"
EXAMPLE_RULE = ROOT / "examples" / "shuangtaizi-2016-2017.rule"
EXAMPLE_CSV = ROOT / "examples" / "shuangtaizi-2016-2017.csv"


@pytest.fixture(scope="module")
def example() -> qk.Scheme:
    return qk.load(EXAMPLE_RULE)


@pytest.fixture(scope="module")
def small() -> qk.Scheme:
    return qk.load(SMALL_RULE)


def test_columns_of_a_small_rule(small: qk.Scheme) -> None:
    columns = template_columns(small)
    assert [column.name for column in columns] == [
        "entity",
        "incident",
        "pass_rate",
        "events",
        "index",
        "q3",
        "q4",
    ]
    by_name = {column.name: column for column in columns}
    assert by_name["entity"].kind == "entity"
    assert by_name["incident"] == TemplateColumn(
        "incident", "重大事故 (veto)", "input", "yes/no", "", "yes/no (是/否)"
    )
    assert by_name["pass_rate"] == TemplateColumn(
        "pass_rate",
        "合格率",
        "input",
        "percent",
        "%",
        "0–100, step 0.1",
        Fraction(0),
        Fraction(100),
        Fraction(1, 10),
    )
    events = by_name["events"]
    assert (events.label, events.unit, events.allowed) == (
        "活动和指数 › 活动",
        "个/项",
        "whole number ≥ 0",
    )
    assert (events.low, events.high) == (Fraction(0), None)
    index = by_name["index"]
    assert (index.label, index.unit, index.allowed) == ("活动和指数 › 指数", "", "any number")
    assert (index.low, index.high) == (None, None)
    q3, q4 = by_name["q3"], by_name["q4"]
    assert (q3.kind, q3.label, q3.allowed, q3.low, q3.high, q3.deduction) == (
        "assessed",
        "组织领导",
        "0–3 (assessed)",
        Fraction(0),
        Fraction(3),
        False,
    )
    assert (q4.label, q4.allowed, q4.low, q4.high, q4.deduction) == (
        "机制",
        "deduction 0–1 (assessed)",
        Fraction(0),
        Fraction(1),
        True,
    )


def test_columns_of_the_real_example(example: qk.Scheme) -> None:
    columns = template_columns(example)
    assert [column.name for column in columns] == ["entity", *example.inputs]
    by_name = {column.name: column for column in columns}
    assert by_name["m09"].label == "大质量工作机制"
    assert by_name["m09"].allowed == "0–1 (assessed)"
    assert by_name["m20"].label == "信用记录和企业标准自我声明公开"
    assert (by_name["m20"].allowed, by_name["m20"].high) == ("0–0.5 (assessed)", Fraction(1, 2))
    assert by_name["m15_1"].label == "工程质量监督人员"
    assert by_name["pass_rate"].label == "制造业产品质量合格率"
    assert by_name["veg_rate"].label == "主要农产品质量安全监测合格率 › 蔬菜"
    assert by_name["awards"].unit == "个/项"
    assert by_name["resolution_rate"].allowed == "0–100"
    assessed = [column for column in columns if column.kind == "assessed"]
    assert len(assessed) == len(example.scorer.assessed_ids())


def test_notes_are_a_readable_table(example: qk.Scheme) -> None:
    notes = template_notes(example)
    lines = notes.splitlines()
    assert example.name in lines[0]
    assert lines[1].split() == ["column", "type", "unit", "allowed", "meaning"]
    assert any(line.startswith("m09 ") and "大质量工作机制" in line for line in lines)
    assert any("pass_rate" in line and "0–100, step 0.1" in line for line in lines)
    # Aligned: every row's "allowed" column starts at the same place.
    header_at = lines[1].index("allowed")
    m09 = next(line for line in lines if line.startswith("m09 "))
    assert m09[header_at:].startswith("0–1 (assessed)")


def test_csv_template_reads_back_as_an_empty_table(example: qk.Scheme, tmp_path: Path) -> None:
    out = io.StringIO()
    write_template_csv(example, out)
    assert out.getvalue().count("\n") == 1
    path = tmp_path / "template.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    table = read_table(path)
    assert table.rows == ()
    assert table.columns == ("entity", *example.inputs)
    assert check_columns(example, table.columns) == []


def test_csv_template_filled_in_scores(small: qk.Scheme, tmp_path: Path) -> None:
    out = io.StringIO()
    write_template_csv(small, out)
    out.write("双台子区,否,87.2,2,55.5,2.5,0.25\n")
    path = tmp_path / "filled.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    results = small.score_table(read_table(path).rows)
    assert results["双台子区"].total == Decimal("6.805")


def _validations(path: Path, name: str = "data") -> tuple[openpyxl.Workbook, dict[str, Any]]:
    workbook = openpyxl.load_workbook(path)
    sheet = workbook[name]
    found: dict[str, Any] = {}
    for validation in sheet.data_validations.dataValidation:
        (ref,) = str(validation.sqref).split()
        found[ref] = validation
    return workbook, found


def test_xlsx_template_layout_and_validations(small: qk.Scheme, tmp_path: Path) -> None:
    path = tmp_path / "template.xlsx"
    write_template_xlsx(small, path)
    workbook, found = _validations(path)
    assert workbook.sheetnames == ["data", "notes"]
    sheet = workbook["data"]
    assert sheet.freeze_panes == "B2"
    header = [cell.value for cell in sheet[1]]
    assert header == ["entity", "incident", "pass_rate", "events", "index", "q3", "q4"]
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.max_row == 1
    assert sheet["F1"].comment is not None and "组织领导" in sheet["F1"].comment.text
    assert sheet.column_dimensions["A"].width >= 18
    last = VALIDATED_ROWS
    expected = {
        f"A2:A{last}": ("custom", None, f"COUNTIF($A$2:$A${last},A2)=1", None),
        f"B2:B{last}": ("list", None, '"是,否,yes,no"', None),
        f"C2:C{last}": ("decimal", "between", "0", "100"),
        f"D2:D{last}": ("whole", "greaterThanOrEqual", "0", None),
        f"E2:E{last}": ("decimal", "greaterThanOrEqual", "-9.99E+307", None),
        f"F2:F{last}": ("decimal", "between", "0", "3"),
        f"G2:G{last}": ("decimal", "between", "0", "1"),
    }
    assert set(found) == set(expected)
    for ref, (kind, operator, formula1, formula2) in expected.items():
        validation = found[ref]
        got = (
            validation.type,
            validation.operator,
            validation.formula1,
            validation.formula2,
        )
        assert got == (kind, operator, formula1, formula2), ref
        assert validation.showErrorMessage
        assert validation.errorStyle == "stop"
        assert validation.allow_blank
        assert len(validation.errorTitle) <= 32
        assert len(validation.error) <= 225
        assert len(validation.prompt) <= 255
    pass_rate = found[f"C2:C{last}"]
    assert pass_rate.error == "Enter a percentage, 0 to 100. In steps of 0.1."
    assert "deduction" in found[f"G2:G{last}"].error

    notes = workbook["notes"]
    rows = [[cell.value for cell in row] for row in notes.iter_rows(max_row=8)]
    assert rows[0] == ["column", "meaning", "type", "unit", "allowed"]
    assert rows[4] == ["events", "活动和指数 › 活动", "count", "个/项", "whole number ≥ 0"]
    assert rows[7] == ["q4", "机制", "number", None, "deduction 0–1 (assessed)"]


def test_xlsx_template_in_chinese(small: qk.Scheme, tmp_path: Path) -> None:
    path = tmp_path / "template.xlsx"
    with qk.use_language("zh"):
        write_template_xlsx(small, path)
    workbook, found = _validations(path, "填报数据")
    assert workbook.sheetnames == ["填报数据", "说明"]
    last = VALIDATED_ROWS
    assert found[f"C2:C{last}"].error == "请填写 0 到 100 之间的百分数（如 87.2）。按 0.1 填报。"
    assert "扣分" in found[f"G2:G{last}"].error
    rows = [[cell.value for cell in row] for row in workbook["说明"].iter_rows(max_row=8)]
    assert rows[0] == ["列名", "含义", "类型", "单位", "填报要求"]
    assert rows[1][1:3] == ["被考核单位名称", "文本"]
    assert rows[2][1:3] == ["重大事故（否决项）", "是否"]
    # Read back like the English one: the reader takes the first sheet.
    assert read_table(path).columns[0] == "entity"


def test_xlsx_template_of_the_real_example(example: qk.Scheme, tmp_path: Path) -> None:
    path = tmp_path / "template.xlsx"
    write_template_xlsx(example, path)
    table = read_table(path)
    assert table.sheet == "data"
    assert table.rows == ()
    assert table.columns == ("entity", *example.inputs)
    _, found = _validations(path)
    assert len(found) == len(table.columns)
    # m20 is worth 0.5: its validation says so exactly.
    m20 = table.columns.index("m20")
    letter = openpyxl.utils.get_column_letter(m20 + 1)
    validation = found[f"{letter}2:{letter}{VALIDATED_ROWS}"]
    assert (validation.formula1, validation.formula2) == ("0", "0.5")


def test_xlsx_template_filled_in_scores_like_the_csv(example: qk.Scheme, tmp_path: Path) -> None:
    path = tmp_path / "template.xlsx"
    write_template_xlsx(example, path)
    plain = read_table(EXAMPLE_CSV)
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["data"]
    header = [cell.value for cell in sheet[1]]
    for row in plain.rows:
        cells: list[object] = []
        for name in header:
            text = str(row[name])
            if name == "entity" or not text[:1].isdigit():
                cells.append(text)
            elif "." in text:
                cells.append(Decimal(text))  # stored by Excel as a double
            else:
                cells.append(int(text))
        sheet.append(cells)
    # One rate typed with a percent format, as Excel does for "91.2%".
    sheet["C2"].value = Decimal("0.912")
    sheet["C2"].number_format = "0.0%"
    workbook.save(path)
    filled = read_table(path)
    assert filled.rows[0]["pass_rate"] == Decimal("91.2")
    ours = example.score_table(filled.rows)
    theirs = example.score_table(plain.rows)
    assert not ours.errors
    assert {r.entity: r.total for r in ours} == {r.entity: r.total for r in theirs}
    assert {r.entity: r.grade for r in ours} == {r.entity: r.grade for r in theirs}


def test_assessed_scores_of_deduct_only_items_and_bonuses(tmp_path: Path) -> None:
    scheme = qk.loads(
        'scheme "s" { item a "A" max 3 { assessed }\n'
        ' item b "B" deduct at most 2 { assessed }\n'
        ' bonus c "C" at most 1 { assessed } }'
    )
    columns = {column.name: column for column in template_columns(scheme)}
    assert (columns["b"].allowed, columns["b"].low, columns["b"].high) == (
        "-2 to 0 (assessed)",
        Fraction(-2),
        Fraction(0),
    )
    assert columns["c"].allowed == "0–1 (assessed)"
    path = tmp_path / "template.xlsx"
    write_template_xlsx(scheme, path)
    _, found = _validations(path)
    validation = found[f"C2:C{VALIDATED_ROWS}"]
    assert (validation.formula1, validation.formula2) == ("-2", "0")
