"""What evaluating the scorer tree needs: one entity's context, problems, steps.

:class:`Context` holds one entity's values and its cohort's peer statistics;
every node evaluates against it.  Problems with the entity's data are
collected across the whole tree and raised together as :class:`ScoreProblems`.
The helpers write trace steps, clamp a score into its bounds and add bounds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import TypeVar

import attrs

from ..i18n import N_, _
from ..phrases import Said, phrase
from ..results import NodeResult, Step
from ..values import InputSpec, Value, as_fraction, fmt, fmt_input, to_decimal
from .conditions import Env, ScoreProblem
from .derived import Let
from .expressions import Scope

T = TypeVar("T")


class ScoreProblems(Exception):
    """Every problem found while scoring one entity."""

    def __init__(self, problems: Sequence[ScoreProblem]) -> None:
        super().__init__("; ".join(problem.message for problem in problems))
        self.problems = tuple(problems)


def as_strings(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(values)


def exact_values(values: Mapping[str, object]) -> dict[str, Value]:
    """Exact values: Python callers may pass ``Decimal`` or ``int``; bool stays yes/no."""
    out: dict[str, Value] = {}
    for name, value in values.items():
        if value is None or isinstance(value, bool | Fraction):
            out[name] = value
        elif isinstance(value, Decimal):
            out[name] = as_fraction(value)
        elif isinstance(value, int):
            out[name] = Fraction(value)
        else:
            raise TypeError(
                _("the value of {name} must be exact: Fraction, Decimal, int or bool").format(
                    name=repr(name)
                )
            )
    return out


@attrs.frozen
class Context:
    """One entity's values and the peer statistics of its cohort."""

    entity: str | None
    values: Mapping[str, Value] = attrs.field(converter=exact_values)
    peers: Mapping[str, Mapping[str, Fraction]] = attrs.field(factory=dict)
    specs: Mapping[str, InputSpec] = attrs.field(factory=dict)
    #: What the entity's expressions read (its values, last period's, the cohort's).
    scope: Scope | None = None
    #: The scheme's computed values by name, and why those absent could not be computed.
    lets: Mapping[str, Let] = attrs.field(factory=dict)
    why: Mapping[str, ScoreProblem] = attrs.field(factory=dict)

    def env(self, subject: str, targets: Mapping[str, Fraction]) -> Env:
        spec = self.specs.get(subject)
        return Env(
            target=targets.get(subject),
            peers=self.peers.get(subject, {}),
            subject=subject,
            percent=spec is not None and spec.type == "percent",
            scope=self.scope,
        )

    def absent(self, name: str, line: int | None) -> ScoreProblem | None:
        """Why the computed value ``name`` is absent, if it is one that could not be computed."""
        problem = self.why.get(name)
        if problem is None:
            return None
        # The rule line of the `let` (its computation), else the line that read it.
        return ScoreProblem(
            problem.message, input=problem.input, value=None, line=problem.line or line
        )

    def derivation(self, name: str) -> Said | None:
        """How the computed value ``name`` was worked out, for the trace."""
        let = self.lets.get(name)
        if let is None or self.scope is None or name in self.why or self.values.get(name) is None:
            return None  # not computed: the line that reads it says why
        return let.show(self.scope)

    def show(self, name: str) -> str:
        let = self.lets.get(name)
        if let is not None:
            return let.display(self.values.get(name))
        spec = self.specs.get(name)
        value = self.values.get(name)
        return spec.show(value) if spec is not None else fmt_input(value, "number")


def collect_results(nodes: Sequence[T], run: Callable[[T], NodeResult]) -> list[NodeResult]:
    """Evaluate every node, then raise all their problems together."""
    results: list[NodeResult] = []
    problems: list[ScoreProblem] = []
    for node in nodes:
        try:
            results.append(run(node))
        except ScoreProblems as exc:
            problems.extend(exc.problems)
    if problems:
        raise ScoreProblems(problems)
    return results


def make_step(
    kind: str,
    description: Said,
    amount: Fraction | None,
    line: int | None = None,
    text: str | None = None,
) -> Step:
    return Step(kind, description, None if amount is None else to_decimal(amount), line, text)


def sum_step(message: str, inner: Fraction, maximum: Fraction, line: int | None) -> Step:
    """The step that reconciles a node's max with what its children or parts
    are worth (``message`` marked with ``N_``, placeholders ``inner``, ``max``)."""
    said = phrase(message, inner=fmt(inner), max=fmt(maximum))
    return make_step("sum", said, maximum - inner, line)


def clamp_score(
    raw: Fraction,
    low: Fraction | None,
    high: Fraction | None,
    low_label: Said,
    line: int | None,
    steps: list[Step],
) -> Fraction:
    """Clamp ``raw`` to ``[low, high]`` (None: no bound on that side), recording the
    points the clamp moved."""
    if high is not None and raw > high:
        steps.append(
            make_step(
                "clamp", phrase(N_("capped at its max {max}"), max=fmt(high)), raw - high, line
            )
        )
        return high
    if low is not None and raw < low:
        steps.append(
            make_step("clamp", phrase(N_("kept at {low}"), low=low_label), raw - low, line)
        )
        return low
    return raw


def add_bounds(
    bounds: Iterable[tuple[Fraction | None, Fraction | None]],
) -> tuple[Fraction | None, Fraction | None]:
    """The bounds of a sum: the sums of the lower and of the upper bounds; a side
    with an unbounded (None) term is unbounded."""
    low: Fraction | None = Fraction(0)
    high: Fraction | None = Fraction(0)
    for child_low, child_high in bounds:
        low = None if low is None or child_low is None else low + child_low
        high = None if high is None or child_high is None else high + child_high
    return low, high
