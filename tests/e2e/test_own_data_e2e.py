"""The first hour with your own data: an empty database, the Superstore file imported through the page,
and every page following the data: its last quarter, its own "data as of", no demo, no None, filters named."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from e2e_helpers import (
    assert_no_exception, choose_in_multiselect, choose_language, go_to_page, open_app, screenshot, wait_for_app,
)
from ka_testing import REALDATA
from table_checks import ALL_PAGES, missing_value_texts, subtitles, table_count, tables_wider_than_the_page

SUPERSTORE = REALDATA / "superstore" / "Sample - Superstore.csv"
SUPERSTORE_LINES = 9994


@pytest.fixture(scope="module")
def superstore_app(empty_app_server, browser):
    """The empty app with the Superstore file imported through the Data import page, as a user does it."""
    if not SUPERSTORE.exists():
        pytest.fail(f"missing {SUPERSTORE}")
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="en-US")
    page = context.new_page()
    open_app(page, empty_app_server["url"])
    expect(page.get_by_text("This database holds no transactions yet.").first).to_be_visible()
    assert "Demo data" not in page.locator('[data-testid="stSidebar"]').inner_text()
    go_to_page(page, "Data import")
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(SUPERSTORE)
    expect(page.get_by_role("heading", name="Validation report")).to_be_visible(timeout=120_000)
    wait_for_app(page)
    assert page.get_by_text("This database holds the demo portfolio").count() == 0  # no demo: nothing to choose
    page.get_by_role("button", name=f"Import {SUPERSTORE_LINES:,} lines").click()
    expect(page.locator('[data-testid="stAlert"]', has_text=f"imported: {SUPERSTORE_LINES:,} lines")).to_be_visible(
        timeout=120_000)
    context.close()
    return empty_app_server


def test_superstore_opens_on_its_last_quarter_without_demo(page: Page, superstore_app, console_errors, screenshot_dir):
    open_app(page, superstore_app["url"])
    sidebar = page.locator('[data-testid="stSidebar"]')
    assert page.get_by_role("combobox", name="Period", exact=True).input_value() == "2019 Q4"
    assert "Data as of 2019-12-30" in sidebar.inner_text()
    assert "Demo data" not in sidebar.inner_text()
    assert "2019 Q4, the latest quarter in the data (it runs to 2019-12-30)" in subtitles(page)
    assert_no_exception(page)
    screenshot(page, screenshot_dir, "superstore-overview-en-1366")
    assert console_errors == []


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_no_page_shows_none_nan_or_nat(page: Page, superstore_app, console_errors, lang):
    open_app(page, superstore_app["url"])
    if lang == "zh":
        choose_language(page, "中文")
    for path in ALL_PAGES:
        open_app(page, superstore_app["url"], path + ("?lang=zh" if lang == "zh" else ""))
        assert_no_exception(page)
        assert missing_value_texts(page) == [], path
    assert console_errors == []


def test_every_subtitle_names_the_filters(page: Page, superstore_app, console_errors, screenshot_dir):
    open_app(page, superstore_app["url"])
    choose_in_multiselect(page, "Region", "West")
    for title in ("Overview", "Account 360", "Account tiers", "Account health", "Dependency and what-if",
                  "KPI scorecards"):
        go_to_page(page, title)
        assert_no_exception(page)
        text = subtitles(page)
        assert "Region: West" in text and "2019 Q4" in text, title
    screenshot(page, screenshot_dir, "superstore-scorecards-west-en-1366")
    assert console_errors == []


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_superstore_tables_fit_at_1366(page: Page, superstore_app, console_errors, lang):
    for path in ALL_PAGES:
        open_app(page, superstore_app["url"], path + f"?lang={lang}")
        assert tables_wider_than_the_page(page) == [], path
        assert table_count(page) > 0, path
    assert console_errors == []
