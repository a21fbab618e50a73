"""Helpers shared by the import tests: run a batch, fingerprint a whole database."""

from __future__ import annotations

import tempfile
from pathlib import Path

from ka import db
from ka.importing import ImportOptions, SourceFile, list_sources, run_import


def write_file(folder: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = folder / name
    path.write_bytes(text.encode(encoding))
    return path


def uploaded(files: dict[str, bytes]) -> list[SourceFile]:
    """Files as the import page keeps them once uploaded: saved in a folder, in name order, named by the user."""
    folder = Path(tempfile.mkdtemp(prefix="ka-test-upload-"))
    sources = []
    for index, name in enumerate(sorted(files)):
        path = folder / f"{index}{Path(name).suffix.lower()}"
        path.write_bytes(files[name])
        sources.append(SourceFile(path, name))
    return sources


def import_paths(con, *paths, dry_run: bool = False, **options):
    return run_import(con, "transactions", list_sources(list(paths)), ImportOptions(**options), dry_run=dry_run)


def fingerprint(con) -> dict[str, tuple]:
    """Row count and a hash of every row of every table: equal fingerprints = unchanged database."""
    tables = [row[0] for row in db.query_rows(
        con, "select table_name from information_schema.tables where table_schema = 'main' and table_type = 'BASE TABLE' order by 1"
    )]
    result = {}
    for table in tables:  # names from the catalog, not from users
        result[table] = db.query_rows(
            con, f'select count(*), md5(coalesce(string_agg(row_text, chr(10) order by row_text), \'\')) '
                 f'from (select t::varchar as row_text from "{table}" as t)'
        )[0]
    result["sequence"] = db.query_rows(con, "select last_value from duckdb_sequences() where sequence_name = 'batch_id_seq'")[0]
    return result


def totals(con) -> tuple:
    """Lines, accounts, revenue, profit of transactions, and revenue of account_month, exact."""
    lines, accounts, revenue, profit = db.query_rows(
        con, "select count(*), count(distinct account_id), coalesce(sum(revenue), 0), sum(revenue - cost) from transactions"
    )[0]
    month_revenue = db.query_rows(con, "select coalesce(sum(revenue), 0) from account_month")[0][0]
    return lines, accounts, revenue, profit, month_revenue
