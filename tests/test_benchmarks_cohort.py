"""The 双台子 cohort benchmark keeps working: the generated rows all score.
No timing is asserted (benchmarks/README.md says why)."""

from __future__ import annotations

import importlib.util
import sys
from collections import Counter
from fractions import Fraction
from pathlib import Path
from types import ModuleType

import pytest

import qualitykpi as qk

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, BENCHMARKS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # dataclasses look their module up in sys.modules while they are built
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


cohort = _load("bench_cohort")


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
