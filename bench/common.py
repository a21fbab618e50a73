"""Shared helpers for the benchmark scripts (not tests): a 10M-row demo and a warm-median timer."""

from __future__ import annotations

import argparse
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = ROOT / "bench" / "out" / "demo10m.duckdb"


def parse_args(description: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--db", default=str(DEFAULT_DB), help="10M-row demo database (built if missing)")
    parser.add_argument("--runs", type=int, default=7)
    return parser.parse_args()


def ensure_big_demo(path: str, accounts: int = 5000, rows: int = 10_000_000) -> None:
    if Path(path).exists():
        return
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    print(f"building the {rows:,}-row demo at {path} …", flush=True)
    subprocess.run(
        [sys.executable, "-m", "ka", "demo", "--db", path, "--accounts", str(accounts), "--rows", str(rows)],
        check=True, cwd=ROOT,
    )


def open_read_only(path: str) -> duckdb.DuckDBPyConnection:
    """The database read-only; one written by an older version is upgraded in a copy beside the
    bench outputs, so the original stays untouched."""
    sys.path.insert(0, str(ROOT))
    from ka import db, store

    con = store.attach_reader(Path(path))
    if store.schema_version(con) == db.SCHEMA_VERSION:
        return con
    con.close()
    scratch = ROOT / "bench" / "out" / ("upgraded_" + Path(path).name)
    print(f"{path} was written by an older version: upgrading a copy at {scratch} …", flush=True)
    scratch.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, scratch)
    return db.open(scratch)


def open_benchmark(description: str):
    """Parse the arguments, build the 10M demo if missing, open it: (args, connection, last order date)."""
    args = parse_args(description)
    ensure_big_demo(args.db)
    con = open_read_only(args.db)
    from ka import overview

    return args, con, overview.read_data_range(con)[1]


def warm_median_ms(action, runs: int) -> tuple[float, list[float]]:
    action()  # warm-up: file pages in memory, plans cached
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings), timings


def machine() -> str:
    import os

    return f"{platform.python_implementation()} {platform.python_version()}, duckdb {duckdb.__version__}, {os.cpu_count()} cores"


def load_average() -> str:
    """The 1, 5 and 15 minute load averages, for the record beside every timing."""
    import os

    return " / ".join(f"{value:.2f}" for value in os.getloadavg())
