"""Slider moves of two versions of the app under the same load: one server each, the moves alternated.

    python bench/bench_moves_paired.py --before /path/to/other/checkout --db bench/out/demo10m.duckdb
                                       [--pages tiers,health] [--rounds 2]

On a machine that others share, two runs of bench_pages.py minutes apart differ by load as much as by code.
Here a server runs the other checkout's app.py and one runs this one's, each on its own copy of --db; one
browser moves every slider of the page on both in turn (before then after, then after then before), and
the medians of both come from the same minutes. Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import bench_pages  # noqa: E402
import browser  # noqa: E402
from browser import CHROMIUM, CHROMIUM_ARGS, Tab  # noqa: E402

from ka import i18n  # noqa: E402

SIDES = ("before", "after")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before", required=True, help="the other checkout (its app.py is served as 'before')")
    parser.add_argument("--db", default=str(bench_pages.DEFAULT_DB))
    parser.add_argument("--pages", default="tiers,health,whatif,scorecards")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--json", default=str(Path(bench_pages.DEFAULT_DB).parent / "moves_paired.json"))
    args = parser.parse_args()
    bench_pages.ensure_big_demo(args.db)
    i18n.set_language("en")
    out_dir = Path(args.json).parent
    (out_dir / "logs").mkdir(parents=True, exist_ok=True)
    roots = {"before": Path(args.before).resolve(), "after": browser.ROOT}
    dbs = {}
    for side in SIDES:  # each server writes its own state next to its database
        dbs[side] = str(out_dir / f"paired-{side}.duckdb")
        shutil.copyfile(args.db, dbs[side])
    load, summary = [os.getloadavg()[0]], {}
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            for name in args.pages.split(","):
                spec = bench_pages.PAGES[name]
                servers, tabs = {}, {}
                try:
                    for side in SIDES:
                        servers[side] = browser.Server.start(
                            dbs[side], out_dir / "logs" / f"paired-{side}-{name}.log", root=roots[side]
                        )
                        tabs[side] = Tab(chromium, servers[side])
                        tabs[side].open(spec.path)
                    moves = {side: {} for side in SIDES}
                    for round_ in range(args.rounds):
                        for move in spec.moves:
                            for side in (SIDES if round_ % 2 == 0 else SIDES[::-1]):
                                moves[side].setdefault(move.key, []).append(bench_pages.do_move(tabs[side], move))
                    summary[name] = {side: summarise(moves[side]) for side in SIDES}
                    print(name, json.dumps(summary[name]), flush=True)
                    load.append(os.getloadavg()[0])
                finally:
                    for tab in tabs.values():
                        tab.close()
                    for server in servers.values():
                        server.stop()
        finally:
            chromium.close()
    Path(args.json).write_text(json.dumps({"load": load, "pages": summary}, indent=1))
    print(f"\nload average during the run {min(load):.1f}–{max(load):.1f}\n")
    print("| page | move, before | move, after | server CPU per move | KiB per move |\n|---|---|---|---|---|")
    for name, row in summary.items():
        before, after = row["before"], row["after"]
        print(f"| {name} | {before['ms']:,.0f} ({before['slowest_ms']:,.0f}) | {after['ms']:,.0f} ({after['slowest_ms']:,.0f}) "
              f"| {before['cpu_ms']:,.0f} → {after['cpu_ms']:,.0f} | {before['kib']:,.0f} → {after['kib']:,.0f} |")


def summarise(moves: dict[str, list]) -> dict:
    every = [timing for timings in moves.values() for timing in timings]
    per_move = {key: statistics.median(t.ms for t in timings) for key, timings in moves.items()}
    return {"ms": statistics.median(t.ms for t in every), "cpu_ms": statistics.median(t.cpu_ms for t in every),
            "kib": statistics.median(t.kib for t in every), "slowest_ms": max(per_move.values()),
            "per_move": {key: round(ms) for key, ms in per_move.items()}}


if __name__ == "__main__":
    main()
