"""The static checks: what a rule's author should hear before it is published.

``check(path_or_text)`` loads a rule file and returns its diagnostics —
gaps, overlaps, unreachable lines, wrong sums, unfair steps — sorted by
line.  A file that does not load gives its load errors as diagnostics of
severity ``error`` instead.  ``check_scheme(scheme)`` checks a scheme
already loaded.

The checks are a tuple of ``check_*`` functions (:data:`CHECKS`), each
taking a :class:`Context` and yielding :class:`~qualitykpi.diagnostics.
Diagnostic` records; the exact interval analysis of rule tables lives in
:mod:`qualitykpi.checks_tables`.  ``docs/diagnostics.rst`` lists every code.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from fractions import Fraction
from pathlib import Path

import attrs

from . import ast
from .analysis import _walk as walk_syntax
from .checks_tables import (
    EVERYTHING,
    NOTHING,
    Domain,
    Row,
    SubjectReport,
    TableReport,
    ValueSet,
    analyse_table,
    is_catch_all,
    is_no_data,
    monotonicity,
    peer_stats,
    range_set,
)
from .diagnostics import Diagnostic, make, sort_diagnostics
from .errors import RuleError
from .scheme import Scheme, loads
from .scorers import (
    Band,
    Deduct,
    ForEach,
    NoData,
    OffTarget,
    PerUnit,
    Range,
    Score,
    When,
    count_units,
)
from .source import Source, Span, narrow
from .tree import Item, Section
from .tree import _deducts as deducts
from .values import InputSpec, fmt

# ----------------------------------------------------------------- context


@attrs.frozen
class Context:
    """A loaded scheme, with what the checks look up: spans, specs, parents."""

    scheme: Scheme
    file: str
    source: Source | None
    syntax: ast.Scheme | None
    nodes: Mapping[str, ast.Section | ast.Item]
    specs: Mapping[str, InputSpec]
    parents: Mapping[str, Item]

    @classmethod
    def of(cls, scheme: Scheme) -> Context:
        syntax = scheme.syntax
        nodes: dict[str, ast.Section | ast.Item] = {}
        if syntax is not None:
            nodes = {node.id: node for node in walk_syntax(syntax.children) if node.id}
        parents = {
            part.id: node
            for node in scheme.scorer.walk()
            if isinstance(node, Item)
            for part in node.parts
        }
        file = (
            scheme.source.name if scheme.source is not None else (scheme.scorer.file or "<scheme>")
        )
        specs = {spec.name: spec for spec in scheme.scorer.inputs}
        return cls(scheme, file, scheme.source, syntax, nodes, specs, parents)

    def diagnostic(
        self,
        code: str,
        message: str,
        span: Span | None,
        *,
        related: Iterable[int] = (),
        hint: str | None = None,
    ) -> Diagnostic:
        return make(code, message, self.file, span, related=related, hint=hint)

    # ---------------------------------------------------------------- spans

    def at_line(self, line: int | None) -> Span | None:
        if not line:
            return None
        return Span(line, 1, line, 1)

    def header(self, node: Item | Section) -> Span | None:
        """The node's name on its first line (or just that line)."""
        syntax = self.nodes.get(node.id)
        if syntax is None or self.source is None:
            return self.at_line(node.line)
        first = Span(syntax.span.line, syntax.span.column, syntax.span.line, syntax.span.column)
        for needle in (f'"{node.name}"', f"“{node.name}”", node.name):
            found = narrow(self.source, first, needle)
            if found != first:
                return found
        return first

    def max_span(self, node: Item | Section) -> Span | None:
        syntax = self.nodes.get(node.id)
        if syntax is not None and syntax.max is not None:
            return syntax.max.span
        return self.header(node)

    def ast_item(self, item: Item) -> ast.Item | None:
        syntax = self.nodes.get(item.id)
        return syntax if isinstance(syntax, ast.Item) else None

    def line_syntax(self, item: Item, index: int) -> ast.Line | None:
        syntax = self.ast_item(item)
        if syntax is None or index >= len(syntax.lines):
            return None
        return syntax.lines[index]

    def row_span(self, item: Item, row: Row, *, condition: bool = True) -> Span | None:
        line = self.line_syntax(item, row.index)
        if line is None:
            return self.at_line(row.number)
        if condition and isinstance(line, ast.BandLine):
            return line.condition.span
        return line.span

    def clause_syntax(self, item: Item, index: int) -> ast.Clause | None:
        syntax = self.ast_item(item)
        if syntax is None or index >= len(syntax.clauses):
            return None
        return syntax.clauses[index]


def _what(node: Item | Section) -> str:
    kind = "item" if node.kind == "task" else node.kind
    return f'{kind} "{node.name}"'


def _items(ctx: Context) -> Iterator[Item]:
    for node in ctx.scheme.scorer.walk():
        if isinstance(node, Item):
            yield node


def _sections(ctx: Context) -> Iterator[Section]:
    for node in ctx.scheme.scorer.walk():
        if isinstance(node, Section):
            yield node


def _sum_text(values: list[Fraction]) -> str:
    total = fmt(sum(values, Fraction(0)))
    if 1 < len(values) <= 12:
        return f"{total} ({' + '.join(fmt(value) for value in values)})"
    return total


def _plural(count: int, word: str) -> str:
    return f"{word}{'' if count == 1 else 's'}"


def _lines_text(numbers: Iterable[int]) -> str:
    listed = sorted(set(numbers))
    if not listed:
        return "an earlier line"
    return f"{_plural(len(listed), 'line')} " + ", ".join(str(n) for n in listed)


# ------------------------------------------------------------- table checks


_STAT_WORDS = {"mean": "mean", "median": "median", "max": "max", "min": "min"}


def _cohort_text(report: SubjectReport, cohort: Mapping[str, Fraction]) -> str:
    if not cohort:
        return ""
    words = [
        f"the peer {_STAT_WORDS[stat]} is {report.domain.show(value)}"
        for stat, value in sorted(cohort.items())
    ]
    return " when " + " and ".join(words)


def _gap_hint(report: SubjectReport) -> str:
    gaps, domain = report.gaps, report.domain
    if len(gaps.intervals) == 1 and domain.step is not None and domain.type != "yes/no":
        iv = gaps.intervals[0]
        if iv.low is not None and iv.high is not None and not report.gap_cohort:
            return (
                f"add a line for them, such as `[{domain.show(iv.low)}, "
                f"{domain.show(iv.high)}] → …`, or end the table with `otherwise → 0`"
            )
    return "add a line for them, or end the table with `otherwise → 0`"


def _gap(ctx: Context, item: Item, table: TableReport) -> Iterator[Diagnostic]:
    if not table.has_gap:
        return
    rows = [row.number for report in table.subjects for row in report.rows]
    if len(table.subjects) == 1:
        report = table.subjects[0]
        phrase, plural = report.domain.describe(report.gaps)
        verb = "match" if plural else "matches"
        them = "them" if plural else "it"
        message = (
            f"{phrase} of `{report.subject}` {verb} no line of {_what(item)}"
            f"{_cohort_text(report, report.gap_cohort)}, so scoring {them} fails"
        )
        yield ctx.diagnostic("gap", message, ctx.header(item), related=rows, hint=_gap_hint(report))
        return
    parts = []
    for report in table.subjects:
        phrase, _ = report.domain.describe(report.gaps)
        parts.append(f"`{report.subject}` has {phrase}")
    message = f"no line of {_what(item)} matches when " + " and ".join(parts) + ", so scoring fails"
    yield ctx.diagnostic(
        "gap",
        message,
        ctx.header(item),
        related=rows,
        hint="add a line for them, or end the table with `otherwise → 0`",
    )


def _question(report: SubjectReport, row: Row, taken: ValueSet) -> str:
    """Ask what the author meant, when a band's overlap sits at one of its ends."""
    values = report.values(row.index)
    domain = report.domain
    if len(taken.intervals) != 1 or len(values.intervals) != 1:
        return ""
    over, band = taken.intervals[0], values.intervals[0]
    written_in_points = isinstance(row.line, Band) and isinstance(row.line.condition, OffTarget)
    if domain.step is None or domain.type == "yes/no" or written_in_points:
        return ""
    if over.low == band.low and over.high is not None and over.high != band.high:
        return f"; is this band meant to start at {domain.show(over.high + domain.step)}?"
    if over.high == band.high and over.low is not None and over.low != band.low:
        return f"; is this band meant to end at {domain.show(over.low - domain.step)}?"
    return ""


def _empty_reason(report: SubjectReport) -> str:
    domain = report.domain
    if domain.type == "percent":
        reason = "a percent lies between 0 and 100"
    elif domain.type == "count":
        reason = "a count is a whole number, 0 or more"
    else:
        reason = ""
    if domain.step is not None and domain.type != "yes/no" and domain.step != 1:
        step = f"values are reported in steps of {fmt(domain.step)}"
        reason = f"{reason}, and {step}" if reason else step
    return f" ({reason})" if reason else ""


def _row_findings(ctx: Context, item: Item, report: SubjectReport) -> Iterator[Diagnostic]:
    by_index = report.rows_by_index()
    for row in report.rows:
        span = ctx.row_span(item, row)
        if row.index in report.after_catch_all:
            catch = by_index[report.after_catch_all[row.index]]
            if isinstance(catch.line, Band):
                yield ctx.diagnostic(
                    "otherwise-not-last",
                    f"this line comes after `otherwise` (line {catch.number}), which matches "
                    f"every present value of `{report.subject}`, so it is never reached; "
                    f"should it come before line {catch.number}?",
                    span,
                    related=[catch.number],
                    hint="only a `no data` line may follow `otherwise`",
                )
            else:
                yield ctx.diagnostic(
                    "unreachable-line",
                    f"line {catch.number} (`{catch.text}`) holds for every value of "
                    f"`{report.subject}`, so this line is never reached; should it come "
                    f"before line {catch.number}?",
                    span,
                    related=[catch.number],
                )
            continue
        if row.index in report.empty:
            yield ctx.diagnostic(
                "unreachable-line",
                f"no value of `{report.subject}` satisfies `{_condition_text(ctx, item, row)}`"
                f"{_empty_reason(report)}, so this line is never reached; is a number mistyped?",
                span,
            )
            continue
        if row.index in report.unreachable or row.index in report.unreachable_positive:
            if is_no_data(row.line):
                message = "a `no data` line above already takes every absent value"
                related: list[int] = [
                    other.number
                    for other in report.rows
                    if other.index < row.index and is_no_data(other.line)
                ]
            else:
                earlier = [
                    other.index
                    for other in report.rows
                    if other.index < row.index and not is_no_data(other.line)
                ]
                mine = report.values(row.index)
                by = [
                    index for index in earlier if not (report.values(index) & mine).empty
                ] or earlier
                related = [by_index[index].number for index in by]
                if peer_stats(row.line):
                    when = (
                        "whenever the peer statistics are above 0"
                        if row.index in report.unreachable_positive
                        else "in every cohort"
                    )
                    message = (
                        f"{when}, every value that satisfies `{_condition_text(ctx, item, row)}` "
                        f"is already taken by {_lines_text(related)}, so this line is never "
                        "reached; are the lines in the wrong order?"
                    )
                else:
                    phrase, _ = report.domain.describe(report.values(row.index))
                    message = (
                        f"every value this line covers ({phrase}) is already taken by "
                        f"{_lines_text(related)}, so it is never reached"
                    )
            yield ctx.diagnostic("unreachable-line", message, span, related=related)
            continue
        if row.index in report.taken and not is_catch_all(row.line):
            values, takers = report.taken[row.index]
            related = [by_index[index].number for index in takers]
            phrase, plural = report.domain.describe(values)
            verb = "are" if plural else "is"
            first = by_index[takers[0]] if len(takers) == 1 else None
            whom = f"line {first.number} (`{first.text}`)" if first else _lines_text(related)
            yield ctx.diagnostic(
                "shadowed",
                f"{phrase} of this line {verb} already taken by {whom}"
                + (_question(report, row, values) or ", which comes first"),
                span,
                related=related,
            )


def _condition_text(ctx: Context, item: Item, row: Row) -> str:
    line = ctx.line_syntax(item, row.index)
    if isinstance(line, ast.BandLine):
        return line.condition.text
    return row.text


def _direction(ctx: Context, item: Item, report: SubjectReport) -> tuple[str, str]:
    """Which way is better for the subject, and why (``as line 3 implies``)."""
    parent = ctx.parents.get(item.id)
    declared = item.better or (parent.better if parent is not None else None)
    if declared is not None:
        return declared, f"as `better {declared}` says"
    for row in report.rows:
        implied = row.line.direction()
        if implied != "none":
            return implied, f"as line {row.number} implies"
    return "none", ""


def _monotone(ctx: Context, item: Item, report: SubjectReport) -> Iterator[Diagnostic]:
    direction, why = _direction(ctx, item, report)
    if direction == "none" or report.domain.type == "yes/no":
        return
    spec = ctx.specs.get(report.subject)
    found = monotonicity(
        item, report, direction, percent=spec is not None and spec.type == "percent"
    )
    if found is None:
        return
    show = report.domain.show
    at = found.better_row if found.better_row.index >= found.worse_row.index else found.worse_row
    other = found.worse_row if at is found.better_row else found.better_row
    message = (
        f"{direction} values of `{report.subject}` are better ({why}), but "
        f"{show(found.better)} scores {fmt(found.better_score)} (line {found.better_row.number})"
        f" while {show(found.worse)} scores {fmt(found.worse_score)} "
        f"(line {found.worse_row.number}){_cohort_text(report, found.cohort)}; "
        "is a score or the order of the lines wrong?"
    )
    yield ctx.diagnostic(
        "non-monotone",
        message,
        ctx.row_span(item, at, condition=False),
        related=[other.number] if other.number != at.number else [],
    )


def _foreign(ctx: Context, item: Item, table: TableReport) -> Iterator[Diagnostic]:
    reported = {
        index
        for report in table.subjects
        for index in (*report.after_catch_all, *report.unreachable, *report.empty)
    }
    rows = {row.index: row for report in table.subjects for row in report.rows}
    for index, (catch_index, subject) in table.foreign.items():
        if index in reported:
            continue
        catch = rows[catch_index]
        code = "otherwise-not-last" if isinstance(catch.line, Band) else "unreachable-line"
        yield ctx.diagnostic(
            code,
            f"this line comes after line {catch.number} (`{catch.text}`), which holds for every "
            f"present value of `{subject}`, so it is reached only when `{subject}` has no data; "
            f"should it come before line {catch.number}?",
            ctx.row_span(item, rows[index]),
            related=[catch.number],
        )


def check_tables(ctx: Context) -> Iterator[Diagnostic]:
    """``gap``, ``shadowed``, ``unreachable-line``, ``otherwise-not-last``, ``non-monotone``."""
    for item in _items(ctx):
        table = analyse_table(item, ctx.specs)
        if table is None:
            continue
        yield from _gap(ctx, item, table)
        for report in table.subjects:
            yield from _row_findings(ctx, item, report)
            yield from _monotone(ctx, item, report)
        yield from _foreign(ctx, item, table)


def _uses_no_data(ctx: Context) -> bool:
    for item in _items(ctx):
        if item.table is not None and any(is_no_data(line) for line in item.table.lines):
            return True
        if any(
            isinstance(clause, When) and isinstance(clause.condition, NoData)
            for clause in item.clauses
        ):
            return True
    return any(isinstance(veto.condition, NoData) for veto in ctx.scheme.scorer.vetoes)


def check_no_data(ctx: Context) -> Iterator[Diagnostic]:
    """``no-data-line``: only in a scheme that says elsewhere what an absent value scores."""
    if not _uses_no_data(ctx):
        return
    for item in _items(ctx):
        if item.kind == "part":
            continue
        missing: list[str] = []
        for node in item.walk():
            if node.table is None:
                continue
            covered = {line.subject for line in node.table.lines if is_no_data(line)}
            missing.extend(s for s in node.table.subjects() if s not in covered)
        if missing:
            names = ", ".join(f"`{name}`" for name in dict.fromkeys(missing))
            yield ctx.diagnostic(
                "no-data-line",
                f"{_what(item)} has no `no data` line for {names}: an absent value is a "
                "data error here, while other items of this scheme say what it scores",
                ctx.header(item),
                hint='add `no data → 0` ("未报送的不得分") if an absent value should score',
            )


def _shorthand(line: ast.Line) -> tuple[str, ast.Interval] | None:
    if not isinstance(line, ast.BandLine):
        return None
    condition = line.condition
    kind = "plain"
    if isinstance(condition, ast.TargetDelta):
        kind, condition = condition.direction, condition.delta  # type: ignore[assignment]
    if isinstance(condition, ast.Interval) and condition.shorthand:
        return f"{line.subject}:{kind}", condition
    return None


def check_shorthand(ctx: Context) -> Iterator[Diagnostic]:
    """``shorthand-endpoint``: which of two adjacent ``A–B`` ranges takes the shared end."""
    for syntax in ctx.nodes.values():
        if not isinstance(syntax, ast.Item):
            continue
        groups: dict[str, list[tuple[ast.BandLine, ast.Interval]]] = {}
        for line in syntax.lines:
            found = _shorthand(line)
            if found is not None:
                assert isinstance(line, ast.BandLine)
                groups.setdefault(found[0], []).append((line, found[1]))
        for ranges in groups.values():
            shared: list[tuple[ast.BandLine, ast.Interval, ast.BandLine]] = []
            for upper_line, upper in ranges:
                for lower_line, lower in ranges:
                    if lower is not upper and lower.high.value == upper.low.value:
                        shared.append((lower_line, lower, upper_line))
                        break
            if not shared:
                continue
            shared.sort(key=lambda entry: entry[2].span.line)
            words = [
                f"{entry[1].high.text} to `{entry[1].text}` (line {entry[0].span.line})"
                for entry in shared
            ]
            first = shared[0]
            message = (
                "adjacent ranges share an end, which goes to the range it ends: "
                + ", ".join(words)
                + " — a range `A–B` leaves out A and includes B (含本数)"
            )
            related = {entry[0].span.line for entry in shared} | {
                entry[2].span.line for entry in shared
            }
            yield ctx.diagnostic(
                "shorthand-endpoint", message, first[2].condition.span, related=related
            )


# ----------------------------------------------------------------- sums


def _is_task_section(ctx: Context, section: Section) -> bool:
    syntax = ctx.nodes.get(section.id)
    if isinstance(syntax, ast.Section):
        return syntax.is_task
    return section.max == 0 and all(
        isinstance(node, Item) and node.kind == "task"
        for node in section.walk()
        if node is not section
    )


def check_sums(ctx: Context) -> Iterator[Diagnostic]:
    """``sum-mismatch``: children's maxima that do not add up to the parent's max."""
    for item in _items(ctx):
        if item.parts:
            worth = [part.max for part in item.parts]
            if sum(worth, Fraction(0)) != item.max:
                yield ctx.diagnostic(
                    "sum-mismatch",
                    f"the parts of {_what(item)} are worth {_sum_text(worth)}, not its max "
                    f"{fmt(item.max)}; is a max mistyped?",
                    ctx.max_span(item),
                    related=[part.line for part in item.parts if part.line],
                )
    for section in _sections(ctx):
        if section.deduct_cap is not None or _is_task_section(ctx, section):
            continue
        scored = section.scored()
        worth = [child.max for child in scored]
        if sum(worth, Fraction(0)) != section.max:
            yield ctx.diagnostic(
                "sum-mismatch",
                f"the children of {_what(section)} are worth {_sum_text(worth)}, not its max "
                f"{fmt(section.max)}; is a max mistyped, or a child missing?",
                ctx.max_span(section),
                related=[child.line for child in scored if child.line],
                hint="deduction-only children and tasks count 0, bonuses do not count",
            )


def check_total(ctx: Context) -> Iterator[Diagnostic]:
    """``total-mismatch`` and ``missing-total``."""
    scorer = ctx.scheme.scorer
    worth = [child.max for child in scorer.scored()]
    top = sum(worth, Fraction(0))
    syntax = ctx.syntax
    if scorer.total is not None:
        if scorer.total != top:
            span = syntax.total.span if syntax is not None and syntax.total is not None else None
            yield ctx.diagnostic(
                "total-mismatch",
                f"the scheme's total is {fmt(scorer.total)}, but its sections and items are "
                f"worth {_sum_text(worth)}; is a section missing, or the total wrong?",
                span,
            )
    elif top > 0:
        span = None
        if syntax is not None:
            span = Span(
                syntax.span.line, syntax.span.column, syntax.span.line, syntax.span.column + 6
            )
        yield ctx.diagnostic(
            "missing-total",
            f"the scheme declares no `total`; its sections and items are worth {fmt(top)}",
            span,
            hint=f"write `total {fmt(top)}` so that the checks can confirm the sum",
        )


# ------------------------------------------------------------- outcomes


def _most_deducted(line: PerUnit, domain: Domain) -> Fraction | None:
    """The largest amount a per-unit deduction takes over the domain; None if unbounded."""
    if line.reference == "below":
        assert line.threshold is not None
        if domain.low is None:
            return None
        span = max(line.threshold - domain.low, Fraction(0))
    else:
        if domain.high is None:
            return None
        origin = line.threshold if line.reference == "above" else Fraction(0)
        assert origin is not None
        span = max(domain.high - origin, Fraction(0))
    return line.amount * count_units(span, line.unit, line.mode)


def _size_text(item: Item) -> str:
    if item.deduct_cap is not None:
        return f"{_what(item)}, which deducts at most {fmt(item.deduct_cap)}"
    return f"{_what(item)}, worth {fmt(item.max)}"


def _limit(item: Item) -> Fraction:
    """How much a deduction can take: the max, or a deduction-only item's cap."""
    return item.deduct_cap if item.deduct_cap is not None else item.max


def _table_outcomes(ctx: Context, item: Item) -> Iterator[Diagnostic]:
    assert item.table is not None
    limit = _limit(item)
    for index, line in enumerate(item.table.lines):
        syntax = ctx.line_syntax(item, index)
        here = ctx.at_line(line.line)
        if isinstance(line, Band):
            span = syntax.outcome.span if isinstance(syntax, ast.BandLine) else here
            outcome = line.outcome
            if isinstance(outcome, Deduct) and outcome.amount > limit:
                yield ctx.diagnostic(
                    "deduction-exceeds",
                    f"this line deducts {fmt(outcome.amount)} in {_size_text(item)}; only "
                    f"{fmt(limit)} can be deducted",
                    span,
                )
            elif isinstance(outcome, Score):
                yield from _fixed(ctx, item, outcome.value, span, "this line scores")
        elif isinstance(line, PerUnit):
            cap_span = syntax.cap.span if isinstance(syntax, ast.EachLine) and syntax.cap else here
            if line.effect == "award":
                if line.cap is not None and line.cap > item.max:
                    yield ctx.diagnostic(
                        "award-above-max",
                        f"this line awards at most {fmt(line.cap)} in {_size_text(item)}; "
                        f"the score stops at {fmt(item.max)}",
                        cap_span,
                    )
                continue
            if line.cap is not None:
                if line.cap > limit:
                    yield ctx.diagnostic(
                        "deduction-exceeds",
                        f"this line deducts at most {fmt(line.cap)} in {_size_text(item)}; "
                        f"only {fmt(limit)} can be deducted",
                        cap_span,
                    )
                continue
            if line.floor is not None or item.deduct_cap is not None:
                continue
            spec = ctx.specs.get(line.subject)
            if spec is None:
                continue
            most = _most_deducted(line, Domain.of(spec))
            if most is None or most > item.max:
                amount = "without limit" if most is None else f"up to {fmt(most)}"
                yield ctx.diagnostic(
                    "deduction-exceeds",
                    f"this line can deduct {amount} in {_size_text(item)}; the score stops at 0",
                    syntax.span if syntax is not None else here,
                    hint=f"add `, floor 0` (扣完为止) if that is meant, or `, at most "
                    f"{fmt(item.max)}`",
                )


def _fixed(
    ctx: Context, item: Item, value: Fraction, span: Span | None, what: str
) -> Iterator[Diagnostic]:
    if value > item.max:
        yield ctx.diagnostic(
            "award-above-max",
            f"{what} {fmt(value)} in {_size_text(item)}; the score stops at {fmt(item.max)}",
            span,
        )
    elif item.deduct_cap is not None and value < -item.deduct_cap:
        yield ctx.diagnostic(
            "deduction-exceeds",
            f"{what} {fmt(value)} in {_size_text(item)}; the score stops at "
            f"{fmt(-item.deduct_cap)}",
            span,
        )
    elif item.deduct_cap is None and value < 0:
        yield ctx.diagnostic(
            "negative-score",
            f"{what} {fmt(value)} in {_what(item)}, which cannot score below 0; the score "
            "stops at 0",
            span,
            hint="to take points from the section, make it deduction-only: `deduct at most N`",
        )


def _clause_outcomes(ctx: Context, item: Item) -> Iterator[Diagnostic]:
    limit = _limit(item)
    for index, clause in enumerate(item.clauses):
        syntax = ctx.clause_syntax(item, index)
        here = ctx.at_line(clause.line)
        amount_span = syntax.amount.span if syntax is not None else here
        if isinstance(clause, When):
            if clause.effect == "deduct" and clause.amount > limit:
                yield ctx.diagnostic(
                    "deduction-exceeds",
                    f"this clause deducts {fmt(clause.amount)} in {_size_text(item)}; only "
                    f"{fmt(limit)} can be deducted",
                    amount_span,
                )
            elif clause.effect == "award" and clause.amount > item.max:
                yield ctx.diagnostic(
                    "award-above-max",
                    f"this clause awards {fmt(clause.amount)} in {_size_text(item)}; the score "
                    f"stops at {fmt(item.max)}",
                    amount_span,
                )
            continue
        assert isinstance(clause, ForEach)
        if clause.cap is None:
            continue
        cap_span = (
            syntax.cap.span
            if isinstance(syntax, ast.EachClause) and syntax.cap is not None
            else here
        )
        if clause.effect == "deduct" and clause.cap > limit:
            yield ctx.diagnostic(
                "deduction-exceeds",
                f"this clause deducts at most {fmt(clause.cap)} in {_size_text(item)}; only "
                f"{fmt(limit)} can be deducted",
                cap_span,
            )
        elif clause.effect == "award" and clause.cap > item.max:
            yield ctx.diagnostic(
                "award-above-max",
                f"this clause awards at most {fmt(clause.cap)} in {_size_text(item)}; the "
                f"score stops at {fmt(item.max)}",
                cap_span,
            )


def check_outcomes(ctx: Context) -> Iterator[Diagnostic]:
    """``deduction-exceeds``, ``award-above-max``, ``negative-score`` in items and parts."""
    for item in _items(ctx):
        if item.kind == "task" or item.assessed or item.parts:
            continue
        if item.table is not None:
            yield from _table_outcomes(ctx, item)
        yield from _clause_outcomes(ctx, item)
        if item.start is not None:
            syntax = ctx.ast_item(item)
            span = syntax.start.span if syntax is not None and syntax.start else None
            yield from _fixed(ctx, item, item.start, span, "it starts at")


def check_section_deductions(ctx: Context) -> Iterator[Diagnostic]:
    """``deduction-exceeds``: deduction-only children able to take more than a section's max."""
    for section in _sections(ctx):
        if section.max <= 0:
            continue
        # The children the section's evaluation counts as deductions.
        taken = [-child.minimum for child in section.scored() if deducts(child)]
        if not taken:
            continue
        most = sum(taken, Fraction(0))
        amount = _sum_text(taken)
        if section.deductions_cap is not None and section.deductions_cap < most:
            most = section.deductions_cap
            amount = f"{fmt(most)} (its `deductions at most`)"
        if most > section.max:
            yield ctx.diagnostic(
                "deduction-exceeds",
                f"the deductions in {_what(section)} can take {amount}, more than its "
                f"max {fmt(section.max)}; the section stops at 0",
                ctx.header(section),
                hint=f"cap them with `deductions at most {fmt(section.max)}` if that is meant",
            )


# ---------------------------------------------------------------- grades


def _band_set(condition: Range | object) -> ValueSet:
    return range_set(condition) if isinstance(condition, Range) else EVERYTHING


def _below(a: ValueSet, b: ValueSet) -> bool:
    """Some value of ``a`` is higher than some value of ``b``."""
    top, bottom = a.intervals[-1], b.intervals[0]
    if top.high is None or bottom.low is None:
        return True
    return top.high > bottom.low


def check_grades(ctx: Context) -> Iterator[Diagnostic]:
    """``grade-order``, ``unreachable-grade`` and totals that no grade band matches."""
    grades = ctx.scheme.scorer.grades
    if grades is None:
        return
    syntax = ctx.syntax
    spans: list[Span | None] = [band.span for band in syntax.grades] if syntax else []
    lines = [span.line if span else 0 for span in spans] or [0] * len(grades.bands)
    spans = spans or [ctx.at_line(ctx.scheme.scorer.grades_line)] * len(grades.bands)
    low, high = ctx.scheme.scorer.bounds()
    totals = Domain.totals(low, high)
    forced = {veto.grade for veto in ctx.scheme.scorer.vetoes if veto.grade is not None}
    covered = NOTHING
    kept: list[tuple[str, ValueSet, int]] = []  # label, reachable totals it gives, line
    written: list[tuple[str, ValueSet, int]] = []  # label, totals as written, line
    for index, (label, condition) in enumerate(grades.bands):
        raw = _band_set(condition)
        effective = raw - covered
        covered = covered | raw
        written.append((label, raw, lines[index]))
        if effective.empty:
            earlier = [
                (name, line) for (name, values, line) in written[:-1] if not (values & raw).empty
            ]
            names = " or ".join(dict.fromkeys(name for name, _ in earlier))
            yield ctx.diagnostic(
                "grade-order",
                f"grade {label} is never given: every total it covers is already graded "
                f"{names} ({_lines_text(line for _, line in earlier)}); are the bands out "
                "of order?",
                spans[index],
                related=[line for _, line in earlier],
            )
            continue
        reachable = totals.snap(effective)
        wrong = next(
            (
                (name, line)
                for name, values, line in kept
                if not reachable.empty and not values.empty and _below(reachable, values)
            ),
            None,
        )
        if wrong is not None:
            yield ctx.diagnostic(
                "grade-order",
                f"grade {label} is listed after grade {wrong[0]} (line {wrong[1]}) but covers "
                "higher totals; grades are listed best first (a veto that forces a grade "
                "keeps the worst by this order)",
                spans[index],
                related=[wrong[1]],
            )
        elif reachable.empty and label not in forced:
            phrase, _ = Domain.totals(Fraction(0), high + 1).describe(effective)
            yield ctx.diagnostic(
                "unreachable-grade",
                f"no total this scheme can give ({fmt(low)}–{fmt(high)}) gets grade {label}, "
                f"which needs {phrase.replace('values', 'totals', 1)}",
                spans[index],
            )
        kept.append((label, reachable, lines[index]))
    missing = totals.snap(totals.full() - covered)
    if not missing.empty:
        phrase, plural = totals.describe(missing)
        phrase = phrase.replace("values", "totals", 1).replace("every value", "every total")
        yield ctx.diagnostic(
            "gap",
            f"{phrase} {'get' if plural else 'gets'} no grade, so scoring "
            f"{'them' if plural else 'it'} fails",
            spans[0] if spans else None,
            related=[line for line in lines if line],
            hint="end the grades with a band such as `D otherwise`",
        )


# --------------------------------------------------------------- hygiene


def check_unused_inputs(ctx: Context) -> Iterator[Diagnostic]:
    """``unused-input``: declared, but no line, clause, veto or target uses it."""
    scorer = ctx.scheme.scorer
    used = {name for child in scorer.children for name in child.inputs()}
    used.update(veto.input for veto in scorer.vetoes)
    for name in ctx.specs:
        if name in used:
            continue
        decl = ctx.scheme.declarations.get(name)
        span = narrow(ctx.source, decl.span, name) if decl and ctx.source else None
        yield ctx.diagnostic(
            "unused-input",
            f"input `{name}` is declared but no rule line, clause, veto or target uses it; "
            "is a line missing, or is it left over?",
            span,
        )


def check_duplicate_names(ctx: Context) -> Iterator[Diagnostic]:
    """``duplicate-name``: two children of one parent with the same name."""
    scorer = ctx.scheme.scorer
    groups: list[tuple[str, tuple[Section | Item, ...]]] = [("the scheme", scorer.children)]
    for node in scorer.walk():
        if isinstance(node, Section):
            groups.append((_what(node), node.children))
        elif node.parts:
            groups.append((_what(node), node.parts))
    for parent, children in groups:
        first: dict[str, Section | Item] = {}
        for child in children:
            earlier = first.setdefault(child.name, child)
            if earlier is child:
                continue
            yield ctx.diagnostic(
                "duplicate-name",
                f'{parent} has another child named "{child.name}" (line {earlier.line}); '
                "reports and explanations cannot tell them apart by name",
                ctx.header(child),
                related=[earlier.line] if earlier.line else [],
            )


def check_owners(ctx: Context) -> Iterator[Diagnostic]:
    """``no-owner``: an item no office answers for, in a scheme that names offices."""
    scorer = ctx.scheme.scorer
    nodes = list(scorer.walk())
    if not any(node.owners or node.supporters for node in nodes) and not any(
        veto.owners for veto in scorer.vetoes
    ):
        return
    for node in nodes:
        if isinstance(node, Item) and node.kind != "part" and not node.owners:
            yield ctx.diagnostic(
                "no-owner",
                f"{_what(node)} has no owner (责任单位), nor does any section above it; "
                "who answers for it?",
                ctx.header(node),
            )


Check = Callable[[Context], Iterator[Diagnostic]]

#: The checks, run in this order; each yields diagnostics.
CHECKS: tuple[Check, ...] = (
    check_tables,
    check_no_data,
    check_shorthand,
    check_sums,
    check_total,
    check_outcomes,
    check_section_deductions,
    check_grades,
    check_unused_inputs,
    check_duplicate_names,
    check_owners,
)


# -------------------------------------------------------------------- API


def check_scheme(scheme: Scheme, checks: Iterable[Check] = CHECKS) -> list[Diagnostic]:
    """Every finding of the static checks on a loaded scheme, sorted by line and column."""
    ctx = Context.of(scheme)
    return sort_diagnostics(diagnostic for run in checks for diagnostic in run(ctx))


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


def _is_path(value: str | os.PathLike[str]) -> bool:
    if isinstance(value, os.PathLike):
        return True
    if "\n" in value or "{" in value:
        return False
    if value.endswith(".rule"):
        return True
    try:
        return Path(value).is_file()
    except (OSError, ValueError):  # not a possible file name
        return False


def check(path_or_text: str | os.PathLike[str], *, name: str | None = None) -> list[Diagnostic]:
    """Load a rule file (a path) or rule text and check it.

    A path is a :class:`os.PathLike`, or a string naming an existing file
    or ending in ``.rule``; anything else is rule text, shown as ``name``
    (default ``<string>``).  A rule that fails to load gives its load
    errors as diagnostics of severity ``error``; nothing is raised for it.
    """
    if _is_path(path_or_text):
        path = Path(path_or_text)
        text = path.read_text(encoding="utf-8-sig")
        label = name or str(path_or_text)
    else:
        text = str(path_or_text)
        label = name or "<string>"
    try:
        scheme = loads(text, name=label)
    except RuleError as error:
        return load_errors(error, label)
    return check_scheme(scheme)


# ------------------------------------------------------------------ ranges


def reachable_ranges(scheme: Scheme) -> list[tuple[str, str, Fraction, Fraction]]:
    """Every node's reachable scores: ``(id, name, lowest, highest)``, in tree order."""
    return [(node.id, node.name, *node.bounds()) for node in scheme.scorer.walk()]


def reachable_grades(scheme: Scheme) -> list[str]:
    """The grades that can occur: given to some reachable total, or forced by a veto."""
    grades = scheme.scorer.grades
    if grades is None:
        return []
    low, high = scheme.scorer.bounds()
    totals = Domain.totals(low, high)
    forced = {veto.grade for veto in scheme.scorer.vetoes if veto.grade is not None}
    covered = NOTHING
    out: list[str] = []
    for label, condition in grades.bands:
        raw = _band_set(condition)
        effective = totals.snap(raw - covered)
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
    lines = [f"{node_id:<{width}}  {fmt(lo)}–{fmt(hi)}  {name}" for node_id, name, lo, hi in rows]
    grades = reachable_grades(scheme)
    if scheme.scorer.grades is not None:
        lines.append("grades that can occur: " + (", ".join(grades) if grades else "none"))
    return "\n".join(lines)
