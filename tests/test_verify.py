"""``qualitykpi verify``: property tests of one concrete scheme, with hypothesis.

The shipped rules pass (their gaps reported as data errors, not failures);
deliberately broken rules fail with the smallest counterexample.  Runs are
kept small (``examples`` 15–40) and seeded, so they are fast and repeatable.
"""

from __future__ import annotations

import sys
from fractions import Fraction
from pathlib import Path

import attrs
import pytest
from click.testing import CliRunner

import qualitykpi as qk
from qualitykpi.cli import main
from qualitykpi.nodes import evaluation, scheme_scorer, tree
from qualitykpi.verify import NEEDS_HYPOTHESIS, MissingHypothesis, Plan, verify

ROOT = Path(__file__).resolve().parents[1]
SHUANGTAIZI = ROOT / "examples" / "shuangtaizi-2016-2017.rule"
HENAN = ROOT / "examples" / "henan-2021.rule"
WORKED = ROOT / "tests" / "data" / "worked_example.rule"
DIRECTION = ROOT / "tests" / "data" / "direction.rule"

#: `better higher`, but 90% and above scores less than below it.
NOT_MONOTONE = """\
scheme "倒挂" {
  item q1 "合格率" max 5 {
    input rate: percent precision 0.1
    better higher
    at least 90% → 1
    otherwise → 3
  }
}
"""


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


# ------------------------------------------------------------ shipped rules


@pytest.mark.parametrize("path", [SHUANGTAIZI, HENAN, WORKED], ids=lambda p: p.name)
def test_the_shipped_rules_pass(path: Path) -> None:
    report = verify(qk.load(path), examples=25, seed=1)
    assert report.ok, report.render()
    assert [outcome.name for outcome in report.properties] == [
        "bounds",
        "monotone",
        "vetoes",
        "ledger",
    ]
    assert all(outcome.status == "ok" for outcome in report.properties), report.render()


@pytest.mark.parametrize("path", [SHUANGTAIZI, WORKED], ids=lambda p: p.name)
def test_the_livestock_gap_is_a_data_error_not_a_failure(path: Path) -> None:
    """畜禽产品 has no line below 98%: entities there cannot be scored."""
    scheme = qk.load(path)
    report = verify(scheme, examples=25, seed=2)
    assert report.ok
    [group] = report.data_errors
    assert group.input == "livestock_rate"
    assert "畜禽产品" in group.message and group.count > 0
    part = scheme.node("畜禽产品")
    assert group.line == part.line
    bounds = report.properties[0]
    assert 0 < bounds.data_errors < bounds.tried
    text = report.render()
    assert "data errors (not property failures" in text
    assert text.endswith("passed")


def test_henan_has_no_data_errors() -> None:
    report = verify(qk.load(HENAN), examples=15, seed=3)
    assert report.ok and not report.data_errors
    assert all(outcome.data_errors == 0 for outcome in report.properties)


# ------------------------------------------------------------- broken rules


def test_a_non_monotone_table_fails_with_the_boundary_pair() -> None:
    report = verify(qk.loads(NOT_MONOTONE, name="broken.rule"), examples=40, seed=1)
    assert not report.ok
    [failure] = report.failures
    assert failure.property == "monotone"
    assert failure.node == "item q1 “合格率” (line 2)"
    assert failure.examples == ("example rate = 89.9% → 3", "example rate = 90% → 1")
    assert "declared: better higher" in failure.message
    assert "line 5: at least 90% → 1" in failure.trace
    assert "line 6: otherwise → 3" in failure.trace
    outcomes = {outcome.name: outcome.status for outcome in report.properties}
    assert outcomes == {
        "bounds": "ok",
        "monotone": "failed",
        "vetoes": "skipped",
        "ledger": "ok",
    }


def test_an_implied_direction_is_checked_too() -> None:
    """No `better`: 95% and above scoring more than the rest implies higher is better."""
    text = NOT_MONOTONE.replace("    better higher\n", "    at least 95% → 5\n")
    report = verify(qk.loads(text), examples=40, seed=1)
    [failure] = report.failures
    assert "implied by the scores of lines 4 and 6" in failure.message
    assert failure.examples == ("example rate = 89.9% → 3", "example rate = 90% → 1")


def test_the_outcomes_say_which_way_is_better() -> None:
    """`less than 2% → deduct 0.5` under `otherwise → full`: higher is better, and monotone."""
    scheme = qk.load(DIRECTION)
    assert scheme.node("1").direction("rate") == "higher"
    assert scheme.node("2").direction("bad") == "lower"
    assert verify(scheme, examples=30, seed=1).ok
    assert [d.code for d in scheme.check()] == []


def test_lower_is_better_counts_and_the_smallest_counterexample() -> None:
    text = """\
scheme "投诉" {
  item "投诉量" max 5 {
    input complaints: count
    better lower
    at most 3 → 1
    otherwise → 5
  }
}
"""
    report = verify(qk.loads(text), examples=40, seed=4)
    [failure] = report.failures
    assert failure.property == "monotone"
    # 3 complaints (better) scores 1, 4 complaints (worse) scores 5.
    assert failure.examples == ("example complaints = 4 → 5", "example complaints = 3 → 1")


def test_a_section_fails_where_its_items_pull_apart() -> None:
    """Each item is monotone alone; the failure is reported at the deepest node."""
    text = """\
scheme "s" {
  section "质量" max 10 {
    item a "甲" max 5 {
      input x: number precision 1
      at least 10 → full
      otherwise → 0
    }
    item b "乙" max 5 {
      better higher
      each 1 above 0 → deduct 1, floor 0
    }
  }
}
"""
    # b declares higher-is-better of x... but reads nothing: it does not count.
    report = verify(qk.loads(text.replace("each 1 above 0", "x each 1 above 0")), examples=40)
    [failure] = report.failures
    assert failure.node == "item b “乙” (line 8)"


def test_the_cli_reports_the_failure_and_exits_1(tmp_path: Path) -> None:
    rule = tmp_path / "broken.rule"
    rule.write_text(NOT_MONOTONE, encoding="utf-8")
    code, out = run("verify", str(rule), "--examples", "30", "--seed", "7")
    assert code == 1
    assert "monotone  FAILED" in out
    assert "property monotone failed: item q1 “合格率” (line 2)" in out
    assert "    example rate = 89.9% → 3\n    example rate = 90% → 1\n" in out
    assert "| q1 合格率: 1 / 5" in out
    assert out.rstrip().endswith("1 property failed")


def test_the_cli_passes_the_worked_example() -> None:
    code, out = run("verify", str(WORKED), "--examples", "15", "--seed", "1")
    assert code == 0, out
    assert "line 28: no rule line of part '畜禽产品' matches livestock_rate" in out
    assert out.rstrip().endswith("passed")


def test_a_seed_repeats_the_run() -> None:
    first = run("verify", str(WORKED), "--examples", "15", "--seed", "11")
    second = run("verify", str(WORKED), "--examples", "15", "--seed", "11")
    assert first == second


def test_usage_and_rule_errors_exit_2(tmp_path: Path) -> None:
    assert run("verify", str(tmp_path / "missing.rule"))[0] == 2
    bad = tmp_path / "bad.rule"
    bad.write_text('scheme "s" { item "a" max 5 { at least 9 → full } }', encoding="utf-8")
    assert run("verify", str(bad))[0] == 2
    assert run("verify", str(WORKED), "--examples", "0")[0] == 2


def test_without_hypothesis_it_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "hypothesis", None)
    code, out = run("verify", str(WORKED))
    assert code == 2
    assert "qualitykpi verify needs hypothesis: pip install 'qualitykpi[verify]'" in out
    assert NEEDS_HYPOTHESIS in out
    with pytest.raises(MissingHypothesis):
        verify(qk.load(WORKED))


def test_nothing_is_written_to_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("HYPOTHESIS_STORAGE_DIRECTORY", raising=False)
    code, _ = run("verify", str(WORKED), "--examples", "10")
    assert code == 0
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------- each property


def test_the_bounds_property_catches_a_wrong_bounds_claim(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An item whose bounds() promise less than it scores."""
    text = """\
scheme "s" {
  item q "合格率" max 10 {
    input rate: percent precision 1
    at least 90% → full
    otherwise → 4
  }
}
"""
    original = tree.Item.bounds

    def narrow(self: tree.Item) -> tuple[object, ...]:
        low, high = original(self)
        return (low, high - 1) if self.id == "q" else (low, high)

    monkeypatch.setattr(tree.Item, "bounds", narrow)
    report = verify(qk.loads(text), examples=30, seed=1, properties=["bounds"])
    [failure] = report.failures
    assert failure.property == "bounds"
    assert "scores 10, outside its bounds() 4–9" in failure.message
    assert failure.examples == ("example rate = 90% → 10",)


def test_the_ledger_property_catches_lost_steps(monkeypatch: pytest.MonkeyPatch) -> None:
    original = tree.Item.evaluate

    def forgetful(self: tree.Item, ctx: evaluation.Context) -> qk.NodeResult:
        result = original(self, ctx)
        return attrs.evolve(result, steps=()) if self.id == "q" else result

    monkeypatch.setattr(tree.Item, "evaluate", forgetful)
    text = """\
scheme "s" {
  item q "合格率" max 10 {
    input rate: percent precision 1
    at least 90% → full
    otherwise → 4
  }
}
"""
    report = verify(qk.loads(text), examples=30, seed=1, properties=["ledger"])
    [failure] = report.failures
    assert failure.property == "ledger"
    assert failure.message.startswith("item q “合格率” (line 2) lost 6")
    assert failure.examples == ("example rate = 89% → 4",)


VETOED = """\
scheme "否决" {
  total 10
  grades { A at least 9; B at least 6; C otherwise }
  input incident: yes/no
  input fraud: yes/no
  veto "事故" when incident → grade C
  veto "造假" when fraud → score 5
  item q "合格率" max 10 {
    input rate: percent precision 1
    at least 90% → full
    otherwise → 7
  }
}
"""


def test_vetoes_pass_when_they_dominate() -> None:
    report = verify(qk.loads(VETOED), examples=40, seed=1, properties=["vetoes"])
    assert report.ok, report.render()
    assert report.properties[0].tried >= 4


def test_the_veto_property_catches_a_grade_veto_that_does_not_force(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def ignore_vetoes(
        self: scheme_scorer.SchemeScorer, total: object, fired: object, problems: object
    ):  # type: ignore[no-untyped-def]
        return self.grades.grade(total) if self.grades else None

    monkeypatch.setattr(scheme_scorer.SchemeScorer, "_grade", ignore_vetoes)
    report = verify(qk.loads(VETOED), examples=40, seed=1, properties=["vetoes"])
    [failure] = report.failures
    assert failure.property == "vetoes"
    assert "the grade is A, not C" in failure.message
    assert failure.examples == ("example incident = yes, fraud = no, rate = 90% → 10 grade A",)


# ---------------------------------------------------------------- planning


def test_the_plan_draws_from_each_inputs_domain() -> None:
    text = """\
scheme "s" {
  item a "率" max 5 {
    input rate: percent precision 0.5
    at least 90% → full
    otherwise → 0
    no data → 0
  }
  item b "数" max 5 {
    input n: count
    deduct 1 for each n beyond 3, at most 5
  }
  item c "指数" max 5 {
    input idx: number
    scaled from 10 to 30
  }
  item d "评" max 2 { assessed }
}
"""
    plan = Plan.of(qk.loads(text))
    rate, n, idx, d = (plan.input(name) for name in ("rate", "n", "idx", "d"))
    assert (rate.low, rate.high, rate.step, rate.absent) == (0, 100, Fraction(1, 2), True)
    # The threshold first, then its neighbours on the 0.5 grid.
    assert rate.edges == (90, Fraction(179, 2), Fraction(181, 2))
    assert (n.low, n.step, n.absent) == (0, 1, False) and n.high >= 16  # beyond 3, 5 units
    # 10–30 and half as much again on each side (but not below 0), on a 0.1 grid.
    assert (idx.low, idx.high, idx.step) == (0, 45, Fraction(1, 10))
    assert (d.low, d.high) == (0, 2)
    assert set(plan.directed) == {"rate", "n", "idx"}
