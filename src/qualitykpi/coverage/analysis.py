"""The shared state of a coverage analysis, and the stubs it suggests.

:class:`Analysis` reads a scheme's ``example`` lines, collects the cases
found and the example lines that try them, and builds the stub of a case
from the values the examples give (or plain guesses).  Its subclasses find
the cases: :class:`~qualitykpi.coverage.tables.TableCases` and
:class:`~qualitykpi.coverage.clauses.ClauseCases`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import TYPE_CHECKING

import attrs

from .. import syntax
from ..compiler import ExampleCase
from ..i18n import _
from ..nodes.evaluation import ScoreProblems
from ..nodes.scheme_scorer import SchemeScorer
from ..nodes.tables import Line
from ..nodes.tree import Item
from ..surface import code_in_chinese
from ..values import InputSpec, Value, fmt
from .axes import Axis
from .cases import Case, Node, Stub, example_line, node_label, show_value

if TYPE_CHECKING:
    from ..scheme import Scheme

#: Peer statistics assumed for a case when no example gives any.
DEFAULT_PEERS = {"percent": Fraction(80), "count": Fraction(10), "number": Fraction(10)}


Peers = Mapping[str, Mapping[str, Fraction]]


@attrs.frozen
class Example:
    """An example line, read: its node, values and peer statistics."""

    case: ExampleCase
    node: Node | None
    values: Mapping[str, Value]
    peers: Peers

    def reaches(self, node: Node, ancestors: Mapping[str, tuple[str, ...]]) -> bool:
        return self.node is None or self.node.id in ancestors[node.id]


def _read(value: object) -> Value:
    if value is None or isinstance(value, bool):
        return value
    number = getattr(value, "value", value)
    return Fraction(str(number))


class Analysis:
    """A scheme's nodes and examples, the cases found so far and the examples trying them."""

    def __init__(self, scheme: Scheme) -> None:
        self.scheme = scheme
        self.scorer: SchemeScorer = scheme.scorer
        self.specs: dict[str, InputSpec] = dict(scheme.inputs)
        self.nodes = {node.id: node for node in self.scorer.walk()}
        self.ancestors = self._ancestors()
        self.syntax = self._syntax()
        self.examples = [self._example(case) for case in scheme.examples]
        self.cases: dict[tuple[object, ...], Case] = {}
        self.tried: dict[tuple[object, ...], list[int]] = {}
        #: Computed values whose cases are tried through one of their inputs.
        self.axes: dict[str, Axis] = {}

    # ----------------------------------------------------------- plumbing

    def _ancestors(self) -> dict[str, tuple[str, ...]]:
        out: dict[str, tuple[str, ...]] = {}

        def visit(node: Node, above: tuple[str, ...]) -> None:
            chain = (*above, node.id)
            out[node.id] = chain
            for child in node.children:
                visit(child, chain)

        for top in self.scorer.children:
            visit(top, ())
        return out

    def _syntax(self) -> dict[str, syntax.Section | syntax.Item]:
        out: dict[str, syntax.Section | syntax.Item] = {}
        written = self.scheme.syntax
        if written is None:
            return out

        def visit(node: syntax.Section | syntax.Item) -> None:
            if node.id is not None:
                out[node.id] = node
            for child in node.children if isinstance(node, syntax.Section) else node.parts:
                visit(child)

        for top in written.children:
            visit(top)
        return out

    def _example(self, case: ExampleCase) -> Example:
        node = self.nodes.get(case.node_id) if case.node_id is not None else None
        values = {name: self._read(name, value) for name, value in case.values}
        single = node.inputs()[0] if node is not None and node.inputs() else ""
        peers: dict[str, dict[str, Fraction]] = {}
        for name, stat, value in case.peers:
            peers.setdefault(name or single, {})[stat] = value
        return Example(case, node, values, peers)

    def _read(self, name: str, value: object) -> Value:
        spec = self.specs.get(name)
        if isinstance(value, syntax.Label) and spec is not None:
            return spec.read(value.value)  # a level: its index, as the data give it
        return _read(value)

    def add(self, case: Case) -> None:
        self.cases.setdefault(case.key, case)

    def mark(self, key: tuple[object, ...], example: Example) -> None:
        self.tried.setdefault(key, []).append(example.case.line)

    def show(self, name: str, value: Value) -> str:
        return f"{name} = {show_value(value, self.specs.get(name))}"

    # --------------------------------------------------------- references

    def reference_peers(self, node: Node, name: str, stats: Sequence[str]) -> dict[str, Fraction]:
        """The peer statistics ``stats`` of ``name`` a case of ``node`` is described with:
        an example's, or a default."""
        if not stats:
            return {}
        for example in self.examples:
            given = example.peers.get(name, {})
            if example.reaches(node, self.ancestors) and all(stat in given for stat in stats):
                return {stat: given[stat] for stat in stats}
        spec = self.specs.get(name)
        default = DEFAULT_PEERS.get(spec.type if spec else "number", Fraction(10))
        return {stat: default for stat in stats}

    def baseline(self, node: Node) -> tuple[dict[str, Value], dict[str, dict[str, Fraction]]]:
        """Values for a node's other inputs in a stub: an example's, else a plain guess."""
        values: dict[str, Value] = {}
        peers: dict[str, dict[str, Fraction]] = {}
        wanted = node.inputs()
        for example in self.examples:
            if example.reaches(node, self.ancestors):
                for name in wanted:
                    if name in example.values and name not in values:
                        values[name] = example.values[name]
                for name, given in example.peers.items():
                    if name in wanted:
                        peers.setdefault(name, dict(given))
        for name in wanted:
            if name not in values:
                values[name] = self.guess(name)
        for name in wanted:
            if name not in peers and (stats := _node_stats(node, name)):
                peers[name] = self.reference_peers(node, name, stats)
        return values, peers

    def guess(self, name: str) -> Value:
        """A plain value for an input no example mentions."""
        for example in self.examples:
            if name in example.values and example.values[name] is not None:
                return example.values[name]
        spec = self.specs.get(name)
        if spec is None or spec.type == "yes/no":
            return False
        if spec.type == "percent":
            return Fraction(100)
        assessed = self.nodes.get(name)
        judgement = assessed.judgement() if isinstance(assessed, Item) else None
        if judgement is not None:
            # The value that changes the computed score least; per event, for
            # the count of events guessed the same way.
            count = self.guess(judgement.events) if judgement.events is not None else None
            return judgement.neutral(count if isinstance(count, Fraction) else Fraction(0))
        return Fraction(0)

    # -------------------------------------------------------------- stubs

    def stub(
        self,
        node: Node | None,
        values: Mapping[str, Value],
        peers: Peers,
        note: str,
        *,
        grade: bool = False,
    ) -> Stub:
        ctx = self.scheme._context(None, dict(values), dict(peers))  # type: ignore[arg-type]
        comment = _("# check this score: {note}").format(note=note)
        try:
            if node is None:
                result = self.scorer.evaluate(ctx)
                expected = fmt(result.total)
                if grade and result.grade is not None:
                    expected += f" grade {result.grade}"
            else:
                expected = fmt(node.own(ctx).score)
        except ScoreProblems as exc:
            expected = "?"
            comment = _("# {note}; no score now: {problem}").format(
                note=note, problem=exc.problems[0].message
            )
        shown_values = dict(values)
        wanted = node.inputs() if node is not None else tuple(self.specs)
        shown_peers = {name: stats for name, stats in peers.items() if name in wanted}
        example = example_line(shown_values, shown_peers, self.specs, expected)
        source = self.scheme.source
        if source is not None and source.chinese:
            example = code_in_chinese(example)  # to paste into a file written in Chinese
        line = f"{example}  {comment}"
        if node is None:
            syntax_end = self.scheme.syntax.span.end_line if self.scheme.syntax else None
            return Stub(None, line, syntax_end, _("the scheme"))
        written = self.syntax.get(node.id)
        before = written.span.end_line if written is not None else None
        return Stub(node.id, line, before, node_label(node))

    def input_stub(
        self, item: Item, subject: str, value: Value, peers: Mapping[str, Fraction], note: str
    ) -> Stub:
        """An example for ``item`` trying ``subject = value`` (a table's subject or a
        clause's input), the other inputs at their baseline."""
        values, given = self.baseline(item)
        found = self.axes.get(subject)
        if found is not None:
            # A computed value: tried through its input, the others held.
            values = {
                name: held
                for name, held in {**found.held, **values}.items()
                if name not in self.axes and name in self.specs
            }
            values[found.input] = found.to_input(value)
            return self.stub(item, values, given, note)
        values[subject] = value
        if peers:
            given[subject] = dict(peers)
        return self.stub(item, values, given, note)


def stats_used(rows: Sequence[tuple[int, Line]]) -> list[str]:
    """The peer statistics a table's lines compare with (``scaled to peer max``: max)."""
    stats = [comparison.stat for _index, line in rows for comparison in line.comparisons()]
    return list(dict.fromkeys(stats))


def _node_stats(node: Node, name: str) -> list[str]:
    """The peer statistics of ``name`` anything in ``node`` compares with."""
    stats: list[str] = []
    for item in node.walk():
        if not isinstance(item, Item):
            continue
        if item.table is not None:
            rows = [(0, line) for line in item.table.lines if line.subject == name]
            stats.extend(stats_used(rows))
        for clause in item.clauses:
            if clause.input == name:
                stats.extend(comparison.stat for comparison in clause.comparisons())
    return list(dict.fromkeys(stats))
