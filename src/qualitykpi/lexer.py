"""A Pygments lexer for qualitykpi ``.rule`` files.

Pygments finds it through the ``pygments.lexers`` entry point of the
package, so ``pygmentize -l qualitykpi FILE.rule`` and Sphinx's
``.. code-block:: qualitykpi`` work once qualitykpi is installed next to
Pygments.  Pygments is not a run-time dependency of the library: nothing in
:mod:`qualitykpi` imports this module.

The lexer follows ``grammar/qualitykpi.lark``: it accepts the full-width
punctuation, digits and spaces the grammar accepts, Chinese quotation marks
and identifiers in any script.  It also accepts the ``…`` and ``|`` of the
syntax summaries in the documentation, and it never marks an unterminated
string as an error (the parser reports that), so that highlighting a
snippet of a faulty rule does not fail.
"""

from __future__ import annotations

from typing import ClassVar

from pygments.lexer import RegexLexer, bygroups, default, words  # type: ignore[import-untyped]
from pygments.token import (  # type: ignore[import-untyped]
    Comment,
    Keyword,
    Name,
    Number,
    Operator,
    Punctuation,
    String,
    Whitespace,
)

from .surface import MEASURE_WORDS, VOCABULARY

__all__ = ["RuleLexer"]

# Words that open a statement or a block.
STRUCTURE = (
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
    "owners",
    "owner",
    "support",
    "assessed",
    "example",
    "start",
    "better",
)

# Words of conditions, outcomes, modifiers and examples.
RULE_WORDS = (
    "at",
    "least",
    "most",
    "more",
    "less",
    "than",
    "below",
    "above",
    "by",
    "points",
    "point",
    "meets",
    "within",
    "rounded",
    "linear",
    "through",
    "places",
    "place",
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
    "max",
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
    "deductions",
    "deduction",
    "adjustment",
    "deduct",
    "award",
    "full",
    "no",
    "data",
    "yes",
    "plus",
    "precision",
    "up",
    "higher",
    "lower",
    # Levels: `input level: one of "完整", "部分"`, `level in ("完整", "部分")`.
    "one",
    "in",
    # Scorers and statistics the host program registers.
    "using",
    "with",
    # Values computed from values (the language, part 2).
    "let",
    "previous",
    "peers",
    "rank",
    "and",
    "or",
    "combine",
    "cohort",
    "abs",
    "round",
)

# The types of an input; ``yes/no`` is matched as a whole before these.
TYPES = ("percent", "count", "number")


def _chinese(kind: str) -> tuple[str, ...]:
    """The Chinese keywords (:mod:`qualitykpi.surface`) that spell English
    words of one kind: ``structure``, ``type`` or ``rule``."""
    found = set()
    for spelling in VOCABULARY:
        first = spelling.english[0]
        if first in STRUCTURE:
            of = "structure"
        elif first in TYPES or (first == "yes" and "input_type" in spelling.contexts):
            of = "type"
        else:
            of = "rule"
        if of == kind:
            found.add(spelling.chinese)
    if kind == "rule":
        found |= set(MEASURE_WORDS)
    return tuple(sorted(found, key=lambda word: (-len(word), word)))


_DIGIT = "[0-9０-９]"
_SPACE = "[ \t\f\r\u3000\ufeff]"


class RuleLexer(RegexLexer):  # type: ignore[misc]
    """Pygments lexer for qualitykpi assessment rules (``.rule`` files)."""

    name = "qualitykpi"
    aliases: ClassVar[list[str]] = ["qualitykpi", "rule", "qkrule"]
    filenames: ClassVar[list[str]] = ["*.rule"]
    mimetypes: ClassVar[list[str]] = ["text/x-qualitykpi"]

    tokens: ClassVar[dict[str, list[object]]] = {
        "root": [
            (r"[ \t\f\r\n\u3000\ufeff]+", Whitespace),
            (r"#[^\n]*", Comment.Single),
            (r'"', String.Double, "string"),
            (r"“[^”\n]*”?", String.Double),
            # `yes/no`, also written `yes / no`, is one type.
            (
                rf"(yes)({_SPACE}*)(/)({_SPACE}*)(no)\b",
                bygroups(Keyword.Type, Whitespace, Keyword.Type, Whitespace, Keyword.Type),
            ),
            (words(TYPES, suffix=r"\b"), Keyword.Type),
            # Chinese keywords: whole words, a digit may follow at once (`扣3分`).
            (words(_chinese("type"), suffix=r"(?![^\W\d])"), Keyword.Type),
            (words(_chinese("structure"), suffix=r"(?![^\W\d])"), Keyword),
            (words(_chinese("rule"), suffix=r"(?![^\W\d])"), Keyword.Pseudo),
            (words(STRUCTURE, suffix=r"\b"), Keyword),
            (words(RULE_WORDS, suffix=r"\b"), Keyword.Pseudo),
            (rf"{_DIGIT}+[.．]{_DIGIT}+[%％]?", Number.Float),
            (rf"{_DIGIT}+[%％]?", Number.Integer),
            (r"→|->|=>|>=|<=|≥|≤|[=<>–—~～\-−/+＋×*＊÷／]", Operator),
            (r"[{}()\[\],:;（）［］，：；、]", Punctuation),
            # The `…` and `|` of the syntax summaries in the documentation.
            (r"[…|]", Punctuation),
            (r"[^\W\d]\w*", Name),
        ],
        "string": [
            (r"\\[^\n]", String.Escape),
            (r'[^"\\\n]+', String.Double),
            (r'"', String.Double, "#pop"),
            (r"\\", String.Double),
            # An unterminated string ends at the end of the line.
            default("#pop"),
        ],
    }
