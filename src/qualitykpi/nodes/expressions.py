"""Expressions: values computed from values (LANGUAGE-2 §2).

``(rd − previous rd) / previous rd``, ``peer max of drop``, ``rank of
output``, ``min(score of tasks, score of result)``, ``round(x, 0)``: each
form is a small frozen class that says, once, for every tool:

* :meth:`~Expression.evaluate` — its exact value for one entity, from a
  :class:`Scope`; an absent value or a division by zero is a
  :class:`~qualitykpi.nodes.conditions.ScoreProblem` naming the expression
  and what was missing, never a zero;
* :meth:`~Expression.needs` — the inputs, previous values, peer statistics,
  ranks and nodes it reads (:class:`Needs`), so that a cohort knows what to
  compute before anyone is scored;
* :meth:`~Expression.bounds` — the values it can take over the inputs'
  domains (interval arithmetic, sound: every value it evaluates to lies
  within them), for the checks' reachable ranges;
* :meth:`~Expression.trend` — whether it rises or falls with an input
  (weakly), for the checks' and ``verify``'s sense of which way is better;
* :meth:`~Expression.text` and :meth:`~Expression.show` — how it is written,
  and with an entity's values put in, for the trace:
  ``growth = (220 − 200) / 200 = 0.1``.

Percent values are fractions inside an expression: ``10%`` is 0.1, and a
percent input reported as 93 (%) is 0.93.
:data:`qualitykpi.nodes.arithmetic.EXPRESSIONS` lists every form; a test
runs every question on each.  The compound forms (arithmetic,
``min``/``max``, ``abs``, ``round``) are in :mod:`qualitykpi.nodes.arithmetic`.
The grammar that writes them is part 2 of the language; the classes built
here are what it compiles to.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Literal, Protocol, TypeAlias

import attrs

from ..i18n import _
from ..values import Value, fmt
from .conditions import ScoreProblem

#: How an expression moves when one input rises, the others held: weakly.
Trend: TypeAlias = Literal["up", "down", "flat", "unknown"]
#: A range of values; None is unbounded on that side.
Bounds: TypeAlias = tuple[Fraction | None, Fraction | None]
Stat: TypeAlias = Literal["mean", "median", "max", "min"] | str

UNBOUNDED: Bounds = (None, None)
_HUNDRED = Fraction(100)


@attrs.frozen
class Needs:
    """What an expression reads besides constants."""

    inputs: frozenset[str] = frozenset()
    previous: frozenset[str] = frozenset()
    stats: frozenset[tuple[str, str]] = frozenset()  # (input, statistic)
    ranks: frozenset[str] = frozenset()
    nodes: frozenset[str] = frozenset()  # node refs whose score or max it reads
    target: bool = False
    full: bool = False
    total: bool = False
    count: bool = False

    def __or__(self, other: Needs) -> Needs:
        return Needs(
            self.inputs | other.inputs,
            self.previous | other.previous,
            self.stats | other.stats,
            self.ranks | other.ranks,
            self.nodes | other.nodes,
            self.target or other.target,
            self.full or other.full,
            self.total or other.total,
            self.count or other.count,
        )


@attrs.frozen
class Scope:
    """What one entity's expressions may read, in each input's own unit
    (a percent input as reported: 93 for 93%)."""

    values: Mapping[str, Value] = attrs.field(factory=dict)
    previous: Mapping[str, Value] = attrs.field(factory=dict)
    percent: frozenset[str] = frozenset()
    target: Fraction | None = None
    full: Fraction | None = None
    total: Fraction | None = None
    stats: Mapping[str, Mapping[str, Fraction]] = attrs.field(factory=dict)
    #: Rank of each input's value, with the number of entities ranked.
    ranks: Mapping[str, tuple[int, int]] = attrs.field(factory=dict)
    count: int | None = None
    scores: Mapping[str, Fraction] = attrs.field(factory=dict)
    maxima: Mapping[str, Fraction] = attrs.field(factory=dict)


@attrs.frozen
class Domains:
    """What the checks know of every value an expression may read."""

    inputs: Mapping[str, Bounds] = attrs.field(factory=dict)
    percent: frozenset[str] = frozenset()
    target: Fraction | None = None
    full: Fraction | None = None
    total: Bounds = UNBOUNDED
    nodes: Mapping[str, Bounds] = attrs.field(factory=dict)
    maxima: Mapping[str, Fraction] = attrs.field(factory=dict)

    def of(self, name: str) -> Bounds:
        """An input's domain inside an expression (a percent as a fraction)."""
        low, high = self.inputs.get(name, UNBOUNDED)
        if name in self.percent:
            return (
                None if low is None else low / _HUNDRED,
                None if high is None else high / _HUNDRED,
            )
        return low, high


class Expression(Protocol):
    """What every expression says about itself (see the module's docstring)."""

    def evaluate(self, scope: Scope) -> Fraction: ...

    def needs(self) -> Needs: ...

    def bounds(self, domains: Domains) -> Bounds: ...

    def trend(self, name: str, domains: Domains) -> Trend: ...

    def text(self) -> str: ...

    def show(self, scope: Scope) -> str: ...

    @property
    def percent(self) -> bool:
        """Its value is a share (shown as a percentage)."""
        ...

    @property
    def precedence(self) -> int:
        """How tightly it binds, for parentheses: 3 atoms, 2 × and /, 1 + and −."""
        ...


def _missing(what: str, name: str) -> ScoreProblem:
    return ScoreProblem(
        _("no data for {input}").format(input=what), input=name, value=None, line=None
    )


def _present(value: Value, what: str, name: str) -> Fraction:
    if not isinstance(value, Fraction):
        raise _missing(what, name)
    return value


def shown_percent(value: Fraction) -> str:
    return fmt(value * _HUNDRED) + "%"


class Atom:
    """A leaf: no parentheses needed, constant unless it reads an input."""

    precedence = 3
    percent = False

    def trend(self, name: str, domains: Domains) -> Trend:
        return "flat"


@attrs.frozen(repr=False)
class Number(Atom):
    """A literal; ``10%`` is written with ``percent`` and is 0.1."""

    value: Fraction
    percent: bool = False

    def evaluate(self, scope: Scope) -> Fraction:
        return self.value

    def needs(self) -> Needs:
        return Needs()

    def bounds(self, domains: Domains) -> Bounds:
        return self.value, self.value

    def text(self) -> str:
        return shown_percent(self.value) if self.percent else fmt(self.value)

    def show(self, scope: Scope) -> str:
        return self.text()

    def __repr__(self) -> str:
        return f"<{self.text()}>"


@attrs.frozen(repr=False)
class Input(Atom):
    """An input (or a ``let`` value) of the entity; a percent one as a fraction."""

    name: str
    percent: bool = False

    def evaluate(self, scope: Scope) -> Fraction:
        value = _present(scope.values.get(self.name), repr(self.name), self.name)
        return value / _HUNDRED if self.percent else value

    def needs(self) -> Needs:
        return Needs(inputs=frozenset({self.name}))

    def bounds(self, domains: Domains) -> Bounds:
        return domains.of(self.name)

    def trend(self, name: str, domains: Domains) -> Trend:
        return "up" if name == self.name else "flat"

    def text(self) -> str:
        return self.name

    def show(self, scope: Scope) -> str:
        value = self.evaluate(scope)
        return shown_percent(value) if self.percent else fmt(value)

    def __repr__(self) -> str:
        return f"<{self.name}>"


@attrs.frozen(repr=False)
class Previous(Atom):
    """``previous NAME``: last period's value of an input."""

    name: str
    percent: bool = False

    def evaluate(self, scope: Scope) -> Fraction:
        name = f"previous {self.name}"
        value = _present(scope.previous.get(self.name), name, name)
        return value / _HUNDRED if self.percent else value

    def needs(self) -> Needs:
        return Needs(previous=frozenset({self.name}))

    def bounds(self, domains: Domains) -> Bounds:
        return domains.of(self.name)

    def text(self) -> str:
        return f"previous {self.name}"

    def show(self, scope: Scope) -> str:
        value = self.evaluate(scope)
        return shown_percent(value) if self.percent else fmt(value)

    def __repr__(self) -> str:
        return f"<previous {self.name}>"


@attrs.frozen(repr=False)
class Given(Atom):
    """``target``, ``full`` (the node's max), ``total`` or ``peers`` (the cohort's size)."""

    word: Literal["target", "full", "total", "peers"]
    #: A percent subject's target: read as a fraction, shown as a percentage.
    percent: bool = False

    def evaluate(self, scope: Scope) -> Fraction:
        value: Fraction | int | None = {
            "target": scope.target,
            "full": scope.full,
            "total": scope.total,
            "peers": scope.count,
        }[self.word]
        if value is None:
            what = (
                _("`peers` (score a cohort, or write an `example cohort`)")
                if self.word == "peers"
                else f"`{self.word}`"
            )
            raise _missing(what, self.word)
        return Fraction(value)

    def needs(self) -> Needs:
        return Needs(
            target=self.word == "target",
            full=self.word == "full",
            total=self.word == "total",
            count=self.word == "peers",
        )

    def bounds(self, domains: Domains) -> Bounds:
        if self.word == "target" and domains.target is not None:
            return domains.target, domains.target
        if self.word == "full" and domains.full is not None:
            return domains.full, domains.full
        if self.word == "total":
            return domains.total
        return (Fraction(1), None) if self.word == "peers" else UNBOUNDED

    def text(self) -> str:
        return self.word

    def show(self, scope: Scope) -> str:
        value = self.evaluate(scope)
        return shown_percent(value) if self.percent else fmt(value)

    def __repr__(self) -> str:
        return f"<{self.word}>"


@attrs.frozen(repr=False)
class PeerStat(Atom):
    """``peer STAT of NAME``: a statistic of the cohort's values of an input."""

    stat: Stat
    name: str
    percent: bool = False

    def evaluate(self, scope: Scope) -> Fraction:
        value = scope.stats.get(self.name, {}).get(self.stat)
        if value is None:
            what = _("the peer {statistic} of {input}").format(
                statistic=self.stat, input=repr(self.name)
            )
            raise _missing(what, self.name)
        return value / _HUNDRED if self.percent else value

    def needs(self) -> Needs:
        return Needs(stats=frozenset({(self.name, self.stat)}))

    def bounds(self, domains: Domains) -> Bounds:
        return domains.of(self.name)  # a statistic of values lies among them

    def trend(self, name: str, domains: Domains) -> Trend:
        # The entity's own value moves its cohort's statistic: not a question
        # one entity's value can answer.
        return "unknown" if name == self.name else "flat"

    def text(self) -> str:
        return f"peer {self.stat} of {self.name}"

    def show(self, scope: Scope) -> str:
        value = self.evaluate(scope)
        return shown_percent(value) if self.percent else fmt(value)

    def __repr__(self) -> str:
        return f"<peer {self.stat} of {self.name}>"


@attrs.frozen(repr=False)
class RankOf(Atom):
    """``rank of NAME``: 1 for the best value of the cohort (ties share the better rank)."""

    name: str
    better: Literal["higher", "lower"] = "higher"

    def evaluate(self, scope: Scope) -> Fraction:
        ranked = scope.ranks.get(self.name)
        if ranked is None:
            raise _missing(
                _(
                    "the rank of {input} (score a cohort, or give it in an example: "
                    "`given rank 2 of 13`)"
                ).format(input=repr(self.name)),
                self.name,
            )
        return Fraction(ranked[0])

    def needs(self) -> Needs:
        return Needs(ranks=frozenset({self.name}))

    def bounds(self, domains: Domains) -> Bounds:
        return Fraction(1), None

    def trend(self, name: str, domains: Domains) -> Trend:
        if name != self.name:
            return "flat"
        return "down" if self.better == "higher" else "up"  # a better value, a smaller rank

    def text(self) -> str:
        return f"rank of {self.name}"

    def show(self, scope: Scope) -> str:
        rank, size = scope.ranks.get(self.name, (0, 0))
        return f"{rank} of {size}" if rank else self.text()

    def __repr__(self) -> str:
        return f"<rank of {self.name}>"


@attrs.frozen(repr=False)
class NodeValue(Atom):
    """``score of REF`` or ``max of REF``: a node's computed score, or its maximum."""

    what: Literal["score", "max"]
    ref: str

    def evaluate(self, scope: Scope) -> Fraction:
        found = (scope.scores if self.what == "score" else scope.maxima).get(self.ref)
        if found is None:
            what = _("the score of {node}") if self.what == "score" else _("the max of {node}")
            raise _missing(what.format(node=repr(self.ref)), self.ref)
        return found

    def needs(self) -> Needs:
        return Needs(nodes=frozenset({self.ref}))

    def bounds(self, domains: Domains) -> Bounds:
        if self.what == "max":
            found = domains.maxima.get(self.ref)
            return UNBOUNDED if found is None else (found, found)
        return domains.nodes.get(self.ref, UNBOUNDED)

    def text(self) -> str:
        return f"{self.what} of {self.ref}"

    def show(self, scope: Scope) -> str:
        return fmt(self.evaluate(scope))

    def __repr__(self) -> str:
        return f"<{self.text()}>"
