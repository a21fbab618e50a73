"""AppTest: the overview page shows the real figures, follows the filters, speaks both languages."""

from __future__ import annotations

from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

import independent as independent_figures
from ka_testing import ROOT, as_money_column, run_page
from ka import db, i18n, overview
from ka.periods import default_period, period_key, year_period

PAGE = str(ROOT / "pages" / "overview.py")


def run_overview(language: str, **state) -> AppTest:
    return run_page(PAGE, language, **state)


def metric(at: AppTest, label: str):
    matches = [m for m in at.metric if m.label == label]
    assert matches, f"no metric {label!r} among {[m.label for m in at.metric]}"
    return matches[0]


def independent(path, start, end, regions=()):
    con = db.open(path)
    try:
        return independent_figures.portfolio(con, start, end, regions)
    finally:
        con.close()


def latest_quarter(path):
    con = db.open(path)
    try:
        return independent_figures.latest_complete_quarter(con)
    finally:
        con.close()


@pytest.mark.parametrize("language", ["en", "zh"])
def test_tiles_show_the_latest_complete_quarter(app_db, language):
    at = run_overview(language)
    assert not at.exception
    start, end = latest_quarter(app_db)
    expected = independent(app_db, start, end)
    i18n.set_language(language)
    assert at.title[0].value == i18n.t("overview.title")
    assert metric(at, i18n.t("overview.kpi_revenue")).value == i18n.format_amount(expected["revenue"], language)
    assert metric(at, i18n.t("overview.kpi_active_accounts")).value == str(expected["active_accounts"])
    assert metric(at, i18n.t("overview.kpi_margin")).value == f"{expected['margin'] * 100:.1f}%"
    assert len(at.metric) == 11  # nine tiles, overdue actions and red accounts without a plan
    top = [d.value for d in at.dataframe if "share" in d.value.columns][0]
    con = db.open(app_db)
    revenue = {a: t["revenue"] for a, t in independent_figures.account_totals(con, start, end).items()}
    con.close()
    largest = sorted(revenue, key=lambda a: (-revenue[a], a))[:10]
    assert list(top["account_id"]) == largest
    assert list(top["revenue"]) == pytest.approx([float(revenue[a]) for a in largest])


def test_period_and_region_filters_change_the_figures(app_db):
    base = run_overview("en")
    revenue_label = "Revenue"
    quarter_value = metric(base, revenue_label).value
    year = run_overview("en", filter_period_kind="year", filter_period=period_key(year_period(2025)))
    assert metric(year, revenue_label).value == i18n.format_amount(
        independent(app_db, date(2025, 1, 1), date(2025, 12, 31))["revenue"], "en")
    assert metric(year, revenue_label).value != quarter_value
    east = run_overview("en", filter_regions=["华东"])
    assert metric(east, revenue_label).value == i18n.format_amount(
        independent(app_db, date(2026, 7, 1), date(2026, 9, 30), ("华东",))["revenue"], "en")
    assert metric(east, revenue_label).value != quarter_value


def test_empty_selection_says_so(app_db):
    at = run_overview("en", filter_period_kind="year", filter_period=period_key(year_period(2019)))
    assert not at.exception
    assert any("No transactions match" in info.value for info in at.info)
    assert len(at.metric) == 0


def test_chinese_numbers_in_wan_and_yi(app_db):
    at = run_overview("zh")
    start, end = latest_quarter(app_db)
    assert metric(at, "销售额").value == independent_figures.in_wan_or_yi(independent(app_db, start, end)["revenue"])
    assert metric(at, "活跃客户").value == str(independent(app_db, start, end)["active_accounts"])


def test_attention_list_shows_the_red_accounts_by_revenue_at_risk(app_db):
    from ka import health
    from ka.scope import ALL

    at = run_overview("en")
    con = db.open(app_db)
    period = default_period("quarter", overview.read_data_range(con)[1])
    listing = health.read_health(con, period.end, ALL, health.HealthConfig())
    con.close()
    red = listing[listing["colour"] == "red"].head(5)
    assert len(red) > 0
    shown = [d.value for d in at.dataframe if "revenue_at_risk" in d.value.columns][0]
    assert list(shown["revenue_at_risk"]) == pytest.approx(as_money_column(red["revenue_at_risk"], len(red)))
    assert list(shown["account_id"]) == list(red["account_id"])
    i18n.set_language("en")
    assert list(shown["reasons"]) == health.reason_texts(red) and shown["reasons"].str.len().gt(0).all()
