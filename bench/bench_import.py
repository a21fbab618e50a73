"""Import speed and memory: a 10M-line UTF-8 CSV exported from the demo, `python -m ka import` vs a bare DuckDB read_csv.

    python bench/bench_import.py --db bench/out/demo10m.duckdb [--csv X.csv] [--work DIR] [--code REPO]

One run each, in this order and in one run of the script (the file is 1.4 GB, so only the ratio within one run
means anything on a shared machine): the bare read is `create table as select * from read_csv(file)` (DuckDB's
sniffer and typed columns) in a fresh process; the import is `python -m ka import` of the whole batch — reading,
checks, line keys, validation report, merge into an empty database, accounts, account_month, import_batches — in
another fresh process. Each process's wall time and peak RSS (from wait4) are printed. `--code` runs the import
of another checkout of the project (e.g. the code before a change) on the same file.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import DEFAULT_DB, ensure_big_demo, load_average  # noqa: E402

EXPORT_SQL = """
copy (
    select order_id as "Order ID", order_date as "Order Date", account_id as "Customer ID",
           account_name as "Customer Name", product as "Product", category as "Category",
           quantity as "Quantity", revenue as "Sales", revenue - cost as "Profit", region as "Region",
           ka_manager as "KA Manager"
    from transactions order by txn_key
    {limit}
) to '{path}' (header)
"""
BARE_READ = (
    "import duckdb, sys; con = duckdb.connect(sys.argv[1]); con.execute('set enable_progress_bar = false'); "
    "con.execute('create table lines as select * from read_csv(?)', [sys.argv[2]]); "
    "print(con.execute('select count(*) from lines').fetchall()[0][0])"
)


def export_csv(demo_path: str, csv_path: Path, rows: int | None = None) -> None:
    """The demo's lines as a CSV with business headers (rows: the first N by key, for smaller files)."""
    con = duckdb.connect(demo_path, read_only=True)
    con.execute("set enable_progress_bar = false")
    limit = f"limit {int(rows)}" if rows else ""
    con.execute(EXPORT_SQL.format(path=str(csv_path).replace("'", "''"), limit=limit))  # our own path, not user text
    con.close()


def run_measured(command: list[str], cwd: Path) -> tuple[float, float, str]:
    """Run a command in a fresh process: (wall seconds, peak RSS in MB, its stdout)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = process.communicate()
    seconds = time.perf_counter() - started
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({process.returncode}):\n{err[-3000:]}")
    peak_line = [line for line in err.splitlines() if line.startswith("PEAK_RSS_KB ")]
    peak_mb = int(peak_line[-1].split()[1]) / 1024 if peak_line else float("nan")
    return seconds, peak_mb, out


def with_peak_rss(args: list[str]) -> list[str]:
    """`python -c <wrapper> args...`: runs args as a child and reports that child's peak RSS on stderr."""
    wrapper = (
        "import os, subprocess, sys; p = subprocess.Popen(sys.argv[1:]); _, status, usage = os.wait4(p.pid, 0); "
        "print('PEAK_RSS_KB', usage.ru_maxrss, file=sys.stderr); sys.exit(os.waitstatus_to_exitcode(status))"
    )
    return [sys.executable, "-c", wrapper, *args]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default=str(DEFAULT_DB))
    parser.add_argument("--csv", help="the exported CSV (made from --db when missing)")
    parser.add_argument("--work", default=str(ROOT / "bench" / "out" / "import"))
    parser.add_argument("--code", default=str(ROOT), help="checkout whose `python -m ka import` is measured")
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
    print(f"load average before: {load_average()}", flush=True)

    for stale in ("bare.duckdb", "import.duckdb", "import.duckdb.wal"):
        (work / stale).unlink(missing_ok=True)
    bare_seconds, bare_peak, out = run_measured(
        with_peak_rss([sys.executable, "-c", BARE_READ, str(work / "bare.duckdb"), str(csv_path)]), ROOT,
    )
    bare_rows = int(out.split()[-1])
    print(f"bare read_csv: {bare_rows:,} rows in {bare_seconds:.1f} s, peak RSS {bare_peak:,.0f} MB", flush=True)

    import_seconds, import_peak, out = run_measured(
        with_peak_rss([sys.executable, "-m", "ka", "import", "--db", str(work / "import.duckdb"), str(csv_path)]),
        Path(args.code),
    )
    con = duckdb.connect(str(work / "import.duckdb"), read_only=True)
    lines, revenue = con.execute("select count(*), sum(revenue) from transactions").fetchall()[0]
    con.close()
    print(next((line for line in out.splitlines() if "batch" in line), ""), flush=True)
    print(
        f"import: {lines:,} lines, revenue {revenue:,.2f} in {import_seconds:.1f} s "
        f"({lines / import_seconds:,.0f} lines/s), peak RSS {import_peak:,.0f} MB", flush=True,
    )
    print(f"file {size_mb:,.0f} MB; import speed = {bare_seconds / import_seconds:.0%} of bare read_csv")
    print(f"load average after: {load_average()}")
    os.sync()


if __name__ == "__main__":
    main()
