"""The report workbook (`qualitykpi report -o FILE.xlsx`), read back with openpyxl.

Its numbers must be the JSON output's, every sheet must print (A4, fit to
width, header rows repeated, page numbers), its charts must be there, and
in Chinese its sheets and headings are Chinese.
"""

from __future__ import annotations

import datetime
import json
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

import qualitykpi as qk
from conftest import ROOT, run_cli
from qualitykpi.i18n import use_language
from qualitykpi.readers import read_table
from qualitykpi.reports.document import ReportInfo
from qualitykpi.reports.workbook import write_report

HENAN = (str(ROOT / "examples/henan-2021.rule"), str(ROOT / "examples/henan-2021.csv"))
SHUANGTAIZI = (
    str(ROOT / "examples/shuangtaizi-2016-2017.rule"),
    str(ROOT / "examples/shuangtaizi-2016-2017.csv"),
)
EXAMPLES = {"henan": HENAN, "shuangtaizi": SHUANGTAIZI}


def run(*args: str) -> tuple[int, str, str]:
    return run_cli(*args)


def exact(value: object) -> Decimal:
    """A number cell as openpyxl gives it (int or float), as an exact decimal."""
    assert isinstance(value, int | float) and not isinstance(value, bool), value
    return Decimal(repr(value)).normalize()


def same(text: str) -> Decimal:
    return Decimal(text).normalize()


def table(sheet: Any, first: str) -> tuple[int, list[tuple[Any, ...]]]:
    """The row number of the header row whose first cell is ``first``, and the rows."""
    rows = list(sheet.iter_rows(values_only=True))
    start = next(index for index, row in enumerate(rows) if row[0] == first)
    return start + 1, rows[start:]


def walk(nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [each for node in nodes for each in [node, *walk(node["children"])]]


@pytest.fixture(scope="module", params=sorted(EXAMPLES))
def example(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    rule, data = EXAMPLES[request.param]
    path = tmp_path_factory.mktemp("report") / "report.xlsx"
    code, out, err = run("report", rule, data, "-o", str(path), "--year", "2021")
    assert (code, out, err) == (0, "", "")
    scores = json.loads(run("score", rule, data, "--format", "json", "--explain")[1])
    owners = json.loads(run("owners", rule, data, "--format", "json")[1])
    return openpyxl.load_workbook(path), scores, owners


def test_sheets(example: Any) -> None:
    book, _scores, _owners = example
    assert book.sheetnames == ["ranking", "charts", "breakdown", "owners", "notices"]


def test_ranking_is_the_json_ranking(example: Any) -> None:
    book, scores, _owners = example
    sheet = book["ranking"]
    assert sheet["A1"].value == scores["scheme"]
    assert "Assessment year: 2021" in sheet["A2"].value
    assert f"{len(scores['entities'])} entities scored" in sheet["A2"].value
    _top, rows = table(sheet, "rank")
    header, maxima, *ranked = rows
    entities = scores["entities"]
    assert header[:5] == ("rank", "entity", "total", "grade", "vetoes")
    assert list(header[5:]) == [node["name"] for node in entities[0]["nodes"]]
    assert maxima[1] == "max"
    assert exact(maxima[2]) == same(entities[0]["max"])
    assert [exact(value) for value in maxima[5:]] == [
        same(node["max"]) for node in entities[0]["nodes"]
    ]
    ranked = ranked[: len(entities)]
    for row, entity in zip(ranked, entities, strict=True):
        assert row[0] == entity["rank"] and row[1] == entity["entity"]
        assert exact(row[2]) == same(entity["total"])
        assert row[3] == entity["grade"]
        assert (row[4] or "") == "; ".join(veto["name"] for veto in entity["vetoes"])
        assert [exact(value) for value in row[5:]] == [
            same(node["score"]) for node in entity["nodes"]
        ]


def test_lowest_grade_is_shaded_and_vetoes_red(example: Any) -> None:
    book, scores, _owners = example
    sheet = book["ranking"]
    top, _rows = table(sheet, "rank")
    for line, entity in enumerate(scores["entities"], start=top + 2):
        shaded = sheet.cell(row=line, column=2).fill.fgColor.rgb == "00FFC7CE"
        assert shaded == (entity["grade"] == "D"), entity["entity"]
        red = sheet.cell(row=line, column=5).font.color
        assert (red is not None and red.rgb == "00C00000") == bool(entity["vetoes"])
    assert any(entity["vetoes"] for entity in scores["entities"])
    legend = [row[0] for row in sheet.iter_rows(values_only=True) if row[0]]
    assert "Grade D is shaded." in legend
    assert "A veto that fired is in red." in legend


def test_breakdown_is_every_node_of_the_json(example: Any) -> None:
    book, scores, _owners = example
    _top, rows = table(book["breakdown"], "item")
    header, total, grade, *nodes = rows
    entities = scores["entities"]
    assert header[:3] == ("item", "id", "max")
    assert list(header[3:]) == [entity["entity"] for entity in entities]
    assert total[0] == "total" and exact(total[2]) == same(entities[0]["max"])
    assert [exact(value) for value in total[3:]] == [same(entity["total"]) for entity in entities]
    assert list(grade[3:]) == [entity["grade"] for entity in entities]
    flat = [walk(entity["nodes"]) for entity in entities]
    assert [row[1] for row in nodes] == [node["id"] for node in flat[0]]
    assert [row[0] for row in nodes] == [node["name"] for node in flat[0]]
    for index, row in enumerate(nodes):
        maximum = flat[0][index]["max"]
        assert (row[2] is None) if maximum is None else exact(row[2]) == same(maximum)
        assert [exact(value) for value in row[3:]] == [same(tree[index]["score"]) for tree in flat]


def test_owners_sheet_is_the_owners_json(example: Any) -> None:
    book, scores, owners = example
    _top, rows = table(book["owners"], "office")
    header, *offices = rows
    entities = [entity["entity"] for entity in scores["entities"]]
    assert list(header) == ["office", "points", *entities]
    offices = [row for row in offices if row[1] is not None]
    assert len(offices) == len(owners["offices"])
    for row, office in zip(offices, owners["offices"], strict=True):
        assert row[0] == (office["office"] or "(no office)")
        assert exact(row[1]) == same(office["points"])
        assert [exact(value) for value in row[2:]] == [
            same(office["lost"][entity]) for entity in entities
        ]


def test_charts_sheet(example: Any) -> None:
    book, scores, owners = example
    sheet = book["charts"]
    titles = [chart.title.tx.rich.p[0].r[0].t for chart in sheet._charts]
    assert titles == ["Totals by entity", "Grade distribution", "Points lost by office"]
    _top, rows = table(sheet, "grade")
    counts = Counter(entity["grade"] for entity in scores["entities"])
    grades = {row[0]: row[1] for row in rows[1:] if row[0]}
    assert grades == {grade: counts.get(grade, 0) for grade in "ABCD"}
    lost = {row[3]: exact(row[4]) for row in rows[1:] if row[3] is not None and row[4] is not None}
    assert lost == {
        # A few short decimals: their Decimal sum is exact.
        (office["office"] or "(no office)"): sum(
            (Decimal(value) for value in office["lost"].values()), Decimal(0)
        ).normalize()
        for office in owners["offices"]
    }


def test_notices_add_up_to_each_entitys_loss(example: Any) -> None:
    book, scores, _owners = example
    sheet = book["notices"]
    top, rows = table(sheet, "entity")
    header = rows[0]
    assert header[:4] == ("entity", "id", "item", "points lost")
    by_entity: dict[str, list[Decimal]] = {}
    totals: dict[str, Decimal] = {}
    for line, row in enumerate(rows[1:], start=top + 1):
        if sheet.cell(row=line, column=1).font.b:
            assert row[2] == "points lost in all"
            totals[row[0]] = exact(row[3])
        elif row[3] is not None:
            by_entity.setdefault(row[0], []).append(exact(row[3]))
    entities = scores["entities"]
    assert list(totals) == [entity["entity"] for entity in entities]
    for entity in entities:
        lost = same(entity["max"]) - same(entity["total"])
        assert totals[entity["entity"]] == lost
        assert sum(by_entity.get(entity["entity"], []), Decimal(0)) == lost


def test_every_sheet_prints(example: Any) -> None:
    book, _scores, _owners = example
    for sheet in book:
        setup = sheet.page_setup
        assert setup.paperSize == 9, sheet.title  # A4
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, sheet.title
        assert setup.fitToWidth >= 1 and setup.fitToHeight in (0, 1)
        assert "&P" in sheet.oddFooter.center.text and "&N" in sheet.oddFooter.center.text
        assert sheet.oddHeader.left.text
        if sheet.title != "charts":
            assert sheet.print_title_rows, sheet.title
    # The ranking is read across one page; the tables are wider than a portrait page.
    assert book["ranking"].page_setup.fitToWidth == 1
    assert book["charts"].page_setup.fitToHeight == 1
    assert book["breakdown"].page_setup.orientation == "landscape"
    assert book["breakdown"].print_title_cols == "$A:$C"


# ----------------------------------------------------------------- language


def test_chinese_sheet_names_and_headings(tmp_path: Path) -> None:
    path = tmp_path / "报告.xlsx"
    code, _, err = run("--lang", "zh", "report", *HENAN, "-o", str(path))
    assert (code, err) == (0, "")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["排名", "图表", "得分明细", "责任单位", "扣分说明"]
    assert table(book["排名"], "排名")[1][0][:5] == ("排名", "考核对象", "总分", "等级", "否决项")
    assert table(book["得分明细"], "考核项目")[1][0][:3] == ("考核项目", "编号", "满分")
    assert table(book["扣分说明"], "考核对象")[1][0][:4] == ("考核对象", "编号", "考核项目", "扣分")
    assert book["排名"].oddFooter.center.text == "第 &P 页，共 &N 页"
    titles = [chart.title.tx.rich.p[0].r[0].t for chart in book["图表"]._charts]
    assert titles == ["各考核对象总分", "等级分布", "各责任单位失分"]
    legend = [row[0] for row in book["排名"].iter_rows(values_only=True) if row[0]]
    assert "D 等级以底色标出。" in legend


# ------------------------------------------------------------ the writer


def test_title_year_date_and_notes(tmp_path: Path) -> None:
    scheme = qk.load(HENAN[0])
    results = scheme.score_table(read_table(HENAN[1]))
    info = ReportInfo(
        title="河南省质量工作考核结果",
        year="2021",
        date=datetime.date(2022, 3, 5),
        notes=("第一段。", "Second paragraph."),
    )
    path = tmp_path / "r.xlsx"
    with use_language("zh"):
        write_report(path, scheme, results, info)
    sheet = openpyxl.load_workbook(path)["排名"]
    assert sheet["A1"].value == "河南省质量工作考核结果"
    assert sheet["A2"].value == (
        "考核年度：2021    已评分考核对象 14 个，满分 100 分    日期：2022年3月5日"
    )
    cells = [row[0] for row in sheet.iter_rows(values_only=True) if row[0]]
    assert cells[-3:] == ["说明", "第一段。", "Second paragraph."]
    assert book_title(path) == "河南省质量工作考核结果"


def book_title(path: Path) -> str:
    """The title in the page header of the breakdown sheet."""
    sheet = openpyxl.load_workbook(path)["得分明细"]
    return str(sheet.oddHeader.left.text)


def test_score_writes_the_same_workbook(tmp_path: Path) -> None:
    plain, explained, report = (tmp_path / f"{name}.xlsx" for name in ("p", "e", "r"))
    assert run("score", *SHUANGTAIZI, "-o", str(plain))[0] == 0
    assert run("score", *SHUANGTAIZI, "-o", str(explained), "--explain")[0] == 0
    assert run("report", *SHUANGTAIZI, "-o", str(report))[0] == 0
    books = [openpyxl.load_workbook(path) for path in (plain, explained, report)]
    assert books[0].sheetnames == ["ranking", "charts", "breakdown", "owners"]
    assert books[1].sheetnames == books[2].sheetnames
    for sheet in books[1]:
        assert list(sheet.values) == list(books[2][sheet.title].values)


def test_data_errors_come_after_the_file(tmp_path: Path) -> None:
    path = tmp_path / "r.xlsx"
    code, out, err = run("report", "data/worked_example.rule", "data/bad_data.csv", "-o", str(path))
    assert (code, out) == (1, "")
    assert "2 data errors" in err and "Traceback" not in err
    book = openpyxl.load_workbook(path)
    assert book.sheetnames[-1] == "errors"
    _top, rows = table(book["errors"], "entity")
    assert [row[:3] for row in rows[1:]] == [("乙", "pass_rate", "187.2"), ("丙", "awards", "2.5")]


# ------------------------------------------------------------------- owners


def test_owners_workbook(tmp_path: Path) -> None:
    path = tmp_path / "owners.xlsx"
    code, out, err = run("owners", *SHUANGTAIZI, "-o", str(path))
    assert (code, out, err) == (0, "", "")
    owners = json.loads(run("owners", *SHUANGTAIZI, "--format", "json")[1])
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["owners"]
    sheet = book["owners"]
    _top, rows = table(sheet, "office")
    assert rows[0][:3] == ("office", "points", "items")
    entities = list(rows[0][3:])
    assert sorted(entities) == sorted(owners["entities"])
    first = owners["offices"][0]
    assert rows[1][0] == first["office"]
    assert rows[1][2].splitlines()[0] == f"{first['items'][0]['id']} {first['items'][0]['name']}"
    assert [exact(value) for value in rows[1][3:]] == [
        same(first["lost"][entity]) for entity in entities
    ]
    assert sheet.page_setup.paperSize == 9 and sheet.print_title_rows
    assert "&P" in sheet.oddFooter.center.text


def test_owners_workbook_without_data(tmp_path: Path) -> None:
    path = tmp_path / "owners.xlsx"
    code, _, _ = run("owners", SHUANGTAIZI[0], "-o", str(path))
    assert code == 0
    sheet = openpyxl.load_workbook(path)["owners"]
    assert "Responsibility table" in sheet["A1"].value
    assert table(sheet, "office")[1][0] == ("office", "points", "items")
