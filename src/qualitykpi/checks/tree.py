"""The checks of the scheme's tree: sums, impossible outcomes and hygiene.

* ``sum-mismatch``, ``total-mismatch``, ``missing-total``: maxima that do
  not add up;
* ``deduction-exceeds``, ``award-above-max``, ``negative-score``: lines,
  clauses and sections that promise more than the score can give;
* ``unused-input``, ``duplicate-name``, ``no-owner``: loose ends.

The grades and vetoes are checked in :mod:`qualitykpi.checks.grades`.
"""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction
from typing import assert_never

from .. import syntax
from ..cohorts import expression_reads
from ..diagnostics import Diagnostic
from ..domains import Domain
from ..i18n import _
from ..nodes.clauses import ForEach, When
from ..nodes.formulas import Computed
from ..nodes.scaling import Custom, Linear, Scaled
from ..nodes.scorers import Band, Deduct, PerUnit, Score, count_units
from ..nodes.tree import Item, Section, deducts
from ..source import Span, narrow
from ..values import fmt
from .context import Context, sum_text, what

# ----------------------------------------------------------------- sums


def _is_task_section(ctx: Context, section: Section) -> bool:
    written = ctx.nodes.get(section.id)
    if isinstance(written, syntax.Section):
        return written.is_task
    return section.max == 0 and all(
        isinstance(node, Item) and node.kind == "task"
        for node in section.walk()
        if node is not section
    )


def check_sums(ctx: Context) -> Iterator[Diagnostic]:
    """``sum-mismatch``: children's maxima that do not add up to the parent's max."""
    for item in ctx.items():
        if item.parts:
            worth = [part.max for part in item.parts]
            if sum(worth, Fraction(0)) != item.max:
                yield ctx.diagnostic(
                    "sum-mismatch",
                    _(
                        "the parts of {node} are worth {sum}, not its max {max}; is a max mistyped?"
                    ).format(node=what(item), sum=sum_text(worth), max=fmt(item.max)),
                    ctx.max_span(item),
                    related=[part.line for part in item.parts if part.line],
                )
    for section in ctx.sections():
        if section.deduct_cap is not None or _is_task_section(ctx, section):
            continue
        if section.combine is not None:
            yield from _combine_range(ctx, section)
            continue
        scored = section.scored()
        worth = [child.max for child in scored]
        if sum(worth, Fraction(0)) != section.max:
            yield ctx.diagnostic(
                "sum-mismatch",
                _(
                    "the children of {node} are worth {sum}, not its max {max}; "
                    "is a max mistyped, or a child missing?"
                ).format(node=what(section), sum=sum_text(worth), max=fmt(section.max)),
                ctx.max_span(section),
                related=[child.line for child in scored if child.line],
                hint=_("deduction-only children and tasks count 0, bonuses do not count"),
            )


def _combine_range(ctx: Context, section: Section) -> Iterator[Diagnostic]:
    """``combine-range``: a combination that can give more than the section's max (or
    less than its least), which its clamp then hides."""
    assert section.combine is not None
    low, high = section.raw_combined_bounds()
    over = high is None or high > section.max
    under = section.minimum is not None and (low is None or low < section.minimum)
    if not (over or under):
        return
    yield ctx.diagnostic(
        "combine-range",
        _(
            "the `combine` of {node} can give {low} to {high}, beyond its range "
            "{minimum}–{max}; the score is kept within it, so what lies beyond is lost "
            "without a word"
        ).format(
            node=what(section),
            low="−∞" if low is None else fmt(low),
            high="∞" if high is None else fmt(high),
            minimum="−∞" if section.minimum is None else fmt(section.minimum),
            max=fmt(section.max),
        ),
        ctx.max_span(section),
        hint=_(
            "scale the combination to the section's max, e.g. `× 100 / 15` for a raw sum worth 15"
        ),
    )


def check_total(ctx: Context) -> Iterator[Diagnostic]:
    """``total-mismatch`` and ``missing-total``."""
    scorer = ctx.scheme.scorer
    worth = [child.max for child in scorer.scored()]
    top = sum(worth, Fraction(0))
    written = ctx.syntax
    if scorer.total is not None:
        if scorer.total != top:
            span = written.total.span if written is not None and written.total is not None else None
            yield ctx.diagnostic(
                "total-mismatch",
                _(
                    "the scheme's total is {total}, but its sections and items are worth "
                    "{sum}; is a section missing, or the total wrong?"
                ).format(total=fmt(scorer.total), sum=sum_text(worth)),
                span,
            )
    elif top > 0:
        span = None
        if written is not None:
            span = Span(
                written.span.line, written.span.column, written.span.line, written.span.column + 6
            )
        yield ctx.diagnostic(
            "missing-total",
            _("the scheme declares no `total`; its sections and items are worth {sum}").format(
                sum=fmt(top)
            ),
            span,
            hint=_("write `total {sum}` so that the checks can confirm the sum").format(
                sum=fmt(top)
            ),
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
        return _("{node}, which deducts at most {cap}").format(
            node=what(item), cap=fmt(item.deduct_cap)
        )
    if item.ceiling is None:
        return _("{node}, which has no cap").format(node=what(item))
    return _("{node}, worth {max}").format(node=what(item), max=fmt(item.max))


def _limit(item: Item) -> Fraction | None:
    """How much a deduction can take: the max, or a deduction-only item's cap;
    None without a cap (``no-cap`` says so)."""
    if item.deduct_only:
        return item.deduct_cap
    return item.max


def _table_outcomes(ctx: Context, item: Item) -> Iterator[Diagnostic]:
    assert item.table is not None
    limit = _limit(item)
    for index, line in enumerate(item.table.lines):
        written = ctx.line_syntax(item, index)
        here = ctx.at_line(line.line)
        match line:
            case Band():
                yield from _band_outcome(ctx, item, line, written, here, limit)
            case PerUnit():
                yield from _per_unit_outcome(ctx, item, line, written, here, limit)
            case Linear():
                span = written.span if written is not None else here
                for _input, score in line.points:
                    yield from _fixed(ctx, item, score, span, _LINE)
            case Scaled() | Custom() | Computed():
                pass  # scored into the item's range: nothing to say of its outcome
            case _:
                assert_never(line)


def _band_outcome(
    ctx: Context,
    item: Item,
    line: Band,
    written: syntax.Line | None,
    here: Span | None,
    limit: Fraction | None,
) -> Iterator[Diagnostic]:
    span = written.outcome.span if isinstance(written, syntax.BandLine) else here
    outcome = line.outcome
    if isinstance(outcome, Deduct) and limit is not None and outcome.amount > limit:
        yield ctx.diagnostic(
            "deduction-exceeds",
            _("this line deducts {amount} in {node}; only {limit} can be deducted").format(
                amount=fmt(outcome.amount), node=_size_text(item), limit=fmt(limit)
            ),
            span,
        )
    elif isinstance(outcome, Score):
        yield from _fixed(ctx, item, outcome.value, span, _LINE)


def _per_unit_outcome(
    ctx: Context,
    item: Item,
    line: PerUnit,
    written: syntax.Line | None,
    here: Span | None,
    limit: Fraction | None,
) -> Iterator[Diagnostic]:
    cap_span = written.cap.span if isinstance(written, syntax.EachLine) and written.cap else here
    if line.effect == "award":
        if line.cap is not None and item.ceiling is not None and line.cap > item.ceiling:
            yield ctx.diagnostic(
                "award-above-max",
                _("this line awards at most {cap} in {node}; the score stops at {max}").format(
                    cap=fmt(line.cap), node=_size_text(item), max=fmt(item.max)
                ),
                cap_span,
            )
        return
    if line.cap is not None:
        if limit is not None and line.cap > limit:
            yield ctx.diagnostic(
                "deduction-exceeds",
                _("this line deducts at most {cap} in {node}; only {limit} can be deducted").format(
                    cap=fmt(line.cap), node=_size_text(item), limit=fmt(limit)
                ),
                cap_span,
            )
        return
    if line.floor is not None or item.deduct_only:
        return
    spec = ctx.specs.get(line.subject)
    if spec is None:
        return
    most = _most_deducted(line, Domain.of(spec))
    if most is None or most > item.max:
        message = (
            _("this line can deduct without limit in {node}; the score stops at 0")
            if most is None
            else _("this line can deduct up to {most} in {node}; the score stops at 0")
        )
        yield ctx.diagnostic(
            "deduction-exceeds",
            message.format(node=_size_text(item), most=None if most is None else fmt(most)),
            written.span if written is not None else here,
            hint=_("add `, floor 0` (扣完为止) if that is meant, or `, at most {max}`").format(
                max=fmt(item.max)
            ),
        )


#: Whose fixed score :func:`_fixed` speaks of: a rule line's, or an item's start.
_LINE, _START = "line", "start"


def _fixed(
    ctx: Context, item: Item, value: Fraction, span: Span | None, whose: str
) -> Iterator[Diagnostic]:
    line = whose == _LINE
    if item.ceiling is not None and value > item.ceiling:
        message = (
            _("this line scores {value} in {node}; the score stops at {stop}")
            if line
            else _("it starts at {value} in {node}; the score stops at {stop}")
        )
        yield ctx.diagnostic(
            "award-above-max",
            message.format(value=fmt(value), node=_size_text(item), stop=fmt(item.max)),
            span,
        )
    elif item.deduct_cap is not None and value < -item.deduct_cap:
        message = (
            _("this line scores {value} in {node}; the score stops at {stop}")
            if line
            else _("it starts at {value} in {node}; the score stops at {stop}")
        )
        yield ctx.diagnostic(
            "deduction-exceeds",
            message.format(value=fmt(value), node=_size_text(item), stop=fmt(-item.deduct_cap)),
            span,
        )
    elif not item.deduct_only and value < 0:
        message = (
            _(
                "this line scores {value} in {node}, which cannot score below 0; "
                "the score stops at 0"
            )
            if line
            else _(
                "it starts at {value} in {node}, which cannot score below 0; the score stops at 0"
            )
        )
        yield ctx.diagnostic(
            "negative-score",
            message.format(value=fmt(value), node=what(item)),
            span,
            hint=_("to take points from the section, make it deduction-only: `deduct at most N`"),
        )


def _clause_outcomes(ctx: Context, item: Item) -> Iterator[Diagnostic]:
    limit = _limit(item)
    for index, clause in enumerate(item.clauses):
        written = ctx.clause_syntax(item, index)
        here = ctx.at_line(clause.line)
        amount_span = written.amount.span if written is not None else here
        match clause:
            case When():
                yield from _clause_limit(
                    ctx, item, limit, clause.effect, False, clause.amount, amount_span
                )
            case ForEach():
                if clause.cap is None:
                    continue
                cap_span = (
                    written.cap.span
                    if isinstance(written, syntax.EachClause) and written.cap is not None
                    else here
                )
                yield from _clause_limit(
                    ctx, item, limit, clause.effect, True, clause.cap, cap_span
                )
            case _:
                assert_never(clause)


def _clause_limit(
    ctx: Context,
    item: Item,
    limit: Fraction | None,
    effect: str,
    capped: bool,
    amount: Fraction,
    span: Span | None,
) -> Iterator[Diagnostic]:
    """A clause that can deduct more than the item allows, or award above its max
    (``capped``: ``amount`` is the cap of a ``for each`` clause)."""
    if effect == "deduct" and limit is not None and amount > limit:
        message = (
            _("this clause deducts at most {amount} in {node}; only {limit} can be deducted")
            if capped
            else _("this clause deducts {amount} in {node}; only {limit} can be deducted")
        )
        yield ctx.diagnostic(
            "deduction-exceeds",
            message.format(amount=fmt(amount), node=_size_text(item), limit=fmt(limit)),
            span,
        )
    elif effect == "award" and item.ceiling is not None and amount > item.ceiling:
        message = (
            _("this clause awards at most {amount} in {node}; the score stops at {max}")
            if capped
            else _("this clause awards {amount} in {node}; the score stops at {max}")
        )
        yield ctx.diagnostic(
            "award-above-max",
            message.format(amount=fmt(amount), node=_size_text(item), max=fmt(item.max)),
            span,
        )


def check_outcomes(ctx: Context) -> Iterator[Diagnostic]:
    """``deduction-exceeds``, ``award-above-max``, ``negative-score`` in items and parts."""
    for item in ctx.items():
        if item.kind == "task" or item.assessed or item.parts:
            continue
        if item.table is not None:
            yield from _table_outcomes(ctx, item)
        yield from _clause_outcomes(ctx, item)
        if item.start is not None:
            written = ctx.ast_item(item)
            span = written.start.span if written is not None and written.start else None
            yield from _fixed(ctx, item, item.start, span, _START)


def check_section_deductions(ctx: Context) -> Iterator[Diagnostic]:
    """``deduction-exceeds``: deduction-only children able to take more than a section's max."""
    for section in ctx.sections():
        if section.max <= 0:
            continue
        # The children the section's evaluation counts as deductions.
        lows = [child.minimum for child in section.scored() if deducts(child)]
        if not lows:
            continue
        taken = [-low for low in lows if low is not None]
        most: Fraction | None = None if None in lows else sum(taken, Fraction(0))
        amount = sum_text(taken)
        if section.deductions_cap is not None and (most is None or section.deductions_cap < most):
            most = section.deductions_cap
            amount = _("{amount} (its `deductions at most`)").format(amount=fmt(most))
        if most is None:
            continue  # a deduction without a cap: `no-cap` says the section stops it
        if most > section.max:
            yield ctx.diagnostic(
                "deduction-exceeds",
                _(
                    "the deductions in {node} can take {amount}, more than its max {max}; "
                    "the section stops at 0"
                ).format(node=what(section), amount=amount, max=fmt(section.max)),
                ctx.header(section),
                hint=_("cap them with `deductions at most {max}` if that is meant").format(
                    max=fmt(section.max)
                ),
            )


# --------------------------------------------------------------- hygiene


def check_unused_inputs(ctx: Context) -> Iterator[Diagnostic]:
    """``unused-input``: declared, but no line, clause, veto or target uses it."""
    scorer = ctx.scheme.scorer
    used = {name for node in scorer.walk() for name in node.inputs()}
    used.update(veto.input for veto in scorer.vetoes)
    used |= expression_reads(scorer)
    for name in ctx.specs:
        if name in used:
            continue
        decl = ctx.scheme.declarations.get(name)
        span = narrow(ctx.source, decl.span, name) if decl and ctx.source else None
        yield ctx.diagnostic(
            "unused-input",
            _(
                "input `{name}` is declared but no rule line, clause, veto or target uses it; "
                "is a line missing, or is it left over?"
            ).format(name=name),
            span,
        )


def check_duplicate_names(ctx: Context) -> Iterator[Diagnostic]:
    """``duplicate-name``: two children of one parent with the same name."""
    scorer = ctx.scheme.scorer
    groups: list[tuple[str, tuple[Section | Item, ...]]] = [(_("the scheme"), scorer.children)]
    for node in scorer.walk():
        if isinstance(node, Section):
            groups.append((what(node), node.children))
        elif node.parts:
            groups.append((what(node), node.parts))
    for parent, children in groups:
        first: dict[str, Section | Item] = {}
        for child in children:
            earlier = first.setdefault(child.name, child)
            if earlier is child:
                continue
            yield ctx.diagnostic(
                "duplicate-name",
                _(
                    '{parent} has another child named "{name}" (line {line}); '
                    "reports and explanations cannot tell them apart by name"
                ).format(parent=parent, name=child.name, line=earlier.line),
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
                _(
                    "{node} has no owner (责任单位), nor does any section above it; "
                    "who answers for it?"
                ).format(node=what(node)),
                ctx.header(node),
            )
