"""Small helpers to drive a Streamlit page the way a user does, found by data-testid."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Locator, Page, expect

RUN_TIMEOUT_MS = 60_000


def wait_for_app(page: Page) -> None:
    """Wait until the script run triggered by the last action has finished and the page is drawn."""
    time.sleep(0.3)  # let a rerun begin before we look for its end
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=RUN_TIMEOUT_MS)
    page.wait_for_selector('[data-testid="stMain"]', timeout=RUN_TIMEOUT_MS)
    expect(page.locator('[data-testid="stStatusWidget"]')).to_have_count(0, timeout=RUN_TIMEOUT_MS)
    # on a first visit the script can report "notRunning" while the page still shows placeholders
    expect(page.locator('[data-testid="stSkeleton"]')).to_have_count(0, timeout=RUN_TIMEOUT_MS)
    page.wait_for_function(CHARTS_DRAWN, timeout=RUN_TIMEOUT_MS)


# every Plotly chart on the page has drawn its SVG
CHARTS_DRAWN = """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
    .every(chart => chart.querySelector('.main-svg'))"""


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


def screenshot(page: Page, directory, name: str, whole_page: bool = False) -> None:
    """The screen as the user sees it; with whole_page, the whole page at this width, to review what lies below.

    Streamlit scrolls inside the app, not the document, so Playwright's full_page would only give the
    viewport: the window is made as tall as the page for the shot, then set back.
    """
    if not whole_page:
        page.screenshot(path=str(directory / f"{name}.png"))
        return
    size = page.viewport_size
    height = page.evaluate(
        "Math.max(...['stMain', 'stSidebarContent'].map("
        "id => document.querySelector(`[data-testid=\"${id}\"]`)?.scrollHeight || 0))"
    )
    page.set_viewport_size({"width": size["width"], "height": min(max(height, size["height"]), 8000)})
    time.sleep(0.5)  # charts redraw at the new size
    page.screenshot(path=str(directory / f"{name}.png"))
    page.set_viewport_size(size)


# --- languages: the app takes its language from the browser's locale on the first visit ------------
def languages(*codes: str) -> list:
    """Parameters that open the test's browser tab in each language ("en", "zh")."""
    locales = {"en": "en-US", "zh": "zh-CN"}
    return [pytest.param(code, id=code, marks=pytest.mark.browser_context_args(locale=locales[code]))
            for code in (codes or ("en", "zh"))]


def parse_amount(text: str) -> tuple[float, float]:
    """An amount as format_amount shows it (1.23M, 45.6K, 7,428万, 1.23亿) → (value, size of its last digit)."""
    match = re.fullmatch(r"(-?)([\d,]+)(?:\.(\d+))?\s*(K|M|B|万|亿)?", text.strip())
    assert match, f"not an amount: {text!r}"
    sign, whole, decimals, suffix = match.groups()
    scale = {"K": 1e3, "M": 1e6, "B": 1e9, "万": 1e4, "亿": 1e8, None: 1}[suffix]
    number = float(whole.replace(",", "") + "." + (decimals or "0"))
    return (-number if sign else number) * scale, scale / 10 ** len(decimals or "")


# --- widgets that AppTest cannot drive: sliders, chart clicks, table rows ----------------------------
def widget(page: Page, key: str) -> Locator:
    """The element of the widget with this key (Streamlit marks it with the class st-key-<key>)."""
    return page.locator(f".st-key-{key}")


def move_slider(page: Page, key: str, *keys: str) -> str:
    """Press keys (ArrowRight, End, ...) on the slider with this key, as a keyboard user does; returns its value."""
    thumb = widget(page, key).locator('input[type="range"]')
    thumb.focus()
    for name in keys:
        thumb.press(name)
    wait_for_app(page)
    return thumb.input_value()


def open_expander(page: Page, label: str) -> None:
    page.locator('[data-testid="stExpander"] summary', has_text=label).click()
    expect(page.locator('[data-testid="stExpander"]', has_text=label).locator('[data-testid="stExpanderDetails"]')
           ).not_to_have_attribute("inert", "")


def click_bar(page: Page, chart_key: str, index: int = 0) -> None:
    """Click the index-th bar of a Plotly bar chart drawn with this key (Plotly hit-tests by position)."""
    bar = widget(page, chart_key).locator("g.trace.bars g.point path").nth(index)
    bar.scroll_into_view_if_needed()
    box = bar.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    wait_for_app(page)


ROW_HEIGHT = 35  # st.dataframe's header and row height in pixels (the grid is drawn on a canvas)


def click_table_row(page: Page, table_key: str, row: int) -> None:
    """Tick the selection box of a row of a selectable st.dataframe (row 0 = first data row)."""
    grid = widget(page, table_key).locator("canvas").first
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    page.mouse.click(box["x"] + ROW_HEIGHT / 2, box["y"] + ROW_HEIGHT * (row + 1) + ROW_HEIGHT / 2)
    wait_for_app(page)


def click_account_in_table(page: Page, table_key: str, row: int) -> None:
    """Click the account name (the first column) in a row of a ui.show_table table (row 0 = first data row)."""
    grid = widget(page, f"{table_key}_box").locator("canvas").first
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 25, box["y"] + ROW_HEIGHT * (row + 1) + ROW_HEIGHT / 2)


def scroll_to_top_of(element: Locator) -> None:
    """Scroll the app so that this element is at the top of the screen (for a screenshot of what follows it)."""
    element.evaluate("e => e.scrollIntoView({block: 'start'})")
    time.sleep(0.3)  # charts brought into view finish drawing


def metric_values(page: Page) -> dict[str, str]:
    """Every metric on the page: label → value."""
    labels = page.locator('[data-testid="stMetricLabel"]').all_inner_texts()
    values = page.locator('[data-testid="stMetricValue"]').all_inner_texts()
    return dict(zip((label.strip() for label in labels), values))


def choose_in_multiselect(page: Page, label: str, option: str) -> None:
    """Add `option` to the multiselect labelled `label` (the sidebar filters)."""
    box = page.get_by_role("combobox", name=label, exact=True)
    box.click()
    box.press("ArrowDown")  # a click just after the page has drawn can leave the list closed; the key opens it
    page.get_by_role("option", name=option, exact=True).click()
    page.keyboard.press("Escape")
    wait_for_app(page)
