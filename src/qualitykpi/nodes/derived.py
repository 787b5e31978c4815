"""Values computed from values: ``let`` names, computed subjects, joined tests.

A scheme's :class:`Let` values are worked out for each entity before its
tree is scored (:func:`derive`), in the order they depend on each other, and
then read by rule lines, clauses and vetoes like inputs: a line tests
``growth`` as it tests ``rate``.  A let that cannot be worked out (an absent
value, a division by zero) is absent, and the reason is kept: a line that
reads it names that reason unless a ``no data`` line catches it.

A let's value is kept in its unit as a person reads it, like an input's: a
percent-kind value (``pass − previous pass``) as points (2 for 2%), a plain
one as itself.  Expressions read them back as fractions.

:class:`Cohort` is what a cohort supplies to them: statistics of the values
they compare with, the values they rank among (:class:`Ranking`), and its size.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping
from fractions import Fraction
from typing import Literal, TypeAlias

import attrs

from ..i18n import N_, _
from ..phrases import Said, phrase
from ..values import Value, fmt
from .arithmetic import Arithmetic, traced
from .conditions import Condition, Env, ScoreProblem
from .expressions import Expression, Scope, shown_percent

_HUNDRED = Fraction(100)


@attrs.frozen
class Ranking:
    """The present values of one ranked name over a cohort, counted: its distinct
    values in ascending order, how many entities have each value or a lower one,
    and which way is better.  A million values are a few thousand numbers."""

    values: tuple[Fraction, ...]
    #: ``at_most[i]``: how many entities have ``values[i]`` or a lower value.
    at_most: tuple[int, ...]
    better: Literal["higher", "lower"]

    @classmethod
    def of(
        cls, counted: Iterable[tuple[Fraction, int]], better: Literal["higher", "lower"]
    ) -> Ranking:
        """From (value, count) pairs in any order; equal values are one value."""
        merged: dict[Fraction, int] = {}
        for value, count in counted:
            merged[value] = merged.get(value, 0) + count
        values = tuple(sorted(merged))
        at_most: list[int] = []
        seen = 0
        for value in values:
            seen += merged[value]
            at_most.append(seen)
        return cls(values, tuple(at_most), better)

    @property
    def size(self) -> int:
        return self.at_most[-1] if self.at_most else 0

    def counted(self) -> list[tuple[Fraction, int]]:
        """(value, how many entities have it), in ascending order."""
        below = (0, *self.at_most)
        return [(value, below[place + 1] - below[place]) for place, value in enumerate(self.values)]

    def rank(self, value: Fraction) -> tuple[int, int]:
        """The rank of ``value`` (1 = best; equal values share the better rank, and
        the next rank is skipped), with how many were ranked."""
        size = self.size
        if self.better == "higher":
            place = bisect.bisect_right(self.values, value)
            return 1 + size - (self.at_most[place - 1] if place else 0), size
        place = bisect.bisect_left(self.values, value)
        return 1 + (self.at_most[place - 1] if place else 0), size


@attrs.frozen
class Cohort:
    """What the cohort tells an entity's expressions.

    ``stats`` holds statistics by value name, ``columns`` the :class:`Ranking`
    of each ranked name, ``ranks`` ranks given outright (an example's ``given
    rank 2 of 13``).
    """

    stats: Mapping[str, Mapping[str, Fraction]] = attrs.field(factory=dict)
    columns: Mapping[str, Ranking] = attrs.field(factory=dict)
    ranks: Mapping[str, tuple[int, int]] = attrs.field(factory=dict)
    size: int | None = None

    def rank(self, name: str, value: Fraction) -> tuple[int, int] | None:
        """The rank of ``value`` among the cohort's values of ``name``, with how many
        were ranked."""
        if name in self.ranks:
            return self.ranks[name]
        found = self.columns.get(name)
        return None if found is None else found.rank(value)


NO_COHORT = Cohort()


# ----------------------------------------------------------------- tests


@attrs.frozen
class Leaf:
    """One condition of a joined test, on a named value or on an expression."""

    name: str
    condition: Condition | None  # None: the yes/no value ``name`` is yes
    negate: bool = False
    #: The value tested, when it is computed here (grades: ``score of key``).
    subject: Expression | None = None
    #: 100 when the subject is a percent: conditions read it in points.
    scale: Fraction = Fraction(1)
    target: Fraction | None = None

    def holds(self, scope: Scope) -> bool:
        value: Value
        if self.subject is not None:
            value = self.subject.evaluate(scope) * self.scale
        else:
            value = scope.values.get(self.name)
        if self.condition is None:
            if not isinstance(value, bool):
                raise _absent(self.name, value)
            return value is not self.negate
        if value is None and not self.condition.takes_absent:
            raise _absent(self.name, value)
        env = Env(
            target=self.target,
            peers=scope.stats.get(self.name, {}),
            subject=self.name,
            percent=self.scale == _HUNDRED,
            scope=scope,
        )
        return self.condition.holds(value, env, None) is not self.negate


def _absent(name: str, value: Value) -> ScoreProblem:
    return ScoreProblem(
        _("no data for {input}").format(input=repr(name)), input=name, value=value, line=None
    )


@attrs.frozen
class Joined:
    """``A and B``, ``A or B``, ``not A`` over :class:`Leaf` tests."""

    op: Literal["and", "or", "not"]
    tests: tuple[Test, ...]

    def holds(self, scope: Scope) -> bool:
        if self.op == "not":
            return not self.tests[0].holds(scope)
        if self.op == "and":
            return all(test.holds(scope) for test in self.tests)
        return any(test.holds(scope) for test in self.tests)


Test: TypeAlias = Leaf | Joined


def leaves(test: Test) -> Iterable[Leaf]:
    if isinstance(test, Leaf):
        yield test
    else:
        for part in test.tests:
            yield from leaves(part)


# ------------------------------------------------------------------- lets


@attrs.frozen
class Let:
    """``let NAME = EXPR``, a computed subject, or a joined test (``test`` set: a
    yes/no value)."""

    name: str
    expression: Expression | None
    percent: bool = False
    test: Test | None = None
    line: int | None = None
    text: str = ""
    #: A plain value (a ratio) the rule compares with percentages: shown as one.
    shown_percent: bool = False

    @property
    def ratio(self) -> bool:
        """It is one value divided by another, kept as a plain number (0.1 is 10%)."""
        return (
            not self.percent
            and isinstance(self.expression, Arithmetic)
            and self.expression.op == "/"
        )

    def value(self, scope: Scope) -> Value:
        if self.test is not None:
            return self.test.holds(scope)
        assert self.expression is not None
        value = self.expression.evaluate(scope)
        return value * _HUNDRED if self.percent else value

    def show(self, scope: Scope) -> Said:
        """How it was worked out: ``growth = (rd − previous rd) / previous rd = … = 0.1``."""
        if self.expression is None:
            found = scope.values.get(self.name)
            message = N_("{name}: yes") if found else N_("{name}: no")
            return phrase(message, name=self.name)
        return traced(self.name, self.expression, scope, as_percent=self.shown_percent)

    def display(self, value: Value) -> str:
        """Its value as the trace shows it."""
        if isinstance(value, Fraction) and self.shown_percent and not self.percent:
            return shown_percent(value)
        return shown(value, self.percent)

    def reads(self) -> frozenset[str]:
        """The names whose values (not cohort) it reads."""
        if self.expression is not None:
            needs = self.expression.needs()
            return needs.inputs | {f"previous {name}" for name in needs.previous}
        names: set[str] = set()
        assert self.test is not None
        for leaf in leaves(self.test):
            names.add(leaf.name)
            if leaf.subject is not None:
                names |= leaf.subject.needs().inputs
        return frozenset(names)

    def cohort(self) -> frozenset[str]:
        """The names whose cohort statistics or ranks it reads."""
        if self.expression is None:
            assert self.test is not None
            return frozenset(
                name
                for leaf in leaves(self.test)
                for name in (
                    [leaf.name]
                    if leaf.condition is not None and leaf.condition.comparisons()
                    else []
                )
            )
        needs = self.expression.needs()
        return frozenset({name for name, _ in needs.stats} | needs.ranks)


def shown(value: Value, percent: bool) -> str:
    if value is None:
        return "no data"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return shown_percent(value / _HUNDRED) if percent else fmt(value)


def scope_for(
    values: Mapping[str, Value],
    cohort: Cohort,
    percent: frozenset[str],
    ranked: Iterable[str] = (),
) -> Scope:
    """What an entity's expressions read: its values, last period's, the cohort."""
    previous = {
        name.removeprefix("previous "): value
        for name, value in values.items()
        if name.startswith("previous ")
    }
    ranks: dict[str, tuple[int, int]] = dict(cohort.ranks)
    for name in ranked:
        value = values.get(name)
        if isinstance(value, Fraction):
            found = cohort.rank(name, value)
            if found is not None:
                ranks[name] = found
    return Scope(
        values=values,
        previous=previous,
        percent=percent,
        stats=cohort.stats,
        ranks=ranks,
        count=cohort.size,
    )


def derive(
    lets: Iterable[Let],
    values: Mapping[str, Value],
    cohort: Cohort,
    percent: frozenset[str],
    ranked: Iterable[str] = (),
) -> tuple[dict[str, Value], dict[str, ScoreProblem], Scope]:
    """``values`` with every let worked out (in order), why those that could not be
    are absent, and the scope they were worked out in."""
    out: dict[str, Value] = dict(values)
    why: dict[str, ScoreProblem] = {}
    ranked = tuple(ranked)
    scope = scope_for(out, cohort, percent, ranked)
    for let in lets:
        try:
            out[let.name] = let.value(scope)
        except ScoreProblem as problem:
            out[let.name] = None
            why[let.name] = ScoreProblem(
                _("`{name}` cannot be worked out: {problem}").format(
                    name=let.name, problem=problem.message
                ),
                input=problem.input or let.name,
                value=problem.value,
                line=let.line,
            )
        if let.name in ranked and isinstance(out[let.name], Fraction):
            scope = scope_for(out, cohort, percent, ranked)
    return out, why, scope_for(out, cohort, percent, ranked)
