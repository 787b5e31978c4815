"""Every construct of LANGUAGE.md §2–8 and §10, through rule text."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

import qualitykpi as qk
from qualitykpi.nodes.evaluation import Context
from qualitykpi.template import template_notes


def item(body: str, *, header: str = 'item "x" max 3', top: str = "") -> qk.Scheme:
    return qk.loads(f'scheme "s" {{\n{top}\n{header} {{\n{body}\n}}\n}}\n')


def total(scheme: qk.Scheme, **values: object) -> Decimal:
    return scheme.score(values).total


# ------------------------------------------------------------------ lexical


def test_full_width_punctuation_and_ideographic_space() -> None:
    text = (
        "scheme “全角” ｛\n".replace("｛", "{")
        + "　item “蔬菜” max 2.5 {\n"
        + "　　input 合格率： percent precision 0.1\n"
        + "　　at least 94.5％ → full；［92％， 94.4％］ => deduct 0.1\n"
        + "　　（85%，92%） -> deduct 0.2\n"
        + "　　otherwise → deduct 0.3\n"
        + "　}\n}\n"
    )
    scheme = qk.loads(text)
    assert total(scheme, 合格率="95") == Decimal("2.5")
    assert total(scheme, 合格率="92") == Decimal("2.4")
    assert total(scheme, 合格率="91.9") == Decimal("2.3")
    assert total(scheme, 合格率="85") == Decimal("2.2")


@pytest.mark.parametrize("dash", ["–", "—", "-", "~", "～", " to "])
def test_range_spellings_include_the_upper_end(dash: str) -> None:
    scheme = item(f"input d: number\n1{dash}3 → deduct 3\notherwise → full")
    assert total(scheme, d="3") == 0
    assert total(scheme, d="1") == 3
    assert total(scheme, d="1.5") == 0


def test_comments_semicolons_and_header_continuation() -> None:
    scheme = qk.loads(
        "# a comment before everything\n"
        'scheme "s" {   # trailing comment\n'
        '  item "x" max 4\n'
        '      owner "甲局",\n'
        '            "乙局"、"丙局"\n'
        "  {\n"
        "    input n: count; = 0 → 0; otherwise → full\n"
        "  }\n"
        "}\n"
    )
    node = scheme.node("x")
    assert node.owners == ("甲局", "乙局", "丙局")
    assert total(scheme, n="2") == 4


def test_negative_numbers_and_escapes() -> None:
    scheme = item('input i: number\ntext "a \\"quoted\\" word"\nat least -5 → full\notherwise → 1')
    assert total(scheme, i="-5") == 3
    assert total(scheme, i="-5.5") == 1
    assert scheme.node("1").text == 'a "quoted" word'


# ---------------------------------------------------------------- conditions


@pytest.mark.parametrize(
    ("condition", "hits", "misses"),
    [
        ("at least 90", ["90", "95"], ["89.9"]),
        ("at most 90", ["90", "0"], ["90.1"]),
        ("more than 90", ["90.1"], ["90"]),
        ("less than 90", ["89.9"], ["90"]),
        ("= 90", ["90"], ["90.1"]),
        (">= 90", ["90"], ["89"]),
        ("≥ 90", ["90"], ["89"]),
        ("≤ 90", ["90"], ["91"]),
        ("[80, 90)", ["80", "89.9"], ["90", "79.9"]),
        ("(80, 90]", ["90", "80.1"], ["80"]),
        ("80–90", ["90", "80.1"], ["80"]),
    ],
)
def test_comparisons(condition: str, hits: list[str], misses: list[str]) -> None:
    scheme = item(f"input v: percent\n{condition} → full\notherwise → 0")
    for value in hits:
        assert total(scheme, v=value) == 3, value
    for value in misses:
        assert total(scheme, v=value) == 0, value


def test_target_tiers() -> None:
    scheme = item(
        "input p: percent\ntarget 90%\nmeets target → full\n"
        "below target by up to 1 points → deduct 1\n"
        "below target by 1–3 points → deduct 2\n"
        "below target by more than 3 points → deduct 3"
    )
    assert [total(scheme, p=v) for v in ("90", "89", "88.9", "87", "86.9")] == [3, 2, 1, 1, 0]


def test_above_target() -> None:
    scheme = item(
        "input c: number\ntarget 10\nabove target by more than 5 → deduct 2\n"
        "above target by up to 5 → deduct 1\notherwise → full"
    )
    assert [total(scheme, c=v) for v in ("10", "12", "15", "15.5")] == [3, 2, 2, 1]


def test_peer_median_and_max() -> None:
    scheme = item(
        "input a: count\nat least 100% of peer max → full\nat least 100% of peer median → 2\n"
        "otherwise → 1"
    )
    results = scheme.score_table(
        [
            {"entity": name, "a": value}
            for name, value in [("p", "1"), ("q", "2"), ("r", "3"), ("s", "8")]
        ]
    )
    assert [str(results[name].total) for name in "pqrs"] == ["1", "1", "2", "3"]
    assert results.peers["a"]["median"] == "2.5"


def test_yes_no_and_no_data() -> None:
    scheme = item("input f: yes/no\nno data → 0\nyes → deduct 2\nno → full")
    assert [total(scheme, f=v) for v in ("yes", "否", "")] == [1, 3, 0]


def test_multi_input_item_names_subjects() -> None:
    scheme = item(
        "input a: percent\ninput b: count\na less than 60% → 0\nb = 0 → 1\notherwise → full"
    )
    assert total(scheme, a="50", b="5") == 0
    assert total(scheme, a="70", b="0") == 1
    assert total(scheme, a="70", b="2") == 3


def test_otherwise_continues_a_computed_subject() -> None:
    # Two inputs, and the lines test the `let` value: `otherwise` tests it too.
    scheme = item(
        "input use: number\ninput quota: number\nlet ratio = use / quota\n"
        "ratio at most 90% → full\notherwise → 1"
    )
    assert total(scheme, use="9", quota="10") == 3
    assert total(scheme, use="10", quota="10") == 1


# ------------------------------------------------------------------ per unit


@pytest.mark.parametrize(
    ("mode", "expected"), [("", "2.25"), ("whole ", "2.4"), ("started ", "2.1")]
)
def test_per_unit_modes(mode: str, expected: str) -> None:
    # 2.5 points short of 100: pro rata 0.75, whole units 0.6, started units 0.9.
    scheme = item(f"input r: percent\neach {mode}1% below 100% → deduct 0.3")
    assert total(scheme, r="97.5") == Decimal(expected)


def test_per_unit_cap_and_floor() -> None:
    capped = item("input n: count\neach 1 → deduct 1, at most 2")
    assert [total(capped, n=v) for v in ("0", "1", "5")] == [3, 2, 1]
    floored = item("input r: percent\neach 1 below 100 → deduct 1, floor 1")
    assert total(floored, r="90") == 1
    result = floored.score({"r": "90"})
    assert [entry.kind for entry in result.lost_points()] == ["line", "floor"]


def test_each_missing_counts_to_the_target_or_the_top() -> None:
    to_target = item("input r: percent\ntarget 95%\neach missing 1% → deduct 0.5")
    assert total(to_target, r="93") == 2
    to_top = item("input r: percent\neach missing 1 → deduct 0.1")
    assert total(to_top, r="80") == 1


def test_each_above_deducts_and_awards() -> None:
    deducting = item("input c: count\neach 1 above 2 → deduct 1")
    assert [total(deducting, c=v) for v in ("2", "3", "9")] == [3, 2, 0]
    awarding = item("input c: count\neach 1 above 2 → award 0.5, at most 2")
    assert [total(awarding, c=v) for v in ("2", "4", "20")] == [0, 1, 2]


def test_scaled_rounds_only_when_it_must() -> None:
    scheme = item("input w: number\nscaled from 0 to 3")
    assert total(scheme, w="1") == 1
    peer = item("input w: number\nscaled to peer max")
    results = peer.score_table([{"entity": "a", "w": "1"}, {"entity": "b", "w": "7"}])
    # 3 × 1/7 = 0.428571… → 0.4286 (four places, half up), and the trace says so.
    assert results["a"].total == Decimal("0.4286")
    assert "rounded" in results["a"].explain()
    assert results["b"].total == 3


# ------------------------------------------------------------------- clauses


def test_independent_deductions_start_from_max() -> None:
    scheme = item(
        "input plan: yes/no\ninput meeting: yes/no\ninput cases: count\n"
        "deduct 1 if not plan\ndeduct 0.5 if not meeting\n"
        "deduct 0.5 for each cases beyond 1, at most 1",
    )
    assert total(scheme, plan="yes", meeting="yes", cases="1") == 3
    assert total(scheme, plan="no", meeting="no", cases="0") == Decimal("1.5")
    assert total(scheme, plan="no", meeting="yes", cases="9") == 1


def test_award_clauses_start_from_zero_and_start_at() -> None:
    awards = item("input actions: count\naward 0.5 for each actions, at most 2")
    assert [total(awards, actions=v) for v in ("0", "3", "10")] == [0, Decimal("1.5"), 2]
    both = item(
        "input good: count\ninput bad: count\nstart at 2\n"
        "award 0.5 for each good\ndeduct 1 for each bad"
    )
    assert total(both, good="2", bad="0") == 3
    assert total(both, good="0", bad="3") == 0


def test_clause_with_comparison_and_whole_units() -> None:
    scheme = item(
        "input rate: percent\ninput days: number\ndeduct 1 if rate less than 90%\n"
        "deduct 0.5 for each whole 7 of days"
    )
    assert total(scheme, rate="89", days="13.9") == Decimal("1.5")


def test_clauses_after_a_table_adjust_it() -> None:
    scheme = item(
        "input r: percent\ninput late: yes/no\nat least 90 → full\notherwise → 1\n"
        "deduct 0.5 if late"
    )
    assert total(scheme, r="95", late="yes") == Decimal("2.5")
    assert total(scheme, r="50", late="yes") == Decimal("0.5")


# --------------------------------------------------------------- aggregation


HENAN_LIKE = """
scheme "s" {
  section "质量水平状况" max 5 {
    section "质量发展" max 5 {
      item "产品质量" max 5 { assessed }
    }
    section "质量安全" deduct at most 3 {
      item "重大质量事件" deduct at most 2 owner "市场监督管理局" {
        input major: count
        deduct 1 for each major
      }
      item "特种设备事故" deduct at most 1 {
        input boiler: yes/no
        deduct 1 if boiler
      }
    }
  }
}
"""


def test_deduction_only_items_subtract_from_the_enclosing_section() -> None:
    scheme = qk.loads(HENAN_LIKE)
    result = scheme.score({"1.1.1": "4.5", "major": "5", "boiler": "yes"})
    assert result["重大质量事件"].score == -2
    assert result["质量安全"].score == -3
    assert result.total == Decimal("1.5")
    low = scheme.score({"1.1.1": "1", "major": "5", "boiler": "yes"})
    assert low.total == 0
    assert sum(entry.amount for entry in low.lost_points()) == low.max - low.total


def test_section_deductions_cap() -> None:
    scheme = qk.loads(
        'scheme "s" { section "a" max 3 deductions at most 1 {\n'
        '  item "b" max 3 { assessed }\n'
        '  item "c" deduct at most 2 { input n: count\n deduct 1 for each n } } }'
    )
    # 3 − 2 deducted, but this section's deductions are capped at 1.
    assert scheme.score({"1.1": "3", "n": "2"}).total == 2


def test_assessed_items_and_deductions() -> None:
    scheme = qk.loads(
        'scheme "s" { item q8 "组织领导" max 2 { assessed }\n'
        ' item q9 "机制" max 1 { assessed deduction at most 1 } }'
    )
    assert scheme.score({"q8": "1.5", "q9": "0.25"}).total == Decimal("2.25")
    with pytest.raises(qk.DataError, match="outside 0–2"):
        scheme.score({"q8": "2.5", "q9": "0"})


def test_bonus_is_capped_at_the_total_unless_plus_bonus() -> None:
    rule = (
        'scheme "s" {{ total 3{plus}\n item "a" max 3 {{ assessed }}\n'
        ' bonus "b" at most 2 {{ input k: count\n award 1 for each k }} }}'
    )
    capped = qk.loads(rule.format(plus=""))
    assert capped.score({"1": "2.5", "k": "5"}).total == 3
    plus = qk.loads(rule.format(plus=" plus bonus"))
    result = plus.score({"1": "2.5", "k": "5"})
    assert result.total == Decimal("4.5")
    assert sum(entry.amount for entry in result.lost_points()) == result.max - result.total


VETO = """
scheme "s" {
  grades { A at least 2; B at least 1; C otherwise }
  input fraud: yes/no
  input disaster: yes/no
  input incidents: count
  veto "造假" when fraud → grade B
  veto "重大事故" when incidents at least 2 → grade C
  veto "灾难" when disaster → score 0
  item "a" max 3 { assessed }
}
"""


def test_vetoes() -> None:
    scheme = qk.loads(VETO)
    clean = scheme.score({"1": "3", "fraud": "no", "disaster": "no", "incidents": "0"})
    assert (clean.total, clean.grade, clean.vetoes) == (3, "A", ())
    both = scheme.score({"1": "3", "fraud": "yes", "disaster": "no", "incidents": "2"})
    assert (both.total, both.grade) == (3, "C")
    assert [hit.name for hit in both.vetoes] == ["造假", "重大事故"]
    zero = scheme.score({"1": "3", "fraud": "no", "disaster": "yes", "incidents": "0"})
    assert (zero.total, zero.grade) == (0, "C")
    assert sum(entry.amount for entry in zero.lost_points()) == 3


def test_derived_ids_and_owner_inheritance() -> None:
    scheme = qk.loads(
        'scheme "s" { section "a" max 2 owner "甲" {\n'
        '  item "b" max 1 { assessed }\n'
        '  item "c" max 1 owner "乙" { part "d" max 1 { assessed } } } }'
    )
    assert [node.id for node in scheme.scorer.walk()] == ["1", "1.1", "1.2", "1.2.1"]
    assert scheme.node("b").owners == ("甲",)
    assert scheme.node("d").owners == ("乙",)


def test_better_declares_the_direction() -> None:
    scheme = item("input n: count\nbetter lower\n[0, 2] → full\notherwise → 0")
    assert scheme.node("1").direction("n") == "lower"


# -------------------------------------------------------------- data errors


def test_absent_value_without_no_data_line_is_a_data_error() -> None:
    scheme = item("input v: percent\nat least 90 → full\notherwise → 0")
    with pytest.raises(qk.DataError, match="no data for 'v'") as caught:
        scheme.score({"v": ""})
    assert caught.value.input == "v"
    assert caught.value.line == 5  # the first line that tests it


def test_no_matching_line_is_a_data_error_naming_the_value() -> None:
    scheme = item("input v: percent\nat least 90 → full")
    with pytest.raises(qk.DataError, match=r"matches v = 80%"):
        scheme.score({"v": "80"})


# ------------------------------------------------------------------ examples


def test_examples_run_at_every_level() -> None:
    scheme = qk.loads(
        'scheme "s" {\n grades { A at least 3; B otherwise }\n'
        ' section "sec" max 4 {\n'
        '  item "a" max 3 { input v: percent\n at least 90 → full\n otherwise → 1\n'
        "   example v = 95% → 3\n   example v = 50% → 1 }\n"
        '  item "b" max 1 { input f: yes/no\n yes → full\n no → 0\n example f = no → 0 }\n'
        "  example v = 95%, f = yes → 4\n }\n"
        " example v = 95%, f = no → 3 grade A\n"
        " example v = 10%, f = no → grade B\n"
        "}\n"
    )
    outcomes = scheme.run_examples()
    assert [outcome.passed for outcome in outcomes] == [True] * 6


def test_failing_example_reports_expected_actual_and_trace() -> None:
    scheme = item("input v: percent\nat least 90 → full\notherwise → 1\nexample v = 95% → 2")
    [outcome] = scheme.run_examples()
    assert not outcome.passed
    assert (outcome.expected, outcome.actual, outcome.line) == ("2", "3", 7)
    assert "at least 90 → full" in outcome.trace


# ---------------------------------------------------------------- input bounds


def test_input_bounds_narrow_the_values_the_data_may_hold() -> None:
    scheme = item(
        "input base: number at least 0 at most 5 precision 0.5\nat least 2 → full\notherwise → 1"
    )
    assert scheme.inputs["base"].low == 0 and scheme.inputs["base"].high == 5
    assert total(scheme, base="4.5") == 3
    for bad, why in (("-0.5", "below the values declared"), ("5.5", "above the values declared")):
        with pytest.raises(qk.DataError, match=why):
            total(scheme, base=bad)


def test_input_bounds_are_checked_when_the_rule_loads() -> None:
    for decl, code in (
        ("input f: yes/no at least 0", "type-mismatch"),
        ("input n: number at least 5 at most 1", "reversed-range"),
        ("input n: number at least 0 at least 1", "duplicate-statement"),
        ("input n: count at least 5%", "percent-literal"),
    ):
        with pytest.raises(qk.RuleError) as caught:
            item(f"{decl}\notherwise → full")
        assert {error.code for error in caught.value.errors} == {code}, decl


def test_input_bounds_are_the_domain_the_checks_see() -> None:
    # Without `at least 0`, the negative values would be a gap.
    text = (
        'scheme "s" { total 3\n item "x" max 3 {\n'
        " input n: number at least 0\n at least 0 → full } }"
    )
    assert qk.check_text(text) == []
    assert [d.code for d in qk.check_text(text.replace(" at least 0\n", "\n"))] == ["gap"]


# ------------------------------------------------------- within … of target


WITHIN = """\
scheme "物价" {
  total 4
  item i "居民消费价格涨幅" max 4 {
    input cpi: percent precision 0.1
    target 3%
    within 0.5 points of target → full
    within 1 point of target → deduct 2
    otherwise → 0
  }
}
"""


@pytest.mark.parametrize(
    ("cpi", "score"),
    [
        ("3", "4"),
        ("3.5", "4"),
        ("2.5", "4"),
        ("3.6", "2"),
        ("2.4", "2"),
        ("2", "2"),
        ("4", "2"),
        ("1.9", "0"),
        ("4.1", "0"),
    ],
)
def test_within_points_of_target_is_a_band_on_both_sides(cpi: str, score: str) -> None:
    result = qk.loads(WITHIN).score({"cpi": cpi})
    assert str(result.total) == score
    if score != "0":  # the band that decided says how far from the target
        assert "away" in result.explain()


def test_within_target_is_checked_as_closer_is_better() -> None:
    assert [finding.code for finding in qk.check_text(WITHIN)] == []
    swapped = WITHIN.replace("→ full", "→ 1").replace("→ deduct 2", "→ 3")
    findings = qk.check_text(swapped)
    assert [finding.code for finding in findings] == ["non-monotone"]
    assert "closer to 3% are better" in findings[0].message
    wider_first = WITHIN.replace("within 0.5 points", "within 2 points")
    assert "unreachable-line" in [finding.code for finding in qk.check_text(wider_first)]


def test_within_target_needs_a_target_and_a_distance_of_at_least_0() -> None:
    with pytest.raises(qk.RuleErrors) as several:
        qk.loads(WITHIN.replace("    target 3%\n", ""))
    assert [error.code for error in several.value.errors] == ["no-target", "no-target"]
    with pytest.raises(qk.RuleError) as caught:
        qk.loads(WITHIN.replace("within 0.5 points", "within -0.5 points"))
    assert caught.value.code == "negative-points"


# --------------------------------------------------------- target from an input

TASK_LETTER = """\
scheme "任务书" {
  total 8
  item t "任务完成率" max 8 {
    input done: percent
    input plan: percent
    target plan
    meets target → full
    below target by up to 5 points → deduct 3
    otherwise → 0
    example done = 92%, plan = 90% → 8
    example done = 86%, plan = 90% → 5
    example done = 80%, plan = 90% → 0
  }
}
"""


def test_a_target_may_be_another_input_of_the_entity() -> None:
    """LANGUAGE-2 §3, 任务完成率 (must parse): each county's own target."""
    scheme = qk.loads(TASK_LETTER)
    assert all(outcome.passed for outcome in scheme.run_examples())
    rows = [
        {"entity": "甲", "done": "92", "plan": "95"},  # 3 below its own target
        {"entity": "乙", "done": "92", "plan": "85"},  # above its own target
        {"entity": "丙", "done": "92", "plan": ""},
    ]
    results = scheme.score_table(rows)
    assert [str(result.total) for result in results] == ["5", "8"]
    (error,) = results.errors
    assert error.entity == "丙" and error.input == "plan" and "the target of 'done'" in str(error)
    assert "target 95%: 3 points below" in results["甲"].explain()
    assert [finding.code for finding in scheme.check()] == ["not-analysed"]


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ("input plan: percent", "input plan: number"),
        ("target plan", "target done done"),
        ("meets target → full", "each missing 1% → deduct 1"),
    ],
)
def test_a_target_input_of_the_wrong_kind_is_a_rule_error(change: str, code: str) -> None:
    with pytest.raises(qk.RuleError) as caught:
        qk.loads(TASK_LETTER.replace(change, code))
    errors = getattr(caught.value, "errors", (caught.value,))
    assert "target-input" in [error.code for error in errors]


# ------------------------------------------------------ total rounded to N places

ROUNDED = """\
scheme "整数" {
  total 100
  total rounded to 0 places
  grades { A at least 90; B at least 80; C at least 60; D otherwise }
  input accident: yes/no
  veto "事故" when accident → score 59.5
  item a "年度一" max 50 { assessed }
  item b "年度二" max 50 { assessed }
  example a = 44.5, b = 45, accident = no → 90 grade A
  example a = 44.5, b = 44.9, accident = no → 89 grade B
}
"""


@pytest.mark.parametrize(
    ("a", "b", "accident", "total", "grade"),
    [
        ("44.5", "45", "no", "90", "A"),
        ("44.5", "44.9", "no", "89", "B"),
        ("30", "29.5", "no", "60", "C"),
        ("50", "50", "yes", "59.5", "D"),  # a veto's score is not rounded up
    ],
)
def test_the_total_is_rounded_half_up_before_vetoes_and_grades(
    a: str, b: str, accident: str, total: str, grade: str
) -> None:
    """LANGUAGE-2 §6, 整数 (must parse)."""
    scheme = qk.loads(ROUNDED)
    assert all(outcome.passed for outcome in scheme.run_examples())
    result = scheme.score({"a": a, "b": b, "accident": accident})
    assert (str(result.total), result.grade) == (total, grade)
    ledger = result.lost_points()
    assert sum((entry.amount for entry in ledger), Decimal(0)) == result.lost
    traced = scheme.scorer.evaluate(
        Context(None, {"a": Fraction(a), "b": Fraction(b), "accident": accident == "yes"})
    )
    assert (traced.total, traced.grade) == (result.total, result.grade)


def test_the_rounding_of_the_total_says_what_it_gives() -> None:
    result = qk.loads(ROUNDED).score({"a": "44.5", "b": "44.9", "accident": "no"})
    reasons = [entry.reason for entry in result.lost_points() if entry.kind == "round"]
    assert reasons == ["the total 89.4 rounded half up to 89"]


def test_places_out_of_range_are_a_rule_error() -> None:
    for places in ("5", "0.5", "-1"):
        with pytest.raises(qk.RuleError) as caught:
            qk.loads(ROUNDED.replace("rounded to 0 places", f"rounded to {places} places"))
        assert caught.value.code in ("bad-places", "syntax")


# ------------------------------------------------------------- linear through

LINEAR = """\
scheme "达标" {
  total 10
  item r "达标率" max 10 {
    input rate: percent precision 0.1
    → linear through (80%, 0), (90%, 6), (100%, 10)
  }
}
"""


@pytest.mark.parametrize(
    ("rate", "score"),
    [
        ("85", "3"),
        ("95", "8"),
        ("70", "0"),
        ("100", "10"),
        ("80", "0"),
        ("90", "6"),
        ("83.3", "1.98"),
        ("91", "6.4"),
    ],
)
def test_linear_through_scores_between_the_points(rate: str, score: str) -> None:
    """LANGUAGE-2 §4, 达标率 (must parse)."""
    scheme = qk.loads(LINEAR)
    fast = scheme.score_table([{"entity": "e", "rate": rate}])["e"]
    traced = scheme.scorer.evaluate(Context(None, {"rate": Fraction(rate)}))
    assert str(fast.total) == str(traced.total) == score
    lost = sum((entry.amount for entry in fast.lost_points()), Decimal(0))
    assert lost == Decimal(10) - Decimal(score)


def test_a_linear_score_with_no_finite_decimal_is_rounded_and_said() -> None:
    scheme = qk.loads(LINEAR.replace("(90%, 6)", "(83%, 1)"))
    result = scheme.score({"rate": "80.1"})  # 1/30 of a point
    assert str(result.total) == "0.0333"
    assert "rounded half up" in result.explain()
    assert scheme.scorer.bounds() == (Fraction(0), Fraction(10))
    assert scheme.node("r").direction("rate") == "higher"


# ------------------------------------------------------------ an item's bonus

ITEM_BONUS = """\
scheme "加分" {
  total 20
  section s "质量" max 20 {
    item q "合格率" max 10 {
      input rate: percent
      at least 90% → full
      otherwise → 5
      bonus at most 2 {
        input awards: count
        award 1 for each awards
      }
    }
    item p "两项" max 10 {
      part "甲" max 5 { input a: yes/no; yes → full; no → 0 }
      part "乙" max 5 { input b: yes/no; yes → full; no → 0 }
      bonus "创新" at most 1 { input c: yes/no; yes → 1; no → 0 }
    }
  }
}
"""


@pytest.mark.parametrize(
    ("row", "total", "bonus"),
    [
        ({"rate": "80", "awards": "3", "a": "yes", "b": "no", "c": "yes"}, "13", "3"),
        ({"rate": "95", "awards": "0", "a": "yes", "b": "yes", "c": "no"}, "20", "0"),
    ],
)
def test_an_item_may_hold_its_own_bonus(row: dict[str, str], total: str, bonus: str) -> None:
    """LANGUAGE-2 §7: a bonus inside an item adds to the total, not to the item."""
    scheme = qk.loads(ITEM_BONUS)
    result = scheme.score_table([{"entity": "e", **row}])["e"]
    assert str(result.total) == total
    assert result["q"].score <= 10 and result["p"].score <= 10
    assert str(result["q.1"].score + result["p.3"].score) == bonus
    assert [node.kind for node in result["q"].children] == ["bonus"]
    ledger = sum((entry.amount for entry in result.lost_points()), Decimal(0))
    assert ledger == result.lost
    values = {name: spec.read(row.get(name)) for name, spec in scheme.inputs.items()}
    traced = scheme.scorer.evaluate(Context("e", values, {}, scheme.inputs))
    assert traced.total == result.total
    # The parts add up to the item without the bonus; nothing to report.
    assert [finding.code for finding in scheme.check()] == []


def test_an_items_example_needs_none_of_its_bonus_inputs() -> None:
    """The bonus does not touch the item's score: its example, its explanation and
    the data sheet keep the two apart."""
    scheme = qk.loads(
        ITEM_BONUS.replace(
            "      otherwise → 5\n", "      otherwise → 5\n      example rate = 80% → 5\n"
        )
    )
    assert all(outcome.passed for outcome in scheme.run_examples())
    result = scheme.score({"rate": "80", "awards": "1", "a": "yes", "b": "yes", "c": "no"})
    assert result["q"].inputs == (("rate", "80%"),)
    assert result["q.1"].inputs == (("awards", "1"),)
    assert "合格率 › 加分" in template_notes(scheme)
    with pytest.raises(qk.DataError, match="awards"):
        scheme.score({"rate": "80", "a": "yes", "b": "yes", "c": "no"})


# ------------------------------------------------------------------ levels

SYSTEM = """\
scheme "体系" {
  total 3
  input class: one of "一类", "二类"
  veto "二类未建立" when class = "二类" → score 0
  item "体系建设" max 1 {                                      # must parse and pass
    input level: one of "完整", "部分", "未建立"
    level = "完整" → full
    level = "部分" → 0.5
    otherwise → 0
    example level = "部分" → 0.5
  }
  item "工作评价" max 2 {
    input rating: one of "优"，"良"、"差"
    in ("优", "良") → full
    = "差" → 0
    deduct 1 if class = "一类"
    award 0.5 if not rating in ("差")
    example rating = "良", class = "二类" → 2
    example rating = "差", class = "一类" → 0
  }
  example level = "完整", rating = "优", class = "一类" → 2.5
  example level = "完整", rating = "优", class = "二类" → 0
}
"""


def test_a_level_input_takes_one_of_its_listed_values() -> None:
    """LANGUAGE-2 §7, 体系建设 (must parse), and a scheme's level input (§6's `class`)."""
    scheme = qk.loads(SYSTEM)
    assert all(outcome.passed for outcome in scheme.run_examples())
    assert scheme.inputs["level"].levels == ("完整", "部分", "未建立")
    assert scheme.inputs["class"].type == "level"
    scores = {"完整": "1", " 部分 ": "0.5", "未建立": "0"}
    for level, score in scores.items():
        result = scheme.score({"level": level, "rating": "优", "class": "一类"})
        assert str(result["1"].score) == score
    assert scheme.check() == []


# ------------------------------------- assessed ranges, adjustments, no caps

ACCIDENTS = """\
scheme "安全" {
  total 10
  section s "安全" max 10 {
    item q "日常监管" max 10 {
      input rate: percent
      at least 90% → full
      otherwise → 6
      assessed adjustment -2 to 2
    }
    item "重大事故" deduct {                                     # must parse
      input accidents: count
      assessed deduction 5–10 for each accidents
    }
  }
  bonus b "创新" {
    input awards: count
    award 1 for each awards
  }
}
"""


def _traced(scheme: qk.Scheme, row: dict[str, str]) -> Decimal:
    values = {name: spec.read(row.get(name)) for name, spec in scheme.inputs.items()}
    return scheme.scorer.evaluate(Context("e", values, {}, scheme.inputs)).total


@pytest.mark.parametrize("dash", ["–", "-", "~", " to "])
def test_an_assessed_deduction_per_event(dash: str) -> None:
    """LANGUAGE-2 §7, 重大事故 (must parse): 2 accidents accept 10 to 20."""
    scheme = qk.loads(ACCIDENTS.replace("5–10", f"5{dash}10"))
    item_id = "s.2"
    assert scheme.inputs[item_id].name == item_id
    for deduction in ("15", "12", "10", "20"):
        row = {
            "entity": "e",
            "rate": "80",
            "q": "0",
            "accidents": "2",
            item_id: deduction,
            "awards": "0",
        }
        results = scheme.score_table([row])
        assert not results.errors
        assert results["e"][item_id].score == -Decimal(deduction)
        assert results["e"].total == max(Decimal(6) - Decimal(deduction), 0) == _traced(scheme, row)
    row = {"entity": "e", "rate": "95", "q": "0", "accidents": "1", item_id: "6", "awards": "0"}
    result = scheme.score_table([row])["e"]
    assert str(result.total) == "4"
    assert sum((entry.amount for entry in result.lost_points()), Decimal(0)) == result.lost
    assert "assessed deduction 6 (5–10 for each of 1 accidents)" in result.explain()
    notes = template_notes(scheme)
    assert "deduction 5–10 for each accidents (assessed)" in notes
    assert "adjustment -2 to 2 (assessed)" in notes
    # No accidents: nothing to judge, nothing deducted.
    assert (
        str(scheme.score({"rate": "95", "q": "0", "accidents": "0", "awards": "0"}).total) == "10"
    )


@pytest.mark.parametrize(
    ("accidents", "deduction", "says"),
    [
        ("2", "25", "the assessed deduction 25 for item 's.2' (重大事故) is outside 10–20"),
        ("2", "8", "outside 10–20 (5–10 for each of 2 accidents)"),
        ("0", "5", "outside 0–0"),
        ("2", "", "no assessed deduction for item 's.2' (重大事故): 2 accidents call for"),
        ("", "5", "no data for 'accidents'"),
    ],
)
def test_an_assessed_deduction_outside_its_range_is_a_data_error(
    accidents: str, deduction: str, says: str
) -> None:
    scheme = qk.loads(ACCIDENTS)
    row = {
        "entity": "丙",
        "rate": "95",
        "q": "0",
        "accidents": accidents,
        "s.2": deduction,
        "awards": "0",
    }
    results = scheme.score_table([row])
    (error,) = results.errors
    assert error.entity == "丙" and says in str(error)
    assert str(error).endswith("(rule <string>:12)")  # the `assessed` line


@pytest.mark.parametrize(
    ("rate", "adjustment", "item", "total"),
    [("85", "1.5", "7.5", "7.5"), ("85", "-2", "4", "4"), ("95", "1", "10", "10")],
)
def test_an_assessed_adjustment_is_added_then_clamped(
    rate: str, adjustment: str, item: str, total: str
) -> None:
    scheme = qk.loads(ACCIDENTS)
    row = {"entity": "e", "rate": rate, "q": adjustment, "accidents": "0", "awards": "0"}
    result = scheme.score_table([row])["e"]
    assert (str(result["q"].score), str(result.total)) == (item, total)
    assert _traced(scheme, row) == result.total
    assert sum((entry.amount for entry in result.lost_points()), Decimal(0)) == result.lost
    assert f"assessed adjustment {'+' if adjustment[0] != '-' else ''}{adjustment}" in (
        result.explain()
    )


@pytest.mark.parametrize("adjustment", ["3", "-2.5", ""])
def test_an_assessed_adjustment_outside_its_bounds_is_a_data_error(adjustment: str) -> None:
    scheme = qk.loads(ACCIDENTS)
    results = scheme.score_table(
        [{"entity": "e", "rate": "85", "q": adjustment, "accidents": "0", "awards": "0"}]
    )
    (error,) = results.errors
    assert error.input == "q" and "-2 to 2" in str(error)


def test_a_bonus_without_a_cap_adds_what_it_awards() -> None:
    scheme = qk.loads(ACCIDENTS.replace("total 10", "total 10 plus bonus"))
    row = {"entity": "e", "rate": "95", "q": "0", "accidents": "0", "awards": "7"}
    result = scheme.score_table([row])["e"]
    assert str(result.total) == "17" == str(_traced(scheme, row))
    assert "b bonus 创新: 7 (no cap)" in result.explain()
    assert scheme.scorer.bounds() == (Fraction(0), None)
    capped = qk.loads(ACCIDENTS)
    assert str(capped.score({"rate": "95", "q": "0", "accidents": "0", "awards": "7"}).total) == (
        "10"
    )
    assert capped.scorer.bounds() == (Fraction(0), Fraction(10))


@pytest.mark.parametrize(
    ("change", "replacement", "code"),
    [
        ("5–10 for each", "10–5 for each", "reversed-range"),
        ("5–10 for each", "-5–10 for each", "negative-points"),
        ("5–10 for each", "5%–10 for each", "percent-literal"),
        ("input accidents: count", "input accidents: percent", "type-mismatch"),
        ("adjustment -2 to 2", "adjustment 2 to -2", "reversed-range"),
        ("award 1 for each awards", "awards at least 1 → full", "impossible-outcome"),
        ('item "重大事故" deduct {', 'section "重大事故" deduct {', "misplaced"),
    ],
)
def test_bad_assessed_ranges_are_rule_errors(change: str, replacement: str, code: str) -> None:
    with pytest.raises(qk.RuleError) as caught:
        qk.loads(ACCIDENTS.replace(change, replacement))
    assert code in [error.code for error in caught.value.errors]


def test_an_adjustment_needs_rule_lines() -> None:
    text = 'scheme "s" {\n item a "a" max 3 {\n  assessed adjustment -1 to 1\n }\n}\n'
    with pytest.raises(qk.RuleError) as caught:
        qk.loads(text)
    assert "misplaced" in [error.code for error in caught.value.errors]
