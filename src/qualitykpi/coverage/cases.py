"""The records of ``qualitykpi test --coverage``, and how they are written.

A :class:`Case` is one thing a rule's examples should try, a :class:`Stub`
the ``example`` line suggested for it.  The helpers write values, example
lines, nodes and rule lines the way the report shows them.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction

import attrs

from ..i18n import N_, _
from ..nodes.tree import Item, Section
from ..values import InputSpec, Value, fmt

Node = Section | Item


# ================================================================ formatting


def show_value(value: Value, spec: InputSpec | None) -> str:
    """A value as an ``example`` line writes it: ``87.2%``, ``3``, ``yes``, ``no data``."""
    if value is None:
        return "no data"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if spec is not None and spec.type == "level":
        return spec.show(value)
    percent = spec is not None and spec.type == "percent"
    return fmt(value) + ("%" if percent else "")


def example_line(
    values: Mapping[str, Value],
    peers: Mapping[str, Mapping[str, Fraction]],
    specs: Mapping[str, InputSpec],
    expected: str,
) -> str:
    """``example NAME = VALUE, … given NAME peer STAT V, … → EXPECTED``."""
    shown = ", ".join(f"{name} = {show_value(v, specs.get(name))}" for name, v in values.items())
    given = ", ".join(
        f"{name} peer {stat} {show_value(v, specs.get(name))}"
        for name, stats in peers.items()
        for stat, v in stats.items()
    )
    text = "example"
    if shown:
        text += f" {shown}"
    if given:
        text += f" given {given}"
    return f"{text} → {expected}"


#: How a report names a node of each kind, its id and name filled in.
_LABELS = {
    "item": N_("item {id} “{name}”"),
    "part": N_("part {id} “{name}”"),
    "bonus": N_("bonus {id} “{name}”"),
    "task": N_("task {id} “{name}”"),
    "section": N_("section {id} “{name}”"),
}


def node_label(node: Node, *, line: bool = True) -> str:
    """``item q1 “合格率” (line 8)``."""
    label = _LABELS.get(node.kind)
    named = (
        _(label).format(id=node.id, name=node.name)
        if label is not None
        else f"{node.kind} {node.id} “{node.name}”"
    )
    if node.line and line:
        return _("{node} (line {line})").format(node=named, line=node.line)
    return named


def rule_ref(thing: object) -> str:
    """``line 14``; for a scorer built in Python (no line), what it is."""
    line = getattr(thing, "line", None)
    if line:
        return _("line {line}").format(line=line)
    if isinstance(thing, Item | Section):
        return node_label(thing)
    return f"`{rule_text(thing)}`"


def rule_text(thing: object) -> str:
    """A rule line's or clause's text as written (its repr when built in Python)."""
    written = getattr(thing, "text", "")
    return str(written) if written else repr(thing).strip("<>")


# ===================================================================== cases


@attrs.frozen
class Stub:
    """An ``example`` line to add, for the node it belongs in."""

    node_id: str | None  # None: the scheme
    line: str  # the example line, with the current score and `# check this score`
    before: int | None  # the line of the node's closing brace: insert before it
    where: str  # the node, for people


@attrs.frozen
class Case:
    """One thing the examples should try, and the example lines that try it."""

    kind: str  # boundary, value, no data, clause, cap, floor, veto
    node_id: str | None
    line: int | None
    text: str
    what: str
    key: tuple[object, ...]
    stub: Stub | None = None
    tried_by: tuple[int, ...] = ()

    @property
    def tried(self) -> bool:
        return bool(self.tried_by)

    def summary(self) -> str:
        """```below target by 3–5 points` — the value just inside 3 (…)``."""
        if self.text:
            return _("`{text}` — {case}").format(text=self.text, case=self.what)
        return self.what

    def describe(self) -> str:
        """``line 14: `below target by 3–5 points` — the value just inside 3 (…)``."""
        if self.line:
            return _("line {line}: {case}").format(line=self.line, case=self.summary())
        return self.summary()
