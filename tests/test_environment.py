"""The extension API: an Environment's custom scorers and peer statistics."""

from __future__ import annotations

import runpy
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import qualitykpi as qk
from qualitykpi.nodes.evaluation import Context

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.fixture(scope="module")
def host() -> dict[str, Any]:
    return runpy.run_path(str(EXAMPLES / "efficacy.py"))


def test_the_shipped_host_program_runs(capsys: pytest.CaptureFixture[str]) -> None:
    runpy.run_path(str(EXAMPLES / "efficacy.py"), run_name="__main__")
    out = capsys.readouterr().out
    # 甲: 10 (96% ≥ 满意值) + 6 × (50 + 50 × 28/30)% = 5.8 + 4 (9 ≥ p75 6) = 19.8.
    assert "1  甲市  19.8 of 20" in out
    # 乙: 10 × (60 + 40 × 8/15)% = 8.1333… → 8.1333; 4.5; 1 → 13.6333, rounding shown.
    assert "13.6333" in out and "rounded half up" in out


def test_examples_pass_through_the_environment(host: dict[str, Any]) -> None:
    scheme = host["ENVIRONMENT"].load(EXAMPLES / "efficacy.rule")
    assert all(outcome.passed for outcome in scheme.run_examples())


def test_the_default_environment_knows_no_extensions() -> None:
    with pytest.raises(qk.RuleErrors) as caught:
        qk.load(EXAMPLES / "efficacy.rule")
    codes = [error.code for error in caught.value.errors]
    assert codes == ["unknown-scorer"] * 2 + ["unknown-statistic"] * 3


def test_unknown_names_get_close_match_suggestions(host: dict[str, Any]) -> None:
    env = host["ENVIRONMENT"]
    with pytest.raises(qk.RuleErrors) as caught:
        env.loads(
            'scheme "s" { item "x" max 2 { input v: number\n'
            " using eficacy with low = 1, high = 2 }\n"
            ' item "y" max 1 { input a: count\n at least 100% of peer p57 → full\n'
            " otherwise → 0 } }"
        )
    hints = [error.hint for error in caught.value.errors]
    assert hints == ["did you mean `efficacy`?", "did you mean `p75`?"]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        ("low = 1", "needs `high = …`"),
        ("low = 1, high = 2, slope = 3", "takes no parameter `slope`"),
        ("low = 1, high = 1", "low and high must differ"),
        ("low = 1, high = 2, base = 120", "base is a percentage"),
    ],
)
def test_bad_arguments_are_rule_errors_at_the_line(
    host: dict[str, Any], args: str, words: str
) -> None:
    with pytest.raises(qk.RuleSemanticError, match=words) as caught:
        host["ENVIRONMENT"].loads(
            f'scheme "s" {{ item "x" max 2 {{ input v: number\n using efficacy with {args} }} }}'
        )
    assert caught.value.code == "bad-argument"
    assert caught.value.line == 2


def test_a_custom_scorer_must_return_an_exact_number() -> None:
    @attrs.frozen
    class Sloppy(qk.CustomScorer):
        def score(self, value: Fraction, maximum: Fraction) -> Any:
            return 0.1 * 3

    env = qk.Environment()
    env.register_scorer("sloppy", Sloppy)
    scheme = env.loads('scheme "s" { item "x" max 2 { input v: number\n using sloppy } }')
    with pytest.raises(TypeError, match="float would lose exactness"):
        scheme.score({"v": "1"})


def test_registration_rejects_bad_names() -> None:
    env = qk.Environment()
    with pytest.raises(ValueError, match="built in"):
        env.register_statistic("mean", lambda values: values[0])
    with pytest.raises(ValueError, match="letters, digits"):
        env.register_scorer("功效-系数", lambda: None)  # type: ignore[arg-type,return-value]
    assert "none" in repr(env)


def test_environment_check_uses_its_extensions(host: dict[str, Any]) -> None:
    findings = host["ENVIRONMENT"].check(EXAMPLES / "efficacy.rule")
    assert not [finding for finding in findings if finding.severity == "error"]
    assert [finding.code for finding in qk.Environment().check(EXAMPLES / "efficacy.rule")] == [
        "unknown-scorer",
        "unknown-scorer",
        "unknown-statistic",
        "unknown-statistic",
        "unknown-statistic",
    ]


# The same contract as the built-in lines: bounds, direction, exactness.

SCORERS = st.builds(
    lambda low, span, base, flip: (low + span, low, base) if flip else (low, low + span, base),
    st.integers(0, 90).map(Fraction),
    st.integers(1, 50).map(Fraction),
    st.integers(0, 100).map(Fraction),
    st.booleans(),
)


@settings(max_examples=150, deadline=None)
@given(SCORERS, st.integers(1, 40).map(lambda n: Fraction(n, 2)), st.data())
def test_custom_scorers_obey_the_scorer_contract(
    host: dict[str, Any],
    params: tuple[Fraction, Fraction, Fraction],
    maximum: Fraction,
    data: st.DataObject,
) -> None:
    low, high, base = params
    efficacy = host["Efficacy"](low, high, base)
    item = qk.Item(
        id="x",
        name="x",
        max=maximum,
        table=qk.table(qk.nodes.scaling.Custom(efficacy, "efficacy", "v", "using efficacy")),
    )
    ctx = Context(None, {}, specs={"v": qk.InputSpec("v", "number")})
    values = sorted(data.draw(st.lists(st.integers(-20, 200), min_size=2, max_size=6)))
    scores = []
    for value in values:
        result = item.evaluate(attrs.evolve(ctx, values={"v": Fraction(value)}))
        assert isinstance(result.score, Decimal)
        low_bound, high_bound = item.bounds()
        assert low_bound <= Fraction(result.score) <= high_bound
        assert sum(step.amount or 0 for step in result.steps) == result.max - result.score
        scores.append(result.score)
    direction = item.direction("v")
    ordered = scores if direction == "higher" else list(reversed(scores))
    assert ordered == sorted(ordered)


def test_loading_the_same_text_again_gives_the_compiled_scheme() -> None:
    env = qk.Environment()
    text = 'scheme "s" { item "i" max 1 { input x: number; otherwise → full } }'
    first = env.loads(text, "a.rule")
    assert env.loads(text, "a.rule") is first
    assert env.loads(text, "b.rule") is not first  # another name: another source
    env.register_statistic("p90", max)  # what a text means may change: compiled again
    assert env.loads(text, "a.rule") is not first


def test_only_the_statistics_a_scheme_uses_are_computed() -> None:
    """An environment may hold statistics a rule never names (every installed
    plugin's, for the command): they must neither show nor be able to fail."""

    def broken(values: Any) -> Fraction:
        raise AssertionError("computed although no rule line uses it")

    env = qk.Environment()
    env.register_statistic("broken", broken)
    env.register_statistic("p90", max)
    scheme = env.loads(
        'scheme "s" { item "x" max 2 { input v: count\n at least 100% of peer mean → full\n'
        " otherwise → 1 }\n"
        ' item "y" max 2 { input w: count\n at least 100% of peer p90 → full\n otherwise → 0 } }'
    )
    results = scheme.score_table(
        [{"entity": "a", "v": "1", "w": "3"}, {"entity": "b", "v": "3", "w": "5"}]
    )
    assert results.peers["v"] == {"mean": "2", "median": "2", "max": "3", "min": "1", "p90": "3"}
    assert results.peers["w"]["p90"] == "5"
    assert [str(result.total) for result in results] == ["1", "4"]
