"""The checks of rule lines: what an item's table and its lines say, line by line.

:func:`check_tables` turns the exact analysis of every table
(:mod:`qualitykpi.checks.tables`, :mod:`qualitykpi.checks.monotone`) into
``gap``, ``shadowed``, ``unreachable-line``, ``otherwise-not-last`` and
``non-monotone`` diagnostics (:mod:`qualitykpi.checks.written` looks at
``no data`` lines and at adjacent ``A–B`` ranges as written).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from fractions import Fraction

from .. import syntax
from ..diagnostics import Diagnostic
from ..domains import Domain, ValueSet
from ..i18n import N_, _
from ..nodes.arithmetic import affine
from ..nodes.expressions import Expression
from ..nodes.tree import Item
from ..values import InputSpec, fmt
from .context import Context, lines_text, what
from .monotone import monotonicity
from .tables import (
    Row,
    SubjectReport,
    TableReport,
    analyse_table,
    is_catch_all,
    is_no_data,
    members,
    peer_stats,
)

# ------------------------------------------------------------- tables


_STILL_TESTED = N_(
    "its example lines, `qualitykpi test --coverage` and `qualitykpi verify` still test it"
)
_ONLY_GAP_HINT = N_("add a line for them, or end the table with `otherwise → 0`")


def _cohort_text(report: SubjectReport, cohort: Mapping[str, Fraction]) -> str:
    """`` when the peer mean is 90%`` (said after what it qualifies), or nothing."""
    if not cohort:
        return ""
    words = [
        # Translators: {stat} is the statistic as the rule names it (`peer mean`).
        _("the peer {stat} is {value}").format(stat=stat, value=report.domain.show(value))
        for stat, value in sorted(cohort.items())
    ]
    # Translators: "the peer mean is 90% and the peer max is 99%"
    joined = _(" and ").join(words)
    return _(" when {cohort}").format(cohort=joined)


def _gap_hint(report: SubjectReport) -> str:
    gaps, domain = report.gaps, report.domain
    if domain.type == "level":
        shown = [domain.show(x) for x in domain.points(gaps)]
        if len(shown) == 1:
            return _(
                "add a line for it, such as `{subject} = {level} → …`, "
                "or end the table with `otherwise → 0`"
            ).format(subject=report.subject, level=shown[0])
        return _(
            "add a line for them, such as `{subject} in ({levels}) → …`, "
            "or end the table with `otherwise → 0`"
        ).format(subject=report.subject, levels=", ".join(shown))
    if len(gaps.intervals) == 1 and domain.step is not None and domain.type != "yes/no":
        iv = gaps.intervals[0]
        if iv.low is not None and iv.high is not None and not report.gap_cohort:
            return _(
                "add a line for them, such as `[{low}, {high}] → …`, "
                "or end the table with `otherwise → 0`"
            ).format(low=domain.show(iv.low), high=domain.show(iv.high))
    return _(_ONLY_GAP_HINT)


def _gap(ctx: Context, item: Item, table: TableReport) -> Iterator[Diagnostic]:
    if not table.has_gap:
        return
    rows = [row.number for report in table.subjects for row in report.rows]
    if len(table.subjects) == 1:
        report = table.subjects[0]
        phrase, plural = report.domain.describe(report.gaps)
        message = (
            _("{values} of `{subject}` match no line of {node}{when}, so scoring them fails")
            if plural
            else _("{values} of `{subject}` matches no line of {node}{when}, so scoring it fails")
        ).format(
            values=phrase,
            subject=report.subject,
            node=what(item),
            when=_cohort_text(report, report.gap_cohort),
        )
        yield ctx.diagnostic("gap", message, ctx.header(item), related=rows, hint=_gap_hint(report))
        return
    parts = []
    for report in table.subjects:
        phrase = report.domain.describe(report.gaps)[0]
        parts.append(_("`{subject}` has {values}").format(subject=report.subject, values=phrase))
    message = _("no line of {node} matches when {values}, so scoring fails").format(
        node=what(item), values=_(" and ").join(parts)
    )
    yield ctx.diagnostic("gap", message, ctx.header(item), related=rows, hint=_(_ONLY_GAP_HINT))


def _question(report: SubjectReport, row: Row, taken: ValueSet) -> str:
    """Ask what the author meant, when a band's overlap sits at one of its ends."""
    values = report.values(row.index)
    domain = report.domain
    if len(taken.intervals) != 1 or len(values.intervals) != 1:
        return ""
    over, band = taken.intervals[0], values.intervals[0]
    written_in_points = row.line.needs_target()
    if domain.step is None or domain.type in ("yes/no", "level") or written_in_points:
        return ""
    if over.low == band.low and over.high is not None and over.high != band.high:
        return _("; is this band meant to start at {value}?").format(
            value=domain.show(over.high + domain.step)
        )
    if over.high == band.high and over.low is not None and over.low != band.low:
        return _("; is this band meant to end at {value}?").format(
            value=domain.show(over.low - domain.step)
        )
    return ""


def _empty_reason(report: SubjectReport) -> str:
    domain = report.domain
    if domain.type == "percent":
        reason = _("a percent lies between 0 and 100")
    elif domain.type == "count":
        reason = _("a count is a whole number, 0 or more")
    else:
        reason = ""
    if domain.step is not None and domain.type != "yes/no" and domain.step != 1:
        step = _("values are reported in steps of {step}").format(step=fmt(domain.step))
        reason = _("{reason}, and {step}").format(reason=reason, step=step) if reason else step
    return _(" ({reason})").format(reason=reason) if reason else ""


def _row_findings(ctx: Context, item: Item, report: SubjectReport) -> Iterator[Diagnostic]:
    by_index = report.rows_by_index()
    for row in report.rows:
        span = ctx.row_span(item, row)
        if row.index in report.after_catch_all:
            catch = by_index[report.after_catch_all[row.index]]
            if catch.line.otherwise:
                yield ctx.diagnostic(
                    "otherwise-not-last",
                    _(
                        "this line comes after `otherwise` (line {line}), which matches "
                        "every present value of `{subject}`, so it is never reached; "
                        "should it come before line {line}?"
                    ).format(line=catch.number, subject=report.subject),
                    span,
                    related=[catch.number],
                    hint=_("only a `no data` line may follow `otherwise`"),
                )
            else:
                yield ctx.diagnostic(
                    "unreachable-line",
                    _(
                        "line {line} (`{text}`) holds for every value of `{subject}`, so "
                        "this line is never reached; should it come before line {line}?"
                    ).format(line=catch.number, text=catch.text, subject=report.subject),
                    span,
                    related=[catch.number],
                )
            continue
        if row.index in report.empty:
            yield ctx.diagnostic(
                "unreachable-line",
                _(
                    "no value of `{subject}` satisfies `{condition}`{reason}, so this line "
                    "is never reached; is a number mistyped?"
                ).format(
                    subject=report.subject,
                    condition=_condition_text(ctx, item, row),
                    reason=_empty_reason(report),
                ),
                span,
            )
            continue
        if row.index in report.unreachable or row.index in report.unreachable_positive:
            if is_no_data(row.line):
                message = _("a `no data` line above already takes every absent value")
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
                    positive = row.index in report.unreachable_positive
                    condition = _condition_text(ctx, item, row)
                    if _outside_cohort(report, row, positive=positive):
                        message = (
                            _(
                                "whenever the peer statistics are above 0, no entity of the "
                                "cohort has a value that satisfies `{condition}` (the cohort's "
                                "own values lie between its peer min and max), so this line is "
                                "never reached; is it meant for another statistic?"
                            )
                            if positive
                            else _(
                                "in every cohort, no entity of the cohort has a value that "
                                "satisfies `{condition}` (the cohort's own values lie between "
                                "its peer min and max), so this line is never reached; is it "
                                "meant for another statistic?"
                            )
                        ).format(condition=condition)
                        related = []
                    else:
                        message = (
                            _(
                                "whenever the peer statistics are above 0, every value that "
                                "satisfies `{condition}` is already taken by {lines}, so this "
                                "line is never reached; are the lines in the wrong order?"
                            )
                            if positive
                            else _(
                                "in every cohort, every value that satisfies `{condition}` is "
                                "already taken by {lines}, so this line is never reached; are "
                                "the lines in the wrong order?"
                            )
                        ).format(condition=condition, lines=lines_text(related))
                else:
                    phrase = report.domain.describe(report.values(row.index))[0]
                    message = _(
                        "every value this line covers ({values}) is already taken by "
                        "{lines}, so it is never reached"
                    ).format(values=phrase, lines=lines_text(related))
            yield ctx.diagnostic("unreachable-line", message, span, related=related)
            continue
        if row.index in report.taken and not is_catch_all(row.line):
            values, takers = report.taken[row.index]
            related = [by_index[index].number for index in takers]
            phrase, plural = report.domain.describe(values)
            first = by_index[takers[0]] if len(takers) == 1 else None
            whom = (
                _("line {line} (`{text}`)").format(line=first.number, text=first.text)
                if first
                else lines_text(related)
            )
            question = _question(report, row, values)
            if question:
                message = (
                    _("{values} of this line are already taken by {lines}{question}")
                    if plural
                    else _("{values} of this line is already taken by {lines}{question}")
                ).format(values=phrase, lines=whom, question=question)
            else:
                message = (
                    _("{values} of this line are already taken by {lines}, which comes first")
                    if plural
                    else _("{values} of this line is already taken by {lines}, which comes first")
                ).format(values=phrase, lines=whom)
            yield ctx.diagnostic("shadowed", message, span, related=related)


def _outside_cohort(report: SubjectReport, row: Row, *, positive: bool) -> bool:
    """Whether, in the cohorts tried, the line holds only for values no member can have."""
    cohorts = [
        cohort
        for cohort in report.cohorts
        if cohort and (not positive or all(stat > 0 for stat in cohort.values()))
    ]
    return bool(cohorts) and all(
        (report.values(row.index, cohort) & report.domain.snap(members(cohort))).empty
        for cohort in cohorts
    )


def _condition_text(ctx: Context, item: Item, row: Row) -> str:
    line = ctx.line_syntax(item, row.index)
    if isinstance(line, syntax.BandLine):
        return line.condition.text
    return row.text


def _direction(ctx: Context, item: Item, report: SubjectReport) -> tuple[str, str, bool]:
    """Which way is better for the subject, why (``as line 3 implies``), and
    whether a ``better`` declaration says so."""
    parent = ctx.parents.get(item.id)
    declared = item.better or (parent.better if parent is not None else None)
    if declared is not None:
        return declared, _("as `better {direction}` says").format(direction=declared), True
    if item.table is None:
        return "none", "", False
    implied, shown_by = item.table.direction_evidence(
        report.subject, item.max, item.targets.get(report.subject)
    )
    numbers = [number for number in dict.fromkeys(shown_by) if number]
    if not numbers:
        return implied, _("as its lines imply"), False
    if len(numbers) == 1:
        return implied, _("as line {line} implies").format(line=numbers[0]), False
    return (
        implied,
        _("as the scores of lines {first} and {second} imply").format(
            first=numbers[0], second=numbers[1]
        ),
        False,
    )


def _monotone(ctx: Context, item: Item, report: SubjectReport) -> Iterator[Diagnostic]:
    """``non-monotone``: a better value scores less.

    Which way is better is declared (``better higher``) or follows from the
    outcomes; a table that scores consistently one way or the other is never
    reported unless a declaration says the other way.
    """
    if report.domain.type in ("yes/no", "level"):
        return  # no value is better than another by its place on the axis
    direction, why, declared = _direction(ctx, item, report)
    spec = ctx.specs.get(report.subject)
    percent = spec is not None and spec.type == "percent"
    peak = (
        None if declared or item.table is None else item.table.peak(report.subject, report.target)
    )
    if peak is not None:
        # Bands around the target: the closer, the better, on either side.
        found = monotonicity(item, report, "higher", percent=percent, peak=peak)
        why = _("as the bands around it imply")
    elif declared:
        found = monotonicity(item, report, direction, percent=percent)
    else:
        up = monotonicity(item, report, "higher", percent=percent)
        down = monotonicity(item, report, "lower", percent=percent) if up else None
        if up is None or down is None:
            return
        if direction == "none":
            direction, why = "higher", _("as no line implies otherwise")
        found = up if direction == "higher" else down
    if found is None:
        return
    show = report.domain.show
    at = found.better_row if found.better_row.index >= found.worse_row.index else found.worse_row
    other = found.worse_row if at is found.better_row else found.better_row
    if peak is not None:
        better = _("values of `{subject}` closer to {value} are better ({why})").format(
            subject=report.subject, value=show(peak), why=why
        )
    elif direction == "lower":
        better = _("lower values of `{subject}` are better ({why})").format(
            subject=report.subject, why=why
        )
    else:
        better = _("higher values of `{subject}` are better ({why})").format(
            subject=report.subject, why=why
        )
    message = _(
        "{better}, but {high} scores {high_score} (line {high_line}) while {low} scores "
        "{low_score} (line {low_line}){when}; is a score or the order of the lines wrong?"
    ).format(
        better=better,
        high=show(found.better),
        high_score=fmt(found.better_score),
        high_line=found.better_row.number,
        low=show(found.worse),
        low_score=fmt(found.worse_score),
        low_line=found.worse_row.number,
        when=_cohort_text(report, found.cohort),
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
    rows = {row.index: row for row in table.rows}
    for index, (catch_index, subject) in table.foreign.items():
        if index in reported:
            continue
        catch = rows[catch_index]
        code = "otherwise-not-last" if catch.line.otherwise else "unreachable-line"
        if subject:
            message = _(
                "this line comes after line {line} (`{text}`), which holds for every present "
                "value of `{subject}`, so it is reached only when `{subject}` has no data; "
                "should it come before line {line}?"
            ).format(line=catch.number, text=catch.text, subject=subject)
        else:
            message = _(
                "this line comes after line {line} (`{text}`), which tests no input and "
                "takes every entity, so it is never reached; should it come before line {line}?"
            ).format(line=catch.number, text=catch.text)
        yield ctx.diagnostic(
            code,
            message,
            ctx.row_span(item, rows[index]),
            related=[catch.number],
        )


def check_tables(ctx: Context) -> Iterator[Diagnostic]:
    """``gap``, ``shadowed``, ``unreachable-line``, ``otherwise-not-last``, ``non-monotone``,
    and ``not-analysed`` where a table's target differs by entity."""
    for item in ctx.items():
        if item.table is not None and item.target_inputs:
            # Where a line holds depends on each entity's own target: nothing
            # can be said of gaps or overlaps without it, so say that.
            held = _(", ").join(
                _("`{subject}` is `{holder}`").format(subject=subject, holder=holder)
                for subject, holder in item.target_inputs.items()
            )
            yield ctx.diagnostic(
                "not-analysed",
                _(
                    "the target of {targets}, which differs from entity to entity: the gaps, "
                    "overlaps and order of {node}'s rule lines are not analysed"
                ).format(targets=held, node=what(item)),
                ctx.header(item),
                hint=_(_STILL_TESTED),
            )
            continue
        specs = {**ctx.specs, **_computed_specs(ctx, item)}
        computed = _computed_lines(ctx, item, specs)
        if computed:
            # Where these lines hold moves with values computed for each entity
            # (another input, last year's value, the cohort): say so, rather
            # than judge gaps and overlaps on an axis that is not there.
            yield ctx.diagnostic(
                "not-analysed",
                _(
                    "where the rule lines of {node} hold depends on values worked out for "
                    "each entity ({values}): their gaps, overlaps and order are not analysed"
                ).format(node=what(item), values=_(", ").join(f"`{text}`" for text in computed)),
                ctx.header(item),
                hint=_(_STILL_TESTED),
            )
            continue
        hulls = [line for line in item.table.lines if line.interval_is_hull] if item.table else []
        if hulls:
            # Where such a line holds is no one interval, and the analysis
            # works on one per line: judged by the hull it would report gaps
            # and overlaps that are not there, so it is left alone, and said so.
            shown = hulls[0].text or repr(hulls[0]).strip("<>")
            yield ctx.diagnostic(
                "not-analysed",
                _(
                    "`{line}` tests levels that are not next to each other in the list: the "
                    "gaps, overlaps and order of {node}'s rule lines are not analysed"
                ).format(line=shown, node=what(item)),
                ctx.at_line(hulls[0].line) or ctx.header(item),
                hint=_(
                    "test the levels one line each, or list them in an order that puts "
                    "the ones tested together next to each other; its example lines, "
                    "`qualitykpi test --coverage` and `qualitykpi verify` still test it"
                ),
            )
            continue
        table = analyse_table(item, specs)
        if table is None:
            continue
        yield from _gap(ctx, item, table)
        for report in table.subjects:
            yield from _row_findings(ctx, item, report)
            yield from _monotone(ctx, item, report)
        yield from _foreign(ctx, item, table)


def _computed_specs(ctx: Context, item: Item) -> dict[str, InputSpec]:
    """The computed values the item's lines test that the checks can read on one
    input's axis: ``rate − 90%``, ``rate / 90%`` (rising with one input, on its grid)."""
    if item.table is None:
        return {}
    lets = {let.name: let for let in ctx.scheme.scorer.lets}
    found: dict[str, InputSpec] = {}
    for subject in item.table.subjects():
        let = lets.get(subject)
        if let is not None and let.expression is not None:
            spec = _on_one_axis(let.name, let.expression, let.percent, ctx.specs)
            if spec is not None:
                found[subject] = spec
    return found


def _on_one_axis(
    name: str, expression: Expression, percent: bool, specs: Mapping[str, InputSpec]
) -> InputSpec | None:
    needs = expression.needs()
    if (
        len(needs.inputs) != 1
        or needs.previous
        or needs.stats
        or needs.ranks
        or needs.nodes
        or needs.target
        or needs.full
        or needs.total
        or needs.count
    ):
        return None
    (source,) = needs.inputs
    spec = specs.get(source)
    found = affine(expression, source)
    if spec is None or spec.type not in ("number", "percent", "count") or found is None:
        return None
    slope, offset = found
    if slope <= 0:
        return None  # a falling value turns `better` round: not read here
    scale = Fraction(100) if percent else Fraction(1)
    domain = Domain.of(spec)
    step = None if domain.step is None else scale * slope * domain.step
    if step is not None and (scale * offset / step).denominator != 1:
        return None  # its values lie on a grid that does not start at 0

    def mapped(value: Fraction | None) -> Fraction | None:
        return None if value is None else scale * (slope * value + offset)

    return InputSpec(name, "number", step, mapped(domain.low), mapped(domain.high))


def _computed_lines(ctx: Context, item: Item, specs: Mapping[str, InputSpec]) -> list[str]:
    """What the item's lines compute or compare with, for each entity, that the checks
    cannot read on one axis."""
    if item.table is None:
        return []
    lets = {let.name for let in ctx.scheme.scorer.lets}
    found: list[str] = []
    for line in item.table.lines:
        if line.subject in lets and line.subject not in specs:
            found.append(line.subject)
        found.extend(expression.text() for expression in line.compared_with())
    return list(dict.fromkeys(found))
