"""A rule table: lines read top to bottom, the first that holds decides.

Which way its subject is better is read from what its lines score (see
:meth:`Table.direction_evidence`); :meth:`Table.fast` compiles it for the
fast path from its lines' own fast forms.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from decimal import Decimal
from fractions import Fraction
from typing import TypeAlias

import attrs

from ..fast import Decline, FastScore, FastValue, FastValues, Slow
from .conditions import Stats
from .formulas import Computed
from .scaling import Custom, Linear, Scaled
from .scorers import Band, Direction, PerUnit

Line: TypeAlias = Band | PerUnit | Scaled | Custom | Linear | Computed
_NO_STATS: Stats = {}
#: Every kind of table line, for the test that runs every tool on each.
LINES: tuple[type, ...] = (Band, PerUnit, Scaled, Custom, Linear, Computed)


def _lines(values: Iterable[Line]) -> tuple[Line, ...]:
    return tuple(values)


@attrs.frozen(repr=False)
class Table:
    """Rule lines read top to bottom; the first whose condition holds decides."""

    lines: tuple[Line, ...] = attrs.field(converter=_lines)

    def subjects(self) -> tuple[str, ...]:
        """The inputs the lines test, in order (a line that tests none is left out)."""
        return tuple(dict.fromkeys(line.subject for line in self.lines if line.subject))

    def direction(
        self, subject: str, maximum: Fraction, target: Fraction | None = None
    ) -> Direction:
        """Whether higher values of ``subject`` score more, as the outcomes say."""
        return self.direction_evidence(subject, maximum, target)[0]

    def direction_evidence(
        self, subject: str, maximum: Fraction, target: Fraction | None = None
    ) -> tuple[Direction, tuple[int | None, ...]]:
        """The direction of ``subject`` and the rule lines that show it.

        Read from the outcomes, not from the conditions alone: ``less than
        2% → deduct 0.5`` above ``otherwise → full`` scores the low values
        less, so higher is better.  The first line that holds on one side
        of the axis (``at least …``, ``less than …``, ``meets target``) is
        compared with what the rest of the axis scores (the ``otherwise``
        line, else the last line); an ``each``, ``scaled`` or custom line
        says its own direction; a table of ranges alone compares its
        lowest and highest range.
        """
        lines = [line for line in self.lines if line.subject == subject and not line.takes_absent]
        if not lines:
            return "none", ()
        rest = next(
            (line for line in lines if isinstance(line, Band) and line.takes_all), lines[-1]
        )
        for line in lines:
            if not isinstance(line, Band):
                implied = line.direction()
                if implied != "none":
                    return implied, (line.line,)
                continue
            side = line.side()
            if side not in ("high", "low"):
                continue
            if not isinstance(rest, Band):
                implied = rest.direction()
                if implied != "none":
                    return implied, (rest.line,)
                continue
            here, there = line.outcome.score(maximum), rest.outcome.score(maximum)
            if here == there:
                continue
            # The side this line holds on is the better one when it scores more.
            better_side: Direction = "higher" if (side == "high") == (here > there) else "lower"
            return better_side, (line.line, rest.line)
        placed = sorted(
            (
                (position, line)
                for line in lines
                if isinstance(line, Band)
                for position in [line.position(target)]
                if position is not None
            ),
            key=lambda pair: pair[0],
        )
        if len(placed) >= 2 and placed[0][0] != placed[-1][0]:
            low_line, high_line = placed[0][1], placed[-1][1]
            low_score = low_line.outcome.score(maximum)
            high_score = high_line.outcome.score(maximum)
            if low_score != high_score:
                direction: Direction = "higher" if high_score > low_score else "lower"
                return direction, (low_line.line, high_line.line)
        return "none", ()

    def peak(self, subject: str, target: Fraction | None) -> Fraction | None:
        """Where bands that nest around one value (``within … of target``) put the best
        scores: closer to it is better, on either side; None for other tables."""
        centres = {
            line.position(target) for line in self.lines if line.subject == subject and line.nests()
        }
        if len(centres) != 1:
            return None
        return centres.pop()

    def fast(
        self,
        maximum: Fraction,
        targets: Mapping[str, Fraction],
        stats: Mapping[str, Stats],
        yes_no: Collection[str],
    ) -> Callable[[FastValues], Decimal]:
        """The table for the fast path: the first line that holds decides.

        An absent value goes to its input's ``no data`` line below, as in
        the traced evaluator; anything that evaluator would report (no
        line holds, no ``no data`` line) leaves the fast path with
        :class:`~qualitykpi.fast.Slow`, so that it is reported the same way.
        """
        entries: list[tuple[str, Callable[[FastValue], bool], FastScore, FastScore | None]] = []
        for index, line in enumerate(self.lines):
            # Decimals and yes/no compare as numbers: a test of another type
            # than its input's is left to the traced evaluator's own rules.
            fixed_everywhere = line.takes_all and line.fixed_score(maximum) is not None
            if line.on_yes_no != (line.subject in yes_no) and not (
                line.takes_absent or fixed_everywhere
            ):
                raise Decline("a test of another type than its input's")
            test, score = line.fast(
                maximum, targets.get(line.subject), stats.get(line.subject, _NO_STATS)
            )
            catcher = next(
                (
                    later
                    for later in self.lines[index:]
                    if later.subject == line.subject and later.takes_absent
                ),
                None,
            )
            absent = None
            if catcher is not None:
                absent = catcher.fast(maximum, targets.get(line.subject), _NO_STATS)[1]
            entries.append((line.subject, test, score, absent))

        def run(values: FastValues) -> Decimal:
            for subject, test, score, absent in entries:
                if not subject:
                    return score(None)  # a first `otherwise` that tests no input
                value = values.get(subject)
                if value is None:
                    if absent is None:
                        raise Slow
                    return absent(None)
                if test(value):
                    return score(value)
            raise Slow

        return run

    def __repr__(self) -> str:
        return "<table " + "; ".join(repr(line)[1:-1] for line in self.lines) + ">"
