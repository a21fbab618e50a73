"""Speed as users feel it: every page of the real app in headless Chromium on the 10M-line demo.

    python bench/bench_pages.py --db bench/out/demo10m.duckdb [--runs 3] [--pages overview,health]
                                [--phases browser,memory,floors] [--json bench/out/pages.json]

cold     per page: its first visit on a server just started (once), and its cold first visit: a new
         browser on a server that has its modules and database open (another user saw another page), the
         page's own figures not computed yet (each run on a new server).
browser  cold, and per page, on a freshly started server: warm revisit (from another page, both already drawn), new period (a quarter not seen yet),
         new filter (one more region) and every slider, weight or threshold move of the page (each to a
         value not seen yet). Time from the action's first input event until the rerun has finished and
         every chart has drawn; KiB received over the websocket; server CPU time; server RSS after.
memory   one server: every page visited, then every slider moved 20 times; RSS after each page's
         moves, and its growth per move over the last 10 moves of each slider.
floors   per page, in this process with the server stopped: the time the page's loaders take on a
         new period (every ctx.load / ctx.derive the page makes, on empty caches, run by AppTest) beside
         the best single DuckDB statement that computes the same figures (bench/floors.py).

Medians of --runs; the machine's load average is printed with the results. Not a test: nothing here
asserts a time.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from browser import CHROMIUM, CHROMIUM_ARGS, Server, Tab, Timing  # noqa: E402
from common import DEFAULT_DB, ensure_big_demo, machine  # noqa: E402

from ka import i18n  # noqa: E402
from ka.i18n import t  # noqa: E402

TARGETS = {"cold": 3000, "revisit": 500, "period": 1000, "filter": 1000, "move": 300, "pick": 1000}
KIB_PER_RERUN = 200
RSS_LIMIT_MIB = 1024


@dataclass
class Move:
    """A widget a user moves on the page: a slider (arrow key) or a number input (step button)."""

    key: str
    kind: str = "slider"  # slider | number
    expander: str | None = None  # label key of the expander it lives in


@dataclass
class PageSpec:
    name: str
    path: str
    title_key: str
    moves: list[Move] = field(default_factory=list)


HEALTH_WEIGHTS = ("recency", "revenue_trend", "revenue_yoy", "order_trend", "margin_trend", "breadth_trend",
                  "tickets", "resolution_days", "nps", "visit_gap", "contract_days")
SCORECARD_WEIGHTS = ("customer", "performance", "strategic", "process",
                     "renewal_rate", "revenue_growth", "visits_per_month")
PAGES = {
    "overview": PageSpec("overview", "", "nav.overview"),
    "account": PageSpec("account", "account", "account.nav"),
    "tiers": PageSpec("tiers", "tiers", "tiers.title", [
        Move("tiers_a_cumulative", "number"), Move("tiers_b_cumulative", "number")]),
    "health": PageSpec("health", "health", "health.title", [
        *(Move(f"health_weight_{m}", expander="health.tuning_title") for m in HEALTH_WEIGHTS),
        Move("health_red_below", expander="health.tuning_title"),
        Move("health_green_above", expander="health.tuning_title")]),
    "whatif": PageSpec("whatif", "whatif", "whatif.title", [
        Move("whatif_threshold"), Move("whatif_revenue_change"), Move("whatif_retention_pp"),
        Move("whatif_horizon"), Move("whatif_margin_pp")]),
    "scorecards": PageSpec("scorecards", "scorecards", "scorecards.title", [
        Move(f"scorecards_weight_{w}", expander="scorecards.weights") for w in SCORECARD_WEIGHTS]),
}


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


# --- browser phase -----------------------------------------------------------------------------------
def launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)


def other_page(spec: PageSpec) -> PageSpec:
    return PAGES["overview"] if spec.name != "overview" else PAGES["account"]


def prepare_move(tab: Tab, move: Move) -> None:
    if move.expander:
        tab.open_expander(t(move.expander))


def do_move(tab: Tab, move: Move, towards_max: bool = True) -> Timing:
    prepare_move(tab, move)
    if move.kind == "number":
        return tab.step_number(move.key, up=towards_max)
    return tab.move_slider(move.key, towards_max)


WARM_UP_PAGE = "data_import"  # draws the sidebar and little else: imports the modules and opens the database


def measure_cold(playwright, spec: PageSpec, db: str, runs: int, logs: Path) -> dict[str, list[Timing]]:
    """First visits: of the page on a server just started (`start`), and of the page by a new browser on a
    server whose modules and database are already open, another user having seen another page (`cold`)."""
    results: dict[str, list[Timing]] = {}
    browser = launch(playwright)
    try:
        for run in range(runs):
            server = Server.start(db, logs / f"{spec.name}-cold-{run}.log")
            try:
                tab = Tab(browser, server)
                if run == 0:
                    results.setdefault("start", []).append(tab.open(spec.path))
                    tab.close()
                    server.stop()
                    server = Server.start(db, logs / f"{spec.name}-cold-{run}b.log")
                    tab = Tab(browser, server)
                tab.open(WARM_UP_PAGE)
                tab.close()
                tab = Tab(browser, server)
                results.setdefault("cold", []).append(tab.open(spec.path))
                tab.close()
                tab = Tab(browser, server)  # the floor of any first visit: a new browser, a page that computes nothing new
                results.setdefault("browser_floor", []).append(tab.open(WARM_UP_PAGE))
                tab.close()
            finally:
                server.stop()
    finally:
        browser.close()
    return results


def measure_page(playwright, spec: PageSpec, db: str, runs: int, logs: Path) -> dict[str, list[Timing]]:
    """Every kind of action on one page but its first visit, on a server started for this page alone."""
    results: dict[str, list[Timing]] = {}
    browser = launch(playwright)
    try:

        server = Server.start(db, logs / f"{spec.name}.log")
        try:
            tab = Tab(browser, server)
            tab.open(spec.path)
            away = other_page(spec)
            for _ in range(runs):
                tab.go_to(t(away.title_key))
                results.setdefault("revisit", []).append(tab.go_to(t(spec.title_key)))

            periods = tab.options(t("sidebar.period"), within=tab.sidebar)
            current = tab.sidebar.get_by_role("combobox", name=t("sidebar.period"), exact=True).input_value()
            fresh = [p for p in periods if p != current][:runs]
            for period in fresh:
                results.setdefault("period", []).append(tab.choose(t("sidebar.period"), period, within=tab.sidebar))
            tab.choose(t("sidebar.period"), current, within=tab.sidebar)  # back to the default quarter (cached)

            regions = [r for r in tab.options(t("sidebar.region"), within=tab.sidebar) if r != "Select all"]
            for region in regions[:runs]:
                results.setdefault("filter", []).append(tab.choose(t("sidebar.region"), region, within=tab.sidebar))
                tab.page.keyboard.press("Escape")
            box = tab.sidebar.get_by_role("combobox", name=t("sidebar.region"), exact=True)
            for _ in regions[:runs]:  # back to every region, one Backspace per chosen region
                box.click()
                box.press("Backspace")
                tab.settle()
            tab.page.keyboard.press("Escape")

            if spec.name == "account":
                names = tab.options(t("account.picker"))
                for name in names[1:runs + 1]:
                    results.setdefault("pick", []).append(tab.choose(t("account.picker"), name))

            for move in spec.moves:
                for _ in range(runs):
                    results.setdefault(f"move:{move.key}", []).append(do_move(tab, move))
            tab.close()
        finally:
            server.stop()
    finally:
        browser.close()
    return results


def summarise(results: dict[str, list[Timing]]) -> dict:
    """Medians per action kind; the moves of a page together (their median and the slowest move's median)."""
    out = {}
    kinds = {"start", "cold", "browser_floor", "revisit", "period", "filter", "pick"}
    for kind in kinds & set(results):
        rows = results[kind]
        out[kind] = {
            "ms": median([r.ms for r in rows]), "kib": median([r.kib for r in rows]),
            "cpu_ms": median([r.cpu_ms for r in rows]), "rss_mib": max(r.rss_mib for r in rows),
            "runs": [round(r.ms) for r in rows],
        }
    moves = {k.split(":", 1)[1]: v for k, v in results.items() if k.startswith("move:")}
    if moves:
        per_move = {key: median([r.ms for r in rows]) for key, rows in moves.items()}
        every = [r for rows in moves.values() for r in rows]
        slowest = max(per_move, key=per_move.get)
        out["move"] = {
            "ms": median([r.ms for r in every]), "slowest_ms": per_move[slowest], "slowest": slowest,
            "kib": median([r.kib for r in every]), "max_kib": max(r.kib for r in every),
            "cpu_ms": median([r.cpu_ms for r in every]), "rss_mib": max(r.rss_mib for r in every),
            "per_move": {k: round(v) for k, v in per_move.items()},
        }
    return out


# --- memory phase ---------------------------------------------------------------------------------------
def measure_memory(playwright, db: str, pages: list[PageSpec], moves_each: int, logs: Path) -> dict:
    browser = launch(playwright)
    server = Server.start(db, logs / "memory.log")
    samples = {"start": server.rss_mib()}
    try:
        tab = Tab(browser, server)
        tab.open(pages[0].path)
        for spec in pages:
            tab.go_to(t(spec.title_key))
        samples["after_visits"] = server.rss_mib()
        growth = []
        for spec in pages:
            tab.go_to(t(spec.title_key))
            for move in spec.moves:
                trail = []
                for _ in range(moves_each):
                    trail.append(do_move(tab, move).rss_mib)
                tail = trail[-10:]
                growth.append((tail[-1] - tail[0]) / max(len(tail) - 1, 1))
            samples[f"after_{spec.name}"] = server.rss_mib()
        samples["end"] = server.rss_mib()
        samples["growth_per_move_mib"] = median(growth) if growth else 0.0
        samples["max_growth_per_move_mib"] = max(growth) if growth else 0.0
        tab.close()
    finally:
        server.stop()
        browser.close()
    return samples


# --- report -----------------------------------------------------------------------------------------------
def verdict(ms: float | None, target: float) -> str:
    if ms is None:
        return ""
    return "met" if ms <= target else "**not met**"


def print_report(summary: dict, memory: dict | None, floors: dict | None, load: list[float]) -> None:
    print(f"\n{machine()}; load average during the run {min(load):.1f}–{max(load):.1f}\n")
    header = "| page | first visit after start | cold first visit (new browser's floor) | warm revisit | new period | new filter | slider / weight move (slowest) | KiB per rerun (max) | server CPU per move |"
    print(header)
    print("|---" * (header.count("|") - 1) + "|")
    for name, row in summary.items():
        def cell(kind):
            r = row.get(kind)
            return f"{r['ms']:,.0f} ms" if r else "—"
        move = row.get("move")
        move_text = f"{move['ms']:,.0f} ms ({move['slowest_ms']:,.0f}, {move['slowest']})" if move else "—"
        kib = [row[k]["kib"] for k in ("revisit", "period", "filter", "pick") if k in row]
        kib_text = f"{median(kib):,.0f}" if kib else "—"
        if move:
            kib_text += f"; moves {move['kib']:,.0f} ({move['max_kib']:,.0f})"
        cpu_text = f"{move['cpu_ms']:,.0f} ms" if move else "—"
        floor = row.get("browser_floor")
        cold = cell("cold") + (f" ({floor['ms']:,.0f})" if floor else "")
        print(f"| {name} | {cell('start')} | {cold} | {cell('revisit')} | {cell('period')} | {cell('filter')} | {move_text} "
              f"| {kib_text} | {cpu_text} |")
    if "account" in summary and "pick" in summary["account"]:
        print(f"\naccount: pick another account {summary['account']['pick']['ms']:,.0f} ms, "
              f"{summary['account']['pick']['kib']:,.0f} KiB")
    if memory:
        print("\nmemory: " + ", ".join(f"{k} {v:,.1f}" for k, v in memory.items()) + " (MiB)")
    if floors:
        print("\n| page | loaders on a new period | single statement | ratio |\n|---|---|---|---|")
        for name, row in floors.items():
            print(f"| {name} | {row['loaders_ms']:,.0f} ms | {row['floor_ms']:,.0f} ms | {row['ratio']:.2f}× |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default=str(DEFAULT_DB))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pages", default=",".join(PAGES))
    parser.add_argument("--phases", default="browser,memory,floors")
    parser.add_argument("--moves", type=int, default=20, help="moves per slider in the memory phase")
    parser.add_argument("--json", default=str(Path(DEFAULT_DB).parent / "pages.json"))
    args = parser.parse_args()
    ensure_big_demo(args.db)
    i18n.set_language("en")
    pages = [PAGES[name] for name in args.pages.split(",")]
    phases = set(args.phases.split(","))
    logs = Path(args.json).parent / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    load = [os.getloadavg()[0]]
    summary, memory, floors = {}, None, None
    started = time.time()
    with sync_playwright() as playwright:
        if phases & {"browser", "cold"}:
            for spec in pages:
                results = measure_cold(playwright, spec, args.db, args.runs, logs)
                if "browser" in phases:
                    results.update(measure_page(playwright, spec, args.db, args.runs, logs))
                summary[spec.name] = summarise(results)
                Path(args.json).write_text(json.dumps({"pages": summary}, indent=1, default=str))
                load.append(os.getloadavg()[0])
                print(f"{spec.name}: {json.dumps(summary[spec.name])}", flush=True)
        if "memory" in phases:
            memory = measure_memory(playwright, args.db, pages, args.moves, logs)
            load.append(os.getloadavg()[0])
    if "floors" in phases:
        import floors as floor_bench

        floors = floor_bench.measure(args.db, [p.name for p in pages], args.runs)
        load.append(os.getloadavg()[0])
    record = {"machine": machine(), "load": load, "seconds": round(time.time() - started), "pages": summary,
              "memory": memory, "floors": floors}
    Path(args.json).write_text(json.dumps(record, indent=1, default=str))
    print_report(summary, memory, floors, load)


if __name__ == "__main__":
    main()
