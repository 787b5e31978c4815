"""``qualitykpi report``: the report an assessment office hands on, as a file.

The format is what the output file's suffix names (``--format`` may say it
too, and must then agree); each format has a writer module with a
``write_report(path, scheme, results, info)`` function.  A writer needs
libraries the core does not install (the ``reports`` extra), so it is
imported only when asked for, and a missing library is said as such.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from .cli_data import (
    cannot_read,
    cannot_write,
    data_options,
    entity_option,
    load_rule,
    report_errors,
    rows,
    score,
)
from .cli_environment import environment_options
from .cli_language import Command, option
from .i18n import N_, _
from .output_files import SUFFIX_FORMATS, output_format, suffixes
from .reports.document import MissingExtra, ReportInfo, require
from .source import display_path, display_width

if TYPE_CHECKING:
    from .results import Results
    from .scheme import Scheme

#: The writer of each kind of report file, by the suffix of its name:
#: ``"module:function"``, the function taking (path, scheme, results, info).
WRITERS: dict[str, str] = {
    ".xlsx": "qualitykpi.reports.workbook:write_report",
    ".html": "qualitykpi.reports.html:write_report",
    ".htm": "qualitykpi.reports.html:write_report",
    ".docx": "qualitykpi.reports.docx:write_report",
}


def formats() -> tuple[str, ...]:
    """The formats ``report`` writes, in the order of :data:`WRITERS`."""
    return tuple(dict.fromkeys(SUFFIX_FORMATS[suffix] for suffix in WRITERS))


def writer(format_: str) -> Callable[..., None]:
    """The function that writes ``format_``; :class:`MissingExtra` when its
    module needs a library that is not installed."""
    spec = next(spec for suffix, spec in WRITERS.items() if SUFFIX_FORMATS[suffix] == format_)
    name, function = spec.split(":")
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError as error:
        # The writer imports its library at the top: name that library, not the writer.
        if error.name and not name.startswith(error.name):
            require(error.name)
        raise
    found: Callable[..., None] = getattr(module, function)
    return found


def _joined(lines: list[str]) -> str:
    """The lines of a paragraph as one: Chinese lines meet without a space."""
    text = ""
    for line in lines:
        if text and not (display_width(text[-1]) == 2 and display_width(line[0]) == 2):
            text += " "
        text += line
    return text


def read_notes(path: str) -> tuple[str, ...]:
    """The paragraphs of a UTF-8 text file: blank lines separate them."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as error:
        cannot_read(path, error)
        raise SystemExit(2) from None
    except UnicodeDecodeError as error:
        message = _("qualitykpi: {file} is not UTF-8 text (byte {offset}); save it as UTF-8")
        click.echo(message.format(file=display_path(path), offset=error.start), err=True)
        raise SystemExit(2) from None
    paragraphs: list[list[str]] = [[]]
    for line in text.splitlines():
        if line.strip():
            paragraphs[-1].append(line.strip())
        elif paragraphs[-1]:
            paragraphs.append([])
    return tuple(_joined(lines) for lines in paragraphs if lines)


@click.command(
    "report",
    cls=Command,
    short_help=N_("Write the report of the cohort in DATA by RULE to a file."),
    help=N_(
        "Write the report of the cohort in DATA by RULE to FILE: the ranking with grades "
        "and vetoes, charts, every item's scores, the points each office lost and every "
        "entity's notice of points lost.  The format is what FILE's suffix names.\n\n"
        "Data errors are listed on stderr after the file is written (exit status 1); the "
        "other rows are still reported."
    ),
)
@click.argument("rule", type=click.Path(dir_okay=False))
@click.argument("data", type=click.Path(dir_okay=False))
@option(
    "--output",
    "-o",
    metavar="FILE",
    type=click.Path(dir_okay=False),
    help=N_("The file to write; its suffix names the format."),
)
@option(
    "--format",
    "format_",
    type=click.Choice(formats()),
    default=None,
    help=N_("The format, when FILE's suffix does not say it (they must agree)."),
)
@option("--title", metavar="TEXT", help=N_("The report's title (default: the scheme's name)."))
@option("--year", metavar="TEXT", help=N_("The assessment year or period, as it is written."))
@option(
    "--notes",
    metavar="FILE",
    type=click.Path(dir_okay=False),
    help=N_("A UTF-8 text file of the office's notes; blank lines separate paragraphs."),
)
@option(
    "--notices-dir",
    "notices_dir",
    metavar="DIR",
    type=click.Path(file_okay=False),
    help=N_(
        "With a .docx report, also write each entity's notice of points lost (扣分说明) "
        "as a Word document of its own in DIR, named after the entity."
    ),
)
@entity_option(N_("The column naming the entities."), "--entity", "--entity-column")
@data_options
@environment_options
def report_command(
    rule: str,
    data: str,
    output: str | None,
    format_: str | None,
    title: str | None,
    year: str | None,
    notes: str | None,
    notices_dir: str | None,
    entity: str,
    encoding: str | None,
    sheet: str | None,
    previous: str | None,
) -> None:
    known = formats()
    if output is None:
        message = _("report writes a file: say where with --output FILE (ending in {suffixes})")
        raise click.UsageError(message.format(suffixes=suffixes(known)))
    format_ = output_format(format_, output, known, "")
    if not format_:
        message = _(
            "cannot tell what to write to {file}: name a file ending in {suffixes}, "
            "or say --format ({formats})"
        )
        shown = display_path(output)
        raise click.UsageError(
            message.format(file=shown, suffixes=suffixes(known), formats=", ".join(known))
        )
    if notices_dir is not None and format_ != "docx":
        message = _("--notices-dir writes Word documents: it goes with a .docx report")
        raise click.UsageError(message)
    try:
        write = writer(format_)
    except MissingExtra as error:
        _missing(error)
    paragraphs = read_notes(notes) if notes is not None else ()
    scheme = load_rule(rule)
    cohort = rows(scheme, data, encoding, sheet, entity, previous)
    results = score(scheme, cohort, entity)
    info = ReportInfo(title=title, year=year, notes=paragraphs)
    try:
        write(output, scheme, results, info)
    except OSError as error:
        cannot_write(output, error)
        raise SystemExit(2) from None
    except MissingExtra as error:
        _missing(error)
    if notices_dir is not None:
        _write_notices(notices_dir, scheme, results, info)
    report_errors(results.errors, missing_columns=cohort.missing_columns)


def _write_notices(folder: str, scheme: Scheme, results: Results, info: ReportInfo) -> None:
    from .reports.docx import write_notices  # python-docx is there: the report was written

    try:
        write_notices(folder, scheme, results, info)
    except OSError as error:
        cannot_write(folder, error)
        raise SystemExit(2) from None


def _missing(error: MissingExtra) -> NoReturn:
    click.echo(f"qualitykpi: {error}", err=True)
    raise SystemExit(2) from None
