"""The Pygments lexer of ``.rule`` files (:mod:`qualitykpi.lexer`).

Every rule that loads, shipped or documented, lexes without an error token,
so that ``pygmentize`` and Sphinx (``-W``) highlight it cleanly.
"""

from __future__ import annotations

import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

import qualitykpi as qk
from conftest import ROOT
from test_docs import PAGES, RULE_BLOCKS, Block

pytest.importorskip("pygments", reason="Pygments is not installed")

from pygments.lexers import get_lexer_by_name, get_lexer_for_filename
from pygments.token import (
    Comment,
    Error,
    Keyword,
    Name,
    Number,
    Operator,
    Punctuation,
    String,
    Whitespace,
)

from qualitykpi.lexer import RULE_WORDS, STRUCTURE, TYPES, RuleLexer

Tokens = list[tuple[object, str]]


def lex(text: str) -> Tokens:
    lexer = RuleLexer(stripnl=False, ensurenl=False)
    return list(lexer.get_tokens(text))


def errors(text: str) -> Tokens:
    return [(token, value) for token, value in lex(text) if token in Error]


def significant(text: str) -> Tokens:
    """The tokens of ``text`` that are not whitespace."""
    return [(token, value) for token, value in lex(text) if token not in Whitespace]


def _loads(path: Path) -> bool:
    try:
        qk.load(path)
    except qk.RuleError:
        return False
    return True


SHIPPED = sorted(
    [
        *ROOT.glob("examples/*.rule"),
        *ROOT.glob("tests/data/*.rule"),
        *ROOT.glob("tests/golden/errors/*.rule"),
    ]
)
LOADING = [path for path in SHIPPED if _loads(path)]


def test_the_shipped_rule_files_are_found() -> None:
    names = {path.name for path in LOADING}
    assert {"shuangtaizi-2016-2017.rule", "worked_example.rule"} <= names
    assert len(LOADING) >= 5


@pytest.mark.parametrize("path", LOADING, ids=[str(path.relative_to(ROOT)) for path in LOADING])
def test_shipped_rule_files_lex_without_errors(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert not errors(text)
    # The lexer keeps every character (Pygments drops a leading BOM).
    assert "".join(value for _, value in lex(text)) == text.removeprefix("\ufeff")


@pytest.mark.parametrize("block", RULE_BLOCKS, ids=[block.where for block in RULE_BLOCKS])
def test_documented_rules_lex_without_errors(block: Block) -> None:
    assert not errors(block.text)


def _literal_blocks(page: Path) -> list[str]:
    """The ``::`` literal blocks of ``page`` (the syntax summaries)."""
    lines = page.read_text(encoding="utf-8").splitlines()
    blocks: list[str] = []
    for index, line in enumerate(lines):
        if not line.rstrip().endswith("::") or line.lstrip().startswith(".."):
            continue
        body: list[str] = []
        for following in lines[index + 1 :]:
            if following.strip() and not following.startswith(" "):
                break
            body.append(following)
        blocks.append("\n".join(body).strip("\n") + "\n")
    return blocks


HIGHLIGHTED = [
    page for page in PAGES if ".. highlight:: qualitykpi" in page.read_text(encoding="utf-8")
]


@pytest.mark.parametrize("page", HIGHLIGHTED, ids=[page.name for page in HIGHLIGHTED])
def test_syntax_summaries_lex_without_errors(page: Path) -> None:
    """Pages that highlight their ``::`` blocks as rules show only rule syntax in them."""
    blocks = _literal_blocks(page)
    assert blocks
    for block in blocks:
        assert not errors(block), block


def test_language_reference_highlights_its_syntax_summaries() -> None:
    assert [page.name for page in HIGHLIGHTED] == ["expressions.rst", "language.rst"]


def test_keywords() -> None:
    tokens = significant('scheme "考核" {\n  total 100\n  section "甲" max 10 {\n')
    assert tokens[:4] == [
        (Keyword, "scheme"),
        (String.Double, '"'),
        (String.Double, "考核"),
        (String.Double, '"'),
    ]
    assert (Keyword, "total") in tokens
    assert (Keyword, "section") in tokens
    assert (Keyword.Pseudo, "max") in tokens
    assert (Number.Integer, "100") in tokens


def test_rule_words_and_types() -> None:
    tokens = significant(
        "input rate: percent precision 0.1\n"
        "input ok: yes/no\n"
        "below target by more than 15 points → deduct 10\n"
    )
    assert (Keyword.Type, "percent") in tokens
    assert (Keyword.Pseudo, "precision") in tokens
    assert (Number.Float, "0.1") in tokens
    start = tokens.index((Keyword.Type, "yes"))
    assert tokens[start : start + 3] == [
        (Keyword.Type, "yes"),
        (Keyword.Type, "/"),
        (Keyword.Type, "no"),
    ]
    assert significant("yes / no") == [
        (Keyword.Type, "yes"),
        (Keyword.Type, "/"),
        (Keyword.Type, "no"),
    ]
    assert significant("yes → full") == [
        (Keyword.Pseudo, "yes"),
        (Operator, "→"),
        (Keyword.Pseudo, "full"),
    ]
    for word in ("below", "by", "more", "than", "points", "deduct"):
        assert (Keyword.Pseudo, word) in tokens
    assert (Keyword, "target") in tokens
    assert (Operator, "→") in tokens


def test_a_keyword_inside_a_name_is_a_name() -> None:
    assert significant("targets maximum 合格率max") == [
        (Name, "targets"),
        (Name, "maximum"),
        (Name, "合格率max"),
    ]


def test_numbers_with_percent_signs_and_full_width_digits() -> None:
    assert significant("90% 87.5％ ８８．５％ 3") == [
        (Number.Integer, "90%"),
        (Number.Float, "87.5％"),
        (Number.Float, "８８．５％"),
        (Number.Integer, "3"),
    ]


def test_strings() -> None:
    assert significant('text "说明\\"引文\\"" “原文”') == [
        (Keyword, "text"),
        (String.Double, '"'),
        (String.Double, "说明"),
        (String.Escape, '\\"'),
        (String.Double, "引文"),
        (String.Escape, '\\"'),
        (String.Double, '"'),
        (String.Double, "“原文”"),
    ]


def test_an_unterminated_string_ends_at_the_line() -> None:
    """The parser reports it; highlighting goes on with the next line."""
    tokens = significant('text "半句\nitem')
    assert not [token for token in tokens if token[0] in Error]
    assert tokens[-1] == (Keyword, "item")


def test_comments() -> None:
    tokens = significant('total 10  # 满分 "10" → 分\n')
    assert tokens[-1] == (Comment.Single, '# 满分 "10" → 分')


def test_chinese_identifiers() -> None:
    tokens = significant("input 合格率：percent\n合格率 at least 90% → full\n")
    assert tokens[1] == (Name, "合格率")
    assert tokens[4] == (Name, "合格率")


def test_full_width_punctuation_and_spaces() -> None:
    text = "\ufeff　below target by （0％， 1％］ => deduct 1；x ≥ 2、y -> −3～5\n"
    assert not errors(text)
    tokens = significant(text)
    for mark in ("（", "，", "］", "；", "、"):
        assert (Punctuation, mark) in tokens
    for operator in ("=>", "≥", "->", "−", "～"):
        assert (Operator, operator) in tokens
    assert (Whitespace, "　") in lex(text)


def test_invalid_characters_are_errors() -> None:
    """Characters the grammar rejects stand out."""
    assert errors("item @ max 1") == [(Error, "@")]
    assert errors("item ｛") == [(Error, "｛")]


def _grammar_keywords() -> set[str]:
    grammar = (ROOT / "grammar" / "qualitykpi.lark").read_text(encoding="utf-8")
    code = "\n".join(line.split("//", 1)[0] for line in grammar.splitlines())
    return set(re.findall(r'"([a-z]+)"', code))


def test_every_keyword_of_the_grammar_is_a_keyword() -> None:
    keywords = _grammar_keywords()
    assert {"scheme", "deduct", "percent", "precision", "beyond"} <= keywords
    missing = sorted(keywords - set(STRUCTURE) - set(RULE_WORDS) - set(TYPES))
    assert not missing, f"qualitykpi.lexer does not know the keywords {missing}"


def test_the_library_does_not_load_the_lexer() -> None:
    """Pygments is no run-time dependency: only Pygments loads the lexer."""
    code = "import sys, qualitykpi; print('qualitykpi.lexer' in sys.modules)"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "False"


def _entry_point_installed() -> bool:
    entries = metadata.entry_points(group="pygments.lexers")
    return any(entry.value == "qualitykpi.lexer:RuleLexer" for entry in entries)


@pytest.fixture
def entry_point() -> None:
    if not _entry_point_installed():
        pytest.skip(
            "the pygments.lexers entry point of qualitykpi is not registered: "
            "the package metadata is not installed (pip install -e .)"
        )


@pytest.mark.usefixtures("entry_point")
@pytest.mark.parametrize("alias", ["qualitykpi", "rule", "qkrule"])
def test_pygments_finds_the_lexer_by_name(alias: str) -> None:
    assert type(get_lexer_by_name(alias)) is RuleLexer


@pytest.mark.usefixtures("entry_point")
def test_pygments_finds_the_lexer_by_filename() -> None:
    assert type(get_lexer_for_filename("x.rule")) is RuleLexer
    assert type(get_lexer_for_filename("双台子区.rule")) is RuleLexer


def test_chinese_keywords_are_highlighted_and_names_are_not() -> None:
    text = (ROOT / "examples" / "shuangtaizi-2016-2017.zh.rule").read_text(encoding="utf-8")
    assert not errors(text)
    tokens = significant('项目 "x" 满分 10 { 输入 满分率: 百分比; 每差1% 扣0.3分，扣完为止 }')
    kinds = {value: token for token, value in tokens}
    assert kinds["项目"] in Keyword and kinds["满分"] in Keyword
    assert kinds["百分比"] in Keyword.Type
    assert kinds["每差"] in Keyword and kinds["扣完为止"] in Keyword and kinds["分"] in Keyword
    assert kinds["满分率"] in Name
