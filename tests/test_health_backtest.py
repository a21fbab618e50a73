"""Backtest arithmetic on hand-built histories; the lights on the demo and on Online Retail."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from ka_testing import require_realdata
from ka import db, health
from ka.scope import ALL

D = date(2025, 1, 31)


def _history() -> pd.DataFrame:
    rows = [
        # account, colour, has_next_window, orders_next, revenue_recent, revenue_next
        ("a", "red", True, 0, 100, 0),
        ("b", "red", True, 2, 100, 40),  # revenue halved and more: churn only under revenue_drop
        ("c", "yellow", True, 0, 100, 0),
        ("d", "green", True, 3, 100, 100),
        ("e", "none", True, 0, 0, 0),  # not scored: left out
        ("f", "green", False, None, 100, None),  # next 3 months not in the data: left out
    ]
    frame = pd.DataFrame(rows, columns=["account_id", "colour", "has_next_window", "orders_next", "revenue_recent", "revenue_next"])
    return frame.assign(as_of=D, last_order_date=pd.Timestamp("2025-01-20"))


@pytest.mark.parametrize(
    "rule, per_colour, summary",
    [
        (
            health.ChurnRule("no_order"),
            {"red": (2, 1, 0.5), "yellow": (1, 1, 1.0), "green": (1, 0, 0.0), "all": (4, 2, 0.5)},
            {"rows": 4, "month_ends": 1, "churned": 2, "base_rate": 0.5, "red_precision": 0.5, "red_recall": 0.5, "red_lift": 1.0},
        ),
        (
            health.ChurnRule("revenue_drop", drop=0.5),
            {"red": (2, 2, 1.0), "yellow": (1, 1, 1.0), "green": (1, 0, 0.0), "all": (4, 3, 0.75)},
            {"rows": 4, "month_ends": 1, "churned": 3, "base_rate": 0.75, "red_precision": 1.0, "red_recall": 2 / 3, "red_lift": 4 / 3},
        ),
        (
            health.ChurnRule("revenue_drop", drop=0.7),  # 40 is only −60 %
            {"red": (2, 1, 0.5), "yellow": (1, 1, 1.0), "green": (1, 0, 0.0), "all": (4, 2, 0.5)},
            {"rows": 4, "churned": 2, "red_precision": 0.5, "red_lift": 1.0},
        ),
    ],
)
def test_backtest_table_and_red_precision_recall_lift(rule, per_colour, summary):
    table, got = health.compute_backtest(_history(), rule, data_end=date(2025, 4, 30))
    assert {r.colour: (r.accounts, r.churned, r.churn_rate) for r in table.itertuples()} == per_colour
    for key, value in summary.items():
        assert got[key] == pytest.approx(value), key


def test_lead_time_from_first_red_to_last_order():
    rows = [
        ("x", date(2025, 1, 31), "yellow", date(2025, 5, 20)),
        ("x", date(2025, 2, 28), "red", date(2025, 5, 20)),  # 81 days before the last order
        ("x", date(2025, 3, 31), "red", date(2025, 5, 20)),
        ("y", date(2024, 5, 31), "red", date(2025, 6, 10)),  # 375 days: too early to count as a warning
        ("y", date(2025, 4, 30), "red", date(2025, 6, 10)),  # 41 days
        ("y", date(2025, 7, 31), "red", date(2025, 6, 10)),  # after the last order
        ("z", date(2025, 10, 31), "red", date(2025, 11, 15)),  # ordered within 90 days of the end: not lost
        ("w", date(2025, 2, 28), "green", date(2025, 3, 1)),  # lost without a warning
    ]
    history = pd.DataFrame(rows, columns=["account_id", "as_of", "colour", "last_order_date"])
    assert health.compute_lead_times(history, date(2025, 12, 31)) == {
        "lost_accounts": 3, "lost_warned": 2, "median_lead_days": 61.0,
    }


def test_churn_rule_is_checked():
    with pytest.raises(ValueError):
        health.ChurnRule("gone")


# --- the demo portfolio -------------------------------------------------------------------
def _decline_leads(demo_con) -> dict[str, int]:
    """Per planted decline_churn account: days between its last order and the month end from which
    it stayed red at every month end up to that order (a warning that did not flicker back)."""
    history = health.read_health_history(demo_con, ALL, health.HealthConfig())
    accounts = [row[0] for row in db.query_rows(demo_con, "select account_id from demo_stories where story = 'decline_churn'")]
    leads = {}
    for account in accounts:
        rows = history[history["account_id"] == account]
        last_order = pd.to_datetime(rows["last_order_date"]).max().date()
        before = rows[rows["as_of"] <= last_order].sort_values("as_of", ascending=False)
        warned_since = None
        for as_of, colour in zip(before["as_of"], before["colour"]):
            if colour != "red":
                break
            warned_since = as_of
        leads[account] = -1 if warned_since is None else (last_order - warned_since).days
    return leads


def test_demo_declining_accounts_are_red_60_days_before_their_last_order(demo_con):
    leads = _decline_leads(demo_con)
    assert len(leads) == 3
    assert all(lead >= 60 for lead in leads.values()), leads


# --- Online Retail (../shared/realdata) ------------------------------------------------------
@pytest.fixture(scope="module")
def retail_con(tmp_path_factory):
    """The 68 daily Online Retail files imported as one batch through the importer, as a user would."""
    from import_helpers import import_paths

    connection = db.connect(tmp_path_factory.mktemp("retail") / "retail.duckdb")
    import_paths(connection, require_realdata("online-retail", "by-day"))
    yield connection
    connection.close()


@pytest.mark.slow
def test_online_retail_loads_the_reference_total(retail_con):
    revenue, customers = db.query_rows(retail_con, "select sum(revenue), count(distinct account_id) from transactions")[0]
    assert (str(revenue), customers) == ("1466224.5500", 1749)


@pytest.mark.slow
def test_online_retail_backtest(retail_con):
    """Three months of data: no month end has its next 3 months in the data, so nothing to evaluate.

    What health can say as of 2011-02-28: the previous and year-ago windows lie before the data,
    so the colours rest on recency against each customer's own rhythm alone.
    """
    history = health.read_health_history(retail_con, ALL, health.HealthConfig())
    assert sorted(set(history["as_of"])) == [date(2010, 12, 31), date(2011, 1, 31), date(2011, 2, 28)]
    table, summary = health.compute_backtest(history, health.ChurnRule(), date(2011, 2, 28))
    assert summary["rows"] == 0 and summary["month_ends"] == 0
    assert table.set_index("colour")["accounts"].to_dict() == {"red": 0, "yellow": 0, "green": 0, "all": 0}
    latest = history[history["as_of"] == date(2011, 2, 28)]
    assert len(latest) == 1749 - 0  # every customer ordered within the 12 months up to T
    # the previous window (Sep–Nov 2010) and the year-ago window are before the data: no trend measures
    assert latest["value_revenue_trend"].isna().all() and latest["value_revenue_yoy"].isna().all()
    # no tickets, surveys, visits or contracts either: the colour rests on recency alone
    assert latest["colour"].value_counts().to_dict() == _recency_only_colours(retail_con, date(2011, 2, 28))


def _recency_only_colours(con, as_of: date) -> dict[str, int]:
    """Colours from the transactions in plain Python when recency is the only measure with data:
    days since the last order over the usual interval ((last − first) / (orders − 1) in the 12
    months up to as_of, at least 14 days); 100 points at ≤ 1×, 0 at ≥ 2.5×, linear between; red
    below 50, green above 75; 2× or more is red whatever the score; one order only: no colour."""
    rows = con.execute(
        "select account_id, count(distinct order_id), min(order_date), max(order_date) from transactions "
        "where order_date between ? and ? group by account_id",
        [date(as_of.year - 1, as_of.month + 1, 1) if as_of.month < 12 else date(as_of.year, 1, 1), as_of],
    ).fetchall()
    counts = {"none": 0, "red": 0, "yellow": 0, "green": 0}
    for _, orders, first, last in rows:
        if orders < 2:
            counts["none"] += 1
            continue
        recency = (as_of - last).days / max((last - first).days / (orders - 1), 14.0)
        points = 100.0 * min(max((recency - 2.5) / (1.0 - 2.5), 0.0), 1.0)
        colour = "red" if points < 50 or recency >= 2.0 else "green" if points > 75 else "yellow"
        counts[colour] += 1
    return {colour: count for colour, count in sorted(counts.items(), key=lambda item: -item[1]) if count}
