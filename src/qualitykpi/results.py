"""What scoring produces: node results, the trace steps, the ledger."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any, Protocol, TypeVar

import attrs

from .errors import DataError
from .explain import explain_result
from .i18n import _
from .phrases import Said
from .results_export import ranking_frame, score_data, score_json
from .values import decimal_difference


@attrs.frozen
class Step:
    """One step of a node's trace.

    ``amount`` is the points this step lost (negative: points a cap, floor,
    clamp or award gave back; ``None``: information only).  The amounts of
    a node's steps add up exactly to its ``max − score``.  ``said`` is its
    description as made (a phrase translated when read); :attr:`description`
    is it in words, in the language of the moment it is read.
    """

    kind: str
    said: Said = attrs.field(alias="description")
    amount: Decimal | None = None
    line: int | None = None
    text: str | None = None

    @property
    def description(self) -> str:
        """What this step did, in the current language."""
        return str(self.said)


@attrs.frozen
class VetoHit:
    """A veto that fired: its name, what it did, and its rule line."""

    name: str
    said_effect: Said = attrs.field(alias="effect")
    line: int | None = None
    owners: tuple[str, ...] = ()

    @property
    def effect(self) -> str:
        """What it did (``grade D``), in the current language."""
        return str(self.said_effect)


@attrs.frozen
class LostPoints:
    """One entry of the deduction ledger."""

    node_id: str
    node_name: str
    owners: tuple[str, ...]
    amount: Decimal
    said: Said = attrs.field(alias="reason")
    kind: str
    line: int | None = None
    file: str | None = None
    text: str | None = None

    @property
    def reason(self) -> str:
        """Why the points were lost (the step's description), in the current language."""
        return str(self.said)

    @property
    def location(self) -> str | None:
        if self.line is None:
            return None
        if self.file:
            return f"{self.file}:{self.line}"
        return _("line {line}").format(line=self.line)


@attrs.frozen
class NodeResult:
    """The score of one node (section, item, part, bonus) for one entity.

    Scored fast, a node knows its score at once; its :attr:`steps` and
    :attr:`inputs` come from the entity's trace, run when first read.
    Results compare by their numbers, not by whether they were traced yet.
    """

    id: str
    name: str
    kind: str
    score: Decimal
    max: Decimal
    #: The lowest score it can take; None: a deduction-only node without a cap.
    minimum: Decimal | None
    owners: tuple[str, ...]
    children: tuple[NodeResult, ...] = ()
    _steps: tuple[Step, ...] | None = attrs.field(default=(), eq=False, repr=False)
    _inputs: tuple[tuple[str, str], ...] | None = attrs.field(default=(), eq=False, repr=False)
    text: str | None = None
    line: int | None = None
    supporters: tuple[str, ...] = ()
    #: Where the steps come from when they were not given: this node of the trace.
    _trace: Callable[[], NodeResult] | None = attrs.field(
        default=None, eq=False, repr=False, kw_only=True
    )
    #: False for a bonus without a cap: it adds what it scores, ``max`` (0) is no limit.
    capped: bool = attrs.field(default=True, kw_only=True)

    @property
    def steps(self) -> tuple[Step, ...]:
        """The trace of this node: every step, whose amounts add up to ``max − score``."""
        if self._steps is None:
            self._fill()
        assert self._steps is not None
        return self._steps

    @property
    def inputs(self) -> tuple[tuple[str, str], ...]:
        """The values this node read, as shown: ``(("pass_rate", "87.2%"),)``."""
        if self._inputs is None:
            self._fill()
        assert self._inputs is not None
        return self._inputs

    def _fill(self) -> None:
        traced = self._trace() if self._trace is not None else None
        # Filled in once; the result is otherwise immutable.
        object.__setattr__(self, "_steps", traced.steps if traced else ())
        object.__setattr__(self, "_inputs", traced.inputs if traced else ())

    @property
    def lost(self) -> Decimal:
        """Points lost here: ``max − score``, exactly."""
        return decimal_difference(self.max, self.score)

    def walk(self) -> Iterator[NodeResult]:
        yield self
        for child in self.children:
            yield from child.walk()

    def __getitem__(self, key: str) -> NodeResult:
        return _find(self.children, key)


def _find(nodes: Sequence[NodeResult], key: str) -> NodeResult:
    return find_node([node for top in nodes for node in top.walk()], key)


class _Named(Protocol):
    @property
    def id(self) -> str: ...

    @property
    def name(self) -> str: ...


N = TypeVar("N", bound=_Named)


def find_node(everything: Sequence[N], key: str) -> N:
    """The node whose id is ``key`` or, failing that, the one node so named."""
    for node in everything:
        if node.id == key:
            return node
    named = [node for node in everything if node.name == key]
    if len(named) == 1:
        return named[0]
    if named:
        ids = ", ".join(node.id for node in named)
        raise KeyError(f"{key!r} names several nodes ({ids}); use an id")
    raise KeyError(key)


@attrs.frozen(eq=False)
class Result:
    """One entity's result: total, grade, vetoes, the node tree, the ledger.

    Scored by a compiled plan, a result holds its numbers; its node tree is
    built when first read, and its trace (:attr:`steps`, each node's steps,
    :meth:`lost_points`, :meth:`explain`) is computed when first asked for,
    by the traced evaluator, which gives the same numbers.
    """

    entity: str | None
    scheme: str
    total: Decimal
    max: Decimal
    grade: str | None
    vetoes: tuple[VetoHit, ...]
    _nodes: tuple[NodeResult, ...] | None = None
    _steps: tuple[Step, ...] | None = None
    file: str | None = None
    peers: Mapping[str, Mapping[str, str]] = attrs.field(factory=dict)
    #: Builds the node tree of a result scored fast.
    _layout: Callable[[], tuple[NodeResult, ...]] | None = attrs.field(
        default=None, repr=False, kw_only=True
    )
    #: The traced evaluation of this entity, for the steps of a result scored fast.
    _tracer: Callable[[], Result] | None = attrs.field(default=None, repr=False, kw_only=True)
    #: Each node's score by id, for a result scored fast (no node tree needed).
    _score_map: Callable[[], Mapping[str, Decimal]] | None = attrs.field(
        default=None, repr=False, kw_only=True
    )

    @property
    def scores(self) -> Mapping[str, Decimal]:
        """Every node's score by id, in tree order: what a table of results needs,
        without building the node tree."""
        if self._nodes is None and self._score_map is not None:
            return self._score_map()
        return {node.id: node.score for node in self.walk()}

    @property
    def nodes(self) -> tuple[NodeResult, ...]:
        """The scores of the top-level sections and items, each with its children."""
        if self._nodes is None:
            nodes = self._layout() if self._layout is not None else ()
            object.__setattr__(self, "_nodes", nodes)  # built once
            return nodes
        return self._nodes

    @property
    def steps(self) -> tuple[Step, ...]:
        """The scheme's own steps: bonus, total cap, clamp, vetoes."""
        if self._steps is None:
            steps = self._tracer().steps if self._tracer is not None else ()
            object.__setattr__(self, "_steps", steps)
            return steps
        return self._steps

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Result):
            return NotImplemented
        return self._key() == other._key()

    def _key(self) -> tuple[object, ...]:
        return (
            self.entity,
            self.scheme,
            self.total,
            self.max,
            self.grade,
            self.vetoes,
            self.nodes,
            self.file,
            dict(self.peers),
        )

    def __getitem__(self, key: str) -> NodeResult:
        """A node by id (``"1.2"``, ``q1``) or, when unique, by name."""
        return _find(self.nodes, key)

    def walk(self) -> Iterator[NodeResult]:
        for node in self.nodes:
            yield from node.walk()

    @property
    def lost(self) -> Decimal:
        """Points lost in all: ``max − total``, exactly."""
        return decimal_difference(self.max, self.total)

    def lost_points(self) -> list[LostPoints]:
        """Every point lost, largest first; the amounts add up to ``max − total``.

        Each entry names the node, its owners and the rule line that took
        the points.  Caps, floors, clamps, bonuses and the total cap appear
        as entries of their own, with negative amounts where they gave
        points back.
        """
        entries: list[LostPoints] = []
        for node in self.walk():
            if node.kind == "bonus":
                # A bonus is not part of `max`; what it adds is one entry below.
                continue
            entries.extend(self._entries(node.id, node.name, node.owners, node.steps))
        entries.extend(self._entries("", self.scheme, (), self.steps))
        # Stable order: largest loss first, then in tree order.
        # copy_negate: `-` on a Decimal rounds to 28 digits and could tie two amounts.
        return sorted(entries, key=lambda entry: entry.amount.copy_negate())

    def _entries(
        self, node_id: str, name: str, owners: tuple[str, ...], steps: tuple[Step, ...]
    ) -> list[LostPoints]:
        return [
            LostPoints(
                node_id,
                name,
                owners,
                step.amount,
                step.said,
                step.kind,
                step.line,
                self.file,
                step.text,
            )
            for step in steps
            if step.amount
        ]

    def explain(self) -> str:
        """Readable text: every item, the line that decided it, what was lost."""
        return explain_result(self)


@attrs.frozen
class Results:
    """A scored cohort: results by entity, in the order of the rows.

    Rows with data errors have no result; their errors are in ``errors``.
    """

    scheme: str
    results: Mapping[str, Result]
    errors: tuple[DataError, ...] = ()
    peers: Mapping[str, Mapping[str, str]] = attrs.field(factory=dict)
    #: The scheme's grades, best first (empty without grades): the ranking's first key.
    grades: tuple[str, ...] = ()
    #: What is worth knowing and is not an error: entities in one period's data only.
    notes: tuple[str, ...] = ()

    def __getitem__(self, entity: str) -> Result:
        return self.results[entity]

    def __contains__(self, entity: object) -> bool:
        return entity in self.results

    def __iter__(self) -> Iterator[Result]:
        return iter(self.results.values())

    def __len__(self) -> int:
        return len(self.results)

    def ranking(self) -> list[tuple[int, Result]]:
        """Results best first, with competition ranks (1, 2, 2, 4).

        By grade first, then by total: a unit a veto put in grade D ranks
        below every unit of a better grade, whatever its total.  Units of
        the same grade and total share a rank.
        """
        return list(self.ranked())

    def ranked(self) -> Iterator[tuple[int, Result]]:
        """:meth:`ranking`, one result at a time: a large cohort scored by column
        (:mod:`qualitykpi.columnar`) is sorted on its columns, and each result
        is made when it is reached, so that a writer holds one at a time."""
        by_columns = getattr(self.results, "ranked", None)
        if by_columns is not None:
            yield from by_columns(self.grades)
            return
        yield from competition(sorted(self.results.values(), key=self._key), self._key)

    def records(self, ids: Sequence[str]) -> Iterator[list[object]]:
        """Each result in row order as ``[entity, total, grade, vetoes, *scores]``:
        the names of the vetoes that fired, and the scores of the nodes ``ids`` (None
        where a result has no such node).  A cohort scored by column gives them
        off its columns, without making its results."""
        by_columns = getattr(self.results, "records", None)
        if by_columns is not None:
            yield from by_columns(ids)
            return
        for result in self.results.values():
            yield record(result, ids)

    def to_dict(self, *, explain: bool = False) -> dict[str, Any]:
        """The JSON object ``qualitykpi score --format json`` writes: ``scheme``,
        ``entities`` in ranking order (every number as exact decimal text, each
        node's score, and with ``explain`` the ledger) and ``errors``."""
        return score_data(self, explain=explain)

    def to_json(self, *, explain: bool = False) -> str:
        """:meth:`to_dict` as the text ``qualitykpi score --format json`` writes."""
        return score_json(self, explain=explain)

    def to_frame(self) -> Any:
        """A pandas DataFrame of the ranking, one row per entity, best first.

        Columns ``rank``, ``entity``, ``total``, ``grade`` (None without one),
        ``vetoes`` (a tuple of the names of those that fired), then every
        node's score by id, in tree order.  Scores are the exact
        :class:`~decimal.Decimal` objects (dtype ``object``), never floats.
        pandas is imported only here; without it, an ``ImportError`` says so.
        """
        return ranking_frame(self)

    def _key(self, result: Result) -> tuple[int, Decimal]:
        return ranking_key(self.grades)(result)


def record(result: Result, ids: Sequence[str]) -> list[object]:
    """One row of :meth:`Results.records`."""
    scores = result.scores
    vetoes = tuple(hit.name for hit in result.vetoes)
    return [result.entity, result.total, result.grade, vetoes, *map(scores.get, ids)]


def ranking_key(grades: Sequence[str]) -> Callable[[Result], tuple[int, Decimal]]:
    """What the ranking sorts by, best first: the grade's place, then the total."""

    def key(result: Result) -> tuple[int, Decimal]:
        place = grades.index(result.grade) if result.grade in grades else len(grades)
        # copy_negate: `-` on a Decimal rounds to 28 digits and could tie two totals.
        return place, result.total.copy_negate()

    return key


def competition(
    ordered: Iterable[Result], key: Callable[[Result], object]
) -> Iterator[tuple[int, Result]]:
    """Results in ranking order with competition ranks (1, 2, 2, 4): equal keys share."""
    rank, previous = 0, None
    for position, result in enumerate(ordered, start=1):
        found = key(result)
        if position == 1 or found != previous:
            rank, previous = position, found
        yield rank, result
