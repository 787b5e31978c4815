"""The typed syntax tree of a rule file.

Frozen attrs classes, separate from Lark's parse tree; every node keeps the
span it came from so that diagnostics, traces and explanations can point at
the rule line.  Numbers are exact ``Decimal`` values as written.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal, TypeAlias

import attrs

from .source import Source, Span

Op: TypeAlias = Literal[">=", "<=", ">", "<", "="]
#: ``mean``, ``median``, ``max``, ``min``, or a statistic the host registered.
Stat: TypeAlias = str
Mode: TypeAlias = Literal["pro rata", "whole", "started"]
InputType: TypeAlias = Literal["percent", "count", "number", "yes/no"]


@attrs.frozen
class Num:
    """A number as written: its exact value, and whether it had a ``%``."""

    value: Decimal
    percent: bool
    span: Span
    text: str

    def __str__(self) -> str:
        return self.text


# ------------------------------------------------------------------ conditions


@attrs.frozen
class Compare:
    """``at least A``, ``more than A``, ``= A`` ... (``op`` is the relation x op A)."""

    op: Op
    value: Num
    span: Span
    text: str


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


@attrs.frozen
class UpTo:
    """``up to B`` inside ``below target by``: 0 < d ≤ B."""

    value: Num
    span: Span
    text: str


@attrs.frozen
class PeerCompare:
    """``at least K% of peer mean`` and kin."""

    op: Op
    factor: Num
    stat: Stat
    span: Span
    text: str


@attrs.frozen
class MeetsTarget:
    span: Span
    text: str = "meets target"


@attrs.frozen
class TargetDelta:
    """``below target by R points`` / ``above target by R points``."""

    direction: Literal["below", "above"]
    delta: Compare | Interval | UpTo
    span: Span
    text: str


@attrs.frozen
class NoData:
    span: Span
    text: str = "no data"


@attrs.frozen
class Otherwise:
    span: Span
    text: str = "otherwise"


@attrs.frozen
class YesNo:
    value: bool
    span: Span
    text: str


Condition: TypeAlias = (
    Compare | Interval | PeerCompare | MeetsTarget | TargetDelta | NoData | Otherwise | YesNo
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


Outcome: TypeAlias = Full | Fixed | Deduct

# ----------------------------------------------------------------------- lines


@attrs.frozen
class BandLine:
    """``[SUBJECT] CONDITION → OUTCOME``."""

    subject: str | None
    condition: Condition
    outcome: Outcome
    span: Span
    text: str


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


Line: TypeAlias = BandLine | EachLine | ScaledLine | CustomLine

# --------------------------------------------------------------------- clauses


@attrs.frozen
class Test:
    """What a clause or veto tests: a yes/no input, ``not`` one, or INPUT CONDITION."""

    negate: bool
    input: str
    condition: Condition | None
    span: Span
    text: str


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

# ---------------------------------------------------------------- declarations


@attrs.frozen
class InputDecl:
    name: str
    type: InputType
    precision: Num | None
    span: Span
    #: ``at least A`` / ``at most B`` after the type: the values the data may hold.
    low: Num | None = None
    high: Num | None = None


@attrs.frozen
class Target:
    input: str | None
    value: Num
    span: Span


@attrs.frozen
class Assessed:
    """``assessed`` or ``assessed deduction at most C``."""

    deduction_cap: Num | None
    span: Span


@attrs.frozen
class Assignment:
    """``NAME = VALUE`` in an example; ``value`` None means ``no data``."""

    name: str
    value: Num | bool | None
    span: Span


@attrs.frozen
class PeerValue:
    """``[INPUT] peer STAT V`` after ``given`` in an example."""

    input: str | None
    stat: Stat
    value: Num
    span: Span


@attrs.frozen
class Example:
    assignments: tuple[Assignment, ...]
    peers: tuple[PeerValue, ...]
    score: Num | None
    grade: str | None
    span: Span
    text: str


# ------------------------------------------------------------------- structure


@attrs.frozen
class Item:
    """An item, a part (``kind="part"``) or a bonus (``kind="bonus"``).

    ``max`` is the points it is worth (0 for a deduction-only item, the cap
    for a bonus); ``deduct_cap`` is set for ``deduct at most C`` items.
    """

    kind: Literal["item", "part", "bonus"]
    id: str | None
    name: str
    max: Num | None
    deduct_cap: Num | None
    owners: tuple[str, ...]
    inputs: tuple[InputDecl, ...]
    targets: tuple[Target, ...]
    lines: tuple[Line, ...]
    clauses: tuple[Clause, ...]
    start: Num | None
    assessed: Assessed | None
    better: Literal["higher", "lower"] | None
    parts: tuple[Item, ...]
    texts: tuple[str, ...]
    examples: tuple[Example, ...]
    span: Span
    supporters: tuple[str, ...] = ()

    @property
    def is_task(self) -> bool:
        """Written without `max`: a responsibility (责任事项) worth no points."""
        return self.kind == "item" and self.max is None and self.deduct_cap is None


@attrs.frozen
class Section:
    id: str | None
    name: str
    max: Num | None
    deduct_cap: Num | None
    deductions_cap: Num | None
    owners: tuple[str, ...]
    inputs: tuple[InputDecl, ...]
    children: tuple[Section | Item, ...]
    texts: tuple[str, ...]
    examples: tuple[Example, ...]
    span: Span
    supporters: tuple[str, ...] = ()

    @property
    def is_task(self) -> bool:
        """Written without `max`: a group of responsibilities worth no points."""
        return self.max is None and self.deduct_cap is None


@attrs.frozen
class Veto:
    id: str | None
    name: str
    test: Test
    grade: str | None
    score: Num | None
    owners: tuple[str, ...]
    inputs: tuple[InputDecl, ...]
    texts: tuple[str, ...]
    span: Span


@attrs.frozen
class GradeBand:
    label: str
    condition: Condition
    span: Span


@attrs.frozen
class Scheme:
    name: str
    total: Num | None
    plus_bonus: bool
    grades: tuple[GradeBand, ...]
    inputs: tuple[InputDecl, ...]
    vetoes: tuple[Veto, ...]
    children: tuple[Section | Item, ...]
    texts: tuple[str, ...]
    examples: tuple[Example, ...]
    span: Span
    source: Source = attrs.field(repr=False)
