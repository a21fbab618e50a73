"""Account 360's relationship map in the browser: the org chart draws every contact of the account,
the who-knows-whom grid names our people, and the action plan follows; screenshots in both languages."""

from __future__ import annotations

import duckdb
import pytest
from playwright.sync_api import Page, expect

from e2e_helpers import assert_no_exception, languages, open_app, screenshot, scroll_to_top_of, widget

ACCOUNT = "KA00001"
TEXT = {
    "en": {"relationships": "Relationships", "actions": "Action plan", "coverage": "Coverage"},
    "zh": {"relationships": "客户关系", "actions": "行动计划", "coverage": "关系覆盖率"},
}


def people_of(db_path: str) -> tuple[set[str], set[str]]:
    """The account's contacts and the people of ours assessed with them, by plain SQL."""
    con = duckdb.connect(db_path, read_only=True)
    try:
        contacts = {row[0] for row in con.execute(
            "select contact_name from contacts where account_id = ?", [ACCOUNT]).fetchall()}
        members = {row[0] for row in con.execute(
            "select distinct member_name from relationships where account_id = ?", [ACCOUNT]).fetchall()}
    finally:
        con.close()
    return contacts, members


@pytest.mark.parametrize("lang", languages())
def test_the_relationship_map_draws_the_accounts_people(page: Page, app_server, console_errors, screenshot_dir, lang):
    text = TEXT[lang]
    contacts, members = people_of(app_server["db"])
    assert contacts and members
    open_app(page, app_server["url"], f"account?account={ACCOUNT}")
    assert_no_exception(page)

    heading = page.get_by_role("heading", name=text["relationships"], exact=True)
    expect(heading).to_be_visible()
    org_chart = widget(page, "account_org_chart")
    drawn = "\n".join(org_chart.locator("g.textpoint text").all_text_contents())  # a box: name, then title
    assert [name for name in sorted(contacts) if name not in drawn] == [], drawn
    grid = widget(page, "account_who_knows_whom")
    labels = " ".join(grid.locator("g.xtick text, g.ytick text").all_text_contents())
    assert all(member in labels for member in members), labels
    expect(page.get_by_role("heading", name=text["actions"], exact=True)).to_be_visible()

    scroll_to_top_of(heading)
    screenshot(page, screenshot_dir, f"relationships-{lang}-1366")
    scroll_to_top_of(grid)
    screenshot(page, screenshot_dir, f"relationships-grid-{lang}-1366")
