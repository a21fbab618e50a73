"""`python -m ka import` and `python -m ka undo`: the import path on the command line.

Exit 0 when the batch is imported (or checked, with --dry-run), 2 when it is refused; the
reason goes to stderr and the database is unchanged.
"""

from __future__ import annotations

import argparse
import sys

from ka import db, demo, importing
from ka.cells import saved_name
from ka.i18n import t


def command_import(args) -> int:
    con = db.open(args.db, create=True)  # importing into a new file in an existing folder starts a database
    try:
        mapping = None
        if args.mapping:
            mapping = importing.load_mapping(con, args.kind, args.mapping)
            if mapping is None:
                raise importing.ImportRefused("mapping_unknown", name=args.mapping)
        options = importing.ImportOptions(
            mapping=mapping, encoding=args.encoding, sheet=args.sheet, date_order=args.date_order,
            drop_duplicates=args.drop_duplicates, source="cli",
        )
        sources = importing.list_sources(args.paths)
        beside_demo = demo.is_demo(con) and not args.dry_run
        if beside_demo and args.start_clean:
            importing.run_import(con, args.kind, sources, options, dry_run=True)  # a refused batch leaves the demo in place
            print(removed_demo_text(demo.remove_demo(con)), file=sys.stderr)
            beside_demo = False
        report = importing.run_import(con, args.kind, sources, options, dry_run=args.dry_run)
        if beside_demo:
            print(f"note: the lines were added beside the demo portfolio in {db.db_path_from_env(args.db)}; "
                  "python -m ka remove-demo takes the demo out (or import with --start-clean)", file=sys.stderr)
        if args.save_mapping:
            importing.save_mapping(con, args.kind, saved_name(args.save_mapping), report.mapping)
    except importing.ImportRefused as refusal:
        print(f"refused: {refusal.message()}", file=sys.stderr)
        return 2
    except db.DataError:
        raise  # the database itself (missing, locked, a folder it cannot write in): the main handler says so
    except Exception as error:  # anything else: the transaction was rolled back; a reason, never a traceback
        print(f"refused: {t('data_import.failed')} ({type(error).__name__}: {error})", file=sys.stderr)
        return 2
    finally:
        con.close()
    print(report.text)  # formatted before the batch was committed
    return 0


def removed_demo_text(removed: dict) -> str:
    return (f"demo removed: {removed['lines']:,} lines, revenue {removed['revenue']:,.2f}, "
            f"{removed['accounts']:,} accounts")


def command_undo(args) -> int:
    con = db.open(args.db)
    try:
        undone = importing.undo_import(con, args.batch)  # any kind of batch
    except importing.ImportRefused as refusal:
        print(f"refused: {refusal.message()}", file=sys.stderr)
        return 2
    finally:
        con.close()
    if undone["kind"] != "transactions":
        print(f"batch {undone['batch_id']} undone ({undone['kind']}): {undone['rows']:,} rows restored")
        return 0
    print(f"batch {undone['batch_id']} undone: {undone['rows']:,} lines, revenue {undone['revenue']:,.4f} removed")
    return 0


def add_commands(commands: argparse._SubParsersAction) -> None:
    import_cmd = commands.add_parser("import", help="import transaction files (CSV/TSV/TXT/XLSX, or folders of them) as one batch")
    import_cmd.add_argument("paths", nargs="+", metavar="FILE_OR_DIR")
    import_cmd.add_argument("--db", help="database file (default: KA_RADAR_DB or data/ka_radar.duckdb)")
    import_cmd.add_argument(
        "--kind", choices=list(importing.KINDS), default="transactions",
        help="what the files contain: transactions (default), or an optional table (projects = strategic projects)",
    )
    import_cmd.add_argument("--mapping", help="use a column mapping saved under this name")
    import_cmd.add_argument("--save-mapping", metavar="NAME", help="save the mapping used under this name")
    import_cmd.add_argument("--dry-run", action="store_true", help="validate and report; change nothing")
    import_cmd.add_argument("--encoding", choices=importing.ENCODINGS, help="override the detected encoding")
    import_cmd.add_argument("--sheet", help=f"Excel sheet name ('{importing.ALL_SHEETS}' for all; default: the first)")
    import_cmd.add_argument("--date-order", choices=["mdy", "dmy"], help="for dates like 03/04/2024 when the data cannot tell")
    import_cmd.add_argument("--drop-duplicates", action="store_true", help="drop exact repeats of a line within a file")
    import_cmd.add_argument(
        "--start-clean", action="store_true",
        help="in a database that holds the demo portfolio: remove the demo first (once the batch has passed its checks)",
    )
    import_cmd.set_defaults(handler=command_import)

    undo_cmd = commands.add_parser("undo", help="undo an import batch")
    undo_cmd.add_argument("--db")
    undo_cmd.add_argument("--batch", type=int, required=True)
    undo_cmd.set_defaults(handler=command_undo)
