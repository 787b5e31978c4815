"""Scorers built and combined in Python, without rule text."""

from __future__ import annotations

import runpy
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

import qualitykpi as qk

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "python_api.py"


def test_shipped_python_example_runs(capsys: pytest.CaptureFixture[str]) -> None:
    runpy.run_path(str(EXAMPLE), run_name="__main__")
    out = capsys.readouterr().out
    # 7 (2.8 points below target) + 1 + 2.25 = 10.25 of 15.
    assert "total 10.25 of 15, grade 未达标" in out
    assert "-3  制造业产品质量合格率" in out


def test_python_built_and_rule_built_scorers_agree() -> None:
    namespace = runpy.run_path(str(EXAMPLE))
    built = namespace["manufacturing"]
    compiled = qk.loads(
        'scheme "s" { item q1 "制造业产品质量合格率" max 10 owner "第三方机构" {\n'
        "input pass_rate: percent\ntarget 90%\nmeets target → full\n"
        "below target by up to 1 points → deduct 1\nbelow target by 1–3 points → deduct 3\n"
        "below target by 3–5 points → deduct 5\nbelow target by 5–10 points → deduct 6\n"
        "below target by 10–15 points → deduct 8\n"
        "below target by more than 15 points → deduct 10 } }"
    ).node("q1")
    assert isinstance(compiled, qk.Item) and compiled.table is not None
    assert repr(compiled.table) == repr(built.table)
    assert compiled.bounds() == built.bounds() == (0, 10)
    assert compiled.direction("pass_rate") == built.direction("pass_rate") == "higher"


def test_reprs_are_readable() -> None:
    line = qk.band(qk.below_target(qk.between(1, 3)), qk.deduct(3))
    assert repr(line) == "<band (1, 3] below target: deduct 3>"
    assert repr(qk.per_unit("deduct", "0.3", below=100, floor=0)) == (
        "<each 1 below 100: deduct 0.3, floor 0>"
    )
    assert repr(qk.of_peer(">=", 120)) == "<>= 120% of peer mean>"
    assert repr(qk.deduct_each(1, "incidents", cap=2)) == (
        "<deduct 1 for each 1 of incidents, at most 2>"
    )


def test_scorers_are_immutable_and_hashable() -> None:
    line = qk.band(qk.at_least(90), qk.full())
    with pytest.raises(AttributeError):
        line.outcome = qk.deduct(1)  # type: ignore[misc]
    assert hash(line) == hash(qk.band(qk.at_least("90"), qk.full()))


def test_constants_are_exact_whatever_their_python_type() -> None:
    assert qk.at_least("94.5") == qk.at_least(Decimal("94.5"))
    assert qk.at_least("94.5").low == Fraction(189, 2)


def test_item_bounds_and_direction() -> None:
    deduction_only = qk.Item(
        id="d",
        name="重大事件",
        max=0,
        deduct_cap=2,
        clauses=(qk.deduct_each(1, "incidents"),),
    )
    assert deduction_only.bounds() == (-2, 0)
    assert deduction_only.direction("incidents") == "lower"
    scheme = qk.Scheme(
        qk.SchemeScorer(
            name="s",
            children=(
                qk.Section(id="1", name="a", max=0, deduct_cap=2, children=(deduction_only,)),
            ),
            inputs=(qk.InputSpec("incidents", "count"),),
        )
    )
    assert scheme.score({"incidents": "5"}).total == 0
    assert scheme.score({"incidents": "5"})["d"].score == -2


def test_the_new_constructs_can_be_built_in_python() -> None:
    """`linear` and `within_target` build what `linear through` and `within … of
    target` compile to."""
    item = qk.Item(
        "r", "达标率", 10, table=qk.table(qk.linear((80, 0), (90, 6), (100, 10), subject="rate"))
    )
    scheme = qk.Scheme(qk.SchemeScorer("s", [item], inputs=[qk.InputSpec("rate", "percent")]))
    assert str(scheme.score({"rate": "85"}).total) == "3"
    written = qk.loads(
        'scheme "s" { item r "达标率" max 10 { input rate: percent\n'
        " → linear through (80%, 0), (90%, 6), (100%, 10) } }"
    )
    compiled, built = written.node("r").table, item.table
    assert compiled is not None and built is not None
    assert compiled.lines[0].points == built.lines[0].points  # type: ignore[union-attr]
    band = qk.band(qk.within_target(1), qk.full(), subject="cpi")
    near = qk.Item(
        "c",
        "物价",
        4,
        table=qk.table(band, qk.band(qk.Otherwise(), qk.score(0), subject="cpi")),
        targets={"cpi": 3},
    )
    priced = qk.Scheme(qk.SchemeScorer("p", [near], inputs=[qk.InputSpec("cpi", "percent")]))
    assert [str(priced.score({"cpi": v}).total) for v in ("3.9", "4.1")] == ["4", "0"]
