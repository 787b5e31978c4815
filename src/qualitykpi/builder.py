"""Lark parse tree → typed AST.

Sorts each block's statements into the fields of its node and reports
statements in the wrong place (a ``part`` in a section, a rule line in a
scheme, two targets ...) as :class:`RuleSemanticError`, all of them at once.
The rule lines, clauses, tests and examples inside those blocks are built by
:class:`~qualitykpi.builder_lines.LineBuilder`, which :class:`Builder` extends.
"""

from __future__ import annotations

from typing import Any, Literal, cast

import attrs
from lark import Token, Tree

from . import syntax
from .builder_lines import LineBuilder, TreeReader
from .errors import RuleError, RuleSemanticError
from .i18n import N_, _
from .source import Source
from .values import SCORE_PLACES

#: How deep sections, items, parts and bonuses may nest.  Real rule trees
#: are three to five levels deep; the bound keeps every pass that walks the
#: tree (building, analysis, scoring, the checks) far from Python's
#: recursion limit, whatever a file says.
MAX_DEPTH = 16
#: The most places ``total rounded to N places`` may keep: a score's own places.
MAX_PLACES = SCORE_PLACES
_NESTING = frozenset(("section", "item", "part", "bonus"))

_LINE_KINDS = (
    "band_line",
    "always_line",
    "each_line",
    "scaled_line",
    "scaled_peer_line",
    "custom_line",
    "linear_line",
)
_CLAUSE_KINDS = ("deduct_if", "award_if", "deduct_each", "award_each")


class Builder:
    """Builds the syntax tree of one source: its structure here, its lines and
    clauses with a :class:`LineBuilder`, both reading through one :class:`TreeReader`."""

    def __init__(self, source: Source) -> None:
        self.read = TreeReader(source)
        self.lines = LineBuilder(self.read)
        #: Every `let` of the file, wherever it stands: a `let` name is one per scheme.
        self.lets: list[syntax.Let] = []

    def let(self, tree: Tree[Token]) -> None:
        name = str(self.read.tokens(tree, "NAME")[0])
        expr = self.lines.expressions.expr(self.read.trees(tree)[0])
        self.lets.append(syntax.Let(name, expr, *self.read.located(tree)))

    def combine(self, tree: Tree[Token]) -> syntax.Combine:
        span = self.read.span(tree)
        expressions = self.lines.expressions
        if tree.data == "combine_formula":
            expr = expressions.expr(self.read.trees(tree)[0])
            return syntax.Combine((syntax.CombineLine(None, expr, *self.read.located(tree)),), span)
        lines: list[syntax.CombineLine] = []
        for line in self.read.trees(tree):
            *test_trees, expr_tree = self.read.trees(line)
            test = expressions.test(test_trees[0]) if test_trees else None
            lines.append(
                syntax.CombineLine(test, expressions.expr(expr_tree), *self.read.located(line))
            )
        return syntax.Combine(tuple(lines), span)

    # ----------------------------------------------------------- structure

    def scheme(self, start: Tree[Token]) -> syntax.Scheme:
        tree = self.read.trees(start, "scheme")[0]
        name = self.read.string(self.read.tokens(tree, "STRING")[0])
        body = self.read.trees(tree, "body")[0]
        total: syntax.Num | None = None
        plus_bonus = False
        grades: tuple[syntax.GradeBand, ...] = ()
        inputs: list[syntax.InputDecl] = []
        vetoes: list[syntax.Veto] = []
        children: list[syntax.Section | syntax.Item] = []
        texts: list[str] = []
        examples: list[syntax.Example] = []
        seen_grades = False
        total_places: int | None = None
        for stmt in self.statements(body):
            kind = stmt.data
            if kind == "total":
                if total is not None:
                    self.read.error(
                        "duplicate-total", _("the scheme's `total` is given twice"), stmt
                    )
                total = self.read.number(self.read.trees(stmt, "number")[0])
                plus_bonus = bool(self.read.tokens(stmt, "PLUS"))
            elif kind == "total_rounding":
                if total_places is not None:
                    self.read.error("duplicate-total", _("`total rounded to` is given twice"), stmt)
                total_places = self.places(self.read.number(self.read.trees(stmt, "number")[0]))
            elif kind == "grades":
                if seen_grades:
                    self.read.error(
                        "duplicate-grades", _("the scheme has two `grades` blocks"), stmt
                    )
                seen_grades = True
                grades = tuple(self.grade(band) for band in self.read.trees(stmt, "grade"))
            elif kind == "input_decl":
                inputs.append(self.input_decl(stmt))
            elif kind == "veto":
                vetoes.append(self.veto(stmt))
            elif kind in ("section", "item", "bonus"):
                children.append(self.node(stmt))
            elif kind == "text":
                texts.append(self.text_stmt(stmt))
            elif kind in ("example", "cohort_example"):
                examples.append(self.lines.example(stmt))
            elif kind == "let":
                self.let(stmt)
            else:
                self.misplaced(stmt, _("the scheme"))
        return syntax.Scheme(
            name,
            total,
            plus_bonus,
            grades,
            tuple(inputs),
            tuple(vetoes),
            tuple(children),
            tuple(texts),
            tuple(examples),
            self.read.span(tree),
            self.read.source,
            total_places,
            tuple(self.lets),
        )

    def places(self, number: syntax.Num) -> int | None:
        """The places of ``total rounded to N places``: a whole number from 0 to 4."""
        value = number.value
        if number.percent or value != value.to_integral_value() or not 0 <= value <= MAX_PLACES:
            self.read.error(
                "bad-places",
                _(
                    "a total is rounded to 0 to {places} decimal places (分值保留整数 is "
                    "`total rounded to 0 places`), not {number}"
                ).format(places=MAX_PLACES, number=number.text),
                number.span,
            )
            return None
        return int(value)

    def statements(self, body: Tree[Token]) -> list[Tree[Token]]:
        return [child for child in body.children if isinstance(child, Tree)]

    def misplaced(self, stmt: Tree[Token], where: str) -> None:
        what = {
            "total": (N_("`total`"), N_("it belongs at the top of the scheme")),
            "total_rounding": (N_("`total rounded to`"), N_("it belongs at the top of the scheme")),
            "grades": (N_("`grades`"), N_("they belong at the top of the scheme")),
            "veto": (N_("a `veto`"), N_("it belongs at the top of the scheme")),
            "section": (N_("a `section`"), N_("sections hold items, not the other way round")),
            "item": (N_("an `item`"), N_("items stand in a section or the scheme")),
            "part": (N_("a `part`"), N_("parts belong inside an item")),
            "bonus": (N_("a `bonus`"), N_("a bonus stands in the scheme, a section or an item")),
            "target": (N_("a `target`"), N_("targets belong to an item or part")),
            "target_input": (N_("a `target`"), N_("targets belong to an item or part")),
            "assessed": (N_("`assessed`"), N_("it belongs to an item or part")),
            "assessed_each": (N_("`assessed`"), N_("it belongs to an item or part")),
            "assessed_adjustment": (
                N_("`assessed adjustment`"),
                N_("it belongs to an item or part"),
            ),
            "start_at": (N_("`start at`"), N_("it belongs to an item or part")),
            "better": (N_("`better`"), N_("it belongs to an item or part")),
            "owner_stmt": (N_("`owner`"), N_("owners belong to a section, item, part or bonus")),
            "support_stmt": (N_("`support`"), N_("supporting offices belong to a section or item")),
            "input_decl": (N_("an `input`"), N_("inputs are declared in the scheme or an item")),
            "example": (
                N_("an `example`"),
                N_("examples belong to the scheme, a section or an item"),
            ),
            "cohort_example": (
                N_("an `example cohort`"),
                N_("examples belong to the scheme, a section or an item"),
            ),
            "text": (N_("`text`"), N_("it belongs to a node")),
            "combine_formula": (
                N_("`combine`"),
                N_(
                    "it says how a section's children make its score; put the nodes it "
                    "combines in a section"
                ),
            ),
            "combine_table": (
                N_("`combine`"),
                N_(
                    "it says how a section's children make its score; put the nodes it "
                    "combines in a section"
                ),
            ),
        }
        if stmt.data in _LINE_KINDS:
            label, why = N_("a rule line"), N_("rule lines belong inside an item or part")
        elif stmt.data in _CLAUSE_KINDS:
            label, why = N_("a clause"), N_("clauses belong inside an item or part")
        else:
            label, why = what.get(stmt.data, (stmt.data, ""))
        message = _("{what} cannot stand in {where}: {why}")
        self.read.error(
            "misplaced",
            message.format(
                what=_(label) if label else label, where=where, why=_(why) if why else why
            ),
            stmt,
        )

    def node(self, tree: Tree[Token]) -> syntax.Section | syntax.Item:
        built = self._node(tree)
        body = self.read.trees(tree, "body")[0]
        supporters = list(self.owners(self.read.trees(tree, "supporters")))
        supporters.extend(self.owners(self.read.trees(body, "support_stmt")))
        return attrs.evolve(built, supporters=tuple(supporters)) if supporters else built

    def _node(self, tree: Tree[Token]) -> syntax.Section | syntax.Item:
        kind = str(tree.data)
        node_id = self.read.optional_name(tree)
        named = self.read.tokens(tree, "STRING")
        # A bonus inside an item may go unnamed (加分): it is that item's bonus.
        name = self.read.string(named[0]) if named else "加分"
        owners = self.owners(self.read.trees(tree, "owners"))
        body = self.read.trees(tree, "body")[0]
        maximum: syntax.Num | None = None
        deduct_cap: syntax.Num | None = None
        deductions_cap: syntax.Num | None = None
        uncapped = False
        for size in self.read.trees(tree):
            if size.data == "max_size":
                numbers = self.read.trees(size, "number")
                maximum = self.read.number(numbers[0])
                if len(numbers) > 1:
                    deductions_cap = self.read.number(numbers[1])
            elif size.data == "deduct_size":
                deduct_cap = self.read.number(self.read.trees(size, "number")[0])
            elif size.data == "deduct_open_size":
                uncapped = True
        if kind == "bonus":
            capped = self.read.trees(tree, "number")
            if capped:
                maximum = self.read.number(capped[0])
            else:
                uncapped = True
        if kind == "section":
            if uncapped:
                self.read.error(
                    "misplaced",
                    _(
                        "a section cannot be `deduct` without a cap; write `deduct at most N`, "
                        "or put the deductions in an item written `deduct`"
                    ),
                    tree,
                )
            return self.section(
                tree, node_id, name, maximum, deduct_cap, deductions_cap, owners, body
            )
        if deductions_cap is not None:
            self.read.error(
                "misplaced",
                _(
                    "`deductions at most` belongs to a section; an item that only "
                    "deducts is written `deduct at most N`"
                ),
                tree,
            )
        built = self.item(cast(Any, kind), tree, node_id, name, maximum, deduct_cap, owners, body)
        return attrs.evolve(built, uncapped=True) if uncapped else built

    def owners(self, trees: list[Tree[Token]]) -> tuple[str, ...]:
        names: list[str] = []
        for tree in trees:
            names.extend(self.read.string(token) for token in self.read.tokens(tree, "STRING"))
        return tuple(names)

    def section(
        self,
        tree: Tree[Token],
        node_id: str | None,
        name: str,
        maximum: syntax.Num | None,
        deduct_cap: syntax.Num | None,
        deductions_cap: syntax.Num | None,
        owners: tuple[str, ...],
        body: Tree[Token],
    ) -> syntax.Section:
        inputs: list[syntax.InputDecl] = []
        children: list[syntax.Section | syntax.Item] = []
        texts: list[str] = []
        examples: list[syntax.Example] = []
        owner_list = list(owners)
        combine: syntax.Combine | None = None
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
            elif kind in ("example", "cohort_example"):
                examples.append(self.lines.example(stmt))
            elif kind == "let":
                self.let(stmt)
            elif kind in ("combine_formula", "combine_table"):
                if combine is not None:
                    self.read.error("duplicate-statement", _("`combine` is given twice"), stmt)
                combine = self.combine(stmt)
            else:
                self.misplaced(stmt, f'section "{name}"')
        return syntax.Section(
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
            self.read.span(tree),
            combine=combine,
        )

    def item(
        self,
        kind: Literal["item", "part", "bonus"],
        tree: Tree[Token],
        node_id: str | None,
        name: str,
        maximum: syntax.Num | None,
        deduct_cap: syntax.Num | None,
        owners: tuple[str, ...],
        body: Tree[Token],
    ) -> syntax.Item:
        inputs: list[syntax.InputDecl] = []
        targets: list[syntax.Target] = []
        lines: list[syntax.Line] = []
        clauses: list[syntax.Clause] = []
        parts: list[syntax.Item] = []
        texts: list[str] = []
        examples: list[syntax.Example] = []
        owner_list = list(owners)
        start: syntax.Num | None = None
        assessed: syntax.Assessed | None = None
        adjustment: syntax.Adjustment | None = None
        better: Any = None
        where = f'{kind} "{name}"'
        for stmt in self.statements(body):
            data = stmt.data
            if data == "input_decl":
                inputs.append(self.input_decl(stmt))
            elif data in ("target", "target_input"):
                targets.append(self.target(stmt))
            elif data in _LINE_KINDS:
                lines.append(self.lines.line(stmt))
            elif data in _CLAUSE_KINDS:
                clauses.append(self.lines.clause(stmt))
            elif data in ("part", "bonus") and kind == "item":
                # An item's own bonus (加分项) stands beside its parts: it adds
                # to the scheme's total, not to the item.
                part = self.node(stmt)
                assert isinstance(part, syntax.Item)
                parts.append(part)
            elif data == "text":
                texts.append(self.text_stmt(stmt))
            elif data == "owner_stmt":
                owner_list.extend(self.owners([stmt]))
            elif data == "support_stmt":
                pass  # collected by node()
            elif data in ("example", "cohort_example"):
                examples.append(self.lines.example(stmt))
            elif data == "start_at":
                if start is not None:
                    self.read.error("duplicate-statement", _("`start at` is given twice"), stmt)
                start = self.read.number(self.read.trees(stmt, "number")[0])
            elif data in ("assessed", "assessed_each", "assessed_adjustment"):
                if assessed is not None or adjustment is not None:
                    self.read.error("duplicate-statement", _("`assessed` is given twice"), stmt)
                numbers = [self.read.number(number) for number in self.read.trees(stmt, "number")]
                if data == "assessed_adjustment":
                    adjustment = syntax.Adjustment(numbers[0], numbers[1], self.read.span(stmt))
                elif data == "assessed_each":
                    assessed = syntax.Assessed(
                        None,
                        self.read.span(stmt),
                        per_event=(numbers[0], numbers[1]),
                        events=str(self.read.tokens(stmt, "NAME")[0]),
                    )
                else:
                    assessed = syntax.Assessed(
                        numbers[0] if numbers else None, self.read.span(stmt)
                    )
            elif data == "better":
                better = str(stmt.children[-1])
            elif data == "let":
                self.let(stmt)
            elif data == "part":
                self.read.error(
                    "misplaced",
                    _(
                        "a `part` cannot stand in {where}: parts belong directly inside an item"
                    ).format(where=where),
                    stmt,
                )
            else:
                self.misplaced(stmt, where)
        return syntax.Item(
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
            self.read.span(tree),
            adjustment=adjustment,
        )

    def veto(self, tree: Tree[Token]) -> syntax.Veto:
        node_id = self.read.optional_name(tree)
        name = self.read.string(self.read.tokens(tree, "STRING")[0])
        test = self.lines.test(self.read.trees(tree, "test")[0])
        grade: str | None = None
        score: syntax.Num | None = None
        for effect in self.read.trees(tree):
            if effect.data == "veto_grade":
                grade = self.read.label(self.read.trees(effect, "label")[0])
            elif effect.data == "veto_score":
                score = self.read.number(self.read.trees(effect, "number")[0])
        owners = list(self.owners(self.read.trees(tree, "owners")))
        inputs: list[syntax.InputDecl] = []
        texts: list[str] = []
        for body in self.read.trees(tree, "body"):
            for stmt in self.statements(body):
                if stmt.data == "text":
                    texts.append(self.text_stmt(stmt))
                elif stmt.data == "owner_stmt":
                    owners.extend(self.owners([stmt]))
                elif stmt.data == "input_decl":
                    inputs.append(self.input_decl(stmt))
                else:
                    self.misplaced(stmt, f'veto "{name}"')
        return syntax.Veto(
            node_id,
            name,
            test,
            grade,
            score,
            tuple(owners),
            tuple(inputs),
            tuple(texts),
            self.read.span(tree),
        )

    def grade(self, tree: Tree[Token]) -> syntax.GradeBand:
        label = self.read.label(self.read.trees(tree, "label")[0])
        test = self.lines.expressions.test(self.read.trees(tree)[1])
        span = self.read.span(tree)
        if (
            isinstance(test, syntax.Test)
            and test.input == "total"
            and test.condition is not None
            and test.subject_expr is None
        ):
            return syntax.GradeBand(label, test.condition, span)
        # More than the total decides it: the condition stands for the text.
        return syntax.GradeBand(label, syntax.Otherwise(test.span, test.text), span, test)

    # --------------------------------------------------------- declarations

    def input_decl(self, tree: Tree[Token]) -> syntax.InputDecl:
        name = str(self.read.tokens(tree, "NAME")[0])
        headers = self.read.tokens(tree, "STRING")
        header = self.lines.label_of(headers[0]) if headers else None
        for levels in self.read.trees(tree, "levels"):
            labels = tuple(
                self.lines.label_of(token) for token in self.read.tokens(levels, "STRING")
            )
            return syntax.InputDecl(
                name, "level", None, self.read.span(tree), levels=labels, header=header
            )
        type_tree = self.read.trees(tree, "input_type")[0]
        words = "".join(str(token) for token in type_tree.children)
        type_ = cast(syntax.InputType, "yes/no" if words == "yes/no" else words)
        numbers = self.read.trees(tree, "number")
        precision = self.read.number(numbers[0]) if numbers else None
        low: syntax.Num | None = None
        high: syntax.Num | None = None
        for bound in self.read.trees(tree):
            if bound.data not in ("bound_low", "bound_high"):
                continue
            value = self.read.number(self.read.trees(bound, "number")[0])
            given = low if bound.data == "bound_low" else high
            if given is not None:
                words = "at least" if bound.data == "bound_low" else "at most"
                self.read.error(
                    "duplicate-statement",
                    _("`{words}` is given twice for `{name}`").format(words=words, name=name),
                    bound,
                )
            if bound.data == "bound_low":
                low = value
            else:
                high = value
        return syntax.InputDecl(
            name, type_, precision, self.read.span(tree), low, high, header=header
        )

    def target(self, tree: Tree[Token]) -> syntax.Target:
        span = self.read.span(tree)
        if tree.data == "target_input":
            # `target plan`: the value of another input of the same entity.
            names = [str(token) for token in self.read.tokens(tree, "NAME")]
            subject = names[0] if len(names) == 2 else None
            return syntax.Target(subject, None, span, source=names[-1])
        return syntax.Target(
            self.read.optional_name(tree),
            self.read.number(self.read.trees(tree, "number")[0]),
            span,
        )

    def text_stmt(self, tree: Tree[Token]) -> str:
        return "".join(self.read.string(token) for token in self.read.tokens(tree, "STRING"))


def build(source: Source, tree: Tree[Token]) -> tuple[syntax.Scheme, list[RuleError]]:
    """The AST of a parsed source, and the placement errors found building it.

    A tree nested deeper than :data:`MAX_DEPTH` is refused before it is
    built (:class:`RuleSemanticError` ``too-deep``).
    """
    _check_depth(source, tree)
    builder = Builder(source)
    scheme = builder.scheme(tree)
    return scheme, builder.read.errors


def _check_depth(source: Source, tree: Tree[Token]) -> None:
    """Refuse a parse tree whose blocks nest too deep, without recursing into it."""
    stack: list[tuple[Tree[Token], int]] = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if node.data in _NESTING:
            depth += 1
            if depth > MAX_DEPTH:
                keyword = node.children[0]
                assert isinstance(keyword, Token)
                raise RuleSemanticError(
                    "too-deep",
                    _(
                        "this {kind} is nested {depth} levels deep; sections, items and "
                        "parts nest at most {most} levels"
                    ).format(kind=node.data, depth=depth, most=MAX_DEPTH),
                    source=source,
                    span=TreeReader(source).span(keyword),
                    hint=_(
                        "a rule tree is rarely deeper than five levels: is a `}` missing "
                        "above this line?"
                    ),
                )
        stack.extend((child, depth) for child in node.children if isinstance(child, Tree))
