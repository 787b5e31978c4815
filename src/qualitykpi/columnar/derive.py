"""Values computed from values (``let``, computed subjects, ``rank of``), a column
at a time, with the values the row path computes.

The row path works a cohort's lets out in rounds
(:meth:`~qualitykpi.cohorts.Derivation.cohort_values`): every entity's lets
of one round, then the cohort's statistics and ranks of them, then the next
round.  Here each let is worked out by the same function
(:func:`~qualitykpi.nodes.derived.derive`), in the same rounds, but once for
each distinct combination of the values it reads (:meth:`Let.reads
<qualitykpi.nodes.derived.Let.reads>`, and the values it ranks), and every
row takes the value of its combination: a ratio of two rates given to one
place is worked out a few thousand times, not a million.  The cohort of each
round is counted from the codes (:meth:`Derivation.counted_cohort
<qualitykpi.cohorts.Derivation.counted_cohort>`, the row path's own
definition), so statistics and ranks are the row path's too.

Each let becomes a column like an input's, which the compiled plan reads as
it reads an input.  A value with no finite decimal form (4/7: a ratio to
the peer mean) is kept exact (:attr:`Column.endless
<qualitykpi.columnar.encode.Column.endless>`): the items that read it are
scored on it by the traced evaluator, once per combination.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction

import attrs
import numpy as np

from ..cohorts import Derivation
from ..fast import FastValue
from ..nodes import derived
from ..nodes.conditions import ScoreProblem
from ..nodes.evaluation import exact_values
from ..values import Value, is_finite_decimal, to_decimal
from .encode import Column, combinations


@attrs.frozen(eq=False)
class Derived:
    """A cohort's computed values, as columns, and the cohort they were worked out over."""

    #: Every let, as a column of the values the plan reads (decimals).
    columns: dict[str, Column]
    #: By input and let, the exact value of each code (what the trace reads).
    exact: dict[str, tuple[Value, ...]]
    #: By let, why it is absent, for the codes where it could not be worked out.
    why: dict[str, dict[int, ScoreProblem]]
    #: The cohort the items read (given only some rounds: the last of them).
    cohort: derived.Cohort

    def row(
        self, every: Mapping[str, Column], place: int
    ) -> tuple[dict[str, Value], dict[str, ScoreProblem]]:
        """One row's exact values, computed ones included, and why some are absent:
        what the row path keeps of an entity for its trace."""
        values: dict[str, Value] = {}
        why: dict[str, ScoreProblem] = {}
        for name, exact in self.exact.items():
            code = int(every[name].codes[place])
            values[name] = exact[code]
            problem = self.why.get(name, {}).get(code)
            if problem is not None:
                why[name] = problem
        return values, why


def derive_columns(
    derivation: Derivation,
    inputs: Mapping[str, Column],
    size: int,
    rounds: Sequence[derived.Cohort] | None = None,
) -> Derived:
    """The lets of ``derivation`` over a cohort of ``size`` rows whose inputs are
    ``inputs``, round by round as :meth:`Derivation.cohort_values` works them out.

    A part of a larger cohort gives the whole's cohort before each round
    (``rounds[i]`` before the lets of round ``i``; after the last, the cohort
    every item reads): only the rounds it gives are worked out.
    """
    every: dict[str, Column] = dict(inputs)
    exact = {
        name: tuple(exact_values({name: value})[name] for value in column.values)
        for name, column in inputs.items()
    }
    why: dict[str, dict[int, ScoreProblem]] = {}
    lets: dict[str, Column] = {}
    levels = derivation.levels()
    if rounds is None:
        cohort = _cohort(derivation, every, exact, size)
    else:
        levels = levels[: len(rounds)]
        cohort = rounds[0] if rounds else derived.NO_COHORT
    for index, level in enumerate(levels):
        for let in level:
            names = sorted(derivation.sources(let))
            codes, picks = combinations([every[name] for name in names], size)
            found: list[Value] = []
            absent: dict[int, ScoreProblem] = {}
            for code, pick in enumerate(picks):
                combination = {name: exact[name][at] for name, at in zip(names, pick, strict=True)}
                out, problems, _ = derived.derive(
                    [let], combination, cohort, derivation.percent, derivation.ranked
                )
                found.append(out[let.name])
                if let.name in problems:
                    absent[code] = problems[let.name]
            fast, endless = _fast(found)
            column = Column(codes, fast, {}, tuple(found), endless)
            every[let.name] = lets[let.name] = column
            exact[let.name] = tuple(found)
            why[let.name] = absent
        # Counted only where no cohort is given: a part counts its values itself.
        if rounds is None:
            cohort = _cohort(derivation, every, exact, size)
        elif index + 1 < len(rounds):
            cohort = rounds[index + 1]
    return Derived(lets, exact, why, cohort)


def counted(
    derivation: Derivation,
    every: Mapping[str, Column],
    exact: Mapping[str, tuple[Value, ...]],
) -> dict[str, list[tuple[Fraction, int]]]:
    """Each value the scheme's statistics and ranks read, with how many rows have
    it, over the values worked out so far (counted from the codes)."""
    found: dict[str, list[tuple[Fraction, int]]] = {}
    for name in derivation.watched():
        column = every.get(name)
        if column is None:
            continue  # a let of a later round
        counts = np.bincount(column.codes, minlength=len(column.values)).tolist()
        found[name] = [
            (value, count)
            for value, count in zip(exact[name], counts, strict=True)
            if isinstance(value, Fraction) and count
        ]
    return found


def _cohort(
    derivation: Derivation,
    every: Mapping[str, Column],
    exact: Mapping[str, tuple[Value, ...]],
    size: int,
) -> derived.Cohort:
    return derivation.counted_cohort(counted(derivation, every, exact), size)


def _fast(found: list[Value]) -> tuple[tuple[FastValue, ...], dict[int, Fraction]]:
    """The values as the plan reads them (exact decimals), and, by code, those with
    no finite decimal form, which only the traced evaluator reads."""
    fast: list[FastValue] = []
    endless: dict[int, Fraction] = {}
    for code, value in enumerate(found):
        if isinstance(value, Fraction):
            if is_finite_decimal(value):
                fast.append(to_decimal(value))
                continue
            endless[code] = value
            fast.append(None)
        else:
            fast.append(value)
    return tuple(fast), endless


__all__ = ["Derived", "counted", "derive_columns"]
