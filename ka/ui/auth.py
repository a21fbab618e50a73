"""The login gate: before any data is read, who is this session? (ka/access.py has the rules.)

With no user defined (no state file, or no row in `users`), access control is off and the session
acts as access.LOCAL_USER. Otherwise a session without a logged-in user, or idle longer than
KA_RADAR_IDLE_MINUTES (default access.DEFAULT_IDLE_MINUTES), sees only the login form. The user
row is read again on every run, so a removed user or a changed role takes effect at once.

Where an identity provider is configured (an `[auth]` section in `.streamlit/secrets.toml`, see
the README), the login form is a button that signs in there (`st.login`, OpenID Connect), and the
identity's e-mail address is the user's name; passwords are not asked for.
"""

from __future__ import annotations

import os
from datetime import datetime, timezone

import streamlit as st

from ka import access, state
from ka.access import User
from ka.i18n import t
from ka.ui.text import literal

USER_KEY = "auth_user_name"
SEEN_KEY = "auth_last_seen"
ROLE_KEY = "auth_role"  # read by the error boundary: details for admins only
EXPIRED_KEY = "auth_expired"
IDENTITY_KEY = "auth_identity"  # the identity the session's user was mapped from (logged in once per session)


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
    providers = identity_providers()
    if providers:
        return _user_from_identity(store, providers), True
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


def identity_providers() -> list[str]:
    """The OIDC providers configured for st.login: [""] for one in [auth] itself, else the names
    of its [auth.NAME] sections; [] when there is no [auth] (passwords then)."""
    try:
        if not st.secrets.load_if_toml_exists() or "auth" not in st.secrets:
            return []
        auth = st.secrets["auth"]
    except Exception:  # an unreadable secrets file: passwords, and the server log says why
        return []
    if "client_id" in auth:
        return [""]
    return [name for name in auth if hasattr(auth[name], "keys")]


def signed_in_identity() -> tuple[str | None, bool | None] | None:
    """(e-mail, whether the provider verified it) of the browser's identity; None before a login."""
    claims = st.user.to_dict()
    if not claims.get("is_logged_in"):
        return None
    return claims.get("email"), claims.get("email_verified")


def _user_from_identity(store: state.StateStore, providers: list[str]) -> User:
    identity = signed_in_identity()
    now = datetime.now(timezone.utc)
    if identity is not None and access.expired(st.session_state.get(SEEN_KEY, now), idle_minutes(), now):
        log_out(expired=True)
        st.logout()  # forgets the identity cookie too; the next run shows the button again
        st.stop()
    if identity is None:
        render_identity_login(providers)
        st.stop()
    if USER_KEY not in st.session_state or st.session_state.get(IDENTITY_KEY) != identity[0]:  # its first run
        try:
            user = access.log_in_with_identity(store, *identity, address=_address())
        except access.AccessError as refused:
            render_identity_refused(t(f"access.error.{refused.key}", identity=literal(refused.values["identity"])))
            st.stop()
        st.session_state[IDENTITY_KEY], st.session_state[USER_KEY] = identity[0], user.name
    user = access.find_user(store, st.session_state[USER_KEY])
    if user is None:  # removed since the login
        render_identity_refused(t("access.error.identity_unknown", identity=literal(identity[0])))
        st.stop()
    st.session_state[SEEN_KEY] = now
    st.session_state[ROLE_KEY] = user.role
    return user


def render_identity_login(providers: list[str]) -> None:
    st.title(t("access.login_title"))
    if st.session_state.pop(EXPIRED_KEY, False):
        st.info(t("access.expired", minutes=idle_minutes()), icon=":material/timer_off:")
    st.caption(t("access.identity_caption"))
    for provider in providers:
        label = t("access.log_in_with", provider=literal(provider)) if provider else t("access.log_in")
        st.button(label, key=f"auth_identity_login_{provider}", type="primary", icon=":material/login:",
                  on_click=st.login, args=(provider,) if provider else ())


def render_identity_refused(message: str) -> None:
    st.title(t("access.login_title"))
    st.error(message, icon=":material/lock:")
    st.button(t("access.log_out"), key="auth_identity_log_out", on_click=log_out)


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


def still_signed_in() -> bool:
    """For a part of a page that reruns alone (a fragment), which skips require_user: False once the
    session has been idle too long; a move inside the part counts as activity."""
    seen = st.session_state.get(SEEN_KEY)
    if seen is None:  # access control is off (a signed-out session never reaches a page's parts)
        return True
    now = datetime.now(timezone.utc)
    if access.expired(seen, idle_minutes(), now):
        return False
    st.session_state[SEEN_KEY] = now
    return True


def log_out(expired: bool = False) -> None:
    """Forget the user and everything the session kept (filters, selections, uploads); with an
    identity provider, its identity cookie too."""
    if identity_providers() and not expired and st.user.is_logged_in:
        st.logout()
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
