"""Monotonicity of a rule table: a better value never scores less.

Between two neighbouring critical points — the ends of the lines'
conditions, the domain's bounds, targets, the origins of per-unit lines —
one line decides and each line's own score is monotone in the subject, so
scoring the critical points and their neighbours (on a grid, the adjacent
grid points) finds every place where a better value scores less.

Lines whose outcome is a fixed score are matched by their exact condition
intervals (on a grid, by integer indices, :mod:`qualitykpi.lattice`) and
scored once; ``each …``, ``scaled …`` and custom lines are scored by the
scorers themselves, value by value.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from fractions import Fraction
from itertools import pairwise

import attrs

from ..domains import Domain, Interval
from ..lattice import Lattice, Run, meet
from ..nodes.conditions import (
    Env,
    ScoreProblem,
)
from ..nodes.tree import Item
from .tables import (
    Cohort,
    Row,
    SubjectReport,
    condition_interval,
    ends,
    members_interval,
)


@attrs.frozen
class Violation:
    """A better value ``better`` that scores less than a worse value ``worse``."""

    better: Fraction
    better_score: Fraction
    better_row: Row
    worse: Fraction
    worse_score: Fraction
    worse_row: Row
    cohort: Cohort


# How a row decides a sample, in one cohort.
_SKIP = 0  # ``no data``: never for a present value
_MATCH = 1  # holds on its condition interval, with a fixed score
_NEVER = 2  # holds for no number (``yes``/``no`` conditions)
_FAIL = 3  # matching it fails: no target, or a peer statistic the cohort lacks
_APPLY = 4  # holds for every number; the line scores each value itself
_CALL = 5  # anything else: the line matches and scores each value itself

#: One row's rule in one cohort: (how, row, where it holds, clamped fixed score).
_Rule = tuple[int, Row, Interval | Run | None, Fraction]

_ZERO = Fraction(0)


#: An item's lowest and highest score (None: no bound) and its max, which
#: lines score from.
_Bounds = tuple[Fraction | None, Fraction | None, Fraction]


def _clamp(score: Fraction, low: Fraction | None, high: Fraction | None) -> Fraction:
    """``score`` within the item's ``[low, high]``, as the item clamps it."""
    if low is not None:
        score = max(score, low)
    return score if high is None else min(score, high)


def _kinds(item: Item, report: SubjectReport) -> list[tuple[int, Fraction, tuple[str, ...]]]:
    """How each row decides a sample, its fixed score, and the peer statistics it needs.

    A line with a fixed score holds exactly on its interval (both the
    line's own word), so it is matched by interval and scored once; every
    other line scores each value itself.
    """
    kinds: list[tuple[int, Fraction, tuple[str, ...]]] = []
    low, high = item.minimum, item.ceiling
    for row in report.rows:
        line = row.line
        fixed = line.fixed_score(item.max)
        if line.takes_absent:
            kinds.append((_SKIP, _ZERO, ()))
        elif fixed is None:
            kinds.append((_APPLY if line.takes_all else _CALL, _ZERO, ()))
        elif line.on_yes_no:
            kinds.append((_NEVER, _ZERO, ()))
        elif line.needs_target() and report.target is None:
            kinds.append((_FAIL, _ZERO, ()))
        else:
            # Once the condition holds its detail cannot fail: the score is fixed.
            stats = tuple(comparison.stat for comparison in line.comparisons())
            kinds.append((_MATCH, _clamp(fixed, low, high), stats))
    return kinds


def _rules(
    kinds: Sequence[tuple[int, Fraction, tuple[str, ...]]],
    rows: Sequence[Row],
    cohort: Cohort,
    where: Sequence[Interval | Run | None],
) -> list[_Rule]:
    """The rows' rules in one cohort: where each holds (a run on a grid), or that it fails."""
    rules: list[_Rule] = []
    for (how, score, stats), row, at in zip(kinds, rows, where, strict=True):
        if how == _MATCH and any(stat not in cohort for stat in stats):
            how = _FAIL
        rules.append((how, row, at, score))
    return rules


def _fixed_points(report: SubjectReport) -> list[Fraction]:
    """The critical points every cohort shares (with repeats)."""
    domain = report.domain
    points = [x for x in (domain.low, domain.high) if x is not None]
    points.append(_ZERO)
    if report.target is not None:
        points.append(report.target)
    for row in report.rows:
        points.extend(row.line.marks(report.target))
        if domain.step is None:
            # On a grid the neighbours of each point are sampled anyway.
            points.extend(row.line.jumps(200))
    return points


def _grid_samples(lattice: Lattice, points: Iterable[Fraction], inside: Run | None) -> list[int]:
    """Grid indices next to the critical points, within the domain and the cohort, in order."""
    if inside is None:
        return []
    out: set[int] = set()
    num, den = lattice.num, lattice.den  # index k is the value k·num/den
    for c in points:
        n, d = c.numerator * den, c.denominator * num
        down = n // d
        up = -(-n // d)
        out.update((down - 1, down, up, up + 1))
    low, high = inside
    return sorted(k for k in out if (low is None or k >= low) and (high is None or k <= high))


def _samples(domain: Domain, critical: set[Fraction]) -> list[Fraction]:
    """Points between and around the critical points of a domain without a grid, in order."""
    out: set[Fraction] = set()
    marks = sorted(critical)
    out.update(marks)
    for a, b in pairwise(marks):
        delta = (b - a) / 1000
        out.update((a + delta, (a + b) / 2, b - delta))
    if marks:
        out.update((marks[0] - 1, marks[-1] + 1))
    return sorted(x for x in out if domain.inside(x))


def _value(lattice: Lattice | None, at: Fraction | int) -> Fraction:
    """The value of a sample: itself, or the value of its grid index."""
    if isinstance(at, Fraction):
        return at
    assert lattice is not None
    return lattice.value(at)


def _score(
    rules: Sequence[_Rule],
    bounds: _Bounds,
    env: Env,
    at: Fraction | int,
    lattice: Lattice | None,
) -> tuple[Fraction, Row] | None:
    """The clamped score at a sample (a grid index with a lattice) and the row that gives it."""
    for how, row, where, score in rules:
        if how == _MATCH:
            if where is None:
                continue
            if isinstance(where, Interval):
                assert isinstance(at, Fraction)
                if where.contains(at):
                    return score, row
                continue
            low, high = where
            if (low is None or low <= at) and (high is None or at <= high):
                return score, row
            continue
        if how in (_SKIP, _NEVER):
            continue
        if how == _FAIL:
            return None
        line = row.line
        x = _value(lattice, at)
        try:
            if how == _APPLY or line.matches(x, env):
                return _clamp(line.score(x, env, bounds[2]), bounds[0], bounds[1]), row
        except ScoreProblem:
            return None
    return None


def _cohort_data(
    report: SubjectReport, position: int, cohort: Cohort
) -> tuple[Sequence[Interval | None], Sequence[Run | None]]:
    """Where each row holds in a cohort: from the analysis, or worked out again."""
    conditions: Sequence[Interval | None]
    if position < len(report.conditions):
        conditions = report.conditions[position]
    else:
        conditions = [condition_interval(row.line, report.target, cohort) for row in report.rows]
    if report.lattice is not None and position < len(report.runs):
        return conditions, report.runs[position]
    if report.domain.step is not None:
        lattice = report.lattice or Lattice.of(report.domain)
        return conditions, [lattice.run(iv) for iv in conditions]
    return conditions, ()


def monotonicity(
    item: Item,
    report: SubjectReport,
    direction: str,
    *,
    percent: bool,
    peak: Fraction | None = None,
) -> Violation | None:
    """The first place where a better value scores less, or None.

    Between two neighbouring critical points one line decides, and each
    line's own score is monotone in the subject, so comparing the scores at
    the critical points and their neighbours (on the grid, the adjacent
    grid points) finds every violation.  With a ``peak`` (a table of bands
    around the target), values closer to it are better: higher ones below
    it, lower ones above it.
    """
    if direction not in ("higher", "lower"):
        return None
    domain = report.domain
    lattice = None
    if domain.step is not None:
        lattice = report.lattice or Lattice.of(domain)
    kinds = _kinds(item, report)
    bounds = (item.minimum, item.ceiling, item.max)
    fixed = _fixed_points(report)
    # With peer lines, typical cohorts only: peer statistics above 0.
    cohorts = [
        (position, cohort)
        for position, cohort in enumerate(report.cohorts)
        if all(v > 0 for v in cohort.values())
    ] or list(enumerate(report.cohorts))
    for position, cohort in cohorts:
        conditions, runs = _cohort_data(report, position, cohort)
        points = [*fixed, *(x for iv in conditions for x in ends(iv))]
        samples: list[Fraction] | list[int]
        if lattice is not None:
            rules = _rules(kinds, report.rows, cohort, runs)
            samples = _grid_samples(
                lattice, points, meet(lattice.full, lattice.run(members_interval(cohort)))
            )
        else:
            rules = _rules(kinds, report.rows, cohort, conditions)
            inside = members_interval(cohort)
            samples = [x for x in _samples(domain, set(points)) if inside.contains(x)]
        env = Env(report.target, dict(cohort), report.subject, percent)
        ordered: Sequence[Fraction | int] = samples
        passes: list[Sequence[Fraction | int]]
        if peak is not None:
            below = [at for at in ordered if _value(lattice, at) <= peak]
            above = [at for at in ordered if _value(lattice, at) >= peak]
            passes = [below, above[::-1]]
        else:
            passes = [ordered[::-1] if direction == "lower" else ordered]
        for worst_first in passes:
            found = _first_violation(worst_first, rules, bounds, env, lattice, cohort)
            if found is not None:
                return found
    return None


def _first_violation(
    samples: Sequence[Fraction | int],
    rules: Sequence[_Rule],
    bounds: _Bounds,
    env: Env,
    lattice: Lattice | None,
    cohort: Cohort,
) -> Violation | None:
    """The first sample, worst to best, that scores less than a worse one before it."""
    best: tuple[Fraction, Fraction | int, Row] | None = None  # score, sample, row
    for at in samples:
        scored = _score(rules, bounds, env, at, lattice)
        if scored is None:
            continue
        score, row = scored
        if best is not None:
            if score is best[0]:
                continue
            if score < best[0]:
                here, there = _value(lattice, at), _value(lattice, best[1])
                return Violation(here, score, row, there, best[0], best[2], cohort)
        if best is None or score > best[0]:
            best = (score, at, row)
    return None
