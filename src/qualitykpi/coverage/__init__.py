"""What a rule file's ``example`` lines exercise: ``qualitykpi test --coverage``.

A rule table goes wrong at its boundaries (含本数 or not, ``≥`` or ``>``,
``93%以上`` overlapping ``90-93.4%``), so the examples should try the values
on both sides of each.  :func:`coverage` lists the *cases* a rule has and
which example lines try them:

boundaries
    For every table line, each place where the deciding line changes: the
    value just below and the value just above, each owned by the line that
    decides it.  "Just" is one step of the input's grid: its declared
    ``precision`` (1 for a count); without one, the finest decimal place of
    the numbers the rule compares it with (1 for whole numbers).  A
    boundary next to a gap (values no line takes) has only its inside.
    Boundaries of ``K% of peer STAT`` move with the peer statistics: an
    example covers them with the statistics it gives.
yes/no values
    Each value of a yes/no subject that some line takes.
``no data`` lines
    Tried by an example that leaves the subject absent.
clauses
    ``deduct N if …`` / ``award N if …``: both sides of each end of the
    test (for a yes/no test, yes and no).
caps and floors
    ``at most C`` and ``floor F`` of ``each`` lines, ``at most C`` of
    ``for each`` clauses, ``deduct at most C`` items and ``deductions at
    most C`` sections: tried when an example's score reaches them.
vetoes
    Tried when a scheme-level example makes the veto fire.

An example tries the cases of the nodes it scores: an item's example those
of that item (and its parts), a section's those of everything in it, the
scheme's everything.  Inputs an example does not mention are absent.

:meth:`CoverageReport.stubs` suggests an ``example`` line for each case not
tried, with the score the rule gives now and the comment ``# check this
score``: an author who agrees keeps it, one who does not has found a bug.

The work is split along the way a case is found:

* :mod:`qualitykpi.coverage.cases` — the :class:`Case` and :class:`Stub`
  records, and how values, example lines and nodes are written;
* :mod:`qualitykpi.coverage.points` — an input's grid, and the values just
  on each side of a boundary;
* :mod:`qualitykpi.coverage.analysis` — the examples read, the cases found
  and tried, and the stub of a case;
* :mod:`qualitykpi.coverage.tables` — the cases of rule tables;
* :mod:`qualitykpi.coverage.clauses` — the cases of clauses, deduction caps
  and vetoes, and the caps and floors the examples reach.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from ..i18n import _, ngettext
from ..surface import in_chinese
from .analysis import Analysis
from .cases import Case, Stub
from .clauses import ClauseCases
from .tables import TableCases

if TYPE_CHECKING:
    from ..scheme import Scheme


@attrs.frozen
class CoverageReport:
    """The cases of one rule file and which examples try them."""

    file: str | None
    cases: tuple[Case, ...]

    @property
    def tried(self) -> tuple[Case, ...]:
        return tuple(case for case in self.cases if case.tried)

    @property
    def untried(self) -> tuple[Case, ...]:
        return tuple(case for case in self.cases if not case.tried)

    def render(self) -> str:
        name = self.file or "<scheme>"
        total = len(self.cases)
        lines = [
            ngettext(
                "{file}: the examples try {tried} of {total} case "
                "(boundaries, caps, floors, vetoes, no data)",
                "{file}: the examples try {tried} of {total} cases "
                "(boundaries, caps, floors, vetoes, no data)",
                total,
            ).format(file=name, tried=len(self.tried), total=total)
        ]
        seen: set[str] = set()
        for case in self.untried:
            # The place as compilers write it, so that editors can jump to it.
            place = f"{name}:{case.line}" if case.line else name
            text = f"{place}: {case.summary()}"
            if text not in seen:
                seen.add(text)
                lines.append(f"  {text}")
        return "\n".join(lines)

    def stubs(self) -> list[Stub]:
        """One example line per untried case (cases that share a line share it)."""
        out: dict[tuple[str | None, str], Stub] = {}
        for case in self.untried:
            if case.stub is not None:
                out.setdefault((case.stub.node_id, case.stub.line), case.stub)
        return list(out.values())

    def render_stubs(self) -> str:
        name = self.file or "<scheme>"
        stubs = self.stubs()
        if not stubs:
            return _("{file}: no example lines to add").format(file=name)
        lines = [
            _("{file}: example lines for the untried cases (check each score first):").format(
                file=name
            )
        ]
        where = None
        for stub in sorted(stubs, key=lambda s: s.before or 0):
            if stub.where != where:
                where = stub.where
                heading = (
                    _("# in {node}, before line {line}:").format(node=stub.where, line=stub.before)
                    if stub.before
                    else _("# in {node}:").format(node=stub.where)
                )
                lines.append(f"  {heading}")
            lines.append(f"  {stub.line}")
        return "\n".join(lines)


def _cases(scheme: Scheme) -> list[Case]:
    """Every case of a scheme, and the example lines that try each."""
    found = Analysis(scheme)
    TableCases(found).tables()
    clauses = ClauseCases(found)
    clauses.clauses()
    clauses.vetoes()
    clauses.evaluated()
    return [
        attrs.evolve(case, tried_by=tuple(dict.fromkeys(found.tried.get(key, ()))))
        for key, case in found.cases.items()
    ]


def coverage(scheme: Scheme) -> CoverageReport:
    """The cases of ``scheme``'s rules and which of its ``example`` lines try them."""
    cases = _cases(scheme)
    cases.sort(key=lambda case: (case.line or 0, str(case.key)))
    if scheme.source is not None and scheme.source.chinese:
        # The code a case quotes is written as the author writes the file.
        cases = [attrs.evolve(case, what=in_chinese(case.what)) for case in cases]
    return CoverageReport(scheme.source.name if scheme.source is not None else None, tuple(cases))
