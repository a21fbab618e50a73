"""A database another program holds open: the app says so in the user's language, with no traceback,
keeps its navigation, and the technical text waits in a closed expander for admins."""

from __future__ import annotations

import subprocess
import sys

import pytest
from playwright.sync_api import Page, expect

from conftest import running_app
from e2e_helpers import assert_no_exception, open_app, screenshot

TITLES = {
    "en-US": "The database locked.duckdb is in use by another program.",
    "zh-CN": "数据库 locked.duckdb 正被另一个程序占用。",
}
ADMIN = {"en-US": "Details for admins", "zh-CN": "管理员详情"}
OVERVIEW = {"en-US": "Overview", "zh-CN": "总览"}


@pytest.fixture(scope="module")
def locked_app(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("e2e-locked")
    path = data_dir / "locked.duckdb"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys, time; held = duckdb.connect(sys.argv[1]); print('open', flush=True); "
         "time.sleep(600)", str(path)], stdout=subprocess.PIPE, text=True,
    )
    assert holder.stdout.readline().strip() == "open"
    try:
        with running_app(path, data_dir / "streamlit.log") as url:
            yield url
    finally:
        holder.kill()
        holder.wait()


@pytest.mark.parametrize("locale", ["en-US", "zh-CN"])
def test_a_locked_database_is_explained_without_a_traceback(browser, locked_app, screenshot_dir, locale):
    context = browser.new_context(locale=locale, viewport={"width": 1366, "height": 768})
    page: Page = context.new_page()
    open_app(page, locked_app)
    expect(page.get_by_text(TITLES[locale], exact=True)).to_be_visible()
    assert_no_exception(page)
    # the app's own navigation, in the user's language (not Streamlit's list of files in pages/)
    expect(page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=OVERVIEW[locale])).to_be_visible()
    details = page.get_by_text(ADMIN[locale])
    expect(details).to_be_visible()
    expect(page.get_by_text("Conflicting lock")).to_be_hidden()  # closed until an admin opens it
    screenshot(page, screenshot_dir, f"error-locked-{locale[:2]}")
    details.click()
    expect(page.get_by_text("Conflicting lock", exact=False)).to_be_visible()
    context.close()
