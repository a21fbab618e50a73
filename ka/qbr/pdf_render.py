"""The deck as a PDF: one 16:9 landscape page per slide, vector charts drawn from the same data as
the PPTX's, Chinese in an embedded (subset) CJK font. Pure Python (fpdf2): no browser, nothing
fetched at run time.
"""

from __future__ import annotations

from fpdf import FPDF
from fpdf.enums import TextMode

from ka import i18n
from ka.qbr import layout as L
from ka.qbr.fonts import find_cjk_font
from ka.qbr.model import Bullets, Chart, Cover, Deck, Metrics, Slide, Table
from ka.qbr.text import axis_ticks

SCALE = 0.5  # canvas px → PDF points (1920 px = 960 pt = 13.333 in)
FAMILY = "cjk"
LINE = 1.3  # line height as a multiple of the font size


class SlidePdf(FPDF):
    """An FPDF that takes canvas pixels for every position and size."""

    def __init__(self):
        super().__init__(orientation="L", unit="pt", format=(L.HEIGHT * SCALE, L.WIDTH * SCALE))
        self.set_auto_page_break(False)
        self.set_margins(0, 0, 0)
        self.c_margin = 0
        font = find_cjk_font()
        self.add_font(FAMILY, "", font.regular.path, collection_font_number=font.regular.index)
        self.has_bold = font.bold is not None
        if font.bold:
            self.add_font(FAMILY, "B", font.bold.path, collection_font_number=font.bold.index)

    def font(self, size_px: float, bold: bool = False, hex_colour: str = L.INK) -> None:
        self.set_font(FAMILY, "B" if bold and self.has_bold else "", size_px * SCALE)
        self.text_mode = TextMode.FILL_STROKE if bold and not self.has_bold else TextMode.FILL
        self.set_line_width(0.3)
        self.set_text_color(*L.rgb(hex_colour))
        self.set_draw_color(*L.rgb(hex_colour))

    def fill(self, hex_colour: str) -> None:
        self.set_fill_color(*L.rgb(hex_colour))

    def stroke(self, hex_colour: str, width_px: float = 1.5) -> None:
        self.set_draw_color(*L.rgb(hex_colour))
        self.set_line_width(width_px * SCALE)

    def box(self, x, y, w, h, hex_colour: str, radius_px: float = 0) -> None:
        self.fill(hex_colour)
        self.rect(x * SCALE, y * SCALE, w * SCALE, h * SCALE, style="F", round_corners=bool(radius_px),
                  corner_radius=radius_px * SCALE)

    def rule(self, x1, y1, x2, y2, hex_colour: str, width_px: float = 1.5) -> None:
        self.stroke(hex_colour, width_px)
        self.line(x1 * SCALE, y1 * SCALE, x2 * SCALE, y2 * SCALE)

    def lines(self, text: str, width_px: float) -> list[str]:
        """`text` wrapped to `width_px` in the current font."""
        if not text:
            return [""]
        return self.multi_cell(width_px * SCALE, self.font_size * LINE, text, dry_run=True, output="LINES")

    def write_at(self, x, y, w, text: str, align: str = "L") -> None:
        """One line of text whose top is at y."""
        self.set_xy(x * SCALE, y * SCALE)
        self.cell(w * SCALE, self.font_size * LINE, text, align=align)

    def paragraph(self, x, y, w, text: str, size_px: float, align: str = "L") -> float:
        """Wrapped text from y down; returns the y below it."""
        line_height = size_px * LINE
        for line in self.lines(text, w):
            self.write_at(x, y, w, line, align)
            y += line_height
        return y


def draw_metrics(pdf: SlidePdf, block: Metrics, box: L.Box) -> None:
    count, gap = len(block.items), 32
    width = (box.w - gap * (count - 1)) / count
    height = min(box.h, 250)
    for index, metric in enumerate(block.items):
        x = box.x + index * (width + gap)
        pdf.box(x, box.y, width, height, L.TILE, radius_px=14)
        inner_x, inner_w = x + 28, width - 56
        pdf.font(L.METRIC_LABEL, hex_colour=L.MUTED)
        y = pdf.paragraph(inner_x, box.y + 22, inner_w, metric.label, L.METRIC_LABEL)
        pdf.font(L.METRIC_VALUE, bold=True)
        y = pdf.paragraph(inner_x, y + 4, inner_w, metric.value, L.METRIC_VALUE)
        if metric.change:
            pdf.font(L.METRIC_CHANGE, hex_colour=L.TONE_COLOURS.get(metric.tone, L.MUTED))
            pdf.paragraph(inner_x, y + 2, inner_w, metric.change, L.METRIC_CHANGE)


def draw_chart(pdf: SlidePdf, block: Chart, box: L.Box) -> None:
    pdf.font(L.CHART_TITLE, bold=True)
    pdf.write_at(box.x, box.y, box.w, block.title, align="C")
    values = [v for s in block.series for v in s.values if v is not None]
    low, high = min(values + [0.0]), max(values + [0.0])
    ticks = axis_ticks(block.unit, low, high)
    bottom_value, top_value = ticks[0][0], ticks[-1][0]
    pdf.font(L.CHART_LABEL, hex_colour=L.MUTED)
    label_w = max(pdf.get_string_width(label) for _, label in ticks) / SCALE + 16
    legend_h, title_h = 44, 50
    horizontal = block.kind == "bar"
    category_w = (max(pdf.get_string_width(c) for c in block.categories) / SCALE + 16) if horizontal else 0
    plot = L.Box(box.x + (category_w if horizontal else label_w), box.y + title_h,
                 box.w - (category_w if horizontal else label_w) - 10, box.h - title_h - legend_h - (40 if not horizontal else 40))
    span = (top_value - bottom_value) or 1.0

    def value_pos(v: float) -> float:
        if horizontal:
            return plot.x + (v - bottom_value) / span * plot.w
        return plot.y + plot.h - (v - bottom_value) / span * plot.h

    for value, label in ticks:  # gridlines and value labels
        pos = value_pos(value)
        if horizontal:
            pdf.rule(pos, plot.y, pos, plot.y + plot.h, L.HEADER, 1.5)
            pdf.write_at(pos - 60, plot.y + plot.h + 6, 120, label, align="C")
        else:
            pdf.rule(plot.x, pos, plot.x + plot.w, pos, L.HEADER, 1.5)
            pdf.write_at(box.x, pos - L.CHART_LABEL * LINE / 2, label_w - 12, label, align="R")
    count, groups = len(block.series), len(block.categories)
    slot = (plot.h if horizontal else plot.w) / max(groups, 1)
    zero = value_pos(0.0)
    for g, category in enumerate(block.categories):
        start = (plot.y if horizontal else plot.x) + g * slot
        pdf.font(L.CHART_LABEL, hex_colour=L.MUTED)
        if horizontal:
            pdf.write_at(box.x, start + slot / 2 - L.CHART_LABEL * LINE / 2, category_w - 12, category, align="R")
        else:
            pdf.write_at(start, plot.y + plot.h + 8, slot, category, align="C")
        if block.kind == "line":
            continue
        bar = slot * 0.8 / count
        for s, series in enumerate(block.series):
            value = series.values[g]
            if value is None:
                continue
            offset = start + slot * 0.1 + s * bar
            end = value_pos(value)
            pdf.fill(series.color)
            if horizontal:
                pdf.rect(min(zero, end) * SCALE, offset * SCALE, abs(end - zero) * SCALE, bar * 0.92 * SCALE, style="F")
            else:
                pdf.rect(offset * SCALE, min(zero, end) * SCALE, bar * 0.92 * SCALE, abs(end - zero) * SCALE, style="F")
    if block.kind == "line":
        for series in block.series:
            points = [(plot.x + (g + 0.5) * slot, value_pos(v or 0.0)) for g, v in enumerate(series.values)]
            pdf.stroke(series.color, 5)
            run: list[tuple[float, float]] = []
            for point, value in zip(points, series.values):
                if value is None:
                    run = []
                    continue
                if run:
                    pdf.line(run[-1][0] * SCALE, run[-1][1] * SCALE, point[0] * SCALE, point[1] * SCALE)
                run.append(point)
                pdf.fill(series.color)
                pdf.circle(point[0] * SCALE, point[1] * SCALE, 5 * SCALE, style="F")
    pdf.rule(plot.x, zero, plot.x + plot.w, zero, L.MUTED, 2) if not horizontal else pdf.rule(zero, plot.y, zero, plot.y + plot.h, L.MUTED, 2)
    draw_legend(pdf, block, box)


def draw_legend(pdf: SlidePdf, block: Chart, box: L.Box) -> None:
    pdf.font(L.CHART_LABEL, hex_colour=L.MUTED)
    widths = [pdf.get_string_width(s.name) / SCALE + 60 for s in block.series]
    x, y = box.x + (box.w - sum(widths)) / 2, box.y + box.h - 34
    for series, width in zip(block.series, widths):
        pdf.box(x, y + 6, 20, 20, series.color)
        pdf.font(L.CHART_LABEL, hex_colour=L.MUTED)
        pdf.write_at(x + 28, y, width - 28, series.name)
        x += width


def draw_table(pdf: SlidePdf, block: Table, box: L.Box) -> None:
    top = box.y
    if block.title:
        pdf.font(L.CHART_TITLE, bold=True)
        pdf.write_at(box.x, top, box.w, block.title)
        top += 48
    if not block.rows:
        pdf.font(L.BODY, hex_colour=L.MUTED)
        pdf.paragraph(box.x, top, box.w, block.empty, L.BODY)
        return
    weights = block.widths or (1.0,) * len(block.columns)
    widths = [box.w * w / sum(weights) for w in weights]
    pad, line_height = 12, L.TABLE * LINE
    available = box.y + box.h - top
    rows = [[(text, None, (block.rows[0][c].align if block.rows else "left"))
             for c, text in enumerate(block.columns)]]
    rows += [[(cell.text, cell.tone, cell.align) for cell in row] for row in block.rows]
    min_height = min(60.0, available / len(rows))
    y = top
    for r, row in enumerate(rows):
        pdf.font(L.TABLE, bold=r == 0)
        wrapped = [pdf.lines(text, width - 2 * pad) for (text, _, _), width in zip(row, widths)]
        height = max(min_height, max(len(lines) for lines in wrapped) * line_height + 8)
        pdf.box(box.x, y, box.w, height, L.HEADER if r == 0 else ("#ffffff" if r % 2 else "#f8fafc"))
        x = box.x
        for (text, tone, align), lines, width in zip(row, wrapped, widths):
            pdf.font(L.TABLE, bold=r == 0, hex_colour=L.TONE_COLOURS[tone] if tone else L.INK)
            ty = y + (height - len(lines) * line_height) / 2
            for line in lines:
                pdf.write_at(x + pad, ty, width - 2 * pad, line, align="R" if align == "right" else "L")
                ty += line_height
            x += width
        y += height


def draw_bullets(pdf: SlidePdf, block: Bullets, box: L.Box) -> None:
    size = L.SMALL if block.size == "small" else L.BODY
    y = box.y
    if block.title:
        pdf.font(L.CHART_TITLE, bold=True)
        y = pdf.paragraph(box.x, y, box.w, block.title, L.CHART_TITLE) + 8
    for item in block.items:
        if not item:
            continue
        pdf.font(size)
        pdf.write_at(box.x, y, size, "•")
        y = pdf.paragraph(box.x + size * 1.2, y, box.w - size * 1.2, item, size) + size * 0.6


def draw_cover(pdf: SlidePdf, block: Cover, box: L.Box) -> None:
    pdf.box(L.MARGIN, 300, 14, 420, L.ACCENT)
    x, w = L.MARGIN + 60, L.WIDTH - 2 * L.MARGIN - 60
    pdf.font(L.COVER_TITLE, bold=True)
    y = pdf.paragraph(x, 290, w, block.title, L.COVER_TITLE) + 18
    pdf.font(L.COVER_SUBTITLE, hex_colour=L.ACCENT)
    y = pdf.paragraph(x, y, w, block.subtitle, L.COVER_SUBTITLE) + 18
    for line in block.lines:
        pdf.font(L.BODY, hex_colour=L.MUTED)
        y = pdf.paragraph(x, y, w, line, L.BODY) + 10


DRAW = {Metrics: draw_metrics, Chart: draw_chart, Table: draw_table, Bullets: draw_bullets, Cover: draw_cover}


def draw_slide(pdf: SlidePdf, deck: Deck, slide: Slide, number: int) -> None:
    pdf.add_page()
    if slide.key != "cover":
        pdf.font(L.TITLE, bold=True)
        lines = pdf.lines(slide.title, L.WIDTH - 2 * L.MARGIN)
        y = L.TITLE_TOP + (L.TITLE_HEIGHT - len(lines) * L.TITLE * LINE) / 2
        for line in lines:
            pdf.write_at(L.MARGIN, y, L.WIDTH - 2 * L.MARGIN, line)
            y += L.TITLE * LINE
        rule_y = L.TITLE_TOP + L.TITLE_HEIGHT + 8
        pdf.rule(L.MARGIN, rule_y, L.WIDTH - L.MARGIN, rule_y, L.ACCENT, 3)
    for block, box in L.layout_slide(slide):
        DRAW[type(block)](pdf, block, box)
    pdf.font(L.FOOTER, hex_colour=L.MUTED)
    pdf.write_at(L.MARGIN, L.FOOTER_TOP, L.WIDTH - 2 * L.MARGIN - 200, deck.context)
    pdf.write_at(L.WIDTH - L.MARGIN - 180, L.FOOTER_TOP, 180, L.page_label(number, len(deck.slides)), align="R")


def render_pdf(deck: Deck) -> bytes:
    with i18n.use_language(deck.language):  # a missing font is reported in the deck's language
        pdf = SlidePdf()
        pdf.set_title(deck.title)
        pdf.set_author("KA Radar")
        pdf.set_subject(deck.context)
        pdf.set_lang("zh-CN" if deck.language == "zh" else "en-US")
        for number, slide in enumerate(deck.slides, 1):
            draw_slide(pdf, deck, slide, number)
        return bytes(pdf.output())

