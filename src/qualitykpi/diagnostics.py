"""Diagnostics: what the static checks report, as data and as text.

A :class:`Diagnostic` is one finding of :func:`qualitykpi.check` — a
gap in a table, an overlap, a wrong sum — with a stable ``code``, a
severity, a message in the rule author's terms and where it is.  It is
rendered three ways: compiler-style text for people (:func:`render_text`),
plain JSON for tools (:func:`to_json`) and SARIF 2.1.0 for code-scanning
services and editors (:func:`to_sarif`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal, TypeAlias
from urllib.parse import quote

import attrs

from .i18n import N_, _, ngettext
from .source import Source, Span

Severity: TypeAlias = Literal["error", "warning", "info"]

#: Every code the static checks report: its severity and a one-line summary
#: (marked for the catalog: translate it with ``_()`` where it is shown).
#: Load errors (``undefined-input``, ``syntax`` …) keep their own codes and
#: have severity ``error``; see ``docs/errors.rst``.
CODES: Mapping[str, tuple[Severity, str]] = {
    "gap": ("warning", N_("Values of the input that no rule line matches")),
    "no-data-line": ("info", N_("A table without a `no data` line where others have one")),
    "not-analysed": (
        "info",
        N_(
            "What the checks cannot analyse: a target, a computed value or a grade that "
            "differs by entity, or a line that tests levels that are not next to each other"
        ),
    ),
    "shadowed": ("warning", N_("Values of a line that an earlier line always takes")),
    "unreachable-line": ("warning", N_("A rule line no value can reach")),
    "otherwise-not-last": ("warning", N_("Rule lines after `otherwise`")),
    "shorthand-endpoint": ("info", N_("Which of two adjacent `A–B` ranges takes the shared end")),
    "non-monotone": ("warning", N_("A better value of the input scores less")),
    "negative-peer": (
        "warning",
        N_("A comparison with the cohort on an input that can be negative"),
    ),
    "peer-max-zero": ("warning", N_("`scaled to peer max` that a cohort of zeros leaves unscored")),
    "sum-mismatch": ("warning", N_("Children's maxima that do not add up to the parent's max")),
    "combine-range": ("warning", N_("A `combine` that can give more than its section's max")),
    "ratio-number": ("warning", N_("A ratio compared with a number meant as a percentage")),
    "total-mismatch": ("warning", N_("Top-level maxima that do not add up to the scheme's total")),
    "missing-total": ("info", N_("A scheme without `total`")),
    "deduction-exceeds": ("warning", N_("A deduction larger than what it deducts from")),
    "award-above-max": ("warning", N_("A score or award above the max")),
    "negative-score": ("warning", N_("A fixed score below 0 in an item that cannot go below 0")),
    "no-cap": ("info", N_("A deduction-only item or a bonus without a cap: what bounds it")),
    "grade-order": ("warning", N_("Grade bands out of order, or shadowed by an earlier band")),
    "unreachable-grade": ("warning", N_("A grade no total can reach")),
    "unused-input": ("warning", N_("An input no rule line, clause, veto or target uses")),
    "veto-no-effect": ("warning", N_("A veto to the best grade, or to a score no total exceeds")),
    "duplicate-name": ("warning", N_("Siblings with the same name")),
    "no-owner": ("info", N_("An item with no responsible office")),
}

_ORDER: Mapping[str, int] = {"error": 0, "warning": 1, "info": 2}
_SARIF_LEVEL: Mapping[str, str] = {"error": "error", "warning": "warning", "info": "note"}
#: How the text rendering names a severity (``warning[gap]``, ``警告[gap]``).
_SEVERITY_WORDS: Mapping[str, str] = {
    "error": N_("error"),
    "warning": N_("warning"),
    "info": N_("info"),
}
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def _lines(values: Iterable[int]) -> tuple[int, ...]:
    return tuple(sorted(set(values)))


@attrs.frozen
class Diagnostic:
    """One finding of the static checks (or one load error, severity ``error``).

    ``line`` and ``column`` are 1-based (0 when the finding has no place in
    the file); ``end_column`` is the column just after the region, as in
    SARIF.  ``related`` lists other lines the finding involves (the earlier
    line that takes a band's values, the first of two siblings with one name).
    """

    code: str
    severity: Severity
    message: str
    file: str
    line: int = 0
    column: int = 0
    end_line: int = 0
    end_column: int = 0
    related: tuple[int, ...] = attrs.field(default=(), converter=_lines)
    hint: str | None = None

    @property
    def span(self) -> Span:
        return Span(self.line, self.column, self.end_line, self.end_column)

    @property
    def location(self) -> str:
        if self.line <= 0:
            return self.file
        return f"{self.file}:{self.line}:{self.column}"

    def sort_key(self) -> tuple[str, int, int, int, str]:
        return (self.file, self.line, self.column, _ORDER[self.severity], self.code)

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data: every field, ``related`` as a list."""
        return {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "related": list(self.related),
            "hint": self.hint,
        }

    def render(self, source: Source | None = None) -> str:
        """``path:line:col: warning[CODE]: message``, the line with a caret, the hint."""
        # Translators: the location stays first and ASCII so editors can jump to it.
        text = _("{location}: {severity}[{code}]: {message}").format(
            location=self.location,
            severity=_(_SEVERITY_WORDS[self.severity]),
            code=self.code,
            message=self.message,
        )
        if source is not None and self.line > 0:
            snippet = source.snippet(self.span)
            if snippet:
                text += "\n" + snippet
        if self.hint:
            text += "\n      = " + _("help: {hint}").format(hint=self.hint)
        return text

    def __str__(self) -> str:
        return self.render()


def make(
    code: str,
    message: str,
    file: str,
    span: Span | None,
    *,
    related: Iterable[int] = (),
    hint: str | None = None,
    severity: Severity | None = None,
) -> Diagnostic:
    """A diagnostic of a registered code, placed at ``span`` (its severity from :data:`CODES`)."""
    level = severity if severity is not None else CODES[code][0]
    if span is None or span.line <= 0:
        return Diagnostic(code, level, message, file, related=related, hint=hint)
    end_line = span.end_line if span.end_line >= span.line else span.line
    end_column = span.end_column
    if end_line == span.line and end_column <= span.column:
        end_column = span.column + 1
    return Diagnostic(
        code,
        level,
        message,
        file,
        span.line,
        span.column,
        end_line,
        end_column,
        related=related,
        hint=hint,
    )


def sort_diagnostics(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """By file, line, column, severity and code; duplicates dropped."""
    return sorted(dict.fromkeys(diagnostics), key=Diagnostic.sort_key)


# ------------------------------------------------------------------ text


def _source_for(
    name: str, source: Source | str | None, cache: dict[str, Source | None]
) -> Source | None:
    if isinstance(source, str):
        return Source(name, source)
    if source is not None and source.name == name:
        return source
    if name not in cache:
        path = Path(name)
        try:
            cache[name] = Source(name, path.read_text(encoding="utf-8-sig"))
        except (OSError, UnicodeDecodeError, ValueError):
            cache[name] = None
    return cache[name]


def render_text(diagnostics: Sequence[Diagnostic], source: Source | str | None = None) -> str:
    """Every diagnostic, compiler style, separated by blank lines.

    The offending line is taken from ``source``: a :class:`~qualitykpi.source.Source`
    (used when its name is the diagnostic's file) or the rule text itself.
    Otherwise it is read from the file on disk, if there is one.
    """
    cache: dict[str, Source | None] = {}
    blocks = [
        diagnostic.render(_source_for(diagnostic.file, source, cache)) for diagnostic in diagnostics
    ]
    return "\n\n".join(blocks)


def summary(diagnostics: Sequence[Diagnostic]) -> str:
    """``2 warnings, 1 note`` (or ``no findings``)."""
    counts = {level: 0 for level in _ORDER}
    for diagnostic in diagnostics:
        counts[diagnostic.severity] += 1
    words = {
        "error": lambda n: ngettext("{count} error", "{count} errors", n),
        "warning": lambda n: ngettext("{count} warning", "{count} warnings", n),
        "info": lambda n: ngettext("{count} note", "{count} notes", n),
    }
    parts = [words[level](count).format(count=count) for level, count in counts.items() if count]
    # Translators: between the counts of the summary line, "2 warnings, 1 note".
    return _(", ").join(parts) if parts else _("no findings")


# ------------------------------------------------------------------ JSON


def to_json(diagnostics: Sequence[Diagnostic]) -> list[dict[str, Any]]:
    """A list of plain dicts (``json.dumps`` ready), one per diagnostic."""
    return [diagnostic.as_dict() for diagnostic in diagnostics]


# ----------------------------------------------------------------- SARIF


def _uri(file: str) -> str:
    return quote(file.replace("\\", "/"), safe="/:._-~")


def _region(line: int, column: int, end_line: int, end_column: int) -> dict[str, int]:
    region = {"startLine": line}
    if column > 0:
        region["startColumn"] = column
    if end_line >= line:
        region["endLine"] = end_line
        if end_column > 0:
            region["endColumn"] = end_column
    return region


def to_sarif(
    diagnostics: Sequence[Diagnostic],
    *,
    tool_version: str | None = None,
) -> dict[str, Any]:
    """A SARIF 2.1.0 log with one run of the tool ``qualitykpi``.

    The driver's ``rules`` are every checker code (with its summary and
    default level) and any other code that occurs, such as a load error's.
    Columns count Unicode code points (``columnKind``), as the checker does.
    """
    if tool_version is None:
        from . import __version__

        tool_version = __version__
    rules: list[dict[str, Any]] = []
    index: dict[str, int] = {}

    def rule(code: str, level: Severity, text: str) -> None:
        index[code] = len(rules)
        rules.append(
            {
                "id": code,
                "name": code,
                "shortDescription": {"text": _(text)},
                "defaultConfiguration": {"level": _SARIF_LEVEL[level]},
            }
        )

    for code, (level, text) in CODES.items():
        rule(code, level, text)
    for diagnostic in diagnostics:
        if diagnostic.code not in index:
            rule(
                diagnostic.code,
                diagnostic.severity,
                _("Rule error: {code}").format(code=diagnostic.code),
            )

    results: list[dict[str, Any]] = []
    for diagnostic in diagnostics:
        message = diagnostic.message
        if diagnostic.hint:
            message = _("{message} ({hint})").format(message=message, hint=diagnostic.hint)
        physical: dict[str, Any] = {"artifactLocation": {"uri": _uri(diagnostic.file)}}
        if diagnostic.line > 0:
            physical["region"] = _region(
                diagnostic.line, diagnostic.column, diagnostic.end_line, diagnostic.end_column
            )
        result: dict[str, Any] = {
            "ruleId": diagnostic.code,
            "ruleIndex": index[diagnostic.code],
            "level": _SARIF_LEVEL[diagnostic.severity],
            "message": {"text": message},
            "locations": [{"physicalLocation": physical}],
        }
        if diagnostic.related:
            result["relatedLocations"] = [
                {
                    "id": number,
                    "physicalLocation": {
                        "artifactLocation": {"uri": _uri(diagnostic.file)},
                        "region": {"startLine": line},
                    },
                    "message": {"text": _("line {line}").format(line=line)},
                }
                for number, line in enumerate(diagnostic.related)
            ]
        results.append(result)
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "qualitykpi",
                        "version": tool_version,
                        "rules": rules,
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
