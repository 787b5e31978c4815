"""The static checks: what a rule's author should hear before it is published.

``check_scheme(scheme)`` returns a loaded scheme's diagnostics — gaps,
overlaps, unreachable lines, wrong sums, unfair steps — sorted by line.
The front door, :func:`qualitykpi.check` (a rule file) and
:func:`qualitykpi.check_text` (rule text) in :mod:`qualitykpi.environment`,
loads a rule and checks it; a rule that does not load gives its load errors
as diagnostics of severity ``error`` instead (:func:`load_errors`).

The checks are a tuple of ``check_*`` functions (:data:`CHECKS`), each
taking a :class:`~qualitykpi.checks.context.Context` and yielding
:class:`~qualitykpi.diagnostics.Diagnostic` records.  They live in the
modules that follow the pipeline:

* :mod:`qualitykpi.domains` — exact value sets and the domain of an input;
* :mod:`qualitykpi.lattice` — the same sets as integer runs, for speed;
* :mod:`qualitykpi.checks.tables` — the exact analysis of a rule table;
* :mod:`qualitykpi.checks.monotone` — whether a better value ever scores less;
* :mod:`qualitykpi.checks.context` — a loaded scheme with its spans;
* :mod:`qualitykpi.checks.lines` — the checks of tables and rule lines;
* :mod:`qualitykpi.checks.written` — ``no data`` lines and shorthand ranges;
* :mod:`qualitykpi.checks.peers` — comparisons with the cohort;
* :mod:`qualitykpi.checks.tree` — sums, outcomes and hygiene;
* :mod:`qualitykpi.checks.grades` — grades and vetoes;
* :mod:`qualitykpi.checks.caps` — scores the source leaves without a cap;
* :mod:`qualitykpi.checks.computed` — numbers compared with computed values.

``docs/diagnostics.rst`` lists every code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from fractions import Fraction
from typing import TYPE_CHECKING

import attrs

from ..diagnostics import Diagnostic, make, sort_diagnostics
from ..domains import NOTHING, Domain
from ..errors import RuleError
from ..i18n import _
from ..surface import in_chinese
from ..values import fmt
from .caps import check_caps
from .computed import check_ratio_numbers
from .context import Context
from .grades import band_set, check_grades, check_vetoes
from .lines import check_tables
from .peers import check_negative_peers, check_peer_max
from .tree import (
    check_duplicate_names,
    check_outcomes,
    check_owners,
    check_section_deductions,
    check_sums,
    check_total,
    check_unused_inputs,
)
from .written import check_no_data, check_shorthand

if TYPE_CHECKING:
    from ..scheme import Scheme

__all__ = [
    "CHECKS",
    "Check",
    "Context",
    "check_caps",
    "check_duplicate_names",
    "check_grades",
    "check_negative_peers",
    "check_no_data",
    "check_outcomes",
    "check_owners",
    "check_peer_max",
    "check_ratio_numbers",
    "check_scheme",
    "check_section_deductions",
    "check_shorthand",
    "check_sums",
    "check_tables",
    "check_total",
    "check_unused_inputs",
    "check_vetoes",
    "format_ranges",
    "load_errors",
    "reachable_grades",
    "reachable_ranges",
]

Check = Callable[[Context], Iterator[Diagnostic]]

#: The checks, run in this order; each yields diagnostics.
CHECKS: tuple[Check, ...] = (
    check_tables,
    check_ratio_numbers,
    check_no_data,
    check_shorthand,
    check_negative_peers,
    check_peer_max,
    check_sums,
    check_total,
    check_outcomes,
    check_section_deductions,
    check_caps,
    check_grades,
    check_vetoes,
    check_unused_inputs,
    check_duplicate_names,
    check_owners,
)


# -------------------------------------------------------------------- API


def check_scheme(scheme: Scheme, checks: Iterable[Check] = CHECKS) -> list[Diagnostic]:
    """Every finding of the static checks on a loaded scheme, sorted by line and column."""
    ctx = Context.of(scheme)
    found = sort_diagnostics(diagnostic for run in checks for diagnostic in run(ctx))
    if scheme.source is not None and scheme.source.chinese:
        # The examples in a finding are written as the author writes the file.
        found = [in_surface(diagnostic) for diagnostic in found]
    return found


def in_surface(diagnostic: Diagnostic) -> Diagnostic:
    """``diagnostic`` with the keywords of its code examples in Chinese."""
    hint = None if diagnostic.hint is None else in_chinese(diagnostic.hint)
    return attrs.evolve(diagnostic, message=in_chinese(diagnostic.message), hint=hint)


def load_errors(error: RuleError, name: str) -> list[Diagnostic]:
    """A load error (or several) as diagnostics of severity ``error``."""
    out: list[Diagnostic] = []
    for each in error.errors:
        out.append(
            make(
                each.code,
                each.message,
                each.filename or name,
                each.span,
                hint=each.hint,
                severity="error",
            )
        )
    return sort_diagnostics(out)


# ------------------------------------------------------------------ ranges


def reachable_ranges(
    scheme: Scheme,
) -> list[tuple[str, str, Fraction | None, Fraction | None]]:
    """Every node's reachable scores: ``(id, name, lowest, highest)``, in tree order;
    None where nothing bounds that side (a deduction or a bonus without a cap)."""
    return [(node.id, node.name, *node.bounds()) for node in scheme.scorer.walk()]


def reachable_grades(scheme: Scheme) -> list[str]:
    """The grades that can occur: given to some reachable total, or forced by a veto."""
    grades = scheme.scorer.grades
    if grades is None:
        return []
    low, high = scheme.scorer.bounds()
    totals = Domain.totals(low, high, scheme.scorer.total_places)
    forced = {veto.grade for veto in scheme.scorer.vetoes if veto.grade is not None}
    covered = NOTHING
    out: list[str] = []
    for index, (label, condition) in enumerate(grades.bands):
        raw = band_set(condition)
        effective = totals.snap(raw - covered)
        if not grades.tests or grades.tests[index] is None:
            # A band that reads more than the total (`rank of total at most 2
            # and at least 90`) may pass over any total: it takes none of them
            # from the bands below it.
            covered = covered | raw
        if not effective.empty or label in forced:
            out.append(label)
    return out


def format_ranges(scheme: Scheme) -> str:
    """A plain-text table of :func:`reachable_ranges` and the grades, for ``--ranges``."""
    low, high = scheme.scorer.bounds()
    rows = [("", scheme.name, low, high)] + [
        (node_id, name, lo, hi) for node_id, name, lo, hi in reachable_ranges(scheme)
    ]
    width = max(len(row[0]) for row in rows)
    lines = [f"{node_id:<{width}}  {_range(lo, hi)}  {name}" for node_id, name, lo, hi in rows]
    grades = reachable_grades(scheme)
    if scheme.scorer.grades is not None:
        lines.append(
            _("grades that can occur: {grades}").format(
                grades=_(", ").join(grades) if grades else _("none")
            )
        )
    return "\n".join(lines)


def _range(low: Fraction | None, high: Fraction | None) -> str:
    """``0–10``; ``−∞ to 0``, ``0 to ∞`` where a side is unbounded (no cap)."""
    if low is not None and high is not None:
        return f"{fmt(low)}–{fmt(high)}"
    shown_low = fmt(low) if low is not None else "−∞"
    shown_high = fmt(high) if high is not None else "∞"
    return _("{low} to {high}").format(low=shown_low, high=shown_high)
