"""The `qualitykpi` command: output, exit status, stdout/stderr split."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from conftest import DATA, ROOT, check_golden, run_cli
from qualitykpi.cli_data import progress as _progress

GOLDEN = Path(__file__).resolve().parent / "golden" / "cli"
WORKED = ("data/worked_example.rule", "data/worked_example.csv")
BAD = ("data/worked_example.rule", "data/bad_data.csv")
SHUANGTAIZI = (
    "../examples/shuangtaizi-2016-2017.rule",
    "../examples/shuangtaizi-2016-2017.csv",
)


def run(*args: str) -> tuple[int, str, str]:
    return run_cli(*args)


# ---------------------------------------------------------------------- test


def test_test_command_passes() -> None:
    code, out, err = run("test", "data/worked_example.rule")
    assert (code, err) == (0, "")
    check_golden(GOLDEN / "test_pass.txt", out)


def test_test_command_shows_failures_with_trace() -> None:
    code, out, _ = run("test", "data/failing_example.rule", "data/worked_example.rule")
    assert code == 1
    assert "data/failing_example.rule:9: example failed: expected 7, got 8" in out
    assert out.rstrip().endswith("2 passed, 1 failed")
    check_golden(GOLDEN / "test_fail.txt", out)


def test_test_command_rule_error_is_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.rule"
    bad.write_text(
        'scheme "s" {\n  item "x" max 1 {\n    at least 1 → deduct\n  }\n}\n', encoding="utf-8"
    )
    code, _, err = run("test", str(bad))
    assert code == 2
    assert f"{bad}:3:" in err and "^" in err
    assert "Traceback" not in err


# --------------------------------------------------------------------- score


def test_score_prints_the_ranking() -> None:
    code, out, err = run("score", *WORKED)
    assert (code, err) == (0, "")
    check_golden(GOLDEN / "score.txt", out)


def test_score_explain_adds_ledgers() -> None:
    code, out, err = run("score", *WORKED, "--explain")
    assert (code, err) == (0, "")
    check_golden(GOLDEN / "score_explain.txt", out)


def test_score_table_has_no_colour_codes_and_fits_100_columns() -> None:
    code, out, _ = run("score", *SHUANGTAIZI)
    assert code == 0
    assert "\x1b[" not in out
    assert all(line == line.rstrip() for line in out.splitlines())
    check_golden(GOLDEN / "score_shuangtaizi.txt", out)


def test_score_table_aligns_chinese_text() -> None:
    from qualitykpi.source import display_width

    _, out, _ = run("score", *SHUANGTAIZI)
    lines = out.splitlines()
    rule = lines[2]
    assert set(rule) <= {"-", " "}
    # Every right-aligned number of the last column ends where the rule ends.
    ends = {display_width(line) for line in lines[3:]}
    assert ends == {len(rule)}


def test_score_json() -> None:
    code, out, err = run("score", *WORKED, "--format", "json")
    assert (code, err) == (0, "")
    check_golden(GOLDEN / "score.json", out)
    check_score_shape(json.loads(out), explain=False)


def test_score_json_explain() -> None:
    code, out, _ = run("score", *WORKED, "--format", "json", "--explain")
    assert code == 0
    data = json.loads(out)
    check_golden(GOLDEN / "score_explain.json", out)
    check_score_shape(data, explain=True)
    for entity in data["entities"]:
        lost = sum((Decimal(entry["amount"]) for entry in entity["ledger"]), Decimal(0))
        assert lost == Decimal(entity["max"]) - Decimal(entity["total"])


def test_score_json_is_deterministic_and_not_ascii_escaped() -> None:
    first = run("score", *SHUANGTAIZI, "--format", "json", "--explain")[1]
    second = run("score", *SHUANGTAIZI, "--format", "json", "--explain")[1]
    assert first == second
    assert "双台子区" in first and "\\u" not in first
    check_score_shape(json.loads(first), explain=True)


def test_score_json_with_data_errors() -> None:
    code, out, err = run("score", *BAD, "--format", "json")
    assert code == 1
    data = json.loads(out)
    check_score_shape(data, explain=False)
    assert [entity["entity"] for entity in data["entities"]] == ["甲"]
    assert data["errors"] == [
        {
            "entity": "乙",
            "input": "pass_rate",
            "value": "187.2",
            "message": "input 'pass_rate': 187.2 is not a percentage: a percent input "
            "lies between 0 and 100",
            "line": 9,
        },
        {
            "entity": "丙",
            "input": "awards",
            "value": "2.5",
            "message": "input 'awards': 2.5 is not a whole number: a count is 0, 1, 2, …",
            "line": 43,
        },
    ]
    check_golden(GOLDEN / "score_errors.stderr.txt", err)


ENTITY_KEYS = ["rank", "entity", "total", "max", "grade", "vetoes", "nodes"]
NODE_KEYS = ["id", "name", "kind", "score", "max", "owners", "children"]
LEDGER_KEYS = ["node", "name", "owners", "amount", "reason", "kind", "line"]
ERROR_KEYS = ["entity", "input", "value", "message", "line"]


def _decimal(text: object) -> Decimal:
    assert isinstance(text, str), f"{text!r} is not a string"
    value = Decimal(text)
    assert value.is_finite() and format(value, "f") == text, text
    return value


def check_node(node: dict[str, Any]) -> None:
    assert list(node) == NODE_KEYS
    assert isinstance(node["id"], str) and isinstance(node["name"], str)
    assert node["kind"] in ("section", "item", "part", "bonus", "task")
    _decimal(node["score"])
    _decimal(node["max"])
    assert all(isinstance(owner, str) for owner in node["owners"])
    for child in node["children"]:
        check_node(child)


def check_score_shape(data: dict[str, Any], *, explain: bool) -> None:
    """The documented shape of `score --format json`, exactly."""
    assert list(data) == ["scheme", "entities", "errors"]
    assert isinstance(data["scheme"], str)
    for entity in data["entities"]:
        assert list(entity) == [*ENTITY_KEYS, *(["ledger"] if explain else [])]
        assert isinstance(entity["rank"], int) and not isinstance(entity["rank"], bool)
        assert isinstance(entity["entity"], str)
        _decimal(entity["total"])
        _decimal(entity["max"])
        assert entity["grade"] is None or isinstance(entity["grade"], str)
        for veto in entity["vetoes"]:
            assert list(veto) == ["name", "effect", "line"]
            assert veto["line"] is None or isinstance(veto["line"], int)
        for node in entity["nodes"]:
            check_node(node)
        for entry in entity.get("ledger", []):
            assert list(entry) == LEDGER_KEYS
            _decimal(entry["amount"])
            assert entry["node"] is None or isinstance(entry["node"], str)
            assert entry["line"] is None or isinstance(entry["line"], int)
    for error in data["errors"]:
        assert list(error) == ERROR_KEYS
        assert error["line"] is None or isinstance(error["line"], int)
    # No JSON number anywhere but ranks and line numbers.
    numbers = list(_numbers(data))
    assert all(key in ("rank", "line") for key, _ in numbers), numbers


def _numbers(data: object, key: str = "") -> list[tuple[str, object]]:
    if isinstance(data, dict):
        return [pair for name, value in data.items() for pair in _numbers(value, name)]
    if isinstance(data, list):
        return [pair for value in data for pair in _numbers(value, key)]
    if isinstance(data, int | Decimal) and not isinstance(data, bool):
        return [(key, data)]
    assert not isinstance(data, float), f"{key}: a float"
    return []


def test_score_csv() -> None:
    code, out, err = run("score", *WORKED, "--format", "csv")
    assert (code, err) == (0, "")
    assert out.startswith("\ufeffrank,entity,total,grade,vetoes,1,1.1,1.2,1.2.1,")
    check_golden(GOLDEN / "score.csv", out)
    rows = list(csv.DictReader(io.StringIO(out.removeprefix("\ufeff"), newline="")))
    assert [(row["rank"], row["entity"], row["total"]) for row in rows] == [
        ("1", "甲", "34.1"),
        ("2", "乙", "27.15"),
        ("3", "丙", "7.4"),
    ]
    assert rows[1]["1.6.2"] == "2.25"


def test_score_csv_bytes_are_utf8_with_bom(tmp_path: Path) -> None:
    target = tmp_path / "ranking.csv"
    code, out, _ = run("score", *WORKED, "--format", "csv", "--output", str(target))
    assert (code, out) == (0, "")
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfrank,")
    assert "乙".encode() in data
    assert b"\r\n" in data  # CSV line ends (the CliRunner's stdout turns them into \n)
    text = data.decode("utf-8-sig").replace("\r\n", "\n")
    assert text == (GOLDEN / "score.csv").read_text(encoding="utf-8")[1:]


def test_score_markdown() -> None:
    code, out, err = run("score", *WORKED, "--format", "markdown")
    assert (code, err) == (0, "")
    check_golden(GOLDEN / "score.md", out)
    assert "| rank | entity | total | grade | vetoes | 质量目标 |" in out


def test_score_markdown_explain() -> None:
    code, out, _ = run("score", *WORKED, "--format", "markdown", "--explain")
    assert code == 0
    check_golden(GOLDEN / "score_explain.md", out)


def test_score_output_file_leaves_stdout_empty(tmp_path: Path) -> None:
    target = tmp_path / "ranking.json"
    code, out, err = run("score", *WORKED, "--format", "json", "-o", str(target))
    assert (code, out, err) == (0, "", "")
    assert target.read_text(encoding="utf-8") == (GOLDEN / "score.json").read_text(encoding="utf-8")


def test_score_table_to_a_file_is_the_piped_table(tmp_path: Path) -> None:
    target = tmp_path / "ranking.txt"
    code, out, _ = run("score", *WORKED, "--output", str(target))
    assert (code, out) == (0, "")
    assert target.read_text(encoding="utf-8") == (GOLDEN / "score.txt").read_text(encoding="utf-8")


def test_score_with_data_errors_is_exit_1_and_still_ranks_the_rest() -> None:
    code, out, err = run("score", *BAD)
    assert code == 1
    assert "甲" in out and "乙" not in out
    check_golden(GOLDEN / "score_errors.txt", out)
    check_golden(GOLDEN / "score_errors.stderr.txt", err)


def test_score_entity_column_option(tmp_path: Path) -> None:
    text = (DATA / "worked_example.csv").read_text(encoding="utf-8")
    renamed = tmp_path / "regions.csv"
    renamed.write_text(text.replace("entity,", "地区,", 1), encoding="utf-8")
    for option in ("--entity", "--entity-column"):
        code, out, _ = run("score", WORKED[0], str(renamed), option, "地区")
        assert code == 0
        assert out == (GOLDEN / "score.txt").read_text(encoding="utf-8")


def test_score_missing_entity_column_is_exit_2() -> None:
    code, out, err = run("score", *WORKED, "--entity", "地区")
    assert (code, out) == (2, "")
    assert "no column '地区'" in err and "pass_rate" in err


def test_score_encoding_option(tmp_path: Path) -> None:
    text = (DATA / "worked_example.csv").read_text(encoding="utf-8")
    legacy = tmp_path / "gbk.csv"
    legacy.write_bytes(text.encode("gbk"))
    code, out, _ = run("score", WORKED[0], str(legacy), "--encoding", "gbk")
    assert code == 0
    assert out == (GOLDEN / "score.txt").read_text(encoding="utf-8")


# ---------------------------------------------------------------------- xlsx


def _xlsx_number(value: object) -> Decimal:
    """A number cell as openpyxl gives it (int or float), as an exact decimal."""
    assert isinstance(value, int | float) and not isinstance(value, bool), value
    return Decimal(repr(value)).normalize()


def _same(text: str) -> Decimal:
    return Decimal(text).normalize()


def _table(sheet: Any, first: str) -> list[tuple[Any, ...]]:
    """The rows of a workbook sheet from the header row whose first cell is ``first``."""
    rows = list(sheet.iter_rows(values_only=True))
    return rows[next(index for index, row in enumerate(rows) if row[0] == first) :]


def test_score_xlsx_is_the_report_workbook(tmp_path: Path) -> None:
    # tests/test_workbook.py reads the workbook back against the JSON numbers.
    target = tmp_path / "ranking.xlsx"
    code, out, err = run("score", *SHUANGTAIZI, "--format", "xlsx", "-o", str(target), "--explain")
    assert (code, out, err) == (0, "", "")
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == ["ranking", "charts", "breakdown", "owners", "notices"]
    assert book["ranking"].freeze_panes == "C6"
    assert book["breakdown"].freeze_panes == "D5"


def test_score_xlsx_number_formats_show_the_exact_decimals(tmp_path: Path) -> None:
    target = tmp_path / "ranking.xlsx"
    run("score", *WORKED, "--format", "xlsx", "-o", str(target))
    sheet = openpyxl.load_workbook(target)["ranking"]
    shown = {row[1].value: (row[2].value, row[2].number_format) for row in sheet.iter_rows(6, 8)}
    assert shown == {"甲": (34.1, "0.0"), "乙": (27.15, "0.00"), "丙": (7.4, "0.0")}


def test_score_xlsx_owners_and_errors_sheets(tmp_path: Path) -> None:
    target = tmp_path / "ranking.xlsx"
    code, _, err = run("score", *BAD, "--format", "xlsx", "-o", str(target))
    assert code == 1 and "2 data errors" in err
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == ["ranking", "charts", "breakdown", "owners", "errors"]
    owners = _table(book["owners"], "office")
    assert owners[0] == ("office", "points", "甲")
    rows = {row[0]: row[1:] for row in owners[1:] if row[0]}
    assert rows["区水利总站"] == (6, 0.9)
    assert rows["第三方机构"] == (10, 0)
    note = [row[0] for row in owners if row[0]][-1]
    assert "counts in full for each of them" in note
    errors = _table(book["errors"], "entity")
    assert errors[0] == ("entity", "input", "value", "message", "line")
    assert [row[:3] for row in errors[1:]] == [
        ("乙", "pass_rate", "187.2"),
        ("丙", "awards", "2.5"),
    ]


def _walk(nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [each for node in nodes for each in [node, *_walk(node["children"])]]


def test_xlsx_needs_output() -> None:
    code, out, err = run("score", *WORKED, "--format", "xlsx")
    assert (code, out) == (2, "")
    assert "--format xlsx writes a workbook: say where with --output FILE" in err


def test_unwritable_output_is_exit_2(tmp_path: Path) -> None:
    target = tmp_path / "missing" / "ranking.xlsx"
    code, _, err = run("score", *WORKED, "--format", "xlsx", "-o", str(target))
    assert code == 2 and f"cannot write {target}" in err
    code, _, err = run("score", *WORKED, "--format", "json", "-o", str(target.with_suffix(".json")))
    assert code == 2 and f"cannot write {target.with_suffix('.json')}" in err


# ------------------------------------------------------------------- explain


def test_explain_one_entity() -> None:
    code, out, err = run("explain", *WORKED, "--entity", "乙")
    assert (code, err) == (0, "")
    check_golden(GOLDEN / "explain.txt", out)
    assert "line 13: below target by 1–3 points → deduct 3" in out
    assert "(data/worked_example.rule:13)" in out
    assert "peers of awards: mean 3" in out


def test_explain_shows_the_clause_text() -> None:
    code, out, _ = run("explain", *SHUANGTAIZI, "--entity", "盘山县")
    assert code == 0
    assert "“达到年度目标值得10 分；”" in out
    assert "(../examples/shuangtaizi-2016-2017.rule:72)" in out


def test_explain_unknown_entity_suggests_close_names() -> None:
    code, out, err = run("explain", *SHUANGTAIZI, "--entity", "盘山")
    assert (code, out) == (2, "")
    check_golden(GOLDEN / "explain_unknown.stderr.txt", err)
    code, _, err = run("explain", *WORKED, "--entity", "丁")
    assert code == 2
    assert "(it has 甲, 乙, 丙)" in err


def test_explain_entity_column(tmp_path: Path) -> None:
    text = (DATA / "worked_example.csv").read_text(encoding="utf-8")
    renamed = tmp_path / "regions.csv"
    renamed.write_text(text.replace("entity,", "地区,", 1), encoding="utf-8")
    code, out, _ = run(
        "explain", WORKED[0], str(renamed), "--entity", "乙", "--entity-column", "地区"
    )
    assert code == 0
    assert out == (GOLDEN / "explain.txt").read_text(encoding="utf-8")


def test_explain_entity_with_data_errors_is_exit_1() -> None:
    code, out, err = run("explain", *BAD, "--entity", "乙")
    assert (code, out) == (1, "")
    check_golden(GOLDEN / "explain_errors.stderr.txt", err)
    code, out, err = run("explain", *BAD, "--entity", "甲")
    assert (code, err) == (0, "")
    assert out.splitlines()[1].startswith("甲 — ")


# -------------------------------------------------------------------- owners


def test_owners_without_data() -> None:
    code, out, err = run("owners", WORKED[0])
    assert (code, err) == (0, "")
    check_golden(GOLDEN / "owners.txt", out)


def test_owners_with_data() -> None:
    code, out, err = run("owners", *WORKED)
    assert (code, err) == (0, "")
    check_golden(GOLDEN / "owners_data.txt", out)


def test_owners_of_the_complete_example() -> None:
    code, out, _ = run("owners", *SHUANGTAIZI)
    assert code == 0
    check_golden(GOLDEN / "owners_shuangtaizi.txt", out)


def test_owners_lists_tasks_and_supporting_offices() -> None:
    code, out, _ = run("owners", "../examples/ningxia-2013-2014.rule", "--format", "json")
    assert code == 0
    data = json.loads(out)
    offices = {office["office"]: office for office in data["offices"]}
    lead = offices["自治区质监局"]
    assert {"id": "t1", "name": "制造业产品质量合格率", "kind": "task", "max": "0"} in lead["items"]
    assert lead["points"] == "0"
    assert any(office["supports"] for office in data["offices"])


def test_owners_json() -> None:
    code, out, _ = run("owners", *WORKED, "--format", "json")
    assert code == 0
    check_golden(GOLDEN / "owners.json", out)
    data = json.loads(out)
    assert list(data) == ["scheme", "offices", "entities", "errors"]
    assert data["entities"] == ["甲", "乙", "丙"]
    for office in data["offices"]:
        assert list(office) == ["office", "points", "items", "supports", "vetoes", "lost"]
        _decimal(office["points"])
        assert list(office["lost"]) == data["entities"]
        for amount in office["lost"].values():
            _decimal(amount)
    tourism = next(office for office in data["offices"] if office["office"] == "区旅游局")
    # 丙: −2 (campaigns) −4.5 (complaints) +1.5 (floor 0) = 5 lost.
    assert tourism["lost"] == {"甲": "0", "乙": "1.75", "丙": "5"}
    # 1.3 has six owners: each of them lost the whole point.
    shared = [office for office in data["offices"] if office["items"][0]["id"] == "1.3"]
    assert len(shared) == 6 and all(office["lost"]["乙"] == "1" for office in shared)
    assert list(_numbers(data)) == []


def test_owners_json_without_data() -> None:
    code, out, _ = run("owners", WORKED[0], "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert list(data) == ["scheme", "offices"]
    assert all("lost" not in office for office in data["offices"])


def test_owners_csv_and_markdown() -> None:
    code, out, _ = run("owners", *WORKED, "--format", "csv")
    assert code == 0 and out.startswith("\ufeffoffice,points,items,supports,vetoes,甲,乙,丙")
    check_golden(GOLDEN / "owners.csv", out)
    code, out, _ = run("owners", *WORKED, "--format", "markdown")
    assert code == 0
    check_golden(GOLDEN / "owners.md", out)


def test_owners_with_data_errors_is_exit_1() -> None:
    code, out, err = run("owners", *BAD)
    assert code == 1
    assert "甲" in out and "乙" not in out
    check_golden(GOLDEN / "score_errors.stderr.txt", err)


# -------------------------------------------------------- errors and usage


@pytest.mark.parametrize(
    "args",
    [
        ["score", "{rule}", "data/worked_example.csv"],
        ["explain", "{rule}", "data/worked_example.csv", "--entity", "甲"],
        ["owners", "{rule}"],
        ["owners", "{rule}", "data/worked_example.csv", "--format", "json"],
    ],
)
def test_rule_error_is_exit_2(tmp_path: Path, args: list[str]) -> None:
    bad = tmp_path / "bad.rule"
    bad.write_text(
        'scheme "s" {\n  item "x" max 1 {\n    at least 1 → deduct\n  }\n}\n', encoding="utf-8"
    )
    code, out, err = run(*(arg.format(rule=bad) for arg in args))
    assert (code, out) == (2, "")
    assert f"{bad}:3:" in err and "^" in err
    assert "Traceback" not in err


def test_rule_error_golden() -> None:
    code, out, err = run("score", "data/nowhere.rule", WORKED[1])
    assert (code, out) == (2, "")
    check_golden(GOLDEN / "missing_rule.stderr.txt", err)


def test_missing_file_is_exit_2() -> None:
    code, _, err = run("score", "data/nowhere.rule", "data/worked_example.csv")
    assert code == 2
    assert "cannot read data/nowhere.rule" in err
    code, _, err = run("score", "data/worked_example.rule", "data/nowhere.csv")
    assert code == 2
    assert "data file data/nowhere.csv: cannot read it" in err


def test_entry_point_is_installed() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "qualitykpi", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0
    for command in ("test", "score", "explain", "owners"):
        assert command in completed.stdout


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["score"],
        ["test"],
        ["explain", *WORKED],
        ["owners"],
        ["score", *WORKED, "--format", "yaml"],
        ["owners", *WORKED, "--format", "xlsx"],
        ["score", *WORKED, "--format", "csv", "--explain"],
        ["score", *WORKED, "--bogus"],
        ["score", *WORKED, "--sheet", "Sheet1"],
    ],
)
def test_usage_errors_are_exit_2(args: list[str]) -> None:
    code, out, err = run(*args)
    assert code == 2
    assert out == ""
    assert "Traceback" not in err


def test_usage_error_golden() -> None:
    code, _, err = run("score", *WORKED, "--format", "csv", "--explain")
    assert code == 2
    check_golden(GOLDEN / "usage_csv_explain.stderr.txt", err)


# ------------------------------------------------------------------ progress


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_only_on_a_terminal_for_long_cohorts() -> None:
    piped = io.StringIO()
    with _progress(500, piped):
        pass
    assert piped.getvalue() == ""
    short = _Terminal()
    with _progress(50, short):
        pass
    assert short.getvalue() == ""
    terminal = _Terminal()
    with _progress(51, terminal):
        pass
    assert terminal.getvalue() != ""


def test_long_cohort_piped_prints_nothing_extra(tmp_path: Path) -> None:
    rows = (DATA / "worked_example.csv").read_text(encoding="utf-8").splitlines()
    body = [rows[1].replace("甲", f"e{index}", 1) for index in range(60)]
    big = tmp_path / "big.csv"
    big.write_text("\n".join([rows[0], *body]) + "\n", encoding="utf-8")
    code, out, err = run("score", WORKED[0], str(big))
    assert (code, err) == (0, "")
    assert len(out.splitlines()) == 3 + 60


def test_docs_describe_every_option() -> None:
    page = (ROOT / "docs" / "cli.rst").read_text(encoding="utf-8")
    for option in (
        "--format",
        "--output",
        "--explain",
        "--entity",
        "--entity-column",
        "--encoding",
        "--sheet",
        "--env",
        "--no-plugins",
    ):
        assert f"``{option}" in page, option
    for command in ("qualitykpi score``", "qualitykpi explain``", "qualitykpi owners``"):
        assert command in page


# ------------------------------------------------------- data in, templates


def test_score_reads_gb18030_csv_and_xlsx_alike(tmp_path: Path) -> None:
    import openpyxl

    rows = (DATA / "worked_example.csv").read_text(encoding="utf-8").splitlines()
    gbk = tmp_path / "cohort.csv"
    gbk.write_bytes("\r\n".join(rows).encode("gb18030"))
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "数据"
    for line in rows:
        sheet.append(line.split(","))
    xlsx = tmp_path / "cohort.xlsx"
    book.save(xlsx)
    _, expected, _ = run(
        "score", "data/worked_example.rule", "data/worked_example.csv", "--format", "json"
    )
    for path, extra in ((gbk, []), (xlsx, ["--sheet", "数据"])):
        code, out, err = run(
            "score", "data/worked_example.rule", str(path), "--format", "json", *extra
        )
        assert (code, err) == (0, ""), path
        assert out == expected


def test_columns_that_do_not_fit_the_rule_are_named(tmp_path: Path) -> None:
    text = (DATA / "worked_example.csv").read_text(encoding="utf-8")
    renamed = tmp_path / "renamed.csv"
    header, *rows = text.replace("water_score", "water_scor").splitlines()
    renamed.write_text(
        "\n".join([header + ",备注", *(row + "," for row in rows)]) + "\n", encoding="utf-8"
    )
    code, _, err = run("score", "data/worked_example.rule", str(renamed))
    # water_score has no column: every entity lacks it, which is a data error.
    assert code == 1
    assert "column 'water_scor' matches no input" in err
    assert "'water_score'" in err
    assert "column '备注'" in err
    assert "data errors" in err


def test_a_missing_column_is_exit_1_even_when_no_data_lines_take_it(tmp_path: Path) -> None:
    rule = tmp_path / "r.rule"
    rule.write_text(
        'scheme "s" { item "x" max 2 { input v: percent\n no data → 0\n otherwise → full } }',
        encoding="utf-8",
    )
    data = tmp_path / "d.csv"
    data.write_text("entity,other\na,1\n", encoding="utf-8")
    code, out, err = run("score", str(rule), str(data))
    assert code == 1
    assert "'v' has no column" in err
    assert "a" in out


def test_template_csv_lists_every_column_and_reads_back(tmp_path: Path) -> None:
    import qualitykpi as qk

    out_file = tmp_path / "blank.csv"
    code, out, err = run("template", "../examples/shuangtaizi-2016-2017.rule", "-o", str(out_file))
    assert code == 0 and out == ""
    scheme = qk.load(DATA.parent.parent / "examples" / "shuangtaizi-2016-2017.rule")
    table = qk.read_table(out_file)
    assert table.rows == ()
    assert set(table.columns) == {"entity", *scheme.inputs}
    assert "m08_1" in err and "pass_rate" in err


def test_template_xlsx_has_validation(tmp_path: Path) -> None:
    import openpyxl

    target = tmp_path / "blank.xlsx"
    code, _, _ = run("template", "data/worked_example.rule", "--format", "xlsx", "-o", str(target))
    assert code == 0
    sheet = openpyxl.load_workbook(target).worksheets[0]
    assert sheet.freeze_panes == "B2"
    assert sheet.data_validations.dataValidation
    code, _, err = run("template", "data/worked_example.rule", "--format", "xlsx")
    assert code == 2 and "--output" in err


# ------------------------------------------------------------------- check


def test_check_reports_the_seed_defects() -> None:
    code, out, err = run("check", "data/worked_example.rule")
    assert code == 0 and err == ""  # warnings only
    assert "warning[gap]" in out and "warning[shadowed]" in out
    check_golden(GOLDEN / "check.txt", out)


def test_check_strict_fails_on_warnings() -> None:
    code, _, _ = run("check", "--strict", "data/worked_example.rule")
    assert code == 1


def test_check_of_a_broken_rule_is_an_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.rule"
    bad.write_text(
        'scheme "s" { item "x" max 1 { input v: count\n [5, 0] → full } }', encoding="utf-8"
    )
    code, out, _ = run("check", str(bad))
    # A rule that does not load is a rule error: 2, as from `score` and `test`.
    assert code == 2
    assert "error[reversed-range]" in out
    assert run("score", str(bad), "data/worked_example.csv")[0] == 2
    assert run("test", str(bad))[0] == 2


def test_check_json_and_sarif() -> None:
    import json

    code, out, _ = run("check", "--format", "json", "data/worked_example.rule")
    findings = json.loads(out)
    assert code == 0
    assert {"code", "severity", "message", "file", "line", "column"} <= set(findings[0])
    assert {finding["code"] for finding in findings} >= {"gap", "shadowed"}
    code, out, _ = run("check", "--format", "sarif", "data/worked_example.rule")
    log = json.loads(out)
    assert log["version"] == "2.1.0"
    results = log["runs"][0]["results"]
    assert len(results) == len(findings)
    location = results[0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"].endswith("worked_example.rule")
    assert location["region"]["startLine"] == findings[0]["line"]


def test_check_ranges_lists_nodes_and_grades() -> None:
    code, out, _ = run("check", "--ranges", "data/worked_example.rule")
    assert code == 0
    assert "grades that can occur: D" in out
    assert "1.5" in out and "水利建设质量情况" in out
