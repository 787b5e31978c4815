"""A comparison with a computed value, and a rule line whose score is computed.

``peer max of drop = peer min of drop → full`` compares with ``peer min of
drop`` (:class:`Versus`); ``otherwise → 6 + 4 × (drop − peer min of drop) /
…`` scores what its expression gives (:class:`Computed`).  Both read the
entity's :class:`~qualitykpi.nodes.expressions.Scope` from the line's
:class:`~qualitykpi.nodes.conditions.Env`.  Neither has a place on a fixed
value axis: the checks say they do not analyse their tables, and the
compiled plan leaves them to the traced evaluator.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import Literal

import attrs

from ..domains import Interval
from ..fast import Decline, FastScore, FastValue
from ..i18n import N_, _
from ..phrases import Said, phrase
from ..values import Value, rounded
from .arithmetic import traced
from .conditions import (
    COMPARED,
    Condition,
    Env,
    ScoreProblem,
    Stats,
    Unplaced,
    compare,
)
from .expressions import Expression, Scope
from .scorers import Applied, AppliedStep, Conditioned, Direction, Reach, quoted, rounding

_NO_STATS: Stats = {}
_HUNDRED = Fraction(100)


def _scope(env: Env, line: int | None, what: str) -> Scope:
    if not isinstance(env.scope, Scope):
        raise ScoreProblem(
            _(
                "{what} needs the values of the entity and its cohort: score it with "
                "Scheme.score or score_table"
            ).format(what=_(what)),
            input=env.subject or None,
            value=None,
            line=line,
        )
    return env.scope


def _target(env: Env) -> Fraction | None:
    """The subject's target as an expression reads it: a percent as a fraction."""
    if env.target is None:
        return None
    return env.target / _HUNDRED if env.percent else env.target


def _located(problem: ScoreProblem, line: int | None) -> ScoreProblem:
    return ScoreProblem(
        problem.message, input=problem.input, value=problem.value, line=problem.line or line
    )


@attrs.frozen(repr=False)
class Versus(Unplaced):
    """``x op EXPR``: the subject compared with a value computed for each entity.

    ``scale`` is 100 when the subject is a percent (read in points) and the
    expression a fraction.
    """

    op: Literal[">=", "<=", ">", "<", "="]
    expression: Expression
    scale: Fraction = Fraction(1)
    text: str = ""

    def bound(self, env: Env, line: int | None) -> Fraction:
        try:
            scope = attrs.evolve(_scope(env, line, N_("this comparison")), target=_target(env))
            return self.expression.evaluate(scope) * self.scale
        except ScoreProblem as problem:
            raise _located(problem, line) from None

    def holds(self, value: Value, env: Env, line: int | None) -> bool:
        if not isinstance(value, Fraction):
            return False
        return compare(value, self.op, self.bound(env, line))

    def detail(self, value: Value, env: Env, line: int | None) -> Said | None:
        scope = attrs.evolve(_scope(env, line, N_("this comparison")), target=_target(env))
        return traced(self.expression.text(), self.expression, scope)

    def construct(self, env: Env) -> Said:
        return phrase(COMPARED[self.op], value=self.expression.text())

    def interval(self, target: Fraction | None, stats: Stats = _NO_STATS) -> Interval | None:
        return None  # it moves with each entity's values: no place on one axis

    def fast_test(self, target: Fraction | None, stats: Stats) -> Callable[[FastValue], bool]:
        raise Decline("a comparison with a computed value")

    def expressions(self) -> tuple[Expression, ...]:
        return (self.expression,)

    def __repr__(self) -> str:
        return f"<{self.op} {self.expression.text()}>"


@attrs.frozen(repr=False)
class Computed(Conditioned):
    """``CONDITION → EXPR``: where the condition holds, the score is what the
    expression gives for the entity (``full`` is the item's max)."""

    condition: Condition
    expression: Expression
    subject: str = ""
    text: str = ""
    line: int | None = None

    hosted = False

    def matches(self, value: Value, env: Env) -> bool:
        return self.condition.holds(value, env, self.line)

    def exact(self, env: Env, maximum: Fraction) -> Fraction:
        scope = self._scope(env, maximum)
        try:
            return self.expression.evaluate(scope)
        except ScoreProblem as problem:
            raise _located(problem, self.line) from None

    def _scope(self, env: Env, maximum: Fraction) -> Scope:
        """The entity's scope, with the item's max and the subject's target."""
        scope = _scope(env, self.line, N_("a computed score"))
        return attrs.evolve(scope, full=maximum, target=_target(env))

    def apply(self, value: Value, env: Env, maximum: Fraction) -> Applied:
        exact_score = self.exact(env, maximum)
        score, was_rounded = rounded(exact_score)
        steps: list[AppliedStep] = [("line", quoted(self, env), maximum - score)]
        if was_rounded:
            steps.append(rounding(exact_score, score))
        scope = self._scope(env, maximum)
        detail = traced("score", self.expression, scope)
        condition = self.condition.detail(value, env, self.line)
        if condition is None:
            return Applied(score, tuple(steps), detail)
        both = phrase(N_("{condition}; {score}"), condition=condition, score=detail)
        return Applied(score, tuple(steps), both)

    def construct(self, env: Env) -> Said:
        return phrase(
            N_("{condition} → {outcome}"),
            condition=self.condition.construct(env),
            outcome=self.expression.text(),
        )

    def score(self, value: Fraction, env: Env, maximum: Fraction) -> Fraction:
        return rounded(self.exact(env, maximum))[0]

    def reach(self, maximum: Fraction) -> Reach:
        return None, None  # what it gives depends on each entity's values

    def limit_kinds(self) -> tuple[str, ...]:
        return ()

    def fast(
        self, maximum: Fraction, target: Fraction | None, stats: Stats
    ) -> tuple[Callable[[FastValue], bool], FastScore]:
        raise Decline("a score computed from the entity's values")

    def scales_by(self) -> str | None:
        return None

    def fixed_score(self, maximum: Fraction) -> Fraction | None:
        return None

    def jumps(self, count: int) -> tuple[Fraction, ...]:
        return ()

    def direction(self) -> Direction:
        return "none"  # its score moves with values beside its subject's

    def expressions(self) -> tuple[Expression, ...]:
        return (self.expression, *self.condition.expressions())

    def __repr__(self) -> str:
        return f"<{repr(self.condition)[1:-1]}: → {self.expression.text()}>"
