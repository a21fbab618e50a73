"""Small helpers to drive a Streamlit page the way a user does, found by data-testid."""

from __future__ import annotations

import time

from playwright.sync_api import Page, expect

RUN_TIMEOUT_MS = 60_000


def wait_for_app(page: Page) -> None:
    """Wait until the script run triggered by the last action has finished and the page is drawn."""
    time.sleep(0.3)  # let a rerun begin before we look for its end
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=RUN_TIMEOUT_MS)
    page.wait_for_selector('[data-testid="stMain"]', timeout=RUN_TIMEOUT_MS)
    expect(page.locator('[data-testid="stStatusWidget"]')).to_have_count(0, timeout=RUN_TIMEOUT_MS)
    time.sleep(0.5)  # charts finish drawing


def open_app(page: Page, url: str, path: str = "") -> None:
    page.goto(f"{url}/{path}")
    wait_for_app(page)


def assert_no_exception(page: Page) -> None:
    exceptions = page.locator('[data-testid="stException"]')
    assert exceptions.count() == 0, exceptions.all_inner_texts()


def metric_value(page: Page, label: str) -> str:
    metric = page.locator('[data-testid="stMetric"]').filter(
        has=page.locator('[data-testid="stMetricLabel"]', has_text=label)).first
    return metric.locator('[data-testid="stMetricValue"]').inner_text()


def choose_language(page: Page, name: str) -> None:
    """Click 中文 or English in the sidebar's language switch."""
    page.locator('[data-testid="stSidebar"]').get_by_role("radio", name=name, exact=True).click()
    wait_for_app(page)


def select_option(page: Page, label: str, option: str) -> None:
    """Pick `option` in the selectbox labelled `label` (sidebar or main)."""
    page.get_by_role("combobox", name=label, exact=True).click()
    page.get_by_role("option", name=option, exact=True).click()
    wait_for_app(page)


def go_to_page(page: Page, title: str) -> None:
    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=title).click()
    wait_for_app(page)


def screenshot(page: Page, directory, name: str) -> None:
    page.screenshot(path=str(directory / f"{name}.png"))
