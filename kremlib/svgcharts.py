"""Charts drawn on the server as inline SVG: coordinates computed here, shapes written by templates/charts/.

No JavaScript and no inline style: colours come from CSS classes (`chart__fill--N`, `chart__stroke--N`), so the
charts print and keep the Content-Security-Policy. Every chart carries the table of its figures, rendered
beside it (in a <details>) for screen readers and for anyone who wants the numbers; the SVG has role="img" and
its title and description as its accessible name. The viewBox scales the drawing to the width of its column
(width 100%), down to a 320 px phone.

A chart is built from categories (the x axis, or the rows of a horizontal chart) and series (the colours), with
the value of each (category, series) pair; a pair that is missing is 0. Links (the filtered list behind a
figure) are optional, per cell and per category total.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass, field

PALETTE_SIZE = 8  # krem.css defines chart__fill--0 … --7, each at least 3:1 against the white background


@dataclass(frozen=True)
class Cell:
    value: float
    url: str = ""
    display: str = ""

    def __str__(self):
        return self.display or format_number(self.value)


@dataclass(frozen=True)
class Row:
    label: str
    cells: list  # one Cell per series
    total: Cell | None = None


@dataclass(frozen=True)
class Shape:
    x: float
    y: float
    width: float
    height: float
    colour: int
    title: str


@dataclass(frozen=True)
class Label:
    x: float
    y: float
    text: str


@dataclass(frozen=True)
class Threshold:
    y: float
    text: str


@dataclass
class Chart:
    id: str
    kind: str  # "columns", "bars" or "lines"
    title: str
    summary: str  # the <desc>: what the chart shows, in words, with its biggest figures
    series: list  # [(key, label, colour index)]
    rows: list  # [Row]: the data table, one row per category
    width: int = 640
    height: int = 280
    shapes: list = field(default_factory=list)  # rectangles (columns and bars) or dots (lines)
    polylines: list = field(default_factory=list)  # [(points, colour index)]
    x_labels: list = field(default_factory=list)
    y_labels: list = field(default_factory=list)
    gridlines: list = field(default_factory=list)  # y of each horizontal line
    threshold: Threshold | None = None  # a dashed reference line, with its label
    plot_left: float = 0
    plot_right: float = 0
    value_header: str = ""
    total_header: str = ""
    empty: bool = False


def format_number(value):
    if value is None:
        return "–"
    if float(value).is_integer():
        return f"{int(value)}"
    return f"{value:.1f}".replace(".", ",")


def nice_step(maximum, steps=4):
    """A round step (1, 2 or 5 times a power of ten) so that `steps` of them reach `maximum`."""
    if maximum <= 0:
        return 1
    raw = maximum / steps
    power = 10 ** math.floor(math.log10(raw))
    for multiple in (1, 2, 5, 10):
        if raw <= multiple * power:
            return max(multiple * power, 1)
    return 10 * power  # pragma: no cover - the loop always returns


def _table(categories, series, values, cell_url, total_url, with_total):
    rows = []
    for key, label in categories:
        cells = [
            Cell(values.get((key, s_key), 0), cell_url(key, s_key) if cell_url else "") for s_key, _l, _c in series
        ]
        total = None
        if with_total:
            total = Cell(sum(c.value for c in cells), total_url(key) if total_url else "")
        rows.append(Row(label, cells, total))
    return rows


def columns(
    *,
    id,
    title,
    summary,
    categories,
    series,
    values,
    value_header,
    total_header="",
    cell_url: Callable | None = None,
    total_url: Callable | None = None,
):
    """Stacked columns, one per category (years, levels), one colour per series (kinds).

    `categories` and `series` are [(key, label)]; `values` maps (category key, series key) to a number."""
    series = [(key, label, i % PALETTE_SIZE) for i, (key, label) in enumerate(series)]
    rows = _table(categories, series, values, cell_url, total_url, with_total=len(series) > 1)
    chart = Chart(id, "columns", title, summary, series, rows, value_header=value_header, total_header=total_header)
    left, right, top, bottom = 44, 8, 12, 44
    chart.plot_left, chart.plot_right = left, chart.width - right
    plot_w, plot_h = chart.width - left - right, chart.height - top - bottom
    totals = [sum(values.get((key, s[0]), 0) for s in series) for key, _label in categories]
    chart.empty = not any(totals)
    step = nice_step(max(totals, default=0))
    top_value = step * max(1, math.ceil(max(totals, default=0) / step))
    scale = plot_h / top_value
    for i in range(int(top_value / step) + 1):
        y = top + plot_h - i * step * scale
        chart.gridlines.append(round(y, 1))
        chart.y_labels.append(Label(left - 6, round(y + 4, 1), format_number(i * step)))
    count = max(len(categories), 1)
    slot = plot_w / count
    bar = min(slot * 0.7, 56)
    every = math.ceil(count / 12)  # at most 12 labels on the axis; the table has them all
    for i, (key, label) in enumerate(categories):
        x = left + i * slot + (slot - bar) / 2
        y = top + plot_h
        for s_key, s_label, colour in series:
            value = values.get((key, s_key), 0)
            if not value:
                continue
            height = value * scale
            y -= height
            chart.shapes.append(
                Shape(round(x, 1), round(y, 1), round(bar, 1), round(height, 1), colour, f"{label}, {s_label}: {value}")
            )
        if i % every == 0:
            chart.x_labels.append(Label(round(left + i * slot + slot / 2, 1), chart.height - bottom + 18, str(label)))
    return chart


def bars(*, id, title, summary, categories, series, values, value_header, cell_url: Callable | None = None):
    """Horizontal bars, grouped: one group per category (municipalities), one bar per series (projects,
    gatherings), the value written at the end of each bar."""
    series = [(key, label, i % PALETTE_SIZE) for i, (key, label) in enumerate(series)]
    rows = _table(categories, series, values, cell_url, None, with_total=False)
    bar_h, gap = 14, 10
    group_h = bar_h * len(series) + gap
    left, right, top = 150, 40, 8
    height = top + max(len(categories), 1) * group_h + 8
    chart = Chart(id, "bars", title, summary, series, rows, height=height, value_header=value_header)
    chart.plot_left, chart.plot_right = left, chart.width - right
    plot_w = chart.width - left - right
    maximum = max(values.values(), default=0)
    chart.empty = not maximum
    scale = plot_w / (maximum or 1)
    for i, (key, label) in enumerate(categories):
        y = top + i * group_h
        chart.x_labels.append(Label(left - 8, round(y + bar_h * len(series) / 2 + 4, 1), str(label)))
        for j, (s_key, s_label, colour) in enumerate(series):
            value = values.get((key, s_key), 0)
            width = max(value * scale, 1 if value else 0)
            chart.shapes.append(
                Shape(left, y + j * bar_h, round(width, 1), bar_h - 2, colour, f"{label}, {s_label}: {value}")
            )
            chart.y_labels.append(Label(round(left + width + 4, 1), y + j * bar_h + bar_h - 4, format_number(value)))
    return chart


def lines(*, id, title, summary, categories, series, values, value_header, threshold=None, threshold_label=""):
    """Lines of percentages (0–100) over the categories (years), with an optional dashed threshold line. A
    missing value (None) is a gap in the table and no dot; the line joins the values there are."""
    series = [(key, label, i % PALETTE_SIZE) for i, (key, label) in enumerate(series)]
    rows = []
    for key, label in categories:
        cells = []
        for s_key, _l, _c in series:
            value = values.get((key, s_key))
            cells.append(Cell(value, display="–" if value is None else f"{format_number(value)} %"))
        rows.append(Row(label, cells))
    chart = Chart(id, "lines", title, summary, series, rows, value_header=value_header)
    left, right, top, bottom = 44, 8, 12, 44
    chart.plot_left, chart.plot_right = left, chart.width - right
    plot_w, plot_h = chart.width - left - right, chart.height - top - bottom
    chart.empty = all(values.get((key, s[0])) is None for key, _l in categories for s in series)
    for pct in (0, 25, 50, 75, 100):
        y = top + plot_h - pct / 100 * plot_h
        chart.gridlines.append(round(y, 1))
        chart.y_labels.append(Label(left - 6, round(y + 4, 1), f"{pct} %"))
    count = max(len(categories), 1)
    slot = plot_w / count
    every = math.ceil(count / 12)
    for s_key, s_label, colour in series:
        points = []
        for i, (key, label) in enumerate(categories):
            value = values.get((key, s_key))
            if value is None:
                continue
            x, y = left + i * slot + slot / 2, top + plot_h - value / 100 * plot_h
            points.append(f"{x:.1f},{y:.1f}")
            chart.shapes.append(Shape(round(x, 1), round(y, 1), 4, 4, colour, f"{label}, {s_label}: {value} %"))
        chart.polylines.append((" ".join(points), colour))
    for i, (_key, label) in enumerate(categories):
        if i % every == 0:
            chart.x_labels.append(Label(round(left + i * slot + slot / 2, 1), chart.height - bottom + 18, str(label)))
    if threshold is not None:
        y = top + plot_h - threshold * plot_h
        chart.threshold = Threshold(round(y, 1), threshold_label)
    return chart
