"""Semantic analysis of expressions: ``let`` values, ``previous``, computed subjects.

Before the items are analysed, :meth:`ExpressionAnalyser.prepare` declares
what expressions add to the names a line may test: each ``previous NAME``
as an input of its own (the data column ``previous NAME``), each ``let``,
each computed subject (``pass − previous pass``, named by its text) and each
test joined with ``and``/``or``/``not`` (a yes/no value named by its text).
It orders them so that each is worked out after what it reads, and learns
whether each is a percent.  After the items, :meth:`resolve` checks every
expression's names and kinds and compiles it into the node the scorer
reads (:mod:`qualitykpi.nodes.derived`, :mod:`qualitykpi.nodes.formulas`).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from fractions import Fraction
from typing import Any, Literal

import attrs

from . import syntax
from . import syntax_expressions as ex
from .analysis_lines import LineAnalyser
from .errors import RuleSyntaxError
from .i18n import _
from .nodes import derived
from .nodes import expressions as nodes
from .nodes.arithmetic import Arithmetic
from .source import Span, narrow
from .values import as_fraction

_HUNDRED = Fraction(100)
#: The words an expression may hold besides names (a near miss is a misspelling).
_WORDS = ("full", "target", "total", "peers", "previous")


def _walk_tests(test: syntax.TestExpr) -> Iterator[syntax.Test]:
    if isinstance(test, syntax.Test):
        yield test
        if test.joined is not None:
            yield from _walk_tests(test.joined)
    elif isinstance(test, syntax.Junction):
        for part in test.tests:
            yield from _walk_tests(part)
    else:
        yield from _walk_tests(test.test)


def _condition_exprs(condition: syntax.Condition | None) -> Iterator[ex.Expr]:
    if isinstance(condition, ex.CompareExpr):
        yield condition.expr


@attrs.frozen
class Site:
    """Where an expression stands: in which item (None: the scheme), what it may read."""

    expr: ex.Expr
    item: syntax.Item | None
    grade: bool = False
    #: A `let`: worked out before its item, so it cannot read the item's target.
    let: bool = False


class ExpressionAnalyser:
    """Declares, orders, checks and compiles the expressions of one scheme."""

    def __init__(self, lines: LineAnalyser, scheme: syntax.Scheme) -> None:
        self.lines = lines
        self.scheme = scheme
        self.lets: dict[str, syntax.Let] = {}
        #: Each let's compiled node, in the order they are worked out.
        self.compiled: dict[str, derived.Let] = {}
        self.percent: dict[str, bool] = {}
        self.better: dict[str, Literal["higher", "lower"]] = {}
        self.node_refs: set[str] = set()
        #: The item a `let` is written in (or whose line it is the subject of).
        self.home: dict[str, syntax.Item] = {}
        #: Plain computed values (ratios) the rule compares with percentages.
        self.shown_percent: set[str] = set()

    # ------------------------------------------------------------ prepare

    def sites(self, scheme: syntax.Scheme) -> Iterator[Site]:
        """Every expression of the scheme, with the item it stands in."""
        for let in scheme.lets:
            yield Site(let.expr, self.home.get(let.name), let=True)
        for node in _walk(scheme.children):
            item = node if isinstance(node, syntax.Item) else None
            if isinstance(node, syntax.Section) and node.combine is not None:
                for entry in node.combine.lines:
                    yield Site(entry.expr, None, grade=True)
                    if entry.test is not None:
                        yield from self._test_sites(entry.test, None, grade=True)
            if item is None:
                continue
            for line in item.lines:
                if isinstance(line, syntax.BandLine):
                    if line.subject_expr is not None:
                        yield Site(line.subject_expr, item)
                    for expr in _condition_exprs(line.condition):
                        yield Site(expr, item)
                    if isinstance(line.outcome, ex.Formula):
                        yield Site(line.outcome.expr, item)
            for clause in item.clauses:
                if isinstance(clause, syntax.IfClause):
                    yield from self._test_sites(clause.test, item)
        for veto in scheme.vetoes:
            yield from self._test_sites(veto.test, None)
        for band in scheme.grades:
            if band.test is not None:
                yield from self._test_sites(band.test, None, grade=True)

    def _test_sites(
        self, test: syntax.TestExpr, item: syntax.Item | None, *, grade: bool = False
    ) -> Iterator[Site]:
        for leaf in _walk_tests(test):
            if leaf.subject_expr is not None:
                yield Site(leaf.subject_expr, item, grade)
            for expr in _condition_exprs(leaf.condition):
                yield Site(expr, item, grade)

    def prepare(self) -> None:
        """Declare ``previous`` inputs and the computed values, before the items."""
        scheme = self.scheme
        items = [node for node in _walk(scheme.children) if isinstance(node, syntax.Item)]
        for let in scheme.lets:
            # The innermost item it is written in: its `full`, its `better`.
            around = [item for item in items if _within(let.span, item.span)]
            if around:
                self.home[let.name] = min(around, key=lambda item: item.span.end - item.span.start)
        for item in items:
            for line in item.lines:
                if isinstance(line, syntax.BandLine) and line.subject_expr is not None:
                    self.home.setdefault(line.subject_expr.text, item)
        for item in items:
            if item.better is not None:
                for decl in item.inputs:
                    self.better[decl.name] = item.better
        for name, item in self.home.items():
            if item.better is not None:
                self.better[name] = item.better
        sites = list(self.sites(scheme))
        for site in sites:
            for part in ex.parts(site.expr):
                if isinstance(part, ex.Prev):
                    self.declare_previous(part)
        for let in scheme.lets:
            self.declare_let(let)
        for let in self.implicit(scheme):
            if let.name not in self.lets:
                self.lets[let.name] = let
        self.order()

    def declare_previous(self, part: ex.Prev) -> None:
        name = f"previous {part.name}"
        if name in self.lines.inputs:
            return
        decl = self.lines.inputs.get(part.name)
        if decl is None and any(let.name == part.name for let in self.scheme.lets):
            self.lines.error(
                "undefined-input",
                _(
                    "`previous` reads last period's value of an input, and `{name}` is "
                    "computed: compute it from last period's values (`previous` of each "
                    "input it reads)"
                ).format(name=part.name),
                part.span,
            )
            return
        if decl is None:
            self.lines.lookup(part.name, part.span)
            return
        if decl.type == "yes/no":
            self.lines.error(
                "type-mismatch",
                _("`previous {name}` needs a number, but `{name}` is yes/no").format(
                    name=part.name
                ),
                part.span,
            )
            return
        # Last period's value: a column of its own, read as the input is.
        self.lines.inputs[name] = attrs.evolve(decl, name=name)

    def declare_let(self, let: syntax.Let) -> None:
        span = narrow(self.lines.source, let.span, let.name)
        if let.name in self.lines.inputs:
            self.lines.error(
                "let-name",
                _("`{name}` is already an input; give the computed value another name").format(
                    name=let.name
                ),
                span,
            )
        elif let.name in _keywords():
            self.lines.error(
                "let-name",
                _(
                    "`{name}` is a word of the rule language; give the computed value another name"
                ).format(name=let.name),
                span,
            )
        elif let.name in self.lets:
            first = self.lets[let.name].span.line
            self.lines.error(
                "let-name",
                _(
                    "`{name}` is computed twice (first on line {first}); a `let` name is "
                    "one per scheme"
                ).format(name=let.name, first=first),
                span,
            )
        else:
            self.lets[let.name] = let

    def implicit(self, scheme: syntax.Scheme) -> Iterator[syntax.Let]:
        """The computed subjects and joined tests, as lets named by their text."""
        for node in _walk(scheme.children):
            if not isinstance(node, syntax.Item):
                continue
            for line in node.lines:
                if isinstance(line, syntax.BandLine) and line.subject_expr is not None:
                    yield from self._subject_let(line.subject_expr)
            for clause in node.clauses:
                if isinstance(clause, syntax.IfClause):
                    yield from self._test_lets(clause.test)
        for veto in scheme.vetoes:
            yield from self._test_lets(veto.test)

    def _subject_let(self, expr: ex.Expr) -> Iterator[syntax.Let]:
        if isinstance(expr, ex.Prev):
            return  # `previous rd` is a column of its own
        yield syntax.Let(expr.text, expr, expr.span, expr.text, implicit=True)

    def _test_lets(self, test: syntax.Test) -> Iterator[syntax.Let]:
        for leaf in _walk_tests(test):
            if leaf.subject_expr is not None:
                yield from self._subject_let(leaf.subject_expr)

    def order(self) -> None:
        """Each let after the lets it reads; a let that reads itself is an error."""
        done: dict[str, None] = {}
        visiting: set[str] = set()

        def visit(name: str, via: syntax.Let) -> None:
            if name in done or name not in self.lets:
                return
            if name in visiting:
                self.lines.error(
                    "let-cycle",
                    _("`{name}` is computed from itself (through `{via}`)").format(
                        name=name, via=via.name
                    ),
                    via.span,
                )
                return
            visiting.add(name)
            let = self.lets[name]
            for part in ex.parts(let.expr):
                if isinstance(part, ex.Ref | ex.PeerOf | ex.RankOf) and part.name is not None:
                    visit(part.name, let)
            visiting.discard(name)
            done[name] = None

        for name, let in list(self.lets.items()):
            visit(name, let)
        self.lets = {name: self.lets[name] for name in done}
        for name, let in self.lets.items():
            kind = self.kinds(None)
            compiled = ex.compile_expr(let.expr, kind)
            self.percent[name] = compiled.percent
            self.lines.lets[name] = syntax.InputDecl(
                name, "percent" if compiled.percent else "number", None, let.span
            )

    # ---------------------------------------------------------- compiling

    def is_percent(self, name: str) -> bool:
        if name in self.percent:
            return self.percent[name]
        decl = self.lines.inputs.get(name)
        return decl is not None and decl.type == "percent"

    def kinds(self, item: syntax.Item | None, subject: str | None = None) -> ex.Kinds:
        """What compiling an expression of ``item``'s line on ``subject`` needs:
        ``full`` is the item's max, ``target`` the subject's (a percent's as one)."""
        full = None
        if item is not None and item.max is not None:
            full = nodes.Number(as_fraction(item.max.value))
        return ex.Kinds(
            self.is_percent,
            lambda name: self.better.get(name, "higher"),
            full,
            target_percent=subject is not None and self.is_percent(subject),
        )

    def check(self, site: Site) -> None:
        """The names an expression reads, and how it mixes percents with numbers."""
        for part in ex.parts(site.expr):
            match part:
                case ex.Ref(name=name) | ex.PeerOf(name=name) | ex.RankOf(name=str(name)):
                    if isinstance(part, ex.Ref) and self.misspelt(part):
                        continue
                    if name not in self.lets:
                        decl = self.lines.lookup(name, part.span)
                        if decl is not None and decl.type == "yes/no":
                            self.lines.error(
                                "type-mismatch",
                                _("`{name}` is yes/no: it has no value to compute with").format(
                                    name=name
                                ),
                                part.span,
                            )
                    if isinstance(part, ex.PeerOf):
                        self.lines.statistic(part.stat, part.span)
                case ex.RankOf(name=None):
                    if not site.grade:
                        self.wrong_place(part, "a grade")
                case ex.NodeOf(ref=ref):
                    if ref not in self.node_refs:
                        close = difflib.get_close_matches(ref, sorted(self.node_refs), n=1)
                        self.lines.error(
                            "unknown-node",
                            _("no section or item has the id or name `{ref}`").format(ref=ref),
                            part.span,
                            _("did you mean `{guess}`?").format(guess=close[0]) if close else None,
                        )
                case ex.WordOf(word="total"):
                    if not site.grade:
                        self.wrong_place(part, _("a grade or `combine`"))
                case ex.WordOf(word="target"):
                    if site.item is None or site.let:
                        self.wrong_place(part, _("an item's rule line"))
                case ex.WordOf(word="full"):
                    if site.item is None and not site.grade:
                        self.wrong_place(part, _("an item (it is the item's max)"))
                case ex.Arith(op="+" | "−", left=left, right=right):
                    self.mixed(left, right, part)
                case _:
                    pass

    def misspelt(self, part: ex.Ref) -> bool:
        """``→ ful``: an unknown name that is a misspelt word of the language."""
        name = part.name
        if name in self.lets or name in self.lines.inputs or name in _WORDS:
            return False
        close = difflib.get_close_matches(name, _WORDS, n=1, cutoff=0.75)
        if not close:
            return False
        self.lines.errors.append(
            RuleSyntaxError(
                _("unknown word `{name}`; did you mean `{guess}`?").format(
                    name=name, guess=close[0]
                ),
                source=self.lines.source,
                span=part.span,
            )
        )
        return True

    def wrong_place(self, part: ex.Expr, where: str) -> None:
        self.lines.error(
            "misplaced",
            _("`{text}` can only be read in {where}").format(text=part.text, where=where),
            part.span,
        )

    def mixed(self, left: ex.Expr, right: ex.Expr, whole: ex.Expr) -> None:
        """``pass − 2``: a bare number added to a percent is ambiguous; ask for ``%``."""
        for one, other in ((left, right), (right, left)):
            if (
                isinstance(one, ex.Literal_)
                and not one.num.percent
                and one.num.value != 0
                and self._percent_kind(other)
            ):
                self.lines.error(
                    "percent-literal",
                    _(
                        "`{text}` is a percentage: write `{number}%` for {number} "
                        "percentage points, or compute with a plain number"
                    ).format(text=other.text, number=one.text),
                    one.span,
                )

    def _percent_kind(self, expr: ex.Expr) -> bool:
        try:
            return ex.compile_expr(expr, self.kinds(None)).percent
        except (AssertionError, ValueError, KeyError):
            return False

    def compile_lets(self) -> tuple[derived.Let, ...]:
        out: list[derived.Let] = []
        for name, let in self.lets.items():
            out.append(
                derived.Let(
                    name,
                    ex.compile_expr(let.expr, self.kinds(self.home.get(name))),
                    self.percent[name],
                    line=let.span.line,
                    text=let.text,
                    shown_percent=name in self.shown_percent,
                )
            )
        return tuple(out)

    def versus(
        self, condition: ex.CompareExpr, subject: str | None, item: syntax.Item | None
    ) -> ex.CompareExpr:
        compiled = ex.compile_expr(condition.expr, self.kinds(item, subject))
        if condition.factor is not None:
            value = as_fraction(condition.factor.value)
            factor = nodes.Number(
                value / 100 if condition.factor.percent else value, condition.factor.percent
            )
            compiled = _times(factor, compiled)
        return attrs.evolve(condition, compiled=compiled)

    def scale(self, subject: str | None) -> Fraction:
        return _HUNDRED if subject is not None and self.is_percent(subject) else Fraction(1)


class Resolver:
    """Rewrites the analysed tree with its expressions checked and compiled."""

    def __init__(self, analyser: ExpressionAnalyser) -> None:
        self.analyser = analyser

    def scheme(self, scheme: syntax.Scheme) -> syntax.Scheme:
        analyser = self.analyser
        analyser.node_refs = {
            key for node in _walk(scheme.children) for key in (node.id, node.name) if key
        }
        for site in analyser.sites(scheme):
            analyser.check(site)
        children = tuple(self.node(child) for child in scheme.children)
        vetoes = tuple(
            attrs.evolve(veto, test=self.test(veto.test, None)) for veto in scheme.vetoes
        )
        grades = tuple(
            attrs.evolve(band, test=self.tests(band.test, None)) if band.test is not None else band
            for band in scheme.grades
        )
        return attrs.evolve(scheme, children=children, vetoes=vetoes, grades=grades)

    def node(self, node: syntax.Section | syntax.Item) -> syntax.Section | syntax.Item:
        if isinstance(node, syntax.Section):
            combine = node.combine
            if combine is not None:
                entries = tuple(
                    attrs.evolve(
                        entry, test=self.tests(entry.test, None) if entry.test is not None else None
                    )
                    for entry in combine.lines
                )
                combine = attrs.evolve(combine, lines=entries)
            children = tuple(self.node(child) for child in node.children)
            return attrs.evolve(node, children=children, combine=combine)
        lines = tuple(self.line(line, node) for line in node.lines)
        clauses = tuple(
            attrs.evolve(clause, test=self.test(clause.test, node))
            if isinstance(clause, syntax.IfClause)
            else clause
            for clause in node.clauses
        )
        parts = tuple(self.item(part) for part in node.parts)
        return attrs.evolve(node, lines=lines, clauses=clauses, parts=parts)

    def item(self, item: syntax.Item) -> syntax.Item:
        resolved = self.node(item)
        assert isinstance(resolved, syntax.Item)
        return resolved

    def line(self, line: syntax.Line, item: syntax.Item) -> syntax.Line:
        if not isinstance(line, syntax.BandLine):
            return line
        analyser = self.analyser
        condition = self.condition(line.condition, line.subject, item)
        outcome = line.outcome
        if isinstance(outcome, ex.Formula):
            outcome = attrs.evolve(
                outcome,
                compiled=ex.compile_expr(outcome.expr, analyser.kinds(item, line.subject)),
            )
        return attrs.evolve(line, condition=condition, outcome=outcome)

    def condition(
        self, condition: syntax.Condition, subject: str | None, item: syntax.Item | None
    ) -> syntax.Condition:
        analyser = self.analyser
        if isinstance(condition, ex.CompareExpr):
            resolved = analyser.versus(condition, subject, item)
            return attrs.evolve(resolved, scale=analyser.scale(subject))
        if subject in analyser.lets and not analyser.is_percent(subject):
            # A plain computed value (a ratio) compared with `10%` means 0.1,
            # and is shown as a percentage, as the rule writes it.
            converted = _fractions(condition)
            if converted != condition:
                analyser.shown_percent.add(subject)
            return converted
        return condition

    def test(self, test: syntax.Test, item: syntax.Item | None) -> syntax.Test:
        condition = test.condition
        if condition is not None:
            condition = self.condition(condition, test.input, item)
        joined = test.joined
        if joined is not None:
            resolved = self.tests(joined, item)
            assert not isinstance(resolved, syntax.Test)
            joined = resolved
        return attrs.evolve(test, condition=condition, joined=joined)

    def tests(self, test: syntax.TestExpr, item: syntax.Item | None) -> syntax.TestExpr:
        if isinstance(test, syntax.Test):
            return self.test(test, item)
        if isinstance(test, syntax.Junction):
            return attrs.evolve(test, tests=tuple(self.tests(part, item) for part in test.tests))
        return attrs.evolve(test, test=self.tests(test.test, item))


def _fractions(condition: syntax.Condition) -> syntax.Condition:
    """``condition`` with its `%` numbers as the fractions they stand for."""

    def convert(value: Any) -> Any:
        if isinstance(value, syntax.Num):
            if value.percent:
                return attrs.evolve(value, value=value.value / 100, percent=False)
            return value
        if attrs.has(type(value)):
            changes = {
                field.name: convert(getattr(value, field.name))
                for field in attrs.fields(type(value))
                if field.init
            }
            return attrs.evolve(value, **changes)
        return value

    converted: syntax.Condition = convert(condition)
    return converted


def _keywords() -> frozenset[str]:
    # The words of the grammar, from the parser: only when a `let` is analysed,
    # so that loading a cached rule (the checks) does not import Lark.
    from .parser_errors import keywords

    return keywords()


def _within(inner: Span, outer: Span) -> bool:
    return outer.start <= inner.start and inner.end <= outer.end


def _times(factor: nodes.Expression, expr: nodes.Expression) -> nodes.Expression:
    return Arithmetic("×", factor, expr)


def _walk(
    nodes_: tuple[syntax.Section | syntax.Item, ...],
) -> Iterator[syntax.Section | syntax.Item]:
    for node in nodes_:
        yield node
        if isinstance(node, syntax.Section):
            yield from _walk(node.children)
        else:
            yield from _walk(node.parts)
