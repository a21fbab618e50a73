"""`python -m ka backup | restore | compact`: keeping the database safe while the app serves.

Exit 0 on success, 2 when refused (the reason on stderr; nothing was changed).
"""

from __future__ import annotations

import argparse

from ka import db, store


def _size(count: int) -> str:
    return f"{count / 1_048_576:,.1f} MB"


def command_backup(args) -> int:
    summary = store.backup(db.db_path_from_env(args.db), args.out, force=args.force)
    print(
        f"backup written: {summary.path} ({_size(summary.size)}; {summary.transactions:,} lines, "
        f"revenue {summary.revenue}; schema version {summary.schema_version}; {summary.created_at})"
    )
    return 0


def command_restore(args) -> int:
    path = db.db_path_from_env(args.db)
    manifest = store.restore(args.backup, path, force=args.force)
    print(
        f"restored {args.backup} (taken {manifest['created_at']}; {manifest['transactions']:,} lines, "
        f"revenue {manifest['revenue']}) → {path}"
    )
    return 0


def command_compact(args) -> int:
    summary = store.compact(db.db_path_from_env(args.db))
    print(
        f"compacted: {_size(summary.size_before)} → {_size(summary.size_after)}"
        f"; files of interrupted imports removed: {_size(summary.abandoned_freed)}"
    )
    return 0


def add_commands(commands: argparse._SubParsersAction) -> None:
    backup_cmd = commands.add_parser("backup", help="write a consistent copy of the database (also while the app runs)")
    backup_cmd.add_argument("--db", help="database file (default: KA_RADAR_DB or data/ka_radar.duckdb)")
    backup_cmd.add_argument("--out", required=True, metavar="FILE", help="the backup file to write")
    backup_cmd.add_argument("--force", action="store_true", help="replace FILE if it exists")
    backup_cmd.set_defaults(handler=command_backup)

    restore_cmd = commands.add_parser("restore", help="put a backup back (readers switch to it on their next page run)")
    restore_cmd.add_argument("backup", metavar="FILE", help="a file written by python -m ka backup")
    restore_cmd.add_argument("--db", help="database file (default: KA_RADAR_DB or data/ka_radar.duckdb)")
    restore_cmd.add_argument("--force", action="store_true", help="replace the database if it exists")
    restore_cmd.set_defaults(handler=command_restore)

    compact_cmd = commands.add_parser("compact", help="reclaim space left by undone or interrupted imports")
    compact_cmd.add_argument("--db", help="database file (default: KA_RADAR_DB or data/ka_radar.duckdb)")
    compact_cmd.set_defaults(handler=command_compact)
