"""The Word report (考核结果通报 and 扣分说明), read back with python-docx, and laid out by
LibreOffice when it is installed."""

from __future__ import annotations

import datetime
import importlib
import os
import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.shared import Mm, Pt
from docx.table import Table
from docx.text.paragraph import Paragraph

import qualitykpi as qk
from conftest import ROOT
from qualitykpi.reports import gongwen as page
from qualitykpi.reports import score_data
from qualitykpi.reports.document import MissingExtra, ReportInfo
from qualitykpi.reports.docx import (
    chinese_number,
    date_text,
    title,
    write_notices,
    write_report,
)
from test_notice import BONUS_RULE

EXAMPLES = ROOT / "examples"
#: (rule, data) of the examples the report is written for.
CASES = {
    "henan-2021": ("henan-2021.rule", "henan-2021.csv"),
    "shuangtaizi-zh": ("shuangtaizi-2016-2017.zh.rule", "shuangtaizi-2016-2017.csv"),
}
INFO = ReportInfo(
    year="2021",
    date=datetime.date(2022, 1, 5),
    notes=("各单位要对照考核结果查找差距，抓好整改。", "Second note."),
)
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


Scored = tuple[qk.Scheme, qk.Results]


@pytest.fixture(scope="module", params=sorted(CASES))
def scored(request: pytest.FixtureRequest) -> Scored:
    rule, data = CASES[request.param]
    scheme = qk.load(EXAMPLES / rule)
    results = scheme.score_table(qk.read_table(EXAMPLES / data))
    assert not results.errors
    return scheme, results


@pytest.fixture(scope="module", params=["en", "zh"])
def written(
    request: pytest.FixtureRequest, scored: Scored, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Scored, str, Path]:
    lang = request.param
    path = tmp_path_factory.mktemp("docx") / f"report.{lang}.docx"
    with qk.use_language(lang):
        write_report(path, *scored, INFO)
    return scored, lang, path


def _blocks(document: Any) -> Iterator[Paragraph | Table]:
    yield from document.iter_inner_content()


def _parts(document: Any) -> tuple[list[Paragraph | Table], list[list[Paragraph]]]:
    """The 通报's blocks, and each notice's paragraphs (a notice starts on a new page)."""
    announcement: list[Paragraph | Table] = []
    notices: list[list[Paragraph]] = []
    for block in _blocks(document):
        if isinstance(block, Paragraph) and block.paragraph_format.page_break_before:
            notices.append([])
        if notices:
            assert isinstance(block, Paragraph), "a notice has no tables"
            notices[-1].append(block)
        else:
            announcement.append(block)
    return announcement, notices


def _amount(text: str, lang: str) -> Decimal:
    """The points of ``扣 0.5 分`` / ``deduct 0.5`` (negative: added back)."""
    pattern = r"(扣|加回) (\S+) 分$" if lang == "zh" else r"(deduct|add back) (\S+)$"
    found = re.search(pattern, text)
    assert found, text
    amount = Decimal(found.group(2))
    return amount if found.group(1) in ("扣", "deduct") else -amount


def test_the_announcement_ranks_every_unit_by_grade_with_its_total(
    written: tuple[Scored, str, Path],
) -> None:
    (scheme, results), lang, path = written
    document = docx.Document(str(path))
    announcement, _notices = _parts(document)
    first = announcement[0]
    assert isinstance(first, Paragraph) and first.style is not None
    assert first.style.name == page.TITLE
    with qk.use_language(lang):  # type: ignore[arg-type]
        assert first.text == title(scheme, INFO)
    expected = [
        (str(entity["rank"]), entity["entity"], entity["total"], entity["grade"])
        for entity in score_data(results)["entities"]
    ]
    rows: list[tuple[str, str, str, str | None]] = []
    grade: str | None = None
    for block in announcement:
        if isinstance(block, Paragraph) and block.style is not None:
            if block.style.name == page.HEADING_2:
                # `（一）A等次（9个）`, `(1) Grade A: 9 units`
                found = re.search(r"(?:Grade (\S+):|）(\S+?)等次)", block.text)
                assert found, block.text
                grade = found.group(1) or found.group(2)
        elif isinstance(block, Table):
            for row in block.rows[1:]:
                cells = [cell.text for cell in row.cells]
                rows.append((cells[0], cells[1], cells[2], grade))
    assert rows == expected
    text = "\n".join(block.text for block in announcement if isinstance(block, Paragraph))
    for note in INFO.notes:
        assert note in text
    with qk.use_language(lang):  # type: ignore[arg-type]
        assert date_text(INFO.date) == announcement[-1].text  # type: ignore[union-attr]


def test_the_vetoes_that_fired_are_named_with_their_unit_and_effect(
    written: tuple[Scored, str, Path],
) -> None:
    (_scheme, results), lang, path = written
    announcement, _notices = _parts(docx.Document(str(path)))
    text = "\n".join(block.text for block in announcement if isinstance(block, Paragraph))
    fired = [(result, hit) for result in results for hit in result.vetoes]
    assert fired, "both examples have a unit a veto fired for"
    with qk.use_language(lang):  # type: ignore[arg-type]
        for result, hit in fired:
            assert f"{result.entity}{'：' if lang == 'zh' else ': '}{hit.name}" in text
            assert hit.effect in text


def test_every_unit_has_its_own_notice_on_a_new_page_and_its_points_add_up(
    written: tuple[Scored, str, Path],
) -> None:
    (_scheme, results), lang, path = written
    _announcement, notices = _parts(docx.Document(str(path)))
    entities = score_data(results)["entities"]
    assert len(notices) == len(results) == len(entities)
    for notice, entity in zip(notices, entities, strict=True):
        name, total, maximum = entity["entity"], entity["total"], entity["max"]
        assert notice[0].style is not None and notice[0].style.name == page.TITLE
        assert notice[1].text == (f"{name}：" if lang == "zh" else f"To: {name}")
        text = "\n".join(paragraph.text for paragraph in notice)
        if lang == "zh":
            assert f"总分 {total} 分（满分 {maximum} 分）" in text
            assert f"排名第 {entity['rank']}" in text
        else:
            assert f"Total {total} of {maximum}" in text
            assert f"rank {entity['rank']} of the {len(entities)} units" in text
        points = [
            _amount(paragraph.text, lang)
            for paragraph in notice
            if paragraph.style is not None and paragraph.style.name == page.HEADING_2
        ]
        lost = Decimal(maximum) - Decimal(total)
        assert sum(points, Decimal(0)) == lost
        in_all = "共扣 {} 分" if lang == "zh" else "Points lost ({} in all)"
        assert in_all.format(lost) in text if points else not lost
        for hit in results[name].vetoes:
            assert hit.name in text


def test_a_notice_with_bonuses_and_one_without_points_lost(tmp_path: Path) -> None:
    scheme = qk.loads(BONUS_RULE, name="bonus.rule")
    rows = [
        {"entity": "甲县", "rate": "91.5", "campaigns": "1", "innovations": "2"},
        {"entity": "乙县", "rate": "96", "campaigns": "3", "innovations": "0"},
    ]
    results = scheme.score_table(rows)
    path = tmp_path / "bonus.docx"
    with qk.use_language("zh"):
        write_report(path, scheme, results, ReportInfo(date=datetime.date(2022, 1, 5)))
    _announcement, notices = _parts(docx.Document(str(path)))
    texts = {notice[1].text: "\n".join(p.text for p in notice) for notice in notices}
    assert "、加分情况\n" in texts["甲县："]
    assert "质量创新：2 分" in texts["甲县："] or "质量创新" in texts["甲县："]
    assert "无扣分事项。" in texts["乙县："]
    assert "本次考核未发生否决事项。" in "\n".join(
        block.text for block in _announcement if isinstance(block, Paragraph)
    )


def test_the_page_is_laid_out_as_gb_t_9704_says(written: tuple[Scored, str, Path]) -> None:
    _scored, _lang, path = written
    document = docx.Document(str(path))
    section = document.sections[0]
    size = [section.page_width, section.page_height]
    margins = [section.top_margin, section.bottom_margin, section.left_margin, section.right_margin]
    assert [round(length.mm, 1) for length in size] == [210, 297]
    assert [round(length.mm, 1) for length in margins] == [37, 35, 28, 26]
    # 版心 156 × 225 mm
    assert round(size[0].mm - margins[2].mm - margins[3].mm, 1) == 156
    assert round(size[1].mm - margins[0].mm - margins[1].mm, 1) == 225
    normal = document.styles["Normal"]
    assert normal.font.size == Pt(16)
    assert normal.paragraph_format.line_spacing == Pt(28.95)
    # 22 lines of 28.95 pt fill the 225 mm type area, and no more fit.
    assert 22 * 28.95 <= Mm(225).pt < 23 * 28.95
    grid = section._sectPr.find(f"{W}docGrid")
    assert grid is not None and grid.get(f"{W}linePitch") == "579"
    # 28 characters of 3号, condensed by a quarter point, fit the 156 mm line.
    spacing = normal.element.rPr.find(f"{W}spacing")
    pitch = 16 + int(spacing.get(f"{W}val")) / 20
    assert 28 * pitch <= Mm(156).pt < 29 * pitch


def _east_asian(style: Any) -> str | None:
    fonts = style.element.rPr.find(f"{W}rFonts")
    return None if fonts is None else fonts.get(f"{W}eastAsia")


def test_east_asian_fonts_are_named_on_the_body_and_the_headings(
    written: tuple[Scored, str, Path],
) -> None:
    _scored, _lang, path = written
    document = docx.Document(str(path))
    styles = document.styles
    expected = {
        "Normal": ("仿宋_GB2312", 16),
        page.BODY: ("仿宋_GB2312", 16),
        page.TITLE: ("方正小标宋简体", 22),
        page.HEADING_1: ("黑体", 16),
        page.HEADING_2: ("楷体_GB2312", 16),
    }
    for name, (font, size) in expected.items():
        assert _east_asian(styles[name]) == font, name
        assert styles[name].font.size == Pt(size), name
        fonts = styles[name].element.rPr.find(f"{W}rFonts")
        assert fonts.get(f"{W}eastAsiaTheme") is None, "a theme font would win"
    used = {p.style.name for p in document.paragraphs if p.style is not None}
    assert used <= {page.TITLE, page.BODY, page.FLUSH, page.HEADING_1, page.HEADING_2, page.SIGNED}
    with zipfile.ZipFile(path) as archive:
        table = archive.read("word/fontTable.xml").decode()
    assert '<w:font w:name="仿宋_GB2312"><w:altName w:val="仿宋"/>' in table


def test_the_footer_numbers_the_pages_odd_right_even_left(
    written: tuple[Scored, str, Path],
) -> None:
    _scored, _lang, path = written
    document = docx.Document(str(path))
    assert document.settings.odd_and_even_pages_header_footer
    section = document.sections[0]
    for footer, alignment in ((section.footer, "right"), (section.even_page_footer, "left")):
        (paragraph,) = footer.paragraphs
        assert paragraph.text == "— 1 —"
        codes = [code.text for code in paragraph._p.iter(f"{W}instrText")]
        assert codes == [" PAGE "]
        assert paragraph.paragraph_format.alignment is not None
        assert paragraph.paragraph_format.alignment.name.lower() == alignment
        assert paragraph.style is not None and paragraph.style.font.size == Pt(14)


def test_chinese_reads_as_a_notice_of_results() -> None:
    scheme = qk.load(EXAMPLES / "henan-2021.rule")
    with qk.use_language("zh"):
        assert title(scheme, INFO) == "关于河南省2021年度政府质量工作考核结果的通报"
        assert title(scheme, ReportInfo(title="自定标题")) == "自定标题"
        assert date_text(datetime.date(2022, 1, 5)) == "2022年1月5日"
    with qk.use_language("en"):
        assert date_text(datetime.date(2022, 1, 5)) == "5 January 2022"
    other = qk.loads(BONUS_RULE, name="bonus.rule")
    with qk.use_language("zh"):
        assert title(other, INFO) == "关于2021年度加分考核结果的通报"
    assert [chinese_number(n) for n in (1, 10, 11, 20, 21, 99, 100)] == [
        "一",
        "十",
        "十一",
        "二十",
        "二十一",
        "九十九",
        "100",
    ]


def test_the_document_is_in_the_language_asked_for(written: tuple[Scored, str, Path]) -> None:
    _scored, lang, path = written
    document = docx.Document(str(path))
    # The rule lines a notice quotes are as the rule's author wrote them.
    ours = "\n".join(
        p.text for p in document.paragraphs if p.style is not None and p.style.name != page.BODY
    )
    cells = "\n".join(
        cell.text for table in document.tables for row in table.rows for cell in row.cells
    )
    english = ("Notice", "deduct", "Rank", "Unit", "Score", "Grade", "Vetoes", "To:", "Result")
    chinese = ("考核结果及等次", "否决事项", "扣分说明", "名次", "考核单位", "等次", "扣分情况")
    present, absent = (chinese, english) if lang == "zh" else (english, chinese)
    for word in present:
        assert word in ours + cells
    for word in absent:
        assert word not in ours + cells
    body = "\n".join(p.text for p in document.paragraphs)
    if lang == "zh":
        assert "特此说明。" in body and "请你单位对照上述扣分事项" in body


def test_a_missing_python_docx_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "docx", None)
    reports = importlib.import_module("qualitykpi.reports")
    for module in ("docx", "gongwen"):
        monkeypatch.delitem(sys.modules, f"qualitykpi.reports.{module}")
        # `from . import gongwen` takes the package's attribute when it has one.
        monkeypatch.delattr(reports, module)
    with pytest.raises(
        MissingExtra, match=re.escape('pip install "qualitykpi[reports]"')
    ) as raised:
        importlib.import_module("qualitykpi.reports.docx")
    # The package to install, not the module it brings.
    assert str(raised.value).startswith("this report needs python-docx, which")


# ---------------------------------------------------------------- LibreOffice


def _pages(pdf: Path) -> int:
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
        found = re.search(r"^Pages:\s+(\d+)", info.stdout, re.MULTILINE)
        assert found, info.stdout
        return int(found.group(1))
    return len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf.read_bytes()))


@pytest.mark.skipif(
    shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed"
)
def test_libreoffice_lays_out_a_page_for_the_announcement_and_each_notice(
    written: tuple[Scored, str, Path], tmp_path: Path
) -> None:
    (_scheme, results), _lang, path = written
    profile = (tmp_path / "profile").as_uri()
    command = [
        "soffice",
        f"-env:UserInstallation={profile}",
        "--headless",
        "--convert-to",
        "pdf",
        "--outdir",
        str(tmp_path),
        str(path),
    ]
    done = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "HOME": str(tmp_path)},
    )
    pdf = tmp_path / f"{path.stem}.pdf"
    assert done.returncode == 0 and pdf.exists(), done.stdout + done.stderr
    assert _pages(pdf) >= 1 + len(results)


# ------------------------------------------------------------ one file per unit


def test_each_unit_gets_its_notice_as_a_file_of_its_own(
    written: tuple[Scored, str, Path], tmp_path: Path
) -> None:
    """The attachment pages of the report, one Word document per unit (CHINESE.md §4)."""
    (scheme, results), lang, path = written
    with qk.use_language(lang):  # type: ignore[arg-type]
        files = write_notices(tmp_path / "notices", scheme, results, INFO)
    in_report = _parts(docx.Document(str(path)))[1]
    assert [file.parent for file in files] == [tmp_path / "notices"] * len(results)
    for file, (_rank, result), pages in zip(files, results.ranking(), in_report, strict=True):
        suffix = "扣分说明.docx" if lang == "zh" else " notice of points lost.docx"
        assert file.name == f"{result.entity}{suffix}"
        alone = [p.text for p in docx.Document(str(file)).paragraphs]
        # The same letter as the report's page, without the page break before it.
        assert alone == [p.text for p in pages]
        assert not docx.Document(str(file)).paragraphs[0].paragraph_format.page_break_before


def test_unit_file_names_are_safe_and_distinct(tmp_path: Path) -> None:
    scheme = qk.loads(BONUS_RULE, name="bonus.rule")
    rows = [
        {"entity": name, "rate": "95", "campaigns": "1", "innovations": "0"}
        for name in ("甲/乙", "甲:乙", "CON.", "丙")
    ]
    with qk.use_language("zh"):
        files = write_notices(tmp_path, scheme, scheme.score_table(rows), INFO)
    names = sorted(file.name for file in files)
    assert names == [
        "CON扣分说明.docx",
        "丙扣分说明.docx",
        "甲_乙扣分说明-2.docx",
        "甲_乙扣分说明.docx",
    ]
    assert all(file.is_file() for file in files)
