"""Levels: an input that takes one of listed texts (LANGUAGE-2 §7).

A level is read as its index in the list and shown by its label: these
tests go through the data, the rule errors, the checks, coverage, verify,
the fast path, the explanation and the data template.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

import qualitykpi as qk
from qualitykpi.coverage import coverage
from qualitykpi.nodes.conditions import Env, OneOf
from qualitykpi.template import template_columns
from qualitykpi.values import InputSpec, ValueProblem
from qualitykpi.verify import verify
from qualitykpi.verify.plan import Plan

RULE = """\
scheme "等级" {
  total 3
  input class: one of "一类", "二类"
  veto "未建立体系" when level = "未建立" → score 0
  item "体系建设" max 1 {
    input level: one of "完整", "部分", "未建立"
    level = "完整" → full
    level = "部分" → 0.5
    otherwise → 0
  }
  item "工作评价" max 2 {
    input rating: one of "优", "良", "中", "差"
    in ("优", "良") → full
    = "中" → 1
    otherwise → 0
    deduct 0.5 if class = "二类"
  }
}
"""


@pytest.fixture(scope="module")
def scheme() -> qk.Scheme:
    return qk.loads(RULE, "levels.rule")


# ------------------------------------------------------------------- data


def test_a_cell_is_read_as_its_level_and_shown_by_its_label(scheme: qk.Scheme) -> None:
    spec = scheme.inputs["rating"]
    assert spec.read("良") == Fraction(1)
    assert spec.read("  差 ") == Fraction(3)
    assert spec.read("") is None and spec.read(None) is None
    assert spec.read_exact("中") == Decimal(2)
    assert spec.show(Fraction(1)) == '"良"' and spec.show(None) == "no data"


def test_full_width_and_half_width_forms_match() -> None:
    spec = InputSpec("grade", "level", levels=("A", "B+"))
    assert spec.read("Ａ") == Fraction(0)
    assert spec.read("Ｂ＋") == Fraction(1)


@pytest.mark.parametrize("cell", ["優", "1", 1, True, Decimal(0), "完整 部分"])
def test_a_value_not_listed_is_a_data_error_naming_the_levels(cell: object) -> None:
    spec = InputSpec("rating", "level", levels=("优", "良", "中", "差"))
    with pytest.raises(ValueProblem) as caught:
        spec.read(cell)
    assert '("优", "良", "中", "差")' in str(caught.value)


def test_a_typo_in_the_data_names_entity_input_value_and_levels(scheme: qk.Scheme) -> None:
    rows = [
        {"entity": "甲", "level": "完整", "rating": "优", "class": "一类"},
        {"entity": "乙", "level": "部份", "rating": "优", "class": "一类"},
        {"entity": "丙", "level": "", "rating": "优", "class": "一类"},
    ]
    results = scheme.score_table(rows)
    assert [str(result.total) for result in results] == ["3"]
    (typo,) = [error for error in results.errors if error.entity == "乙"]
    assert (typo.input, typo.value) == ("level", "部份")
    assert '"完整", "部分", "未建立"' in str(typo) and "levels.rule:6" in str(typo)
    absent = [error for error in results.errors if error.entity == "丙"]
    assert absent and all("no data for 'level'" in str(error) for error in absent)


def test_python_callers_pass_the_text(scheme: qk.Scheme) -> None:
    result = scheme.score({"level": "部分", "rating": "中", "class": "二类"})
    assert result.total == Decimal("1")
    vetoed = scheme.score({"level": "未建立", "rating": "优", "class": "一类"})
    assert vetoed.total == 0


# ------------------------------------------------------------- rule errors


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ('level = "部分" → 0.5', 'level = "部份" → 0.5'),
        ("  }\n  item", '    example level = "全部" → 1\n  }\n  item'),
        ('level = "部分" → 0.5', "level at least 1 → 0.5"),
        ('= "中" → 1', 'rating in ("中", "中") → 1'),
        ('input class: one of "一类", "二类"', 'input class: one of "一类", "二类", "一类"'),
        ('input class: one of "一类", "二类"', "input class: one of"),
        ('input class: one of "一类", "二类"', 'input class: one of "一类", "二类", ""'),
        ('input class: one of "一类", "二类"', "input class: count"),
        ("  }\n  item", "    example level = 1 → 1\n  }\n  item"),
        ("  }\n  item", "    target 1\n  }\n  item"),
        ('deduct 0.5 if class = "二类"', "deduct 0.5 if class"),
    ],
)
def test_each_mistake_has_its_code(change: str, code: str) -> None:
    text = RULE.replace(change, code, 1)
    assert text != RULE
    expected = {
        "部份": "unknown-level",
        "全部": "unknown-level",
        "at least": "type-mismatch",
        '"中", "中"': "level-list",
        '"二类", "一类"': "level-list",
        "one of\n": "level-list",
        '""': "level-list",
        "count": "type-mismatch",
        "= 1 →": "type-mismatch",
        "target 1": "type-mismatch",
        "if class\n": "type-mismatch",
    }
    (wanted,) = [value for key, value in expected.items() if key in code + "\n"]
    with pytest.raises(qk.RuleError) as caught:
        qk.loads(text, "levels.rule")
    errors = getattr(caught.value, "errors", (caught.value,))
    assert [error.code for error in errors] == [wanted], str(caught.value)
    assert all(error.line and error.column for error in errors)


def test_a_typo_in_a_level_suggests_the_listed_one() -> None:
    with pytest.raises(qk.RuleError) as caught:
        qk.loads(RULE.replace('level = "部分" → 0.5', 'level = "部份" → 0.5'), "levels.rule")
    text = str(caught.value)
    assert 'levels.rule:8:13: error: "部份" is not one of the levels of `level`' in text
    assert 'did you mean "部分"?' in text and "^^^^" in text


# ------------------------------------------------------------------ checks


def test_a_level_no_line_scores_is_a_gap_naming_it() -> None:
    text = RULE.replace("    otherwise → 0\n  }\n  item", "  }\n  item", 1)
    (finding,) = qk.check_text(text)
    assert finding.code == "gap"
    assert 'the level "未建立" of `level`' in finding.message
    assert 'level = "未建立" → …' in (finding.hint or "")


def test_a_level_taken_by_an_earlier_line_is_reported() -> None:
    text = RULE.replace('= "中" → 1', '= "良" → 1')
    codes = [(finding.code, finding.line) for finding in qk.check_text(text)]
    assert codes == [("unreachable-line", 14)]


def test_levels_apart_in_the_list_are_noted_not_judged() -> None:
    text = RULE.replace('in ("优", "良") → full', 'in ("优", "中") → full').replace(
        '= "中" → 1', '= "良" → 1'
    )
    (finding,) = qk.check_text(text)
    assert finding.code == "not-analysed" and finding.severity == "info"
    assert finding.line == 13


def test_levels_have_no_order_of_merit(scheme: qk.Scheme) -> None:
    # 差 scores more than 中 here; no direction is read from the list.
    text = RULE.replace("otherwise → 0\n    deduct", "otherwise → 2\n    deduct")
    assert qk.check_text(text) == []
    assert scheme.check() == []


# --------------------------------------------------------- coverage, verify


def test_each_level_is_a_coverage_case(scheme: qk.Scheme) -> None:
    report = coverage(scheme)
    rendered = report.render()
    for level in ("完整", "部分", "未建立", "优", "良", "中", "差"):
        assert f'the level "{level}" is not tried' in rendered
    assert 'class = "二类", where it deducts' in rendered
    assert '(such as `level = "未建立"`)' in rendered
    stubs = report.render_stubs()
    assert 'example level = "部分" → 0.5' in stubs
    assert "example level = 1" not in stubs


def test_examples_try_the_levels_they_give() -> None:
    text = RULE.replace(
        "    otherwise → 0\n  }\n  item",
        '    otherwise → 0\n    example level = "部分" → 0.5\n  }\n  item',
        1,
    )
    report = coverage(qk.loads(text))
    tried = [case.what for case in report.tried]
    assert tried == ['the level "部分" is not tried']


def test_verify_draws_every_level(scheme: qk.Scheme) -> None:
    plan = Plan.of(scheme)
    rating = plan.input("rating")
    assert (rating.low, rating.high, rating.step) == (0, 3, 1)
    assert "rating" not in plan.directed
    outcome = verify(scheme, examples=30, seed=3)
    assert outcome.ok, outcome.render()


# ------------------------------------------------------ fast path, explain


def test_the_fast_path_compares_a_level_as_its_index(scheme: qk.Scheme) -> None:
    item = scheme.node("2")
    assert item.table is not None
    run = item.table.fast(item.max, {}, {}, ())
    for index, expected in enumerate(("2", "2", "1", "0")):
        assert run({"rating": Decimal(index)}) == Decimal(expected)
    (clause,) = item.clauses
    change = clause.fast(None, {}, ())
    assert change({"class": Decimal(1)}) == Decimal("-0.5")
    assert change({"class": Decimal(0)}) == 0
    rows = [
        {"entity": f"e{i}", "level": level, "rating": rating, "class": kind}
        for i, (level, rating, kind) in enumerate(
            [("完整", "优", "一类"), ("部分", "中", "二类"), ("未建立", "差", "一类")]
        )
    ]
    fast = [result.total for result in scheme.score_table(rows)]
    traced = [scheme.score(row).total for row in rows]
    assert fast == traced == [Decimal(3), Decimal("1"), Decimal(0)]


def test_explanations_show_the_label(scheme: qk.Scheme) -> None:
    result = scheme.score({"level": "部分", "rating": "中", "class": "二类"})
    text = result.explain()
    assert 'level = "部分"' in text and 'rating = "中", class = "二类"' in text
    assert 'line 8: level = "部分" → 0.5' in text
    assert 'deduct 0.5 if class = "二类"' in text
    lost = sum((entry.amount for entry in result.lost_points()), Decimal(0))
    assert lost == result.max - result.total


def test_the_data_template_lists_the_levels(scheme: qk.Scheme) -> None:
    columns = {column.name: column for column in template_columns(scheme)}
    assert columns["rating"].allowed == "one of 优、良、中、差"
    assert columns["rating"].levels == ("优", "良", "中", "差")
    assert columns["rating"].low is None and columns["rating"].high is None


def test_the_xlsx_template_offers_the_levels(scheme: qk.Scheme) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    from openpyxl.worksheet.datavalidation import DataValidation

    from qualitykpi.template import _validation

    column = next(column for column in template_columns(scheme) if column.name == "level")
    rule = _validation(column, "C", DataValidation)
    assert rule.type == "list" and rule.formula1 == '"完整,部分,未建立"'
    assert openpyxl is not None


# ---------------------------------------------------------------- the node


def test_the_condition_node_says_what_it_means() -> None:
    apart = OneOf(("优", "良", "中", "差"), (3, 0))
    assert apart.chosen == (0, 3) and apart.labels == ("优", "差")
    assert apart.interval_is_hull and repr(apart) == '<in ("优", "差")>'
    together = OneOf(("优", "良", "中", "差"), (1, 2))
    assert not together.interval_is_hull
    assert together.interval(None) is not None and together.side() is None
    assert together.holds(Fraction(2), Env(), None) and not together.holds(Fraction(3), Env(), None)
    assert not together.holds(True, Env(), None) and not together.holds(None, Env(), None)
    with pytest.raises(ValueError):
        OneOf(("优", "良"), (2,))
    with pytest.raises(ValueError):
        OneOf(("优", "良"), ())
