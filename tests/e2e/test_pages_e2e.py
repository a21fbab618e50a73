"""Every page opened at its own URL in both languages: drawn without an exception box or a console error.

Each page is screenshot at 1366×768 (the screen, and the whole page at that width), and a few also at
1920×1080, into the git-ignored screenshot folder, to be looked at by a person.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from e2e_helpers import assert_no_exception, languages, open_app, screenshot, wait_for_app

# url path → what shows the page is there, per language (the account page's title is the account's name)
PAGES = {
    "overview": ("", {"en": ("heading", "Portfolio overview"), "zh": ("heading", "客户组合总览")}),
    "account": ("account", {"en": ("combobox", "Account"), "zh": ("combobox", "客户")}),
    "tiers": ("tiers", {"en": ("heading", "Account tiers"), "zh": ("heading", "客户分级")}),
    "health": ("health", {"en": ("heading", "Account health"), "zh": ("heading", "客户健康度")}),
    "whatif": ("whatif", {"en": ("heading", "Dependency and what-if"), "zh": ("heading", "依赖度与情景模拟")}),
    "scorecards": ("scorecards", {"en": ("heading", "KPI scorecards"), "zh": ("heading", "KPI 记分卡")}),
    "data_import": ("data_import", {"en": ("heading", "Data import"), "zh": ("heading", "数据导入")}),
}
NAVIGATION = {"en": ("Overview", "Account 360", "Account tiers", "Data import"), "zh": ("总览", "客户详情", "客户分级", "数据导入")}
STREAMLIT_PLACEHOLDERS = ("Choose options", "Choose an option", "No results")
WIDE = {("zh", "overview"), ("zh", "tiers"), ("zh", "health"), ("en", "whatif"), ("en", "scorecards"), ("zh", "account")}


def check_page(page: Page, lang: str, name: str) -> None:
    role, text = PAGES[name][1][lang]
    expect(page.get_by_role(role, name=text, exact=True).first).to_be_visible()
    navigation = page.locator('[data-testid="stSidebarNav"]')
    for title in NAVIGATION[lang]:
        expect(navigation.get_by_role("link", name=title)).to_be_visible()
    if lang == "zh":  # Streamlit's own English placeholders must be replaced by translated ones
        shown = page.locator('[data-testid="stMain"] input[placeholder]').evaluate_all(
            "inputs => inputs.filter(i => !i.value).map(i => i.placeholder)")  # what an empty box shows
        assert not set(shown) & set(STREAMLIT_PLACEHOLDERS), shown
    assert_no_exception(page)


@pytest.mark.parametrize("name", list(PAGES))
@pytest.mark.parametrize("lang", languages())
def test_page_renders(page: Page, app_server, console_errors, screenshot_dir, lang, name):
    open_app(page, app_server["url"], PAGES[name][0])
    check_page(page, lang, name)
    screenshot(page, screenshot_dir, f"{name}-{lang}-1366")
    screenshot(page, screenshot_dir, f"{name}-{lang}-1366-page", whole_page=True)
    if (lang, name) in WIDE:  # the meeting-room screen
        page.set_viewport_size({"width": 1920, "height": 1080})
        wait_for_app(page)
        check_page(page, lang, name)
        screenshot(page, screenshot_dir, f"{name}-{lang}-1920")
    assert_no_exception(page)
    assert console_errors == []
