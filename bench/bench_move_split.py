"""Where one slider move's time goes, in Chromium: before the rerun starts, the rerun, and the browser's
main thread busy in long tasks (drawing charts and tables), for one page's slider moved N times.

    python bench/bench_move_split.py --db bench/out/demo10m.duckdb --page health [--moves 8]

Columns per move: total (key press until drawn, as bench_pages.py times it), server CPU, key press until
the script runs, until it stops, and the long tasks (> 50 ms, PerformanceObserver) in that time. Not a
test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from browser import CHROMIUM, CHROMIUM_ARGS, Server, Tab  # noqa: E402
from common import DEFAULT_DB, ensure_big_demo  # noqa: E402

from ka import i18n  # noqa: E402

LONG_TASKS = """(() => { window.__long = []; new PerformanceObserver(list => {
  for (const e of list.getEntries()) window.__long.push([e.startTime, e.duration]); }).observe({type: 'longtask'}); })()"""
# page → (widget key, slider or number, the expander it is in: a locale key, or None)
MOVES = {
    "health": ("health_weight_revenue_yoy", "slider", "health.tuning_title"),
    "tiers": ("tiers_a_cumulative", "number", None),
    "whatif": ("whatif_revenue_change", "slider", None),
    "scorecards": ("scorecards_weight_customer", "slider", "scorecards.weights"),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default=str(DEFAULT_DB))
    parser.add_argument("--page", default="health", choices=sorted(MOVES))
    parser.add_argument("--moves", type=int, default=8)
    args = parser.parse_args()
    ensure_big_demo(args.db)
    key, kind, expander = MOVES[args.page]
    print(f"load average {Path('/proc/loadavg').read_text().split()[:3]}")
    server = Server.start(args.db, Path(args.db).parent / "move_split_server.log")
    rows = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            tab = Tab(browser, server)
            tab.open(args.page)
            tab.page.evaluate(LONG_TASKS)
            if expander:
                with i18n.use_language("en"):
                    tab.open_expander(i18n.t(expander))
            for move in range(args.moves):
                tab.settle()
                seen = tab.page.evaluate("window.__long.length")
                up = move % 2 == 0
                timing = tab.move_slider(key, up) if kind == "slider" else tab.step_number(key, up)
                t0 = tab.page.evaluate("window.__bench.inputs[window.__bench.inputs.length - 1]")
                states = tab.page.evaluate("window.__bench.states")
                running = next((at for at, state in states if at >= t0 and state == "running"), t0)
                stopped = next((at for at, state in states if at >= running and state == "notRunning"), t0)
                busy = sum(d for start, d in tab.page.evaluate(f"window.__long.slice({seen})") if start >= t0 - 5)
                rows.append((timing.ms, timing.cpu_ms, running - t0, stopped - t0, busy))
            browser.close()
    finally:
        server.stop()
    print("total ms, server CPU ms, until running, until stopped, long tasks ms")
    for row in rows:
        print("  ".join(f"{value:8.0f}" for value in row))
    print("median  " + "  ".join(f"{statistics.median(column):8.0f}" for column in zip(*rows)))


if __name__ == "__main__":
    main()
