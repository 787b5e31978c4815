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

from .checks_tables import (
    Cohort,
    Row,
    SubjectReport,
    condition_interval,
    ends,
    is_no_data,
    members_interval,
)
from .conditions import (
    Env,
    IsYes,
    MeetsTarget,
    OffTarget,
    Otherwise,
    PeerRelative,
    Range,
    ScoreProblem,
)
from .domains import Domain, Interval
from .lattice import Lattice, Run, meet
from .scorers import Band, Deduct, Full, PerUnit, Scaled, Score
from .tree import Item


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
#: Lines that hold for every number and score it themselves.
_EVERY_NUMBER: tuple[type, ...] = (PerUnit, Scaled)
_FIXED_OUTCOMES: tuple[type, ...] = (Full, Score, Deduct)
_TARGET_CONDITIONS: tuple[type, ...] = (MeetsTarget, OffTarget)
#: Conditions that hold exactly on :func:`~qualitykpi.checks_tables.condition_interval`.
_INTERVAL_CONDITIONS: tuple[type, ...] = (Range, Otherwise, MeetsTarget, OffTarget, PeerRelative)


def _clamp(score: Fraction, low: Fraction, high: Fraction) -> Fraction:
    """``score`` within the item's ``[low, high]``, as the item clamps it."""
    return min(max(score, low), high)


def _kinds(item: Item, report: SubjectReport) -> list[tuple[int, Fraction, str | None]]:
    """How each row decides a sample, its fixed score, and the peer statistic it needs.

    Only the scorers' own classes are modelled (subclasses may match or score
    otherwise, so they are asked, value by value).
    """
    kinds: list[tuple[int, Fraction, str | None]] = []
    low, high = item.minimum, item.max
    for row in report.rows:
        line = row.line
        if is_no_data(line):
            kinds.append((_SKIP, _ZERO, None))
        elif type(line) in _EVERY_NUMBER:
            kinds.append((_APPLY, _ZERO, None))
        elif (
            not isinstance(line, Band)
            or type(line) is not Band
            or type(line.outcome) not in _FIXED_OUTCOMES
        ):
            kinds.append((_CALL, _ZERO, None))
        elif type(line.condition) is IsYes:
            kinds.append((_NEVER, _ZERO, None))
        elif type(line.condition) in _TARGET_CONDITIONS and report.target is None:
            kinds.append((_FAIL, _ZERO, None))
        elif type(line.condition) in _INTERVAL_CONDITIONS:
            # Once the condition holds its detail cannot fail: the score is fixed.
            stat = line.condition.stat if isinstance(line.condition, PeerRelative) else None
            kinds.append((_MATCH, _clamp(line.outcome.score(high), low, high), stat))
        else:
            kinds.append((_CALL, _ZERO, None))
    return kinds


def _rules(
    kinds: Sequence[tuple[int, Fraction, str | None]],
    rows: Sequence[Row],
    cohort: Cohort,
    where: Sequence[Interval | Run | None],
) -> list[_Rule]:
    """The rows' rules in one cohort: where each holds (a run on a grid), or that it fails."""
    rules: list[_Rule] = []
    for (how, score, stat), row, at in zip(kinds, rows, where, strict=True):
        if how == _MATCH and stat is not None and stat not in cohort:
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
        line = row.line
        if isinstance(line, PerUnit):
            origin = line.threshold if line.threshold is not None else _ZERO
            points.append(origin)
            if line.mode != "pro rata" and domain.step is None:
                points.extend(origin + n * line.unit for n in range(-200, 201))
        elif isinstance(line, Scaled) and line.low is not None and line.high is not None:
            points.extend((line.low, line.high))
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
    bounds: tuple[Fraction, Fraction],
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
                if isinstance(line, PerUnit):
                    return _clamp(line.points(x, bounds[1]), *bounds), row
                return _clamp(line.apply(x, env, bounds[1]).score, *bounds), row
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
    item: Item, report: SubjectReport, direction: str, *, percent: bool
) -> Violation | None:
    """The first place where a better value scores less, or None.

    Between two neighbouring critical points one line decides, and each
    line's own score is monotone in the subject, so comparing the scores at
    the critical points and their neighbours (on the grid, the adjacent
    grid points) finds every violation.
    """
    if direction not in ("higher", "lower"):
        return None
    domain = report.domain
    lattice = None
    if domain.step is not None:
        lattice = report.lattice or Lattice.of(domain)
    kinds = _kinds(item, report)
    bounds = (item.minimum, item.max)
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
        if direction == "lower":
            samples.reverse()
        env = Env(report.target, dict(cohort), report.subject, percent)
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
