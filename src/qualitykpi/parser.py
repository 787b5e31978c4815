"""Text → Lark parse tree, and syntax errors a rule author can read.

The one grammar lives in ``grammar/qualitykpi.lark`` at the top of the
checkout; the wheel carries it as package data.  Every parse failure goes
through :func:`_syntax_error`, so none forgets its location, and none shows
a Lark terminal name.
"""

from __future__ import annotations

import difflib
import functools
import re
from importlib import resources
from pathlib import Path

import lark
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from .errors import RuleSyntaxError
from .source import Source, Span

GRAMMAR_NAME = "qualitykpi.lark"


def grammar_text() -> str:
    """The text of the grammar, from the installed package."""
    packaged = resources.files("qualitykpi").joinpath("grammar", GRAMMAR_NAME)
    if packaged.is_file():
        return packaged.read_text(encoding="utf-8")
    # An editable install of a checkout has no package data; the checkout
    # itself has the grammar at its top level.
    checkout = Path(__file__).resolve().parents[2] / "grammar" / GRAMMAR_NAME
    return checkout.read_text(encoding="utf-8")


@functools.cache
def _parser() -> lark.Lark:
    return lark.Lark(
        grammar_text(),
        parser="lalr",
        lexer="contextual",
        strict=True,
        propagate_positions=True,
        maybe_placeholders=True,
    )


def parse(source: Source) -> lark.Tree[lark.Token]:
    """Parse ``source`` into a Lark tree or raise :class:`RuleSyntaxError`."""
    try:
        return _parser().parse(source.text)
    except UnexpectedInput as exc:
        raise _syntax_error(source, exc) from None


# --------------------------------------------------------------- error texts

_WORDS = {
    "NUMBER": "a number",
    "STRING": "a name in quotes",
    "NAME": "a name",
    "_SEP": "the end of the line",
    "$END": "the end of the file",
    "_ARROW": "`→`",
    "_COMMA": "`,`",
    "_COLON": "`:`",
    "OPEN": "`[` or `(`",
    "CLOSE": "`]` or `)`",
    "PERCENT": "`%`",
    "DASH": "`-`",
    "MINUS": "`−`",
    "ENDASH": "`–`",
    "_POINTS": "`points`",
}

_STATEMENT_KEYWORDS = (
    "scheme",
    "section",
    "item",
    "part",
    "bonus",
    "veto",
    "grades",
    "total",
    "input",
    "target",
    "text",
    "owner",
    "assessed",
    "start",
    "better",
    "example",
)

_KEYWORDS = (
    *_STATEMENT_KEYWORDS,
    "max",
    "deduct",
    "award",
    "full",
    "at",
    "least",
    "most",
    "more",
    "less",
    "than",
    "below",
    "above",
    "target",
    "by",
    "points",
    "meets",
    "otherwise",
    "each",
    "whole",
    "started",
    "missing",
    "floor",
    "scaled",
    "from",
    "to",
    "peer",
    "mean",
    "median",
    "min",
    "of",
    "if",
    "for",
    "not",
    "beyond",
    "when",
    "grade",
    "score",
    "given",
    "percent",
    "count",
    "number",
    "yes",
    "no",
    "data",
    "precision",
    "deductions",
    "deduction",
    "plus",
    "up",
    "higher",
    "lower",
)

# Typical mistakes, each a small file that fails the way the mistake does;
# Lark matches an error to the example that fails in the same parser state.
_WRAP = 'scheme "s" {{\n  item "i" max 1 {{\n    input x: number\n    {}\n  }}\n}}\n'
_MISTAKES: dict[str, list[str]] = {
    "deduct-amount": [
        _WRAP.format("at least 1 → deduct"),
        _WRAP.format("at least 1 → deduct; otherwise → 0"),
        _WRAP.format("deduct if x"),
        _WRAP.format("each 1 below 2 → deduct"),
    ],
    "award-amount": [
        _WRAP.format("at least 1 → award"),
        _WRAP.format("award if x"),
        _WRAP.format("each 1 → award"),
    ],
    "outcome": [
        _WRAP.format("at least 1"),
        _WRAP.format("at least 1 →"),
        _WRAP.format("[1, 2]"),
        _WRAP.format("1–2 →"),
        _WRAP.format("otherwise"),
        _WRAP.format("below target by 1–3 points"),
        _WRAP.format("meets target"),
    ],
    "condition-number": [
        _WRAP.format("at least → full"),
        _WRAP.format("more than → full"),
        _WRAP.format("= → full"),
    ],
    "range-end": [
        _WRAP.format("1– → full"),
        _WRAP.format("1 to → full"),
    ],
    "interval-end": [
        _WRAP.format("[1, 2 → full"),
        _WRAP.format("[1 2] → full"),
        _WRAP.format("[1, → full"),
    ],
    "max": [
        'scheme "s" {\n  item "i" {\n  }\n}\n',
        'scheme "s" {\n  section "i" {\n  }\n}\n',
        'scheme "s" {\n  section "s" max 1 {\n    part "i" {\n    }\n  }\n}\n',
    ],
    "name": [
        'scheme "s" {\n  item max 1 {\n  }\n}\n',
        'scheme "s" {\n  section max 1 {\n  }\n}\n',
        "scheme {\n}\n",
    ],
    "input-colon": [_WRAP.format("input y percent")],
    "input-type": [_WRAP.format("input y: ratio"), _WRAP.format("input y:")],
    "target": [_WRAP.format("target")],
    "example-arrow": [_WRAP.format("example x = 1"), _WRAP.format("example x = 1 7")],
    "example-score": [_WRAP.format("example x = 1 →")],
    "brace-open": [
        'scheme "s" {\n  item "i" max 1\n    input x: number\n  }\n}\n',
    ],
}

_MESSAGES = {
    "deduct-amount": "`deduct` needs an amount, for example `deduct 1`",
    "award-amount": "`award` needs an amount, for example `award 0.5`",
    "outcome": (
        "this line has a condition but no outcome; end it with an outcome such as "
        "`→ full`, `→ deduct 1` or `→ 3`"
    ),
    "condition-number": "this comparison needs a number, for example `at least 90%`",
    "range-end": "this range needs a number at each end, for example `1–3`",
    "interval-end": (
        "an interval is two numbers between brackets, separated by a comma, "
        "for example `[92%, 94.4%]` or `(1, 3]`"
    ),
    "max": "this needs its points after its name: `max N` (or `deduct at most N`)",
    "name": 'this needs a name in quotes, for example `item "制造业产品质量合格率" max 10`',
    "input-colon": "write a colon between an input's name and its type: `input rate: percent`",
    "input-type": "an input's type is one of `percent`, `count`, `number` or `yes/no`",
    "target": "`target` needs a number, for example `target 90%`",
    "example-arrow": "an example ends with `→` and the score it expects: `example x = 1 → 7`",
    "example-score": "an example needs the score it expects after `→`",
    "brace-open": "a `{` is missing: the body of an item, part or section is written in braces",
}


@functools.cache
def _terminal_words() -> dict[str, str]:
    words = dict(_WORDS)
    for terminal in _parser().terminals:
        pattern = terminal.pattern
        if terminal.name not in words and isinstance(pattern, lark.lexer.PatternStr):
            words[terminal.name] = f"`{pattern.value}`"
    return words


def _describe_expected(expected: set[str]) -> str:
    words = _terminal_words()
    names = {name for name in expected if not name.startswith("__")}
    if {"INPUT", "ITEM", "TEXT"} <= names:
        return (
            "a statement (such as `item`, `part`, `input`, `target`, `text`, a rule line "
            "like `at least 90% → full`, or `}`)"
        )
    if {"OTHERWISE", "MEETS"} <= names:
        return (
            "a condition (such as `at least 90%`, `1–3`, `[92%, 94.4%]`, `meets target` "
            "or `otherwise`)"
        )
    if {"FULL", "DEDUCT", "NUMBER"} <= names:
        return "an outcome (such as `full`, `deduct 1` or a score)"
    phrases = sorted({words.get(name, name.lower()) for name in names})
    if not phrases:
        return "something else"
    if len(phrases) > 8:
        phrases = [*phrases[:8], "…"]
    if len(phrases) == 1:
        return phrases[0]
    return ", ".join(phrases[:-1]) + " or " + phrases[-1]


def _describe_token(token: lark.Token) -> str:
    if token.type == "_SEP":
        return "the end of the line" if "\n" in token.value[:1] else "`;`"
    if token.type == "$END":
        return "the end of the file"
    if token.type == "NUMBER":
        return f"the number `{token.value}`"
    if token.type == "STRING":
        return f"the text {token.value}"
    return f"`{token.value}`"


def _span_at(line: int, column: int, width: int = 1) -> Span:
    return Span(line, column, line, column + width)


def _unclosed_brace(text: str) -> int | None:
    """The line of the last `{` never closed, skipping strings and comments."""
    stack: list[int] = []
    line = 1
    in_string: str | None = None
    in_comment = False
    for ch in text:
        if ch == "\n":
            line += 1
            in_string = None
            in_comment = False
            continue
        if in_comment:
            continue
        if in_string:
            if ch == in_string:
                in_string = None
            continue
        if ch == "#":
            in_comment = True
        elif ch == '"':
            in_string = '"'
        elif ch == "“":
            in_string = "”"
        elif ch == "{":
            stack.append(line)
        elif ch == "}" and stack:
            stack.pop()
    return stack[-1] if stack else None


def _previous_word(source: Source, line: int, column: int) -> str | None:
    before = source.line_text(line)[: max(column - 1, 0)]
    match = re.search(r"(\w+)\W*$", before)
    return match.group(1) if match else None


def _misspelling(word: str, candidates: set[str] | tuple[str, ...]) -> str | None:
    if word in _KEYWORDS:
        return None
    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.7)
    return close[0] if close else None


def _syntax_error(source: Source, exc: UnexpectedInput) -> RuleSyntaxError:
    line = getattr(exc, "line", 0) or 0
    column = getattr(exc, "column", 0) or 0
    if isinstance(exc, UnexpectedCharacters):
        pos = exc.pos_in_stream or 0
        char = source.text[pos] if pos < len(source.text) else ""
        span = _span_at(line, column)
        if char in '"“':
            closing = '`"`' if char == '"' else "`”`"
            return RuleSyntaxError(
                f"this text in quotes is not closed; a string ends on the same line with {closing}",
                source=source,
                span=span,
            )
        return RuleSyntaxError(
            f"unexpected character `{char}`; expected {_describe_expected(set(exc.allowed))}",
            source=source,
            span=span,
        )

    if isinstance(exc, UnexpectedEOF) or (
        isinstance(exc, UnexpectedToken) and exc.token.type == "$END"
    ):
        opened = _unclosed_brace(source.text)
        last_line = max(source.text.count("\n"), 1)
        if opened is not None:
            text = source.line_text(opened)
            col = text.find("{") + 1 if "{" in text else 1
            return RuleSyntaxError(
                f"the block opened on line {opened} is never closed; add a `}}` for it",
                source=source,
                span=_span_at(opened, col),
            )
        return RuleSyntaxError(
            'the file ends too early: a rule file is one `scheme "NAME" { … }`',
            source=source,
            span=_span_at(last_line, 1),
        )

    assert isinstance(exc, UnexpectedToken)
    token = exc.token
    expected = set(exc.expected)
    width = len(token.value) if token.type not in ("_SEP", "$END") else 1
    span = _span_at(line, column, width)

    if token.type == "RBRACE" and expected <= {"$END", "_SEP"}:
        return RuleSyntaxError(
            "this `}` closes nothing: there is one `}` too many", source=source, span=span
        )
    if token.type == "NAME":
        keywords = {
            name.lower() for name in expected if name.isupper() and name.lower() in _KEYWORDS
        }
        guess = _misspelling(token.value, tuple(keywords))
        if guess is not None:
            return RuleSyntaxError(
                f"unknown word `{token.value}`; did you mean `{guess}`?", source=source, span=span
            )
    if token.type in ("STRING", "NUMBER", "NAME"):
        word = _previous_word(source, line, column)
        if word is not None:
            guess = _misspelling(word, _STATEMENT_KEYWORDS)
            if guess is not None:
                start = source.line_text(line).rfind(word, 0, column - 1) + 1
                return RuleSyntaxError(
                    f"unknown word `{word}`; did you mean `{guess}`?",
                    source=source,
                    span=_span_at(line, start, len(word)),
                )
    label = exc.match_examples(_parser().parse, _MISTAKES, use_accepts=True)
    if label is not None:
        return RuleSyntaxError(_MESSAGES[str(label)], source=source, span=span)
    return RuleSyntaxError(
        f"unexpected {_describe_token(token)}; expected {_describe_expected(expected)}",
        source=source,
        span=span,
    )
