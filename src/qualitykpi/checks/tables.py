"""Exact analysis of rule tables: gaps, overlaps and unreachable lines.

For each subject of an item's (or part's) table, :func:`analyse_subject`
works out exactly which values of its domain (:mod:`qualitykpi.domains`)
each line holds for, which values no line matches, which lines earlier
lines shadow and which are never reached.  Lines compared with peer
statistics are tried against a few cohorts chosen where their thresholds
meet the fixed ends.  The set algebra runs on integer runs
(:mod:`qualitykpi.lattice`) and the results come back as snapped
:class:`~qualitykpi.domains.ValueSet` values.

This module knows nothing of spans or messages: it returns
:class:`SubjectReport` and :class:`TableReport` records that
:mod:`qualitykpi.checks.lines` turns into diagnostics.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction
from itertools import islice, pairwise, product

import attrs

from ..domains import NOTHING, Domain, Interval, ValueSet
from ..lattice import Lattice, Run, Runs, add, covers, minus, touches
from ..lattice import meet as meet_runs
from ..nodes.conditions import PeerRelative
from ..nodes.tables import Line
from ..nodes.tree import Item
from ..values import InputSpec

#: Peer statistics of one cohort: ``{"mean": 3}``.
Cohort = Mapping[str, Fraction]

# ------------------------------------------------------------------ lines
#
# What a line holds for, needs and compares with is the line's own word
# (:mod:`qualitykpi.nodes.conditions`, :mod:`qualitykpi.nodes.scorers`); these helpers
# only put it in the terms of this analysis.


def is_catch_all(line: Line) -> bool:
    """A line that holds for every present value: ``otherwise``, ``each``, ``scaled``, ``using``."""
    return line.takes_all


def is_no_data(line: Line) -> bool:
    return line.takes_absent


def peer_stats(line: Line) -> tuple[tuple[str, PeerRelative], ...]:
    """The statistics a line compares with, each with its comparison; () for a fixed line."""
    return tuple((comparison.stat, comparison) for comparison in line.comparisons())


def open_sides(line: Line) -> tuple[bool, bool]:
    """Whether the line's condition, as written, is unbounded below and above.

    ``at least 90`` is open above: in a cascade (``at least 95 → full``,
    ``at least 90 → 2``) the values above that an earlier line takes are
    meant to be taken, so they are not reported as shadowed.
    """
    return line.open_sides()


def condition_interval(line: Line, target: Fraction | None, cohort: Cohort) -> Interval | None:
    """The present values for which ``line`` holds, as one interval; None if there are none."""
    return line.interval(target, cohort)


def condition_set(line: Line, target: Fraction | None, cohort: Cohort) -> ValueSet:
    """The present values for which ``line`` holds (given the cohort's statistics)."""
    iv = condition_interval(line, target, cohort)
    return NOTHING if iv is None or iv.empty else ValueSet.normalised((iv,))


def ends(iv: Interval | None) -> tuple[Fraction, ...]:
    """The finite ends of an interval (none for None)."""
    if iv is None:
        return ()
    return tuple(x for x in (iv.low, iv.high) if x is not None)


def members_interval(cohort: Cohort) -> Interval:
    """The values a member of a cohort with these statistics can have (within min and max)."""
    return Interval(cohort.get("min"), cohort.get("max"), "min" in cohort, "max" in cohort)


def members(cohort: Cohort) -> ValueSet:
    """:func:`members_interval` as a value set."""
    return ValueSet.of(members_interval(cohort))


# ------------------------------------------------------------------ reports


@attrs.frozen
class Row:
    """One line of a table, with its position in the table and in the file."""

    index: int
    line: Line

    @property
    def number(self) -> int:
        return self.line.line or 0

    @property
    def text(self) -> str:
        return self.line.text or repr(self.line)


@attrs.frozen
class SubjectReport:
    """What the lines of one subject of a table cover, exactly."""

    subject: str
    domain: Domain
    rows: tuple[Row, ...]
    #: Present values no line matches (in ``gap_cohort`` when peer lines decide).
    gaps: ValueSet
    gap_cohort: Cohort
    #: Row index → the values of that row always taken by earlier rows, and by which.
    taken: Mapping[int, tuple[ValueSet, tuple[int, ...]]]
    #: Rows whose condition holds for no value of the domain.
    empty: frozenset[int]
    #: Rows every value of which earlier rows take, whatever the cohort.
    unreachable: frozenset[int]
    #: Rows reached only when a peer statistic is 0 or negative.
    unreachable_positive: frozenset[int]
    #: Row index → the earlier catch-all row (``otherwise``, ``each``, ``scaled``).
    after_catch_all: Mapping[int, int]
    #: The peer statistics tried (one empty cohort for a table without peer lines).
    cohorts: tuple[Cohort, ...]
    target: Fraction | None = None
    #: Cohort by cohort, where each row's condition holds (None: nowhere).
    conditions: tuple[tuple[Interval | None, ...], ...] = attrs.field(
        default=(), eq=False, repr=False
    )
    #: On a grid: the lattice, and cohort by cohort the grid indices of each row's condition.
    lattice: Lattice | None = attrs.field(default=None, eq=False, repr=False)
    runs: tuple[tuple[Run | None, ...], ...] = attrs.field(default=(), eq=False, repr=False)

    def values(self, row: int, cohort: Cohort | None = None) -> ValueSet:
        """The values row ``row`` holds for (in the first cohort tried, by default)."""
        line = self.rows_by_index()[row].line
        return self.domain.snap(condition_set(line, self.target, cohort or self.cohorts[0]))

    def rows_by_index(self) -> dict[int, Row]:
        return {row.index: row for row in self.rows}


@attrs.frozen
class TableReport:
    """The analysis of one item's (or part's) table, subject by subject."""

    item: Item
    subjects: tuple[SubjectReport, ...]
    #: Row index → (catch-all row of another subject, that subject): rows after it.
    #: The subject is ``""`` after a first ``otherwise`` that tests no input.
    foreign: Mapping[int, tuple[int, str]]
    #: Every row of the table, in order.
    rows: tuple[Row, ...] = ()

    @property
    def has_gap(self) -> bool:
        """Some values match no line: every subject leaves some uncovered."""
        return bool(self.subjects) and all(not report.gaps.empty for report in self.subjects)


# ------------------------------------------------------------------ cohorts


def _cohort_candidates(
    rows: Sequence[Row],
    domain: Domain,
    target: Fraction | None,
    stats: Sequence[tuple[tuple[str, PeerRelative], ...]],
    fixed_conditions: Sequence[Interval | None],
) -> tuple[Cohort, ...]:
    """Peer statistics to try: every value where a peer threshold meets a fixed end, and between.

    ``stats`` are the rows' :func:`peer_stats` and ``fixed_conditions`` the
    conditions of the rows without any.  For a table without peer lines
    this is the one empty cohort.
    """
    factors: dict[str, set[PeerRelative]] = {}
    for pairs in stats:
        for stat, comparison in pairs:
            factors.setdefault(stat, set()).add(comparison)
    if not factors:
        return ({},)
    fixed: set[Fraction] = {Fraction(0)}
    if target is not None:
        fixed.add(target)
    fixed.update(x for x in (domain.low, domain.high) if x is not None)
    for pairs, iv in zip(stats, fixed_conditions, strict=True):
        if not pairs:
            fixed.update(ends(iv))
    per_stat: list[list[tuple[str, Fraction]]] = []
    for stat, ks in sorted(factors.items()):
        marks = sorted({Fraction(0)} | {m for e in fixed for k in ks for m in k.statistics_at(e)})
        between = [(a + b) / 2 for a, b in pairwise(marks)]
        # Far out too, where a coarse grid no longer merges neighbouring thresholds.
        smallest = min((abs(k.factor) for k in ks if k.factor), default=Fraction(1))
        far = (domain.step or Fraction(1)) * 1000 / smallest
        if domain.high is not None:
            far = min(far, domain.high)
        values = set(marks) | set(between) | {marks[0] - 1, marks[-1] + 1, far, -far}
        inside = [
            m
            for m in values
            if (domain.low is None or m >= domain.low) and (domain.high is None or m <= domain.high)
        ]
        # Typical cohorts first: positive statistics, smallest first.
        inside.sort(key=lambda m: (m <= 0, abs(m)))
        per_stat.append([(stat, m) for m in inside])
    combos = (dict(combo) for combo in product(*per_stat))
    return tuple(islice((cohort for cohort in combos if _consistent(cohort)), 64)) or ({},)


def _consistent(cohort: Cohort) -> bool:
    """Statistics one cohort can have: min ≤ mean, median ≤ max."""
    low, high = cohort.get("min"), cohort.get("max")
    middle = [cohort[stat] for stat in ("mean", "median") if stat in cohort]
    if low is not None and (any(m < low for m in middle) or (high is not None and high < low)):
        return False
    return high is None or all(m <= high for m in middle)


# ----------------------------------------------------------------- analysis


def _drop_cascade(line: Line, lattice: Lattice, values: Run, overlap: Runs) -> Runs:
    """``overlap`` without the part at an open end of ``values`` (a cascade's), nor,
    for a line that nests, the parts strictly inside it (a narrower band's)."""
    below, above = open_sides(line)
    parts = list(overlap)
    if line.nests():
        low, high = lattice.low_end(values[0]), lattice.high_end(values[1])
        parts = [
            part
            for part in parts
            if lattice.low_end(part[0]) == low or lattice.high_end(part[1]) == high
        ]
    if parts and above and lattice.high_end(parts[-1][1]) == lattice.high_end(values[1]):
        parts.pop()
    if parts and below and lattice.low_end(parts[0][0]) == lattice.low_end(values[0]):
        parts.pop(0)
    return tuple(parts)


def analyse_subject(rows: Sequence[Row], spec: InputSpec, target: Fraction | None) -> SubjectReport:
    """Gaps and overlaps of the lines of one subject (``rows`` in table order).

    Only fixed lines *always* take values: what a peer-relative line takes
    depends on the cohort, so it shadows nothing, though it can leave a gap
    or be unreachable in every cohort tried.
    """
    domain = Domain.of(spec)
    stats = [peer_stats(row.line) for row in rows]
    no_data = [is_no_data(row.line) for row in rows]
    # Fixed rows hold in the same place in every cohort; peer rows are None here.
    fixed = [
        None if pairs else condition_interval(row.line, target, {})
        for row, pairs in zip(rows, stats, strict=True)
    ]
    cohorts = _cohort_candidates(rows, domain, target, stats, fixed)
    grid = Lattice.of(domain) if domain.step is not None else None
    fixed_runs = [grid.run(iv) for iv in fixed] if grid is not None else []
    reachable: set[int] = set()
    reachable_positive: set[int] = set()
    nonempty: set[int] = set()
    gaps: ValueSet | None = None
    gap_cohort: Cohort = cohorts[0]
    all_conditions: list[tuple[Interval | None, ...]] = []
    all_runs: list[tuple[Run | None, ...]] = []
    for cohort in cohorts:
        inside_interval = members_interval(cohort)
        if cohort:
            conditions = tuple(
                condition_interval(row.line, target, cohort) if pairs else iv
                for row, pairs, iv in zip(rows, stats, fixed, strict=True)
            )
        else:
            conditions = tuple(fixed)
        all_conditions.append(conditions)
        if grid is not None:
            lattice = grid
            runs = (
                tuple(
                    grid.run(iv) if pairs else run
                    for iv, pairs, run in zip(conditions, stats, fixed_runs, strict=True)
                )
                if cohort
                else tuple(fixed_runs)
            )
            all_runs.append(runs)
        else:
            lattice = Lattice.of(domain, [*conditions, inside_interval])
            runs = tuple(lattice.run(iv) for iv in conditions)
        inside = lattice.run(inside_interval)
        positive = all(stat > 0 for stat in cohort.values())
        covered: Runs = ()
        for row, run in zip(rows, runs, strict=True):
            values = meet_runs(run, inside)
            if values is None:
                continue
            nonempty.add(row.index)
            if not covers(covered, values):
                reachable.add(row.index)
                if positive:
                    reachable_positive.add(row.index)
                covered = add(covered, values)
        missing = minus(meet_runs(lattice.full, inside), covered)
        if gaps is None or (gaps.empty and missing):
            gaps, gap_cohort = lattice.value_set(missing), cohort
    assert gaps is not None
    base = grid if grid is not None else Lattice.of(domain, fixed)
    taken: dict[int, tuple[ValueSet, tuple[int, ...]]] = {}
    earlier_runs: list[tuple[int, Run | None]] = []
    for position, (row, pairs, is_no_data_row) in enumerate(zip(rows, stats, no_data, strict=True)):
        if pairs or is_no_data_row:
            continue
        values = fixed_runs[position] if grid is not None else base.run(fixed[position])
        overlap: Runs = ()
        by: list[int] = []
        for index, earlier in earlier_runs:
            shared = meet_runs(values, earlier)
            if shared is not None:
                overlap = add(overlap, shared)
                by.append(index)
        if values is not None and overlap:
            overlap = _drop_cascade(row.line, base, values, overlap)
        if by:
            by = [
                index
                for index, earlier in earlier_runs
                if index in by and touches(overlap, earlier)
            ]
        if overlap:
            taken[row.index] = (base.value_set(overlap), tuple(by))
        earlier_runs.append((row.index, values))
    empty = frozenset(
        row.index
        for row, is_no_data_row in zip(rows, no_data, strict=True)
        if not is_no_data_row and row.index not in nonempty
    )
    after: dict[int, int] = {}
    catch_all: int | None = None
    data_lines = 0
    for row, is_no_data_row in zip(rows, no_data, strict=True):
        if is_no_data_row:
            data_lines += 1
            if data_lines == 1:
                reachable.add(row.index)
                reachable_positive.add(row.index)
            continue
        if catch_all is not None:
            after[row.index] = catch_all
        elif is_catch_all(row.line):
            catch_all = row.index
    unreachable = frozenset(
        row.index for row in rows if row.index not in reachable and row.index not in empty
    )
    positive = any(all(stat > 0 for stat in cohort.values()) for cohort in cohorts if cohort)
    unreachable_positive = (
        frozenset(
            row.index
            for row in rows
            if row.index in reachable
            and row.index not in reachable_positive
            and row.index not in empty
        )
        if positive
        else frozenset()
    )
    return SubjectReport(
        subject=rows[0].line.subject if rows else "",
        domain=domain,
        rows=tuple(rows),
        gaps=gaps,
        gap_cohort=gap_cohort,
        taken=taken,
        empty=empty,
        unreachable=unreachable,
        unreachable_positive=unreachable_positive,
        after_catch_all=after,
        cohorts=cohorts,
        target=target,
        conditions=tuple(all_conditions),
        lattice=grid,
        runs=tuple(all_runs),
    )


def analyse_table(item: Item, specs: Mapping[str, InputSpec]) -> TableReport | None:
    """Analyse ``item``'s table, or None if it has none (or an undeclared subject)."""
    if item.table is None:
        return None
    rows = [Row(index, line) for index, line in enumerate(item.table.lines)]
    if rows and not rows[0].line.subject:
        # A first `otherwise` that tests no input takes every entity: no gap
        # is left, and every line after it is never reached.
        return TableReport(item, (), {row.index: (0, "") for row in rows[1:]}, tuple(rows))
    subjects: list[SubjectReport] = []
    for subject in item.table.subjects():
        spec = specs.get(subject)
        if spec is None:
            return None
        mine = [row for row in rows if row.line.subject == subject]
        subjects.append(analyse_subject(mine, spec, item.targets.get(subject)))
    foreign: dict[int, tuple[int, str]] = {}
    if len(subjects) > 1:
        catch_alls = [row for row in rows if is_catch_all(row.line)]
        for row in rows:
            if is_no_data(row.line):
                continue
            for other in catch_alls:
                if other.index >= row.index:
                    break
                if other.line.subject != row.line.subject:
                    foreign[row.index] = (other.index, other.line.subject)
                    break
    return TableReport(item, tuple(subjects), foreign, tuple(rows))
