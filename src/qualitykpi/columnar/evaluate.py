"""The compiled plan run a column at a time: each item once per distinct value.

An item's score depends on the few inputs it reads, and those take few
distinct values over a cohort (see :mod:`.encode`).  So each item without
parts is scored by its own compiled node (:class:`~qualitykpi.plan.Plan`'s,
the one that scores a single entity) once for each distinct combination of
the inputs it reads, and every row takes the score of its combination.
What an item means is therefore never written twice: the column path asks
the same node the row path asks, and gets the same number or, where that
node would leave the fast path (an absent value, a data problem, a share of
1/3), marks the rows to be scored one by one by the row path, which also
names their problems.

What is worked out a column at a time is only what the plan adds up above
the items — sections' sums, deduction caps and clamps, bonuses, the total's
cap, its rounding, vetoes and grades — in the order
:meth:`~qualitykpi.plan._Compiler.plan` applies them, on exact scaled
integers: every score is a whole number of ``10**-scale`` points in an
``int64``, ``scale`` being the most decimal places any score or constant
has.  Before adding, the magnitudes are bounded; a cohort whose sums could
overflow is not scored here (the caller scores it row by row).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import attrs
import numpy as np

from ..cohorts import Derivation
from ..fast import ZERO, Decline, FastValue, Slow, const, const_or_none
from ..nodes.evaluation import ScoreProblems
from ..nodes.tree import Item, Section, deducts
from ..plan import Node, Plan
from ..values import EXACT, normalize
from .encode import Column, combinations, distinct

#: Magnitudes kept below this, so that no sum of a tree's scores overflows int64.
_LIMIT = 1 << 55


class _Unlisted(LookupError):
    """A node read an input it did not list among those it reads."""


class _Only(dict[str, FastValue]):
    """An item's values, refusing to answer for any other input: the score of a
    combination is shared by every row that has it, so it must read nothing else."""

    def get(self, name: str, default: object = None) -> Any:
        if not dict.__contains__(self, name):
            raise _Unlisted(name)
        return dict.__getitem__(self, name)

    def __getitem__(self, name: str) -> FastValue:
        value: FastValue = self.get(name)
        return value

    def __contains__(self, name: object) -> bool:
        if not dict.__contains__(self, name):
            raise _Unlisted(name)
        return True


@attrs.frozen(eq=False)
class Scored:
    """A cohort's numbers: each as a whole count of ``10**-scale`` points."""

    scale: int
    #: One row per slot (the plan's shapes), one column per entity; int32 when
    #: every score and sum fits, else int64.
    scores: Any
    total: Any
    #: Index of each row's grade among the labels; -1: no grades.
    grades: Any
    #: By veto, whether it fired for each row.
    fired: list[Any]
    #: The rows the row path must score (a boolean array).
    slow: Any

    def decimal(self, number: int) -> Decimal:
        return Decimal(int(number)).scaleb(-self.scale, context=EXACT)


@attrs.frozen(eq=False)
class _Leaf:
    slot: int
    codes: Any
    scores: list[Decimal | None]  # by code; None: the rows of that code go slow


class ColumnarPlan:
    """A :class:`~qualitykpi.plan.Plan`, run over columns."""

    def __init__(self, plan: Plan, derivation: Derivation | None = None) -> None:
        self.plan = plan
        self.scorer = plan.scorer
        # An item's bonuses are leaves of their own: what it reads is its own score's.
        # The trace of a computed value it reads shows what that was computed from.
        self.inputs = {
            slot: item.reads() if derivation is None else derivation.through(item.reads())
            for slot, item, _, _ in plan.leaves
        }
        self.vetoes = plan.vetoes
        grades = plan.scorer.grades
        self.labels = grades.labels() if grades is not None else ()

    def score(self, columns: Mapping[str, Column], size: int) -> Scored | None:
        """The cohort's numbers; None when they would not fit in ``int64``."""
        slow = np.zeros(size, dtype=bool)
        leaves = [
            self._leaf(slot, run, traced, columns, size)
            for slot, _, run, traced in self.plan.leaves
        ]
        constants = self._constants()
        scored = [score for leaf in leaves for score in leaf.scores if score is not None]
        scale = _places([*scored, *constants])
        if scale > 18:
            return None
        share = len(self.plan.shapes) + 4
        tables = []
        for leaf in leaves:
            table = np.zeros(len(leaf.scores), dtype=np.int64)
            bad = np.zeros(len(leaf.scores), dtype=bool)
            for code, score in enumerate(leaf.scores):
                if score is None:
                    bad[code] = True
                    continue
                number = scaled(score, scale)
                if abs(number) >= _LIMIT // share:
                    return None
                table[code] = number
            tables.append((leaf, table, bad))
        # One array of every score, slot by slot (each slot's column contiguous),
        # written in place: a row's scores are read in one call when its result
        # is made.  32 bits where every score and every sum of them fits: half
        # the memory to touch.
        biggest = max(
            [int(np.abs(table).max()) for _, table, _ in tables if len(table)]
            + [abs(scaled(constant, scale)) for constant in constants],
            default=0,
        )
        narrow = biggest < (1 << 31) // share
        matrix = np.empty((len(self.plan.shapes), size), dtype=np.int32 if narrow else np.int64)
        scores: list[Any] = list(matrix)
        for leaf, table, bad in tables:
            np.take(table.astype(matrix.dtype), leaf.codes, out=scores[leaf.slot])
            if bad.any():
                slow |= bad[leaf.codes]
        total = self._assemble(scores, scale, size)
        total, fired = self._vetoes(total, scale, columns, size, slow)
        grades = self._grades(total, scale, fired, slow)
        return Scored(scale, matrix, total, grades, fired, slow)

    # ------------------------------------------------------------ items

    def _leaf(
        self, slot: int, run: Node, traced: Node, columns: Mapping[str, Column], size: int
    ) -> _Leaf:
        names = self.inputs[slot]
        read = [columns[name] for name in names]
        codes, picks = combinations(read, size)
        out = [ZERO] * len(self.plan.shapes)
        scores: list[Decimal | None] = []
        for pick in picks:
            values = _Only()
            node = run
            for name, column, code in zip(names, read, pick, strict=True):
                exact = column.endless.get(code)
                if exact is not None:
                    # 4/7 has no decimal for the compiled node: the traced one reads it.
                    values[name], node = exact, traced  # type: ignore[assignment]
                else:
                    values[name] = column.values[code]
            try:
                scores.append(node(values, out))
            except (Slow, ArithmeticError, ScoreProblems, _Unlisted):
                scores.append(None)
        return _Leaf(slot, codes, scores)

    # --------------------------------------------------------- the tree

    def _constants(self) -> list[Decimal]:
        """Every constant the tree's sums and limits use."""
        constants: list[Decimal] = [self.plan.max]
        for node in self.scorer.walk():
            constants.extend(
                value
                for value in (
                    const_or_none(node.minimum),
                    const(node.max),
                    const_or_none(node.ceiling) if isinstance(node, Item) else None,
                    const_or_none(node.deductions_cap) if isinstance(node, Section) else None,
                )
                if value is not None
            )
        total = const_or_none(self.scorer.total)
        constants.extend(value for value in [total] if value is not None)
        constants.extend(sets for _, _, sets, _ in self.vetoes if sets is not None)
        return constants

    def _assemble(self, scores: list[Any], scale: int, size: int) -> Any:
        """Every node's score above the items, and the total before vetoes.

        Sums are added in place: a million rows' temporaries are fresh memory
        each, and touching it the first time costs more than the adding.
        """
        slots = iter(range(len(self.plan.shapes)))

        def summed(columns: list[Any]) -> Any:
            out = np.zeros(size, dtype=np.int64)
            for column in columns:
                np.add(out, column, out=out)
            return out

        def node(tree: Section | Item) -> Any:
            slot = next(slots)
            match tree:
                case Section():
                    children = [(child, node(child)) for child in tree.children]
                    counted = [score for child, score in children if child.kind != "bonus"]
                    raw = summed(counted)
                    cap = const_or_none(tree.deductions_cap)
                    if cap is not None:
                        deductions = summed(
                            [
                                score
                                for child, score in children
                                if child.kind != "bonus" and deducts(child)
                            ]
                        )
                        # What the deductions took beyond the cap is given back.
                        np.subtract(-scaled(cap, scale), deductions, out=deductions)
                        np.add(raw, np.maximum(deductions, 0, out=deductions), out=raw)
                    low, high = const_or_none(tree.minimum), const(tree.max)
                    _clamp(raw, low, high, scale, scores[slot])
                case Item():
                    parts = [node(part) for part in tree.parts]
                    if parts:
                        low, ceiling = const_or_none(tree.minimum), const_or_none(tree.ceiling)
                        _clamp(summed(parts), low, ceiling, scale, scores[slot])
                    for bonus in tree.bonuses:
                        node(bonus)
            return scores[slot]

        tops = [(child, node(child)) for child in self.scorer.children]
        top = summed([score for child, score in tops if child.kind != "bonus"])
        bonus = summed(
            [scores[slot] for slot, shape in enumerate(self.plan.shapes) if shape.kind == "bonus"]
        )
        total = np.add(top, bonus)
        cap = const_or_none(self.scorer.total)
        if cap is not None:
            limit = scaled(cap, scale)
            if self.scorer.plus_bonus:
                total = np.where(top > limit, limit + bonus, total)
            else:
                np.minimum(total, limit, out=total)
        np.maximum(total, 0, out=total)
        places = self.scorer.total_places
        if places is not None and scale > places:
            # Half up, as 四舍五入: the total is not negative here.
            step = 10 ** (scale - places)
            total = (total + step // 2) // step * step
        return total

    def _vetoes(
        self, total: Any, scale: int, columns: Mapping[str, Column], size: int, slow: Any
    ) -> tuple[Any, list[Any]]:
        fired: list[Any] = []
        for test, name, sets, _ in self.vetoes:
            column = columns[name]
            held = np.zeros(len(column.values), dtype=bool)
            for code, value in enumerate(column.values):
                try:
                    if code in column.endless:
                        raise Slow  # the compiled test reads decimals only
                    held[code] = test(value)
                except Slow:
                    slow |= column.codes == code
            hit = held[column.codes]
            fired.append(hit)
            if sets is not None:
                total = np.where(hit, np.minimum(total, scaled(sets, scale)), total)
        return total, fired

    def _grades(self, total: Any, scale: int, fired: list[Any], slow: Any) -> Any:
        if not self.plan.bands:
            return np.full(len(total), -1, dtype=np.int8)
        labels = self.labels
        found, codes = distinct(total)
        # Each distinct total's grade by the bands, as the plan finds it (-1: none).
        earned = np.full(len(found), -1, dtype=np.int8)
        for code, number in enumerate(found.tolist()):
            value = Decimal(number).scaleb(-scale, context=EXACT)
            for label, holds in self.plan.bands:
                if holds(value):
                    earned[code] = labels.index(label)
                    break
        grade = earned[codes]
        lowest = len(labels) - 1
        forcing = [
            (hit, labels.index(forced))
            for hit, (_, _, _, forced) in zip(fired, self.vetoes, strict=True)
            if forced is not None and forced in labels
        ]
        worst = None
        if forcing:
            worst = np.full(len(total), -1, dtype=np.int8)
            for hit, place in forcing:
                np.maximum(worst, place, out=worst, where=hit)
        # No band holds: only a veto to the lowest grade decides; else the row
        # path names the problem.
        if (grade < 0).any():
            slow |= (grade < 0) & (True if worst is None else worst != lowest)
        if worst is not None:
            np.maximum(grade, worst, out=grade)
        return grade


def _places(numbers: Sequence[Decimal]) -> int:
    places = 0
    for number in set(numbers):
        exponent = normalize(number).as_tuple().exponent
        if isinstance(exponent, int) and -exponent > places:
            places = -exponent
    return places


def scaled(number: Decimal, scale: int) -> int:
    """``number`` in counts of ``10**-scale`` (:class:`Decline` if it has more places)."""
    shifted = number.scaleb(scale, context=EXACT)
    whole = int(shifted)
    if whole != shifted:
        raise Decline(f"{number} has more than {scale} places")
    return whole


def _clamp(raw: Any, low: Decimal | None, high: Decimal | None, scale: int, out: Any) -> None:
    """:func:`qualitykpi.plan._clamp` on a column, into ``out``: above ``high``,
    ``high``; else below ``low``, ``low``."""
    out[...] = raw
    if low is not None:
        bottom = scaled(low, scale)
        np.copyto(out, bottom, where=raw < bottom)
    if high is not None:
        top = scaled(high, scale)
        np.copyto(out, top, where=raw > top)


__all__ = ["ColumnarPlan", "Scored"]
