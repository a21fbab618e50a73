"""Two app processes on one database while a command-line import runs: both serve every page
throughout, and after the import commits both show the new revenue — the figure a director
reads on the overview, computed here from the imported lines."""

from __future__ import annotations

import csv
import subprocess
import sys
from datetime import timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import Browser, expect

from conftest import ROOT, build_demo, running_app
from e2e_helpers import assert_no_exception, metric_value, open_app
from ka import db, i18n, overview
from ka.periods import default_period

PAGES = ("", "account", "tiers", "health", "whatif", "scorecards", "data_import")
IMPORT_LINES = 150_000  # enough for the import to run while both apps serve every page


@pytest.fixture(scope="module")
def two_apps(tmp_path_factory):
    folder = tmp_path_factory.mktemp("two-apps")
    database = folder / "ka_radar.duckdb"
    build_demo(database)
    with running_app(database, folder / "app-1.log") as first, running_app(database, folder / "app-2.log") as second:
        yield database, [first, second], [folder / "app-1.log", folder / "app-2.log"]


def write_quarter_lines(path, con, count: int) -> Decimal:
    """Lines inside the quarter the overview shows by default, so its revenue tile must move."""
    period = default_period("quarter", overview.read_data_range(con)[1])
    account_ids = [row[0] for row in con.execute("select account_id from accounts order by account_id limit 20").fetchall()]
    total = Decimal(0)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Order ID", "Line", "Order Date", "Customer ID", "Product", "Sales", "Cost"])
        days = (period.end - period.start).days + 1
        for number in range(count):
            revenue = Decimal(20_000 + number % 5_000) + Decimal(number % 100) / 100
            total += revenue
            writer.writerow([f"E2E-{number // 4}", number % 4 + 1, (period.start + timedelta(days=number % days)).isoformat(),
                             account_ids[number % len(account_ids)], f"P{number % 9}", f"{revenue:.2f}", f"{revenue / 2:.2f}"])
    return total


def period_revenue(con) -> Decimal:
    period = default_period("quarter", overview.read_data_range(con)[1])
    return con.execute("select sum(revenue) from transactions where order_date between ? and ?",
                       [period.start, period.end]).fetchall()[0][0]


def test_two_apps_serve_every_page_during_a_cli_import_and_both_show_its_revenue(two_apps, browser: Browser, tmp_path):
    database, urls, logs = two_apps
    con = db.open(database)
    before = period_revenue(con)
    added = write_quarter_lines(tmp_path / "erp.csv", con, IMPORT_LINES)
    con.close()
    pages = [browser.new_page(viewport={"width": 1366, "height": 768}, locale="en-US") for _ in urls]
    for page, url in zip(pages, urls):
        open_app(page, url)
        assert metric_value(page, "Revenue") == i18n.format_amount(before, "en")

    importing = subprocess.Popen([sys.executable, "-m", "ka", "import", "--db", str(database), str(tmp_path / "erp.csv")],
                                 cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    visited_while_importing = 0
    for path in PAGES:
        for page, url in zip(pages, urls):
            running = importing.poll() is None
            open_app(page, url, path)
            assert_no_exception(page)
            expect(page.locator('[data-testid="stAlert"]').filter(has_text="could not")).to_have_count(0)
            visited_while_importing += running
    out, err = importing.communicate(timeout=600)
    assert importing.returncode == 0, err
    assert visited_while_importing >= 2, "the import ended before the apps were visited"

    con = db.open(database)
    after = period_revenue(con)
    con.close()
    assert after == before + added
    for page, url in zip(pages, urls):
        open_app(page, url)  # the next page run after the commit
        assert metric_value(page, "Revenue") == i18n.format_amount(after, "en")
        assert_no_exception(page)
    for log in logs:
        assert "Traceback" not in log.read_text()
