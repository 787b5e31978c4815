"""Independent clauses: ``deduct N if …`` and ``deduct N for each … , at most C``.

Unlike the lines of a table, every clause of an item counts when it applies
("未制定年度工作方案扣1分，未召开部署会议扣0.5分……").  Each says what change it
makes to the item's score for a value, what changes it can make at all, and
which way it pushes the score.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from decimal import Decimal
from fractions import Fraction
from typing import Literal, TypeAlias

import attrs

from ..fast import (
    ZERO,
    Decline,
    FastValue,
    FastValues,
    Slow,
    const,
    const_or_none,
    multiply,
    subtract,
)
from ..i18n import N_, _
from ..phrases import Said, phrase
from ..values import Value, exact, exact_or_none, fmt
from .conditions import Condition, Env, PeerRelative, ScoreProblem, Stats
from .scorers import Direction, Reach, count_units, fast_units, with_limit


class Tested:
    """What a test of one input (``late``, ``not late``, ``rate less than 60%``)
    says about itself, for a clause and a veto alike: its condition's word."""

    condition: Condition | None
    negate: bool
    input: str
    line: int | None

    def fast_test(
        self, target: Fraction | None, stats: Stats, yes_no: bool
    ) -> Callable[[FastValue], bool]:
        """Whether the test holds, for the fast path; an absent value it cannot
        judge leaves it (:class:`~qualitykpi.fast.Slow`), for the traced evaluator
        to name."""
        negate, condition = self.negate, self.condition
        if condition is None:

            def bare(value: FastValue) -> bool:
                if value is None:
                    raise Slow
                return (value is True) != negate

            return bare
        if condition.takes_absent:
            return lambda value: (value is None) != negate
        if condition.on_yes_no != yes_no and not condition.takes_all:
            raise Decline("a test of another type than its input's")
        test = condition.fast_test(target, stats)

        def tested(value: FastValue) -> bool:
            if value is None:
                raise Slow
            return test(value) != negate

        return tested

    def comparisons(self) -> tuple[PeerRelative, ...]:
        """The comparisons with the cohort its test makes."""
        return () if self.condition is None else self.condition.comparisons()

    def marks(self) -> tuple[Fraction, ...]:
        """The values of its input where the test starts or stops holding."""
        if self.condition is None:
            return ()
        return tuple(end.value for end in self.condition.ends(None))

    @property
    def takes_absent(self) -> bool:
        """It tests ``no data``: an absent value is what it looks for."""
        return self.condition is not None and self.condition.takes_absent

    def test_construct(self, env: Env) -> Said:
        """Its test in words: ``late``, ``not late``, ``rate less than 60%``."""
        if self.condition is None:
            message = N_("not {input}") if self.negate else N_("{input}")
            return phrase(message, input=self.input)
        message = N_("{input} not {condition}") if self.negate else N_("{input} {condition}")
        return phrase(message, input=self.input, condition=self.condition.construct(env))


@attrs.frozen(repr=False)
class When(Tested):
    """``deduct N if TEST`` / ``award N if TEST``: counts whenever its test holds."""

    effect: Literal["deduct", "award"]
    amount: Fraction = attrs.field(converter=exact)
    input: str = ""
    condition: Condition | None = None
    negate: bool = False
    text: str = ""
    line: int | None = None

    def applies(self, value: Value, env: Env) -> bool:
        if self.condition is None:
            if value is None:
                raise ScoreProblem(
                    _("no data for {input}, which this clause tests").format(
                        input=repr(self.input)
                    ),
                    input=self.input,
                    value=value,
                    line=self.line,
                )
            held = value is True
        else:
            if value is None and not self.condition.takes_absent:
                raise ScoreProblem(
                    _("no data for {input}, which this clause tests").format(
                        input=repr(self.input)
                    ),
                    input=self.input,
                    value=value,
                    line=self.line,
                )
            held = self.condition.holds(value, env, self.line)
        return held != self.negate

    def change(self, value: Value, env: Env) -> Fraction:
        """Points this clause adds (negative: deducts) for ``value``."""
        if not self.applies(value, env):
            return Fraction(0)
        return self.amount if self.effect == "award" else -self.amount

    def reach(self) -> Reach:
        """The change this clause can make to the score."""
        if self.effect == "award":
            return Fraction(0), self.amount
        return -self.amount, Fraction(0)

    def fast(
        self, target: Fraction | None, stats: Stats, yes_no: Collection[str]
    ) -> Callable[[FastValues], Decimal]:
        """:meth:`change` for the fast path."""
        test = self.fast_test(target, stats, self.input in yes_no)
        amount = const(self.amount)
        change = amount if self.effect == "award" else amount.copy_negate()
        name = self.input
        return lambda values: change if test(values.get(name)) else ZERO

    def direction(self) -> Direction:
        return "none"

    def limit_kinds(self) -> tuple[str, ...]:
        return ()  # it adds or takes its amount, no more

    def construct(self, env: Env) -> Said:
        """The clause in words: ``deduct 1 if late``."""
        message = (
            N_("deduct {amount} if {test}")
            if self.effect == "deduct"
            else N_("award {amount} if {test}")
        )
        return phrase(message, amount=fmt(self.amount), test=self.test_construct(env))

    def __repr__(self) -> str:
        test = ("not " if self.negate else "") + self.input
        if self.condition is not None:
            test += " " + repr(self.condition)[1:-1]
        return f"<{self.effect} {fmt(self.amount)} if {test}>"


@attrs.frozen(repr=False)
class ForEach:
    """``deduct N for each [whole|started] U of INPUT [beyond T] [, at most C]``."""

    effect: Literal["deduct", "award"]
    amount: Fraction = attrs.field(converter=exact)
    input: str = ""
    unit: Fraction = attrs.field(converter=exact, default=Fraction(1))
    mode: Literal["pro rata", "whole", "started"] = "pro rata"
    beyond: Fraction | None = attrs.field(converter=exact_or_none, default=None)
    cap: Fraction | None = attrs.field(converter=exact_or_none, default=None)
    text: str = ""
    line: int | None = None

    def __attrs_post_init__(self) -> None:
        if self.unit <= 0:
            raise ValueError("the unit counted by `for each` must be more than 0")

    def raw(self, value: Value) -> tuple[Fraction, Fraction]:
        """(units counted, uncapped amount) for ``value``."""
        if not isinstance(value, Fraction):
            raise ScoreProblem(
                _("no data for {input}, which this clause counts").format(input=repr(self.input)),
                input=self.input,
                value=value,
                line=self.line,
            )
        start = self.beyond if self.beyond is not None else Fraction(0)
        units = count_units(max(value - start, Fraction(0)), self.unit, self.mode)
        return units, self.amount * units

    def fast(
        self, target: Fraction | None, stats: Stats, yes_no: Collection[str]
    ) -> Callable[[FastValues], Decimal]:
        """:meth:`raw`, capped and signed, for the fast path."""
        if self.input in yes_no:
            raise Decline("counts a yes/no input")
        amount, unit, cap = const(self.amount), const(self.unit), const_or_none(self.cap)
        start = ZERO if self.beyond is None else const(self.beyond)
        name, mode, award = self.input, self.mode, self.effect == "award"

        def change(values: FastValues) -> Decimal:
            value = values.get(name)
            if not isinstance(value, Decimal):
                raise Slow
            span = subtract(value, start)
            taken = multiply(amount, fast_units(span if span > 0 else ZERO, unit, mode))
            if cap is not None and taken > cap:
                taken = cap
            return taken if award else taken.copy_negate()

        return change

    def reach(self) -> Reach:
        """The change this clause can make to the score."""
        if self.effect == "award":
            return Fraction(0), self.cap
        return (-self.cap if self.cap is not None else None), Fraction(0)

    def comparisons(self) -> tuple[PeerRelative, ...]:
        return ()

    def marks(self) -> tuple[Fraction, ...]:
        """Where the count starts, and where the cap is reached."""
        base = self.beyond if self.beyond is not None else Fraction(0)
        if self.cap is None or not self.amount:
            return (base,)
        return base, base + self.unit * self.cap / self.amount

    @property
    def takes_absent(self) -> bool:
        return False

    def limit_kinds(self) -> tuple[str, ...]:
        """Its ``at most``, as its trace step names it."""
        return ("cap",) if self.cap is not None else ()

    def direction(self) -> Direction:
        return "higher" if self.effect == "award" else "lower"

    def construct(self, env: Env) -> Said:
        """The clause in words: ``deduct 1 for each 1 of incidents, at most 2``."""
        unit: Said = fmt(self.unit)
        if self.mode == "whole":
            unit = phrase(N_("whole {unit}"), unit=unit)
        elif self.mode == "started":
            unit = phrase(N_("started {unit}"), unit=unit)
        messages = {
            ("deduct", False): N_("deduct {amount} for each {unit} of {input}"),
            ("award", False): N_("award {amount} for each {unit} of {input}"),
            ("deduct", True): N_("deduct {amount} for each {unit} of {input} beyond {beyond}"),
            ("award", True): N_("award {amount} for each {unit} of {input} beyond {beyond}"),
        }
        main = phrase(
            messages[self.effect, self.beyond is not None],
            amount=fmt(self.amount),
            unit=unit,
            input=self.input,
            beyond="" if self.beyond is None else fmt(self.beyond),
        )
        if self.cap is None:
            return main
        return with_limit(main, phrase(N_("at most {cap}"), cap=fmt(self.cap)))

    def __repr__(self) -> str:
        mode = "" if self.mode == "pro rata" else f"{self.mode} "
        beyond = f" beyond {fmt(self.beyond)}" if self.beyond is not None else ""
        cap = f", at most {fmt(self.cap)}" if self.cap is not None else ""
        return (
            f"<{self.effect} {fmt(self.amount)} for each {mode}{fmt(self.unit)} of "
            f"{self.input}{beyond}{cap}>"
        )


Clause: TypeAlias = When | ForEach
#: Every kind of clause, for the test that runs every tool on each.
CLAUSES: tuple[type, ...] = (When, ForEach)
