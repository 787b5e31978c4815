"""The workbook as it prints: LibreOffice converts it to PDF, and the pages are read.

Skipped when LibreOffice (``soffice``) or poppler (``pdfinfo``, ``pdftotext``)
is missing; ``.ci/run`` installs them, so CI never skips.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import ROOT
from qualitykpi.cli import main

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
POPPLER = shutil.which("pdfinfo") and shutil.which("pdftotext")

pytestmark = [
    pytest.mark.skipif(
        SOFFICE is None,
        reason="LibreOffice (soffice) is not installed (.ci/run installs libreoffice-calc-nogui)",
    ),
    pytest.mark.skipif(
        not POPPLER, reason="pdfinfo and pdftotext are not installed (package poppler-utils)"
    ),
]

HENAN = (str(ROOT / "examples/henan-2021.rule"), str(ROOT / "examples/henan-2021.csv"))
#: What `score -o FILE.xlsx` printed on for this cohort before the workbook had a
#: print setup, in A4 pages (without the ledger; shuangtaizi's took 38 with it).
PAGES_BEFORE = 55


def to_pdf(workbook: Path, folder: Path) -> Path:
    """Convert with a private LibreOffice profile (a running LibreOffice, or
    another test's, would otherwise take the conversion or lock the profile)."""
    profile = (folder / "profile").as_uri()
    subprocess.run(
        [
            str(SOFFICE),
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            str(workbook),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    pdf = folder / (workbook.stem + ".pdf")
    assert pdf.exists(), f"LibreOffice wrote no {pdf.name}"
    return pdf


def pages(pdf: Path) -> list[str]:
    """The text of each page."""
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    count = int(next(line for line in info.splitlines() if line.startswith("Pages:")).split()[1])
    return [
        subprocess.run(
            ["pdftotext", "-layout", "-f", str(page), "-l", str(page), str(pdf), "-"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        for page in range(1, count + 1)
    ]


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[str], dict[str, object]]:
    folder = tmp_path_factory.mktemp("pdf")
    workbook = folder / "henan.xlsx"
    cwd = os.getcwd()
    os.chdir(folder)
    try:
        runner = CliRunner()
        result = runner.invoke(main, ["report", *HENAN, "-o", str(workbook)])
        assert result.exit_code == 0, result.output
        scores = json.loads(runner.invoke(main, ["score", *HENAN, "--format", "json"]).stdout)
    finally:
        os.chdir(cwd)
    return pages(to_pdf(workbook, folder)), scores


def test_far_fewer_pages(printed: tuple[list[str], dict[str, object]]) -> None:
    text, _scores = printed
    # Ranking, charts, the breakdown of 94 nodes, the owners, 14 entities' notices.
    assert 6 <= len(text) <= 25, len(text)
    assert len(text) < PAGES_BEFORE / 2
    assert f"Page 1 of {len(text)}" in text[0]


def test_the_ranking_is_one_page(printed: tuple[list[str], dict[str, object]]) -> None:
    text, scores = printed
    entities = scores["entities"]
    assert isinstance(entities, list)
    first = text[0]
    for entity in entities:
        assert entity["entity"] in first
        # Its last subtotal: the whole width of the ranking is on the page.
        assert entity["nodes"][-1]["score"] in first
    assert entities[0]["nodes"][-1]["name"] in first
    # The next page is the charts' (the ranking did not run over).
    assert "Charts" in text[1]


def test_every_page_has_its_header_and_number(
    printed: tuple[list[str], dict[str, object]],
) -> None:
    text, scores = printed
    for number, page in enumerate(text, start=1):
        assert f"Page {number} of {len(text)}" in page
        assert str(scores["scheme"]) in page
    # The breakdown's header row is repeated on each of its pages.
    breakdown = [page for page in text if "max" in page and "item" in page and "id" in page]
    assert len(breakdown) >= 2
