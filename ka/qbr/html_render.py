"""One slide as HTML for the presentation page: the same boxes as the PPTX and PDF, scaled to the
screen with container units (1 canvas px = 1/1920 of the slide's width), charts as SVG images
from the PDF's geometry. Every value is escaped: data never becomes markup.
"""

from __future__ import annotations

import base64
from html import escape

from ka.qbr import layout as L
from ka.qbr.chart_shapes import LINE_HEIGHT, Dot, Label, Rect, Segment, chart_shapes
from ka.qbr.model import Bullets, Chart, Cover, Deck, Metrics, Slide, Table

FONT_STACK = '"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", Arial, sans-serif'
STYLE = f"""
<style>
.qbr-slide {{ container-type: inline-size; width: 100%; margin: 0 auto; }}
.qbr-canvas {{ --u: calc(100cqw / {L.WIDTH}); position: relative; width: 100%; aspect-ratio: 16 / 9;
  background: #ffffff; overflow: hidden; font-family: {FONT_STACK}; color: {L.INK};
  box-shadow: 0 0 0 1px {L.RULE}; break-inside: avoid; page-break-inside: avoid; }}
.qbr-canvas * {{ box-sizing: border-box; margin: 0; padding: 0; line-height: {LINE_HEIGHT}; }}
.qbr-box {{ position: absolute; overflow: hidden; }}
.qbr-title {{ display: flex; align-items: center; font-weight: 700; }}
.qbr-tiles {{ display: flex; gap: calc(32 * var(--u)); }}
.qbr-tile {{ flex: 1 1 0; background: {L.TILE}; border-radius: calc(14 * var(--u));
  padding: calc(22 * var(--u)) calc(28 * var(--u)); }}
.qbr-tile .value {{ font-weight: 700; white-space: nowrap; }}
.qbr-table table, .qbr-table th, .qbr-table td {{ font-size: inherit; }}
.qbr-table table {{ width: 100%; border-collapse: collapse; table-layout: fixed; }}
.qbr-table th {{ text-align: left; }}
.qbr-table th {{ background: {L.HEADER}; font-weight: 700; }}
.qbr-table th, .qbr-table td {{ padding: calc(6 * var(--u)) calc(12 * var(--u)); vertical-align: middle;
  overflow-wrap: anywhere; }}
.qbr-table tr:nth-child(odd) td {{ background: #f8fafc; }}
.qbr-table .right {{ text-align: right; }}
.qbr-bullets ul {{ list-style: none; }}
.qbr-bullets li {{ padding-left: 1.2em; text-indent: -1.2em; }}
.qbr-bullets li::before {{ content: "•"; display: inline-block; width: 1.2em; text-indent: 0; }}
</style>
"""


def u(value: float) -> str:
    """A length in canvas px, scaled with the slide's width."""
    return f"calc({value:.1f} * var(--u))"


def size(value: float) -> str:
    return f"font-size:{u(value)}"


def place(box: L.Box) -> str:
    return f"left:{u(box.x)};top:{u(box.y)};width:{u(box.w)};height:{u(box.h)}"


def text(value: str | None) -> str:
    return escape(value or "", quote=True)


def metrics_html(block: Metrics, box: L.Box) -> str:
    tiles = []
    for m in block.items:
        change = (f'<div style="{size(L.METRIC_CHANGE)};color:{L.TONE_COLOURS.get(m.tone, L.MUTED)};'
                  f'margin-top:{u(2)}">{text(m.change)}</div>') if m.change else ""
        tiles.append(
            f'<div class="qbr-tile" data-testid="qbr-metric">'
            f'<div style="{size(L.METRIC_LABEL)};color:{L.MUTED}">{text(m.label)}</div>'
            f'<div class="value" style="{size(L.METRIC_VALUE)};margin-top:{u(4)}">{text(m.value)}</div>{change}</div>'
        )
    height = min(box.h, 250)
    return f'<div class="qbr-box qbr-tiles" style="{place(L.Box(box.x, box.y, box.w, height))}">{"".join(tiles)}</div>'


def chart_svg(block: Chart, box: L.Box) -> str:
    """The chart as a standalone SVG document in canvas px (viewBox = the block's box)."""
    parts = []
    for shape in chart_shapes(block, box):
        if isinstance(shape, Rect):
            parts.append(f'<rect x="{shape.x:.1f}" y="{shape.y:.1f}" width="{shape.w:.1f}" height="{shape.h:.1f}" '
                         f'fill="{shape.colour}"/>')
        elif isinstance(shape, Segment):
            parts.append(f'<line x1="{shape.x1:.1f}" y1="{shape.y1:.1f}" x2="{shape.x2:.1f}" y2="{shape.y2:.1f}" '
                         f'stroke="{shape.colour}" stroke-width="{shape.width}"/>')
        elif isinstance(shape, Dot):
            parts.append(f'<circle cx="{shape.x:.1f}" cy="{shape.y:.1f}" r="{shape.r}" fill="{shape.colour}"/>')
        elif isinstance(shape, Label):
            anchor, x = {"L": ("start", shape.x), "C": ("middle", shape.x + shape.w / 2),
                         "R": ("end", shape.x + shape.w)}[shape.align]
            baseline = shape.y + shape.size * (LINE_HEIGHT + 0.7) / 2
            weight = ' font-weight="700"' if shape.bold else ""
            parts.append(f'<text x="{x:.1f}" y="{baseline:.1f}" font-size="{shape.size}" fill="{shape.colour}" '
                         f'text-anchor="{anchor}"{weight}>{text(shape.text)}</text>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{box.x:.1f} {box.y:.1f} {box.w:.1f} {box.h:.1f}" '
            f'width="{box.w:.0f}" height="{box.h:.0f}" font-family=\'{FONT_STACK}\'>{"".join(parts)}</svg>')


def chart_html(block: Chart, box: L.Box) -> str:
    """The chart as an image of its SVG: st.html's sanitiser removes inline <svg>, and keeps data: images."""
    source = base64.b64encode(chart_svg(block, box).encode("utf-8")).decode("ascii")
    return (f'<img class="qbr-box" data-testid="qbr-chart" alt="{text(block.title)}" '
            f'src="data:image/svg+xml;base64,{source}" style="{place(box)}">')


def cell_html(cell) -> str:
    align = "right" if cell.align == "right" else ""
    tone = f' style="color:{L.TONE_COLOURS[cell.tone]}"' if cell.tone else ""
    return f'<td class="{align}"{tone}>{text(cell.text)}</td>'


def table_html(block: Table, box: L.Box) -> str:
    title = f'<div style="{size(L.CHART_TITLE)};font-weight:700;margin-bottom:{u(8)}">{text(block.title)}</div>' if block.title else ""
    if not block.rows:
        body = f'<div style="{size(L.BODY)};color:{L.MUTED}">{text(block.empty)}</div>'
        return f'<div class="qbr-box qbr-table" style="{place(box)}">{title}{body}</div>'
    weights = block.widths or (1.0,) * len(block.columns)
    columns = "".join(f'<col style="width:{w / sum(weights) * 100:.2f}%">' for w in weights)
    aligns = ["right" if cell.align == "right" else "" for cell in block.rows[0]]
    head = "".join(f'<th class="{a}">{text(c)}</th>' for c, a in zip(block.columns, aligns))
    rows = []
    for row in block.rows:
        cells = "".join(cell_html(cell) for cell in row)
        rows.append(f"<tr>{cells}</tr>")
    return (f'<div class="qbr-box qbr-table" style="{place(box)};{size(L.TABLE)}">{title}'
            f'<table><colgroup>{columns}</colgroup><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody>'
            f'</table></div>')


def bullets_html(block: Bullets, box: L.Box) -> str:
    font = L.SMALL if block.size == "small" else L.BODY
    title = f'<div style="{size(L.CHART_TITLE)};font-weight:700;margin-bottom:{u(8)}">{text(block.title)}</div>' if block.title else ""
    items = "".join(f'<li style="{size(font)};margin-bottom:{u(font * 0.6)}">{text(item)}</li>' for item in block.items if item)
    return f'<div class="qbr-box qbr-bullets" style="{place(box)};{size(font)}">{title}<ul>{items}</ul></div>'


def cover_html(block: Cover, box: L.Box) -> str:
    bar = f'<div class="qbr-box" style="{place(L.Box(L.MARGIN, 300, 14, 420))};background:{L.ACCENT}"></div>'
    lines = "".join(f'<div style="{size(L.BODY)};color:{L.MUTED};margin-top:{u(10)}">{text(line)}</div>'
                    for line in block.lines)
    body = (f'<div class="qbr-box" style="{place(L.Box(L.MARGIN + 60, 290, L.WIDTH - 2 * L.MARGIN - 60, 560))}">'
            f'<div data-testid="qbr-cover-title" style="{size(L.COVER_TITLE)};font-weight:700">{text(block.title)}</div>'
            f'<div style="{size(L.COVER_SUBTITLE)};color:{L.ACCENT};margin:{u(18)} 0">{text(block.subtitle)}</div>'
            f'{lines}</div>')
    return bar + body


DRAW = {Metrics: metrics_html, Chart: chart_html, Table: table_html, Bullets: bullets_html, Cover: cover_html}


def slide_html(deck: Deck, index: int) -> str:
    """Slide `index` (0-based) of the deck, with its title, footer (period, filters, data date) and N / M."""
    slide: Slide = deck.slides[index]
    parts = [STYLE, f'<div class="qbr-slide" data-testid="qbr-slide" data-key="{text(slide.key)}"><div class="qbr-canvas">']
    if slide.key != "cover":
        title_box = L.Box(L.MARGIN, L.TITLE_TOP, L.WIDTH - 2 * L.MARGIN, L.TITLE_HEIGHT)
        parts.append(f'<div class="qbr-box qbr-title" data-testid="qbr-slide-title" style="{place(title_box)};'
                     f'{size(L.TITLE)}">{text(slide.title)}</div>')
        rule = L.Box(L.MARGIN, L.TITLE_TOP + L.TITLE_HEIGHT + 7, L.WIDTH - 2 * L.MARGIN, 3)
        parts.append(f'<div class="qbr-box" style="{place(rule)};background:{L.ACCENT}"></div>')
    for block, box in L.layout_slide(slide):
        parts.append(DRAW[type(block)](block, box))
    footer = L.Box(L.MARGIN, L.FOOTER_TOP, L.WIDTH - 2 * L.MARGIN - 200, 40)
    page = L.Box(L.WIDTH - L.MARGIN - 180, L.FOOTER_TOP, 180, 40)
    parts.append(f'<div class="qbr-box" data-testid="qbr-footer" style="{place(footer)};{size(L.FOOTER)};'
                 f'color:{L.MUTED}">{text(deck.context)}</div>')
    parts.append(f'<div class="qbr-box" data-testid="qbr-page" style="{place(page)};{size(L.FOOTER)};color:{L.MUTED};'
                 f'text-align:right">{L.page_label(index + 1, len(deck.slides))}</div>')
    parts.append("</div></div>")
    return "".join(parts)
