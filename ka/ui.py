"""The one streamlit-aware helper of ka/: the cached connection, shared filters, cached loaders.

Pages call `init_page()` first: it opens the database (building the demo on first start), sets
the language and returns the filters that hold across pages. The sidebar widgets that edit
those filters are drawn by app.py through `render_sidebar()`; a page run on its own (AppTest)
reads the same session_state keys with their defaults.
"""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

from ka import account, db, demo, i18n, overview
from ka import tiers  # tier filter + tier loaders (issue 4)
from ka import whatif  # what-if loader (issue 7)
from ka import kpi  # scorecard loaders (issue 6)
from ka import health  # health loaders (issue 5)
from ka.i18n import t
from ka.periods import (
    KINDS, Period, default_period, month_range, month_start, period_from_key, period_key, period_options,
)
from ka.scope import Scope

LANGUAGE_KEY = "lang"
PERIOD_KIND_KEY = "filter_period_kind"
PERIOD_KEY = "filter_period"
CUSTOM_FROM_KEY = "filter_custom_from"
CUSTOM_TO_KEY = "filter_custom_to"
FILTER_KEYS = {"region": "filter_regions", "industry": "filter_industries", "ka_manager": "filter_managers"}
TIER_FILTER_KEY = "filter_tiers"  # the global tier filter (issue 4)


@dataclass(frozen=True)
class PageContext:
    con: duckdb.DuckDBPyConnection
    db_path: str
    period: Period
    scope: Scope
    first_day: date | None
    as_of: date | None
    is_demo: bool

    @property
    def has_data(self) -> bool:
        return self.as_of is not None


@st.cache_resource(show_spinner=False)
def _open(db_path: str) -> duckdb.DuckDBPyConnection:
    return demo.ensure_database(db_path)


def database_path() -> str:
    return str(db.db_path_from_env())


def connection() -> duckdb.DuckDBPyConnection:
    """The process-wide connection; the first start builds the demo portfolio (a few seconds)."""
    first_start = not Path(database_path()).exists()
    with st.spinner(t("sidebar.demo_notice")) if first_start else nullcontext():
        return _open(database_path())


@st.cache_data(show_spinner=False)
def load_data_range(db_path: str, version: int) -> tuple[date | None, date | None]:
    return overview.read_data_range(_open(db_path))


@st.cache_data(show_spinner=False)
def load_filter_options(db_path: str, version: int) -> dict[str, list[str]]:
    return overview.read_filter_options(_open(db_path))


def data_version(con: duckdb.DuckDBPyConnection) -> int:
    """Changes whenever an import or undo changes the data, so cached loaders key on it."""
    return db.query_rows(con, "select coalesce(max(batch_id), 0) * 1000 + count(*) from import_batches where status = 'active'")[0][0]


def clear_caches() -> None:
    st.cache_data.clear()


def init_language() -> str:
    if LANGUAGE_KEY not in st.session_state:
        st.session_state[LANGUAGE_KEY] = i18n.language_from_locale(_browser_locale())
    i18n.set_language(st.session_state[LANGUAGE_KEY])
    return st.session_state[LANGUAGE_KEY]


def _browser_locale() -> str | None:
    try:
        return st.context.locale
    except Exception:  # outside a browser session (AppTest, bare mode)
        return None


def _leave_pages_directory_mode() -> None:
    """Make sure app.py (st.navigation) runs, even when the server's first request is a page's URL.

    Streamlit still treats a folder named pages/ beside the entry script as an old-style
    multipage app until st.navigation has run once in the process; a first request for
    /tiers would then run pages/tiers.py without app.py's sidebar and layout. Switching
    the flag off and rerunning hands the request to app.py's navigation instead.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def init_page() -> PageContext:
    """Open the data, set the language and the shared filter defaults; every page starts here."""
    _leave_pages_directory_mode()
    init_language()
    con = connection()
    path = database_path()
    first_day, as_of = load_data_range(path, data_version(con))
    _set_filter_defaults(as_of)
    period = current_period(first_day, as_of)
    scope = Scope(
        regions=tuple(st.session_state[FILTER_KEYS["region"]]),
        industries=tuple(st.session_state[FILTER_KEYS["industry"]]),
        managers=tuple(st.session_state[FILTER_KEYS["ka_manager"]]),
    )
    scope = apply_tier_filter(con, path, period, scope)
    return PageContext(con, path, period, scope, first_day, as_of, demo.is_demo(con))


def _set_filter_defaults(as_of: date | None) -> None:
    st.session_state.setdefault(PERIOD_KIND_KEY, "quarter")
    for key in FILTER_KEYS.values():
        st.session_state.setdefault(key, [])
    if as_of is not None:
        default = default_period("quarter", as_of)
        st.session_state.setdefault(PERIOD_KEY, period_key(default))
        st.session_state.setdefault(CUSTOM_FROM_KEY, month_start(default.start))
        st.session_state.setdefault(CUSTOM_TO_KEY, month_start(default.end))


def current_period(first_day: date | None, as_of: date | None) -> Period:
    kind = st.session_state.get(PERIOD_KIND_KEY, "quarter")
    if as_of is None:
        today = date.today()
        return default_period("quarter", today)
    if kind == "custom":
        start, end = st.session_state[CUSTOM_FROM_KEY], st.session_state[CUSTOM_TO_KEY]
        return month_range(min(start, end), max(start, end))
    key = st.session_state.get(PERIOD_KEY)
    if key:
        period = period_from_key(key)
        if period.kind == kind:
            return period
    return default_period(kind, as_of)


def period_label(period: Period) -> str:
    if period.kind == "quarter":
        return t("period.quarter", year=period.start.year, quarter=(period.start.month - 1) // 3 + 1)
    if period.kind == "month":
        return t("period.month", year=period.start.year, month=period.start.month)
    if period.kind == "year":
        return t("period.year", year=period.start.year)
    if period.kind == "t12m":
        return t("period.t12m", end=f"{period.end:%Y-%m}")
    return t("period.range", start=f"{period.start:%Y-%m-%d}", end=f"{period.end:%Y-%m-%d}")


def account_display_name(name: str | None, name_en: str | None) -> str:
    """English UI shows the English name where the data has one."""
    if i18n.get_language() == "en" and isinstance(name_en, str) and name_en:
        return name_en
    return name or ""


def with_display_names(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy with an `account` column in the user's language (cached frames are never mutated)."""
    out = frame.copy()
    names_en = out["account_name_en"] if "account_name_en" in out else [None] * len(out)
    out["account"] = [account_display_name(n, e) for n, e in zip(out["account_name"], names_en)]
    return out


# --- the shared sidebar (drawn by app.py) ----------------------------------------------------
def render_sidebar(ctx: PageContext) -> None:
    with st.sidebar:
        st.segmented_control(
            t("sidebar.language"), options=list(i18n.LANGUAGES), key=LANGUAGE_KEY,
            format_func=lambda code: i18n.LANGUAGE_NAMES[code], on_change=_language_changed,
        )
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
        choices = load_filter_options(ctx.db_path, data_version(ctx.con))
        for dimension, key in FILTER_KEYS.items():
            st.multiselect(t(f"sidebar.{dimension}"), choices[dimension], key=key, placeholder=t("sidebar.all"))
        st.multiselect(
            t("tiers.sidebar_filter"), list(tiers.TIERS), key=TIER_FILTER_KEY, placeholder=t("sidebar.all"),
            help=t("tiers.sidebar_filter_help"),
        )
        st.caption(t("sidebar.data_as_of", date=f"{ctx.as_of:%Y-%m-%d}"))
        st.caption(t("sidebar.database", name=Path(ctx.db_path).name))
        if ctx.is_demo:
            st.info(t("sidebar.demo_notice"), icon=":material/science:")


def _language_changed() -> None:
    if not st.session_state.get(LANGUAGE_KEY):  # segmented control can be un-selected; keep a language
        st.session_state[LANGUAGE_KEY] = i18n.get_language()
    # Streamlit's frontend keeps showing a selectbox's old option text when only format_func
    # changes (streamlit/streamlit#13788). Writing the value back makes it redraw in the new language.
    for key in list(st.session_state.keys()):
        if key in TRANSLATED_SELECTBOXES or any(key.startswith(prefix) for prefix in TRANSLATED_SELECTBOX_PREFIXES):
            st.session_state[key] = st.session_state[key]


# Selectboxes whose option labels depend on the language (see _language_changed). Pages add
# their own keys to TRANSLATED_SELECTBOXES, or use a key that starts with "sel_".
TRANSLATED_SELECTBOXES = {PERIOD_KIND_KEY, PERIOD_KEY}
TRANSLATED_SELECTBOX_PREFIXES = ("sel_",)


def _period_kind_changed(as_of: date) -> None:
    kind = st.session_state[PERIOD_KIND_KEY]
    if kind != "custom":
        st.session_state[PERIOD_KEY] = period_key(default_period(kind, as_of))


def show_empty_state() -> None:
    st.info(t("common.no_data_for_selection"), icon=":material/filter_alt_off:")


# --- cached loaders (arguments are the filter values; the connection is looked up, not hashed) ----
@st.cache_data(show_spinner=False)
def load_overview(db_path: str, version: int, period: Period, scope: Scope) -> dict:
    con = _open(db_path)
    current = overview.read_overview_kpis(con, period, scope)
    return {
        "current": current,
        "prior": overview.read_overview_kpis(con, period.prior(), scope),
        "year_ago": overview.read_overview_kpis(con, period.year_ago(), scope),
    }


@st.cache_data(show_spinner=False)
def load_trend(db_path: str, version: int, period: Period, scope: Scope) -> pd.DataFrame:
    return overview.read_trend_this_vs_last_year(_open(db_path), period, scope)


@st.cache_data(show_spinner=False)
def load_breakdown(db_path: str, version: int, period: Period, scope: Scope, dimension: str) -> pd.DataFrame:
    return overview.read_breakdown(_open(db_path), period, scope, dimension)


@st.cache_data(show_spinner=False)
def load_top_accounts(db_path: str, version: int, period: Period, scope: Scope, limit: int = 10) -> pd.DataFrame:
    return overview.read_top_accounts(_open(db_path), period, scope, limit)


INVERSE_KPIS = overview.INVERSE_KPIS


def kpi_delta(name: str, current, base) -> str | None:
    """The text of a KPI's change against `base`: % for amounts and counts, points for shares."""
    change = overview.compute_deltas(current, base)[name]
    if name in ("margin", "top10_share"):
        return i18n.format_delta_points(change)
    return i18n.format_delta_pct(change)


# --- account tiers (issue 4): the global tier filter and the tiers page's loaders ------------
def apply_tier_filter(con: duckdb.DuckDBPyConnection, db_path: str, period: Period, scope: Scope) -> Scope:
    """Narrow `scope` to the accounts of the tiers chosen in the sidebar.

    Tiers are drawn for the current period among the accounts of the other filters, with the
    method saved on the tiers page; no tier chosen means no limit.
    """
    st.session_state.setdefault(TIER_FILTER_KEY, [])
    chosen = tuple(st.session_state[TIER_FILTER_KEY])
    if not chosen:
        return scope
    config = tiers.read_tier_settings(con)["config"]
    tiered = load_account_tiers(db_path, data_version(con), period, tier_base_scope(scope), config)
    return replace(scope, account_ids=tiers.account_ids_in_tiers(tiered, chosen))


def tier_base_scope(scope: Scope) -> Scope:
    """The scope without the tier filter's account list: tiers are drawn over it."""
    return replace(scope, account_ids=None)


@st.cache_data(show_spinner=False)
def load_account_tiers(db_path: str, version: int, period: Period, scope: Scope, config: tiers.TierConfig) -> pd.DataFrame:
    return tiers.read_account_tiers(_open(db_path), period, scope, config)


@st.cache_data(show_spinner=False)
def load_tier_migration(
    db_path: str, version: int, before: Period, after: Period, scope: Scope, config: tiers.TierConfig
) -> pd.DataFrame:
    return tiers.compute_tier_migration(
        load_account_tiers(db_path, version, before, scope, config),
        load_account_tiers(db_path, version, after, scope, config),
    )


# --- what-if (issue 7): the cached account-level frame every slider move works on -------------
@st.cache_data(show_spinner=False)
def load_whatif_base(db_path: str, version: int, period: Period, scope: Scope, config: tiers.TierConfig) -> whatif.WhatIfBase:
    """Accounts of the period with tiers, observed retention and typical sizes (never mutate it)."""
    return whatif.prepare_base(whatif.read_account_frame(_open(db_path), period, scope), config)


# --- scorecards (issue 6): KPI values cached; targets and weights are applied on every run ----
def tier_settings_key(con: duckdb.DuckDBPyConnection) -> str:
    """The saved tier settings as text: the visit cadence depends on them (a cache key)."""
    return repr(tiers.read_tier_settings(con))


@st.cache_data(show_spinner=False)
def load_kpi_values(db_path: str, version: int, tier_key: str, period: Period, scope: Scope, level: str) -> pd.DataFrame:
    return kpi.read_kpi_values(_open(db_path), period, scope, level)


@st.cache_data(show_spinner=False)
def load_composite_trend(
    db_path: str, version: int, tier_key: str, targets_key: int, period: Period, scope: Scope, level: str,
    weights: kpi.Weights,
) -> pd.DataFrame:
    return kpi.read_composite_trend(_open(db_path), period, scope, level, weights)


# --- account 360 ------------------------------------------------------------------------------
SELECTED_ACCOUNT_KEY = "selected_account_id"  # set by any page where an account is clicked


def select_account(account_id: str | None) -> None:
    """Remember the clicked account; the account 360 page opens it."""
    if account_id:
        st.session_state[SELECTED_ACCOUNT_KEY] = str(account_id)


@st.cache_data(show_spinner=False)
def load_account_options(db_path: str, version: int, period: Period, scope: Scope) -> pd.DataFrame:
    return account.read_account_options(_open(db_path), period, scope)


@st.cache_data(show_spinner=False)
def load_account_profile(db_path: str, version: int, account_id: str) -> dict | None:
    return account.read_profile(_open(db_path), account_id)


@st.cache_data(show_spinner=False)
def load_account_figures(db_path: str, version: int, account_id: str, period: Period) -> dict:
    return account.read_period_figures(_open(db_path), account_id, period)


@st.cache_data(show_spinner=False)
def load_account_monthly(db_path: str, version: int, account_id: str, period: Period) -> pd.DataFrame:
    return account.read_monthly(_open(db_path), account_id, period)


@st.cache_data(show_spinner=False)
def load_account_category_mix(db_path: str, version: int, account_id: str, period: Period) -> pd.DataFrame:
    return account.read_category_mix(_open(db_path), account_id, period)


@st.cache_data(show_spinner=False)
def load_account_recent_orders(db_path: str, version: int, account_id: str) -> pd.DataFrame:
    return account.read_recent_orders(_open(db_path), account_id)


@st.cache_data(show_spinner=False)
def load_account_activity(db_path: str, version: int, account_id: str, as_of: date) -> dict:
    return account.read_activity(_open(db_path), account_id, as_of)


# --- health (issue 5) -------------------------------------------------------------------------
@st.cache_data(show_spinner=False)
def load_health_month_ends(db_path: str, version: int) -> list[date]:
    return health.read_month_ends(_open(db_path))


@st.cache_data(show_spinner=False)
def load_health_inputs(db_path: str, version: int, first_as_of: date, last_as_of: date, scope: Scope) -> pd.DataFrame:
    return health.read_health_inputs(_open(db_path), first_as_of, last_as_of, scope)


@st.cache_data(show_spinner=False)
def load_health_history_inputs(db_path: str, version: int, scope: Scope) -> pd.DataFrame:
    """Inputs at every month end: the slow part of the page (seconds on 10M lines), then cached."""
    return health.read_history_inputs(_open(db_path), scope)


@st.cache_data(show_spinner=False)
def load_health_history(db_path: str, version: int, scope: Scope, config: "health.HealthConfig") -> pd.DataFrame:
    """Scores at every month end under `config` (a new config re-scores the cached inputs)."""
    return health.compute_scores(load_health_history_inputs(db_path, version, scope), config)


@st.cache_data(show_spinner=False)
def load_health_backtest(
    db_path: str, version: int, scope: Scope, config: "health.HealthConfig", rule: "health.ChurnRule", data_end: date
) -> tuple[pd.DataFrame, dict]:
    history = load_health_history(db_path, version, scope, config)
    return health.compute_backtest(history, rule, data_end)


# --- overview: tier and health mix -------------------------------------------------------------
@st.cache_data(show_spinner=False)
def load_health_listing(
    db_path: str, version: int, as_of: date, scope: Scope, config: "health.HealthConfig", language: str
) -> pd.DataFrame:
    """Scored accounts as of the month end of `as_of`, sorted by revenue at risk, with reasons in
    `language` (an argument, so that each language gets its own cached entry)."""
    listing = health.read_health(_open(db_path), as_of, scope, config)
    return listing.assign(reasons=health.reason_texts(listing))


def saved_health_config(con: duckdb.DuckDBPyConnection) -> "health.HealthConfig":
    """The health configuration last saved on the health page (defaults until then)."""
    return health.read_config(con)[0]
