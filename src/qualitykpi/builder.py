"""Lark parse tree → typed AST.

Sorts each block's statements into the fields of its node and reports
statements in the wrong place (a ``part`` in a section, a rule line in a
scheme, two targets ...) as :class:`RuleSemanticError`, all of them at once.
"""

from __future__ import annotations

import unicodedata
from decimal import Decimal
from typing import Any, Literal, cast

import attrs
from lark import Token, Tree

from . import ast
from .errors import RuleError, RuleSemanticError
from .source import Source, Span

_OPS: dict[str, ast.Op] = {
    "at least": ">=",
    "at most": "<=",
    "more than": ">",
    "less than": "<",
    "=": "=",
    ">=": ">=",
    "<=": "<=",
    ">": ">",
    "<": "<",
    "≥": ">=",
    "≤": "<=",
}

_LINE_KINDS = ("band_line", "each_line", "scaled_line", "scaled_peer_line", "custom_line")
_CLAUSE_KINDS = ("deduct_if", "award_if", "deduct_each", "award_each")


class Builder:
    """Builds the AST of one source, collecting semantic errors."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self.errors: list[RuleError] = []

    # ------------------------------------------------------------- helpers

    def span(self, node: Tree[Token] | Token) -> Span:
        if isinstance(node, Token):
            return Span(
                node.line or 0,
                node.column or 0,
                node.end_line or 0,
                node.end_column or 0,
                node.start_pos or 0,
                node.end_pos or 0,
            )
        first = _edge_token(node, forward=True)
        if first is None:
            return Span(0, 0, 0, 0)
        last = _edge_token(node, forward=False)
        assert last is not None
        return Span(
            first.line or 0,
            first.column or 0,
            last.end_line or 0,
            last.end_column or 0,
            first.start_pos or 0,
            last.end_pos or 0,
        )

    def located(self, node: Tree[Token] | Token) -> tuple[Span, str]:
        """The span of ``node`` and its text, with runs of spaces made one."""
        span = self.span(node)
        return span, " ".join(self.source.text[span.start : span.end].split())

    def error(
        self, code: str, message: str, node: Tree[Token] | Token | Span, hint: str | None = None
    ) -> None:
        span = node if isinstance(node, Span) else self.span(node)
        self.errors.append(
            RuleSemanticError(code, message, source=self.source, span=span, hint=hint)
        )

    def string(self, token: Token) -> str:
        raw = str(token)
        if raw.startswith("“"):
            return raw[1:-1]
        body = raw[1:-1]
        out: list[str] = []
        chars = iter(body)
        for ch in chars:
            if ch == "\\":
                nxt = next(chars, "")
                out.append({"n": "\n", "t": "\t"}.get(nxt, nxt))
            else:
                out.append(ch)
        return "".join(out)

    def number(self, tree: Tree[Token]) -> ast.Num:
        negative = False
        digits = ""
        percent = False
        for child in tree.children:
            if isinstance(child, Token):
                if child.type in ("DASH", "MINUS"):
                    negative = True
                elif child.type == "NUMBER":
                    digits = unicodedata.normalize("NFKC", str(child))
                elif child.type == "PERCENT":
                    percent = True
        value = Decimal(digits)
        if negative:
            value = -value
        return ast.Num(value, percent, *self.located(tree))

    @staticmethod
    def trees(tree: Tree[Token], data: str | None = None) -> list[Tree[Token]]:
        return [
            child
            for child in tree.children
            if isinstance(child, Tree) and (data is None or child.data == data)
        ]

    @staticmethod
    def tokens(tree: Tree[Token], type_: str) -> list[Token]:
        return [
            child for child in tree.children if isinstance(child, Token) and child.type == type_
        ]

    def optional_name(self, tree: Tree[Token]) -> str | None:
        """The ``[NAME]`` that gives a statement its id, after any keyword."""
        for child in tree.children:
            if not isinstance(child, Token):
                return None  # the placeholder of an absent name, or what follows it
            if child.type == "NAME":
                return str(child)
        return None

    # ----------------------------------------------------------- structure

    def scheme(self, start: Tree[Token]) -> ast.Scheme:
        tree = self.trees(start, "scheme")[0]
        name = self.string(self.tokens(tree, "STRING")[0])
        body = self.trees(tree, "body")[0]
        total: ast.Num | None = None
        plus_bonus = False
        grades: tuple[ast.GradeBand, ...] = ()
        inputs: list[ast.InputDecl] = []
        vetoes: list[ast.Veto] = []
        children: list[ast.Section | ast.Item] = []
        texts: list[str] = []
        examples: list[ast.Example] = []
        seen_grades = False
        for stmt in self.statements(body):
            kind = stmt.data
            if kind == "total":
                if total is not None:
                    self.error("duplicate-total", "the scheme's `total` is given twice", stmt)
                total = self.number(self.trees(stmt, "number")[0])
                plus_bonus = bool(self.tokens(stmt, "PLUS"))
            elif kind == "grades":
                if seen_grades:
                    self.error("duplicate-grades", "the scheme has two `grades` blocks", stmt)
                seen_grades = True
                grades = tuple(self.grade(band) for band in self.trees(stmt, "grade"))
            elif kind == "input_decl":
                inputs.append(self.input_decl(stmt))
            elif kind == "veto":
                vetoes.append(self.veto(stmt))
            elif kind in ("section", "item", "bonus"):
                children.append(self.node(stmt))
            elif kind == "text":
                texts.append(self.text_stmt(stmt))
            elif kind == "example":
                examples.append(self.example(stmt))
            else:
                self.misplaced(stmt, "the scheme")
        return ast.Scheme(
            name,
            total,
            plus_bonus,
            grades,
            tuple(inputs),
            tuple(vetoes),
            tuple(children),
            tuple(texts),
            tuple(examples),
            self.span(tree),
            self.source,
        )

    def statements(self, body: Tree[Token]) -> list[Tree[Token]]:
        return [child for child in body.children if isinstance(child, Tree)]

    def misplaced(self, stmt: Tree[Token], where: str) -> None:
        what = {
            "total": ("`total`", "it belongs at the top of the scheme"),
            "grades": ("`grades`", "they belong at the top of the scheme"),
            "veto": ("a `veto`", "it belongs at the top of the scheme"),
            "section": ("a `section`", "sections hold items, not the other way round"),
            "item": ("an `item`", "items stand in a section or the scheme"),
            "part": ("a `part`", "parts belong inside an item"),
            "bonus": ("a `bonus`", "a bonus stands in a section or the scheme"),
            "target": ("a `target`", "targets belong to an item or part"),
            "assessed": ("`assessed`", "it belongs to an item or part"),
            "start_at": ("`start at`", "it belongs to an item or part"),
            "better": ("`better`", "it belongs to an item or part"),
            "owner_stmt": ("`owner`", "owners belong to a section, item, part or bonus"),
            "support_stmt": ("`support`", "supporting offices belong to a section or item"),
            "input_decl": ("an `input`", "inputs are declared in the scheme or an item"),
            "example": ("an `example`", "examples belong to the scheme, a section or an item"),
            "text": ("`text`", "it belongs to a node"),
        }
        if stmt.data in _LINE_KINDS:
            label, why = "a rule line", "rule lines belong inside an item or part"
        elif stmt.data in _CLAUSE_KINDS:
            label, why = "a clause", "clauses belong inside an item or part"
        else:
            label, why = what.get(stmt.data, (stmt.data, ""))
        self.error("misplaced", f"{label} cannot stand in {where}: {why}", stmt)

    def node(self, tree: Tree[Token]) -> ast.Section | ast.Item:
        built = self._node(tree)
        body = self.trees(tree, "body")[0]
        supporters = list(self.owners(self.trees(tree, "supporters")))
        supporters.extend(self.owners(self.trees(body, "support_stmt")))
        return attrs.evolve(built, supporters=tuple(supporters)) if supporters else built

    def _node(self, tree: Tree[Token]) -> ast.Section | ast.Item:
        kind = str(tree.data)
        node_id = self.optional_name(tree)
        name = self.string(self.tokens(tree, "STRING")[0])
        owners = self.owners(self.trees(tree, "owners"))
        body = self.trees(tree, "body")[0]
        maximum: ast.Num | None = None
        deduct_cap: ast.Num | None = None
        deductions_cap: ast.Num | None = None
        for size in self.trees(tree):
            if size.data == "max_size":
                numbers = self.trees(size, "number")
                maximum = self.number(numbers[0])
                if len(numbers) > 1:
                    deductions_cap = self.number(numbers[1])
            elif size.data == "deduct_size":
                deduct_cap = self.number(self.trees(size, "number")[0])
        if kind == "bonus":
            maximum = self.number(self.trees(tree, "number")[0])
        if kind == "section":
            return self.section(
                tree, node_id, name, maximum, deduct_cap, deductions_cap, owners, body
            )
        if deductions_cap is not None:
            self.error(
                "misplaced",
                "`deductions at most` belongs to a section; an item that only "
                "deducts is written `deduct at most N`",
                tree,
            )
        return self.item(cast(Any, kind), tree, node_id, name, maximum, deduct_cap, owners, body)

    def owners(self, trees: list[Tree[Token]]) -> tuple[str, ...]:
        names: list[str] = []
        for tree in trees:
            names.extend(self.string(token) for token in self.tokens(tree, "STRING"))
        return tuple(names)

    def section(
        self,
        tree: Tree[Token],
        node_id: str | None,
        name: str,
        maximum: ast.Num | None,
        deduct_cap: ast.Num | None,
        deductions_cap: ast.Num | None,
        owners: tuple[str, ...],
        body: Tree[Token],
    ) -> ast.Section:
        inputs: list[ast.InputDecl] = []
        children: list[ast.Section | ast.Item] = []
        texts: list[str] = []
        examples: list[ast.Example] = []
        owner_list = list(owners)
        for stmt in self.statements(body):
            kind = stmt.data
            if kind in ("section", "item", "bonus"):
                children.append(self.node(stmt))
            elif kind == "input_decl":
                inputs.append(self.input_decl(stmt))
            elif kind == "text":
                texts.append(self.text_stmt(stmt))
            elif kind == "owner_stmt":
                owner_list.extend(self.owners([stmt]))
            elif kind == "support_stmt":
                pass  # collected by node()
            elif kind == "example":
                examples.append(self.example(stmt))
            else:
                self.misplaced(stmt, f'section "{name}"')
        return ast.Section(
            node_id,
            name,
            maximum,
            deduct_cap,
            deductions_cap,
            tuple(owner_list),
            tuple(inputs),
            tuple(children),
            tuple(texts),
            tuple(examples),
            self.span(tree),
        )

    def item(
        self,
        kind: Literal["item", "part", "bonus"],
        tree: Tree[Token],
        node_id: str | None,
        name: str,
        maximum: ast.Num | None,
        deduct_cap: ast.Num | None,
        owners: tuple[str, ...],
        body: Tree[Token],
    ) -> ast.Item:
        inputs: list[ast.InputDecl] = []
        targets: list[ast.Target] = []
        lines: list[ast.Line] = []
        clauses: list[ast.Clause] = []
        parts: list[ast.Item] = []
        texts: list[str] = []
        examples: list[ast.Example] = []
        owner_list = list(owners)
        start: ast.Num | None = None
        assessed: ast.Assessed | None = None
        better: Any = None
        where = {"item": "item", "part": "part", "bonus": "bonus"}[kind] + f' "{name}"'
        for stmt in self.statements(body):
            data = stmt.data
            if data == "input_decl":
                inputs.append(self.input_decl(stmt))
            elif data == "target":
                targets.append(self.target(stmt))
            elif data in _LINE_KINDS:
                lines.append(self.line(stmt))
            elif data in _CLAUSE_KINDS:
                clauses.append(self.clause(stmt))
            elif data == "part" and kind == "item":
                part = self.node(stmt)
                assert isinstance(part, ast.Item)
                parts.append(part)
            elif data == "text":
                texts.append(self.text_stmt(stmt))
            elif data == "owner_stmt":
                owner_list.extend(self.owners([stmt]))
            elif data == "support_stmt":
                pass  # collected by node()
            elif data == "example":
                examples.append(self.example(stmt))
            elif data == "start_at":
                if start is not None:
                    self.error("duplicate-statement", "`start at` is given twice", stmt)
                start = self.number(self.trees(stmt, "number")[0])
            elif data == "assessed":
                if assessed is not None:
                    self.error("duplicate-statement", "`assessed` is given twice", stmt)
                numbers = self.trees(stmt, "number")
                assessed = ast.Assessed(
                    self.number(numbers[0]) if numbers else None, self.span(stmt)
                )
            elif data == "better":
                better = str(stmt.children[-1])
            elif data == "part":
                self.error(
                    "misplaced",
                    f"a `part` cannot stand in {where}: parts belong directly inside an item",
                    stmt,
                )
            else:
                self.misplaced(stmt, where)
        return ast.Item(
            kind,
            node_id,
            name,
            maximum,
            deduct_cap,
            tuple(owner_list),
            tuple(inputs),
            tuple(targets),
            tuple(lines),
            tuple(clauses),
            start,
            assessed,
            better,
            tuple(parts),
            tuple(texts),
            tuple(examples),
            self.span(tree),
        )

    def veto(self, tree: Tree[Token]) -> ast.Veto:
        node_id = self.optional_name(tree)
        name = self.string(self.tokens(tree, "STRING")[0])
        test = self.test(self.trees(tree, "test")[0])
        grade: str | None = None
        score: ast.Num | None = None
        for effect in self.trees(tree):
            if effect.data == "veto_grade":
                grade = self.label(self.trees(effect, "label")[0])
            elif effect.data == "veto_score":
                score = self.number(self.trees(effect, "number")[0])
        owners = list(self.owners(self.trees(tree, "owners")))
        inputs: list[ast.InputDecl] = []
        texts: list[str] = []
        for body in self.trees(tree, "body"):
            for stmt in self.statements(body):
                if stmt.data == "text":
                    texts.append(self.text_stmt(stmt))
                elif stmt.data == "owner_stmt":
                    owners.extend(self.owners([stmt]))
                elif stmt.data == "input_decl":
                    inputs.append(self.input_decl(stmt))
                else:
                    self.misplaced(stmt, f'veto "{name}"')
        return ast.Veto(
            node_id,
            name,
            test,
            grade,
            score,
            tuple(owners),
            tuple(inputs),
            tuple(texts),
            self.span(tree),
        )

    def grade(self, tree: Tree[Token]) -> ast.GradeBand:
        label = self.label(self.trees(tree, "label")[0])
        condition = self.condition(self.trees(tree)[1])
        return ast.GradeBand(label, condition, self.span(tree))

    def label(self, tree: Tree[Token]) -> str:
        token = tree.children[0]
        assert isinstance(token, Token)
        return self.string(token) if token.type == "STRING" else str(token)

    # --------------------------------------------------------- declarations

    def input_decl(self, tree: Tree[Token]) -> ast.InputDecl:
        name = str(self.tokens(tree, "NAME")[0])
        type_tree = self.trees(tree, "input_type")[0]
        words = "".join(str(token) for token in type_tree.children)
        type_ = cast(ast.InputType, "yes/no" if words == "yes/no" else words)
        numbers = self.trees(tree, "number")
        precision = self.number(numbers[0]) if numbers else None
        return ast.InputDecl(name, type_, precision, self.span(tree))

    def target(self, tree: Tree[Token]) -> ast.Target:
        return ast.Target(
            self.optional_name(tree), self.number(self.trees(tree, "number")[0]), self.span(tree)
        )

    def text_stmt(self, tree: Tree[Token]) -> str:
        return "".join(self.string(token) for token in self.tokens(tree, "STRING"))

    # --------------------------------------------------------------- lines

    def line(self, tree: Tree[Token]) -> ast.Line:
        subject = self.optional_name(tree)
        span, text = self.located(tree)
        if tree.data == "band_line":
            condition_tree, outcome_tree = self.trees(tree)
            return ast.BandLine(
                subject, self.condition(condition_tree), self.outcome(outcome_tree), span, text
            )
        if tree.data == "scaled_line":
            low, high = (self.number(number) for number in self.trees(tree, "number"))
            return ast.ScaledLine(subject, low, high, span, text)
        if tree.data == "scaled_peer_line":
            return ast.ScaledLine(subject, None, None, span, text)
        if tree.data == "custom_line":
            names = self.tokens(tree, "NAME")
            args = tuple(
                (str(arg.children[0]), self.number(self.trees(arg, "number")[0]))
                for arg in self.trees(tree, "custom_arg")
            )
            return ast.CustomLine(subject, str(names[-1]), args, span, text)
        return self.each_line(tree, subject, span, text)

    def each_line(
        self, tree: Tree[Token], subject: str | None, span: Span, text: str
    ) -> ast.EachLine:
        mode: ast.Mode = "pro rata"
        cap: ast.Num | None = None
        floor: ast.Num | None = None
        unit: ast.Num | None = None
        threshold: ast.Num | None = None
        reference: Any = None
        effect: Any = "deduct"
        amount: ast.Num | None = None
        for child in self.trees(tree):
            if child.data == "mode":
                mode = cast(ast.Mode, str(child.children[0]))
            elif child.data.startswith("per_unit_"):
                numbers = [self.number(number) for number in self.trees(child, "number")]
                unit = numbers[0]
                kind = child.data.removeprefix("per_unit_")
                if kind in ("below", "above"):
                    reference, threshold = kind, numbers[1]
                elif kind == "missing":
                    reference = "missing"
            elif child.data in ("effect_deduct", "effect_award"):
                effect = child.data.removeprefix("effect_")
                amount = self.number(self.trees(child, "number")[0])
            elif child.data == "cap":
                if cap is not None:
                    self.error(
                        "duplicate-statement", "`at most` is given twice on this line", child
                    )
                cap = self.number(self.trees(child, "number")[0])
            elif child.data == "floor":
                if floor is not None:
                    self.error("duplicate-statement", "`floor` is given twice on this line", child)
                floor = self.number(self.trees(child, "number")[0])
        assert unit is not None and amount is not None
        return ast.EachLine(
            subject, mode, unit, reference, threshold, effect, amount, cap, floor, span, text
        )

    def outcome(self, tree: Tree[Token]) -> ast.Outcome:
        span, text = self.located(tree)
        if tree.data == "full":
            return ast.Full(span, text)
        number = self.number(self.trees(tree, "number")[0])
        if tree.data == "deduct":
            return ast.Deduct(number, span, text)
        return ast.Fixed(number, span, text)

    def condition(self, tree: Tree[Token]) -> ast.Condition:
        span, text = self.located(tree)
        data = tree.data
        if data == "compare":
            op = self.comparator(self.trees(tree, "comparator")[0])
            return ast.Compare(op, self.number(self.trees(tree, "number")[0]), span, text)
        if data == "peer_compare":
            op = self.comparator(self.trees(tree, "comparator")[0])
            stat = str(self.trees(tree, "stat")[0].children[0])
            return ast.PeerCompare(op, self.number(self.trees(tree, "number")[0]), stat, span, text)
        if data == "shorthand_range":
            low, high = (self.number(number) for number in self.trees(tree, "number"))
            return ast.Interval(low, high, False, True, True, span, text)
        if data == "condition":
            return self.interval(self.trees(tree, "interval")[0])
        if data == "meets_target":
            return ast.MeetsTarget(span, text)
        if data in ("below_target", "above_target"):
            direction = cast(Any, data.removesuffix("_target"))
            return ast.TargetDelta(direction, self.delta(self.trees(tree)[0]), span, text)
        if data == "no_data":
            return ast.NoData(span, text)
        if data == "otherwise":
            return ast.Otherwise(span, text)
        if data in ("yes", "no"):
            return ast.YesNo(data == "yes", span, text)
        raise AssertionError(data)

    def delta(self, tree: Tree[Token]) -> ast.Compare | ast.Interval | ast.UpTo:
        span, text = self.located(tree)
        if tree.data == "delta_compare":
            op = self.comparator(self.trees(tree, "comparator")[0])
            return ast.Compare(op, self.number(self.trees(tree, "number")[0]), span, text)
        if tree.data == "delta_range":
            low, high = (self.number(number) for number in self.trees(tree, "number"))
            return ast.Interval(low, high, False, True, True, span, text)
        if tree.data == "delta_interval":
            return self.interval(self.trees(tree, "interval")[0])
        return ast.UpTo(self.number(self.trees(tree, "number")[0]), span, text)

    def interval(self, tree: Tree[Token]) -> ast.Interval:
        opening = unicodedata.normalize("NFKC", str(self.tokens(tree, "OPEN")[0]))
        closing = unicodedata.normalize("NFKC", str(self.tokens(tree, "CLOSE")[0]))
        low, high = (self.number(number) for number in self.trees(tree, "number"))
        return ast.Interval(low, high, opening == "[", closing == "]", False, *self.located(tree))

    def comparator(self, tree: Tree[Token]) -> ast.Op:
        return _OPS[" ".join(str(token) for token in tree.children)]

    # ------------------------------------------------------------- clauses

    def clause(self, tree: Tree[Token]) -> ast.Clause:
        effect = cast(Any, tree.data.split("_")[0])
        amount = self.number(self.trees(tree, "number")[0])
        span, text = self.located(tree)
        if tree.data.endswith("_if"):
            return ast.IfClause(effect, amount, self.test(self.trees(tree, "test")[0]), span, text)
        each = self.trees(tree, "for_each")[0]
        modes = self.trees(each, "mode")
        mode: ast.Mode = cast(ast.Mode, str(modes[0].children[0])) if modes else "pro rata"
        # Each number of `[N of] NAME [beyond B] [, at most C]` is told by the
        # word before it.
        numbers: dict[str, ast.Num] = {}
        previous: Token | None = None
        for child in each.children:
            if isinstance(child, Tree) and child.data == "number":
                word = previous.type if previous is not None else ""
                role = {"BEYOND": "beyond", "MOST": "cap"}.get(word, "unit")
                numbers[role] = self.number(child)
            elif isinstance(child, Token):
                previous = child
        return ast.EachClause(
            effect,
            amount,
            mode,
            numbers.get("unit"),
            str(self.tokens(each, "NAME")[0]),
            numbers.get("beyond"),
            numbers.get("cap"),
            span,
            text,
        )

    def test(self, tree: Tree[Token]) -> ast.Test:
        negate_token, name, condition_tree = tree.children
        condition = self.condition(condition_tree) if isinstance(condition_tree, Tree) else None
        return ast.Test(negate_token is not None, str(name), condition, *self.located(tree))

    # ------------------------------------------------------------ examples

    def example(self, tree: Tree[Token]) -> ast.Example:
        assignments: list[ast.Assignment] = []
        peers: list[ast.PeerValue] = []
        score: ast.Num | None = None
        grade: str | None = None
        for child in self.trees(tree):
            if child.data == "assignment":
                name_token = self.tokens(child, "NAME")[0]
                value_tree = self.trees(child)[0]
                value: ast.Num | bool | None
                if value_tree.data == "value_number":
                    value = self.number(self.trees(value_tree, "number")[0])
                elif value_tree.data == "value_yes":
                    value = True
                elif value_tree.data == "value_no":
                    value = False
                else:
                    value = None
                assignments.append(ast.Assignment(str(name_token), value, self.span(child)))
            elif child.data == "given":
                for peer in self.trees(child, "peer_value"):
                    stat = str(self.trees(peer, "stat")[0].children[0])
                    peers.append(
                        ast.PeerValue(
                            self.optional_name(peer),
                            stat,
                            self.number(self.trees(peer, "number")[0]),
                            self.span(peer),
                        )
                    )
            elif child.data == "expected":
                numbers = self.trees(child, "number")
                labels = self.trees(child, "label")
                score = self.number(numbers[0]) if numbers else None
                grade = self.label(labels[0]) if labels else None
        return ast.Example(tuple(assignments), tuple(peers), score, grade, *self.located(tree))


def build(source: Source, tree: Tree[Token]) -> tuple[ast.Scheme, list[RuleError]]:
    """The AST of a parsed source, and the placement errors found building it."""
    builder = Builder(source)
    scheme = builder.scheme(tree)
    return scheme, builder.errors


def _edge_token(tree: Tree[Token], *, forward: bool) -> Token | None:
    """The first (or last) token under ``tree``: where its text starts (or ends).

    The parser keeps every token, keywords included, so that a statement's
    span starts at its keyword; Lark's own position propagation did the same
    at a third of the parse time.
    """
    for child in tree.children if forward else reversed(tree.children):
        if child is None:
            continue  # the placeholder of an absent optional part
        if isinstance(child, Token):
            return child
        found = _edge_token(child, forward=forward)
        if found is not None:
            return found
    return None
