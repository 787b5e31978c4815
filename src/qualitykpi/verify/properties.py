"""The properties :func:`~qualitykpi.verify.verify` checks, on one drawn case each.

:class:`Checker` has one method per property (``bounds``, ``monotone``,
``vetoes``, ``ledger``); a broken one raises :class:`Falsified` with the
:class:`Failure`, its entity rendered as ``example`` lines.  Entities that
cannot be scored are counted by :class:`Tally` as :class:`DataErrors`.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import attrs

from ..coverage.cases import example_line, node_label
from ..explain import explain_node
from ..i18n import _
from ..nodes.conditions import ScoreProblem
from ..nodes.evaluation import Context, ScoreProblems
from ..nodes.tree import Item
from ..results import NodeResult, Result
from ..values import InputSpec, Value, fmt
from .plan import Entity, Node, Plan
from .strategies import Case


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


class Falsified(Exception):
    def __init__(self, failure: Failure) -> None:
        super().__init__(failure.message)
        self.failure = failure


class Tally:
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


class Checker:
    """The properties, checked on one drawn case; each returns a Failure or None."""

    def __init__(self, plan: Plan, tally: Tally) -> None:
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
                self._try(node.children, ctx, found)
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
    ) -> Falsified:
        label = node_label(node) if node is not None else None
        return Falsified(Failure(name, message, label, tuple(examples), trace))

    # ---------------------------------------------------------- properties

    def bounds(self, case: Case) -> None:
        entity = case.entity
        result, found = self.nodes(self.plan.context(entity))
        for node_id, node_result in found.items():
            node = self.plan.nodes[node_id]
            score = Fraction(node_result.score)
            low, high = node.bounds()
            ceiling = node.ceiling if isinstance(node, Item) else node.max
            problem = None
            if not _within(score, node.minimum, ceiling):
                problem = _(
                    "{node} scores {score}, outside [{low}, {high}] (its minimum and max)"
                ).format(
                    node=node_label(node),
                    score=fmt(score),
                    low=_end(node.minimum),
                    high=_end(ceiling),
                )
            elif not _within(score, low, high):
                problem = _(
                    "{node} scores {score}, outside its bounds() {low}–{high} "
                    "(what its lines and clauses claim they can give)"
                ).format(node=node_label(node), score=fmt(score), low=_end(low), high=_end(high))
            if problem is not None:
                raise self.fail(
                    "bounds",
                    problem,
                    node,
                    [self.example(node, entity, fmt(score))],
                    self.trace(node_result),
                )
        if result is None:
            return
        total = Fraction(result.total)
        low, high = self.scorer.bounds()
        if not (_within(total, low, high) and total >= 0):
            raise self.fail(
                "bounds",
                _("the total {total} is outside the scheme's bounds {low}–{high}").format(
                    total=fmt(total), low=fmt(low), high=_end(high)
                ),
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
                    (
                        _(
                            "{node} lost {lost} (max {max} − score {score}), but its steps add "
                            "up to {own} and its children lost {below}"
                        )
                        if node_result.children
                        else _(
                            "{node} lost {lost} (max {max} − score {score}), but its steps add "
                            "up to {own}"
                        )
                    ).format(
                        node=node_label(node),
                        lost=fmt(lost),
                        max=fmt(node_result.max),
                        score=fmt(node_result.score),
                        own=fmt(own),
                        below=fmt(below),
                    ),
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
                _(
                    "the lost points add up to {ledger}, but max − total is "
                    "{max} − {total} = {lost}"
                ).format(
                    ledger=fmt(ledger), max=fmt(result.max), total=fmt(result.total), lost=fmt(lost)
                ),
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
        # A veto only ever makes the grade worse than the total earns.
        earned = self.scorer.earned(expected_total, ctx, plain.nodes)
        grades = [*forced, *([earned] if earned is not None else [])]
        expected_grade = max(grades, key=lambda label: _rank(labels, label)) if grades else None
        problems = []
        names = [hit.name for hit in result.vetoes]
        if names != [veto.name for veto in fired]:
            problems.append(
                _("the result lists the vetoes {listed}, but {fired} fired").format(
                    listed=names, fired=[veto.name for veto in fired]
                )
            )
        if total != expected_total:
            if fired:
                problems.append(
                    _(
                        "the total is {total}; the vetoes that fired ({vetoes}) should leave "
                        "{expected}"
                    ).format(
                        total=fmt(total),
                        vetoes=", ".join(veto.name for veto in fired),
                        expected=fmt(expected_total),
                    )
                )
            else:
                problems.append(
                    _(
                        "the total is {total}; no veto fired, so it should be the total without "
                        "vetoes, {expected}"
                    ).format(total=fmt(total), expected=fmt(plain.total))
                )
        if result.grade != expected_grade:
            problems.append(
                _("the grade is {grade}, not {expected}").format(
                    grade=result.grade, expected=expected_grade
                )
            )
        if problems:
            raise self.fail(
                "vetoes",
                # Translators: between the problems one counterexample shows.
                _("; ").join(problems),
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
            what = node_label(node) if node is not None else _("the total")
            message = (
                _(
                    "{node}: lower {name} is better ({why}), but {name} = {better} scores "
                    "{better_score}, less than {worse_score} for {name} = {worse}"
                )
                if directed.direction == "lower"
                else _(
                    "{node}: higher {name} is better ({why}), but {name} = {better} scores "
                    "{better_score}, less than {worse_score} for {name} = {worse}"
                )
            )
            raise self.fail(
                "monotone",
                message.format(
                    node=what,
                    name=name,
                    why=directed.why,
                    better=shown_better,
                    better_score=fmt(better[1]),
                    worse_score=fmt(worse[1]),
                    worse=shown_worse,
                ),
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
    return spec.show(value)


def _within(value: Fraction, low: Fraction | None, high: Fraction | None) -> bool:
    """``low ≤ value ≤ high``, a None bound holding for every value."""
    return (low is None or low <= value) and (high is None or value <= high)


def _end(value: Fraction | None) -> str:
    return _("unbounded") if value is None else fmt(value)
