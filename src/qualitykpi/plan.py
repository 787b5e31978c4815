"""The compiled plan: a scheme as closures over exact decimals, for scoring fast.

The scorer tree (:mod:`qualitykpi.nodes.tree`, :mod:`qualitykpi.nodes.scheme_scorer`)
evaluates with a full trace: every step, every line tried, in ``Fraction``.
That is the reference, and what ``explain()`` shows.  Scoring a cohort needs
only the numbers, so :func:`compile_plan` turns the tree, for one cohort's
peer statistics, into closures that evaluate on ``Decimal`` with every
constant converted once and nothing formatted (see :mod:`qualitykpi.fast`
for why they are exact).  Each line, clause and condition compiles itself
(their ``fast`` methods); this module only assembles the tree's sums and
clamps, in the order the traced evaluator applies them.

Whatever the plan cannot do fast it leaves to the reference: an item with a
host's scorer is evaluated traced, always; an entity with an absent value
that no line takes, a data problem or a share of 1/3 leaves the fast path
and is evaluated traced, which also reports its problems.  The trace of an
entity scored fast is computed when first asked for (:class:`Tracer`) and
must give the same numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import assert_never

import attrs

from .fast import (
    HALF_UP,
    ZERO,
    Decline,
    FastValue,
    FastValues,
    Slow,
    add,
    const,
    const_or_none,
    subtract,
)
from .nodes.conditions import Stats
from .nodes.evaluation import Context
from .nodes.scheme_scorer import SchemeScorer
from .nodes.tree import Item, Section, deducts
from .results import NodeResult, Result, VetoHit
from .values import InputSpec, normalize, shown_stats

#: How many distinct scores a plan shares between its results.
SCORES_SHARED = 100_000

#: A veto compiled: its test, its input, the score it caps the total at, the grade
#: it forces.
FastVeto = tuple[Callable[[FastValue], bool], str, Decimal | None, str | None]

#: A compiled node: scores one entity, writing its own and its children's
#: scores into their slots, and returns its own.
Node = Callable[[FastValues, list[Decimal]], Decimal]


@attrs.frozen
class Shape:
    """What a node's result says besides its score, known before any entity is scored."""

    id: str
    name: str
    kind: str
    max: Decimal
    minimum: Decimal | None
    owners: tuple[str, ...]
    supporters: tuple[str, ...]
    text: str | None
    line: int | None
    children: tuple[int, ...]
    capped: bool = True


class Tracer:
    """The traced evaluation of one entity, run once, when first asked for."""

    __slots__ = ("_fast", "_nodes", "_result", "_run")

    def __init__(self, run: Callable[[], Result], fast: tuple[Decimal, str | None]) -> None:
        self._run = run
        self._fast = fast
        self._result: Result | None = None
        self._nodes: list[NodeResult] = []

    def __call__(self) -> Result:
        if self._result is None:
            result = self._run()
            if (result.total, result.grade) != self._fast:
                # Never expected: the plan and the reference disagree.  Better
                # a loud stop than a trace that does not add up to the score.
                raise AssertionError(
                    f"the traced evaluation of {result.entity!r} gives {result.total} "
                    f"{result.grade}, the compiled plan {self._fast}"
                )
            self._result = result
            self._nodes = list(result.walk())
        return self._result

    def node(self, slot: int) -> NodeResult:
        self()
        return self._nodes[slot]


@attrs.frozen
class Plan:
    """A scheme compiled for one cohort's peer statistics."""

    scorer: SchemeScorer
    run: Callable[[FastValues, list[Decimal]], tuple[Decimal, str | None, tuple[int, ...]]]
    shapes: tuple[Shape, ...]
    tops: tuple[int, ...]
    max: Decimal
    hits: tuple[VetoHit, ...]
    peers: Mapping[str, Mapping[str, str]]
    #: Each item without parts: its slot, the item, its compiled node, which
    #: writes its score (a traced one, its own subtree's) into the slots, and
    #: its traced node, which also reads exact values (a computed 4/7).
    leaves: tuple[tuple[int, Item, Node, Node], ...] = ()
    #: Each veto compiled: its test, its input, the score it caps the total at, the
    #: grade it forces.
    vetoes: tuple[FastVeto, ...] = ()
    #: Each grade band compiled: its label and its test of the total.
    bands: tuple[tuple[str, Callable[[FastValue], bool]], ...] = ()
    #: One object per distinct score: a cohort's scores take few values, and a
    #: result keeps its nodes' scores.
    _seen: dict[Decimal, Decimal] = attrs.field(factory=dict, init=False, eq=False, repr=False)

    def score(
        self,
        entity: str | None,
        values: FastValues,
        trace: Callable[[], Result],
        file: str | None,
    ) -> Result:
        """One entity's result; raises :class:`Slow` (or a decimal trap) to leave the
        fast path."""
        scores = [ZERO] * len(self.shapes)
        total, grade, fired = self.run(values, scores)
        # Each distinct score once, written as a result shows it.
        seen = self._seen
        if len(seen) < SCORES_SHARED:
            for slot, score in enumerate(scores):
                shown = seen.get(score)
                if shown is None:
                    shown = seen[score] = normalize(score)
                scores[slot] = shown
        else:
            scores = [normalize(score) for score in scores]
        return self.result(entity, normalize(total), grade, fired, lambda: scores, trace, file)

    def result(
        self,
        entity: str | None,
        total: Decimal,
        grade: str | None,
        fired: Sequence[int],
        scores: Callable[[], list[Decimal]],
        trace: Callable[[], Result],
        file: str | None,
    ) -> Result:
        """The result of an entity whose numbers are worked out (here, or a column at a
        time by :mod:`qualitykpi.columnar`): ``total`` as shown, ``scores`` each node's
        as shown, worked out when first read; the trace is run when first asked for."""
        tracer = Tracer(trace, (total, grade))
        return Result(
            entity=entity,
            scheme=self.scorer.name,
            total=total,
            max=self.max,
            grade=grade,
            vetoes=tuple(self.hits[index] for index in fired),
            file=file,
            peers=self.peers,
            layout=lambda: self.nodes(scores(), tracer),
            tracer=tracer,
            score_map=lambda: self.scores(scores()),
        )

    def scores(self, scores: Sequence[Decimal]) -> dict[str, Decimal]:
        return {shape.id: score for shape, score in zip(self.shapes, scores, strict=True)}

    def nodes(self, scores: Sequence[Decimal], tracer: Tracer) -> tuple[NodeResult, ...]:
        """The result tree of an entity scored fast; each node's steps come from its trace."""
        shapes = self.shapes

        def build(slot: int) -> NodeResult:
            shape = shapes[slot]
            return NodeResult(
                id=shape.id,
                name=shape.name,
                kind=shape.kind,
                score=scores[slot],
                max=shape.max,
                minimum=shape.minimum,
                owners=shape.owners,
                children=tuple(build(child) for child in shape.children),
                steps=None,
                inputs=None,
                text=shape.text,
                line=shape.line,
                supporters=shape.supporters,
                trace=lambda: tracer.node(slot),
                capped=shape.capped,
            )

        return tuple(build(slot) for slot in self.tops)


def compile_plan(
    scorer: SchemeScorer,
    specs: Mapping[str, InputSpec],
    peers: Mapping[str, Stats],
    *,
    context: Callable[[FastValues], Context] | None = None,
) -> Plan:
    """The scheme's plan for a cohort with these peer statistics.

    A scheme that computes values from values gives ``context``, which makes
    an entity's context from its values (the computed ones among them): an
    item that reads a computed value is evaluated traced, in that context.
    """
    return _Compiler(scorer, specs, peers, context).plan()


class _Compiler:
    def __init__(
        self,
        scorer: SchemeScorer,
        specs: Mapping[str, InputSpec],
        peers: Mapping[str, Stats],
        context: Callable[[FastValues], Context] | None = None,
    ) -> None:
        self.scorer = scorer
        self.specs = specs
        self.peers = peers
        self.context = context
        self.yes_no: Collection[str] = {
            name for name, spec in specs.items() if spec.type == "yes/no"
        }
        self.shapes: list[Shape] = []
        self.leaves: list[tuple[int, Item, Node, Node]] = []

    def plan(self) -> Plan:
        scorer = self.scorer
        tops = [self.node(child) for child in scorer.children]
        top_slots = tuple(slot for slot, _ in tops)
        # A bonus at the top is scored but adds through the bonus sum below.
        everyone = [
            (run, child.kind != "bonus")
            for (_, run), child in zip(tops, scorer.children, strict=True)
        ]
        bonuses = [slot for slot, shape in enumerate(self.shapes) if shape.kind == "bonus"]
        vetoes: list[FastVeto] = [
            (
                veto.fast_test(None, self.peers.get(veto.input, {}), veto.input in self.yes_no),
                veto.input,
                const_or_none(veto.score),
                veto.grade,
            )
            for veto in scorer.vetoes
        ]
        cap = const_or_none(scorer.total)
        plus_bonus = scorer.plus_bonus
        places = None if scorer.total_places is None else Decimal(1).scaleb(-scorer.total_places)
        grades = scorer.grades
        labels = grades.labels() if grades is not None else ()
        bands = (
            [(label, condition.fast_test(None, {})) for label, condition in grades.bands]
            if grades is not None
            else []
        )

        def run(
            values: FastValues, out: list[Decimal]
        ) -> tuple[Decimal, str | None, tuple[int, ...]]:
            top = ZERO
            for child, counts in everyone:
                score = child(values, out)
                if counts:
                    top = add(top, score)
            bonus = ZERO
            for slot in bonuses:
                bonus = add(bonus, out[slot])
            total = add(top, bonus)
            if cap is not None:
                if plus_bonus and top > cap:
                    total = add(cap, bonus)
                elif not plus_bonus and total > cap:
                    total = cap
            if total < 0:
                total = ZERO
            if places is not None:
                total = total.quantize(places, context=HALF_UP)
            fired: list[int] = []
            for index, (test, name, sets, _) in enumerate(vetoes):
                if test(values.get(name)):
                    fired.append(index)
                    if sets is not None and total > sets:
                        total = sets
            if not bands:
                return total, None, tuple(fired)
            earned = next((label for label, holds in bands if holds(total)), None)
            if not fired and earned is not None:
                return total, earned, ()
            forced = [vetoes[index][3] for index in fired]
            worst = max(
                (grade for grade in forced if grade is not None and grade in labels),
                key=labels.index,
                default=None,
            )
            if earned is None:
                if worst is None or worst != labels[-1]:
                    raise Slow  # no band holds: the traced evaluator names it
                return total, worst, tuple(fired)
            if worst is not None:
                earned = max(earned, worst, key=labels.index)
            return total, earned, tuple(fired)

        return Plan(
            scorer,
            run,
            tuple(self.shapes),
            top_slots,
            const(scorer.max),
            tuple(
                VetoHit(veto.name, veto.effect(), veto.line, veto.owners) for veto in scorer.vetoes
            ),
            shown_stats(self.peers),
            tuple(self.leaves),
            tuple(vetoes),
            tuple(bands),
        )

    def node(self, node: Section | Item) -> tuple[int, Node]:
        """Compile ``node`` into its slot (pre-order, as the result tree walks)."""
        slot = len(self.shapes)
        self.shapes.append(_shape(node, ()))
        match node:
            case Section():
                children = [self.node(child) for child in node.children]
                run = self.section(node, slot, children)
            case Item():
                children = [self.node(part) for part in node.parts]
                run = self.item(node, slot, children)
                if not children:
                    self.leaves.append((slot, node, run, self.traced(node, slot)))
                bonuses = [self.node(bonus) for bonus in node.bonuses]
                if bonuses:
                    run = _with_bonuses(run, [bonus for _, bonus in bonuses])
                    children = [*children, *bonuses]
            case _:
                assert_never(node)
        self.shapes[slot] = _shape(node, tuple(child for child, _ in children))
        return slot, run

    def section(self, section: Section, slot: int, children: list[tuple[int, Node]]) -> Node:
        low, high = const_or_none(section.minimum), const(section.max)
        kinds = section.children
        # Each scored child, and whether it only deducts (see tree.deducts).
        scored = [
            (run, deducts(child))
            for (_, run), child in zip(children, kinds, strict=True)
            if child.kind != "bonus"
        ]
        others = [
            run for (_, run), child in zip(children, kinds, strict=True) if child.kind == "bonus"
        ]
        cap = const_or_none(section.deductions_cap)
        floor = None if cap is None else cap.copy_negate()

        def run(values: FastValues, out: list[Decimal]) -> Decimal:
            raw = ZERO
            deductions = ZERO
            for child, deducting in scored:
                score = child(values, out)
                raw = add(raw, score)
                if deducting:
                    deductions = add(deductions, score)
            for child in others:
                child(values, out)
            if floor is not None and deductions < floor:
                raw = add(raw, subtract(floor, deductions))
            score = _clamp(raw, low, high)
            out[slot] = score
            return score

        return run

    def item(self, item: Item, slot: int, children: list[tuple[int, Node]]) -> Node:
        low, high = const_or_none(item.minimum), const_or_none(item.ceiling)
        if children:
            parts = [run for _, run in children]

            def summed(values: FastValues, out: list[Decimal]) -> Decimal:
                raw = ZERO
                for part in parts:
                    raw = add(raw, part(values, out))
                score = _clamp(raw, low, high)
                out[slot] = score
                return score

            return summed
        traced = self.traced(item, slot)
        if self.computes(item):
            return traced  # its lines work out expressions of their own
        try:
            fast = self.rules(item, low, high)
        except Decline:
            return traced

        def leaf(values: FastValues, out: list[Decimal]) -> Decimal:
            try:
                raw = fast(values)
            except (Slow, ArithmeticError):
                return traced(values, out)
            score = _clamp(raw, low, high)
            out[slot] = score
            return score

        return leaf

    def rules(
        self, item: Item, low: Decimal | None, high: Decimal | None
    ) -> Callable[[FastValues], Decimal]:
        """The item's raw score before its clamp, as :meth:`Item.evaluate` works it out."""
        if item.target_inputs:
            raise Decline("a target that differs entity by entity")
        if item.per_event is not None:
            return item.per_event.fast(item.id, const(item.max))
        if item.assessed:
            return _assessed(item, low, high)
        computed = self.computed(item, low, high)
        if item.adjustment is None:
            return computed
        adjustment = item.adjustment.fast(item.id)
        return lambda values: add(computed(values), adjustment(values))

    def computed(
        self, item: Item, low: Decimal | None, high: Decimal | None
    ) -> Callable[[FastValues], Decimal]:
        """The raw score of the item's rule lines and clauses."""
        if item.kind == "task":
            return lambda values: ZERO
        targets = item.targets
        clauses = [
            clause.fast(targets.get(clause.input), self.peers.get(clause.input, {}), self.yes_no)
            for clause in item.clauses
        ]
        if item.table is not None:
            table = item.table.fast(item.max, targets, self.peers, self.yes_no)
            if not clauses:
                return table

            def table_then_clauses(values: FastValues) -> Decimal:
                raw = table(values)
                # Clamped before the clauses adjust it (see Item._rules).
                raw = _clamp(raw, low, high)
                for clause in clauses:
                    raw = add(raw, clause(values))
                return raw

            return table_then_clauses
        start = const(item._start())

        def from_start(values: FastValues) -> Decimal:
            raw = start
            for clause in clauses:
                raw = add(raw, clause(values))
            return raw

        return from_start

    def computes(self, item: Item) -> bool:
        """Whether the item's lines compare with or score by an expression: evaluated
        traced (a computed value its lines test is among the values, as a decimal)."""
        return item.table is not None and any(line.expressions() for line in item.table.lines)

    def traced(self, item: Item, slot: int) -> Node:
        """The item evaluated by the reference: for what has no fast form."""
        peers, specs, context = self.peers, self.specs, self.context

        def run(values: FastValues, out: list[Decimal]) -> Decimal:
            ctx = context(values) if context is not None else Context(None, values, peers, specs)
            result = item.evaluate(ctx)
            for offset, node in enumerate(result.walk()):
                out[slot + offset] = node.score
            return result.score

        return run


def _with_bonuses(run: Node, bonuses: list[Node]) -> Node:
    """An item and its own bonuses: scored together, the bonuses apart from the item."""

    def together(values: FastValues, out: list[Decimal]) -> Decimal:
        score = run(values, out)
        for bonus in bonuses:
            bonus(values, out)
        return score

    return together


def _clamp(raw: Decimal, low: Decimal | None, high: Decimal | None) -> Decimal:
    """``raw`` within ``[low, high]``; None: no bound on that side."""
    if high is not None and raw > high:
        return high
    if low is not None and raw < low:
        return low
    return raw


def _assessed(
    item: Item, low: Decimal | None, high: Decimal | None
) -> Callable[[FastValues], Decimal]:
    cap = const_or_none(item.assessed_cap)
    name = item.id
    # A plain assessed score: within [minimum, max], both bounded (an uncapped
    # deduction-only item is judged per event, or not at all).
    low = ZERO if low is None else low
    high = const(item.max)

    def assessed(values: FastValues) -> Decimal:
        value = values.get(name)
        if not isinstance(value, Decimal):
            raise Slow
        if cap is not None:
            if not ZERO <= value <= cap:
                raise Slow
            return subtract(high, value)
        if not low <= value <= high:
            raise Slow
        return value

    return assessed


def _shape(node: Section | Item, children: tuple[int, ...]) -> Shape:
    return Shape(
        node.id,
        node.name,
        node.kind,
        const(node.max),
        const_or_none(node.minimum),
        node.owners,
        node.supporters,
        node.text or None,
        node.line,
        children,
        not isinstance(node, Item) or node.ceiling is not None,
    )


#: A cohort's statistics as a key: by input, by statistic.
StatsKey = tuple[tuple[str, tuple[tuple[str, Fraction], ...]], ...]


def stats_key(peers: Mapping[str, Stats]) -> StatsKey:
    """A hashable key for a cohort's statistics, to keep its plan."""
    return tuple((name, tuple(sorted(stats.items()))) for name, stats in sorted(peers.items()))
