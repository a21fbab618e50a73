"""Every table's default columns and every metric's value fit the content area at 1366 px on the
demo, in both languages (Superstore: tests/e2e/test_own_data_e2e.py), and no page shows None, nan or NaT."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from e2e_helpers import assert_no_exception, open_app
from table_checks import ALL_PAGES, cut_metric_values, missing_value_texts, table_count, tables_wider_than_the_page


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("path", ALL_PAGES)
def test_demo_tables_fit_at_1366(page: Page, app_server, console_errors, path, lang):
    open_app(page, app_server["url"], f"{path}?lang={lang}")
    assert_no_exception(page)
    assert table_count(page) > 0
    assert tables_wider_than_the_page(page) == []
    assert cut_metric_values(page) == []
    assert missing_value_texts(page) == []
    assert console_errors == []
