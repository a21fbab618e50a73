"""Figures computed straight from `transactions` and `accounts` with plain SQL and Python, for the
page tests to compare with: never through ka's readers, macros or pre-aggregates."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal


def latest_complete_quarter(con) -> tuple[date, date]:
    """The last calendar quarter that ends on or before the last order date."""
    last = con.execute("select max(order_date) from transactions").fetchall()[0][0]
    quarter_end_months = {3: 31, 6: 30, 9: 30, 12: 31}
    if last.month in quarter_end_months and last.day == quarter_end_months[last.month]:
        end = last
    else:
        start_of_quarter = date(last.year, 3 * ((last.month - 1) // 3) + 1, 1)
        end = start_of_quarter - timedelta(days=1)
    start = date(end.year, end.month - 2, 1)
    return start, end


def account_totals(con, start: date, end: date, regions: tuple[str, ...] = ()) -> dict[str, dict]:
    """Per account with lines between start and end (accounts master region in `regions`, if any):
    revenue, cost, revenue of the lines with a known cost, its KA manager."""
    rows = con.execute(
        """
        select t.account_id, a.ka_manager, sum(t.revenue), sum(t.cost), sum(t.revenue) filter (where t.cost is not null)
        from transactions as t join accounts as a using (account_id)
        where t.order_date between ? and ? and (len(?::varchar[]) = 0 or list_contains(?::varchar[], a.region))
        group by all
        """,
        [start, end, list(regions), list(regions)],
    ).fetchall()
    return {
        account: {"manager": manager, "revenue": revenue, "cost": cost, "revenue_with_cost": with_cost or Decimal(0)}
        for account, manager, revenue, cost, with_cost in rows
    }


def portfolio(con, start: date, end: date, regions: tuple[str, ...] = ()) -> dict:
    """Revenue (exact), active accounts (net revenue > 0) and margin of a period."""
    totals = account_totals(con, start, end, regions).values()
    revenue = sum((t["revenue"] for t in totals), Decimal(0))
    with_cost = sum((t["revenue_with_cost"] for t in totals), Decimal(0))
    cost = sum((t["cost"] for t in totals if t["cost"] is not None), Decimal(0))
    return {
        "revenue": revenue,
        "active_accounts": sum(1 for t in totals if t["revenue"] > 0),
        "margin": float((with_cost - cost) / with_cost) if with_cost else None,
    }


def cumulative_tiers(values: dict[str, Decimal], a: str = "0.80", b: str = "0.95") -> dict[str, str]:
    """The README's rule: by value desc (ties by id), A while the share before the account is below
    a (the crossing account is A), B below b, C the rest; zero or negative values are C."""
    ranked = sorted(values.items(), key=lambda item: (-item[1], item[0]))
    positive_total = sum(v for _, v in ranked if v > 0)
    tiers, running = {}, Decimal(0)
    for account, value in ranked:
        before = running / positive_total if positive_total else Decimal(1)
        running += max(value, Decimal(0))
        tiers[account] = "C" if value <= 0 else "A" if before < Decimal(a) else "B" if before < Decimal(b) else "C"
    return tiers


def tier_counts(tiers: dict[str, str]) -> dict[str, int]:
    return {tier: sum(1 for t in tiers.values() if t == tier) for tier in "ABC"}


def manager_revenue(con, start: date, end: date) -> dict[str, float]:
    revenue: dict[str, Decimal] = defaultdict(Decimal)
    for totals in account_totals(con, start, end).values():
        revenue[totals["manager"] or ""] += totals["revenue"]
    return {manager: float(value) for manager, value in revenue.items()}


def in_wan_or_yi(value: Decimal) -> str:
    """A money amount as a Chinese director reads it: 1.23亿 / 45.6万, about four significant figures."""
    for base, unit in ((Decimal(10) ** 8, "亿"), (Decimal(10) ** 4, "万")):
        if abs(value) >= base:
            scaled = abs(value) / base
            places = 2 if scaled < 100 else 1 if scaled < 1000 else 0
            return ("-" if value < 0 else "") + f"{scaled:,.{places}f}{unit}"
    return f"{value:,.0f}"
