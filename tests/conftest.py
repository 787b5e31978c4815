"""Shared fixtures.  Tests import the installed ``qualitykpi``, never ``src/``."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

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
