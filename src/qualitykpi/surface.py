"""The two surfaces of the rule language: English keywords and Chinese ones.

The grammar is written once, in English.  A Chinese keyword is a spelling
of one or more English ones: ``不低于`` is ``at least``, ``低于目标值`` is
``below target by``, ``扣完为止`` is ``floor 0``.  The lexer reads a
Chinese keyword as one token (terminal ``ZH``, defined from this table), and
the parser (:func:`qualitykpi.parser.parse`) hands the English tokens it
stands for to the LALR parser, each with the Chinese token's position.  So
both surfaces give the same parse tree, the same syntax tree and the same
scheme; only the source text the spans point at differs.

A few Chinese words stand for different English ones in different places
(``等级`` is ``grades`` at the start of a statement and ``grade`` after a
veto's arrow; ``满分`` is a node's ``max`` in its header and ``full`` as an
outcome): the parser takes the spelling that can come next.  Measure words
(``分``, ``次``, ``项``…) stand for nothing where English has no word, and
are kept by ``qualitykpi fmt`` as the author wrote them.

``qualitykpi fmt`` (:mod:`qualitykpi.fmt`) writes a tree back in either
surface with the same table, reading which rule each keyword sits in
(:attr:`Spelling.contexts`) to choose the Chinese word.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

import attrs

#: The terminal of a Chinese keyword; its pattern comes from this table.
ZH = "ZH"
ZH_PRIORITY = 3


@attrs.frozen
class Spelling:
    """One Chinese keyword and the English words it stands for.

    ``contexts`` are the grammar rules (tree labels) in which ``fmt`` writes
    this Chinese word for those English words; empty means anywhere.  A
    spelling with ``canonical`` False is only read (a synonym such as
    ``未报送`` for ``无数据``), never written.
    """

    chinese: str
    english: tuple[str, ...]
    contexts: frozenset[str] = frozenset()
    canonical: bool = True


def _s(chinese: str, english: str, *contexts: str, canonical: bool = True) -> Spelling:
    return Spelling(chinese, tuple(english.split()), frozenset(contexts), canonical)


# Order matters where one Chinese word has several English readings: the
# parser tries them in this order and takes the first that fits.
VOCABULARY: tuple[Spelling, ...] = (
    # ---- the file and its tree
    _s("方案", "scheme"),
    _s("总分", "total"),
    _s("另加", "plus"),
    _s("加分项", "bonus"),
    _s("保留", "rounded to"),
    _s("位小数", "places"),
    _s("等级", "grades", "grades"),
    _s("等级", "grade", "veto_grade", "expected"),
    _s("部分", "section"),
    _s("项目", "item"),
    _s("子项", "part"),
    _s("满分", "full", "full", "word_full"),
    _s("满分", "max", "max_size"),
    _s("最多扣", "deductions at most", "max_size"),
    _s("最高扣", "deduct at most", "deduct_size"),
    _s("扣分项", "deduct", "deduct_open_size"),
    _s("最高加", "at most", "bonus"),
    _s("责任单位", "owner", "owners", "owner_stmt"),
    _s("责任单位", "owners", "owners", "owner_stmt"),
    _s("牵头单位", "owner", canonical=False),
    _s("牵头", "owner", canonical=False),
    _s("配合", "support"),
    _s("配合单位", "support", canonical=False),
    _s("否决", "veto"),
    _s("当", "when"),
    _s("得分", "score of", "score_of"),
    _s("得分", "score", "veto_score"),
    _s("分值", "max of", "max_of"),
    # ---- inputs
    _s("输入", "input"),
    _s("百分比", "percent"),
    _s("次数", "count"),
    _s("数值", "number"),
    _s("是否", "yes / no", "input_type"),
    _s("精度", "precision"),
    _s("可选", "one of", "levels"),
    _s("目标值", "target"),
    _s("原文", "text"),
    _s("越高越好", "better higher"),
    _s("越低越好", "better lower"),
    _s("基础分", "start at"),
    _s("酌情", "assessed"),
    _s("扣分", "deduction"),
    _s("调整", "adjustment"),
    # ---- conditions
    _s("达到目标值", "meets target"),
    _s("低于目标值", "below target by"),
    _s("高于目标值", "above target by"),
    _s("距目标值", "within", "within_target"),
    _s("以内", "of target", "within_target"),
    _s("个百分点", "points"),
    _s("百分点", "points", canonical=False),
    _s("不低于", "at least"),
    # In a gap to the target (`低于目标值 不超过 1 个百分点`) the parser, which
    # tries readings in this order, takes `不超过` for `up to`.
    _s("不超过", "up to", "delta_up_to"),
    _s("不超过", "at most", "comparator", "bound_high"),
    _s("最多", "at most", "cap", "for_each", "assessed", "delta_compare"),
    _s("超过", "more than"),
    _s("高于", "more than", canonical=False),
    _s("低于", "less than"),
    _s("低于", "below", "per_unit_below"),
    _s("高于", "above", "per_unit_above"),
    _s("至多", "up to", canonical=False),
    _s("无数据", "no data"),
    _s("未报送", "no data", canonical=False),
    _s("其他", "otherwise"),
    _s("是", "yes"),
    _s("否", "no"),
    _s("属于", "in", "level_in"),
    _s("至", "to"),
    _s("全市平均值", "peer mean"),
    _s("全市中位数", "peer median"),
    _s("全市最高值", "peer max"),
    _s("全市最低值", "peer min"),
    _s("全市", "peer"),
    _s("的", "of", "peer_compare", "peer_of", "share_compare"),
    _s("平均值", "mean", canonical=False),
    _s("中位数", "median", canonical=False),
    _s("最高值", "max", canonical=False),
    _s("最低值", "min", canonical=False),
    # ---- outcomes and lines
    _s("扣", "deduct"),
    _s("得", "award", "award", "bare_award"),
    _s("加", "award", "effect_award", "award_if", "award_each"),
    _s("每差", "each missing", "each_line"),
    _s("每少", "each missing", canonical=False),
    _s("每超", "each beyond", "zh_each_line"),
    _s("每", "each", "each_line"),
    _s("每", "for each", "deduct_each", "award_each", "assessed_each"),
    _s("差", "missing", "per_unit_missing"),
    _s("满", "whole", "mode"),
    _s("含不足", "started", "mode"),
    _s("进一", "started", canonical=False),
    _s("扣完为止", "floor 0", "floor"),
    _s("最低", "floor", "floor"),
    _s("按比例折算", "scaled from", "scaled_line"),
    _s("按全市最高值折算", "scaled to peer max", "scaled_peer_line"),
    _s("使用", "using"),
    _s("参数", "with", "custom_line"),
    _s("线性插值", "linear through"),
    _s("若", "if"),
    _s("如", "if", canonical=False),
    _s("超出", "beyond"),
    _s("项", "of", "for_each"),
    _s("或", "or"),
    _s("且", "and"),
    _s("并且", "and", canonical=False),
    _s("非", "not"),
    # ---- expressions
    _s("令", "let"),
    _s("综合", "combine"),
    _s("上年", "previous"),
    _s("排名", "rank of", "rank_of", "rank_of_total"),
    _s("排名", "rank", "given_rank"),
    _s("共", "of", "given_rank"),
    _s("参评数", "peers"),
    _s("最小值", "min()", "call"),
    _s("最大值", "max()", "call"),
    _s("绝对值", "abs()", "call"),
    _s("四舍五入", "round()", "call"),
    # ---- examples
    _s("示例", "example"),
    _s("样本", "cohort"),
    _s("已知", "given"),
)

#: Words of Chinese amounts and counts that stand for no English word: the
#: parser skips them where nothing else fits (``扣 1 分``, ``每 1 次``).
MEASURE_WORDS: tuple[str, ...] = ("分", "次", "项", "个", "件", "起", "家", "条", "人")

#: Where ``fmt`` writes ``分`` after a number in Chinese (``扣 1 分``).
POINTS_AFTER: frozenset[str] = frozenset(
    {
        "deduct",
        "award",
        "effect_deduct",
        "effect_award",
        "deduct_if",
        "award_if",
        "deduct_each",
        "award_each",
        "deduct_size",
        "cap",
        "floor",
    }
)


#: Where ``fmt`` writes ``分`` after a cap (a number after ``at most``):
#: ``最多扣 5 分``, ``最高加 5 分``, ``，最多 2 分``.
CAP_AFTER: frozenset[str] = frozenset({"max_size", "bonus", "assessed", "for_each"})


@functools.cache
def chinese_words() -> tuple[str, ...]:
    """Every Chinese keyword and measure word, longest first."""
    words = {spelling.chinese for spelling in VOCABULARY} | set(MEASURE_WORDS)
    return tuple(sorted(words, key=lambda word: (-len(word), word)))


@functools.cache
def zh_pattern() -> str:
    """The regular expression of the ``ZH`` terminal.

    A keyword is a whole word: not followed by a letter (so ``满分率`` stays
    a name), while a digit may follow at once (``扣3分``)."""
    return "(?:" + "|".join(map(re.escape, chinese_words())) + r")(?![^\W\d])"


def grammar_addition() -> str:
    """The line the grammar gains for the Chinese keywords: their terminal.
    (The productions of Chinese word orders are :data:`qualitykpi.word_order.GRAMMAR`.)"""
    return f"\n{ZH}.{ZH_PRIORITY}: /{zh_pattern()}/\n"


@functools.cache
def readings(chinese: str) -> tuple[tuple[str, ...], ...]:
    """The English word sequences ``chinese`` may stand for, in the order
    to try them; a measure word ends with the empty reading."""
    found = [spelling.english for spelling in VOCABULARY if spelling.chinese == chinese]
    unique = tuple(dict.fromkeys(found))
    return (*unique, ()) if chinese in MEASURE_WORDS else unique


def spellings_for(context: str) -> Sequence[Spelling]:
    """The canonical spellings ``fmt`` may write in the rule ``context``,
    longest English first."""
    return _by_context().get(context, ()) + _by_context().get("", ())


@functools.cache
def _by_context() -> dict[str, tuple[Spelling, ...]]:
    table: dict[str, list[Spelling]] = {}
    for spelling in VOCABULARY:
        if not spelling.canonical:
            continue
        for context in spelling.contexts or {""}:
            table.setdefault(context, []).append(spelling)
    return {
        context: tuple(sorted(spellings, key=lambda s: -len(s.english)))
        for context, spellings in table.items()
    }


# ------------------------------------------------------------------ code in messages

#: Strings and comments of a rule file: what is not keywords.
_NOT_CODE = re.compile(r'"(?:[^"\\\n]|\\.)*"?|“[^”\n]*”?|#[^\n]*')

#: The pieces of a code example in a message: quoted strings (kept), words, the rest.
_CODE_PIECE = re.compile(
    r'"[^"]*"|“[^”]*”|[A-Za-z_][A-Za-z0-9_]*(?:\(\))?|\d+(?:\.\d+)?%?|\s+|.', re.DOTALL
)

#: A keyword in backticks followed by itself in brackets.
_GLOSSED = re.compile(r"`([^`]+)`[（(]\1[）)]")

#: English spellings of one keyword that the table lists once.
_SAME_WORDS = {"point": "points"}

#: English keywords after which a Chinese amount takes ``分`` (``扣 1 分``).
_POINTS_WORDS = frozenset({("deduct",), ("award",), ("deduct", "at", "most"), ("floor",)})


def written_in(text: str) -> str:
    """The surface of rule ``text``: ``"zh"`` when a keyword outside its strings and
    comments is Chinese, else ``"en"``.  It needs no parse, so a file with a syntax
    error has a surface too."""
    code = _NOT_CODE.sub(" ", text)
    return "zh" if re.search(r"(?<![^\W\d])" + zh_pattern(), code) else "en"


def in_chinese(message: str) -> str:
    """``message`` with the English keywords of its code examples (the spans in
    backticks) spelled in Chinese: `deduct 1` becomes `扣 1 分`.

    Names, numbers and quoted strings stay as they are.  Where one English
    keyword has several Chinese spellings, a message's example is a line of
    its own, so the spelling a line uses is taken (see :func:`_plain_spellings`).
    """
    parts = message.split("`")
    # Odd pieces are inside backticks; an unpaired backtick leaves the rest alone.
    last = len(parts) if len(parts) % 2 == 1 else len(parts) - 1
    spelt = "`".join(
        code_in_chinese(part) if index % 2 == 1 and index < last else part
        for index, part in enumerate(parts)
    )
    # A Chinese message glosses an English keyword (`deduct`（扣）): no need once spelt.
    return _GLOSSED.sub(r"`\1`", spelt)


def code_in_chinese(code: str) -> str:
    """A line of rule code with its English keywords spelt in Chinese
    (``below target by 1–3 points → deduct 3`` is ``低于目标值 1–3 个百分点 → 扣 3 分``);
    Chinese keywords, names, numbers and strings stay as they are."""
    pieces = [_SAME_WORDS.get(piece, piece) for piece in _CODE_PIECE.findall(code)]
    for index, piece in enumerate(pieces[:-1]):
        if pieces[index + 1] == "(" and piece.isidentifier():
            pieces[index] = piece + "()"  # a call: `round(…)` is the keyword `round()`
    words = _plain_spellings()
    longest = max(len(english) for english in words)
    out: list[str] = []
    # The rules the keyword before sits in: `of` after `rank` is the 共 of a rank.
    hints: frozenset[str] = frozenset()
    index = 0
    while index < len(pieces):
        match = _keyword_at(pieces, index, longest, words, hints)
        if match is None:
            piece = pieces[index]
            out.append(
                piece[:-2]
                if piece.endswith("()") and pieces[index + 1 : index + 2] == ["("]
                else piece
            )
            index += 1
            continue
        english, spelling = match
        out.append(spelling.chinese)
        hints = spelling.contexts | {"_".join(english)}
        if english == ("peer",):
            hints |= {"stat"}  # `peer max`: the statistic, not a node's max
        index += 2 * len(english) - 1
        if english in _POINTS_WORDS and _amount_follows(pieces, index):
            out.extend(pieces[index : index + 2])
            out.append(" 分")
            index += 2
    return "".join(out)


def _keyword_at(
    pieces: list[str],
    index: int,
    longest: int,
    words: dict[tuple[str, ...], tuple[Spelling, ...]],
    hints: frozenset[str],
) -> tuple[tuple[str, ...], Spelling] | None:
    """The keyword that starts at ``pieces[index]``: the longest that fits the keyword
    before, else the longest.  Words of one keyword are separated by single spaces."""
    found: list[tuple[tuple[str, ...], Spelling]] = []
    for size in range(longest, 0, -1):
        taken = pieces[index : index + 2 * size - 1 : 2]
        between = pieces[index + 1 : index + 2 * size - 1 : 2]
        english = tuple(taken)
        if len(taken) == size and all(space == " " for space in between) and english in words:
            found.append((english, _choose(words[english], hints)))
    fitting = [(english, spelling) for english, spelling in found if spelling.contexts & hints]
    chosen = fitting or found
    return chosen[0] if chosen else None


def _choose(spellings: Sequence[Spelling], hints: frozenset[str]) -> Spelling:
    """The spelling that shares a rule with the keyword before, else the first."""
    return next((s for s in spellings if s.contexts & hints), spellings[0])


def _amount_follows(pieces: list[str], index: int) -> bool:
    return (
        index + 1 < len(pieces)
        and pieces[index] == " "
        and re.fullmatch(r"\d+(?:\.\d+)?|N", pieces[index + 1]) is not None
    )


@functools.cache
def _plain_spellings() -> dict[tuple[str, ...], tuple[Spelling, ...]]:
    """The Chinese spellings of each English keyword, the one a line on its own uses
    first: one read anywhere if there is one, else a comparison's, else the table's
    first."""
    table: dict[tuple[str, ...], list[Spelling]] = {}
    for spelling in VOCABULARY:
        if spelling.canonical:
            table.setdefault(spelling.english, []).append(spelling)

    def rank(spelling: Spelling) -> int:
        if not spelling.contexts:
            return 0
        return 1 if "comparator" in spelling.contexts else 2

    # sorted() is stable: equals keep the table's order.
    return {english: tuple(sorted(found, key=rank)) for english, found in table.items()}
