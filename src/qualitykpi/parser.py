"""Text → Lark parse tree.

The parser is built from the grammar by :mod:`qualitykpi.lalr`; every parse
failure becomes a :class:`~qualitykpi.errors.RuleSyntaxError` a rule author
can read (:mod:`qualitykpi.parser_errors`).

Chinese is read with the same grammar (:func:`parse_text`): a Chinese
keyword is lexed as one ``ZH`` token and fed to Lark's interactive LALR
parser as the English tokens it stands for, the reading the parser state
accepts.  Where the next word decides (``项`` is ``of`` before a name and a
measure word before ``扣``) :func:`_reading` looks at it in the text.  The
constructs Chinese writes in another order ("每项扣1分", "全市平均值的
120%") have Chinese-only productions, which :mod:`qualitykpi.surface` adds
to the grammar with ``%extend`` (the grammar file stays English); their
``zh_…`` nodes are rewritten as the English tree after parsing, by
:mod:`qualitykpi.word_order`.
"""

from __future__ import annotations

import functools
import re
from typing import Any

import attrs
import lark
from lark.exceptions import UnexpectedInput, UnexpectedToken
from lark.parsers.lalr_analysis import Shift

from .errors import RuleSyntaxError
from .i18n import _
from .lalr import automaton, literals
from .parser_errors import syntax_error, token_span
from .source import Source
from .surface import ZH, readings, zh_pattern
from .word_order import WordOrderError, normalize


def parse(source: Source) -> lark.Tree[lark.Token]:
    """Parse ``source`` into a Lark tree or raise :class:`RuleSyntaxError`."""
    try:
        return parse_text(source.text)
    except UnexpectedInput as exc:
        raise syntax_error(source, exc) from None
    except WordOrderError as exc:
        span = token_span(source, exc.token)
        raise RuleSyntaxError(_(exc.message), source=source, span=span) from None


def parse_text(text: str, parser: lark.Lark | None = None) -> lark.Tree[lark.Token]:
    """Parse ``text``, in either surface, into the tree of its English twin.

    Each Chinese keyword is fed to the parser as the English tokens it
    stands for (their values English, their positions the Chinese word's),
    so everything after the parser reads one language; a line in a Chinese
    word order becomes its English twin's tree (:mod:`qualitykpi.word_order`).
    Raises Lark's errors, and :class:`~qualitykpi.word_order.WordOrderError`;
    a Chinese keyword that fits nowhere is reported as itself.
    """
    interactive: Any = (parser or automaton()).parse_interactive(text)
    last: lark.Token | None = None
    for token in interactive.lexer_thread.lex(interactive.parser_state):
        last = token
        if token.type != ZH:
            interactive.feed_token(token)
            continue
        reading = _reading(interactive, token, text)
        if reading is None:
            state = interactive.parser_state
            expected = set(state.parse_conf.states[state.position])
            raise UnexpectedToken(token, expected, state=state)  # type: ignore[no-untyped-call]
        for english in reading:
            interactive.feed_token(english)
    return normalize(interactive.feed_eof(last), text)


def _reading(interactive: Any, token: lark.Token, text: str) -> tuple[lark.Token, ...] | None:
    """The English tokens the Chinese ``token`` stands for here, or None."""
    state = interactive.parser_state
    accepted = state.parse_conf.states[state.position]
    fitting = [
        tuple(
            lark.Token.new_borrow_pos(_terminal(word), word.removesuffix("()"), token)
            for word in words
        )
        for words in readings(str(token))
    ]
    fitting = [tokens for tokens in fitting if not tokens or tokens[0].type in accepted]
    if len(fitting) > 1:
        # Several readings start right (`得分` is `score` or `score of`):
        # the first whose every word the parser takes.
        whole = [tokens for tokens in fitting if _fits(state, tokens)]
        if len(whole) > 1:
            # `项` is `of` in `每 2 项 x 扣 1 分` and nothing in `每 2 项 扣 1 分`:
            # the word after it decides.
            after = _next_terminals(text, token.end_pos or 0)
            for tokens in whole:
                if any(_fits(state, (*tokens, _Terminal(name))) for name in after):
                    return tokens
        if whole:
            return whole[0]
    return fitting[0] if fitting else None


@attrs.frozen
class _Terminal:
    type: str


def _next_terminals(text: str, pos: int) -> set[str]:
    """The terminals the word after ``pos`` may be (all, for a Chinese
    keyword, that its readings start with)."""
    rest = text[pos:].lstrip(" \t\f\r\u3000\ufeff")
    chinese = re.match(zh_pattern(), rest)
    if chinese:
        return {_terminal(words[0]) for words in readings(chinese[0]) if words}
    found = {"_SEP"} if not rest or rest[0] in ";；\n#" else set()
    for terminal in automaton().terminals:
        if terminal.name != ZH and re.match(terminal.pattern.to_regexp(), rest):
            found.add(terminal.name)
    return found


def _fits(state: Any, tokens: tuple[lark.Token | _Terminal, ...]) -> bool:
    """Whether the parser in ``state`` takes ``tokens``: its LALR automaton
    run on a copy of the state stack alone (feeding a copy of the parser
    would build trees, and Lark's tree builder shares lists between them)."""
    table = state.parse_conf.states
    stack = list(state.state_stack)
    for token in tokens:
        while True:
            step = table[stack[-1]].get(token.type)
            if step is None:
                return False
            action, argument = step
            if action is Shift:
                stack.append(argument)
                break
            size = len(argument.expansion)
            if size:
                del stack[-size:]
            stack.append(table[stack[-1]][argument.origin.name][1])
    return True


@functools.cache
def _terminal(word: str) -> str:
    """The terminal of an English word of :mod:`qualitykpi.surface`."""
    special = {"points": "_POINTS", "places": "_PLACES", "0": "NUMBER"}
    if word.endswith("()"):
        return "FUNCTION"
    if word in special:
        return special[word]
    return {value: name for name, value in literals().items()}[word]
