"""What the static checks look at: a loaded scheme with its spans, and shared wording.

:class:`Context` bundles a :class:`~qualitykpi.scheme.Scheme` with what the
checks look up while they run — the written node and span of every section,
item and rule line, the declared inputs, the item each part belongs to —
and makes their :class:`~qualitykpi.diagnostics.Diagnostic` records.  The
small functions after it word the pieces messages share (``item "…"``,
``lines 3, 5``, ``10 (4 + 6)``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from fractions import Fraction
from typing import TYPE_CHECKING

import attrs

from .. import syntax as _syntax
from ..diagnostics import Diagnostic, make
from ..i18n import N_, _, ngettext
from ..nodes.tree import Item, Section
from ..source import Source, Span, narrow
from ..syntax_structure import walk_nodes
from ..values import InputSpec, fmt
from .tables import Row

if TYPE_CHECKING:
    from ..scheme import Scheme

# ----------------------------------------------------------------- context


@attrs.frozen
class Context:
    """A loaded scheme, with what the checks look up: spans, specs, parents."""

    scheme: Scheme
    file: str
    source: Source | None
    syntax: _syntax.Scheme | None
    nodes: Mapping[str, _syntax.Section | _syntax.Item]
    specs: Mapping[str, InputSpec]
    parents: Mapping[str, Item]

    @classmethod
    def of(cls, scheme: Scheme) -> Context:
        written = scheme.syntax
        nodes: dict[str, _syntax.Section | _syntax.Item] = {}
        if written is not None:
            nodes = {node.id: node for node in walk_nodes(written.children) if node.id}
        parents = {
            part.id: node
            for node in scheme.scorer.walk()
            if isinstance(node, Item)
            for part in node.children
        }
        file = (
            scheme.source.name if scheme.source is not None else (scheme.scorer.file or "<scheme>")
        )
        specs = {spec.name: spec for spec in scheme.scorer.inputs}
        return cls(scheme, file, scheme.source, written, nodes, specs, parents)

    def diagnostic(
        self,
        code: str,
        message: str,
        span: Span | None,
        *,
        related: Iterable[int] = (),
        hint: str | None = None,
    ) -> Diagnostic:
        return make(code, message, self.file, span, related=related, hint=hint)

    # ---------------------------------------------------------------- spans

    def at_line(self, line: int | None) -> Span | None:
        if not line:
            return None
        return Span(line, 1, line, 1)

    def header(self, node: Item | Section) -> Span | None:
        """The node's name on its first line (or just that line)."""
        written = self.nodes.get(node.id)
        if written is None or self.source is None:
            return self.at_line(node.line)
        first = Span(written.span.line, written.span.column, written.span.line, written.span.column)
        for needle in (f'"{node.name}"', f"“{node.name}”", node.name):
            found = narrow(self.source, first, needle)
            if found != first:
                return found
        return first

    def max_span(self, node: Item | Section) -> Span | None:
        written = self.nodes.get(node.id)
        if written is not None and written.max is not None:
            return written.max.span
        return self.header(node)

    def ast_item(self, item: Item) -> _syntax.Item | None:
        written = self.nodes.get(item.id)
        return written if isinstance(written, _syntax.Item) else None

    def line_syntax(self, item: Item, index: int) -> _syntax.Line | None:
        written = self.ast_item(item)
        if written is None or index >= len(written.lines):
            return None
        return written.lines[index]

    def row_span(self, item: Item, row: Row, *, condition: bool = True) -> Span | None:
        line = self.line_syntax(item, row.index)
        if line is None:
            return self.at_line(row.number)
        if condition and isinstance(line, _syntax.BandLine):
            return line.condition.span
        return line.span

    def clause_syntax(self, item: Item, index: int) -> _syntax.Clause | None:
        written = self.ast_item(item)
        if written is None or index >= len(written.clauses):
            return None
        return written.clauses[index]

    # ---------------------------------------------------------------- nodes

    def items(self) -> Iterator[Item]:
        """Every item and part of the scheme, in tree order."""
        for node in self.scheme.scorer.walk():
            if isinstance(node, Item):
                yield node

    def sections(self) -> Iterator[Section]:
        """Every section of the scheme, in tree order."""
        for node in self.scheme.scorer.walk():
            if isinstance(node, Section):
                yield node


# ---------------------------------------------------------------- words


#: How a message names a node of each kind, its name filled in.
_NAMED = {
    "item": N_('item "{name}"'),
    "part": N_('part "{name}"'),
    "bonus": N_('bonus "{name}"'),
    "section": N_('section "{name}"'),
}


#: How a message names an input's type (the rule's own keyword in English).
_TYPES = {
    "percent": N_("percent"),
    "count": N_("count"),
    "number": N_("number"),
    "yes/no": N_("yes/no"),
    "level": N_("level"),
}


def type_word(kind: str) -> str:
    """An input's type as messages name it: ``number``, ``percent``."""
    return _(_TYPES[kind]) if kind in _TYPES else kind


def what(node: Item | Section) -> str:
    """How a message names a node: ``item "合格率"``, ``section "质量工作"``."""
    kind = "item" if node.kind == "task" else node.kind
    return _(_NAMED[kind]).format(name=node.name)


def sum_text(values: list[Fraction]) -> str:
    """A sum, with its terms when there are a few: ``10 (4 + 6)``."""
    total = fmt(sum(values, Fraction(0)))
    if 1 < len(values) <= 12:
        return _("{total} ({terms})").format(
            total=total, terms=" + ".join(fmt(value) for value in values)
        )
    return total


def lines_text(numbers: Iterable[int]) -> str:
    """``line 3`` or ``lines 3, 5`` (``an earlier line`` for none)."""
    listed = sorted(set(numbers))
    if not listed:
        return _("an earlier line")
    return ngettext("line {numbers}", "lines {numbers}", len(listed)).format(
        # Translators: between line numbers, "lines 3, 5".
        numbers=_(", ").join(str(n) for n in listed)
    )


def join_words(words: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    if len(words) <= 1:
        return "".join(words)
    # Translators: the end of a list, "a, b and c"; ", " is what comes between the others.
    return _("{earlier} and {last}").format(earlier=_(", ").join(words[:-1]), last=words[-1])
