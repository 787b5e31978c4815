"""Where Chinese puts its words in another order than English.

Most Chinese keywords stand where their English twins stand, and the parser
only swaps the words (:mod:`qualitykpi.surface`).  A few constructs read
backwards in Chinese: the documents write "每项扣1分，最高扣2分", not
"扣1分每项"; "全市平均值的120%", not "120%的全市平均值".  For those the
grammar gains Chinese-only productions (:data:`GRAMMAR`, added to the
English grammar file with Lark's ``%extend``), made of the same English
terminals in the Chinese order and labelled ``zh_…``.  The parser feeds a
Chinese line to them like any other; :func:`normalize` then rewrites each
``zh_…`` node as the tree its English twin parses to, so the builder, the
scheme and everything after see one tree whatever the surface.  A node
whose children it had to reorder is a :class:`Reordered` tree, which knows
where its text starts and ends.

The productions are made of English terminals, so English text could reach
them too (``each x deduct 1``); :func:`normalize` refuses that with a rule
error, since the English surface keeps its one order.

``qualitykpi fmt`` writes Chinese in these orders: :func:`chinese_order`
gives, for a node of the English tree, the order its parts are written in.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from lark import Token, Tree

from .i18n import N_

GRAMMAR = r"""
%extend clause: "each" [mode] [number "of"] NAME [BEYOND number] "deduct" number [_COMMA "at" "most" number] -> zh_deduct_each
              | "each" [mode] [number "of"] NAME [BEYOND number] "award" number [_COMMA "at" "most" number] -> zh_award_each
%extend line: [subject] condition _COMMA "each" ("missing" | BEYOND) [mode] number _ARROW? per_unit_effect (_COMMA modifier)* -> zh_each_line
%extend s_atom: NAME "of" "peer" stat -> zh_peer_of
%extend condition: comparator "peer" stat "of" number -> zh_peer_compare
%extend assessed: "assessed" "for" "each" NAME DEDUCTION number _rangesep number -> zh_assessed_each
"""  # noqa: E501

# What an English author wrote instead, for the error that says so.
_ENGLISH = {
    "zh_deduct_each": N_(
        "`each NAME deduct N` is the Chinese word order; in English write `deduct N for each NAME`"
    ),
    "zh_award_each": N_(
        "`each NAME award N` is the Chinese word order; in English write `award N for each NAME`"
    ),
    "zh_each_line": N_(
        "`less than T, each missing U` is the Chinese word order; in English write "
        "`each U below T` (or `each U above T`)"
    ),
    "zh_peer_of": N_(
        "`NAME of peer STAT` is the Chinese word order; in English write `peer STAT of NAME`"
    ),
    "zh_peer_compare": N_(
        "`peer STAT of N` is the Chinese word order; in English write `N of peer STAT`"
    ),
    "zh_assessed_each": N_(
        "`assessed for each NAME deduction A–B` is the Chinese word order; in English "
        "write `assessed deduction A–B for each NAME`"
    ),
}

# The child that is a Chinese word wherever the production is Chinese.
_MARKERS = {
    "zh_deduct_each": 0,
    "zh_award_each": 0,
    "zh_each_line": 3,
    "zh_peer_of": 1,
    "zh_peer_compare": 3,
    "zh_assessed_each": 1,
}

_DIRECTION = {"less than": ("below", "missing"), "more than": ("above", "beyond")}


class WordOrderError(Exception):
    """A ``zh_…`` production reached by words it does not accept."""

    def __init__(self, message: str, token: Token) -> None:
        super().__init__(message)
        self.message = message
        self.token = token


class Reordered(Tree[Token]):
    """A node whose children are not in the order of its text: it carries
    its first and last token by position, where its span starts and ends."""

    first: Token
    last: Token


def normalize(tree: Tree[Token], text: str) -> Tree[Token]:
    """``tree`` with every ``zh_…`` node rewritten as its English twin's."""
    # Bottom up, without recursion: a file may nest blocks deeply.
    for node in tree.iter_subtrees():
        for index, child in enumerate(node.children):
            if isinstance(child, Tree) and str(child.data).startswith("zh_"):
                node.children[index] = _rewrite(child, text)
    return tree


def _rewrite(tree: Tree[Token], text: str) -> Tree[Token]:
    label = str(tree.data)
    marker = tree.children[_MARKERS[label]]
    assert isinstance(marker, Token)
    if text[marker.start_pos or 0 : marker.end_pos or 0] == str(marker):
        raise WordOrderError(_ENGLISH[label], marker)
    return _REWRITES[label](tree)


def _tokens(node: Tree[Token] | Token | None) -> Iterator[Token]:
    if isinstance(node, Token):
        yield node
    elif isinstance(node, Tree):
        for child in node.children:
            yield from _tokens(child)


def _reordered(label: str, children: list[Tree[Token] | Token | None]) -> Reordered:
    # Lark leaves None where an optional part is absent, as the parser does.
    node = Reordered(label, children)  # type: ignore[arg-type]
    tokens = sorted(_tokens(node), key=lambda t: t.start_pos or 0)
    node.first, node.last = tokens[0], tokens[-1]
    return node


def _word(type_: str, value: str, where: Token) -> Token:
    return Token.new_borrow_pos(type_, value, where)


def _each_clause(tree: Tree[Token]) -> Tree[Token]:
    # each [mode] [U of] NAME [beyond T] deduct N [, at most C]
    c = tree.children
    each = c[0]
    assert isinstance(each, Token)
    for_each = Tree("for_each", [*c[1:7], *c[9:13]])
    effect = str(tree.data).removeprefix("zh_")
    return _reordered(
        effect, [c[7], c[8], _word("FOR", "for", each), _word("EACH", "each", each), for_each]
    )


def _each_line(tree: Tree[Token]) -> Tree[Token]:
    # [NAME] less than T, each missing [mode] U [→] deduct N [, modifier]*
    subject, condition, _comma, each, unit_word, mode, unit, *rest = tree.children
    assert isinstance(condition, Tree) and isinstance(each, Token)
    assert isinstance(unit_word, Token)
    comparator = condition.children[0]
    assert isinstance(comparator, Tree)
    words = " ".join(str(t) for t in comparator.children)
    direction = _DIRECTION.get(words)
    if condition.data != "compare" or direction is None or direction[1] != str(unit_word):
        message = N_(
            "a per-unit line starts `低于 T，每差 U` or `高于 T，每超 U`: "
            "`低于` goes with `每差`, `高于` with `每超`"
        )
        raise WordOrderError(message, unit_word)
    name: Token | None = None
    if subject is not None:
        assert isinstance(subject, Tree)
        if subject.data != "ref":
            message = N_("a per-unit line's subject is an input's name")
            raise WordOrderError(message, next(_tokens(subject)))
        name = subject.children[0]  # type: ignore[assignment]
    first = comparator.children[0]
    assert isinstance(first, Token)
    kind = direction[0]
    per_unit = _reordered(
        f"per_unit_{kind}",
        [unit, _word(kind.upper(), kind, first), condition.children[1]],
    )
    return _reordered("each_line", [name, each, mode, per_unit, *rest])


def _peer_of(tree: Tree[Token]) -> Tree[Token]:
    # NAME of peer STAT
    name, of, peer, stat = tree.children
    return _reordered("peer_of", [peer, stat, of, name])


def _peer_compare(tree: Tree[Token]) -> Tree[Token]:
    # comparator peer STAT of K%
    comparator, peer, stat, of, number = tree.children
    return _reordered("peer_compare", [comparator, number, of, peer, stat])


def _assessed_each(tree: Tree[Token]) -> Tree[Token]:
    # assessed for each NAME deduction A – B → assessed deduction A – B for each NAME
    assessed, for_, each, name, *deduction = tree.children
    return _reordered("assessed_each", [assessed, *deduction, for_, each, name])


_REWRITES = {
    "zh_deduct_each": _each_clause,
    "zh_award_each": _each_clause,
    "zh_each_line": _each_line,
    "zh_peer_of": _peer_of,
    "zh_peer_compare": _peer_compare,
    "zh_assessed_each": _assessed_each,
}

# ------------------------------------------------------------ writing Chinese

#: A part of a node written in Chinese: the path of child indices to a
#: descendant, or a Chinese word of its own.
Part = tuple[int, ...] | str


def chinese_order(node: Tree[Token]) -> Sequence[Part] | None:
    """The parts of ``node`` in the order Chinese writes them, or None when
    Chinese keeps the English order."""
    label = str(node.data)
    if label in ("deduct_each", "award_each"):
        # deduct N for each [mode] [U of] NAME [beyond T] [, at most C]
        each = [(4, index) for index in range(10)]
        return [(2,), (3,), *each[:6], (0,), (1,), *each[6:]]
    if label == "each_line":
        per_unit = node.children[3]
        assert isinstance(per_unit, Tree)
        kind = str(per_unit.data).removeprefix("per_unit_")
        if kind not in _WORDS:
            return None
        # [NAME] each [mode] U below T … → [NAME] below T, 每差 [mode] U …
        rest = [(index,) for index in range(4, len(node.children))]
        return [(0,), (3, 1), (3, 2), "，", _WORDS[kind], (2,), (3, 0), *rest]
    if label == "peer_of":
        return [(3,), (2,), (0,), (1,)]
    if label == "peer_compare":
        return [(0,), (3,), (4,), (2,), (1,)]
    if label == "assessed_each":
        # assessed deduction A – B for each NAME → 酌情 每 NAME 扣分 A – B
        last = len(node.children) - 1
        deduction = [(index,) for index in range(1, last - 2)]
        return [(0,), (last - 2,), (last - 1,), (last,), *deduction]
    return None


# The Chinese of `each` with the direction of a per-unit line's threshold.
_WORDS = {"below": "每差", "above": "每超"}
