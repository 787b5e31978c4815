"""The message catalog: every message of the code translated, and the
language chosen as the CLI's ``--lang``, the locale, or English."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

import qualitykpi as qk
from qualitykpi import i18n

ROOT = Path(__file__).resolve().parents[1]
PLACEHOLDER = re.compile(r"\{(\w*)[^{}]*\}")


def _catalog():  # type: ignore[no-untyped-def]
    with i18n.CATALOG.open("rb") as handle:
        return read_po(handle, locale="zh_CN", domain="qualitykpi")


def _in_code() -> set[str | tuple[str, ...]]:
    found: set[str | tuple[str, ...]] = set()
    for _name, _line, message, _comments, _context in extract_from_dir(
        ROOT / "src" / "qualitykpi", method_map=[("**.py", "python")], keywords=i18n.KEYWORDS
    ):
        found.add(message if isinstance(message, str) else tuple(message))
    return found


def test_the_catalog_holds_exactly_the_messages_of_the_code() -> None:
    in_catalog = {
        message.id if isinstance(message.id, str) else tuple(message.id)
        for message in _catalog()
        if message.id
    }
    in_code = _in_code()
    fix = "run `python tools/catalog.py update` and translate"
    missing = sorted(map(str, in_code - in_catalog))
    stale = sorted(map(str, in_catalog - in_code))
    assert not missing, f"{fix}: not in the catalog: {missing[:20]}"
    assert not stale, f"{fix}: no longer in the code: {stale[:20]}"


def test_every_message_has_a_chinese_translation_with_the_same_placeholders() -> None:
    problems = []
    for message in _catalog():
        if not message.id:
            continue
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        if message.fuzzy or not all(strings):
            problems.append(f"untranslated: {ids[0]!r}")
            continue
        wanted = set(PLACEHOLDER.findall(ids[-1]))
        for string in strings:
            if set(PLACEHOLDER.findall(string)) != wanted:
                problems.append(f"placeholders differ: {ids[0]!r} → {string!r}")
    assert not problems, "\n".join(problems[:40])


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("zh_CN.UTF-8", "zh"),
        ("zh_TW.UTF-8", "zh"),
        ("zh-Hans", "zh"),
        ("en_US.UTF-8", "en"),
        ("C.UTF-8", "en"),
        ("POSIX", "en"),
        ("fr_FR.UTF-8", "en"),
    ],
)
def test_the_locale_chooses_the_language(
    monkeypatch: pytest.MonkeyPatch, value: str, expected: str
) -> None:
    for variable in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("LANG", value)
    assert i18n.language_from_environment() == expected
    with qk.use_language(None):
        assert qk.language() == expected


def test_lc_all_overrides_lang(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    monkeypatch.setenv("LC_ALL", "zh_CN.UTF-8")
    assert i18n.language_from_environment() == "zh"


def test_a_chosen_language_overrides_the_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    with qk.use_language("en"):
        assert qk.language() == "en"
    with pytest.raises(ValueError, match="unknown language"):
        qk.set_language("fr")  # type: ignore[arg-type]
