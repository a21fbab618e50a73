"""A chart block as drawing primitives (bars, lines, dots, labels) in canvas pixels, so the PDF and
the presentation's SVG draw the same chart from one piece of geometry. (The PPTX has native
charts instead.)"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from ka.qbr import layout as L
from ka.qbr.model import Chart
from ka.qbr.text import axis_ticks

LINE_HEIGHT = 1.3  # text line height as a multiple of the font size


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    w: float
    h: float
    colour: str


@dataclass(frozen=True)
class Segment:
    x1: float
    y1: float
    x2: float
    y2: float
    colour: str
    width: float


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    r: float
    colour: str


@dataclass(frozen=True)
class Label:
    """One line of text; (x, y) is the top left of a box `w` wide, the text aligned in it."""

    x: float
    y: float
    w: float
    text: str
    size: float
    colour: str
    align: str = "L"  # L, C or R
    bold: bool = False


Shape = Rect | Segment | Dot | Label


def estimate_width(text: str, size: float) -> float:
    """Text width in px without a font at hand: CJK and full-width characters one em, others ~0.56 em."""
    return sum(size if ord(ch) > 0x2E80 else size * 0.56 for ch in text)


def chart_shapes(block: Chart, box: L.Box, measure: Callable[[str, float], float] = estimate_width) -> list[Shape]:
    shapes: list[Shape] = [Label(box.x, box.y, box.w, block.title, L.CHART_TITLE, L.INK, "C", bold=True)]
    values = [v for s in block.series for v in s.values if v is not None]
    low, high = min(values + [0.0]), max(values + [0.0])
    ticks = axis_ticks(block.unit, low, high)
    bottom_value, top_value = ticks[0][0], ticks[-1][0]
    size = L.CHART_LABEL
    horizontal = block.kind == "bar"
    side = (max((measure(c, size) for c in block.categories), default=0) if horizontal
            else max(measure(label, size) for _, label in ticks)) + 16
    title_h, legend_h, axis_h = 50, 44, 40
    plot = L.Box(box.x + side, box.y + title_h, box.w - side - 10, box.h - title_h - legend_h - axis_h)
    span = (top_value - bottom_value) or 1.0

    def position(v: float) -> float:
        if horizontal:
            return plot.x + (v - bottom_value) / span * plot.w
        return plot.y + plot.h - (v - bottom_value) / span * plot.h

    half_line = size * LINE_HEIGHT / 2
    for value, label in ticks:  # gridlines and value labels
        at = position(value)
        if horizontal:
            shapes += [Segment(at, plot.y, at, plot.y + plot.h, L.HEADER, 1.5),
                       Label(at - 60, plot.y + plot.h + 6, 120, label, size, L.MUTED, "C")]
        else:
            shapes += [Segment(plot.x, at, plot.x + plot.w, at, L.HEADER, 1.5),
                       Label(box.x, at - half_line, side - 12, label, size, L.MUTED, "R")]
    groups, count = len(block.categories), len(block.series)
    slot = (plot.h if horizontal else plot.w) / max(groups, 1)
    zero = position(0.0)
    for g, category in enumerate(block.categories):
        start = (plot.y if horizontal else plot.x) + g * slot
        if horizontal:
            shapes.append(Label(box.x, start + slot / 2 - half_line, side - 12, category, size, L.MUTED, "R"))
        else:
            shapes.append(Label(start, plot.y + plot.h + 8, slot, category, size, L.MUTED, "C"))
        if block.kind == "line":
            continue
        bar = slot * 0.8 / count
        for s, series in enumerate(block.series):
            value = series.values[g]
            if value is None:
                continue
            offset, end = start + slot * 0.1 + s * bar, position(value)
            if horizontal:
                shapes.append(Rect(min(zero, end), offset, abs(end - zero), bar * 0.92, series.color))
            else:
                shapes.append(Rect(offset, min(zero, end), bar * 0.92, abs(end - zero), series.color))
    if block.kind == "line":
        for series in block.series:
            previous = None
            for g, value in enumerate(series.values):
                if value is None:
                    previous = None
                    continue
                point = (plot.x + (g + 0.5) * slot, position(value))
                if previous:
                    shapes.append(Segment(*previous, *point, series.color, 5))
                shapes.append(Dot(*point, 6, series.color))
                previous = point
    if horizontal:
        shapes.append(Segment(zero, plot.y, zero, plot.y + plot.h, L.MUTED, 2))
    else:
        shapes.append(Segment(plot.x, zero, plot.x + plot.w, zero, L.MUTED, 2))
    widths = [measure(s.name, size) + 60 for s in block.series]
    x, y = box.x + (box.w - sum(widths)) / 2, box.y + box.h - 34
    for series, width in zip(block.series, widths):
        shapes += [Rect(x, y + 6, 20, 20, series.color), Label(x + 28, y, width - 28, series.name, size, L.MUTED)]
        x += width
    return shapes
