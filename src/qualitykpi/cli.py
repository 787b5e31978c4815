"""The ``qualitykpi`` command.

Exit status: 0 success; 1 when data errors were found or an example failed
(everything else is still reported); 2 for rule errors and usage errors.
Messages go to stderr, results to stdout.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import click

from .errors import RuleError
from .results import Result, Results
from .scheme import Scheme, load
from .source import display_width
from .values import fmt


def _load(path: str) -> Scheme:
    try:
        return load(path)
    except RuleError as error:
        click.echo(str(error), err=True)
        raise SystemExit(2) from None
    except OSError as error:
        click.echo(f"qualitykpi: cannot read {path}: {error.strerror}", err=True)
        raise SystemExit(2) from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="qualitykpi")
def main() -> None:
    """Score quality-work assessment rules (质量工作考核评分细则) exactly."""


@main.command("test")
@click.argument("rules", nargs=-1, required=True, type=click.Path(dir_okay=False))
def test_command(rules: tuple[str, ...]) -> None:
    """Run every `example` line in each RULES file.

    A failing example is shown with its line, the expected and the actual
    score, and the trace of how the actual score came about.
    """
    passed = failed = 0
    broken = False
    for path in rules:
        try:
            scheme = load(path)
        except RuleError as error:
            click.echo(str(error), err=True)
            broken = True
            continue
        except OSError as error:
            click.echo(f"qualitykpi: cannot read {path}: {error.strerror}", err=True)
            broken = True
            continue
        outcomes = scheme.run_examples()
        file_failed = 0
        for outcome in outcomes:
            if outcome.passed:
                passed += 1
                continue
            failed += 1
            file_failed += 1
            click.echo(
                f"{path}:{outcome.line}: example failed: expected {outcome.expected}, "
                f"got {outcome.actual}"
            )
            click.echo(f"    {outcome.text}")
            for data_error in outcome.errors:
                click.echo(f"    {data_error}")
            for line in outcome.trace.splitlines():
                click.echo(f"    | {line}")
        if not outcomes:
            click.echo(f"{path}: no examples")
        else:
            ok = len(outcomes) - file_failed
            click.echo(f"{path}: {len(outcomes)} examples, {ok} passed, {file_failed} failed")
    click.echo(f"{passed} passed, {failed} failed")
    if broken:
        raise SystemExit(2)
    if failed:
        raise SystemExit(1)


def _read_csv(path: str) -> list[dict[str, str]]:
    text = Path(path).read_text(encoding="utf-8-sig")
    return list(csv.DictReader(text.splitlines()))


def _table(header: list[str], rows: list[list[str]], right: set[int]) -> str:
    widths = [display_width(cell) for cell in header]
    for row in rows:
        widths = [max(width, display_width(cell)) for width, cell in zip(widths, row, strict=True)]

    def line(cells: list[str]) -> str:
        out = []
        for index, (cell, width) in enumerate(zip(cells, widths, strict=True)):
            pad = " " * (width - display_width(cell))
            out.append(pad + cell if index in right else cell + pad)
        return "  ".join(out).rstrip()

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([line(header), rule, *(line(row) for row in rows)])


def ranking_table(results: Results) -> str:
    """The ranking as text: rank, entity, total, grade, vetoes, section subtotals."""
    ranked = results.ranking()
    tops: list[tuple[str, str]] = []
    if ranked:
        tops = [(node.id, node.name) for node in ranked[0][1].nodes if node.kind != "bonus"]
    header = ["rank", "entity", "total", "grade", "vetoes", *(name for _, name in tops)]
    rows: list[list[str]] = []
    for rank, result in ranked:
        vetoes = "; ".join(hit.name for hit in result.vetoes) or "-"
        subtotals = [str(result[node_id].score) for node_id, _ in tops]
        rows.append(
            [
                str(rank),
                result.entity or "",
                str(result.total),
                result.grade or "-",
                vetoes,
                *subtotals,
            ]
        )
    right = {0, 2, *range(5, 5 + len(tops))}
    return _table(header, rows, right)


def _ledger(result: Result) -> str:
    lines = [f"{result.entity}: lost {result.max - result.total} of {result.max}"]
    for entry in result.lost_points():
        sign = "−" if entry.amount > 0 else "+"
        owners = f" [{', '.join(entry.owners)}]" if entry.owners else ""
        where = f" ({entry.location})" if entry.location else ""
        lines.append(
            f"  {sign}{abs(entry.amount)}  {entry.node_id} {entry.node_name}: "
            f"{entry.reason}{where}{owners}"
        )
    return "\n".join(lines)


@main.command("score")
@click.argument("rule", type=click.Path(dir_okay=False))
@click.argument("data", type=click.Path(dir_okay=False))
@click.option("--entity", default="entity", show_default=True, help="The entity column.")
@click.option("--explain", is_flag=True, help="Add each entity's deduction ledger.")
def score_command(rule: str, data: str, entity: str, explain: bool) -> None:
    """Score the cohort in DATA (CSV, UTF-8) by RULE and print the ranking."""
    scheme = _load(rule)
    try:
        rows = _read_csv(data)
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        click.echo(f"qualitykpi: cannot read {data}: {error}", err=True)
        raise SystemExit(2) from None
    results = scheme.score_table(rows, entity=entity)
    click.echo(f"{scheme.name} — {len(results)} scored, max {fmt(scheme.scorer.max)}")
    click.echo(ranking_table(results))
    if explain:
        for _, result in results.ranking():
            click.echo("")
            click.echo(_ledger(result))
    if results.errors:
        click.echo(f"\n{len(results.errors)} data errors:", err=True)
        for data_error in results.errors:
            click.echo(f"  {data_error}", err=True)
        raise SystemExit(1)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
