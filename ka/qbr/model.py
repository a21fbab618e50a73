"""The deck model: a review as data. Slides hold blocks (KPI tiles, charts, tables, bullet lists);
every renderer (presentation, PPTX, PDF) draws the same blocks in the same boxes, so the three
outputs cannot disagree on a figure.

All text in the model is final, in the deck's language; values from data are plain strings that
each renderer writes as text (never as markup).
"""

from __future__ import annotations

from dataclasses import dataclass, field

KINDS = ("account", "manager", "portfolio")
AUDIENCES = ("customer", "internal")

# tone of a change or a status: colours are the renderers' business
TONES = ("good", "bad", "neutral", "green", "yellow", "red", "none")


@dataclass(frozen=True)
class Metric:
    """One KPI tile: label, value, and its change against a named base."""

    label: str
    value: str
    change: str | None = None  # e.g. "+5.2 % vs 2025 Q3"
    tone: str = "neutral"


@dataclass(frozen=True)
class Metrics:
    items: tuple[Metric, ...]


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[float | None, ...]
    color: str


@dataclass(frozen=True)
class Chart:
    """A category chart. kind: "column" (clustered), "bar" (horizontal) or "line".

    Values are the exact figures as floats (yuan, counts); `unit` says how axis labels are
    written ("amount": 万/亿 or K/M, "number", "pct" for fractions)."""

    kind: str
    title: str
    categories: tuple[str, ...]
    series: tuple[Series, ...]
    unit: str = "amount"


@dataclass(frozen=True)
class Cell:
    text: str
    tone: str | None = None  # a status colour shown beside the text
    align: str = "left"


@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    title: str | None = None
    widths: tuple[float, ...] | None = None  # relative column widths
    empty: str = ""  # shown instead of an empty table


@dataclass(frozen=True)
class Bullets:
    items: tuple[str, ...]
    title: str | None = None
    size: str = "normal"  # "small" for reference text (the appendix's definitions)


@dataclass(frozen=True)
class Cover:
    title: str
    subtitle: str
    lines: tuple[str, ...]


Block = Metrics | Chart | Table | Bullets | Cover


@dataclass(frozen=True)
class Row:
    """Blocks side by side; `widths` are relative (equal by default), `height` relative to other rows."""

    blocks: tuple[Block, ...]
    widths: tuple[float, ...] | None = None
    height: float = 1.0


@dataclass(frozen=True)
class Slide:
    key: str  # stable name ("summary", "monthly", …): tests and the presentation's URL use it
    title: str
    rows: tuple[Row, ...]
    definitions: tuple[str, ...] = ()  # keys of qbr.definition.* for the figures on this slide
    notes: str = ""  # speaker notes (the definitions, in words)


@dataclass(frozen=True)
class Deck:
    kind: str
    audience: str
    language: str
    title: str  # e.g. "Shanghai Huaxin … · Q3 2026 business review"
    context: str  # period, comparison, filters and data date: the footer of every slide
    file_stem: str  # a safe file name without extension
    slides: tuple[Slide, ...] = field(default_factory=tuple)

    def slide(self, key: str) -> Slide:
        return next(slide for slide in self.slides if slide.key == key)

    @property
    def keys(self) -> list[str]:
        return [slide.key for slide in self.slides]


def block_texts(block: Block) -> list[str]:
    """Every string a block shows: titles, labels, values, cells, chart categories and series names."""
    if isinstance(block, Metrics):
        return [text for m in block.items for text in (m.label, m.value, m.change) if text]
    if isinstance(block, Chart):
        return [block.title, *block.categories, *(s.name for s in block.series)]
    if isinstance(block, Table):
        return [*(block.title and [block.title] or []), *block.columns, block.empty,
                *(cell.text for row in block.rows for cell in row)]
    if isinstance(block, Bullets):
        return [*(block.title and [block.title] or []), *block.items]
    if isinstance(block, Cover):
        return [block.title, block.subtitle, *block.lines]
    raise TypeError(f"unknown block {type(block).__name__}")


def deck_texts(deck: Deck) -> list[str]:
    """Every string of the deck, as the customer-audience scan reads it."""
    texts = [deck.title, deck.context]
    for slide in deck.slides:
        texts += [slide.title, slide.notes]
        for row in slide.rows:
            for block in row.blocks:
                texts += block_texts(block)
    return [text for text in texts if text]
