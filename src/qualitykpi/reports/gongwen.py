"""The page and the type of a Chinese official document (GB/T 9704-2012 党政机关公文格式)
for a python-docx document.

The standard's figures (its §5.2 and §7): A4 paper; a type area (版心) of
156 mm × 225 mm, 37 mm from the top edge (天头) and 28 mm from the binding
edge (订口) — so margins of 37 mm top, 35 mm bottom, 28 mm left, 26 mm right;
the body in 3号 (16 pt) 仿宋, 22 lines of 28 characters a page; the title in
2号 (22 pt) 小标宋; first-level headings in 黑体, second-level in 楷体; page
numbers in 4号 (14 pt) 半角宋体 as ``— 1 —``, 7 mm below the type area, on
odd pages on the right and on even pages on the left, one character in.

22 lines in 225 mm is a line every 28.95 pt (579 twips), set as an exact line
spacing and as the document grid; 28 characters in 156 mm is a character
every 15.79 pt, a grid 849/4096 pt narrower than 16 pt — Word and WPS lay the
body on that grid (``w:docGrid w:type="linesAndChars"``).  The title, the
tables and the page numbers are set off the grid, whose cells are for 3号.

Fonts are named, not embedded: Word or WPS on the reader's machine finds
them or substitutes.  East Asian text takes the font named by ``w:eastAsia``
of ``w:rFonts`` (python-docx's ``font.name`` sets only the Latin ones).  The
GB2312 fonts of the standard are the ones government machines have; the
document's font table names for each the font every Chinese Windows has
(``仿宋_GB2312`` → ``仿宋``) as its alternative (``w:altName``).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from os import PathLike
from typing import Any

from .document import require

_docx = require("docx")
_shared = require("docx.shared")
_text = require("docx.enum.text")
_style = require("docx.enum.style")
_table = require("docx.enum.table")
_oxml = require("docx.oxml")
_ns = require("docx.oxml.ns")
_opc = require("docx.opc.oxml")

#: East Asian fonts of the standard, and the Latin font for digits and letters.
FANGSONG = "仿宋_GB2312"
KAITI = "楷体_GB2312"
HEITI = "黑体"
XIAOBIAOSONG = "方正小标宋简体"
SONGTI = "宋体"
LATIN = "Times New Roman"
SANS = "Arial"

#: What Word or WPS is to use where a font of the standard is missing: the
#: font of the same face every Chinese Windows has (小标宋 is a 宋体).
ALTERNATIVES = {FANGSONG: "仿宋", KAITI: "楷体", XIAOBIAOSONG: SONGTI}

BODY_PT = 16  # 3号
TITLE_PT = 22  # 2号
PAGE_NUMBER_PT = 14  # 4号
TABLE_PT = 14
TITLE_LINE_PT = 35
#: 225 mm / 22 lines, in twips (28.95 pt).
LINE_TWIPS = 579
#: 28 characters in 156 mm (442.2 pt) are 15.79 pt each: 3号 condensed by
#: a quarter point, in twentieths of a point.
CONDENSED = -5

#: The paragraph styles this module defines, by role.
TITLE = "QK Title"
BODY = "QK Body"
FLUSH = "QK Flush"
HEADING_1 = "QK Heading 1"
HEADING_2 = "QK Heading 2"
SIGNED = "QK Date"
CELL = "QK Table"
PAGE_NUMBER = "QK Page Number"

#: The elements that come after ``w:snapToGrid`` and ``w:outlineLvl`` in a
#: ``w:pPr``, and after ``w:lang`` in a ``w:rPr``: Word rejects a document
#: whose properties are out of the schema's order.
_AFTER_SNAP = (
    "w:spacing",
    "w:ind",
    "w:contextualSpacing",
    "w:mirrorIndents",
    "w:suppressOverlap",
    "w:jc",
    "w:textDirection",
    "w:textAlignment",
    "w:textboxTightWrap",
    "w:outlineLvl",
    "w:divId",
    "w:cnfStyle",
    "w:rPr",
    "w:sectPr",
    "w:pPrChange",
)
_AFTER_OUTLINE = ("w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")
_AFTER_SPACING = (
    "w:w",
    "w:kern",
    "w:position",
    "w:sz",
    "w:szCs",
    "w:highlight",
    "w:u",
    "w:effect",
    "w:bdr",
    "w:shd",
    "w:fitText",
    "w:vertAlign",
    "w:rtl",
    "w:cs",
    "w:em",
    "w:lang",
    "w:eastAsianLayout",
    "w:specVanish",
    "w:oMath",
)
_AFTER_LANG = ("w:eastAsianLayout", "w:specVanish", "w:oMath", "w:rPrChange")


def new_document() -> Any:
    """A document with the page, the styles and the page numbers of the standard."""
    document = _docx.Document()
    _page(document)
    _styles(document)
    _page_numbers(document)
    return document


def set_fonts(properties: Any, east_asian: str, latin: str = LATIN) -> None:
    """Name the fonts of a ``w:rPr``: ``latin`` for Latin text, ``east_asian`` for Chinese."""
    fonts = properties.get_or_add_rFonts()
    for attribute in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(_ns.qn(attribute), latin)
    fonts.set(_ns.qn("w:eastAsia"), east_asian)
    # Theme fonts would override the names given here.
    for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(_ns.qn(attribute), None)


def _page(document: Any) -> None:
    mm = _shared.Mm
    section = document.sections[0]
    section.page_width, section.page_height = mm(210), mm(297)
    section.top_margin, section.bottom_margin = mm(37), mm(35)
    section.left_margin, section.right_margin = mm(28), mm(26)
    section.header_distance = mm(15)
    # The page number's line is 18 pt (6.35 mm) high: its middle, where
    # the dashes are, 7 mm below the type area's bottom edge (35 mm up).
    section.footer_distance = mm(25)
    grid = section._sectPr.find(_ns.qn("w:docGrid"))
    if grid is None:
        grid = _oxml.OxmlElement("w:docGrid")
        section._sectPr.append(grid)
    grid.set(_ns.qn("w:type"), "lines")
    grid.set(_ns.qn("w:linePitch"), str(LINE_TWIPS))


def _styles(document: Any) -> None:
    pt = _shared.Pt
    styles = document.styles
    normal = styles["Normal"]
    _type(normal, FANGSONG, BODY_PT)
    _condensed(normal.element.get_or_add_rPr())
    line = pt(LINE_TWIPS / 20)
    normal.paragraph_format.line_spacing_rule = _text.WD_LINE_SPACING.EXACTLY
    normal.paragraph_format.line_spacing = line
    normal.paragraph_format.space_before = pt(0)
    normal.paragraph_format.space_after = pt(0)
    normal.paragraph_format.widow_control = True
    # The defaults under Normal: the character grid's pitch is reckoned
    # from their size, and their language is the East Asian text's.
    defaults = styles.element.find(_ns.qn("w:docDefaults"))
    for properties in defaults.iter(_ns.qn("w:rPr")) if defaults is not None else ():
        _defaults(properties)

    def paragraph_style(name: str, font: str, size: int) -> Any:
        style = styles.add_style(name, _style.WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = normal
        style.quick_style = True
        _type(style, font, size)
        return style

    justify = _text.WD_ALIGN_PARAGRAPH
    indent = pt(2 * BODY_PT)  # 空二字

    title = paragraph_style(TITLE, XIAOBIAOSONG, TITLE_PT)
    title.paragraph_format.alignment = justify.CENTER
    # A 2号 line needs more than the body's 28.95 pt.
    title.paragraph_format.line_spacing = pt(TITLE_LINE_PT)
    title.paragraph_format.space_after = line  # 标题下空一行
    title.paragraph_format.keep_with_next = True
    _off_grid(title)
    _outline(title, 0)

    body = paragraph_style(BODY, FANGSONG, BODY_PT)
    body.paragraph_format.alignment = justify.JUSTIFY
    body.paragraph_format.first_line_indent = indent

    flush = paragraph_style(FLUSH, FANGSONG, BODY_PT)
    flush.paragraph_format.alignment = justify.JUSTIFY

    for name, font, level in ((HEADING_1, HEITI, 1), (HEADING_2, KAITI, 2)):
        heading = paragraph_style(name, font, BODY_PT)
        if font == HEITI:
            # The sans serif beside 黑体, for English headings.
            set_fonts(heading.element.get_or_add_rPr(), HEITI, SANS)
        heading.paragraph_format.first_line_indent = indent
        heading.paragraph_format.keep_with_next = True
        heading.paragraph_format.alignment = justify.JUSTIFY
        _outline(heading, level)

    signed = paragraph_style(SIGNED, FANGSONG, BODY_PT)
    signed.paragraph_format.alignment = justify.RIGHT
    signed.paragraph_format.right_indent = pt(4 * BODY_PT)  # 右空四字

    cell = paragraph_style(CELL, FANGSONG, TABLE_PT)
    cell.paragraph_format.alignment = justify.CENTER
    cell.paragraph_format.line_spacing = pt(TABLE_PT * 1.5)
    _off_grid(cell)

    number = paragraph_style(PAGE_NUMBER, SONGTI, PAGE_NUMBER_PT)
    number.paragraph_format.line_spacing = pt(18)
    _off_grid(number)
    _type(number, SONGTI, PAGE_NUMBER_PT, latin=SONGTI)


def _type(style: Any, east_asian: str, size: int, latin: str = LATIN) -> None:
    style.font.size = _shared.Pt(size)
    set_fonts(style.element.get_or_add_rPr(), east_asian, latin)


def _condensed(properties: Any) -> None:
    """28 characters of 3号 to a 156 mm line."""
    spacing = _oxml.OxmlElement("w:spacing")
    spacing.set(_ns.qn("w:val"), str(CONDENSED))
    properties.insert_element_before(spacing, *_AFTER_SPACING)


def _defaults(properties: Any) -> None:
    set_fonts(properties, FANGSONG)
    for tag in ("w:sz", "w:szCs"):
        size = properties.find(_ns.qn(tag))
        if size is not None:
            size.set(_ns.qn("w:val"), str(2 * BODY_PT))
    lang = properties.find(_ns.qn("w:lang"))
    if lang is None:
        lang = _oxml.OxmlElement("w:lang")
        properties.insert_element_before(lang, *_AFTER_LANG)
    # Chinese punctuation and line breaking for East Asian text.
    lang.set(_ns.qn("w:val"), "en-US")
    lang.set(_ns.qn("w:eastAsia"), "zh-CN")


def _off_grid(style: Any) -> None:
    snap = _oxml.OxmlElement("w:snapToGrid")
    snap.set(_ns.qn("w:val"), "0")
    style.element.get_or_add_pPr().insert_element_before(snap, *_AFTER_SNAP)


def _outline(style: Any, level: int) -> None:
    """The level the navigation pane and a table of contents show the style at."""
    outline = _oxml.OxmlElement("w:outlineLvl")
    outline.set(_ns.qn("w:val"), str(level))
    style.element.get_or_add_pPr().insert_element_before(outline, *_AFTER_OUTLINE)


def _page_numbers(document: Any) -> None:
    """``— 1 —``: odd pages on the right, even pages on the left, one character in."""
    document.settings.odd_and_even_pages_header_footer = True
    section = document.sections[0]
    one = _shared.Pt(PAGE_NUMBER_PT)
    for footer, odd in ((section.footer, True), (section.even_page_footer, False)):
        footer.is_linked_to_previous = False
        paragraph = footer.paragraphs[0]
        paragraph.style = document.styles[PAGE_NUMBER]
        layout = paragraph.paragraph_format
        if odd:
            layout.alignment = _text.WD_ALIGN_PARAGRAPH.RIGHT
            layout.right_indent = one
        else:
            layout.alignment = _text.WD_ALIGN_PARAGRAPH.LEFT
            layout.left_indent = one
        paragraph.add_run("— ")
        _field(paragraph, "PAGE", "1")
        paragraph.add_run(" —")


def _field(paragraph: Any, instruction: str, shown: str) -> None:
    """A field Word and WPS update when the page is laid out (``PAGE``)."""

    def char(kind: str) -> None:
        mark = _oxml.OxmlElement("w:fldChar")
        mark.set(_ns.qn("w:fldCharType"), kind)
        paragraph.add_run()._r.append(mark)

    char("begin")
    code = _oxml.OxmlElement("w:instrText")
    code.set(_ns.qn("xml:space"), "preserve")
    code.text = f" {instruction} "
    paragraph.add_run()._r.append(code)
    char("separate")
    paragraph.add_run(shown)
    char("end")


# ------------------------------------------------------------------ content


def paragraph(document: Any, text: str, style: str, *, new_page: bool = False) -> Any:
    added = document.add_paragraph(text, style=style)
    if new_page:
        added.paragraph_format.page_break_before = True
    return added


def table(
    document: Any, header: Sequence[str], rows: Sequence[Sequence[str]], widths_mm: Sequence[int]
) -> Any:
    """A ruled table, its header row repeated on every page it runs over."""
    added = document.add_table(rows=1 + len(rows), cols=len(header))
    added.style = document.styles["Table Grid"]
    added.alignment = _table.WD_TABLE_ALIGNMENT.CENTER
    added.autofit = False
    # LibreOffice reads the grid's widths, Word the cells'.
    for column, width in zip(added.columns, widths_mm, strict=True):
        column.width = _shared.Mm(width)
    for index, cells in enumerate([header, *rows]):
        row = added.rows[index]
        for column, text in enumerate(cells):
            cell = row.cells[column]
            cell.width = _shared.Mm(widths_mm[column])
            cell.vertical_alignment = _table.WD_CELL_VERTICAL_ALIGNMENT.CENTER
            cell.paragraphs[0].style = document.styles[CELL]
            cell.paragraphs[0].add_run(text)
        if index == 0:
            mark = _oxml.OxmlElement("w:tblHeader")
            row._tr.get_or_add_trPr().append(mark)
            for cell in row.cells:
                set_fonts(cell.paragraphs[0].runs[0]._r.get_or_add_rPr(), HEITI)
    return added


# --------------------------------------------------------------------- file


def save(document: Any, path: str | PathLike[str]) -> None:
    """Write the document, its font table naming the alternatives of the standard's fonts."""
    buffer = io.BytesIO()
    document.save(buffer)
    buffer.seek(0)
    with (
        zipfile.ZipFile(buffer) as source,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "word/fontTable.xml":
                data = _font_table(data)
            target.writestr(item, data)


def _font_table(data: bytes) -> bytes:
    fonts = _oxml.parse_xml(data)
    named = {font.get(_ns.qn("w:name")) for font in fonts.iter(_ns.qn("w:font"))}
    for name in (FANGSONG, KAITI, HEITI, XIAOBIAOSONG, SONGTI):
        if name in named:
            continue
        font = _oxml.OxmlElement("w:font")
        font.set(_ns.qn("w:name"), name)
        alternative = ALTERNATIVES.get(name)
        if alternative is not None:
            alt = _oxml.OxmlElement("w:altName")
            alt.set(_ns.qn("w:val"), alternative)
            font.append(alt)
        # GB2312: Word looks for a font with Chinese characters in it.
        for tag, value in (("w:charset", "86"), ("w:family", "modern"), ("w:pitch", "fixed")):
            element = _oxml.OxmlElement(tag)
            element.set(_ns.qn("w:val"), value)
            font.append(element)
        fonts.append(font)
    serialized: bytes = _opc.serialize_part_xml(fonts)
    return serialized
