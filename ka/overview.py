"""Portfolio overview: KPIs of a period against the prior period and the same period last year.

Money stays Decimal from DuckDB to the page; ratios are floats.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import duckdb
import pandas as pd

from ka import db
from ka.date_window import load_date_window
from ka.periods import Period, add_months, month_end
from ka.scope import Scope, period_params

KPI_NAMES = (
    "revenue", "gross_profit", "margin", "active_accounts", "new_accounts", "lost_accounts",
    "revenue_per_account", "top10_share", "hhi",
)
# KPIs where a rise is bad news (the delta arrow turns red)
INVERSE_KPIS = {"lost_accounts", "top10_share", "hhi"}
BREAKDOWN_DIMENSIONS = ("region", "industry", "ka_manager")  # account attributes (account_attribute in ka/sql/macros.sql)


@dataclass(frozen=True)
class OverviewKpis:
    period: Period
    revenue: Decimal
    cost: Decimal | None
    revenue_with_cost: Decimal
    orders: int
    active_accounts: int
    new_accounts: int
    lost_accounts: int
    positive_revenue: Decimal | None
    top10_revenue: Decimal | None
    hhi: float | None

    @property
    def gross_profit(self) -> Decimal | None:
        """Revenue less cost, over the lines whose cost is known."""
        return None if self.cost is None else self.revenue_with_cost - self.cost

    @property
    def margin(self) -> float | None:
        if self.gross_profit is None or not self.revenue_with_cost:
            return None
        return float(self.gross_profit / self.revenue_with_cost)

    @property
    def cost_coverage(self) -> float | None:
        """Share of revenue whose cost is known (gross profit speaks for this share only)."""
        return float(self.revenue_with_cost / self.revenue) if self.revenue else None

    @property
    def revenue_per_account(self) -> Decimal | None:
        if not self.active_accounts:
            return None
        return (self.revenue / self.active_accounts).quantize(Decimal("0.0001"))

    @property
    def top10_share(self) -> float | None:
        if not self.positive_revenue:
            return None
        return float(self.top10_revenue / self.positive_revenue)

    @property
    def is_empty(self) -> bool:
        return self.orders == 0 and self.revenue == 0

    def value(self, name: str):
        return getattr(self, name)

    def as_dict(self) -> dict:
        values = {name: self.value(name) for name in KPI_NAMES}
        values.update(
            period_start=self.period.start, period_end=self.period.end, cost=self.cost,
            revenue_with_cost=self.revenue_with_cost, orders=self.orders,
        )
        return values


def read_overview_kpis(con: duckdb.DuckDBPyConnection, period: Period, scope: Scope) -> OverviewKpis:
    prior = period.prior()
    sql = db.load_sql("overview_kpis")
    params = {**scope.params(), **period_params(period), **period_params(prior, "prior_")}
    row = db.query_dicts(con, sql, params)[0]
    return OverviewKpis(period=period, **row)


def relative_change(current, previous) -> float | None:
    """(current − previous) / |previous|; None when there is no base to compare with."""
    if current is None or previous is None or previous == 0:
        return None
    return float((current - previous) / abs(previous))


def compute_deltas(current: OverviewKpis, base: OverviewKpis) -> dict[str, float | None]:
    """Change of every KPI against `base`: relative for amounts and counts, absolute for ratios."""
    deltas = {}
    for name in KPI_NAMES:
        now, then = current.value(name), base.value(name)
        if name in ("margin", "top10_share"):
            deltas[name] = None if now is None or then is None else now - then
        else:
            deltas[name] = relative_change(now, then)
    return deltas


def read_monthly_revenue(con: duckdb.DuckDBPyConnection, first_month: date, last_month: date, scope: Scope) -> pd.DataFrame:
    """Revenue and gross profit per calendar month (month, revenue, gross_profit), with every month
    from first_month to last_month that the data covers: a month without orders is a zero, a month
    before the data begins or after it ends is left out (it is unknown, not zero)."""
    sql = db.load_sql("revenue_by_month")
    frame = db.query_df(con, sql, {**scope.params(), "start": first_month, "end": month_end(last_month)})
    data_start, data_end = read_data_range(con)
    if data_start is None:
        return frame
    return compute_filled_months(frame, max(first_month, data_start.replace(day=1)), min(last_month, data_end.replace(day=1)))


def compute_filled_months(frame: pd.DataFrame, first_month: date, last_month: date) -> pd.DataFrame:
    """`frame` (one row per month with orders) with a zero row for each month between without any.
    Gross profit stays unknown where the data has no cost at all."""
    months = [] if last_month < first_month else [
        add_months(first_month, k) for k in range((last_month.year - first_month.year) * 12
                                                  + last_month.month - first_month.month + 1)]
    has_cost = "gross_profit" in frame and frame["gross_profit"].notna().any()
    rows = frame.assign(month=pd.to_datetime(frame["month"]).dt.date).set_index("month")
    out = rows.reindex(months)
    out.index.name = "month"
    for column in out.columns:
        if column != "gross_profit" or has_cost:
            out[column] = out[column].astype("float64").fillna(0.0)
    return out.reset_index()


def read_trend_this_vs_last_year(con: duckdb.DuckDBPyConnection, period: Period, scope: Scope) -> pd.DataFrame:
    """Monthly revenue of the calendar year that holds the period's end, and of the year before
    (months without orders are zeros; months outside the data are left out)."""
    year = period.end.year
    frame = read_monthly_revenue(con, date(year - 1, 1, 1), date(year, 12, 1), scope)
    frame["year"] = pd.to_datetime(frame["month"]).dt.year
    frame["month_of_year"] = pd.to_datetime(frame["month"]).dt.month
    return frame


def read_breakdown(con: duckdb.DuckDBPyConnection, period: Period, scope: Scope, dimension: str) -> pd.DataFrame:
    """Revenue by an account attribute (region, industry, KA manager); dimension from a whitelist."""
    if dimension not in BREAKDOWN_DIMENSIONS:
        raise KeyError(dimension)
    params = {**scope.params(), **period_params(period), "dimension": dimension}
    return db.query_df(con, db.load_sql("revenue_by_dimension"), params)


def read_top_accounts(con: duckdb.DuckDBPyConnection, period: Period, scope: Scope, limit: int = 10) -> pd.DataFrame:
    """The largest accounts of the period with share, gross profit and change against the prior period."""
    prior = period.prior()
    sql = db.load_sql("top_accounts")
    params = {**scope.params(), **period_params(period), **period_params(prior, "prior_"), "limit": limit}
    return db.query_df(con, sql, params)


def read_data_range(con: duckdb.DuckDBPyConnection) -> tuple[date | None, date | None]:
    """First and last order date in the database (the "data as of" date is the last), from the months
    inside the window of plausible dates only: a stray date stored by an older import (2999-12-31, or a
    year DuckDB keeps as BC) never becomes everyone's default period."""
    window = load_date_window(con)
    first, last = db.query_rows(
        con,
        "select min(first_order_date), max(last_order_date) from account_month "
        "where month between date_trunc('month', ?::date) and ?",
        [window.first, window.last],
    )[0]
    return first, last


def read_filter_options(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    sql = db.load_sql("distinct_account_values")
    return {name: [row[0] for row in db.query_rows(con, sql, {"dimension": name})] for name in BREAKDOWN_DIMENSIONS}


def months_back(period: Period, months: int) -> date:
    return add_months(period.end.replace(day=1), -months + 1)
