"""The scorer tree's nodes: items, parts, bonuses, tasks and sections.

Each node knows its max, its bounds and its direction in each input, and
evaluates to a :class:`~qualitykpi.results.NodeResult` whose steps add up
exactly to ``max − score``.  The root, with vetoes and grades, is in
:mod:`qualitykpi.nodes.scheme_scorer`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from fractions import Fraction
from typing import Literal

import attrs

from ..i18n import N_, _
from ..phrases import KIND_WORDS, Quoted, Said, phrase
from ..results import NodeResult, Step
from ..values import Value, exact, exact_or_none, fmt, rounded, to_decimal
from .assessed import Adjustment, Judgement, PerEvent
from .clauses import Clause, ForEach, When
from .common import Bounds, as_nodes, bound_text
from .conditions import Env, ScoreProblem
from .evaluation import (
    Context,
    ScoreProblems,
    add_bounds,
    as_strings,
    clamp_score,
    collect_results,
    make_step,
    sum_step,
)
from .scorers import AppliedStep, Direction, rounding
from .sections import Section, deducts
from .tables import Line, Table

__all__ = ["Bounds", "Item", "Section", "as_nodes", "deducts"]  # the tree's nodes, in one place


# Typed converters: attrs' mypy plugin cannot see through a bare ``tuple``.
def _clauses(values: Iterable[Clause]) -> tuple[Clause, ...]:
    return tuple(values)


def _items(values: Iterable[Item]) -> tuple[Item, ...]:
    return tuple(values)


@attrs.frozen(repr=False)
class Item:
    """An item, a part (``kind="part"``) or a bonus (``kind="bonus"``).

    Its score comes from exactly one source: its ``parts`` (summed), an
    ``assessed`` value from the data, or its ``table`` and/or independent
    ``clauses`` (and an assessor's ``adjustment`` to what they compute).  It
    is clamped to ``[minimum, ceiling]``; a deduction-only item
    (``deduct_cap`` set) has max 0 and minimum ``-deduct_cap``.  ``uncapped``
    marks the forms written without a cap: a deduction-only item with no
    minimum, a bonus (max 0) with no ceiling, which adds what it scores.
    """

    id: str
    name: str
    max: Fraction = attrs.field(converter=exact)
    kind: Literal["item", "part", "bonus", "task"] = "item"
    owners: tuple[str, ...] = attrs.field(default=(), converter=as_strings)
    table: Table | None = None
    clauses: tuple[Clause, ...] = attrs.field(default=(), converter=_clauses)
    start: Fraction | None = attrs.field(default=None, converter=exact_or_none)
    assessed: bool = False
    assessed_cap: Fraction | None = attrs.field(default=None, converter=exact_or_none)
    parts: tuple[Item, ...] = attrs.field(default=(), converter=_items)
    #: The item's own bonuses (加分项): listed under it, added to the scheme's total.
    bonuses: tuple[Item, ...] = attrs.field(default=(), converter=_items)
    deduct_cap: Fraction | None = attrs.field(default=None, converter=exact_or_none)
    targets: Mapping[str, Fraction] = attrs.field(factory=dict)
    #: Inputs whose target is another input of the same entity (``target plan``).
    target_inputs: Mapping[str, str] = attrs.field(factory=dict)
    better: Direction | None = None
    text: str = ""
    line: int | None = None
    supporters: tuple[str, ...] = attrs.field(default=(), converter=as_strings)
    #: ``assessed deduction A–B for each NAME`` (with ``assessed`` set).
    per_event: PerEvent | None = None
    #: ``assessed adjustment A–B`` beside the rule lines.
    adjustment: Adjustment | None = None
    uncapped: bool = False

    @property
    def deduct_only(self) -> bool:
        """It only takes points away: ``deduct at most C`` or ``deduct``."""
        return self.deduct_cap is not None or (self.uncapped and self.kind != "bonus")

    @property
    def minimum(self) -> Fraction | None:
        """The lowest score: 0, ``−cap`` of a deduction-only item, None without a cap."""
        if self.deduct_cap is not None:
            return -self.deduct_cap
        return None if self.deduct_only else Fraction(0)

    @property
    def ceiling(self) -> Fraction | None:
        """The highest score: its max, or None for a bonus without a cap."""
        return None if self.uncapped and self.kind == "bonus" else self.max

    def judgement(self) -> Judgement | None:
        """What an assessor writes in this item's column (its id), if anything."""
        if self.per_event is not None:
            return self.per_event.judgement()
        if self.adjustment is not None:
            return self.adjustment.judgement()
        if not self.assessed:
            return None
        if self.assessed_cap is not None:
            return Judgement("deduction", Fraction(0), self.assessed_cap)
        return Judgement("score", self.minimum or Fraction(0), self.max)

    def inputs(self) -> tuple[str, ...]:
        """The inputs this node's own score reads (assessed items read their own id;
        its bonuses read theirs)."""
        names: list[str] = list(self.targets) if self.kind == "task" else []
        names.extend(self.target_inputs.values())
        if self.per_event is not None:
            names.append(self.per_event.events)
        if self.assessed or self.adjustment is not None:
            names.append(self.id)
        if self.table is not None:
            names.extend(self.table.subjects())
        names.extend(clause.input for clause in self.clauses)
        for part in self.parts:
            names.extend(part.inputs())
        return tuple(dict.fromkeys(names))

    def bounds(self) -> Bounds:
        """The scores this node can take: always within ``[minimum, ceiling]``; None
        on a side where nothing bounds it.

        Worked out from what its lines and clauses can give, so an item whose
        table never goes below 1 has bounds ``(1, max)``.
        """
        low: Fraction | None
        high: Fraction | None
        if self.parts:
            low, high = add_bounds(part.bounds() for part in self.parts)
        elif self.per_event is not None:
            # As many events as the data hold: no lower bound but the item's own.
            low, high = None, self.max
        elif self.assessed:
            low = self.max - self.assessed_cap if self.assessed_cap is not None else self.minimum
            high = self.max
        else:
            if self.table is not None:
                reaches = [line.reach(self.max) for line in self.table.lines]
                lows = [reach[0] for reach in reaches]
                highs = [reach[1] for reach in reaches]
                low = None if None in lows else min(x for x in lows if x is not None)
                high = None if None in highs else max(x for x in highs if x is not None)
                if self.clauses:
                    # The table's result is clamped before the clauses adjust it
                    # (see _rules): a line scoring below 0 gives the clauses 0.
                    low, high = self._clamp(low, self.minimum), self._clamp(high, self.ceiling)
            else:
                low = high = self._start()
            for clause in self.clauses:
                change_low, change_high = clause.reach()
                low = None if low is None or change_low is None else low + change_low
                high = None if high is None or change_high is None else high + change_high
            if self.adjustment is not None:
                low = None if low is None else low + self.adjustment.low
                high = None if high is None else high + self.adjustment.high
        return self._clamp(low, self.minimum), self._clamp(high, self.ceiling)

    def _clamp(self, value: Fraction | None, unbounded: Fraction | None) -> Fraction | None:
        """``value`` within ``[minimum, ceiling]``; an unbounded ``value`` is the side's
        own bound, ``unbounded`` (None where the item has none either)."""
        if value is None:
            return unbounded
        if self.minimum is not None:
            value = max(value, self.minimum)
        return value if self.ceiling is None else min(value, self.ceiling)

    def direction(self, input: str) -> Direction:
        """Whether a higher value of ``input`` is better, as declared or implied."""
        if self.better is not None:
            return self.better
        if self.table is not None:
            implied = self.table.direction(input, self.max, self.targets.get(input))
            if implied != "none":
                return implied
        for clause in self.clauses:
            if clause.input == input and clause.direction() != "none":
                return clause.direction()
        for part in self.parts:
            implied = part.direction(input)
            if implied != "none":
                return implied
        return "none"

    def _env(self, ctx: Context, subject: str) -> Env:
        """What ``subject``'s lines may consult: its target (from the data, for
        ``target plan``) and its cohort's statistics."""
        holder = self.target_inputs.get(subject)
        if holder is None:
            return ctx.env(subject, self.targets)
        value = ctx.values.get(holder)
        target = value if isinstance(value, Fraction) else None
        return attrs.evolve(
            ctx.env(subject, {subject: target} if target is not None else {}),
            target_source=holder,
        )

    @property
    def children(self) -> tuple[Item, ...]:
        """The nodes under it, as its result lists them: its parts, then its bonuses."""
        return (*self.parts, *self.bonuses)

    def walk(self) -> Iterator[Item]:
        yield self
        for child in self.children:
            yield from child.walk()

    def evaluate(self, ctx: Context, *, bonuses: bool = True) -> NodeResult:
        """The item's result; with ``bonuses``, its own bonuses scored too and listed
        under it (they add to the scheme's total, not to the item).  An example of
        the item checks its own score, which its bonuses do not touch, so
        ``bonuses=False`` needs none of their inputs."""
        steps: list[Step] = []
        children: tuple[NodeResult, ...] = ()
        extra: tuple[NodeResult, ...] = ()
        bonus_problems: list[ScoreProblem] = []
        try:
            if bonuses:
                extra = tuple(collect_results(self.bonuses, lambda bonus: bonus.evaluate(ctx)))
        except ScoreProblems as exc:
            bonus_problems.extend(exc.problems)
        try:
            raw, children = self._raw(ctx, steps)
        except ScoreProblems as exc:
            raise ScoreProblems([*exc.problems, *bonus_problems]) from None
        if bonus_problems:
            raise ScoreProblems(bonus_problems)
        children = (*children, *extra)
        score = clamp_score(raw, self.minimum, self.ceiling, self._floor_label(), self.line, steps)
        return NodeResult(
            id=self.id,
            name=self.name,
            kind=self.kind,
            score=to_decimal(score),
            max=to_decimal(self.max),
            minimum=None if self.minimum is None else to_decimal(self.minimum),
            owners=self.owners,
            supporters=self.supporters,
            children=children,
            steps=tuple(steps),
            inputs=tuple((name, ctx.show(name)) for name in self.inputs() if not self.parts),
            text=self.text or None,
            line=self.line,
            capped=self.ceiling is not None,
        )

    def _floor_label(self) -> Said:
        if self.deduct_cap is not None:
            return phrase(N_("its deduction cap ({bound})"), bound=bound_text(self.minimum))
        return phrase(N_("0 ({bound})"), bound=bound_text(self.minimum))

    def own(self, ctx: Context) -> NodeResult:
        """What an example of this node checks: its result, without its bonuses."""
        return self.evaluate(ctx, bonuses=False)

    def _raw(self, ctx: Context, steps: list[Step]) -> tuple[Fraction, tuple[NodeResult, ...]]:
        """The score before the clamp, from the parts, the data or the rules."""
        children: tuple[NodeResult, ...] = ()
        if self.parts:
            children = tuple(collect_results(self.parts, lambda part: part.evaluate(ctx)))
            raw = sum((Fraction(child.score) for child in children), Fraction(0))
            inner = sum((part.max for part in self.parts), Fraction(0))
            if inner != self.max:
                steps.append(
                    sum_step(
                        N_("its parts are worth {inner}, not {max}"), inner, self.max, self.line
                    )
                )
        elif self.assessed:
            raw = self._assessed(ctx, steps)
        elif self.kind == "task":
            raw = self._task(ctx, steps)
        else:
            raw = self._rules(ctx, steps)
        return raw, children

    def reads(self) -> tuple[str, ...]:
        """Every value its own score reads: its inputs, and what its lines'
        expressions read (``q at least ref``: ``ref``; ``previous rd``; the
        value ranked by ``rank of x``: ``x``).  Two entities that agree on
        these get the same score from it, given the same cohort."""
        names = list(self.inputs())
        if self.table is not None:
            for line in self.table.lines:
                for expression in line.expressions():
                    needs = expression.needs()
                    names.extend(sorted(needs.inputs | needs.ranks))
                    names.extend(f"previous {name}" for name in sorted(needs.previous))
        return tuple(dict.fromkeys(names))

    def _expression_reads(self) -> tuple[str, ...]:
        """The values its lines' expressions read (``q at least ref``: ``ref``)."""
        if self.table is None:
            return ()
        return tuple(
            name
            for line in self.table.lines
            for expression in line.expressions()
            for name in sorted(expression.needs().inputs)
        )

    def _task(self, ctx: Context, steps: list[Step]) -> Fraction:
        """A task is worth no points; with a target, say whether it was met."""
        for name in (*self.targets, *self.target_inputs):
            env = self._env(ctx, name)
            target = env.target
            value = ctx.values.get(name)
            text: Said
            if target is None:
                holder = self.target_inputs[name]
                text = phrase(N_("target {holder}: no data for {holder}"), holder=holder)
            elif isinstance(value, Fraction):
                # "全年无重大事故" is a target of 0 where lower is better.
                met = value <= target if self.better == "lower" else value >= target
                text = phrase(
                    N_("target {target}: met ({name} = {value})")
                    if met
                    else N_("target {target}: not met ({name} = {value})"),
                    target=env.show(target),
                    name=name,
                    value=ctx.show(name),
                )
            else:
                text = phrase(
                    N_("target {target}: no data for {name}"), target=env.show(target), name=name
                )
            steps.append(make_step("note", text, None, self.line))
        return Fraction(0)

    def _assessed(self, ctx: Context, steps: list[Step]) -> Fraction:
        value = ctx.values.get(self.id)
        if self.per_event is not None:
            count = ctx.values.get(self.per_event.events)
            try:
                deduction, text = self.per_event.deduction(self.id, self.name, count, value)
            except ScoreProblem as problem:
                raise ScoreProblems([problem]) from None
            steps.append(make_step("assessed", text, deduction, self.per_event.line))
            return self.max - deduction
        if not isinstance(value, Fraction):
            raise ScoreProblems(
                [
                    ScoreProblem(
                        _("no assessed score for item {id} ({name})").format(
                            id=repr(self.id), name=self.name
                        ),
                        input=self.id,
                        value=value,
                        line=self.line,
                    )
                ]
            )
        if self.assessed_cap is not None:
            if not 0 <= value <= self.assessed_cap:
                raise ScoreProblems(
                    [
                        ScoreProblem(
                            _(
                                "the assessed deduction {value} for item {id} ({name}) "
                                "is outside 0–{cap}"
                            ).format(
                                value=fmt(value),
                                id=repr(self.id),
                                name=self.name,
                                cap=fmt(self.assessed_cap),
                            ),
                            input=self.id,
                            value=value,
                            line=self.line,
                        )
                    ]
                )
            steps.append(
                make_step(
                    "assessed",
                    phrase(N_("assessed deduction {value}"), value=fmt(value)),
                    value,
                    self.line,
                )
            )
            return self.max - value
        low = self.minimum if self.minimum is not None else Fraction(0)
        if not low <= value <= self.max:
            raise ScoreProblems(
                [
                    ScoreProblem(
                        _(
                            "the assessed score {value} for item {id} ({name}) "
                            "is outside {low}–{high}"
                        ).format(
                            value=fmt(value),
                            id=repr(self.id),
                            name=self.name,
                            low=fmt(low),
                            high=fmt(self.max),
                        ),
                        input=self.id,
                        value=value,
                        line=self.line,
                    )
                ]
            )
        steps.append(
            make_step(
                "assessed",
                phrase(N_("assessed score {value}"), value=fmt(value)),
                self.max - value,
                self.line,
            )
        )
        return value

    def _rules(self, ctx: Context, steps: list[Step]) -> Fraction:
        problems: list[ScoreProblem] = []
        raw = Fraction(0)
        for name in dict.fromkeys((*self.inputs(), *self._expression_reads())):
            # A computed value, shown with what it was computed from.
            shown = ctx.derivation(name)
            if shown is not None:
                let = ctx.lets[name]
                steps.append(make_step("note", shown, None, let.line or self.line))
        try:
            if self.table is not None:
                raw = self._table(ctx, steps)
                if self.clauses:
                    # The line sets the item's score, which lies within its
                    # bounds before the clauses adjust it; clamping only at
                    # the end would let an award above the max absorb a
                    # deduction and break monotonicity.
                    raw = clamp_score(
                        raw, self.minimum, self.ceiling, self._floor_label(), self.line, steps
                    )
            else:
                raw = self._start()
                if raw != self.max:
                    steps.append(
                        make_step(
                            "start",
                            phrase(N_("starts at {score}"), score=fmt(raw)),
                            self.max - raw,
                            self.line,
                        )
                    )
        except ScoreProblem as problem:
            problems.append(problem)
        for clause in self.clauses:
            try:
                raw += self._clause(clause, ctx, steps)
            except ScoreProblem as problem:
                problems.append(problem)
        if self.adjustment is not None:
            # After the lines and clauses, before the item's clamp.
            try:
                change, text = self.adjustment.adjust(self.id, self.name, ctx.values.get(self.id))
                steps.append(make_step("assessed", text, -change, self.adjustment.line))
                raw += change
            except ScoreProblem as problem:
                problems.append(problem)
        if problems:
            raise ScoreProblems(problems)
        return raw

    def _start(self) -> Fraction:
        if self.start is not None:
            return self.start
        if any(clause.effect == "deduct" for clause in self.clauses):
            return self.max
        return Fraction(0)

    def _table(self, ctx: Context, steps: list[Step]) -> Fraction:
        """The score of the first line that holds.

        A line that tests an absent value cannot say whether it holds, so
        the table does not read on past it: that input's `no data` line
        (the first one from there down) decides, and without one the
        entity is a data error naming the input and the line.
        """
        assert self.table is not None
        lines = self.table.lines
        for index, line in enumerate(lines):
            if not line.subject:
                # A first `otherwise` of a table with several inputs tests none.
                return self._apply(line, None, ctx, steps)
            value = ctx.values.get(line.subject)
            if value is None:
                catcher = next(
                    (
                        later
                        for later in lines[index:]
                        if later.subject == line.subject and later.takes_absent
                    ),
                    None,
                )
                if catcher is None:
                    why = ctx.absent(line.subject, line.line or self.line)
                    if why is not None:
                        raise why
                    if line.line:
                        message = _(
                            "no data for {input}, which line {line} of {kind} {name} tests, "
                            "and no `no data` line says what that scores"
                        )
                    else:
                        message = _(
                            "no data for {input}, which {kind} {name} tests, and no `no data` "
                            "line says what that scores"
                        )
                    raise ScoreProblem(
                        message.format(
                            input=repr(line.subject),
                            line=line.line,
                            kind=_(KIND_WORDS[self.kind]),
                            name=repr(self.name),
                        ),
                        input=line.subject,
                        value=None,
                        line=line.line or self.line,
                    )
                return self._apply(catcher, None, ctx, steps)
            if line.matches(value, self._env(ctx, line.subject)):
                return self._apply(line, value, ctx, steps)
        subject = self.table.subjects()[0] if self.table.subjects() else ""
        raise ScoreProblem(
            _("no rule line of {kind} {name} matches {input} = {value}").format(
                kind=_(KIND_WORDS[self.kind]),
                name=repr(self.name),
                input=subject,
                value=ctx.show(subject),
            ),
            input=subject,
            value=ctx.values.get(subject),
            line=self.line,
        )

    def _apply(self, line: Line, value: Value, ctx: Context, steps: list[Step]) -> Fraction:
        applied = line.apply(value, self._env(ctx, line.subject), self.max)
        self._record(applied.steps, applied.detail, line.line, steps)
        return applied.score

    @staticmethod
    def _record(
        applied: Sequence[AppliedStep],
        detail: Said | None,
        line: int | None,
        steps: list[Step],
    ) -> None:
        if detail:
            steps.append(make_step("note", detail, None, line))
        for kind, description, amount in applied:
            steps.append(make_step(kind, description, amount, line))

    def _clause(self, clause: Clause, ctx: Context, steps: list[Step]) -> Fraction:
        value = ctx.values.get(clause.input)
        if value is None and not clause.takes_absent:
            why = ctx.absent(clause.input, clause.line)
            if why is not None:
                raise why
        label = Quoted(clause.text or repr(clause), clause.construct(self._env(ctx, clause.input)))
        if isinstance(clause, When):
            change = clause.change(value, self._env(ctx, clause.input))
            if change:
                steps.append(make_step("clause", label, -change, clause.line))
            return change
        assert isinstance(clause, ForEach)
        units, exact_raw = clause.raw(value)
        if not exact_raw:
            return Fraction(0)
        raw, was_rounded = rounded(exact_raw)
        if was_rounded:
            kind, said, _ = rounding(exact_raw, raw)
            steps.append(make_step(kind, said, None, clause.line))
        sign = -1 if clause.effect == "deduct" else 1
        steps.append(
            make_step(
                "clause",
                phrase(
                    N_("{rule}: {units} × {amount}"),
                    rule=label,
                    units=fmt(units),
                    amount=fmt(clause.amount),
                ),
                -sign * raw,
                clause.line,
            )
        )
        if clause.cap is not None and raw > clause.cap:
            steps.append(
                make_step(
                    "cap",
                    phrase(N_("at most {cap}"), cap=fmt(clause.cap)),
                    sign * (raw - clause.cap),
                    clause.line,
                )
            )
            raw = clause.cap
        return sign * raw

    def __repr__(self) -> str:
        if self.deduct_cap is not None:
            size = f"deduct at most {fmt(self.deduct_cap)}"
        elif self.uncapped:
            size = "deduct" if self.deduct_only else "without a cap"
        else:
            size = f"max {fmt(self.max)}"
        return f"<{self.kind} {self.id} {self.name!r} {size}>"
