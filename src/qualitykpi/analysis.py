"""Semantic analysis: names, ids, types; the AST made ready to compile.

Resolves each rule line's subject and each item's targets, gives every node
its id (explicit, or derived from its position: ``1``, ``1.2``, ``1.2.3``),
and reports everything that cannot mean anything — an undefined input, a
reversed range, a percent compared with a count, a `deduct` that cannot
apply — as :class:`RuleSemanticError`, all of them together.  Findings that
only *might* be mistakes (gaps, overlaps, wrong sums) are not errors: the
rule still loads, and the static checks report them.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import attrs

from . import ast
from .environment import BUILTIN_STATISTICS
from .errors import RuleError, RuleSemanticError
from .source import Span, narrow

if TYPE_CHECKING:
    from .environment import Environment

NUMERIC = ("percent", "count", "number")


@attrs.frozen
class Analysis:
    """The resolved scheme and what analysis learnt about it."""

    scheme: ast.Scheme
    inputs: dict[str, ast.InputDecl]
    errors: list[RuleError]


class _Analyser:
    def __init__(self, scheme: ast.Scheme, environment: Environment) -> None:
        self.scheme = scheme
        self.environment = environment
        self.source = scheme.source
        self.errors: list[RuleError] = []
        self.inputs: dict[str, ast.InputDecl] = {}
        self.ids: dict[str, Span] = {}
        self.grade_labels = tuple(band.label for band in scheme.grades)

    def error(self, code: str, message: str, span: Span, hint: str | None = None) -> None:
        self.errors.append(
            RuleSemanticError(code, message, source=self.source, span=span, hint=hint)
        )

    # --------------------------------------------------------------- inputs

    def declare_all(self) -> None:
        for decl in self.all_decls():
            first = self.inputs.get(decl.name)
            if first is not None:
                self.error(
                    "duplicate-input",
                    f"input `{decl.name}` is declared twice (first on line {first.span.line}); "
                    "an input is declared once per scheme",
                    narrow(self.source, decl.span, decl.name),
                )
                continue
            self.inputs[decl.name] = decl
            if decl.precision is not None:
                if decl.type == "yes/no":
                    self.error(
                        "bad-precision", "a yes/no input has no precision", decl.precision.span
                    )
                elif decl.precision.value <= 0:
                    self.error(
                        "bad-precision",
                        "a precision is a positive step such as 0.1",
                        decl.precision.span,
                    )

    def all_decls(self) -> Iterator[ast.InputDecl]:
        yield from self.scheme.inputs
        for veto in self.scheme.vetoes:
            yield from veto.inputs
        for node in walk_nodes(self.scheme.children):
            yield from node.inputs

    def lookup(self, name: str, span: Span) -> ast.InputDecl | None:
        decl = self.inputs.get(name)
        if decl is None:
            close = difflib.get_close_matches(name, list(self.inputs), n=1, cutoff=0.6)
            hint = (
                f"did you mean `{close[0]}`?"
                if close
                else (f"declare it with `input {name}: percent` (or count, number, yes/no)")
            )
            self.error(
                "undefined-input",
                f"no input named `{name}` is declared",
                narrow(self.source, span, name),
                hint,
            )
        return decl

    # ------------------------------------------------------------------ ids

    def assign_ids(self, nodes: tuple[ast.Section | ast.Item, ...], prefix: str) -> tuple[Any, ...]:
        out: list[Any] = []
        for position, node in enumerate(nodes, start=1):
            node_id = node.id or f"{prefix}{position}"
            where = narrow(self.source, node.span, node.id) if node.id else node.span
            self.claim_id(node_id, where)
            if isinstance(node, ast.Section):
                children = self.assign_ids(node.children, f"{node_id}.")
                out.append(attrs.evolve(node, id=node_id, children=children))
            else:
                parts = self.assign_ids(node.parts, f"{node_id}.")
                out.append(attrs.evolve(node, id=node_id, parts=parts))
        return tuple(out)

    def claim_id(self, node_id: str, span: Span) -> None:
        if node_id in self.ids:
            self.error(
                "duplicate-id",
                f"the id `{node_id}` is used twice (first on line "
                f"{self.ids[node_id].line}); ids must be unique",
                span,
            )
        elif node_id in self.inputs:
            self.error(
                "id-is-input",
                f"the id `{node_id}` is also the name of an input; the "
                "data could not tell the two columns apart",
                span,
            )
        self.ids[node_id] = span

    # ---------------------------------------------------------------- items

    def node(self, node: ast.Section | ast.Item, parent: ast.Item | None = None) -> Any:
        if isinstance(node, ast.Section):
            for example in node.examples:
                self.example(example, None)
            if node.is_task:
                for child in node.children:
                    if not child.is_task:
                        self.error(
                            "task-scored",
                            f'section "{node.name}" has no points (`max N`), so it holds '
                            f'only tasks; "{child.name}" has points — add `max N` to the '
                            "section",
                            child.span,
                        )
            self.size(node.max, node.deduct_cap, node.deductions_cap)
            return attrs.evolve(node, children=tuple(self.node(child) for child in node.children))
        return self.item(node, parent)

    def size(
        self,
        maximum: ast.Num | None,
        deduct_cap: ast.Num | None,
        deductions_cap: ast.Num | None = None,
    ) -> None:
        for number in (maximum, deduct_cap, deductions_cap):
            if number is None:
                continue
            if number.percent:
                self.error(
                    "percent-literal", "points are not a percentage; drop the `%`", number.span
                )
            if number.value < 0:
                self.error("negative-points", "points cannot be negative", number.span)

    def item(self, item: ast.Item, parent: ast.Item | None) -> ast.Item:
        self.size(item.max, item.deduct_cap)
        local = [decl.name for decl in item.inputs]
        if not local and parent is not None:
            local = [decl.name for decl in parent.inputs]
        targets = self.targets(item, parent, local)
        has_rules = bool(item.lines or item.clauses)
        if item.parts and (has_rules or item.assessed):
            self.error(
                "mixed-scoring",
                f'item "{item.name}" has parts, so its score is the sum '
                "of its parts; move its rule lines into a part",
                item.span,
            )
        if item.assessed and has_rules:
            self.error(
                "mixed-scoring",
                f'{item.kind} "{item.name}" is assessed: its score comes from '
                "the data, so it cannot also have rule lines or clauses",
                item.assessed.span,
            )
        if item.is_task:
            if item.parts or item.assessed or has_rules:
                self.error(
                    "task-scored",
                    f'item "{item.name}" has no points (`max N`), so it is a task and is not '
                    "scored; add `max N` to score it, or drop its rule lines",
                    item.span,
                )
        elif not (item.parts or item.assessed or has_rules):
            self.error(
                "no-rule",
                f'{item.kind} "{item.name}" has no rule: give it rule lines, '
                "clauses, parts, or `assessed`",
                item.span,
            )
        if item.start is not None and item.lines:
            self.error(
                "misplaced",
                "`start at` is for items scored by clauses alone; this "
                "item has a table, which sets where the clauses start",
                item.start.span,
            )
        if item.assessed is not None and item.assessed.deduction_cap is not None:
            self.size(item.assessed.deduction_cap, None)
        deduct_only = item.deduct_cap is not None
        # Inputs a clause counts are not candidates for the table's subject.
        counted = {_clause_input(clause) for clause in item.clauses}
        candidates = [name for name in local if name not in counted] or local
        lines: list[ast.Line] = []
        for line in item.lines:
            previous = lines[-1].subject if lines else None
            if (
                line.subject is None
                and len(candidates) > 1
                and previous in self.inputs
                and isinstance(line, ast.BandLine)
                and isinstance(line.condition, ast.Otherwise | ast.NoData)
            ):
                # `otherwise` and `no data` continue the input of the line above.
                line = attrs.evolve(line, subject=previous)
            lines.append(self.line(line, item, candidates, targets, deduct_only))
        for clause in item.clauses:
            self.clause(clause, targets, deduct_only)
        for example in item.examples:
            self.example(example, local[0] if len(local) == 1 else None)
        resolved = tuple(ast.Target(name, number, number.span) for name, number in targets.items())
        item = attrs.evolve(item, lines=tuple(lines), targets=resolved)
        parts = tuple(self.item(part, item) for part in item.parts)
        return attrs.evolve(item, parts=parts)

    def targets(
        self, item: ast.Item, parent: ast.Item | None, local: list[str]
    ) -> dict[str, ast.Num]:
        found: dict[str, ast.Num] = {}
        inherited = {t.input: t.value for t in parent.targets} if parent is not None else {}
        for target in item.targets:
            name = target.input
            if name is None:
                if len(local) != 1:
                    self.error(
                        "ambiguous-subject",
                        "this target names no input, and the item "
                        "does not have exactly one; write `target NAME VALUE`",
                        target.span,
                    )
                    continue
                name = local[0]
            decl = self.lookup(name, target.span)
            if name in found:
                self.error(
                    "duplicate-statement", f"the target of `{name}` is given twice", target.span
                )
            if decl is not None:
                self.number_for(target.value, decl)
            found[name] = target.value
        for name, value in inherited.items():
            if name is not None:
                found.setdefault(name, value)
        return found

    def subject(
        self, given: str | None, local: list[str], span: Span, where: str
    ) -> ast.InputDecl | None:
        if given is not None:
            return self.lookup(given, span)
        if len(local) == 1:
            return self.lookup(local[0], span)
        if not local:
            self.error(
                "no-subject",
                f"this line tests no input: {where} declares none; declare "
                "one with `input NAME: TYPE` or name it at the start of the line",
                span,
            )
        else:
            names = ", ".join(f"`{name}`" for name in local)
            self.error(
                "ambiguous-subject",
                f"{where} has several inputs ({names}); name the one this line tests at its start",
                span,
            )
        return None

    def line(
        self,
        line: ast.Line,
        item: ast.Item,
        local: list[str],
        targets: dict[str, ast.Num],
        deduct_only: bool,
    ) -> ast.Line:
        where = f'{item.kind} "{item.name}"'
        decl = self.subject(line.subject, local, line.span, where)
        if decl is None:
            return line
        if isinstance(line, ast.BandLine):
            self.condition(line.condition, decl, targets)
            self.outcome(line.outcome, deduct_only)
        elif isinstance(line, ast.EachLine):
            self.each_line(line, decl, targets, deduct_only)
        elif isinstance(line, ast.CustomLine):
            self.custom_line(line, decl, deduct_only)
        else:
            self.numeric(decl, line.span, "`scaled`")
            if line.low is not None and line.high is not None:
                self.number_for(line.low, decl)
                self.number_for(line.high, decl)
                if line.low.value == line.high.value:
                    self.error(
                        "empty-range", "`scaled from A to B` needs two different ends", line.span
                    )
            if deduct_only:
                self.error("deduct-only", "a deduction-only item can only deduct", line.span)
        return line if line.subject == decl.name else attrs.evolve(line, subject=decl.name)

    def custom_line(self, line: ast.CustomLine, decl: ast.InputDecl, deduct_only: bool) -> None:
        self.numeric(decl, line.span, f"`using {line.name}`")
        if deduct_only:
            self.error("deduct-only", "a deduction-only item can only deduct", line.span)
        kinds = self.environment.scorers
        kind = kinds.get(line.name)
        where = narrow(self.source, line.span, line.name)
        if kind is None:
            known = ", ".join(f"`{name}`" for name in kinds) or "none is registered"
            self.error(
                "unknown-scorer",
                f"no scorer named `{line.name}` is registered (known: {known})",
                where,
                self.environment.suggest(line.name, list(kinds))
                or "a scorer is registered by the program that loads the rule, with "
                "Environment.register_scorer; a rule file cannot define one",
            )
            return
        args: dict[str, Fraction] = {}
        for name, number in line.args:
            if name in args:
                self.error("bad-argument", f"`{name}` is given twice", number.span)
            self.number_for(number, decl)
            args[name] = Fraction(number.value)
        try:
            kind.build(args)
        except (ValueError, TypeError, ArithmeticError) as error:
            self.error("bad-argument", str(error), line.span)

    def each_line(
        self,
        line: ast.EachLine,
        decl: ast.InputDecl,
        targets: dict[str, ast.Num],
        deduct_only: bool,
    ) -> None:
        self.numeric(decl, line.span, "`each`")
        if line.unit.value <= 0:
            self.error("bad-unit", "the unit counted by `each` must be more than 0", line.unit.span)
        self.number_for(line.unit, decl)
        if line.threshold is not None:
            self.number_for(line.threshold, decl)
        if line.reference == "missing" and decl.name not in targets and decl.type != "percent":
            self.error(
                "no-target",
                f"`each missing` counts up to the target of `{decl.name}`, "
                "but it has none (and only a percent has a top of its range)",
                line.span,
            )
        if line.effect == "award" and line.reference in ("below", "missing"):
            self.error(
                "impossible-outcome",
                "an award counts units above a threshold or from "
                "zero (`each 1 above 90 → award 0.5`); below it, deduct",
                line.span,
            )
        if line.effect == "award" and deduct_only:
            self.error("deduct-only", "a deduction-only item can only deduct", line.span)
        if line.amount.value < 0:
            self.error(
                "negative-points",
                "write a positive amount; `deduct` already subtracts",
                line.amount.span,
            )
        for points in (line.amount, line.cap, line.floor):
            if points is not None and points.percent:
                self.error(
                    "percent-literal", "points are not a percentage; drop the `%`", points.span
                )

    def outcome(self, outcome: ast.Outcome, deduct_only: bool) -> None:
        if isinstance(outcome, ast.Deduct | ast.Fixed):
            number = outcome.amount if isinstance(outcome, ast.Deduct) else outcome.value
            if number.percent:
                self.error(
                    "percent-literal", "points are not a percentage; drop the `%`", number.span
                )
            if isinstance(outcome, ast.Deduct) and number.value < 0:
                self.error(
                    "negative-points",
                    "write a positive amount; `deduct` already subtracts",
                    number.span,
                )
            if deduct_only and isinstance(outcome, ast.Fixed) and number.value > 0:
                self.error(
                    "deduct-only", "a deduction-only item scores between −cap and 0", outcome.span
                )

    def numeric(self, decl: ast.InputDecl, span: Span, what: str) -> bool:
        if decl.type == "yes/no":
            self.error(
                "type-mismatch",
                f"{what} needs a number, but `{decl.name}` is yes/no; test it with `yes` or `no`",
                span,
            )
            return False
        return True

    def number_for(self, number: ast.Num, decl: ast.InputDecl) -> None:
        if number.percent and decl.type != "percent":
            self.error(
                "percent-literal",
                f"`{number.text}` is a percentage, but `{decl.name}` "
                f"is a {decl.type}; write the number without `%`",
                number.span,
            )

    def condition(
        self, condition: ast.Condition, decl: ast.InputDecl, targets: dict[str, ast.Num] | None
    ) -> None:
        if isinstance(condition, ast.NoData | ast.Otherwise):
            return
        if isinstance(condition, ast.YesNo):
            if decl.type != "yes/no":
                self.error(
                    "type-mismatch",
                    f"`{condition.text}` tests a yes/no input, but `{decl.name}` is a {decl.type}",
                    condition.span,
                )
            return
        if not self.numeric(decl, condition.span, f"`{condition.text}`"):
            return
        if isinstance(condition, ast.Compare):
            self.number_for(condition.value, decl)
        elif isinstance(condition, ast.Interval):
            self.interval(condition, decl)
        elif isinstance(condition, ast.PeerCompare):
            self.statistic(condition.stat, condition.span)
            if not condition.factor.percent:
                self.error(
                    "peer-share",
                    f"write the share of the peer {condition.stat} as a percentage: "
                    f"`{condition.factor.text}%` (120% of the mean is `120%`)",
                    condition.factor.span,
                )
            if condition.factor.value < 0:
                self.error(
                    "negative-points",
                    "a share of the peer statistic cannot be negative",
                    condition.factor.span,
                )
        elif isinstance(condition, ast.MeetsTarget | ast.TargetDelta):
            if targets is not None and decl.name not in targets:
                self.error(
                    "no-target",
                    f"this line compares `{decl.name}` with its target, but "
                    "no target is set; add `target VALUE` to the item",
                    condition.span,
                )
            if isinstance(condition, ast.TargetDelta):
                delta = condition.delta
                if isinstance(delta, ast.Interval):
                    self.interval(delta, decl)
                else:
                    self.number_for(delta.value, decl)

    def statistic(self, stat: str, span: Span) -> None:
        registered = self.environment.statistics
        if stat in BUILTIN_STATISTICS or stat in registered:
            return
        known = [*BUILTIN_STATISTICS, *registered]
        self.error(
            "unknown-statistic",
            f"no peer statistic named `{stat}`; the built-in ones are mean, median, max and min",
            narrow(self.source, span, stat),
            self.environment.suggest(stat, known)
            or "a statistic is registered by the program that loads the rule, with "
            "Environment.register_statistic",
        )

    def interval(self, interval: ast.Interval, decl: ast.InputDecl) -> None:
        self.number_for(interval.low, decl)
        self.number_for(interval.high, decl)
        low, high = interval.low.value, interval.high.value
        if low > high:
            fixed = (
                f"{interval.high.text}–{interval.low.text}"
                if interval.shorthand
                else f"[{interval.high.text}, {interval.low.text}]"
            )
            self.error(
                "reversed-range",
                f"the range `{interval.text}` runs backwards: its "
                f"first number is the larger; write `{fixed}`",
                interval.span,
            )
        elif low == high and not (interval.low_closed and interval.high_closed):
            self.error(
                "empty-range",
                f"the range `{interval.text}` holds no value; for one "
                f"value write `= {interval.low.text}`",
                interval.span,
            )

    def clause(self, clause: ast.Clause, targets: dict[str, ast.Num], deduct_only: bool) -> None:
        if clause.amount.percent:
            self.error(
                "percent-literal", "points are not a percentage; drop the `%`", clause.amount.span
            )
        if clause.amount.value < 0:
            self.error(
                "negative-points",
                f"write a positive amount; `{clause.effect}` says which way it goes",
                clause.amount.span,
            )
        if clause.effect == "award" and deduct_only:
            self.error("deduct-only", "a deduction-only item can only deduct", clause.span)
        if isinstance(clause, ast.EachClause) and clause.cap is not None and clause.cap.percent:
            self.error(
                "percent-literal", "points are not a percentage; drop the `%`", clause.cap.span
            )
        if isinstance(clause, ast.IfClause):
            self.test(clause.test, targets)
            return
        decl = self.lookup(clause.input, clause.span)
        if decl is None or not self.numeric(decl, clause.span, "`for each`"):
            return
        if clause.unit is not None:
            if clause.unit.value <= 0:
                self.error(
                    "bad-unit",
                    "the unit counted by `for each` must be more than 0",
                    clause.unit.span,
                )
            self.number_for(clause.unit, decl)
        if clause.beyond is not None:
            self.number_for(clause.beyond, decl)

    def test(self, test: ast.Test, targets: dict[str, ast.Num] | None) -> None:
        decl = self.lookup(test.input, test.span)
        if decl is None:
            return
        if test.condition is None:
            if decl.type != "yes/no":
                self.error(
                    "type-mismatch",
                    f"`{test.input}` is a {decl.type}, not yes/no; say "
                    f"what to test, e.g. `{test.input} at least 1`",
                    test.span,
                )
        else:
            self.condition(test.condition, decl, targets)

    # ------------------------------------------------------- scheme parts

    def vetoes(self) -> None:
        for veto in self.scheme.vetoes:
            self.test(veto.test, {})
            if veto.grade is not None:
                if not self.grade_labels:
                    self.error(
                        "unknown-grade",
                        f"this veto forces grade {veto.grade}, but the scheme has no `grades`",
                        narrow(self.source, veto.span, f"grade {veto.grade}"),
                    )
                elif veto.grade not in self.grade_labels:
                    labels = ", ".join(self.grade_labels)
                    self.error(
                        "unknown-grade",
                        f"this veto forces grade {veto.grade}, which is "
                        f"not one of the scheme's grades ({labels})",
                        narrow(self.source, veto.span, f"grade {veto.grade}"),
                    )

    def grades(self) -> None:
        seen: set[str] = set()
        for band in self.scheme.grades:
            if band.label in seen:
                self.error("duplicate-grade", f"grade {band.label} is listed twice", band.span)
            seen.add(band.label)
            condition = band.condition
            if not isinstance(condition, ast.Compare | ast.Interval | ast.Otherwise):
                self.error(
                    "bad-grade",
                    f"a grade is decided by the total; `{condition.text}` "
                    "cannot test it (use `at least 90`, `[80, 90)` or `otherwise`)",
                    band.span,
                )
            elif isinstance(condition, ast.Interval) and condition.low.value > condition.high.value:
                self.error(
                    "reversed-range", f"the range `{condition.text}` runs backwards", condition.span
                )

    def example(self, example: ast.Example, subject: str | None, *, top: bool = False) -> None:
        if example.grade is not None and not top:
            self.error(
                "misplaced",
                "only an example of the whole scheme can expect a grade; a grade belongs to "
                "the total",
                example.span,
            )
        for assignment in example.assignments:
            name = assignment.name
            if name in self.ids and name not in self.inputs:
                continue
            decl = self.lookup(name, assignment.span)
            if decl is None:
                continue
            value = assignment.value
            if isinstance(value, bool) and decl.type != "yes/no":
                self.error(
                    "type-mismatch", f"`{name}` is a {decl.type}, not yes/no", assignment.span
                )
            elif isinstance(value, ast.Num):
                if decl.type == "yes/no":
                    self.error(
                        "type-mismatch",
                        f"`{name}` is yes/no; write `{name} = yes` or `{name} = no`",
                        assignment.span,
                    )
                else:
                    self.number_for(value, decl)
        for peer in example.peers:
            self.statistic(peer.stat, peer.span)
            peer_input = peer.input or subject
            if peer_input is None:
                self.error(
                    "ambiguous-subject",
                    "name the input of this peer statistic: `given NAME peer mean V`",
                    peer.span,
                )
            elif peer_input not in self.inputs:
                self.lookup(peer_input, peer.span)

    def run(self) -> Analysis:
        self.declare_all()
        children = self.assign_ids(self.scheme.children, "")
        children = tuple(self.node(child) for child in children)
        self.grades()
        self.vetoes()
        for example in self.scheme.examples:
            self.example(example, None, top=True)
        for veto in self.scheme.vetoes:
            if veto.id:
                self.claim_id(veto.id, narrow(self.source, veto.span, veto.id))
        scheme = attrs.evolve(self.scheme, children=children)
        return Analysis(scheme, self.inputs, self.errors)


def _clause_input(clause: ast.Clause) -> str:
    return clause.test.input if isinstance(clause, ast.IfClause) else clause.input


def walk_nodes(nodes: tuple[ast.Section | ast.Item, ...]) -> Iterator[ast.Section | ast.Item]:
    for node in nodes:
        yield node
        if isinstance(node, ast.Section):
            yield from walk_nodes(node.children)
        else:
            yield from walk_nodes(node.parts)


def analyse(scheme: ast.Scheme, environment: Environment | None = None) -> Analysis:
    """Resolve names and ids in ``scheme`` and collect its semantic errors.

    ``environment`` says which custom scorers and peer statistics exist.
    """
    from .environment import DEFAULT

    return _Analyser(scheme, environment or DEFAULT).run()
