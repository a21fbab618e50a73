"""Who may see and change what: users and roles, passwords, failed-login throttling, the audit log.

With no user defined, access control is off: the app runs for one local user as before, and the
sidebar says so. Once a user exists (`python -m ka users add`), every session logs in first.

Roles (what each may do, by permission):

    admin     every account; users, import, undo, settings (tier rules, health, coefficients,
              mappings), and everything a director may do; sees error details
    director  every account; targets, KPI weights, tier strategies, scenarios
    manager   only the accounts whose ka_manager is theirs (`manager`)
    viewer    read-only; every account, or one manager's when `manager` is set

What a user may see is a Scope restriction (`Scope.allowed_managers`), applied in
`Scope.params()`, so it holds in every query that starts from `scoped_accounts` and keys every
cached result. Users, failed logins and the audit log live in the state store (ka/state.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from ka.scope import Scope
from ka.state import StateStore

ROLES = ("admin", "director", "manager", "viewer")
PERMISSIONS = {
    "admin": {"users", "import", "undo", "settings", "targets", "weights", "strategies", "scenarios", "actions",
              "error_details"},
    "director": {"targets", "weights", "strategies", "scenarios", "actions"},
    "manager": {"actions"},  # the action plans of their own accounts (their scope)
    "viewer": set(),
}
DEFAULT_IDLE_MINUTES = 30  # a session left alone this long logs out; editable (KA_RADAR_IDLE_MINUTES)
# Failed logins: after FREE_FAILURES within the window, each further attempt waits 2, 4, 8 … s
# (at most MAX_WAIT) after the last failure, per user name and per address.
FREE_FAILURES = 3
FAILURE_WINDOW = timedelta(minutes=15)
MAX_WAIT_SECONDS = 300
MIN_PASSWORD_LENGTH = 8
MAX_NAME_LENGTH = 254  # an e-mail address at most, for users of an identity provider
# The stored hash of a user who logs in only through the identity provider (OIDC): argon2 reads
# it as no hash at all, so no password ever matches it.
NO_PASSWORD = ""

# argon2id with the library's current defaults (RFC 9106 low-memory profile); a hash made with
# older parameters is still verified and re-hashed on the next login.
_HASHER = PasswordHasher()
# a hash to verify against when the user does not exist, so timing does not tell which names exist
_ABSENT_USER_HASH = _HASHER.hash("no such user: this value is never a password")


class AccessError(ValueError):
    """A refused user command or login; `key` names the message (access.error.<key>)."""

    def __init__(self, key: str, **values):
        self.key, self.values = key, values
        super().__init__(f"{key} {values}")


@dataclass(frozen=True)
class User:
    name: str
    role: str
    manager: str | None = None  # a manager's own name in ka_manager; a viewer's optional limit

    def may(self, permission: str) -> bool:
        return permission in PERMISSIONS[self.role]

    def restrict(self, scope: Scope) -> Scope:
        """The scope narrowed to what this user may see."""
        if self.role == "manager" or (self.role == "viewer" and self.manager):
            return replace(scope, allowed_managers=(self.manager,))
        return scope

    @property
    def sees_everything(self) -> bool:
        return self.restrict(Scope()).allowed_managers is None


# The acting user when access control is off: one local person who may do everything.
LOCAL_USER = User(name="local", role="admin")


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


# --- users --------------------------------------------------------------------------------------
def has_users(store: StateStore) -> bool:
    return bool(store.read("select exists (select 1 from users)")[0][0])


def list_users(store: StateStore) -> list[User]:
    rows = store.read("select user_name, role, manager from users order by user_name")
    return [User(*row) for row in rows]


def find_user(store: StateStore, name: str) -> User | None:
    rows = store.read("select user_name, role, manager from users where user_name = ?", [name])
    return User(*rows[0]) if rows else None


def find_user_by_identity(store: StateStore, email: str) -> User | None:
    """The user an identity provider's login maps to: the user whose name is that e-mail address
    (compared without case, as addresses are)."""
    rows = store.read("select user_name, role, manager from users where lower(user_name) = lower(?) "
                      "order by user_name limit 1", [email])
    return User(*rows[0]) if rows else None


def _check_user_fields(name: str, role: str, manager: str | None) -> None:
    if not name or name != name.strip() or len(name) > MAX_NAME_LENGTH or any(ord(c) < 32 for c in name):
        raise AccessError("bad_name")
    if role not in ROLES:
        raise AccessError("bad_role", role=role, roles=", ".join(ROLES))
    if role == "manager" and not manager:
        raise AccessError("manager_required")
    if role in ("admin", "director") and manager:
        raise AccessError("manager_not_allowed", role=role)


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccessError("short_password", length=MIN_PASSWORD_LENGTH)


def add_user(store: StateStore, name: str, role: str, password: str | None, manager: str | None = None,
             by: str = "cli") -> User:
    """A new user; `password` None: one who logs in only through the identity provider (OIDC),
    named by their e-mail address."""
    _check_user_fields(name, role, manager)
    if password is None:
        digest = NO_PASSWORD
    else:
        _check_password(password)
        digest = _HASHER.hash(password)
    with store.transaction(changes_figures=False) as sql:
        if sql.execute("select 1 from users where user_name = ?", [name]).fetchall():
            raise AccessError("user_exists", name=name)
        sql.execute("insert into users (user_name, role, manager, password_hash, created_at) values (?, ?, ?, ?, ?)",
                    [name, role, manager, digest, _iso(_now())])
        _audit(sql, by, "user_add", {"user": name, "role": role, "manager": manager, "password": password is not None})
    return User(name, role, manager)


def remove_user(store: StateStore, name: str, by: str = "cli") -> None:
    with store.transaction(changes_figures=False) as sql:
        if not sql.execute("delete from users where user_name = ? returning 1", [name]).fetchall():
            raise AccessError("no_such_user", name=name)
        _audit(sql, by, "user_remove", {"user": name})


def set_password(store: StateStore, name: str, password: str, by: str = "cli") -> None:
    _check_password(password)
    digest = _HASHER.hash(password)
    with store.transaction(changes_figures=False) as sql:
        if not sql.execute("update users set password_hash = ? where user_name = ? returning 1", [digest, name]).fetchall():
            raise AccessError("no_such_user", name=name)
        _audit(sql, by, "user_password", {"user": name})


# --- login ----------------------------------------------------------------------------------------
def seconds_to_wait(store: StateStore, name: str, address: str, now: datetime | None = None) -> int:
    """How long the next attempt for this name or from this address must wait (0: may try now)."""
    now = now or _now()
    wait = 0
    for subject in (f"user:{name}", f"address:{address}"):
        rows = store.read("select count(*), max(failed_at) from login_failures where subject = ? and failed_at > ?",
                          [subject, _iso(now - FAILURE_WINDOW)])
        count, last = rows[0]
        if count >= FREE_FAILURES:
            delay = min(2 ** (count - FREE_FAILURES + 1), MAX_WAIT_SECONDS)
            wait = max(wait, int((datetime.fromisoformat(last) + timedelta(seconds=delay) - now).total_seconds() + 0.999))
    return max(wait, 0)


def log_in(store: StateStore, name: str, password: str, address: str = "unknown") -> User:
    """The user, when the password is theirs; AccessError("throttled" | "bad_login") otherwise.
    Every attempt is in the audit log; a refused one counts against the name and the address."""
    wait = seconds_to_wait(store, name, address)
    if wait:
        raise AccessError("throttled", seconds=wait)
    rows = store.read("select user_name, role, manager, password_hash from users where user_name = ?", [name])
    digest = rows[0][3] if rows else _ABSENT_USER_HASH
    try:
        ok = _HASHER.verify(digest, password) and bool(rows)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        ok = False
    with store.transaction(changes_figures=False) as sql:
        if not ok:
            for subject in (f"user:{name}", f"address:{address}"):
                sql.execute("insert into login_failures (subject, failed_at) values (?, ?)", [subject, _iso(_now())])
            _audit(sql, name, "login_failed", {"address": address})
        else:
            sql.execute("delete from login_failures where subject = ?", [f"user:{name}"])
            if _HASHER.check_needs_rehash(digest):
                sql.execute("update users set password_hash = ? where user_name = ?", [_HASHER.hash(password), name])
            _audit(sql, name, "login", {"address": address})
    if not ok:
        raise AccessError("bad_login")
    return User(*rows[0][:3])


def log_in_with_identity(store: StateStore, email: str | None, verified: bool | None, address: str = "unknown") -> User:
    """The user an identity provider's login maps to; AccessError("identity_unknown") when there is
    none, or the provider says the address is not verified. Every attempt is in the audit log."""
    user = find_user_by_identity(store, email) if email and verified is not False else None
    with store.transaction(changes_figures=False) as sql:
        if user is None:
            _audit(sql, email or "?", "login_failed", {"address": address, "method": "oidc", "verified": verified})
        else:
            _audit(sql, user.name, "login", {"address": address, "method": "oidc"})
    if user is None:
        raise AccessError("identity_unknown", identity=email or "?")
    return user


def expired(last_seen: datetime, idle_minutes: int, now: datetime | None = None) -> bool:
    return (now or _now()) - last_seen > timedelta(minutes=idle_minutes)


# --- audit log ------------------------------------------------------------------------------------
def _audit(sql, user: str, action: str, detail: dict) -> None:
    sql.execute("insert into audit_log (at, user_name, action, detail) values (?, ?, ?, ?)",
                [_iso(_now()), user, action, json.dumps(detail, ensure_ascii=False, default=str)])


def audit(store: StateStore, user: str, action: str, **detail) -> None:
    """Record that `user` did `action` (import, undo, export, setting, target, …) with its keys."""
    with store.transaction(changes_figures=False) as sql:
        _audit(sql, user, action, detail)


def read_audit(store: StateStore, since: str | None = None, limit: int | None = None) -> list[dict]:
    """Entries newest first, from `since` (an ISO date or time) on."""
    rows = store.read(
        "select at, user_name, action, detail from audit_log where ? is null or at >= ? "
        "order by entry_id desc limit ?", [since, since, -1 if limit is None else limit])
    return [{"at": at, "user": user, "action": action, "detail": json.loads(detail)} for at, user, action, detail in rows]
