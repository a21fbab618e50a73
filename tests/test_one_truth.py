"""One truth across pages: for a chosen period, Health, Overview and Account 360 show the same score,
colour and revenue at risk for the same account, all measured as of the end of that period."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

import independent
from ka import db, health, i18n
from ka.periods import add_months, month_period, period_key, quarter_period
from ka.scope import ALL
from ka_testing import ROOT

PAGES = {name: str(ROOT / "pages" / f"{name}.py") for name in ("overview", "health", "account")}


def frame_with(at: AppTest, column: str):
    """The one table that has `column` (AppTest finds a dataframe by key only when it is selectable)."""
    frames = [d.value for d in at.dataframe if column in d.value.columns]
    assert len(frames) == 1, column
    return frames[0]


def run(page: str, period, **state) -> AppTest:
    at = AppTest.from_file(PAGES[page], default_timeout=60)
    at.session_state["lang"] = "en"
    at.session_state["filter_period_kind"] = period.kind
    at.session_state["filter_period"] = period_key(period)
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize("period", [quarter_period(2026, 2), month_period(2025, 11)], ids=["2026Q2", "2025-11"])
def test_health_overview_and_account_360_agree(app_db, period):
    con = db.open(app_db)
    try:  # scores as of the period's end with the saved (default) configuration; revenue from plain SQL
        expected = health.read_health(con, period.end, ALL, health.HealthConfig()).set_index("account_id")
        revenue_12m = {account: figures["revenue"] for account, figures in independent.account_totals(
            con, add_months(period.end.replace(day=1), -11), period.end).items()}
    finally:
        con.close()
    red = expected[expected["colour"] == "red"]
    assert len(red) > 0
    account_id = red.index[0]  # the red account with the most revenue at risk: first in every list
    score = expected.loc[account_id, "score"]
    # revenue at risk = 12 months of revenue × the share of points missed (all of it when orders stopped)
    missed = 1.0 if expected.loc[account_id, "is_overridden"] else (100 - score) / 100
    at_risk = float(max(revenue_12m.get(account_id, 0), 0)) * missed
    assert at_risk > 0

    listing = run("health", period).dataframe(key="health_list").value.set_index("account_id")
    # the attention list (red accounts without a plan show revenue at risk too)
    attention = frame_with(run("overview", period), "reasons").set_index("account_id")
    account_page = run("account", period, selected_account_id=account_id)

    for shown in (listing.loc[account_id], attention.loc[account_id]):
        assert shown["light"] == "● Red"
        assert shown["score"] == pytest.approx(score)
        assert shown["revenue_at_risk"] == pytest.approx(at_risk, abs=0.01)  # small tables hold yuan; the Styler writes the text
    line = next(m.value for m in account_page.markdown if "score" in m.value and "revenue at risk" in m.value)
    assert "**Red**" in line
    assert re.search(rf"score {round(score)} as of {period.end:%Y-%m-%d}", line), line
    assert line.endswith(f"revenue at risk {i18n.format_amount(at_risk, 'en')}")


def test_a_green_account_carries_no_revenue_at_risk_on_any_page(app_db):
    period = quarter_period(2026, 2)
    listing = run("health", period).dataframe(key="health_list").value
    green = listing[listing["light"] == "● Green"]
    assert len(green) > 0 and (green["revenue_at_risk"] == 0).all()
    assert listing["light"].iloc[0] == "● Red"  # the at-risk list never starts with a green account
    account_id = green["account_id"].iloc[0]
    line = next(m.value for m in run("account", period, selected_account_id=account_id).markdown if "score" in m.value)
    assert "**Green**" in line and line.endswith("revenue at risk 0")
