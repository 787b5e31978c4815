"""The syntax tree's declarations and structure: inputs, targets, examples, nodes.

Split from :mod:`qualitykpi.syntax` (which re-exports every name here): the
conditions, outcomes, lines and clauses are there, the blocks that hold them
here.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Literal

import attrs

from .source import Source, Span

if TYPE_CHECKING:
    from .syntax import (
        Clause,
        Combine,
        Condition,
        InputType,
        Label,
        Let,
        Line,
        Stat,
        Test,
        TestExpr,
    )
    from .syntax_expressions import Num


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
    #: A level input's list (``one of "完整", "部分", "未建立"``), in order.
    levels: tuple[Label, ...] = ()
    #: The column header the offices use (``"制造业产品质量合格率（%）"``), if declared.
    header: Label | None = None

    def level_labels(self) -> tuple[str, ...]:
        return tuple(label.value for label in self.levels)


@attrs.frozen
class Target:
    """``target [INPUT] VALUE``, or ``target [INPUT] OTHER``: the value of another
    input of the same entity (its own target from its 任务书)."""

    input: str | None
    value: Num | None
    span: Span
    source: str | None = None


@attrs.frozen
class Assessed:
    """``assessed``, ``assessed deduction at most C`` or
    ``assessed deduction A–B for each NAME``."""

    deduction_cap: Num | None
    span: Span
    #: ``A–B for each NAME``: the deduction per event, and the input counting the events.
    per_event: tuple[Num, Num] | None = None
    events: str | None = None


@attrs.frozen
class Adjustment:
    """``assessed adjustment A–B``: the assessor's adjustment to a computed score."""

    low: Num
    high: Num
    span: Span


@attrs.frozen
class Assignment:
    """``NAME = VALUE`` in an example; ``value`` None means ``no data``, a
    :class:`Label` a level."""

    name: str
    value: Num | bool | Label | None
    span: Span


@attrs.frozen
class PeerValue:
    """``[INPUT] peer STAT V`` after ``given`` in an example, or ``[INPUT] rank R of N``
    (``stat`` is ``rank``, ``size`` N)."""

    input: str | None
    stat: Stat
    value: Num
    span: Span
    size: Num | None = None


@attrs.frozen
class Example:
    assignments: tuple[Assignment, ...]
    peers: tuple[PeerValue, ...]
    score: Num | None
    grade: str | None
    span: Span
    text: str
    #: ``example cohort { … }``: one row per entity (the fields above are empty).
    rows: tuple[CohortRow, ...] = ()


@attrs.frozen
class CohortRow:
    """``甲: drop = 5%, awards = 6 → 10`` in ``example cohort { … }``."""

    entity: str
    assignments: tuple[Assignment, ...]
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
    ``uncapped`` marks the forms the source gives no cap: a deduction-only
    item written ``deduct`` alone, a bonus without ``at most``.
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
    adjustment: Adjustment | None = None
    uncapped: bool = False

    @property
    def is_task(self) -> bool:
        """Written without `max`: a responsibility (责任事项) worth no points."""
        return (
            self.kind == "item"
            and self.max is None
            and self.deduct_cap is None
            and not self.uncapped
        )

    @property
    def deduct_only(self) -> bool:
        """``deduct at most C`` or ``deduct``: it only takes points away."""
        return self.deduct_cap is not None or (self.uncapped and self.kind != "bonus")


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
    combine: Combine | None = None

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
    #: More than a condition on the total: ``at least 90 and score of key at least 60%``.
    test: TestExpr | None = None


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
    #: ``total rounded to N places``: the places the total is rounded to, half up.
    total_places: int | None = None
    #: Every ``let`` of the file, and the computed subjects named by their text.
    lets: tuple[Let, ...] = ()


def walk_nodes(nodes: tuple[Section | Item, ...]) -> Iterator[Section | Item]:
    """Every section and item under ``nodes``, parents first."""
    for node in nodes:
        yield node
        if isinstance(node, Section):
            yield from walk_nodes(node.children)
        else:
            yield from walk_nodes(node.parts)
