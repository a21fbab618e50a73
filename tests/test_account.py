"""Account 360: one account's figures equal the same sums over its transactions."""

from datetime import date
from decimal import Decimal

import pytest
from streamlit.testing.v1 import AppTest

from ka_testing import ROOT, load_fixture_transactions
from ka import account, db, i18n
from ka.periods import quarter_period

PAGE = str(ROOT / "pages" / "account.py")


@pytest.fixture
def fixture_con(con):
    load_fixture_transactions(con)
    return con


def test_profile_and_period_figures(fixture_con):
    profile = account.read_profile(fixture_con, "A001")
    assert profile["account_name_en"] == "Alpha Manufacturing"
    assert str(profile["first_order_date"]) == "2024-08-15" and str(profile["last_order_date"]) == "2025-07-01"
    assert profile["lifetime_revenue"] == Decimal("4050.35")
    figures = account.read_period_figures(fixture_con, "A001", quarter_period(2025, 3))
    assert figures["current"].revenue == Decimal("1849.75")
    assert figures["current"].gross_profit == Decimal("1849.75") - Decimal("1009.85")
    assert figures["prior"].revenue == Decimal("1200.50")
    assert figures["year_ago"].revenue == Decimal("1000.10")
    assert account.read_profile(fixture_con, "nobody") is None


def test_category_mix_orders_and_activity(fixture_con):
    mix = account.read_category_mix(fixture_con, "A001", quarter_period(2025, 3))
    assert dict(zip(mix["category"], mix["revenue"])) == {"Equipment": 2000.0, "Parts": -150.25}
    orders = account.read_recent_orders(fixture_con, "A001", limit=2)
    assert list(orders["order_id"]) == ["O7", "O3"]
    assert list(orders["lines"]) == [2, 1] and orders["revenue"].iloc[0] == pytest.approx(1849.75)
    until = account.read_recent_orders(fixture_con, "A001", until=date(2025, 6, 30))  # the page's as-of date
    assert list(until["order_id"]) == ["O3", "O1"]
    activity = account.read_activity(fixture_con, "A001", quarter_period(2025, 3).end)
    assert activity == {"visits_90d": 0, "last_visit_date": None, "tickets_90d": 0, "open_tickets": 0,
                        "latest_nps": None, "strategic_projects": 0}


@pytest.mark.parametrize("language", ["en", "zh"])
def test_page_opens_the_selected_account(app_db, language):
    con = db.open(app_db)
    profile = account.read_profile(con, "KA00003")
    con.close()
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.session_state["lang"] = language
    at.session_state["selected_account_id"] = "KA00003"
    at.run()
    assert not at.exception
    expected_name = profile["account_name_en"] if language == "en" else profile["account_name"]
    assert at.title[0].value == expected_name
    assert at.selectbox(key="account_picker").value == "KA00003"
    i18n.set_language(language)
    labels = [m.label for m in at.metric]
    assert i18n.t("account.kpi_revenue") in labels and i18n.t("account.latest_nps") in labels
    assert len(at.dataframe[0].value) > 0


def test_picking_another_account_updates_the_selection(app_db):
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.session_state["lang"] = "en"
    at.run()
    first = at.selectbox(key="account_picker").value
    other = at.selectbox(key="account_picker").options[1]
    at.selectbox(key="account_picker").select_index(1).run()
    assert at.session_state["selected_account_id"] != first
    assert other.endswith(f"({at.session_state['selected_account_id']})")


def test_picker_lists_accounts_that_did_not_buy_in_the_period(fixture_con):
    from ka.scope import Scope

    options = account.read_account_options(fixture_con, quarter_period(2025, 3), Scope())
    assert list(options["account_id"][:4]) == ["A001", "A004", "A002", "A003"]
    assert set(options["account_id"]) == {"A001", "A002", "A003", "A004", "A005", "A006"}
    lost = options.set_index("account_id").loc["A005"]
    assert lost["revenue"] != lost["revenue"]  # no revenue in the period (NaN), still listed


def test_page_shows_the_accounts_tier_and_health_with_reasons(app_db):
    import independent as independent_figures

    from ka import health
    from ka.periods import default_period
    from ka.scope import ALL

    con = db.open(app_db)
    period = default_period("quarter", con.execute("select max(order_date) from transactions").fetchall()[0][0])
    start, end = independent_figures.latest_complete_quarter(con)
    revenue = {a: t["revenue"] for a, t in independent_figures.account_totals(con, start, end).items()}
    tier = independent_figures.cumulative_tiers(revenue)["KA00001"]
    scored = health.read_health(con, period.end, ALL, health.HealthConfig()).set_index("account_id").loc["KA00001"]
    con.close()
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.session_state["lang"] = "en"
    at.session_state["selected_account_id"] = "KA00001"
    at.run()
    line = [m.value for m in at.markdown if "Tier" in m.value][0]
    assert f"**Tier {tier}**" in line
    assert f"**{scored['colour'].capitalize()}**, score {scored['score']:.0f}" in line


def test_the_picker_lists_a_bounded_number_of_accounts_and_the_search_finds_any(app_db):
    """60 accounts in scope: the picker offers the shown account and the 50 largest; the search narrows
    it to the accounts whose name or id match, and picking one opens it."""
    from ka.periods import default_period
    from ka.scope import Scope
    from ka.ui.paging import PICKER_OPTIONS

    con = db.open(app_db)
    last = con.execute("select max(order_date) from transactions").fetchall()[0][0]
    everyone = account.read_account_options(con, default_period("quarter", last), Scope())
    con.close()
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.session_state["lang"] = "en"
    at.run()
    picker = at.selectbox(key="account_picker")
    assert len(everyone) > PICKER_OPTIONS + 1
    assert len(picker.options) == PICKER_OPTIONS + 1  # the shown account first, then the largest 50
    assert picker.value == everyone["account_id"].iloc[0]
    wanted = everyone.iloc[-1]
    at.text_input(key="account_search").input(wanted["account_name_en"].upper()).run()
    options = at.selectbox(key="account_picker").options
    assert options[0].endswith(f"({picker.value})") and any(o.endswith(f"({wanted['account_id']})") for o in options)
    at.selectbox(key="account_picker").set_value(wanted["account_id"]).run()
    assert not at.exception
    assert at.title[0].value == wanted["account_name_en"]
    assert at.session_state["selected_account_id"] == wanted["account_id"]
