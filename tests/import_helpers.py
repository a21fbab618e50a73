"""Helpers shared by the import tests: run a batch, run the import page, fingerprint a whole database."""

from __future__ import annotations

import tempfile
from pathlib import Path

from streamlit.testing.v1 import AppTest

from ka import db, i18n
from ka.importing import ImportOptions, SourceFile, list_sources, run_import
from ka_testing import ROOT


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


def run_import_page(lang: str = "en", files: dict[str, bytes] | None = None, kind: str | None = None) -> AppTest:
    """The data import page in AppTest, with `files` already uploaded and `kind` chosen (if given)."""
    i18n.set_language(lang)  # AppTest formats widget values in the test's thread: give it the page's language too
    at = AppTest.from_file(str(ROOT / "pages" / "data_import.py"), default_timeout=60)
    at.session_state["lang"] = lang
    if kind is not None:
        at.session_state["data_import_kind"] = kind
    if files is not None:
        at.session_state["data_import_sources"] = uploaded(files)
    return at.run()


def table_with(at: AppTest, column: str):
    """The page's table that has `column` (AppTest does not expose dataframe keys)."""
    return next(frame.value for frame in at.dataframe if column in frame.value.columns)


def metric_values(at: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in at.metric}


def import_paths(con, *paths, dry_run: bool = False, **options):
    return run_import(con, "transactions", list_sources(list(paths)), ImportOptions(**options), dry_run=dry_run)


def fingerprint(con, *, sequence: bool = True) -> dict[str, tuple]:
    """Row count and a hash of every row of every table: equal fingerprints = unchanged database.

    `sequence=False` leaves out the batch-id sequence, for a batch that failed inside its
    transaction: a sequence value drawn in a rolled-back transaction may stay used."""
    tables = [row[0] for row in db.query_rows(
        con, "select table_name from information_schema.tables where table_schema = 'main' and table_type = 'BASE TABLE' order by 1"
    )]
    result = {}
    for table in tables:  # names from the catalog, not from users
        result[table] = db.query_rows(
            con, f'select count(*), md5(coalesce(string_agg(row_text, chr(10) order by row_text), \'\')) '
                 f'from (select t::varchar as row_text from "{table}" as t)'
        )[0]
    if sequence:
        result["sequence"] = db.query_rows(
            con, "select last_value from duckdb_sequences() where sequence_name = 'batch_id_seq'"
        )[0]
    return result


def totals(con) -> tuple:
    """Lines, accounts, revenue, profit of transactions, and revenue of account_month, exact."""
    lines, accounts, revenue, profit = db.query_rows(
        con, "select count(*), count(distinct account_id), coalesce(sum(revenue), 0), sum(revenue - cost) from transactions"
    )[0]
    month_revenue = db.query_rows(con, "select coalesce(sum(revenue), 0) from account_month")[0][0]
    return lines, accounts, revenue, profit, month_revenue
