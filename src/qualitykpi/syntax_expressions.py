"""Expressions as written: ``(rd − previous rd) / previous rd``, with their spans.

The builder makes these from the parse tree; the analysis checks the names
they read and what kind of value each is (a percent or a plain number);
:meth:`compile` turns one into the expression node of
:mod:`qualitykpi.nodes.expressions` that every tool asks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal
from fractions import Fraction
from typing import Any, Literal, TypeAlias, assert_never

import attrs

from .nodes import arithmetic, formulas
from .nodes import expressions as nodes
from .source import Span
from .values import as_fraction

Op: TypeAlias = Literal["+", "−", "×", "/"]
Word: TypeAlias = Literal["target", "total", "peers", "full"]


@attrs.frozen
class Num:
    """A number as written: its exact value, and whether it had a ``%``."""

    value: Decimal
    percent: bool
    span: Span
    text: str

    def __str__(self) -> str:
        return self.text


@attrs.frozen
class Literal_:
    """A number as written; ``10%`` stands for 0.1 inside an expression."""

    num: Num
    span: Span
    text: str


@attrs.frozen
class Ref:
    """An input or a ``let`` value of the entity."""

    name: str
    span: Span
    text: str


@attrs.frozen
class Prev:
    """``previous NAME``."""

    name: str
    span: Span
    text: str


@attrs.frozen
class PeerOf:
    """``peer STAT of NAME``."""

    stat: str
    name: str
    span: Span
    text: str


@attrs.frozen
class RankOf:
    """``rank of NAME`` (``name`` None: ``rank of total``)."""

    name: str | None
    span: Span
    text: str


@attrs.frozen
class WordOf:
    """``target``, ``total``, ``peers`` or ``full``."""

    word: Word
    span: Span
    text: str


@attrs.frozen
class NodeOf:
    """``score of REF`` or ``max of REF``."""

    what: Literal["score", "max"]
    ref: str
    span: Span
    text: str


@attrs.frozen
class Call:
    """``min(…)``, ``max(…)``, ``abs(x)``, ``round(x, N)``."""

    function: Literal["min", "max", "abs", "round"]
    args: tuple[Expr, ...]
    span: Span
    text: str


@attrs.frozen
class Arith:
    """``a + b``, ``a − b``, ``a × b``, ``a / b``."""

    op: Op
    left: Expr
    right: Expr
    span: Span
    text: str


Expr: TypeAlias = Literal_ | Ref | Prev | PeerOf | RankOf | WordOf | NodeOf | Call | Arith


def parts(expr: Expr) -> Iterator[Expr]:
    """``expr`` and every expression inside it, outermost first."""
    yield expr
    if isinstance(expr, Call):
        for arg in expr.args:
            yield from parts(arg)
    elif isinstance(expr, Arith):
        yield from parts(expr.left)
        yield from parts(expr.right)


@attrs.frozen
class Kinds:
    """What compiling an expression needs to know of the names it reads."""

    percent: Callable[[str], bool]
    better: Callable[[str], Literal["higher", "lower"]]
    #: ``full`` of the line's item, where it is known.
    full: nodes.Number | None = None
    #: The line's subject is a percent: its ``target`` is shown as one.
    target_percent: bool = False


def compile_expr(expr: Expr, kinds: Kinds) -> nodes.Expression:
    """The expression node ``expr`` means."""
    match expr:
        case Literal_(num=num):
            value = as_fraction(num.value)
            return nodes.Number(value / 100 if num.percent else value, num.percent)
        case Ref(name=name):
            return nodes.Input(name, kinds.percent(name))
        case Prev(name=name):
            return nodes.Previous(name, kinds.percent(name))
        case PeerOf(stat=stat, name=name):
            return nodes.PeerStat(stat, name, kinds.percent(name))
        case RankOf(name=name):
            return nodes.RankOf(name or "total", kinds.better(name or "total"))
        case WordOf(word=word):
            if word == "full" and kinds.full is not None:
                return kinds.full
            return nodes.Given(word, percent=word == "target" and kinds.target_percent)
        case NodeOf(what=what, ref=ref):
            return nodes.NodeValue(what, ref)
        case Call(function="abs", args=args):
            return arithmetic.Absolute(compile_expr(args[0], kinds))
        case Call(function="round", args=args):
            places = args[1]
            assert isinstance(places, Literal_)
            return arithmetic.Rounded(compile_expr(args[0], kinds), int(places.num.value))
        case Call(function=("min" | "max") as which, args=args):
            return arithmetic.Extreme(which, tuple(compile_expr(arg, kinds) for arg in args))
        case Call():
            raise AssertionError(expr.function)
        case Arith(op=op, left=left, right=right):
            return arithmetic.Arithmetic(op, compile_expr(left, kinds), compile_expr(right, kinds))
        case _:
            assert_never(expr)


# ------------------------------------------------- comparisons and outcomes


@attrs.frozen
class CompareExpr:
    """A condition comparing with a computed value: ``= peer min of drop``,
    ``at least 60% of max of key`` (``factor`` 60%)."""

    op: Literal[">=", "<=", ">", "<", "="]
    expr: Expr
    factor: Num | None
    span: Span
    text: str
    #: The value it compares with, as the analysis compiled it.
    compiled: nodes.Expression | None = attrs.field(default=None, eq=False)
    #: 100 when the subject is a percent (read in points), else 1.
    scale: Fraction = attrs.field(default=Fraction(1), eq=False)

    def check(self, checker: Any, decl: Any, targets: Any) -> None:
        checker.numeric(decl, self.span, f"`{self.text}`")

    def compile(self) -> formulas.Versus:
        assert self.compiled is not None, "compiled by the analysis"
        return formulas.Versus(self.op, self.compiled, self.scale, self.text)


@attrs.frozen
class Formula:
    """A computed outcome: ``→ 6 + 4 × (drop − peer min of drop) / …``."""

    expr: Expr
    span: Span
    text: str
    compiled: nodes.Expression | None = attrs.field(default=None, eq=False)
