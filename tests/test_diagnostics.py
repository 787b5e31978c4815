"""Diagnostics as records and their renderings: text, JSON and SARIF 2.1.0."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qualitykpi import check, check_text
from qualitykpi.diagnostics import (
    CODES,
    SARIF_SCHEMA,
    Diagnostic,
    make,
    render_text,
    sort_diagnostics,
    summary,
    to_json,
    to_sarif,
)
from qualitykpi.source import Source, Span

TEXT = """scheme "考核" {
  total 1.5
  item "水产品" max 1.5 {
    input aquatic_rate: percent precision 0.1
    at least 93% → full
    [90%, 93.4%] → deduct 0.1
    less than 90% → 0
  }
}
"""


@pytest.fixture
def rule_file(tmp_path: Path) -> Path:
    path = tmp_path / "水产品.rule"
    path.write_text(TEXT, encoding="utf-8")
    return path


def test_codes_are_kebab_case_with_a_severity() -> None:
    for code, (severity, text) in CODES.items():
        assert code == code.lower() and " " not in code and "_" not in code
        assert severity in ("error", "warning", "info")
        assert text and not text.endswith(".")


def test_make_places_and_sorts() -> None:
    first = make("gap", "values … match no line", "a.rule", Span(3, 8, 3, 12), related=[7, 5, 7])
    assert first.severity == "warning" and first.related == (5, 7)
    assert (first.line, first.column, first.end_line, first.end_column) == (3, 8, 3, 12)
    assert first.location == "a.rule:3:8"
    nowhere = make("missing-total", "no total", "a.rule", None)
    assert (nowhere.line, nowhere.column) == (0, 0) and nowhere.location == "a.rule"
    point = make("gap", "x", "a.rule", Span(4, 2, 4, 2))
    assert point.end_column == 3  # a caret at least one wide
    error = make("undefined-input", "no input", "a.rule", Span(2, 1, 2, 4), severity="error")
    ordered = sort_diagnostics([first, point, error, nowhere, first])
    assert ordered == [nowhere, error, first, point]


def test_render_text_is_compiler_style(rule_file: Path) -> None:
    diagnostics = check(rule_file)
    (shadowed,) = diagnostics
    text = render_text(diagnostics)
    lines = text.splitlines()
    assert lines[0] == (
        f"{rule_file}:6:5: warning[shadowed]: values 93–93.4% of this line are already taken "
        "by line 5 (`at least 93% → full`); is this band meant to end at 92.9%?"
    )
    assert lines[1] == "    6 |     [90%, 93.4%] → deduct 0.1"
    assert lines[2] == "      |     ^^^^^^^^^^^^"
    # Given the source explicitly, the same text.
    assert render_text(diagnostics, Source(str(rule_file), TEXT)) == text
    assert str(shadowed) == lines[0]


def test_render_text_measures_chinese_by_display_width(rule_file: Path) -> None:
    text = TEXT.replace("total 1.5", "total 3")
    diagnostics = check_text(text, name="中文.rule")
    rendered = render_text(diagnostics, Source("中文.rule", text))
    blocks = rendered.split("\n\n")
    total = next(block for block in blocks if "[total-mismatch]" in block)
    assert total.splitlines()[1:] == ["    2 |   total 3", "      |         ^"]
    gap = (
        'scheme "s" {\n  total 2\n  item "畜禽产品" max 2 {\n'
        "    input r: percent\n    at least 98% → full\n  }\n}\n"
    )
    (finding,) = check_text(gap, name="g.rule")
    shown = render_text([finding], Source("g.rule", gap)).splitlines()
    assert shown[1] == '    3 |   item "畜禽产品" max 2 {'
    # "畜禽产品" with its quotes is 10 columns wide: 2 quotes and 4 wide characters.
    assert shown[2] == "      |        " + "^" * 10
    assert shown[3].startswith("      = help: add a line for them")


def test_render_without_source_or_file() -> None:
    diagnostic = Diagnostic("gap", "warning", "values … match no line", "<string>", 3, 1, 3, 4)
    assert render_text([diagnostic]) == "<string>:3:1: warning[gap]: values … match no line"
    assert render_text([]) == ""


def test_summary() -> None:
    warning = Diagnostic("gap", "warning", "m", "f")
    note = Diagnostic("no-owner", "info", "m", "f")
    error = Diagnostic("syntax", "error", "m", "f")
    assert summary([]) == "no findings"
    assert summary([warning, note, warning]) == "2 warnings, 1 note"
    assert summary([error]) == "1 error"


def test_json(rule_file: Path) -> None:
    data = to_json(check(rule_file))
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data
    (entry,) = data
    assert entry == {
        "code": "shadowed",
        "severity": "warning",
        "message": entry["message"],
        "file": str(rule_file),
        "line": 6,
        "column": 5,
        "end_line": 6,
        "end_column": 17,
        "related": [5],
        "hint": None,
    }
    assert entry["message"].startswith("values 93–93.4%")


def _check_sarif_shape(log: dict[str, object]) -> None:
    """The parts of the SARIF 2.1.0 schema that a log of ours uses, by hand."""
    assert log["version"] == "2.1.0"
    assert log["$schema"] == SARIF_SCHEMA
    runs = log["runs"]
    assert isinstance(runs, list) and len(runs) == 1
    (run,) = runs
    driver = run["tool"]["driver"]
    assert driver["name"] == "qualitykpi" and isinstance(driver["version"], str)
    ids = [rule["id"] for rule in driver["rules"]]
    assert len(ids) == len(set(ids))
    for rule in driver["rules"]:
        assert set(rule) >= {"id", "shortDescription", "defaultConfiguration"}
        assert isinstance(rule["shortDescription"]["text"], str)
        assert rule["defaultConfiguration"]["level"] in ("error", "warning", "note")
    assert run["columnKind"] == "unicodeCodePoints"
    for result in run["results"]:
        assert result["ruleId"] in ids
        assert ids[result["ruleIndex"]] == result["ruleId"]
        assert result["level"] in ("error", "warning", "note")
        assert isinstance(result["message"]["text"], str) and result["message"]["text"]
        for location in result["locations"]:
            physical = location["physicalLocation"]
            assert isinstance(physical["artifactLocation"]["uri"], str)
            region = physical.get("region")
            if region is not None:
                assert region["startLine"] >= 1
                assert region.get("startColumn", 1) >= 1
                assert region.get("endLine", region["startLine"]) >= region["startLine"]
        for related in result.get("relatedLocations", []):
            assert related["physicalLocation"]["region"]["startLine"] >= 1
    json.dumps(log)


def test_sarif(rule_file: Path) -> None:
    text = TEXT.replace("total 1.5", "total 3")
    diagnostics = check_text(text, name="rules/水产品.rule")
    log = to_sarif(diagnostics, tool_version="9.9")
    _check_sarif_shape(log)
    run = log["runs"][0]
    assert run["tool"]["driver"]["version"] == "9.9"
    assert [rule["id"] for rule in run["tool"]["driver"]["rules"]] == list(CODES)
    by_rule = {result["ruleId"]: result for result in run["results"]}
    assert set(by_rule) == {"total-mismatch", "shadowed"}
    shadowed = by_rule["shadowed"]
    assert shadowed["level"] == "warning"
    location = shadowed["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "rules/%E6%B0%B4%E4%BA%A7%E5%93%81.rule"
    assert location["region"] == {"startLine": 6, "startColumn": 5, "endLine": 6, "endColumn": 17}
    assert shadowed["relatedLocations"][0]["physicalLocation"]["region"] == {"startLine": 5}


def test_sarif_levels_and_load_errors() -> None:
    note = Diagnostic("no-owner", "info", "an item without an owner", "a.rule", 3, 1, 3, 5)
    errors = check_text('scheme "s" {\n  item "a" max 1 { nope }\n}\n', name="bad.rule")
    log = to_sarif([note, *errors])
    _check_sarif_shape(log)
    results = log["runs"][0]["results"]
    assert results[0]["level"] == "note"
    assert {result["level"] for result in results[1:]} == {"error"}
    ids = [rule["id"] for rule in log["runs"][0]["tool"]["driver"]["rules"]]
    assert {error.code for error in errors} <= set(ids)


def test_sarif_without_a_place() -> None:
    log = to_sarif([Diagnostic("missing-total", "info", "no total", "<string>")])
    _check_sarif_shape(log)
    (result,) = log["runs"][0]["results"]
    assert result["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "%3Cstring%3E"}
    }
    assert "version" in log["runs"][0]["tool"]["driver"]


def test_hint_in_sarif_message() -> None:
    diagnostic = Diagnostic(
        "gap",
        "warning",
        "values below 98% match no line",
        "a.rule",
        1,
        1,
        1,
        2,
        hint="add `otherwise → 0`",
    )
    (result,) = to_sarif([diagnostic])["runs"][0]["results"]
    assert result["message"]["text"] == "values below 98% match no line (add `otherwise → 0`)"
