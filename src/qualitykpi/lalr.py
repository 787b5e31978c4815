"""The grammar and the LALR parser built from it, cached between runs.

The one grammar lives in ``grammar/qualitykpi.lark`` at the top of the
checkout; the wheel carries it as package data.  The parser gains the
terminal of the Chinese keywords (:mod:`qualitykpi.surface`) and the
productions of the Chinese word orders (:mod:`qualitykpi.word_order`).
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import lark

from .cache import folder
from .surface import ZH, grammar_addition
from .word_order import GRAMMAR as WORD_ORDERS

GRAMMAR_NAME = "qualitykpi.lark"


def grammar_text() -> str:
    """The text of the grammar, from the installed package, with the terminal
    of the Chinese keywords (:mod:`qualitykpi.surface`)."""
    packaged = resources.files("qualitykpi").joinpath("grammar", GRAMMAR_NAME)
    if packaged.is_file():
        return packaged.read_text(encoding="utf-8") + grammar_addition() + WORD_ORDERS
    # An editable install of a checkout has no package data; the checkout
    # itself has the grammar at its top level.
    checkout = Path(__file__).resolve().parents[2] / "grammar" / GRAMMAR_NAME
    return checkout.read_text(encoding="utf-8") + grammar_addition() + WORD_ORDERS


class _Chinese:
    """Makes the lexer read a Chinese keyword in every parser state: the
    parser (:func:`parse`) decides which English words it stands for."""

    always_accept = (ZH,)

    def process(self, stream: Iterator[lark.Token]) -> Iterator[lark.Token]:
        return stream


# ``strict`` (terminal collisions are errors) is for the grammar's authors:
# the test suite builds the grammar with it, so a collision fails there, and
# users are spared the 0.2 s the collision search costs on every start.
# Every token stays in the tree, keywords and separators too: the builder
# takes a node's span from its first and last token, which is cheaper than
# Lark's ``propagate_positions`` and gives the same spans.
PARSER_OPTIONS: dict[str, Any] = {
    "parser": "lalr",
    "lexer": "contextual",
    "keep_all_tokens": True,
    "maybe_placeholders": True,
    "postlex": _Chinese(),
}


def cache_file() -> Path | None:
    """Where the analysed grammar is kept between runs, or None for nowhere.

    Building the LALR tables takes about 0.2 s, as long as parsing a
    1,000-item rule file, and every command needs them; so they are saved
    once per user, in the folder of :mod:`qualitykpi.cache`.
    """
    where = folder()
    if where is None:
        return None
    python = "".join(map(str, sys.version_info[:2]))
    return where / f"grammar-lark{lark.__version__}-py{python}.cache"


@functools.cache
def automaton() -> lark.Lark:
    """The LALR parser of the grammar (built once, its tables kept on disk)."""
    cache = cache_file()
    # Lark checks the grammar's hash in the file, rebuilds it when the grammar
    # changed, and carries on without the cache when the file is unreadable.
    return lark.Lark(grammar_text(), cache=str(cache) if cache else False, **PARSER_OPTIONS)


@functools.cache
def literals() -> dict[str, str]:
    """Each terminal that is one literal string, by name."""
    return {
        terminal.name: terminal.pattern.value
        for terminal in automaton().terminals
        if isinstance(terminal.pattern, lark.lexer.PatternStr)
    }
