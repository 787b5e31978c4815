"""What :func:`~qualitykpi.verify.verify` draws for one scheme, worked out once.

:class:`Plan` holds each input's domain, grid and the values near the rule's
thresholds (:class:`InputPlan`), the peer statistics the rule compares
with, and the nodes directed in each input (:class:`Directed`), deepest
first.  :class:`Entity` is one drawn entity.  Nothing here needs hypothesis.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from fractions import Fraction
from typing import TYPE_CHECKING

import attrs

from ..domains import Domain
from ..i18n import _
from ..nodes.conditions import Env, PeerRelative, ScoreProblem
from ..nodes.derived import NO_COHORT, Cohort
from ..nodes.evaluation import Context
from ..nodes.scheme_scorer import SchemeScorer
from ..nodes.scorers import Direction
from ..nodes.tree import Item, Section
from ..values import InputSpec, Value

if TYPE_CHECKING:
    from ..scheme import Scheme

Node = Section | Item


@attrs.frozen
class InputPlan:
    """How one input's values are drawn: its domain, grid and the values near its edges."""

    spec: InputSpec
    low: Fraction
    high: Fraction
    step: Fraction
    edges: tuple[Fraction, ...] = ()
    absent: bool = False
    #: ``K% of peer STAT`` comparisons of this input.
    peer_marks: tuple[PeerRelative, ...] = ()
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
    #: ``assessed deduction A–B for each NAME``: each such column and its NAME.
    per_event: Mapping[str, str] = attrs.field(factory=dict)

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
            name: tuple(dict.fromkeys(mark.stat for mark in peers.get(name, ())))
            for name in peer_inputs
        }
        numeric = [
            plan.name
            for plan in plans
            if not plan.flag and plan.spec.type != "level" and plan.name not in assessed
        ]
        directed = {name: found for name in numeric if (found := _directed(scorer, name))}
        nodes = {node.id: node for node in scorer.walk()}
        per_event = {
            item.id: item.per_event.events
            for item in assessed.values()
            if item.per_event is not None
        }
        return cls(scheme, tuple(plans), peer_inputs, stats, directed, nodes, per_event)

    def input(self, name: str) -> InputPlan:
        for plan in self.inputs:
            if plan.name == name:
                return plan
        raise KeyError(name)

    def context(self, entity: Entity) -> Context:
        # The scheme's own context: values computed from values included.
        cohort = entity.cohort or NO_COHORT
        derivation = self.scheme._derivation
        if derivation is not None and "total" in derivation.ranked:
            # Grades by the rank of the total need the cohort's totals, which a
            # drawn entity alone has not: it is taken as ranked first of one.
            cohort = attrs.evolve(cohort, ranks={**cohort.ranks, "total": (1, 1)})
        return self.scheme._context(
            None,
            entity.values,  # type: ignore[arg-type]
            entity.peers,
            cohort,
        )


@attrs.frozen
class Entity:
    """One generated entity: its values and the peer statistics of its cohort."""

    values: Mapping[str, Value]
    peers: Mapping[str, Mapping[str, Fraction]]
    #: The cohort drawn beside it, for the ranks and statistics expressions read.
    cohort: Cohort | None = None


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
    peer_marks: tuple[PeerRelative, ...],
) -> InputPlan:
    if spec.type == "yes/no":
        return InputPlan(spec, Fraction(0), Fraction(1), Fraction(1), absent=absent)
    if spec.type == "level":
        # Each level, as its index: every one of them is drawn.
        top = Fraction(len(spec.levels) - 1)
        return InputPlan(spec, Fraction(0), top, Fraction(1), absent=absent)
    judgement = assessed.judgement() if assessed is not None else None
    if judgement is not None:
        # Per event, the rate is drawn here and multiplied by the entity's
        # count of events when the entity is drawn (Plan.per_event).
        low, high = judgement.low, judgement.high
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
    # Values are drawn from the input's domain (`number at least 0` narrows it).
    domain = Domain.of(spec)
    if domain.low is not None and low < domain.low:
        low = _snap_up(domain.low, step)
    if domain.high is not None and high > domain.high:
        high = _snap_down(domain.high, step)
    high = max(high, low)
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
                    line.marks(node.targets.get(line.subject))
                )
        for clause in node.clauses:
            marks.setdefault(clause.input, []).extend(clause.marks())
    for veto in scorer.vetoes:
        marks.setdefault(veto.input, []).extend(veto.marks())
    return marks


def _peer_marks(scorer: SchemeScorer) -> dict[str, list[PeerRelative]]:
    """Every ``K% of peer STAT`` an input is compared with (and ``scaled to peer max``)."""
    found: dict[str, list[PeerRelative]] = {}
    for node in scorer.walk():
        if not isinstance(node, Item):
            continue
        for line in node.table.lines if node.table is not None else ():
            found.setdefault(line.subject, []).extend(line.comparisons())
        for clause in node.clauses:
            found.setdefault(clause.input, []).extend(clause.comparisons())
    for veto in scorer.vetoes:
        found.setdefault(veto.input, []).extend(veto.comparisons())
    return {name: comparisons for name, comparisons in found.items() if comparisons}


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
            covered = {line.subject for line in node.table.lines if line.takes_absent}
            takes.update(covered)
            needs.update(subject for subject in subjects if subject not in covered)
        needs.update(clause.input for clause in node.clauses if not clause.takes_absent)
    needs.update(veto.input for veto in scorer.vetoes if not veto.takes_absent)
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
        return _("declared: better {direction}").format(direction=direction)
    if isinstance(node, Item) and node.table is not None and not node.parts:
        implied, shown_by = node.table.direction_evidence(name, node.max, node.targets.get(name))
        numbers = [number for number in dict.fromkeys(shown_by) if number]
        if implied == direction and len(numbers) == 1:
            return _("implied by line {line}").format(line=numbers[0])
        if implied == direction and numbers:
            return _("implied by the scores of lines {first} and {second}").format(
                first=numbers[0], second=numbers[1]
            )
        if implied == direction:
            return _("implied by its lines")
    if isinstance(node, Item) and not node.parts:
        return _("implied by its clauses")
    return _("implied by everything under it")


def _depths(nodes: Sequence[Node], depth: int = 0) -> Iterator[tuple[int, Node]]:
    for node in nodes:
        yield depth, node
        yield from _depths(node.children if isinstance(node, Section) else node.parts, depth + 1)


def _directed(scorer: SchemeScorer, name: str) -> tuple[Directed, ...]:
    """The nodes directed in ``name``, deepest first (a failure is reported where it starts)."""
    found: list[Directed] = []
    ordered = sorted(_depths(scorer.children), key=lambda pair: -pair[0])
    for _depth, node in ordered:
        direction = _direction(node, name)
        if direction in ("higher", "lower"):
            assert direction is not None
            found.append(Directed(node, direction, _why(node, name, direction)))
    score_veto = any(veto.input == name and veto.score is not None for veto in scorer.vetoes)
    tops = [*scorer.scored(), *scorer.bonuses()]
    total = _combine(_direction(top, name) for top in tops)
    if total in ("higher", "lower") and not score_veto:
        assert total is not None
        found.append(Directed(None, total, _("implied by every node that reads it")))
    return tuple(found)
