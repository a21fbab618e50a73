"""Account search and bounded pickers: what the whole-portfolio tables and account pickers offer."""

from __future__ import annotations

import pandas as pd
import pytest

from ka import i18n
from ka.ui.paging import bounded_options, matching_accounts, view_key

ACCOUNTS = pd.DataFrame({
    "account_id": ["KA001", "KA002", "KA003", "KA004", "KA010"],
    "account_name": ["华东精密制造", "北方能源", "华东物流", "南方零售", None],
    "account_name_en": ["East Precision", "Northern Energy", "East Logistics", None, "Ka Ten"],
    "account": ["East Precision", "Northern Energy", "East Logistics", "南方零售", "Ka Ten"],
})


@pytest.mark.parametrize(
    "text, expected",
    [
        ("", ["KA001", "KA002", "KA003", "KA004", "KA010"]),
        ("   ", ["KA001", "KA002", "KA003", "KA004", "KA010"]),
        ("east", ["KA001", "KA003"]),  # case-insensitive, either name
        ("华东", ["KA001", "KA003"]),
        ("零售", ["KA004"]),  # no English name
        ("ka01", ["KA010"]),  # the id
        ("ka0", ["KA001", "KA002", "KA003", "KA004", "KA010"]),
        ("(.*)", []),  # text, not a pattern
        ("nobody", []),
    ],
)
def test_matching_accounts(text, expected):
    assert list(matching_accounts(ACCOUNTS, text)["account_id"]) == expected


def test_bounded_options_keep_what_is_picked_then_the_first_matches():
    i18n.set_language("en")
    assert bounded_options(ACCOUNTS, "", limit=2) == (["KA001", "KA002"], "The list shows 2 of 5 accounts, largest first: type part of a name or an ID to find any other.")
    ids, note = bounded_options(ACCOUNTS, "east", keep=["KA004"], limit=2)
    assert ids == ["KA004", "KA001", "KA003"] and note is None  # every match listed
    ids, note = bounded_options(ACCOUNTS, "", keep=["KA003", "gone"], limit=2)
    assert ids == ["KA003", "KA001", "KA002"]  # a kept id no longer in the frame is left out
    assert note.startswith("The list shows 3 of 5")
    assert bounded_options(ACCOUNTS, "nobody", keep=["KA002"]) == (["KA002"], None)


def test_every_page_and_search_has_a_table_key_of_its_own():
    """A table's selection is kept by row position: a new page or search must not inherit a tick."""
    assert view_key("tiers_accounts", 1, "") == view_key("tiers_accounts", 1, "  ") == "tiers_accounts"
    keys = {view_key("tiers_accounts", page, text) for page in (1, 2, 3) for text in ("", "east", "華東")}
    assert len(keys) == 9
    assert view_key("tiers_accounts", 2, " East ") == view_key("tiers_accounts", 2, "east")
