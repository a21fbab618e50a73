"""Where each block of a slide goes, on a 1920 × 1080 canvas shared by every renderer.

Sizes are canvas pixels: the presentation draws them 1:1 on a 1920 × 1080 screen, the PPTX and
the PDF scale them to a 13.333 × 7.5 in (16:9) page. The smallest text is 22 px, so body text
stays readable from the back of a meeting room.
"""

from __future__ import annotations

from dataclasses import dataclass

from ka.qbr.model import Block, Slide

WIDTH, HEIGHT = 1920, 1080
MARGIN = 80
TITLE_TOP, TITLE_HEIGHT = 44, 104
BODY_TOP, BODY_BOTTOM = 190, 975
FOOTER_TOP = 1012
ROW_GAP, BLOCK_GAP = 30, 48

# font sizes in canvas px
TITLE = 50
COVER_TITLE = 76
COVER_SUBTITLE = 44
BODY = 32
SMALL = 22
TABLE = 24
METRIC_LABEL = 26
METRIC_VALUE = 60
METRIC_CHANGE = 24
CHART_TITLE = 26
CHART_LABEL = 22
FOOTER = 22

INK = "#0f172a"
MUTED = "#475569"
ACCENT = "#2563eb"
TILE = "#f1f5f9"
RULE = "#cbd5e1"
HEADER = "#e2e8f0"
TONE_COLOURS = {
    "good": "#15803d", "bad": "#b91c1c", "neutral": MUTED,
    "green": "#15803d", "yellow": "#b45309", "red": "#b91c1c", "none": MUTED,
}


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float


def layout_slide(slide: Slide) -> list[tuple[Block, Box]]:
    """Each block with its box: rows share the body's height by their `height`, blocks share a
    row's width by its `widths`."""
    rows = slide.rows
    usable = BODY_BOTTOM - BODY_TOP - ROW_GAP * (len(rows) - 1)
    total = sum(row.height for row in rows) or 1.0
    placed, y = [], float(BODY_TOP)
    for row in rows:
        height = usable * row.height / total
        widths = row.widths or (1.0,) * len(row.blocks)
        free = WIDTH - 2 * MARGIN - BLOCK_GAP * (len(row.blocks) - 1)
        x = float(MARGIN)
        for block, weight in zip(row.blocks, widths):
            width = free * weight / sum(widths)
            placed.append((block, Box(x, y, width, height)))
            x += width + BLOCK_GAP
        y += height + ROW_GAP
    return placed


def page_label(number: int, total: int) -> str:
    return f"{number} / {total}"


def rgb(colour: str) -> tuple[int, int, int]:
    value = colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)
