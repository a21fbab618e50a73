"""What people write while the app serves: settings, target edits (and, as they come, users, the
audit log, action plans) — one SQLite file in WAL mode beside the database.

The analytical data (ka/store.py) changes by whole published versions; this state changes a row
at a time, from any app process or the command line, while everyone keeps reading. SQLite in WAL
mode gives exactly that with the standard library: readers never wait for a writer, a writer
waits (inside SQLite, for milliseconds) only for another writer, and every write is a
transaction of its own.

A new kind of state is a new table: add a migration to `MIGRATIONS` (never edit a released one)
and a few functions next to the ones below that read and write it through `read()` and
`transaction()`. Say with `changes_figures` whether a write changes what the pages compute
(settings and targets do; an audit entry does not), so caches are only dropped when they must be.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

STATE_SUFFIX = ".state.sqlite3"
ADOPTED_KEY = "_adopted_database_settings"  # set once the database file's old settings were taken over

# Each migration moves the state file one version up (PRAGMA user_version).
MIGRATIONS: list[str] = [
    # 1: settings (tier rules, health configuration, scenarios, coefficients, column mappings) and
    # targets typed in the app. A target edit holds until an import batch newer than `after_batch`
    # changes the same target (ka.kpi.read_targets); target null = removed in the app.
    """
    create table revision (only integer primary key check (only = 1), number integer not null);
    insert into revision values (1, 0);
    create table settings (key text primary key, value text not null, updated_at text not null);
    create table target_edits (
        scope text not null, scope_id text not null, period text not null, metric text not null,
        target text,
        after_batch integer not null,
        edited_at text not null,
        primary key (scope, scope_id, period, metric)
    );
    """,
    # 2: users and roles (ka/access.py), failed logins for throttling, and the audit log.
    """
    create table users (
        user_name text primary key, role text not null, manager text,
        password_hash text not null, created_at text not null
    );
    create table login_failures (subject text not null, failed_at text not null);
    create index login_failures_by_subject on login_failures (subject, failed_at);
    create table audit_log (
        entry_id integer primary key, at text not null, user_name text not null,
        action text not null, detail text not null
    );
    create index audit_log_by_time on audit_log (at);
    """,
    # 3: action plans made or edited in the app (ka/action_plans.py), every change to them (undo and
    # who/when), and dismissed proposals. An imported action edited in the app is a row here with
    # `imported_key` (its account, title and due date as JSON), holding until an import batch newer
    # than `after_batch` changes that action. Dates as ISO text.
    """
    create table action_plans (
        action_id integer primary key,
        account_id text not null, title text not null, owner text, due_date text not null,
        status text not null, priority text, reason_kind text not null,
        cause text, cause_episode text,
        closing_note text, closed_on text,
        imported_key text unique,
        after_batch integer not null,
        created_at text not null, created_by text not null, updated_at text not null, updated_by text not null
    );
    create index action_plans_by_account on action_plans (account_id);
    create table action_plan_changes (
        change_id integer primary key, action_id integer not null, at text not null, user_name text not null,
        what text not null, before text, after text, undone integer not null default 0
    );
    create index action_plan_changes_by_action on action_plan_changes (action_id, change_id);
    create table proposal_dismissals (
        cause text not null, episode text not null, account_id text not null,
        dismissed_at text not null, dismissed_by text not null,
        primary key (cause, episode)
    );
    """,
]


def state_path(database_path: str | os.PathLike) -> Path:
    """The state file of a database: data/ka_radar.duckdb → data/ka_radar.duckdb.state.sqlite3."""
    path = Path(database_path)
    return path.with_name(path.name + STATE_SUFFIX)


class StateStore:
    """One SQLite state file, shared by the threads of a process (one connection, one lock)."""

    def __init__(self, path: str | os.PathLike | None):
        self.path = None if path is None else Path(path)
        self._lock = threading.RLock()
        self.has_adopted = False  # see adopt_settings
        # isolation_level=None: no implicit transactions; every write below says BEGIN IMMEDIATE.
        self._connection = sqlite3.connect(
            ":memory:" if self.path is None else str(self.path), timeout=30, isolation_level=None,
            check_same_thread=False,
        )
        self._connection.execute("pragma busy_timeout = 30000")
        if self.path is not None:
            _use_wal(self._connection)
            self._connection.execute("pragma synchronous = full")
        self._migrate()

    def _migrate(self) -> None:
        with self._lock:
            self._connection.execute("begin immediate")
            try:
                version = self._connection.execute("pragma user_version").fetchone()[0]
                for number in range(version + 1, len(MIGRATIONS) + 1):
                    for statement in _statements(MIGRATIONS[number - 1]):
                        self._connection.execute(statement)
                    self._connection.execute(f"pragma user_version = {int(number)}")
                self._connection.execute("commit")
            except BaseException:
                self._connection.execute("rollback")
                raise

    def read(self, sql: str, params: Any = ()) -> list[tuple]:
        with self._lock:
            return self._connection.execute(sql, params).fetchall()

    @contextmanager
    def transaction(self, *, changes_figures: bool = True) -> Iterator[sqlite3.Connection]:
        """One all-or-nothing write. BEGIN IMMEDIATE takes the write lock at once, so a
        read-modify-write inside cannot lose another process's write made in between."""
        with self._lock:
            self._connection.execute("begin immediate")
            try:
                yield self._connection
                if changes_figures:
                    self._connection.execute("update revision set number = number + 1")
                self._connection.execute("commit")
            except BaseException:
                self._connection.execute("rollback")
                raise

    def revision(self) -> int:
        """Changes with every write that changes figures; part of the pages' cache key."""
        return self.read("select number from revision")[0][0]

    def close(self) -> None:
        with self._lock:
            self._connection.close()


def _use_wal(connection: sqlite3.Connection, *, patience_s: float = 30.0) -> None:
    """Switch a new state file to WAL mode (the mode then stays with the file).

    SQLite does not call the busy handler for this switch: while another process opens the same
    new file it fails at once with "database is locked". So wait and try again here."""
    deadline = time.monotonic() + patience_s
    pause = 0.01
    while True:
        try:
            if connection.execute("pragma journal_mode").fetchone()[0].lower() != "wal":
                connection.execute("pragma journal_mode = wal")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(pause)
            pause = min(pause * 2, 0.5)


def _statements(script: str) -> list[str]:
    return [part.strip() for part in script.split(";") if part.strip()]


_STORES: dict[str, StateStore] = {}
_STORES_LOCK = threading.Lock()


def state_store(database_path: str | os.PathLike | None) -> StateStore:
    """The process-wide state store of a database (created on first use); None: a scratch one."""
    key = "" if database_path is None else str(Path(database_path).resolve())
    with _STORES_LOCK:
        store = _STORES.get(key)
        if store is None:
            store = StateStore(None if database_path is None else state_path(database_path))
            _STORES[key] = store
        return store


def forget_stores() -> None:
    """Close every open state file (tests; a restore that replaced a state file)."""
    with _STORES_LOCK:
        for store in _STORES.values():
            store.close()
        _STORES.clear()


# --- settings -------------------------------------------------------------------------------
def get_setting(store: StateStore, key: str, default: Any = None) -> Any:
    rows = store.read("select value from settings where key = ?", [key])
    return json.loads(rows[0][0]) if rows else default


def put_setting(store: StateStore, key: str, value: Any) -> None:
    with store.transaction() as connection:
        _write_setting(connection, key, value)


def update_setting(store: StateStore, key: str, change, default: Any = None) -> Any:
    """Read, change and write one setting as one transaction: two processes adding a scenario
    each at the same moment keep both. `change(old) -> new`; returns the new value."""
    with store.transaction() as connection:
        rows = connection.execute("select value from settings where key = ?", [key]).fetchall()
        new = change(json.loads(rows[0][0]) if rows else default)
        _write_setting(connection, key, new)
        return new


def _write_setting(connection: sqlite3.Connection, key: str, value: Any) -> None:
    connection.execute(
        "insert into settings (key, value, updated_at) values (?, ?, datetime('now')) "
        "on conflict (key) do update set value = excluded.value, updated_at = excluded.updated_at",
        [key, json.dumps(value, ensure_ascii=False, default=str)],
    )


def setting_keys(store: StateStore, prefix: str) -> list[str]:
    rows = store.read("select key from settings where substr(key, 1, length(?)) = ? order by key", [prefix, prefix])
    return [row[0] for row in rows]


def adopt_settings(store: StateStore, rows: list[tuple[str, str]]) -> None:
    """Settings a database kept before it had a state file (key, JSON text), taken over once;
    keys already in the state store win."""
    with store.transaction() as connection:
        if connection.execute("select count(*) from settings where key = ?", [ADOPTED_KEY]).fetchone()[0]:
            store.has_adopted = True
            return
        connection.executemany(
            "insert into settings (key, value, updated_at) values (?, ?, datetime('now')) on conflict (key) do nothing",
            [*rows, (ADOPTED_KEY, "true")],
        )
    store.has_adopted = True
