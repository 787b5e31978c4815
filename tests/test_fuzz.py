"""Mutated rule texts through every tool: only RuleError and DataError may escape.

A seeded, repeatable fuzz run over the rule snippets of the docs and the test
data: numbers swapped for extreme ones, lines deleted, doubled, swapped or
reworded, stray characters, tiny precisions, deep nesting.  Whatever loads is
then checked, its examples run, its coverage and template written, a cohort
with odd cells scored, explained and reported; the ledger must add up for
every entity.  ``QUALITYKPI_FUZZ=20000 pytest tests/test_fuzz.py`` for a long run
(and ``QUALITYKPI_FUZZ_SEED`` for other mutants).
"""

from __future__ import annotations

import io
import os
import random
import re
import signal
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

import pytest

import qualitykpi as qk
from conftest import DATA, ROOT, assert_ledger_adds_up
from qualitykpi import reports
from qualitykpi.checks import format_ranges
from qualitykpi.coverage import coverage
from qualitykpi.reports import owners as owners_report
from qualitykpi.template import template_notes, write_template_csv
from test_docs import PAGES, RULE_LANGUAGES, code_blocks

#: Texts per run; the default keeps the suite quick.
COUNT = int(os.environ.get("QUALITYKPI_FUZZ", "2500"))
#: Another seed explores other mutants: ``QUALITYKPI_FUZZ_SEED=7``.
SEED = int(os.environ.get("QUALITYKPI_FUZZ_SEED", "20261206"))
#: A run that takes this long on one text has hung (a guard, not a timing test).
HANG_SECONDS = 30

_NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?")
_NUMBERS = (
    *("0", "1", "100", "-5", "0.5", "99.9", "3", "0.1", "50", "-0.001"),
    "9" * 18,
    "999999999999999999.99999999999999999999",
    "0." + "0" * 19 + "1",
    "0." + "0" * 19 + "3",
    "1" + "0" * 60,
    "9" * 5000,
    "0." + "0" * 300 + "1",
)
_WORDS = (
    *("at least", "at most", "otherwise", "no data", "full", "deduct", "award", "each", "→"),
    *('section "s" max 5 {', "}", 'item "x" max 3 {', "input q: number", "yes", "no"),
    *("precision 0.00000000000000000001", "target 50", "meets target", "scaled to peer max"),
    *('veto "v" when q → grade D', 'bonus "b" at most 2 {', "deduct at most 3", "start at 5"),
    *("example q = 5 → 3", "at least 120% of peer mean", "floor 0", ", at most 2", "assessed"),
    *("each 0.00000000000000000001 below 90 → deduct 1", "input q: number at least 0"),
)
_CELLS = (
    *("", "1e57", "1e400", "1e99999999", "-3", "abc", "99999999999999", "nan", "①", "1_000"),
    *("0.1234567890123456789", "９０．５", "87.2%", "是", "否", "yes", "no", "0", "100"),
)


def _seeds() -> list[str]:
    """Rule texts that load as they are (so that most mutants load too), and a few that do not."""
    texts = [path.read_text(encoding="utf-8-sig") for path in sorted(DATA.glob("*.rule"))]
    for page in PAGES:
        for block in code_blocks(page):
            if block.language in RULE_LANGUAGES and block.text.lstrip().startswith("scheme"):
                texts.append(block.text)
    loading = []
    for text in texts:
        try:
            qk.loads(text)
        except qk.RuleError:
            continue
        loading.append(text)
    errors = ROOT / "tests" / "golden" / "errors"
    broken = [path.read_text(encoding="utf-8") for path in sorted(errors.glob("*.rule"))]
    return loading + broken[::4]


def _mutate(text: str, rng: random.Random) -> str:
    lines = text.split("\n")
    kind = rng.randrange(9)
    numbers = list(_NUMBER.finditer(text))
    if kind == 0 and numbers:
        found = rng.choice(numbers)
        return text[: found.start()] + rng.choice(_NUMBERS) + text[found.end() :]
    if kind == 1 and numbers:
        found = rng.choice(numbers)
        value = Decimal(found.group()).scaleb(rng.randint(-22, 22))
        shown = format(rng.choice([value, -value]), "f")
        return text[: found.start()] + shown + text[found.end() :]
    if kind == 2 and len(lines) > 2:
        del lines[rng.randrange(len(lines))]
    elif kind == 3:
        index = rng.randrange(len(lines))
        lines.insert(index, lines[index])
    elif kind == 4 and len(lines) > 2:
        a, b = rng.randrange(len(lines)), rng.randrange(len(lines))
        lines[a], lines[b] = lines[b], lines[a]
    elif kind == 5:
        lines.insert(rng.randrange(len(lines)), rng.choice(_WORDS))
    elif kind == 6:
        index = rng.randrange(len(lines))
        words = lines[index].split(" ")
        words[rng.randrange(len(words))] = rng.choice(_WORDS)
        lines[index] = " ".join(words)
    elif kind == 7:
        at = rng.randrange(len(text) + 1)
        return text[:at] + rng.choice('{}()[]→%-–,;:"\n 0.5#') + text[at:]
    else:
        tiny = rng.choice(["0.00000000000000000001", "0.3", "7", "123456789012345678"])
        return re.sub(r"precision [\d.]+", f"precision {tiny}", text)
    return "\n".join(lines)


def _texts() -> Iterator[str]:
    rng = random.Random(SEED)
    seeds = _seeds()
    for number in range(COUNT):
        if number % 500 == 499:
            yield 'scheme "deep" {\n' + 'section "s" max 1 {\n' * 600 + "}" * 601
            continue
        text = rng.choice(seeds)
        for _ in range(rng.choice((1, 1, 1, 2, 3))):
            text = _mutate(text, rng)
        yield text


class _Hung(Exception):
    pass


@contextmanager
def _guard(seconds: int) -> Iterator[None]:
    def hung(signum: int, frame: object) -> None:
        raise _Hung(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _exercise(text: str, rng: random.Random) -> None:
    try:
        scheme = qk.loads(text, "fuzz.rule")
    except qk.RuleError as error:
        assert error.errors, "a rule error names at least one mistake"
        return
    scheme.check()
    scheme.run_examples()
    report = coverage(scheme)
    report.render()
    report.render_stubs()
    write_template_csv(scheme, io.StringIO())
    template_notes(scheme)
    rows = [
        {"entity": f"e{index}", **{name: rng.choice(_CELLS) for name in scheme.inputs}}
        for index in range(5)
    ]
    for row in rows[:3]:
        for name, spec in scheme.inputs.items():
            if spec.type != "yes/no" and rng.random() < 0.7:
                row[name] = str(rng.randint(0, 100))
    results = scheme.score_table(rows)
    assert {result.entity for result in results} | {e.entity for e in results.errors} >= {
        row["entity"] for row in rows
    }, "every entity is scored or named in an error"
    for result in results:
        assert_ledger_adds_up(result)
        result.explain()
    results.ranking()
    format_ranges(scheme)
    reports.score_json(results, explain=True)
    reports.score_csv(scheme, results)
    reports.render_text(reports.score_blocks(scheme, results, explain=True))
    owners_report.owners_json(scheme, results)


@pytest.mark.skipif(not hasattr(signal, "SIGALRM"), reason="the hang guard needs SIGALRM")
def test_only_rule_and_data_errors_escape() -> None:
    failures: list[str] = []
    for number, text in enumerate(_texts()):
        try:
            with _guard(HANG_SECONDS):
                _exercise(text, random.Random(number))
        except qk.RuleError:
            pass  # a DataError from score() is what a caller expects
        except Exception:
            failures.append(f"text {number}:\n{text}\n{traceback.format_exc(limit=6)}")
            if len(failures) >= 5:
                break
    assert not failures, "\n\n".join(failures)


def test_the_mutations_reach_every_tool() -> None:
    """The run is only worth something if many mutants load and get scored."""
    loaded = 0
    # About a quarter load; a thousand keep the count clear of the RNG's luck.
    for text in list(_texts())[:1000]:
        try:
            qk.loads(text)
        except qk.RuleError:
            continue
        loaded += 1
    assert loaded >= 200
