"""``qualitykpi fmt``: canonical layout, and translation between the surfaces."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .cli_data import cannot_read, cannot_write
from .cli_language import Command, option
from .environment import read_rule_file
from .errors import RuleError
from .i18n import N_, _

if TYPE_CHECKING:
    from .fmt import Surface


@click.command(
    "fmt",
    cls=Command,
    short_help=N_("Lay a rule file out canonically, in English or Chinese."),
    help=N_(
        "Print FILES in canonical layout, with their keywords in one surface.\n\n"
        "Comments, names, ids, texts in quotes, numbers and examples are kept as "
        "written; a file in canonical layout is printed unchanged, and English "
        "translated to Chinese and back is the same file.  `-` reads standard "
        "input.  With --check, nothing is written and the exit status is 1 when "
        "a file would change; with -w, each file is rewritten in place."
    ),
)
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, allow_dash=True))
@option(
    "--to",
    "to",
    type=click.Choice(["zh", "en"]),
    default=None,
    help=N_("Write the keywords in Chinese (zh) or English (en); default: as the file does."),
)
@option("--check", is_flag=True, help=N_("Change nothing; exit 1 when a file is not laid out so."))
@option("-w", "--write", "write", is_flag=True, help=N_("Rewrite the files in place."))
def fmt_command(files: tuple[str, ...], to: Surface | None, check: bool, write: bool) -> None:
    # The formatter needs the parser, and so Lark: imported here, not when
    # the command line starts (the other commands answer from the cache).
    from .fmt import format_rule

    if check and write:
        raise click.UsageError(_("--check and --write exclude each other: choose one"))
    if len(files) > 1 and not (check or write):
        raise click.UsageError(_("to print more than one file, use --check or --write"))
    changed = broken = False
    for path in files:
        try:
            text, shown = (sys.stdin.read(), "<stdin>") if path == "-" else read_rule_file(path)
            formatted = format_rule(text, to=to, name=shown)
        except OSError as error:
            cannot_read(path, error)
            broken = True
            continue
        except RuleError as error:
            click.echo(str(error), err=True)
            broken = True
            continue
        if check:
            if formatted != text:
                changed = True
                click.echo(_("{file}: not in canonical layout").format(file=shown), err=True)
        elif write and path != "-":
            if formatted != text:
                try:
                    Path(path).write_text(formatted, encoding="utf-8")
                except OSError as error:
                    cannot_write(path, error)
                    broken = True
                    continue
                click.echo(_("{file}: rewritten").format(file=shown), err=True)
        else:
            click.echo(formatted, nl=False)
    if broken:
        raise SystemExit(2)
    if changed:
        raise SystemExit(1)
