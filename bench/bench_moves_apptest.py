"""Server time of a slider/weight move on one page run by AppTest (the page alone, no browser): the
median of N moves after a first visit, each move a new value of one widget and one full run.

    python bench/bench_moves_apptest.py --pages health,tiers --moves 7

AppTest reruns the whole page script on a move (a browser reruns only the fragment); the part outside
the fragment is cached reads, a few ms, so this is close to the fragment's own server time. Besides the
wall time it reports the process's CPU time per move (all threads), which another program's load on the
machine disturbs less.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from common import DEFAULT_DB, ensure_big_demo  # noqa: E402

# page → (widget kind, key, the values a move sets in turn)
MOVES = {
    "health": ("slider", "health_weight_revenue_yoy", [5, 25, 10, 30, 15, 35, 20, 40, 0]),
    "tiers": ("number_input", "tiers_a_cumulative", [70.0, 75.0, 85.0, 72.0, 78.0, 82.0, 76.0, 71.0, 79.0]),
    "scorecards": ("slider", "scorecards_weight_performance", [5, 45, 15, 55, 30, 70, 20, 60, 40]),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", default=str(DEFAULT_DB))
    parser.add_argument("--pages", default="health,tiers")
    parser.add_argument("--moves", type=int, default=7)
    parser.add_argument("--lang", default="en")
    args = parser.parse_args()
    ensure_big_demo(args.db)
    os.environ["KA_RADAR_DB"] = args.db
    from streamlit.testing.v1 import AppTest

    from ka import i18n

    print(f"load average {Path('/proc/loadavg').read_text().split()[:3]}")
    for page in args.pages.split(","):
        kind, key, values = MOVES[page]
        i18n.set_language(args.lang)
        at = AppTest.from_file(str(ROOT / "pages" / f"{page}.py"), default_timeout=600)
        at.session_state["lang"] = args.lang
        started = time.perf_counter()
        at.run()
        first = (time.perf_counter() - started) * 1000
        assert not at.exception, at.exception
        timings, cpu = [], []
        for value in values[: args.moves]:
            getattr(at, kind)(key=key).set_value(value)
            started, started_cpu = time.perf_counter(), time.process_time()
            at.run()
            timings.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
            assert not at.exception, at.exception
        print(f"{page}: first visit {first:,.0f} ms; move median {statistics.median(timings):,.0f} ms wall, "
              f"{statistics.median(cpu):,.0f} ms CPU over {len(timings)} ({', '.join(f'{t:.0f}' for t in timings)})",
              flush=True)


if __name__ == "__main__":
    main()
