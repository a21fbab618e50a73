"""Times `python -m ka qbr` as a user runs it (a fresh process each time: start-up, imports, the
deck's queries, rendering, writing the file) on the 10M-row / 5,000-account demo, and, inside one
process, how that splits between building the deck and rendering it.

    python bench/bench_qbr.py [--db bench/out/demo10m.duckdb] [--runs 3]

Targets: an account deck ≤ 5 s, a portfolio deck ≤ 15 s.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, ensure_big_demo, machine, open_read_only, parse_args

CASES = (
    ("account QBR, customer", ["--account", "KA00001", "--audience", "customer"]),
    ("account QBR, internal", ["--account", "KA00001"]),
    ("KA manager review", ["--manager", "王芳"]),
    ("portfolio review", ["--portfolio"]),
)


def command_seconds(db: str, args: list[str], fmt: str, runs: int) -> float:
    timings = []
    with tempfile.TemporaryDirectory() as folder:
        out = str(Path(folder) / f"deck.{fmt}")
        for _ in range(runs):
            started = time.perf_counter()
            subprocess.run([sys.executable, "-m", "ka", "qbr", "--db", db, *args, "--period", "2026-Q3", "--lang", "zh",
                            "--format", fmt, "--out", out], check=True, cwd=ROOT, capture_output=True)
            timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def main() -> None:
    args = parse_args(__doc__)
    ensure_big_demo(args.db)
    runs = min(args.runs, 3) if args.runs == 7 else args.runs  # whole processes: three runs say enough
    con = open_read_only(args.db)
    from ka.qbr import build_deck, make_request
    from ka.qbr.pdf_render import render_pdf
    from ka.qbr.pptx_render import render_pptx

    lines = con.execute("select count(*) from transactions").fetchall()[0][0]
    print(f"{lines:,} transaction lines; period 2026 Q3; {machine()}; median of {runs} runs")
    print("| review | pptx (command) | pdf (command) | build deck | render pptx | render pdf |")
    print("|---|---|---|---|---|---|")
    for name, case in CASES:
        kind = "account" if "--account" in case else "manager" if "--manager" in case else "portfolio"
        subject = {"account_id": "KA00001"} if kind == "account" else {"manager": "王芳"} if kind == "manager" else {}
        audience = "customer" if "customer" in case else "internal"
        request = make_request(con, kind, period="2026-Q3", audience=audience, language="zh", **subject)
        started = time.perf_counter()
        deck = build_deck(con, request)
        built = time.perf_counter()
        render_pptx(deck)
        pptx_done = time.perf_counter()
        render_pdf(deck)
        pdf_done = time.perf_counter()
        pptx = command_seconds(args.db, case, "pptx", runs)
        pdf = command_seconds(args.db, case, "pdf", runs)
        print(f"| {name} | {pptx:.2f} s | {pdf:.2f} s | {built - started:.2f} s | {pptx_done - built:.2f} s | "
              f"{pdf_done - pptx_done:.2f} s |")


if __name__ == "__main__":
    main()
