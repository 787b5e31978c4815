"""The HTML report (qualitykpi.reports.html), read as text: content, escaping, no address."""

from __future__ import annotations

import datetime
import re
import sys
from pathlib import Path

import pytest

import qualitykpi as qk
from conftest import ROOT
from qualitykpi.reports import html as html_report
from qualitykpi.reports import number
from qualitykpi.reports.document import MissingExtra, ReportInfo

EXAMPLES = ROOT / "examples"
INFO = ReportInfo(year="2021", date=datetime.date(2022, 1, 15), notes=("请各单位认真整改。",))


def scored(rule: str, data: str) -> tuple[qk.Scheme, qk.Results]:
    scheme = qk.load(EXAMPLES / rule)
    return scheme, scheme.score_table(qk.read_table(EXAMPLES / data))


def written(tmp_path: Path, scheme: qk.Scheme, results: qk.Results, info: ReportInfo) -> str:
    path = tmp_path / "report.html"
    html_report.write_report(path, scheme, results, info)
    return path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def henan() -> tuple[qk.Scheme, qk.Results]:
    return scored("henan-2021.rule", "henan-2021.csv")


def test_henan_in_chinese(tmp_path: Path, henan: tuple[qk.Scheme, qk.Results]) -> None:
    scheme, results = henan
    with qk.use_language("zh"):
        page = written(tmp_path, scheme, results, INFO)
    assert page.startswith('<!DOCTYPE html>\n<html lang="zh-CN">')
    assert "<h1>河南省2021年度政府质量工作考核</h1>" in page
    for fact in ("考核年度：2021", "日期：2022年1月15日", "考核单位 14 个", "满分 100 分"):
        assert fact in page
    assert "<p>请各单位认真整改。</p>" in page
    # The rules are English; a Chinese reader sees their lines in Chinese keywords.
    assert "每 major_incidents 扣 1 分" in page and "deduct 1 for each" not in page
    for heading in ("考核排名", "等级分布", "各单位总分", "各责任单位失分情况"):
        assert f"<h2>{heading}</h2>" in page
    # Every entity: a row of the ranking and a section of its own, in ranking order.
    sections = re.findall(r'<section class="entity" id="entity-(\d+)" data-entity="([^"]+)"', page)
    ranking = results.ranking()
    assert sections == [(str(i), r.entity) for i, (_rank, r) in enumerate(ranking, 1)]
    for rank, result in ranking:
        assert f"<h2>{rank}. {result.entity}</h2>" in page
        assert f"总分 {number(result.total)} 分（满分 100 分）" in page
    # 新乡市: grade D by a veto, highlighted and marked, ranked last.
    last = re.search(r'<tr class="lowest" data-vetoed="yes">(.*?)</tr>', page)
    assert last is not None
    assert '<a href="#entity-14">新乡市</a>' in last[1] and ">95.6<" in last[1]
    assert '<td data-sort="3" class="grade">D</td>' in last[1]
    assert page.count('class="lowest"') == 2  # its row and the row of grade D
    veto = scheme.scorer.vetoes[0].name
    assert f'<span class="veto">{veto}</span>' in page
    # Exact numbers: 平顶山市's total and a subtotal column header with its max.
    assert ">87.75<" in page and "质量安全监管 (29.5)" in page
    # The 扣分说明 of each entity, as build_notice gives it.
    with qk.use_language("zh"):
        notice = qk.build_notice(results, "平顶山市", scheme)
    assert f"扣分情况（共扣 {number(notice.deducted)} 分）" in page
    assert "原文：「" in page and "责任单位：" in page
    assert page.count("<svg ") == 3


@pytest.mark.parametrize("rule", ["shuangtaizi-2016-2017.rule", "shuangtaizi-2016-2017.zh.rule"])
def test_shuangtaizi_in_english(tmp_path: Path, rule: str) -> None:
    scheme, results = scored(rule, "shuangtaizi-2016-2017.csv")
    with qk.use_language("en"):
        page = written(tmp_path, scheme, results, ReportInfo(title="通报", date=INFO.date))
        notices = [qk.build_notice(results, r.entity or "", scheme) for r in results]
    assert '<html lang="en">' in page and "<h1>通报</h1>" in page
    assert f'<p class="meta">{scheme.name}</p>' in page
    assert "Date: 2022-01-15" in page and "6 entities assessed" in page
    assert "<h2>Ranking</h2>" in page and "<h2>Points lost by office</h2>" in page
    for notice in notices:
        assert f'data-entity="{notice.entity}"' in page
        if notice.points:
            assert f"Points lost ({number(notice.deducted)} in all)" in page
        for point in notice.points:
            assert " › ".join(point.path) in page
    # 大洼区: grade D by a veto, however high its total.
    assert re.search(r'<tr class="lowest" data-vetoed="yes"><td[^>]*>6</td>', page)


def test_no_address_of_any_kind(tmp_path: Path, henan: tuple[qk.Scheme, qk.Results]) -> None:
    """The report opens offline: nothing is fetched, not even a font."""
    scheme, results = henan
    page = written(tmp_path, scheme, results, INFO)
    assert "http" not in page
    assert not re.search(r"""(?:src|href)\s*=\s*(?!["']?#)""", page)
    assert "@import" not in page and "@font-face" not in page
    assert not re.search(r"url\((?!#)", page)
    # Nothing embedded either: the charts are vector shapes and text.
    assert "data:" not in page and "base64" not in page
    assert "<link" not in page and "<img" not in page and "<iframe" not in page
    # One script, ours, inline.
    assert page.count("<script") == 1 and "<script>" in page
    # The charts' text is text (drawn with the reader's fonts), in the page's font stack.
    assert "Microsoft YaHei" in page and "Noto Sans CJK SC" in page
    assert ">许昌市</text>" in page


RULE = """\
scheme "A <b>&amp;</b> \\"rule\\"" {
  total 10
  grades { A at least 9; D otherwise }
  input fraud: yes/no
  veto v1 "<i>fraud</i>" when fraud → grade D owner "O'Brien & <Sons>"
  item a "rate $x$ <u>" max 10 owner "<script>office</script>" {
    input rate: percent
    at least 90% → full
    otherwise → 1.25
  }
}
"""


def test_names_are_escaped(tmp_path: Path) -> None:
    scheme = qk.loads(RULE, name="t.rule")
    evil = '<script>alert("x")</script>'
    rows = [
        {"entity": evil, "fraud": "no", "rate": "80"},
        {"entity": "a&b \"c\" 'd'", "fraud": "yes", "rate": "95"},
    ]
    results = scheme.score_table(rows)
    info = ReportInfo(title="<h1>", notes=("</p><script>",), date=INFO.date)
    page = written(tmp_path, scheme, results, info)
    assert page.count("<script") == 1
    for raw in (evil, "<i>fraud</i>", "<u>", "O'Brien & <Sons>", "<h1><", "</p><script>"):
        assert raw not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "a&amp;b &quot;c&quot; &#x27;d&#x27;" in page
    assert "&lt;i&gt;fraud&lt;/i&gt;" in page and "O&#x27;Brien &amp; &lt;Sons&gt;" in page
    # In the charts too (matplotlib escapes its text, and draws $x$ as it is written).
    assert "rate $x$ &lt;u&gt;" in page
    assert ">1.25<" in page


def test_the_same_report_twice_is_the_same_text(
    tmp_path: Path, henan: tuple[qk.Scheme, qk.Results]
) -> None:
    scheme, results = henan
    assert html_report.render(scheme, results, INFO) == html_report.render(scheme, results, INFO)


def test_charts_leave_matplotlib_settings_alone(henan: tuple[qk.Scheme, qk.Results]) -> None:
    import matplotlib

    before = dict(matplotlib.rcParams)
    html_report.render(*henan, INFO)
    assert dict(matplotlib.rcParams) == before


def test_without_matplotlib_the_message_names_the_extra(
    tmp_path: Path, henan: tuple[qk.Scheme, qk.Results], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in list(sys.modules):
        if name == "matplotlib" or name.startswith("matplotlib."):
            monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(MissingExtra, match=re.escape('pip install "qualitykpi[reports]"')):
        html_report.write_report(tmp_path / "r.html", *henan, INFO)
