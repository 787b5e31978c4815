"""Every kind of node, through every tool.

Each condition, line and clause says once what it means (its interval, its
needs, its boundaries, its side of the axis); the checks, coverage, verify,
explain and the peer discovery ask it.  This test gives every kind to every
tool, so that a new kind a tool does not handle fails here — and it checks
that the lists of kinds it walks are complete.
"""

from __future__ import annotations

import inspect
from fractions import Fraction

import attrs
import pytest

import qualitykpi as qk
from qualitykpi import nodes
from qualitykpi.checks.tables import analyse_table
from qualitykpi.coverage import coverage
from qualitykpi.nodes import clauses, conditions, formulas, scaling, scorers, tables, targets
from qualitykpi.verify import verify

#: A rule that uses each kind of condition in a table line, a clause and a veto
#: (where the kind can stand there), with the reading that proves a tool saw it.
CONDITION_RULES: dict[type, str] = {
    conditions.Range: "at least 90% → full\n[80%, 90%) → 3\notherwise → 0",
    targets.MeetsTarget: "target 90%\nmeets target → full\notherwise → 0",
    targets.OffTarget: "target 90%\nmeets target → full\nbelow target by up to 5 points "
    "→ deduct 2\notherwise → 0",
    targets.WithinTarget: "target 3%\nwithin 0.5 points of target → full\n"
    "within 1 points of target → 2\notherwise → 0",
    conditions.PeerRelative: "at least 120% of peer mean → full\notherwise → 0",
    conditions.IsYes: None,  # a yes/no subject: see YES_NO below
    conditions.OneOf: None,  # a level subject: see LEVELS below
    conditions.NoData: "no data → 0\nat least 90% → full\notherwise → 1",
    conditions.Otherwise: "at least 95% → full\notherwise → 2",
    formulas.Versus: "at least peer mean of rate → full\notherwise → 0",
}
YES_NO = "input done: yes/no\nyes → full\nno → 0"
LEVELS = (
    'input level: one of "完整", "部分", "未建立"\nlevel = "完整" → full\n'
    'level in ("部分", "未建立") → 2\ndeduct 1 if level = "未建立"'
)
#: The rule of a kind that needs its own kind of subject.
SUBJECT_RULES: dict[type, str] = {conditions.IsYes: YES_NO, conditions.OneOf: LEVELS}

LINE_RULES: dict[type, str] = {
    scorers.Band: "at least 90% → full\notherwise → 0",
    scorers.PerUnit: "each 1% below 100% → deduct 0.5, floor 0",
    scaling.Scaled: "scaled from 60 to 100",
    scaling.Linear: "→ linear through (80%, 0), (90%, 3), (100%, 5)",
    formulas.Computed: "at least 50% → full × rate / 100%\notherwise → 0",
}
CLAUSE_RULES: dict[type, str] = {
    clauses.When: "input late: yes/no\ndeduct 1 if late\ndeduct 1 if rate less than 60%",
    clauses.ForEach: "input n: count\ndeduct 0.5 for each 1 of n, at most 2",
}


def _scheme(body: str, *, subject: str = "input rate: percent precision 0.1") -> qk.Scheme:
    return qk.loads(
        f'scheme "s" {{\n  total 5\n  item "i" max 5 {{\n{subject}\n{body}\n  }}\n}}\n', "s.rule"
    )


def _kinds(module: object, base: type | None = None) -> set[type]:
    """The classes a module defines (that share ``base``, if given)."""
    return {
        value
        for _, value in inspect.getmembers(module, inspect.isclass)
        if value.__module__ == getattr(module, "__name__", None)
        and (base is None or issubclass(value, base))
        and not value.__name__.startswith("_")
    }


def test_the_lists_of_kinds_are_complete() -> None:
    plain = conditions._Plain  # type: ignore[attr-defined]
    found = _kinds(conditions, plain) | _kinds(targets, plain)
    found |= {kind for kind in _kinds(formulas) if hasattr(kind, "fast_test")}
    found = {kind for kind in found if attrs.has(kind)}  # not their mixins (Unplaced)
    assert set(nodes.CONDITIONS) == found
    assert set(CONDITION_RULES) == set(nodes.CONDITIONS)
    line_kinds = _kinds(scorers) | _kinds(scaling) | _kinds(formulas)
    assert set(tables.LINES) == {
        kind
        for kind in line_kinds
        # Lines are frozen attrs classes; their mixins (Conditioned) are not.
        if attrs.has(kind) and hasattr(kind, "takes_all") and not hasattr(kind, "fast_test")
    }
    assert set(clauses.CLAUSES) == {kind for kind in _kinds(clauses) if hasattr(kind, "reach")}
    assert set(LINE_RULES) | {scaling.Custom} == set(tables.LINES)
    assert set(CLAUSE_RULES) == set(clauses.CLAUSES)


@pytest.mark.parametrize("kind", nodes.CONDITIONS, ids=lambda kind: kind.__name__)
def test_every_condition_says_what_it_means(kind: type) -> None:
    body = CONDITION_RULES[kind]
    scheme = _scheme(SUBJECT_RULES[kind], subject="") if body is None else _scheme(body)
    item = scheme.node("1")
    assert item.table is not None
    used = [line.condition for line in item.table.lines if type(line.condition) is kind]
    assert used, f"the rule for {kind.__name__} does not use it"
    for condition in used:
        # The protocol, answered by the node itself.
        stats = {"mean": Fraction(80)}
        interval = condition.interval(Fraction(90), stats)
        assert interval is None or hasattr(interval, "contains")
        assert isinstance(condition.comparisons(), tuple)
        assert isinstance(condition.needs_target(), bool)
        assert all(end.label for end in condition.ends(Fraction(90), stats, "%"))
        assert condition.side() in ("high", "low", "bounded", None)
        assert isinstance(condition.open_sides(), tuple)
    # A comparison with a computed value moves with each entity's values:
    # coverage has no fixed boundary of it to try.
    _every_tool(scheme, cases=kind is not formulas.Versus)


@pytest.mark.parametrize("kind", tables.LINES, ids=lambda kind: kind.__name__)
def test_every_line_kind_goes_through_every_tool(kind: type) -> None:
    if kind is scaling.Custom:
        env = qk.Environment()

        class Half(qk.CustomScorer):
            def score(self, value: Fraction, maximum: Fraction) -> Fraction:
                return maximum * value / 200

            def direction(self) -> qk.Direction:
                return "higher"

        env.register_scorer("half", Half)
        scheme = env.loads(
            'scheme "s" { total 5\n item "i" max 5 {\n input rate: percent\n using half } }'
        )
    else:
        scheme = _scheme(LINE_RULES[kind], subject="input rate: percent")
    item = scheme.node("1")
    assert item.table is not None and type(item.table.lines[0]) is kind
    line = item.table.lines[0]
    assert isinstance(line.takes_all, bool) and isinstance(line.takes_absent, bool)
    assert line.interval(None) is not None
    assert isinstance(line.marks(None), tuple) and isinstance(line.jumps(3), tuple)
    # A lone scaled or custom line decides every value itself: there is no
    # boundary between lines for coverage to try.
    _every_tool(scheme, cases=kind not in (scaling.Scaled, scaling.Custom, scaling.Linear))


@pytest.mark.parametrize("kind", clauses.CLAUSES, ids=lambda kind: kind.__name__)
def test_every_clause_kind_goes_through_every_tool(kind: type) -> None:
    scheme = _scheme(CLAUSE_RULES[kind])
    item = scheme.node("1")
    assert any(type(clause) is kind for clause in item.clauses)
    for clause in item.clauses:
        assert isinstance(clause.marks(), tuple)
        assert isinstance(clause.comparisons(), tuple)
        assert isinstance(clause.takes_absent, bool)
    _every_tool(scheme)


def _every_tool(scheme: qk.Scheme, *, cases: bool = True) -> None:
    """Every tool takes the scheme, and each one sees what it uses."""
    scheme.check()
    for item in scheme.scorer.walk():
        if isinstance(item, qk.Item) and item.table is not None:
            analyse_table(item, {spec.name: spec for spec in scheme.scorer.inputs})
    report = coverage(scheme)
    report.render()
    report.render_stubs()
    assert report.cases or not cases, "coverage found no case to try"
    outcome = verify(scheme, examples=10, seed=1)
    assert outcome.ok, outcome.render()
    peers = {name: {"mean": "80", "max": "100"} for name in scheme.peer_inputs()}
    values = {
        name: (True if spec.type == "yes/no" else spec.levels[-1] if spec.levels else "85")
        for name, spec in scheme.inputs.items()
    }
    result = scheme.score(values, peers)
    assert "line" in result.explain() or result.total == result.max
