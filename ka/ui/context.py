"""What every page starts from: the database, the language, the period and the user's scope.

Pages call `init_page()` first. The sidebar widgets that edit the shared filters are drawn by
app.py (ka/ui/sidebar.py); a page run on its own (AppTest) reads the same session_state keys
with their defaults.
"""

from __future__ import annotations

import functools
from contextlib import nullcontext
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any, Callable

import duckdb
import streamlit as st

from ka import access, db, demo, i18n, overview, tiers
from ka.i18n import t
from ka.periods import (
    KINDS, Period, as_of_for, default_period, default_period_rule, month_range, month_start, period_from_key, period_key,
)
from ka.scope import ALL, Scope
from ka.ui import auth, cache
from ka.ui.errors import error_boundary
from ka.ui.pages_mode import leave_pages_directory_mode

LANGUAGE_KEY = "lang"  # also the URL parameter: ?lang=zh
URL_LANGUAGE_KEY = "lang_from_url"
PERIOD_KIND_KEY = "filter_period_kind"
PERIOD_KEY = "filter_period"
CUSTOM_FROM_KEY = "filter_custom_from"
CUSTOM_TO_KEY = "filter_custom_to"
FILTER_KEYS = {"region": "filter_regions", "industry": "filter_industries", "ka_manager": "filter_managers"}
TIER_FILTER_KEY = "filter_tiers"
SELECTED_ACCOUNT_KEY = "selected_account_id"  # set wherever an account is clicked; the account page opens it
VIEW_FROM_URL_KEY = "view_from_url"  # set once a session has read its language, period and filters from the URL
URL_FILTERS = {"region": FILTER_KEYS["region"], "industry": FILTER_KEYS["industry"], "manager": FILTER_KEYS["ka_manager"],
               "tier": TIER_FILTER_KEY}


@dataclass(frozen=True)
class PageContext:
    con: duckdb.DuckDBPyConnection  # for explicit saves; reads go through load()
    db_path: str
    version: tuple
    period: Period
    scope: Scope
    first_day: date | None
    as_of: date | None  # the data's last day: "data as of"
    is_demo: bool
    user: access.User = access.LOCAL_USER  # who this session is (access.LOCAL_USER: access control off)
    access_on: bool = False
    period_as_of: date | None = None  # the day every page measures "as of" for this period (periods.as_of_for)
    period_rule: str | None = None  # "covered" or "complete" when the period is the default one, else None

    @property
    def has_data(self) -> bool:
        return self.as_of is not None

    def may(self, permission: str) -> bool:
        """Whether the user may do this (import, undo, settings, targets, weights, strategies, scenarios, users)."""
        return self.user.may(permission)

    def audit(self, action: str, **detail) -> None:
        """Record the user's action in the audit log (kept whether access control is on or off)."""
        access.audit(db.state_of(self.con), self.user.name, action, **detail)

    def load(self, reader: Callable, *args, large: bool = False) -> Any:
        """`reader(con, *args)`, cached on this database, its data version and the user's scope."""
        return cache.run(self.con, self.db_path, self.version, self.scope, cache.loaded(reader, *args, large=large))

    def derive(self, compute: Callable, *args, large: bool = False) -> Any:
        """`compute(*args)`, cached likewise; an argument may be a cache.loaded/derived call."""
        return cache.run(self.con, self.db_path, self.version, self.scope, cache.derived(compute, *args, large=large))

    def load_each(self, read_many: Callable, read_one: Callable, items: tuple, *args) -> list:
        """[load(read_one, item, *args) for item in items], the items not cached yet read together by
        `read_many(con, items, *args)` (see cache.run_each)."""
        return cache.run_each(self.con, self.db_path, self.version, self.scope, read_many, read_one, items, *args)

    def value(self, call: cache.Call) -> Any:
        """The value of a call described by ui.loaded or ui.derived, from the same cache."""
        return cache.run(self.con, self.db_path, self.version, self.scope, call)


def database_path() -> str:
    return str(db.db_path_from_env())


def connection() -> duckdb.DuckDBPyConnection:
    """The process-wide connection; the first start builds the demo portfolio (a few seconds)."""
    first_start = not Path(database_path()).exists()
    with st.spinner(t("sidebar.demo_notice")) if first_start else nullcontext():
        return cache.open_database(database_path())


def init_language() -> str:
    url_language = st.query_params.get(LANGUAGE_KEY)
    if url_language in i18n.LANGUAGES and st.session_state.get(URL_LANGUAGE_KEY) != url_language:
        # ?lang=zh opens the page in Chinese; applied once per link, so the sidebar switch still works
        st.session_state[LANGUAGE_KEY] = st.session_state[URL_LANGUAGE_KEY] = url_language
    if LANGUAGE_KEY not in st.session_state:
        st.session_state[LANGUAGE_KEY] = i18n.language_from_locale(_browser_locale())
    i18n.set_language(st.session_state[LANGUAGE_KEY])
    return st.session_state[LANGUAGE_KEY]


def _browser_locale() -> str | None:
    try:
        return st.context.locale
    except Exception:  # outside a browser session (AppTest, bare mode)
        return None


def init_session() -> str:
    """What needs no database: app.py's navigation is in charge, and the language is set."""
    leave_pages_directory_mode()
    return init_language()


def init_page() -> PageContext:
    """Open the data, set the language and the shared filter defaults; every page starts here."""
    init_session()
    user, access_on = auth.require_user(database_path())  # the login form, before any data is read
    apply_view_from_url()
    con = connection()
    path = database_path()
    version = cache.data_version(con)
    first_day, as_of = cache.run(con, path, version, ALL, cache.loaded(overview.read_data_range))
    is_demo = cache.run(con, path, version, ALL, cache.loaded(demo.is_demo))
    _set_filter_defaults(as_of)
    scope = user.restrict(Scope(
        regions=tuple(st.session_state[FILTER_KEYS["region"]]),
        industries=tuple(st.session_state[FILTER_KEYS["industry"]]),
        managers=tuple(st.session_state[FILTER_KEYS["ka_manager"]]),
    ))
    period = current_period(first_day, as_of)
    ctx = PageContext(con, path, version, period, scope, first_day, as_of, is_demo, user, access_on)
    if as_of is not None:
        kind = st.session_state.get(PERIOD_KIND_KEY, "quarter")
        rule = default_period_rule(kind, as_of) if period == default_period(kind, as_of) else None
        ctx = replace(ctx, period_as_of=as_of_for(period, as_of), period_rule=rule)
    return replace(ctx, scope=apply_tier_filter(ctx))


def apply_view_from_url() -> None:
    """On a session's first run, take the language, period and filters from the URL (a link to an
    account opened in a new tab shows it as the page that linked to it did). Values that do not fit
    are dropped by the widgets' own checks."""
    if st.session_state.get(VIEW_FROM_URL_KEY):
        return
    st.session_state[VIEW_FROM_URL_KEY] = True
    params = st.query_params
    if params.get("lang") in i18n.LANGUAGES:
        st.session_state[LANGUAGE_KEY] = params["lang"]
    try:
        period = period_from_key(params["period"]) if "period" in params else None
    except (ValueError, KeyError):
        period = None
    if period is not None and period.kind in KINDS:
        st.session_state[PERIOD_KIND_KEY] = period.kind
        if period.kind == "custom":
            st.session_state[CUSTOM_FROM_KEY], st.session_state[CUSTOM_TO_KEY] = month_start(period.start), month_start(period.end)
        else:
            st.session_state[PERIOD_KEY] = period_key(period)
    for name, key in URL_FILTERS.items():
        if params.get_all(name):
            st.session_state[key] = list(params.get_all(name))


def view_params() -> dict[str, str | list[str]]:
    """The language, period and filters of this session as URL parameters (see apply_view_from_url)."""
    params: dict[str, str | list[str]] = {"lang": i18n.get_language()}
    kind = st.session_state.get(PERIOD_KIND_KEY)
    if kind == "custom" and CUSTOM_FROM_KEY in st.session_state:
        start, end = st.session_state[CUSTOM_FROM_KEY], st.session_state[CUSTOM_TO_KEY]
        params["period"] = period_key(month_range(min(start, end), max(start, end)))
    elif st.session_state.get(PERIOD_KEY):
        params["period"] = st.session_state[PERIOD_KEY]
    for name, key in URL_FILTERS.items():
        if st.session_state.get(key):
            params[name] = [str(v) for v in st.session_state[key]]
    return params


def _set_filter_defaults(as_of: date | None) -> None:
    st.session_state.setdefault(PERIOD_KIND_KEY, "quarter")
    for key in FILTER_KEYS.values():
        st.session_state.setdefault(key, [])
    st.session_state.setdefault(TIER_FILTER_KEY, [])
    if as_of is not None:
        default = default_period("quarter", as_of)
        st.session_state.setdefault(PERIOD_KEY, period_key(default))
        st.session_state.setdefault(CUSTOM_FROM_KEY, month_start(default.start))
        st.session_state.setdefault(CUSTOM_TO_KEY, month_start(default.end))


def current_period(first_day: date | None, as_of: date | None) -> Period:
    kind = st.session_state.get(PERIOD_KIND_KEY, "quarter")
    if as_of is None:
        return default_period("quarter", date.today())
    if kind == "custom":
        start, end = st.session_state[CUSTOM_FROM_KEY], st.session_state[CUSTOM_TO_KEY]
        return month_range(min(start, end), max(start, end))
    key = st.session_state.get(PERIOD_KEY)
    if key:
        period = period_from_key(key)
        if period.kind == kind:
            return period
    return default_period(kind, as_of)


def apply_tier_filter(ctx: PageContext) -> Scope:
    """The scope narrowed to the accounts of the tiers chosen in the sidebar.

    Tiers are drawn for the current period among the accounts of the other filters, with the
    method saved on the tiers page; no tier chosen means no limit.
    """
    chosen = tuple(st.session_state[TIER_FILTER_KEY])
    if not chosen:
        return ctx.scope
    config = ctx.load(tiers.read_tier_settings)["config"]
    tiered = ctx.load(tiers.read_account_tiers, ctx.period, tier_base_scope(ctx.scope), config)
    return replace(ctx.scope, account_ids=tiers.account_ids_in_tiers(tiered, chosen))


def fragment(render: Callable[..., None]) -> Callable[..., None]:
    """`st.fragment` for the part of a page that its own widgets rerun alone (a slider and the figures it
    moves). Such a rerun skips app.py and the page's start: the idle-session check is made again, the
    language (per script run, read by t() and the cache keys) is set again from this session, and the
    part has an error boundary of its own. A fragment may sit inside another and take arguments: rerun
    alone, it gets the ones of the run that last drew it."""
    @functools.wraps(render)
    def in_session(*args, **kwargs) -> None:
        if not auth.still_signed_in():
            st.rerun(scope="app")  # the whole app: the login gate says the session has expired
        i18n.set_language(st.session_state.get(LANGUAGE_KEY, i18n.DEFAULT_LANGUAGE))
        with error_boundary():
            render(*args, **kwargs)

    return st.fragment(in_session)


def tier_base_scope(scope: Scope) -> Scope:
    """The scope without the tier filter's account list: tiers are drawn over it."""
    return replace(scope, account_ids=None)


def select_account(account_id: str | None) -> None:
    """Remember the clicked account; the account 360 page opens it."""
    if account_id:
        st.session_state[SELECTED_ACCOUNT_KEY] = str(account_id)


def selected_account() -> str | None:
    return st.session_state.get(SELECTED_ACCOUNT_KEY)


def stop_unless_permitted(ctx: PageContext, permission: str, message_key: str = "access.not_permitted") -> None:
    """End the page run with a short note when the user's role may not do `permission`."""
    if not ctx.may(permission):
        st.info(t(message_key, role=t(f"access.role.{ctx.user.role}")), icon=":material/lock:")
        st.stop()
