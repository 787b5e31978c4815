"""扣分说明: the notice each assessed unit receives (golden files in both languages)."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

import qualitykpi as qk
from conftest import ROOT, check_golden
from test_cli import run

GOLDEN = Path(__file__).resolve().parent / "golden" / "notice"
EXAMPLES = ROOT / "examples"

BONUS_RULE = """\
scheme "加分考核" {
  total 10
  grades { 优秀 at least 9; 合格 otherwise }
  section "质量工作" max 10 {
    item "合格率" max 8 owner "市场监管局" support "统计局" {
      text "合格率达到95%的得满分，每低1个百分点扣2分，扣完为止。"
      input rate "产品质量合格率（%）": percent
      each 1% below 95% → deduct 2, floor 0
    }
    item "质量宣传" max 2 owner "宣传部" {
      input campaigns: count
      at least 2 → full
      otherwise → 0
    }
    bonus "质量创新" at most 3 owner "科技局" {
      input innovations: count
      award 1 for each innovations
    }
  }
}
"""


def _scored(name: str) -> tuple[qk.Scheme, qk.Results]:
    scheme = qk.load(EXAMPLES / f"{name}.rule")
    return scheme, scheme.score_table(qk.read_table(EXAMPLES / f"{name}.csv"))


@pytest.fixture(scope="module")
def bonus() -> tuple[qk.Scheme, qk.Results]:
    scheme = qk.loads(BONUS_RULE, name="bonus.rule")
    rows = [
        {"entity": "甲县", "rate": "91.5", "campaigns": "1", "innovations": "2"},
        {"entity": "乙县", "rate": "96", "campaigns": "3", "innovations": "0"},
        {"entity": "丙县", "产品质量合格率（%）": "90", "campaigns": "2", "innovations": "1"},
    ]
    return scheme, scheme.score_table(rows)


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize(
    ("example", "entity"), [("shuangtaizi-2016-2017", "盘山县"), ("henan-2021", "新乡市")]
)
def test_notice_golden(example: str, entity: str, lang: str) -> None:
    scheme, results = _scored(example)
    with qk.use_language(lang):  # type: ignore[arg-type]
        text = qk.notice(results, entity, scheme)
    check_golden(GOLDEN / f"{example}.{entity}.{lang}.txt", text)


def test_a_chinese_notice_quotes_an_english_rule_line_in_chinese_keywords() -> None:
    """As the brief's example reads: 按第 72 行「低于目标值 5–10 个百分点 → 扣 6 分」."""
    scheme, results = _scored("shuangtaizi-2016-2017")
    with qk.use_language("zh"):
        chinese = qk.notice(results, "盘山县", scheme)
    english = qk.notice(results, "盘山县", scheme)
    assert "评分细则第 72 行：「低于目标值 5–10 个百分点 → 扣 6 分」" in chinese
    assert "below target by 5–10 points → deduct 6" not in chinese
    assert "Rule line 72: “below target by 5–10 points → deduct 6”" in english


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_notice_with_a_bonus_and_of_a_unit_that_lost_nothing(
    bonus: tuple[qk.Scheme, qk.Results], lang: str
) -> None:
    scheme, results = bonus
    assert not results.errors
    assert results["乙县"].lost == 0
    with qk.use_language(lang):  # type: ignore[arg-type]
        check_golden(GOLDEN / f"bonus.甲县.{lang}.txt", qk.notice(results, "甲县", scheme))
        check_golden(GOLDEN / f"bonus.乙县.{lang}.txt", qk.notice(results, "乙县", scheme))


def test_the_column_is_named_by_its_header(bonus: tuple[qk.Scheme, qk.Results]) -> None:
    scheme, results = bonus
    assert "Data: 产品质量合格率（%） 90%" in qk.notice(results, "丙县", scheme)
    # Without the scheme, the input's name stands for its column.
    assert "Data: rate 90%" in qk.notice(results, "丙县")


def _all_results() -> list[tuple[str, qk.Scheme, qk.Results]]:
    found = [(name, *_scored(name)) for name in ("shuangtaizi-2016-2017", "henan-2021")]
    scheme = qk.loads(BONUS_RULE, name="bonus.rule")
    rows = [{"entity": "甲县", "rate": "91.5", "campaigns": "1", "innovations": "2"}]
    return [*found, ("bonus", scheme, scheme.score_table(rows))]


@pytest.mark.parametrize(("name", "scheme", "results"), _all_results())
def test_the_points_listed_add_up_to_what_was_lost(
    name: str, scheme: qk.Scheme, results: qk.Results
) -> None:
    for result in results:
        assert result.entity is not None
        notice = qk.build_notice(results, result.entity, scheme)
        listed = sum((Fraction(point.amount) for point in notice.points), Fraction(0))
        listed -= Fraction(notice.bonus_points)
        listed += sum((Fraction(amount) for _, amount in notice.adjustments), Fraction(0))
        assert listed == Fraction(result.max) - Fraction(result.total), (name, result.entity)
        assert notice.lost == result.lost


def test_ranks_and_vetoes_come_from_the_results() -> None:
    scheme, results = _scored("henan-2021")
    notice = qk.build_notice(results, "新乡市", scheme)
    assert (notice.rank, notice.cohort, notice.grade) == (14, 14, "D")
    assert [veto.name for veto in notice.vetoes] == ["发生区域性、系统性产品质量安全事件"]
    with pytest.raises(KeyError):
        qk.build_notice(results, "不存在的市", scheme)


# ---------------------------------------------------------------------- cli

SHUANGTAIZI = ("../examples/shuangtaizi-2016-2017.rule", "../examples/shuangtaizi-2016-2017.csv")


def test_cli_prints_the_notice_of_one_entity() -> None:
    code, out, err = run("explain", *SHUANGTAIZI, "--entity", "盘山县", "--notice")
    assert (code, err) == (0, "")
    scheme, results = _scored("shuangtaizi-2016-2017")
    assert out == qk.notice(results, "盘山县", scheme)


def test_cli_prints_every_notice_one_to_a_page() -> None:
    code, out, err = run("explain", *SHUANGTAIZI, "--notice")
    assert (code, err) == (0, "")
    pages = out.split("\f\n")
    scheme, results = _scored("shuangtaizi-2016-2017")
    assert pages == [qk.notice(results, entity, scheme) for entity in results.results]


def test_cli_explain_needs_an_entity_or_notice() -> None:
    code, _, err = run("explain", *SHUANGTAIZI)
    assert code == 2
    assert "--entity NAME" in err
