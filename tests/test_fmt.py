"""The Chinese surface and ``qualitykpi fmt``: one language, two spellings.

Every shipped example and every rule snippet of the docs is laid out
canonically, translated to Chinese and back to the same text, and its
Chinese twin loads to the same scheme (up to the source text it quotes) and
scores the same.  Generated rule files do the same under hypothesis.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import qualitykpi as qk
import strategies as gen
from conftest import ROOT, read_csv
from qualitykpi.fmt import format_rule, surface_of
from qualitykpi.surface import VOCABULARY, readings
from test_docs import RULE_BLOCKS

EXAMPLES = ROOT / "examples"
ENGLISH_EXAMPLES = sorted(p for p in EXAMPLES.glob("*.rule") if not p.name.endswith(".zh.rule"))
BRIEF = """\
方案 "示范考核" {
  总分 100
  等级 { A 不低于 90；B 不低于 80；C 不低于 60；D 其他 }
  输入 系统性事件: 是否
  否决 "发生区域性、系统性产品质量安全事件" 当 系统性事件 → 等级 D
  部分 "质量目标" 满分 13 {
    项目 "制造业产品质量合格率" 满分 10 责任单位 "第三方机构" {
      输入 合格率: 百分比 精度 0.1
      目标值 90%
      达到目标值 → 满分
      低于目标值 不超过 1 个百分点 → 扣 1 分
      低于目标值 1–3 个百分点 → 扣 3 分
      低于目标值 超过 3 个百分点 → 扣 10 分
      示例 合格率 = 87.2% → 7
      示例 合格率 = 87% → 7
      示例 合格率 = 86.9% → 0
    }
    项目 "旅游投诉办结率" 满分 3 责任单位 "区旅游局" {
      输入 办结率: 百分比
      每差 1% 扣 0.3 分，扣完为止
      示例 办结率 = 97.5% → 2.25
      示例 办结率 = 80% → 0
    }
    项目 "重大质量事件" 最高扣 2 分 {
      输入 事件数: 次数
      每 1 次 扣 1 分
      示例 事件数 = 3 → -2
    }
  }
}
"""


def shape(value: Any) -> Any:
    """A scorer tree without the source text its lines quote: what a rule
    *means*, the same from either surface."""
    if attrs.has(type(value)):
        return (
            type(value).__name__,
            tuple(
                (field.name, shape(getattr(value, field.name)))
                for field in attrs.fields(type(value))
                # `_known` and the like are caches, filled as examples run.
                if field.name != "text" and not field.name.startswith("_")
            ),
        )
    if isinstance(value, (tuple, list)):
        return tuple(shape(item) for item in value)
    if isinstance(value, dict):
        return tuple((key, shape(item)) for key, item in value.items())
    if isinstance(value, str) and " " in value:
        # A computed value is named by its text (`rank of x`, `排名 x`), in
        # the words and the order of its surface (`peer max of x`, `x 的 全市最高值`).
        words = [w for word in value.split() for w in (readings(word) or ((word,),))[0]]
        return tuple(sorted(words))
    return value


def assert_same_meaning(english: str, chinese: str) -> None:
    a = qk.loads(english, "twin.rule")
    b = qk.loads(chinese, "twin.rule")
    assert shape(a.scorer) == shape(b.scorer)
    assert [(o.line, o.passed, o.actual) for o in a.run_examples()] == [
        (o.line, o.passed, o.actual) for o in b.run_examples()
    ]
    assert [(d.code, d.line) for d in qk.check_text(english)] == [
        (d.code, d.line) for d in qk.check_text(chinese)
    ]


# ------------------------------------------------------------ the brief


def test_the_briefs_example_parses_and_scores_as_stated() -> None:
    scheme = qk.loads(BRIEF, "brief.rule")
    outcomes = scheme.run_examples()
    assert len(outcomes) == 6 and all(outcome.passed for outcome in outcomes)
    rate = scheme.score({"系统性事件": "否", "合格率": "87.2", "办结率": "97.5", "事件数": "3"})
    assert str(rate.total) == "7.25"
    assert (
        scheme.score({"系统性事件": "是", "合格率": "90", "办结率": "100", "事件数": "0"}).grade
        == "D"
    )


def test_the_briefs_example_is_canonical_and_has_an_english_twin() -> None:
    assert format_rule(BRIEF) == BRIEF
    english = format_rule(BRIEF, to="en")
    assert "each missing 1% deduct 0.3, floor 0" in english
    # `不超过` in a gap to the target is `up to` (0 < d ≤ 1): the brief's 不超过 1 个百分点.
    assert "below target by up to 1 point → deduct 1" in english
    # A measure word (次) has no English twin: back in Chinese it is left out.
    assert format_rule(english, to="zh") == BRIEF.replace("每 1 次", "每 1")
    assert_same_meaning(english, BRIEF)


# ------------------------------------------------------------ examples


@pytest.mark.parametrize("path", ENGLISH_EXAMPLES, ids=lambda p: p.name)
def test_examples_are_canonical_and_round_trip(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert format_rule(text) == text, "run `qualitykpi fmt -w` on it"
    chinese = format_rule(text, to="zh")
    assert surface_of(chinese) == "zh"
    assert format_rule(chinese) == chinese
    assert format_rule(chinese, to="en") == text
    if path.name != "efficacy.rule":  # needs the plugin's scorer to load
        assert_same_meaning(text, chinese)


def test_the_shipped_chinese_example_is_fmt_output() -> None:
    english = (EXAMPLES / "shuangtaizi-2016-2017.rule").read_text(encoding="utf-8")
    shipped = (EXAMPLES / "shuangtaizi-2016-2017.zh.rule").read_text(encoding="utf-8")
    assert shipped == format_rule(english, to="zh"), (
        "regenerate it: qualitykpi fmt --to zh examples/shuangtaizi-2016-2017.rule"
    )


def test_the_chinese_example_scores_the_data_as_the_english_one() -> None:
    rows = read_csv(EXAMPLES / "shuangtaizi-2016-2017.csv")
    english = qk.load(EXAMPLES / "shuangtaizi-2016-2017.rule").score_table(rows)
    chinese = qk.load(EXAMPLES / "shuangtaizi-2016-2017.zh.rule").score_table(rows)
    assert [(r.entity, r.total, r.grade, [v.name for v in r.vetoes]) for r in english] == [
        (r.entity, r.total, r.grade, [v.name for v in r.vetoes]) for r in chinese
    ]
    for a, b in zip(english, chinese, strict=True):
        assert [(lost.node_id, lost.amount, lost.line) for lost in a.lost_points()] == [
            (lost.node_id, lost.amount, lost.line) for lost in b.lost_points()
        ]


# ------------------------------------------------------------ every snippet


@pytest.mark.parametrize("block", RULE_BLOCKS, ids=lambda b: f"{b.page.name}:{b.line}")
def test_doc_snippets_round_trip(block: Any) -> None:
    # A snippet that parses round-trips, though it may not load (an error's example).
    try:
        english = format_rule(block.text, to="en")
    except qk.RuleSyntaxError:
        pytest.skip("not a rule file on its own (a fragment, or a syntax error's example)")
    chinese = format_rule(english, to="zh")
    assert format_rule(chinese, to="en") == english
    assert format_rule(chinese) == chinese
    assert format_rule(english) == english


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_generated_rules_score_the_same_in_chinese(data: st.DataObject) -> None:
    rule = data.draw(gen.rule_texts(), label="rule")
    english = format_rule(rule.text, to="en")
    chinese = format_rule(english, to="zh")
    assert format_rule(chinese, to="en") == english
    rows = data.draw(gen.text_cohorts(rule), label="rows")
    a = qk.loads(rule.text, "g.rule").score_table(rows)
    b = qk.loads(chinese, "g.rule").score_table(rows)
    assert [(r.entity, r.total, r.grade) for r in a] == [(r.entity, r.total, r.grade) for r in b]
    assert [(e.entity, e.line) for e in a.errors] == [(e.entity, e.line) for e in b.errors]


# ------------------------------------------------------------ the words


def test_chinese_keywords_need_no_space_before_numbers() -> None:
    spaced = qk.loads(BRIEF, "a.rule")
    tight = qk.loads(BRIEF.replace("扣 0.3 分", "扣0.3分").replace("每差 1%", "每差1%"), "a.rule")
    assert shape(spaced.scorer) == shape(tight.scorer)


def test_a_name_that_starts_with_a_keyword_stays_a_name() -> None:
    text = BRIEF.replace("合格率", "满分率")
    assert all(outcome.passed for outcome in qk.loads(text, "a.rule").run_examples())


def test_every_chinese_word_reads_back_as_its_english_words() -> None:
    chinese = {spelling.chinese for spelling in VOCABULARY}
    assert len(chinese) > 80
    for spelling in VOCABULARY:
        assert spelling.english, spelling


# ------------------------------------------------------------ the command


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "qualitykpi", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        input=stdin,
        check=False,
    )


def test_fmt_prints_translates_checks_and_writes(tmp_path: Path) -> None:
    rule = tmp_path / "brief.rule"
    rule.write_text(BRIEF, encoding="utf-8")
    assert run("fmt", str(rule)).stdout == BRIEF
    english = run("fmt", "--to", "en", str(rule)).stdout
    assert english.startswith('scheme "示范考核" {')
    assert run("fmt", "--check", str(rule)).returncode == 0
    messy = tmp_path / "messy.rule"
    messy.write_text(BRIEF.replace("  总分 100", "总分   100"), encoding="utf-8")
    checked = run("fmt", "--check", str(messy), str(rule))
    assert checked.returncode == 1 and "messy.rule" in checked.stderr
    assert run("fmt", "-w", "--to", "en", str(messy)).returncode == 0
    assert messy.read_text(encoding="utf-8") == english
    assert run("fmt", "-", stdin=english).stdout == english


def test_fmt_reports_a_rule_error_and_usage_errors(tmp_path: Path) -> None:
    broken = tmp_path / "broken.rule"
    broken.write_text('方案 "x" {\n  项目 "a" 满分 {\n  }\n}\n', encoding="utf-8")
    result = run("fmt", str(broken))
    assert result.returncode == 2 and "broken.rule:2:" in result.stderr
    assert run("fmt", str(broken), str(broken)).returncode == 2
    assert run("fmt", "--check", "-w", str(broken)).returncode == 2


def test_the_language_reference_lists_every_chinese_keyword() -> None:
    page = (ROOT / "docs" / "language.rst").read_text(encoding="utf-8")
    table = page.split("Every Chinese keyword, and the English words it spells:")[1]
    table = table.split("\nThe shape of a file\n")[0]
    rows = re.findall(r"\* - ``([^`]+)``\n\s+- ``([^`]+)``", table)
    assert rows == [(s.chinese, " ".join(s.english)) for s in VOCABULARY]


# ------------------------------------------------------------ word orders

ORDERS_EN = """\
scheme "语序" {
  item "a" max 10 owner "甲", "乙" {
    input x: count
    input y: count
    deduct 1 for each x, at most 2
    award 0.5 for each whole 2 of y beyond 3
    example x = 1, y = 7 → 10
    example x = 5, y = 0 → 8
  }
  item "b" max 5 {
    input r: percent
    input s: percent
    input t: number
    r each started 1% below 90% → deduct 0.5, floor 0
    s each 1 above 2 → award 1, at most 2
    t at least 120% of peer mean → 3
    s = peer max of s → 4
    example r = 88.5%, s = 4, t = 3 given s peer max 4, t peer mean 3 → 4
  }
  item "c" deduct at most 1 {
    assessed deduction at most 1
  }
  item d "d" deduct {
    input n: count
    assessed deduction 5–10 for each n
    example n = 2, d = 12 → -12
  }
}
"""

ORDERS_ZH = """\
方案 "语序" {
  项目 "a" 满分 10 责任单位 "甲"、"乙" {
    输入 x: 次数
    输入 y: 次数
    每 x 扣 1 分，最多 2 分
    每 满 2 项 y 超出 3 加 0.5 分
    示例 x = 1，y = 7 → 10
    示例 x = 5，y = 0 → 8
  }
  项目 "b" 满分 5 {
    输入 r: 百分比
    输入 s: 百分比
    输入 t: 数值
    r 低于 90%，每差 含不足 1% → 扣 0.5 分，扣完为止
    s 高于 2，每超 1 → 加 1 分，最多 2 分
    t 不低于 全市平均值 的 120% → 3
    s = s 的 全市最高值 → 4
    示例 r = 88.5%，s = 4，t = 3 已知 s 全市最高值 4，t 全市平均值 3 → 4
  }
  项目 "c" 最高扣 1 分 {
    酌情 扣分 最多 1 分
  }
  项目 d "d" 扣分项 {
    输入 n: 次数
    酌情 每 n 扣分 5–10
    示例 n = 2，d = 12 → -12
  }
}
"""

# The same rule as the Chinese surface wrote it before it had orders of its own.
ORDERS_OLD = """\
方案 "语序" {
  项目 "a" 满分 10 责任单位 "甲"，"乙" {
    输入 x: 次数
    输入 y: 次数
    扣 1 分 每 x，最多 2
    加 0.5 分 每 满 2 项 y 超出 3
    示例 x = 1，y = 7 → 10
    示例 x = 5，y = 0 → 8
  }
  项目 "b" 满分 5 {
    输入 r: 百分比
    输入 s: 百分比
    输入 t: 数值
    r 每 进一 1% 低于 90% → 扣 0.5 分，扣完为止
    s 每 1 高于 2 → 加 1 分，最多 2 分
    t 不低于 120% 的 全市 平均值 → 3
    s = 全市 最高值 的 s → 4
    示例 r = 88.5%，s = 4，t = 3 已知 s 全市 最高值 4，t 全市 平均值 3 → 4
  }
  项目 "c" 最高扣 1 分 {
    酌情 扣分 最多 1
  }
  项目 d "d" 扣分项 {
    输入 n: 次数
    酌情 扣分 5–10 每 n
    示例 n = 2，d = 12 → -12
  }
}
"""


def test_chinese_writes_the_documents_word_order() -> None:
    assert format_rule(ORDERS_EN, to="zh") == ORDERS_ZH
    assert format_rule(ORDERS_ZH, to="en") == ORDERS_EN
    assert_same_meaning(ORDERS_EN, ORDERS_ZH)
    assert all(outcome.passed for outcome in qk.loads(ORDERS_ZH, "a.rule").run_examples())


def test_the_english_word_order_of_earlier_chinese_still_reads() -> None:
    assert_same_meaning(ORDERS_EN, ORDERS_OLD)
    assert format_rule(ORDERS_OLD) == ORDERS_ZH


def test_a_reordered_line_quotes_its_whole_text() -> None:
    scheme = qk.loads(ORDERS_ZH, "a.rule")
    texts = [clause.text for clause in scheme.scorer.children[0].clauses]
    # From its first word to its last, the measure word after its number included.
    assert texts == ["每 x 扣 1 分，最多 2 分", "每 满 2 项 y 超出 3 加 0.5 分"]


def test_a_measure_word_or_of_is_told_by_the_word_after_it() -> None:
    per_unit = BRIEF.replace("每 1 次 扣 1 分", "每 1 项 扣 1 分")
    assert all(outcome.passed for outcome in qk.loads(per_unit, "a.rule").run_examples())
    assert "each 1 deduct 1" in format_rule(per_unit, to="en")
    clause = BRIEF.replace("每 1 次 扣 1 分", "每 1 项 事件数 扣 1 分")
    assert "deduct 1 for each 1 of 事件数" in format_rule(clause, to="en")


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ("each x deduct 1", "in English write `deduct N for each NAME`"),
        ("x of peer max at least 1 → full", "in English write `peer STAT of NAME`"),
        ("at least peer mean of 120% → full", "in English write `N of peer STAT`"),
        ("assessed for each x deduction 5–10", "write `assessed deduction A–B for each NAME`"),
        ("less than 2, each missing 1 → deduct 1", "in English write `each U below T`"),
        ("不低于 2，每差 1 → 扣 1 分", "`低于` goes with `每差`"),
        ("低于 2，每超 1 → 扣 1 分", "`低于` goes with `每差`"),
    ],
)
def test_a_chinese_word_order_is_a_rule_error_elsewhere(line: str, words: str) -> None:
    text = f'scheme "s" {{\n  item "i" max 1 {{\n    input x: number\n    {line}\n  }}\n}}\n'
    with pytest.raises(qk.RuleSyntaxError) as raised:
        qk.loads(text, "a.rule")
    assert words in str(raised.value)
    assert raised.value.line == 4
