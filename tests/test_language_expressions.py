"""LANGUAGE-2 §2–6 through rule text: values computed from values.

Every (must parse) example of the brief that computes, with the results
the brief states: ``previous``, ``let``, peer statistics and ranks in
arithmetic, computed scores, ``combine``, grades on more than the total;
and what the brief asks of the tools around them (data errors naming the
expression and its line, the trace, the ledger, cohort examples).
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from click.testing import CliRunner

import qualitykpi as qk
from qualitykpi.cli import main
from qualitykpi.verify import verify


def _scheme(items: str, head: str = "total 100") -> qk.Scheme:
    return qk.loads(f'scheme "s" {{\n  {head}\n{items}\n}}\n', "s.rule")


GROWTH = """\
  item "研发投入增长" max 10 {
    input rd: number
    let growth = (rd − previous rd) / previous rd
    growth at least 10% → full
    growth at least 0% → 6
    otherwise → 0
    example rd = 220, previous rd = 200 → 10
    example rd = 210, previous rd = 200 → 6
    example rd = 190, previous rd = 200 → 0
  }
  item "合格率提升" max 4 {
    input pass: percent precision 0.1
    pass − previous pass at least 2% → full
    pass − previous pass more than 0% → 2
    otherwise → 0
    example pass = 93%, previous pass = 91% → 4
    example pass = 91.5%, previous pass = 91% → 2
    example pass = 90%, previous pass = 91% → 0
  }
"""

COHORT = """\
  item "单位GDP能耗下降率" max 10 {
    input drop: percent
    peer max of drop = peer min of drop → full
    otherwise → 6 + 4 × (drop − peer min of drop) / (peer max of drop − peer min of drop)
  }
  item "质量激励项目" max 5 {
    input awards: count
    → full × awards / peer mean of awards
  }
  item "产值增速" max 6 {
    input speed: percent precision 0.1
    let lead = speed − peer mean of speed
    lead at least 0% → 4 + 0.5 × lead / 1%
    otherwise → 4 + 1 × lead / 1%
  }
"""

RANKS = """\
  item "工业产值排名" max 5 {
    input output: number
    rank of output at most 3 → full
    rank of output at most 6 → 3
    otherwise → 1
    example output = 120 given rank 2 of 13 → 5
    example output = 80 given rank 7 of 13 → 1
  }
"""


def _table(scheme: qk.Scheme, rows: list[dict[str, str]]) -> dict[str, list[str]]:
    results = scheme.score_table(rows)
    assert not results.errors, results.errors
    return {result.entity or "": [str(node.score) for node in result.nodes] for result in results}


# ------------------------------------------------------------- §3 previous


def test_growth_on_last_years_value_as_the_brief_states() -> None:
    scheme = _scheme(GROWTH, "total 14")
    outcomes = scheme.run_examples()
    assert len(outcomes) == 6 and all(outcome.passed for outcome in outcomes)
    # `previous rd` is a data column of its own, in the same table.
    assert scheme.inputs["previous rd"].type == "number"
    assert scheme.inputs["previous pass"].type == "percent"


def test_previous_values_come_from_the_same_table_or_last_periods_file() -> None:
    scheme = _scheme(GROWTH, "total 14")
    same = [
        {"entity": "甲", "rd": "220", "previous rd": "200", "pass": "93", "previous pass": "91"},
        {"entity": "乙", "rd": "210", "previous rd": "200", "pass": "90", "previous pass": "91"},
    ]
    assert _table(scheme, same) == {"甲": ["10", "4"], "乙": ["6", "0"]}
    now = [
        {"entity": name, "rd": row["rd"], "pass": row["pass"]}
        for name, row in (("甲", same[0]), ("乙", same[1]), ("丙", {"rd": "1", "pass": "1"}))
    ]
    last = [
        {"entity": "甲", "rd": "200", "pass": "91"},
        {"entity": "乙", "rd": "200", "pass": "91"},
        {"entity": "丁", "rd": "5", "pass": "5"},
    ]
    results = scheme.score_table(now, previous=last)
    assert [result.entity for result in results] == ["甲", "乙"]
    assert str(results["甲"].total) == "14"
    # An entity of one period only is named; the one without last year's
    # value is a data error naming the expression, the missing column and the line.
    assert any("丙 is not in" in note for note in results.notes)
    assert any("丁 is in last period's data but not" in note for note in results.notes)
    (error,) = [error for error in results.errors if error.entity == "丙"][:1]
    assert "growth" in error.message and "previous rd" in error.message
    assert error.input == "previous rd" and "s.rule:5" in str(error)  # the `let`


def test_a_row_that_contradicts_last_periods_file_is_a_data_error() -> None:
    scheme = _scheme(GROWTH, "total 14")
    now = [{"entity": "甲", "rd": "220", "previous rd": "199", "pass": "93"}]
    last = [{"entity": "甲", "rd": "200", "pass": "91"}]
    results = scheme.score_table(now, previous=last)
    assert "甲" not in results
    assert "previous rd" in results.errors[0].message and "199" in results.errors[0].message


def test_the_trace_shows_each_computed_value_with_its_inputs() -> None:
    scheme = _scheme(GROWTH, "total 14")
    result = scheme.score({"rd": "220", "previous rd": "200", "pass": "93", "previous pass": "91"})
    text = result.explain()
    assert "growth = (rd − previous rd) / previous rd = (220 − 200) / 200 = 10%" in text
    assert "pass − previous pass = 93% − 91% = 2%" in text
    lost = sum((entry.amount for entry in result.lost_points()), Decimal(0))
    assert lost == result.max - result.total


def test_division_by_zero_is_a_data_error_unless_a_line_catches_it() -> None:
    scheme = _scheme(GROWTH, "total 14")
    with pytest.raises(qk.DataError, match=r"growth.*divides by zero") as caught:
        scheme.score({"rd": "220", "previous rd": "0", "pass": "93", "previous pass": "91"})
    assert caught.value.span is not None and caught.value.span.line == 5  # the `let`
    guarded = _scheme(
        """\
  item "研发投入增长" max 10 {
    input rd: number
    let growth = (rd − previous rd) / previous rd
    growth no data → 0
    growth at least 10% → full
    otherwise → 0
  }
"""
    )
    assert guarded.score({"rd": "5", "previous rd": "0"}).total == 0


# ------------------------------------------------------- §4 against the cohort

COHORT_ROWS = [
    {"entity": "甲", "drop": "5", "awards": "6", "speed": "9"},
    {"entity": "乙", "drop": "3", "awards": "3", "speed": "6"},
    {"entity": "丙", "drop": "1", "awards": "0", "speed": "6"},
]


def test_scoring_against_the_cohort_as_the_brief_states() -> None:
    scheme = _scheme(COHORT, "total 21")
    assert _table(scheme, COHORT_ROWS) == {
        "甲": ["10", "5", "5"],
        "乙": ["8", "5", "3"],
        "丙": ["6", "0", "3"],
    }
    # With every drop equal the first line gives full marks to all (and the
    # division by zero of the second line is never reached).
    equal = [dict(row, drop="4") for row in COHORT_ROWS]
    assert [scores[0] for scores in _table(scheme, equal).values()] == ["10", "10", "10"]


def test_the_first_entity_is_capped_and_the_ledger_says_so() -> None:
    scheme = _scheme(COHORT, "total 21")
    result = scheme.score_table(COHORT_ROWS)["甲"]
    text = result.explain()
    assert "5 × awards / peer mean of awards = 5 × 6 / 3 = 10" in text
    assert "capped at its max 5" in text
    assert "lead = speed − peer mean of speed = 9% − 7% = 2%" in text
    lost = sum((entry.amount for entry in result.lost_points()), Decimal(0))
    assert lost == result.max - result.total


def test_one_entity_with_the_peer_statistics_given() -> None:
    scheme = _scheme(COHORT, "total 21")
    result = scheme.score(
        {"drop": "3", "awards": "3", "speed": "6"},
        peers={"drop": {"max": "5", "min": "1"}, "awards": {"mean": "3"}, "speed": {"mean": "7"}},
    )
    assert [str(node.score) for node in result.nodes] == ["8", "5", "3"]


def test_a_cohort_example_computes_its_statistics() -> None:
    scheme = _scheme(
        COHORT.replace(
            "    → full × awards / peer mean of awards\n",
            "    → full × awards / peer mean of awards\n"
            "    example cohort {\n      甲: awards = 6 → 5\n      乙: awards = 3 → 5\n"
            "      丙: awards = 0 → 0\n    }\n",
        ),
        "total 21",
    )
    outcomes = scheme.run_examples()
    assert [(outcome.passed, outcome.actual) for outcome in outcomes] == [
        (True, "5"),
        (True, "5"),
        (True, "0"),
    ]


# ------------------------------------------------------------------- §5 ranks


def test_ranks_share_the_better_rank_and_skip_the_next() -> None:
    scheme = _scheme(RANKS, "total 5")
    outputs = [30, 20, 20, 10, 7, 5, 1]
    rows = [{"entity": f"e{n}", "output": str(v)} for n, v in enumerate(outputs)]
    results = scheme.score_table(rows)
    # ranks 1, 2, 2, 4, 5, 6, 7
    assert [str(result.total) for result in results] == ["5", "5", "5", "3", "3", "3", "1"]
    assert "rank of output = 2 of 7" in results["e1"].explain()
    assert all(outcome.passed for outcome in scheme.run_examples())


def test_better_lower_reverses_the_rank() -> None:
    scheme = _scheme(
        RANKS.replace("input output: number", "input output: number\n    better lower")
    )
    rows = [{"entity": f"e{n}", "output": str(v)} for n, v in enumerate([1, 2, 3, 4, 5, 6, 7])]
    assert [str(result.total) for result in scheme.score_table(rows)][:4] == ["5", "5", "5", "3"]


# ------------------------------------------------------- §6 composites, grades

MIX = """\
  input class: one of "一类", "二类"
  section mix "综合" max 100 {
    item econ "经济发展" max 100 { assessed }
    item eco "生态保护" max 100 { assessed }
    combine {
      class = "一类" → 0.4 × score of econ + 0.6 × score of eco
      otherwise → 0.3 × score of econ + 0.7 × score of eco
    }
  }
  example class = "一类", econ = 85.5, eco = 77 → 80.4
  example class = "二类", econ = 85.5, eco = 77 → 79.55
"""


def test_combine_weights_by_class_and_the_ledger_adds_up() -> None:
    scheme = _scheme(MIX)
    assert all(outcome.passed for outcome in scheme.run_examples())
    result = scheme.score({"class": "二类", "econ": "85.5", "eco": "77"})
    assert result.total == Decimal("79.55")
    lost = sum((entry.amount for entry in result.lost_points()), Decimal(0))
    assert lost == result.max - result.total
    assert scheme.check() == []  # the children's maxima need not add up


def test_combine_takes_the_lower_and_rescales_a_raw_sum() -> None:
    scheme = _scheme(
        """\
  section s "任务与结果" max 100 {
    item tasks "任务完成" max 100 { assessed }
    item result "结果考核" max 100 { assessed }
    combine → min(score of tasks, score of result)
  }
  example tasks = 90, result = 72 → 72
""",
        "total 200",
    )
    assert all(outcome.passed for outcome in scheme.run_examples())
    rescaled = _scheme(
        """\
  section s "基础" max 100 {
    item a "甲" max 5 { assessed }
    item b "乙" max 10 { assessed }
    combine → (score of a + score of b) × 100 / 15
  }
"""
    )
    assert rescaled.score({"a": "4", "b": "8"}).total == 80
    assert rescaled.check() == []
    assert rescaled.source is not None
    over = qk.loads(rescaled.source.text.replace("/ 15", "/ 10"))
    assert [diagnostic.code for diagnostic in over.check()] == ["combine-range"]


GRADED = """\
  grades {
    "达标" at least 90 and score of key at least 60% of max of key
    "基本达标" at least 75
    "未达标" otherwise
  }
  item key "重点任务" max 40 { assessed }
  item rest "其他任务" max 60 { assessed }
  example key = 20, rest = 60 → 80 grade "基本达标"
  example key = 30, rest = 60 → 90 grade "达标"
"""


def test_grades_on_more_than_the_total() -> None:
    scheme = _scheme(GRADED)
    assert all(outcome.passed for outcome in scheme.run_examples())
    # 92 in total, but the key task below 60% of its max: not 达标.
    assert scheme.score({"key": "23", "rest": "60"}).grade == "基本达标"
    codes = [diagnostic.code for diagnostic in scheme.check()]
    assert codes == ["not-analysed"]


def test_grades_by_rank_of_the_total() -> None:
    scheme = _scheme(
        """\
  grades { "优秀" rank of total at most 2; "良好" at least 80; "一般" otherwise }
  item a "甲项" max 100 { assessed }
""",
    )
    rows = [
        {"entity": name, "a": value}
        for name, value in zip("ABCD", ("95", "95", "90", "50"), strict=True)
    ]
    results = scheme.score_table(rows)
    assert [(result.entity, result.grade) for result in results] == [
        ("A", "优秀"),
        ("B", "优秀"),
        ("C", "良好"),
        ("D", "一般"),
    ]


def test_joined_tests_in_vetoes_and_clauses() -> None:
    scheme = _scheme(
        """\
  grades { A at least 90; B at least 60; C otherwise }
  input fraud: yes/no
  input incidents: count
  veto "瞒报" when fraud and incidents at least 1 → grade C
  item "安全" max 100 {
    input checks: count
    input late: yes/no
    checks at least 10 → full
    checks otherwise → 80
    deduct 5 if late or (checks less than 5 and not fraud)
  }
"""
    )
    values = {"fraud": "no", "incidents": "2", "checks": "3", "late": "no"}
    assert str(scheme.score(values).total) == "75"
    assert scheme.score({**values, "fraud": "yes", "incidents": "0"}).grade == "B"  # no veto
    assert scheme.score({**values, "fraud": "yes", "checks": "12"}).grade == "C"


# -------------------------------------------------------------- rule errors


@pytest.mark.parametrize(
    ("line", "code"),
    [
        ("let rd = rd × 2\n    rd at least 1 → full", "let-name"),
        ("let a = b + rd\n    let b = a − rd\n    a at least 1 → full", "let-cycle"),
        ("→ round(rd / 10, 5)", "bad-call"),
        ("→ abs(rd, rd)", "bad-call"),
        ("→ round(rd)", "bad-call"),
        ("→ max(rd)", "bad-call"),
        ("→ min[rd, 10]", "bad-bracket"),
        ("→ score of nowhere", "unknown-node"),
        ("→ rd / speed", "undefined-input"),
        ("→ rank of total", "misplaced"),
        ("→ peer average of rd", "unknown-statistic"),
    ],
)
def test_mistakes_in_calculations_are_rule_errors(line: str, code: str) -> None:
    with pytest.raises(qk.RuleError) as caught:
        _scheme(f'  item "i" max 10 {{\n    input rd: number\n    {line}\n  }}\n')
    found = caught.value
    errors = found.errors if isinstance(found, qk.RuleErrors) else (found,)
    assert code in {getattr(error, "code", "") for error in errors}


def test_a_bare_number_added_to_a_percent_asks_for_percent() -> None:
    with pytest.raises(qk.RuleError, match=r"write `2%`"):
        _scheme(
            '  item "i" max 4 {\n    input pass: percent\n    pass − 2 at least 0% → full\n'
            "    otherwise → 0\n  }\n"
        )


def test_a_computed_value_cannot_be_given_in_an_example() -> None:
    with pytest.raises(qk.RuleError, match="computed from other values"):
        _scheme(GROWTH.replace("example rd = 220, previous rd = 200", "example growth = 10%"))


# --------------------------------------------------------------------- CLI


def test_the_command_reads_last_periods_file(tmp_path: Path) -> None:
    rule = tmp_path / "g.rule"
    rule.write_text('scheme "s" {\n  total 14\n' + GROWTH + "}\n", encoding="utf-8")
    (tmp_path / "now.csv").write_text("entity,rd,pass\n甲,220,93\n丙,1,1\n", encoding="utf-8")
    (tmp_path / "last.csv").write_text("entity,rd,pass\n甲,200,91\n丁,1,1\n", encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(
        main,
        ["score", str(rule), str(tmp_path / "now.csv"), "--previous", str(tmp_path / "last.csv")],
    )
    assert result.exit_code == 1  # 丙 has no previous values: a data error
    assert "甲" in result.stdout and "14" in result.stdout
    assert (
        "丁 is in " in result.stderr and "last.csv but not in this period's data" in result.stderr
    )
    assert "丙 is not in " in result.stderr


def test_fractions_stay_exact() -> None:
    scheme = _scheme('  item "i" max 10 {\n    input a: number\n    → full × a / 3\n  }\n')
    assert scheme.score({"a": "1"}).total == Decimal("3.3333")  # shown rounded, as any score
    assert Fraction(scheme.score({"a": "3"}).total) == 10


def test_verify_draws_a_cohort_to_rank_among() -> None:
    scheme = _scheme(RANKS, "total 5")
    outcome = verify(scheme, examples=30, seed=3)
    assert outcome.ok, outcome.render()
    # Every entity drawn is ranked among the others: none is a data error.
    assert "rank of 'output'" not in outcome.render()


def test_the_data_template_asks_for_last_periods_value_for_the_item_that_reads_it() -> None:
    from qualitykpi.template import template_columns

    scheme = _scheme(GROWTH, "total 14")
    columns = {column.name: column for column in template_columns(scheme)}
    assert columns["previous rd"].label.startswith("研发投入增长")
    assert "--previous" in columns["previous rd"].label
    assert "growth" not in columns  # computed, not collected


def test_the_target_in_a_comparison_and_a_score() -> None:
    scheme = _scheme(
        """\
  item "i" max 10 {
    input done: percent
    target 90%
    done at least target + 2% → full
    otherwise → full × done / target
    example done = 93% → 10
    example done = 45% → 5
  }
""",
        "total 10",
    )
    assert all(outcome.passed for outcome in scheme.run_examples())
    assert "target + 2% = 90% + 2% = 92%" in scheme.score({"done": "93"}).explain()


def test_combine_belongs_to_a_section() -> None:
    with pytest.raises(qk.RuleError, match="`combine` cannot stand in the scheme"):
        _scheme('  combine → 1\n  item a "甲" max 1 { assessed }\n')


def test_the_checks_read_a_value_of_one_input_on_that_inputs_axis() -> None:
    scheme = _scheme(
        """\
  item "达标率" max 10 {
    input rate: percent precision 0.1
    let lead = rate − 90%
    lead at least 2% → full
    lead at most 1% → 5
  }
  item "比值" max 10 {
    input n: count
    let ratio = n / 20
    ratio at least 100% → full
    ratio at least 50% → 6
    otherwise → 0
  }
""",
        "total 20",
    )
    found = [(d.code, d.message) for d in scheme.check()]
    # rate's grid (0.1) makes lead's: 1.1 to 1.9 points are a real gap, and
    # the ratio of a count (a step of 1/20) leaves none.
    assert [code for code, _ in found] == ["gap"]
    assert "1.1–1.9 of `lead`" in found[0][1]
    # Two inputs (or a statistic, a rank): said, not judged.
    two = _scheme(GROWTH, "total 14")
    assert {d.code for d in two.check()} == {"not-analysed"}


# ------------------------------------------- from a new user's first rules


def test_the_rank_of_a_let_follows_its_items_better() -> None:
    scheme = _scheme(
        """\
  item "能耗排名" max 10 {
    input e: number
    input g: number
    better lower
    let r = e / g
    rank of r at most 1 → full
    otherwise → 0
    example cohort { A: e = 1, g = 1 → 10; B: e = 2, g = 1 → 0 }
  }
""",
        "total 10",
    )
    assert [outcome.passed for outcome in scheme.run_examples()] == [True, True]


def test_full_in_an_items_let_is_the_items_max_and_elsewhere_an_error() -> None:
    scheme = _scheme(
        '  item "i" max 8 {\n    input x: number\n    let share = x / full\n'
        "    share at least 50% → full\n    otherwise → 0\n"
        "    example x = 4 → 8\n    example x = 3 → 0\n  }\n",
        "total 8",
    )
    assert all(outcome.passed for outcome in scheme.run_examples())
    with pytest.raises(qk.RuleError, match="`full` can only be read in an item"):
        _scheme(
            '  let share = x / full\n  item "i" max 8 {\n    input x: number\n'
            "    share at least 50% → full\n    otherwise → 0\n  }\n"
        )


@pytest.mark.parametrize("word", ["total", "rank", "peers", "item", "full"])
def test_a_let_may_not_take_a_word_of_the_language(word: str) -> None:
    with pytest.raises(qk.RuleError, match="is a word of the rule language"):
        _scheme(
            f'  item "i" max 8 {{\n    input x: number\n    let {word} = x × 2\n'
            "    x at least 1 → full\n    otherwise → 0\n  }\n"
        )


def test_otherwise_continues_a_let_in_an_item_without_inputs_of_its_own() -> None:
    scheme = _scheme(
        '  input e: number\n  item a "甲" max 10 {\n    let r = e / 2\n'
        "    r at least 1 → full\n    otherwise → 0\n"
        "    example e = 2 → 10\n    example e = 1 → 0\n  }\n",
        "total 10",
    )
    assert all(outcome.passed for outcome in scheme.run_examples())


def test_explain_shows_the_lets_a_comparison_reads() -> None:
    scheme = _scheme(
        '  item "i" max 4 {\n    input q: percent\n    let ref = peer mean of q × 1.2\n'
        "    q at least ref → full\n    otherwise → 1\n  }\n",
        "total 4",
    )
    result = scheme.score({"q": "50"}, peers={"q": {"mean": "50"}})
    assert "ref = peer mean of q × 1.2 = 50% × 1.2 = 60%" in result.explain()


def test_coverage_tries_a_computed_value_through_one_of_its_inputs() -> None:
    from qualitykpi.coverage import coverage

    scheme = _scheme(GROWTH, "total 14")
    report = coverage(scheme)
    stubs = report.render_stubs()
    # 合格率提升's boundaries at 2 and 0 points, on pass's grid (0.1), with
    # previous pass held at the examples' 91%: 92.9% and 91.1%.
    assert "example pass = 92.9%, previous pass = 91% → 2" in stubs
    assert "example pass = 91.1%, previous pass = 91% → 2" in stubs
    # 研发投入增长: growth = 0 is rd = previous rd.
    assert "example rd = 200, previous rd = 200 → 6" in stubs


def test_the_compiled_plan_scores_lines_on_computed_values_as_the_reference() -> None:
    # Growth of 1/3 has no finite decimal form: that entity leaves the plan for
    # the traced evaluator; the others are scored by the plan, and each trace
    # (worked out by the reference when asked) must agree with it.
    scheme = _scheme(GROWTH, "total 14")
    rows = [
        {
            "entity": f"e{n}",
            "rd": str(rd),
            "previous rd": str(prev),
            "pass": "93",
            "previous pass": str(p),
        }
        for n, (rd, prev, p) in enumerate(
            [(220, 200, 91), (210, 200, 92.5), (190, 200, 93), (400, 300, 90), (5, 0, 91)]
        )
    ]
    results = scheme.score_table(rows)
    assert [str(result.total) for result in results] == ["14", "8", "0", "14"]
    for result in results:
        assert "growth" in result.explain()  # the reference agrees, or the Tracer says so
    (error,) = results.errors
    assert error.entity == "e4" and "divides by zero" in error.message


def test_explain_says_only_what_concerns_its_entity_of_last_periods_data(tmp_path: Path) -> None:
    rule = tmp_path / "g.rule"
    rule.write_text('scheme "s" {\n  total 14\n' + GROWTH + "}\n", encoding="utf-8")
    (tmp_path / "now.csv").write_text("entity,rd,pass\n甲,220,93\n丙,1,1\n", encoding="utf-8")
    (tmp_path / "last.csv").write_text("entity,rd,pass\n甲,200,91\n丁,1,1\n", encoding="utf-8")
    args = ["explain", str(rule), str(tmp_path / "now.csv"), "--entity", "丙"]
    result = CliRunner().invoke(main, [*args, "--previous", str(tmp_path / "last.csv")])
    assert "丙 is not in " in result.stderr
    assert "丁" not in result.stderr
