"""A click on an account in a chart or a table opens its Account 360; its URL opens the same view in a new tab."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import Page

from e2e_helpers import (
    assert_no_exception, click_account_in_table, click_bar, go_to_page, languages, metric_values, open_app, screenshot,
    wait_for_app,
)

TEXT = {
    "en": {"tiers": "Account tiers", "revenue": "Revenue", "picker": "Account"},
    "zh": {"tiers": "客户分级", "revenue": "销售额", "picker": "客户"},
}


def opened_account(page: Page) -> str:
    """The account Account 360 shows, from its URL (the page also names it in its title)."""
    page.wait_for_url("**/account?**", timeout=60_000)
    wait_for_app(page)
    return parse_qs(urlparse(page.url).query)["account"][0]


@pytest.mark.parametrize("lang", languages())
def test_a_click_on_a_bar_or_a_name_opens_account_360(page: Page, app_server, console_errors, screenshot_dir, lang):
    text = TEXT[lang]
    open_app(page, app_server["url"], "tiers")

    click_bar(page, "tiers_pareto", 0)  # the biggest account
    biggest = opened_account(page)
    assert_no_exception(page)
    assert page.get_by_role("combobox", name=text["picker"], exact=True).input_value().endswith(f"({biggest})")

    go_to_page(page, text["tiers"])
    click_account_in_table(page, "tiers_accounts", 2)  # the third biggest
    third = opened_account(page)
    assert third != biggest
    assert_no_exception(page)
    title = page.locator('[data-testid="stMain"] h1').first.inner_text()
    revenue = metric_values(page)[text["revenue"]]
    screenshot(page, screenshot_dir, f"account-opened-{lang}-1366")

    # the URL is the view: opened in a new tab it shows the same account, period and language
    query = parse_qs(urlparse(page.url).query)
    assert query["lang"] == [lang] and query["period"][0].startswith("quarter:")
    other = page.context.new_page()
    open_app(other, app_server["url"], "account?" + urlparse(page.url).query)
    assert other.locator('[data-testid="stMain"] h1').first.inner_text() == title
    assert metric_values(other)[text["revenue"]] == revenue
    assert_no_exception(other)
    other.close()
    assert console_errors == []
