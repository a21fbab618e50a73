"""Whole-portfolio tables a page of rows at a time, and account pickers with a bounded list, both with
a search over account names and ids.

A table of 5,000 accounts is about 700 KiB sent to the browser on every rerun of its page, and a
picker of 5,000 accounts about 300 KiB; a page of 50 rows or a list of 50 options is a few KiB. The
user reaches any account by its name or id through the search, and any row through the pages.
"""

from __future__ import annotations

import zlib

import pandas as pd
import streamlit as st

from ka.i18n import format_int, t

PAGE_ROWS = 50
PICKER_OPTIONS = 50
SEARCH_COLUMNS = ("account_id", "account", "account_name", "account_name_en")


def matching_accounts(frame: pd.DataFrame, text: str | None) -> pd.DataFrame:
    """The rows whose account id or name (either language) contains `text`, case-insensitive, in order."""
    needle = (text or "").strip().casefold()
    if not needle or frame.empty:
        return frame
    hit = pd.Series(False, index=frame.index)
    for column in SEARCH_COLUMNS:
        if column in frame:
            hit |= frame[column].astype("string").str.casefold().str.contains(needle, regex=False).fillna(False)
    return frame[hit]


def search_box(key: str, container=None) -> str:
    """The search field of a table or a picker; returns the text typed."""
    (container or st).text_input(t("paging.search"), key=key, placeholder=t("paging.search_placeholder"),
                                 help=t("paging.search_help"))
    return st.session_state.get(key) or ""


def page_of(frame: pd.DataFrame, key: str, rows: int = PAGE_ROWS) -> pd.DataFrame:
    """The rows of `frame` to draw as the table `key`: a search, the rows shown and the pages on one line
    above the table; the rows that match the search, `rows` at a time, in the frame's order."""
    search_col, count_col, pages_col = st.columns([2, 2, 3], vertical_alignment="bottom")
    found = matching_accounts(frame, search_box(f"{key}_search", search_col))
    pages = max(1, -(-len(found) // rows))
    page_key = f"{key}_page"
    if not 1 <= st.session_state.get(page_key, 1) <= pages:  # a narrower search has fewer pages
        st.session_state[page_key] = 1
    page = pages_col.pagination(pages, key=page_key, max_visible_pages=5) if pages > 1 else 1
    st.session_state[f"{key}_view"] = (page, st.session_state.get(f"{key}_search") or "")
    shown = found.iloc[(page - 1) * rows:page * rows]
    if found.empty:
        count_col.caption(t("paging.no_match"))
    else:
        count_col.caption(t("paging.rows_shown" if len(found) == len(frame) else "paging.rows_matching",
                            first=format_int((page - 1) * rows + 1), last=format_int((page - 1) * rows + len(shown)),
                            total=format_int(len(found))))
    return shown


def table_key(key: str) -> str:
    """The key for the st.dataframe of the rows page_of(frame, key) returned in this run.

    Streamlit keeps a keyed table's selection by row position when its rows change, so a ticked row
    would stay ticked on the same line of the next page or search. Each page and search gets a table
    key of its own; the first page without a search keeps `key` itself."""
    return view_key(key, *st.session_state.get(f"{key}_view", (1, "")))


def view_key(key: str, page: int, search: str) -> str:
    text = search.strip().casefold()
    if page == 1 and not text:
        return key
    return f"{key}_{page}_{zlib.crc32(text.encode()):08x}"


def bounded_options(frame: pd.DataFrame, text: str | None, keep: list[str] | tuple[str, ...] = (),
                    limit: int = PICKER_OPTIONS) -> tuple[list[str], str | None]:
    """The account ids a picker offers: `keep` (what is picked now), then the first `limit` accounts of
    `frame` whose name or id contains `text`; and a note for below the picker when more accounts match."""
    found = matching_accounts(frame, text)
    known, matched = set(frame["account_id"]), set(found["account_id"])
    ids = [a for a in keep if a in known]
    matches = [a for a in found["account_id"].head(limit + len(ids)) if a not in ids][:limit]
    listed = len(matches) + sum(1 for a in ids if a in matched)
    note = t("paging.options_shown", shown=format_int(listed), total=format_int(len(found))) if len(found) > listed else None
    return ids + matches, note
