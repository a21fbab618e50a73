"""Actions: what was agreed at the last review and what is open for next quarter.

The extension point for action plans. Until they are recorded, `read_actions` returns no rows and
the slide says so; once an actions table exists, `read_actions` reads it (same columns) and the
slide fills itself — no renderer changes. A separate slide (say, the last review's actions on
their own) is one more SlideSpec in the deck's list, built from the same rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb

from ka.i18n import t
from ka.qbr.model import Cell, Row, Slide, Table
from ka.qbr.request import Request


@dataclass(frozen=True)
class Action:
    title: str
    owner: str | None
    due_date: date | None
    status: str  # "open" | "done" | "late"
    is_ask: bool = False  # something we ask of the customer, rather than promise


def read_actions(con: duckdb.DuckDBPyConnection, request: Request, account_id: str | None = None) -> dict[str, list[Action]]:
    """{"since_last": actions due since the last review, "next": open actions and asks for next quarter}.

    No action plans are recorded yet, so both lists are empty."""
    return {"since_last": [], "next": []}


def _table(actions: list[Action], title: str) -> Table:
    rows = tuple(
        (Cell(a.title), Cell(a.owner or "—"), Cell(f"{a.due_date:%Y-%m-%d}" if a.due_date else "—"),
         Cell(t(f"qbr.actions.status.{a.status}")))
        for a in actions
    )
    columns = (t("qbr.actions.col_action"), t("qbr.actions.col_owner"), t("qbr.actions.col_due"), t("qbr.actions.col_status"))
    return Table(columns, rows, title=title, widths=(4, 1.5, 1.5, 1.2), empty=t("qbr.actions.none"))


def next_quarter_slide(con: duckdb.DuckDBPyConnection, request: Request, account_id: str | None = None) -> Slide:
    actions = read_actions(con, request, account_id)
    return Slide("next_quarter", t("qbr.slide.next_quarter"), (
        Row((_table(actions["since_last"], t("qbr.actions.since_last")),)),
        Row((_table(actions["next"], t("qbr.actions.next")),)),
    ))
