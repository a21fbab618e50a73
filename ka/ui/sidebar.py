"""The shared sidebar (drawn by app.py): language, period, region, industry, KA manager, tier."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import streamlit as st

from ka import i18n, overview, tiers
from ka.i18n import t
from ka.periods import KINDS, default_period, period_from_key, period_key, period_options
from ka.ui.context import (
    CUSTOM_FROM_KEY, CUSTOM_TO_KEY, FILTER_KEYS, LANGUAGE_KEY, PERIOD_KEY, PERIOD_KIND_KEY, TIER_FILTER_KEY, PageContext,
)
from ka.ui.auth import log_out
from ka.ui.format import display_value, period_label
from ka.ui.own_data import render_demo_notice, show_removal_message
from ka.ui.text import literal

# Selectboxes whose option labels depend on the language (see _language_changed). Pages add
# their own keys here, or use a key that starts with "sel_".
TRANSLATED_SELECTBOXES = {PERIOD_KIND_KEY, PERIOD_KEY}
TRANSLATED_SELECTBOX_PREFIXES = ("sel_",)


PRINT_STYLE = Path(__file__).with_name("print.css")


def render_sidebar(ctx: PageContext) -> None:
    st.html(PRINT_STYLE)  # a style sheet only: Streamlit puts it out of the page's flow
    show_removal_message()
    with st.sidebar:
        st.segmented_control(
            t("sidebar.language"), options=list(i18n.LANGUAGES), key=LANGUAGE_KEY,
            format_func=lambda code: i18n.LANGUAGE_NAMES[code], on_change=_language_changed,
        )
        render_access(ctx)
        if not ctx.has_data:
            st.warning(t("sidebar.no_data"))
            return
        st.selectbox(
            t("sidebar.period_kind"), options=list(KINDS), key=PERIOD_KIND_KEY,
            format_func=lambda kind: t(f"period_kind.{kind}"), on_change=_period_kind_changed,
            args=(ctx.as_of,),
        )
        kind = st.session_state[PERIOD_KIND_KEY]
        if kind == "custom":
            months = [p.start for p in period_options("month", ctx.first_day, ctx.as_of)]
            left, right = st.columns(2)
            left.selectbox(t("sidebar.custom_from"), months, key=CUSTOM_FROM_KEY, format_func=lambda d: f"{d:%Y-%m}")
            right.selectbox(t("sidebar.custom_to"), months, key=CUSTOM_TO_KEY, format_func=lambda d: f"{d:%Y-%m}")
        else:
            options = [period_key(p) for p in period_options(kind, ctx.first_day, ctx.as_of)]
            if st.session_state.get(PERIOD_KEY) not in options:
                st.session_state[PERIOD_KEY] = period_key(default_period(kind, ctx.as_of))
            st.selectbox(
                t("sidebar.period"), options, key=PERIOD_KEY,
                format_func=lambda key: period_label(period_from_key(key)),
            )
        choices = dict(ctx.load(overview.read_filter_options))
        if ctx.scope.allowed_managers is not None:  # a manager picks among their own name only
            choices["ka_manager"] = [m for m in choices["ka_manager"] if m in ctx.scope.allowed_managers]
        for dimension, key in FILTER_KEYS.items():
            # a value the data no longer has (after an undo, or from a link) is dropped, not an error
            st.session_state[key] = [v for v in st.session_state.get(key, []) if v in choices[dimension]]
            st.multiselect(
                t(f"sidebar.{dimension}"), choices[dimension], key=key, placeholder=t("sidebar.all"),
                format_func=lambda value, d=dimension: display_value(d, value), select_all=False,
            )
        st.session_state[TIER_FILTER_KEY] = [v for v in st.session_state.get(TIER_FILTER_KEY, []) if v in tiers.TIERS]
        st.multiselect(
            t("tiers.sidebar_filter"), list(tiers.TIERS), key=TIER_FILTER_KEY, placeholder=t("sidebar.all"),
            help=t("tiers.sidebar_filter_help"), select_all=False,
        )
        st.caption(t("sidebar.data_as_of", date=f"{ctx.as_of:%Y-%m-%d}"))
        st.caption(t("sidebar.database", name=literal(Path(ctx.db_path).name)))
        if ctx.is_demo:
            render_demo_notice(ctx)


def render_access(ctx: PageContext) -> None:
    """Who is logged in (and log out), or that access control is off."""
    if not ctx.access_on:
        st.caption(t("access.off"))
        return
    role = t(f"access.role.{ctx.user.role}")
    if ctx.scope.allowed_managers is not None:
        st.caption(t("access.signed_in_scope", user=literal(ctx.user.name), role=role,
                     manager=literal(", ".join(ctx.scope.allowed_managers))))
    else:
        st.caption(t("access.signed_in", user=literal(ctx.user.name), role=role))
    st.button(t("access.log_out"), key="auth_log_out", on_click=log_out, icon=":material/logout:")


def _language_changed() -> None:
    if not st.session_state.get(LANGUAGE_KEY):  # segmented control can be un-selected; keep a language
        st.session_state[LANGUAGE_KEY] = i18n.get_language()
    # Streamlit's frontend keeps showing a selectbox's old option text when only format_func
    # changes (streamlit/streamlit#13788). Writing the value back makes it redraw in the new language.
    for key in list(st.session_state.keys()):
        if key in TRANSLATED_SELECTBOXES or any(key.startswith(prefix) for prefix in TRANSLATED_SELECTBOX_PREFIXES):
            st.session_state[key] = st.session_state[key]


def _period_kind_changed(as_of: date) -> None:
    kind = st.session_state[PERIOD_KIND_KEY]
    if kind != "custom":
        st.session_state[PERIOD_KEY] = period_key(default_period(kind, as_of))
