"""Selecting an account by clicking a Pareto bar or a table row, and the Account 360 page that then opens it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from e2e_helpers import (
    assert_no_exception, click_bar, click_table_row, go_to_page, languages, metric_values, open_app, screenshot,
)

TEXT = {
    "en": {"selected": "Selected account: ", "tier": "Tier", "share": "Share", "cumulative": "Cumulative share",
           "revenue": "Revenue", "account_page": "Account 360", "picker": "Account"},
    "zh": {"selected": "已选客户：", "tier": "等级", "share": "占比", "cumulative": "累计占比",
           "revenue": "销售额", "account_page": "客户详情", "picker": "客户"},
}


def selected_account(page: Page, text: dict) -> str:
    heading = page.get_by_role("heading", name=re.compile("^" + re.escape(text["selected"])))
    expect(heading).to_be_visible()
    return heading.inner_text().removeprefix(text["selected"]).strip()


def percent(value: str) -> float:
    return float(value.rstrip("%"))


@pytest.mark.parametrize("lang", languages())
def test_a_click_on_a_bar_or_a_row_selects_the_account(page: Page, app_server, console_errors, screenshot_dir, lang):
    text = TEXT[lang]
    open_app(page, app_server["url"], "tiers")

    click_bar(page, "tiers_pareto", 0)  # the biggest account: tier A, its share is the whole cumulative share
    biggest = selected_account(page, text)
    tiles = metric_values(page)
    assert tiles[text["tier"]] == "A"
    assert tiles[text["share"]] == tiles[text["cumulative"]]
    assert percent(tiles[text["share"]]) > 0

    click_table_row(page, "tiers_accounts", 2)  # the third biggest: its cumulative share includes the two before
    third = selected_account(page, text)
    tiles = metric_values(page)
    assert third != biggest
    assert percent(tiles[text["cumulative"]]) > percent(tiles[text["share"]]) > 0
    third_revenue = tiles[text["revenue"]]
    assert_no_exception(page)
    screenshot(page, screenshot_dir, f"tiers-selected-{lang}-1366")

    go_to_page(page, text["account_page"])  # the account view opens the account just selected
    assert_no_exception(page)
    expect(page.get_by_role("heading", name=third, exact=True)).to_be_visible()
    assert page.get_by_role("combobox", name=text["picker"], exact=True).input_value().startswith(third)
    assert metric_values(page)[text["revenue"]] == third_revenue  # same account, same period
    screenshot(page, screenshot_dir, f"account-selected-{lang}-1366")
    assert console_errors == []
