"""Account 360: one account's profile, figures against its own past, product mix and activity.

The period figures reuse the overview's KPI query narrowed to one account, so an account's
revenue here is, by construction, the same number the overview adds up.
"""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

from ka import db, overview
from ka.periods import Period, add_months
from ka.scope import Scope, period_params


def read_account_options(con: duckdb.DuckDBPyConnection, period: Period, scope: Scope) -> pd.DataFrame:
    """Every account in scope, largest revenue in the period first (for the account picker)."""
    return db.query_df(con, db.load_sql("account_options"), {**scope.params(), **period_params(period)})


def read_profile(con: duckdb.DuckDBPyConnection, account_id: str) -> dict | None:
    rows = db.query_dicts(con, db.load_sql("account_profile"), {"account_id": account_id})
    return rows[0] if rows else None


def read_last_order_until(con: duckdb.DuckDBPyConnection, account_id: str, as_of: date) -> date | None:
    """The account's last order on or before `as_of` (None when it first ordered later)."""
    return db.query_rows(
        con, "select max(last_order_date) from account_month where account_id = ? and last_order_date <= ?",
        [account_id, as_of])[0][0]


def read_period_figures(con: duckdb.DuckDBPyConnection, account_id: str, period: Period) -> dict:
    """The account's KPIs for the period, the prior period and the same period last year."""
    scope = Scope(account_ids=(account_id,))
    return {
        "current": overview.read_overview_kpis(con, period, scope),
        "prior": overview.read_overview_kpis(con, period.prior(), scope),
        "year_ago": overview.read_overview_kpis(con, period.year_ago(), scope),
    }


def read_monthly(con: duckdb.DuckDBPyConnection, account_id: str, period: Period, months: int = 24) -> pd.DataFrame:
    """Monthly revenue and gross profit of the `months` months ending with the period, a zero for
    each month without orders (months before the data begins are left out)."""
    last = period.end.replace(day=1)
    return overview.read_monthly_revenue(con, add_months(last, -months + 1), last, Scope(account_ids=(account_id,)))


def read_category_mix(con: duckdb.DuckDBPyConnection, account_id: str, period: Period) -> pd.DataFrame:
    params = {"account_id": account_id, "start": period.start, "end": period.end}
    return db.query_df(con, db.load_sql("account_category_mix"), params)


def read_recent_orders(con: duckdb.DuckDBPyConnection, account_id: str, until: date | None = None,
                       limit: int = 15) -> pd.DataFrame:
    """The account's latest orders up to `until` (the as-of date the page measures at; None: all)."""
    return db.query_df(con, db.load_sql("account_recent_orders"),
                       {"account_id": account_id, "until": until, "limit": limit})


def read_activity(con: duckdb.DuckDBPyConnection, account_id: str, as_of: date) -> dict:
    return db.query_dicts(con, db.load_sql("account_activity"), {"account_id": account_id, "as_of": as_of})[0]


def days_between(earlier: date | None, later: date | None) -> int | None:
    return None if earlier is None or later is None else (later - earlier).days
