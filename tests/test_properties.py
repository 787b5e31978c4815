"""Properties of the scorer tree, over generated tables, clauses, trees and cohorts.

Each property states something a rule author relies on and is checked
against an independent model (fields read directly, arithmetic redone on
``Fraction``), never against the engine's own helper that computed it.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

import qualitykpi as qk
import strategies as gen
from conftest import assert_ledger_adds_up
from qualitykpi.nodes.conditions import Env, IsYes
from qualitykpi.nodes.evaluation import ScoreProblems

#: ``QUALITYKPI_PROPERTY_SCALE=20 pytest tests/test_properties.py`` for a thorough run.
SCALE = int(os.environ.get("QUALITYKPI_PROPERTY_SCALE", "1"))
_QUIET = [HealthCheck.too_slow, HealthCheck.data_too_large]
#: cheap single-item properties: many examples, so band edges are hit often
MANY = settings(max_examples=150 * SCALE, deadline=None, suppress_health_check=_QUIET)
FAST = settings(max_examples=60 * SCALE, deadline=None, suppress_health_check=_QUIET)
TREES = settings(max_examples=40 * SCALE, deadline=None, suppress_health_check=_QUIET)
SMALL = settings(max_examples=20 * SCALE, deadline=None, suppress_health_check=_QUIET)

# ------------------------------------------------------- an independent model


def in_range(r: qk.Range, x: Fraction) -> bool:
    low_ok = r.low is None or x > r.low or (r.low_closed and x == r.low)
    high_ok = r.high is None or x < r.high or (r.high_closed and x == r.high)
    return low_ok and high_ok


def holds(cond: Any, x: Any, target: Fraction | None, peers: Mapping[str, Fraction]) -> bool:
    """§5 condition table, read from the condition's fields."""
    if isinstance(cond, qk.NoData):
        return x is None
    if x is None:
        return False
    if isinstance(cond, qk.Otherwise):
        return True
    if isinstance(cond, IsYes):
        return isinstance(x, bool) and x == cond.expected
    if isinstance(x, bool):
        return False
    if isinstance(cond, qk.Range):
        return in_range(cond, x)
    if isinstance(cond, qk.MeetsTarget):
        assert target is not None
        return x >= target
    if isinstance(cond, qk.OffTarget):
        assert target is not None
        gap = target - x if cond.direction == "below" else x - target
        return gap > 0 and in_range(cond.by, gap)
    if isinstance(cond, qk.PeerRelative):
        # K% of a statistic is K − 100 percent of its size away from it,
        # so that 120% of a negative mean is above the mean, as of a positive one.
        stat = peers[cond.stat]
        bound = stat + (cond.factor - 1) * abs(stat)
        return {
            ">=": x >= bound,
            "<=": x <= bound,
            ">": x > bound,
            "<": x < bound,
            "=": x == bound,
        }[cond.op]
    raise AssertionError(cond)


def half_up(f: Fraction, places: int = qk.SCORE_PLACES) -> Fraction:
    """Round half away from zero (四舍五入) to ``places`` places, on fractions only."""
    scale = 10**places
    sign = -1 if f < 0 else 1
    return sign * Fraction(math.floor(abs(f) * scale + Fraction(1, 2)), scale)


def terminates(f: Fraction) -> bool:
    den = f.denominator
    for p in (2, 5):
        while den % p == 0:
            den //= p
    return den == 1


def units_of(span: Fraction, unit: Fraction, mode: str) -> Fraction:
    ratio = span / unit
    return {"whole": Fraction(math.floor(ratio)), "started": Fraction(math.ceil(ratio))}.get(
        mode, ratio
    )


def per_unit_score(line: qk.PerUnit, x: Fraction, m: Fraction) -> Fraction:
    """``each U below/above T → deduct/award P, at most C, floor F`` (§5)."""
    t = line.threshold
    if line.reference == "below":
        span = max(t - x, Fraction(0))
    elif line.reference == "above":
        span = max(x - t, Fraction(0))
    else:
        span = max(x, Fraction(0))
    raw = line.amount * units_of(span, line.unit, line.mode)
    if not terminates(raw):
        raw = half_up(raw)
    if line.cap is not None:
        raw = min(raw, line.cap)
    score = m - raw if line.effect == "deduct" else raw
    if line.floor is not None:
        score = max(score, line.floor)
    return score


def scaled_score(
    line: qk.Scaled, x: Fraction, m: Fraction, peers: Mapping[str, Fraction]
) -> Fraction:
    exact = (
        m * x / peers["max"] if line.to_peer_max else m * (x - line.low) / (line.high - line.low)
    )
    return exact if terminates(exact) else half_up(exact)


class NoMatch(Exception):
    pass


def model_table(
    table: qk.Table, x: Any, m: Fraction, target: Fraction | None, peers: Mapping[str, Fraction]
) -> Fraction:
    """First line whose condition holds decides (§5); raises NoMatch when none does."""
    for line in table.lines:
        if isinstance(line, qk.Band):
            if holds(line.condition, x, target, peers):
                return gen.outcome_score(line.outcome, m)
        elif isinstance(x, Fraction) and not isinstance(x, bool):
            if isinstance(line, qk.PerUnit):
                return per_unit_score(line, x, m)
            return scaled_score(line, x, m, peers)
    raise NoMatch


def clamp(value: Fraction, low: Fraction, high: Fraction) -> Fraction:
    return min(max(value, low), high)


def one_line_item(
    table: qk.Table, m: Decimal, target: Decimal | None = None, name: str = "x", **kw: Any
) -> qk.Item:
    return qk.Item(
        "1",
        "item",
        m,
        table=table,
        targets={} if target is None else {name: Fraction(target)},
        **kw,
    )


def score_of(
    item: qk.Item, values: Mapping[str, Any], peers: Mapping[str, Any] | None = None
) -> Fraction:
    return Fraction(item.evaluate(gen.context(values, peers)).score)


def outcome_or_problems(item: qk.Item, ctx: Any) -> Any:
    try:
        return item.evaluate(ctx)
    except ScoreProblems as exc:
        return ("problems", tuple(p.message for p in exc.problems))


def scorer_nodes(scorer: qk.SchemeScorer) -> dict[str, qk.Item | qk.Section]:
    return {node.id: node for node in scorer.walk()}


def is_deduction_only(node: qk.Item | qk.Section) -> bool:
    """Only takes points away: max 0 and a negative minimum (``deduct at most C``, or a
    ``max 0`` section of deductions)."""
    return node.max == 0 and node.minimum < 0


def scored_cohort(
    data: st.DataObject, *, depth: int = 2, **kw: Any
) -> tuple[gen.Generated, list[dict[str, str]], qk.Results]:
    g = data.draw(gen.schemes(depth=depth, **kw), label="scheme")
    rows = data.draw(g.cohorts(), label="rows")
    results = g.scheme.score_table(rows)
    # Every generated table ends in a line that scores any present value,
    # and no cell is blank: a data error here is an engine failure.
    assert results.errors == (), [str(e) for e in results.errors]
    assert len(results) == len(rows)
    return g, rows, results


# ============================================================ 1. bounds


@TREES
@given(st.data())
def test_every_node_scores_within_its_minimum_max_and_bounds(data: st.DataObject) -> None:
    g, _, results = scored_cohort(data)
    nodes = scorer_nodes(g.scorer)
    low_total, high_total = g.scorer.bounds()
    for result in results:
        assert isinstance(result.total, Decimal)
        assert low_total <= Fraction(result.total) <= high_total
        for node in result.walk():
            scorer = nodes[node.id]
            assert isinstance(node.score, Decimal)
            assert node.max == gen.dec(scorer.max)
            assert node.minimum == gen.dec(scorer.minimum)
            assert node.minimum <= node.score <= node.max, node
            low, high = scorer.bounds()
            assert scorer.minimum <= low <= high <= max(scorer.max, scorer.minimum)
            assert low <= Fraction(node.score) <= high, (node.id, node.score, low, high)


# ======================================================= 2. monotonicity


@MANY
@given(st.data())
def test_monotone_table_never_scores_less_for_a_higher_value(data: st.DataObject) -> None:
    domain = data.draw(gen.domains("x"), label="domain")
    flag = gen.Domain(qk.InputSpec("f", "yes/no"))
    item = data.draw(gen.monotone_items(domain, flags=[flag], peers=True), label="item")
    # Read from the outcomes: never "lower"; "none" when they cannot tell (all equal).
    assert item.direction("x") in ("higher", "none")
    peers = {"x": data.draw(gen.peer_stats(domain)).stats()}
    edges = gen.table_points(item.table, item.targets.get("x"), peers["x"])
    xs = sorted(data.draw(st.lists(domain.near(edges), min_size=2, max_size=10), label="xs"))
    f = data.draw(st.booleans(), label="f")
    scores = [score_of(item, {"x": x, "f": f}, peers) for x in xs]
    note(f"{list(zip(xs, scores, strict=True))}")
    assert scores == sorted(scores)


@MANY
@given(st.data())
def test_per_unit_deduct_below_is_non_decreasing_and_above_non_increasing(
    data: st.DataObject,
) -> None:
    domain = data.draw(gen.domains("x"), label="domain")
    m = data.draw(gen.maxima(), label="max")
    ref = data.draw(st.sampled_from(["below", "above", None]), label="reference")
    units = data.draw(st.sampled_from([gen.TERMINATING_UNITS, gen.NONTERMINATING_UNITS]))
    line = data.draw(gen.per_unit_lines(domain, m, effect="deduct", reference=ref, units=units))
    item = one_line_item(qk.table(line), m)
    expected = "higher" if ref == "below" else "lower"
    assert item.direction("x") == expected
    xs = sorted(
        data.draw(st.lists(domain.near(gen.line_points(line)), min_size=2, max_size=10), label="xs")
    )
    scores = [score_of(item, {"x": x}) for x in xs]
    note(f"{line!r}: {list(zip(xs, scores, strict=True))}")
    assert scores == (sorted(scores) if ref == "below" else sorted(scores, reverse=True))


# ========================================== 3. sections: clamped sums


@TREES
@given(st.data())
def test_section_scores_the_clamped_sum_of_its_children(data: st.DataObject) -> None:
    g, _, results = scored_cohort(data)
    nodes = scorer_nodes(g.scorer)
    checked = 0
    for result in results:
        for node in result.walk():
            scorer = nodes[node.id]
            by_id = {child.id: child for child in node.children}
            if isinstance(scorer, qk.Section):
                kids = [c for c in scorer.children if c.kind != "bonus"]
                plain = sum(
                    (Fraction(by_id[c.id].score) for c in kids if not is_deduction_only(c)),
                    Fraction(0),
                )
                cut = sum(
                    (Fraction(by_id[c.id].score) for c in kids if is_deduction_only(c)), Fraction(0)
                )
                if scorer.deductions_cap is not None:
                    cut = max(cut, -scorer.deductions_cap)
                expected = clamp(plain + cut, scorer.minimum, scorer.max)
                assert Fraction(node.score) == expected, (node.id, node.score, expected)
                checked += 1
            elif isinstance(scorer, qk.Item) and scorer.parts:
                raw = sum((Fraction(by_id[p.id].score) for p in scorer.parts), Fraction(0))
                assert Fraction(node.score) == clamp(raw, scorer.minimum, scorer.max)
    assert checked or not any(isinstance(n, qk.Section) for n in nodes.values())


@MANY
@given(st.data())
def test_a_section_caps_the_sum_of_its_deductions(data: st.DataObject) -> None:
    """质量安全 max 10, deductions at most 3: an item worth M, deduction-only items that
    all fire (each within its own cap), the section cap, then the clamp."""
    m = data.draw(gen.maxima(1, 20), label="M")
    got = data.draw(gen.decimals(0, m, places=1), label="item score")
    fines = data.draw(
        st.lists(st.tuples(gen.amounts(4, places=1), gen.amounts(4, places=1)), max_size=4),
        label="(amount, cap) per deduction item",
    )
    cap = data.draw(st.none() | gen.amounts(6, places=1), label="deductions cap")
    work = qk.table(qk.band(qk.Otherwise(), qk.score(got), subject="x"))
    children: list[Any] = [qk.Item("1.1", "work", m, table=work)]
    for i, (amount, item_cap) in enumerate(fines, start=2):
        children.append(
            qk.Item(f"1.{i}", "fine", 0, clauses=[qk.deduct_if(amount, "f")], deduct_cap=item_cap)
        )
    section = qk.Section("1", "section", m, children=children, deductions_cap=cap)
    node = section.evaluate(gen.context({"x": Decimal(1), "f": True}))
    taken = sum((min(Fraction(a), Fraction(c)) for a, c in fines), Fraction(0))
    if cap is not None:
        taken = min(taken, Fraction(cap))
    assert Fraction(node.score) == clamp(Fraction(got) - taken, Fraction(0), Fraction(m))
    own = sum((s.amount for s in node.steps if s.amount is not None), Decimal(0))
    assert own + sum((c.max - c.score for c in node.children), Decimal(0)) == node.max - node.score


# ============================================================ 4. vetoes


def fires(veto: qk.Veto, value: Any, peers: Mapping[str, Fraction]) -> bool:
    held = value is True if veto.condition is None else holds(veto.condition, value, None, peers)
    return held != veto.negate


def cohort_values(
    g: gen.Generated, rows: Sequence[Mapping[str, str]]
) -> tuple[list[dict[str, Any]], dict[str, dict[str, Fraction]]]:
    """The rows' values read back, and every numeric input's statistics over the cohort."""
    specs = {s.name: s for s in g.pool.specs()}
    values = [{name: spec.read(row.get(name)) for name, spec in specs.items()} for row in rows]
    stats: dict[str, dict[str, Fraction]] = {}
    for d in g.pool.numeric:
        present = [gen.dec(v[d.name]) for v in values if v[d.name] is not None]
        if present:
            stats[d.name] = gen.Peers(tuple(present)).stats()
    return values, stats


@TREES
@given(st.data())
def test_vetoes_force_the_grade_or_cap_the_total_and_otherwise_change_nothing(
    data: st.DataObject,
) -> None:
    """A grade veto caps the grade and keeps the score: the grade is the worst of the one
    the total earns and the vetoes' (a veto never improves a grade); a score veto caps the
    total at its score (the lowest firing one decides); vetoes that do not fire change
    nothing at all."""
    g = data.draw(gen.schemes(depth=1, veto_count=data.draw(st.integers(1, 3))), label="scheme")
    rows = data.draw(g.cohorts(), label="rows")
    with_vetoes = g.scheme.score_table(rows)
    plain = qk.Scheme(attrs.evolve(g.scorer, vetoes=())).score_table(rows)
    assert with_vetoes.errors == plain.errors == ()
    values, peers = cohort_values(g, rows)
    grades = g.scorer.grades
    for row, entity in zip(rows, values, strict=True):
        r1, r0 = with_vetoes[row["entity"]], plain[row["entity"]]
        fired = [v for v in g.scorer.vetoes if fires(v, entity[v.input], peers.get(v.input, {}))]
        note(f"{row['entity']}: fired {[v.name for v in fired]}")
        assert [hit.name for hit in r1.vetoes] == [v.name for v in fired]
        assert r1.nodes == r0.nodes
        if not fired:
            assert attrs.evolve(r1, peers={}) == attrs.evolve(r0, peers={})
            continue
        scores = [v.score for v in fired if v.score is not None]
        assert Fraction(r1.total) == min([Fraction(r0.total), *scores])
        if not scores:
            assert r1.steps == r0.steps  # a grade veto keeps the score
        forced = [v.grade for v in fired if v.grade is not None]
        if grades is None:
            assert r1.grade is None
            continue
        earned = next(
            label for label, cond in grades.bands if holds(cond, Fraction(r1.total), None, {})
        )
        # The worst of the earned grade and every veto's grade: never better than earned.
        assert r1.grade == max([earned, *forced], key=grades.labels().index)


@SMALL
@given(st.data())
def test_firing_vetoes_do_not_depend_on_declaration_order(data: st.DataObject) -> None:
    g = data.draw(gen.schemes(depth=0, veto_count=3, grades=True), label="scheme")
    rows = data.draw(g.cohorts(max_size=3), label="rows")
    order = data.draw(st.permutations(g.scorer.vetoes), label="order")
    again = qk.Scheme(attrs.evolve(g.scorer, vetoes=order)).score_table(rows)
    first = g.scheme.score_table(rows)
    for result in first:
        other = again[result.entity]  # type: ignore[index]
        assert (other.total, other.grade) == (result.total, result.grade)
        assert sorted(hit.name for hit in other.vetoes) == sorted(hit.name for hit in result.vetoes)


# ======================================= 5. determinism and row order


@TREES
@given(st.data())
def test_scoring_is_deterministic_and_independent_of_row_order(data: st.DataObject) -> None:
    g = data.draw(gen.schemes(depth=1), label="scheme")
    rows = data.draw(g.cohorts(min_size=2, absent=data.draw(st.booleans())), label="rows")
    shuffled = data.draw(st.permutations(rows), label="shuffled")
    first = g.scheme.score_table(rows)
    again = qk.Scheme(attrs.evolve(g.scorer)).score_table(rows)
    moved = g.scheme.score_table(shuffled)
    assert dict(first.results) == dict(again.results)
    assert [str(e) for e in first.errors] == [str(e) for e in again.errors]
    assert dict(first.results) == dict(moved.results)
    assert first.peers == moved.peers
    assert sorted(map(str, first.errors)) == sorted(map(str, moved.errors))
    assert [r.entity for r in moved] == [
        row["entity"] for row in shuffled if row["entity"] in moved
    ]


@TREES
@given(st.data())
def test_a_cohort_row_scores_as_the_entity_alone_given_the_cohort_statistics(
    data: st.DataObject,
) -> None:
    g, rows, results = scored_cohort(data, depth=1)
    specs = {s.name: s for s in g.pool.specs()}
    wanted = g.scheme.peer_inputs()
    peers: dict[str, dict[str, Fraction]] = {}
    for name in wanted:
        column = [specs[name].read(row[name]) for row in rows]
        present = [gen.dec(v) for v in column if v is not None]
        if present:
            peers[name] = gen.Peers(tuple(present)).stats()
    assert dict(results.peers) == {
        name: {stat: show(value) for stat, value in stats.items()} for name, stats in peers.items()
    }
    for row in rows:
        alone = g.scheme.score(row, peers, entity=row["entity"])
        assert alone == results[row["entity"]]


# ============================================================ 6. ledger


def show(value: Fraction) -> str:
    """How a peer statistic prints: exact, or ``≈`` and four places rounded half up."""
    return (
        format(gen.dec(value), "f")
        if terminates(value)
        else "≈" + format(gen.dec(half_up(value)), "f")
    )


def check_ledger(result: qk.Result) -> None:
    assert_ledger_adds_up(result)


@TREES
@given(st.data())
def test_the_deduction_ledger_adds_up_exactly(data: st.DataObject) -> None:
    _, _, results = scored_cohort(data)
    for result in results:
        check_ledger(result)


@TREES
@given(st.data())
def test_the_ledger_adds_up_with_bonuses_and_a_total_cap(data: st.DataObject) -> None:
    g, rows, _ = scored_cohort(data, depth=1)
    flag = g.pool.flags[0]
    bonus = qk.Item(
        "b",
        "bonus",
        data.draw(gen.maxima(1, 5)),
        kind="bonus",
        clauses=data.draw(gen.clause_lists(g.pool, min_size=1)),
    )
    scorer = attrs.evolve(
        g.scorer, children=(*g.scorer.children, bonus), plus_bonus=data.draw(st.booleans())
    )
    assert flag.is_flag
    results = qk.Scheme(scorer).score_table(rows)
    assert results.errors == ()
    for result in results:
        check_ledger(result)
        low, high = scorer.bounds()
        assert low <= Fraction(result.total) <= high


# ========================================================= 7. exactness


@MANY
@given(st.data())
def test_per_unit_scores_are_exact_decimals_equal_to_a_fraction_recomputation(
    data: st.DataObject,
) -> None:
    domain = data.draw(gen.domains("x"), label="domain")
    m = data.draw(gen.maxima(), label="max")
    line = data.draw(gen.per_unit_lines(domain, m), label="line")
    x = Fraction(data.draw(domain.near(gen.line_points(line)), label="x"))
    result = one_line_item(qk.table(line), m).evaluate(gen.context({"x": gen.dec(x)}))
    assert type(result.score) is Decimal
    assert "E" not in str(result.score) and str(result.score) == format(result.score, "f")
    # max − P × (T − x)/U, capped, floored, clamped — recomputed on Fraction
    assert Fraction(result.score) == clamp(
        per_unit_score(line, x, Fraction(m)), Fraction(0), Fraction(m)
    )


@MANY
@given(st.data())
def test_pro_rata_deduction_below_is_exactly_max_minus_p_times_shortfall_over_u(
    data: st.DataObject,
) -> None:
    """每差1%扣0.3分，扣完为止 — no rounding anywhere when U divides a power of ten."""
    domain = data.draw(gen.domains("x"), label="domain")
    m = data.draw(gen.maxima(), label="max")
    p = data.draw(gen.amounts(5), label="P")
    u = data.draw(st.sampled_from(gen.TERMINATING_UNITS), label="U")
    t = data.draw(domain.thresholds(), label="T")
    floor = data.draw(st.none() | st.just(Decimal(0)), label="floor")
    cap = data.draw(st.none() | gen.amounts(m), label="cap")
    x = data.draw(domain.near([t]), label="x")
    line = qk.per_unit("deduct", p, unit=u, below=t, floor=floor, cap=cap, subject="x")
    item = one_line_item(qk.table(line), m)
    got = item.evaluate(gen.context({"x": x})).score
    short = max(Fraction(t) - Fraction(x), Fraction(0))
    taken = Fraction(p) * short / Fraction(u)
    if cap is not None:
        taken = min(taken, Fraction(cap))
    expected = Fraction(m) - taken
    if floor is not None:
        expected = max(expected, Fraction(floor))
    expected = clamp(expected, Fraction(0), Fraction(m))
    assert Fraction(got) == expected
    assert got == Decimal(expected.numerator) / Decimal(expected.denominator)


@MANY
@given(st.data())
def test_generated_tables_score_as_the_first_matching_line_of_a_reference_model(
    data: st.DataObject,
) -> None:
    domain = data.draw(gen.subject_domains("x"), label="domain")
    m = data.draw(gen.maxima(), label="max")
    numeric = not domain.is_flag
    tbl = data.draw(gen.band_tables(domain, m, target=numeric, peers=numeric), label="table")
    target = data.draw(domain.thresholds(), label="target") if numeric else None
    peers = data.draw(gen.peer_stats(domain)).stats() if numeric else {}
    edges = gen.table_points(tbl, target, peers)
    x = gen.fraction_of(data.draw(domain.near(edges, absent=True), label="x"))
    item = one_line_item(tbl, m, target)
    got = outcome_or_problems(
        item, gen.context({"x": gen.dec(x) if isinstance(x, Fraction) else x}, {"x": peers})
    )
    try:
        expected = clamp(
            model_table(tbl, x, Fraction(m), None if target is None else Fraction(target), peers),
            Fraction(0),
            Fraction(m),
        )
    except NoMatch:
        assert got[0] == "problems"
        return
    assert not isinstance(got, tuple), got
    assert Fraction(got.score) == expected


@MANY
@given(st.data())
def test_a_non_terminating_rate_is_rounded_half_up_in_a_per_unit_line(data: st.DataObject) -> None:
    """每3项扣1分: amounts with no finite decimal form are rounded half up to 4 places."""
    domain = data.draw(gen.domains("x"), label="domain")
    m = Decimal(20)
    p = data.draw(gen.amounts(1), label="P")
    u = data.draw(st.sampled_from(gen.NONTERMINATING_UNITS), label="U")
    t = data.draw(domain.thresholds(), label="T")
    effect = data.draw(st.sampled_from(["deduct", "award"]), label="effect")
    where = {"below": t} if effect == "deduct" else {"above": t}
    line = qk.per_unit(effect, p, unit=u, subject="x", **where)  # type: ignore[arg-type]
    x = data.draw(domain.near([t]), label="x")
    got = Fraction(one_line_item(qk.table(line), m).evaluate(gen.context({"x": x})).score)
    span = Fraction(t) - Fraction(x) if effect == "deduct" else Fraction(x) - Fraction(t)
    amount = Fraction(p) * max(span, Fraction(0)) / Fraction(u)
    if not terminates(amount):  # 0.75 × 0.005 / 3 = 0.00125 stays exact
        amount = half_up(amount)
    top = Fraction(m)
    assert got == clamp(top - amount if effect == "deduct" else amount, Fraction(0), top)


@FAST
@given(st.data())
def test_per_unit_lines_with_any_rate_cap_and_floor_match_the_model(data: st.DataObject) -> None:
    domain = data.draw(gen.domains("x"), label="domain")
    m = data.draw(gen.maxima(), label="max")
    line = data.draw(gen.per_unit_lines(domain, m, units=gen.NONTERMINATING_UNITS), label="line")
    x = data.draw(domain.near(gen.line_points(line)), label="x")
    result = one_line_item(qk.table(line), m).evaluate(gen.context({"x": x}))
    assert Fraction(result.score) == clamp(
        per_unit_score(line, Fraction(x), Fraction(m)), Fraction(0), Fraction(m)
    )


@FAST
@given(st.data())
def test_per_unit_points_without_a_trace_equal_the_traced_score(data: st.DataObject) -> None:
    # The checks read `points`; scoring reads `apply`: they must never differ.
    domain = data.draw(gen.domains("x"), label="domain")
    m = Fraction(data.draw(gen.maxima(), label="max"))
    line = data.draw(gen.per_unit_lines(domain, m, units=gen.NONTERMINATING_UNITS), label="line")
    x = Fraction(data.draw(domain.near(gen.line_points(line)), label="x"))
    env = Env()
    assert line.points(x, m) == line.apply(x, env, m).score == per_unit_score(line, x, m)


def clause_change(clause: Any, x: Any, peers: Mapping[str, Fraction]) -> Fraction:
    """What one independent clause adds (negative: deducts), from its fields."""
    sign = 1 if clause.effect == "award" else -1
    if isinstance(clause, qk.When):
        held = x is True if clause.condition is None else holds(clause.condition, x, None, peers)
        return sign * clause.amount if held != clause.negate else Fraction(0)
    start = clause.beyond if clause.beyond is not None else Fraction(0)
    raw = clause.amount * units_of(max(x - start, Fraction(0)), clause.unit, clause.mode)
    if not terminates(raw):
        raw = half_up(raw)
    if clause.cap is not None:
        raw = min(raw, clause.cap)
    return sign * raw


@FAST
@given(st.data())
def test_clause_items_score_their_start_plus_every_clause_clamped(data: st.DataObject) -> None:
    """Independent clauses: each counts when it applies; caps per clause; item clamp.

    Includes rates with no finite decimal form (每3项扣1分): rounded half up, not an error.
    """
    pool = data.draw(gen.pools(max_numeric=2, max_flags=2), label="pool")
    m = data.draw(gen.maxima(), label="max")
    units = data.draw(st.sampled_from([gen.TERMINATING_UNITS, gen.NONTERMINATING_UNITS]))

    clauses = data.draw(
        gen.clause_lists(pool, min_size=1, max_size=4, units=units), label="clauses"
    )
    peers = {d.name: data.draw(gen.peer_stats(d)).stats() for d in pool.numeric}
    start = data.draw(st.none() | gen.decimals(0, m, places=1), label="start")
    deduction_only = data.draw(st.booleans(), label="deduction only")
    cap = data.draw(gen.amounts(5, places=1)) if deduction_only else None
    item = qk.Item(
        "1", "item", 0 if deduction_only else m, clauses=clauses, start=start, deduct_cap=cap
    )
    edges = {
        d.name: [
            p
            for c in clauses
            if c.input == d.name
            for p in gen.line_points(c, None, peers.get(d.name))
        ]
        for d in pool.numeric
    }
    values = data.draw(gen.rows_for(pool, near=edges), label="values")
    scheme = qk.Scheme(qk.SchemeScorer("s", [item], inputs=pool.specs()))
    row = {d.name: gen.text_of(values[d.name]) for d in pool.all}
    node = scheme.score(row, peers)["1"]
    begin = (
        Fraction(start)
        if start is not None
        else item.max
        if any(c.effect == "deduct" for c in clauses)
        else Fraction(0)
    )
    raw = begin + sum(
        (
            clause_change(c, gen.fraction_of(values[c.input]), peers.get(c.input, {}))
            for c in clauses
        ),
        Fraction(0),
    )
    assert Fraction(node.score) == clamp(raw, item.minimum, item.max)
    low, high = item.bounds()
    assert low <= Fraction(node.score) <= high


# ====================================================== 8. first match


@MANY
@given(st.data())
def test_prepending_a_line_that_never_matches_changes_nothing(data: st.DataObject) -> None:
    domain = data.draw(gen.subject_domains("x"), label="domain")
    m = data.draw(gen.maxima(), label="max")
    numeric = not domain.is_flag
    tbl = data.draw(gen.band_tables(domain, m, target=numeric, peers=numeric), label="table")
    never = data.draw(gen.never_matching(domain), label="never")
    blind = qk.band(never, data.draw(gen.outcomes(m)), subject="x")
    target = data.draw(domain.thresholds()) if numeric else None
    peers = {"x": data.draw(gen.peer_stats(domain)).stats()} if numeric else {}
    x = data.draw(
        domain.near(gen.table_points(tbl, target, peers.get("x")), absent=True), label="x"
    )
    ctx = gen.context({"x": x}, peers)
    before = outcome_or_problems(one_line_item(tbl, m, target), ctx)
    after = outcome_or_problems(one_line_item(qk.table(blind, *tbl.lines), m, target), ctx)
    assert after == before


@MANY
@given(st.data())
def test_a_line_after_otherwise_or_a_per_unit_line_is_never_used(data: st.DataObject) -> None:
    domain = data.draw(gen.subject_domains("x"), label="domain")
    m = data.draw(gen.maxima(), label="max")
    numeric = not domain.is_flag
    tbl = data.draw(
        gen.band_tables(
            domain, m, target=numeric, peers=numeric, total=True, no_data=data.draw(st.booleans())
        ),
        label="table",
    )
    closer = (
        tbl.lines[-1]
        if not isinstance(tbl.lines[-1], qk.Band)
        or not isinstance(tbl.lines[-1].condition, qk.NoData)
        else tbl.lines[-2]
    )
    assert isinstance(closer, (qk.PerUnit, qk.Scaled)) or isinstance(closer.condition, qk.Otherwise)
    extra_line = st.one_of(
        gen.band_lines(domain, m, target=numeric, peers=numeric).filter(
            lambda b: not isinstance(b.condition, qk.NoData)
        ),
        *(
            [gen.per_unit_lines(domain, m), gen.scaled_lines(domain, peer_max=False)]
            if numeric
            else []
        ),
    )
    extra = data.draw(st.lists(extra_line, min_size=1, max_size=3), label="after")
    target = data.draw(domain.thresholds()) if numeric else None
    peers = {"x": data.draw(gen.peer_stats(domain)).stats()} if numeric else {}
    x = data.draw(
        domain.near(gen.table_points(tbl, target, peers.get("x")), absent=True), label="x"
    )
    ctx = gen.context({"x": x}, peers)
    before = outcome_or_problems(one_line_item(tbl, m, target), ctx)
    after = outcome_or_problems(one_line_item(qk.table(*tbl.lines, *extra), m, target), ctx)
    assert after == before


@FAST
@given(st.data())
def test_absent_data_matches_only_a_no_data_line_even_after_otherwise(data: st.DataObject) -> None:
    domain = data.draw(gen.domains("x"), label="domain")
    m = data.draw(gen.maxima(), label="max")
    tbl = data.draw(gen.band_tables(domain, m, total=True, no_data=False), label="table")
    fallback = data.draw(gen.outcomes(m), label="no data outcome")
    item = one_line_item(qk.table(*tbl.lines, qk.band(qk.NoData(), fallback, subject="x")), m)
    got = item.evaluate(gen.context({"x": None}))
    assert Fraction(got.score) == clamp(
        gen.outcome_score(fallback, Fraction(m)), Fraction(0), Fraction(m)
    )
    with pytest.raises(ScoreProblems, match="no data"):
        one_line_item(tbl, m).evaluate(gen.context({"x": None}))


# ===================================== 9. immutability (scorers are values)


@SMALL
@given(gen.schemes(depth=1))
def test_scorers_are_frozen_values(g: gen.Generated) -> None:
    assert attrs.evolve(g.scorer) == g.scorer
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        g.scorer.children[0].max = Fraction(1)  # type: ignore[misc]


def test_a_table_is_clamped_before_its_clauses_in_the_bounds_too() -> None:
    # Found by the property above: the table deducts more than the max, the
    # score is kept at 0 before the award, and the bounds must say 0.1 too.
    scheme = qk.loads(
        'scheme "s" {\n  item "i" max 0.5 {\n    input f0: yes/no\n    input x: number\n'
        "    otherwise → deduct 0.51\n    award 0.1 if not f0\n  }\n}\n"
    )
    item = scheme.node("1")
    result = scheme.score({"x": "1", "f0": "no"})
    low, high = item.bounds()
    assert result.total == Decimal("0.1")
    assert low <= Fraction(result.total) <= high
