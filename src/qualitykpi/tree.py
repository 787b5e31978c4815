"""Aggregate scorers: items, parts, sections, bonuses, vetoes, grades, the scheme.

Each node knows its max, its bounds and its direction in each input, and
evaluates to a :class:`~qualitykpi.results.NodeResult` whose steps add up
exactly to ``max − score``.  Problems with one entity's data are collected
across the whole tree and raised together as :class:`ScoreProblems`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Literal, TypeVar

import attrs

from .results import NodeResult, Result, Step, VetoHit
from .scorers import (
    Band,
    Clause,
    Condition,
    Direction,
    Env,
    ForEach,
    NoData,
    Otherwise,
    Range,
    ScoreProblem,
    Table,
    When,
    _num,
    _opt,
)
from .values import InputSpec, Value, fmt, fmt_input, rounded, to_decimal

T = TypeVar("T")


class ScoreProblems(Exception):
    """Every problem found while scoring one entity."""

    def __init__(self, problems: Sequence[ScoreProblem]) -> None:
        super().__init__("; ".join(problem.message for problem in problems))
        self.problems = tuple(problems)


# Typed converters: attrs' mypy plugin cannot see through a bare ``tuple``.
def _strs(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(values)


def _clauses(values: Iterable[Clause]) -> tuple[Clause, ...]:
    return tuple(values)


def _items(values: Iterable[Item]) -> tuple[Item, ...]:
    return tuple(values)


def _nodes(values: Iterable[Section | Item]) -> tuple[Section | Item, ...]:
    return tuple(values)


def _bands(
    values: Iterable[tuple[str, Range | Otherwise]],
) -> tuple[tuple[str, Range | Otherwise], ...]:
    return tuple(values)


def _vetoes(values: Iterable[Veto]) -> tuple[Veto, ...]:
    return tuple(values)


def _specs(values: Iterable[InputSpec]) -> tuple[InputSpec, ...]:
    return tuple(values)


def _values(values: Mapping[str, object]) -> dict[str, Value]:
    """Exact values: Python callers may pass ``Decimal`` or ``int``; bool stays yes/no."""
    out: dict[str, Value] = {}
    for name, value in values.items():
        if value is None or isinstance(value, bool | Fraction):
            out[name] = value
        elif isinstance(value, int | Decimal):
            out[name] = Fraction(value)
        else:
            raise TypeError(f"the value of {name!r} must be exact: Fraction, Decimal, int or bool")
    return out


@attrs.frozen
class Context:
    """One entity's values and the peer statistics of its cohort."""

    entity: str | None
    values: Mapping[str, Value] = attrs.field(converter=_values)
    peers: Mapping[str, Mapping[str, Fraction]] = attrs.field(factory=dict)
    specs: Mapping[str, InputSpec] = attrs.field(factory=dict)

    def env(self, subject: str, targets: Mapping[str, Fraction]) -> Env:
        spec = self.specs.get(subject)
        return Env(
            target=targets.get(subject),
            peers=self.peers.get(subject, {}),
            subject=subject,
            percent=spec is not None and spec.type == "percent",
        )

    def show(self, name: str) -> str:
        spec = self.specs.get(name)
        return fmt_input(self.values.get(name), spec.type if spec else "number")


def _collect(nodes: Sequence[T], run: Callable[[T], NodeResult]) -> list[NodeResult]:
    """Evaluate every node, then raise all their problems together."""
    results: list[NodeResult] = []
    problems: list[ScoreProblem] = []
    for node in nodes:
        try:
            results.append(run(node))
        except ScoreProblems as exc:
            problems.extend(exc.problems)
    if problems:
        raise ScoreProblems(problems)
    return results


def _step(
    kind: str,
    description: str,
    amount: Fraction | None,
    line: int | None = None,
    text: str | None = None,
) -> Step:
    return Step(kind, description, None if amount is None else to_decimal(amount), line, text)


def _clamp(
    raw: Fraction,
    low: Fraction,
    high: Fraction,
    low_label: str,
    line: int | None,
    steps: list[Step],
) -> Fraction:
    """Clamp ``raw`` to ``[low, high]``, recording the points the clamp moved."""
    if raw > high:
        steps.append(_step("clamp", f"capped at its max {fmt(high)}", raw - high, line))
        return high
    if raw < low:
        steps.append(_step("clamp", f"kept at {low_label}", raw - low, line))
        return low
    return raw


@attrs.frozen(repr=False)
class Item:
    """An item, a part (``kind="part"``) or a bonus (``kind="bonus"``).

    Its score comes from exactly one source: its ``parts`` (summed), an
    ``assessed`` value from the data, or its ``table`` and/or independent
    ``clauses``.  It is clamped to ``[minimum, max]``; a deduction-only item
    (``deduct_cap`` set) has max 0 and minimum ``-deduct_cap``.
    """

    id: str
    name: str
    max: Fraction = attrs.field(converter=_num)
    kind: Literal["item", "part", "bonus", "task"] = "item"
    owners: tuple[str, ...] = attrs.field(default=(), converter=_strs)
    table: Table | None = None
    clauses: tuple[Clause, ...] = attrs.field(default=(), converter=_clauses)
    start: Fraction | None = attrs.field(default=None, converter=_opt)
    assessed: bool = False
    assessed_cap: Fraction | None = attrs.field(default=None, converter=_opt)
    parts: tuple[Item, ...] = attrs.field(default=(), converter=_items)
    deduct_cap: Fraction | None = attrs.field(default=None, converter=_opt)
    targets: Mapping[str, Fraction] = attrs.field(factory=dict)
    better: Direction | None = None
    text: str = ""
    line: int | None = None
    supporters: tuple[str, ...] = attrs.field(default=(), converter=_strs)

    @property
    def minimum(self) -> Fraction:
        return -self.deduct_cap if self.deduct_cap is not None else Fraction(0)

    def inputs(self) -> tuple[str, ...]:
        """The inputs this node reads (assessed items read their own id)."""
        names: list[str] = list(self.targets) if self.kind == "task" else []
        if self.assessed:
            names.append(self.id)
        if self.table is not None:
            names.extend(self.table.subjects())
        names.extend(clause.input for clause in self.clauses)
        for part in self.parts:
            names.extend(part.inputs())
        return tuple(dict.fromkeys(names))

    def bounds(self) -> tuple[Fraction, Fraction]:
        """The scores this node can take: always within ``[minimum, max]``.

        Worked out from what its lines and clauses can give, so an item whose
        table never goes below 1 has bounds ``(1, max)``.
        """
        low: Fraction | None
        high: Fraction | None
        if self.parts:
            low, high = _add_bounds(part.bounds() for part in self.parts)
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
            else:
                low = high = self._start()
            for clause in self.clauses:
                change_low, change_high = clause.reach()
                low = None if low is None or change_low is None else low + change_low
                high = None if high is None or change_high is None else high + change_high
        low = self.minimum if low is None else min(max(low, self.minimum), self.max)
        high = self.max if high is None else max(min(high, self.max), self.minimum)
        return low, high

    def direction(self, input: str) -> Direction:
        """Whether a higher value of ``input`` is better, as declared or implied."""
        if self.better is not None:
            return self.better
        if self.table is not None:
            implied = self.table.direction(input)
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

    def walk(self) -> Iterator[Item]:
        yield self
        for part in self.parts:
            yield from part.walk()

    def evaluate(self, ctx: Context) -> NodeResult:
        steps: list[Step] = []
        children: tuple[NodeResult, ...] = ()
        if self.parts:
            children = tuple(_collect(self.parts, lambda part: part.evaluate(ctx)))
            raw = sum((Fraction(child.score) for child in children), Fraction(0))
            inner = sum((part.max for part in self.parts), Fraction(0))
            if inner != self.max:
                steps.append(
                    _step(
                        "sum",
                        f"its parts are worth {fmt(inner)}, not {fmt(self.max)}",
                        self.max - inner,
                        self.line,
                    )
                )
        elif self.assessed:
            raw = self._assessed(ctx, steps)
        elif self.kind == "task":
            raw = self._task(ctx, steps)
        else:
            raw = self._rules(ctx, steps)
        what = "its deduction cap" if self.deduct_cap is not None else "0"
        score = _clamp(
            raw, self.minimum, self.max, f"{what} ({fmt(self.minimum)})", self.line, steps
        )
        return NodeResult(
            id=self.id,
            name=self.name,
            kind=self.kind,
            score=to_decimal(score),
            max=to_decimal(self.max),
            minimum=to_decimal(self.minimum),
            owners=self.owners,
            supporters=self.supporters,
            children=children,
            steps=tuple(steps),
            inputs=tuple((name, ctx.show(name)) for name in self.inputs() if not self.parts),
            text=self.text or None,
            line=self.line,
        )

    def _task(self, ctx: Context, steps: list[Step]) -> Fraction:
        """A task is worth no points; with a target, say whether it was met."""
        for name, target in self.targets.items():
            env = ctx.env(name, self.targets)
            value = ctx.values.get(name)
            if isinstance(value, Fraction):
                # "全年无重大事故" is a target of 0 where lower is better.
                met = value <= target if self.better == "lower" else value >= target
                verdict = "met" if met else "not met"
                text = f"target {env.show(target)}: {verdict} ({name} = {ctx.show(name)})"
            else:
                text = f"target {env.show(target)}: no data for {name}"
            steps.append(_step("note", text, None, self.line))
        return Fraction(0)

    def _assessed(self, ctx: Context, steps: list[Step]) -> Fraction:
        value = ctx.values.get(self.id)
        if not isinstance(value, Fraction):
            raise ScoreProblems(
                [
                    ScoreProblem(
                        f"no assessed score for item {self.id!r} ({self.name})",
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
                            f"the assessed deduction {fmt(value)} for item {self.id!r} "
                            f"({self.name}) is outside 0–{fmt(self.assessed_cap)}",
                            input=self.id,
                            value=value,
                            line=self.line,
                        )
                    ]
                )
            steps.append(_step("assessed", f"assessed deduction {fmt(value)}", value, self.line))
            return self.max - value
        if not self.minimum <= value <= self.max:
            raise ScoreProblems(
                [
                    ScoreProblem(
                        f"the assessed score {fmt(value)} for item {self.id!r} ({self.name}) "
                        f"is outside {fmt(self.minimum)}–{fmt(self.max)}",
                        input=self.id,
                        value=value,
                        line=self.line,
                    )
                ]
            )
        steps.append(_step("assessed", f"assessed score {fmt(value)}", self.max - value, self.line))
        return value

    def _rules(self, ctx: Context, steps: list[Step]) -> Fraction:
        problems: list[ScoreProblem] = []
        raw = Fraction(0)
        try:
            if self.table is not None:
                raw = self._table(ctx, steps)
                if self.clauses:
                    # The line sets the item's score, which lies within its
                    # bounds before the clauses adjust it; clamping only at
                    # the end would let an award above the max absorb a
                    # deduction and break monotonicity.
                    what = "its deduction cap" if self.deduct_cap is not None else "0"
                    label = f"{what} ({fmt(self.minimum)})"
                    raw = _clamp(raw, self.minimum, self.max, label, self.line, steps)
            else:
                raw = self._start()
                if raw != self.max:
                    steps.append(_step("start", f"starts at {fmt(raw)}", self.max - raw, self.line))
        except ScoreProblem as problem:
            problems.append(problem)
        for clause in self.clauses:
            try:
                raw += self._clause(clause, ctx, steps)
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
        assert self.table is not None
        absent: list[str] = []
        for line in self.table.lines:
            value = ctx.values.get(line.subject)
            env = ctx.env(line.subject, self.targets)
            if value is None:
                if isinstance(line, Band) and isinstance(line.condition, NoData):
                    applied = line.apply(value, env, self.max)
                    self._record(applied.steps, applied.detail, line.line, steps)
                    return applied.score
                absent.append(line.subject)
                continue
            if line.matches(value, env):
                applied = line.apply(value, env, self.max)
                self._record(applied.steps, applied.detail, line.line, steps)
                return applied.score
        subject = absent[0] if absent else self.table.subjects()[0]
        value = ctx.values.get(subject)
        if absent:
            raise ScoreProblem(
                f"no data for {subject!r} in item {self.name!r}, and no `no data` line "
                "says what that scores",
                input=subject,
                value=None,
                line=self.line,
            )
        raise ScoreProblem(
            f"no rule line of item {self.name!r} matches {subject} = {ctx.show(subject)}",
            input=subject,
            value=value,
            line=self.line,
        )

    @staticmethod
    def _record(
        applied: Sequence[tuple[str, str, Fraction | None]],
        detail: str | None,
        line: int | None,
        steps: list[Step],
    ) -> None:
        if detail:
            steps.append(_step("note", detail, None, line))
        for kind, description, amount in applied:
            steps.append(_step(kind, description, amount, line))

    def _clause(self, clause: Clause, ctx: Context, steps: list[Step]) -> Fraction:
        value = ctx.values.get(clause.input)
        label = clause.text or repr(clause)
        if isinstance(clause, When):
            change = clause.change(value, ctx.env(clause.input, self.targets))
            if change:
                steps.append(_step("clause", label, -change, clause.line))
            return change
        assert isinstance(clause, ForEach)
        units, exact_raw = clause.raw(value)
        if not exact_raw:
            return Fraction(0)
        raw, was_rounded = rounded(exact_raw)
        if was_rounded:
            steps.append(
                _step("round", f"{fmt(exact_raw)} rounded half up to {fmt(raw)}", None, clause.line)
            )
        sign = -1 if clause.effect == "deduct" else 1
        steps.append(
            _step(
                "clause", f"{label}: {fmt(units)} × {fmt(clause.amount)}", -sign * raw, clause.line
            )
        )
        if clause.cap is not None and raw > clause.cap:
            steps.append(
                _step("cap", f"at most {fmt(clause.cap)}", sign * (raw - clause.cap), clause.line)
            )
            raw = clause.cap
        return sign * raw

    def __repr__(self) -> str:
        size = (
            f"deduct at most {fmt(self.deduct_cap)}"
            if self.deduct_cap is not None
            else (f"max {fmt(self.max)}")
        )
        return f"<{self.kind} {self.id} {self.name!r} {size}>"


@attrs.frozen(repr=False)
class Section:
    """A section: the sum of its children, clamped to ``[minimum, max]``.

    ``deductions_cap`` caps the sum of its deduction-only children; a
    deduction-only section (``deduct_cap``) has max 0.  Bonuses inside it
    are reported here but add to the scheme total.
    """

    id: str
    name: str
    max: Fraction = attrs.field(converter=_num)
    children: tuple[Section | Item, ...] = attrs.field(default=(), converter=_nodes)
    owners: tuple[str, ...] = attrs.field(default=(), converter=_strs)
    deductions_cap: Fraction | None = attrs.field(default=None, converter=_opt)
    deduct_cap: Fraction | None = attrs.field(default=None, converter=_opt)
    text: str = ""
    line: int | None = None
    supporters: tuple[str, ...] = attrs.field(default=(), converter=_strs)

    kind = "section"

    @property
    def minimum(self) -> Fraction:
        """0, or below 0 for a section of deductions.

        ``deduct at most C`` gives −C; a ``max 0`` section (only deductions
        inside) can go as low as its children together, or its
        ``deductions at most`` cap.
        """
        if self.deduct_cap is not None:
            return -self.deduct_cap
        if self.max == 0:
            low = sum((child.minimum for child in self.scored()), Fraction(0))
            if self.deductions_cap is not None:
                low = max(low, -self.deductions_cap)
            return low
        return Fraction(0)

    def scored(self) -> tuple[Section | Item, ...]:
        return tuple(child for child in self.children if child.kind != "bonus")

    def inputs(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(name for child in self.children for name in child.inputs()))

    def bounds(self) -> tuple[Fraction, Fraction]:
        """The scores this section can take: its evaluation applied to the children's bounds.

        Every step of the evaluation (sum, deductions cap, clamp) is monotone,
        so applying it to the children's lower and upper bounds gives the
        section's.
        """
        children = self.scored()
        low, high = _add_bounds(child.bounds() for child in children if not deducts(child))
        ded_low, ded_high = _add_bounds(child.bounds() for child in children if deducts(child))
        if self.deductions_cap is not None:
            ded_low = max(ded_low, -self.deductions_cap)
            ded_high = max(ded_high, -self.deductions_cap)
        return self._clamp(low + ded_low), self._clamp(high + ded_high)

    def _clamp(self, value: Fraction) -> Fraction:
        return min(max(value, self.minimum), self.max)

    def direction(self, input: str) -> Direction:
        for child in self.scored():
            implied = child.direction(input)
            if implied != "none":
                return implied
        return "none"

    def walk(self) -> Iterator[Section | Item]:
        yield self
        for child in self.children:
            yield from child.walk()

    def evaluate(self, ctx: Context) -> NodeResult:
        children = tuple(_collect(self.children, lambda child: child.evaluate(ctx)))
        steps: list[Step] = []
        scored = [result for result in children if result.kind != "bonus"]
        inner = sum((Fraction(result.max) for result in scored), Fraction(0))
        if inner != self.max:
            steps.append(
                _step(
                    "sum",
                    f"its children are worth {fmt(inner)}, not {fmt(self.max)}",
                    self.max - inner,
                    self.line,
                )
            )
        deductions = sum(
            (Fraction(result.score) for result in scored if result.max == 0 and result.minimum < 0),
            Fraction(0),
        )  # the same children deducts() picks
        raw = sum((Fraction(result.score) for result in scored), Fraction(0))
        if self.deductions_cap is not None and deductions < -self.deductions_cap:
            given_back = -self.deductions_cap - deductions
            steps.append(
                _step(
                    "cap",
                    f"deductions here at most {fmt(self.deductions_cap)}",
                    -given_back,
                    self.line,
                )
            )
            raw += given_back
        score = _clamp(raw, self.minimum, self.max, fmt(self.minimum), self.line, steps)
        return NodeResult(
            id=self.id,
            name=self.name,
            kind="section",
            score=to_decimal(score),
            max=to_decimal(self.max),
            minimum=to_decimal(self.minimum),
            owners=self.owners,
            supporters=self.supporters,
            children=children,
            steps=tuple(steps),
            text=self.text or None,
            line=self.line,
        )

    def __repr__(self) -> str:
        return (
            f"<section {self.id} {self.name!r} max {fmt(self.max)}: {len(self.children)} children>"
        )


def deducts(node: Section | Item) -> bool:
    """A deduction-only child: its score only ever takes points away."""
    return node.max == 0 and node.minimum < 0


@attrs.frozen(repr=False)
class Veto:
    """``veto "NAME" when TEST → grade G`` (or ``→ score 0``)."""

    name: str
    input: str
    condition: Condition | None = None
    negate: bool = False
    grade: str | None = None
    score: Fraction | None = attrs.field(default=None, converter=_opt)
    owners: tuple[str, ...] = attrs.field(default=(), converter=_strs)
    text: str = ""
    line: int | None = None

    def fires(self, ctx: Context) -> bool:
        value = ctx.values.get(self.input)
        if value is None and not isinstance(self.condition, NoData):
            raise ScoreProblem(
                f"no data for {self.input!r}, which veto {self.name!r} tests",
                input=self.input,
                value=value,
                line=self.line,
            )
        clause = When("deduct", 0, self.input, self.condition, self.negate, line=self.line)
        return clause.applies(value, ctx.env(self.input, {}))

    def effect(self) -> str:
        if self.grade is not None:
            return f"grade {self.grade}"
        assert self.score is not None
        return f"score {fmt(self.score)}"

    def __repr__(self) -> str:
        return f"<veto {self.name!r} when {self.input}: {self.effect()}>"


@attrs.frozen(repr=False)
class Grades:
    """Grade bands over the total, read top to bottom, first match."""

    bands: tuple[tuple[str, Range | Otherwise], ...] = attrs.field(converter=_bands)

    def labels(self) -> tuple[str, ...]:
        return tuple(label for label, _ in self.bands)

    def grade(self, total: Fraction) -> str | None:
        for label, condition in self.bands:
            if condition.holds(total, Env(), None):
                return label
        return None

    def __repr__(self) -> str:
        return "<grades " + "; ".join(f"{label} {cond!r}" for label, cond in self.bands) + ">"


@attrs.frozen(repr=False)
class SchemeScorer:
    """The whole scheme: sections and items, bonuses, vetoes, grades."""

    name: str
    children: tuple[Section | Item, ...] = attrs.field(converter=_nodes)
    total: Fraction | None = attrs.field(default=None, converter=_opt)
    plus_bonus: bool = False
    grades: Grades | None = None
    vetoes: tuple[Veto, ...] = attrs.field(default=(), converter=_vetoes)
    inputs: tuple[InputSpec, ...] = attrs.field(default=(), converter=_specs)
    file: str | None = None
    grades_line: int | None = None

    def walk(self) -> Iterator[Section | Item]:
        for child in self.children:
            yield from child.walk()

    def scored(self) -> tuple[Section | Item, ...]:
        return tuple(child for child in self.children if child.kind != "bonus")

    def bonuses(self) -> tuple[Item, ...]:
        return tuple(
            node for node in self.walk() if isinstance(node, Item) and node.kind == "bonus"
        )

    @property
    def max(self) -> Fraction:
        """What the tree can give without bonuses: the sum of the top-level maxima."""
        return sum((child.max for child in self.scored()), Fraction(0))

    def bounds(self) -> tuple[Fraction, Fraction]:
        """The totals this scheme can give, vetoes included."""
        top_low, top_high = _add_bounds(child.bounds() for child in self.scored())
        bonus_low, bonus_high = _add_bounds(bonus.bounds() for bonus in self.bonuses())
        low = self._total(top_low, bonus_low)
        high = self._total(top_high, bonus_high)
        for veto in self.vetoes:
            if veto.score is not None:
                low = min(low, veto.score)
        return low, high

    def _total(self, top: Fraction, bonus: Fraction) -> Fraction:
        """The total from the sections' sum and the bonus (monotone in both)."""
        if self.total is None:
            total = top + bonus
        elif self.plus_bonus:
            total = min(top, self.total) + bonus
        else:
            total = min(top + bonus, self.total)
        return max(total, Fraction(0))

    def assessed_ids(self) -> tuple[Item, ...]:
        return tuple(node for node in self.walk() if isinstance(node, Item) and node.assessed)

    def evaluate(self, ctx: Context) -> Result:
        problems: list[ScoreProblem] = []
        nodes: list[NodeResult] = []
        try:
            nodes = _collect(self.children, lambda child: child.evaluate(ctx))
        except ScoreProblems as exc:
            problems.extend(exc.problems)
        fired: list[Veto] = []
        for veto in self.vetoes:
            try:
                if veto.fires(ctx):
                    fired.append(veto)
            except ScoreProblem as problem:
                problems.append(problem)
        if problems:
            raise ScoreProblems(problems)

        steps: list[Step] = []
        by_id = {node.id: node for top in nodes for node in top.walk()}
        top = sum((Fraction(node.score) for node in nodes if node.kind != "bonus"), Fraction(0))
        bonus = sum((Fraction(by_id[item.id].score) for item in self.bonuses()), Fraction(0))
        total = top
        if bonus:
            steps.append(_step("bonus", f"bonus points add {fmt(bonus)}", -bonus))
            total += bonus
        if self.total is not None:
            if self.plus_bonus and top > self.total:
                steps.append(
                    _step(
                        "cap",
                        f"capped at the total {fmt(self.total)} before bonus",
                        top - self.total,
                    )
                )
                total = self.total + bonus
            elif not self.plus_bonus and total > self.total:
                steps.append(
                    _step("cap", f"capped at the total {fmt(self.total)}", total - self.total)
                )
                total = self.total
        if total < 0:
            steps.append(_step("clamp", "the total is kept at 0", total))
            total = Fraction(0)
        for veto in fired:
            # A veto only ever takes points away: the total is at most its score.
            if veto.score is not None and total > veto.score:
                steps.append(
                    _step(
                        "veto",
                        f"veto {veto.name!r} sets the total to {fmt(veto.score)}",
                        total - veto.score,
                        veto.line,
                        veto.text or None,
                    )
                )
                total = veto.score

        grade = self._grade(total, fired, problems)
        if problems:
            raise ScoreProblems(problems)
        return Result(
            entity=ctx.entity,
            scheme=self.name,
            total=to_decimal(total),
            max=to_decimal(self.max),
            grade=grade,
            vetoes=tuple(
                VetoHit(veto.name, veto.effect(), veto.line, veto.owners) for veto in fired
            ),
            nodes=tuple(nodes),
            steps=tuple(steps),
            file=self.file,
            peers={
                name: {stat: fmt(value) for stat, value in stats.items()}
                for name, stats in ctx.peers.items()
            },
        )

    def _grade(
        self, total: Fraction, fired: Sequence[Veto], problems: list[ScoreProblem]
    ) -> str | None:
        if self.grades is None:
            return None
        grade = self.grades.grade(total)
        labels = self.grades.labels()
        forced = [veto.grade for veto in fired if veto.grade is not None]
        if forced:
            # Several vetoes: the worst grade wins (grades are listed best first).
            return max(forced, key=lambda label: labels.index(label) if label in labels else -1)
        if grade is None:
            problems.append(
                ScoreProblem(
                    f"no grade band matches the total {fmt(total)}",
                    input=None,
                    value=total,
                    line=self.grades_line,
                )
            )
        return grade

    def __repr__(self) -> str:
        return f"<scheme {self.name!r}: {len(self.children)} children, max {fmt(self.max)}>"


def _add_bounds(bounds: Iterable[tuple[Fraction, Fraction]]) -> tuple[Fraction, Fraction]:
    """The bounds of a sum: the sums of the lower and of the upper bounds."""
    low = high = Fraction(0)
    for child_low, child_high in bounds:
        low += child_low
        high += child_high
    return low, high
