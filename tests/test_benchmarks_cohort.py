"""The 双台子 cohort benchmark and the one command that runs every benchmark keep
working: the generated rows all score, the command writes one line per entity,
and a run at tiny sizes reaches its summary table.  No timing is asserted
(benchmarks/README.md says why)."""

from __future__ import annotations

from collections import Counter
from fractions import Fraction
from types import ModuleType

import pytest

import qualitykpi as qk
from conftest import benchmark

cohort = benchmark("bench_cohort")


@pytest.fixture(scope="module")
def scheme() -> qk.Scheme:
    return qk.load(cohort.RULE)


def test_every_generated_row_scores_and_the_grades_spread(scheme: qk.Scheme) -> None:
    rows = cohort.cohort_rows(scheme, 300, seed=11)
    assert set(rows[0]) == {"entity", *scheme.inputs}
    results = cohort.assert_scores(scheme, rows)
    assert {result.grade for result in results.results.values()} >= {"B", "C", "D"}
    incidents = Counter(row["systemic_incident"] for row in rows)
    assert 0 < incidents["yes"] < incidents["no"] / 10


def test_generated_values_are_exact_text_on_the_declared_grid(scheme: qk.Scheme) -> None:
    rows = cohort.cohort_rows(scheme, 200, seed=3)
    for domain in cohort.domains(scheme):
        if domain.yes_no:
            continue
        for row in rows:
            text = row[domain.name]
            assert "e" not in text.lower() and cohort.decimal_text(Fraction(text)) == text
        values = [row[domain.name] for row in rows]
        assert all(domain.contains(Fraction(value)) for value in values), domain.name
        if domain.edges:
            on_edges = sum(value in domain.edge_texts for value in values)
            assert on_edges >= len(values) / 8, domain.name


def test_hints_name_only_inputs_the_rule_declares(scheme: qk.Scheme) -> None:
    with pytest.raises(ValueError, match="no_such_input"):
        cohort.domains(scheme, {**cohort.HINTS, "no_such_input": cohort.Hint()})


def test_same_seed_same_rows(scheme: qk.Scheme) -> None:
    assert cohort.cohort_rows(scheme, 5, seed=1) == cohort.cohort_rows(scheme, 5, seed=1)
    assert cohort.cohort_rows(scheme, 5, seed=1) != cohort.cohort_rows(scheme, 5, seed=2)


@pytest.fixture(scope="module")
def tiny_run() -> tuple[ModuleType, object]:
    run = benchmark("run")
    tiny = run.Sizes(
        score_rows=200,
        score_single=20,
        score_runs=1,
        table_entities=12,
        table_runs=1,
        cli_entities=15,
        import_runs=1,
        check_items=16,
        check_runs=1,
    )
    return run, run.measure(tiny)


def test_the_command_writes_one_line_per_entity(tiny_run: tuple[ModuleType, object]) -> None:
    _, outcome = tiny_run
    cli = outcome.cohort.cli  # type: ignore[attr-defined]
    assert cli.entities == 15
    assert cli.seconds > 0 and cli.peak_mib > 1


def test_one_run_reaches_the_summary_table(tiny_run: tuple[ModuleType, object]) -> None:
    run, outcome = tiny_run
    lines = run.table(run.figures(outcome))
    assert lines[0].split()[:3] == ["what", "today", "target"]
    rows = lines[1:]
    assert len(rows) == 7
    assert sum(" yes" in row or " no" in row for row in rows) == 6
    assert any("import qualitykpi" in row for row in rows)
