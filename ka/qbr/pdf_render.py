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
from ka.qbr.chart_shapes import LINE_HEIGHT as LINE, Dot, Rect, Segment, chart_shapes

SCALE = 0.5  # canvas px → PDF points (1920 px = 960 pt = 13.333 in)
FAMILY = "cjk"


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
    def measure(text: str, size_px: float) -> float:
        pdf.font(size_px)
        return pdf.get_string_width(text) / SCALE

    for shape in chart_shapes(block, box, measure):
        if isinstance(shape, Rect):
            pdf.box(shape.x, shape.y, shape.w, shape.h, shape.colour)
        elif isinstance(shape, Segment):
            pdf.rule(shape.x1, shape.y1, shape.x2, shape.y2, shape.colour, shape.width)
        elif isinstance(shape, Dot):
            pdf.fill(shape.colour)
            pdf.circle(shape.x * SCALE, shape.y * SCALE, shape.r * SCALE, style="F")
        else:
            pdf.font(shape.size, bold=shape.bold, hex_colour=shape.colour)
            pdf.write_at(shape.x, shape.y, shape.w, shape.text, align=shape.align)


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

