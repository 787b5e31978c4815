"""The checks, coverage, stubs and verify in Chinese: golden files of what a
rule author reads, and the codes, keys and places that stay the same."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

import qualitykpi as qk
from conftest import ROOT, check_golden
from qualitykpi.cli import main
from qualitykpi.diagnostics import CODES, render_text, summary, to_sarif
from qualitykpi.verify import verify
from test_checks import CASES
from test_verify import NOT_MONOTONE

GOLDEN = ROOT / "tests" / "golden" / "diagnostics-zh"
EXAMPLES = sorted((ROOT / "examples").glob("*.rule"))
SHUANGTAIZI = "examples/shuangtaizi-2016-2017.rule"


def run_zh(*args: str) -> tuple[int, str]:
    """The CLI with a Chinese locale, from the checkout's root (relative paths)."""
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        result = CliRunner().invoke(main, list(args), env={"LANG": "zh_CN.UTF-8"})
    finally:
        os.chdir(cwd)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout


def _names() -> list[str]:
    """``gap``, ``gap-2`` …: one golden file per case, named by its code."""
    seen: dict[str, int] = {}
    names = []
    for code, _text, _line in CASES:
        seen[code] = seen.get(code, 0) + 1
        names.append(code if seen[code] == 1 else f"{code}-{seen[code]}")
    return names


@pytest.mark.parametrize(
    ("name", "code", "text"),
    [(name, code, text) for name, (code, text, _line) in zip(_names(), CASES, strict=True)],
    ids=_names(),
)
def test_each_code_in_chinese(name: str, code: str, text: str) -> None:
    english = qk.check_text(text, name="case.rule")
    with qk.use_language("zh"):
        chinese = qk.check_text(text, name="case.rule")
        rendered = render_text(chinese, text) + "\n\n" + summary(chinese) + "\n"
    check_golden(GOLDEN / f"{name}.txt", rendered)
    assert [d.code for d in chinese] == [code]
    # Only the words differ: the code, severity and place are the English ones.
    assert [(d.code, d.severity, d.line, d.column, d.related) for d in chinese] == [
        (d.code, d.severity, d.line, d.column, d.related) for d in english
    ]
    assert all(d.message != e.message for d, e in zip(chinese, english, strict=True))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: path.stem)
def test_check_of_each_example_in_chinese(path: Path) -> None:
    _code, out = run_zh("check", f"examples/{path.name}")
    check_golden(GOLDEN / "examples" / f"{path.stem}.txt", out)


def test_coverage_and_stubs_in_chinese() -> None:
    _code, out = run_zh("test", SHUANGTAIZI, "--coverage", "--stubs")
    check_golden(GOLDEN / "coverage-shuangtaizi.txt", out)
    assert "示例检验了全部 38 种情形中的 22 种" in out
    assert "# 请核对此得分：第 69 行：恰在 目标值 以内（差距 0.1）" in out


def test_verify_failure_report_in_chinese() -> None:
    with qk.use_language("zh"):
        report = verify(qk.loads(NOT_MONOTONE, name="broken.rule"), examples=40, seed=1)
        rendered = report.render()
    check_golden(GOLDEN / "verify-monotone.txt", rendered + "\n")
    [failure] = report.failures
    assert failure.property == "monotone"
    assert failure.node == "项目 q1「合格率」（第 2 行）"
    # The counterexample stays rule text: it can be pasted into the file.
    assert failure.examples == ("example rate = 89.9% → 3", "example rate = 90% → 1")


def test_sarif_keeps_its_keys_and_codes_in_chinese() -> None:
    text = CASES[0][1]
    english = to_sarif(qk.check_text(text, name="case.rule"), tool_version="0")
    with qk.use_language("zh"):
        chinese = to_sarif(qk.check_text(text, name="case.rule"), tool_version="0")
    [run_en], [run_zh_] = english["runs"], chinese["runs"]
    rules_en, rules_zh = run_en["tool"]["driver"]["rules"], run_zh_["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules_zh] == [r["id"] for r in rules_en] == list(CODES)
    assert [r["defaultConfiguration"] for r in rules_zh] == [
        r["defaultConfiguration"] for r in rules_en
    ]
    assert rules_zh[0]["shortDescription"]["text"] == "输入项的某些取值没有规则行给分"
    [result_en], [result_zh] = run_en["results"], run_zh_["results"]
    assert result_zh.keys() == result_en.keys()
    assert {k: v for k, v in result_zh.items() if k != "message"} == {
        k: v for k, v in result_en.items() if k != "message"
    }


def test_summary_words_in_both_languages() -> None:
    found = qk.check(ROOT / "tests" / "data" / "worked_example.rule")
    assert summary(found) == "7 warnings, 1 note"
    assert summary([]) == "no findings"
    with qk.use_language("zh"):
        assert summary(found) == "7 个警告、1 条提示"
        assert summary([]) == "未发现问题"
