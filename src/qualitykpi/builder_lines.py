"""Lark parse tree → AST, inside a statement: rule lines and what they are made of.

:class:`LineBuilder` turns a rule line, clause, test or example into its AST
node, down to its conditions, outcomes, ranges and numbers, and holds the
helpers that read tokens and spans.  :class:`~qualitykpi.builder.Builder`
extends it with the blocks these statements stand in.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal
from typing import Any, cast

from lark import Token, Tree

from . import syntax
from . import syntax_expressions as ex
from .builder_expressions import ExpressionBuilder
from .errors import RuleError, RuleSemanticError
from .i18n import _
from .source import Source, Span
from .surface import MEASURE_WORDS
from .values import MAX_PLACES, MAX_WHOLE_DIGITS, size_problem
from .word_order import Reordered

_OPS: dict[str, syntax.Op] = {
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


#: A measure word (``分``, ``次`` …) after a node, as a whole word.
_MEASURE_AFTER = re.compile(
    r"[ \t\u3000]*(?:" + "|".join(map(re.escape, MEASURE_WORDS)) + r")(?![^\W\d])"
)


class TreeReader:
    """Reads one source's parse tree: spans, text, numbers, strings; collects the
    semantic errors found while building its syntax tree."""

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
        """The span of ``node`` and its text, with runs of spaces made one.

        The measure words after it (``扣 3 分``) are part of its text, though the
        parse tree has no token for them."""
        span = self.span(node)
        end = span.end
        if span.start < end:
            while found := _MEASURE_AFTER.match(self.source.text, end):
                end = found.end()
        return span, " ".join(self.source.text[span.start : end].split())

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

    def number(self, tree: Tree[Token]) -> syntax.Num:
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
            value = value.copy_negate()  # exact: `-` would round to 28 digits
        span, text = self.located(tree)
        shown = text if len(text) <= 24 else text[:20] + "…"
        problem = size_problem(value, f"`{shown}`")
        if problem:
            self.error("number-size", problem, span)
            value = _within_bounds(value)
        return syntax.Num(value, percent, span, text)

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

    def label(self, tree: Tree[Token]) -> str:
        token = tree.children[0]
        assert isinstance(token, Token)
        return self.string(token) if token.type == "STRING" else str(token)


class LineBuilder:
    """Builds rule lines, clauses, tests and examples, reading through a :class:`TreeReader`."""

    def __init__(self, read: TreeReader) -> None:
        self.read = read
        self.expressions = ExpressionBuilder(read, self.condition)

    # --------------------------------------------------------------- lines

    def line(self, tree: Tree[Token]) -> syntax.Line:
        subject = self.read.optional_name(tree)
        span, text = self.read.located(tree)
        if tree.data == "always_line":
            outcome = self.outcome(self.read.trees(tree)[0])
            return syntax.BandLine(
                None, syntax.Otherwise(span, "→"), outcome, span, text, always=True
            )
        if tree.data == "band_line":
            *subject_trees, condition_tree, outcome_tree = self.read.trees(tree)
            subject_expr: ex.Expr | None = None
            subject = None
            if subject_trees:
                built = self.expressions.expr(subject_trees[0])
                if isinstance(built, ex.Ref):
                    subject = built.name
                else:
                    subject, subject_expr = built.text, built
            return syntax.BandLine(
                subject,
                self.condition(condition_tree),
                self.outcome(outcome_tree),
                span,
                text,
                subject_expr,
            )
        if tree.data == "scaled_line":
            low, high = (self.read.number(number) for number in self.read.trees(tree, "number"))
            return syntax.ScaledLine(subject, low, high, span, text)
        if tree.data == "scaled_peer_line":
            return syntax.ScaledLine(subject, None, None, span, text)
        if tree.data == "custom_line":
            names = self.read.tokens(tree, "NAME")
            args = tuple(
                (str(arg.children[0]), self.read.number(self.read.trees(arg, "number")[0]))
                for arg in self.read.trees(tree, "custom_arg")
            )
            return syntax.CustomLine(subject, str(names[-1]), args, span, text)
        if tree.data == "linear_line":
            return syntax.LinearLine(
                subject,
                tuple(self.point(point) for point in self.read.trees(tree, "point")),
                span,
                text,
            )
        return self.each_line(tree, subject, span, text)

    def point(self, tree: Tree[Token]) -> tuple[syntax.Num, syntax.Num]:
        """``(x, y)``: written with parentheses, not an interval's brackets."""
        brackets = [
            unicodedata.normalize("NFKC", str(token)) for token in self.read.tokens(tree, "OPEN")
        ]
        brackets += [
            unicodedata.normalize("NFKC", str(token)) for token in self.read.tokens(tree, "CLOSE")
        ]
        if brackets != ["(", ")"]:
            self.read.error(
                "bad-point", _("a point of `linear through` is written `(value, score)`"), tree
            )
        x, y = (self.read.number(number) for number in self.read.trees(tree, "number"))
        return x, y

    def each_line(
        self, tree: Tree[Token], subject: str | None, span: Span, text: str
    ) -> syntax.EachLine:
        mode: syntax.Mode = "pro rata"
        cap: syntax.Num | None = None
        floor: syntax.Num | None = None
        unit: syntax.Num | None = None
        threshold: syntax.Num | None = None
        reference: Any = None
        effect: Any = "deduct"
        amount: syntax.Num | None = None
        for child in self.read.trees(tree):
            if child.data == "mode":
                mode = cast(syntax.Mode, str(child.children[0]))
            elif child.data.startswith("per_unit_"):
                numbers = [self.read.number(number) for number in self.read.trees(child, "number")]
                unit = numbers[0]
                kind = child.data.removeprefix("per_unit_")
                if kind in ("below", "above"):
                    reference, threshold = kind, numbers[1]
                elif kind == "missing":
                    reference = "missing"
            elif child.data in ("effect_deduct", "effect_award"):
                effect = child.data.removeprefix("effect_")
                amount = self.read.number(self.read.trees(child, "number")[0])
            elif child.data == "cap":
                if cap is not None:
                    self.read.error(
                        "duplicate-statement", _("`at most` is given twice on this line"), child
                    )
                cap = self.read.number(self.read.trees(child, "number")[0])
            elif child.data == "floor":
                if floor is not None:
                    self.read.error(
                        "duplicate-statement", _("`floor` is given twice on this line"), child
                    )
                floor = self.read.number(self.read.trees(child, "number")[0])
        assert unit is not None and amount is not None
        return syntax.EachLine(
            subject, mode, unit, reference, threshold, effect, amount, cap, floor, span, text
        )

    def outcome(self, tree: Tree[Token]) -> syntax.Outcome:
        span, text = self.read.located(tree)
        if tree.data == "formula":
            expr = self.expressions.expr(self.read.trees(tree)[0])
            if isinstance(expr, ex.WordOf) and expr.word == "full":
                return syntax.Full(span, text)
            if isinstance(expr, ex.Literal_):
                return syntax.Fixed(expr.num, span, text)
            return syntax.Formula(expr, span, text)
        if tree.data == "full":
            return syntax.Full(span, text)
        number = self.read.number(self.read.trees(tree, "number")[0])
        if tree.data == "deduct":
            return syntax.Deduct(number, span, text)
        return syntax.Fixed(number, span, text)

    def condition(self, tree: Tree[Token]) -> syntax.Condition:
        span, text = self.read.located(tree)
        data = tree.data
        if data == "compare":
            op = self.comparator(self.read.trees(tree, "comparator")[0])
            return syntax.Compare(
                op, self.read.number(self.read.trees(tree, "number")[0]), span, text
            )
        if data == "compare_expr":
            op = self.comparator(self.read.trees(tree, "comparator")[0])
            return syntax.CompareExpr(
                op, self.expressions.expr(self.read.trees(tree)[1]), None, span, text
            )
        if data == "share_compare":
            op = self.comparator(self.read.trees(tree, "comparator")[0])
            factor = self.read.number(self.read.trees(tree, "number")[0])
            expr = self.expressions.expr(self.read.trees(tree)[2])
            return syntax.CompareExpr(op, expr, factor, span, text)
        if data == "peer_compare":
            op = self.comparator(self.read.trees(tree, "comparator")[0])
            stat = str(self.read.trees(tree, "stat")[0].children[0])
            return syntax.PeerCompare(
                op, self.read.number(self.read.trees(tree, "number")[0]), stat, span, text
            )
        if data == "shorthand_range":
            low, high = (self.read.number(number) for number in self.read.trees(tree, "number"))
            return syntax.Interval(low, high, False, True, True, span, text)
        if data == "condition":
            return self.interval(self.read.trees(tree, "interval")[0])
        if data == "meets_target":
            return syntax.MeetsTarget(span, text)
        if data in ("below_target", "above_target"):
            direction = cast(Any, data.removesuffix("_target"))
            return syntax.TargetDelta(direction, self.delta(self.read.trees(tree)[0]), span, text)
        if data == "within_target":
            return syntax.WithinTarget(
                self.read.number(self.read.trees(tree, "number")[0]), span, text
            )
        if data == "no_data":
            return syntax.NoData(span, text)
        if data == "otherwise":
            return syntax.Otherwise(span, text)
        if data in ("yes", "no"):
            return syntax.YesNo(data == "yes", span, text)
        if data in ("level_is", "level_in"):
            labels = tuple(self.label_of(token) for token in self.read.tokens(tree, "STRING"))
            return syntax.LevelTest(labels, span, text)
        raise AssertionError(data)

    def label_of(self, token: Token) -> syntax.Label:
        """A level in quotes, with the span of its quotes."""
        return syntax.Label(self.read.string(token), self.read.span(token))

    def delta(self, tree: Tree[Token]) -> syntax.Compare | syntax.Interval | syntax.UpTo:
        span, text = self.read.located(tree)
        if tree.data == "delta_compare":
            op = self.comparator(self.read.trees(tree, "comparator")[0])
            return syntax.Compare(
                op, self.read.number(self.read.trees(tree, "number")[0]), span, text
            )
        if tree.data == "delta_range":
            low, high = (self.read.number(number) for number in self.read.trees(tree, "number"))
            return syntax.Interval(low, high, False, True, True, span, text)
        if tree.data == "delta_interval":
            return self.interval(self.read.trees(tree, "interval")[0])
        return syntax.UpTo(self.read.number(self.read.trees(tree, "number")[0]), span, text)

    def interval(self, tree: Tree[Token]) -> syntax.Interval:
        opening = unicodedata.normalize("NFKC", str(self.read.tokens(tree, "OPEN")[0]))
        closing = unicodedata.normalize("NFKC", str(self.read.tokens(tree, "CLOSE")[0]))
        low, high = (self.read.number(number) for number in self.read.trees(tree, "number"))
        return syntax.Interval(
            low, high, opening == "[", closing == "]", False, *self.read.located(tree)
        )

    def comparator(self, tree: Tree[Token]) -> syntax.Op:
        return _OPS[" ".join(str(token) for token in tree.children)]

    # ------------------------------------------------------------- clauses

    def clause(self, tree: Tree[Token]) -> syntax.Clause:
        effect = cast(Any, tree.data.split("_")[0])
        amount = self.read.number(self.read.trees(tree, "number")[0])
        span, text = self.read.located(tree)
        if tree.data.endswith("_if"):
            return syntax.IfClause(
                effect, amount, self.test(self.read.trees(tree, "test")[0]), span, text
            )
        each = self.read.trees(tree, "for_each")[0]
        modes = self.read.trees(each, "mode")
        mode: syntax.Mode = cast(syntax.Mode, str(modes[0].children[0])) if modes else "pro rata"
        # Each number of `[N of] NAME [beyond B] [, at most C]` is told by the
        # word before it.
        numbers: dict[str, syntax.Num] = {}
        previous: Token | None = None
        for child in each.children:
            if isinstance(child, Tree) and child.data == "number":
                word = previous.type if previous is not None else ""
                role = {"BEYOND": "beyond", "MOST": "cap"}.get(word, "unit")
                numbers[role] = self.read.number(child)
            elif isinstance(child, Token):
                previous = child
        return syntax.EachClause(
            effect,
            amount,
            mode,
            numbers.get("unit"),
            str(self.read.tokens(each, "NAME")[0]),
            numbers.get("beyond"),
            numbers.get("cap"),
            span,
            text,
        )

    def test(self, tree: Tree[Token]) -> syntax.Test:
        """A clause's or veto's test; tests joined with `and`, `or`, `not` are one test
        of their own yes/no value, named by their text."""
        built = self.expressions.test(tree)
        if isinstance(built, syntax.Test):
            return built
        return syntax.Test(False, built.text, None, built.span, built.text, joined=built)

    # ------------------------------------------------------------ examples

    def example(self, tree: Tree[Token]) -> syntax.Example:
        if tree.data == "cohort_example":
            rows: list[syntax.CohortRow] = []
            for row in self.read.trees(tree, "cohort_row"):
                assignments, _subject, score, grade = self.example_parts(row)
                entity = self.read.label(self.read.trees(row, "label")[0])
                rows.append(
                    syntax.CohortRow(entity, assignments, score, grade, *self.read.located(row))
                )
            return syntax.Example((), (), None, None, *self.read.located(tree), rows=tuple(rows))
        assignments, peers, score, grade = self.example_parts(tree)
        return syntax.Example(assignments, peers, score, grade, *self.read.located(tree))

    def example_parts(
        self, tree: Tree[Token]
    ) -> tuple[
        tuple[syntax.Assignment, ...], tuple[syntax.PeerValue, ...], syntax.Num | None, str | None
    ]:
        """The values, peer statistics and expected score and grade of an example."""
        assignments: list[syntax.Assignment] = []
        peers: list[syntax.PeerValue] = []
        score: syntax.Num | None = None
        grade: str | None = None
        for child in self.read.trees(tree):
            if child.data == "assignment":
                name_token = self.read.tokens(child, "NAME")[0]
                name = str(name_token)
                if self.read.tokens(child, "PREVIOUS"):
                    name = f"previous {name}"
                value_tree = self.read.trees(child)[0]
                value: syntax.Num | bool | syntax.Label | None
                if value_tree.data == "value_number":
                    value = self.read.number(self.read.trees(value_tree, "number")[0])
                elif value_tree.data == "value_yes":
                    value = True
                elif value_tree.data == "value_no":
                    value = False
                elif value_tree.data == "value_level":
                    value = self.label_of(self.read.tokens(value_tree, "STRING")[0])
                else:
                    value = None
                assignments.append(syntax.Assignment(name, value, self.read.span(child)))
            elif child.data == "given":
                for peer in self.read.trees(child, "given_rank"):
                    rank, size = (self.read.number(n) for n in self.read.trees(peer, "number"))
                    peers.append(
                        syntax.PeerValue(
                            self.read.optional_name(peer), "rank", rank, self.read.span(peer), size
                        )
                    )
                for peer in self.read.trees(child, "peer_value"):
                    stat = str(self.read.trees(peer, "stat")[0].children[0])
                    peers.append(
                        syntax.PeerValue(
                            self.read.optional_name(peer),
                            stat,
                            self.read.number(self.read.trees(peer, "number")[0]),
                            self.read.span(peer),
                        )
                    )
            elif child.data == "expected":
                numbers = self.read.trees(child, "number")
                labels = self.read.trees(child, "label")
                score = self.read.number(numbers[0]) if numbers else None
                grade = self.read.label(labels[0]) if labels else None
        return tuple(assignments), tuple(peers), score, grade


def _within_bounds(value: Decimal) -> Decimal:
    """A number the analysis can go on with after its size was reported.

    The file does not load, but the other mistakes in it are still
    reported; clamping keeps the number's sign and rough place, where 0
    would add mistakes of its own (an empty range, a unit of 0).
    """
    sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    if value.adjusted() + 1 > MAX_WHOLE_DIGITS:
        return Decimal((sign, (9,) * MAX_WHOLE_DIGITS, 0))
    kept = digits[: max(len(digits) + exponent + MAX_PLACES, 1)]
    return Decimal((sign, kept, -MAX_PLACES))


def _edge_token(tree: Tree[Token], *, forward: bool) -> Token | None:
    """The first (or last) token under ``tree``: where its text starts (or ends).

    The parser keeps every token, keywords included, so that a statement's
    span starts at its keyword; Lark's own position propagation did the same
    at a third of the parse time.  A node the parser put in the English
    order from a Chinese one (:class:`~qualitykpi.word_order.Reordered`)
    knows its edges.
    """
    if isinstance(tree, Reordered):
        return tree.first if forward else tree.last
    for child in tree.children if forward else reversed(tree.children):
        if child is None:
            continue  # the placeholder of an absent optional part
        if isinstance(child, Token):
            return child
        found = _edge_token(child, forward=forward)
        if found is not None:
            return found
    return None
