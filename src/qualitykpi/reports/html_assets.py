"""The style sheet and the script the HTML report carries inline.

Both are written here, by us, and put into the page as they are: the report
opens on a computer with no internet (no CDN, no web fonts).  The fonts are
named, not shipped: the reader's own Chinese fonts draw the page and the
charts' text.
"""

from __future__ import annotations

#: Common Chinese fonts of Windows, macOS and Linux, then the generic family.
FONT_STACK = (
    '"Microsoft YaHei", "微软雅黑", "PingFang SC", "Hiragino Sans GB", '
    '"Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", '
    '"SimHei", "SimSun", "宋体", sans-serif'
)

CSS = (
    ":root { --font: "
    + FONT_STACK
    + "; }"
    + """
:root {
  --ink: #1f2328; --muted: #59636e; --line: #d0d7de; --head: #f3f5f7;
  --low: #fdecea; --low-ink: #b71c1c; --veto: #8e24aa;
}
* { box-sizing: border-box; }
body {
  font-family: var(--font);
  color: var(--ink); background: #fff; margin: 0; line-height: 1.6; font-size: 15px;
}
main { max-width: 1120px; margin: 0 auto; padding: 24px 20px 48px; }
h1 { font-size: 1.7em; margin: 0 0 0.3em; }
h2 { font-size: 1.3em; border-bottom: 2px solid var(--line); padding-bottom: 0.2em;
     margin-top: 1.8em; }
h3 { font-size: 1.08em; margin: 1.2em 0 0.4em; }
.meta { color: var(--muted); margin: 0; }
.meta span + span::before { content: " · "; }
nav ul { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 4px 18px; }
a { color: #0b57d0; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; margin: 0.4em 0 1em; font-size: 0.93em; }
th, td { border: 1px solid var(--line); padding: 4px 8px; vertical-align: top; }
thead th { background: var(--head); text-align: left; min-width: 3.5em; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
th.num { text-align: right; }
td.entity { white-space: nowrap; }
td.vetoes { min-width: 12em; }
th button { font: inherit; font-weight: bold; color: inherit; background: none; border: 0;
            padding: 0; cursor: pointer; text-align: inherit; }
th button::after { content: " \\2195"; color: var(--muted); font-weight: normal; }
th[aria-sort="ascending"] button::after { content: " \\2191"; color: var(--ink); }
th[aria-sort="descending"] button::after { content: " \\2193"; color: var(--ink); }
tr.lowest td { background: var(--low); }
tr.lowest td.grade, td.grade.lowest { color: var(--low-ink); font-weight: bold; }
.veto { color: var(--veto); font-weight: bold; }
.veto-mark { color: var(--veto); font-weight: bold; margin-left: 0.3em; }
.charts { display: flex; flex-wrap: wrap; gap: 12px 32px; align-items: flex-start; }
figure { margin: 0.6em 0 1.2em; }
figcaption { color: var(--muted); font-size: 0.9em; }
svg.chart { max-width: 100%; height: auto; display: block; }
svg.chart * { stroke-linejoin: round; stroke-linecap: butt; }
svg.chart text { font-family: var(--font) !important; }
.standing { font-size: 1.05em; }
ul.vetoes { border-left: 4px solid var(--veto); background: #f8eefa; padding: 6px 12px 6px 28px; }
.details p { margin: 0; }
.quote { color: var(--muted); }
.notes p { margin: 0.3em 0; }
details summary { cursor: pointer; color: var(--muted); }
@media print {
  @page { size: A4; margin: 14mm 12mm; }
  body { font-size: 10.5pt; }
  main { max-width: none; padding: 0; }
  nav, th button::after { display: none; }
  thead { display: table-header-group; }
  tr, figure, svg.chart { break-inside: avoid; page-break-inside: avoid; }
  h2, h3 { break-after: avoid; page-break-after: avoid; }
  section.entity { break-before: page; page-break-before: always; }
  .scroll { overflow: visible; }
  details > *:not(summary) { display: block; }
  a { color: inherit; text-decoration: none; }
  tr.lowest td { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""
)

#: Sorts a table by the column whose header is clicked: numbers by the
#: order the report gives them (``data-sort``, worked out exactly in Python),
#: text as a Chinese reader expects (the collator's pinyin order).
SCRIPT = """
(function () {
  "use strict";
  var collator = new Intl.Collator(["zh-CN", "en"], { numeric: true });
  function compare(a, b) {
    var x = a ? a.getAttribute("data-sort") : null;
    var y = b ? b.getAttribute("data-sort") : null;
    if (x !== null && y !== null) { return Number(x) - Number(y); }
    return collator.compare(a ? a.textContent.trim() : "", b ? b.textContent.trim() : "");
  }
  function sortBy(table, headers, index) {
    var header = headers[index];
    var ascending = header.getAttribute("aria-sort") !== "ascending";
    Array.prototype.forEach.call(headers, function (other) {
      other.removeAttribute("aria-sort");
    });
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (first, second) {
      var order = compare(first.cells[index], second.cells[index]);
      return ascending ? order : -order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
  }
  Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), function (table) {
    var headers = table.tHead.rows[0].cells;
    var label = table.getAttribute("data-sort-label") || "";
    Array.prototype.forEach.call(headers, function (header, index) {
      var button = document.createElement("button");
      button.type = "button";
      button.title = label;
      while (header.firstChild) { button.appendChild(header.firstChild); }
      header.appendChild(button);
      button.addEventListener("click", function () { sortBy(table, headers, index); });
    });
  });
})();
"""
