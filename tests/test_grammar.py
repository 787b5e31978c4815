"""The grammar itself, and the per-user cache of its parse tables."""

from __future__ import annotations

from pathlib import Path

import lark
import pytest

from qualitykpi import lalr, parser
from qualitykpi.cache import CACHE_ENV

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def test_grammar_has_no_terminal_collisions() -> None:
    # Users build the parser without `strict`; this is where a collision
    # between two terminals (one text lexed two ways) fails instead.
    lark.Lark(lalr.grammar_text(), strict=True, **lalr.PARSER_OPTIONS)


def test_cache_file_is_under_the_configured_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "nested" / "cache"))
    cache = lalr.cache_file()
    assert cache is not None
    assert cache.parent == tmp_path / "nested" / "cache"
    assert cache.parent.is_dir()
    assert lark.__version__ in cache.name


def test_an_empty_setting_turns_the_cache_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CACHE_ENV, "")
    assert lalr.cache_file() is None


def test_an_unusable_folder_turns_the_cache_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv(CACHE_ENV, str(blocker / "cache"))
    assert lalr.cache_file() is None


def _tree(build: lark.Lark, text: str) -> str:
    return parser.parse_text(text, build).pretty()


def test_a_cached_parser_parses_exactly_like_a_fresh_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    fresh = lark.Lark(lalr.grammar_text(), **lalr.PARSER_OPTIONS)
    first = lalr.automaton.__wrapped__()  # builds the tables and saves them
    cache = lalr.cache_file()
    assert cache is not None and cache.stat().st_size > 0
    saved = cache.read_bytes()
    second = lalr.automaton.__wrapped__()  # loads them
    assert cache.read_bytes() == saved
    for path in sorted(EXAMPLES.glob("*.rule")):
        text = path.read_text(encoding="utf-8")
        assert _tree(first, text) == _tree(fresh, text)
        assert _tree(second, text) == _tree(fresh, text)
    assert {t.name for t in second.terminals} == {t.name for t in fresh.terminals}


def test_a_damaged_cache_file_is_rebuilt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    cache = lalr.cache_file()
    assert cache is not None
    cache.write_bytes(b"not a cache\n\x00\x01")
    rebuilt = lalr.automaton.__wrapped__()
    text = (EXAMPLES / "henan-2021.rule").read_text(encoding="utf-8")
    assert rebuilt.parse(text).data == "start"
