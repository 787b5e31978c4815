"""Property tests of one concrete scheme: ``qualitykpi verify``.

The static checks (:mod:`qualitykpi.checks`) reason about each table on its
own.  :func:`verify` scores many generated entities with the real scorer
tree and checks what a rule author relies on:

``bounds``
    every node scores within ``[minimum, max]`` and within its own
    ``bounds()``; the total within the scheme's bounds;
``monotone``
    where a node declares (``better higher|lower``) or implies a direction
    in an input, a better value of that input, the others and the peer
    statistics unchanged, never scores less;
``vetoes``
    a veto that fires forces its grade and keeps the total (``→ grade G``),
    or caps the total (``→ score S``); one that does not fire changes
    nothing;
``ledger``
    the deduction ledger adds up: the ``lost_points`` amounts to
    ``max − total``, and at every node its own steps and its children's
    losses to ``max − score``.

Entities are drawn from the inputs' domains: percentages in 0–100 on the
declared precision grid, counts, numbers in a range around the rule's
thresholds, yes/no, sometimes absent where a ``no data`` line takes that;
values near the rule's thresholds (and near ``K% of peer STAT``) are drawn
half of the time.  Assessed items get scores within their ranges, and
peer-compared inputs peer statistics of a small drawn cohort.

An entity that cannot be scored (a value no line matches — a gap the
checker reports) is a *data error*, not a failed property: such entities
are counted and reported apart.

hypothesis is an optional dependency (``pip install 'qualitykpi[verify]'``);
it is imported when :func:`verify` runs, never at import time, and used
programmatically (no pytest, no example database, nothing written to the
working directory).
"""

from __future__ import annotations

import math
import os
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import attrs

from .coverage import example_line, node_label
from .explain import explain_node
from .results import NodeResult, Result
from .scorers import (
    Band,
    Direction,
    Env,
    MeetsTarget,
    NoData,
    OffTarget,
    PeerRelative,
    PerUnit,
    Range,
    Scaled,
    ScoreProblem,
    When,
)
from .tree import Context, Item, SchemeScorer, ScoreProblems, Section
from .values import InputSpec, Value, fmt

if TYPE_CHECKING:
    from hypothesis.strategies import DrawFn, SearchStrategy

    from .scheme import Scheme

#: What ``qualitykpi verify`` says when hypothesis is not installed.
NEEDS_HYPOTHESIS = "qualitykpi verify needs hypothesis: pip install 'qualitykpi[verify]'"

#: The properties, in the order they run and are reported.
PROPERTIES = ("bounds", "monotone", "vetoes", "ledger")

_DESCRIPTIONS = {
    "bounds": "every node scores within [minimum, max] and its bounds",
    "monotone": "a better value of an input never scores less",
    "vetoes": "a veto forces its grade and keeps the total, or caps the total",
    "ledger": "the lost points add up to max − score at every node and in total",
}

Node = Section | Item


class MissingHypothesis(ImportError):
    """hypothesis is not installed."""

    def __init__(self) -> None:
        super().__init__(NEEDS_HYPOTHESIS)


# ================================================================== planning


@attrs.frozen
class InputPlan:
    """How one input's values are drawn: its domain, grid and the values near its edges."""

    spec: InputSpec
    low: Fraction
    high: Fraction
    step: Fraction
    edges: tuple[Fraction, ...] = ()
    absent: bool = False
    #: ``K% of peer STAT`` comparisons of this input: (factor, stat).
    peer_marks: tuple[tuple[Fraction, str], ...] = ()
    #: Where some values match no line (a gap): a spread of values that do.
    scorable: tuple[Fraction, ...] = ()

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def flag(self) -> bool:
        return self.spec.type == "yes/no"

    def near(self, points: Sequence[Fraction]) -> list[Fraction]:
        """The grid values on and next to ``points``, within the domain.

        The grid values at (or just around) the points come first, their
        neighbours after: hypothesis shrinks towards the front, so a
        counterexample ends up on the boundary itself.
        """
        at: set[Fraction] = set()
        beside: set[Fraction] = set()
        for point in points:
            down = self.low + math.floor((point - self.low) / self.step) * self.step
            up = self.low + math.ceil((point - self.low) / self.step) * self.step
            at.update(value for value in (down, up) if self.low <= value <= self.high)
            beside.update(
                value
                for value in (down - self.step, up + self.step)
                if self.low <= value <= self.high
            )
        return sorted(at) + sorted(beside - at)


@attrs.frozen
class Directed:
    """A node whose score must not fall when ``input`` gets better."""

    node: Node | None  # None: the scheme's total
    direction: Direction
    why: str


@attrs.frozen
class Plan:
    """Everything :func:`verify` draws and checks, worked out once per scheme."""

    scheme: Scheme
    inputs: tuple[InputPlan, ...]
    peer_inputs: tuple[str, ...]
    peer_stats: Mapping[str, tuple[str, ...]]
    directed: Mapping[str, tuple[Directed, ...]]
    nodes: Mapping[str, Node]

    @classmethod
    def of(cls, scheme: Scheme) -> Plan:
        scorer = scheme.scorer
        marks = _marks(scorer)
        peers = _peer_marks(scorer)
        tolerant = _absent_allowed(scorer)
        assessed = {item.id: item for item in scorer.assessed_ids()}
        plans = []
        for name, spec in scheme.inputs.items():
            plan = _plan_input(
                spec,
                marks.get(name, []),
                assessed.get(name),
                absent=tolerant.get(name, False),
                peer_marks=tuple(peers.get(name, ())),
            )
            if not plan.flag and name not in assessed:
                plan = attrs.evolve(plan, scorable=_scorable(plan, scorer))
            plans.append(plan)
        peer_inputs = tuple(name for name in scheme.peer_inputs() if name in scheme.inputs)
        stats = {
            name: tuple(dict.fromkeys(stat for _, stat in peers.get(name, ())))
            for name in peer_inputs
        }
        numeric = [plan.name for plan in plans if not plan.flag and plan.name not in assessed]
        directed = {name: found for name in numeric if (found := _directed(scorer, name))}
        nodes = {node.id: node for node in scorer.walk()}
        return cls(scheme, tuple(plans), peer_inputs, stats, directed, nodes)

    def input(self, name: str) -> InputPlan:
        for plan in self.inputs:
            if plan.name == name:
                return plan
        raise KeyError(name)

    def context(self, entity: Entity) -> Context:
        return Context(None, entity.values, entity.peers, self.scheme.inputs)


def _decimals(value: Fraction) -> int | None:
    """Decimal places of a number (None beyond 4, or without a finite decimal form)."""
    for places in range(5):
        if (value * 10**places).denominator == 1:
            return places
    return None


def _fine_step(marks: Sequence[Fraction]) -> Fraction:
    """A grid one decimal finer than the rule's own numbers for an input."""
    places = max((p for p in map(_decimals, marks) if p is not None), default=0)
    return Fraction(1, 10 ** min(places + 1, 4))


def _snap_down(value: Fraction, step: Fraction) -> Fraction:
    return math.floor(value / step) * step


def _snap_up(value: Fraction, step: Fraction) -> Fraction:
    return math.ceil(value / step) * step


def _plan_input(
    spec: InputSpec,
    marks: Sequence[Fraction],
    assessed: Item | None,
    *,
    absent: bool,
    peer_marks: tuple[tuple[Fraction, str], ...],
) -> InputPlan:
    if spec.type == "yes/no":
        return InputPlan(spec, Fraction(0), Fraction(1), Fraction(1), absent=absent)
    if assessed is not None:
        if assessed.assessed_cap is not None:
            low, high = Fraction(0), assessed.assessed_cap
        else:
            low, high = assessed.minimum, assessed.max
        places = [p for p in (_decimals(low), _decimals(high)) if p is not None]
        step = Fraction(1, 10 ** max(2, *places))
        return InputPlan(spec, low, high, step, edges=(low, high))
    precision = spec.precision
    if spec.type == "percent":
        step = precision if precision is not None else _fine_step(marks)
        low, high = Fraction(0), _snap_down(Fraction(100), step)
    elif spec.type == "count":
        step = precision if precision is not None and precision.denominator == 1 else Fraction(1)
        top = max((mark for mark in marks), default=Fraction(0))
        low, high = Fraction(0), _snap_up(max(Fraction(10), 2 * top + 5), step)
    else:
        step = precision if precision is not None else _fine_step(marks)
        if marks:
            least, most = min(marks), max(marks)
            span = max(most - least, abs(most), Fraction(1))
            low, high = least - span / 2, most + span / 2
            if least >= 0:
                low = max(low, Fraction(0))
        else:
            low, high = Fraction(0), Fraction(100)
        low, high = _snap_down(low, step), _snap_up(high, step)
    plan = InputPlan(spec, low, high, step, absent=absent, peer_marks=peer_marks)
    return attrs.evolve(plan, edges=tuple(plan.near(marks)))


def _scorable(plan: InputPlan, scorer: SchemeScorer) -> tuple[Fraction, ...]:
    """Up to about 200 values spread over the domain that every table of the input
    matches; () when all of them do (nothing to steer away from)."""
    tables = [
        (node, [line for line in node.table.lines if line.subject == plan.name])
        for node in scorer.walk()
        if isinstance(node, Item) and node.table is not None
    ]
    tables = [(node, lines) for node, lines in tables if lines]
    if not tables:
        return ()
    count = int((plan.high - plan.low) / plan.step)
    stride = max(1, count // 200)
    points = sorted(
        {plan.low + k * plan.step for k in range(0, count + 1, stride)} | set(plan.edges)
    )

    def matched(value: Fraction) -> bool:
        for node, lines in tables:
            env = Env(target=node.targets.get(plan.name), subject=plan.name)
            for line in lines:
                try:
                    if line.matches(value, env):
                        break
                except ScoreProblem:  # compares with peers: unknown here
                    break
            else:
                return False
        return True

    found = tuple(point for point in points if matched(point))
    return () if len(found) == len(points) else found


def _range_ends(condition: object) -> list[Fraction]:
    if isinstance(condition, Range):
        return [end for end in (condition.low, condition.high) if end is not None]
    return []


def _line_marks(line: object, target: Fraction | None) -> list[Fraction]:
    """The subject values where a table line's outcome may change."""
    if isinstance(line, Band):
        condition = line.condition
        if isinstance(condition, MeetsTarget) and target is not None:
            return [target]
        if isinstance(condition, OffTarget) and target is not None:
            sign = -1 if condition.direction == "below" else 1
            return [target + sign * end for end in _range_ends(condition.by)] + [target]
        return _range_ends(condition)
    if isinstance(line, PerUnit):
        marks: list[Fraction] = []
        base = line.threshold if line.threshold is not None else Fraction(0)
        marks.append(base)
        sign = -1 if line.reference == "below" else 1
        if line.cap is not None and line.amount:
            marks.append(base + sign * line.unit * line.cap / line.amount)
        return marks
    if isinstance(line, Scaled) and not line.to_peer_max:
        return [end for end in (line.low, line.high) if end is not None]
    return []


def _marks(scorer: SchemeScorer) -> dict[str, list[Fraction]]:
    """Every input's thresholds: table lines, targets, clause and veto tests."""
    marks: dict[str, list[Fraction]] = {}
    for node in scorer.walk():
        if not isinstance(node, Item):
            continue
        for name, target in node.targets.items():
            marks.setdefault(name, []).append(target)
        if node.table is not None:
            for line in node.table.lines:
                marks.setdefault(line.subject, []).extend(
                    _line_marks(line, node.targets.get(line.subject))
                )
        for clause in node.clauses:
            found = marks.setdefault(clause.input, [])
            if isinstance(clause, When):
                found.extend(_range_ends(clause.condition))
            else:
                base = clause.beyond if clause.beyond is not None else Fraction(0)
                found.append(base)
                if clause.cap is not None and clause.amount:
                    found.append(base + clause.unit * clause.cap / clause.amount)
    for veto in scorer.vetoes:
        marks.setdefault(veto.input, []).extend(_range_ends(veto.condition))
    return marks


def _peer_marks(scorer: SchemeScorer) -> dict[str, list[tuple[Fraction, str]]]:
    """Every ``K% of peer STAT`` an input is compared with (and ``scaled to peer max``)."""
    found: dict[str, list[tuple[Fraction, str]]] = {}

    def add(name: str, condition: object) -> None:
        if isinstance(condition, PeerRelative):
            found.setdefault(name, []).append((condition.factor, condition.stat))

    for node in scorer.walk():
        if not isinstance(node, Item):
            continue
        for line in node.table.lines if node.table is not None else ():
            if isinstance(line, Band):
                add(line.subject, line.condition)
            elif isinstance(line, Scaled) and line.to_peer_max:
                found.setdefault(line.subject, []).append((Fraction(1), "max"))
        for clause in node.clauses:
            if isinstance(clause, When):
                add(clause.input, clause.condition)
    for veto in scorer.vetoes:
        add(veto.input, veto.condition)
    return found


def _absent_allowed(scorer: SchemeScorer) -> dict[str, bool]:
    """Inputs that may be absent: a `no data` line takes them and nothing else needs them."""
    takes: set[str] = set()
    needs: set[str] = set()
    for node in scorer.walk():
        if not isinstance(node, Item):
            continue
        if node.kind == "task":
            continue
        if node.table is not None:
            subjects = node.table.subjects()
            covered = {
                line.subject
                for line in node.table.lines
                if isinstance(line, Band) and isinstance(line.condition, NoData)
            }
            takes.update(covered)
            needs.update(subject for subject in subjects if subject not in covered)
        for clause in node.clauses:
            if isinstance(clause, When) and isinstance(clause.condition, NoData):
                continue
            needs.add(clause.input)
    for veto in scorer.vetoes:
        if not isinstance(veto.condition, NoData):
            needs.add(veto.input)
    return {name: name in takes and name not in needs for name in takes | needs}


def _reads(node: Node, name: str) -> bool:
    return name in node.inputs()


def _direction(node: Node, name: str) -> Direction | None:
    """The direction ``node`` has in ``name``: None when it does not read it,
    ``none`` when it has none or its parts disagree."""
    if not _reads(node, name):
        return None
    if isinstance(node, Item):
        if node.assessed or node.kind == "task":
            return None
        if node.better is not None:
            return node.better
        if not node.parts:
            return node.direction(name)
        return _combine(_direction(part, name) for part in node.parts)
    return _combine(_direction(child, name) for child in node.scored())


def _combine(directions: Iterator[Direction | None]) -> Direction | None:
    found = {direction for direction in directions if direction is not None}
    if not found:
        return None
    if len(found) == 1:
        return found.pop()
    return "none"


def _why(node: Node, name: str, direction: Direction) -> str:
    if isinstance(node, Item) and node.better is not None:
        return f"declared: better {direction}"
    if isinstance(node, Item) and node.table is not None and not node.parts:
        for line in node.table.lines:
            if line.subject == name and line.direction() == direction:
                text = f" (`{line.text}`)" if line.text else ""
                return f"implied by line {line.line}{text}" if line.line else "implied by its lines"
    if isinstance(node, Item) and not node.parts:
        return "implied by its clauses"
    return "implied by everything under it"


def _depths(nodes: Sequence[Node], depth: int = 0) -> Iterator[tuple[int, Node]]:
    for node in nodes:
        yield depth, node
        yield from _depths(node.children if isinstance(node, Section) else node.parts, depth + 1)


def _directed(scorer: SchemeScorer, name: str) -> tuple[Directed, ...]:
    """The nodes directed in ``name``, deepest first (a failure is reported where it starts)."""
    found: list[Directed] = []
    ordered = sorted(_depths(scorer.children), key=lambda pair: -pair[0])
    for _, node in ordered:
        direction = _direction(node, name)
        if direction in ("higher", "lower"):
            assert direction is not None
            found.append(Directed(node, direction, _why(node, name, direction)))
    score_veto = any(veto.input == name and veto.score is not None for veto in scorer.vetoes)
    tops = [*scorer.scored(), *scorer.bonuses()]
    total = _combine(_direction(top, name) for top in tops)
    if total in ("higher", "lower") and not score_veto:
        assert total is not None
        found.append(Directed(None, total, "implied by every node that reads it"))
    return tuple(found)


# ================================================================= entities


@attrs.frozen
class Entity:
    """One generated entity: its values and the peer statistics of its cohort."""

    values: Mapping[str, Value]
    peers: Mapping[str, Mapping[str, Fraction]]


@attrs.frozen
class Case:
    """What one property check draws: an entity and, for ``monotone``, one change."""

    entity: Entity
    input: str | None = None
    first: Fraction | None = None
    second: Fraction | None = None


class _Strategies:
    """hypothesis strategies for a plan (hypothesis is imported by the caller)."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.cache: dict[tuple[str, bool], SearchStrategy[Any]] = {}

    def value(
        self,
        plan: InputPlan,
        peers: Mapping[str, Mapping[str, Fraction]],
        *,
        absent: bool,
    ) -> SearchStrategy[Any]:
        """Values of one input; near its thresholds (and ``K% of peer STAT``) half of the time."""
        from hypothesis import strategies as st

        stats = peers.get(plan.name, {})
        points = [factor * stats[stat] for factor, stat in plan.peer_marks if stat in stats]
        key = (plan.name, absent)
        if not points and key in self.cache:
            return self.cache[key]
        base: SearchStrategy[Any]
        if plan.flag:
            base = st.booleans()
        else:
            count = int((plan.high - plan.low) / plan.step)
            low, step = plan.low, plan.step
            base = st.integers(0, count).map(lambda k: low + k * step)
            near = list(dict.fromkeys([*plan.near(points), *plan.edges]))
            # An assessed score's edges are the ends of its range: no need to aim.
            options = [st.sampled_from(near)] if near and count > 2 * len(near) else []
            if plan.scorable:
                options.append(st.sampled_from(plan.scorable))
            if options:
                base = st.one_of(*options, base)
        if absent:
            base = st.one_of(base, st.none())
        if not points:
            self.cache[key] = base
        return base

    def entities(self) -> SearchStrategy[Entity]:
        from hypothesis import strategies as st

        plan = self.plan

        @st.composite
        def draw_entity(draw: DrawFn) -> Entity:
            peers: dict[str, dict[str, Fraction]] = {}
            if plan.peer_inputs:
                # Cohorts of 1, 2, 4 or 5 others keep the mean a finite decimal.
                size = draw(st.sampled_from([1, 2, 4, 5]))
                rows = [
                    {
                        name: draw(self.value(plan.input(name), {}, absent=False))
                        for name in plan.peer_inputs
                    }
                    for _ in range(size)
                ]
                peers = plan.scheme.cohort_peers(rows)
            values: dict[str, Value] = {}
            for item in plan.inputs:
                values[item.name] = draw(self.value(item, peers, absent=item.absent))
            return Entity(values, peers)

        return draw_entity()

    def cases(self, property_name: str) -> SearchStrategy[Case]:
        from hypothesis import strategies as st

        plan = self.plan
        if property_name != "monotone":
            return self.entities().map(Case)

        @st.composite
        def draw_change(draw: DrawFn) -> Case:
            entity = draw(self.entities())
            name = draw(st.sampled_from(sorted(plan.directed)))
            strategy = self.value(plan.input(name), entity.peers, absent=False)
            return Case(entity, name, draw(strategy), draw(strategy))

        return draw_change()


# ================================================================== checking


@attrs.frozen
class Failure:
    """The smallest counterexample hypothesis found for one property."""

    property: str
    message: str
    node: str | None
    examples: tuple[str, ...]
    trace: str


@attrs.frozen
class DataErrors:
    """Entities one data problem stopped from being scored (not property failures)."""

    line: int | None
    input: str | None
    message: str
    count: int


@attrs.frozen
class PropertyOutcome:
    name: str
    description: str
    status: str  # "ok", "failed" or "skipped"
    tried: int = 0
    data_errors: int = 0
    failure: Failure | None = None
    reason: str = ""


class _Falsified(Exception):
    def __init__(self, failure: Failure) -> None:
        super().__init__(failure.message)
        self.failure = failure


class _Tally:
    """Data errors by rule line and input, counted once per drawn entity."""

    def __init__(self) -> None:
        self.groups: dict[tuple[int | None, str | None], list[Any]] = {}

    def add(self, problems: Sequence[ScoreProblem]) -> None:
        seen: set[tuple[int | None, str | None]] = set()
        for problem in problems:
            key = (problem.line, problem.input)
            if key in seen:
                continue
            seen.add(key)
            group = self.groups.setdefault(key, [problem.message, 0])
            group[1] += 1

    def report(self) -> list[DataErrors]:
        return [
            DataErrors(line, name, message, count)
            for (line, name), (message, count) in sorted(
                self.groups.items(), key=lambda item: (item[0][0] or 0, item[0][1] or "")
            )
        ]


class _Checker:
    """The properties, checked on one drawn case; each returns a Failure or None."""

    def __init__(self, plan: Plan, tally: _Tally) -> None:
        self.plan = plan
        self.scheme = plan.scheme
        self.scorer = plan.scheme.scorer
        self.tally = tally
        self.errors = 0  # cases of the current run that hit a data error

    # ------------------------------------------------------------- scoring

    def full(self, ctx: Context) -> Result | None:
        try:
            return self.scorer.evaluate(ctx)
        except ScoreProblems as exc:
            self.tally.add(exc.problems)
            return None

    def nodes(self, ctx: Context) -> tuple[Result | None, dict[str, NodeResult]]:
        """The whole result if it scores, and every node that scores on its own."""
        result = self.full(ctx)
        if result is not None:
            return result, {node.id: node for node in result.walk()}
        self.errors += 1
        found: dict[str, NodeResult] = {}
        self._try(self.scorer.children, ctx, found)
        return None, found

    def _try(self, nodes: Sequence[Node], ctx: Context, found: dict[str, NodeResult]) -> None:
        for node in nodes:
            try:
                result = node.evaluate(ctx)
            except ScoreProblems:
                self._try(node.children if isinstance(node, Section) else node.parts, ctx, found)
                continue
            found.update((child.id, child) for child in result.walk())

    # ---------------------------------------------------------- rendering

    def example(self, node: Node | None, entity: Entity, score: str) -> str:
        names = self.scheme.inputs.keys() if node is None else node.inputs()
        return example_line(
            {name: entity.values.get(name) for name in names},
            {name: self._shown_peers(name, entity) for name in names if name in entity.peers},
            self.scheme.inputs,
            score,
        )

    def _shown_peers(self, name: str, entity: Entity) -> dict[str, Fraction]:
        wanted = self.plan.peer_stats.get(name, ())
        stats = entity.peers.get(name, {})
        return {stat: stats[stat] for stat in wanted if stat in stats}

    def trace(self, result: NodeResult | Result) -> str:
        text = result.explain() if isinstance(result, Result) else explain_node(result)
        return "\n".join(f"| {line}" for line in text.splitlines())

    def fail(
        self,
        name: str,
        message: str,
        node: Node | None,
        examples: Sequence[str],
        trace: str,
    ) -> _Falsified:
        label = node_label(node) if node is not None else None
        return _Falsified(Failure(name, message, label, tuple(examples), trace))

    # ---------------------------------------------------------- properties

    def bounds(self, case: Case) -> None:
        entity = case.entity
        result, found = self.nodes(self.plan.context(entity))
        for node_id, node_result in found.items():
            node = self.plan.nodes[node_id]
            score = Fraction(node_result.score)
            low, high = node.bounds()
            problem = None
            if not node.minimum <= score <= node.max:
                problem = (
                    f"scores {fmt(score)}, outside [{fmt(node.minimum)}, {fmt(node.max)}] "
                    "(its minimum and max)"
                )
            elif not low <= score <= high:
                problem = (
                    f"scores {fmt(score)}, outside its bounds() {fmt(low)}–{fmt(high)} "
                    "(what its lines and clauses claim they can give)"
                )
            if problem is not None:
                raise self.fail(
                    "bounds",
                    f"{node_label(node)} {problem}",
                    node,
                    [self.example(node, entity, fmt(score))],
                    self.trace(node_result),
                )
        if result is None:
            return
        total = Fraction(result.total)
        low, high = self.scorer.bounds()
        if not (low <= total <= high and total >= 0):
            raise self.fail(
                "bounds",
                f"the total {fmt(total)} is outside the scheme's bounds {fmt(low)}–{fmt(high)}",
                None,
                [self.example(None, entity, _expected(result))],
                self.trace(result),
            )

    def ledger(self, case: Case) -> None:
        entity = case.entity
        result, found = self.nodes(self.plan.context(entity))
        # Deepest first: a wrong node is reported, not every section above it.
        for node_id, node_result in reversed(list(found.items())):
            node = self.plan.nodes[node_id]
            own = sum(
                (Fraction(step.amount) for step in node_result.steps if step.amount),
                Fraction(0),
            )
            below = sum(
                (
                    Fraction(child.max) - Fraction(child.score)
                    for child in node_result.children
                    if child.kind != "bonus"
                ),
                Fraction(0),
            )
            lost = Fraction(node_result.max) - Fraction(node_result.score)
            if own + below != lost:
                raise self.fail(
                    "ledger",
                    f"{node_label(node)} lost {fmt(lost)} (max {fmt(node_result.max)} − score "
                    f"{fmt(node_result.score)}), but its steps add up to {fmt(own)}"
                    + (f" and its children lost {fmt(below)}" if node_result.children else ""),
                    node,
                    [self.example(node, entity, fmt(node_result.score))],
                    self.trace(node_result),
                )
        if result is None:
            return
        ledger = sum((Fraction(entry.amount) for entry in result.lost_points()), Fraction(0))
        lost = Fraction(result.max) - Fraction(result.total)
        if ledger != lost:
            raise self.fail(
                "ledger",
                f"the lost points add up to {fmt(ledger)}, but max − total is "
                f"{fmt(result.max)} − {fmt(result.total)} = {fmt(lost)}",
                None,
                [self.example(None, entity, _expected(result))],
                self.trace(result),
            )

    def vetoes(self, case: Case) -> None:
        entity = case.entity
        ctx = self.plan.context(entity)
        result = self.full(ctx)
        if result is None:
            self.errors += 1
            return
        # Without vetoes and grades: a total the bands leave out is no error here.
        plain = attrs.evolve(self.scorer, vetoes=(), grades=None).evaluate(ctx)
        fired = [veto for veto in self.scorer.vetoes if veto.fires(ctx)]
        total, expected_total = Fraction(result.total), Fraction(plain.total)
        capped = [veto.score for veto in fired if veto.score is not None]
        if capped:
            expected_total = min(expected_total, *capped)
        labels = self.scorer.grades.labels() if self.scorer.grades is not None else ()
        forced = [veto.grade for veto in fired if veto.grade is not None]
        expected_grade: str | None
        if forced:
            expected_grade = max(forced, key=lambda label: _rank(labels, label))
        elif self.scorer.grades is not None:
            expected_grade = self.scorer.grades.grade(expected_total)
        else:
            expected_grade = None
        problems = []
        names = [hit.name for hit in result.vetoes]
        if names != [veto.name for veto in fired]:
            problems.append(
                f"the result lists the vetoes {names}, but {[veto.name for veto in fired]} fired"
            )
        if total != expected_total:
            what = (
                f"the vetoes that fired ({', '.join(veto.name for veto in fired)}) should "
                f"leave {fmt(expected_total)}"
                if fired
                else f"no veto fired, so it should be the total without vetoes, {fmt(plain.total)}"
            )
            problems.append(f"the total is {fmt(total)}; {what}")
        if result.grade != expected_grade:
            problems.append(f"the grade is {result.grade}, not {expected_grade}")
        if problems:
            raise self.fail(
                "vetoes",
                "; ".join(problems),
                None,
                [self.example(None, entity, _expected(result))],
                self.trace(result),
            )

    def monotone(self, case: Case) -> None:
        assert case.input is not None and case.first is not None and case.second is not None
        name, first, second = case.input, case.first, case.second
        if first == second:
            return
        entity = case.entity
        one = Entity({**entity.values, name: first}, entity.peers)
        two = Entity({**entity.values, name: second}, entity.peers)
        ctx_one, ctx_two = self.plan.context(one), self.plan.context(two)
        erred = False
        for directed in self.plan.directed[name]:
            node = directed.node
            outcome = self._pair(node, ctx_one, ctx_two)
            if outcome is None:
                erred = True
                continue
            (score_one, result_one), (score_two, result_two) = outcome
            better_second = (second > first) == (directed.direction == "higher")
            worse, better = ((one, score_one), (two, score_two))
            worse_result, better_result = result_one, result_two
            if not better_second:
                worse, better = better, worse
                worse_result, better_result = better_result, worse_result
            if better[1] >= worse[1]:
                continue
            spec = self.scheme.inputs[name]
            shown_worse = _show(worse[0].values[name], spec)
            shown_better = _show(better[0].values[name], spec)
            what = node_label(node) if node is not None else "the total"
            raise self.fail(
                "monotone",
                f"{what}: {directed.direction} {name} is better ({directed.why}), but "
                f"{name} = {shown_better} scores {fmt(better[1])}, less than "
                f"{fmt(worse[1])} for {name} = {shown_worse}",
                node,
                [
                    self.example(node, worse[0], _score_text(worse_result)),
                    self.example(node, better[0], _score_text(better_result)),
                ],
                f"{name} = {shown_better}:\n{self.trace(better_result)}\n"
                f"{name} = {shown_worse}:\n{self.trace(worse_result)}",
            )
        if erred:
            self.errors += 1

    def _pair(
        self, node: Node | None, one: Context, two: Context
    ) -> tuple[tuple[Fraction, NodeResult | Result], tuple[Fraction, NodeResult | Result]] | None:
        scored: list[tuple[Fraction, NodeResult | Result]] = []
        for ctx in (one, two):
            try:
                if node is None:
                    result = self.scorer.evaluate(ctx)
                    scored.append((Fraction(result.total), result))
                else:
                    node_result = node.evaluate(ctx)
                    scored.append((Fraction(node_result.score), node_result))
            except ScoreProblems as exc:
                self.tally.add(exc.problems)
                return None
        return scored[0], scored[1]


def _rank(labels: Sequence[str], label: str) -> int:
    return labels.index(label) if label in labels else -1


def _expected(result: Result) -> str:
    text = fmt(result.total)
    return f"{text} grade {result.grade}" if result.grade is not None else text


def _score_text(result: NodeResult | Result) -> str:
    return _expected(result) if isinstance(result, Result) else fmt(result.score)


def _show(value: Value, spec: InputSpec) -> str:
    if value is None:
        return "no data"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return fmt(value) + ("%" if spec.type == "percent" else "")


# ==================================================================== report


@attrs.frozen
class VerifyReport:
    """What :func:`verify` found: one outcome per property, and the data errors."""

    scheme: str
    file: str | None
    examples: int
    seed: int | None
    properties: tuple[PropertyOutcome, ...]
    data_errors: tuple[DataErrors, ...]

    @property
    def ok(self) -> bool:
        return all(outcome.status != "failed" for outcome in self.properties)

    @property
    def failures(self) -> tuple[Failure, ...]:
        return tuple(outcome.failure for outcome in self.properties if outcome.failure is not None)

    def render(self) -> str:
        where = self.file or self.scheme
        seed = f", seed {self.seed}" if self.seed is not None else ""
        lines = [f"verify {where}: up to {self.examples} entities per property{seed}"]
        width = max(len(name) for name in PROPERTIES)
        for outcome in self.properties:
            if outcome.status == "skipped":
                lines.append(f"  {outcome.name:<{width}}  skipped: {outcome.reason}")
                continue
            status = "ok" if outcome.status == "ok" else "FAILED"
            errors = f"; {outcome.data_errors} could not be scored" if outcome.data_errors else ""
            lines.append(
                f"  {outcome.name:<{width}}  {status:<6}  {outcome.description} "
                f"({outcome.tried} entities{errors})"
            )
        for failure in self.failures:
            lines.append("")
            lines.append(f"property {failure.property} failed: {failure.message}")
            lines.append("  smallest counterexample (as example lines of that node):")
            lines.extend(f"    {example}" for example in failure.examples)
            lines.append("  trace:")
            lines.extend(f"    {line}" for line in failure.trace.splitlines())
        if self.data_errors:
            lines.append("")
            lines.append(
                "data errors (not property failures; `qualitykpi check` reports the gaps):"
            )
            for group in self.data_errors:
                place = f"line {group.line}: " if group.line else ""
                lines.append(
                    f"  {place}{group.message} (and the like: "
                    f"{group.count} {'time' if group.count == 1 else 'times'})"
                )
        lines.append("")
        failed = len(self.failures)
        lines.append(
            "passed"
            if not failed
            else f"{failed} {'property' if failed == 1 else 'properties'} failed"
        )
        return "\n".join(lines)


def _import_hypothesis() -> Any:
    try:
        import hypothesis
    except ImportError:
        raise MissingHypothesis() from None
    return hypothesis


def verify(
    scheme: Scheme,
    *,
    examples: int = 100,
    seed: int | None = None,
    properties: Sequence[str] = PROPERTIES,
) -> VerifyReport:
    """Property-test ``scheme`` with hypothesis; see the module docstring.

    ``examples`` is the number of entities drawn per property; with
    ``seed`` the run is repeatable.  Raises :class:`MissingHypothesis` when
    hypothesis is not installed.
    """
    hypothesis = _import_hypothesis()
    unknown = [name for name in properties if name not in PROPERTIES]
    if unknown:
        raise ValueError(f"unknown properties {unknown}; choose from {list(PROPERTIES)}")
    plan = Plan.of(scheme)
    strategies = _Strategies(plan)
    tally = _Tally()
    with _scratch_home():
        outcomes = [
            _run(hypothesis, plan, strategies, tally, name, examples, seed) for name in properties
        ]
    return VerifyReport(
        scheme.name,
        scheme.source.name if scheme.source is not None else None,
        examples,
        seed,
        tuple(outcomes),
        tuple(tally.report()),
    )


@contextmanager
def _scratch_home() -> Iterator[None]:
    """Keep hypothesis's files (a cache of constants) out of the working directory.

    Without a database nothing else is written, but hypothesis caches what it
    reads from source files under ``.hypothesis/`` of the current directory;
    a temporary home, removed afterwards, takes it instead.  An explicit
    ``HYPOTHESIS_STORAGE_DIRECTORY`` is respected.
    """
    if os.environ.get("HYPOTHESIS_STORAGE_DIRECTORY"):
        yield
        return
    from hypothesis import configuration

    previous = vars(configuration).get("__hypothesis_home_directory")
    with tempfile.TemporaryDirectory(prefix="qualitykpi-verify-") as home:
        configuration.set_hypothesis_home_dir(home)
        try:
            yield
        finally:
            configuration.set_hypothesis_home_dir(previous)


def _skip_reason(plan: Plan, name: str) -> str | None:
    if name == "monotone" and not plan.directed:
        return "no node declares or implies a direction in a numeric input"
    if name == "vetoes" and not plan.scheme.scorer.vetoes:
        return "the scheme has no veto"
    return None


def _run(
    hypothesis: Any,
    plan: Plan,
    strategies: _Strategies,
    tally: _Tally,
    name: str,
    examples: int,
    seed: int | None,
) -> PropertyOutcome:
    description = _DESCRIPTIONS[name]
    reason = _skip_reason(plan, name)
    if reason is not None:
        return PropertyOutcome(name, description, "skipped", reason=reason)
    checker = _Checker(plan, tally)
    check: Callable[[Case], None] = getattr(checker, name)
    calls = 0

    def test(case: Case) -> None:
        nonlocal calls
        calls += 1
        check(case)

    config = hypothesis.settings(
        database=None,
        max_examples=examples,
        deadline=None,
        derandomize=seed is not None,
        suppress_health_check=list(hypothesis.HealthCheck),
        verbosity=hypothesis.Verbosity.quiet,
        report_multiple_bugs=False,
        print_blob=False,
    )
    runner = config(hypothesis.given(strategies.cases(name))(test))
    if seed is not None:
        runner = hypothesis.seed(seed)(runner)
    try:
        runner()
    except _Falsified as falsified:
        return PropertyOutcome(
            name, description, "failed", calls, checker.errors, falsified.failure
        )
    return PropertyOutcome(name, description, "ok", calls, checker.errors)
