"""Overview KPIs equal independent computations, to the cent."""

from __future__ import annotations

import csv
from collections import defaultdict
from datetime import date
from decimal import Decimal

import pytest

from ka_testing import FIXTURES, load_fixture_transactions
from ka import overview
from ka.periods import Period, month_period, quarter_period, year_period
from ka.scope import Scope


@pytest.fixture
def fixture_con(con):
    load_fixture_transactions(con)
    return con


def _fixture_lines() -> list[dict]:
    with open(FIXTURES / "transactions.csv", encoding="utf-8") as handle:
        lines = list(csv.DictReader(handle))
    with open(FIXTURES / "accounts.csv", encoding="utf-8") as handle:
        accounts = {row["account_id"]: row for row in csv.DictReader(handle)}
    for line in lines:
        line["date"] = date.fromisoformat(line["order_date"])
        line["revenue"] = Decimal(line["revenue"])
        line["cost"] = Decimal(line["cost"]) if line["cost"] else None
        line["account_region"] = accounts[line["account_id"]]["region"]
    return lines


def _expected(lines: list[dict], period: Period, regions: tuple = ()) -> dict:
    """The KPI definitions, computed in plain Python from the fixture file."""
    lines = [l for l in lines if not regions or l["account_region"] in regions]
    in_period = [l for l in lines if period.start <= l["date"] <= period.end]
    prior = period.prior()
    by_account, prior_by_account, first_order = defaultdict(Decimal), defaultdict(Decimal), {}
    for line in lines:
        first_order[line["account_id"]] = min(first_order.get(line["account_id"], line["date"]), line["date"])
        if prior.start <= line["date"] <= prior.end:
            prior_by_account[line["account_id"]] += line["revenue"]
    for line in in_period:
        by_account[line["account_id"]] += line["revenue"]
    active = {a for a, r in by_account.items() if r > 0}
    with_cost = [l for l in in_period if l["cost"] is not None]
    positive = sorted((r for r in by_account.values() if r > 0), reverse=True)
    total_positive = sum(positive)
    return {
        "revenue": sum((l["revenue"] for l in in_period), Decimal(0)),
        "gross_profit": sum((l["revenue"] - l["cost"] for l in with_cost), Decimal(0)),
        "active_accounts": len(active),
        "new_accounts": len({a for a in active if first_order[a] >= period.start}),
        "lost_accounts": len({a for a, r in prior_by_account.items() if r > 0} - active),
        "top10_share": float(sum(positive[:10]) / total_positive) if total_positive else None,
        "hhi": sum(float(r / total_positive * 100) ** 2 for r in positive) if total_positive else None,
    }


@pytest.mark.parametrize(
    "period, regions",
    [
        (quarter_period(2025, 3), ()),
        (quarter_period(2025, 2), ()),
        (month_period(2025, 9), ()),
        (year_period(2025), ()),
        (quarter_period(2025, 3), ("East",)),
        (quarter_period(2025, 3), ("North", "South")),
        (Period(date(2025, 6, 15), date(2025, 8, 31)), ()),  # a day range: answered from transactions
    ],
)
def test_fixture_kpis_equal_plain_python(fixture_con, period, regions):
    kpis = overview.read_overview_kpis(fixture_con, period, Scope(regions=regions))
    expected = _expected(_fixture_lines(), period, regions)
    for name, value in expected.items():
        got = kpis.value(name)
        if isinstance(value, float):
            assert got == pytest.approx(value, rel=1e-12), name
        else:
            assert got == value, name


def test_fixture_q3_2025_by_hand(fixture_con):
    """The same quarter worked out by hand: a return, a cost-less line, a new and two lost accounts."""
    kpis = overview.read_overview_kpis(fixture_con, quarter_period(2025, 3), Scope())
    assert kpis.revenue == Decimal("4551.19")
    assert kpis.revenue_with_cost == Decimal("3050.20")
    assert kpis.gross_profit == Decimal("1399.95")
    assert kpis.margin == pytest.approx(1399.95 / 3050.20)
    assert (kpis.active_accounts, kpis.new_accounts, kpis.lost_accounts) == (4, 1, 2)
    assert kpis.revenue_per_account == Decimal("1137.7975")
    assert kpis.top10_share == 1.0


def test_empty_period_is_empty_not_an_error(fixture_con):
    kpis = overview.read_overview_kpis(fixture_con, quarter_period(2020, 1), Scope())
    assert kpis.is_empty and kpis.revenue == 0 and kpis.active_accounts == 0
    assert kpis.margin is None and kpis.top10_share is None and kpis.revenue_per_account is None


INDEPENDENT_SQL = """
    select
        sum(t.revenue)                                          as revenue,
        sum(t.revenue - t.cost) filter (where t.cost is not null) as gross_profit,
        count(distinct t.order_id)                              as orders
    from transactions as t
    join accounts as a on a.account_id = t.account_id
    where t.order_date between ? and ?
      and (? is null or a.region = ?)
"""
ACTIVE_SQL = """
    select count(*) from (
        select t.account_id from transactions as t join accounts as a using (account_id)
        where t.order_date between ? and ? and (? is null or a.region = ?)
        group by t.account_id having sum(t.revenue) > 0
    )
"""


@pytest.mark.parametrize(
    "period, region",
    [
        (quarter_period(2026, 3), None),
        (quarter_period(2025, 4), None),
        (year_period(2025), None),
        (quarter_period(2026, 3), "华东"),
        (Period(date(2026, 2, 10), date(2026, 5, 20)), "华南"),
    ],
)
def test_demo_kpis_equal_independent_sql(demo_con, period, region):
    kpis = overview.read_overview_kpis(demo_con, period, Scope(regions=(region,) if region else ()))
    params = [period.start, period.end, region, region]
    revenue, gross_profit, orders = demo_con.execute(INDEPENDENT_SQL, params).fetchall()[0]
    active = demo_con.execute(ACTIVE_SQL, params).fetchall()[0][0]
    assert kpis.revenue == revenue
    assert kpis.gross_profit == gross_profit
    assert kpis.orders == orders
    assert kpis.active_accounts == active
    assert kpis.revenue > 0


def test_deltas_against_prior_and_year_ago(fixture_con):
    q3 = overview.read_overview_kpis(fixture_con, quarter_period(2025, 3), Scope())
    q2 = overview.read_overview_kpis(fixture_con, quarter_period(2025, 2), Scope())
    deltas = overview.compute_deltas(q3, q2)
    assert deltas["revenue"] == pytest.approx(float((Decimal("4551.19") - q2.revenue) / q2.revenue))
    assert deltas["margin"] == pytest.approx(q3.margin - q2.margin)
    year_ago = overview.read_overview_kpis(fixture_con, quarter_period(2024, 3), Scope())
    assert year_ago.revenue == Decimal("1500.10")


def test_top_accounts_and_breakdown(fixture_con):
    top = overview.read_top_accounts(fixture_con, quarter_period(2025, 3), Scope(), limit=3)
    assert list(top["account_id"]) == ["A001", "A004", "A002"]
    assert top["revenue"].iloc[0] == pytest.approx(1849.75)
    assert top["prior_revenue"].iloc[0] == pytest.approx(1200.50)
    regions = overview.read_breakdown(fixture_con, quarter_period(2025, 3), Scope(), "region")
    assert dict(zip(regions["label"], regions["revenue"])) == pytest.approx(
        {"East": 2750.20, "North": 1900.99, "South": -100.00}
    )
    with pytest.raises(KeyError):
        overview.read_breakdown(fixture_con, quarter_period(2025, 3), Scope(), "account_name; drop table x")
