"""Shared fixtures.  Tests import the installed ``qualitykpi``, never ``src/``."""

from __future__ import annotations

import csv
import importlib
import os
import sys
from fractions import Fraction
from pathlib import Path
from types import ModuleType

import pytest

import qualitykpi as qk

# Messages are English unless a test asks for Chinese: the suite must not
# depend on the locale of the machine it runs on.
for _variable in ("LC_ALL", "LC_MESSAGES", "LANGUAGE"):
    os.environ.pop(_variable, None)
os.environ["LANG"] = "C.UTF-8"

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture
def worked_rule() -> Path:
    return DATA / "worked_example.rule"


@pytest.fixture
def worked_rows() -> list[dict[str, str]]:
    return read_csv(DATA / "worked_example.csv")


def check_golden(path: Path, actual: str) -> None:
    """Compare with a golden file; ``QK_UPDATE_GOLDEN=1`` rewrites it instead."""
    import os

    if os.environ.get("QK_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        return
    assert path.exists(), f"no golden file {path}; run with QK_UPDATE_GOLDEN=1 to create it"
    assert actual == path.read_text(encoding="utf-8")


def assert_ledger_adds_up(result: qk.Result) -> None:
    """The ledger adds up exactly to max − total, and each node's steps to its loss.

    Added as fractions: ``Decimal`` addition rounds to 28 digits, and a
    rule or a cell may have up to 38.
    """

    def lost(node: qk.NodeResult | qk.Result) -> Fraction:
        score = node.total if isinstance(node, qk.Result) else node.score
        return Fraction(node.max) - Fraction(score)

    ledger = sum((Fraction(entry.amount) for entry in result.lost_points()), Fraction(0))
    assert ledger == lost(result), result.entity
    for node in result.walk():
        own = sum((Fraction(s.amount) for s in node.steps if s.amount is not None), Fraction(0))
        below = sum((lost(child) for child in node.children if child.kind != "bonus"), Fraction(0))
        assert own + below == lost(node), node.id


BENCHMARKS = ROOT / "benchmarks"


def benchmark(name: str) -> ModuleType:
    """The script ``benchmarks/NAME.py`` as a module, imported once: the scripts
    are not a package and import each other by name, as they do when run."""
    if str(BENCHMARKS) not in sys.path:
        sys.path.insert(0, str(BENCHMARKS))
    return importlib.import_module(name)


def run_cli(*args: str, cwd: Path = DATA.parent) -> tuple[int, str, str]:
    """``qualitykpi ARGS`` in ``cwd`` (by default the tests' folder, so that the
    relative paths in golden files do not depend on the checkout's place):
    exit status, stdout, stderr.  An exception other than an exit is raised."""
    from click.testing import CliRunner

    from qualitykpi.cli import main

    before = os.getcwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(main, list(args), prog_name="qualitykpi")
    finally:
        os.chdir(before)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr
