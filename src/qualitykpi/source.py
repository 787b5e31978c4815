"""Source text and spans: where every node, diagnostic and error comes from.

Also how a path is shown to a person: a file name that is not UTF-8 (one
unzipped from an archive made on Chinese Windows is GBK) reaches Python with
its bytes escaped, and printing it as it is would fail.
"""

from __future__ import annotations

import os
import unicodedata
from os import PathLike

import attrs

from .surface import written_in


@attrs.frozen
class Span:
    """A region of a rule file: 1-based line and column, 0-based offsets."""

    line: int
    column: int
    end_line: int
    end_column: int
    start: int = 0
    end: int = 0

    def __str__(self) -> str:
        return f"{self.line}:{self.column}"


UNKNOWN_SPAN = Span(0, 0, 0, 0)


@attrs.frozen
class Source:
    """A rule file's name and text, for rendering locations."""

    name: str
    text: str = attrs.field(repr=False)
    # Split once: the analysis and the checks ask for hundreds of lines.
    _lines: tuple[str, ...] = attrs.field(init=False, repr=False, eq=False)
    # Told once, when first asked: every error and finding of the file asks.
    _surface: str | None = attrs.field(init=False, default=None, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        # Lines end at "\n" only, as the parser counts them (not at form
        # feeds or U+2028, which str.splitlines() would also split at).
        object.__setattr__(self, "_lines", tuple(self.text.split("\n")))

    @property
    def chinese(self) -> bool:
        """Whether the file is written with Chinese keywords
        (:func:`~qualitykpi.surface.written_in`)."""
        if self._surface is None:
            object.__setattr__(self, "_surface", written_in(self.text))
        return self._surface == "zh"

    def line_text(self, line: int) -> str:
        if 1 <= line <= len(self._lines):
            return self._lines[line - 1]
        return ""

    def location(self, span: Span) -> str:
        if span.line <= 0:
            return self.name
        return f"{self.name}:{span.line}"

    def snippet(self, span: Span) -> str:
        """The line of ``span`` with a caret under its start (and run)."""
        if span.line <= 0:
            return ""
        text = self.line_text(span.line).rstrip("\n").replace("\t", " ")
        gutter = f"{span.line:>5} | "
        pad = display_width(text[: max(span.column - 1, 0)])
        if span.end_line == span.line and span.end_column > span.column:
            run = display_width(text[span.column - 1 : span.end_column - 1])
        elif span.end_line > span.line:
            # A statement over several lines: underline its first line.
            run = display_width(text[span.column - 1 :].rstrip())
        else:
            run = 1
        caret = "^" * max(run, 1)
        return f"{gutter}{text}\n{' ' * (len(gutter) - 2)}| {' ' * pad}{caret}"


def narrow(source: Source, span: Span, needle: str) -> Span:
    """The span of ``needle`` within the first line of ``span``, if it is there."""
    if span.line <= 0:
        return span
    text = source.line_text(span.line)
    start = text.find(needle, max(span.column - 1, 0))
    if start < 0:
        return span
    return Span(span.line, start + 1, span.line, start + 1 + len(needle))


def display_width(text: str) -> int:
    """Terminal columns taken by ``text``: CJK and full-width forms take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def display_path(path: str | PathLike[str]) -> str:
    """A path as a person should read it, printable whatever its bytes.

    Names are stored as bytes; Python escapes those that are not UTF-8.
    They are read as GB18030 (what Chinese Windows writes) when they are
    that, and otherwise shown with a replacement character.
    """
    raw = os.fsencode(path)
    for codec in ("utf-8", "gb18030"):
        try:
            return raw.decode(codec)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", errors="replace")
