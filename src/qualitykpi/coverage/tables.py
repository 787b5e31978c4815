"""The cases of rule tables, for ``qualitykpi test --coverage``.

For each subject of an item's table: both sides of each boundary (for a
yes/no subject, each value), its ``no data`` line, and the caps and floors
of its ``each`` lines, with the example lines that try them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction
from typing import assert_never

from ..i18n import _
from ..nodes.conditions import Env, ScoreProblem
from ..nodes.derived import Let
from ..nodes.formulas import Computed
from ..nodes.scaling import Custom, Linear, Scaled
from ..nodes.scorers import Band, PerUnit
from ..nodes.tables import Line
from ..nodes.tree import Item
from ..values import InputSpec, Value, fmt
from .analysis import Analysis, stats_used
from .axes import axis
from .axes import computed as computed_value
from .cases import Case, rule_ref, rule_text, show_value
from .points import End, Grid, Side, boundary_sides, tried_sides


class TableCases:
    """The cases of each item's rule table."""

    def __init__(self, found: Analysis) -> None:
        #: The scheme, its examples and the cases found so far, shared with the
        #: other kinds of cases.
        self.found = found

    def tables(self) -> None:
        computed = {let.name: let for let in self.found.scorer.lets}
        for node in self.found.scorer.walk():
            if isinstance(node, Item) and node.table is not None:
                if any(line.compared_with() for line in node.table.lines):
                    continue  # where its lines change moves with each entity's values
                for subject in node.table.subjects():
                    let = computed.get(subject)
                    if let is None or self.along(node, let):
                        self.table(node, subject)

    def along(self, item: Item, let: Let) -> bool:
        """Whether ``let`` can be tried through one of its inputs (see
        :mod:`qualitykpi.coverage.axes`); if so, the examples' values of it are known."""
        found = self.found
        values, _peers = found.baseline(item)
        held = {name: value for name, value in values.items() if name in found.specs}
        if let.expression is not None:
            needs = let.expression.needs()
            for name in (*needs.inputs, *(f"previous {name}" for name in needs.previous)):
                if name not in held and name in found.specs:
                    held[name] = found.guess(name)
        line = axis(let, held, found.specs)
        if line is None:
            return False
        found.axes[let.name] = line
        found.specs[let.name] = line.spec
        for example in found.examples:
            if example.reaches(item, found.ancestors) and let.name not in example.values:
                example.values[let.name] = computed_value(let, example.values)  # type: ignore[index]
        return True

    def table(self, item: Item, subject: str) -> None:
        assert item.table is not None
        spec = self.found.specs.get(subject, InputSpec(subject, "number"))
        rows = [
            (index, line) for index, line in enumerate(item.table.lines) if line.subject == subject
        ]
        base = (item.id, subject)
        no_data = [index for index, line in rows if _is_no_data(line)]
        if no_data:
            line = item.table.lines[no_data[0]]
            key = (*base, "no data", no_data[0])
            self.found.add(
                Case(
                    "no data",
                    item.id,
                    line.line,
                    rule_text(line),
                    _("no example leaves {name} without data").format(name=subject),
                    key,
                    self.found.input_stub(
                        item, subject, None, {}, _("{line}: no data").format(line=rule_ref(line))
                    ),
                )
            )
        target = item.targets.get(subject)
        holder = item.target_inputs.get(subject)
        if holder is not None:
            # A target from the data (`target plan`): the boundaries around the
            # value the stubs give it (an example's, else a plain guess).
            given = self.found.baseline(item)[0].get(holder)
            target = given if isinstance(given, Fraction) else None

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

        def sides(env: Env) -> tuple[list[Side], Callable[[Value], int | None]]:
            unit = "%" if env.percent else ""
            ends = [
                End(index, end.label, end.value, end.stat)
                for index, line in rows
                for end in line.ends(target, env.peers, unit)
            ]
            decide = decider(env)
            grid = Grid.of(spec, [end.value for end in ends])
            return boundary_sides(ends, decide, grid), decide

        if spec.type in ("yes/no", "level"):
            # Few values, none between them: each is a case of its own.
            decide = decider(environment({}))
            options: list[Value] = (
                [True, False]
                if spec.type == "yes/no"
                else [Fraction(index) for index in range(len(spec.levels))]
            )
            for option in options:
                owner = decide(option)
                if owner is None:
                    continue
                line = item.table.lines[owner]
                value_key = (*base, "value", option)
                shown = show_value(option, spec)
                untried = (
                    _("the value {value} is not tried")
                    if spec.type == "yes/no"
                    else _("the level {value} is not tried")
                )
                note = _("{line}: {value}").format(line=rule_ref(line), value=shown)
                self.found.add(
                    Case(
                        "value",
                        item.id,
                        line.line,
                        rule_text(line),
                        untried.format(value=shown),
                        value_key,
                        self.found.input_stub(item, subject, option, {}, note),
                    )
                )
            for example in self.found.examples:
                value = example.values.get(subject)
                if example.reaches(item, self.found.ancestors) and value is not None:
                    self.found.mark((*base, "value", value), example)
            self.no_data_tried(item, subject, base, no_data)
            return

        reference = self.found.reference_peers(item, subject, stats_used(rows))
        env = environment(reference)
        for side in sides(env)[0]:
            line = item.table.lines[side.owner]
            gap, detail = self.side_detail(line, subject, side, target)
            if side.end.owner == side.owner:
                where = _("just inside {end}").format(end=side.end.label)
            else:
                other = rule_ref(item.table.lines[side.end.owner])
                where = (
                    _("just below {end}, before {line} takes over")
                    if side.side == "below"
                    else _("just above {end}, past {line}")
                ).format(end=side.end.label, line=other)
            note = (
                _("{line}: {where} (gap {gap})").format(line=rule_ref(line), where=where, gap=gap)
                if gap
                else _("{line}: {where}").format(line=rule_ref(line), where=where)
            )
            self.found.add(
                Case(
                    "boundary",
                    item.id,
                    line.line,
                    rule_text(line),
                    _("the value {where} ({detail}) is not tried").format(
                        where=where, detail=detail
                    ),
                    (*base, "boundary", *side.key),
                    self.found.input_stub(item, subject, side.value, reference, note),
                )
            )
        for example in self.found.examples:
            value = example.values.get(subject)
            if not example.reaches(item, self.found.ancestors) or not isinstance(value, Fraction):
                continue
            found, decide = sides(environment(example.peers.get(subject, {})))
            for side_key in tried_sides(found, decide, value):
                self.found.mark((*base, "boundary", *side_key), example)
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
        for example in self.found.examples:
            if example.reaches(item, self.found.ancestors) and example.values.get(subject) is None:
                self.found.mark((*base, "no data", no_data[0]), example)

    def side_detail(
        self, line: Line, subject: str, side: Side, target: Fraction | None
    ) -> tuple[str | None, str]:
        """The gap to the target (for `… target by` lines) and the value, as shown."""
        value = side.value
        shown = self.found.show(subject, value)
        gap = None
        measured = line.gap(value, target)
        if measured is not None:
            gap = fmt(measured)
            shown = _("gap {gap}, {value}").format(gap=gap, value=shown)
        if side.end.peer is not None:
            stat, number = side.end.peer
            shown = _("{values} given peer {stat} {value}").format(
                values=shown,
                stat=stat,
                value=show_value(number, self.found.specs.get(subject)),
            )
        return gap, shown

    # ------------------------------------------------------- caps, floors

    def caps(
        self,
        item: Item,
        subject: str,
        rows: Sequence[tuple[int, Line]],
        env: Env,
        decide: Callable[[Value], int | None],
    ) -> None:
        spec = self.found.specs.get(subject, InputSpec(subject, "number"))
        for index, line in rows:
            match line:
                case PerUnit():
                    limits = (("cap", line.cap), ("floor", line.floor))
                case Band() | Scaled() | Custom() | Linear() | Computed():
                    continue  # no cap or floor of its own
                case _:
                    assert_never(line)
            for kind, limit in limits:
                if limit is None:
                    continue
                value = _reaching(line, kind, item.max, spec)
                if value is None or decide(value) != index:
                    continue  # no value of the input that this line scores reaches it
                if kind == "cap":
                    note = _("{line}: at most {limit} reached")
                    what = _("no example reaches its cap (at most {limit})")
                else:
                    note = _("{line}: floor {limit} reached")
                    what = _("no example reaches its floor (floor {limit})")
                note = note.format(line=rule_ref(line), limit=fmt(limit))
                what = what.format(limit=fmt(limit))
                stub = self.found.input_stub(item, subject, value, dict(env.peers), note)
                key = (item.id, kind, index)
                self.found.add(Case(kind, item.id, line.line, rule_text(line), what, key, stub))


def _is_no_data(line: Line) -> bool:
    return line.takes_absent


def _reaching(line: PerUnit, kind: str, maximum: Fraction, spec: InputSpec) -> Fraction | None:
    """The value nearest the threshold at which a per-unit line's cap or floor applies.

    The grid may hold 10^20 values between the threshold and the domain's end
    (``precision 0.00000000000000000001``), so it is searched, not walked:
    the deduction only grows away from the threshold, so doubling the
    distance and then halving it finds the first value in a hundred steps.
    """
    grid = Grid.of(spec, [line.threshold or Fraction(0), line.unit])
    base = line.threshold if line.threshold is not None else Fraction(0)
    direction = -1 if line.reference == "below" else 1
    start = math.floor(base / grid.step) * grid.step if direction < 0 else base

    def at(k: int) -> Fraction:
        return start + direction * k * grid.step

    def reached(k: int) -> bool:
        capped, floored = line.limits(at(k), maximum)
        return capped if kind == "cap" else floored

    if not grid.inside(at(0)):
        return None
    if reached(0):
        return at(0)
    # The last step known to be inside the domain and short of the limit.
    short, far = 0, 1
    while grid.inside(at(far)) and not reached(far):
        short, far = far, far * 2
        if far > 1 << 200:
            return None
    if not grid.inside(at(far)):
        edge = grid.low if direction < 0 else grid.high
        assert edge is not None
        far = math.floor(abs(edge - start) / grid.step)
        if far <= short or not reached(far):
            return None
    while far - short > 1:
        middle = (short + far) // 2
        if reached(middle):
            far = middle
        else:
            short = middle
    return at(far)
