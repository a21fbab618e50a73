"""Action plans: who does what for an account by when, and why.

Where they live: actions come from two places, as targets do. A tracker or CRM file imports into
the `actions` table of the published database (undo like any import batch); what people create or
edit in the app goes to the state store (`action_plans`, ka/state.py), a row at a time, never
waiting for an import. An imported action edited in the app is a state row naming the imported
action (`imported_key`); the edit holds until an import batch published after it changes that
action (the file is then the newer word), exactly as a target edit does. Every change in the app is
kept with who and when (`action_plan_changes`), and the last ones can be undone, one at a time.

An action is **overdue** on a date when it is open or in progress and its due date lies before
that date; `days_overdue` counts from the due date. The date is the data's as-of date unless one
is given (as health and the exports measure), so the demo and a test give the same answer every day.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime, timezone

import duckdb
import pandas as pd

from ka import db
from ka.date_window import HARD_FIRST, HARD_LAST
from ka.scope import Scope
from ka.state import StateStore

STATUSES = ("open", "in_progress", "done", "cancelled")
OPEN_STATUSES = ("open", "in_progress")
CLOSED_STATUSES = ("done", "cancelled")
PRIORITIES = ("high", "medium", "low")
REASON_KINDS = ("health", "relationship", "kpi", "manual")
TITLE_LIMIT, OWNER_LIMIT, NOTE_LIMIT = 200, 80, 2000
EDITABLE = ("title", "owner", "due_date", "status", "priority", "reason_kind", "closing_note", "closed_on")

ACTION_COLUMNS = [
    "action_ref", "account_id", "account_name", "account_name_en", "title", "owner", "due_date", "status", "priority", "reason_kind",
    "cause", "cause_episode", "closing_note", "closed_on", "source", "updated_at", "updated_by",
    "is_overdue", "days_overdue",
]


class ActionRefused(ValueError):
    """An action that cannot be saved as given; `key` names the message (actions.refused.<key>)."""

    def __init__(self, key: str, **values):
        self.key, self.values = key, values
        super().__init__(f"{key} {values}")


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def imported_ref(account_id: str, title: str, due_date: date) -> str:
    """The stable reference of an imported action: its key (account, title, due date) hashed."""
    key = json.dumps([account_id, title, due_date.isoformat()], ensure_ascii=False)
    return "i-" + hashlib.md5(key.encode("utf-8")).hexdigest()[:12]


def _imported_key(account_id: str, title: str, due_date: date) -> str:
    return json.dumps([account_id, title, due_date.isoformat()], ensure_ascii=False)


# --- reading --------------------------------------------------------------------------------
def read_scoped_account_ids(con: duckdb.DuckDBPyConnection, scope: Scope) -> set[str]:
    return {row[0] for row in db.query_rows(con, db.load_sql("relationship_accounts"), scope.params())}


def _state_rows(store: StateStore) -> pd.DataFrame:
    columns = ["action_id", "account_id", "title", "owner", "due_date", "status", "priority", "reason_kind", "cause",
               "cause_episode", "closing_note", "closed_on", "imported_key", "after_batch", "updated_at", "updated_by"]
    rows = store.read(
        "select action_id, account_id, title, owner, due_date, status, priority, reason_kind, cause, cause_episode, "
        "closing_note, closed_on, imported_key, after_batch, updated_at, updated_by from action_plans order by action_id"
    )
    frame = pd.DataFrame(rows, columns=columns, dtype=object)  # text stays text, a missing value None
    for name in ("due_date", "closed_on"):
        frame[name] = [date.fromisoformat(value) if value else None for value in frame[name]]
    return frame


def read_actions(con: duckdb.DuckDBPyConnection, scope: Scope, as_of: date) -> pd.DataFrame:
    """Every action of the accounts of the scope (ACTION_COLUMNS), imported and made in the app,
    each once, with the overdue flag as of `as_of`; sorted by account, due date and title."""
    return add_overdue(read_scope_actions(con, scope), as_of)


def read_scope_actions(con: duckdb.DuckDBPyConnection, scope: Scope) -> pd.DataFrame:
    """read_actions without the overdue flags, which alone depend on a day: what a count over several
    periods reads once."""
    imported = db.query_df(con, db.load_sql("action_plans_imported"), scope.params())
    allowed = read_scoped_account_ids(con, scope)
    names = {row[0]: (row[1], row[2]) for row in db.query_rows(
        con, "select account_id, account_name, account_name_en "
             "from scoped_accounts($regions, $industries, $managers, $account_ids)", scope.params())}
    app = _state_rows(db.state_of(con))
    app = app[app["account_id"].isin(allowed)]
    edits = {key: row for key, row in zip(app["imported_key"], app.to_dict("records")) if key}
    rows = []
    for item in imported.to_dict("records"):
        due = pd.Timestamp(item["due_date"]).date()
        closed = None if pd.isna(item["closed_on"]) else pd.Timestamp(item["closed_on"]).date()
        key = _imported_key(item["account_id"], item["title"], due)
        edit = edits.get(key)
        base = {
            "action_ref": imported_ref(item["account_id"], item["title"], due), "account_id": item["account_id"],
            "account_name": item["account_name"], "account_name_en": names.get(item["account_id"], (None, None))[1],
            "cause": None, "cause_episode": None,
        }
        if edit is not None and edit["after_batch"] >= int(item["batch_id"]):
            rows.append({**base, **{name: edit[name] for name in EDITABLE}, "source": "import_edited",
                         "updated_at": edit["updated_at"], "updated_by": edit["updated_by"]})
        else:
            rows.append({**base, "title": item["title"], "owner": _text(item["owner"]), "due_date": due,
                         "status": item["status"], "priority": _text(item["priority"]),
                         "reason_kind": item["reason_kind"], "closing_note": _text(item["closing_note"]),
                         "closed_on": closed, "source": "import", "updated_at": None, "updated_by": None})
    for item in app[app["imported_key"].isna()].to_dict("records"):
        rows.append({
            "action_ref": f"a-{item['action_id']}", "account_id": item["account_id"],
            "account_name": names.get(item["account_id"], (None, None))[0],
            "account_name_en": names.get(item["account_id"], (None, None))[1], **{name: item[name] for name in EDITABLE},
            "cause": item["cause"], "cause_episode": item["cause_episode"], "source": "app",
            "updated_at": item["updated_at"], "updated_by": item["updated_by"],
        })
    frame = pd.DataFrame(rows, columns=ACTION_COLUMNS[:-2], dtype=object)
    return frame.sort_values(["account_id", "due_date", "title"], kind="stable", ignore_index=True)


def _text(value):
    return None if value is None or (isinstance(value, float) and pd.isna(value)) else value


def add_overdue(actions: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """is_overdue: open or in progress with the due date before `as_of`; days_overdue (else None)."""
    overdue = [status in OPEN_STATUSES and due < as_of for status, due in zip(actions["status"], actions["due_date"])]
    days = [(as_of - due).days if late else None for late, due in zip(overdue, actions["due_date"])]
    return actions.assign(is_overdue=pd.Series(overdue, index=actions.index, dtype=bool),
                          days_overdue=pd.Series(days, index=actions.index, dtype=object))


def compute_overdue_count(actions: pd.DataFrame) -> int:
    return int(actions["is_overdue"].sum()) if len(actions) else 0


def compute_accounts_with_open_action(actions: pd.DataFrame) -> set[str]:
    return set(actions.loc[actions["status"].isin(OPEN_STATUSES), "account_id"])


# --- writing (the state store) --------------------------------------------------------------
@dataclass(frozen=True)
class ActionDraft:
    """What a person types: the fields of a new action or the new values of an edited one."""

    title: str
    owner: str | None
    due_date: date
    status: str = "open"
    priority: str | None = "medium"
    reason_kind: str = "manual"
    closing_note: str | None = None
    closed_on: date | None = None


def check_draft(draft: ActionDraft) -> ActionDraft:
    """The draft with its text trimmed to one line, or ActionRefused saying what is wrong."""
    title = " ".join((draft.title or "").split())
    owner = " ".join((draft.owner or "").split()) or None
    note = (draft.closing_note or "").strip() or None
    if not title:
        raise ActionRefused("no_title")
    if len(title) > TITLE_LIMIT or (owner and len(owner) > OWNER_LIMIT) or (note and len(note) > NOTE_LIMIT):
        raise ActionRefused("too_long", title=TITLE_LIMIT, owner=OWNER_LIMIT, note=NOTE_LIMIT)
    if not isinstance(draft.due_date, date) or not HARD_FIRST <= draft.due_date <= HARD_LAST:
        raise ActionRefused("bad_due_date")
    if draft.status not in STATUSES or (draft.priority is not None and draft.priority not in PRIORITIES) \
            or draft.reason_kind not in REASON_KINDS:
        raise ActionRefused("bad_value")
    closed_on = draft.closed_on if draft.status in CLOSED_STATUSES else None
    if closed_on is not None and not HARD_FIRST <= closed_on <= HARD_LAST:
        raise ActionRefused("bad_due_date")
    return ActionDraft(title, owner, draft.due_date, draft.status, draft.priority, draft.reason_kind, note, closed_on)


def _newest_batch(con: duckdb.DuckDBPyConnection) -> int:
    return db.query_rows(con, "select coalesce(max(batch_id), 0) from import_batches")[0][0]


def _check_scope(con: duckdb.DuckDBPyConnection, scope: Scope, account_id: str) -> None:
    if account_id not in read_scoped_account_ids(con, scope):
        raise ActionRefused("not_in_scope", account=account_id)


def _row_values(draft: ActionDraft) -> dict:
    return {
        "title": draft.title, "owner": draft.owner, "due_date": draft.due_date.isoformat(), "status": draft.status,
        "priority": draft.priority, "reason_kind": draft.reason_kind, "closing_note": draft.closing_note,
        "closed_on": draft.closed_on.isoformat() if draft.closed_on else None,
    }


_ROW_COLUMNS = ("account_id", "title", "owner", "due_date", "status", "priority", "reason_kind", "cause", "cause_episode",
                "closing_note", "closed_on", "imported_key", "after_batch", "created_at", "created_by", "updated_at",
                "updated_by")
# The state store's statements for one action, written out (values as named parameters); a test
# checks that they name exactly _ROW_COLUMNS.
_READ_ROW = """
    select account_id, title, owner, due_date, status, priority, reason_kind, cause, cause_episode, closing_note,
           closed_on, imported_key, after_batch, created_at, created_by, updated_at, updated_by
    from action_plans where action_id = :action_id
"""
_INSERT_ROW = """
    insert into action_plans (account_id, title, owner, due_date, status, priority, reason_kind, cause, cause_episode,
                              closing_note, closed_on, imported_key, after_batch, created_at, created_by, updated_at,
                              updated_by)
    values (:account_id, :title, :owner, :due_date, :status, :priority, :reason_kind, :cause, :cause_episode,
            :closing_note, :closed_on, :imported_key, :after_batch, :created_at, :created_by, :updated_at, :updated_by)
"""
_REPLACE_ROW = """
    insert or replace into action_plans (action_id, account_id, title, owner, due_date, status, priority, reason_kind,
                                         cause, cause_episode, closing_note, closed_on, imported_key, after_batch,
                                         created_at, created_by, updated_at, updated_by)
    values (:action_id, :account_id, :title, :owner, :due_date, :status, :priority, :reason_kind, :cause,
            :cause_episode, :closing_note, :closed_on, :imported_key, :after_batch, :created_at, :created_by,
            :updated_at, :updated_by)
"""


def _read_row(sql, action_id: int) -> dict | None:
    rows = sql.execute(_READ_ROW, {"action_id": action_id}).fetchall()
    return dict(zip(_ROW_COLUMNS, rows[0])) if rows else None


def _write_row(sql, action_id: int | None, row: dict) -> int:
    values = {name: row[name] for name in _ROW_COLUMNS}
    if action_id is None:
        return int(sql.execute(_INSERT_ROW, values).lastrowid)
    sql.execute(_REPLACE_ROW, {"action_id": action_id, **values})
    return action_id


def _record(sql, action_id: int, user: str, what: str, before: dict | None, after: dict | None, undone: int = 0) -> None:
    sql.execute(
        "insert into action_plan_changes (action_id, at, user_name, what, before, after, undone) values (?, ?, ?, ?, ?, ?, ?)",
        [action_id, _now(), user, what, None if before is None else json.dumps(before, ensure_ascii=False),
         None if after is None else json.dumps(after, ensure_ascii=False), undone])


def create_action(con: duckdb.DuckDBPyConnection, scope: Scope, account_id: str, draft: ActionDraft, user: str,
                  cause: str | None = None, cause_episode: str | None = None) -> str:
    """A new action made in the app (accepted from a proposal when `cause` is given). Returns its ref."""
    draft = check_draft(draft)
    _check_scope(con, scope, account_id)
    now = _now()
    row = {"account_id": account_id, **_row_values(draft), "cause": cause, "cause_episode": cause_episode,
           "imported_key": None, "after_batch": _newest_batch(con), "created_at": now, "created_by": user,
           "updated_at": now, "updated_by": user}
    with db.state_of(con).transaction() as sql:
        action_id = _write_row(sql, None, row)
        _record(sql, action_id, user, "create", None, row)
    return f"a-{action_id}"


def update_action(con: duckdb.DuckDBPyConnection, scope: Scope, action_ref: str, draft: ActionDraft, user: str,
                  as_of: date) -> str:
    """Save new values for an action (closing it is a status done or cancelled with a note). An
    imported action gets its edit row. Returns the action's ref (unchanged)."""
    draft = check_draft(draft)
    current = read_actions(con, scope, as_of)
    found = current[current["action_ref"] == action_ref]
    if found.empty:
        raise ActionRefused("no_such_action")
    item = found.iloc[0]
    newest = _newest_batch(con)
    now = _now()
    store = db.state_of(con)
    with store.transaction() as sql:
        if item["source"] == "app":
            action_id = int(action_ref.removeprefix("a-"))
            before = _read_row(sql, action_id)
            row = {**before, **_row_values(draft), "after_batch": newest, "updated_at": now, "updated_by": user}
        else:
            key = _original_key(con, scope, action_ref)
            existing = sql.execute("select action_id from action_plans where imported_key = ?", [key]).fetchall()
            action_id = existing[0][0] if existing else None
            before = _read_row(sql, action_id) if action_id is not None else None
            created = (before or {}).get("created_at") or now
            row = {"account_id": item["account_id"], **_row_values(draft), "cause": None, "cause_episode": None,
                   "imported_key": key, "after_batch": newest, "created_at": created,
                   "created_by": (before or {}).get("created_by") or user, "updated_at": now, "updated_by": user}
        action_id = _write_row(sql, action_id, row)
        _record(sql, action_id, user, "close" if draft.status in CLOSED_STATUSES else "edit", before, row)
    return action_ref


def _original_key(con: duckdb.DuckDBPyConnection, scope: Scope, action_ref: str) -> str:
    for account_id, title, due in db.query_rows(
            con, "select a.account_id, a.title, a.due_date from actions as a "
                 "join scoped_accounts($regions, $industries, $managers, $account_ids) using (account_id)",
            scope.params()):
        if imported_ref(account_id, title, due) == action_ref:
            return _imported_key(account_id, title, due)
    raise ActionRefused("no_such_action")


def undo_last_change(con: duckdb.DuckDBPyConnection, scope: Scope, action_ref: str, user: str, as_of: date) -> bool:
    """Put the action back as it was before its latest change made in the app (a new action goes
    away). Each call goes one change further back; False when there is nothing left to undo."""
    current = read_actions(con, scope, as_of)
    found = current[current["action_ref"] == action_ref]
    if found.empty:
        raise ActionRefused("no_such_action")
    store = db.state_of(con)
    with store.transaction() as sql:
        if found.iloc[0]["source"] == "app":
            action_id = int(action_ref.removeprefix("a-"))
        else:
            rows = sql.execute("select action_id from action_plans where imported_key = ?",
                               [_original_key(con, scope, action_ref)]).fetchall()
            if not rows:
                return False
            action_id = rows[0][0]
        change = sql.execute(
            "select change_id, before from action_plan_changes where action_id = ? and undone = 0 and what <> 'undo' "
            "order by change_id desc limit 1", [action_id]).fetchall()
        if not change:
            return False
        change_id, before_text = change[0]
        now_row = _read_row(sql, action_id)
        if before_text is None:
            sql.execute("delete from action_plans where action_id = ?", [action_id])
            restored = None
        else:
            restored = json.loads(before_text)
            _write_row(sql, action_id, restored)
        sql.execute("update action_plan_changes set undone = 1 where change_id = ?", [change_id])
        _record(sql, action_id, user, "undo", now_row, restored, undone=1)
    return True


def read_changes(con: duckdb.DuckDBPyConnection, action_id: int) -> list[dict]:
    """The app's changes of one action, oldest first: who, when, what, before and after."""
    rows = db.state_of(con).read(
        "select at, user_name, what, before, after, undone from action_plan_changes where action_id = ? order by change_id",
        [action_id])
    return [{"at": at, "user": user, "what": what, "before": json.loads(before) if before else None,
             "after": json.loads(after) if after else None, "undone": bool(undone)}
            for at, user, what, before, after, undone in rows]
