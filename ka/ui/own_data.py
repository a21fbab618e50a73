"""Starting with the company's own data: the demo notice with its one-step removal, the choice
between a clean database and the demo beside it on the first import, and the empty state."""

from __future__ import annotations

import streamlit as st

from ka import demo
from ka.i18n import format_amount, format_int, t
from ka.ui.cache import clear_caches
from ka.ui.links import page_link

IMPORT_PAGE = "pages/data_import.py"
START_CLEAN_KEY = "own_data_start_clean"
MESSAGE_KEY = "own_data_message"


def render_demo_notice(ctx) -> None:
    """The sidebar's demo notice, with a button that takes the demo out (after a confirmation)."""
    st.info(t("sidebar.demo_notice"), icon=":material/science:")
    if ctx.may("import") and st.button(t("own_data.remove_button"), key="own_data_remove", icon=":material/delete_sweep:"):
        st.dialog(t("own_data.remove_title"))(_confirm_removal)(ctx)


def _confirm_removal(ctx) -> None:
    summary = ctx.load(demo.read_demo_summary)
    st.markdown(t("own_data.remove_body", lines=format_int(summary["lines"]), accounts=format_int(summary["accounts"]),
                  revenue=format_amount(summary["revenue"])))
    if ctx.load(demo.has_own_data):
        st.caption(t("own_data.remove_keeps_yours"))
    confirm, cancel = st.columns(2)
    if confirm.button(t("own_data.remove_confirm"), key="own_data_remove_confirm", type="primary"):
        remove_demo(ctx)
        st.rerun()
    if cancel.button(t("own_data.remove_cancel"), key="own_data_remove_cancel"):
        st.rerun()


def remove_demo(ctx) -> dict:
    """Take the demo out of the database and forget every cached figure of it."""
    removed = demo.remove_demo(ctx.con)
    ctx.audit("remove_demo", lines=removed["lines"], accounts=removed["accounts"])
    clear_caches()
    st.session_state[MESSAGE_KEY] = t("own_data.removed", lines=format_int(removed["lines"]),
                                      accounts=format_int(removed["accounts"]))
    return removed


def show_removal_message() -> None:
    if message := st.session_state.pop(MESSAGE_KEY, None):
        st.toast(message, icon=":material/check:")


def ask_start_clean(ctx) -> bool:
    """On the first transaction import into a demo database: start a clean database, or keep the
    demo beside the company's data. Returns whether the demo goes first (False when there is no demo,
    or when the company's transactions already stand beside it).

    Only a transaction import asks: an accounts master, visits or tickets describe accounts (often the
    demo's, while trying the import), and their report counts new and updated rows against what is
    in the database now; they go beside the demo, which the sidebar can still remove."""
    if not ctx.is_demo or ctx.load(demo.has_own_transactions):
        return False
    st.session_state.setdefault(START_CLEAN_KEY, "clean")
    choice = st.radio(
        t("own_data.choice_label"), ("clean", "beside"), key=START_CLEAN_KEY,
        format_func=lambda option: t(f"own_data.choice_{option}"), help=t("own_data.choice_help"),
    )
    return choice == "clean"


def show_no_data() -> None:
    """What every page shows on a database without transactions: where to import them."""
    st.info(t("own_data.no_data"), icon=":material/upload_file:")
    page_link(IMPORT_PAGE, t("own_data.to_import"), icon=":material/upload_file:")


def show_empty_state(ctx=None) -> None:
    """Nothing to show: on an empty database, where to import data; else, that the filters found nothing."""
    if ctx is not None and not ctx.has_data:
        show_no_data()
        return
    st.info(t("common.no_data_for_selection"), icon=":material/filter_alt_off:")
