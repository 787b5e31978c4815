"""``qualitykpi fmt``: a rule file in canonical layout, in either surface.

The file is parsed (so only a valid file is formatted) and written back
token by token from the parse tree: keywords in the chosen surface
(:mod:`qualitykpi.surface` says which Chinese word stands for which English
ones, by the grammar rule it sits in), everything else — names, texts in
quotes, numbers as written, comments, blank lines, examples — kept.

The layout: one statement per line, indented two spaces per block; a block
written on one line (``grades { A at least 90; … }``) stays on one line; a
header or list continued on the next line stays continued, indented four
more; at most one blank line in a row; single spaces between words, none
inside ``1–3``, ``90%``, ``(…)`` and before ``,`` or ``:``.  English keeps
``→`` and ASCII punctuation; Chinese writes ``，`` and ``；``, ``、``
between offices, ``分`` after an amount (``扣 1 分``) and the documents'
word order where it is not the English one (``每 x 扣 1 分``, from
:mod:`qualitykpi.word_order`): the words are then written in another order
than they stand in the text, and what lies after each word in the text (a
measure word, a comment) goes with it.  Formatting is
idempotent, and English → Chinese → English gives the canonical English
file back.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from typing import Literal

import attrs
from lark import Token, Tree

from .errors import RuleSyntaxError
from .parser import parse
from .source import Source
from .surface import CAP_AFTER, MEASURE_WORDS, POINTS_AFTER, code_in_chinese, spellings_for
from .word_order import chinese_order

Surface = Literal["en", "zh"]

# Rules whose `_SEP`s separate statements (the others continue a line).
_STATEMENT_LISTS = frozenset({"body", "grades", "combine_table", "cohort_example"})
# Rules whose range separator is written without spaces (`1–3`).
_RANGES = frozenset(
    {"shorthand_range", "delta_range", "per_unit_below", "assessed_each", "assessed_adjustment"}
)
# Commas inside brackets stay ASCII in Chinese too: `[80, 90)`, `(1, 2)`, `max(a, b)`.
_BRACKETED = frozenset({"interval", "point", "call"})
_NO_SPACE_BEFORE = frozenset({",", "，", "、", ";", "；", ")", "]", ":", "%"})
_NO_SPACE_AFTER = frozenset({"(", "[", "，", "、", "；"})
# Lists of offices or levels: Chinese separates them with `、`.
_LISTS = frozenset({"owners", "owner_stmt", "supporters", "support_stmt", "levels"})
_PUNCTUATION = {"％": "%", "（": "(", "）": ")", "［": "[", "］": "]", "：": ":", "->": "→"}
_PUNCTUATION["=>"] = "→"
_VALUES = frozenset({"NAME", "STRING", "NUMBER", "FUNCTION"})


@attrs.frozen
class _Word:
    """A token as written into the output, with where it sat in the tree; or
    a word of a Chinese word order that has no token (``literal``)."""

    token: Token
    path: tuple[Tree[Token], ...]
    literal: bool = False

    @property
    def parent(self) -> str:
        return str(self.path[-1].data)


class FormatError(ValueError):
    """The file cannot be written in the other surface (a keyword without a
    spelling there: a bug in the vocabulary, never the author's fault)."""


def surface_of(text: str) -> Surface:
    """The surface ``text`` is written in: Chinese when any keyword is."""
    return _surface(list(_words(parse(Source("<rule>", text)), "en")), text)


def format_rule(text: str, *, to: Surface | None = None, name: str = "<rule>") -> str:
    """``text`` in canonical layout, in the surface ``to`` (default: its own).

    Raises :class:`qualitykpi.RuleSyntaxError` when ``text`` does not parse.
    """
    source = Source(name, text)
    tree = parse(source)
    if to is None:
        to = _surface(list(_words(tree, "en")), text)
    return _Writer(text, list(_words(tree, to)), to).write()


# A report quotes the same lines for every unit: each is formatted once.
@functools.lru_cache(maxsize=1024)
def line_in_chinese(line: str) -> str:
    """One rule line of an item, written in Chinese as ``fmt --to zh`` writes it
    (its keywords and, where Chinese has its own, its word order):
    ``deduct 1 for each x`` is ``每 x 扣 1 分``.  A line that is not an item's line
    on its own gets its keywords spelt in place (:func:`surface.code_in_chinese`)."""
    text = f'scheme "s" {{\n  item "i" max 1 {{\n    {line}\n  }}\n}}\n'
    try:
        written = format_rule(text, to="zh").splitlines()
    except RuleSyntaxError:
        return code_in_chinese(line)
    # The line is what fmt wrote between the item's braces (continuations joined).
    return " ".join(part.strip() for part in written[2:-2])


def _words(tree: Tree[Token], to: Surface) -> Iterator[_Word]:
    """The words of ``tree`` in the order ``to`` writes them: the tree's,
    except where Chinese has an order of its own (:mod:`qualitykpi.word_order`)."""

    def walk(node: Tree[Token], path: tuple[Tree[Token], ...]) -> Iterator[_Word]:
        order = chinese_order(node) if to == "zh" else None
        if order is None:
            for child in node.children:
                yield from part(child, path)
            return
        for step in order:
            if isinstance(step, str):
                yield _Word(Token("ZH_WORD", step), path, literal=True)
                continue
            at, where = node, path
            for index in step[:-1]:
                child = at.children[index]
                assert isinstance(child, Tree)
                at, where = child, (*where, child)
            yield from part(at.children[step[-1]], where)

    def part(child: Tree[Token] | Token | None, path: tuple[Tree[Token], ...]) -> Iterator[_Word]:
        if isinstance(child, Tree):
            yield from walk(child, (*path, child))
        elif isinstance(child, Token):
            yield _Word(child, path)

    yield from walk(tree, (tree,))


def _surface(words: list[_Word], text: str) -> Surface:
    return "zh" if any(_chinese(word.token, text) for word in words) else "en"


def _chinese(token: Token, text: str) -> bool:
    """Whether ``token`` stands for a Chinese keyword (its value is English)."""
    start, end = token.start_pos, token.end_pos
    return start is not None and end is not None and text[start:end] != str(token)


class _Writer:
    def __init__(self, text: str, words: list[_Word], to: Surface) -> None:
        self.text = text
        self.words = words
        self.to = to
        self.lines: list[str] = []
        self.pieces: list[tuple[str, bool, bool]] = []  # text, space before?, space after?
        self.level = 0
        self.continued = False
        self.blocks: list[bool] = []  # for each open brace: written on one line?
        self.blank_pending = False
        self.trailing = ""  # a comment that ends the line being written
        # What follows each word in the text, up to the next word there: a
        # Chinese word order writes words in another order than they stand.
        placed = sorted(
            (index for index, word in enumerate(words) if not word.literal),
            key=lambda index: (words[index].token.start_pos or 0, index),
        )
        ends = [words[index].token.start_pos or 0 for index in placed[1:]] + [len(text)]
        self.after = dict(zip(placed, ends, strict=True))
        self.start = words[placed[0]].token.start_pos or 0 if placed else len(text)

    # ------------------------------------------------------------ output

    def piece(self, text: str, *, before: bool = True, after: bool = True) -> None:
        self.pieces.append((text, before, after))

    def flush(self) -> None:
        if not self.pieces:
            return
        out = ""
        for index, (text, before, _after) in enumerate(self.pieces):
            if index and before and self.pieces[index - 1][2]:
                out += " "
            out += text
        if self.trailing:
            out, self.trailing = out + "  " + self.trailing, ""
        indent = "  " * self.level + ("    " if self.continued else "")
        if self.blank_pending and self.lines and self.lines[-1]:
            self.lines.append("")
        self.blank_pending = False
        self.lines.append(indent + out)
        self.pieces = []
        self.continued = False

    def comment_line(self, comment: str) -> None:
        self.flush()
        if self.blank_pending and self.lines and self.lines[-1]:
            self.lines.append("")
        self.blank_pending = False
        self.lines.append("  " * self.level + comment)

    def write(self) -> str:
        self.gap(0, self.start)
        index = 0
        while index < len(self.words):
            written = range(index, self.word(index))
            for done in written:
                if done in self.after:
                    self.gap(self.words[done].token.end_pos or 0, self.after[done])
            index = written.stop
        self.flush()
        while self.lines and not self.lines[-1]:
            self.lines.pop()
        return "\n".join(self.lines) + "\n"

    def gap(self, start: int, end: int) -> None:
        """What lies between two tokens: spaces, a comment to the end of the
        line, or a measure word the parser skipped (``分``, ``次``)."""
        between = self.text[start:end]
        comment = between.find("#")
        code = between if comment < 0 else between[:comment]
        if self.to == "zh":
            for word in re.findall(r"[^\W\d]+", code):
                if word in MEASURE_WORDS and not self._points_written(word):
                    self.piece(word)
        if comment >= 0:
            if self.pieces:
                self.trailing = between[comment:].rstrip()
            else:
                self.comment_line(between[comment:].rstrip())

    def _points_written(self, word: str) -> bool:
        # `分` after an amount is written by the writer itself.
        return word == "分" and bool(self.pieces) and self.pieces[-1][0] == "分"

    # ------------------------------------------------------------ tokens

    def word(self, index: int) -> int:
        """Write the word at ``index`` (and those it goes with); the next index."""
        word = self.words[index]
        token = word.token
        kind = token.type
        if kind == "_SEP":
            self.separator(word)
        elif kind == "LBRACE":
            self.open_brace(index)
        elif kind == "RBRACE":
            self.close_brace()
        elif word.literal:
            self.piece(str(token), before=str(token) != "，", after=str(token) != "，")
        elif kind in ("STRING", "NAME", "NUMBER"):
            return self.value(index)
        elif kind == "FUNCTION":
            name = str(token)
            self.piece(self.keyword_run([name + "()"], "call")[0] if self.to == "zh" else name)
            self.pieces[-1] = (self.pieces[-1][0], True, False)
        elif self.is_keyword(word):
            return self.keywords(index)
        else:
            self.punctuation(word)
        return index + 1

    def is_keyword(self, word: _Word) -> bool:
        kind = word.token.type
        if kind in ("_POINTS", "_PLACES", "SLASH"):
            return kind != "SLASH" or word.parent == "input_type"
        return kind not in _VALUES and str(word.token).isalpha()

    def value(self, index: int) -> int:
        word = self.words[index]
        token = word.token
        if token.type == "NUMBER" and self.to == "zh" and self._floor_zero(word):
            return index + 1
        if token.type == "NAME" and word.parent in ("mode", "stat"):
            return self.keywords(index)  # a statistic a host registered is a name
        self.piece(str(token), before=not self._glued_before(word))
        if token.type == "NUMBER":
            self._after_number(index)
        return index + 1

    def _glued_before(self, word: _Word) -> bool:
        if word.token.type != "NUMBER":
            return False
        number = word.path[-1]
        first = next((c for c in number.children if isinstance(c, Token)), None)
        return first is not word.token  # after a sign: `-5`

    def _after_number(self, index: int) -> None:
        word = self.words[index]
        if self.to != "zh" or word.token.type != "NUMBER" or len(word.path) < 2:
            return
        following = self.words[index + 1] if index + 1 < len(self.words) else None
        if following is not None and following.path[-1] is word.path[-1]:
            return  # the number goes on (`90%`)
        before = self.words[index - 1].token
        capped = before.type == "MOST" and str(word.path[-2].data) in CAP_AFTER
        if capped or str(word.path[-2].data) in POINTS_AFTER:
            self.piece("分")

    def _floor_zero(self, word: _Word) -> bool:
        return len(word.path) >= 2 and str(word.path[-2].data) == "floor" and str(word.token) == "0"

    def keywords(self, index: int) -> int:
        """A run of keywords under one rule, written as a phrase."""
        first = self.words[index]
        parent = first.path[-1]
        run: list[str] = []
        end = index
        while end < len(self.words):
            word = self.words[end]
            # `peer mean` is one Chinese word, `全市平均值`, though `mean` is a `stat`.
            statistic = self.to == "zh" and run[-1:] == ["peer"] and word.parent == "stat"
            if not statistic and (
                word.literal
                or word.path[-1] is not parent
                or not (
                    self.is_keyword(word) or (word.token.type == "NAME" and word.parent == "stat")
                )
            ):
                break
            if statistic and word.token.type == "NAME":
                break  # a statistic a host registered: `全市 p75`
            run.append(str(word.token))
            end += 1
        context = str(parent.data)
        if context == "comparator" and str(first.path[-2].data) == "delta_compare":
            # `不超过` in a gap to the target is `up to`, so `at most` there is `最多`.
            context = "delta_compare"
        if context == "floor" and self.to == "zh":
            number = self.words[end] if end < len(self.words) else None
            if number is not None and str(number.token) == "0" and self._floor_zero(number):
                self.piece("扣完为止")
                return end + 1
        if self.to == "zh":
            for text in self.keyword_run(run, context):
                if text == "差" and self.pieces and self.pieces[-1][0] == "每":
                    self.pieces[-1] = ("每差", self.pieces[-1][1], True)
                    continue
                self.piece(text)
        else:
            for text in self.english(run, index):
                self.piece(text, before=text != "/", after=text != "/")
        return end

    def keyword_run(self, run: list[str], context: str) -> list[str]:
        out: list[str] = []
        position = 0
        while position < len(run):
            for spelling in spellings_for(context):
                width = len(spelling.english)
                if tuple(run[position : position + width]) == spelling.english:
                    out.append(spelling.chinese)
                    position += width
                    break
            else:
                if run[position] in ("point", "place"):
                    run[position] += "s"
                    continue
                if context == "stat":  # a statistic a host registered keeps its name
                    out.append(run[position])
                    position += 1
                    continue
                raise FormatError(f"no Chinese spelling of `{run[position]}` in `{context}`")
        return out

    def english(self, run: list[str], index: int) -> list[str]:
        out: list[str] = []
        for offset, word in enumerate(run):
            token = self.words[index + offset].token
            if token.type in ("OWNER", "OWNERS"):
                word = "owner"  # one spelling, for one office or several
            elif token.type in ("_POINTS", "_PLACES"):
                word = self._plural(index + offset, "point" if token.type == "_POINTS" else "place")
            out.append(word)
        return out

    def _plural(self, index: int, noun: str) -> str:
        before = self.words[index - 1].token if index else None
        one = before is not None and before.type == "NUMBER" and str(before) in ("1", "1.0")
        return noun if one else noun + "s"

    def punctuation(self, word: _Word) -> None:
        value = _PUNCTUATION.get(str(word.token), str(word.token))
        kind = word.token.type
        if kind == "_COMMA":
            chinese = self.to == "zh" and word.parent not in _BRACKETED
            value = ("、" if word.parent in _LISTS else "，") if chinese else ","
        elif kind in ("DASH", "MINUS", "ENDASH") and word.parent in _RANGES:
            self.piece(value, before=False, after=False)  # `1–3`
            return
        elif kind in ("DASH", "MINUS") and word.parent == "number":
            self.piece(value, after=False)  # `-5`
            return
        self.piece(
            value,
            before=value not in _NO_SPACE_BEFORE,
            after=value not in _NO_SPACE_AFTER,
        )

    # ------------------------------------------------------------ blocks

    def open_brace(self, index: int) -> None:
        inline = self._inline(index)
        self.blocks.append(inline)
        self.piece("{")
        if not inline:
            self.flush()
            self.level += 1

    def close_brace(self) -> None:
        inline = self.blocks.pop() if self.blocks else False
        if inline:
            self.piece("}")
            return
        self.flush()
        self.level -= 1
        self.blank_pending = False
        self.piece("}")

    def _inline(self, index: int) -> bool:
        depth = 0
        line = self.words[index].token.line
        for word in self.words[index:]:
            if word.token.type == "LBRACE":
                depth += 1
            elif word.token.type == "RBRACE":
                depth -= 1
                if depth == 0:
                    return word.token.line == line
        return False

    def separator(self, word: _Word) -> None:
        value = str(word.token)
        inline = bool(self.blocks) and self.blocks[-1]
        statements = word.parent in _STATEMENT_LISTS or word.parent == "start"
        mark = "；" if self.to == "zh" else ";"
        if inline:
            if self.pieces and self.pieces[-1][0] != "{":
                self.piece(mark, before=False, after=mark not in _NO_SPACE_AFTER)
            return
        lines = value.split("\n")
        if len(lines) == 1:  # `;` between statements on one line
            if statements and self.pieces and self.pieces[-1][0] != "{":
                self.piece(mark, before=False, after=mark not in _NO_SPACE_AFTER)
            return
        self.flush()
        blank = False
        for number, text in enumerate(lines[1:], start=2):
            comment = text.find("#")
            if comment >= 0:
                self.blank_pending = self.blank_pending or blank
                blank = False
                self.comment_line(text[comment:].rstrip())
            elif number < len(lines) and not text.strip(" \t\f\r\u3000\ufeff;；"):
                blank = True
        if blank and statements:
            self.blank_pending = True
        if not statements:
            self.continued = True
