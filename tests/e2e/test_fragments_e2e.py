"""A move inside a page's fragment (the part of the page that reruns alone) redraws the figures it moves with
the values the rule gives, computed here from the transactions, and draws nothing twice."""

from __future__ import annotations

import duckdb
import pytest
from playwright.sync_api import Page, expect

import independent as independent_figures
from e2e_helpers import assert_no_exception, languages, metric_values, open_app, screenshot, wait_for_app, widget

TEXT = {  # the tier tiles (tiers.count_label) and the page's title, as the page writes them
    "en": {"tile": "Tier {tier} accounts", "title": "Account tiers"},
    "zh": {"tile": "{tier} 类客户数", "title": "客户分级"},
}


def tiers_with_a_at(db_path: str, a: str) -> dict[str, int]:
    """Cumulative-share tier counts of the latest complete quarter with the A line at `a`, from plain SQL."""
    con = duckdb.connect(db_path, read_only=True)
    try:
        start, end = independent_figures.latest_complete_quarter(con)
        revenue = {account: totals["revenue"] for account, totals in independent_figures.account_totals(con, start, end).items()}
    finally:
        con.close()
    return independent_figures.tier_counts(independent_figures.cumulative_tiers(revenue, a=a))


def tier_tiles(page: Page, lang: str) -> dict[str, int]:
    tiles = metric_values(page)
    return {tier: int(tiles[TEXT[lang]["tile"].format(tier=tier)].replace(",", "")) for tier in "ABC"}


@pytest.mark.parametrize("lang", languages())
def test_a_tier_threshold_step_recounts_the_tiers(page: Page, app_server, console_errors, screenshot_dir, lang):
    open_app(page, app_server["url"], f"tiers?lang={lang}")
    assert tier_tiles(page, lang) == tiers_with_a_at(app_server["db"], "0.80")
    sidebar_before = page.locator('[data-testid="stSidebar"]').inner_text()

    plus = widget(page, "tiers_a_cumulative").locator('[data-testid="stNumberInputStepUp"]')
    plus.click()  # 80 % → 81 %
    wait_for_app(page)
    expect(widget(page, "tiers_a_cumulative").locator("input")).to_have_value("81.00")
    assert tier_tiles(page, lang) == tiers_with_a_at(app_server["db"], "0.81")
    # nothing drawn twice or left over: one title, one set of tiles, one Pareto chart; the sidebar as it was
    assert page.locator('[data-testid="stMain"] h1').all_inner_texts() == [TEXT[lang]["title"]]
    labels = page.locator('[data-testid="stMetricLabel"]').all_inner_texts()
    assert sorted(label.strip() for label in labels) == [TEXT[lang]["tile"].format(tier=tier) for tier in "ABC"]
    assert page.locator(".st-key-tiers_pareto").count() == 1
    assert page.locator('[data-testid="stSidebar"]').inner_text() == sidebar_before
    assert_no_exception(page)
    screenshot(page, screenshot_dir, f"tiers-threshold-moved-{lang}-1366")
    assert console_errors == []
