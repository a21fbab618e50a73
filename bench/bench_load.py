"""Load: N browser-like sessions on every page of the 10M demo while a 1M-line import runs.

    python bench/bench_load.py --db bench/out/demo10m.duckdb [--sessions 1 5 20] [--apps 1 2] [--seconds 90]

Each session is a websocket client that speaks Streamlit's own protocol, as the browser does: it
opens /_stcore/stream, asks for a page run (the page's URL name, its widget state) and waits for
the server's "script finished" message, then moves to the next page — overview, account 360,
tiers, health, what-if, scorecards, data import, over and over. The page time is from the request
to "finished", i.e. the server's whole page run and its transfer, without the browser's drawing.
A page that shows an error box (the app's error boundary) or a Streamlit exception counts as an
error, and so does a run that does not finish within two minutes.

For every combination of app processes (1 or 2, the sessions spread over them) and sessions, the
script starts the app(s) on 127.0.0.1, warms every page once, starts `python -m ka import` of a
1M-line file (written once into --work), keeps the sessions going until the import has been
published and every session has run two more pages on the new version (or --seconds pass), then
undoes the batch. It records p50/p95 page time, errors, the import's duration, the servers'
largest resident memory, and the load average. Only loopback addresses are contacted; every loop
is bounded in count and time.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import random
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.browser import Server  # noqa: E402
from bench.common import ROOT, ensure_big_demo  # noqa: E402

PAGES = ("", "account", "tiers", "health", "whatif", "scorecards", "data_import")
PAGE_TIMEOUT = 120.0  # seconds one page run may take before it counts as an error
MAX_PAGE_RUNS = 20_000  # a bound on every run, whatever the settings


@dataclass
class Sample:
    page: str
    seconds: float
    error: str | None
    phase: str  # "import" while the import runs, "after" once it is published


@dataclass
class Session:
    url: str
    number: int
    samples: list[Sample] = field(default_factory=list)


def _error_in(message: ForwardMsg) -> str | None:
    if not message.HasField("delta") or not message.delta.HasField("new_element"):
        return None
    element = message.delta.new_element
    kind = element.WhichOneof("type")
    if kind == "exception":
        return f"exception: {element.exception.message[:120]}"
    if kind == "alert" and element.alert.format == element.alert.ERROR:
        return f"error box: {element.alert.body[:120]}"
    return None


async def run_page(websocket, page: str) -> tuple[float, str | None]:
    request = BackMsg()
    request.rerun_script.query_string = ""
    request.rerun_script.page_name = page
    started = time.perf_counter()
    await websocket.send(request.SerializeToString())
    error = None
    deadline = started + PAGE_TIMEOUT
    while True:
        remaining = deadline - time.perf_counter()
        if remaining <= 0:
            return time.perf_counter() - started, "timeout"
        try:
            raw = await asyncio.wait_for(websocket.recv(), timeout=remaining)
        except asyncio.TimeoutError:
            return time.perf_counter() - started, "timeout"
        message = ForwardMsg()
        message.ParseFromString(raw)
        error = error or _error_in(message)
        if message.WhichOneof("type") == "script_finished":
            if message.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                continue
            return time.perf_counter() - started, error


async def session_loop(session: Session, phase: dict, stop: asyncio.Event, pages_after: dict) -> None:
    ws_url = session.url.replace("http://", "ws://") + "/_stcore/stream"
    order = list(PAGES)
    random.Random(session.number).shuffle(order)  # sessions do not all hit the same page at once
    async with websockets.connect(ws_url, subprotocols=["streamlit"], max_size=None,
                                  origin=session.url, open_timeout=60) as websocket:
        runs = 0
        while not stop.is_set() and runs < MAX_PAGE_RUNS:
            page = order[runs % len(order)]
            current = phase["name"]
            seconds, error = await run_page(websocket, page)
            if current != "warm-up":
                session.samples.append(Sample(page, seconds, error, current))
            if current == "after":
                pages_after[session.number] = pages_after.get(session.number, 0) + 1
            runs += 1


def write_import_file(path: Path, lines: int, first_day: date, last_day: date) -> None:
    """A 1M-line ERP export into the last months of the demo (new order ids, existing accounts)."""
    if path.exists():
        return
    days = (last_day - first_day).days + 1
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Order ID", "Line", "Order Date", "Customer ID", "Product", "Category", "Quantity", "Sales", "Cost"])
        for number in range(lines):
            revenue = Decimal(500 + number % 20_000) + Decimal(number % 100) / 100
            writer.writerow([f"LOAD-{number // 5}", number % 5 + 1, (first_day + timedelta(days=number % days)).isoformat(),
                             f"KA{1 + number % 5000:05d}", f"P{number % 97}", f"Category {number % 8}", 1 + number % 9,
                             f"{revenue:.2f}", f"{revenue * Decimal('0.62'):.2f}"])


async def measure(db: str, apps: int, sessions: int, import_file: Path, seconds: float, work: Path) -> dict:
    servers = [Server.start(db, work / f"app-{apps}-{sessions}-{n}.log", timeout=180) for n in range(apps)]
    try:
        phase = {"name": "warm-up"}
        stop = asyncio.Event()
        pages_after: dict[int, int] = {}
        clients = [Session(servers[n % apps].url, n) for n in range(sessions)]
        tasks = [asyncio.create_task(session_loop(c, phase, stop, pages_after)) for c in clients]
        # warm-up: every page once per app process (connections, caches), then measure
        warm = [Session(server.url, 1000 + n) for n, server in enumerate(servers)]
        for client in warm:
            ws_url = client.url.replace("http://", "ws://") + "/_stcore/stream"
            async with websockets.connect(ws_url, subprotocols=["streamlit"], max_size=None, origin=client.url) as ws:
                for page in PAGES:
                    await run_page(ws, page)
        load_before = os.getloadavg()
        phase["name"] = "import"
        started = time.perf_counter()
        importing = subprocess.Popen([sys.executable, "-m", "ka", "import", "--db", db, str(import_file)], cwd=ROOT,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        peak = [0.0 for _ in servers]
        import_seconds = None
        deadline = started + seconds
        while time.perf_counter() < deadline:
            peak = [max(mib, server.rss_mib()) for mib, server in zip(peak, servers)]
            if import_seconds is None and importing.poll() is not None:
                import_seconds = time.perf_counter() - started
                phase["name"] = "after"
            if import_seconds is not None and all(pages_after.get(c.number, 0) >= 2 for c in clients):
                break
            await asyncio.sleep(0.5)
        stop.set()
        await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), timeout=PAGE_TIMEOUT + 30)
        load_after = os.getloadavg()
        out, err = importing.communicate(timeout=600)
        if import_seconds is None:
            import_seconds = time.perf_counter() - started
        batch = json_batch(out)
        samples = [s for c in clients for s in c.samples]
        times = sorted(s.seconds for s in samples)
        return {
            "apps": apps, "sessions": sessions, "page_runs": len(samples),
            "runs_during_import": sum(s.phase == "import" for s in samples),
            "p50_s": round(statistics.median(times), 3) if times else None,
            "p95_s": round(times[int(0.95 * (len(times) - 1))], 3) if times else None,
            "p95_during_import_s": _p95([s.seconds for s in samples if s.phase == "import"]),
            "errors": sum(s.error is not None for s in samples),
            "error_examples": sorted({s.error for s in samples if s.error})[:3],
            "import_s": round(import_seconds, 1), "import_exit": importing.returncode,
            "import_error": err.strip()[-300:] if importing.returncode else "",
            "rss_mb_peak": [round(v) for v in peak],
            "load_before": [round(v, 2) for v in load_before], "load_after": [round(v, 2) for v in load_after],
            "batch": batch,
        }
    finally:
        for server in servers:
            server.stop()


def _p95(values: list[float]) -> float | None:
    values = sorted(values)
    return round(values[int(0.95 * (len(values) - 1))], 3) if values else None


def json_batch(report: str) -> int | None:
    for word in report.replace(",", " ").split():
        if word.isdigit():
            return int(word)  # "batch N imported: ..." names the batch first
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=str(ROOT / "bench" / "out" / "demo10m.duckdb"))
    parser.add_argument("--work", default=str(ROOT / "bench" / "out" / "load"))
    parser.add_argument("--sessions", type=int, nargs="+", default=[1, 5, 20])
    parser.add_argument("--apps", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--seconds", type=float, default=240, help="longest measurement per combination")
    parser.add_argument("--import-lines", type=int, default=1_000_000)
    parser.add_argument("--json", help="also write the results here")
    args = parser.parse_args()
    if max(args.sessions) > 50 or args.seconds > 900:
        parser.error("at most 50 sessions and 900 seconds per combination")
    ensure_big_demo(args.db)
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    import_file = work / f"import-{args.import_lines}.csv"
    write_import_file(import_file, args.import_lines, date(2026, 8, 1), date(2026, 10, 31))
    results = []
    for apps in args.apps:
        for sessions in args.sessions:
            result = asyncio.run(measure(args.db, apps, sessions, import_file, args.seconds, work))
            results.append(result)
            print(json.dumps(result), flush=True)
            if result["batch"]:
                subprocess.run([sys.executable, "-m", "ka", "undo", "--db", args.db, "--batch", str(result["batch"])],
                               cwd=ROOT, check=True, capture_output=True)
    print()
    print("| app processes | sessions | page runs (during import) | p50 page | p95 page (during import) | errors | import | server RSS peak | load average before → after |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in results:
        print(f"| {r['apps']} | {r['sessions']} | {r['page_runs']} ({r['runs_during_import']}) | {r['p50_s']:.2f} s | "
              f"{r['p95_s']:.2f} s ({r['p95_during_import_s'] or 0:.2f} s) | {r['errors']} | {r['import_s']:.0f} s | "
              f"{' + '.join(f'{m:,} MB' for m in r['rss_mb_peak'])} | {r['load_before'][0]:.1f} → {r['load_after'][0]:.1f} |")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
