"""Charts of a scored cohort as SVG, drawn by matplotlib, for reports to inline.

Text stays text (``svg.fonttype: none``): a Chinese name is drawn by the
reader's browser with the reader's fonts, so nothing needs embedding and the
file stays small.  Nothing global is touched: the settings hold inside
:func:`matplotlib.rc_context`, pyplot is never imported, and each figure is
drawn on its own Agg canvas.  The output is deterministic: a fixed hash
salt, no date or creator in the metadata.

The layout does not depend on the fonts this machine has (the reader's may
differ): margins are worked out from the labels' lengths in characters, not
from measured text.  Numbers written on a chart are the exact decimal text;
floats only place the bars.
"""

from __future__ import annotations

import contextlib
import io
import re
import warnings
from collections.abc import Iterator, Sequence
from decimal import Decimal
from html import escape
from typing import TYPE_CHECKING, Any

from ..source import display_width
from . import number
from .document import require

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

#: The sans-serif fonts a Chinese office's computers are likely to have.
FONTS = (
    "Microsoft YaHei",
    "PingFang SC",
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "WenQuanYi Micro Hei",
    "SimHei",
)

#: Points per inch, and the chart text sizes in points.
PT = 72
SIZE = 9
SMALL = 7

#: Bar colours by grade, best to worst; the worst grade is always red.
GOOD, MIDDLE, FAIR, BAD, NEUTRAL = "#2e7d32", "#1565c0", "#ef8f00", "#c62828", "#607d8b"


def grade_colours(grades: Sequence[str]) -> dict[str, str]:
    """A colour for each grade: green for the best, red for the worst."""
    if not grades:
        return {}
    if len(grades) == 1:
        return {grades[0]: MIDDLE}
    between = [MIDDLE, FAIR]
    colours = [GOOD, *(between[index % 2] for index in range(len(grades) - 2)), BAD]
    return dict(zip(grades, colours, strict=True))


def text_inches(text: str, size: float = SIZE) -> float:
    """About how wide ``text`` is drawn: a Chinese character is one em, others half."""
    return display_width(text) * 0.5 * size / PT


def _settings() -> dict[str, Any]:
    """The matplotlib settings of every chart, with the fonts it knows.

    Only fonts installed here are named (matplotlib logs a warning for
    every missing one); the page's own CSS gives the text the reader's
    fonts in any case.
    """
    font_manager = require("matplotlib.font_manager")
    known = {font.name for font in font_manager.fontManager.ttflist}
    fonts = [font for font in FONTS if font in known]
    return {
        "svg.fonttype": "none",
        "svg.hashsalt": "qualitykpi",
        "font.family": "sans-serif",
        "font.sans-serif": [*fonts, "DejaVu Sans"],
        "font.size": SIZE,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.unicode_minus": False,
    }


def _figure(width: float, height: float) -> Figure:
    figure_module = require("matplotlib.figure")
    agg = require("matplotlib.backends.backend_agg")
    figure: Figure = figure_module.Figure(figsize=(width, height))
    agg.FigureCanvasAgg(figure)
    return figure


def _place(figure: Figure, left: float, right: float, top: float, bottom: float) -> Axes:
    """Axes with margins in inches."""
    width, height = figure.get_size_inches()
    return figure.add_axes(
        (left / width, bottom / height, 1 - (left + right) / width, 1 - (top + bottom) / height)
    )


_PROLOGUE = re.compile(r"\A.*?(?=<svg\b)", re.DOTALL)
_METADATA = re.compile(r"\s*<metadata>.*?</metadata>", re.DOTALL)
#: The one style rule matplotlib puts in each SVG; the page's CSS has it, for charts only.
_STYLE = re.compile(r"\s*<defs>\s*<style[^>]*>[^<]*</style>\s*</defs>")
#: Namespace declarations: an HTML parser puts inline SVG in its namespace itself.
_NAMESPACES = re.compile(r'\s+xmlns(?::xlink)?="[^"]*"')
_IDS = re.compile(r'(\bid="|url\(#|href="#)([^")]+)')


def _svg(figure: Figure, name: str, title: str) -> str:
    """The figure as an ``<svg>`` element to put into an HTML page.

    Without the XML prologue, metadata, style and namespace declarations
    (no address of any kind is left in it); every id starts with ``name``, so
    that several charts in one page do not share an id.
    """
    buffer = io.StringIO()
    with warnings.catch_warnings():
        # No Chinese font here: the layout does not use the glyphs, the reader's browser does.
        warnings.filterwarnings("ignore", message="Glyph .* missing from")
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    text = _PROLOGUE.sub("", buffer.getvalue(), count=1)
    opening, rest = text.split(">", 1)
    text = _NAMESPACES.sub("", opening) + ">" + _STYLE.sub("", _METADATA.sub("", rest, count=1))
    text = _IDS.sub(lambda match: f"{match[1]}{name}-{match[2]}", text)
    opening = f'<svg class="chart" role="img" aria-label="{escape(title)}"'
    return text.replace("<svg", opening, 1).rstrip() + "\n"


@contextlib.contextmanager
def _drawing() -> Iterator[None]:
    """The chart settings, for the figures made and saved inside the block only."""
    matplotlib = require("matplotlib")
    with matplotlib.rc_context(_settings()):
        yield


def totals_chart(
    entities: Sequence[str],
    totals: Sequence[Decimal],
    labels: Sequence[str],
    colours: Sequence[str],
    maximum: Decimal,
    title: str,
) -> str:
    """Horizontal bars, the first entity at the top, each labelled with ``labels``."""
    with _drawing():
        count = len(entities)
        left = max((text_inches(entity) for entity in entities), default=0) + 0.2
        right = max((text_inches(label) for label in labels), default=0) + 0.25
        height = 0.28 * count + 0.6
        figure = _figure(7.5, height)
        axes = _place(figure, left, right, 0.15, 0.45)
        places = list(range(count))
        axes.barh(places, [float(total) for total in totals], color=list(colours), height=0.7)
        axes.set_yticks(places, labels=list(entities), parse_math=False)
        axes.set_ylim(count - 0.5, -0.5)
        axes.set_xlim(0, float(maximum) if maximum > 0 else 1)
        axes.tick_params(axis="y", length=0)
        for place, total, label in zip(places, totals, labels, strict=True):
            axes.text(
                float(max(total, Decimal(0))),
                place,
                " " + label,
                va="center",
                ha="left",
                fontsize=SMALL + 1,
                parse_math=False,
                clip_on=False,
            )
        return _svg(figure, "totals", title)


def grades_chart(grades: Sequence[str], counts: Sequence[int], title: str) -> str:
    """One bar per grade, best first, each with its number of entities."""
    with _drawing():
        colours = grade_colours(grades)
        width = max(2.5, 0.6 * len(grades) + 1.0)
        figure = _figure(width, 2.4)
        axes = _place(figure, 0.45, 0.15, 0.25, 0.4)
        places = list(range(len(grades)))
        axes.bar(places, counts, color=[colours[grade] for grade in grades], width=0.6)
        axes.set_xticks(places, labels=list(grades), parse_math=False)
        axes.set_ylim(0, max([*counts, 1]) * 1.2)
        axes.yaxis.set_major_locator(require("matplotlib.ticker").MaxNLocator(integer=True))
        for place, count in zip(places, counts, strict=True):
            axes.text(place, count, str(count), ha="center", va="bottom", fontsize=SMALL + 1)
        return _svg(figure, "grades", title)


#: The most columns of a heat map whose cells still carry their numbers.
ANNOTATED = 40


def heat_map(
    rows: Sequence[str],
    columns: Sequence[str],
    values: Sequence[Sequence[Decimal]],
    title: str,
    legend: str,
) -> str:
    """Rows × columns of points lost, darker for more; each cell carries its exact number."""
    with _drawing():
        numpy = require("numpy")
        cell = 0.42
        left = max((text_inches(row) for row in rows), default=0) + 0.2
        # Column labels are turned 45°: their width becomes height.
        bottom = max((text_inches(column) for column in columns), default=0) * 0.72 + 0.3
        right = 1.0
        width = left + right + cell * max(len(columns), 1)
        height = 0.15 + bottom + cell * max(len(rows), 1)
        figure = _figure(max(width, 4.0), height)
        axes = _place(figure, left, right + max(0.0, 4.0 - width), 0.15, bottom)
        grid = numpy.array([[float(value) for value in row] for row in values], dtype=float)
        grid = grid.reshape(len(rows), len(columns))
        top = float(grid.max()) if grid.size and grid.max() > 0 else 1.0
        # Cells as vector shapes: an image would be a bitmap, blurred when printed.
        image = axes.pcolormesh(
            grid, cmap="OrRd", vmin=0, vmax=top, edgecolors="white", linewidth=0.5
        )
        axes.set_ylim(len(rows), 0)
        centres = [index + 0.5 for index in range(len(columns))]
        middles = [index + 0.5 for index in range(len(rows))]
        axes.set_xticks(centres, labels=list(columns), parse_math=False)
        axes.set_yticks(middles, labels=list(rows), parse_math=False)
        for label in axes.get_xticklabels():
            label.set(rotation=45, ha="right", rotation_mode="anchor")
        axes.tick_params(length=0)
        for spine in axes.spines.values():
            spine.set_visible(False)
        if len(columns) <= ANNOTATED:
            for row_index, row in enumerate(values):
                for column_index, value in enumerate(row):
                    if not value:
                        continue
                    dark = float(value) > top * 0.6
                    axes.text(
                        column_index + 0.5,
                        row_index + 0.5,
                        number(value),
                        ha="center",
                        va="center",
                        fontsize=SMALL,
                        color="white" if dark else "black",
                    )
        width_inches = figure.get_size_inches()[0]
        bar = figure.add_axes(
            (
                1 - 0.75 / width_inches,
                bottom / height,
                0.12 / width_inches,
                1 - (0.15 + bottom) / height,
            )
        )
        colour_bar = figure.colorbar(image, cax=bar)
        # matplotlib rasterizes a long colour scale; a bitmap is what this page avoids.
        if colour_bar.solids is not None:
            colour_bar.solids.set_rasterized(False)
        colour_bar.set_label(legend, parse_math=False)
        return _svg(figure, "heat", title)
