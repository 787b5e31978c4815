"""The checks of grades and vetoes: bands out of order, grades no total reaches,
totals no band grades, and vetoes that never change a result.

* ``grade-order``, ``unreachable-grade`` and ``gap`` (totals no grade band
  matches);
* ``not-analysed`` where a grade reads more than the total;
* ``veto-no-effect``.
"""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction

from ..diagnostics import Diagnostic
from ..domains import NOTHING, Domain, ValueSet
from ..i18n import _
from ..nodes.conditions import Condition
from ..source import Span
from ..values import fmt
from .context import Context, lines_text


def band_set(condition: Condition) -> ValueSet:
    """The totals a grade band takes (before earlier bands take theirs)."""
    found = condition.interval(None)
    return NOTHING if found is None or found.empty else ValueSet.of(found)


def _below(a: ValueSet, b: ValueSet) -> bool:
    """Some value of ``a`` is higher than some value of ``b``."""
    top, bottom = a.intervals[-1], b.intervals[0]
    if top.high is None or bottom.low is None:
        return True
    return top.high > bottom.low


def check_grades(ctx: Context) -> Iterator[Diagnostic]:
    """``grade-order``, ``unreachable-grade`` and totals that no grade band matches."""
    grades = ctx.scheme.scorer.grades
    if grades is None:
        return
    if grades.tested():
        yield ctx.diagnostic(
            "not-analysed",
            _(
                "a grade reads more than the total (another node's score, a rank, an input): "
                "the order of the grades and the totals no grade matches are not analysed"
            ),
            ctx.at_line(ctx.scheme.scorer.grades_line),
            hint=_(
                "the scheme's examples, `qualitykpi test --coverage` and `qualitykpi verify` "
                "still test it"
            ),
        )
        return
    scheme_syntax = ctx.syntax
    spans: list[Span | None] = [band.span for band in scheme_syntax.grades] if scheme_syntax else []
    lines = [span.line if span else 0 for span in spans] or [0] * len(grades.bands)
    spans = spans or [ctx.at_line(ctx.scheme.scorer.grades_line)] * len(grades.bands)
    low, high = ctx.scheme.scorer.bounds()
    totals = Domain.totals(low, high, ctx.scheme.scorer.total_places)
    forced = {veto.grade for veto in ctx.scheme.scorer.vetoes if veto.grade is not None}
    covered = NOTHING
    kept: list[tuple[str, ValueSet, int]] = []  # label, reachable totals it gives, line
    written: list[tuple[str, ValueSet, int]] = []  # label, totals as written, line
    for index, (label, condition) in enumerate(grades.bands):
        raw = band_set(condition)
        effective = raw - covered
        covered = covered | raw
        written.append((label, raw, lines[index]))
        if effective.empty:
            earlier = [
                (name, line) for (name, values, line) in written[:-1] if not (values & raw).empty
            ]
            # Translators: between grades, "already graded A or B".
            names = _(" or ").join(dict.fromkeys(name for name, _line in earlier))
            yield ctx.diagnostic(
                "grade-order",
                _(
                    "grade {grade} is never given: every total it covers is already graded "
                    "{grades} ({lines}); are the bands out of order?"
                ).format(
                    grade=label,
                    grades=names,
                    lines=lines_text(line for _name, line in earlier),
                ),
                spans[index],
                related=[line for _name, line in earlier],
            )
            continue
        reachable = totals.snap(effective)
        wrong = next(
            (
                (name, line)
                for name, values, line in kept
                if not reachable.empty and not values.empty and _below(reachable, values)
            ),
            None,
        )
        if wrong is not None:
            yield ctx.diagnostic(
                "grade-order",
                _(
                    "grade {grade} is listed after grade {other} (line {line}) but covers "
                    "higher totals; grades are listed best first (a veto that forces a grade "
                    "keeps the worst by this order)"
                ).format(grade=label, other=wrong[0], line=wrong[1]),
                spans[index],
                related=[wrong[1]],
            )
        elif reachable.empty and label not in forced:
            top = None if high is None else high + 1
            phrase = Domain.totals(Fraction(0), top).describe(effective)[0]
            reach = (
                f"{fmt(low)}–{fmt(high)}"
                if high is not None
                else _("{low} or more").format(low=fmt(low))
            )
            yield ctx.diagnostic(
                "unreachable-grade",
                _(
                    "no total this scheme can give ({reach}) gets grade {grade}, "
                    "which needs {totals}"
                ).format(reach=reach, grade=label, totals=_as_totals(phrase)),
                spans[index],
            )
        kept.append((label, reachable, lines[index]))
    missing = totals.snap(totals.full() - covered)
    if not missing.empty:
        phrase, plural = totals.describe(missing)
        message = (
            _("{totals} get no grade, so scoring them fails")
            if plural
            else _("{totals} gets no grade, so scoring it fails")
        )
        yield ctx.diagnostic(
            "gap",
            message.format(totals=_as_totals(phrase)),
            spans[0] if spans else None,
            related=[line for line in lines if line],
            hint=_("end the grades with a band such as `D otherwise`"),
        )


def _as_totals(phrase: str) -> str:
    """A phrase of :meth:`Domain.describe` about totals: ``totals below 60 (0–59)``."""
    # Translators: "values"/"totals" and "every value"/"every total" are the words
    # of the value phrases ("values below 60 (0–59)") swapped to speak of totals.
    once = phrase.replace(_("values"), _("totals"), 1)
    return once.replace(_("every value"), _("every total"))


def check_vetoes(ctx: Context) -> Iterator[Diagnostic]:
    """``veto-no-effect``: a veto that can never change a result.

    A veto never improves a grade or a total, so one that forces the best
    grade, or sets a score no total can exceed, does nothing; the author
    almost always meant another grade or score.
    """
    scorer = ctx.scheme.scorer
    labels = scorer.grades.labels() if scorer.grades is not None else ()
    high = scorer.bounds()[1]
    written = ctx.syntax.vetoes if ctx.syntax is not None else ()
    for index, veto in enumerate(scorer.vetoes):
        span = written[index].span if index < len(written) else ctx.at_line(veto.line)
        if veto.grade is not None and labels and veto.grade == labels[0]:
            yield ctx.diagnostic(
                "veto-no-effect",
                _(
                    "veto {veto!r} gives grade {grade}, the best there is: a veto never "
                    "improves a grade, so this one never changes any"
                ).format(veto=veto.name, grade=veto.grade),
                span,
                hint=_("a veto gives the worst grade, here `grade {grade}`").format(
                    grade=labels[-1]
                ),
            )
        elif veto.score is not None and high is not None and veto.score >= high:
            yield ctx.diagnostic(
                "veto-no-effect",
                _(
                    "veto {veto!r} sets the total to {score}, but no total this scheme can give "
                    "is above {high}: a veto never raises a total, so this one never changes any"
                ).format(veto=veto.name, score=fmt(veto.score), high=fmt(high)),
                span,
                hint=_("a veto usually sets the total to 0 (`→ score 0`)"),
            )
