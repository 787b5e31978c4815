"""The expression nodes of LANGUAGE-2 §2: exact values, needs, bounds, trends, traces.

The grammar that writes expressions is part 2 of the language; these tests
hold the nodes it will compile to to their contract now: every form answers
every question, bounds contain every value (interval arithmetic is sound),
a trend never lies about which way a value moves, and the worked examples
of the brief come out as stated.
"""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qualitykpi.nodes import arithmetic
from qualitykpi.nodes.arithmetic import (
    Absolute,
    Arithmetic,
    Extreme,
    Rounded,
    round_half_up,
    traced,
)
from qualitykpi.nodes.conditions import ScoreProblem
from qualitykpi.nodes.expressions import (
    Domains,
    Expression,
    Given,
    Input,
    Needs,
    NodeValue,
    Number,
    PeerStat,
    Previous,
    RankOf,
    Scope,
)

F = Fraction

#: One instance of every form, and a scope in which it has a value.
SAMPLES: dict[type, Expression] = {
    Number: Number(F(1, 10), percent=True),
    Input: Input("rate", percent=True),
    Previous: Previous("rd"),
    Given: Given("full"),
    PeerStat: PeerStat("mean", "speed", percent=True),
    RankOf: RankOf("output"),
    NodeValue: NodeValue("score", "econ"),
    Arithmetic: Arithmetic("/", Arithmetic("−", Input("rd"), Previous("rd")), Previous("rd")),
    Extreme: Extreme("min", (NodeValue("score", "tasks"), NodeValue("score", "result"))),
    Absolute: Absolute(Arithmetic("−", Input("rd"), Number(F(250)))),
    Rounded: Rounded(Arithmetic("/", Input("rd"), Number(F(3))), 0),
}
SCOPE = Scope(
    values={"rate": F(93), "rd": F(220)},
    previous={"rd": F(200)},
    percent=frozenset({"rate", "speed"}),
    full=F(10),
    stats={"speed": {"mean": F(7)}},
    ranks={"output": (2, 13)},
    count=13,
    scores={"econ": F(171, 2), "tasks": F(90), "result": F(72)},
    maxima={"econ": F(100)},
)
DOMAINS = Domains(
    inputs={"rate": (F(0), F(100)), "rd": (F(0), F(1000)), "speed": (F(0), F(100))},
    percent=frozenset({"rate", "speed"}),
    full=F(10),
    nodes={"econ": (F(0), F(100)), "tasks": (F(0), F(100)), "result": (F(0), F(100))},
)


def test_every_form_is_listed_and_sampled() -> None:
    assert set(SAMPLES) == set(arithmetic.EXPRESSIONS)


@pytest.mark.parametrize("kind", arithmetic.EXPRESSIONS, ids=lambda kind: kind.__name__)
def test_every_form_answers_every_question(kind: type) -> None:
    expression = SAMPLES[kind]
    value = expression.evaluate(SCOPE)
    assert isinstance(value, Fraction)
    assert isinstance(expression.needs(), Needs)
    low, high = expression.bounds(DOMAINS)
    if not isinstance(expression, RankOf | PeerStat | Previous):
        # Values this scope gives lie in the domains; a rank's or a previous
        # value's are not the domains' business here.
        assert (low is None or low <= value) and (high is None or value <= high)
    for name in ("rate", "rd", "output"):
        assert expression.trend(name, DOMAINS) in ("up", "down", "flat", "unknown")
    assert expression.text() and expression.show(SCOPE)
    assert isinstance(expression.percent, bool) and expression.precedence in (1, 2, 3)


def test_the_worked_examples_of_the_brief() -> None:
    growth = SAMPLES[Arithmetic]
    assert growth.evaluate(SCOPE) == F(1, 10)
    assert traced("growth", growth, SCOPE) == (
        "growth = (rd − previous rd) / previous rd = (220 − 200) / 200 = 0.1"
    )
    assert growth.needs() == Needs(inputs=frozenset({"rd"}), previous=frozenset({"rd"}))
    # 产值增速: lead = speed − peer mean of speed; 4 + 0.5 × lead / 1%.
    lead = Arithmetic("−", Input("speed", percent=True), PeerStat("mean", "speed", percent=True))

    def slope(rate: Fraction) -> Expression:
        point = Number(F(1, 100), percent=True)
        return Arithmetic(
            "+", Number(F(4)), Arithmetic("/", Arithmetic("×", Number(rate), lead), point)
        )

    # `lead at least 0% → 4 + 0.5 × lead / 1%`, `otherwise → 4 + 1 × lead / 1%`.
    for speed, rate, expected in ((9, F(1, 2), 5), (6, F(1), 3)):
        scope = Scope(values={"speed": F(speed)}, stats={"speed": {"mean": F(7)}})
        assert slope(rate).evaluate(scope) == expected
    assert traced("lead", lead, Scope(values={"speed": F(9)}, stats={"speed": {"mean": F(7)}})) == (
        "lead = speed − peer mean of speed = 9% − 7% = 2%"
    )
    # 单位GDP能耗下降率: 6 + 4 × (drop − min) / (max − min) over drops 5%, 3%, 1%.
    drop, low, high = (
        Input("drop", True),
        PeerStat("min", "drop", True),
        PeerStat("max", "drop", True),
    )
    share = Arithmetic("/", Arithmetic("−", drop, low), Arithmetic("−", high, low))
    energy = Arithmetic("+", Number(F(6)), Arithmetic("×", Number(F(4)), share))
    stats = {"drop": {"min": F(1), "max": F(5)}}
    assert [energy.evaluate(Scope(values={"drop": F(d)}, stats=stats)) for d in (5, 3, 1)] == [
        10,
        8,
        6,
    ]
    assert (
        energy.text()
        == "6 + 4 × ((drop − peer min of drop) / (peer max of drop − peer min of drop))"
        or energy.text()
        == "6 + 4 × (drop − peer min of drop) / (peer max of drop − peer min of drop)"
    )
    # 短板: min(score of tasks, score of result); 整数: round half up.
    assert SAMPLES[Extreme].evaluate(SCOPE) == 72
    assert round_half_up(F(5, 2), 0) == 3 and round_half_up(F(-5, 2), 0) == -3
    assert round_half_up(F(89945, 1000), 1) == F(899, 10)
    assert RankOf("output").show(SCOPE) == "2 of 13"


def test_an_absent_value_or_a_division_by_zero_is_a_problem_naming_it() -> None:
    with pytest.raises(ScoreProblem, match="no data for previous rd") as caught:
        SAMPLES[Arithmetic].evaluate(Scope(values={"rd": F(220)}))
    assert caught.value.input == "previous rd"  # the data column that is empty
    with pytest.raises(ScoreProblem, match="divides by zero"):
        SAMPLES[Arithmetic].evaluate(Scope(values={"rd": F(220)}, previous={"rd": F(0)}))
    with pytest.raises(ScoreProblem, match="the peer mean of 'speed'"):
        PeerStat("mean", "speed").evaluate(Scope())


# ----------------------------------------------------------------- properties

NAMES = ("x", "y")
RANGES = {"x": (F(-20), F(50)), "y": (F(1), F(30))}
PROPERTY_DOMAINS = Domains(inputs=RANGES)
_numbers = st.fractions(min_value=-10, max_value=10, max_denominator=8)
_leaves = st.one_of(
    _numbers.map(Number),
    st.sampled_from(NAMES).map(Input),
)


def _compound(children: st.SearchStrategy[Expression]) -> st.SearchStrategy[Expression]:
    return st.one_of(
        st.builds(Arithmetic, st.sampled_from(["+", "−", "×", "/"]), children, children),
        st.builds(
            Extreme,
            st.sampled_from(["min", "max"]),
            st.lists(children, min_size=1, max_size=3).map(tuple),
        ),
        st.builds(Absolute, children),
        st.builds(Rounded, children, st.integers(0, 2)),
    )


expressions = st.recursive(_leaves, _compound, max_leaves=8)
values = st.fixed_dictionaries(
    {
        name: st.fractions(min_value=low, max_value=high, max_denominator=10)
        for name, (low, high) in RANGES.items()
    }
)


def _value(expression: Expression, point: dict[str, Fraction]) -> Fraction | None:
    try:
        return expression.evaluate(Scope(values=dict(point)))
    except ScoreProblem:
        return None  # a division by zero: no value to bound


@settings(max_examples=400, deadline=None)
@given(expressions, values)
def test_bounds_contain_every_value(expression: Expression, point: dict[str, Fraction]) -> None:
    value = _value(expression, point)
    if value is None:
        return
    low, high = expression.bounds(PROPERTY_DOMAINS)
    assert low is None or low <= value, (expression, point, low)
    assert high is None or value <= high, (expression, point, high)


@settings(max_examples=400, deadline=None)
@given(expressions, values, st.sampled_from(NAMES), st.data())
def test_a_trend_never_lies(
    expression: Expression, point: dict[str, Fraction], name: str, data: st.DataObject
) -> None:
    low, high = RANGES[name]
    other = data.draw(st.fractions(min_value=low, max_value=high, max_denominator=10))
    a, b = sorted((point[name], other))
    before, after = _value(expression, {**point, name: a}), _value(expression, {**point, name: b})
    if before is None or after is None:
        return
    trend = expression.trend(name, PROPERTY_DOMAINS)
    if trend == "up":
        assert before <= after, (expression, name, a, b)
    elif trend == "down":
        assert before >= after, (expression, name, a, b)
    elif trend == "flat":
        assert before == after, (expression, name, a, b)


@settings(max_examples=200, deadline=None)
@given(expressions)
def test_the_text_shows_the_structure(expression: Expression) -> None:
    """What is written reads back as the same tree: parentheses where needed."""
    text = expression.text()
    assert text.count("(") == text.count(")")
    needs = expression.needs()
    assert needs.inputs <= set(NAMES)
    assert all(name in text for name in needs.inputs)


def test_one_over_a_negative_divisor_rises_with_the_input() -> None:
    # Found by the property above: 1 / (0 − y) is −1 / y, which rises with y
    # for y > 0 (the sign of the divisor does not turn the trend round).
    expression = Arithmetic(
        "/", Number(Fraction(1)), Arithmetic("−", Number(Fraction(0)), Input("y"))
    )
    domains = Domains(inputs={"y": (Fraction(1), Fraction(10))})
    assert expression.trend("y", domains) == "up"
    scope = Scope(values={"y": Fraction(1)})
    later = Scope(values={"y": Fraction(2)})
    assert expression.evaluate(scope) < expression.evaluate(later)
