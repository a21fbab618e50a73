"""Actions: what was agreed at the last review and what is open for next quarter.

Read from the action plans (ka/action_plans.py: imported and made in the app), for the account
of an account review or the accounts of a portfolio review's scope. "Since the last review": the
actions due within the review's period (cancelled ones left out), marked done, late (still open
after their due date, as of the period's end) or open. "Next": the actions still open with a due
date after the period, soonest first. A deck for the customer shows only the actions agreed with
them (reason "manual" or a scorecard KPI): the ones our health and relationship rules proposed
are internal. Each list shows at most ROWS_PER_TABLE actions (a slide's
room). A separate slide (say, the last review's actions on their own) is one more SlideSpec in the
deck's list, built from the same rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb

from ka import action_plans
from ka.i18n import t
from ka.qbr.model import Cell, Row, Slide, Table
from ka.qbr.request import Request
from ka.scope import Scope


@dataclass(frozen=True)
class Action:
    title: str
    owner: str | None
    due_date: date | None
    status: str  # "open" | "done" | "late"
    is_ask: bool = False  # something we ask of the customer, rather than promise


ROWS_PER_TABLE = 8
CUSTOMER_REASONS = ("manual", "kpi")  # what a customer deck shows


def read_actions(con: duckdb.DuckDBPyConnection, request: Request, account_id: str | None = None) -> dict[str, list[Action]]:
    """{"since_last": actions due within the review's period, "next": open actions due after it}."""
    scope = Scope(account_ids=(account_id,)) if account_id else request.scope
    period = request.period
    plans = action_plans.read_actions(con, scope, period.end)
    if request.is_customer:
        plans = plans[plans["reason_kind"].isin(CUSTOMER_REASONS)]
    due = plans["due_date"]
    since = plans[(due >= period.start) & (due <= period.end) & (plans["status"] != "cancelled")]
    later = plans[(due > period.end) & plans["status"].isin(action_plans.OPEN_STATUSES)]

    def as_action(row) -> Action:
        status = "done" if row["status"] == "done" else "late" if row["is_overdue"] else "open"
        return Action(row["title"], row["owner"], row["due_date"], status)

    return {
        "since_last": [as_action(row) for row in since.sort_values(["due_date", "title"], kind="stable")
                       .head(ROWS_PER_TABLE).to_dict("records")],
        "next": [as_action(row) for row in later.sort_values(["due_date", "title"], kind="stable")
                 .head(ROWS_PER_TABLE).to_dict("records")],
    }


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
