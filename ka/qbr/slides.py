"""What every kind of review shares: the slide list entry, the cover, the appendix, status cells."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import pandas as pd

from ka.i18n import t
from ka.qbr.model import Bullets, Cell, Cover, Row, Slide
from ka.qbr.request import Request
from ka.qbr.text import amount, definition_line, definitions_text, pct_change

STATUS_TONES = {"green": "green", "yellow": "yellow", "red": "red"}


@dataclass(frozen=True)
class SlideSpec:
    """One entry of a deck's slide list. `build(facts)` returns the slide; `internal` slides are left
    out of the customer audience before they are built, so their facts are never even read.

    A new slide is a function from the facts to a Slide, plus one line in the deck's list.
    """

    key: str
    build: Callable[[Any], Slide]
    internal: bool = False


def cover_slide(request: Request, title: str, subtitle: str, lines: tuple[str, ...]) -> Slide:
    audience = t(f"qbr.audience.{request.audience}")
    return Slide("cover", title, (Row((Cover(title, subtitle, (*lines, audience)),)),))


def status_cell(status: str) -> Cell:
    return Cell(t(f"scorecards.status_name.{status}"), tone=STATUS_TONES.get(status, "none"))


def summary_line(direction: str, rows: pd.DataFrame, year_ago_label: str) -> str:
    """"<category> grew the most: +12.3万 (+35%) against 2025 Q3", or that nothing grew (fell)."""
    if rows.empty:
        return t(f"qbr.summary.no_{direction}", label=year_ago_label)
    row = rows.iloc[0]
    relative = row["change"] / abs(row["revenue_year_ago"]) if row["revenue_year_ago"] else None
    change = ("+" if row["change"] > 0 else "") + amount(row["change"])
    return t(f"qbr.summary.{direction}", category=row["category"], change=change,
             relative=pct_change(relative) if relative is not None else t("qbr.summary.new"), label=year_ago_label)


def appendix_slide(slides: list[Slide], data_date: str) -> Slide:
    """Definitions of every figure shown on the other slides, and the data's date."""
    keys = list(dict.fromkeys(key for slide in slides for key in slide.definitions))
    items = [definition_line(key) for key in keys]
    half = (len(items) + 1) // 2
    rows = (
        Row((Bullets(tuple(items[:half]), size="small"), Bullets(tuple(items[half:]), size="small")), height=1.0),
    )
    return Slide("appendix", t("qbr.slide.appendix", date=data_date), rows, (),
                 t("qbr.appendix.notes", date=data_date))


def with_notes(slide: Slide) -> Slide:
    """The slide with its speaker notes: the definitions of its figures."""
    if slide.notes or not slide.definitions:
        return slide
    return Slide(slide.key, slide.title, slide.rows, slide.definitions, definitions_text(slide.definitions))
