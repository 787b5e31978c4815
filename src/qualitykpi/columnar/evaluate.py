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

from collections.abc import Collection, Mapping, Sequence
from decimal import Decimal
from typing import Any

import attrs
import numpy as np

from ..fast import ZERO, Decline, FastValue, Slow, const, const_or_none
from ..nodes.conditions import Stats
from ..nodes.evaluation import ScoreProblems
from ..nodes.scheme_scorer import SchemeScorer
from ..nodes.tree import Item, Section, deducts
from ..plan import Node, Plan
from ..values import EXACT, normalize
from .encode import Column, distinct, keyed

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
    """A cohort's numbers: each as ``int64`` counts of ``10**-scale`` points."""

    scale: int
    #: One row per slot (the plan's shapes), one column per entity.
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

    def __init__(
        self,
        plan: Plan,
        scorer: SchemeScorer,
        peers: Mapping[str, Stats],
        yes_no: Collection[str],
    ) -> None:
        self.plan = plan
        self.scorer = scorer
        self.inputs = {slot: _reads(item) for slot, item, _ in plan.leaves}
        self.vetoes = [
            (
                veto.fast_test(None, peers.get(veto.input, {}), veto.input in yes_no),
                veto.input,
                const_or_none(veto.score),
                veto.grade,
            )
            for veto in scorer.vetoes
        ]
        grades = scorer.grades
        self.labels = grades.labels() if grades is not None else ()
        self.bands = (
            [condition.fast_test(None, {}) for _, condition in grades.bands]
            if grades is not None
            else []
        )
        self.band_labels = [label for label, _ in grades.bands] if grades is not None else []

    def score(self, columns: Mapping[str, Column], size: int) -> Scored | None:
        """The cohort's numbers; None when they would not fit in ``int64``."""
        slow = np.zeros(size, dtype=bool)
        leaves = [self._leaf(slot, run, columns, size) for slot, _, run in self.plan.leaves]
        scale = _places([score for leaf in leaves for score in leaf.scores if score is not None])
        scale = max(scale, self._constant_places())
        if scale > 18:
            return None
        # One array of every score, slot by slot (each slot's column contiguous),
        # written in place: a row's scores are read in one call when its result
        # is made.
        matrix = np.empty((len(self.plan.shapes), size), dtype=np.int64)
        scores: list[Any] = list(matrix)
        for leaf in leaves:
            table = np.zeros(len(leaf.scores), dtype=np.int64)
            bad = np.zeros(len(leaf.scores), dtype=bool)
            for code, score in enumerate(leaf.scores):
                if score is None:
                    bad[code] = True
                    continue
                number = scaled(score, scale)
                if abs(number) >= _LIMIT // (len(self.plan.shapes) + 4):
                    return None
                table[code] = number
            np.take(table, leaf.codes, out=scores[leaf.slot])
            if bad.any():
                slow |= bad[leaf.codes]
        total = self._assemble(scores, scale, size)
        total, fired = self._vetoes(total, scale, columns, size, slow)
        grades = self._grades(total, scale, fired, slow)
        return Scored(scale, matrix, total, grades, fired, slow)

    # ------------------------------------------------------------ items

    def _leaf(self, slot: int, run: Node, columns: Mapping[str, Column], size: int) -> _Leaf:
        names = self.inputs[slot]
        codes, rows = keyed([columns[name] for name in names], size)
        out = [ZERO] * len(self.plan.shapes)
        scores: list[Decimal | None] = []
        for row in rows.tolist():
            values = _Only({name: columns[name].value(row) for name in names})
            try:
                scores.append(run(values, out))
            except (Slow, ArithmeticError, ScoreProblems, _Unlisted):
                scores.append(None)
        return _Leaf(slot, codes, scores)

    # --------------------------------------------------------- the tree

    def _constant_places(self) -> int:
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
        return _places(constants)

    def _assemble(self, scores: list[Any], scale: int, size: int) -> Any:
        """Every node's score above the items, and the total before vetoes."""
        slots = iter(range(len(self.plan.shapes)))
        zero = np.zeros(size, dtype=np.int64)

        def node(tree: Section | Item) -> Any:
            slot = next(slots)
            match tree:
                case Section():
                    children = [(child, node(child)) for child in tree.children]
                    raw, deductions = zero, zero
                    for child, score in children:
                        if child.kind == "bonus":
                            continue
                        raw = raw + score
                        if deducts(child):
                            deductions = deductions + score
                    cap = const_or_none(tree.deductions_cap)
                    if cap is not None:
                        floor = -scaled(cap, scale)
                        raw = raw + np.maximum(floor - deductions, 0)
                    low, high = const_or_none(tree.minimum), const(tree.max)
                    scores[slot][...] = _clamp(raw, low, high, scale)
                case Item():
                    parts = [node(part) for part in tree.parts]
                    if parts:
                        low, ceiling = const_or_none(tree.minimum), const_or_none(tree.ceiling)
                        scores[slot][...] = _clamp(sum(parts, zero), low, ceiling, scale)
                    for bonus in tree.bonuses:
                        node(bonus)
            return scores[slot]

        tops = [(child, node(child)) for child in self.scorer.children]
        top = sum((score for child, score in tops if child.kind != "bonus"), zero)
        bonus = sum(
            (scores[slot] for slot, shape in enumerate(self.plan.shapes) if shape.kind == "bonus"),
            zero,
        )
        total = top + bonus
        cap = const_or_none(self.scorer.total)
        if cap is not None:
            limit = scaled(cap, scale)
            if self.scorer.plus_bonus:
                total = np.where(top > limit, limit + bonus, total)
            else:
                total = np.minimum(total, limit)
        total = np.maximum(total, 0)
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
                    held[code] = test(value)
                except Slow:
                    slow |= column.codes == code
            hit = held[column.codes]
            fired.append(hit)
            if sets is not None:
                total = np.where(hit, np.minimum(total, scaled(sets, scale)), total)
        return total, fired

    def _grades(self, total: Any, scale: int, fired: list[Any], slow: Any) -> Any:
        if not self.bands:
            return np.full(len(total), -1, dtype=np.int8)
        labels = self.labels
        found, codes = distinct(total)
        earned = np.full(len(found), -1, dtype=np.int64)
        for code, number in enumerate(found.tolist()):
            value = Decimal(number).scaleb(-scale, context=EXACT)
            for label, holds in zip(self.band_labels, self.bands, strict=True):
                if holds(value):
                    earned[code] = labels.index(label)
                    break
        grade = earned[codes.reshape(-1)]
        worst = np.full(len(total), -1, dtype=np.int64)
        for hit, (_, _, _, forced) in zip(fired, self.vetoes, strict=True):
            if forced is not None and forced in labels:
                worst = np.where(hit, np.maximum(worst, labels.index(forced)), worst)
        # No band holds: only a veto to the lowest grade decides; else the row
        # path names the problem.
        undecided = (grade < 0) & (worst != len(labels) - 1)
        slow |= undecided
        return np.maximum(grade, worst).astype(np.int8)


def _reads(item: Item) -> tuple[str, ...]:
    """The inputs an item's score reads (its bonuses are leaves of their own)."""
    return item.inputs()


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


def _clamp(raw: Any, low: Decimal | None, high: Decimal | None, scale: int) -> Any:
    """:func:`qualitykpi.plan._clamp` on a column."""
    clamped = raw
    if low is not None:
        bottom = scaled(low, scale)
        clamped = np.where(raw < bottom, bottom, raw)
    if high is not None:
        top = scaled(high, scale)
        clamped = np.where(raw > top, top, clamped)
    return clamped


__all__ = ["ColumnarPlan", "Scored"]
