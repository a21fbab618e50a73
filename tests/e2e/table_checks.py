"""What every page must look like in a real browser: tables that fit, no None/nan/NaT, the filters in the subtitle."""

from __future__ import annotations

import re

from playwright.sync_api import Page

from e2e_helpers import open_app

# url path of every analysis page (the import page has no filters)
ANALYSIS_PAGES = ("", "account", "tiers", "health", "whatif", "scorecards")
ALL_PAGES = (*ANALYSIS_PAGES, "data_import")
MISSING = re.compile(r"\b(None|nan|NaN|NaT)\b")

# every drawn table: its scroll area's full width against what shows (a wider grid scrolls sideways)
TABLE_WIDTHS = """() => [...document.querySelectorAll('[data-testid="stMain"] [data-testid="stDataFrame"]')]
    .filter(frame => frame.offsetParent !== null)
    .map(frame => {
        const scroller = frame.querySelector('.dvn-scroller');
        const key = [...frame.closest('[class*="st-key-"]')?.classList || []].find(c => c.startsWith('st-key-')) || '?';
        return {key, scroll: scroller ? scroller.scrollWidth : 0, client: scroller ? scroller.clientWidth : 0};
    })"""
MAIN_WIDTH = """() => { const main = document.querySelector('[data-testid="stMain"]');
    return {scroll: main.scrollWidth, client: main.clientWidth}; }"""
# the cells of every table as the grid tells screen readers (the grid itself is drawn on a canvas)
TABLE_TEXT = """() => [...document.querySelectorAll('[data-testid="stMain"] [data-testid="stDataFrame"] table td')]
    .map(cell => cell.innerText)"""


def tables_wider_than_the_page(page: Page) -> list[dict]:
    """Tables whose default columns need a horizontal scrollbar, and the main area if it scrolls sideways."""
    wide = [t for t in page.evaluate(TABLE_WIDTHS) if t["client"] and t["scroll"] > t["client"] + 1]
    main = page.evaluate(MAIN_WIDTH)
    if main["scroll"] > main["client"] + 1:
        wide.append({"key": "stMain", **main})
    return wide


# every metric's value that does not fit its tile (Streamlit cuts it with an ellipsis)
CUT_METRICS = """() => [...document.querySelectorAll('[data-testid="stMain"] [data-testid="stMetricValue"]')]
    .filter(value => value.offsetParent !== null)
    .flatMap(value => [value, ...value.querySelectorAll('*')])
    .filter(node => node.scrollWidth > node.clientWidth + 1)
    .map(node => node.closest('[data-testid="stMetricValue"]').innerText)"""


def cut_metric_values(page: Page) -> list[str]:
    """Metric values shown cut (a date or an amount that needs a wider tile)."""
    return sorted(set(page.evaluate(CUT_METRICS)))


def table_count(page: Page) -> int:
    return len(page.evaluate(TABLE_WIDTHS))


def missing_value_texts(page: Page) -> list[str]:
    """Visible texts and table cells that read None, nan or NaT."""
    texts = [page.locator('[data-testid="stMain"]').inner_text(), page.locator('[data-testid="stSidebar"]').inner_text()]
    texts += page.evaluate(TABLE_TEXT)
    return [match.group(0) + " in " + repr(text[max(0, match.start() - 40):match.end() + 40])
            for text in texts for match in MISSING.finditer(text)]


def subtitles(page: Page) -> str:
    """The captions of the page (its subtitle is the first caption under the title)."""
    return "\n".join(page.locator('[data-testid="stMain"] [data-testid="stCaptionContainer"]').all_inner_texts())


def visit(page: Page, url: str, path: str) -> None:
    open_app(page, url, path)
