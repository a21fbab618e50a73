"""Hostile names in the real app: every page shows them as their characters, opens no dialog, and
makes the browser fetch nothing from the image link in the data (tests/hostile.py)."""

from __future__ import annotations

import http.server
import threading

import pytest
from playwright.sync_api import Page

from conftest import running_app
from e2e_helpers import assert_no_exception, open_app, wait_for_app
from hostile import build_hostile_db, hostile_names
from ka_testing import WORD_JOINER

PAGES = ["", "account", "tiers", "health", "whatif", "scorecards", "qbr", "data_import"]


@pytest.fixture(scope="module")
def image_server():
    """A local server that records every request: the browser must send it none."""
    requests: list[str] = []

    class Recorder(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (the standard library's name)
            requests.append(self.path)
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/pixel.png", requests
    server.shutdown()


@pytest.fixture(scope="module")
def hostile_app(tmp_path_factory, image_server):
    folder = tmp_path_factory.mktemp("hostile-e2e")
    db_path = build_hostile_db(folder / "hostile.duckdb", image_server[0])
    with running_app(db_path, folder / "streamlit.log") as url:
        yield url


def pick_account(page: Page, account_id: str) -> None:
    """As a user finds an account the picker does not list yet: the search first, then the picker."""
    search = page.get_by_test_id("stMain").get_by_test_id("stTextInput").first.locator("input")
    search.fill(account_id)
    search.press("Enter")
    wait_for_app(page)
    page.get_by_test_id("stMain").get_by_test_id("stSelectbox").first.click()
    page.keyboard.type(account_id)
    page.keyboard.press("Enter")
    wait_for_app(page)


def test_every_page_shows_hostile_names_as_text_and_fetches_nothing(page: Page, hostile_app, image_server, console_errors):
    image_url, requests = image_server
    names = hostile_names(image_url)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    for path in PAGES:
        open_app(page, hostile_app, path)
        assert_no_exception(page)
        main = page.get_by_test_id("stMain")
        assert main.locator("img[src*='127.0.0.1']").count() == 0
        assert main.locator("a[href*='evil.example'], a[href^='mailto:']").count() == 0
        assert main.locator("strong", has_text="Bold").count() == 0
    open_app(page, hostile_app, "")
    body = page.get_by_test_id("stMain").inner_text().replace(WORD_JOINER, "")
    assert names["KA00001"]["region"] in body  # the revenue-by-region bar, as Plotly draws its label
    assert names["KA00002"]["industry"] in body
    for account_id in ("KA00001", "KA00002", "KA00003", "KA00004", "KA00006"):
        open_app(page, hostile_app, "account")
        pick_account(page, account_id)
        title = page.locator("h1").first.inner_text().replace(WORD_JOINER, "")
        assert title.strip() == names[account_id]["name_en"], title
        main = page.get_by_test_id("stMain")
        assert main.locator("img[src*='127.0.0.1'], a[href*='evil.example']").count() == 0
        assert main.locator("strong", has_text="Bold").count() == 0 and main.locator("strong", has_text="Tag").count() == 0
    open_app(page, hostile_app, "account")
    pick_account(page, "KA00001")
    facts = page.get_by_test_id("stMain").inner_text().replace(WORD_JOINER, "")
    assert names["KA00001"]["manager"] in facts and names["KA00001"]["region"] in facts
    page.wait_for_timeout(1000)  # an image the page asked for would have arrived by now
    assert requests == []
    assert dialogs == []
    assert console_errors == []
