"""The report builders behind `qualitykpi score` and `qualitykpi owners`."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import openpyxl
import pytest

import qualitykpi as qk
from conftest import DATA, read_csv
from qualitykpi import reports
from qualitykpi.reports import owners as owners_report
from qualitykpi.reports import xlsx as xlsx_report
from qualitykpi.reports.workbook import write_workbook
from qualitykpi.source import display_width

RULE = """\
scheme "测试|方案" {
  total 10
  grades { 优 at least 9; 良 otherwise }
  input fraud: yes/no
  veto v1 "弄虚作假" when fraud → score 0 owner "纪检组"
  section s1 "质量|工作" max 10 owner "市场监管局" {
    item a "合格率" max 6 {
      part a1 "抽检" max 3 {
        input rate: percent
        at least 90% → full
        otherwise → 1
      }
      part a2 "整改" max 3 owner "住建局" {
        input fixed: yes/no
        yes → full
        no → 0
      }
    }
    item b "基础" max 4 owner "农业局", "林业局" {
      input base: number
      scaled from 0 to 100
    }
  }
  item d "宣传" max 2 {
    input news: count
    at least 2 → full
    otherwise → 0
  }
  bonus e "创新" at most 3 owner "科技局" {
    input innovations: count
    award 1 for each innovations
  }
  item t "部署" owner "市场监管局" support "发改委" {
    text "召开会议"
  }
}
"""

ROWS = [
    {
        "entity": "甲",
        "fraud": "no",
        "rate": "95",
        "fixed": "yes",
        "base": "50",
        "news": "2",
        "innovations": "1",
    },
    {
        "entity": "乙",
        "fraud": "yes",
        "rate": "80",
        "fixed": "no",
        "base": "100",
        "news": "0",
        "innovations": "0",
    },
    {
        "entity": "丙",
        "fraud": "no",
        "rate": "95",
        "fixed": "yes",
        "base": "100",
        "news": "2",
        "innovations": "2",
    },
    {
        "entity": "丁",
        "fraud": "no",
        "rate": "95",
        "fixed": "yes",
        "base": "abc",
        "news": "2",
        "innovations": "0",
    },
]


@pytest.fixture(scope="module")
def scheme() -> qk.Scheme:
    return qk.loads(RULE, name="t.rule")


@pytest.fixture(scope="module")
def results(scheme: qk.Scheme) -> qk.Results:
    return scheme.score_table(ROWS)


# ------------------------------------------------------------------ numbers


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("27.15"), "27.15"),
        (Decimal("27.150"), "27.15"),
        (Decimal("5.0"), "5"),
        (Decimal("1E+1"), "10"),
        (Decimal("1E-7"), "0.0000001"),
        (Decimal("-0.5"), "-0.5"),
        (Decimal("-0"), "0"),
        (Fraction(7, 2), "3.5"),
        (Fraction(0), "0"),
    ],
)
def test_number_is_the_exact_decimal(value: Decimal | Fraction, text: str) -> None:
    assert reports.number(value) == text


# ------------------------------------------------------------------ ranking


def test_ranking_rows(scheme: qk.Scheme, results: qk.Results) -> None:
    header, rows = reports.ranking_rows(scheme, results)
    # Every top-level node is a subtotal column: the section, the item at
    # the top, the bonus and the task.
    assert header == [
        "rank",
        "entity",
        "total",
        "grade",
        "vetoes",
        "质量|工作",
        "宣传",
        "创新",
        "部署",
    ]
    assert rows == [
        ["1", "甲", "10", "优", "", "8", "2", "1", "0"],
        ["1", "丙", "10", "优", "", "10", "2", "2", "0"],
        ["3", "乙", "0", "良", "弄虚作假", "5", "0", "0", "0"],
    ]


def test_score_csv_has_every_node_by_id(scheme: qk.Scheme, results: qk.Results) -> None:
    text = reports.score_csv(scheme, results)
    assert text.startswith(reports.BOM)
    lines = text[1:].split("\r\n")
    assert lines[0] == "rank,entity,total,grade,vetoes,s1,a,a1,a2,b,d,e,t"
    assert lines[3] == "3,乙,0,良,弄虚作假,5,1,1,0,4,0,0,0"
    assert lines[-1] == ""


def test_score_json_ledger_and_vetoes(results: qk.Results) -> None:
    data = json.loads(reports.score_json(results, explain=True))
    second = data["entities"][2]
    assert second["entity"] == "乙"
    assert second["vetoes"] == [{"name": "弄虚作假", "effect": "score 0", "line": 5}]
    assert second["ledger"][0] == {
        "node": None,
        "name": "测试|方案",
        "owners": [],
        "amount": "5",
        "reason": "veto '弄虚作假' sets the total to 0",
        "kind": "veto",
        "line": 5,
    }
    first = data["entities"][0]
    amounts = [entry["amount"] for entry in first["ledger"]]
    assert amounts == ["2", "1", "-1"]  # lost 2, capped 1, bonus gave 1 back
    assert data["errors"][0]["entity"] == "丁"
    assert data["errors"][0]["value"] == "abc"


def test_json_values_of_errors_are_text() -> None:
    error = qk.DataError("bad", entity="x", input="n", value=Decimal("2.50"))
    assert reports.error_json(error)["value"] == "2.5"
    assert reports.error_json(qk.DataError("bad", value=3))["value"] == "3"
    assert reports.error_json(qk.DataError("bad", value=Fraction(1, 3)))["value"] == "≈0.3333"
    assert reports.error_json(qk.DataError("bad", value=True))["value"] is True
    assert reports.error_json(qk.DataError("bad"))["value"] is None


def test_markdown_escapes_pipes(scheme: qk.Scheme, results: qk.Results) -> None:
    text = reports.score_markdown(scheme, results, explain=True)
    assert "| rank | entity | total | grade | vetoes | 质量\\|工作 | 宣传 | 创新 | 部署 |" in text
    assert "|---:|---|---:|---|---|---:|---:|---:|---:|" in text
    assert "### 乙: lost 12 of 12" in text
    assert "- −5  测试|方案: veto '弄虚作假' sets the total to 0 (t.rule:5)" in text


def test_ledger_lines_mark_points_given_back(results: qk.Results) -> None:
    assert reports.ledger_lines(results["甲"]) == [
        "甲: lost 2 of 12, grade 优",
        "  −2  b 基础: scaled from 0 to 100 (t.rule:21) [农业局, 林业局]",
        "  −1  测试|方案: capped at the total 10",
        "  +1  测试|方案: bonus points add 1",
    ]


# ------------------------------------------------------------ terminal text


def test_piped_console_is_plain_and_100_wide() -> None:
    console = reports.make_console(io.StringIO())
    assert not console.is_terminal
    assert console.width == reports.PIPE_WIDTH
    assert console.color_system is None


def test_terminal_console_may_colour() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    console = reports.make_console(Terminal())
    assert console.is_terminal


def test_text_table_aligns_wide_characters() -> None:
    header = ["entity", "total"]
    rows = [["甲", "1"], ["兴隆台区", "27.15"], ["ab", "100"]]
    text = reports.render_text([reports.text_table(header, rows, {1})])
    lines = text.splitlines()
    assert len({display_width(line) for line in lines}) == 1
    assert lines[3].startswith("兴隆台区 ")
    assert all(line == line.rstrip() for line in lines)


def test_text_table_never_wraps_numbers() -> None:
    header = ["名称", *(f"很长很长的列标题{index}" for index in range(8))]
    rows = [["某某地区", *(["12345.6789"] * 8)]]
    text = reports.render_text([reports.text_table(header, rows, set(range(1, 9)))])
    # Too wide for 100 columns: the headers wrap, then the table grows.
    assert text.count("12345.6789") == 8
    assert max(display_width(line) for line in text.splitlines()) == 8 + 8 * (10 + 2)


def test_markup_in_names_is_printed_as_is() -> None:
    text = reports.render_text(["[bold]甲[/bold] [区旅游局]"])
    assert text == "[bold]甲[/bold] [区旅游局]\n"


# --------------------------------------------------- responsibility table


def test_responsibility(scheme: qk.Scheme) -> None:
    offices = {office.name: office for office in owners_report.responsibility(scheme)}
    assert list(offices) == [
        "市场监管局",
        "住建局",
        "农业局",
        "林业局",
        "科技局",
        "发改委",
        "纪检组",
        None,
    ]
    regulator = offices["市场监管局"]
    # The item, not its parts (they inherit the office), and the task.
    assert [item.id for item in regulator.items] == ["a", "t"]
    assert regulator.points == Decimal(6)
    # A part with an office of its own is that office's.
    assert [(item.id, item.max) for item in offices["住建局"].items] == [("a2", Decimal(3))]
    assert offices["农业局"].points == offices["林业局"].points == Decimal(4)
    # A bonus is listed but adds no points; support adds none either.
    assert [item.kind for item in offices["科技局"].items] == ["bonus"]
    assert offices["科技局"].points == Decimal(0)
    assert [item.id for item in offices["发改委"].supports] == ["t"]
    assert offices["发改委"].points == Decimal(0)
    assert offices["纪检组"].vetoes == (("弄虚作假", 5),)
    assert [item.id for item in offices[None].items] == ["d"]


def test_lost_by_office(results: qk.Results) -> None:
    lost = owners_report.lost_by_office(results)
    assert lost["农业局"] == {"甲": Decimal(2)}
    assert lost["林业局"] == {"甲": Decimal(2)}  # several owners: counted for each
    assert lost["市场监管局"] == {"乙": Decimal(2)}
    assert lost["住建局"] == {"乙": Decimal(3)}
    # The cap, the bonus and the veto's score belong to no office.
    assert lost[None] == {"甲": Decimal(0), "乙": Decimal(7), "丙": Decimal(2)}


def test_owners_csv(scheme: qk.Scheme, results: qk.Results) -> None:
    text = owners_report.owners_csv(scheme, results)
    lines = text[1:].split("\r\n")
    assert lines[0] == "office,points,items,supports,vetoes,甲,乙,丙"
    assert lines[1] == "市场监管局,6,a t,,,0,2,0"
    assert "发改委,0,,t,,0,0,0" in lines
    assert "纪检组,0,,,弄虚作假,0,0,0" in lines
    assert lines[-2] == ",2,d,,,0,7,2"


def test_owners_table_text(scheme: qk.Scheme, results: qk.Results) -> None:
    text = reports.render_text(owners_report.owners_blocks(scheme, results))
    assert "support: t 部署 (task)" in text
    assert "veto: 弄虚作假" in text
    assert "e 创新 (3 bonus)" in text
    assert "(no office)" in text


def test_owners_markdown_lists_items_on_lines(scheme: qk.Scheme) -> None:
    text = owners_report.owners_markdown(scheme, None)
    assert "| 市场监管局 | 6 | a 合格率 (6)<br>t 部署 (task) |" in text
    assert "counts in full" not in text


# --------------------------------------------------------------------- xlsx


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("27.15"), "0.00"),
        (Decimal("10"), "0"),
        (Decimal("0.0001"), "0.0000"),
        (Decimal("-1.5"), "0.0"),
    ],
)
def test_number_format(value: Decimal, shown: str) -> None:
    assert xlsx_report.number_format(value) == shown


def test_long_decimals_are_written_as_text(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    exact = Decimal("1234567890.123456789")
    xlsx_report.put(sheet, 1, 1, exact)
    xlsx_report.put(sheet, 1, 2, Decimal("123456789.012345"))
    xlsx_report.put(sheet, 1, 3, Decimal("5.0"))
    path = tmp_path / "numbers.xlsx"
    book.save(path)
    row = next(openpyxl.load_workbook(path).active.iter_rows(values_only=True))
    assert row[0] == "1234567890.123456789"
    assert Decimal(repr(row[1])) == Decimal("123456789.012345")
    assert row[2] == 5


def _table(sheet: Any, first: str) -> list[tuple[Any, ...]]:
    rows = list(sheet.iter_rows(values_only=True))
    return rows[next(index for index, row in enumerate(rows) if row[0] == first) :]


def test_workbook_round_trip(scheme: qk.Scheme, results: qk.Results, tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    write_workbook(path, scheme, results)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["ranking", "charts", "breakdown", "owners", "notices", "errors"]
    header, total, grade, *nodes = _table(book["breakdown"], "item")
    assert (total[0], grade[0]) == ("total", "grade")
    assert [row[1] for row in nodes] == ["s1", "a", "a1", "a2", "b", "d", "e", "t"]
    assert [row[2] for row in [total, *nodes]] == [12, 10, 6, 3, 3, 4, 2, 3, 0]
    column = 3 + header[3:].index("乙")
    assert [row[column] for row in [total, *nodes]] == [0, 5, 1, 1, 0, 4, 0, 0, 0]
    owners = {row[0]: row[1:] for row in _table(book["owners"], "office")[1:] if row[0]}
    assert owners["农业局"][0] == 4
    assert owners["(no office)"][0] == 2
    notices = _table(book["notices"], "entity")
    first = next(row for row in notices if row[0] == "甲" and row[1] == "b")
    assert first[2:4] == ("基础", 2)
    assert first[-1] == "农业局, 林业局"
    errors = _table(book["errors"], "entity")
    assert [row[:3] for row in errors[1:]] == [("丁", "base", "abc")]


def test_worked_example_breakdown_matches_the_library(tmp_path: Path) -> None:
    scheme = qk.load(DATA / "worked_example.rule")
    results = scheme.score_table(read_csv(DATA / "worked_example.csv"))
    path = tmp_path / "w.xlsx"
    write_workbook(path, scheme, results, notices=False)
    rows = _table(openpyxl.load_workbook(path)["breakdown"], "item")
    entities = rows[0][3:]
    assert rows[1][0] == "total"
    for index, entity in enumerate(entities, start=3):
        result = results[str(entity)]
        assert Decimal(repr(rows[1][index])) == result.total
        for row in rows[2:]:
            if row[1] is not None:  # the grade row has none
                assert Decimal(repr(row[index])) == result[str(row[1])].score
