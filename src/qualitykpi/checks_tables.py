"""Exact analysis of rule tables: gaps, overlaps and monotonicity.

Everything is computed with ``Fraction`` over the domain of the subject:
a percent lies in [0, 100], a count is a whole number ≥ 0, a number is any
decimal, a yes/no is 0 (no) or 1 (yes); with ``precision P`` only the
multiples of P are values.  Sets of values are unions of intervals
(:class:`ValueSet`); on a grid they are kept *snapped* — closed intervals
between grid points, adjacent ones merged — so ``[92, 94.4]`` and
``[94.5, 100]`` at precision 0.1 are one set with no gap.

This module knows nothing of spans or messages' places: it returns
:class:`Finding` records that :mod:`qualitykpi.checks` turns into
diagnostics.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from fractions import Fraction
from itertools import islice, pairwise, product

import attrs

from .scorers import (
    Band,
    Env,
    IsYes,
    Line,
    MeetsTarget,
    NoData,
    OffTarget,
    Otherwise,
    PeerRelative,
    PerUnit,
    Range,
    Scaled,
    ScoreProblem,
)
from .tree import Item
from .values import InputSpec, InputType, fmt

# ------------------------------------------------------------- intervals


@attrs.frozen
class Interval:
    """An interval of the rationals; ``None`` is unbounded on that side."""

    low: Fraction | None
    high: Fraction | None
    low_closed: bool = True
    high_closed: bool = True

    @property
    def empty(self) -> bool:
        if self.low is None or self.high is None:
            return False
        if self.low == self.high:
            return not (self.low_closed and self.high_closed)
        return self.low > self.high

    def contains(self, x: Fraction) -> bool:
        if self.low is not None and (x < self.low or (x == self.low and not self.low_closed)):
            return False
        return not (
            self.high is not None and (x > self.high or (x == self.high and not self.high_closed))
        )


def _low_key(iv: Interval) -> tuple[int, Fraction, int]:
    if iv.low is None:
        return (0, Fraction(0), 0)
    return (1, iv.low, 0 if iv.low_closed else 1)


def _higher_end(a: Interval, b: Interval) -> tuple[Fraction | None, bool]:
    if a.high is None or b.high is None:
        return None, False
    if a.high != b.high:
        return (a.high, a.high_closed) if a.high > b.high else (b.high, b.high_closed)
    return a.high, a.high_closed or b.high_closed


def _touches(first: Interval, then: Interval) -> bool:
    """``then`` (starting at or after ``first``) overlaps or adjoins ``first``."""
    if first.high is None or then.low is None:
        return True
    if then.low != first.high:
        return then.low < first.high
    return first.high_closed or then.low_closed


def _meet(a: Interval, b: Interval) -> Interval:
    if a.low is None or (b.low is not None and b.low > a.low):
        low, low_closed = b.low, b.low_closed
    elif b.low is None or a.low > b.low:
        low, low_closed = a.low, a.low_closed
    else:
        low, low_closed = a.low, a.low_closed and b.low_closed
    if a.high is None or (b.high is not None and b.high < a.high):
        high, high_closed = b.high, b.high_closed
    elif b.high is None or a.high < b.high:
        high, high_closed = a.high, a.high_closed
    else:
        high, high_closed = a.high, a.high_closed and b.high_closed
    return Interval(low, high, low_closed, high_closed)


def _normal(intervals: Iterable[Interval]) -> tuple[Interval, ...]:
    ordered = sorted((iv for iv in intervals if not iv.empty), key=_low_key)
    out: list[Interval] = []
    for iv in ordered:
        if out and _touches(out[-1], iv):
            high, closed = _higher_end(out[-1], iv)
            out[-1] = Interval(out[-1].low, high, out[-1].low_closed, closed)
        else:
            out.append(iv)
    return tuple(out)


@attrs.frozen
class ValueSet:
    """A finite union of disjoint intervals, in order."""

    intervals: tuple[Interval, ...] = attrs.field(converter=_normal)

    @classmethod
    def of(cls, *intervals: Interval) -> ValueSet:
        return cls(intervals)

    @property
    def empty(self) -> bool:
        return not self.intervals

    def contains(self, x: Fraction) -> bool:
        return any(iv.contains(x) for iv in self.intervals)

    def __or__(self, other: ValueSet) -> ValueSet:
        return ValueSet(self.intervals + other.intervals)

    def __and__(self, other: ValueSet) -> ValueSet:
        return ValueSet(_meet(a, b) for a in self.intervals for b in other.intervals)

    def complement(self) -> ValueSet:
        out: list[Interval] = []
        low: Fraction | None = None
        low_closed = False
        for iv in self.intervals:
            if iv.low is not None:
                out.append(Interval(low, iv.low, low_closed, not iv.low_closed))
            if iv.high is None:
                return ValueSet(out)
            low, low_closed = iv.high, not iv.high_closed
        out.append(Interval(low, None, low_closed, False))
        return ValueSet(out)

    def __sub__(self, other: ValueSet) -> ValueSet:
        return self & other.complement()

    def issubset(self, other: ValueSet) -> bool:
        return (self - other).empty

    def ends(self) -> Iterator[Fraction]:
        for iv in self.intervals:
            if iv.low is not None:
                yield iv.low
            if iv.high is not None:
                yield iv.high


EVERYTHING = ValueSet.of(Interval(None, None, False, False))
NOTHING = ValueSet(())


def _point(x: Fraction) -> ValueSet:
    return ValueSet.of(Interval(x, x))


# ---------------------------------------------------------------- domains


@attrs.frozen
class Domain:
    """The values an input (or a total) can take: bounds and an optional grid step."""

    type: InputType
    step: Fraction | None
    low: Fraction | None
    high: Fraction | None

    @classmethod
    def of(cls, spec: InputSpec) -> Domain:
        precision = spec.precision
        if spec.type == "percent":
            return cls("percent", precision, Fraction(0), Fraction(100))
        if spec.type == "count":
            step = Fraction(precision.numerator) if precision is not None else Fraction(1)
            return cls("count", step, Fraction(0), None)
        if spec.type == "yes/no":
            return cls("yes/no", Fraction(1), Fraction(0), Fraction(1))
        return cls("number", precision, None, None)

    @classmethod
    def totals(cls, low: Fraction, high: Fraction) -> Domain:
        """The totals a scheme can give: every number between two bounds."""
        return cls("number", None, low, high)

    @property
    def bounds(self) -> ValueSet:
        return ValueSet.of(
            Interval(self.low, self.high, self.low is not None, self.high is not None)
        )

    def full(self) -> ValueSet:
        return self.snap(self.bounds)

    def snap(self, values: ValueSet) -> ValueSet:
        """``values`` within the domain; on a grid, closed grid intervals, adjacent merged."""
        inside = values & self.bounds
        step = self.step
        if step is None:
            return inside
        out: list[Interval] = []
        for iv in inside.intervals:
            low = high = None
            if iv.low is not None:
                k = math.ceil(iv.low / step)
                if k * step == iv.low and not iv.low_closed:
                    k += 1
                low = k * step
            if iv.high is not None:
                k = math.floor(iv.high / step)
                if k * step == iv.high and not iv.high_closed:
                    k -= 1
                high = k * step
            if low is not None and high is not None and low > high:
                continue
            if out and (out[-1].high is None or (low is not None and low <= out[-1].high + step)):
                last = out[-1]
                top = None if last.high is None or high is None else max(last.high, high)
                out[-1] = Interval(last.low, top, last.low_closed, top is not None)
                continue
            out.append(Interval(low, high, low is not None, high is not None))
        return ValueSet(out)

    def grid_down(self, x: Fraction) -> Fraction:
        assert self.step is not None
        return math.floor(x / self.step) * self.step

    def grid_up(self, x: Fraction) -> Fraction:
        assert self.step is not None
        return math.ceil(x / self.step) * self.step

    def inside(self, x: Fraction) -> bool:
        if self.low is not None and x < self.low:
            return False
        if self.high is not None and x > self.high:
            return False
        return self.step is None or (x / self.step).denominator == 1

    def points(self, values: ValueSet) -> Iterator[Fraction]:
        """Every grid point of a bounded snapped set (for tests and small domains)."""
        assert self.step is not None
        for iv in self.snap(values).intervals:
            assert iv.low is not None and iv.high is not None
            x = iv.low
            while x <= iv.high:
                yield x
                x += self.step

    # ------------------------------------------------------------ words

    @property
    def unit(self) -> str:
        return "%" if self.type == "percent" else ""

    def show(self, x: Fraction, *, unit: bool = True) -> str:
        if self.type == "yes/no":
            return "yes" if x else "no"
        return fmt(x) + (self.unit if unit else "")

    def _span(self, low: Fraction, high: Fraction) -> str:
        return f"{self.show(low, unit=False)}–{self.show(high)}"

    def describe(self, values: ValueSet) -> tuple[str, bool]:
        """A phrase for a snapped set, and whether it is plural.

        ``values below 98% (0–97.9%)``, ``values 93–93.4%``, ``the value 5``.
        """
        if self.type == "yes/no":
            shown = [self.show(x) for x in self.points(values)]
            if len(shown) == 1:
                return f"the value {shown[0]}", False
            return "the values yes and no", True
        if values.intervals == self.full().intervals:
            return "every value", True
        phrases = [self._describe(iv) for iv in values.intervals]
        if len(phrases) == 1 and phrases[0].startswith("the value "):
            return phrases[0], False
        words = [phrase.removeprefix("values ") for phrase in phrases]
        if len(words) == 1:
            return f"values {words[0]}", True
        return "values " + ", ".join(words[:-1]) + " and " + words[-1], True

    def _describe(self, iv: Interval) -> str:
        low, high = iv.low, iv.high
        if self.step is not None:
            bottom = None if self.low is None else self.grid_up(self.low)
            top = None if self.high is None else self.grid_down(self.high)
            if low is not None and high is not None:
                if low == high:
                    return f"the value {self.show(low)}"
                listed = self._span(low, high)
                if low == bottom and high != top:
                    return f"values below {self.show(high + self.step)} ({listed})"
                if high == top and low != bottom:
                    return f"values above {self.show(low - self.step)} ({listed})"
                return f"values {listed}"
            if low is not None:
                return f"values of {self.show(low)} and above"
            if high is not None:
                return f"values of {self.show(high)} and below"
            return "every value"
        if low is not None and high is not None and low == high:
            return f"the value {self.show(low)}"
        if low is not None and (high is None or high == self.high) and low != self.low:
            above = "of at least" if iv.low_closed else "above"
            return f"values {above} {self.show(low)}"
        if high is not None and (low is None or low == self.low) and high != self.high:
            below = "of at most" if iv.high_closed else "below"
            return f"values {below} {self.show(high)}"
        if low is None or high is None:
            return "every value"
        return (
            f"values in {'[' if iv.low_closed else '('}{self.show(low)}, "
            f"{self.show(high)}{']' if iv.high_closed else ')'}"
        )


# ------------------------------------------------------------------ tables

#: Peer statistics of one cohort: ``{"mean": 3}``.
Cohort = Mapping[str, Fraction]


def range_set(condition: Range) -> ValueSet:
    """The values a :class:`~qualitykpi.scorers.Range` holds for."""
    return ValueSet.of(
        Interval(condition.low, condition.high, condition.low_closed, condition.high_closed)
    )


def _off_target(condition: OffTarget, target: Fraction) -> ValueSet:
    gap = range_set(condition.by) & ValueSet.of(Interval(Fraction(0), None, False, False))
    out: list[Interval] = []
    for iv in gap.intervals:
        if condition.direction == "above":
            out.append(
                Interval(
                    None if iv.low is None else target + iv.low,
                    None if iv.high is None else target + iv.high,
                    iv.low_closed,
                    iv.high_closed,
                )
            )
        else:
            out.append(
                Interval(
                    None if iv.high is None else target - iv.high,
                    None if iv.low is None else target - iv.low,
                    iv.high_closed,
                    iv.low_closed,
                )
            )
    return ValueSet(out)


_OPS = {
    ">=": lambda t: Interval(t, None, True, False),
    ">": lambda t: Interval(t, None, False, False),
    "<=": lambda t: Interval(None, t, False, True),
    "<": lambda t: Interval(None, t, False, False),
    "=": lambda t: Interval(t, t),
}


def is_catch_all(line: Line) -> bool:
    """A line that holds for every present value: ``otherwise``, ``each …``, ``scaled …``."""
    if isinstance(line, PerUnit | Scaled):
        return True
    return isinstance(line, Band) and isinstance(line.condition, Otherwise)


def is_no_data(line: Line) -> bool:
    return isinstance(line, Band) and isinstance(line.condition, NoData)


def peer_stats(line: Line) -> tuple[tuple[str, Fraction], ...]:
    """The (statistic, factor) pairs a line compares with; () for a fixed line."""
    if isinstance(line, Band) and isinstance(line.condition, PeerRelative):
        return ((line.condition.stat, line.condition.factor),)
    if isinstance(line, Scaled) and line.to_peer_max:
        return (("max", Fraction(1)),)
    return ()


def open_sides(line: Line) -> tuple[bool, bool]:
    """Whether the line's condition, as written, is unbounded below and above.

    ``at least 90`` is open above: in a cascade (``at least 95 → full``,
    ``at least 90 → 2``) the values above that an earlier line takes are
    meant to be taken, so they are not reported as shadowed.
    """
    if not isinstance(line, Band):
        return True, True
    condition = line.condition
    if isinstance(condition, Range):
        return condition.low is None, condition.high is None
    if isinstance(condition, MeetsTarget):
        return False, True
    if isinstance(condition, OffTarget):
        unbounded = condition.by.high is None
        return (unbounded, False) if condition.direction == "below" else (False, unbounded)
    return False, False


def _drop_cascade(line: Line, values: ValueSet, overlap: ValueSet) -> ValueSet:
    """``overlap`` without the part at an open end of ``values`` (a cascade's)."""
    below, above = open_sides(line)
    parts = list(overlap.intervals)
    if parts and above and parts[-1].high == values.intervals[-1].high:
        parts.pop()
    if parts and below and parts[0].low == values.intervals[0].low:
        parts.pop(0)
    return ValueSet(parts)


def condition_set(line: Line, target: Fraction | None, cohort: Cohort) -> ValueSet:
    """The present values for which ``line`` holds (given the cohort's statistics)."""
    if is_catch_all(line):
        return EVERYTHING
    assert isinstance(line, Band)
    condition = line.condition
    if isinstance(condition, Range):
        return range_set(condition)
    if isinstance(condition, IsYes):
        return _point(Fraction(1 if condition.expected else 0))
    if isinstance(condition, MeetsTarget):
        if target is None:
            return NOTHING
        return ValueSet.of(Interval(target, None, True, False))
    if isinstance(condition, OffTarget):
        return NOTHING if target is None else _off_target(condition, target)
    if isinstance(condition, PeerRelative):
        stat = cohort.get(condition.stat)
        if stat is None:
            return NOTHING
        return ValueSet.of(_OPS[condition.op](condition.factor * stat))
    return NOTHING  # ``no data`` holds for no present value


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

    def values(self, row: int, cohort: Cohort | None = None) -> ValueSet:
        """The values row ``row`` holds for (in the first cohort tried, by default)."""
        line = self.rows_by_index()[row].line
        return self.domain.snap(condition_set(line, self.target, cohort or self.cohorts[0]))

    def rows_by_index(self) -> dict[int, Row]:
        return {row.index: row for row in self.rows}


def _cohort_candidates(
    rows: Sequence[Row], domain: Domain, target: Fraction | None
) -> tuple[Cohort, ...]:
    """Peer statistics to try: every value where a peer threshold meets a fixed end, and between.

    For a table without peer lines this is the one empty cohort.
    """
    factors: dict[str, set[Fraction]] = {}
    for row in rows:
        for stat, factor in peer_stats(row.line):
            factors.setdefault(stat, set()).add(factor)
    if not factors:
        return ({},)
    fixed: set[Fraction] = {Fraction(0)}
    if target is not None:
        fixed.add(target)
    fixed.update(x for x in (domain.low, domain.high) if x is not None)
    for row in rows:
        if not peer_stats(row.line):
            fixed.update(condition_set(row.line, target, {}).ends())
    per_stat: list[list[tuple[str, Fraction]]] = []
    for stat, ks in sorted(factors.items()):
        marks = sorted({Fraction(0)} | {e / k for e in fixed for k in ks if k})
        between = [(a + b) / 2 for a, b in pairwise(marks)]
        # Far out too, where a coarse grid no longer merges neighbouring thresholds.
        far = (domain.step or Fraction(1)) * 1000 / min((abs(k) for k in ks if k), default=1)
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


def members(cohort: Cohort) -> ValueSet:
    """The values a member of a cohort with these statistics can have (within min and max)."""
    return ValueSet.of(
        Interval(cohort.get("min"), cohort.get("max"), "min" in cohort, "max" in cohort)
    )


def analyse_subject(rows: Sequence[Row], spec: InputSpec, target: Fraction | None) -> SubjectReport:
    """Gaps and overlaps of the lines of one subject (``rows`` in table order).

    Only fixed lines *always* take values: what a peer-relative line takes
    depends on the cohort, so it shadows nothing, though it can leave a gap
    or be unreachable in every cohort tried.
    """
    domain = Domain.of(spec)
    full = domain.full()
    cohorts = _cohort_candidates(rows, domain, target)
    reachable: set[int] = set()
    reachable_positive: set[int] = set()
    gaps: ValueSet | None = None
    gap_cohort: Cohort = cohorts[0]
    nonempty: set[int] = set()
    for cohort in cohorts:
        covered = NOTHING
        inside = members(cohort)
        for row in rows:
            values = domain.snap(condition_set(row.line, target, cohort) & inside)
            if not values.empty:
                nonempty.add(row.index)
            if not values.issubset(covered):
                reachable.add(row.index)
                if all(stat > 0 for stat in cohort.values()):
                    reachable_positive.add(row.index)
            covered = domain.snap(covered | values)
        missing = domain.snap((full & inside) - covered)
        if gaps is None or (gaps.empty and not missing.empty):
            gaps, gap_cohort = missing, cohort
    assert gaps is not None
    taken: dict[int, tuple[ValueSet, tuple[int, ...]]] = {}
    fixed: list[tuple[int, ValueSet]] = []
    for row in rows:
        if peer_stats(row.line) or is_no_data(row.line):
            continue
        values = domain.snap(condition_set(row.line, target, {}))
        overlap = NOTHING
        by: list[int] = []
        for index, earlier in fixed:
            shared = domain.snap(values & earlier)
            if not shared.empty:
                overlap = domain.snap(overlap | shared)
                by.append(index)
        overlap = _drop_cascade(row.line, values, overlap) if not values.empty else overlap
        by = [index for index, earlier in fixed if index in by and not (overlap & earlier).empty]
        if not overlap.empty:
            taken[row.index] = (overlap, tuple(by))
        fixed.append((row.index, values))
    empty = frozenset(
        row.index for row in rows if not is_no_data(row.line) and row.index not in nonempty
    )
    after: dict[int, int] = {}
    catch_all: int | None = None
    data_lines = 0
    for row in rows:
        if is_no_data(row.line):
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
    unreachable_positive = frozenset(
        row.index
        for row in rows
        if positive
        and row.index in reachable
        and row.index not in reachable_positive
        and row.index not in empty
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
    )


@attrs.frozen
class TableReport:
    """The analysis of one item's (or part's) table, subject by subject."""

    item: Item
    subjects: tuple[SubjectReport, ...]
    #: Row index → (catch-all row of another subject, that subject): rows after it.
    foreign: Mapping[int, tuple[int, str]]

    @property
    def has_gap(self) -> bool:
        """Some values match no line: every subject leaves some uncovered."""
        return bool(self.subjects) and all(not report.gaps.empty for report in self.subjects)


def analyse_table(item: Item, specs: Mapping[str, InputSpec]) -> TableReport | None:
    """Analyse ``item``'s table, or None if it has none (or an undeclared subject)."""
    if item.table is None:
        return None
    rows = [Row(index, line) for index, line in enumerate(item.table.lines)]
    subjects: list[SubjectReport] = []
    for subject in item.table.subjects():
        spec = specs.get(subject)
        if spec is None:
            return None
        mine = [row for row in rows if row.line.subject == subject]
        subjects.append(analyse_subject(mine, spec, item.targets.get(subject)))
    foreign: dict[int, tuple[int, str]] = {}
    for row in rows:
        for other in rows[: row.index]:
            if (
                other.line.subject != row.line.subject
                and is_catch_all(other.line)
                and not is_no_data(row.line)
            ):
                foreign[row.index] = (other.index, other.line.subject)
                break
    return TableReport(item, tuple(subjects), foreign)


# ------------------------------------------------------------ monotonicity


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


def _critical(report: SubjectReport, cohort: Cohort) -> set[Fraction]:
    domain = report.domain
    points: set[Fraction] = {x for x in (domain.low, domain.high) if x is not None}
    points.add(Fraction(0))
    if report.target is not None:
        points.add(report.target)
    for row in report.rows:
        points.update(condition_set(row.line, report.target, cohort).ends())
        line = row.line
        if isinstance(line, PerUnit):
            origin = line.threshold if line.threshold is not None else Fraction(0)
            points.add(origin)
            if line.mode != "pro rata" and domain.step is None:
                points.update(origin + n * line.unit for n in range(-200, 201))
        elif isinstance(line, Scaled) and line.low is not None and line.high is not None:
            points.update((line.low, line.high))
    return points


def _samples(domain: Domain, critical: set[Fraction]) -> list[Fraction]:
    step = domain.step
    out: set[Fraction] = set()
    if step is not None:
        for c in critical:
            down, up = domain.grid_down(c), domain.grid_up(c)
            out.update((down - step, down, up, up + step))
    else:
        marks = sorted(critical)
        out.update(marks)
        for a, b in pairwise(marks):
            delta = (b - a) / 1000
            out.update((a + delta, (a + b) / 2, b - delta))
        if marks:
            out.update((marks[0] - 1, marks[-1] + 1))
    return sorted(x for x in out if domain.inside(x))


def _score(rows: Sequence[Row], item: Item, x: Fraction, env: Env) -> tuple[Fraction, Row] | None:
    for row in rows:
        line = row.line
        if is_no_data(line):
            continue
        try:
            if line.matches(x, env):
                score = line.apply(x, env, item.max).score
                return min(max(score, item.minimum), item.max), row
        except ScoreProblem:
            return None
    return None


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
    # With peer lines, typical cohorts only: peer statistics above 0.
    cohorts = [c for c in report.cohorts if all(v > 0 for v in c.values())] or report.cohorts
    for cohort in cohorts:
        env = Env(report.target, dict(cohort), report.subject, percent)
        inside = members(cohort)
        samples = [
            x for x in _samples(report.domain, _critical(report, cohort)) if inside.contains(x)
        ]
        if direction == "lower":
            samples.reverse()
        best: tuple[Fraction, Fraction, Row] | None = None  # score, value, row
        for x in samples:
            scored = _score(report.rows, item, x, env)
            if scored is None:
                continue
            score, row = scored
            if best is not None and score < best[0]:
                return Violation(x, score, row, best[1], best[0], best[2], cohort)
            if best is None or score > best[0]:
                best = (score, x, row)
    return None
