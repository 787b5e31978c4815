"""Text that is translated when it is shown, not when it is made.

A trace is worked out once and may be read many times, in English and then
in Chinese (``with qualitykpi.use_language("zh")``).  Its steps therefore
hold a :class:`Phrase` — a message of the catalog and the values of its
placeholders — and turn it into words each time they are read.  Phrases
compare by message and values, so results stay equal whatever the language.

:class:`Quoted` is the text of a rule line: the author's own words in
English (exactly as written in the rule file), and the rule's construct
spelt in the documents' vocabulary in Chinese.
"""

from __future__ import annotations

from typing import Union

import attrs

from .i18n import N_, NP_, _, language, pgettext

#: What a placeholder of a phrase may hold: words already made, or more phrases.
Part = Union[str, "Phrase", "Quoted", "Joined"]
Said = Union[str, "Phrase", "Quoted", "Joined"]


def _args(values: dict[str, Part]) -> tuple[tuple[str, Part], ...]:
    return tuple(sorted(values.items()))


@attrs.frozen
class Phrase:
    """A message of the catalog (marked with ``N_``) with its placeholders' values."""

    message: str
    args: tuple[tuple[str, Part], ...] = ()
    #: The message's context in the catalog (``NP_``), if it has one.
    context: str | None = None

    def __str__(self) -> str:
        words = _(self.message) if self.context is None else pgettext(self.context, self.message)
        return words.format(**{name: str(value) for name, value in self.args})


def phrase(message: str, **values: Part) -> Phrase:
    """``message`` (pass it through ``N_`` so the catalog finds it) with its values."""
    return Phrase(message, _args(values))


@attrs.frozen
class Quoted:
    """A rule line as written (shown in English) and as a construct (shown in Chinese)."""

    written: str
    construct: Said

    def __str__(self) -> str:
        return self.written if language() == "en" else str(self.construct)


@attrs.frozen
class Joined:
    """Phrases one after another, joined with ``separator`` (itself a phrase where the
    languages punctuate differently)."""

    parts: tuple[Said, ...]
    separator: Said = ", "

    def __str__(self) -> str:
        separator = str(self.separator)
        return separator.join(str(part) for part in self.parts)


def said(value: Said) -> str:
    """``value`` in words, in the current language."""
    return str(value)


# ------------------------------------------------------------ names of things

#: What a node of each kind is called (in explanations, data errors).
KIND_WORDS = {"item": N_("item"), "part": N_("part"), "bonus": N_("bonus"), "task": N_("task")}

#: The cohort's statistics by name ("max" of a cohort is not the "max" of a
#: node: hence the context).
STAT_CONTEXT = "statistic"
# The catalog's extractor reads literals only: the context is spelt out again.
STAT_WORDS = {
    "mean": NP_("statistic", "mean"),
    "median": NP_("statistic", "median"),
    "max": NP_("statistic", "max"),
    "min": NP_("statistic", "min"),
}


def stat_name(stat: str) -> Said:
    """A statistic of the cohort by its name in the language it is shown in."""
    return Phrase(STAT_WORDS[stat], context=STAT_CONTEXT) if stat in STAT_WORDS else stat
