"""Reading data tables exactly: CSV encodings, TSV, XLSX cells, JSON, columns."""

from __future__ import annotations

import csv
import datetime as dt
import pickle
import re
from decimal import Decimal
from pathlib import Path

import openpyxl  # type: ignore[import-untyped]
import pytest

import qualitykpi as qk
from qualitykpi.readers import ColumnProblem, DataFileError, DataTable, check_columns, read_table

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data" / "readers"
SMALL_RULE = DATA / "small.rule"
EXAMPLE_RULE = ROOT / "examples" / "shuangtaizi-2016-2017.rule"
EXAMPLE_CSV = ROOT / "examples" / "shuangtaizi-2016-2017.csv"

COHORT = (
    "entity,incident,pass_rate,events,index,q3,q4\n"
    "双台子区,否,87.2,2,55.5,2.5,0.25\n"
    "兴隆台区,是,93.6,0,100,3,0\n"
)


@pytest.fixture(scope="module")
def small() -> qk.Scheme:
    return qk.load(SMALL_RULE)


def _totals(scheme: qk.Scheme, table: DataTable) -> dict[str, Decimal]:
    results = scheme.score_table(table.rows)
    assert not results.errors, [str(error) for error in results.errors]
    return {name: result.total for name, result in results.results.items()}


# 兴隆台区 has the incident: the veto sets its grade, not its total.
EXPECTED = {"双台子区": Decimal("6.805"), "兴隆台区": Decimal("9")}


# ------------------------------------------------------------------- CSV


@pytest.mark.parametrize(
    ("encoding", "detected"),
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gb18030", "gb18030"), ("gbk", "gb18030")],
)
def test_csv_encodings_are_detected(
    tmp_path: Path, small: qk.Scheme, encoding: str, detected: str
) -> None:
    path = tmp_path / "cohort.csv"
    path.write_bytes(COHORT.encode(encoding))
    table = read_table(path)
    assert table.encoding == detected
    assert table.columns == ("entity", "incident", "pass_rate", "events", "index", "q3", "q4")
    assert table.rows[0]["entity"] == "双台子区"
    assert table.rows[0]["pass_rate"] == "87.2"
    assert table.source == str(path)
    assert table.sheet is None
    assert _totals(small, table) == EXPECTED


def test_a_bom_never_leaks_into_the_first_column(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes(COHORT.encode("utf-8-sig"))
    assert read_table(path).columns[0] == "entity"
    # Even when the caller forces plain UTF-8 on a file with a BOM.
    assert read_table(path, encoding="utf-8").columns[0] == "entity"


def test_gb18030_file_as_saved_by_chinese_excel(small: qk.Scheme) -> None:
    table = read_table(DATA / "cohort-gb18030.csv")
    assert table.encoding == "gb18030"
    assert [row["entity"] for row in table.rows] == ["双台子区", "兴隆台区"]
    assert _totals(small, table) == EXPECTED


def test_utf16_with_bom_as_excel_unicode_text(tmp_path: Path, small: qk.Scheme) -> None:
    path = tmp_path / "cohort.txt"
    path.write_bytes(COHORT.replace(",", "\t").encode("utf-16"))
    table = read_table(path)
    assert table.encoding == "utf-16"
    assert _totals(small, table) == EXPECTED


def test_undecodable_bytes_are_refused_with_a_hint(tmp_path: Path) -> None:
    path = tmp_path / "broken.csv"
    path.write_bytes(b"entity,pass_rate\n\xff\xfe\xff\x80,87.2\n")
    with pytest.raises(DataFileError) as caught:
        read_table(path)
    message = str(caught.value)
    assert str(path) in message
    assert "neither UTF-8 nor GB18030" in message
    assert "--encoding" in message
    assert isinstance(caught.value, qk.RuleError)


def test_encoding_override(tmp_path: Path) -> None:
    path = tmp_path / "cohort.csv"
    path.write_bytes(COHORT.encode("gbk"))
    table = read_table(path, encoding="gbk")
    assert table.encoding == "gbk"
    assert table.rows[1]["entity"] == "兴隆台区"
    with pytest.raises(DataFileError, match="is not valid utf-8"):
        read_table(path, encoding="utf-8")
    with pytest.raises(DataFileError, match="unknown encoding 'klingon'"):
        read_table(path, encoding="klingon")


def test_cells_and_headers_are_stripped_and_blanks_are_empty(tmp_path: Path) -> None:
    path = tmp_path / "spaces.csv"
    path.write_text(
        " entity , pass_rate ,q3\n 双台子区 , 87.2 ,\n\n,,\n兴隆台区,93.6, \n", encoding="utf-8"
    )
    table = read_table(path)
    assert table.columns == ("entity", "pass_rate", "q3")
    assert table.rows == (
        {"entity": "双台子区", "pass_rate": "87.2", "q3": ""},
        {"entity": "兴隆台区", "pass_rate": "93.6", "q3": ""},
    )


def test_a_row_shorter_than_the_header_is_refused_not_padded(tmp_path: Path) -> None:
    """A lost separator shifts every later cell; padding would score the wrong values."""
    path = tmp_path / "short.csv"
    path.write_text("entity,pass_rate,q3\n甲,87.2,3\n乙,93.6\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="line 3 has 2 cells, but the header") as caught:
        read_table(path)
    assert caught.value.code == "data-file"


def test_an_unterminated_quote_is_refused_not_read_as_an_entity(tmp_path: Path) -> None:
    path = tmp_path / "quote.csv"
    path.write_text('entity,pass_rate\n甲,87.2\n"乙,93.6\n', encoding="utf-8")
    with pytest.raises(DataFileError, match="line 3: a quoted cell starts here and is never"):
        read_table(path)


def test_tsv(tmp_path: Path, small: qk.Scheme) -> None:
    path = tmp_path / "cohort.tsv"
    path.write_text(COHORT.replace(",", "\t"), encoding="utf-8")
    table = read_table(path)
    assert table.columns[2] == "pass_rate"
    assert _totals(small, table) == EXPECTED


def test_layout_mistakes_are_refused(tmp_path: Path) -> None:
    unnamed = tmp_path / "unnamed.csv"
    unnamed.write_text("entity,,q3\n甲,5,1\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="row 2 has data in column B"):
        read_table(unnamed)
    twice = tmp_path / "twice.csv"
    twice.write_text("entity,q3,q3\n甲,1,2\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="'q3' appears twice"):
        read_table(twice)
    empty = tmp_path / "empty.csv"
    empty.write_text("\n\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="no header row"):
        read_table(empty)
    # Blank lines above the header are skipped; the hint names the header's row.
    late = tmp_path / "late.csv"
    late.write_text("\n,,\nentity,,q3\n甲,,1\n乙,5,1\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="row 5 has data in column B") as caught:
        read_table(late)
    assert "name column B in row 3" in str(caught.value)
    # Trailing empty columns with no data (Excel writes them) are harmless.
    trailing = tmp_path / "trailing.csv"
    trailing.write_text("entity,q3,,\n甲,1,,\n", encoding="utf-8")
    assert read_table(trailing).rows == ({"entity": "甲", "q3": "1"},)


def test_unknown_suffix_missing_file_and_misplaced_sheet(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match=r"unknown file type '\.dat'"):
        read_table(tmp_path / "data.dat")
    with pytest.raises(DataFileError, match="cannot read it"):
        read_table(tmp_path / "absent.csv")
    with pytest.raises(DataFileError, match=r"save the sheet as \.xlsx"):
        read_table(tmp_path / "old.xls")
    with pytest.raises(DataFileError, match=r"--sheet applies to \.xlsx"):
        read_table(EXAMPLE_CSV, sheet="data")


def test_data_file_error_pickles() -> None:
    error = DataFileError("x.csv", "is broken", hint="fix it")
    again = pickle.loads(pickle.dumps(error))
    assert str(again) == str(error)
    assert again.path == "x.csv"


def test_round_trip_of_the_real_example() -> None:
    scheme = qk.load(EXAMPLE_RULE)
    table = read_table(EXAMPLE_CSV)
    with EXAMPLE_CSV.open(encoding="utf-8-sig", newline="") as handle:
        plain = list(csv.DictReader(handle))
    assert table.columns == tuple(plain[0])
    assert [row["entity"] for row in table.rows] == [row["entity"] for row in plain]
    ours = scheme.score_table(table.rows)
    theirs = scheme.score_table(plain)
    assert {n: r.total for n, r in ours.results.items()} == {
        n: r.total for n, r in theirs.results.items()
    }
    assert {n: r.grade for n, r in ours.results.items()} == {
        n: r.grade for n, r in theirs.results.items()
    }
    assert [str(e) for e in ours.errors] == [str(e) for e in theirs.errors]
    assert check_columns(scheme, table.columns) == []


# ------------------------------------------------------------------ XLSX


def _workbook(path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "封面"
    sheet.append(["not the data"])
    data = workbook.create_sheet("2017")
    data.append([" entity ", "pass_rate", "events", "index", "q3", "q4", "incident", "when"])
    data.append(["双台子区", 0.872, 2, 55.5, 2.5, 0.25, False, dt.datetime(2017, 12, 31)])
    data["B2"].number_format = "0.0%"
    data.append([])  # a fully empty row is skipped
    data.append([" 兴隆台区 ", 93.6, 0, 0.1 + 0.2, 3, None, "是", dt.datetime(2017, 12, 31, 8, 30)])
    data.append(["大洼区", 1, 1, 94.5, 3, 0, "否", dt.date(2018, 1, 1)])
    data["B5"].number_format = "0%"
    # A literal (quoted) percent sign does not scale the number.
    data.append(["盘山县", 87.5, 1, 94.5, 3, 0, "否", None])
    data["B6"].number_format = '0.0"%"'
    workbook.save(path)


def test_xlsx_cells_are_read_exactly(tmp_path: Path) -> None:
    path = tmp_path / "cohort.xlsx"
    _workbook(path)
    table = read_table(path, sheet="2017")
    assert table.sheet == "2017"
    assert table.encoding is None
    assert table.columns == (
        "entity",
        "pass_rate",
        "events",
        "index",
        "q3",
        "q4",
        "incident",
        "when",
    )
    first, second, third, fourth = table.rows
    # 0.872 shown as 87.2% is 87.2, without spurious digits.
    assert first["pass_rate"] == Decimal("87.2")
    assert str(first["pass_rate"]) == "87.2"
    assert Decimal(repr(0.872)) * 100 == Decimal("87.200")
    assert first["events"] == 2 and type(first["events"]) is int
    assert first["index"] == Decimal("55.5")
    assert first["incident"] is False
    assert first["when"] == "2017-12-31"
    assert second["entity"] == "兴隆台区"
    # 0.1 + 0.2 is stored as 0.30000000000000004; Excel (15 digits) shows 0.3.
    assert second["index"] == Decimal("0.3")
    assert second["q4"] is None
    assert second["when"] == "2017-12-31T08:30:00"
    assert third["pass_rate"] == 100
    assert third["when"] == "2018-01-01"
    assert fourth["pass_rate"] == Decimal("87.5")
    assert fourth["when"] is None
    assert not any(isinstance(value, float) for row in table.rows for value in row.values())


def test_xlsx_scores_like_the_csv(tmp_path: Path, small: qk.Scheme) -> None:
    path = tmp_path / "cohort.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["entity", "incident", "pass_rate", "events", "index", "q3", "q4"])
    sheet.append(["双台子区", "否", 0.872, 2, 55.5, 2.5, 0.25])
    sheet["C2"].number_format = "0.0%"
    sheet.append(["兴隆台区", True, 93.6, 0, 100, 3, 0])
    workbook.save(path)
    table = read_table(path)
    assert table.sheet == "Sheet"
    assert _totals(small, table) == EXPECTED


def test_xlsx_unknown_sheet_lists_the_sheets(tmp_path: Path) -> None:
    path = tmp_path / "cohort.xlsx"
    _workbook(path)
    with pytest.raises(DataFileError, match="no sheet 'data'; its sheets are '封面', '2017'"):
        read_table(path, sheet="data")
    assert read_table(path).sheet == "封面"


def test_xlsx_unnamed_column_with_data(tmp_path: Path) -> None:
    path = tmp_path / "unnamed.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["entity", "q3", None, "q4"])
    sheet.append(["甲", 1, 2, 0])
    workbook.save(path)
    with pytest.raises(DataFileError, match="row 2 has data in column C"):
        read_table(path)


def test_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "fake.xlsx"
    path.write_text("entity,q3\n", encoding="utf-8")
    with pytest.raises(DataFileError, match=r"is not a readable \.xlsx workbook"):
        read_table(path)


# ------------------------------------------------------------------ JSON


def test_json_keeps_decimals_exact(small: qk.Scheme) -> None:
    table = read_table(DATA / "cohort.json")
    assert table.columns == (
        "entity",
        "incident",
        "pass_rate",
        "events",
        "index",
        "q3",
        "q4",
        "note",
    )
    first, second = table.rows
    assert first["pass_rate"] == Decimal("87.2") and isinstance(first["pass_rate"], Decimal)
    assert first["events"] == 2 and type(first["events"]) is int
    assert first["incident"] is False
    assert first["note"] is None
    assert second["pass_rate"] == "93.6"
    assert _totals(small, table) == EXPECTED


@pytest.mark.parametrize("key", ["rows", "entities"])
def test_json_list_shapes(tmp_path: Path, key: str) -> None:
    bare = tmp_path / "bare.json"
    bare.write_text('[{"entity": "甲", "q3": 0.1}]', encoding="utf-8")
    wrapped = tmp_path / "wrapped.json"
    wrapped.write_text(f'{{"{key}": [{{"entity": "甲", "q3": 0.1}}]}}', encoding="utf-8")
    assert (
        read_table(bare).rows
        == read_table(wrapped).rows
        == ({"entity": "甲", "q3": Decimal("0.1")},)
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[{"entity": "甲", "q3": [1, 2]}]', "row 1, key 'q3'"),
        ('[{"entity": "甲"}, {"entity": "乙", "q3": {"a": 1}}]', "row 2, key 'q3'"),
        ('[{"entity": "甲"}, 3]', "row 2 is not an object"),
        ('{"data": []}', 'without a "rows" or "entities" list'),
        ('"text"', "must hold a list of objects"),
        ('[{"entity": "甲",}]', "is not valid JSON"),
        ('[{"entity": "甲", "q3": 1, "q3": 2}]', "the key 'q3' appears twice"),
    ],
)
def test_json_mistakes(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataFileError, match=message):
        read_table(path)


# --------------------------------------------------------------- columns


def test_check_columns_reports_renames_extras_and_gaps(small: qk.Scheme) -> None:
    columns = ["name", "incident", "pass_rat", "notes", "events", "index", "q3"]
    problems = check_columns(small, columns)
    assert problems == [
        ColumnProblem(
            "missing-entity",
            "entity",
            None,
            "the data has no entity column 'entity' (the column naming each entity)",
        ),
        ColumnProblem(
            "unknown-column",
            "name",
            None,
            "column 'name' matches no input of the rule and is not used",
        ),
        ColumnProblem(
            "unknown-column",
            "pass_rat",
            "pass_rate",
            "column 'pass_rat' matches no input of the rule; did you mean 'pass_rate'?",
        ),
        ColumnProblem(
            "unknown-column",
            "notes",
            None,
            "column 'notes' matches no input of the rule and is not used",
        ),
        ColumnProblem(
            "missing-input",
            "pass_rate",
            "pass_rat",
            "the rule's input 'pass_rate' has no column in the data (every entity will "
            "have no data for it); is it the column 'pass_rat'?",
        ),
        ColumnProblem(
            "missing-input",
            "q4",
            None,
            "the rule's assessed item 'q4' (机制) has no column in the data (every entity "
            "will have no data for it)",
        ),
    ]


def test_check_columns_suggestions_ignore_case_and_follow_declaration_order() -> None:
    scheme = qk.load(EXAMPLE_RULE)
    columns = [c for c in read_table(EXAMPLE_CSV).columns if c not in ("veg_rate", "awards")]
    columns[0] = "Entity"
    columns.append("Pass_Rate")
    problems = check_columns(scheme, [c for c in columns if c != "pass_rate"])
    assert [(p.kind, p.column, p.suggestion) for p in problems] == [
        ("missing-entity", "entity", "Entity"),
        ("unknown-column", "Entity", "entity"),
        ("unknown-column", "Pass_Rate", "pass_rate"),
        ("missing-input", "pass_rate", "Pass_Rate"),
        ("missing-input", "veg_rate", None),
        ("missing-input", "awards", None),
    ]
    assert problems[4].message == (
        "the rule's input 'veg_rate' has no column in the data "
        "(every entity will have no data for it)"
    )
    # Another entity column name is honoured.
    assert check_columns(scheme, ["单位", *columns[1:], "pass_rate"], entity="单位")[0].kind == (
        "unknown-column"
    )


# -------------------------------------------------------------- row numbers


def test_rows_are_named_by_their_place_in_the_csv_file(tmp_path: Path, small: qk.Scheme) -> None:
    # A blank line before the header and one between the rows: the reader
    # skips them, the messages still name the file's own line.
    lines = COHORT.splitlines()
    text = "\n" + lines[0] + "\n" + lines[1] + "\n\n" + lines[1] + "\n,否,90,1,1,1,0\n"
    path = tmp_path / "rows.csv"
    path.write_text(text, encoding="utf-8")
    table = read_table(path)
    assert table.row_numbers == (3, 5, 6)
    errors = [str(error) for error in small.score_table(table).errors]
    assert any("appears again in row 5" in error for error in errors), errors
    assert any("row 6 has no entity name" in error for error in errors), errors
    # Plain rows (not a DataTable) are counted from 1.
    counted = [str(error) for error in small.score_table(table.rows).errors]
    assert any("appears again in row 2" in error for error in counted), counted


def test_rows_are_named_by_their_sheet_row_in_a_workbook(tmp_path: Path, small: qk.Scheme) -> None:
    path = tmp_path / "rows.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["2017年度数据"])  # a title row is not the header …
    sheet.append([])
    sheet.append(["entity", "incident", "pass_rate", "events", "index", "q3", "q4"])
    sheet.append(["双台子区", "否", 87.2, 2, 55.5, 2.5, 0.25])
    sheet.append([None, "否", 90, 1, 1, 1, 0])
    workbook.save(path)
    with pytest.raises(DataFileError, match="row 3 has data in column B"):
        read_table(path)  # … the first non-empty row is, so the title must go
    sheet.delete_rows(1)
    workbook.save(path)
    table = read_table(path)
    assert table.row_numbers == (3, 4)
    (error,) = small.score_table(table).errors
    assert error.entity == "row 4"


def test_json_rows_are_numbered_by_their_place_in_the_list(small: qk.Scheme) -> None:
    table = read_table(DATA / "cohort.json")
    assert table.row_numbers == tuple(range(1, len(table.rows) + 1))


def test_row_numbers_that_do_not_fit_the_rows_are_not_used(small: qk.Scheme) -> None:
    row = {"incident": "否", "pass_rate": "90", "events": "1", "index": "1", "q3": "1", "q4": "0"}
    table = DataTable(({"entity": "", **row},), ("entity", *row), "made.csv", row_numbers=(7, 8))
    (error,) = small.score_table(table).errors
    assert error.entity == "row 1"


# ----------------------------------------------------------------- formulas


def _with_saved_results(path: Path, results: dict[str, str]) -> None:
    """Store results for formula cells, as Excel does when it saves (openpyxl never does)."""
    import zipfile

    with zipfile.ZipFile(path) as archive:
        parts = {item: archive.read(item) for item in archive.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode("utf-8")
    for cell, value in results.items():
        sheet, count = re.subn(
            # `<v/>`, or `<v></v>` when openpyxl writes through lxml.
            rf'(<c r="{cell}">\s*<f>[^<]*</f>)\s*<v\s*(?:/>|></v>)',
            rf"\1<v>{value}</v>",
            sheet,
        )
        assert count == 1, cell
    parts["xl/worksheets/sheet1.xml"] = sheet.encode("utf-8")
    with zipfile.ZipFile(path, "w") as archive:
        for item, data in parts.items():
            archive.writestr(item, data)


def _formula_workbook(path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["entity", "incident", "pass_rate", "events", "index", "q3", "q4"])
    sheet.append(["双台子区", "否", "=87+0.2", 2, 55.5, 2.5, 0.25])
    sheet.append(["兴隆台区", True, 93.6, 0, "=50*2", 3, None])
    workbook.save(path)


def test_formulas_never_calculated_are_refused_not_read_as_blank(tmp_path: Path) -> None:
    path = tmp_path / "generated.xlsx"
    _formula_workbook(path)
    with pytest.raises(DataFileError) as caught:
        read_table(path)
    assert "2 formula cell(s) with no saved result (C2, E3)" in str(caught.value)
    assert "save it" in str(caught.value)


def test_formulas_with_saved_results_are_read_as_their_results(
    tmp_path: Path, small: qk.Scheme
) -> None:
    path = tmp_path / "saved.xlsx"
    _formula_workbook(path)
    _with_saved_results(path, {"C2": "87.2", "E3": "100"})
    table = read_table(path)
    assert table.rows[0]["pass_rate"] == Decimal("87.2")
    assert table.rows[1]["index"] == 100
    assert table.rows[1]["q4"] is None  # a truly blank cell is still no data


def test_json_nan_is_absent_and_infinity_an_error_of_its_entity(tmp_path: Path) -> None:
    """`json.dump` writes NaN for a missing float: absent, as in a DataFrame."""
    path = tmp_path / "dumped.json"
    path.write_text('[{"entity": "甲", "q3": NaN}, {"entity": "乙", "q3": Infinity}]')
    first, second = read_table(path).rows
    assert first["q3"] is None
    assert second["q3"] == Decimal("Infinity")
