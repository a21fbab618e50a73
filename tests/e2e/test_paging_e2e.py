"""Whole-portfolio tables a page at a time: a name on the second page opens its Account 360 (an account
that is not among the 50 the picker lists first), and the search finds any account."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from e2e_helpers import (
    assert_no_exception, click_account_in_table, go_to_page, languages, open_app, screenshot, wait_for_app,
)
from ka.ui.paging import view_key

TEXT = {
    "en": {"tiers": "Account tiers", "picker": "Account",
           "rows": "Rows 51–100 of ", "found": r"^Rows 1–\d+ of \d+ matching accounts$"},
    "zh": {"tiers": "客户分级", "picker": "客户",
           "rows": "第 51–100 行，共 ", "found": r"^第 1–\d+ 行，共 \d+ 个匹配的客户$"},
}


@pytest.mark.parametrize("lang", languages())
def test_a_row_on_the_second_page_and_a_search_reach_any_account(page: Page, app_server, console_errors,
                                                                   screenshot_dir, lang):
    text = TEXT[lang]
    open_app(page, app_server["url"], "tiers")
    pages = page.locator(".st-key-tiers_accounts_page")
    pages.scroll_into_view_if_needed()
    pages.locator('[data-testid="stPaginationPage"]', has_text=re.compile("^2$")).click()
    wait_for_app(page)
    expect(page.get_by_text(re.compile("^" + re.escape(text["rows"])))).to_be_visible()
    click_account_in_table(page, view_key("tiers_accounts", 2, ""), 0)  # the 51st largest account (a table of its own)
    page.wait_for_url("**/account?**", timeout=60_000)
    wait_for_app(page)
    fifty_first = page.locator('[data-testid="stMain"] h1').first.inner_text()
    # not among the picker's first 50: offered as the account shown
    assert page.get_by_role("combobox", name=text["picker"], exact=True).input_value().startswith(fifty_first)
    assert_no_exception(page)
    screenshot(page, screenshot_dir, f"tiers-page-2-opened-{lang}-1366")

    go_to_page(page, text["tiers"])
    search = page.locator(".st-key-tiers_accounts_search").get_by_role("textbox")
    search.fill(fifty_first)
    search.press("Enter")
    wait_for_app(page)
    expect(page.get_by_text(re.compile(text["found"]))).to_be_visible()  # its name (and any longer one with it)
    assert_no_exception(page)
    assert console_errors == []
