"""``qualitykpi test --coverage`` / ``--stubs``: what a rule's examples try.

The cases of small rules are listed exactly; the stubs are parsed back into
the rule and pass as examples; the shipped rules' reports are checked for
what their examples leave out.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

import qualitykpi as qk
from qualitykpi.cli import main
from qualitykpi.coverage import CoverageReport, coverage

ROOT = Path(__file__).resolve().parents[1]
SHUANGTAIZI = ROOT / "examples" / "shuangtaizi-2016-2017.rule"
HENAN = ROOT / "examples" / "henan-2021.rule"
WORKED = ROOT / "tests" / "data" / "worked_example.rule"

#: Two boundaries tried (90 from above, 87 from above), two not; a `no data`
#: line, a floor and a veto no example reaches.
TARGETS = """\
scheme "覆盖" {
  total 10
  grades { A at least 9; B otherwise }
  input incident: yes/no
  veto "事故" when incident → grade B
  item q1 "合格率" max 6 {
    input rate: percent precision 0.1
    target 90%
    meets target → full
    below target by up to 3 points → deduct 2
    below target by more than 3 points → deduct 6
    no data → 0
    example rate = 90% → 6
    example rate = 87% → 4
  }
  item q2 "投诉" max 4 {
    input complaints: count
    each 1 above 2 → deduct 1, floor 0
    example complaints = 3 → 3
  }
}
"""

#: A peer comparison, a yes/no clause and a deduction cap.
CLAUSES = """\
scheme "条款" {
  item a "激励" max 4 {
    input awards: count
    at least 120% of peer mean → full
    otherwise → 2
    example awards = 6 given peer mean 5 → 4
  }
  item b "事故" deduct at most 2 {
    input accidents: count
    input hidden: yes/no
    deduct 1 for each accidents
    deduct 1 if hidden
    example accidents = 1, hidden = no → -1
  }
}
"""


def untried(report: CoverageReport) -> list[str]:
    return report.render().splitlines()[1:]


def with_stubs(text: str, report: CoverageReport) -> str:
    """The rule text with every stub inserted where it belongs."""
    lines = text.splitlines()
    by_line: dict[int, list[str]] = {}
    for stub in report.stubs():
        assert stub.before is not None
        by_line.setdefault(stub.before, []).append("    " + stub.line)
    for before in sorted(by_line, reverse=True):
        lines[before - 1 : before - 1] = by_line[before]
    return "\n".join(lines) + "\n"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


# ------------------------------------------------------------------ the cases


def test_boundaries_no_data_floor_and_veto() -> None:
    report = coverage(qk.loads(TARGETS, name="t.rule"))
    assert len(report.cases) == 7 and len(report.tried) == 2
    assert report.render().splitlines()[0] == (
        "t.rule: the examples try 2 of 7 cases (boundaries, caps, floors, vetoes, no data)"
    )
    assert untried(report) == [
        "  t.rule:5: veto “事故” (grade B): no scheme example makes it fire "
        "(such as `incident = yes`)",
        "  t.rule:10: `below target by up to 3 points → deduct 2` — the value just inside "
        "the target (gap 0.1, rate = 89.9%) is not tried",
        "  t.rule:11: `below target by more than 3 points → deduct 6` — the value just "
        "inside 3 (gap 3.1, rate = 86.9%) is not tried",
        "  t.rule:12: `no data → 0` — no example leaves rate without data",
        "  t.rule:18: `each 1 above 2 → deduct 1, floor 0` — no example reaches its floor "
        "(floor 0)",
    ]
    tried = {case.what: case.tried_by for case in report.tried}
    assert tried == {
        "the value just inside the target 90% (rate = 90%) is not tried": (13,),
        "the value just inside 3 (gap 3, rate = 87%) is not tried": (14,),
    }


def test_stubs_carry_the_current_score() -> None:
    report = coverage(qk.loads(TARGETS, name="t.rule"))
    assert report.render_stubs().splitlines() == [
        "t.rule: example lines for the untried cases (check each score first):",
        "  # in item q1 “合格率” (line 6), before line 15:",
        "  example rate = 89.9% → 4  # check this score: line 10: just inside the target (gap 0.1)",
        "  example rate = 86.9% → 0  # check this score: line 11: just inside 3 (gap 3.1)",
        "  example rate = no data → 0  # check this score: line 12: no data",
        "  # in item q2 “投诉” (line 16), before line 20:",
        "  example complaints = 7 → 0  # check this score: line 18: floor 0 reached",
        "  # in the scheme, before line 21:",
        "  example rate = 90%, complaints = 3, incident = yes → 9 grade B  # check this "
        "score: veto fires (incident = yes)",
    ]


@pytest.mark.parametrize("text", [TARGETS, CLAUSES], ids=["targets", "clauses"])
def test_stubs_parse_back_pass_and_cover_everything(text: str) -> None:
    report = coverage(qk.loads(text, name="t.rule"))
    completed = with_stubs(text, report)
    scheme = qk.loads(completed, name="t.rule")
    outcomes = scheme.run_examples()
    assert len(outcomes) == len(qk.loads(text).examples) + len(report.stubs())
    assert all(outcome.passed for outcome in outcomes), [
        (o.text, o.actual) for o in outcomes if not o.passed
    ]
    again = coverage(scheme)
    assert not again.untried, again.render()


def test_peer_boundaries_clauses_and_deduction_caps() -> None:
    report = coverage(qk.loads(CLAUSES, name="c.rule"))
    assert untried(report) == [
        "  c.rule:5: `otherwise → 2` — the value just below 120% of peer mean, before line 4 "
        "takes over (awards = 5 given peer mean 5) is not tried",
        "  c.rule:8: no example reaches the deduction cap (deduct at most 2) of item b “事故”",
        "  c.rule:12: `deduct 1 if hidden` — hidden = yes, where it deducts, is not tried",
    ]
    assert {case.kind for case in report.tried} == {"boundary", "clause"}
    stubs = [stub.line for stub in report.stubs()]
    assert stubs == [
        "example awards = 5 given awards peer mean 5 → 2  # check this score: line 5: just "
        "below 120% of peer mean, before line 4 takes over",
        "example accidents = 3, hidden = yes → -2  # check this score: line 8: deduct at "
        "most 2 reached",
        "example accidents = 1, hidden = yes → -2  # check this score: line 12: hidden = yes, "
        "where it deducts",
    ]


def test_a_peer_boundary_is_tried_with_the_examples_own_statistics() -> None:
    """120% of a peer mean of 2.5 is 3: awards 3 and 2 try both sides."""
    text = CLAUSES.replace(
        "    example awards = 6 given peer mean 5 → 4\n",
        "    example awards = 6 given peer mean 5 → 4\n"
        "    example awards = 2 given peer mean 2.5 → 2\n",
    )
    report = coverage(qk.loads(text))
    assert [case.kind for case in report.untried] == ["cap", "clause"]


def test_a_section_example_tries_the_items_inside() -> None:
    text = """\
scheme "节" {
  section s "节" max 4 {
    item a "甲" max 2 {
      input x: count
      at least 3 → full
      otherwise → 0
    }
    item b "乙" max 2 {
      input ok: yes/no
      yes → full
      no → 1
    }
    example x = 3, ok = yes → 4
    example x = 2, ok = no → 1
  }
}
"""
    report = coverage(qk.loads(text))
    assert not report.untried, report.render()
    assert len(report.cases) == 4


def test_without_precision_the_step_is_the_rules_own() -> None:
    """`at least 90` on a number: 89 is the value just below, and 89.5 tries it too."""
    text = """\
scheme "数" {
  item a "指数" max 5 {
    input idx: number
    at least 90 → full
    otherwise → 0
    example idx = 89.5 → 0
  }
}
"""
    report = coverage(qk.loads(text))
    assert [case.what for case in report.untried] == [
        "the value just inside 90 (idx = 90) is not tried"
    ]
    assert [case.what for case in report.tried] == [
        "the value just below 90, before line 4 takes over (idx = 89) is not tried"
    ]


def test_section_deduction_cap_and_range_clause() -> None:
    text = """\
scheme "扣分" {
  section s "安全" max 0 deductions at most 1 {
    item a "事故" deduct at most 2 {
      input n: count
      deduct 1 if n at least 2
      deduct 0.5 for each n
    }
  }
}
"""
    report = coverage(qk.loads(text, name="d.rule"))
    assert untried(report) == [
        "  d.rule:2: no example reaches the cap on deductions (deductions at most 1) of "
        "section s “安全”",
        "  d.rule:3: no example reaches the deduction cap (deduct at most 2) of item a “事故”",
        "  d.rule:5: `deduct 1 if n at least 2` — the value just inside 2, where it deducts "
        "(n = 2), is not tried",
        "  d.rule:5: `deduct 1 if n at least 2` — the value just outside 2, where it does not "
        "deduct (n = 1), is not tried",
    ]
    assert [stub.line.split("  #")[0] for stub in report.stubs()] == [
        "example n = 5 → -1",  # in the section: its cap gives 1 of the 3.5 back
        "example n = 5 → -2",
        "example n = 2 → -2",
        "example n = 1 → -0.5",
    ]
    completed = with_stubs(text, report)
    assert not coverage(qk.loads(completed)).untried


def test_a_cap_that_cannot_be_reached_is_no_case() -> None:
    """One deduction of 1 under `deduct at most 1`: nothing to try."""
    text = """\
scheme "扣分" {
  item a "事故" deduct at most 1 {
    input hit: yes/no
    deduct 1 if hit
    example hit = yes → -1
    example hit = no → 0
  }
}
"""
    report = coverage(qk.loads(text))
    assert [case.kind for case in report.cases] == ["clause", "clause"]
    assert not report.untried


# ------------------------------------------------------------ shipped rules


def test_the_worked_example_is_barely_covered() -> None:
    report = coverage(qk.load(WORKED))
    assert not report.tried and len(report.cases) == 41
    assert (
        "  tests/data/worked_example.rule:14: `below target by 3–5 points → deduct 5` — the "
        "value just inside 3 (gap 3.1, pass_rate = 86.9%) is not tried"
    ) in [line.replace(str(ROOT) + "/", "") for line in untried(report)]


def test_shuangtaizi_stubs_complete_the_file() -> None:
    text = SHUANGTAIZI.read_text(encoding="utf-8")
    report = coverage(qk.loads(text, name="s.rule"))
    assert 0 < len(report.untried) < len(report.cases)
    completed = with_stubs(text, report)
    scheme = qk.loads(completed, name="s.rule")
    failed = [outcome.text for outcome in scheme.run_examples() if not outcome.passed]
    assert not failed
    assert not coverage(scheme).untried


def test_henan_only_misses_its_veto() -> None:
    report = coverage(qk.load(HENAN))
    assert [case.kind for case in report.untried] == ["veto"]
    [stub] = report.stubs()
    assert stub.node_id is None and stub.line.startswith("example k1_1 = 5, ")
    assert "systemic_incident = yes → 91.3 grade D  # check this score" in stub.line


# ------------------------------------------------------------------- the CLI


def test_test_coverage_and_stubs_on_the_command_line(tmp_path: Path) -> None:
    rule = tmp_path / "t.rule"
    rule.write_text(TARGETS, encoding="utf-8")
    code, out = run("test", "--coverage", str(rule))
    assert code == 0
    assert f"{rule}: 3 examples, 3 passed, 0 failed" in out
    assert f"{rule}: the examples try 2 of 7 cases" in out
    assert f"{rule}:12: `no data → 0` — no example leaves rate without data" in out
    assert "check this score" not in out
    code, out = run("test", "--stubs", str(rule))
    assert code == 0
    assert f"{rule}: the examples try 2 of 7 cases" in out
    assert "  example complaints = 7 → 0  # check this score: line 18: floor 0 reached" in out
    assert out.rstrip().endswith("3 passed, 0 failed")


def test_coverage_does_not_change_the_exit_status(tmp_path: Path) -> None:
    rule = tmp_path / "t.rule"
    rule.write_text(TARGETS.replace("→ 6\n    example rate = 87%", "→ 5\n    example rate = 87%"))
    code, out = run("test", "--coverage", str(rule))
    assert code == 1
    assert "example failed: expected 5, got 6" in out
    assert "the examples try 2 of 7 cases" in out
