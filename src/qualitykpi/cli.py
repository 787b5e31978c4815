"""The ``qualitykpi`` command.

Exit status: 0 success; 1 when data errors were found or an example failed
(everything else is still reported); 2 for rule errors and usage errors.
Messages go to stderr, results to stdout.
"""

from __future__ import annotations

import difflib
import io
import json
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from .checks import format_ranges, load_errors
from .cli_data import cannot_read, cannot_write, data_options, entity_option
from .cli_data import load_rule as _load
from .cli_data import report_errors as _report_errors
from .cli_data import rows as _rows
from .cli_data import score as _score
from .cli_environment import current, environment_options
from .cli_fmt import fmt_command
from .cli_language import SHOW_VERSION, VERSION_MESSAGE, Group, Option, option
from .cli_report import report_command
from .diagnostics import Diagnostic, render_text, summary, to_json, to_sarif
from .environment import read_rule_file
from .errors import RuleError
from .feedback import build_notice, notices
from .i18n import N_, _, ngettext
from .output_files import output_format
from .source import Source, display_path
from .template import template_notes, write_template_csv, write_template_xlsx

# The reports pull in rich and the workbook writer openpyxl: each command
# imports what it prints with, so `check` and `test` start without them.
if TYPE_CHECKING:
    from .reports import Block


@click.group(
    cls=Group,
    context_settings={"help_option_names": ["-h", "--help"]},
    help=N_("Score quality-work assessment rules (质量工作考核评分细则) exactly."),
)
@click.version_option(
    package_name="qualitykpi", cls=Option, help=SHOW_VERSION, message=VERSION_MESSAGE
)
def main() -> None:
    pass


@main.command(
    "test",
    short_help=N_("Run every `example` line in each RULES file."),
    help=N_(
        "Run every `example` line in each RULES file.\n\n"
        "A failing example is shown with its line, the expected and the actual score, and "
        "the trace of how the actual score came about.  With --coverage, each file's report "
        "says which cases of its rules the examples do not try; with --stubs, it suggests "
        "example lines for them."
    ),
)
@click.argument("rules", nargs=-1, required=True, type=click.Path(dir_okay=False))
@option(
    "--coverage",
    "show_coverage",
    is_flag=True,
    help=N_("Also list the boundaries, caps, floors, vetoes and `no data` lines no example tries."),
)
@option(
    "--stubs",
    is_flag=True,
    help=N_("Print an `example` line for each case no example tries (implies --coverage)."),
)
@environment_options
def test_command(rules: tuple[str, ...], show_coverage: bool, stubs: bool) -> None:
    passed = failed = 0
    broken = False
    for path in rules:
        try:
            scheme = current().load(path)
        except RuleError as error:
            click.echo(str(error), err=True)
            broken = True
            continue
        except OSError as error:
            cannot_read(path, error)
            broken = True
            continue
        shown = display_path(path)
        outcomes = scheme.run_examples()
        file_failed = 0
        for outcome in outcomes:
            if outcome.passed:
                passed += 1
                continue
            failed += 1
            file_failed += 1
            message = _("{file}:{line}: example failed: expected {expected}, got {actual}")
            click.echo(
                message.format(
                    file=shown, line=outcome.line, expected=outcome.expected, actual=outcome.actual
                )
            )
            click.echo(f"    {outcome.text}")
            for data_error in outcome.errors:
                click.echo(f"    {data_error}")
            for line in outcome.trace.splitlines():
                click.echo(f"    | {line}")
        if not outcomes:
            click.echo(_("{file}: no examples").format(file=shown))
        else:
            message = ngettext(
                "{file}: {count} example, {passed} passed, {failed} failed",
                "{file}: {count} examples, {passed} passed, {failed} failed",
                len(outcomes),
            )
            ok = len(outcomes) - file_failed
            click.echo(
                message.format(file=shown, count=len(outcomes), passed=ok, failed=file_failed)
            )
        if show_coverage or stubs:
            from .coverage import coverage

            report = coverage(scheme)
            click.echo(report.render())
            if stubs:
                click.echo(report.render_stubs())
    click.echo(_("{passed} passed, {failed} failed").format(passed=passed, failed=failed))
    if broken:
        raise SystemExit(2)
    if failed:
        raise SystemExit(1)


def _write(output: str | None, text: str | Iterable[str]) -> None:
    """Results to ``output``, or to stdout; always UTF-8.  Text given in pieces is
    written as they are made, so that a large cohort's is never whole in memory."""
    pieces = [text] if isinstance(text, str) else text
    if output is None:
        for piece in pieces:
            click.echo(piece.encode("utf-8"), nl=False)  # bytes: straight to the binary stream
        return
    try:
        with Path(output).open("wb") as stream:
            for piece in pieces:
                stream.write(piece.encode("utf-8"))
    except OSError as error:
        _cannot_write(output, error)


def _cannot_write(output: str, error: OSError) -> NoReturn:
    cannot_write(output, error)
    raise SystemExit(2) from None


def _print(output: str | None, blocks: list[Block]) -> None:
    from . import reports

    if output is None:
        reports.print_blocks(reports.make_console(sys.stdout), blocks)
    else:
        _write(output, reports.render_text(blocks))


FORMATS = ("table", "json", "csv", "xlsx", "markdown")
OWNER_FORMATS = ("table", "json", "csv", "xlsx", "markdown")
TEMPLATE_FORMATS = ("csv", "xlsx")
XLSX_NEEDS_OUTPUT = N_("--format xlsx writes a workbook: say where with --output FILE")


def _output_option(function: Callable[..., None]) -> Callable[..., None]:
    return option(
        "--output",
        "-o",
        metavar="FILE",
        type=click.Path(dir_okay=False),
        help=N_("Write the results to FILE instead of standard output."),
    )(function)


@main.command(
    "score",
    short_help=N_("Score the cohort in DATA by RULE and print the ranking."),
    help=N_(
        "Score the cohort in DATA by RULE and print the ranking.\n\n"
        "The ranking gives rank, entity, total, grade, the vetoes that fired and each "
        "top-level section's subtotal, best grade first, then highest total.  Data errors "
        "are listed on stderr after the results (exit status 1); the other rows are still "
        "scored."
    ),
)
@click.argument("rule", type=click.Path(dir_okay=False))
@click.argument("data", type=click.Path(dir_okay=False))
@option(
    "--format",
    "format_",
    type=click.Choice(FORMATS),
    default=None,
    help=N_(
        "table (terminal), json, csv (UTF-8 with BOM), xlsx (needs --output) or markdown; "
        "default: what --output's suffix names, else table."
    ),
)
@_output_option
@option("--explain", is_flag=True, help=N_("Add each entity's deduction ledger."))
@entity_option(N_("The column naming the entities."), "--entity", "--entity-column")
@data_options
@environment_options
def score_command(
    rule: str,
    data: str,
    format_: str | None,
    output: str | None,
    explain: bool,
    entity: str,
    encoding: str | None,
    sheet: str | None,
    previous: str | None,
) -> None:
    format_ = output_format(format_, output, FORMATS, "table")
    if format_ == "xlsx" and output is None:
        raise click.UsageError(_(XLSX_NEEDS_OUTPUT))
    if format_ == "csv" and explain:
        raise click.UsageError(
            _(
                "--explain has no place in CSV (one row per entity); "
                "use --format json, xlsx, markdown or table"
            )
        )
    scheme = _load(rule)
    cohort = _rows(scheme, data, encoding, sheet, entity, previous)
    results = _score(scheme, cohort, entity)
    from . import reports

    if format_ == "table":
        _print(output, reports.score_blocks(scheme, results, explain=explain))
    elif format_ == "json":
        _write(output, reports.score_json_pieces(results, explain=explain))
    elif format_ == "csv":
        _write(output, reports.score_csv_pieces(scheme, results))
    elif format_ == "markdown":
        _write(output, reports.score_markdown(scheme, results, explain=explain))
    else:
        assert output is not None
        from .reports.workbook import write_workbook

        try:
            write_workbook(output, scheme, results, notices=explain)
        except OSError as error:
            _cannot_write(output, error)
    _report_errors(results.errors, missing_columns=cohort.missing_columns)


@main.command(
    "explain",
    short_help=N_("Everything about one entity's score."),
    help=N_(
        "Explain one entity's score: every item, the rule line that decided it, the values "
        "and peer statistics used, the clause text, the points lost.\n\n"
        "Peer statistics are computed over the whole cohort in DATA."
    ),
)
@click.argument("rule", type=click.Path(dir_okay=False))
@click.argument("data", type=click.Path(dir_okay=False))
@option("--entity", "name", metavar="NAME", help=N_("The entity to explain."))
@option(
    "--notice",
    is_flag=True,
    help=N_(
        "Print the entity's notice of points lost (扣分说明) instead; without --entity, "
        "every entity's, one to a page (separated by a form feed)."
    ),
)
@option(
    "--entity-column",
    default="entity",
    show_default=True,
    metavar="COLUMN",
    help=N_("The column naming the entities."),
)
@data_options
@environment_options
def explain_command(
    rule: str,
    data: str,
    name: str | None,
    notice: bool,
    entity_column: str,
    encoding: str | None,
    sheet: str | None,
    previous: str | None,
) -> None:
    if name is None and not notice:
        raise click.UsageError(_("name the entity with --entity NAME (or ask for --notice)"))
    name = name.strip() if name is not None else None
    scheme = _load(rule)
    cohort = _rows(scheme, data, encoding, sheet, entity_column, previous)
    results = _score(scheme, cohort, entity_column, about=name)
    if name is None:
        click.echo(notices(results, scheme), nl=False)
        _report_errors(results.errors)
        return
    errors = [error for error in results.errors if error.entity == name]
    if name not in results and not errors:
        _unknown_entity(name, data, entity_column, cohort.table.rows)
    if name in results and notice:
        click.echo(build_notice(results, name, scheme).text(), nl=False)
        _report_errors(errors)
    elif name in results:
        result = results[name]
        if result.file:
            click.echo(_("rule {file} (“line N” below is line N of it)").format(file=result.file))
        click.echo(result.explain())
        _report_errors(errors)
    _report_errors(
        errors, _("qualitykpi: {entity} is not scored: its data has errors").format(entity=name)
    )


def _unknown_entity(
    name: str, data: str, column: str, rows: Sequence[Mapping[str, object]]
) -> NoReturn:
    names = list(dict.fromkeys(str(row.get(column) or "").strip() for row in rows))
    names = [known for known in names if known]
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.5)
    close += [known for known in names if (name in known or known in name) and known not in close]
    where = {"entity": repr(name), "column": repr(column), "file": display_path(data)}
    if close:
        # Translators: between the names of the entities the user may have meant.
        choices = _(" or ").join(repr(known) for known in dict.fromkeys(close))
        message = _(
            "qualitykpi: no entity {entity} in column {column} of {file}; did you mean {choices}?"
        )
        message = message.format(choices=choices, **where)
    elif names and len(names) <= 10:
        message = _("qualitykpi: no entity {entity} in column {column} of {file} (it has {names})")
        message = message.format(names=_(", ").join(names), **where)
    else:
        message = _("qualitykpi: no entity {entity} in column {column} of {file}").format(**where)
    click.echo(message, err=True)
    raise SystemExit(2)


@main.command(
    "owners",
    short_help=N_("The responsibility table (任务分解表) of the offices."),
    help=N_(
        "The responsibility table (任务分解表): each office, the items it owns and their points; "
        "with DATA, the points each office lost per entity.\n\n"
        "An item with several owners counts in full for each of them."
    ),
)
@click.argument("rule", type=click.Path(dir_okay=False))
@click.argument("data", required=False, type=click.Path(dir_okay=False))
@option(
    "--format",
    "format_",
    type=click.Choice(OWNER_FORMATS),
    default=None,
    help=N_(
        "table (terminal), json, csv (UTF-8 with BOM), xlsx (needs --output) or markdown; "
        "default: what --output's suffix names, else table."
    ),
)
@_output_option
@entity_option(N_("The column of DATA naming the entities."), "--entity-column", "--entity")
@data_options
@environment_options
def owners_command(
    rule: str,
    data: str | None,
    format_: str | None,
    output: str | None,
    entity: str,
    encoding: str | None,
    sheet: str | None,
    previous: str | None,
) -> None:
    format_ = output_format(format_, output, OWNER_FORMATS, "table")
    if format_ == "xlsx" and output is None:
        raise click.UsageError(_(XLSX_NEEDS_OUTPUT))
    scheme = _load(rule)
    results = None
    missing = False
    if data is not None:
        cohort = _rows(scheme, data, encoding, sheet, entity, previous)
        missing = cohort.missing_columns
        results = _score(scheme, cohort, entity)
    from . import reports
    from .reports import owners as owners_report

    if format_ == "table":
        width = reports.output_width(sys.stdout if output is None else None)
        _print(output, owners_report.owners_blocks(scheme, results, width=width))
    elif format_ == "json":
        _write(output, owners_report.owners_json(scheme, results))
    elif format_ == "csv":
        _write(output, owners_report.owners_csv(scheme, results))
    elif format_ == "xlsx":
        assert output is not None
        from .reports.workbook import write_owners

        try:
            write_owners(output, scheme, results)
        except OSError as error:
            _cannot_write(output, error)
    else:
        _write(output, owners_report.owners_markdown(scheme, results))
    if results is not None:
        _report_errors(results.errors, missing_columns=missing)


@main.command(
    "check",
    short_help=N_("Find gaps, overlaps, wrong sums and unfair steps."),
    help=N_(
        "Check RULES before they are published: every gap, overlap, unreachable line, wrong "
        "sum, impossible outcome and unfair step, each with file, line, column, severity and "
        "a stable code (see the diagnostics reference).\n\n"
        "A rule that does not load is reported as errors, with exit status 2 (a rule error, "
        "as for every command).  Otherwise the exit status is 1 when there is an error "
        "finding (with --strict, also a warning), else 0."
    ),
)
@click.argument("rules", nargs=-1, required=True, type=click.Path(dir_okay=False))
@option(
    "--format",
    "format_",
    type=click.Choice(("text", "json", "sarif")),
    default="text",
    show_default=True,
    help=N_("text (compiler style), json (for tools) or sarif (SARIF 2.1.0, for code scanning)."),
)
@_output_option
@option("--strict", is_flag=True, help=N_("Exit 1 on a warning too, not only on an error."))
@option("--ranges", is_flag=True, help=N_("Also print every node's reachable score range."))
@environment_options
def check_command(
    rules: tuple[str, ...], format_: str, output: str | None, strict: bool, ranges: bool
) -> None:
    found: list[Diagnostic] = []
    texts: list[str] = []
    broken = False
    for path in rules:
        try:
            text, name = read_rule_file(path)
        except OSError as error:
            cannot_read(path, error)
            broken = True
            continue
        except RuleError as error:
            scheme, diagnostics, text, name = None, load_errors(error, display_path(path)), "", ""
        else:
            scheme, diagnostics = current().check_loaded(text, name)
        # A rule that does not load is a rule error, as for every command.
        broken = broken or scheme is None
        found.extend(diagnostics)
        if format_ == "text":
            # The lines shown come from the text read, not from the file again.
            source = Source(name, text) if name else None
            block = render_text(diagnostics, source) if diagnostics else ""
            texts.append(f"{block}\n\n{display_path(path)}: {summary(diagnostics)}".lstrip("\n"))
            # A rule with errors did not load, so it has no ranges to show.
            if ranges and scheme is not None:
                texts.append(format_ranges(scheme))
    if format_ == "text":
        if texts:
            _write(output, "\n\n".join(texts) + "\n")
    elif format_ == "json":
        _write(output, json.dumps(to_json(found), ensure_ascii=False, indent=2) + "\n")
    else:
        sarif = to_sarif(found)
        _write(output, json.dumps(sarif, ensure_ascii=False, indent=2) + "\n")
    if broken:
        raise SystemExit(2)
    failing = {"error", "warning"} if strict else {"error"}
    if any(diagnostic.severity in failing for diagnostic in found):
        raise SystemExit(1)


@main.command(
    "verify",
    short_help=N_("Property-test a rule with generated entities."),
    help=N_(
        "Property-test RULE with hypothesis: scores within bounds, monotone where a "
        "direction is declared or implied, vetoes that dominate, a ledger that adds up.\n\n"
        "A failing property is shown with the smallest entity that breaks it, the node and "
        "the trace.  Entities no line can score (a gap) are counted as data errors, not "
        "failures.  Exit status 1 when a property fails. Needs hypothesis: pip install "
        "'qualitykpi[verify]'."
    ),
)
@click.argument("rule", type=click.Path(dir_okay=False))
@option(
    "--examples",
    type=click.IntRange(min=1),
    default=100,
    show_default=True,
    metavar="N",
    help=N_("Entities to draw for each property."),
)
@option("--seed", type=int, metavar="S", help=N_("Draw the same entities every time (repeatable)."))
@environment_options
def verify_command(rule: str, examples: int, seed: int | None) -> None:
    from .verify import NEEDS_HYPOTHESIS, MissingHypothesis, verify

    try:
        import hypothesis  # noqa: F401
    except ImportError:
        click.echo(_(NEEDS_HYPOTHESIS), err=True)
        raise SystemExit(2) from None
    scheme = _load(rule)
    try:
        report = verify(scheme, examples=examples, seed=seed)
    except MissingHypothesis:
        click.echo(_(NEEDS_HYPOTHESIS), err=True)
        raise SystemExit(2) from None
    click.echo(report.render())
    if not report.ok:
        raise SystemExit(1)


@main.command(
    "template",
    short_help=N_("A blank data sheet for the rule's inputs."),
    help=N_(
        "A blank data sheet for collecting the year's data: one column per input and "
        "assessed item.  What each column holds (label, unit, allowed values) is printed on "
        "stderr; the xlsx version stops bad values at entry with Excel data validation and "
        "lists the columns on a second sheet."
    ),
)
@click.argument("rule", type=click.Path(dir_okay=False))
@option(
    "--format",
    "format_",
    type=click.Choice(TEMPLATE_FORMATS),
    default=None,
    help=N_(
        "csv (UTF-8 with BOM, a header row) or xlsx (with data validation); "
        "default: what --output's suffix names, else csv."
    ),
)
@_output_option
@entity_option(N_("The name of the column naming the entities."), "--entity-column", "--entity")
@environment_options
def template_command(rule: str, format_: str | None, output: str | None, entity: str) -> None:
    format_ = output_format(format_, output, TEMPLATE_FORMATS, "csv")
    scheme = _load(rule)
    if format_ == "xlsx":
        if output is None:
            raise click.UsageError(_(XLSX_NEEDS_OUTPUT))
        try:
            write_template_xlsx(scheme, output, entity=entity)
        except OSError as error:
            _cannot_write(output, error)
    else:
        buffer = io.StringIO()
        write_template_csv(scheme, buffer, entity=entity)
        from .reports import BOM

        _write(output, BOM + buffer.getvalue())
    click.echo(template_notes(scheme, entity=entity), err=True)


main.add_command(fmt_command)
main.add_command(report_command)

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
