"""Working out a scheme's computed values, for one entity or a whole cohort.

A scheme whose rules compute (``let``, computed subjects, peer statistics
and ranks inside expressions, ``combine``, grades on more than the total)
is scored by the traced evaluator, with each entity's
:class:`~qualitykpi.nodes.evaluation.Context` holding its computed values
and the scope its expressions read.  :class:`Derivation` makes that
context.  For a cohort, values that read the cohort (``peer mean of lead``
where ``lead`` is itself computed) are worked out in rounds: every entity's
values of one round, then the cohort's statistics and ranks of them, then
the next round (:meth:`Derivation.cohort_values`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from fractions import Fraction
from typing import Literal

import attrs

from .nodes import derived
from .nodes.arithmetic import Absolute, Arithmetic, Extreme, Rounded
from .nodes.conditions import ScoreProblem
from .nodes.evaluation import Context, exact_values
from .nodes.expressions import Expression, RankOf
from .nodes.scheme_scorer import SchemeScorer
from .nodes.tree import Item, Section
from .values import InputSpec, Value, counted_statistics


def subexpressions(expression: Expression) -> Iterator[Expression]:
    """``expression`` and every expression inside it."""
    yield expression
    match expression:
        case Arithmetic(left=left, right=right):
            yield from subexpressions(left)
            yield from subexpressions(right)
        case Extreme(args=args):
            for arg in args:
                yield from subexpressions(arg)
        case Absolute(arg=arg) | Rounded(arg=arg):
            yield from subexpressions(arg)
        case _:
            pass


def computes(scorer: SchemeScorer) -> bool:
    """Whether the scheme computes values from values (and is scored traced)."""
    if scorer.lets or (scorer.grades is not None and scorer.grades.tested()):
        return True
    for node in scorer.walk():
        if isinstance(node, Section) and node.combine is not None:
            return True
        if (
            isinstance(node, Item)
            and node.table is not None
            and any(line.expressions() for line in node.table.lines)
        ):
            return True
    return False


@attrs.frozen
class Derivation:
    """What a scheme computes, and how to give an entity its context."""

    lets: tuple[derived.Let, ...]
    specs: Mapping[str, InputSpec]
    percent: frozenset[str]
    #: Each ranked value, with which way is better.
    ranked: Mapping[str, Literal["higher", "lower"]]
    #: The names whose statistics expressions or comparisons read.
    compared: frozenset[str]

    @classmethod
    def of(
        cls, scorer: SchemeScorer, specs: Mapping[str, InputSpec], compared: Iterable[str]
    ) -> Derivation:
        let_specs = {
            let.name: InputSpec(
                let.name,
                "yes/no" if let.test is not None else "percent" if let.percent else "number",
            )
            for let in scorer.lets
        }
        every = {**specs, **let_specs}
        ranked: dict[str, Literal["higher", "lower"]] = {}
        stats: set[str] = set(compared)
        for expression in _expressions(scorer):
            for part in subexpressions(expression):
                if isinstance(part, RankOf):
                    ranked[part.name] = part.better
            stats |= {name for name, _ in expression.needs().stats}
        percent = frozenset(name for name, spec in every.items() if spec.type == "percent")
        return cls(scorer.lets, every, percent, ranked, frozenset(stats))

    def plannable(self, scorer: SchemeScorer) -> bool:
        """Whether the compiled plan can score the scheme (its items that read computed
        values traced): not when a section combines or a grade reads the whole tree."""
        if scorer.grades is not None and scorer.grades.tested():
            return False
        return not any(
            isinstance(node, Section) and node.combine is not None for node in scorer.walk()
        )

    def sources(self, let: derived.Let) -> frozenset[str]:
        """The values of the entity that ``let`` is worked out from: those it reads,
        and those it ranks (a rank is worked out from the entity's own value)."""
        return let.reads() | (let.cohort() & self.ranked.keys())

    def through(self, names: Iterable[str]) -> tuple[str, ...]:
        """``names``, and what each computed value among them is worked out from
        (the values it reads and those it ranks), and so on: everything an item
        that reads ``names`` depends on, its trace included."""
        lets = {let.name: let for let in self.lets}
        found = dict.fromkeys(names)
        waiting = list(found)
        while waiting:
            let = lets.get(waiting.pop())
            if let is None:
                continue
            for name in sorted(self.sources(let)):
                if name not in found:
                    found[name] = None
                    waiting.append(name)
        return tuple(found)

    def levels(self) -> list[list[derived.Let]]:
        """The lets in rounds: a let that reads the cohort of a value comes a round
        after that value."""
        level: dict[str, int] = {}
        rounds: list[list[derived.Let]] = []
        for let in self.lets:
            depth = 0
            for name in let.reads():
                depth = max(depth, level.get(name, 0))
            for name in let.cohort():
                depth = max(depth, level.get(name, 0) + 1)
            level[let.name] = depth
            while len(rounds) <= depth:
                rounds.append([])
            rounds[depth].append(let)
        return rounds

    def cohort(self, rows: Sequence[Mapping[str, Value]]) -> derived.Cohort:
        """Statistics and ranks over the present values of ``rows``."""
        return self.counted_cohort(self.counts(rows), len(rows))

    def counts(self, rows: Iterable[Mapping[str, Value]]) -> dict[str, list[tuple[Fraction, int]]]:
        """The present values of ``rows`` that the statistics and ranks read, each
        counted once (see :meth:`counted_cohort`)."""
        listed = list(rows)
        return {
            name: [(value, 1) for row in listed if isinstance(value := row.get(name), Fraction)]
            for name in self.watched()
        }

    def watched(self) -> list[str]:
        """The names whose statistics or ranks the scheme reads."""
        return sorted(self.compared | set(self.ranked))

    def counted_cohort(
        self, counted: Mapping[str, Iterable[tuple[Fraction, int]]], size: int
    ) -> derived.Cohort:
        """Statistics and ranks over a cohort of ``size`` entities, from each watched
        name's present values with how many entities have each (in any order)."""
        stats: dict[str, dict[str, Fraction]] = {}
        columns: dict[str, derived.Ranking] = {}
        for name in self.watched():
            ranking = derived.Ranking.of(counted.get(name, ()), self.ranked.get(name, "higher"))
            if not ranking.values:
                continue
            if name in self.compared:
                stats[name] = counted_statistics(ranking.counted())
            if name in self.ranked:
                columns[name] = ranking
        return derived.Cohort(stats, columns, {}, size)

    def cohort_values(
        self,
        rows: Sequence[Mapping[str, object]],
        rounds: Sequence[derived.Cohort] | None = None,
    ) -> tuple[list[dict[str, Value]], list[dict[str, ScoreProblem]], derived.Cohort]:
        """Every row's values with its computed values, why some are absent, and the
        cohort they were worked out over.

        A part of a larger cohort gives the whole's cohort before each round
        (``rounds[i]`` before the lets of round ``i``): only the rounds it
        gives are worked out, and the cohort returned is the last given.
        """
        values = [exact_values(row) for row in rows]
        why: list[dict[str, ScoreProblem]] = [{} for _ in rows]
        levels = self.levels()
        if rounds is None:
            cohort = self.cohort(values)
        else:
            levels = levels[: len(rounds)]
            cohort = rounds[0] if rounds else derived.NO_COHORT
        for index, lets in enumerate(levels):
            for place, row in enumerate(values):
                values[place], found, _ = derived.derive(
                    lets, row, cohort, self.percent, self.ranked
                )
                why[place].update(found)
            if rounds is None:
                cohort = self.cohort(values)
            elif index + 1 < len(rounds):
                cohort = rounds[index + 1]
        return values, why, cohort

    def context(
        self,
        entity: str | None,
        values: Mapping[str, object],
        peers: Mapping[str, Mapping[str, Fraction]],
        cohort: derived.Cohort,
        *,
        done: Mapping[str, ScoreProblem] | None = None,
    ) -> Context:
        """The entity's context: its values with the computed ones (worked out here,
        unless ``done`` says they were), and the scope its expressions read."""
        exact = exact_values(values)
        if done is None:
            exact, why, scope = derived.derive(self.lets, exact, cohort, self.percent, self.ranked)
        else:
            why = dict(done)
            scope = derived.scope_for(exact, cohort, self.percent, self.ranked)
        return Context(
            entity,
            exact,
            peers,
            self.specs,
            scope,
            {let.name: let for let in self.lets},
            why,
        )


def _expressions(scorer: SchemeScorer) -> Iterator[Expression]:
    for let in scorer.lets:
        if let.expression is not None:
            yield let.expression
        if let.test is not None:
            yield from _test_expressions(let.test)
    for node in scorer.walk():
        if isinstance(node, Section) and node.combine is not None:
            yield from (entry.expression for entry in node.combine.lines)
        if isinstance(node, Item) and node.table is not None:
            for line in node.table.lines:
                yield from line.expressions()
    for test in _tests(scorer):
        yield from _test_expressions(test)


def _tests(scorer: SchemeScorer) -> Iterator[derived.Test]:
    """The tests of the scheme's ``combine`` lines and grades."""
    for node in scorer.walk():
        if isinstance(node, Section) and node.combine is not None:
            yield from (entry.test for entry in node.combine.lines if entry.test is not None)
    if scorer.grades is not None:
        yield from (test for test in scorer.grades.tests if test is not None)


def _test_expressions(test: derived.Test) -> Iterator[Expression]:
    for leaf in derived.leaves(test):
        if leaf.subject is not None:
            yield leaf.subject
        if leaf.condition is not None:
            yield from leaf.condition.expressions()


def expression_reads(scorer: SchemeScorer) -> frozenset[str]:
    """Every input (``previous NAME`` included) and computed value the scheme's
    expressions read, themselves or through their cohort."""
    names: set[str] = set()
    for expression in _expressions(scorer):
        needs = expression.needs()
        names |= needs.inputs | needs.ranks | {name for name, _ in needs.stats}
        names |= {f"previous {name}" for name in needs.previous}
    for let in scorer.lets:
        names |= let.reads() | let.cohort()
    for test in _tests(scorer):
        names |= {leaf.name for leaf in derived.leaves(test) if leaf.subject is None}
    return frozenset(names)
