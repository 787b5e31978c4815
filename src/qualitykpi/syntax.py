"""The typed syntax tree of a rule file.

Frozen attrs classes, separate from Lark's parse tree; every node keeps the
span it came from so that diagnostics, traces and explanations can point at
the rule line.  Numbers are exact ``Decimal`` values as written.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from itertools import pairwise
from typing import Literal, Protocol, TypeAlias, assert_never

import attrs

from .i18n import _
from .nodes import conditions, scaling, targets
from .source import Span
from .syntax_expressions import CompareExpr, Expr, Formula, Num
from .syntax_structure import (
    Adjustment,
    Assessed,
    Assignment,
    CohortRow,
    Example,
    GradeBand,
    InputDecl,
    Item,
    PeerValue,
    Scheme,
    Section,
    Target,
    Veto,
)
from .values import as_fraction, level_key

# Re-exported: one syntax tree, for the modules that read it.
__all__ = [
    "Adjustment",
    "Assessed",
    "Assignment",
    "CohortRow",
    "CompareExpr",
    "Example",
    "Expr",
    "Formula",
    "GradeBand",
    "InputDecl",
    "Item",
    "Num",
    "PeerValue",
    "Scheme",
    "Section",
    "Target",
    "Veto",
]

Op: TypeAlias = Literal[">=", "<=", ">", "<", "="]
#: ``mean``, ``median``, ``max``, ``min``, or a statistic the host registered.
Stat: TypeAlias = str
Mode: TypeAlias = Literal["pro rata", "whole", "started"]
InputType: TypeAlias = Literal["percent", "count", "number", "yes/no", "level"]


@attrs.frozen
class Label:
    """A level as written in quotes (``"完整"``): in ``one of``, a test or an example."""

    value: str
    span: Span

    def __str__(self) -> str:
        return f'"{self.value}"'


# ------------------------------------------------------------------ conditions
#
# Each condition says, once, what the analysis checks of it (``check``, asking
# a :class:`Checker` for the shared checks) and which scorer condition it
# means (``compile``); the analysis and the compiler only ask it.


#: Each input's target, as the analysis resolved it: a number, or the name of
#: the input that holds it (``target plan``); None where there are none.
Targets: TypeAlias = "Mapping[str, Num | str] | None"


class Checker(Protocol):
    """What a condition's :meth:`check` may ask of the analysis."""

    def error(self, code: str, message: str, span: Span, hint: str | None = None) -> None: ...

    def numeric(self, decl: InputDecl, span: Span, what: str) -> bool:
        """Whether ``decl`` is numeric (else an error saying ``what`` needs a number)."""
        ...

    def number_for(self, number: Num, decl: InputDecl) -> None:
        """A number compared with ``decl`` (a ``%`` only on a percent input)."""
        ...

    def interval(self, interval: Interval, decl: InputDecl) -> None: ...

    def statistic(self, stat: str, span: Span) -> None:
        """A peer statistic that is built in or registered."""
        ...

    def target_for(self, decl: InputDecl, targets: Targets, span: Span) -> None:
        """An input compared with its target has one."""
        ...

    def level_of(self, label: Label, decl: InputDecl) -> int | None:
        """The index of ``label`` among the levels of ``decl`` (else an error saying
        which levels there are)."""
        ...


def _range(op: Op, value: Fraction) -> conditions.Range:
    match op:
        case ">=":
            return conditions.Range(value, None, True, True)
        case ">":
            return conditions.Range(value, None, False, True)
        case "<=":
            return conditions.Range(None, value, True, True)
        case "<":
            return conditions.Range(None, value, True, False)
        case "=":
            return conditions.Range(value, value, True, True)
        case _:
            assert_never(op)


@attrs.frozen
class Compare:
    """``at least A``, ``more than A``, ``= A`` ... (``op`` is the relation x op A)."""

    op: Op
    value: Num
    span: Span
    text: str

    def check(self, checker: Checker, decl: InputDecl, targets: Targets) -> None:
        if checker.numeric(decl, self.span, f"`{self.text}`"):
            checker.number_for(self.value, decl)

    def compile(self) -> conditions.Range:
        return _range(self.op, as_fraction(self.value.value))


@attrs.frozen
class Interval:
    """``A–B`` (shorthand: A excluded, B included) or ``[A, B)`` and kin."""

    low: Num
    high: Num
    low_closed: bool
    high_closed: bool
    shorthand: bool
    span: Span
    text: str

    def check(self, checker: Checker, decl: InputDecl, targets: Targets) -> None:
        if checker.numeric(decl, self.span, f"`{self.text}`"):
            checker.interval(self, decl)

    def compile(self) -> conditions.Range:
        low, high = as_fraction(self.low.value), as_fraction(self.high.value)
        return conditions.Range(low, high, self.low_closed, self.high_closed)


@attrs.frozen
class UpTo:
    """``up to B`` inside ``below target by``: 0 < d ≤ B."""

    value: Num
    span: Span
    text: str

    def compile(self) -> conditions.Range:
        return conditions.Range(0, as_fraction(self.value.value), False, True)


@attrs.frozen
class PeerCompare:
    """``at least K% of peer mean`` and kin."""

    op: Op
    factor: Num
    stat: Stat
    span: Span
    text: str

    def check(self, checker: Checker, decl: InputDecl, targets: Targets) -> None:
        if not checker.numeric(decl, self.span, f"`{self.text}`"):
            return
        checker.statistic(self.stat, self.span)
        if not self.factor.percent:
            checker.error(
                "peer-share",
                _(
                    "write the share of the peer {stat} as a percentage: "
                    "`{number}%` (120% of the mean is `120%`)"
                ).format(stat=self.stat, number=self.factor.text),
                self.factor.span,
            )
        if self.factor.value < 0:
            checker.error(
                "negative-points",
                _("a share of the peer statistic cannot be negative"),
                self.factor.span,
            )

    def compile(self) -> conditions.PeerRelative:
        return conditions.PeerRelative(self.op, as_fraction(self.factor.value) / 100, self.stat)


@attrs.frozen
class MeetsTarget:
    span: Span
    text: str = "meets target"

    def check(self, checker: Checker, decl: InputDecl, targets: Targets) -> None:
        if checker.numeric(decl, self.span, f"`{self.text}`"):
            checker.target_for(decl, targets, self.span)

    def compile(self) -> targets.MeetsTarget:
        return targets.MeetsTarget()


@attrs.frozen
class TargetDelta:
    """``below target by R points`` / ``above target by R points``."""

    direction: Literal["below", "above"]
    delta: Compare | Interval | UpTo
    span: Span
    text: str

    def check(self, checker: Checker, decl: InputDecl, targets: Targets) -> None:
        if not checker.numeric(decl, self.span, f"`{self.text}`"):
            return
        checker.target_for(decl, targets, self.span)
        if isinstance(self.delta, Interval):
            checker.interval(self.delta, decl)
        else:
            checker.number_for(self.delta.value, decl)

    def compile(self) -> targets.OffTarget:
        return targets.OffTarget(self.direction, self.delta.compile())


@attrs.frozen
class WithinTarget:
    """``within D points of target``: at most D away from the target, either way."""

    distance: Num
    span: Span
    text: str

    def check(self, checker: Checker, decl: InputDecl, targets: Targets) -> None:
        if not checker.numeric(decl, self.span, f"`{self.text}`"):
            return
        checker.target_for(decl, targets, self.span)
        checker.number_for(self.distance, decl)
        if self.distance.value < 0:
            checker.error(
                "negative-points", _("a distance from the target cannot be negative"), self.span
            )

    def compile(self) -> targets.WithinTarget:
        return targets.WithinTarget(as_fraction(self.distance.value))


@attrs.frozen
class NoData:
    span: Span
    text: str = "no data"

    def check(self, checker: Checker, decl: InputDecl, targets: Targets) -> None:
        pass  # any input may be absent

    def compile(self) -> conditions.NoData:
        return conditions.NoData()


@attrs.frozen
class Otherwise:
    span: Span
    text: str = "otherwise"

    def check(self, checker: Checker, decl: InputDecl, targets: Targets) -> None:
        pass  # holds for every value of any input

    def compile(self) -> conditions.Otherwise:
        return conditions.Otherwise()


@attrs.frozen
class YesNo:
    value: bool
    span: Span
    text: str

    def check(self, checker: Checker, decl: InputDecl, targets: Targets) -> None:
        if decl.type != "yes/no":
            checker.error(
                "type-mismatch",
                _("`{test}` tests a yes/no input, but `{input}` is a {type}").format(
                    test=self.text, input=decl.name, type=decl.type
                ),
                self.span,
            )

    def compile(self) -> conditions.IsYes:
        return conditions.IsYes(self.value)


@attrs.frozen
class LevelTest:
    """``= "完整"`` or ``in ("部分", "未建立")``: a level input holds one of these."""

    labels: tuple[Label, ...]
    span: Span
    text: str

    def check(self, checker: Checker, decl: InputDecl, targets: Targets) -> None:
        if decl.type != "level":
            checker.error(
                "type-mismatch",
                _(
                    '`{test}` tests a level (an input `one of "…", "…"`), but `{input}` is a {type}'
                ).format(test=self.text, input=decl.name, type=decl.type),
                self.span,
                hint=_(
                    "compare a number with `at least`, `more than`, `=` … and a number "
                    "without quotes"
                ),
            )
            return
        seen: set[int] = set()
        for label in self.labels:
            index = checker.level_of(label, decl)
            if index is not None and index in seen:
                checker.error(
                    "level-list", _("{level} is listed twice").format(level=label), label.span
                )
            if index is not None:
                seen.add(index)

    def compile(self, decl: InputDecl) -> conditions.OneOf:
        levels = decl.level_labels()
        keys = [level_key(level) for level in levels]
        chosen = {keys.index(level_key(label.value)) for label in self.labels}
        return conditions.OneOf(levels, tuple(sorted(chosen)))


Condition: TypeAlias = (
    Compare
    | CompareExpr
    | Interval
    | PeerCompare
    | MeetsTarget
    | TargetDelta
    | WithinTarget
    | NoData
    | Otherwise
    | YesNo
    | LevelTest
)

# -------------------------------------------------------------------- outcomes


@attrs.frozen
class Full:
    span: Span
    text: str = "full"


@attrs.frozen
class Fixed:
    """``→ N`` or ``award N``: the score is N."""

    value: Num
    span: Span
    text: str


@attrs.frozen
class Deduct:
    """``deduct N``: the score is max − N."""

    amount: Num
    span: Span
    text: str


Outcome: TypeAlias = Full | Fixed | Deduct | Formula

# ----------------------------------------------------------------------- lines


@attrs.frozen
class BandLine:
    """``[SUBJECT] CONDITION → OUTCOME``; ``→ OUTCOME`` alone (``always``) holds for
    every entity."""

    subject: str | None
    condition: Condition
    outcome: Outcome
    span: Span
    text: str
    #: A computed subject (``pass − previous pass``); ``subject`` is then its name.
    subject_expr: Expr | None = None
    always: bool = False


@attrs.frozen
class EachLine:
    """``each [whole|started] U [below T|above T] → deduct|award P [, at most C] [, floor F]``.

    ``reference`` is ``missing`` for ``each missing U`` and ``None`` for
    ``each U`` (counted from zero).
    """

    subject: str | None
    mode: Mode
    unit: Num
    reference: Literal["below", "above", "missing"] | None
    threshold: Num | None
    effect: Literal["deduct", "award"]
    amount: Num
    cap: Num | None
    floor: Num | None
    span: Span
    text: str


@attrs.frozen
class ScaledLine:
    """``scaled from A to B`` or, with ``low`` None, ``scaled to peer max``."""

    subject: str | None
    low: Num | None
    high: Num | None
    span: Span
    text: str


@attrs.frozen
class CustomLine:
    """``using NAME with A = 1, B = 2``: a scorer the host program registered."""

    subject: str | None
    name: str
    args: tuple[tuple[str, Num], ...]
    span: Span
    text: str


@attrs.frozen
class LinearLine:
    """``→ linear through (x1, y1), (x2, y2), …``: scores on straight lines between
    the points, the first score below the first point and the last above the last."""

    subject: str | None
    points: tuple[tuple[Num, Num], ...]
    span: Span
    text: str

    def check(self, checker: Checker, decl: InputDecl, deduct_only: bool) -> None:
        if not checker.numeric(decl, self.span, "`linear through`"):
            return
        for x, y in self.points:
            checker.number_for(x, decl)
            if y.percent:
                checker.error(
                    "percent-literal",
                    _("scores are points, not a percentage; drop the `%`"),
                    y.span,
                )
        values = [x.value for x, _score in self.points]
        if any(later <= earlier for earlier, later in pairwise(values)):
            checker.error(
                "linear-order",
                _(
                    "the points of `linear through` go from the lowest value to the highest, "
                    "each value once"
                ),
                self.span,
            )
        if deduct_only and any(y.value > 0 for _value, y in self.points):
            checker.error("deduct-only", _("a deduction-only item can only deduct"), self.span)

    def compile(self, subject: str) -> scaling.Linear:
        points = tuple((as_fraction(x.value), as_fraction(y.value)) for x, y in self.points)
        return scaling.Linear(points, subject, self.text, self.span.line)


Line: TypeAlias = BandLine | EachLine | ScaledLine | CustomLine | LinearLine

# --------------------------------------------------------------------- clauses


@attrs.frozen
class Test:
    """What a clause or veto tests: a yes/no input, ``not`` one, or INPUT CONDITION."""

    negate: bool
    input: str
    condition: Condition | None
    span: Span
    text: str
    #: A computed subject (``a + b at least 3``); ``input`` is then its name.
    subject_expr: Expr | None = None
    #: Several conditions joined (``a at least 1 and b yes``); ``input`` is then its name.
    joined: Junction | Negation | None = None


@attrs.frozen
class Junction:
    """Tests joined: ``A and B``, ``A or B``."""

    op: Literal["and", "or"]
    tests: tuple[TestExpr, ...]
    span: Span
    text: str


@attrs.frozen
class Negation:
    """``not (A or B)``."""

    test: TestExpr
    span: Span
    text: str


TestExpr: TypeAlias = Test | Junction | Negation


@attrs.frozen
class Let:
    """``let NAME = EXPR``; an implicit one names a computed subject by its text."""

    name: str
    expr: Expr
    span: Span
    text: str
    implicit: bool = False


@attrs.frozen
class CombineLine:
    """A line of ``combine { … }``: when ``test`` holds (None: ``otherwise``), ``expr``."""

    test: TestExpr | None
    expr: Expr
    span: Span
    text: str


@attrs.frozen
class Combine:
    """How a section's children combine, instead of summing: ``combine → EXPR`` or
    ``combine { TEST → EXPR … }``."""

    lines: tuple[CombineLine, ...]
    span: Span


@attrs.frozen
class IfClause:
    """``deduct N if TEST`` / ``award N if TEST``."""

    effect: Literal["deduct", "award"]
    amount: Num
    test: Test
    span: Span
    text: str


@attrs.frozen
class EachClause:
    """``deduct N for each [whole|started] [U of] INPUT [beyond T] [, at most C]``."""

    effect: Literal["deduct", "award"]
    amount: Num
    mode: Mode
    unit: Num | None
    input: str
    beyond: Num | None
    cap: Num | None
    span: Span
    text: str


Clause: TypeAlias = IfClause | EachClause
