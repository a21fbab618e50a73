"""AppTest of the QBR page: the URL selects review, account, period, audience and language; the
buttons (and their ←/→, PageUp/PageDown shortcuts) move between slides; the customer audience
shows no picker."""

from __future__ import annotations

import html
import re

from streamlit.testing.v1 import AppTest

from ka import db, i18n
from ka_testing import ROOT

PAGE = str(ROOT / "pages" / "qbr.py")
CUSTOMER_URL = {"kind": "account", "account": "KA00001", "period": "2026-Q3", "audience": "customer", "lang": "zh"}


def _run(params: dict, **state) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=90)
    for name, value in params.items():
        at.query_params[name] = value
    for key, value in state.items():
        at.session_state[key] = value
    return at.run()


def _slide(at: AppTest) -> str:
    slides = [element.proto.body for element in at.html if 'data-testid="qbr-slide"' in element.proto.body]
    assert len(slides) == 1
    return slides[0]


def _texts(markup: str) -> list[str]:
    body = re.sub(r"<style>.*?</style>", "", markup, flags=re.S)
    return [html.unescape(t) for t in re.findall(r">([^<]+)<", body) if t.strip()]


def _revenue(path, start: str, end: str):
    con = db.open(path)
    try:
        return con.execute("select sum(revenue) from transactions where account_id = 'KA00001' "
                           "and order_date between ? and ?", [start, end]).fetchall()[0][0]
    finally:
        con.close()


def test_url_opens_the_customer_review_in_chinese_with_no_picker(app_db):
    at = _run(CUSTOMER_URL)
    assert not at.exception
    slide = _texts(_slide(at))
    assert slide[0] == "南京华信医药集团有限公司"  # the account's Chinese name on the cover
    assert "2026 年第 3 季度 · 对比2025 年第 3 季度 · 客户 KA00001 · 数据截至 2026-10-31" in slide
    assert "1 / 8" in slide
    assert not at.selectbox and not at.segmented_control and not at.multiselect  # nothing names another account
    assert "qbr_exit" not in [b.key for b in at.button]
    assert "第 1 页，共 8 页" in [m.value for m in at.markdown]


def test_next_and_previous_move_between_slides_and_keep_the_url(app_db):
    at = _run(CUSTOMER_URL)
    at.button(key="qbr_next").click().run()
    assert at.query_params["slide"] == "2"
    slide = _texts(_slide(at))
    assert slide[0] == "摘要" and "2 / 8" in slide
    with i18n.use_language("zh"):
        assert i18n.format_amount(_revenue(app_db, "2026-07-01", "2026-09-30")) in slide
    at.button(key="qbr_page_down").click().run()  # PageDown, as a presenter's clicker sends it
    assert _texts(_slide(at))[0] == "目标达成 · 2026 年第 3 季度"
    at.button(key="qbr_previous").click().run()
    at.button(key="qbr_page_up").click().run()
    assert at.query_params["slide"] == "1"
    assert at.button(key="qbr_previous").disabled


def test_buttons_carry_the_arrow_and_page_keys(app_db):
    at = _run(CUSTOMER_URL)
    shortcuts = {b.key: b.proto.shortcut.lower() for b in at.button}
    assert shortcuts["qbr_previous"] == "left" and shortcuts["qbr_next"] == "right"
    assert shortcuts["qbr_page_up"] == "pageup" and shortcuts["qbr_page_down"] == "pagedown"


def test_url_slide_and_language_english_internal(app_db):
    at = _run({**CUSTOMER_URL, "audience": "internal", "lang": "en", "slide": "7"})
    slide = _texts(_slide(at))
    assert slide[0] == "Internal: health, tier and dependency" and "7 / 9" in slide
    assert "qbr_exit" in [b.key for b in at.button]


def test_unknown_account_in_a_customer_link_says_so_and_offers_no_picker(app_db):
    at = _run({**CUSTOMER_URL, "account": "KA99999"})
    assert [e.value for e in at.error] == ["未知客户“KA99999”：数据库中没有此客户编号。"]
    assert not at.selectbox


def test_without_a_link_the_director_picks_and_presents(app_db):
    at = _run({}, lang="en")
    assert at.title[0].value == "Business review"
    assert at.selectbox(key="qbr_account").value == "KA00001"
    at.selectbox(key="qbr_account").set_value("KA00002").run()
    at.button(key="qbr_start").click().run()
    assert at.query_params["account"] == "KA00002" and at.query_params["audience"] == "customer"
    assert at.query_params["period"] == "2026-Q3"
    assert "KA00002" in " ".join(_texts(_slide(at)))


def test_manager_review_from_the_url(app_db):
    at = _run({"kind": "manager", "manager": "王芳", "period": "2026-Q3", "lang": "zh", "slide": "2"})
    slide = _texts(_slide(at))
    assert slide[0] == "关键指标：对比上期和去年同期" and "2 / 10" in slide
