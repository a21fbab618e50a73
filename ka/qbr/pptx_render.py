"""The deck as an editable PowerPoint file: 16:9, native charts that carry their data, tables,
speaker notes with the definitions.

Every run of text names a Latin and an East Asian font (a:latin + a:ea), so PowerPoint and WPS
both draw Chinese in a CJK font instead of boxes or a fallback serif.
"""

from __future__ import annotations

import io

from lxml import etree
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.util import Emu, Pt

from ka import i18n
from ka.cells import export_cell
from ka.qbr import layout as L
from ka.qbr.model import Bullets, Chart, Cover, Deck, Metrics, Slide, Table
from ka.qbr.text import excel_number_format

LATIN_FONT = "Arial"
EAST_ASIAN_FONT = "Microsoft YaHei"  # on every Windows and Office for Mac; WPS maps it too
EMU_PER_PX = 12192000 // L.WIDTH  # 13.333 in = 12,192,000 EMU over 1920 px
CHART_TYPES = {
    "column": XL_CHART_TYPE.COLUMN_CLUSTERED,
    "bar": XL_CHART_TYPE.BAR_CLUSTERED,
    "line": XL_CHART_TYPE.LINE_MARKERS,
}


def px(value: float) -> Emu:
    return Emu(int(round(value * EMU_PER_PX)))


def pt(size_px: float) -> Pt:
    return Pt(size_px * 0.5)  # 1920 px = 960 pt


def colour(hex_colour: str) -> RGBColor:
    return RGBColor.from_string(hex_colour.lstrip("#").upper())


def set_fonts(font, size_px: float | None = None, bold: bool = False, hex_colour: str | None = None) -> None:
    """Size, weight, colour, and both the Latin and the East Asian typeface of a run or a default."""
    if size_px is not None:
        font.size = pt(size_px)
    font.bold = bold
    if hex_colour:
        font.color.rgb = colour(hex_colour)
    font.name = LATIN_FONT
    rpr = font._element
    for tag in ("a:ea", "a:cs"):
        existing = rpr.find(qn(tag))
        if existing is not None:
            rpr.remove(existing)
    latin = rpr.find(qn("a:latin"))
    ea = etree.SubElement(rpr, qn("a:ea"))
    ea.set("typeface", EAST_ASIAN_FONT)
    cs = etree.SubElement(rpr, qn("a:cs"))
    cs.set("typeface", EAST_ASIAN_FONT)
    latin.addnext(ea)
    ea.addnext(cs)


def add_text(slide, box: L.Box, paragraphs, size_px: float, hex_colour: str = L.INK, bold: bool = False,
             align=PP_ALIGN.LEFT, anchor=MSO_ANCHOR.TOP, space_px: float = 0):
    """A text box; `paragraphs` is a list of strings or (text, size, colour, bold) tuples."""
    shape = slide.shapes.add_textbox(px(box.x), px(box.y), px(box.w), px(box.h))
    frame = shape.text_frame
    frame.word_wrap = True
    frame.vertical_anchor = anchor
    frame.margin_left = frame.margin_right = frame.margin_top = frame.margin_bottom = 0
    for index, item in enumerate(paragraphs):
        text, size, tint, weight = item if isinstance(item, tuple) else (item, size_px, hex_colour, bold)
        paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
        paragraph.alignment = align
        if space_px and index:
            paragraph.space_before = pt(space_px)
        run = paragraph.add_run()
        run.text = text
        set_fonts(run.font, size, weight, tint)
    return shape


def draw_metrics(slide, block: Metrics, box: L.Box) -> None:
    count = len(block.items)
    gap = 32
    width = (box.w - gap * (count - 1)) / count
    height = min(box.h, 250)
    for index, metric in enumerate(block.items):
        tile = L.Box(box.x + index * (width + gap), box.y, width, height)
        shape = slide.shapes.add_shape(MSO_SHAPE.ROUNDED_RECTANGLE, px(tile.x), px(tile.y), px(tile.w), px(tile.h))
        shape.adjustments[0] = 0.06
        shape.fill.solid()
        shape.fill.fore_color.rgb = colour(L.TILE)
        shape.line.fill.background()
        shape.shadow.inherit = False
        inner = L.Box(tile.x + 28, tile.y + 22, tile.w - 56, tile.h - 44)
        paragraphs = [(metric.label, L.METRIC_LABEL, L.MUTED, False), (metric.value, L.METRIC_VALUE, L.INK, True)]
        if metric.change:
            paragraphs.append((metric.change, L.METRIC_CHANGE, L.TONE_COLOURS.get(metric.tone, L.MUTED), False))
        add_text(slide, inner, paragraphs, L.METRIC_LABEL, space_px=6)


def draw_chart(slide, block: Chart, box: L.Box) -> None:
    data = CategoryChartData()
    data.categories = [export_cell(c) for c in block.categories]  # the chart's embedded workbook: no formulas
    values = [v for s in block.series for v in s.values if v is not None]
    scale, number_format = excel_number_format(block.unit, max((abs(v) for v in values), default=0.0))
    for series in block.series:
        data.add_series(export_cell(series.name), [None if v is None else v / scale for v in series.values], number_format)
    frame = slide.shapes.add_chart(CHART_TYPES[block.kind], px(box.x), px(box.y), px(box.w), px(box.h), data)
    chart = frame.chart
    set_fonts(chart.font, L.CHART_LABEL, hex_colour=L.MUTED)
    chart.has_title = True
    chart.chart_title.text_frame.text = block.title
    set_fonts(chart.chart_title.text_frame.paragraphs[0].runs[0].font, L.CHART_TITLE, True, L.INK)
    chart.has_legend = True
    chart.legend.position = XL_LEGEND_POSITION.BOTTOM
    chart.legend.include_in_layout = False
    set_fonts(chart.legend.font, L.CHART_LABEL, hex_colour=L.MUTED)
    axis = chart.value_axis
    axis.tick_labels.number_format = number_format
    axis.tick_labels.number_format_is_linked = False
    axis.has_major_gridlines = True
    axis.major_gridlines.format.line.color.rgb = colour(L.HEADER)
    axis.format.line.fill.background()
    if block.kind == "bar":
        chart.category_axis.reverse_order = True  # first category on top, as read
    for series, spec in zip(chart.plots[0].series, block.series):
        if block.kind == "line":
            series.format.line.color.rgb = colour(spec.color)
            series.format.line.width = pt(5)
            series.smooth = False
            series.marker.format.fill.solid()
            series.marker.format.fill.fore_color.rgb = colour(spec.color)
            series.marker.format.line.color.rgb = colour(spec.color)
        else:
            series.format.fill.solid()
            series.format.fill.fore_color.rgb = colour(spec.color)
    if block.kind != "line":
        chart.plots[0].gap_width = 60


def draw_table(slide, block: Table, box: L.Box) -> None:
    top = box.y
    if block.title:
        add_text(slide, L.Box(box.x, top, box.w, 40), [block.title], L.CHART_TITLE, bold=True)
        top += 48
    if not block.rows:
        add_text(slide, L.Box(box.x, top, box.w, 60), [block.empty], L.BODY, L.MUTED)
        return
    rows, cols = len(block.rows) + 1, len(block.columns)
    row_height = min(60.0, (box.y + box.h - top) / rows)
    shape = slide.shapes.add_table(rows, cols, px(box.x), px(top), px(box.w), px(row_height * rows))
    table = shape.table
    table.first_row = True
    table.horz_banding = False
    weights = block.widths or (1.0,) * cols
    for index, weight in enumerate(weights):
        table.columns[index].width = px(box.w * weight / sum(weights))
    for index in range(rows):
        table.rows[index].height = px(row_height)
    for r in range(rows):
        for c in range(cols):
            cell = table.cell(r, c)
            cell.margin_left = cell.margin_right = px(12)
            cell.margin_top = cell.margin_bottom = px(4)
            cell.vertical_anchor = MSO_ANCHOR.MIDDLE
            cell.fill.solid()
            cell.fill.fore_color.rgb = colour(L.HEADER if r == 0 else ("#ffffff" if r % 2 else "#f8fafc"))
            frame = cell.text_frame
            frame.word_wrap = True
            paragraph = frame.paragraphs[0]
            run = paragraph.add_run()
            if r == 0:
                run.text = block.columns[c]
                set_fonts(run.font, L.TABLE, True, L.INK)
                paragraph.alignment = PP_ALIGN.RIGHT if block.rows[0][c].align == "right" else PP_ALIGN.LEFT
            else:
                item = block.rows[r - 1][c]
                run.text = item.text
                set_fonts(run.font, L.TABLE, False, L.TONE_COLOURS[item.tone] if item.tone else L.INK)
                paragraph.alignment = PP_ALIGN.RIGHT if item.align == "right" else PP_ALIGN.LEFT


def draw_bullets(slide, block: Bullets, box: L.Box) -> None:
    size = L.SMALL if block.size == "small" else L.BODY
    paragraphs = [(block.title, L.CHART_TITLE, L.INK, True)] if block.title else []
    paragraphs += [(f"•  {item}", size, L.INK, False) for item in block.items if item]
    add_text(slide, box, paragraphs, size, space_px=size * 0.6)


def draw_cover(slide, block: Cover, box: L.Box) -> None:
    bar = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, px(L.MARGIN), px(300), px(14), px(420))
    bar.fill.solid()
    bar.fill.fore_color.rgb = colour(L.ACCENT)
    bar.line.fill.background()
    title = add_text(slide, L.Box(L.MARGIN + 60, 290, L.WIDTH - 2 * L.MARGIN - 60, 440), [
        (block.title, L.COVER_TITLE, L.INK, True),
        (block.subtitle, L.COVER_SUBTITLE, L.ACCENT, False),
        *((line, L.BODY, L.MUTED, False) for line in block.lines),
    ], L.BODY, space_px=18)
    title.name = "Title"


DRAW = {Metrics: draw_metrics, Chart: draw_chart, Table: draw_table, Bullets: draw_bullets, Cover: draw_cover}


def draw_slide(presentation, deck: Deck, slide_model: Slide, number: int) -> None:
    slide = presentation.slides.add_slide(presentation.slide_layouts[6])  # blank
    if slide_model.key != "cover":
        title = add_text(slide, L.Box(L.MARGIN, L.TITLE_TOP, L.WIDTH - 2 * L.MARGIN, L.TITLE_HEIGHT),
                         [slide_model.title], L.TITLE, bold=True, anchor=MSO_ANCHOR.MIDDLE)
        title.name = "Title"
        rule = slide.shapes.add_connector(1, px(L.MARGIN), px(L.TITLE_TOP + L.TITLE_HEIGHT + 8),
                                          px(L.WIDTH - L.MARGIN), px(L.TITLE_TOP + L.TITLE_HEIGHT + 8))
        rule.line.color.rgb = colour(L.ACCENT)
        rule.line.width = pt(3)
    for block, box in L.layout_slide(slide_model):
        DRAW[type(block)](slide, block, box)
    footer = add_text(slide, L.Box(L.MARGIN, L.FOOTER_TOP, L.WIDTH - 2 * L.MARGIN - 200, 40), [deck.context],
                      L.FOOTER, L.MUTED)
    footer.name = "Footer"
    page = add_text(slide, L.Box(L.WIDTH - L.MARGIN - 180, L.FOOTER_TOP, 180, 40),
                    [L.page_label(number, len(deck.slides))], L.FOOTER, L.MUTED, align=PP_ALIGN.RIGHT)
    page.name = "Page"
    if slide_model.notes:
        slide.notes_slide.notes_text_frame.text = slide_model.notes


def render_pptx(deck: Deck) -> bytes:
    presentation = Presentation()
    presentation.slide_width, presentation.slide_height = px(L.WIDTH), px(L.HEIGHT)
    with i18n.use_language(deck.language):  # number formats follow the deck's language
        for number, slide_model in enumerate(deck.slides, 1):
            draw_slide(presentation, deck, slide_model, number)
    properties = presentation.core_properties
    properties.title = deck.title
    properties.author = properties.last_modified_by = "KA Radar"
    properties.subject = deck.context
    properties.language = "zh-CN" if deck.language == "zh" else "en-US"
    buffer = io.BytesIO()
    presentation.save(buffer)
    return buffer.getvalue()
