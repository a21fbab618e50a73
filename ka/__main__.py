"""Command line: python -m ka init | demo | remove-demo | export | import | undo | qbr | backup | restore | compact | users | audit.

Exit status 0 on success, 2 on a refused or failed command (the reason goes to stderr).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import date

from ka import cli_access, cli_exports, cli_import, cli_qbr, cli_store, db, demo, i18n, overview
from ka.periods import Period, default_period


def _date(text: str) -> date:
    return date.fromisoformat(text)


def _period_from_args(con, args) -> Period:
    """--from/--to as given; otherwise the latest complete quarter of the data."""
    first, last = overview.read_data_range(con)  # the accepted dates only (see ka/date_window.py)
    if args.date_from or args.date_to:
        return Period(args.date_from or first, args.date_to or last)
    return default_period("quarter", last or date.today())


def command_demo(args) -> int:
    spec = demo.DemoSpec(accounts=args.accounts, rows=args.rows, years=args.years, seed=args.seed)
    started = time.perf_counter()
    summary = demo.build_demo_file(db.db_path_from_env(args.db), spec)
    seconds = time.perf_counter() - started
    print(
        f"demo portfolio: {summary['rows']:,} lines, {summary['accounts']:,} accounts, "
        f"{summary['first_date']} – {summary['last_date']}, revenue {summary['revenue']:,.2f} "
        f"({seconds:.1f} s) → {db.db_path_from_env(args.db)}"
    )
    return 0


def command_init(args) -> int:
    path = demo.start_empty(args.db)
    print(f"empty database ready: {path} (the app will not add the demo to it); "
          "import your files with python -m ka import")
    return 0


def command_remove_demo(args) -> int:
    con = db.open(args.db)
    try:
        removed = demo.remove_demo(con)
    finally:
        con.close()
    print(cli_import.removed_demo_text(removed)
          + (f"; {removed['accounts_kept']:,} accounts kept (your data uses their IDs)" if removed["accounts_kept"] else ""))
    return 0


def command_export(args) -> int:
    con = db.open(args.db)
    _, args.scope = cli_access.acting_scope(args)  # --as-user: exactly what that user sees
    period = _period_from_args(con, args)
    exporter = cli_exports.EXPORTERS[args.what]
    frame = exporter(con, period, args)
    cli_exports.write(frame, args.format, sys.stdout)
    cli_access.record(args, "export", what=args.what, format=args.format, start=period.start, end=period.end)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m ka", description="KA Radar command line")
    commands = parser.add_subparsers(dest="command", required=True)

    demo_cmd = commands.add_parser("demo", help="build the deterministic demo portfolio into an empty database")
    demo_cmd.add_argument("--db", help="database file (default: KA_RADAR_DB or data/ka_radar.duckdb)")
    demo_cmd.add_argument("--accounts", type=int, default=demo.DemoSpec.accounts)
    demo_cmd.add_argument("--rows", type=int, default=demo.DemoSpec.rows)
    demo_cmd.add_argument("--years", type=int, default=demo.DemoSpec.years)
    demo_cmd.add_argument("--seed", type=int, default=demo.DemoSpec.seed)
    demo_cmd.set_defaults(handler=command_demo)

    init_cmd = commands.add_parser("init", help="make an empty database for your own data (no demo portfolio)")
    init_cmd.add_argument("--db", help="database file (default: KA_RADAR_DB or data/ka_radar.duckdb)")
    init_cmd.set_defaults(handler=command_init)

    remove_cmd = commands.add_parser(
        "remove-demo", help="take the demo portfolio out of a database; data imported beside it stays")
    remove_cmd.add_argument("--db", help="database file (default: KA_RADAR_DB or data/ka_radar.duckdb)")
    remove_cmd.set_defaults(handler=command_remove_demo)

    export_cmd = commands.add_parser("export", help="print figures as CSV or JSON")
    export_cmd.add_argument("--db")
    export_cmd.add_argument("--what", required=True, choices=sorted(cli_exports.EXPORTERS))
    export_cmd.add_argument("--from", dest="date_from", type=_date)
    export_cmd.add_argument("--to", dest="date_to", type=_date)
    export_cmd.add_argument("--format", choices=["csv", "json"], default="json")
    export_cmd.add_argument("--as-user", metavar="NAME", help="export only what this user may see (automation)")
    for option, settings in cli_exports.EXTRA_OPTIONS.items():
        export_cmd.add_argument(option, **settings)
    export_cmd.set_defaults(handler=command_export)
    cli_import.add_commands(commands)
    cli_qbr.add_commands(commands)
    cli_store.add_commands(commands)
    cli_access.add_commands(commands)
    return parser


def cli_language() -> str:
    """KA_RADAR_LANG (zh or en), else the terminal's locale (LANG=zh_CN.UTF-8 gives Chinese)."""
    return i18n.language_from_locale(os.environ.get("KA_RADAR_LANG") or os.environ.get("LC_ALL") or os.environ.get("LANG"))


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    i18n.set_language(cli_language())
    try:
        return args.handler(args)
    except db.DataError as error:
        print(f"error: {error.message()}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `... | head`: the reader has what it wanted
        sys.stdout = open(os.devnull, "w")
        return 0


if __name__ == "__main__":
    sys.exit(main())
