"""Semantic analysis of rule lines: subjects, conditions, outcomes, clauses and tests.

:class:`LineAnalyser` resolves the input each rule line tests and checks
what the line says against that input's type — a percent compared with a
count, a reversed or empty range, a `deduct` of a negative amount, an
unknown scorer or peer statistic — collecting :class:`RuleSemanticError`.
The analyser in :mod:`qualitykpi.analysis` extends it with the scheme's
inputs, ids and blocks.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from fractions import Fraction
from typing import TYPE_CHECKING, assert_never

import attrs

from . import syntax
from .errors import RuleError, RuleSemanticError
from .i18n import _
from .registry import BUILTIN_STATISTICS
from .source import Source, Span, narrow
from .values import as_fraction, level_key

if TYPE_CHECKING:
    from .registry import Extensions


#: How many distinct undefined names get a "did you mean" guess (see :meth:`LineAnalyser.closest`).
SUGGESTIONS = 50


class LineAnalyser:
    """Checks rule lines, clauses and tests against the declared ``inputs``."""

    def __init__(self, source: Source, environment: Extensions) -> None:
        self.environment = environment
        self.source = source
        self.errors: list[RuleError] = []
        self.inputs: dict[str, syntax.InputDecl] = {}
        #: Computed values (``let``, computed subjects) a line may test like inputs.
        self.lets: dict[str, syntax.InputDecl] = {}
        self._guesses: dict[str, str | None] = {}

    def error(self, code: str, message: str, span: Span, hint: str | None = None) -> None:
        self.errors.append(
            RuleSemanticError(code, message, source=self.source, span=span, hint=hint)
        )

    # --------------------------------------------------------------- inputs

    def lookup(self, name: str, span: Span) -> syntax.InputDecl | None:
        decl = self.inputs.get(name) or self.lets.get(name)
        if decl is None:
            close = self.closest(name)
            hint = (
                _("did you mean `{close}`?").format(close=close)
                if close
                else (
                    _("declare it with `input {name}: percent` (or count, number, yes/no)").format(
                        name=name
                    )
                )
            )
            self.error(
                "undefined-input",
                _("no input named `{name}` is declared").format(name=name),
                narrow(self.source, span, name),
                hint,
            )
        return decl

    def closest(self, name: str) -> str | None:
        """The declared input ``name`` most likely misspells, if any.

        Each guess compares the name with every input, so a file with
        thousands of misspelt names would take minutes: the first
        :data:`SUGGESTIONS` distinct names get a guess, the rest the plain
        hint, and a name asked for again is answered from memory.
        """
        if name in self._guesses:
            return self._guesses[name]
        guess = None
        if len(self._guesses) < SUGGESTIONS:
            known = [*self.inputs, *self.lets]
            close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
            guess = close[0] if close else None
            self._guesses[name] = guess
        return guess

    # ---------------------------------------------------------------- lines

    def subject(
        self, given: str | None, local: list[str], span: Span, where: str
    ) -> syntax.InputDecl | None:
        if given is not None:
            return self.lookup(given, span)
        if len(local) == 1:
            return self.lookup(local[0], span)
        if not local:
            self.error(
                "no-subject",
                _(
                    "this line tests no input: {where} declares none; declare one with "
                    "`input NAME: TYPE` or name it at the start of the line"
                ).format(where=where),
                span,
            )
        else:
            names = _(", ").join(f"`{name}`" for name in local)
            self.error(
                "ambiguous-subject",
                _(
                    "{where} has several inputs ({names}); name the one this line tests at "
                    "its start"
                ).format(where=where, names=names),
                span,
            )
        return None

    def line(
        self,
        line: syntax.Line,
        item: syntax.Item,
        local: list[str],
        targets: dict[str, syntax.Num | str],
        deduct_only: bool,
    ) -> syntax.Line:
        where = f'{item.kind} "{item.name}"'
        decl = self.subject(line.subject, local, line.span, where)
        if decl is None:
            return line
        match line:
            case syntax.BandLine():
                self.condition(line.condition, decl, targets)
                self.outcome(line.outcome, deduct_only)
            case syntax.EachLine():
                self.each_line(line, decl, targets, deduct_only)
            case syntax.CustomLine():
                self.custom_line(line, decl, deduct_only)
            case syntax.LinearLine():
                line.check(self, decl, deduct_only)
            case syntax.ScaledLine():
                self.scaled_line(line, decl, deduct_only)
            case _:
                assert_never(line)
        return line if line.subject == decl.name else attrs.evolve(line, subject=decl.name)

    def scaled_line(
        self, line: syntax.ScaledLine, decl: syntax.InputDecl, deduct_only: bool
    ) -> None:
        self.numeric(decl, line.span, "`scaled`")
        if line.low is not None and line.high is not None:
            self.number_for(line.low, decl)
            self.number_for(line.high, decl)
            if line.low.value == line.high.value:
                self.error(
                    "empty-range", _("`scaled from A to B` needs two different ends"), line.span
                )
        if deduct_only:
            self.error("deduct-only", _("a deduction-only item can only deduct"), line.span)

    def custom_line(
        self, line: syntax.CustomLine, decl: syntax.InputDecl, deduct_only: bool
    ) -> None:
        self.numeric(decl, line.span, f"`using {line.name}`")
        if deduct_only:
            self.error("deduct-only", _("a deduction-only item can only deduct"), line.span)
        kinds = self.environment.scorers
        kind = kinds.get(line.name)
        where = narrow(self.source, line.span, line.name)
        if kind is None:
            known = _(", ").join(f"`{name}`" for name in kinds) or _("none is registered")
            self.error(
                "unknown-scorer",
                _("no scorer named `{name}` is registered (known: {known})").format(
                    name=line.name, known=known
                ),
                where,
                self.environment.suggest(line.name, list(kinds))
                or _(
                    "a scorer comes from the program that loads the rule "
                    "(Environment.register_scorer) or from a plugin the qualitykpi command "
                    "loads; a rule file cannot define one"
                ),
            )
            return
        args: dict[str, Fraction] = {}
        for name, number in line.args:
            if name in args:
                self.error(
                    "bad-argument", _("`{name}` is given twice").format(name=name), number.span
                )
            self.number_for(number, decl)
            args[name] = as_fraction(number.value)
        try:
            kind.build(args)
        except (ValueError, TypeError, ArithmeticError) as error:
            self.error("bad-argument", str(error), line.span)

    def each_line(
        self,
        line: syntax.EachLine,
        decl: syntax.InputDecl,
        targets: dict[str, syntax.Num | str],
        deduct_only: bool,
    ) -> None:
        self.numeric(decl, line.span, "`each`")
        if line.unit.value <= 0:
            self.error(
                "bad-unit", _("the unit counted by `each` must be more than 0"), line.unit.span
            )
        self.number_for(line.unit, decl)
        if line.threshold is not None:
            self.number_for(line.threshold, decl)
        if line.reference == "missing" and isinstance(targets.get(decl.name), str):
            self.error(
                "target-input",
                _(
                    "`each missing` counts up to a fixed target; the target of `{name}` is "
                    "the input `{source}`, which differs entity by entity"
                ).format(name=decl.name, source=targets[decl.name]),
                line.span,
            )
        if line.reference == "missing" and decl.name not in targets and decl.type != "percent":
            self.error(
                "no-target",
                _(
                    "`each missing` counts up to the target of `{name}`, but it has none "
                    "(and only a percent has a top of its range)"
                ).format(name=decl.name),
                line.span,
            )
        if line.effect == "award" and line.reference in ("below", "missing"):
            self.error(
                "impossible-outcome",
                _(
                    "an award counts units above a threshold or from zero (`each 1 above "
                    "90 → award 0.5`); below it, deduct"
                ),
                line.span,
            )
        if line.effect == "award" and deduct_only:
            self.error("deduct-only", _("a deduction-only item can only deduct"), line.span)
        if line.amount.value < 0:
            self.error(
                "negative-points",
                _("write a positive amount; `deduct` already subtracts"),
                line.amount.span,
            )
        for points in (line.amount, line.cap, line.floor):
            if points is not None and points.percent:
                self.error(
                    "percent-literal", _("points are not a percentage; drop the `%`"), points.span
                )

    def outcome(self, outcome: syntax.Outcome, deduct_only: bool) -> None:
        if isinstance(outcome, syntax.Deduct | syntax.Fixed):
            number = outcome.amount if isinstance(outcome, syntax.Deduct) else outcome.value
            if number.percent:
                self.error(
                    "percent-literal", _("points are not a percentage; drop the `%`"), number.span
                )
            if isinstance(outcome, syntax.Deduct) and number.value < 0:
                self.error(
                    "negative-points",
                    _("write a positive amount; `deduct` already subtracts"),
                    number.span,
                )
            if deduct_only and isinstance(outcome, syntax.Fixed) and number.value > 0:
                self.error(
                    "deduct-only",
                    _("a deduction-only item scores between −cap and 0"),
                    outcome.span,
                )

    def numeric(self, decl: syntax.InputDecl, span: Span, what: str) -> bool:
        if decl.type == "yes/no":
            self.error(
                "type-mismatch",
                _(
                    "{what} needs a number, but `{name}` is yes/no; test it with `yes` or `no`"
                ).format(what=what, name=decl.name),
                span,
            )
            return False
        if decl.type == "level":
            first = decl.levels[0] if decl.levels else '"…"'
            listed = _(", ").join(str(label) for label in decl.levels)
            self.error(
                "type-mismatch",
                _(
                    "{what} needs a number, but `{name}` is a level (one of {listed}); "
                    "test it with `= {first}` or `in ({first}, …)`"
                ).format(what=what, name=decl.name, listed=listed, first=first),
                span,
            )
            return False
        return True

    def level_of(self, label: syntax.Label, decl: syntax.InputDecl) -> int | None:
        if not decl.levels:
            return None  # an empty list: reported with the declaration
        key = level_key(label.value)
        for index, known in enumerate(decl.levels):
            if level_key(known.value) == key:
                return index
        listed = _(", ").join(str(known) for known in decl.levels)
        close = difflib.get_close_matches(
            label.value, [known.value for known in decl.levels], n=1, cutoff=0.5
        )
        self.error(
            "unknown-level",
            _("{label} is not one of the levels of `{name}` ({listed})").format(
                label=label, name=decl.name, listed=listed
            ),
            label.span,
            _('did you mean "{guess}"?').format(guess=close[0])
            if close
            else _(
                "`{name}` is declared on line {line}; add the level there if it is missing"
            ).format(name=decl.name, line=decl.span.line),
        )
        return None

    def number_for(self, number: syntax.Num, decl: syntax.InputDecl) -> None:
        if number.percent and decl.name in self.lets:
            return  # a plain computed value (a ratio) compared with 10% is compared with 0.1
        if number.percent and decl.type != "percent":
            self.error(
                "percent-literal",
                _(
                    "`{text}` is a percentage, but `{name}` is a {type}; write the number "
                    "without `%`"
                ).format(text=number.text, name=decl.name, type=decl.type),
                number.span,
            )

    def condition(
        self,
        condition: syntax.Condition,
        decl: syntax.InputDecl,
        targets: Mapping[str, syntax.Num | str] | None,
    ) -> None:
        condition.check(self, decl, targets)

    def target_for(
        self, decl: syntax.InputDecl, targets: Mapping[str, syntax.Num | str] | None, span: Span
    ) -> None:
        if targets is not None and decl.name not in targets:
            self.error(
                "no-target",
                _(
                    "this line compares `{name}` with its target, but no target is set; "
                    "add `target VALUE` to the item"
                ).format(name=decl.name),
                span,
            )

    def statistic(self, stat: str, span: Span) -> None:
        registered = self.environment.statistics
        if stat in BUILTIN_STATISTICS or stat in registered:
            return
        known = [*BUILTIN_STATISTICS, *registered]
        self.error(
            "unknown-statistic",
            _(
                "no peer statistic named `{stat}`; the built-in ones are mean, median, max and min"
            ).format(stat=stat),
            narrow(self.source, span, stat),
            self.environment.suggest(stat, known)
            or _(
                "a statistic comes from the program that loads the rule "
                "(Environment.register_statistic) or from a plugin the qualitykpi "
                "command loads"
            ),
        )

    def interval(self, interval: syntax.Interval, decl: syntax.InputDecl) -> None:
        self.number_for(interval.low, decl)
        self.number_for(interval.high, decl)
        self.range_order(interval)

    def range_order(self, interval: syntax.Interval) -> None:
        """A range that runs backwards, or holds no value, in a table or a grade band."""
        low, high = interval.low.value, interval.high.value
        if low > high:
            fixed = (
                f"{interval.high.text}–{interval.low.text}"
                if interval.shorthand
                else f"[{interval.high.text}, {interval.low.text}]"
            )
            self.error(
                "reversed-range",
                _(
                    "the range `{text}` runs backwards: its first number is the larger; "
                    "write `{fixed}`"
                ).format(text=interval.text, fixed=fixed),
                interval.span,
            )
        elif low == high and not (interval.low_closed and interval.high_closed):
            self.error(
                "empty-range",
                _("the range `{text}` holds no value; for one value write `= {low}`").format(
                    text=interval.text, low=interval.low.text
                ),
                interval.span,
            )

    def clause(
        self, clause: syntax.Clause, targets: dict[str, syntax.Num | str], deduct_only: bool
    ) -> None:
        if clause.amount.percent:
            self.error(
                "percent-literal",
                _("points are not a percentage; drop the `%`"),
                clause.amount.span,
            )
        if clause.amount.value < 0:
            self.error(
                "negative-points",
                _("write a positive amount; `{effect}` says which way it goes").format(
                    effect=clause.effect
                ),
                clause.amount.span,
            )
        if clause.effect == "award" and deduct_only:
            self.error("deduct-only", _("a deduction-only item can only deduct"), clause.span)
        if isinstance(clause, syntax.EachClause) and clause.cap is not None and clause.cap.percent:
            self.error(
                "percent-literal", _("points are not a percentage; drop the `%`"), clause.cap.span
            )
        if isinstance(clause, syntax.IfClause):
            self.test(clause.test, targets)
            return
        decl = self.lookup(clause.input, clause.span)
        if decl is None or not self.numeric(decl, clause.span, "`for each`"):
            return
        if clause.unit is not None:
            if clause.unit.value <= 0:
                self.error(
                    "bad-unit",
                    _("the unit counted by `for each` must be more than 0"),
                    clause.unit.span,
                )
            self.number_for(clause.unit, decl)
        if clause.beyond is not None:
            self.number_for(clause.beyond, decl)

    def test(self, test: syntax.Test, targets: dict[str, syntax.Num | str] | None) -> None:
        if test.joined is not None:
            for leaf in leaves(test.joined):
                self.test(leaf, targets)
            return
        decl = self.lookup(test.input, test.span)
        if decl is None:
            return
        if test.condition is None:
            if decl.type != "yes/no":
                example = (
                    f"{test.input} = {decl.levels[0]}"
                    if decl.type == "level" and decl.levels
                    else f"{test.input} at least 1"
                )
                self.error(
                    "type-mismatch",
                    _(
                        "`{input}` is a {type}, not yes/no; say what to test, e.g. `{example}`"
                    ).format(input=test.input, type=decl.type, example=example),
                    test.span,
                )
        else:
            self.condition(test.condition, decl, targets)


def leaves(test: syntax.TestExpr) -> list[syntax.Test]:
    """The single tests of tests joined with `and`, `or`, `not`."""
    if isinstance(test, syntax.Test):
        return [test]
    if isinstance(test, syntax.Junction):
        return [leaf for part in test.tests for leaf in leaves(part)]
    return leaves(test.test)
