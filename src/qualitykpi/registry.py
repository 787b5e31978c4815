"""What a host program may register: custom scorers and peer statistics.

A :class:`Registry` holds them; the analysis, the compiler and the scoring
of a cohort read them through the :class:`Extensions` protocol, so that
nothing below the front door (:mod:`qualitykpi.environment`, whose
:class:`~qualitykpi.Environment` keeps a registry) imports the front door.
"""

from __future__ import annotations

import abc
import difflib
from collections.abc import Callable, Collection, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any, Protocol

import attrs

from .i18n import _
from .nodes.scorers import Direction, Reach

BUILTIN_STATISTICS = ("mean", "median", "max", "min")

#: A peer statistic: the sorted present values of one input over the cohort.
Statistic = Callable[[Sequence[Fraction]], Fraction | Decimal | int]


class CustomScorer(abc.ABC):
    """The contract of a scorer a host program registers.

    Subclass it (a frozen attrs class suits) and implement :meth:`score`.
    The library calls it with exact values and the item's max, rounds a
    result without a finite decimal form the documented way, records the
    step in the trace, and clamps the item to its bounds, as for built-in
    lines.  Say which way is better (:meth:`direction`) and what scores are
    reachable (:meth:`reach`) so that the static checks and property tests
    can hold the scorer to them.
    """

    @abc.abstractmethod
    def score(self, value: Fraction, maximum: Fraction) -> Fraction | Decimal | int:
        """The score for ``value`` in an item worth ``maximum``: exact, never a float."""

    def direction(self) -> Direction:
        """``higher`` when a higher value never scores less, ``lower``, or ``none``."""
        return "none"

    def reach(self, maximum: Fraction) -> Reach:
        """The scores it can give (``None``: unbounded on that side)."""
        return None, None


@attrs.frozen
class ScorerKind:
    """A registered scorer: its name, its factory and its parameters."""

    name: str
    factory: Callable[..., CustomScorer]
    params: tuple[str, ...]
    optional: tuple[str, ...] = ()
    doc: str = ""

    def build(self, args: Mapping[str, Fraction]) -> CustomScorer:
        """The scorer for these arguments; ``ValueError`` when they do not fit."""
        unknown = [name for name in args if name not in (*self.params, *self.optional)]
        if unknown:
            known = _(", ").join((*self.params, *self.optional)) or _("none")
            raise ValueError(
                _("`{name}` takes no parameter `{parameter}` (it takes {known})").format(
                    name=self.name, parameter=unknown[0], known=known
                )
            )
        missing = [name for name in self.params if name not in args]
        if missing:
            raise ValueError(
                _("`{name}` needs `{parameter} = …`").format(name=self.name, parameter=missing[0])
            )
        scorer = self.factory(**args)
        if not isinstance(scorer, CustomScorer):
            raise TypeError(
                _("the factory of `{name}` did not return a CustomScorer").format(name=self.name)
            )
        return scorer


def _check_name(name: str, taken: Sequence[str] = ()) -> None:
    if not name.isidentifier():
        raise ValueError(
            _("{name} cannot be used from rule files: use letters, digits and _").format(
                name=repr(name)
            )
        )
    if name in taken:
        raise ValueError(_("{name} is built in and cannot be registered").format(name=repr(name)))


class Extensions(Protocol):
    """What the analysis, the compiler and the scoring read of what was registered."""

    @property
    def scorers(self) -> Mapping[str, ScorerKind]: ...

    @property
    def statistics(self) -> Mapping[str, Statistic]: ...

    def suggest(self, name: str, known: Sequence[str]) -> str: ...

    def statistic_values(
        self, values: Sequence[Fraction], names: Collection[str] | None = None
    ) -> dict[str, Fraction]: ...


class Registry:
    """Registered custom scorers and peer statistics, by name."""

    def __init__(self) -> None:
        self._scorers: dict[str, ScorerKind] = {}
        self._statistics: dict[str, Statistic] = {}

    def register_scorer(
        self,
        name: str,
        factory: Callable[..., CustomScorer],
        *,
        params: Sequence[str] = (),
        optional: Sequence[str] = (),
        doc: str = "",
    ) -> None:
        _check_name(name)
        self._scorers[name] = ScorerKind(name, factory, tuple(params), tuple(optional), doc)

    def register_statistic(self, name: str, function: Statistic) -> None:
        _check_name(name, BUILTIN_STATISTICS)
        self._statistics[name] = function

    @property
    def scorers(self) -> Mapping[str, ScorerKind]:
        return dict(self._scorers)

    @property
    def statistics(self) -> Mapping[str, Statistic]:
        return dict(self._statistics)

    def suggest(self, name: str, known: Sequence[str]) -> str:
        close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
        return _("did you mean `{name}`?").format(name=close[0]) if close else ""

    def statistic_values(
        self, values: Sequence[Fraction], names: Collection[str] | None = None
    ) -> dict[str, Fraction]:
        """The registered statistics (those in ``names``) of one input's sorted present values."""
        out: dict[str, Fraction] = {}
        for name, function in self._statistics.items():
            if names is not None and name not in names:
                continue
            out[name] = exact_result(function(values), f"peer statistic `{name}`")
        return out


def exact_result(value: Any, what: str) -> Fraction:
    """An extension's result as an exact fraction; a float is refused."""
    if isinstance(value, bool) or not isinstance(value, Fraction | Decimal | int):
        raise TypeError(
            _(
                "{what} returned {type} {value}; return a Fraction, a Decimal or an "
                "int — a float would lose exactness"
            ).format(what=what, type=type(value).__name__, value=repr(value))
        )
    result = Fraction(value)
    return result


#: What a scheme built in Python, without an environment, has registered: nothing.
NO_EXTENSIONS = Registry()
