"""The overview in a real browser: first start on the demo, filters, language, screenshots."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from e2e_helpers import (
    assert_no_exception, choose_language, go_to_page, metric_value, open_app, screenshot, select_option,
)


def test_first_start_shows_the_demo_portfolio(page: Page, app_server, console_errors, screenshot_dir):
    open_app(page, app_server["url"])
    assert_no_exception(page)
    assert page.get_by_role("heading", name="Portfolio overview").is_visible()
    assert "Demo data" in page.locator('[data-testid="stSidebar"]').inner_text()
    assert metric_value(page, "Revenue").endswith("M")
    screenshot(page, screenshot_dir, "overview-en-1366")
    assert console_errors == []


def test_period_filter_changes_the_kpis(page: Page, app_server, console_errors):
    open_app(page, app_server["url"])
    quarter_revenue = metric_value(page, "Revenue")
    select_option(page, "Analysis period", "Year")
    assert_no_exception(page)
    year_revenue = metric_value(page, "Revenue")
    assert year_revenue != quarter_revenue
    assert page.get_by_role("combobox", name="Period", exact=True).input_value() == "2025"
    assert console_errors == []


@pytest.mark.parametrize("viewport", [(1366, 768), (1920, 1080)])
def test_chinese_overview_renders(page: Page, app_server, console_errors, screenshot_dir, viewport):
    page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
    open_app(page, app_server["url"])
    choose_language(page, "中文")
    assert_no_exception(page)
    assert page.get_by_role("heading", name="客户组合总览").is_visible()
    value = metric_value(page, "销售额")
    assert value.endswith("亿") or value.endswith("万")
    screenshot(page, screenshot_dir, f"overview-zh-{viewport[0]}")
    assert console_errors == []


def test_filters_and_language_hold_across_pages(page: Page, app_server, console_errors):
    open_app(page, app_server["url"])
    select_option(page, "Analysis period", "Year")
    year_revenue = metric_value(page, "Revenue")
    choose_language(page, "中文")
    go_to_page(page, "客户分级")
    assert_no_exception(page)
    assert page.get_by_role("combobox", name="周期", exact=True).input_value() == "2025 年"
    go_to_page(page, "总览")
    assert page.get_by_role("heading", name="客户组合总览").is_visible()
    assert page.get_by_role("combobox", name="分析周期", exact=True).input_value() == "年"
    choose_language(page, "English")
    assert metric_value(page, "Revenue") == year_revenue
    assert console_errors == []
