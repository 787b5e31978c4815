"""The cases of clauses, deduction caps and vetoes, for ``qualitykpi test --coverage``.

Both sides of each ``deduct N if …`` / ``award N if …`` test, the caps of
``for each`` clauses, ``deduct at most`` items and ``deductions at most``
sections, and the vetoes; and, read from the traces of the examples'
scores, which caps, floors and clamps they reach.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from fractions import Fraction
from typing import assert_never

from ..domains import Domain, Interval, ValueSet
from ..i18n import _
from ..nodes.clauses import ForEach, When
from ..nodes.conditions import Condition, Env, ScoreProblem
from ..nodes.evaluation import Context, ScoreProblems
from ..nodes.scheme_scorer import Veto
from ..nodes.tree import Item, Section
from ..results import NodeResult
from ..values import InputSpec, Value, fmt
from .analysis import Analysis, Example, Peers
from .cases import Case, Node, node_label, rule_ref, rule_text
from .points import Grid, Side, boundary_sides, condition_ends, tried_sides, up


class ClauseCases:
    """The cases of clauses, deduction caps and vetoes, and what the examples reach."""

    def __init__(self, found: Analysis) -> None:
        #: The scheme, its examples and the cases found so far, shared with the
        #: other kinds of cases.
        self.found = found

    def clauses(self) -> None:
        for node in self.found.scorer.walk():
            if not isinstance(node, Item):
                continue
            for index, clause in enumerate(node.clauses):
                match clause:
                    case When():
                        self.when(node, index, clause)
                    case ForEach():
                        if clause.cap is not None:
                            self.clause_cap(node, index, clause)
                    case _:
                        assert_never(clause)
            if node.deduct_cap is not None:
                peers = self.found.baseline(node)[1]
                self.cap_case(node, "deduct cap", node.deduct_cap, self.worst(node), peers)
        for node in self.found.scorer.walk():
            if isinstance(node, Section) and node.deductions_cap is not None:
                base_values, peers = self.found.baseline(node)
                worst: dict[str, Value] = {}
                for child in node.walk():
                    if isinstance(child, Item) and child.deduct_cap is not None:
                        worst.update(self.worst(child))
                self.cap_case(
                    node, "deductions cap", node.deductions_cap, {**base_values, **worst}, peers
                )

    def cap_case(
        self,
        node: Node,
        key: str,
        limit: Fraction,
        values: Mapping[str, Value],
        peers: Peers,
    ) -> None:
        """A node's cap on deductions (``key``: an item's ``deduct cap`` or a section's
        ``deductions cap``), as a case, when these values reach it."""
        if (node.id, key) not in self.keys(node, values, peers):
            return  # the deductions cannot exceed the cap
        where = node_label(node, line=False)
        if key == "deduct cap":
            note = _("{line}: deduct at most {limit} reached")
            what = _("no example reaches the deduction cap (deduct at most {limit}) of {node}")
        else:
            note = _("{line}: deductions at most {limit} reached")
            what = _(
                "no example reaches the cap on deductions (deductions at most {limit}) of {node}"
            )
        note = note.format(line=rule_ref(node), limit=fmt(limit))
        self.found.add(
            Case(
                "cap",
                node.id,
                node.line,
                "",
                what.format(limit=fmt(limit), node=where),
                (node.id, key),
                self.found.stub(node, values, peers, note),
            )
        )

    def keys(
        self, node: Node, values: Mapping[str, Value], peers: Peers
    ) -> set[tuple[object, ...]]:
        """The caps, floors and clamps ``node`` reaches with these values."""
        ctx = Context(None, dict(values), dict(peers), self.found.specs)
        try:
            result = node.own(ctx)
        except ScoreProblems:
            return set()
        return set(self._reached(node, result))

    def worst(self, item: Item) -> dict[str, Value]:
        """Values that make every deduction of a deduction-only item count."""
        values, _peers = self.found.baseline(item)
        for clause in item.clauses:
            if clause.effect != "deduct":
                continue
            spec = self.found.specs.get(clause.input, InputSpec(clause.input, "number"))
            match clause:
                case When():
                    value = _firing(clause.condition, clause.negate, spec)
                    if value is not None:
                        values[clause.input] = value
                case ForEach():
                    if not clause.amount:
                        continue  # `deduct 0 for each …` deducts nothing, whatever the value
                    base = clause.beyond or Fraction(0)
                    cap = clause.cap if clause.cap is not None else item.deduct_cap or Fraction(1)
                    reach = base + clause.unit * (cap / clause.amount + 1)
                    values[clause.input] = up(reach, spec)
                case _:
                    assert_never(clause)
        return values

    def when(self, item: Item, index: int, clause: When) -> None:
        spec = self.found.specs.get(clause.input, InputSpec(clause.input, "number"))
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

        deducts = clause.effect == "deduct"
        absent = condition is not None and condition.takes_absent
        if condition is None or absent or condition.on_yes_no or spec.type in ("yes/no", "level"):
            decide = decide_with(environment({}))
            options: list[Value] = (
                [True, False] if spec.type == "yes/no" else _levels(spec) or [None]
            )
            if absent:
                options = [None]
            for value in options:
                applies = decide(value) == 0
                key = (*base, "value", value)
                what = _where_it(deducts, applies).format(
                    value=self.found.show(clause.input, value)
                )
                note = _("{line}: {case}").format(line=rule_ref(clause), case=what)
                self.found.add(
                    Case(
                        "clause",
                        item.id,
                        clause.line,
                        rule_text(clause),
                        _("{case}, is not tried").format(case=what),
                        key,
                        self.found.input_stub(item, clause.input, value, {}, note),
                    )
                )
            for example in self.found.examples:
                if example.reaches(item, self.found.ancestors):
                    value = example.values.get(clause.input)
                    self.found.mark((*base, "value", value), example)
            return
        stats = [comparison.stat for comparison in condition.comparisons()]
        reference = self.found.reference_peers(item, clause.input, stats) if stats else {}

        def sides(env: Env) -> tuple[list[Side], Callable[[Value], int | None]]:
            ends = condition_ends(condition, 0, None, env, env.percent)
            decide = decide_with(env)
            return boundary_sides(ends, decide, Grid.of(spec, [end.value for end in ends])), decide

        for side in sides(environment(reference))[0]:
            applies = side.owner == 0
            detail = self.found.show(clause.input, side.value)
            what = _just_where_it(deducts, applies).format(end=side.end.label)
            note = _("{line}: {case}").format(line=rule_ref(clause), case=what)
            self.found.add(
                Case(
                    "clause",
                    item.id,
                    clause.line,
                    rule_text(clause),
                    _("{case} ({detail}), is not tried").format(case=what, detail=detail),
                    (*base, *side.key),
                    self.found.input_stub(item, clause.input, side.value, reference, note),
                )
            )
        for example in self.found.examples:
            value = example.values.get(clause.input)
            if not example.reaches(item, self.found.ancestors) or not isinstance(value, Fraction):
                continue
            found, decide = sides(environment(example.peers.get(clause.input, {})))
            for side_key in tried_sides(found, decide, value):
                self.found.mark((*base, *side_key), example)

    def clause_cap(self, item: Item, index: int, clause: ForEach) -> None:
        assert clause.cap is not None
        if not clause.amount:
            return  # `award 0 for each …` never reaches a cap
        spec = self.found.specs.get(clause.input, InputSpec(clause.input, "number"))
        base = clause.beyond or Fraction(0)
        reach = up(base + clause.unit * clause.cap / clause.amount, spec, strictly=True)
        if clause.raw(reach)[1] <= clause.cap:
            return  # the input's domain ends before the cap
        self.found.add(
            Case(
                "cap",
                item.id,
                clause.line,
                rule_text(clause),
                _("no example reaches its cap (at most {limit})").format(limit=fmt(clause.cap)),
                (item.id, "clause cap", index),
                self.found.input_stub(
                    item,
                    clause.input,
                    reach,
                    {},
                    _("at most {limit} reached").format(limit=fmt(clause.cap)),
                ),
            )
        )

    # --------------------------------------------------------------- vetoes

    def vetoes(self) -> None:
        scheme_examples = [example for example in self.found.examples if example.node is None]
        computed = {let.name for let in self.found.scorer.lets}
        for index, veto in enumerate(self.found.scorer.vetoes):
            if veto.input in computed or (
                veto.condition is not None and veto.condition.expressions()
            ):
                continue  # what makes it fire is worked out for each entity
            key = ("veto", index)
            spec = self.found.specs.get(veto.input, InputSpec(veto.input, "number"))
            values, peers = self.scheme_baseline()
            firing = _firing(veto.condition, veto.negate, spec)
            values[veto.input] = firing
            shown = self.found.show(veto.input, firing)
            self.found.add(
                Case(
                    "veto",
                    None,
                    veto.line,
                    "",
                    _(
                        "veto “{veto}” ({effect}): no scheme example makes it fire "
                        "(such as `{values}`)"
                    ).format(veto=veto.name, effect=veto.effect(), values=shown),
                    key,
                    self.found.stub(
                        None,
                        values,
                        peers,
                        _("veto fires ({values})").format(values=shown),
                        grade=True,
                    ),
                )
            )
            for example in scheme_examples:
                if _fires(veto, example, self.found.specs):
                    self.found.mark(key, example)

    def scheme_baseline(self) -> tuple[dict[str, Value], dict[str, dict[str, Fraction]]]:
        for example in self.found.examples:
            if example.node is None:
                return dict(example.values), {k: dict(v) for k, v in example.peers.items()}
        values: dict[str, Value] = {}
        peers: dict[str, dict[str, Fraction]] = {}
        for top in self.found.scorer.children:
            top_values, top_peers = self.found.baseline(top)
            values.update(top_values)
            peers.update(top_peers)
        return values, peers

    # ------------------------------------------------------- caps, floors

    def evaluated(self) -> None:
        """Caps, floors and clamps the examples' scores reach (read from their traces)."""
        for example in self.found.examples:
            ctx = Context(None, dict(example.values), dict(example.peers), self.found.specs)
            top = [example.node] if example.node is not None else list(self.found.scorer.children)
            for result in _results(top, ctx):
                node = self.found.nodes.get(result.id)
                if node is None:
                    continue
                for key in self._reached(node, result):
                    self.found.mark(key, example)

    def _reached(self, node: Node, result: NodeResult) -> Iterator[tuple[object, ...]]:
        if isinstance(node, Item):
            lines = node.table.lines if node.table is not None else ()
            for index, line in enumerate(lines):
                # The caps and floors of `each` lines are the steps they record.
                for kind in line.limit_kinds():
                    for step in result.steps:
                        if step.line == line.line and step.kind == kind:
                            yield (node.id, step.kind, index)
            for index, clause in enumerate(node.clauses):
                for _kind in clause.limit_kinds():
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


def _levels(spec: InputSpec) -> list[Value]:
    """Each level of a level input, as its index (none for other inputs)."""
    return [Fraction(index) for index in range(len(spec.levels))]


def _firing(condition: Condition | None, negate: bool, spec: InputSpec) -> Value:
    """A value for which a test holds (a veto fires, a clause applies).

    Taken from where the condition holds (its own word), within the input's
    domain; with ``not``, from where it does not.  A level input's levels are
    few: the first one the test holds for.
    """
    if spec.type == "level" and condition is not None and not condition.takes_absent:
        for level in _levels(spec):
            try:
                if condition.holds(level, Env(subject=spec.name), None) != negate:
                    return level
            except ScoreProblem:
                break
        return Fraction(0)
    if condition is None or condition.on_yes_no:
        held = condition.interval(None) if condition is not None else None
        wanted = held is None or held.contains(Fraction(1))
        return (not wanted) if negate else wanted
    if condition.takes_absent:
        return None if not negate else (False if spec.type == "yes/no" else Fraction(0))
    held = condition.interval(None)
    if held is None:
        return Fraction(0)  # it needs a target or a statistic: nothing to aim at
    domain = Domain.of(spec)
    values = ValueSet.of(held)
    if negate:
        values = values.complement()
    inside = domain.snap(values)
    if inside.empty:
        return Fraction(0)
    return _within(inside.intervals[0])


def _within(iv: Interval) -> Fraction:
    """A value of ``iv``: a closed end, else a point between or beyond its open ends."""
    low, high = iv.low, iv.high
    if low is not None and iv.low_closed:
        return low
    if high is not None and iv.high_closed:
        return high
    if low is not None and high is not None:
        return (low + high) / 2
    if low is not None:
        return low + 1
    return high - 1 if high is not None else Fraction(0)


def _fires(veto: Veto, example: Example, specs: Mapping[str, InputSpec]) -> bool:
    ctx = Context(None, dict(example.values), dict(example.peers), specs)
    try:
        return veto.fires(ctx)
    except ScoreProblem:
        return False


def _results(nodes: Sequence[Node], ctx: Context) -> Iterator[NodeResult]:
    """Every node result that scores (a node with a data error: its children instead)."""
    for node in nodes:
        try:
            result = node.own(ctx)
        except ScoreProblems:
            yield from _results(node.children, ctx)
            continue
        yield from result.walk()


def _where_it(deducts: bool, applies: bool) -> str:
    """``{value}, where it deducts`` and its kin, untranslated placeholders left in."""
    if deducts:
        return _("{value}, where it deducts") if applies else _("{value}, where it does not deduct")
    return _("{value}, where it awards") if applies else _("{value}, where it does not award")


def _just_where_it(deducts: bool, applies: bool) -> str:
    """``the value just inside {end}, where it deducts`` and its kin."""
    if deducts:
        if applies:
            return _("the value just inside {end}, where it deducts")
        return _("the value just outside {end}, where it does not deduct")
    if applies:
        return _("the value just inside {end}, where it awards")
    return _("the value just outside {end}, where it does not award")
