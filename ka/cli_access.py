"""`python -m ka users add|list|remove|passwd` and `python -m ka audit`; `--as-user` for export and qbr.

Passwords come only from standard input (`--password-stdin`), never from an argument (which
`ps` and shell history would show); `--no-password` adds a user of the identity provider. The command line is run by whoever may open the files, so
it acts as an admin; `--as-user NAME` makes an export or a deck see exactly what NAME sees.
"""

from __future__ import annotations

import json
import sqlite3
import sys

from ka import access, db, state
from ka.i18n import t
from ka.scope import ALL, Scope


def _store(args) -> state.StateStore:
    path = db.db_path_from_env(args.db)
    if not path.exists():
        raise db.DataError("database_missing", path=str(path))
    return state.state_store(path)


def _password(args) -> str:
    if not args.password_stdin:
        raise access.AccessError("no_password")
    password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise access.AccessError("no_password")
    return password


def command_users(args) -> int:
    store = _store(args)
    try:
        if args.action == "add":
            if args.no_password and args.password_stdin:
                raise access.AccessError("no_password_with_stdin")
            password = None if args.no_password else _password(args)
            user = access.add_user(store, args.user, args.role, password, manager=args.manager)
            print(f"user {user.name} added ({user.role}{', ' + user.manager if user.manager else ''})")
        elif args.action == "passwd":
            access.set_password(store, args.user, _password(args))
            print(f"password of {args.user} changed")
        elif args.action == "remove":
            access.remove_user(store, args.user)
            print(f"user {args.user} removed")
        else:
            for user in access.list_users(store):
                print("\t".join([user.name, user.role, user.manager or ""]))
    except access.AccessError as refused:
        print(f"refused: {t(f'access.error.{refused.key}', **refused.values)}", file=sys.stderr)
        return 2
    return 0


def command_audit(args) -> int:
    for entry in reversed(access.read_audit(_store(args), since=args.since)):
        print("\t".join([entry["at"], entry["user"], entry["action"], json.dumps(entry["detail"], ensure_ascii=False)]))
    return 0


def acting_scope(args, scope: Scope = ALL) -> tuple[str, Scope]:
    """(who acts, the scope narrowed to what they may see) for --as-user; the command line itself
    acts as an admin."""
    if not getattr(args, "as_user", None):
        return "cli", scope
    user = access.find_user(_store(args), args.as_user)
    if user is None:
        raise db.DataError("unknown_user", user=args.as_user)
    return user.name, user.restrict(scope)


def record(args, action: str, **detail) -> None:
    """An audit entry for a command-line export (the state store beside the database)."""
    who = getattr(args, "as_user", None) or "cli"
    try:
        access.audit(_store(args), who, action, **detail)
    except sqlite3.OperationalError as error:
        # In a folder no one may write in, the state file cannot be opened or written. The export only
        # reads, and whoever runs the command may read the files anyway: it goes on, and says so.
        print(t("access.audit_not_written", reason=str(error)), file=sys.stderr)


def add_commands(commands) -> None:
    users = commands.add_parser("users", help="users and roles: add, list, remove, passwd")
    users.add_argument("action", choices=["add", "list", "remove", "passwd"])
    users.add_argument("--db", help="database file (default: KA_RADAR_DB or data/ka_radar.duckdb)")
    users.add_argument("--user", metavar="NAME")
    users.add_argument("--role", choices=list(access.ROLES))
    users.add_argument("--manager", metavar="NAME", help="a manager's (or a limited viewer's) KA manager name")
    users.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    users.add_argument("--no-password", action="store_true",
                       help="add: a user who logs in only through the identity provider (OIDC); --user is their e-mail")
    users.set_defaults(handler=_checked_users)

    audit = commands.add_parser("audit", help="the audit log: who did what, oldest first")
    audit.add_argument("--db")
    audit.add_argument("--since", metavar="DATE", help="entries from this date (YYYY-MM-DD) or time on")
    audit.set_defaults(handler=command_audit)


def _checked_users(args) -> int:
    if args.action != "list" and not args.user:
        print("refused: --user NAME is required", file=sys.stderr)
        return 2
    if args.action == "add" and not args.role:
        print("refused: --role is required (" + ", ".join(access.ROLES) + ")", file=sys.stderr)
        return 2
    return command_users(args)
