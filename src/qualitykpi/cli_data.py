"""The commands' data: loading the rule, reading a cohort (and last period's), checking its
columns, scoring it, reporting its errors.

``score``, ``explain`` and ``owners`` read DATA the same way: the table, the
columns that do not fit the rule (warnings), last period's data with
``--previous FILE`` (matched by entity; entities of one period only are
named), and a progress bar while a long cohort is scored.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TextIO

import attrs
import click

from .cli_environment import current
from .cli_language import option
from .errors import DataError, RuleError
from .i18n import N_, _, ngettext
from .previous import wanted
from .readers import DataTable, check_columns, read_table
from .results import Results
from .scheme import Scheme
from .source import display_path

#: Cohorts with more rows than this get a progress bar (on a terminal).
PROGRESS_ROWS = 50


def cannot_read(path: str, error: OSError) -> None:
    message = _("qualitykpi: cannot read {file}: {reason}")
    click.echo(message.format(file=display_path(path), reason=error.strerror or error), err=True)


def cannot_write(path: str, error: OSError) -> None:
    message = _("qualitykpi: cannot write {file}: {reason}")
    click.echo(message.format(file=display_path(path), reason=error.strerror or error), err=True)


def load_rule(path: str) -> Scheme:
    """Load RULE with the command's environment; a rule error or an unreadable
    file ends the command with exit status 2."""
    try:
        return current().load(path)
    except RuleError as error:
        click.echo(str(error), err=True)
        raise SystemExit(2) from None
    except OSError as error:
        cannot_read(path, error)
        raise SystemExit(2) from None


def report_errors(
    errors: Sequence[DataError], heading: str | None = None, *, missing_columns: bool = False
) -> None:
    """List data errors on stderr and exit 1 (the results are already out).

    A rule input with no column in the data is a data problem too, even when
    every entity could be scored (a `no data` line took the absent values).
    """
    if not errors:
        if missing_columns:
            raise SystemExit(1)
        return
    if heading is None:
        count = ngettext("{count} data error:", "{count} data errors:", len(errors))
        heading = "\n" + count.format(count=len(errors))
    click.echo(heading, err=True)
    for data_error in errors:
        click.echo(f"  {data_error}", err=True)
    raise SystemExit(1)


@attrs.frozen
class Data:
    """A cohort as read, whether a rule input has no column in it, and last period's data."""

    table: DataTable
    missing_columns: bool
    previous: DataTable | None = None


def _read(path: str, encoding: str | None, sheet: str | None, entity: str) -> DataTable:
    try:
        table = read_table(path, encoding=encoding, sheet=sheet)
    except RuleError as error:
        click.echo(f"qualitykpi: {error}", err=True)
        raise SystemExit(2) from None
    if table.rows and entity not in table.columns:
        columns = _(", ").join(table.columns) or _("none")
        message = _(
            "qualitykpi: {file} has no column {column} naming the entities "
            "(its columns: {columns}); say which with --entity-column"
        )
        click.echo(
            message.format(file=display_path(path), column=repr(entity), columns=columns),
            err=True,
        )
        raise SystemExit(2)
    return table


def rows(
    scheme: Scheme,
    path: str,
    encoding: str | None,
    sheet: str | None,
    entity: str,
    previous: str | None = None,
) -> Data:
    """Read DATA (CSV, XLSX or JSON) and, with ``previous``, last period's data; say
    which columns do not fit the rule."""
    table = _read(path, encoding, sheet, entity)
    last = None
    columns = list(table.columns)
    if previous is not None:
        last = _read(previous, encoding, sheet, entity)
        names = wanted(scheme.inputs)
        if not names:
            message = _(
                "qualitykpi: warning: --previous gives last period's data, but the rule reads "
                "no `previous` value"
            )
            click.echo(message, err=True)
        for name in names:
            if name not in last.columns:
                message = _(
                    "qualitykpi: warning: {file} has no column {column}: "
                    "every entity has no data for `previous {name}`"
                )
                shown = display_path(previous)
                click.echo(message.format(file=shown, column=repr(name), name=name), err=True)
        columns += [f"previous {name}" for name in names]
    problems = check_columns(scheme, columns, entity)
    for problem in problems:
        if problem.kind != "missing-entity":
            click.echo(
                _("qualitykpi: warning: {message}").format(message=problem.message), err=True
            )
    missing = any(problem.kind == "missing-input" for problem in problems)
    return Data(table, missing, last)


@contextmanager
def progress(count: int, stream: TextIO | None = None) -> Iterator[None]:
    """A progress bar on stderr while a long cohort is scored, on a terminal only."""
    stream = stream if stream is not None else sys.stderr
    if count <= PROGRESS_ROWS or not stream.isatty():
        yield
        return
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from .reports import make_console

    console = make_console(stream, terminal=True)
    columns = (
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as bar:
        bar.add_task(_("scoring {count} rows").format(count=count), total=None)
        yield


def score(scheme: Scheme, data: Data, entity: str, *, about: str | None = None) -> Results:
    """Score the cohort; what did not match last period's data is said on stderr (only
    what concerns the entity ``about``, when one is explained)."""
    with progress(len(data.table.rows)):
        results = scheme.score_table(data.table, entity=entity, previous=data.previous)
    for note in results.notes:
        if about is None or note.startswith(f"{about} "):
            click.echo(_("qualitykpi: note: {note}").format(note=note), err=True)
    return results


def data_options(function: Callable[..., None]) -> Callable[..., None]:
    function = option(
        "--previous",
        metavar="FILE",
        type=click.Path(dir_okay=False),
        help=N_(
            "Last period's data as published: its columns give `previous NAME`, matched by entity."
        ),
    )(function)
    function = option(
        "--sheet",
        metavar="NAME",
        help=N_("The worksheet of spreadsheet data (default: the first)."),
    )(function)
    return option(
        "--encoding",
        metavar="NAME",
        help=N_("The text encoding of CSV data (default: UTF-8, a byte-order mark allowed)."),
    )(function)


def entity_option(help: str, *names: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """The option naming the data column that names the entities."""
    return option(
        *names, "entity", default="entity", show_default=True, metavar="COLUMN", help=help
    )
