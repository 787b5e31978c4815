"""The static checks: the seed's own defects, every code, and generated tables.

The property tests build band tables whose gaps and overlaps are known by
construction — a partition of the precision grid, with bands deleted or
widened on purpose — and compare the checker's exact value sets with a
brute-force count over the grid.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from itertools import pairwise
from pathlib import Path

import attrs
import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

import qualitykpi as qk
from qualitykpi import check, check_text
from qualitykpi.checks import (
    check_scheme,
    check_total,
    format_ranges,
    reachable_grades,
    reachable_ranges,
)
from qualitykpi.checks.tables import analyse_table, condition_set
from qualitykpi.diagnostics import CODES, Diagnostic
from qualitykpi.domains import Domain, Interval, ValueSet

ROOT = Path(__file__).resolve().parents[1]
WORKED = ROOT / "tests" / "data" / "worked_example.rule"
SHUANGTAIZI = ROOT / "examples" / "shuangtaizi-2016-2017.rule"
HENAN = ROOT / "examples" / "henan-2021.rule"
NINGXIA = ROOT / "examples" / "ningxia-2013-2014.rule"

PROPERTY = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def found(diagnostics: Sequence[Diagnostic]) -> list[tuple[str, int]]:
    return [(d.code, d.line) for d in diagnostics]


def codes_of(text: str) -> list[str]:
    return sorted(d.code for d in check_text(text))


# ------------------------------------------------------- the seed's defects


def test_worked_example_findings() -> None:
    diagnostics = check(WORKED)
    assert found(diagnostics) == [
        ("total-mismatch", 2),
        ("unreachable-grade", 3),
        ("unreachable-grade", 3),
        ("unreachable-grade", 3),
        ("shorthand-endpoint", 14),
        ("gap", 28),
        ("shadowed", 36),
        # infra_index is a number with no lower bound: its peer mean can be negative.
        ("negative-peer", 53),
    ]
    by_code = {d.code: d for d in diagnostics}
    gap = by_code["gap"]
    assert "values below 98% (0–97.9%)" in gap.message
    assert "`livestock_rate`" in gap.message and '"畜禽产品"' in gap.message
    shadowed = by_code["shadowed"]
    assert shadowed.message.startswith("values 93–93.4% of this line are already taken by line 35")
    assert shadowed.related == (35,)
    assert "meant to end at 92.9%?" in shadowed.message
    assert shadowed.column == 9  # the condition `[90%, 93.4%]`
    assert all(d.file == str(WORKED) for d in diagnostics)


def test_shuangtaizi_findings() -> None:
    diagnostics = check(SHUANGTAIZI)
    assert found(diagnostics) == [("shorthand-endpoint", 71), ("gap", 110), ("shadowed", 124)]
    gap, shadowed = diagnostics[1], diagnostics[2]
    assert "values below 98% (0–97.9%) of `livestock_rate`" in gap.message
    assert "values 93–93.4%" in shadowed.message and shadowed.related == (123,)


@pytest.mark.parametrize("path", [HENAN, NINGXIA], ids=["henan", "ningxia"])
def test_other_examples_are_clean(path: Path) -> None:
    assert check(path) == []


def test_scheme_loaded_and_text_give_the_same() -> None:
    text = WORKED.read_text(encoding="utf-8")
    by_path = check(str(WORKED))
    by_text = check_text(text, name=str(WORKED))
    by_scheme = check_scheme(qk.load(WORKED))
    assert by_path == by_text == by_scheme
    assert check(Path(WORKED)) == by_path
    assert qk.Environment().check(WORKED) == by_path
    assert {d.file for d in check_text(text)} == {"<string>"}


def test_a_path_is_a_path_and_text_is_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`{draft}.rule` is a file name to both fronts; rule text never opens a file."""
    monkeypatch.chdir(tmp_path)
    Path("{draft}.rule").write_text(WORKED.read_text(encoding="utf-8"), encoding="utf-8")
    assert check("{draft}.rule") == qk.Environment().check("{draft}.rule")
    assert {d.file for d in check("{draft}.rule")} <= {"{draft}.rule"}
    # A string that names an existing file is still only text to check_text.
    Path("secret").write_text("password = hunter2\n", encoding="utf-8")
    (finding,) = check_text("secret")
    assert finding.code == "syntax" and "hunter2" not in finding.message
    assert check_text("secret") == qk.Environment().check_text("secret")


# ------------------------------------------------------------ every code

CASES: list[tuple[str, str, int]] = [
    (
        "negative-peer",
        """scheme "s" {
  total 4
  item "研发投入增速" max 4 {
    input growth: number
    at least 120% of peer mean → 4
    otherwise → 0
  }
}""",
        5,
    ),
    (
        "peer-max-zero",
        """scheme "s" {
  total 5
  item "获奖数量" max 5 {
    input awards: count
    scaled to peer max
  }
}""",
        5,
    ),
    (
        "gap",
        """scheme "s" {
  total 2
  item "畜禽产品" max 2 {
    input r: percent precision 0.1
    at least 98% → full
  }
}""",
        3,
    ),
    (
        "not-analysed",
        """scheme "s" {
  total 8
  item "任务完成率" max 8 {
    input done: percent
    input plan: percent
    target plan
    meets target → full
    otherwise → 0
  }
}""",
        3,
    ),
    (
        # Levels with another between them are no one range of the checks.
        "not-analysed",
        """scheme "s" {
  total 2
  item "工作评价" max 2 {
    input rating: one of "优", "良", "中", "差"
    in ("优", "差") → full
    otherwise → 1
  }
}""",
        5,
    ),
    (
        "gap",
        """scheme "s" {
  total 1
  item "体系建设" max 1 {
    input level: one of "完整", "部分", "未建立"
    level = "完整" → full
    level = "部分" → 0.5
  }
}""",
        3,
    ),
    (
        "unreachable-line",
        """scheme "s" {
  total 2
  item "工作评价" max 2 {
    input rating: one of "优", "良", "中", "差"
    in ("优", "良", "中") → full
    = "良" → 1
    otherwise → 0
  }
}""",
        6,
    ),
    (
        "no-data-line",
        """scheme "s" {
  total 2
  item "a" max 1 { input a: yes/no; yes → full; no → 0; no data → 0 }
  item "b" max 1 { input b: yes/no; yes → full; no → 0 }
}""",
        4,
    ),
    (
        "shadowed",
        """scheme "s" {
  total 1.5
  item "水产品" max 1.5 {
    input r: percent precision 0.1
    at least 93% → full
    [90%, 93.4%] → deduct 0.1
    less than 90% → 0
  }
}""",
        6,
    ),
    (
        "unreachable-line",
        """scheme "s" {
  total 4
  item "a" max 4 {
    input n: count
    at least 2 → full
    at least 3 → 2
    otherwise → 0
  }
}""",
        6,
    ),
    (
        "otherwise-not-last",
        """scheme "s" {
  total 4
  item "a" max 4 {
    input n: count
    = 0 → full
    otherwise → 0
    = 1 → 2
    no data → 0
  }
}""",
        7,
    ),
    (
        "shorthand-endpoint",
        """scheme "s" {
  total 5
  item "a" max 5 {
    input d: count
    better lower
    = 0 → full
    0–3 → 3
    3–5 → 1
    more than 5 → 0
  }
}""",
        8,
    ),
    (
        "non-monotone",
        """scheme "s" {
  total 5
  item "a" max 5 {
    input r: percent
    at least 90% → full
    [80%, 90%) → 2
    [70%, 80%) → 3
    less than 70% → 0
  }
}""",
        7,
    ),
    (
        "sum-mismatch",
        """scheme "s" {
  total 5
  item "a" max 5 {
    part "p" max 2 { input p: yes/no; yes → full; no → 0 }
    part "q" max 2 { input q: yes/no; yes → full; no → 0 }
  }
}""",
        3,
    ),
    (
        "ratio-number",
        """scheme "s" {
  total 10
  item "达标比例" max 10 {
    input n: count
    let share = n / 20
    share at least 90 → full
    otherwise → 0
  }
}""",
        6,
    ),
    (
        "combine-range",
        """scheme "s" {
  total 100
  section s "折算" max 100 {
    item a "甲" max 10 { assessed }
    item b "乙" max 5 { assessed }
    combine → (score of a + score of b) × 10
  }
}""",
        3,
    ),
    (
        "total-mismatch",
        """scheme "s" {
  total 100
  item "a" max 35 { input a: yes/no; yes → full; no → 0 }
}""",
        2,
    ),
    (
        "missing-total",
        """scheme "s" {
  item "a" max 10 { input a: yes/no; yes → full; no → 0 }
}""",
        1,
    ),
    (
        "deduction-exceeds",
        """scheme "s" {
  total 10
  item "a" max 10 {
    input a: yes/no
    yes → full
    no → deduct 12
  }
}""",
        6,
    ),
    (
        "award-above-max",
        """scheme "s" {
  total 10
  item "a" max 10 {
    input a: count
    award 2 for each a, at most 12
  }
}""",
        5,
    ),
    (
        "negative-score",
        """scheme "s" {
  total 10
  item "a" max 10 {
    input a: yes/no
    yes → full
    no → -2
  }
}""",
        6,
    ),
    (
        "no-cap",
        """scheme "s" {
  total 10
  item "a" max 10 { input a: yes/no; yes → full; no → 0 }
  item "b" deduct {
    input incidents: count
    deduct 1 for each incidents
  }
}""",
        4,
    ),
    (
        "grade-order",
        """scheme "s" {
  total 100
  grades { A at least 80; B at least 90; C otherwise }
  item "a" max 100 { input x: percent; scaled from 0 to 100 }
}""",
        3,
    ),
    (
        "unreachable-grade",
        """scheme "s" {
  total 35
  grades { A at least 90; B at least 30; C otherwise }
  item "a" max 35 { input x: percent; scaled from 0 to 100 }
}""",
        3,
    ),
    (
        "veto-no-effect",
        """scheme "s" {
  total 1
  grades { A at least 1; B otherwise }
  input x: yes/no
  veto "v" when x → grade A
  item "a" max 1 { input a: yes/no; yes → full; no → 0 }
}""",
        5,
    ),
    (
        "unused-input",
        """scheme "s" {
  total 1
  input spare: count
  item "a" max 1 { input a: yes/no; yes → full; no → 0 }
}""",
        3,
    ),
    (
        "duplicate-name",
        """scheme "s" {
  total 2
  item "a" max 1 { input a: yes/no; yes → full; no → 0 }
  item "a" max 1 { input b: yes/no; yes → full; no → 0 }
}""",
        4,
    ),
    (
        "no-owner",
        """scheme "s" {
  total 2
  item "a" max 1 owner "市场监管局" { input a: yes/no; yes → full; no → 0 }
  item "b" max 1 { input b: yes/no; yes → full; no → 0 }
}""",
        4,
    ),
]


@pytest.mark.parametrize(("code", "text", "line"), CASES, ids=[case[0] for case in CASES])
def test_each_code(code: str, text: str, line: int) -> None:
    diagnostics = check_text(text, name="case.rule")
    assert [d.code for d in diagnostics] == [code], "\n".join(map(str, diagnostics))
    (diagnostic,) = diagnostics
    assert diagnostic.severity == CODES[code][0]
    if line:
        assert diagnostic.line == line
    assert diagnostic.file == "case.rule"


def test_every_code_has_a_case() -> None:
    assert {case[0] for case in CASES} == set(CODES)


def test_unreachable_grade_below_the_lowest_total() -> None:
    text = """scheme "s" {
  total 10
  grades { A at least 8; B at least 5; C less than 5 }
  item "a" max 10 {
    input r: percent
    at least 50% → full
    otherwise → 6
  }
}"""
    (diagnostic,) = check_text(text)
    assert diagnostic.code == "unreachable-grade" and "grade C" in diagnostic.message
    assert "(6–10)" in diagnostic.message and "totals below 5" in diagnostic.message
    assert reachable_grades(qk.loads(text)) == ["A", "B"]


def test_grade_forced_by_a_veto_is_reachable() -> None:
    text = """scheme "s" {
  total 10
  grades { A at least 8; D otherwise }
  input bad: yes/no
  veto "v" when bad → grade D
  item "a" max 10 { input r: percent; at least 50% → full; otherwise → 9 }
}"""
    assert check_text(text) == []
    assert reachable_grades(qk.loads(text)) == ["A", "D"]


def test_a_grade_that_reads_a_rank_takes_no_totals_from_the_grades_below() -> None:
    # 9.5 is not A when it ranks second, so B and C stay reachable.
    text = """scheme "s" {
  total 10
  grades { A rank of total at most 1 and at least 9; B at least 5; C otherwise }
  item a "a" max 10 { assessed }
}"""
    assert reachable_grades(qk.loads(text)) == ["A", "B", "C"]


def test_an_input_tested_only_by_a_combine_is_used() -> None:
    """LANGUAGE-2 §6, 综合评价: `class` decides the weights and nothing else."""
    text = """scheme "综合评价" {
  total 100
  input class: one of "一类", "二类"
  section mix "综合" max 100 {
    item econ "经济发展" max 100 { assessed }
    item eco "生态保护" max 100 { assessed }
    combine {
      class = "一类" → 0.4 × score of econ + 0.6 × score of eco
      otherwise → 0.3 × score of econ + 0.7 × score of eco
    }
  }
}"""
    assert "unused-input" not in [finding.code for finding in check_text(text)]


def test_grades_listed_worst_first() -> None:
    text = """scheme "s" {
  total 100
  grades { D less than 60; C less than 80; A otherwise }
  item "a" max 100 { input x: percent; scaled from 0 to 100 }
}"""
    assert codes_of(text) == ["grade-order", "grade-order"]


def test_grades_gap() -> None:
    text = """scheme "s" {
  total 100
  grades { A at least 90; B [60, 80) }
  item "a" max 100 { input x: percent; scaled from 0 to 100 }
}"""
    (diagnostic,) = check_text(text)
    assert diagnostic.code == "gap"
    assert "totals below 60" in diagnostic.message and "[80, 90)" in diagnostic.message


# ----------------------------------------------------------- table semantics


def band_item(lines: str, decl: str = "input r: percent precision 0.1", extra: str = "") -> str:
    body = "\n    ".join(line.strip() for line in lines.strip().splitlines())
    return f"""scheme "s" {{
  total 10
  item "a" max 10 {{
    {decl}
    {extra}
    {body}
  }}
}}"""


def test_precision_closes_the_gap_between_reported_values() -> None:
    lines = """
        at least 94.5% → full
        [92%, 94.4%] → 9
        less than 92% → 0
    """
    assert check_text(band_item(lines)) == []
    coarse = check_text(band_item(lines, "input r: percent precision 0.01"))
    assert [d.code for d in coarse] == ["gap"]
    assert "values 94.41–94.49%" in coarse[0].message
    continuous = check_text(band_item(lines, "input r: percent"))
    assert "values in (94.4%, 94.5%)" in continuous[0].message


def test_count_domain_and_precision() -> None:
    lines = """
        at least 3 → full
        0–2 → 5
        = 0 → 0
    """
    assert check_text(band_item(lines, "input n: count")) == []
    counts = check_text(band_item(lines.replace("0–2", "[1, 1]"), "input n: count"))
    assert [d.code for d in counts] == ["gap"] and "the value 2 of `n`" in counts[0].message


def test_cascades_are_not_shadowing() -> None:
    lower = """
        = 0 → full
        at most 2 → 6
        at most 5 → 4
        otherwise → 0
    """
    assert check_text(band_item(lower, "input n: count", "better lower")) == []
    cascade = """
        at least 95% → full
        at least 90% → 6
        meets target → 4
        below target by more than 5 points → 0
        otherwise → 1
    """
    assert check_text(band_item(cascade, extra="target 80%")) == []


def test_overlap_on_a_bounded_side_is_reported_with_a_question() -> None:
    lines = """
        [90%, 95%] → 8
        at least 94% → full
        less than 90% → 0
    """
    (diagnostic,) = [d for d in check_text(band_item(lines)) if d.code == "shadowed"]
    assert diagnostic.message == (
        "values 94–95% of this line are already taken by line 6 (`[90%, 95%] → 8`); "
        "is this band meant to start at 95.1%?"
    )


def test_empty_and_wholly_shadowed_lines() -> None:
    lines = """
        at least 101% → full
        [94.41%, 94.49%] → 3
        at least 50% → 5
        [60%, 70%] → 2
        otherwise → 0
    """
    diagnostics = check_text(band_item(lines))
    assert found(diagnostics) == [
        ("unreachable-line", 6),
        ("unreachable-line", 7),
        ("unreachable-line", 9),
    ]
    assert "a percent lies between 0 and 100" in diagnostics[0].message
    assert "steps of 0.1" in diagnostics[1].message
    assert "values 60–70%" in diagnostics[2].message and diagnostics[2].related == (8,)


def test_lines_after_each_and_after_another_subjects_otherwise() -> None:
    text = """scheme "s" {
  total 4
  item "a" max 4 {
    input n: count
    input m: count
    n each 1 above 2 → deduct 1, floor 0
    n otherwise → 0
    m = 0 → 4
    n no data → 0
    m no data → 0
  }
}"""
    diagnostics = check_text(text)
    assert found(diagnostics) == [("unreachable-line", 7), ("unreachable-line", 8)]
    assert "holds for every value of `n`" in diagnostics[0].message
    assert "reached only when `n` has no data" in diagnostics[1].message


def test_second_no_data_line_is_unreachable() -> None:
    lines = """
        no data → 0
        at least 50% → full
        otherwise → 2
        no data → 1
    """
    diagnostics = check_text(band_item(lines))
    assert found(diagnostics) == [("unreachable-line", 9)]


def test_gap_in_a_table_of_two_subjects() -> None:
    text = """scheme "s" {
  total 4
  item "两项指标" max 4 {
    input sampled: count
    input failed: count
    sampled = 0 → 0
    failed = 0 → full
    failed at most 2 → 2
  }
}"""
    (diagnostic,) = check_text(text)
    assert diagnostic.code == "gap"
    assert "`sampled` has values of 1 and above" in diagnostic.message
    assert "`failed` has values of 3 and above" in diagnostic.message
    covered = text.replace("failed at most 2 → 2", "failed at most 2 → 2\n    failed otherwise → 0")
    assert check_text(covered) == []


def test_yes_no_gap() -> None:
    (diagnostic,) = check_text(band_item("yes → full", "input done: yes/no"))
    assert diagnostic.code == "gap" and "the value no of `done` matches" in diagnostic.message


def test_peer_tables() -> None:
    awards = """
        = 0 → 0
        at least 120% of peer mean → full
        at least 100% of peer mean → 8
        at least 50% of peer mean → 4
        otherwise → 2
    """
    assert check_text(band_item(awards, "input n: count")) == []
    wrong_order = """
        at least 100% of peer mean → full
        at least 120% of peer mean → 8
        otherwise → 2
    """
    diagnostics = check_text(band_item(wrong_order, "input n: count"))
    assert found(diagnostics) == [("unreachable-line", 7)]
    assert "in every cohort" in diagnostics[0].message
    no_rest = check_text(band_item("at least 50% of peer mean → full", "input n: count"))
    assert [d.code for d in no_rest] == ["gap"] and "when the peer mean is" in no_rest[0].message
    reversed_scores = """
        at least 100% of peer mean → 4
        at least 50% of peer mean → 6
        otherwise → 0
    """
    monotone = check_text(band_item(reversed_scores, "input x: number at least 0"))
    assert [d.code for d in monotone] == ["non-monotone"]
    assert "when the peer mean is" in monotone[0].message


def test_per_unit_monotonicity() -> None:
    fair = band_item("each 1% below 100% → deduct 0.3, floor 0", "input r: percent")
    assert check_text(fair) == []
    unfair = band_item("each 1 → award 1", "input n: count", "better lower")
    (diagnostic,) = check_text(unfair)
    assert diagnostic.code == "non-monotone" and "as `better lower` says" in diagnostic.message
    steps = band_item(
        """
        at least 98% → full
        each whole 1% below 98% → deduct 1, floor 0
        """,
        "input r: percent",
    )
    assert check_text(steps) == []


def test_part_inherits_its_items_direction() -> None:
    text = """scheme "s" {
  total 4
  item "投诉" max 4 {
    better lower
    part "件数" max 4 {
      input c: count
      at most 10 → 2
      at most 20 → full
      otherwise → 0
    }
  }
}"""
    (diagnostic,) = check_text(text)
    assert diagnostic.code == "non-monotone" and "`better lower`" in diagnostic.message


def test_deductions() -> None:
    text = """scheme "s" {
  total 20
  section "x" max 10 {
    item "a" max 10 { input a: percent; each 1% below 100% → deduct 0.3 }
    item "b" deduct at most 4 { input b: count; each 1 → deduct 2, at most 5 }
    item "c" deduct at most 8 { input c: yes/no; deduct 9 if c }
  }
  item "d" max 10 {
    input d: percent
    input e: count
    each 1% below 100% → deduct 0.3, floor 0
    deduct 1 for each e, at most 11
  }
}"""
    diagnostics = check_text(text)
    assert found(diagnostics) == [
        ("deduction-exceeds", 3),
        ("deduction-exceeds", 4),
        ("deduction-exceeds", 5),
        ("deduction-exceeds", 6),
        ("deduction-exceeds", 12),
    ]
    assert "up to 30" in diagnostics[1].message and diagnostics[1].hint
    assert "can take 12 (4 + 8)" in diagnostics[0].message


def test_awards_and_start() -> None:
    text = """scheme "s" {
  total 10
  item "a" max 5 { input a: yes/no; award 6 if a }
  item "b" max 5 {
    input b: count
    start at -1
    award 1 for each b
  }
}"""
    assert found(check_text(text)) == [("award-above-max", 3), ("negative-score", 6)]


def test_sums_ignore_bonuses_tasks_and_deductions() -> None:
    text = """scheme "s" {
  total 10
  section "x" max 10 {
    item "a" max 10 { input a: yes/no; yes → full; no → 0 }
    item "d" deduct at most 2 { input d: count; each 1 → deduct 1 }
    item "t" { text "a task" }
    bonus "b" at most 3 { input b: count; award 1 for each b }
  }
}"""
    assert check_text(text) == []


def test_responsibility_only_scheme_needs_no_total() -> None:
    assert check(NINGXIA) == []


def test_python_built_scheme() -> None:
    item = qk.Item("1", "a", 2, table=qk.table(qk.band(qk.at_least(98), qk.full(), subject="r")))
    scheme = qk.Scheme(
        qk.SchemeScorer("s", (item,), total=2, inputs=(qk.InputSpec("r", "percent"),))
    )
    (diagnostic,) = check_scheme(scheme)
    assert diagnostic.code == "gap" and diagnostic.line == 0
    assert "values below 98%" in diagnostic.message


def test_load_errors_become_diagnostics() -> None:
    text = """scheme "s" {
  item "a" max 4 {
    input n: count
    at least 5% → 4
    nn at least 1 → 2
  }
}"""
    diagnostics = check_text(text, name="bad.rule")
    assert [(d.code, d.severity, d.line) for d in diagnostics] == [
        ("percent-literal", "error", 4),
        ("undefined-input", "error", 5),
    ]
    assert diagnostics[1].hint == "did you mean `n`?"
    (syntax,) = check_text('scheme "s" {\n  item "a" max {\n}\n', name="bad.rule")
    assert syntax.code == "syntax" and syntax.severity == "error" and syntax.line == 2


def test_missing_file_raises() -> None:
    with pytest.raises(FileNotFoundError):
        check("no/such/file.rule")


def test_custom_check_list() -> None:
    only_sums = check_scheme(qk.load(WORKED), [check_total])
    assert [d.code for d in only_sums] == ["total-mismatch"]


def test_reachable_ranges() -> None:
    scheme = qk.load(WORKED)
    ranges = {node_id: (low, high) for node_id, _, low, high in reachable_ranges(scheme)}
    assert ranges["1"] == (Fraction(32, 5), 35)
    assert ranges["1.2.2"] == (2, 2)  # 畜禽产品: only `at least 98% → full`
    assert reachable_grades(scheme) == ["D"]
    text = format_ranges(scheme)
    assert text.splitlines()[0].endswith("6.4–35  2016-2017年度双台子区政府质量工作专项考核")
    assert text.splitlines()[-1] == "grades that can occur: D"


# --------------------------------------------------------- interval algebra


def test_value_set_algebra() -> None:
    a = ValueSet.of(Interval(Fraction(0), Fraction(10)), Interval(Fraction(20), None, False, False))
    b = ValueSet.of(Interval(Fraction(5), Fraction(25), False, True))
    assert (a & b).intervals == (
        Interval(Fraction(5), Fraction(10), False, True),
        Interval(Fraction(20), Fraction(25), False, True),
    )
    assert (a | b).intervals == (Interval(Fraction(0), None, True, False),)
    assert (a - b).intervals == (
        Interval(Fraction(0), Fraction(5), True, True),
        Interval(Fraction(25), None, False, False),
    )
    assert a.complement().complement() == a
    grid = Domain("percent", Fraction(1, 10), Fraction(0), Fraction(100))
    snapped = grid.snap(
        ValueSet.of(Interval(Fraction(92), Fraction(944, 10)))
        | ValueSet.of(Interval(Fraction(945, 10), None, True, False))
    )
    assert snapped.intervals == (Interval(Fraction(92), Fraction(100)),)


# -------------------------------------------------------------- properties

Grid = tuple[str, Fraction, int]  # type, step, top index (percent) or window (count)


@attrs.frozen
class Band:
    low: int  # grid indices, inclusive
    high: int | None  # None: unbounded (the top band of a count)
    form: str  # "at most", "closed", "half-open", "shorthand", "at least"

    def text(self, step: Fraction, percent: bool) -> str:
        def show(index: int) -> str:
            value = Decimal(index) * Decimal(str(step.numerator)) / Decimal(step.denominator)
            return f"{value.normalize():f}" + ("%" if percent else "")

        if self.form == "at most":
            assert self.high is not None
            return f"at most {show(self.high)}"
        if self.form == "at least":
            return f"at least {show(self.low)}"
        assert self.high is not None
        if self.form == "half-open":
            return f"[{show(self.low)}, {show(self.high + 1)})"
        if self.form == "shorthand":
            return f"{show(self.low - 1)}–{show(self.high)}"
        return f"[{show(self.low)}, {show(self.high)}]"

    def indices(self, top: int) -> set[int]:
        return set(range(self.low, (top if self.high is None else self.high) + 1))


@st.composite
def generated_tables(draw: st.DrawFn) -> tuple[str, Fraction, int, list[Band], bool]:
    """A partition of the grid into bands, with some deleted or widened, in some order."""
    kind = draw(st.sampled_from(["percent", "count"]))
    if kind == "percent":
        step = draw(st.sampled_from([Fraction(1), Fraction(1, 2), Fraction(1, 5), Fraction(1, 10)]))
        top = int(100 / step)
    else:
        step, top = Fraction(1), draw(st.integers(4, 40))
    cuts = sorted(draw(st.sets(st.integers(1, top), min_size=1, max_size=6)))
    starts = [0, *cuts]
    bands: list[Band] = []
    for index, low in enumerate(starts):
        last = index == len(starts) - 1
        high = None if last and kind == "count" else (top if last else starts[index + 1] - 1)
        if index == 0 and not last:
            form = draw(st.sampled_from(["at most", "closed", "half-open"]))
        elif last:
            form = "at least" if kind == "count" else draw(st.sampled_from(["at least", "closed"]))
        else:
            form = draw(st.sampled_from(["closed", "half-open", "shorthand"]))
        bands.append(Band(low, high, form))
    # Delete some bands (never the unbounded top of a count), widen others.
    deletable = [i for i, band in enumerate(bands) if band.high is not None]
    deleted = (
        set(draw(st.sets(st.sampled_from(deletable), max_size=len(deletable) - 1)))
        if len(deletable) > 1
        else set()
    )
    changed: list[Band] = []
    for index, band in enumerate(bands):
        if index in deleted:
            continue
        widen = draw(st.integers(0, 3))
        if band.form == "half-open" and band.high is not None:
            widen = min(widen, top - 1 - band.high)
        if widen and band.form == "at least":
            band = attrs.evolve(band, low=max(band.low - widen, 0))
        elif widen and band.high is not None and band.high + widen <= top:
            band = attrs.evolve(band, high=band.high + widen)
        changed.append(band)
    order = draw(st.permutations(changed))
    return kind, step, top, list(order), kind == "percent"


def _expected(
    order: list[Band], top: int, window: int
) -> tuple[set[int], list[set[int]], list[bool]]:
    """Brute force on the grid: uncovered indices, each line's reported overlap, unreachable."""
    covered: set[int] = set()
    overlaps: list[set[int]] = []
    unreachable: list[bool] = []
    for band in order:
        mine = band.indices(window)
        overlap = mine & covered
        unreachable.append(bool(mine) and mine <= covered)
        # A one-sided line's overlap at its open end is a cascade, not reported.
        end = window if band.high is None else top
        if overlap and band.form == "at least" and end in overlap:
            overlap -= _run(overlap, end, -1)
        if overlap and band.form == "at most" and band.low == 0 and 0 in overlap:
            overlap -= _run(overlap, 0, +1)
        overlaps.append(overlap)
        covered |= mine
    return set(range(window + 1)) - covered, overlaps, unreachable


def _run(values: set[int], start: int, step: int) -> set[int]:
    out: set[int] = set()
    while start in values:
        out.add(start)
        start += step
    return out


@PROPERTY
@given(generated_tables())
def test_generated_gaps_and_overlaps(table: tuple[str, Fraction, int, list[Band], bool]) -> None:
    kind, step, top, order, percent = table
    decl = f"input x: percent precision {Decimal(step.numerator) / Decimal(step.denominator)}"
    if kind == "count":
        decl = "input x: count"
    lines = "\n".join(f"{band.text(step, percent)} → {i}" for i, band in enumerate(order))
    text = band_item(lines, decl)
    note(text)
    scheme = qk.loads(text)
    item = next(node for node in scheme.scorer.walk() if isinstance(node, qk.Item))
    report = analyse_table(item, {spec.name: spec for spec in scheme.scorer.inputs})
    assert report is not None
    (subject,) = report.subjects
    # Counts are unbounded: compare on a window above every band, where the
    # top band (never deleted) covers everything.
    window = top + 4 if kind == "count" else top
    gaps, overlaps, unreachable = _expected(order, top, window)
    domain = subject.domain
    clip = ValueSet.of(Interval(Fraction(0), window * step))

    def indices(values: ValueSet) -> set[int]:
        return {int(x / step) for x in domain.points(values & clip)}

    assert indices(subject.gaps) == gaps
    for row in subject.rows:
        taken = subject.taken.get(row.index)
        assert (indices(taken[0]) if taken else set()) == overlaps[row.index], row.text
        assert (row.index in subject.unreachable) == unreachable[row.index], row.text
    # The diagnostics say the same, line by line.
    diagnostics = [d for d in check_text(text) if d.code in ("gap", "shadowed", "unreachable-line")]
    expected = [("gap", 3)] if gaps else []
    for row in subject.rows:
        if unreachable[row.index]:
            expected.append(("unreachable-line", row.number))
        elif overlaps[row.index]:
            expected.append(("shadowed", row.number))
    assert found(diagnostics) == sorted(expected, key=lambda entry: entry[1])


@st.composite
def scored_partitions(draw: st.DrawFn) -> tuple[Fraction, list[tuple[int, int, int]], int]:
    """A partition of a percent grid, best band first, each band with a score."""
    step = draw(st.sampled_from([Fraction(1), Fraction(1, 2), Fraction(1, 10)]))
    top = int(100 / step)
    cuts = sorted(draw(st.sets(st.integers(1, top), min_size=1, max_size=5)), reverse=True)
    highs = [top] + [cut - 1 for cut in cuts]
    lows = [*cuts, 0]
    scores = draw(st.lists(st.integers(0, 10), min_size=len(lows), max_size=len(lows)))
    return step, list(zip(lows, highs, scores, strict=True)), top


@PROPERTY
@given(scored_partitions())
def test_generated_monotonicity(
    partition: tuple[Fraction, list[tuple[int, int, int]], int],
) -> None:
    step, bands, top = partition

    def show(index: int) -> str:
        value = Decimal(index) * Decimal(step.numerator) / Decimal(step.denominator)
        return f"{value.normalize():f}%"

    first_low = bands[0][0]
    lines = [f"at least {show(first_low)} → {bands[0][2]}"]
    lines += [f"[{show(low)}, {show(high)}] → {score}" for low, high, score in bands[1:]]
    text = band_item(
        "\n".join(lines),
        f"input x: percent precision {Decimal(step.numerator) / Decimal(step.denominator)}",
    )
    note(text)
    by_index = {index: score for low, high, score in bands for index in range(low, high + 1)}
    ordered = [by_index[index] for index in range(top + 1)]
    # Which way is better follows from the outcomes: only a table that rises
    # somewhere and falls somewhere else is non-monotone.
    rising = all(a <= b for a, b in pairwise(ordered))
    falling = all(a >= b for a, b in pairwise(ordered))
    codes = [d.code for d in check_text(text)]
    assert ("non-monotone" in codes) == (not rising and not falling)
    assert set(codes) <= {"non-monotone"}


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 20), st.integers(0, 20), st.booleans(), st.booleans()),
        max_size=4,
    ),
    st.integers(-2, 22),
)
def test_value_set_membership(pieces: list[tuple[int, int, bool, bool]], probe: int) -> None:
    intervals = [
        Interval(Fraction(min(a, b)), Fraction(max(a, b)), lc, hc) for a, b, lc, hc in pieces
    ]
    values = ValueSet(intervals)
    x = Fraction(probe, 2)
    inside = any(iv.contains(x) for iv in intervals)
    assert values.contains(x) == inside
    assert values.complement().contains(x) == (not inside)
    other = ValueSet.of(Interval(Fraction(3), Fraction(9), False, True))
    assert (values - other).contains(x) == (inside and not other.contains(x))


def test_condition_set_of_target_deltas() -> None:
    scheme = qk.load(WORKED)
    item = next(
        n for n in scheme.scorer.walk() if isinstance(n, qk.Item) and n.name.startswith("制造业")
    )
    assert item.table is not None
    one_to_three = item.table.lines[2]
    assert condition_set(one_to_three, Fraction(90), {}) == ValueSet.of(
        Interval(Fraction(87), Fraction(89), True, False)
    )


def test_no_cap_says_what_bounds_an_uncapped_side() -> None:
    """LANGUAGE-2 §7: the checks report the unbounded side instead of assuming one."""
    text = """scheme "s" {
  total 10
  section "s" max 10 {
    item "a" max 10 { input a: yes/no; yes → full; no → 0 }
    item "b" deduct { input n: count; deduct 1 for each n }
  }
  bonus "c" { input m: count; award 1 for each m }
}"""
    messages = [d.message for d in check_text(text) if d.code == "no-cap"]
    assert len(messages) == 2
    assert 'section "s" stops at 0' in messages[0]
    assert "the total stops at 10" in messages[1]
    plus = text.replace("total 10", "total 10 plus bonus")
    (_, bonus) = [d.message for d in check_text(plus) if d.code == "no-cap"]
    assert "nor has the total" in bonus
    scheme = qk.loads(plus)
    assert scheme.scorer.bounds() == (0, None)
    ranges = {node_id: (low, high) for node_id, _, low, high in reachable_ranges(scheme)}
    assert ranges["1.2"] == (None, 0) and ranges["2"] == (0, None)
    assert "−∞ to 0" in format_ranges(scheme) and "0 to ∞" in format_ranges(scheme)
