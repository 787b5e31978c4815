"""The Chinese twins in the docs are what ``qualitykpi fmt --to zh`` writes.

The cookbook shows every rule in both surfaces, and the tutorials show
their first rule in both.  A Chinese twin is marked in the rst by the
comment ``.. zh-twin:`` just before its block; its English original is the
last literal block before the comment (a ``.. code-block::`` or a ``::``
block).  ``.. en-twin:`` marks the other way round: an English block that is
``fmt --to en`` of the last block before it (the Chinese tutorial ends so).
Either way, ``format_rule(english, to="zh")`` must give the Chinese block
exactly, so the two cannot drift.

Whole rule files are translated as they are.  A fragment (a few rule lines,
an item header, ``{ … }`` bodies) is wrapped into a scheme to be translated
and unwrapped again: :func:`translate`.  To write a new twin, print
``translate(english)`` and paste it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from qualitykpi.fmt import Surface, format_rule
from test_docs import indented_body

DOCS = Path(__file__).resolve().parents[1] / "docs"
PAGES = [DOCS / "cookbook.rst", DOCS / "tutorial.rst", DOCS / "tutorial.zh.rst"]

_DIRECTIVE = re.compile(r"^(?P<indent>[ ]*)\.\. code-block::[ ]*(?P<lang>\S+)[ ]*$")
_OPTION = re.compile(r"^[ ]+:[\w-]+:")
_TWIN = re.compile(r"^\.\. (?P<to>zh|en)-twin:[ ]*$")
_SCHEME = re.compile(r"^(?:scheme|方案)[ \u3000]*[\"“]")
_OPEN, _CLOSE = "# <<< twin", "# >>> twin"
# `::` blocks ("") of these pages are rule synopses.
RULE_LANGUAGES = frozenset({"", "qualitykpi"})
# `{ … }` in a synopsis stands for a body left out; it is translated as a text.
_ELIDED_EN, _ELIDED_ZH = '{ text "…" }', '{ 原文 "…" }'


@dataclass(frozen=True)
class Literal:
    """A literal block of a page: ``.. code-block::`` or ``::``."""

    page: Path
    line: int  # the rst line of its first line of text
    language: str  # "" for a `::` block
    text: str

    @property
    def where(self) -> str:
        return f"{self.page.name}:{self.line}"

    @property
    def is_rule(self) -> bool:
        """Rule text, whole or a fragment (not console, Python or CSV)."""
        return self.language in RULE_LANGUAGES


@dataclass(frozen=True)
class Twin:
    to: str  # "zh": `chinese` is fmt --to zh of `english`; "en": the other way
    english: Literal
    chinese: Literal

    @property
    def where(self) -> str:
        return (self.english if self.to == "zh" else self.chinese).where


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def literals_and_marks(page: Path) -> list[Literal | tuple[str, int]]:
    """The literal blocks of ``page`` and its twin marks ``(to, line)``, in order."""
    lines = page.read_text(encoding="utf-8").splitlines()
    found: list[Literal | tuple[str, int]] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if (twin := _TWIN.match(line)) is not None:
            found.append((twin["to"], index))
            continue
        directive = _DIRECTIVE.match(line)
        if directive is not None:
            outer = len(directive["indent"])
            while index < len(lines) and _OPTION.match(lines[index]):
                index += 1
            language = directive["lang"]
        elif line.rstrip().endswith("::") and not line.lstrip().startswith(".."):
            outer, language = _indent(line), ""
        else:
            continue
        first, text, index = indented_body(lines, index, outer)
        if text:
            found.append(Literal(page, first, language, text))
    return found


def twins(page: Path) -> list[Twin]:
    found = literals_and_marks(page)
    pairs: list[Twin] = []
    for position, entry in enumerate(found):
        if isinstance(entry, Literal):
            continue
        to, line = entry
        before = [e for e in found[:position] if isinstance(e, Literal) and e.is_rule]
        after = [e for e in found[position + 1 :] if isinstance(e, Literal) and e.is_rule]
        assert before and after, f"{page.name}:{line}: `.. {to}-twin:` needs a block on each side"
        original, twin = before[-1], after[0]
        if to == "zh":
            pairs.append(Twin("zh", original, twin))
        else:
            pairs.append(Twin("en", twin, original))
    return pairs


ALL_TWINS = [twin for page in PAGES if page.exists() for twin in twins(page)]


# ------------------------------------------------------------ translating


def _wrapped(fragment: str, context: str) -> str:
    closing = "}\n" * (fragment.count("{") - fragment.count("}"))
    inner = f"{_OPEN}\n{fragment}{closing}{_CLOSE}\n"
    if context == "scheme":
        return f'scheme "_" {{\n{inner}}}\n'
    return f'scheme "_" {{\n  item "_" max 1 {{\n{inner}  }}\n}}\n'


def _unwrapped(formatted: str, unclosed: int) -> str:
    lines = formatted.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == _OPEN)
    end = next(i for i, line in enumerate(lines) if line.strip() == _CLOSE)
    inner = lines[start + 1 : end]
    for _ in range(unclosed):
        assert inner and inner[-1].strip() == "}", inner
        inner.pop()
    depth = min(_indent(line) for line in inner if line.strip())
    return "\n".join(line[depth:] for line in inner) + "\n"


def translate(english: str, to: Surface = "zh") -> str:
    """``english`` (a rule file or a fragment of one) with its keywords in ``to``."""
    if _SCHEME.match(english.lstrip()):
        return format_rule(english, to=to)
    elided_from, elided_to = (_ELIDED_EN, _ELIDED_ZH) if to == "zh" else (_ELIDED_ZH, _ELIDED_EN)
    fragment = english.replace("{ … }", elided_from)
    if fragment.lstrip().startswith(("owner", "责任单位")):
        # A header clause alone: translate it on an item's header.
        item = f'scheme "_" {{\n  item "_" max 1 {fragment.strip()} {{ }}\n}}\n'
        header = format_rule(item, to=to).splitlines()[1].strip()
        return re.sub(r'^\S+ "_" \S+ 1 (.*) \{ \}$', r"\1", header) + "\n"
    unclosed = fragment.count("{") - fragment.count("}")
    errors: list[Exception] = []
    for context in ("scheme", "item"):
        try:
            formatted = format_rule(_wrapped(fragment, context), to=to)
        except Exception as error:  # the fragment belongs in the next context
            errors.append(error)
            continue
        return _unwrapped(formatted, unclosed).replace(elided_to, "{ … }")
    raise AssertionError(f"cannot translate this fragment in any context: {errors}")


# ------------------------------------------------------------ the tests


def test_translate_keeps_a_fragment_a_fragment() -> None:
    assert translate("目标值 90%\n达到目标值 → 满分\n", "en") == "target 90%\nmeets target → full\n"
    assert translate("target 90%\nmeets target → full\n") == "目标值 90%\n达到目标值 → 满分\n"
    assert translate('item "重大" max 2 { … }\n') == '项目 "重大" 满分 2 { … }\n'
    assert translate('owner "甲", "乙"\n') == '责任单位 "甲"、"乙"\n'
    assert (
        translate('section a "甲" max 3 {\n  item b "乙" max 3 { … }\n')
        == '部分 a "甲" 满分 3 {\n  项目 b "乙" 满分 3 { … }\n'
    )


@pytest.mark.parametrize("twin", ALL_TWINS, ids=[twin.where for twin in ALL_TWINS])
def test_twin_is_what_fmt_writes(twin: Twin) -> None:
    english, chinese = twin.english.text, twin.chinese.text
    assert translate(english, "zh") == chinese, (
        f"{twin.chinese.where}: this Chinese twin is not `fmt --to zh` of "
        f"{twin.english.where}; it should read:\n{translate(english, 'zh')}"
    )
    if twin.to == "en":
        assert translate(chinese, "en") == english, (
            f"{twin.english.where}: not `fmt --to en` of {twin.chinese.where}; "
            f"it should read:\n{translate(chinese, 'en')}"
        )


def test_every_rule_of_the_cookbook_has_a_chinese_twin() -> None:
    """Every English rule block and synopsis of the cookbook is followed by its twin."""
    page = DOCS / "cookbook.rst"
    pairs = twins(page)
    twinned = {twin.english.line for twin in pairs}
    chinese = {twin.chinese.line for twin in pairs}
    english = [
        entry
        for entry in literals_and_marks(page)
        if isinstance(entry, Literal) and entry.is_rule and entry.line not in chinese
    ]
    missing = [block.where for block in english if block.line not in twinned]
    assert not missing, (
        "these rules of the cookbook have no Chinese twin (follow each with "
        f"`.. zh-twin:` and the block `translate()` writes): {missing}"
    )
    assert len(twinned) >= 60


def test_the_tutorials_show_their_first_rule_in_both_surfaces() -> None:
    assert any(twin.english.page.name == "tutorial.rst" for twin in ALL_TWINS)
    chinese = [twin for twin in ALL_TWINS if twin.chinese.page.name == "tutorial.zh.rst"]
    assert any(twin.to == "en" for twin in chinese)
