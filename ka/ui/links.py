"""One click on an account, in any table or chart, opens Account 360; its URL opens it in a new tab.

A click runs in a widget callback, where Streamlit cannot change pages: the callback remembers the
account and app.py's `follow_account_click()` switches to Account 360 at the start of the next run.
The account page's URL carries the account, the language, the period and the filters
(`context.view_params`), so it can be copied or opened in a new tab and shows the same view.
"""

from __future__ import annotations

from typing import Sequence

import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

from ka.ui.context import select_account, view_params

ACCOUNT_PAGE = "pages/account.py"
PENDING_KEY = "account_to_open"


def open_account(account_id: str | None) -> None:
    """From a callback: open this account's Account 360 at the start of the next run."""
    if account_id:
        select_account(account_id)
        st.session_state[PENDING_KEY] = str(account_id)
        st.rerun()  # the whole app, also from a click inside a fragment: app.py switches the page


def follow_account_click() -> None:
    """Called by app.py once the navigation is known: switch to Account 360 if an account was clicked."""
    account_id = st.session_state.pop(PENDING_KEY, None)
    if account_id:
        st.switch_page(ACCOUNT_PAGE, query_params=account_query(account_id))


def account_query(account_id: str) -> dict:
    return {"account": str(account_id), **view_params()}


def account_button(label: str, key: str, account_ids: Sequence[str], width="medium", help: str | None = None):
    """A table column whose cells are account names; a click opens that row's account."""
    return st.column_config.ButtonColumn(
        label, type="tertiary", alignment="left", width=width, help=help, key=f"{key}_open",
        on_click=_open_clicked_row, args=(f"{key}_open", tuple(str(a) for a in account_ids)),
    )


def _open_clicked_row(click_key: str, account_ids: tuple[str, ...]) -> None:
    click = st.session_state.get(click_key)
    if click is not None and 0 <= click["row"] < len(account_ids):
        open_account(account_ids[click["row"]])


def open_from_chart(chart_key: str) -> None:
    """on_select callback of a chart whose points carry the account ID as customdata[0]."""
    points = (st.session_state.get(chart_key) or {}).get("selection", {}).get("points", [])
    for point in points:
        data = point.get("customdata")
        if data:
            open_account(data[0] if isinstance(data, (list, tuple)) else data)
            return


def page_link(page: str, label: str, icon: str | None = None) -> None:
    """st.page_link to another page; a page run on its own (AppTest) has no navigation, so the label
    is shown as text there."""
    try:
        st.page_link(page, label=label, icon=icon)
    except StreamlitPageNotFoundError:
        st.caption(label)
