"""Import speed: a 10M-line UTF-8 CSV exported from the demo, `python -m ka import` path vs a bare DuckDB read_csv.

    python bench/bench_import.py --db /tmp/bench/demo10m.duckdb [--csv /tmp/x.csv] [--work /tmp/bench-import]

One run each (the file is 1.4 GB): the bare read is `create table as select * from read_csv(file)`
(DuckDB's sniffer and typed columns); the import is the whole batch — staging, value parsing,
line keys, validation report, merge into an empty database, accounts, account_month, import_batches.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import ensure_big_demo  # noqa: E402
from ka import db  # noqa: E402
from ka.importing import ImportOptions, list_sources, run_import  # noqa: E402

EXPORT_SQL = """
copy (
    select order_id as "Order ID", order_date as "Order Date", account_id as "Customer ID",
           account_name as "Customer Name", product as "Product", category as "Category",
           quantity as "Quantity", revenue as "Sales", revenue - cost as "Profit", region as "Region",
           ka_manager as "KA Manager"
    from transactions order by txn_key
) to '{path}' (header)
"""


def export_csv(demo_path: str, csv_path: Path) -> None:
    con = duckdb.connect(demo_path, read_only=True)
    con.execute(EXPORT_SQL.format(path=str(csv_path).replace("'", "''")))  # our own path, not user text
    con.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", default="/tmp/bench/demo10m.duckdb")
    parser.add_argument("--csv", help="the exported CSV (made from --db when missing)")
    parser.add_argument("--work", default="/tmp/bench-import")
    args = parser.parse_args()
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    ensure_big_demo(args.db)
    csv_path = Path(args.csv) if args.csv else work / "demo10m.csv"
    if not csv_path.exists():
        started = time.perf_counter()
        export_csv(args.db, csv_path)
        print(f"exported {csv_path} in {time.perf_counter() - started:.1f} s", flush=True)
    size_mb = csv_path.stat().st_size / 1e6

    for stale in ("bare.duckdb", "import.duckdb"):
        (work / stale).unlink(missing_ok=True)
    bare = duckdb.connect(str(work / "bare.duckdb"))
    started = time.perf_counter()
    bare.execute("create table lines as select * from read_csv(?)", [str(csv_path)])
    bare_seconds = time.perf_counter() - started
    bare_rows = bare.execute("select count(*) from lines").fetchall()[0][0]
    bare.close()
    print(f"bare read_csv: {bare_rows:,} rows in {bare_seconds:.1f} s", flush=True)

    con = db.connect(work / "import.duckdb")
    started = time.perf_counter()
    report = run_import(con, list_sources([csv_path]), ImportOptions())
    import_seconds = time.perf_counter() - started
    revenue = db.query_rows(con, "select sum(revenue) from transactions")[0][0]
    con.close()
    print(
        f"import: {report.rows_to_import:,} lines, {report.new_accounts:,} accounts, revenue {revenue:,.2f} "
        f"in {import_seconds:.1f} s", flush=True,
    )
    print(f"file {size_mb:,.0f} MB; import speed = {bare_seconds / import_seconds:.0%} of bare read_csv")


if __name__ == "__main__":
    main()
