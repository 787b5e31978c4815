"""`qualitykpi report`: choosing the format, the usage errors, --notes, a missing extra."""

from __future__ import annotations

import sys
from pathlib import Path

import openpyxl
import pytest

from conftest import ROOT, check_golden, run_cli
from qualitykpi import cli_report

GOLDEN = Path(__file__).resolve().parent / "golden"
WORKED = ("data/worked_example.rule", "data/worked_example.csv")

#: Each way to name the output wrongly, with the reason it is refused.
USAGE = [
    [],  # no --output
    ["-o", "report"],  # no suffix, no --format
    ["-o", "report.pdf"],  # a suffix nobody writes
    ["-o", "report.json"],  # a suffix of a format report does not write
    ["-o", "report.json", "--format", "xlsx"],  # --format and the suffix disagree
]


def run(*args: str) -> tuple[int, str, str]:
    return run_cli(*args)


def _usage_errors(*lang: str) -> str:
    shown = []
    for extra in USAGE:
        code, out, err = run(*lang, "report", *WORKED, *extra)
        assert (code, out) == (2, ""), extra
        assert "Traceback" not in err
        shown.append(f"$ qualitykpi report RULE DATA {' '.join(extra)}".rstrip() + "\n" + err)
    return "\n".join(shown)


def test_usage_errors() -> None:
    check_golden(GOLDEN / "cli" / "report_usage.stderr.txt", _usage_errors())


def test_usage_errors_in_chinese() -> None:
    check_golden(GOLDEN / "cli_zh" / "report_usage.stderr.txt", _usage_errors("--lang", "zh"))


def test_format_without_suffix(tmp_path: Path) -> None:
    target = tmp_path / "report"
    code, _, err = run("report", *WORKED, "-o", str(target), "--format", "xlsx")
    assert (code, err) == (0, "")
    with target.open("rb") as handle:
        assert openpyxl.load_workbook(handle).sheetnames[0] == "ranking"


@pytest.mark.parametrize("suffix", [".xlsx", ".html", ".htm", ".docx"])
def test_each_suffix_gets_its_report(tmp_path: Path, suffix: str) -> None:
    """The command writes what the suffix names, with the office's title and year."""
    target = tmp_path / f"report{suffix}"
    named = ("--title", "考核通报", "--year", "2024")
    code, out, err = run("--lang", "zh", "report", *WORKED, "-o", str(target), *named)
    assert (code, out, err) == (0, "", "")
    if suffix == ".xlsx":
        with target.open("rb") as handle:
            assert openpyxl.load_workbook(handle).sheetnames[0] == "排名"
    elif suffix == ".docx":
        import docx

        first = docx.Document(str(target)).paragraphs[0].text
        assert first == "考核通报"
    else:
        page = target.read_text(encoding="utf-8")
        assert page.startswith("<!DOCTYPE html>") and "考核通报" in page and "2024" in page


def test_notices_dir_writes_one_word_document_per_entity(tmp_path: Path) -> None:
    target, folder = tmp_path / "通报.docx", tmp_path / "扣分说明"
    code, out, err = run(
        "--lang", "zh", "report", *WORKED, "-o", str(target), "--notices-dir", str(folder)
    )
    assert (code, out, err) == (0, "", "")
    assert sorted(path.name for path in folder.iterdir()) == [
        "丙扣分说明.docx",
        "乙扣分说明.docx",
        "甲扣分说明.docx",
    ]
    code, _, err = run("report", *WORKED, "-o", str(tmp_path / "r.html"), "--notices-dir", "x")
    assert code == 2 and "--notices-dir writes Word documents" in err


def test_unwritable_output(tmp_path: Path) -> None:
    target = tmp_path / "missing" / "report.xlsx"
    code, _, err = run("report", *WORKED, "-o", str(target))
    assert code == 2 and f"cannot write {target}" in err


# -------------------------------------------------------------------- notes


def test_notes_become_paragraphs(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text(
        "\ufeff各地要对照扣分说明，\n认真整改。\n\n\n"
        "The results were\nreviewed on 5 March.\n  \nLast 段落。\n",
        encoding="utf-8",
    )
    assert cli_report.read_notes(str(notes)) == (
        "各地要对照扣分说明，认真整改。",
        "The results were reviewed on 5 March.",
        "Last 段落。",
    )
    target = tmp_path / "r.xlsx"
    code, _, err = run("report", *WORKED, "-o", str(target), "--notes", str(notes))
    assert (code, err) == (0, "")
    cells = [row[0] for row in openpyxl.load_workbook(target)["ranking"].values if row[0]]
    assert cells[-4:] == [
        "Notes",
        "各地要对照扣分说明，认真整改。",
        "The results were reviewed on 5 March.",
        "Last 段落。",
    ]


def test_notes_that_are_not_utf8_or_missing(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_bytes("整改".encode("gbk"))
    target = tmp_path / "r.xlsx"
    code, _, err = run("report", *WORKED, "-o", str(target), "--notes", str(notes))
    assert code == 2
    assert f"{notes} is not UTF-8 text (byte 0); save it as UTF-8" in err
    assert not target.exists()
    code, _, err = run("report", *WORKED, "-o", str(target), "--notes", str(tmp_path / "none"))
    assert code == 2 and "cannot read" in err


# ------------------------------------------------------------ missing extra


def _fake_writer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, module: str, before: str, body: str
) -> None:
    """A writer module of the test's own, made the one for ``.xlsx``: ``before`` its
    module level, ``body`` what its ``write_report`` does."""
    (tmp_path / f"{module}.py").write_text(
        f"{before}\n\ndef write_report(path, scheme, results, info):\n    {body}\n",
        encoding="utf-8",
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setitem(cli_report.WRITERS, ".xlsx", f"{module}:write_report")


def test_a_missing_writer_library_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A writer module that imports a library which is not installed.
    _fake_writer(
        tmp_path,
        monkeypatch,
        "qk_test_writer",
        "import qk_test_library_not_installed",
        "raise AssertionError('not reached')",
    )
    target = tmp_path / "r.xlsx"
    code, out, err = run("report", *WORKED, "-o", str(target))
    assert (code, out) == (2, "")
    assert err == (
        "qualitykpi: this report needs qk_test_library_not_installed, which is not installed; "
        'install it with: pip install "qualitykpi[reports]"\n'
    )
    assert not target.exists()
    sys.modules.pop("qk_test_writer", None)


def test_a_writer_that_finds_its_library_missing_late(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fake_writer(
        tmp_path,
        monkeypatch,
        "qk_test_late_writer",
        "from qualitykpi.reports.document import require",
        "require('qk_test_library_not_installed')",
    )
    code, _, err = run("report", *WORKED, "-o", str(tmp_path / "r.xlsx"))
    assert code == 2
    assert "needs qk_test_library_not_installed" in err and "Traceback" not in err
    sys.modules.pop("qk_test_late_writer", None)


def test_docs_describe_report_and_every_option() -> None:
    page = (ROOT / "docs" / "cli.rst").read_text(encoding="utf-8")
    assert "``qualitykpi report``" in page
    section = page[page.index("``qualitykpi report``") :]
    section = section[: section.index("``qualitykpi explain``")]
    for param in cli_report.report_command.params:
        for name in param.opts:
            if name.startswith("--") and name not in ("--help", "--env", "--no-plugins"):
                assert name in section, name
    assert (ROOT / "docs" / "images" / "workbook-ranking.png").exists()
