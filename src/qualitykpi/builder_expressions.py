"""Lark parse tree → AST for expressions and tests joined with ``and``/``or``/``not``.

:class:`ExpressionBuilder` reads ``(rd − previous rd) / previous rd``,
``peer max of drop``, ``score of key`` and ``min(…)`` into the classes of
:mod:`qualitykpi.syntax_expressions`, and tests into
:class:`~qualitykpi.syntax.Test`, :class:`~qualitykpi.syntax.Junction` and
:class:`~qualitykpi.syntax.Negation`.  Conditions inside tests are built by
the line builder it is given.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from decimal import Decimal
from typing import Any, Protocol, cast

import attrs
from lark import Token, Tree

from . import syntax
from . import syntax_expressions as ex
from .i18n import N_, _
from .source import Span

_OPS = {"+": "+", "＋": "+", "-": "−", "−": "−", "×": "×", "*": "×", "＊": "×"}
_OPS |= {"/": "/", "÷": "/", "／": "/"}
_WORDS = {
    "word_target": "target",
    "word_total": "total",
    "word_peers": "peers",
    "word_full": "full",
}


class Reader(Protocol):
    """What it reads the tree with (:class:`qualitykpi.builder_lines.TreeReader`)."""

    def located(self, node: Tree[Token] | Token) -> tuple[Span, str]: ...

    def tokens(self, tree: Tree[Token], type_: str) -> list[Token]: ...

    def trees(self, tree: Tree[Token], data: str | None = None) -> list[Tree[Token]]: ...

    def number(self, tree: Tree[Token]) -> syntax.Num: ...

    def string(self, token: Token) -> str: ...

    def error(
        self, code: str, message: str, node: Tree[Token] | Token | Span, hint: str | None = None
    ) -> None: ...


class ExpressionBuilder:
    """Builds expressions and tests, reading through a :class:`Reader`."""

    def __init__(self, read: Reader, condition: Callable[[Tree[Token]], syntax.Condition]) -> None:
        self.read = read
        self.condition = condition

    def expr(self, tree: Tree[Token] | Token) -> ex.Expr:
        span, text = self.read.located(tree)
        if isinstance(tree, Token):  # pragma: no cover - every atom is a tree
            raise AssertionError(tree)
        data = tree.data
        names = [str(token) for token in self.read.tokens(tree, "NAME")]
        if data == "number":
            return ex.Literal_(self.read.number(tree), span, text)
        if data == "ref":
            return ex.Ref(names[0], span, text)
        if data == "previous":
            return ex.Prev(names[0], span, text)
        if data == "peer_of":
            stat = str(self.read.trees(tree, "stat")[0].children[0])
            return ex.PeerOf(stat, names[0], span, text)
        if data == "rank_of":
            return ex.RankOf(names[0], span, text)
        if data == "rank_of_total":
            return ex.RankOf(None, span, text)
        if data in _WORDS:
            return ex.WordOf(cast(ex.Word, _WORDS[data]), span, text)
        if data in ("score_of", "max_of"):
            token = self.read.trees(tree, "node_ref")[0].children[0]
            assert isinstance(token, Token)
            ref = self.read.string(token) if token.type == "STRING" else str(token)
            return ex.NodeOf(cast(Any, data.removesuffix("_of")), ref, span, text)
        if data == "paren":
            self.brackets(tree, N_("write `(` and `)` around a part of a calculation"))
            return self.expr(self.read.trees(tree)[0])
        if data == "call":
            self.brackets(tree, N_("a function's values are written in `(` and `)`"))
            function = str(self.read.tokens(tree, "FUNCTION")[0])
            args = tuple(self.expr(arg) for arg in self.read.trees(tree))
            if not self.arguments(function, args, span):
                # Reported; the analysis goes on with a call it can read.
                args = _usable(function, args, span)
            return ex.Call(cast(Any, function), args, span, text)
        if data == "arith":
            left, op, right = tree.children
            assert isinstance(op, Token) and isinstance(left, Tree) and isinstance(right, Tree)
            return ex.Arith(
                cast(ex.Op, _OPS[str(op)]), self.expr(left), self.expr(right), span, text
            )
        raise AssertionError(data)

    def brackets(self, tree: Tree[Token], message: str) -> None:
        found = [
            unicodedata.normalize("NFKC", str(token))
            for token in (*self.read.tokens(tree, "OPEN"), *self.read.tokens(tree, "CLOSE"))
        ]
        if found != ["(", ")"]:
            self.read.error("bad-bracket", _(message), tree)

    def arguments(self, function: str, args: tuple[ex.Expr, ...], span: Span) -> bool:
        """Whether the call's values are as the function takes them (else an error)."""
        if function == "abs" and len(args) != 1:
            self.read.error("bad-call", _("`abs(x)` takes one value"), span)
            return False
        if function == "round":
            places = args[1] if len(args) == 2 else None
            if (
                not isinstance(places, ex.Literal_)
                or places.num.percent
                or places.num.value != places.num.value.to_integral_value()
                or not 0 <= places.num.value <= 4
            ):
                self.read.error(
                    "bad-call",
                    _("`round(x, N)` rounds half up to N decimal places: N is 0, 1, 2, 3 or 4"),
                    span,
                )
                return False
        if function in ("min", "max") and len(args) < 2:
            self.read.error(
                "bad-call",
                _("`{function}(a, b, …)` takes two values or more").format(function=function),
                span,
            )
            return False
        return True

    # --------------------------------------------------------------- tests

    def test(self, tree: Tree[Token]) -> syntax.TestExpr:
        """A test of a clause, veto, grade or ``combine`` line."""
        data = tree.data
        span, text = self.read.located(tree)
        if data not in ("any_of", "all_of", "negated", "simple_test", "total_test"):
            # `test`, and a test in parentheses.
            return self.test(self.read.trees(tree)[0])
        if data in ("any_of", "all_of"):
            op = "or" if data == "any_of" else "and"
            tests: list[syntax.TestExpr] = []
            for child in self.read.trees(tree):
                built = self.test(child)
                if isinstance(built, syntax.Junction) and built.op == op and child.data == data:
                    tests.extend(built.tests)  # `a and b and c`: one junction
                else:
                    tests.append(built)
            return syntax.Junction(cast(Any, op), tuple(tests), span, text)
        if data == "negated":
            inner = self.test(self.read.trees(tree)[0])
            if isinstance(inner, syntax.Test) and not inner.negate and inner.joined is None:
                # `not late`, `not rating in ("差")`: one test, negated.
                return attrs.evolve(inner, negate=True, span=span, text=text)
            return syntax.Negation(inner, span, text)
        if data == "total_test":
            return syntax.Test(False, "total", self.condition(self.read.trees(tree)[0]), span, text)
        subject_tree, *condition_trees = self.read.trees(tree)
        subject = self.expr(subject_tree)
        condition: syntax.Condition | None = None
        if condition_trees:
            condition = self.condition(condition_trees[0])
        if isinstance(subject, ex.Ref):
            return syntax.Test(False, subject.name, condition, span, text)
        return syntax.Test(False, subject.text, condition, span, text, subject)


def _usable(function: str, args: tuple[ex.Expr, ...], span: Span) -> tuple[ex.Expr, ...]:
    """Values a call of ``function`` can be compiled with, after its error was reported."""
    first = args[0]
    if function == "round":
        zero = ex.Literal_(ex.Num(Decimal(0), False, span, "0"), span, "0")
        return (first, zero)
    if function == "abs":
        return (first,)
    return (first, first)
