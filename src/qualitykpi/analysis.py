"""Semantic analysis: names, ids, types; the AST made ready to compile.

Resolves each rule line's subject and each item's targets, gives every node
its id (explicit, or derived from its position: ``1``, ``1.2``, ``1.2.3``),
and reports everything that cannot mean anything — an undefined input, a
reversed range, a percent compared with a count, a `deduct` that cannot
apply — as :class:`RuleSemanticError`, all of them together.  Findings that
only *might* be mistakes (gaps, overlaps, wrong sums) are not errors: the
rule still loads, and the static checks report them.  The checks of each
rule line, clause and test are in :mod:`qualitykpi.analysis_lines`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import attrs

from . import syntax
from . import syntax_expressions as ex
from .analysis_examples import check_example
from .analysis_expressions import ExpressionAnalyser, Resolver
from .analysis_inputs import check_declaration
from .analysis_lines import LineAnalyser
from .analysis_lines import leaves as _leaves
from .errors import RuleError
from .i18n import _
from .nodes import derived
from .registry import NO_EXTENSIONS
from .source import Span, narrow
from .syntax_structure import walk_nodes

if TYPE_CHECKING:
    from .registry import Extensions


@attrs.frozen
class Analysis:
    """The resolved scheme and what analysis learnt about it."""

    scheme: syntax.Scheme
    inputs: dict[str, syntax.InputDecl]
    errors: list[RuleError]
    #: The values computed from values, in the order they are worked out.
    lets: tuple[derived.Let, ...] = ()
    #: What compiling an expression needs to know of the names it reads.
    kinds: ex.Kinds | None = None


class _Analyser:
    """The analysis of a whole scheme: inputs, ids, items, vetoes, grades, examples;
    each line, clause and test is checked by a :class:`LineAnalyser`."""

    def __init__(self, scheme: syntax.Scheme, environment: Extensions) -> None:
        self.lines = LineAnalyser(scheme.source, environment)
        self.expressions = ExpressionAnalyser(self.lines, scheme)
        self.scheme = scheme
        self.ids: dict[str, Span] = {}
        self.grade_labels = tuple(band.label for band in scheme.grades)

    # --------------------------------------------------------------- inputs

    def declare_all(self) -> None:
        for decl in self.all_decls():
            first = self.lines.inputs.get(decl.name)
            if first is not None:
                self.lines.error(
                    "duplicate-input",
                    _(
                        "input `{name}` is declared twice (first on line {line}); an input is "
                        "declared once per scheme"
                    ).format(name=decl.name, line=first.span.line),
                    narrow(self.lines.source, decl.span, decl.name),
                )
                continue
            self.lines.inputs[decl.name] = decl
            check_declaration(self.lines, decl)

    def headers(self) -> None:
        """Each column header names one input: the data may title a column by the
        header or by the name, so neither may stand for two inputs."""
        inputs = self.lines.inputs
        owner: dict[str, syntax.InputDecl] = {}
        for decl in inputs.values():
            header = decl.header
            if header is None:
                continue
            first = owner.get(header.value)
            named = inputs.get(header.value)
            if first is not None:
                self.lines.error(
                    "duplicate-header",
                    _(
                        "inputs `{first}` and `{name}` have the same column header {header} "
                        "(first on line {line}); the data could not tell their columns apart"
                    ).format(first=first.name, name=decl.name, header=header, line=first.span.line),
                    header.span,
                )
            elif named is not None and named is not decl:
                self.lines.error(
                    "header-is-name",
                    _(
                        "the column header {header} of `{name}` is the name of the input "
                        "declared on line {line}; the data could not tell their columns apart"
                    ).format(header=header, name=decl.name, line=named.span.line),
                    header.span,
                )
            else:
                owner[header.value] = decl

    def all_decls(self) -> Iterator[syntax.InputDecl]:
        yield from self.scheme.inputs
        for veto in self.scheme.vetoes:
            yield from veto.inputs
        for node in walk_nodes(self.scheme.children):
            yield from node.inputs

    # ------------------------------------------------------------------ ids

    def assign_ids(
        self, nodes: tuple[syntax.Section | syntax.Item, ...], prefix: str
    ) -> tuple[Any, ...]:
        out: list[Any] = []
        for position, node in enumerate(nodes, start=1):
            node_id = node.id or f"{prefix}{position}"
            where = narrow(self.lines.source, node.span, node.id) if node.id else node.span
            self.claim_id(node_id, where)
            if isinstance(node, syntax.Section):
                children = self.assign_ids(node.children, f"{node_id}.")
                out.append(attrs.evolve(node, id=node_id, children=children))
            else:
                parts = self.assign_ids(node.parts, f"{node_id}.")
                out.append(attrs.evolve(node, id=node_id, parts=parts))
        return tuple(out)

    def claim_id(self, node_id: str, span: Span) -> None:
        if node_id in self.ids:
            self.lines.error(
                "duplicate-id",
                _(
                    "the id `{node_id}` is used twice (first on line {line}); ids must be unique"
                ).format(node_id=node_id, line=self.ids[node_id].line),
                span,
            )
        elif node_id in self.lines.inputs:
            self.lines.error(
                "id-is-input",
                _(
                    "the id `{node_id}` is also the name of an input; the data could not "
                    "tell the two columns apart"
                ).format(node_id=node_id),
                span,
            )
        self.ids[node_id] = span

    # ---------------------------------------------------------------- items

    def node(self, node: syntax.Section | syntax.Item, parent: syntax.Item | None = None) -> Any:
        if isinstance(node, syntax.Section):
            for example in node.examples:
                self.example(example, None)
            if node.is_task:
                for child in node.children:
                    if not child.is_task:
                        self.lines.error(
                            "task-scored",
                            _(
                                'section "{name}" has no points (`max N`), so it holds only tasks; '
                                '"{child}" has points — add `max N` to the section'
                            ).format(name=node.name, child=child.name),
                            child.span,
                        )
            self.size(node.max, node.deduct_cap, node.deductions_cap)
            if node.combine is not None:
                for entry in node.combine.lines:
                    if entry.test is not None:
                        self.joined_test(entry.test)
            return attrs.evolve(node, children=tuple(self.node(child) for child in node.children))
        return self.item(node, parent)

    def size(
        self,
        maximum: syntax.Num | None,
        deduct_cap: syntax.Num | None,
        deductions_cap: syntax.Num | None = None,
    ) -> None:
        for number in (maximum, deduct_cap, deductions_cap):
            if number is None:
                continue
            if number.percent:
                self.lines.error(
                    "percent-literal", _("points are not a percentage; drop the `%`"), number.span
                )
            if number.value < 0:
                self.lines.error("negative-points", _("points cannot be negative"), number.span)

    def item(self, item: syntax.Item, parent: syntax.Item | None) -> syntax.Item:
        self.size(item.max, item.deduct_cap)
        local = [decl.name for decl in item.inputs]
        if not local and parent is not None:
            local = [decl.name for decl in parent.inputs]
        targets = self.targets(item, parent, local)
        has_rules = bool(item.lines or item.clauses)
        scoring = [part for part in item.parts if part.kind == "part"]
        if scoring and (has_rules or item.assessed):
            self.lines.error(
                "mixed-scoring",
                _(
                    'item "{name}" has parts, so its score is the sum of its parts; move '
                    "its rule lines into a part"
                ).format(name=item.name),
                item.span,
            )
        if item.assessed and has_rules:
            self.lines.error(
                "mixed-scoring",
                _(
                    '{kind} "{name}" is assessed: its score comes from the data, so it '
                    "cannot also have rule lines or clauses"
                ).format(kind=item.kind, name=item.name),
                item.assessed.span,
            )
        if item.is_task:
            if scoring or item.assessed or has_rules:
                self.lines.error(
                    "task-scored",
                    _(
                        'item "{name}" has no points (`max N`), so it is a task and is not '
                        "scored; add `max N` to score it, or drop its rule lines"
                    ).format(name=item.name),
                    item.span,
                )
        elif not (scoring or item.assessed or has_rules):
            self.lines.error(
                "no-rule",
                _(
                    '{kind} "{name}" has no rule: give it rule lines, clauses, parts, or `assessed`'
                ).format(kind=item.kind, name=item.name),
                item.span,
            )
        if item.start is not None and item.lines:
            self.lines.error(
                "misplaced",
                _(
                    "`start at` is for items scored by clauses alone; this item has a "
                    "table, which sets where the clauses start"
                ),
                item.start.span,
            )
        if item.assessed is not None and item.assessed.deduction_cap is not None:
            self.size(item.assessed.deduction_cap, None)
        if item.assessed is not None:
            self.per_event(item.assessed)
        if item.adjustment is not None:
            self.adjustment(item, has_rules and not scoring)
        if item.kind == "bonus" and item.uncapped:
            self.uncapped_bonus(item)
        deduct_only = item.deduct_only
        # Inputs a clause counts are not candidates for the table's subject.
        counted = {_clause_input(clause) for clause in item.clauses}
        # Nor are the inputs that hold a target (`target plan`).
        counted |= {value for value in targets.values() if isinstance(value, str)}
        candidates = [name for name in local if name not in counted] or local
        lines: list[syntax.Line] = []
        for line in item.lines:
            previous = lines[-1].subject if lines else None
            if (
                line.subject is None
                and isinstance(line, syntax.BandLine)
                and not line.always
                and (
                    (len(candidates) > 1 and previous in self.lines.inputs)
                    or (len(candidates) != 1 and previous in self.lines.lets)
                )
                and isinstance(line.condition, syntax.Otherwise | syntax.NoData)
            ):
                # `otherwise` and `no data` continue the input or `let` value of the line
                # above (an item may declare no input of its own and test a `let`).
                line = attrs.evolve(line, subject=previous)
            if (
                line.subject is None
                and not lines
                and len(candidates) > 1
                and isinstance(line, syntax.BandLine)
                and isinstance(line.condition, syntax.Otherwise)
            ):
                # A first `otherwise` tests no input: it takes every entity.
                self.lines.outcome(line.outcome, deduct_only)
                lines.append(line)
                continue
            lines.append(self.lines.line(line, item, candidates, targets, deduct_only))
        for clause in item.clauses:
            self.lines.clause(clause, targets, deduct_only)
        for example in item.examples:
            self.example(example, local[0] if len(local) == 1 else None)
        resolved = tuple(
            syntax.Target(name, None, item.span, source=value)
            if isinstance(value, str)
            else syntax.Target(name, value, value.span)
            for name, value in targets.items()
        )
        item = attrs.evolve(item, lines=tuple(lines), targets=resolved)
        parts = tuple(self.item(part, item) for part in item.parts)
        return attrs.evolve(item, parts=parts)

    def judged_range(self, low: syntax.Num, high: syntax.Num, what: str) -> None:
        """The range of an assessor's value: points, the smaller first."""
        for number in (low, high):
            if number.percent:
                self.lines.error(
                    "percent-literal", _("points are not a percentage; drop the `%`"), number.span
                )
        if low.value > high.value:
            self.lines.error(
                "reversed-range",
                _(
                    "the {what} `{low}–{high}` runs backwards: its first number is "
                    "the larger; write `{high}–{low}`"
                ).format(what=what, low=low.text, high=high.text),
                high.span,
            )

    def per_event(self, assessed: syntax.Assessed) -> None:
        """``assessed deduction A–B for each NAME``: 0 ≤ A ≤ B, NAME a count."""
        if assessed.per_event is None or assessed.events is None:
            return
        low, high = assessed.per_event
        self.judged_range(low, high, "deduction per event")
        for number in (low, high):
            if number.value < 0:
                self.lines.error(
                    "negative-points",
                    _("a deduction per event is a positive amount; `deduction` already subtracts"),
                    number.span,
                )
        decl = self.lines.lookup(assessed.events, assessed.span)
        if decl is not None and decl.type != "count":
            self.lines.error(
                "type-mismatch",
                _(
                    "`for each {name}` counts events, but `{name}` is a {type}; declare it "
                    "`input {name}: count`"
                ).format(name=decl.name, type=decl.type),
                narrow(self.lines.source, assessed.span, decl.name),
            )

    def adjustment(self, item: syntax.Item, computed: bool) -> None:
        """``assessed adjustment A–B``: beside rule lines or clauses, in order."""
        adjustment = item.adjustment
        assert adjustment is not None
        self.judged_range(adjustment.low, adjustment.high, "adjustment")
        if not computed:
            self.lines.error(
                "misplaced",
                _(
                    '`assessed adjustment` adjusts the score {kind} "{name}" computes from '
                    "its rule lines or clauses, and it has none; an assessor's whole score "
                    "is `assessed`"
                ).format(kind=item.kind, name=item.name),
                adjustment.span,
            )

    def uncapped_bonus(self, item: syntax.Item) -> None:
        """A bonus without a cap has no full marks to give or scale to."""
        for line in item.lines:
            if isinstance(line, syntax.BandLine) and isinstance(line.outcome, syntax.Full):
                span = line.outcome.span
            elif isinstance(line, syntax.ScaledLine):
                span = line.span
            else:
                continue
            self.lines.error(
                "impossible-outcome",
                _(
                    'bonus "{name}" has no cap, so it has no full marks to give or to '
                    "scale to; give the points (`→ 2`), or a cap (`bonus … at most 2`)"
                ).format(name=item.name),
                span,
            )

    def targets(
        self, item: syntax.Item, parent: syntax.Item | None, local: list[str]
    ) -> dict[str, syntax.Num | str]:
        """Each input's target: a number, or the name of the input that holds it."""
        found: dict[str, syntax.Num | str] = {}
        inherited: dict[str | None, syntax.Num | str] = {}
        if parent is not None:
            for given in parent.targets:
                inherited[given.input] = given.source or given.value  # type: ignore[assignment]
        # An input that holds a target is not what the item's lines test.
        sources = {target.source for target in item.targets if target.source}
        subjects = [name for name in local if name not in sources] or local
        for target in item.targets:
            name = target.input
            if name is None:
                local = subjects
                if len(local) != 1:
                    self.lines.error(
                        "ambiguous-subject",
                        _(
                            "this target names no input, and the item does not have exactly one; "
                            "write `target NAME VALUE`"
                        ),
                        target.span,
                    )
                    continue
                name = local[0]
            decl = self.lines.lookup(name, target.span)
            if name in found:
                self.lines.error(
                    "duplicate-statement",
                    _("the target of `{name}` is given twice").format(name=name),
                    target.span,
                )
            if target.source is not None:
                self.target_source(target, name, decl)
                found[name] = target.source
                continue
            assert target.value is not None
            if decl is not None and (
                decl.type != "level" or self.lines.numeric(decl, target.span, "a target")
            ):
                self.lines.number_for(target.value, decl)
            found[name] = target.value
        for name, value in inherited.items():
            if name is not None:
                found.setdefault(name, value)
        return found

    def target_source(
        self, target: syntax.Target, name: str, decl: syntax.InputDecl | None
    ) -> None:
        """``target plan``: an input of the same kind as the one it is the target of."""
        assert target.source is not None
        source = self.lines.lookup(target.source, target.span)
        if source is None or decl is None:
            return
        if target.source == name:
            self.lines.error(
                "target-input",
                _("`{name}` cannot be its own target; name the input that holds it").format(
                    name=name
                ),
                target.span,
            )
        elif {"yes/no", "level"} & {source.type, decl.type} or (source.type == "percent") != (
            decl.type == "percent"
        ):
            self.lines.error(
                "target-input",
                _(
                    "`{source}` is a {type} and `{name}` a {input_type}: a target is "
                    "measured in its input's unit, so both must be percentages or both "
                    "numbers"
                ).format(source=target.source, type=source.type, name=name, input_type=decl.type),
                target.span,
            )

    # ------------------------------------------------------- scheme parts

    def vetoes(self) -> None:
        for veto in self.scheme.vetoes:
            self.lines.test(veto.test, {})
            if veto.grade is not None:
                if not self.grade_labels:
                    self.lines.error(
                        "unknown-grade",
                        _("this veto forces grade {grade}, but the scheme has no `grades`").format(
                            grade=veto.grade
                        ),
                        narrow(self.lines.source, veto.span, f"grade {veto.grade}"),
                    )
                elif veto.grade not in self.grade_labels:
                    labels = _(", ").join(self.grade_labels)
                    self.lines.error(
                        "unknown-grade",
                        _(
                            "this veto forces grade {grade}, which is not one of the scheme's "
                            "grades ({labels})"
                        ).format(grade=veto.grade, labels=labels),
                        narrow(self.lines.source, veto.span, f"grade {veto.grade}"),
                    )

    def grades(self) -> None:
        seen: set[str] = set()
        for band in self.scheme.grades:
            if band.label in seen:
                self.lines.error(
                    "duplicate-grade",
                    _("grade {label} is listed twice").format(label=band.label),
                    band.span,
                )
            seen.add(band.label)
            if band.label in ("and", "or"):
                self.lines.error(
                    "bad-grade",
                    _(
                        "a grade's test goes on to the next line after `{label}`, not before "
                        "it: end the line above with `{label}`"
                    ).format(label=band.label),
                    band.span,
                )
            if band.test is not None:
                self.joined_test(band.test)
                continue
            condition = band.condition
            if not isinstance(condition, syntax.Compare | syntax.Interval | syntax.Otherwise):
                self.lines.error(
                    "bad-grade",
                    _(
                        "a grade is decided by the total; `{text}` cannot test it (use `at "
                        "least 90`, `[80, 90)`, `otherwise`, or a test of values such as `at "
                        "least 90 and score of key at least 24`)"
                    ).format(text=condition.text),
                    band.span,
                )
            elif isinstance(condition, syntax.Interval):
                self.lines.range_order(condition)

    def joined_test(self, test: syntax.TestExpr) -> None:
        """The single tests of a grade's or a `combine` line's test, read after the tree:
        the total is a number, every other name an input."""
        for leaf in _leaves(test):
            if leaf.subject_expr is not None:
                continue  # its names are checked with the other expressions
            if leaf.input != "total":
                self.lines.test(leaf, None)
                continue
            condition = leaf.condition
            if not isinstance(
                condition, syntax.Compare | syntax.Interval | syntax.Otherwise | ex.CompareExpr
            ):
                shown = condition.text if condition is not None else leaf.text
                self.lines.error(
                    "bad-grade",
                    _("the total is a number: `{shown}` cannot test it").format(shown=shown),
                    leaf.span,
                )

    def example(self, example: syntax.Example, subject: str | None, *, top: bool = False) -> None:
        check_example(self.lines, self.ids, example, subject, top=top)

    def run(self) -> Analysis:
        self.declare_all()
        self.headers()
        self.expressions.prepare()
        children = self.assign_ids(self.scheme.children, "")
        children = tuple(self.node(child) for child in children)
        self.grades()
        self.vetoes()
        for example in self.scheme.examples:
            self.example(example, None, top=True)
        for veto in self.scheme.vetoes:
            if veto.id:
                self.claim_id(veto.id, narrow(self.lines.source, veto.span, veto.id))
        scheme = attrs.evolve(self.scheme, children=children)
        scheme = Resolver(self.expressions).scheme(scheme)
        lets = self.expressions.compile_lets() if not self.lines.errors else ()
        kinds = self.expressions.kinds(None)
        return Analysis(scheme, self.lines.inputs, self.lines.errors, lets, kinds)


def _clause_input(clause: syntax.Clause) -> str:
    return clause.test.input if isinstance(clause, syntax.IfClause) else clause.input


def analyse(scheme: syntax.Scheme, environment: Extensions | None = None) -> Analysis:
    """Resolve names and ids in ``scheme`` and collect its semantic errors.

    ``environment`` says which custom scorers and peer statistics exist.
    """
    return _Analyser(scheme, environment or NO_EXTENSIONS).run()
