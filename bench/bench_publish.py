"""What publishing a new version costs on the 10M demo, next to a 1M-line import.

    python bench/bench_publish.py --db bench/out/demo10m.duckdb [--work bench/out/publish]

Works on a copy of --db (the original is not changed). Measures: the raw copy of the file
(sendfile) and its fsync; an empty publish (`store.new_version` with no changes: lock, copy,
schema check, macros, checkpoint, fsync, rename), median of 3; what a reader pays: the first open
of a process (the start-up check reads every block) and the switch to a newly published version
on the next page run (attach, views, macros, size check), medians of 3; the disk a publish needs
while a reader keeps the old version; and a 1M-line CLI import into the copy, end to end, with
the share of it that is the publish's fixed cost.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.bench_load import write_import_file  # noqa: E402
from bench.common import ROOT, ensure_big_demo  # noqa: E402
from ka import store  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=str(ROOT / "bench" / "out" / "demo10m.duckdb"))
    parser.add_argument("--work", default=str(ROOT / "bench" / "out" / "publish"))
    args = parser.parse_args()
    ensure_big_demo(args.db)
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    served = work / "served.duckdb"
    shutil.copyfile(args.db, served)
    size = served.stat().st_size
    print(f"load average {os.getloadavg()[0]:.2f}; file {size / 1_048_576:,.0f} MiB")

    copies, syncs = [], []
    for _ in range(3):
        started = time.perf_counter()
        shutil.copyfile(served, work / "copy.duckdb")
        copies.append(time.perf_counter() - started)
        started = time.perf_counter()
        fd = os.open(work / "copy.duckdb", os.O_RDONLY)
        os.fsync(fd)
        os.close(fd)
        syncs.append(time.perf_counter() - started)
        (work / "copy.duckdb").unlink()
    print(f"copy (sendfile): {statistics.median(copies):.2f} s; fsync: {statistics.median(syncs):.2f} s")

    publishes = []
    for _ in range(3):
        started = time.perf_counter()
        with store.new_version(served):
            pass
        publishes.append(time.perf_counter() - started)
    publish = statistics.median(publishes)
    print(f"empty publish (lock, copy, checks, checkpoint, fsync, rename): {publish:.2f} s "
          f"({', '.join(f'{p:.2f}' for p in publishes)})")

    first_opens = []
    for _ in range(3):
        started = time.perf_counter()
        store.ServedDatabase(served).connection().close()
        first_opens.append(time.perf_counter() - started)
    reader = store.ServedDatabase(served)
    old_version = reader.connection()
    switches, peak_disk = [], 0
    for _ in range(3):
        with store.new_version(served):
            # the served file (which the reader holds) and the writer's draft beside it
            peak_disk = max(peak_disk, sum(f.stat().st_size for f in work.glob("served.duckdb*")))
        started = time.perf_counter()
        new_version = reader.connection()
        switches.append(time.perf_counter() - started)
        assert new_version is not old_version
        old_version = new_version
    old_version.close()
    print(f"reader: first open with the start-up check {statistics.median(first_opens):.2f} s; "
          f"switch to a new version on the next run {statistics.median(switches) * 1000:.0f} ms "
          f"({', '.join(f'{v * 1000:.0f}' for v in switches)})")
    print(f"disk while publishing: {peak_disk / 1_048_576:,.0f} MiB ({peak_disk / size:.1f} × the file; "
          f"one more version while a reader that has not rerun since the last publish holds it)")

    lines = work / "import-1000000.csv"
    write_import_file(lines, 1_000_000, date(2026, 8, 1), date(2026, 10, 31))
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "ka", "import", "--db", str(served), str(lines)], cwd=ROOT,
                            capture_output=True, text=True)
    seconds = time.perf_counter() - started
    print(f"1M-line import (CLI, end to end): {seconds:.1f} s, exit {result.returncode}; "
          f"the publish's fixed cost is {publish / seconds:.0%} of it")
    print(f"load average {os.getloadavg()[0]:.2f}")
    for leftover in work.glob("served.duckdb*"):
        leftover.unlink()


if __name__ == "__main__":
    main()
