"""What a rule file's ``example`` lines exercise: ``qualitykpi test --coverage``.

A rule table goes wrong at its boundaries (含本数 or not, ``≥`` or ``>``,
``93%以上`` overlapping ``90-93.4%``), so the examples should try the values
on both sides of each.  :func:`coverage` lists the *cases* a rule has and
which example lines try them:

boundaries
    For every table line, each place where the deciding line changes: the
    value just below and the value just above, each owned by the line that
    decides it.  "Just" is one step of the input's grid: its declared
    ``precision`` (1 for a count); without one, the finest decimal place of
    the numbers the rule compares it with (1 for whole numbers).  A
    boundary next to a gap (values no line takes) has only its inside.
    Boundaries of ``K% of peer STAT`` move with the peer statistics: an
    example covers them with the statistics it gives.
yes/no values
    Each value of a yes/no subject that some line takes.
``no data`` lines
    Tried by an example that leaves the subject absent.
clauses
    ``deduct N if …`` / ``award N if …``: both sides of each end of the
    test (for a yes/no test, yes and no).
caps and floors
    ``at most C`` and ``floor F`` of ``each`` lines, ``at most C`` of
    ``for each`` clauses, ``deduct at most C`` items and ``deductions at
    most C`` sections: tried when an example's score reaches them.
vetoes
    Tried when a scheme-level example makes the veto fire.

An example tries the cases of the nodes it scores: an item's example those
of that item (and its parts), a section's those of everything in it, the
scheme's everything.  Inputs an example does not mention are absent.

:meth:`CoverageReport.stubs` suggests an ``example`` line for each case not
tried, with the score the rule gives now and the comment ``# check this
score``: an author who agrees keeps it, one who does not has found a bug.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from fractions import Fraction
from typing import TYPE_CHECKING

import attrs

from . import ast
from .compiler import ExampleCase
from .results import NodeResult
from .scorers import (
    Band,
    Env,
    ForEach,
    IsYes,
    MeetsTarget,
    NoData,
    OffTarget,
    PeerRelative,
    PerUnit,
    Range,
    Scaled,
    ScoreProblem,
    When,
)
from .tree import Context, Item, SchemeScorer, ScoreProblems, Section, Veto
from .values import InputSpec, Value, fmt

if TYPE_CHECKING:
    from .scheme import Scheme

Node = Section | Item

#: Peer statistics assumed for a case when no example gives any.
DEFAULT_PEERS = {"percent": Fraction(80), "count": Fraction(10), "number": Fraction(10)}


# ================================================================ formatting


def show_value(value: Value, spec: InputSpec | None) -> str:
    """A value as an ``example`` line writes it: ``87.2%``, ``3``, ``yes``, ``no data``."""
    if value is None:
        return "no data"
    if isinstance(value, bool):
        return "yes" if value else "no"
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


def node_label(node: Node, *, line: bool = True) -> str:
    """``item q1 “合格率” (line 8)``."""
    where = f" (line {node.line})" if node.line and line else ""
    return f"{node.kind} {node.id} “{node.name}”{where}"


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

    def describe(self) -> str:
        """``line 14: `below target by 3–5 points` — the value just inside 3 (…)``."""
        place = f"line {self.line}: " if self.line else ""
        text = f"`{self.text}` — " if self.text else ""
        return f"{place}{text}{self.what}"


@attrs.frozen
class CoverageReport:
    """The cases of one rule file and which examples try them."""

    file: str | None
    cases: tuple[Case, ...]

    @property
    def tried(self) -> tuple[Case, ...]:
        return tuple(case for case in self.cases if case.tried)

    @property
    def untried(self) -> tuple[Case, ...]:
        return tuple(case for case in self.cases if not case.tried)

    def render(self) -> str:
        name = self.file or "<scheme>"
        total = len(self.cases)
        lines = [
            f"{name}: the examples try {len(self.tried)} of {total} "
            f"{'case' if total == 1 else 'cases'} (boundaries, caps, floors, vetoes, no data)"
        ]
        seen: set[str] = set()
        for case in self.untried:
            text = f"{name}:{case.line}: " if case.line else f"{name}: "
            text += case.describe().removeprefix(f"line {case.line}: ")
            if text not in seen:
                seen.add(text)
                lines.append(f"  {text}")
        return "\n".join(lines)

    def stubs(self) -> list[Stub]:
        """One example line per untried case (cases that share a line share it)."""
        out: dict[tuple[str | None, str], Stub] = {}
        for case in self.untried:
            if case.stub is not None:
                out.setdefault((case.stub.node_id, case.stub.line), case.stub)
        return list(out.values())

    def render_stubs(self) -> str:
        name = self.file or "<scheme>"
        stubs = self.stubs()
        if not stubs:
            return f"{name}: no example lines to add"
        lines = [f"{name}: example lines for the untried cases (check each score first):"]
        where = None
        for stub in sorted(stubs, key=lambda s: s.before or 0):
            if stub.where != where:
                where = stub.where
                place = f", before line {stub.before}" if stub.before else ""
                lines.append(f"  # in {stub.where}{place}:")
            lines.append(f"  {stub.line}")
        return "\n".join(lines)


# ============================================================ the value grid


@attrs.frozen
class _End:
    """An end of a condition: where it falls for the subject, and how it reads."""

    owner: int  # the line (or clause outcome) whose condition has this end
    label: str
    value: Fraction
    peer: tuple[str, Fraction] | None = None  # the peer statistic it is a share of


@attrs.frozen
class _Side:
    """The value just on one side of a boundary, and the line that decides it."""

    owner: int
    end: _End
    side: str  # "below" or "above"
    value: Fraction
    window: tuple[Fraction, Fraction]

    @property
    def key(self) -> tuple[object, ...]:
        return (self.owner, self.end.owner, self.end.label, self.side)


def _decimals(value: Fraction) -> int | None:
    for places in range(9):
        if (value * 10**places).denominator == 1:
            return places
    return None


@attrs.frozen
class _Grid:
    step: Fraction
    low: Fraction | None
    high: Fraction | None

    @classmethod
    def of(cls, spec: InputSpec, ends: Sequence[Fraction]) -> _Grid:
        low: Fraction | None = None
        high: Fraction | None = None
        if spec.type == "percent":
            low, high = Fraction(0), Fraction(100)
        elif spec.type == "count":
            low = Fraction(0)
        precision = spec.precision
        if spec.type == "count":
            step = precision if precision is not None and precision.denominator == 1 else None
            step = step or Fraction(1)
        elif precision is not None:
            step = precision
        else:
            places = [p for p in (_decimals(end) for end in ends) if p is not None]
            step = Fraction(1, 10 ** max(places, default=0))
        return cls(step, low, high)

    def inside(self, x: Fraction) -> bool:
        return (self.low is None or x >= self.low) and (self.high is None or x <= self.high)

    def pairs(self, end: Fraction) -> list[tuple[Fraction, Fraction]]:
        """The neighbouring grid values around ``end`` (two pairs when it is on the grid)."""
        k = end / self.step
        if k.denominator == 1:
            pairs = [(end - self.step, end), (end, end + self.step)]
        else:
            down = math.floor(k) * self.step
            pairs = [(down, down + self.step)]
        return [(a, b) for a, b in pairs if self.inside(a) and self.inside(b)]


def _sides(ends: Sequence[_End], decide: Callable[[Value], int | None], grid: _Grid) -> list[_Side]:
    pairs: dict[tuple[Fraction, Fraction], list[_End]] = {}
    for end in ends:
        for pair in grid.pairs(end.value):
            pairs.setdefault(pair, []).append(end)
    out: list[_Side] = []
    seen: set[tuple[int, Fraction]] = set()
    for (a, b), producing in sorted(pairs.items()):
        first, second = decide(a), decide(b)
        if first == second:
            continue
        producing.sort(key=lambda end: (end.owner, end.label))
        for owner, side, value in ((first, "below", a), (second, "above", b)):
            if owner is None or (owner, value) in seen:
                continue  # no line there (a gap), or `= A` seen from its other side
            seen.add((owner, value))
            own = [end for end in producing if end.owner == owner]
            out.append(_Side(owner, (own or producing)[0], side, value, (a, b)))
    return out


def _tried_sides(
    sides: Sequence[_Side], decide: Callable[[Value], int | None], value: Fraction
) -> Iterator[tuple[object, ...]]:
    for side in sides:
        a, b = side.window
        if a <= value <= b and decide(value) == side.owner:
            yield side.key


# ============================================================== the analysis


Peers = Mapping[str, Mapping[str, Fraction]]


@attrs.frozen
class _Example:
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


def _condition_ends(
    condition: object, owner: int, target: Fraction | None, env: Env, percent: bool
) -> list[_End]:
    unit = "%" if percent else ""
    ends: list[_End] = []
    if isinstance(condition, Range):
        for end in (condition.low, condition.high):
            if end is not None:
                ends.append(_End(owner, f"{fmt(end)}{unit}", end))
    elif isinstance(condition, MeetsTarget) and target is not None:
        ends.append(_End(owner, f"the target {fmt(target)}{unit}", target))
    elif isinstance(condition, OffTarget) and target is not None:
        sign = -1 if condition.direction == "below" else 1
        gaps = [Fraction(0)] + [
            end for end in (condition.by.low, condition.by.high) if end is not None and end > 0
        ]
        for gap in dict.fromkeys(gaps):
            label = "the target" if gap == 0 else fmt(gap)
            ends.append(_End(owner, label, target + sign * gap))
    elif isinstance(condition, PeerRelative) and condition.stat in env.peers:
        stat = env.peers[condition.stat]
        label = f"{fmt(condition.factor * 100)}% of peer {condition.stat}"
        ends.append(_End(owner, label, condition.factor * stat, (condition.stat, stat)))
    return ends


class _Analysis:
    def __init__(self, scheme: Scheme) -> None:
        self.scheme = scheme
        self.scorer: SchemeScorer = scheme.scorer
        self.specs = scheme.inputs
        self.nodes = {node.id: node for node in self.scorer.walk()}
        self.ancestors = self._ancestors()
        self.syntax = self._syntax()
        self.examples = [self._example(case) for case in scheme.examples]
        self.cases: dict[tuple[object, ...], Case] = {}
        self.tried: dict[tuple[object, ...], list[int]] = {}

    # ----------------------------------------------------------- plumbing

    def _ancestors(self) -> dict[str, tuple[str, ...]]:
        out: dict[str, tuple[str, ...]] = {}

        def visit(node: Node, above: tuple[str, ...]) -> None:
            chain = (*above, node.id)
            out[node.id] = chain
            for child in node.children if isinstance(node, Section) else node.parts:
                visit(child, chain)

        for top in self.scorer.children:
            visit(top, ())
        return out

    def _syntax(self) -> dict[str, ast.Section | ast.Item]:
        out: dict[str, ast.Section | ast.Item] = {}
        syntax = self.scheme.syntax
        if syntax is None:
            return out

        def visit(node: ast.Section | ast.Item) -> None:
            if node.id is not None:
                out[node.id] = node
            for child in node.children if isinstance(node, ast.Section) else node.parts:
                visit(child)

        for top in syntax.children:
            visit(top)
        return out

    def _example(self, case: ExampleCase) -> _Example:
        node = self.nodes.get(case.node_id) if case.node_id is not None else None
        values = {name: _read(value) for name, value in case.values}
        single = node.inputs()[0] if node is not None and node.inputs() else ""
        peers: dict[str, dict[str, Fraction]] = {}
        for name, stat, value in case.peers:
            peers.setdefault(name or single, {})[stat] = value
        return _Example(case, node, values, peers)

    def add(self, case: Case) -> None:
        self.cases.setdefault(case.key, case)

    def mark(self, key: tuple[object, ...], example: _Example) -> None:
        self.tried.setdefault(key, []).append(example.case.line)

    def percent(self, name: str) -> bool:
        spec = self.specs.get(name)
        return spec is not None and spec.type == "percent"

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
        if isinstance(assessed, Item) and assessed.assessed:
            return Fraction(0) if assessed.assessed_cap is not None else assessed.max
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
        ctx = Context(None, dict(values), dict(peers), self.specs)
        comment = f"# check this score: {note}"
        try:
            if node is None:
                result = self.scorer.evaluate(ctx)
                expected = fmt(result.total)
                if grade and result.grade is not None:
                    expected += f" grade {result.grade}"
            else:
                expected = fmt(node.evaluate(ctx).score)
        except ScoreProblems as exc:
            expected = "?"
            comment = f"# {note}; no score now: {exc.problems[0].message}"
        shown_values = dict(values)
        wanted = node.inputs() if node is not None else tuple(self.specs)
        shown_peers = {name: stats for name, stats in peers.items() if name in wanted}
        line = example_line(shown_values, shown_peers, self.specs, expected) + f"  {comment}"
        if node is None:
            syntax_end = self.scheme.syntax.span.end_line if self.scheme.syntax else None
            return Stub(None, line, syntax_end, "the scheme")
        syntax = self.syntax.get(node.id)
        before = syntax.span.end_line if syntax is not None else None
        return Stub(node.id, line, before, node_label(node))

    # -------------------------------------------------------------- tables

    def tables(self) -> None:
        for node in self.scorer.walk():
            if isinstance(node, Item) and node.table is not None:
                for subject in node.table.subjects():
                    self.table(node, subject)

    def table(self, item: Item, subject: str) -> None:
        assert item.table is not None
        spec = self.specs.get(subject, InputSpec(subject, "number"))
        rows = [
            (index, line) for index, line in enumerate(item.table.lines) if line.subject == subject
        ]
        base = (item.id, subject)
        no_data = [index for index, line in rows if _is_no_data(line)]
        if no_data:
            line = item.table.lines[no_data[0]]
            key = (*base, "no data", no_data[0])
            self.add(
                Case(
                    "no data",
                    item.id,
                    line.line,
                    _text(line),
                    f"no example leaves {subject} without data",
                    key,
                    self.input_stub(item, subject, None, {}, f"{_ref(line)}: no data"),
                )
            )
        target = item.targets.get(subject)

        def decider(env: Env) -> Callable[[Value], int | None]:
            def decide(value: Value) -> int | None:
                for index, line in rows:
                    if _is_no_data(line):
                        continue
                    try:
                        if line.matches(value, env):
                            return index
                    except ScoreProblem:
                        continue
                return None

            return decide

        def environment(peers: Mapping[str, Fraction]) -> Env:
            return Env(
                target=target, peers=dict(peers), subject=subject, percent=spec.type == "percent"
            )

        def sides(env: Env) -> tuple[list[_Side], Callable[[Value], int | None]]:
            ends = [
                end
                for index, line in rows
                if isinstance(line, Band)
                for end in _condition_ends(line.condition, index, target, env, env.percent)
            ]
            decide = decider(env)
            grid = _Grid.of(spec, [end.value for end in ends])
            return _sides(ends, decide, grid), decide

        if spec.type == "yes/no":
            decide = decider(environment({}))
            for flag in (True, False):
                owner = decide(flag)
                if owner is None:
                    continue
                line = item.table.lines[owner]
                key = (*base, "value", flag)
                self.add(
                    Case(
                        "value",
                        item.id,
                        line.line,
                        _text(line),
                        f"the value {show_value(flag, spec)} is not tried",
                        key,
                        self.input_stub(
                            item, subject, flag, {}, f"{_ref(line)}: {show_value(flag, spec)}"
                        ),
                    )
                )
            for example in self.examples:
                value = example.values.get(subject)
                if example.reaches(item, self.ancestors) and isinstance(value, bool):
                    self.mark((*base, "value", value), example)
            self.no_data_tried(item, subject, base, no_data)
            return

        reference = self.reference_peers(item, subject, _stats_used(rows))
        env = environment(reference)
        for side in sides(env)[0]:
            line = item.table.lines[side.owner]
            gap, detail = self.side_detail(line, subject, side, target)
            if side.end.owner == side.owner:
                where = f"just inside {side.end.label}"
            else:
                other = _ref(item.table.lines[side.end.owner])
                where = (
                    f"just below {side.end.label}, before {other} takes over"
                    if side.side == "below"
                    else f"just above {side.end.label}, past {other}"
                )
            note = f"{_ref(line)}: {where}" + (f" (gap {gap})" if gap else "")
            self.add(
                Case(
                    "boundary",
                    item.id,
                    line.line,
                    _text(line),
                    f"the value {where} ({detail}) is not tried",
                    (*base, "boundary", *side.key),
                    self.input_stub(item, subject, side.value, reference, note),
                )
            )
        for example in self.examples:
            value = example.values.get(subject)
            if not example.reaches(item, self.ancestors) or not isinstance(value, Fraction):
                continue
            found, decide = sides(environment(example.peers.get(subject, {})))
            for side_key in _tried_sides(found, decide, value):
                self.mark((*base, "boundary", *side_key), example)
        self.no_data_tried(item, subject, base, no_data)
        self.caps(item, subject, rows, env, decider(env))

    def no_data_tried(
        self,
        item: Item,
        subject: str,
        base: tuple[object, ...],
        no_data: Sequence[int],
    ) -> None:
        if not no_data:
            return
        for example in self.examples:
            if example.reaches(item, self.ancestors) and example.values.get(subject) is None:
                self.mark((*base, "no data", no_data[0]), example)

    def side_detail(
        self, line: object, subject: str, side: _Side, target: Fraction | None
    ) -> tuple[str | None, str]:
        """The gap to the target (for `… target by` lines) and the value, as shown."""
        value = side.value
        shown = self.show(subject, value)
        gap = None
        if isinstance(line, Band) and isinstance(line.condition, OffTarget) and target is not None:
            gap = fmt(target - value if line.condition.direction == "below" else value - target)
            shown = f"gap {gap}, {shown}"
        if side.end.peer is not None:
            stat, number = side.end.peer
            shown += f" given peer {stat} {show_value(number, self.specs.get(subject))}"
        return gap, shown

    def input_stub(
        self, item: Item, subject: str, value: Value, peers: Mapping[str, Fraction], note: str
    ) -> Stub:
        """An example for ``item`` trying ``subject = value`` (a table's subject or a
        clause's input), the other inputs at their baseline."""
        values, given = self.baseline(item)
        values[subject] = value
        if peers:
            given[subject] = dict(peers)
        return self.stub(item, values, given, note)

    # ------------------------------------------------------- caps, floors

    def caps(
        self,
        item: Item,
        subject: str,
        rows: Sequence[tuple[int, object]],
        env: Env,
        decide: Callable[[Value], int | None],
    ) -> None:
        spec = self.specs.get(subject, InputSpec(subject, "number"))
        for index, line in rows:
            if not isinstance(line, PerUnit):
                continue
            for kind, limit in (("cap", line.cap), ("floor", line.floor)):
                if limit is None:
                    continue
                word = "at most" if kind == "cap" else "floor"
                value = _reaching(line, kind, item.max, env, spec)
                if value is None or decide(value) != index:
                    continue  # no value of the input that this line scores reaches it
                note = f"{_ref(line)}: {word} {fmt(limit)} reached"
                stub = self.input_stub(item, subject, value, dict(env.peers), note)
                what = f"no example reaches its {kind} ({word} {fmt(limit)})"
                self.add(
                    Case(kind, item.id, line.line, _text(line), what, (item.id, kind, index), stub)
                )

    def evaluated(self) -> None:
        """Caps, floors and clamps the examples' scores reach (read from their traces)."""
        for example in self.examples:
            ctx = Context(None, dict(example.values), dict(example.peers), self.specs)
            top = [example.node] if example.node is not None else list(self.scorer.children)
            for result in _results(top, ctx):
                node = self.nodes.get(result.id)
                if node is None:
                    continue
                for key in self._reached(node, result):
                    self.mark(key, example)

    def _reached(self, node: Node, result: NodeResult) -> Iterator[tuple[object, ...]]:
        if isinstance(node, Item):
            lines = node.table.lines if node.table is not None else ()
            for index, line in enumerate(lines):
                if isinstance(line, PerUnit):
                    for step in result.steps:
                        if step.line == line.line and step.kind in ("cap", "floor"):
                            yield (node.id, step.kind, index)
            for index, clause in enumerate(node.clauses):
                if isinstance(clause, ForEach) and clause.cap is not None:
                    for step in result.steps:
                        if step.kind == "cap" and step.line == clause.line:
                            yield (node.id, "clause cap", index)
            if node.deduct_cap is not None:
                for step in result.steps:
                    if step.kind == "clamp" and step.amount is not None and step.amount < 0:
                        yield (node.id, "deduct cap")
        elif node.deductions_cap is not None:
            for step in result.steps:
                if step.kind == "cap":
                    yield (node.id, "deductions cap")

    # -------------------------------------------------------------- clauses

    def clauses(self) -> None:
        for node in self.scorer.walk():
            if not isinstance(node, Item):
                continue
            for index, clause in enumerate(node.clauses):
                if isinstance(clause, When):
                    self.when(node, index, clause)
                elif clause.cap is not None:
                    self.clause_cap(node, index, clause)
            if node.deduct_cap is not None:
                values = self.worst(node)
                peers = self.baseline(node)[1]
                if (node.id, "deduct cap") not in self.keys(node, values, peers):
                    continue  # the deductions cannot exceed the cap
                self.add(
                    Case(
                        "cap",
                        node.id,
                        node.line,
                        "",
                        f"no example reaches the deduction cap (deduct at most "
                        f"{fmt(node.deduct_cap)}) of {node_label(node, line=False)}",
                        (node.id, "deduct cap"),
                        self.stub(
                            node,
                            values,
                            peers,
                            f"{_ref(node)}: deduct at most {fmt(node.deduct_cap)} reached",
                        ),
                    )
                )
        for node in self.scorer.walk():
            if isinstance(node, Section) and node.deductions_cap is not None:
                base_values, peers = self.baseline(node)
                worst: dict[str, Value] = {}
                for child in node.walk():
                    if isinstance(child, Item) and child.deduct_cap is not None:
                        worst.update(self.worst(child))
                if (node.id, "deductions cap") not in self.keys(
                    node, {**base_values, **worst}, peers
                ):
                    continue  # the deductions cannot exceed the cap
                self.add(
                    Case(
                        "cap",
                        node.id,
                        node.line,
                        "",
                        f"no example reaches the cap on deductions (deductions at most "
                        f"{fmt(node.deductions_cap)}) of {node_label(node, line=False)}",
                        (node.id, "deductions cap"),
                        self.stub(
                            node,
                            {**base_values, **worst},
                            peers,
                            f"{_ref(node)}: deductions at most {fmt(node.deductions_cap)} reached",
                        ),
                    )
                )

    def keys(
        self, node: Node, values: Mapping[str, Value], peers: Peers
    ) -> set[tuple[object, ...]]:
        """The caps, floors and clamps ``node`` reaches with these values."""
        ctx = Context(None, dict(values), dict(peers), self.specs)
        try:
            result = node.evaluate(ctx)
        except ScoreProblems:
            return set()
        return set(self._reached(node, result))

    def worst(self, item: Item) -> dict[str, Value]:
        """Values that make every deduction of a deduction-only item count."""
        values, _ = self.baseline(item)
        for clause in item.clauses:
            if clause.effect != "deduct":
                continue
            spec = self.specs.get(clause.input, InputSpec(clause.input, "number"))
            if isinstance(clause, When):
                value = _firing(clause.condition, clause.negate, spec)
                if value is not None:
                    values[clause.input] = value
            else:
                base = clause.beyond or Fraction(0)
                cap = clause.cap if clause.cap is not None else item.deduct_cap or Fraction(1)
                reach = base + clause.unit * (cap / clause.amount + 1)
                values[clause.input] = _up(reach, spec)
        return values

    def when(self, item: Item, index: int, clause: When) -> None:
        spec = self.specs.get(clause.input, InputSpec(clause.input, "number"))
        base = (item.id, "clause", index)
        condition = clause.condition

        def decide_with(env: Env) -> Callable[[Value], int | None]:
            def decide(value: Value) -> int | None:
                try:
                    return 0 if clause.applies(value, env) else 1
                except ScoreProblem:
                    return None

            return decide

        def environment(peers: Mapping[str, Fraction]) -> Env:
            return Env(peers=dict(peers), subject=clause.input, percent=spec.type == "percent")

        word = "deducts" if clause.effect == "deduct" else "awards"
        if condition is None or isinstance(condition, IsYes | NoData) or spec.type == "yes/no":
            decide = decide_with(environment({}))
            options: list[Value] = [True, False] if spec.type == "yes/no" else [None]
            if isinstance(condition, NoData):
                options = [None]
            for value in options:
                applies = decide(value) == 0
                key = (*base, "value", value)
                what = (
                    f"{self.show(clause.input, value)}, where it "
                    f"{word if applies else 'does not ' + word[:-1]}"
                )
                self.add(
                    Case(
                        "clause",
                        item.id,
                        clause.line,
                        _text(clause),
                        f"{what}, is not tried",
                        key,
                        self.input_stub(item, clause.input, value, {}, f"{_ref(clause)}: {what}"),
                    )
                )
            for example in self.examples:
                if example.reaches(item, self.ancestors):
                    value = example.values.get(clause.input)
                    self.mark((*base, "value", value), example)
            return
        reference = (
            self.reference_peers(item, clause.input, [condition.stat])
            if isinstance(condition, PeerRelative)
            else {}
        )

        def sides(env: Env) -> tuple[list[_Side], Callable[[Value], int | None]]:
            ends = _condition_ends(condition, 0, None, env, env.percent)
            decide = decide_with(env)
            return _sides(ends, decide, _Grid.of(spec, [end.value for end in ends])), decide

        for side in sides(environment(reference))[0]:
            applies = side.owner == 0
            detail = self.show(clause.input, side.value)
            what = (
                f"the value just {'inside' if applies else 'outside'} {side.end.label}, "
                f"where it {word if applies else 'does not ' + word[:-1]}"
            )
            self.add(
                Case(
                    "clause",
                    item.id,
                    clause.line,
                    _text(clause),
                    f"{what} ({detail}), is not tried",
                    (*base, *side.key),
                    self.input_stub(
                        item, clause.input, side.value, reference, f"{_ref(clause)}: {what}"
                    ),
                )
            )
        for example in self.examples:
            value = example.values.get(clause.input)
            if not example.reaches(item, self.ancestors) or not isinstance(value, Fraction):
                continue
            found, decide = sides(environment(example.peers.get(clause.input, {})))
            for side_key in _tried_sides(found, decide, value):
                self.mark((*base, *side_key), example)

    def clause_cap(self, item: Item, index: int, clause: ForEach) -> None:
        assert clause.cap is not None
        spec = self.specs.get(clause.input, InputSpec(clause.input, "number"))
        base = clause.beyond or Fraction(0)
        reach = _up(base + clause.unit * clause.cap / clause.amount, spec, strictly=True)
        if clause.raw(reach)[1] <= clause.cap:
            return  # the input's domain ends before the cap
        self.add(
            Case(
                "cap",
                item.id,
                clause.line,
                _text(clause),
                f"no example reaches its cap (at most {fmt(clause.cap)})",
                (item.id, "clause cap", index),
                self.input_stub(
                    item, clause.input, reach, {}, f"at most {fmt(clause.cap)} reached"
                ),
            )
        )

    # --------------------------------------------------------------- vetoes

    def vetoes(self) -> None:
        scheme_examples = [example for example in self.examples if example.node is None]
        for index, veto in enumerate(self.scorer.vetoes):
            key = ("veto", index)
            spec = self.specs.get(veto.input, InputSpec(veto.input, "number"))
            values, peers = self.scheme_baseline()
            firing = _firing(veto.condition, veto.negate, spec)
            values[veto.input] = firing
            shown = self.show(veto.input, firing)
            self.add(
                Case(
                    "veto",
                    None,
                    veto.line,
                    "",
                    f"veto “{veto.name}” ({veto.effect()}): no scheme example makes it fire "
                    f"(such as {shown})",
                    key,
                    self.stub(None, values, peers, f"veto fires ({shown})", grade=True),
                )
            )
            for example in scheme_examples:
                if _fires(veto, example, self.specs):
                    self.mark(key, example)

    def scheme_baseline(self) -> tuple[dict[str, Value], dict[str, dict[str, Fraction]]]:
        for example in self.examples:
            if example.node is None:
                return dict(example.values), {k: dict(v) for k, v in example.peers.items()}
        values: dict[str, Value] = {}
        peers: dict[str, dict[str, Fraction]] = {}
        for top in self.scorer.children:
            top_values, top_peers = self.baseline(top)
            values.update(top_values)
            peers.update(top_peers)
        return values, peers

    # ---------------------------------------------------------------- result

    def run(self) -> list[Case]:
        self.tables()
        self.clauses()
        self.vetoes()
        self.evaluated()
        return [
            attrs.evolve(case, tried_by=tuple(dict.fromkeys(self.tried.get(key, ()))))
            for key, case in self.cases.items()
        ]


def _ref(thing: object) -> str:
    """``line 14``; for a scorer built in Python (no line), what it is."""
    line = getattr(thing, "line", None)
    if line:
        return f"line {line}"
    if isinstance(thing, Item | Section):
        return node_label(thing)
    return f"`{_text(thing)}`"


def _text(thing: object) -> str:
    """A rule line's or clause's text as written (its repr when built in Python)."""
    text = getattr(thing, "text", "")
    return str(text) if text else repr(thing).strip("<>")


def _is_no_data(line: object) -> bool:
    return isinstance(line, Band) and isinstance(line.condition, NoData)


def _stats_used(rows: Sequence[tuple[int, object]]) -> list[str]:
    """The peer statistics a table's lines compare with (``scaled to peer max``: max)."""
    stats: list[str] = []
    for _, line in rows:
        if isinstance(line, Band) and isinstance(line.condition, PeerRelative):
            stats.append(line.condition.stat)
        elif isinstance(line, Scaled) and line.to_peer_max:
            stats.append("max")
    return list(dict.fromkeys(stats))


def _node_stats(node: Node, name: str) -> list[str]:
    """The peer statistics of ``name`` anything in ``node`` compares with."""
    stats: list[str] = []
    for item in node.walk():
        if not isinstance(item, Item):
            continue
        if item.table is not None:
            rows = [(0, line) for line in item.table.lines if line.subject == name]
            stats.extend(_stats_used(rows))
        for clause in item.clauses:
            if (
                isinstance(clause, When)
                and clause.input == name
                and isinstance(clause.condition, PeerRelative)
            ):
                stats.append(clause.condition.stat)
    return list(dict.fromkeys(stats))


def _up(value: Fraction, spec: InputSpec, *, strictly: bool = False) -> Fraction:
    """The first value of the input's grid at (or, ``strictly``, above) ``value``."""
    if spec.precision is not None:
        step = spec.precision
    elif spec.type == "count":
        step = Fraction(1)
    else:
        places = _decimals(value)
        step = Fraction(1, 10 ** min(places if places is not None else 4, 4))
    k = math.ceil(value / step)
    if strictly and k * step == value:
        k += 1
    result: Fraction = k * step
    return min(result, Fraction(100)) if spec.type == "percent" else result


def _firing(condition: object, negate: bool, spec: InputSpec) -> Value:
    """A value for which a test holds (a veto fires, a clause applies)."""
    if condition is None or isinstance(condition, IsYes):
        wanted = condition.expected if isinstance(condition, IsYes) else True
        return (not wanted) if negate else wanted
    if isinstance(condition, NoData):
        return None if not negate else (False if spec.type == "yes/no" else Fraction(0))
    if isinstance(condition, Range):
        inside = condition.low if condition.low is not None else condition.high
        if inside is None:
            inside = Fraction(0)
        if not condition.contains(inside):
            step = spec.precision or Fraction(1)
            inside = inside + step if condition.low is not None else inside - step
        if negate:
            step = spec.precision or Fraction(1)
            inside = (
                condition.low - step
                if condition.low is not None
                else (condition.high + step if condition.high is not None else inside)
            )
        return inside
    return Fraction(0)


def _fires(veto: Veto, example: _Example, specs: Mapping[str, InputSpec]) -> bool:
    ctx = Context(None, dict(example.values), dict(example.peers), specs)
    try:
        return veto.fires(ctx)
    except ScoreProblem:
        return False


def _reaching(
    line: PerUnit, kind: str, maximum: Fraction, env: Env, spec: InputSpec
) -> Fraction | None:
    """The value nearest the threshold at which a per-unit line's cap or floor applies."""
    grid = _Grid.of(spec, [line.threshold or Fraction(0), line.unit])
    base = line.threshold if line.threshold is not None else Fraction(0)
    direction = -1 if line.reference == "below" else 1
    value = math.floor(base / grid.step) * grid.step if direction < 0 else base
    for _ in range(20000):
        if not grid.inside(value):
            return None
        applied = line.apply(value, env, maximum)
        if any(step[0] == kind for step in applied.steps):
            return value
        value += direction * grid.step
    return None


def _results(nodes: Sequence[Node], ctx: Context) -> Iterator[NodeResult]:
    """Every node result that scores (a node with a data error: its children instead)."""
    for node in nodes:
        try:
            result = node.evaluate(ctx)
        except ScoreProblems:
            yield from _results(node.children if isinstance(node, Section) else node.parts, ctx)
            continue
        yield from result.walk()


def coverage(scheme: Scheme) -> CoverageReport:
    """The cases of ``scheme``'s rules and which of its ``example`` lines try them."""
    cases = _Analysis(scheme).run()
    cases.sort(key=lambda case: (case.line or 0, str(case.key)))
    return CoverageReport(scheme.source.name if scheme.source is not None else None, tuple(cases))
