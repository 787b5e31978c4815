"""The language of every message a user reads: English or Chinese.

Messages are written in English in the code, marked with :func:`_` (or
:func:`N_` where the text is translated later, at the time it is shown), and
translated through the gettext catalog ``locale/zh_CN/LC_MESSAGES/
qualitykpi.po`` — a file a translator edits with any PO editor.  The catalog
is compiled when it is first needed (Babel reads it, the standard library's
``gettext`` answers from it), so English output never reads it at all.

Placeholders are named (``{value}``) and filled with :meth:`str.format`
*after* translation, so a translation may put them in its own order.

The language is, in this order: what :func:`set_language` was given (the
CLI's ``--lang``); the locale of the environment (``LC_ALL``,
``LC_MESSAGES``, ``LANG``, as POSIX programs read it — ``zh_CN.UTF-8``
means Chinese); English.
"""

from __future__ import annotations

import contextlib
import functools
import gettext
import io
import os
from collections.abc import Iterator
from contextvars import ContextVar
from pathlib import Path
from typing import Literal

Language = Literal["en", "zh"]

#: The languages messages are written in.
LANGUAGES: tuple[Language, ...] = ("en", "zh")
DOMAIN = "qualitykpi"
#: The functions that mark messages, as the extractor (Babel) reads them.
KEYWORDS = {
    "_": None,
    "N_": None,
    "NP_": ((1, "c"), 2),
    "ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
}
CATALOG = Path(__file__).resolve().parent / "locale" / "zh_CN" / "LC_MESSAGES" / f"{DOMAIN}.po"

_chosen: ContextVar[Language | None] = ContextVar("qualitykpi_language", default=None)


def language_from_environment() -> Language:
    """The language the locale of the environment asks for (English when
    it asks for none qualitykpi speaks)."""
    # POSIX order: LC_ALL overrides LC_MESSAGES, which overrides LANG.
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable)
        if value:
            return parse_language(value) or "en"
    return "en"


def parse_language(value: str) -> Language | None:
    """``zh``, ``zh_CN.UTF-8``, ``zh-Hans`` → ``"zh"``; ``en…``, ``C``,
    ``POSIX`` → ``"en"``; anything else → None."""
    head = value.strip().split(".")[0].split("@")[0].replace("-", "_").lower()
    if head.startswith("zh"):
        return "zh"
    if head.startswith("en") or head in ("c", "posix"):
        return "en"
    return None


def language() -> Language:
    """The language messages are written in now."""
    chosen = _chosen.get()
    return chosen if chosen is not None else language_from_environment()


def set_language(value: Language | None) -> None:
    """Write messages in ``value`` from now on (None: as the locale says)."""
    _chosen.set(_known(value))


@contextlib.contextmanager
def use_language(value: Language | None) -> Iterator[None]:
    """Write messages in ``value`` inside the ``with`` block."""
    token = _chosen.set(_known(value))
    try:
        yield
    finally:
        _chosen.reset(token)


def _known(value: Language | None) -> Language | None:
    if value is not None and value not in LANGUAGES:
        raise ValueError(f"unknown language {value!r}: choose one of {', '.join(LANGUAGES)}")
    return value


@functools.cache
def _chinese() -> gettext.GNUTranslations:
    # Babel only on this path: English output never pays for the import.
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with CATALOG.open("rb") as po:
        catalog = read_po(po, locale="zh_CN", domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def _translations() -> gettext.NullTranslations | None:
    return _chinese() if language() == "zh" else None


def _(message: str) -> str:
    """``message`` in the current language."""
    translations = _translations()
    return message if translations is None else translations.gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The form of ``singular``/``plural`` for ``count``, in the current language."""
    translations = _translations()
    if translations is None:
        return singular if count == 1 else plural
    return translations.ngettext(singular, plural, count)


def NP_(context: str, message: str) -> str:
    """Mark ``message``, meant in ``context``, for the catalog; translate it
    later with :func:`pgettext` and the same context."""
    return message


def pgettext(context: str, message: str) -> str:
    """``message`` in the current language, as meant in ``context`` (one
    English phrase may need two translations: a heading of the notice and
    the same heading of a report)."""
    translations = _translations()
    return message if translations is None else translations.pgettext(context, message)


def N_(message: str) -> str:
    """Mark ``message`` for the catalog; translate it with :func:`_` when shown."""
    return message
