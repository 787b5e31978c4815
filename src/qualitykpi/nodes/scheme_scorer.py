"""The root of the scorer tree: the scheme's total, bonuses, vetoes and grades."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from fractions import Fraction

import attrs

from ..i18n import N_, _
from ..phrases import Phrase, phrase
from ..results import NodeResult, Result, Step, VetoHit
from ..values import InputSpec, exact_or_none, fmt, round_half_up, shown_stats, to_decimal
from .clauses import Tested, When
from .conditions import Condition, Env, Otherwise, Range, ScoreProblem
from .derived import Let, Test
from .evaluation import Context, ScoreProblems, add_bounds, as_strings, collect_results, make_step
from .expressions import Scope
from .tree import Item, Section, as_nodes


# Typed converters: attrs' mypy plugin cannot see through a bare ``tuple``.
def _bands(
    values: Iterable[tuple[str, Range | Otherwise]],
) -> tuple[tuple[str, Range | Otherwise], ...]:
    return tuple(values)


def _vetoes(values: Iterable[Veto]) -> tuple[Veto, ...]:
    return tuple(values)


def _specs(values: Iterable[InputSpec]) -> tuple[InputSpec, ...]:
    return tuple(values)


@attrs.frozen(repr=False)
class Veto(Tested):
    """``veto "NAME" when TEST → grade G`` (or ``→ score 0``)."""

    name: str
    input: str
    condition: Condition | None = None
    negate: bool = False
    grade: str | None = None
    score: Fraction | None = attrs.field(default=None, converter=exact_or_none)
    owners: tuple[str, ...] = attrs.field(default=(), converter=as_strings)
    text: str = ""
    line: int | None = None

    def fires(self, ctx: Context) -> bool:
        value = ctx.values.get(self.input)
        if value is None and not self.takes_absent:
            why = ctx.absent(self.input, self.line)
            if why is not None:
                raise why
            raise ScoreProblem(
                _("no data for {input}, which veto {name} tests").format(
                    input=repr(self.input), name=repr(self.name)
                ),
                input=self.input,
                value=value,
                line=self.line,
            )
        clause = When("deduct", 0, self.input, self.condition, self.negate, line=self.line)
        return clause.applies(value, ctx.env(self.input, {}))

    def effect(self) -> Phrase:
        """What it does when it fires, said in the current language when shown."""
        if self.grade is not None:
            return phrase(N_("grade {grade}"), grade=self.grade)
        assert self.score is not None
        return phrase(N_("score {points}"), points=fmt(self.score))

    def __repr__(self) -> str:
        return f"<veto {self.name!r} when {self.input}: {self.effect()}>"


@attrs.frozen(repr=False)
class Grades:
    """Grade bands over the total, read top to bottom, first match."""

    bands: tuple[tuple[str, Range | Otherwise], ...] = attrs.field(converter=_bands)
    #: For each band, the test that decides it when more than the total does
    #: (``at least 90 and score of key at least 60% of max of key``); () for none.
    tests: tuple[Test | None, ...] = ()

    def labels(self) -> tuple[str, ...]:
        return tuple(label for label, _ in self.bands)

    def tested(self) -> bool:
        """Whether a band reads more than the total."""
        return any(test is not None for test in self.tests)

    def grade(self, total: Fraction, scope: Scope | None = None) -> str | None:
        for index, (label, condition) in enumerate(self.bands):
            test = self.tests[index] if self.tests else None
            if test is not None:
                if test.holds(scope or Scope(total=total)):
                    return label
            elif condition.holds(total, Env(), None):
                return label
        return None

    def __repr__(self) -> str:
        return "<grades " + "; ".join(f"{label} {cond!r}" for label, cond in self.bands) + ">"


@attrs.frozen(repr=False)
class SchemeScorer:
    """The whole scheme: sections and items, bonuses, vetoes, grades."""

    name: str
    children: tuple[Section | Item, ...] = attrs.field(converter=as_nodes)
    total: Fraction | None = attrs.field(default=None, converter=exact_or_none)
    plus_bonus: bool = False
    grades: Grades | None = None
    vetoes: tuple[Veto, ...] = attrs.field(default=(), converter=_vetoes)
    inputs: tuple[InputSpec, ...] = attrs.field(default=(), converter=_specs)
    file: str | None = None
    grades_line: int | None = None
    #: ``total rounded to N places``: the total is rounded half up before the
    #: vetoes and the grades (分值保留整数).
    total_places: int | None = None
    #: Values computed from values, in the order they are worked out.
    lets: tuple[Let, ...] = ()

    def walk(self) -> Iterator[Section | Item]:
        for child in self.children:
            yield from child.walk()

    def scored(self) -> tuple[Section | Item, ...]:
        return tuple(child for child in self.children if child.kind != "bonus")

    def bonuses(self) -> tuple[Item, ...]:
        return tuple(
            node for node in self.walk() if isinstance(node, Item) and node.kind == "bonus"
        )

    @property
    def max(self) -> Fraction:
        """What the tree can give without bonuses: the sum of the top-level maxima."""
        return sum((child.max for child in self.scored()), Fraction(0))

    def bounds(self) -> tuple[Fraction, Fraction | None]:
        """The totals this scheme can give, vetoes included; a high of None: no upper
        bound (a bonus without a cap, and a total that does not cap it).  The total
        never falls below 0, however much the items can deduct."""
        top_low, top_high = add_bounds(child.bounds() for child in self.scored())
        bonus_low, bonus_high = add_bounds(bonus.bounds() for bonus in self.bonuses())
        # Every side of the sum is monotone; an unbounded low stops at the 0 clamp.
        low = (
            Fraction(0)
            if top_low is None or bonus_low is None
            else self._rounded(self._total(top_low, bonus_low))
        )
        high: Fraction | None
        if top_high is not None and bonus_high is not None:
            high = self._rounded(self._total(top_high, bonus_high))
        elif self.total is not None and not self.plus_bonus:
            high = self._rounded(max(self.total, Fraction(0)))
        else:
            high = None
        for veto in self.vetoes:
            if veto.score is not None:
                low = min(low, veto.score)
        return low, high

    def _total(self, top: Fraction, bonus: Fraction) -> Fraction:
        """The total from the sections' sum and the bonus (monotone in both)."""
        if self.total is None:
            total = top + bonus
        elif self.plus_bonus:
            total = min(top, self.total) + bonus
        else:
            total = min(top + bonus, self.total)
        return max(total, Fraction(0))

    def _rounded(self, total: Fraction) -> Fraction:
        """The total as ``total rounded to N places`` keeps it (monotone)."""
        return total if self.total_places is None else round_half_up(total, self.total_places)

    def assessed_ids(self) -> tuple[Item, ...]:
        """The items an assessor writes a value for, in a column named by the item's id."""
        return tuple(
            node for node in self.walk() if isinstance(node, Item) and node.judgement() is not None
        )

    def evaluate(self, ctx: Context) -> Result:
        problems: list[ScoreProblem] = []
        nodes: list[NodeResult] = []
        try:
            nodes = collect_results(self.children, lambda child: child.evaluate(ctx))
        except ScoreProblems as exc:
            problems.extend(exc.problems)
        fired: list[Veto] = []
        for veto in self.vetoes:
            try:
                if veto.fires(ctx):
                    fired.append(veto)
            except ScoreProblem as problem:
                problems.append(problem)
        if problems:
            raise ScoreProblems(problems)

        steps: list[Step] = []
        by_id = {node.id: node for top in nodes for node in top.walk()}
        top = sum((Fraction(node.score) for node in nodes if node.kind != "bonus"), Fraction(0))
        bonus = sum((Fraction(by_id[item.id].score) for item in self.bonuses()), Fraction(0))
        total = top
        if bonus:
            steps.append(
                make_step("bonus", phrase(N_("bonus points add {bonus}"), bonus=fmt(bonus)), -bonus)
            )
            total += bonus
        if self.total is not None:
            if self.plus_bonus and top > self.total:
                steps.append(
                    make_step(
                        "cap",
                        phrase(
                            N_("capped at the total {total} before bonus"), total=fmt(self.total)
                        ),
                        top - self.total,
                    )
                )
                total = self.total + bonus
            elif not self.plus_bonus and total > self.total:
                steps.append(
                    make_step(
                        "cap",
                        phrase(N_("capped at the total {total}"), total=fmt(self.total)),
                        total - self.total,
                    )
                )
                total = self.total
        if total < 0:
            steps.append(make_step("clamp", phrase(N_("the total is kept at 0")), total))
            total = Fraction(0)
        kept = self._rounded(total)
        if kept != total:
            # Before the vetoes: rounding may lift a total, a veto never does.
            steps.append(
                make_step(
                    "round",
                    phrase(
                        N_("the total {total} rounded half up to {kept}"),
                        total=fmt(total),
                        kept=fmt(kept),
                    ),
                    total - kept,
                )
            )
            total = kept
        for veto in fired:
            # A veto only ever takes points away: the total is at most its score.
            if veto.score is not None and total > veto.score:
                steps.append(
                    make_step(
                        "veto",
                        phrase(
                            N_("veto '{name}' sets the total to {score}"),
                            name=veto.name,
                            score=fmt(veto.score),
                        ),
                        total - veto.score,
                        veto.line,
                        veto.text or None,
                    )
                )
                total = veto.score

        if self.grades is not None and self.grades.tested():
            grade = self._grade(total, fired, problems, self.grade_scope(ctx, total, nodes))
        else:
            grade = self._grade(total, fired, problems)
        if problems:
            raise ScoreProblems(problems)
        return Result(
            entity=ctx.entity,
            scheme=self.name,
            total=to_decimal(total),
            max=to_decimal(self.max),
            grade=grade,
            vetoes=tuple(
                VetoHit(veto.name, veto.effect(), veto.line, veto.owners) for veto in fired
            ),
            nodes=tuple(nodes),
            steps=tuple(steps),
            file=self.file,
            peers=shown_stats(ctx.peers),
        )

    def grade_scope(self, ctx: Context, total: Fraction, nodes: Iterable[NodeResult]) -> Scope:
        """What grades on more than the total read: the entity's scope, the total, and
        the nodes' scores and maxima (by id)."""
        by_id = {node.id: node for top in nodes for node in top.walk()}
        return attrs.evolve(
            ctx.scope or Scope(values=ctx.values),
            total=total,
            scores={key: Fraction(node.score) for key, node in by_id.items()},
            maxima={key: Fraction(node.max) for key, node in by_id.items()},
        )

    def earned(self, total: Fraction, ctx: Context, nodes: Iterable[NodeResult]) -> str | None:
        """The grade ``total`` earns, vetoes aside."""
        if self.grades is None:
            return None
        if self.grades.tested():
            return self.grades.grade(total, self.grade_scope(ctx, total, nodes))
        return self.grades.grade(total)

    def _grade(
        self,
        total: Fraction,
        fired: Sequence[Veto],
        problems: list[ScoreProblem],
        scope: Scope | None = None,
    ) -> str | None:
        """The worse of the grade the total earns and the grades of the vetoes that fired.

        A veto only ever makes a grade worse: ``veto … → grade C`` leaves a
        total that earns D at D.  Grades are listed best first.
        """
        if self.grades is None:
            return None
        labels = self.grades.labels()
        try:
            earned = self.grades.grade(total, scope)
        except ScoreProblem as problem:
            problems.append(problem)
            return None
        forced = [veto.grade for veto in fired if veto.grade is not None and veto.grade in labels]
        worst = max(forced, key=labels.index) if forced else None
        if earned is None:
            if worst is not None and worst == labels[-1]:
                # The worst grade there is: no band the total might earn is worse.
                return worst
            problems.append(
                ScoreProblem(
                    _("no grade band matches the total {total}").format(total=fmt(total)),
                    input=None,
                    value=total,
                    line=self.grades_line,
                )
            )
            return None
        if worst is None:
            return earned
        return max(earned, worst, key=labels.index)

    def __repr__(self) -> str:
        return f"<scheme {self.name!r}: {len(self.children)} children, max {fmt(self.max)}>"
