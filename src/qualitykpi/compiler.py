"""Resolved AST → scorer objects.

Nothing here can fail on a file that analysis accepted: every check that
can reject a rule lives in :mod:`qualitykpi.analysis`.
"""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING, Literal

import attrs

from . import syntax
from . import syntax_expressions as ex
from .nodes import derived
from .nodes.assessed import Adjustment, PerEvent
from .nodes.clauses import Clause, ForEach, When
from .nodes.combine import Combination, CombineLine
from .nodes.conditions import Condition, Otherwise, Range
from .nodes.expressions import Expression, Given
from .nodes.formulas import Computed
from .nodes.scaling import Custom, Scaled
from .nodes.scheme_scorer import Grades, SchemeScorer, Veto
from .nodes.scorers import Band, Deduct, Full, Outcome, PerUnit, Score
from .nodes.tables import Line, Table
from .nodes.tree import Item, Section
from .registry import NO_EXTENSIONS
from .values import InputSpec, as_fraction

if TYPE_CHECKING:
    from .registry import Extensions


@attrs.frozen
class ExampleCase:
    """An ``example`` line, ready to run against its node (``None``: the scheme)."""

    node_id: str | None
    values: tuple[tuple[str, syntax.Num | bool | syntax.Label | None], ...]
    peers: tuple[tuple[str, str, Fraction], ...]
    score: Fraction | None
    grade: str | None
    line: int
    text: str
    #: A row of ``example cohort { … }``: its entity, and the line the cohort starts
    #: on (the rows of one cohort are scored together).
    cohort: tuple[str, int] | None = None


#: The responsible (牵头) and supporting (配合) offices of a node.
Who = tuple[tuple[str, ...], tuple[str, ...]]


def _who(node: syntax.Section | syntax.Item, inherited: Who) -> Who:
    """A node's offices: its own, or else those of the node that holds it."""
    if node.owners or node.supporters:
        return node.owners, node.supporters
    return inherited


def _n(number: syntax.Num) -> Fraction:
    return as_fraction(number.value)


def condition(node: syntax.Condition, decl: syntax.InputDecl | None = None) -> Condition:
    """The scorer condition of an AST condition (each says which); a test of levels
    needs the declaration of the input it tests, which lists them."""
    if isinstance(node, syntax.LevelTest):
        assert decl is not None, "analysis resolves the input a level test tests"
        return node.compile(decl)
    return node.compile()


def outcome(node: syntax.Outcome) -> Outcome:
    assert not isinstance(node, ex.Formula), "a computed outcome is a line of its own"
    if isinstance(node, syntax.Full):
        return Full()
    if isinstance(node, syntax.Deduct):
        return Deduct(_n(node.amount))
    return Score(_n(node.value))


class _Compiler:
    def __init__(
        self,
        scheme: syntax.Scheme,
        inputs: dict[str, syntax.InputDecl],
        environment: Extensions,
        lets: tuple[derived.Let, ...] = (),
        kinds: ex.Kinds | None = None,
    ) -> None:
        self.environment = environment
        self.scheme = scheme
        self.inputs = inputs
        self.examples: list[ExampleCase] = []
        self.lets = list(lets)
        self.kinds = kinds or ex.Kinds(lambda name: False, lambda name: "higher")
        self.joined: set[str] = set()

    def test(
        self, test: syntax.TestExpr, targets: dict[str, Fraction], *, computed: bool = False
    ) -> derived.Test:
        """A test as the scorer reads it; with ``computed``, subjects are worked out
        here (grades and ``combine`` read nodes' scores, after the tree)."""
        if isinstance(test, syntax.Junction):
            parts = tuple(self.test(part, targets, computed=computed) for part in test.tests)
            return derived.Joined(test.op, parts)
        if isinstance(test, syntax.Negation):
            return derived.Joined("not", (self.test(test.test, targets, computed=computed),))
        if test.joined is not None:
            return self.test(test.joined, targets, computed=computed)
        compiled = None
        if test.condition is not None:
            compiled = condition(test.condition, self.inputs.get(test.input))
        subject: Expression | None = None
        scale = Fraction(1)
        if test.input == "total" and test.subject_expr is None and computed:
            subject = Given("total")
        elif test.subject_expr is not None and computed:
            subject = ex.compile_expr(test.subject_expr, self.kinds)
            scale = Fraction(100) if subject.percent else Fraction(1)
        elif self.kinds.percent(test.input):
            scale = Fraction(100)
        return derived.Leaf(
            test.input, compiled, test.negate, subject, scale, targets.get(test.input)
        )

    def joined_let(self, test: syntax.Test, targets: dict[str, Fraction]) -> None:
        """A clause's or veto's joined test: a yes/no value worked out before the tree."""
        if test.joined is None or test.input in self.joined:
            return
        self.joined.add(test.input)
        self.lets.append(
            derived.Let(
                test.input,
                None,
                test=self.test(test.joined, targets),
                line=test.span.line,
                text=test.text,
            )
        )

    def line(self, node: syntax.Line, targets: dict[str, Fraction]) -> Line:
        subject = node.subject or ""
        where = node.span.line
        if isinstance(node, syntax.CustomLine):
            kind = self.environment.scorers[node.name]
            scorer = kind.build({name: _n(number) for name, number in node.args})
            return Custom(scorer, node.name, subject, node.text, where)
        if isinstance(node, syntax.BandLine):
            if isinstance(node.outcome, ex.Formula):
                assert node.outcome.compiled is not None
                return Computed(
                    condition(node.condition, self.inputs.get(subject)),
                    node.outcome.compiled,
                    subject,
                    node.text,
                    where,
                )
            return Band(
                condition(node.condition, self.inputs.get(subject)),
                outcome(node.outcome),
                subject,
                node.text,
                where,
            )
        if isinstance(node, syntax.LinearLine):
            return node.compile(subject)
        if isinstance(node, syntax.ScaledLine):
            if node.low is None or node.high is None:
                return Scaled(to_peer_max=True, subject=subject, text=node.text, line=where)
            return Scaled(_n(node.low), _n(node.high), subject=subject, text=node.text, line=where)
        reference: Literal["below", "above"] | None
        threshold: Fraction | None
        if node.reference == "missing":
            reference = "below"
            threshold = targets.get(subject, Fraction(100))
        else:
            reference = node.reference
            threshold = _n(node.threshold) if node.threshold is not None else None
        return PerUnit(
            node.effect,
            _n(node.amount),
            _n(node.unit),
            reference,
            threshold,
            node.mode,
            _n(node.cap) if node.cap is not None else None,
            _n(node.floor) if node.floor is not None else None,
            subject,
            node.text,
            where,
        )

    def clause(self, node: syntax.Clause, targets: dict[str, Fraction]) -> Clause:
        where = node.span.line
        if isinstance(node, syntax.IfClause):
            test = node.test
            self.joined_let(test, targets)
            return When(
                node.effect,
                _n(node.amount),
                test.input,
                (
                    condition(test.condition, self.inputs.get(test.input))
                    if test.condition is not None
                    else None
                ),
                test.negate,
                node.text,
                where,
            )
        return ForEach(
            node.effect,
            _n(node.amount),
            node.input,
            _n(node.unit) if node.unit is not None else Fraction(1),
            node.mode,
            _n(node.beyond) if node.beyond is not None else None,
            _n(node.cap) if node.cap is not None else None,
            node.text,
            where,
        )

    def item(self, node: syntax.Item, inherited: Who) -> Item:
        assert node.id is not None
        who = _who(node, inherited)
        targets = {
            t.input: _n(t.value)
            for t in node.targets
            if t.input is not None and t.value is not None
        }
        target_inputs = {
            t.input: t.source for t in node.targets if t.input is not None and t.source is not None
        }
        lines = tuple(self.line(line, targets) for line in node.lines)
        self.collect_examples(node.examples, node.id)
        maximum = (
            Fraction(0)
            if node.deduct_cap is not None
            else _n(node.max)
            if node.max
            else Fraction(0)
        )
        return Item(
            id=node.id,
            name=node.name,
            max=maximum,
            kind="task" if node.is_task else node.kind,
            owners=who[0],
            supporters=who[1],
            table=Table(lines) if lines else None,
            clauses=tuple(self.clause(clause, targets) for clause in node.clauses),
            start=_n(node.start) if node.start is not None else None,
            assessed=node.assessed is not None,
            assessed_cap=(
                _n(node.assessed.deduction_cap)
                if node.assessed is not None and node.assessed.deduction_cap is not None
                else None
            ),
            parts=tuple(self.item(part, who) for part in node.parts if part.kind == "part"),
            bonuses=tuple(self.item(part, who) for part in node.parts if part.kind == "bonus"),
            deduct_cap=_n(node.deduct_cap) if node.deduct_cap is not None else None,
            targets=targets,
            target_inputs=target_inputs,
            better=node.better,
            text="\n".join(node.texts),
            line=node.span.line,
            per_event=self.per_event(node.assessed),
            adjustment=(
                Adjustment(
                    _n(node.adjustment.low), _n(node.adjustment.high), node.adjustment.span.line
                )
                if node.adjustment is not None
                else None
            ),
            uncapped=node.uncapped,
        )

    @staticmethod
    def per_event(assessed: syntax.Assessed | None) -> PerEvent | None:
        if assessed is None or assessed.per_event is None or assessed.events is None:
            return None
        low, high = assessed.per_event
        return PerEvent(_n(low), _n(high), assessed.events, assessed.span.line)

    def section(self, node: syntax.Section, inherited: Who) -> Section:
        assert node.id is not None
        who = _who(node, inherited)
        self.collect_examples(node.examples, node.id)
        return Section(
            id=node.id,
            name=node.name,
            max=Fraction(0) if node.deduct_cap is not None else _n(node.max) if node.max else 0,
            children=tuple(self.node(child, who) for child in node.children),
            owners=who[0],
            supporters=who[1],
            deductions_cap=_n(node.deductions_cap) if node.deductions_cap is not None else None,
            deduct_cap=_n(node.deduct_cap) if node.deduct_cap is not None else None,
            text="\n".join(node.texts),
            line=node.span.line,
            combine=self.combine(node.combine) if node.combine is not None else None,
        )

    def combine(self, node: syntax.Combine) -> Combination:
        return Combination(
            tuple(
                CombineLine(
                    self.test(line.test, {}, computed=True) if line.test is not None else None,
                    ex.compile_expr(line.expr, self.kinds),
                    line.text,
                    line.span.line,
                )
                for line in node.lines
            )
        )

    def node(self, node: syntax.Section | syntax.Item, inherited: Who) -> Section | Item:
        if isinstance(node, syntax.Section):
            return self.section(node, inherited)
        return self.item(node, inherited)

    def collect_examples(self, examples: tuple[syntax.Example, ...], node_id: str | None) -> None:
        for example in examples:
            if example.rows:
                for row in example.rows:
                    self.examples.append(
                        ExampleCase(
                            node_id,
                            tuple((a.name, a.value) for a in row.assignments),
                            (),
                            _n(row.score) if row.score is not None else None,
                            row.grade,
                            row.span.line,
                            row.text,
                            cohort=(row.entity, example.span.line),
                        )
                    )
                continue
            self.examples.append(
                ExampleCase(
                    node_id,
                    tuple((a.name, a.value) for a in example.assignments),
                    tuple(
                        entry
                        for p in example.peers
                        for entry in (
                            ((p.input or "", p.stat, _n(p.value)),)
                            if p.size is None
                            else (
                                (p.input or "", "rank", _n(p.value)),
                                (p.input or "", "rank of", _n(p.size)),
                            )
                        )
                    ),
                    _n(example.score) if example.score is not None else None,
                    example.grade,
                    example.span.line,
                    example.text,
                )
            )

    def veto(self, node: syntax.Veto) -> Veto:
        test = node.test
        self.joined_let(test, {})
        return Veto(
            name=node.name,
            input=test.input,
            condition=(
                condition(test.condition, self.inputs.get(test.input))
                if test.condition is not None
                else None
            ),
            negate=test.negate,
            grade=node.grade,
            score=_n(node.score) if node.score is not None else None,
            owners=node.owners,
            text="\n".join(node.texts),
            line=node.span.line,
        )

    def grades(self) -> Grades | None:
        if not self.scheme.grades:
            return None
        bands: list[tuple[str, Range | Otherwise]] = []
        tests: list[derived.Test | None] = []
        for band in self.scheme.grades:
            compiled = condition(band.condition)
            assert isinstance(compiled, Range | Otherwise)
            bands.append((band.label, compiled))
            tests.append(self.test(band.test, {}, computed=True) if band.test is not None else None)
        return Grades(tuple(bands), tuple(tests) if any(tests) else ())

    def run(self) -> SchemeScorer:
        self.collect_examples(self.scheme.examples, None)
        children = tuple(self.node(child, ((), ())) for child in self.scheme.children)
        specs = tuple(
            InputSpec(
                decl.name,
                decl.type,
                _n(decl.precision) if decl.precision is not None else None,
                _n(decl.low) if decl.low is not None else None,
                _n(decl.high) if decl.high is not None else None,
                decl.level_labels(),
                decl.header.value if decl.header is not None else None,
            )
            for decl in self.inputs.values()
        )
        scheme = self.scheme
        return SchemeScorer(
            name=scheme.name,
            children=children,
            total=_n(scheme.total) if scheme.total is not None else None,
            plus_bonus=scheme.plus_bonus,
            grades=self.grades(),
            vetoes=tuple(self.veto(veto) for veto in scheme.vetoes),
            inputs=specs,
            file=scheme.source.name,
            grades_line=scheme.grades[0].span.line if scheme.grades else None,
            total_places=scheme.total_places,
            lets=tuple(self.lets),
        )


def compile_scheme(
    scheme: syntax.Scheme,
    inputs: dict[str, syntax.InputDecl],
    environment: Extensions | None = None,
    lets: tuple[derived.Let, ...] = (),
    kinds: ex.Kinds | None = None,
) -> tuple[SchemeScorer, tuple[ExampleCase, ...]]:
    """The scorer tree of an analysed scheme, and its examples."""
    compiler = _Compiler(scheme, inputs, environment or NO_EXTENSIONS, lets, kinds)
    scorer = compiler.run()
    return scorer, tuple(compiler.examples)
