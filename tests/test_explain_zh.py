"""Explanations, traces and the ledger in Chinese: worded when shown, exact as ever."""

from __future__ import annotations

import os
from pathlib import Path

from click.testing import CliRunner

import qualitykpi as qk
from conftest import DATA, ROOT, assert_ledger_adds_up, check_golden
from qualitykpi.cli import main
from test_fmt import BRIEF

GOLDEN = Path(__file__).resolve().parent / "golden" / "zh"
EXAMPLES = ROOT / "examples"


def run_zh(*args: str) -> str:
    # Relative paths keep the golden files independent of the checkout's place.
    cwd = os.getcwd()
    os.chdir(DATA.parent)
    try:
        result = CliRunner().invoke(
            main, list(args), prog_name="qualitykpi", env={"LANG": "zh_CN.UTF-8", "LC_ALL": ""}
        )
    finally:
        os.chdir(cwd)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert result.exit_code == 0, result.stderr
    return result.stdout


def test_explain_a_unit_with_losses_and_a_veto_in_chinese() -> None:
    out = run_zh(
        "explain",
        "../examples/shuangtaizi-2016-2017.rule",
        "../examples/shuangtaizi-2016-2017.csv",
        "--entity",
        "大洼区",
    )
    assert "否决：发生区域性、系统性产品质量安全事件 → 等级 D" in out
    check_golden(GOLDEN / "explain_shuangtaizi.txt", out)


def test_explain_computed_values_in_chinese() -> None:
    out = run_zh(
        "explain",
        "../examples/water-2023.rule",
        "../examples/water-2023.csv",
        "--previous",
        "../examples/water-2022.csv",
        "--entity",
        "北湖区",
    )
    check_golden(GOLDEN / "explain_water.txt", out)


def test_score_explain_in_chinese() -> None:
    out = run_zh("score", "data/worked_example.rule", "data/worked_example.csv", "--explain")
    check_golden(GOLDEN / "score_explain.txt", out)


def test_one_result_explains_itself_in_the_language_asked_each_time() -> None:
    scheme = qk.load(DATA / "worked_example.rule")
    results = scheme.score_table(qk.read_table(DATA / "worked_example.csv"))
    result = results["乙"]
    with qk.use_language("en"):
        english = result.explain()
    with qk.use_language("zh"):
        chinese = result.explain()
        reasons = [entry.reason for entry in result.lost_points()]
    with qk.use_language("en"):
        again = result.explain()
    assert english == again
    assert "line 13: below target by 1–3 points → deduct 3  −3" in english
    assert "第 13 行「低于目标值 1–3 个百分点 → 扣 3 分」  −3" in chinese
    assert "低于 100% 的，每差 1% 扣 0.3 分，扣完为止（最低得 0 分）：2.5 × 0.3" in reasons
    # The words change, the numbers do not.
    assert_ledger_adds_up(result)
    with qk.use_language("zh"):
        assert_ledger_adds_up(result)
        assert result.lost_points() == results["乙"].lost_points()


def test_a_chinese_line_is_quoted_with_its_measure_words() -> None:
    """``扣 3 分`` is quoted whole, though the parse tree has no token for ``分``."""
    scheme = qk.loads(BRIEF, name="示范.rule")
    result = scheme.score({"系统性事件": "否", "合格率": "87.2", "办结率": "97.5", "事件数": "3"})
    with qk.use_language("zh"):
        text = result.explain()
    assert "「低于目标值 1–3 个百分点 → 扣 3 分」" in text
    assert "扣至最高扣分（-2）为止" in text
