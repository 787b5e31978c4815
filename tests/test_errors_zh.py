"""Rule errors, data errors and failed examples in Chinese.

Every case of ``tests/golden/errors/`` is rendered again in Chinese into
``tests/golden/errors-zh/<case>.txt``; the place, the code and the caret
are those of the English error, only the words differ.  Run with
``QK_UPDATE_GOLDEN=1`` to rewrite the files after a deliberate change of
wording, and read the diff as a rule author would.
"""

from __future__ import annotations

import pytest

import qualitykpi as qk
from conftest import check_golden
from qualitykpi.source import display_width
from qualitykpi.surface import in_chinese, written_in
from test_errors import CASES, GOLDEN, load_case

GOLDEN_ZH = GOLDEN.parent / "errors-zh"


def load_case_zh(case: str) -> qk.RuleError:
    with qk.use_language("zh"):
        return load_case(case)


def test_every_english_case_has_a_chinese_golden_file() -> None:
    assert sorted(path.stem for path in GOLDEN_ZH.glob("*.txt") if path.stem in CASES) == sorted(
        CASES
    )


@pytest.mark.parametrize("case", sorted(CASES))
def test_chinese_golden_text(case: str) -> None:
    check_golden(GOLDEN_ZH / f"{case}.txt", str(load_case_zh(case)) + "\n")


@pytest.mark.parametrize("case", sorted(CASES))
def test_chinese_error_has_the_place_and_code_of_the_english_one(case: str) -> None:
    english, chinese = load_case(case), load_case_zh(case)
    assert type(chinese) is type(english)
    assert [(each.code, each.line, each.column) for each in chinese.errors] == [
        (each.code, each.line, each.column) for each in english.errors
    ]
    for each in chinese.errors:
        assert str(each).startswith(f"{case}.rule:{each.line}:{each.column}: 错误：")
        # The snippet and its caret are the same lines in both languages.
        assert each.render().splitlines()[1:3] == next(
            other.render().splitlines()[1:3]
            for other in english.errors
            if (other.line, other.column) == (each.line, each.column)
        )
    # English is what the suite speaks outside the block.
    assert " error: " in str(load_case(case))


def test_several_errors_are_counted_in_chinese() -> None:
    assert str(load_case_zh("several-errors")).endswith("共 3 处错误。")
    assert load_case_zh("several-errors").message == "3 个错误"


def test_hint_label_is_chinese() -> None:
    text = str(load_case_zh("undefined-input"))
    assert text.endswith("\n      = 提示：是否应为 `incident`？")


def test_caret_under_a_chinese_line_with_a_chinese_message() -> None:
    """A line of Chinese text: the caret counts each CJK character as two columns.

    The line lacks the points after 扣, so the caret stands after its end."""
    text = (
        'scheme "示范考核" {\n'
        '  item "制造业产品质量合格率" max 10 {\n'
        "    input 合格率: percent\n"
        "    合格率 不低于 90% → 扣\n"
        "  }\n"
        "}\n"
    )
    with qk.use_language("zh"), pytest.raises(qk.RuleError) as caught:
        qk.loads(text, name="示范.rule")
    error = caught.value
    assert error.line == 4 and error.column is not None
    message, shown, carets = str(error).splitlines()[:3]
    assert message.startswith("示范.rule:4:")
    assert "错误：" in message
    line = text.splitlines()[3]
    assert shown.endswith(line)
    gutter = shown.index("| ") + 2
    assert carets[gutter:].startswith(" " * display_width(line[: error.column - 1]) + "^")
    assert carets.index("^") == gutter + display_width(line[: error.column - 1])


# ------------------------------------------------------------ data errors

RULE = """scheme "示范考核" {
  item "制造业产品质量合格率" max 10 owner "第三方机构" {
    input 合格率: percent precision 0.1
    target 90%
    meets target → full
    below target by up to 1 points → deduct 1
    below target by 1–3 points → deduct 3
    below target by more than 3 points → deduct 10
    example 合格率 = 87% → 7
    example 合格率 = 95% → 9
  }
  item "重大质量事件" max 2 {
    input 事件数: count
    each 1 → deduct 1, floor 0
  }
}
"""

ROWS = [
    {"entity": "甲区", "合格率": "", "事件数": "1"},
    {"entity": "乙区", "合格率": "八十", "事件数": "0"},
    {"entity": "丙区", "合格率": "120", "事件数": "1.5"},
    {"entity": "丁区", "合格率": "87.25", "事件数": "1"},
    {"entity": "戊区", "合格率": "91", "事件数": "-1"},
]


def _data_errors() -> str:
    scheme = qk.loads(RULE, name="示范.rule")
    lines = [str(error) for error in scheme.score_table(ROWS).errors]
    columns = ["考核对象", "合格 率", "事件数", "备注"]
    lines += [problem.message for problem in qk.check_columns(scheme, columns, "考核对象")]
    return "\n".join(lines) + "\n"


def test_data_errors_in_chinese() -> None:
    """A missing value, unreadable and out-of-domain values, and unknown columns."""
    with qk.use_language("zh"):
        text = _data_errors()
    check_golden(GOLDEN_ZH / "data-errors.txt", text)
    assert "考核对象 '甲区'：" in text and "无数据" in text
    assert "'八十' 不是数值" in text
    assert "列 '合格 率' 与规则的输入项都不对应；是否应为 '合格率'？" in text


def test_data_errors_keep_their_english_wording() -> None:
    text = _data_errors()
    assert "entity '乙区': input '合格率': '八十' is not a number (rule 示范.rule:3)" in text
    assert "column '合格 率' matches no input of the rule; did you mean '合格率'?" in text


def test_a_data_error_read_in_chinese_keeps_its_entity_input_and_value() -> None:
    with qk.use_language("zh"):
        errors = qk.loads(RULE, name="示范.rule").score_table(ROWS).errors
    unreadable = next(error for error in errors if error.entity == "乙区")
    assert (unreadable.input, unreadable.value, unreadable.code) == ("合格率", "八十", "data")


# ------------------------------------------------------------ examples


def test_a_failing_example_says_so_in_chinese() -> None:
    scheme = qk.loads(RULE, name="示范.rule")
    with qk.use_language("zh"):
        failed = [outcome for outcome in scheme.run_examples() if not outcome.passed]
        # The sentence is written when it is read, in the language of that moment.
        assert [outcome.failure for outcome in failed] == ["示例未通过：应得 9，实得 10"]
    english = [outcome for outcome in scheme.run_examples() if not outcome.passed]
    assert english[0].failure == "example failed: expected 9, got 10"


def test_a_failing_grade_example_in_chinese() -> None:
    text = (
        'scheme "s" {\n'
        "  grades { A at least 90; B otherwise }\n"
        '  item "x" max 100 {\n'
        "    input r: percent\n"
        "    at least 90% → full\n"
        "    otherwise → 50\n"
        "  }\n"
        "  example r = 95% → 100 grade B\n"
        "  example r = 20% → grade A\n"
        "}\n"
    )
    scheme = qk.loads(text, name="g.rule")
    with qk.use_language("zh"):
        failures = [outcome.failure for outcome in scheme.run_examples()]
    assert failures == [
        "示例未通过：应得 100 分，等级 B，实得 100 分，等级 A",
        "示例未通过：应得 等级 A，实得 等级 B",
    ]


def test_a_failing_example_with_a_data_error_in_chinese() -> None:
    text = RULE.replace("example 合格率 = 87% → 7", "example 合格率 = 120% → 7")
    scheme = qk.loads(text, name="示范.rule")
    with qk.use_language("zh"):
        outcome = scheme.run_examples()[0]
        assert outcome.failure == "示例未通过：应得 7，实得 出错"
    assert "120 不是百分比" in str(outcome.errors[0])


# ------------------------------------------------------------ scoring-time problems

SCORING_RULE = """scheme "示范考核" {
  grades { A at least 90; B at least 60; C otherwise }
  input 事故: yes/no
  veto "重大事故" when 事故 → grade C
  item k1 "合格率" max 10 {
    input 合格率: percent
    合格率 at least 90% → full
    合格率 at least 80% → 6
  }
  item k2 "评定" max 5 { assessed }
  item k3 "事件" max 3 {
    input 事件数: count
    deduct 1 for each 事件数, at most 3
  }
}
"""

SCORING_ROWS = [
    {"entity": "甲区", "合格率": "70", "k2": "4", "事件数": "1", "事故": "否"},
    {"entity": "乙区", "合格率": "95", "k2": "", "事件数": "0", "事故": "否"},
    {"entity": "丙区", "合格率": "95", "k2": "7", "事件数": "", "事故": ""},
]


def test_problems_found_while_scoring_are_told_in_chinese() -> None:
    """A value no line matches, an assessed score absent or out of range, a count or a
    veto's input absent: found by the nodes while scoring, worded in the language."""
    scheme = qk.loads(SCORING_RULE, name="示范.rule")
    with qk.use_language("zh"):
        errors = scheme.score_table(SCORING_ROWS).errors
        text = "\n".join(str(error) for error in errors) + "\n"
    check_golden(GOLDEN_ZH / "scoring-errors.txt", text)
    assert "项目 '合格率' 没有一行细则与 合格率 = 70% 相符" in text
    assert not any(word in text for word in ("no data", "matches", "assessed", "item '"))
    english = [str(error) for error in scheme.score_table(SCORING_ROWS).errors]
    assert english[0].startswith("entity '甲区': no rule line of item '合格率' matches")


# ------------------------------------------------------------ examples in the file's surface

CHINESE_FILE = """方案 "示范" {
  总分 100
  项目 "合格率" 满分 10 {
    输入 合格率: 百分比
    合格率 不低于 90% → 满分
    合格率 不低于 85% → 扣
  }
}
"""


@pytest.mark.parametrize("language", ["zh", "en"])
def test_a_chinese_file_is_shown_its_keywords_in_chinese(language: str) -> None:
    """The examples in a message are what the author would type: Chinese keywords for a
    Chinese file, in either message language."""
    with qk.use_language(language), pytest.raises(qk.RuleSyntaxError) as caught:
        qk.loads(CHINESE_FILE, name="示范.rule")
    message = caught.value.message
    assert "`扣 1 分`" in message and "deduct" not in message
    if language == "zh":
        # The gloss of the English keyword goes once the keyword is Chinese.
        assert message == "`扣`后须写扣几分，如 `扣 1 分`"


def test_an_english_file_is_shown_english_keywords_in_a_chinese_message() -> None:
    english = CHINESE_FILE.replace("方案", "scheme").replace("总分", "total")
    english = english.replace("项目", "item").replace("满分", "max", 1).replace("满分", "full")
    english = english.replace("输入", "input").replace("百分比", "percent")
    english = english.replace("不低于", "at least").replace("扣", "deduct")
    with qk.use_language("zh"), pytest.raises(qk.RuleSyntaxError) as caught:
        qk.loads(english, name="demo.rule")
    assert caught.value.message == "`deduct`（扣）后须写扣几分，如 `deduct 1`"


@pytest.mark.parametrize(
    ("english", "chinese"),
    [
        ("`deduct 1`", "`扣 1 分`"),
        ('`veto "名称" when incident → grade D`', '`否决 "名称" 当 incident → 等级 D`'),
        ("`each 1 → deduct 0.5`", "`每 1 → 扣 0.5 分`"),
        ("`given rank 2 of 13`", "`已知 排名 2 共 13`"),
        ('`bonus "名称" at most 5`', '`加分项 "名称" 最高加 5`'),
        ("`peer max of x`", "`全市最高值 的 x`"),
        ("`x at least 90% → full`", "`x 不低于 90% → 满分`"),
        ("text outside backticks: at least, deduct", "text outside backticks: at least, deduct"),
        ('`text "deduct 1"`', '`原文 "deduct 1"`'),
        ("an unpaired ` stays `deduct", "an unpaired ` stays `deduct"),
    ],
)
def test_code_examples_are_spelt_in_chinese(english: str, chinese: str) -> None:
    assert in_chinese(english) == chinese


def test_a_file_is_chinese_when_a_keyword_outside_strings_and_comments_is() -> None:
    assert written_in(CHINESE_FILE) == "zh"
    assert written_in('scheme "每差1%" { } # 满分') == "en"
    # A name that holds a keyword is a name: 年度总分 is not 总分.
    assert written_in("scheme x { input 年度总分: number }") == "en"
