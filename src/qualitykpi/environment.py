"""The front door: the extensions a host program registers, and load/loads/check.

An :class:`Environment` holds custom scorers (a 功效系数法 efficacy scorer, a
provincial formula) and custom peer statistics, registered by the program
that embeds qualitykpi.  Rule files loaded through it may use them by name
(``using efficacy with low = 60, high = 100``, ``at least 100% of peer
p75``); a rule file can never import or run code of its own.  The
module-level :func:`qualitykpi.load` and :func:`qualitykpi.loads` use a
default environment with nothing registered.
"""

from __future__ import annotations

import abc
import difflib
import hashlib
import os
from collections import OrderedDict
from collections.abc import Callable, Collection, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from .errors import RuleError
from .nodes.scorers import Direction, Reach
from .source import display_path

if TYPE_CHECKING:
    from .diagnostics import Diagnostic
    from .scheme import Scheme

BUILTIN_STATISTICS = ("mean", "median", "max", "min")

#: How many compiled schemes an environment keeps for texts loaded again.
COMPILED_KEPT = 32

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
            known = ", ".join((*self.params, *self.optional)) or "none"
            raise ValueError(f"`{self.name}` takes no parameter `{unknown[0]}` (it takes {known})")
        missing = [name for name in self.params if name not in args]
        if missing:
            raise ValueError(f"`{self.name}` needs `{missing[0]} = …`")
        scorer = self.factory(**args)
        if not isinstance(scorer, CustomScorer):
            raise TypeError(f"the factory of `{self.name}` did not return a CustomScorer")
        return scorer


def _check_name(name: str, taken: Sequence[str] = ()) -> None:
    if not name.isidentifier():
        raise ValueError(f"{name!r} cannot be used from rule files: use letters, digits and _")
    if name in taken:
        raise ValueError(f"{name!r} is built in and cannot be registered")


class Environment:
    """Registered extensions, and the loading and checking of rules with them."""

    def __init__(self) -> None:
        self._scorers: dict[str, ScorerKind] = {}
        self._statistics: dict[str, Statistic] = {}
        # Compiled schemes by the hash of their text and name, newest last;
        # a registration changes what a text means, so it empties the cache.
        self._compiled: OrderedDict[tuple[str, str], Scheme] = OrderedDict()

    # ---------------------------------------------------------- registering

    def register_scorer(
        self,
        name: str,
        factory: Callable[..., CustomScorer],
        *,
        params: Sequence[str] = (),
        optional: Sequence[str] = (),
        doc: str = "",
    ) -> None:
        """Make ``using NAME with P = V, …`` available to rule files.

        ``factory`` is called with the parameters as exact ``Fraction``
        keyword arguments and returns a :class:`CustomScorer`; a
        ``ValueError`` it raises becomes a rule error at the line that used it.
        """
        _check_name(name)
        self._scorers[name] = ScorerKind(name, factory, tuple(params), tuple(optional), doc)
        self._compiled.clear()

    def register_statistic(self, name: str, function: Statistic) -> None:
        """Make ``K% of peer NAME`` available: ``function`` gets the sorted values."""
        _check_name(name, BUILTIN_STATISTICS)
        self._statistics[name] = function
        self._compiled.clear()

    @property
    def scorers(self) -> Mapping[str, ScorerKind]:
        return dict(self._scorers)

    @property
    def statistics(self) -> Mapping[str, Statistic]:
        return dict(self._statistics)

    def suggest(self, name: str, known: Sequence[str]) -> str:
        close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
        return f"did you mean `{close[0]}`?" if close else ""

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

    # -------------------------------------------------------------- loading

    def loads(self, text: str, name: str = "<string>") -> Scheme:
        """Parse, check and compile rule text; raise :class:`RuleError` on mistakes.

        Loading the same text under the same name again gives the scheme
        compiled the first time (a :class:`Scheme` never changes), so a
        program may load a rule wherever it needs it.
        """
        from .scheme import compile_text

        key = (hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest(), name)
        scheme = self._compiled.get(key)
        if scheme is not None:
            self._compiled.move_to_end(key)
            return scheme
        scheme = compile_text(text, name, self)
        self._compiled[key] = scheme
        if len(self._compiled) > COMPILED_KEPT:
            self._compiled.popitem(last=False)
        return scheme

    def load(self, path: str | PathLike[str]) -> Scheme:
        """Load a ``.rule`` file (UTF-8, with or without a byte-order mark)."""
        text, name = read_rule_file(path)
        return self.loads(text, name=name)

    def check(self, path: str | PathLike[str]) -> list[Diagnostic]:
        """The static checks' findings on the rule file at ``path``.

        As :func:`qualitykpi.check`, with this environment's extensions.
        ``path`` is always a path, never rule text: check text with
        :meth:`check_text`.
        """
        return self.load_and_check(path)[1]

    def check_text(self, text: str, name: str = "<string>") -> list[Diagnostic]:
        """The static checks' findings on rule ``text`` (shown as ``name``).

        Never reads a file, whatever ``text`` says.
        """
        if not isinstance(text, str):
            raise TypeError(
                f"check_text() takes rule text (a str), not {type(text).__name__}; "
                "to check a rule file, use check(path)"
            )
        return self.check_loaded(text, name)[1]

    def load_and_check(self, path: str | PathLike[str]) -> tuple[Scheme | None, list[Diagnostic]]:
        """:meth:`check`, and the scheme it loaded (None when it did not load)."""
        try:
            text, name = read_rule_file(path)
        except RuleError as error:
            from .checks import load_errors

            return None, load_errors(error, display_path(path))
        return self.check_loaded(text, name)

    def check_loaded(self, text: str, name: str) -> tuple[Scheme | None, list[Diagnostic]]:
        """Load ``text`` and check it; a load error comes back as diagnostics."""
        from .checks import check_scheme, load_errors

        try:
            scheme = self.loads(text, name)
        except RuleError as error:
            return None, load_errors(error, name)
        return scheme, check_scheme(scheme)

    def __repr__(self) -> str:
        scorers = ", ".join(self._scorers) or "none"
        statistics = ", ".join(self._statistics) or "none"
        return f"<Environment scorers: {scorers}; statistics: {statistics}>"


def read_rule_file(path: str | bytes | PathLike[str]) -> tuple[str, str]:
    """The text of a rule file and the name to show it by.

    Rule files are UTF-8, with or without a byte-order mark; one in another
    encoding is a :class:`RuleError` saying so (``OSError`` when it cannot be
    read at all).  The name is printable even when the file's name is not
    UTF-8 (:func:`~qualitykpi.source.display_path`).
    """
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    if isinstance(path, str) and "\n" in path:
        # No rule file is named with a line break; rule text always has one.
        raise TypeError(
            "this is rule text, not the path of a rule file: load it with loads() "
            "and check it with check_text()"
        )
    name = display_path(path)
    data = Path(path).read_bytes()
    try:
        return data.decode("utf-8-sig"), name
    except UnicodeDecodeError as error:
        try:
            data.decode("gb18030")
        except UnicodeDecodeError:
            looks = ""
        else:
            looks = " (it looks like GBK/GB18030 text)"
        raise RuleError(
            f"{name} is not UTF-8 text{looks}: byte {error.start} cannot be read",
            hint="save it as UTF-8 (in Notepad or WPS: 另存为, 编码 UTF-8)",
        ) from None


def exact_result(value: Any, what: str) -> Fraction:
    """An extension's result as an exact fraction; a float is refused."""
    if isinstance(value, bool) or not isinstance(value, Fraction | Decimal | int):
        raise TypeError(
            f"{what} returned {type(value).__name__} {value!r}; return a Fraction, a Decimal "
            "or an int — a float would lose exactness"
        )
    result = Fraction(value)
    return result


#: The environment behind :func:`qualitykpi.load` and :func:`qualitykpi.loads`.
DEFAULT = Environment()


def load(path: str | PathLike[str]) -> Scheme:
    """Load a ``.rule`` file with the default environment."""
    return DEFAULT.load(path)


def loads(text: str, name: str = "<string>") -> Scheme:
    """Load rule text with the default environment."""
    return DEFAULT.loads(text, name)
