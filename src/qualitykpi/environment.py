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

import hashlib
import os
from collections import OrderedDict
from collections.abc import Callable, Collection, Mapping, Sequence
from fractions import Fraction
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING

from . import cache
from .errors import RuleError
from .i18n import _
from .registry import (
    BUILTIN_STATISTICS,
    CustomScorer,
    Registry,
    ScorerKind,
    Statistic,
    exact_result,
)
from .scheme import compile_text
from .source import display_path

if TYPE_CHECKING:
    from .diagnostics import Diagnostic
    from .scheme import Scheme

__all__ = [
    "BUILTIN_STATISTICS",
    "COMPILED_KEPT",
    "DEFAULT",
    "CustomScorer",
    "Environment",
    "ScorerKind",
    "Statistic",
    "check",
    "check_text",
    "exact_result",
    "load",
    "load_and_check",
    "loads",
    "read_rule_file",
]

#: How many compiled schemes an environment keeps for texts loaded again.
COMPILED_KEPT = 32


class Environment:
    """Registered extensions, and the loading and checking of rules with them."""

    def __init__(self) -> None:
        self._registry = Registry()
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
        self._registry.register_scorer(name, factory, params=params, optional=optional, doc=doc)
        self._compiled.clear()

    def register_statistic(self, name: str, function: Statistic) -> None:
        """Make ``K% of peer NAME`` available: ``function`` gets the sorted values."""
        self._registry.register_statistic(name, function)
        self._compiled.clear()

    @property
    def scorers(self) -> Mapping[str, ScorerKind]:
        return self._registry.scorers

    @property
    def statistics(self) -> Mapping[str, Statistic]:
        return self._registry.statistics

    def suggest(self, name: str, known: Sequence[str]) -> str:
        return self._registry.suggest(name, known)

    def statistic_values(
        self, values: Sequence[Fraction], names: Collection[str] | None = None
    ) -> dict[str, Fraction]:
        """The registered statistics (those in ``names``) of one input's sorted present values."""
        return self._registry.statistic_values(values, names)

    # -------------------------------------------------------------- loading

    def loads(self, text: str, name: str = "<string>") -> Scheme:
        """Parse, check and compile rule text; raise :class:`RuleError` on mistakes.

        Loading the same text under the same name again gives the scheme
        compiled the first time (a :class:`Scheme` never changes), so a
        program may load a rule wherever it needs it.
        """
        key = (hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest(), name)
        scheme = self._compiled.get(key)
        if scheme is not None:
            self._compiled.move_to_end(key)
            return scheme
        # Between runs only rules that use nothing registered are kept: what
        # such a rule compiles to is the same whatever is registered.
        disk_key = cache.scheme_key(text, name)
        scheme = cache.read_scheme(disk_key)
        if scheme is None:
            scheme = compile_text(text, name, self)
            if not scheme.uses_extensions():
                cache.write_scheme(disk_key, scheme)
        scheme.environment = self
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
                _(
                    "check_text() takes rule text (a str), not {type}; to check a rule "
                    "file, use check(path)"
                ).format(type=type(text).__name__)
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
        scorers = ", ".join(self.scorers) or "none"
        statistics = ", ".join(self.statistics) or "none"
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
            _(
                "this is rule text, not the path of a rule file: load it with loads() "
                "and check it with check_text()"
            )
        )
    name = display_path(path)
    data = Path(path).read_bytes()
    try:
        return data.decode("utf-8-sig"), name
    except UnicodeDecodeError as error:
        try:
            data.decode("gb18030")
        except UnicodeDecodeError:
            message = _("{name} is not UTF-8 text: byte {start} cannot be read")
        else:
            message = _(
                "{name} is not UTF-8 text (it looks like GBK/GB18030 text): byte {start} "
                "cannot be read"
            )
        raise RuleError(
            message.format(name=name, start=error.start),
            hint=_("save it as UTF-8 (in Notepad or WPS: 另存为, 编码 UTF-8)"),
        ) from None


#: The environment behind :func:`qualitykpi.load` and :func:`qualitykpi.loads`.
DEFAULT = Environment()


def load(path: str | PathLike[str]) -> Scheme:
    """Load a ``.rule`` file with the default environment."""
    return DEFAULT.load(path)


def loads(text: str, name: str = "<string>") -> Scheme:
    """Load rule text with the default environment."""
    return DEFAULT.loads(text, name)


def check(path: str | PathLike[str]) -> list[Diagnostic]:
    """Load the rule file at ``path`` and check it (with the default environment).

    A rule that fails to load gives its load errors as diagnostics of
    severity ``error``; nothing is raised for it (a file that cannot be read
    raises ``OSError``).  ``path`` is always a path, never rule text: check
    text with :func:`check_text`, so that rule text a program's users type
    can never make it read a file.
    """
    return DEFAULT.check(path)


def check_text(text: str, name: str = "<string>") -> list[Diagnostic]:
    """Check rule ``text``, shown as ``name`` (with the default environment)."""
    return DEFAULT.check_text(text, name)


def load_and_check(path: str | PathLike[str]) -> tuple[Scheme | None, list[Diagnostic]]:
    """:func:`check`, and the scheme it loaded (None when it did not load)."""
    return DEFAULT.load_and_check(path)
