import re
from decimal import Decimal

import pytest

from ka import i18n


def test_catalogs_have_the_same_keys():
    zh, en = i18n.catalog("zh"), i18n.catalog("en")
    assert zh.keys() == en.keys(), sorted(zh.keys() ^ en.keys())
    assert len(en) > 50


def test_placeholders_match_between_languages():
    placeholder = re.compile(r"{(\w+)")
    zh, en = i18n.catalog("zh"), i18n.catalog("en")
    for key in en:
        assert set(placeholder.findall(zh[key])) == set(placeholder.findall(en[key])), key


def test_no_chinese_in_english_catalog():
    cjk = re.compile(r"[\u4e00-\u9fff]")
    assert [k for k, v in i18n.catalog("en").items() if cjk.search(v) and k != "sidebar.language_names"] == []


@pytest.mark.parametrize(
    "value, language, expected",
    [
        (Decimal("199358289"), "zh", "1.99亿"),
        (Decimal("199358289"), "en", "199.4M"),
        (123456, "zh", "12.35万"),
        (123456, "en", "123.5K"),
        (74282900, "zh", "7,428万"),
        (1083600, "zh", "108.4万"),
        (-45000, "zh", "-4.50万"),
        (9999, "zh", "9,999"),
        (2_500_000_000, "en", "2.50B"),
        (None, "en", "—"),
    ],
)
def test_amounts_in_wan_yi_and_k_m(value, language, expected):
    assert i18n.format_amount(value, language) == expected


def test_language_from_browser_locale():
    assert i18n.language_from_locale("zh-CN") == "zh"
    assert i18n.language_from_locale("zh-TW") == "zh"
    assert i18n.language_from_locale("en-GB") == "en"
    assert i18n.language_from_locale(None) == "en"


def test_t_uses_the_current_language():
    i18n.set_language("zh")
    assert i18n.t("nav.overview") == "总览"
    i18n.set_language("en")
    assert i18n.t("nav.overview") == "Overview"
    assert i18n.t("sidebar.data_as_of", date="2026-10-31") == "Data as of 2026-10-31"
