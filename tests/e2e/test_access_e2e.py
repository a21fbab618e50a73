"""Access control in the real app: the login form before any data, a manager's own accounts only,
logout; and the shipped config binds to 127.0.0.1 when no address is given."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from playwright.sync_api import Page, expect

from conftest import ROOT, _free_port, _healthy, running_app
from e2e_helpers import assert_no_exception, open_app, wait_for_app
from ka import access, db, demo, state
from ka_testing import SMALL_DEMO

MANAGER = "陈静"
PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def users_app(tmp_path_factory):
    folder = tmp_path_factory.mktemp("access-e2e")
    path = folder / "users.duckdb"
    connection = db.connect(path)
    demo.build_demo(connection, SMALL_DEMO)
    own = {row[0] for row in connection.execute("select account_id from accounts where ka_manager = ?", [MANAGER]).fetchall()}
    connection.close()
    store = state.state_store(path)
    access.add_user(store, "chen", "manager", PASSWORD, manager=MANAGER)
    state.forget_stores()
    with running_app(path, folder / "streamlit.log") as url:
        yield url, path, own


def test_login_then_only_the_managers_accounts_then_logout(page: Page, users_app, console_errors, screenshot_dir):
    url, path, own = users_app
    open_app(page, url, "")
    main = page.get_by_test_id("stMain")
    expect(page.get_by_role("heading", name="Log in to KA Radar")).to_be_visible()
    page.screenshot(path=screenshot_dir / "login-en.png")
    assert main.get_by_test_id("stMetric").count() == 0 and main.get_by_test_id("stPlotlyChart").count() == 0
    page.get_by_label("User name", exact=True).fill("chen")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    wait_for_app(page)
    assert_no_exception(page)
    expect(page.get_by_test_id("stSidebar")).to_contain_text("Logged in as chen")
    expect(main.get_by_test_id("stMetric").first).to_be_visible()  # the overview has drawn, the form is gone
    expect(main.get_by_test_id("stForm")).to_have_count(0)
    page.screenshot(path=screenshot_dir / "logged-in-manager-en.png")
    # through the app's own navigation: a new URL is a new session, which must log in again
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Account 360").click()
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Log in to KA Radar")).to_have_count(0)
    page.get_by_test_id("stMain").get_by_test_id("stSelectbox").first.click()
    options = page.get_by_role("option").all_inner_texts()
    page.keyboard.press("Escape")
    shown = {text.rsplit("(", 1)[1].rstrip(")") for text in options}
    assert shown and shown <= own
    page.get_by_role("button", name="Log out").click()
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Log in to KA Radar")).to_be_visible()
    assert page.get_by_test_id("stMain").get_by_test_id("stMetric").count() == 0
    open_app(page, url, "account")  # a fresh browser session at a page's address: the login form, no data
    expect(page.get_by_role("heading", name="Log in to KA Radar")).to_be_visible()
    assert page.get_by_test_id("stMain").get_by_test_id("stSelectbox").count() == 0
    audit = [e["action"] for e in access.read_audit(state.state_store(path))]
    state.forget_stores()
    assert "login" in audit
    assert console_errors == []


def _listening(port: int) -> list[str]:
    """Local addresses that listen on `port` (from /proc/net/tcp and tcp6)."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as handle:
            for line in handle.readlines()[1:]:
                local, state_code = line.split()[1], line.split()[3]
                address, hex_port = local.split(":")
                if int(hex_port, 16) == port and state_code == "0A":
                    found.append(address)
    return found


def test_the_shipped_config_listens_on_127_0_0_1_only(tmp_path):
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port)],
        cwd=ROOT, env={**os.environ, "KA_RADAR_DB": str(tmp_path / "none.duckdb")},
        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        deadline = time.time() + 60
        while not _healthy(f"http://127.0.0.1:{port}"):
            assert process.poll() is None and time.time() < deadline, "the app did not start"
            time.sleep(0.5)
        assert _listening(port) == ["0100007F"]  # 127.0.0.1, and no IPv4 or IPv6 wildcard
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
