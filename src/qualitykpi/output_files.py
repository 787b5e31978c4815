"""Which format an output file gets: ``--format``, or what ``--output``'s suffix names.

A workbook written as text, or text written into a file named ``.xlsx``,
passes unnoticed until someone opens it, so a file name and a format that
disagree are a usage error.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import click

from .i18n import _
from .source import display_path

#: The format an output file's suffix names.
SUFFIX_FORMATS = {
    ".xlsx": "xlsx",
    ".csv": "csv",
    ".json": "json",
    ".md": "markdown",
    ".markdown": "markdown",
    ".txt": "table",
    ".text": "table",
    ".html": "html",
    ".htm": "html",
    ".docx": "docx",
}


def output_format(
    given: str | None, output: str | None, formats: Sequence[str], default: str
) -> str:
    """The format to write: ``--format``, else the one ``--output``'s suffix names.

    Without ``--output``, ``default``; a ``.txt`` file takes any text format.
    """
    if output is None:
        return given or default
    suffix = _suffix(output)
    named = SUFFIX_FORMATS.get(suffix)
    shown = display_path(output)
    if given is None:
        if not suffix:
            return default
        if named is not None and named not in formats:
            message = _(
                "{file} ends in {suffix}, which this command does not write (it writes "
                "{formats}); name a file ending in {suffixes}"
            )
            raise click.UsageError(
                message.format(
                    file=shown,
                    suffix=suffix,
                    formats=", ".join(formats),
                    suffixes=suffixes(formats),
                )
            )
        if named is None:
            message = _(
                "cannot tell what to write to {file} from its suffix `{suffix}`; "
                "name a file ending in {suffixes}, or say --format ({formats})"
            )
            raise click.UsageError(
                message.format(
                    file=shown,
                    suffix=suffix,
                    suffixes=suffixes(formats),
                    formats=", ".join(formats),
                )
            )
        return named
    text_file = suffix in (".txt", ".text") and given != "xlsx"
    if named is not None and named != given and not text_file:
        message = _(
            "--format {format} does not write {named}, but {file} ends in {suffix}; "
            "change the file name or the format"
        )
        raise click.UsageError(message.format(format=given, named=named, file=shown, suffix=suffix))
    return given


def _suffix(output: str) -> str:
    """The suffix of a file name, ``.xlsx`` included (Path() sees none there)."""
    name = Path(output).name.lower()
    suffix = Path(output).suffix.lower()
    if not suffix and name.startswith(".") and name.count(".") == 1:
        return name
    return suffix


def suffixes(formats: Sequence[str]) -> str:
    found = [suffix for suffix, named in SUFFIX_FORMATS.items() if named in formats]
    return ", ".join(found)
