"""The HTML report in a real browser: headless Chromium from the system's packages.

One browser for the module.  The page is opened from a file with the
network closed, as an office computer without internet would; the test
reads the DOM after the script ran, sorts a table by clicking its header,
looks at the print styles and takes a screenshot whose measure (not its
pixels) is kept as a golden.  ``QK_UPDATE_GOLDEN=1`` rewrites the measure and
the screenshot the documentation shows (``docs/images/html-report.png``).
"""

from __future__ import annotations

import datetime
import io
import json
import os
import shutil
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

import qualitykpi as qk
from conftest import ROOT
from qualitykpi.reports import html as html_report
from qualitykpi.reports.document import ReportInfo

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
Image = pytest.importorskip("PIL.Image", reason="Pillow (a matplotlib dependency) is missing")
ImageStat = pytest.importorskip("PIL.ImageStat")

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
if not (CHROMIUM and DRIVER):
    pytest.skip(
        "headless Chromium is not installed: apt-get install chromium chromium-driver "
        "fonts-noto-cjk (.ci/run does)",
        allow_module_level=True,
    )

GOLDEN = ROOT / "tests" / "golden" / "html_report_screenshot.json"
SCREENSHOT = ROOT / "docs" / "images" / "html-report.png"
#: The window: tall enough to show the ranking and the first charts.
WIDTH, HEIGHT = 1100, 1500


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    profile = tmp_path_factory.mktemp("chromium-profile")
    for argument in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        "--force-device-scale-factor=1",
        f"--window-size={WIDTH},{HEIGHT}",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = webdriver.ChromeService(executable_path=DRIVER)
    driver = webdriver.Chrome(options=options, service=service)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="module")
def henan() -> tuple[qk.Scheme, qk.Results]:
    scheme = qk.load(ROOT / "examples" / "henan-2021.rule")
    return scheme, scheme.score_table(qk.read_table(ROOT / "examples" / "henan-2021.csv"))


@pytest.fixture(scope="module")
def page(
    browser: Any, henan: tuple[qk.Scheme, qk.Results], tmp_path_factory: pytest.TempPathFactory
) -> Any:
    """The Chinese report of examples/henan-2021, opened, its script run."""
    path = tmp_path_factory.mktemp("report") / "报告.html"
    info = ReportInfo(year="2021", date=datetime.date(2022, 1, 15))
    with qk.use_language("zh"):
        html_report.write_report(path, *henan, info)
    browser.get(path.as_uri())
    browser.execute_script("return document.readyState")
    return browser


def severe(browser: Any) -> list[dict[str, Any]]:
    return [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]


def test_the_console_is_read(browser: Any) -> None:
    """An error on the console is seen: the test below that finds none can fail."""
    browser.get("data:text/html,<script>console.error('seen')</script>")
    assert any("seen" in entry["message"] for entry in severe(browser))


def test_no_console_errors_and_every_entity_present(
    page: Any, henan: tuple[qk.Scheme, qk.Results]
) -> None:
    assert severe(page) == []
    _scheme, results = henan
    shown = page.execute_script(
        "return Array.from(document.querySelectorAll('section.entity'), s => s.dataset.entity)"
    )
    assert shown == [result.entity for _rank, result in results.ranking()]
    ranked = page.execute_script(
        "return Array.from(document.querySelectorAll('#ranking-table tbody tr'),"
        " r => r.cells[1].textContent)"
    )
    assert sorted(ranked) == sorted(result.entity for result in results)
    assert page.title == "河南省2021年度政府质量工作考核"


def test_the_charts_are_drawn(page: Any) -> None:
    sizes = page.execute_script(
        "return Array.from(document.querySelectorAll('svg.chart'), svg => {"
        " const box = svg.getBoundingClientRect();"
        " return [svg.getAttribute('aria-label'), box.width, box.height,"
        "  svg.querySelectorAll('text').length]; })"
    )
    assert [size[0] for size in sizes] == ["等级分布", "各单位总分", "各责任单位失分情况"]
    for _label, width, height, texts in sizes:
        assert width > 100 and height > 100 and texts > 5
    # The charts' text is drawn with a Chinese font of this machine, not boxes.
    family = page.execute_script(
        "return getComputedStyle(document.querySelector('svg.chart text')).fontFamily"
    )
    assert "Noto Sans CJK SC" in family


def cells(page: Any, column: int) -> list[str]:
    script = (
        "return Array.from(document.querySelectorAll('#ranking-table tbody tr'),"
        " r => r.cells[arguments[0]].textContent)"
    )
    result: list[str] = page.execute_script(script, column)
    return result


def click_header(page: Any, column: int) -> None:
    selector = f"#ranking-table thead th:nth-child({column + 1}) button"
    page.find_element(webdriver.common.by.By.CSS_SELECTOR, selector).click()


def test_sorting_by_clicking_a_header(page: Any) -> None:
    before = cells(page, 1)
    click_header(page, 2)  # total, ascending: numbers, not text
    totals = [Decimal(text) for text in cells(page, 2)]
    assert totals == sorted(totals) and cells(page, 1) != before
    click_header(page, 2)  # again: descending
    assert [Decimal(text) for text in cells(page, 2)] == sorted(totals, reverse=True)
    header = page.find_element(
        webdriver.common.by.By.CSS_SELECTOR, "#ranking-table thead th:nth-child(3)"
    )
    assert header.get_attribute("aria-sort") == "descending"
    click_header(page, 1)  # entity: Chinese in pinyin order (安阳 an … 郑州 zheng)
    names = cells(page, 1)
    assert names[0] == "安阳市" and names[-1] == "郑州市"
    click_header(page, 0)  # back to the ranking
    assert [int(text) for text in cells(page, 0)] == list(range(1, 15))
    assert cells(page, 1) == before


def test_print_styles(page: Any) -> None:
    page.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        styles = page.execute_script(
            "const s = getComputedStyle(document.querySelector('section.entity'));"
            "const sticky = Array.from(document.querySelectorAll('*'))"
            " .filter(e => ['sticky', 'fixed'].includes(getComputedStyle(e).position));"
            "const row = getComputedStyle(document.querySelector('tbody tr'));"
            "return [s.breakBefore, sticky.length, row.breakInside,"
            " getComputedStyle(document.querySelector('nav')).display];"
        )
    finally:
        page.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    assert styles == ["page", 0, "avoid", "none"]


def measure(png: bytes) -> dict[str, float]:
    """How much the screenshot holds: the share of non-white pixels and the grey spread."""
    image = Image.open(io.BytesIO(png)).convert("L")
    inked = sum(count for level, count in enumerate(image.histogram()) if level < 250)
    return {
        "inked": round(inked / (image.width * image.height), 2),
        "spread": round(ImageStat.Stat(image).stddev[0]),
    }


def test_screenshot_is_not_blank(page: Any) -> None:
    page.execute_script("window.scrollTo(0, 0)")
    png = page.get_screenshot_as_png()
    measured = measure(png)
    # Blank or nearly so would be well under these.
    assert measured["inked"] > 0.05 and measured["spread"] > 20
    if os.environ.get("QK_UPDATE_GOLDEN") == "1":
        GOLDEN.write_text(json.dumps(measured, indent=2) + "\n", encoding="utf-8")
        # The picture the documentation shows, in fewer colours to stay small.
        image = Image.open(io.BytesIO(png)).convert("RGB").quantize(colors=64)
        image.save(SCREENSHOT, optimize=True)
        return
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    # Fonts and browser versions move pixels, not the amount drawn.
    assert golden["inked"] * 0.6 <= measured["inked"] <= golden["inked"] * 1.4, measured
    assert golden["spread"] * 0.6 <= measured["spread"] <= golden["spread"] * 1.4, measured
