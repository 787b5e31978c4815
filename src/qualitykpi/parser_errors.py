"""Syntax errors a rule author can read: a sentence at the right place.

Every parse failure goes through :func:`syntax_error`, so none forgets its
location, and none shows a Lark terminal name.  Frequent mistakes are
recognised by the parser state they leave (:data:`_MISTAKES`), learnt once
from examples of each.
"""

from __future__ import annotations

import bisect
import copy
import difflib
import functools
import re
import unicodedata
from collections.abc import Iterable, Iterator
from typing import Any

import lark
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from .errors import RuleSyntaxError
from .i18n import N_, _
from .lalr import automaton, literals
from .source import Source, Span

# --------------------------------------------------------------- error texts

_WORDS = {
    "NUMBER": N_("a number"),
    "STRING": N_("a name in quotes"),
    "NAME": N_("a name"),
    "_SEP": N_("the end of the line"),
    "$END": N_("the end of the file"),
    **{
        name: f"`{text}`"
        for name, text in zip(
            ("_ARROW", "_COMMA", "_COLON", "OPEN", "CLOSE", "PERCENT", "ENDASH", "_POINTS"),
            ("→", ",", ":", "[` or `(", "]` or `)", "%", "–", "points"),
            strict=True,
        )
    },
}

_WORD_TEXTS = frozenset(_WORDS.values())

# Sets of terminals that mark a context, and how an author would name it.
_GROUPS = (
    (
        {"INPUT", "ITEM"},
        N_("a statement (such as `item`, `input` or `at least 90% → full`) or `}`"),
    ),
    ({"OTHERWISE", "MEETS"}, N_("a condition (such as `at least 90%`, `1–3` or `otherwise`)")),
    ({"FULL", "DEDUCT", "NUMBER"}, N_("an outcome (such as `full`, `deduct 1` or a score)")),
    ({"COUNT", "YES"}, N_("an input type: `percent`, `count`, `number` or `yes/no`")),
    ({"UP", "OPEN"}, N_("a range of points (such as `up to 1`, `1–3` or `more than 15`)")),
)

# Keywords a line or statement starts with: a misspelt one is read as a name.
_LINE_WORDS = (
    *("scheme", "section", "item", "part", "bonus", "veto", "grades", "total", "input"),
    *("target", "text", "owner", "assessed", "start", "better", "example", "otherwise"),
    *("meets", "below", "above", "at", "more", "less", "each", "scaled", "deduct", "award"),
)
_NODE_WORDS = ("scheme", "section", "item", "part", "bonus", "veto")

# Full-width and look-alike characters the grammar does not accept.
_LOOKALIKES = dict(zip("｛｝【】＝＞＜－＂。＃‘’", '{}[]=><-";#""', strict=True))

# Typical mistakes, each a line (or a whole file) that fails the way the
# mistake does.  A syntax error is matched to the example that fails in the
# same parser state: with the same kind of token first, then with any token.
_WRAP = 'scheme "s" {{\n  item "i" max 1 {{\n    input x: number\n    {}\n  }}\n}}\n'
_MISTAKES: dict[str, list[str]] = {
    "deduct-amount": ["at least 1 → deduct", "deduct if x", "each 1 below 2 → deduct"],
    "award-amount": ["at least 1 → award", "award if x", "each 1 → award"],
    "outcome": [
        *("at least 1", "[1, 2]", "1–2", "otherwise", "yes", "meets target", "no data", "= 1"),
        *("x at least 1", "below target by 1–3 points", "below target by up to 1"),
        "at least 50% of peer mean",
    ],
    "arrow-outcome": ["at least 1 →", "otherwise →"],
    "condition-number": ["at least → full", "more than → full", "= → full"],
    "range-end": ["1– → full", "1 to → full"],
    "bare-number": ["90 → full", "90% full"],
    "expression-arrow": [
        "x at least y full",
        "x at least y + 2 full",
        "x at least y × 2 3",
        "x = peer min of x full",
    ],
    "number-subject": [
        "2 × x at least 1 → full",
        "2 * x at least 1 → full",
        "2 + x at least 1 → full",
        "2 / x at least 1 → full",
        "(x − y) × 2 at least 1 → full",
    ],
    "interval-comma": ["[1 2] → full"],
    "interval-close": ["[1, 2 → full"],
    "interval-end": ["[1, → full", "[, 2] → full"],
    "each-effect": ["each 1 below 2 → 3", "each 1 → full"],
    "by": ["below target 3 → full", "above target 3 → full"],
    "max": ['item "i" 3 {\n}', 'section "i" 3 {\n}'],
    "bonus-cap": ['bonus "b" max 3 {\n}'],
    "name": ["item max 1 {\n}", "section max 1 {\n}"],
    "scheme-name": ["scheme {\n}\n", "scheme s {\n}\n"],
    "owner-quotes": ["owner x", 'item "i" max 1 owner x {\n}'],
    "text-quotes": ["text x"],
    "input-name": ["input : percent", 'input "y": percent'],
    "input-colon": ["input y percent"],
    "input-type": ["input y: ratio", "input y:"],
    "precision": ["input y: percent precision"],
    "target": ["target"],
    "total": ["total"],
    "veto-when": ['veto "v" x → grade D'],
    "veto-effect": ['veto "v" when x → D', 'veto "v" when x'],
    "example-arrow": ["example x = 1", "example x = 1 7"],
    "example-score": ["example x = 1 →"],
    "brace-open": ['item "i" max 1\n input x: number\n}', 'item "i" max 1 owner "o"\n input\n}'],
}

# Mistakes recognised only with the same kind of token as their examples.
_EXACT = ("owner-quotes", "text-quotes", "input-name")

_MESSAGES = {
    "expression-arrow": N_(
        "a comparison with a calculation ends with `→` before its outcome: "
        "`x at least y + 2% → full`"
    ),
    "number-subject": N_(
        "a rule line cannot start with a number or a bracket, which start "
        "conditions (`80–90`, `[80, 90)`): put the input first (`rate × 2 at least …`), or "
        "name the value with `let`"
    ),
    "deduct-amount": N_("`deduct` needs the points it takes off, for example `deduct 1`"),
    "award-amount": N_("`award` needs the points it gives, for example `award 0.5`"),
    "outcome": N_(
        "this line has a condition but no outcome; end it with an outcome such as "
        "`→ full`, `→ deduct 1` or `→ 3`"
    ),
    "arrow-outcome": N_(
        "the outcome after `→` is missing: `full`, `deduct N`, `award N` or a score"
    ),
    "condition-number": N_("this comparison needs a number, for example `at least 90%`"),
    "range-end": N_("this range needs a number at each end, for example `1–3`"),
    "bare-number": N_("a number alone is not a condition; write `at least 90`, `= 90` or `80–90`"),
    "interval-comma": N_("separate the two ends of an interval with a comma: `[92%, 94.4%]`"),
    "interval-close": N_("this interval is never closed; end it with `]` or `)`"),
    "interval-end": N_("an interval needs a number at each end, for example `[92%, 94.4%]`"),
    "each-effect": N_("an `each` line ends with `deduct N` or `award N`: `each 1 → deduct 0.5`"),
    "by": N_("write `by` and the range of points: `below target by 1–3 points`"),
    "max": N_('this {kind} needs its maximum score after its name: `{kind} "名称" max 10`'),
    "bonus-cap": N_(
        'a bonus gives its cap after its name as `bonus "名称" at most 5`, or none for no cap'
    ),
    "name": N_('this {kind} needs a name in quotes: `{kind} "制造业产品质量合格率" max 10`'),
    "scheme-name": N_('the scheme needs a name in quotes: `scheme "2024年度质量工作考核" {{`'),
    "owner-quotes": N_('write each office in quotes: `owner "区市监局", "区农经局"`'),
    "text-quotes": N_('`text` keeps the original wording in quotes: `text "每差1%扣0.3分"`'),
    "input-name": N_("an input needs a name without quotes: `input pass_rate: percent`"),
    "input-colon": N_(
        "write a colon between an input's name and its type: `input pass_rate: percent`"
    ),
    "input-type": N_("an input's type is one of `percent`, `count`, `number` or `yes/no`"),
    "precision": N_(
        "`precision` needs the step the data are reported in, for example `precision 0.1`"
    ),
    "target": N_("`target` needs a number, for example `target 90%`"),
    "total": N_("`total` needs a number, for example `total 100`"),
    "veto-when": N_('a veto names its trigger after `when`: `veto "名称" when incident → grade D`'),
    "veto-effect": N_("a veto says what it does after `→`: `→ grade D` or `→ score 0`"),
    "example-arrow": N_("an example ends with `→` and the score it expects: `example x = 1 → 7`"),
    "example-score": N_("an example needs the score it expects after `→`"),
    "brace-open": N_("a `{{` is missing: the body of this {kind} is written in braces, `{{ … }}`"),
}


@functools.cache
def keywords() -> frozenset[str]:
    """The words of the language (``item``, ``at``, ``previous`` …): not names."""
    words = {value for value in literals().values() if value.isalpha()}
    return frozenset(words | {"min", "max", "abs", "round"})


@functools.cache
def _mistake_states() -> dict[tuple[int, str], str]:
    """(parser state, token type or "") → the label of the mistake that fails there."""
    table: dict[tuple[int, str], str] = {}
    for label, examples in _MISTAKES.items():
        for example in examples:
            try:
                automaton().parse(
                    example if example.startswith("scheme") else _WRAP.format(example)
                )
            except UnexpectedToken as exc:
                table.setdefault((exc.state.position, exc.token.type), label)
                table.setdefault((exc.state.position, ""), label)
    return table


def _accepts(state: Any) -> set[str]:
    """The terminals that can really come next in parser ``state``."""
    conf = copy.copy(state.parse_conf)
    conf.callbacks = {}
    accepted: set[str] = set()
    for name in conf.states[state.position]:
        trial = state.copy(deepcopy_values=False)
        trial.parse_conf = conf
        try:
            trial.feed_token(lark.Token(name, ""), is_end=name == "$END")
        except (UnexpectedToken, AssertionError):
            continue
        accepted.add(name)
    return accepted


def _describe_expected(expected: set[str]) -> str:
    names = expected - {"DASH", "MINUS"} if "NUMBER" in expected else expected
    for marks, text in _GROUPS:
        if marks <= names:
            return _(text)
    spelt = literals()
    phrases = sorted({_WORDS.get(name) or f"`{spelt.get(name, '')}`" for name in names} - {"``"})
    if len(phrases) > 8:
        phrases = [*phrases[:8], "…"]
    # Sorted before translation, so the list is in one order in every language.
    phrases = [_(phrase) if phrase in _WORD_TEXTS else phrase for phrase in phrases]
    if len(phrases) < 2:
        return phrases[0] if phrases else _("something else")
    # Translators: joins the first keywords of a list of what may come next.
    listed = _(", ").join(phrases[:-1])
    return _("{keywords} or {last}").format(keywords=listed, last=phrases[-1])


# ------------------------------------------------------------ positions


def _span_at(line: int, column: int, width: int = 1) -> Span:
    return Span(line, column, line, column + max(width, 1))


def _scan(text: str) -> Iterator[tuple[int, str, bool]]:
    """Each character outside comments, and whether it is also outside strings."""
    close: str | None = None
    escaped = comment = False
    for pos, ch in enumerate(text):
        code = close is None
        if ch == "\n":
            close, escaped, comment = None, False, False
        elif comment or (code and ch == "#"):
            comment = True
            continue
        elif not code:
            close = None if ch == close and not escaped else close
            escaped = not escaped and ch == "\\" and close == '"'
        elif ch in '"“':
            close, code = ("”" if ch == "“" else '"'), False
        yield pos, ch, code


def _code_end(source: Source, line: int) -> int:
    """The column just after the last character of ``line`` that is not a comment."""
    ends = [pos + 1 for pos, ch, _ in _scan(source.line_text(line)) if not ch.isspace()]
    return (ends[-1] if ends else 0) + 1


def _braces(source: Source) -> Iterator[tuple[str, int, int, int, bool]]:
    """Each brace: itself, line, column, its line's indent, and whether it leads its line."""
    lines = source.text.split("\n")
    starts = [0]
    for text in lines:
        starts.append(starts[-1] + len(text) + 1)
    for pos, ch, code in _scan(source.text):
        if code and ch in "{}":
            line = bisect.bisect_right(starts, pos)
            column = pos - starts[line - 1] + 1
            indent = len(lines[line - 1]) - len(lines[line - 1].lstrip())
            yield ch, line, column, indent, column == indent + 1


def _unclosed_brace(source: Source) -> tuple[int, int] | None:
    """The `{` left open: the one a less indented `}` skipped, or else the last one."""
    stack: list[tuple[int, int, int]] = []
    for ch, line, column, indent, leads in _braces(source):
        if ch == "{":
            stack.append((line, column, indent))
            continue
        if leads and stack and stack[-1][2] > indent and any(o[2] <= indent for o in stack):
            return stack[-1][:2]
        if stack:
            stack.pop()
    return stack[-1][:2] if stack else None


def _extra_brace(source: Source) -> tuple[int, int] | None:
    """The `}` that closes nothing: with no block open, or more indented than its block."""
    stack: list[int] = []
    for ch, line, column, indent, leads in _braces(source):
        if ch == "{":
            stack.append(indent)
        elif not stack or (leads and indent > stack[-1]):
            return line, column
        else:
            stack.pop()
    return None


def token_span(source: Source, token: lark.Token) -> Span:
    line, column = token.line or 1, token.column or 1
    if token.type == "_SEP":
        return _span_at(line, _code_end(source, line) if token.value[:1] == "\n" else column)
    return _span_at(line, column, len(token.value))


def _label_span(source: Source, label: str, token: lark.Token, span: Span) -> Span:
    """Where a mistake is best shown, when that is not at the token."""
    text = source.line_text(span.line)
    if label == "interval-close":
        opened = max(text.rfind(ch, 0, span.column - 1) for ch in "[(［（")
        return _span_at(span.line, opened + 1) if opened >= 0 else span
    if label in ("name", "scheme-name"):
        after = re.match(r"(\s*\w+\s+)(\S+)", text)
        return _span_at(span.line, len(after[1]) + 1, len(after[2])) if after else span
    if label == "brace-open" and token.type != "_SEP":
        previous = span.line - 1
        while previous > 1 and not source.line_text(previous).strip():
            previous -= 1
        if previous >= 1:
            return _span_at(previous, _code_end(source, previous))
    return span


def _kind(source: Source, line: int, default: str = "item") -> str:
    """The node keyword that starts ``line``."""
    first = re.match(r"\s*(\w+)", source.line_text(line))
    return first[1] if first and first[1] in _NODE_WORDS else default


# ------------------------------------------------------------ the errors


def _guess(word: str, candidates: Iterable[str]) -> str | None:
    """The keyword ``word`` is likely a misspelling of, or two keywords run together."""
    keywords = {*literals().values(), "point", "points"}
    if word in keywords:
        return None
    glued = [f"{word[:i]} {word[i:]}" for i in range(2, len(word) - 1) if word[i:] in keywords]
    candidates = sorted(candidates)
    for both in glued:
        if both.split()[0] in candidates:
            return both
    close = difflib.get_close_matches(word, candidates, n=1, cutoff=0.75)
    return close[0] if close else None


def _misspelt(source: Source, token: lark.Token, expected: set[str]) -> tuple[str, Span] | None:
    """An unknown word close to a keyword that fits where it stands."""
    line, column = token.line or 1, token.column or 1
    fitting = {literals().get(name, "points" if name == "_POINTS" else "") for name in expected}
    guess = _guess(token.value, fitting) if token.type == "NAME" else None
    if guess is not None:
        message = _("unknown word `{word}`; did you mean `{guess}`?")
        return message.format(word=token.value, guess=guess), token_span(source, token)
    strings = r'"(?:[^"\\]|\\.)*"|“[^”]*”'
    code = re.sub(strings, lambda m: " " * len(m[0]), source.line_text(line)[: column - 1])
    words = [(m.start() + 1, m[0]) for m in re.finditer(r"[^\W\d]\w*", code)]
    candidates = words[:1] + (words[-1:] if token.type in ("STRING", "NUMBER", "NAME") else [])
    for start, word in candidates:
        declared = re.search(rf"\binput\s+{re.escape(word)}\b", source.text)
        guess = None if declared else _guess(word, _LINE_WORDS)
        if guess is not None:
            message = _("unknown word `{word}`; did you mean `{guess}`?").format(
                word=word, guess=guess
            )
            return message, _span_at(line, start, len(word))
    return None


def _bad_character(source: Source, exc: UnexpectedCharacters) -> RuleSyntaxError:
    pos = exc.pos_in_stream or 0
    char = source.text[pos : pos + 1] or " "
    span, hint = _span_at(exc.line, exc.column), None
    if char in '"“':
        other = "”" if char == '"' else '"'
        if other in source.line_text(exc.line)[exc.column :]:
            hint = _(
                "it opens with `{char}` but closes with `{other}`; use a matching pair"
            ).format(char=char, other=other)
        closing = '"' if char == '"' else "”"
        message = _(
            "this text in quotes is never closed; end it on the same line with `{closing}`"
        ).format(closing=closing)
    elif char == "." and source.text[pos - 1 : pos].isdigit():
        message = _("a number has one decimal point at most")
    elif char in _LOOKALIKES:
        message = _("`{char}` is not accepted here; write `{fix}` instead").format(
            char=char, fix=_LOOKALIKES[char]
        )
    elif unicodedata.category(char)[0] in "ZC":
        name = unicodedata.name(char, "control character").lower()
        message = _(
            "an invisible {name} (U+{char:04X}) stands here; use a plain space or none"
        ).format(name=name, char=ord(char))
    else:
        expected = _describe_expected(_accepts(exc.state)) if exc.state else _("something else")
        message = _(
            "`{char}` has no meaning in a rule file; what belongs here is {expected}"
        ).format(char=char, expected=expected)
    return RuleSyntaxError(message, source=source, span=span, hint=hint)


def _early_end(source: Source) -> RuleSyntaxError:
    opened = _unclosed_brace(source)
    if opened is not None:
        line, column = opened
        what = _kind(source, line, "block")
        message = _("this {what}'s `{{` is never closed; add a `}}` where its body ends").format(
            what=what
        )
        return RuleSyntaxError(message, source=source, span=_span_at(line, column))
    last = max(len(source.text.splitlines()), 1)
    message = _('the file ends too early: a rule file is one `scheme "NAME" { … }`')
    return RuleSyntaxError(message, source=source, span=_span_at(last, _code_end(source, last)))


def syntax_error(source: Source, exc: UnexpectedInput) -> RuleSyntaxError:
    """The error an author sees for a parse failure: a sentence, at the right place."""
    if isinstance(exc, UnexpectedCharacters):
        return _bad_character(source, exc)
    if not isinstance(exc, UnexpectedToken) or exc.token.type == "$END":
        return _early_end(source)
    token, state = exc.token, exc.state
    before = source.line_text(token.line or 1)[: (token.column or 1) - 1]
    span = token_span(source, token)
    expected = _accepts(state) or set(exc.expected)
    mistakes = _mistake_states()
    exact = mistakes.get((state.position, token.type))
    label = exact or mistakes.get((state.position, ""))
    label = label if exact or label not in _EXACT else None
    if expected <= {"$END", "_SEP"}:
        extra = _extra_brace(source)
        if extra is not None or token.type == "RBRACE":
            message = _("this `}` closes nothing: there is one `}` too many")
            span = _span_at(*extra) if extra is not None else span
        else:
            message = _("a rule file holds one scheme, and this comes after its closing `}`")
    elif misspelt := _misspelt(source, token, expected):
        message, span = misspelt
    elif exact is None and "_SEP" in expected and token.value in _LINE_WORDS:
        message = _(
            "`{value}` starts a new statement: put it on its own line, or after `;`"
        ).format(value=token.value)
    elif token.type == "STRING" and re.fullmatch(r"\s*(section|item|part|bonus)\s*", before):
        # `item "…"` fails at its name only where `item` was read as a name.
        word = before.split()[0]
        opened = _unclosed_brace(source)
        above = (
            _("the `{{` on line {line}").format(line=opened[0]) if opened else _("a block above")
        )
        message = _("`{word}` cannot start a statement here: is {above} missing its `}}`?").format(
            word=word, above=above
        )
        span = _span_at(span.line, before.index(word) + 1, len(word))
    elif label is not None:
        span = _label_span(source, label, token, span)
        message = _(_MESSAGES[label]).format(kind=_kind(source, span.line))
    elif token.type == "_SEP":
        end = _("the end of the line") if token.value[:1] == "\n" else "`;`"
        message = _("expected {expected} before {end}").format(
            expected=_describe_expected(expected), end=end
        )
    else:
        if token.type == "NUMBER":
            what = _("the number `{number}`").format(number=token.value)
        elif token.type == "STRING":
            what = _("the text {text}").format(text=token.value)
        else:
            what = f"`{token.value}`"
        message = _("expected {expected} here, not {what}").format(
            expected=_describe_expected(expected), what=what
        )
    return RuleSyntaxError(message, source=source, span=span)
