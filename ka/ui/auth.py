"""The login gate: before any data is read, who is this session? (ka/access.py has the rules.)

With no user defined (no state file, or no row in `users`), access control is off and the session
acts as access.LOCAL_USER. Otherwise a session without a logged-in user, or idle longer than
KA_RADAR_IDLE_MINUTES (default access.DEFAULT_IDLE_MINUTES), sees only the login form. The user
row is read again on every run, so a removed user or a changed role takes effect at once.
"""

from __future__ import annotations

import os
from datetime import datetime, timezone

import streamlit as st

from ka import access, state
from ka.access import User
from ka.i18n import t

USER_KEY = "auth_user_name"
SEEN_KEY = "auth_last_seen"
ROLE_KEY = "auth_role"  # read by the error boundary: details for admins only
EXPIRED_KEY = "auth_expired"


def idle_minutes() -> int:
    try:
        return max(1, int(os.environ.get("KA_RADAR_IDLE_MINUTES", access.DEFAULT_IDLE_MINUTES)))
    except ValueError:
        return access.DEFAULT_IDLE_MINUTES


def access_store(db_path: str) -> state.StateStore | None:
    """The state store when it exists (never created here: no file means no users)."""
    if not state.state_path(db_path).exists():
        return None
    return state.state_store(db_path)


def require_user(db_path: str) -> tuple[User, bool]:
    """(the session's user, whether access control is on); shows the login form and stops the
    run when someone must log in first."""
    store = access_store(db_path)
    if store is None or not access.has_users(store):
        st.session_state[ROLE_KEY] = access.LOCAL_USER.role
        return access.LOCAL_USER, False
    st.session_state[ROLE_KEY] = None
    name = st.session_state.get(USER_KEY)
    user = access.find_user(store, name) if name else None
    now = datetime.now(timezone.utc)
    if user is not None and access.expired(st.session_state.get(SEEN_KEY, now), idle_minutes(), now):
        log_out(expired=True)
        user = None
    if user is None:
        render_login(store)
        st.stop()
    st.session_state[SEEN_KEY] = now
    st.session_state[ROLE_KEY] = user.role
    return user, True


def _address() -> str:
    try:
        return st.context.ip_address or "unknown"
    except Exception:  # AppTest, bare mode
        return "unknown"


def render_login(store: state.StateStore) -> None:
    st.title(t("access.login_title"))
    if st.session_state.pop(EXPIRED_KEY, False):
        st.info(t("access.expired", minutes=idle_minutes()), icon=":material/timer_off:")
    st.caption(t("access.login_caption"))
    with st.form("auth_login", clear_on_submit=False, width=420):
        name = st.text_input(t("access.user_name"), key="auth_login_name")
        password = st.text_input(t("access.password"), type="password", key="auth_login_password")
        submitted = st.form_submit_button(t("access.log_in"), type="primary")
    if submitted:
        try:
            user = access.log_in(store, name.strip(), password, _address())
        except access.AccessError as refused:
            st.error(t(f"access.error.{refused.key}", **refused.values), icon=":material/lock:")
            return
        st.session_state[USER_KEY] = user.name
        st.session_state[SEEN_KEY] = datetime.now(timezone.utc)
        st.session_state.pop("auth_login_password", None)
        st.rerun()


def log_out(expired: bool = False) -> None:
    """Forget the user and everything the session kept (filters, selections, uploads)."""
    language = st.session_state.get("lang")
    for key in list(st.session_state.keys()):
        del st.session_state[key]
    if language:
        st.session_state["lang"] = language
    if expired:
        st.session_state[EXPIRED_KEY] = True


def shows_error_details() -> bool:
    role = st.session_state.get(ROLE_KEY, access.LOCAL_USER.role)
    return role is not None and "error_details" in access.PERMISSIONS.get(role, set())
