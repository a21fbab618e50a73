"""Times the scorecards (every KPI, targets, composite and ranking) for all 5,000 accounts and for
the KA managers on the 10M-row demo: warm, median of several runs.

The account × category × month pre-aggregate (migration 2) must exist: a database built before
it is copied to --scratch and upgraded there (the original stays untouched, opened read-only).

    python bench/bench_scorecards.py [--db /tmp/bench/demo10m.duckdb] [--runs 7]
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from common import ROOT, ensure_big_demo, machine, open_read_only, parse_args, warm_median_ms


def upgraded_copy(path: str) -> str:
    """The database itself when its schema is current, else an upgraded copy beside the bench outputs."""
    sys.path.insert(0, str(ROOT))
    from ka import db

    con = open_read_only(path)
    version = db.current_version(con)
    con.close()
    if version == len(db.MIGRATIONS):
        return path
    scratch = ROOT / "bench" / "out" / ("upgraded_" + Path(path).name)
    if not scratch.exists():
        print(f"schema version {version} < {len(db.MIGRATIONS)}: upgrading a copy at {scratch} …", flush=True)
        scratch.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, scratch)
        db.connect(scratch).close()
    return str(scratch)


def main() -> None:
    args = parse_args(__doc__)
    ensure_big_demo(args.db)
    con = open_read_only(upgraded_copy(args.db))
    from ka import kpi, overview
    from ka.periods import default_period
    from ka.scope import Scope

    period = default_period("quarter", overview.read_data_range(con)[1])
    lines = con.execute("select count(*) from transactions").fetchall()[0][0]
    print(f"{lines:,} transaction lines; period {period.label()}; {machine()}")
    for level in ("account", "manager"):
        cards = kpi.read_scorecards(con, period, Scope(), level)
        total_ms, _ = warm_median_ms(lambda: kpi.read_scorecards(con, period, Scope(), level), args.runs)
        values = kpi.read_kpi_values(con, period, Scope(), level)
        targets = kpi.read_targets(con, level, kpi.target_period_key(period))
        weights = kpi.Weights.from_dicts({"process": 3}, {})
        rescore_ms, _ = warm_median_ms(
            lambda: kpi.compute_scorecards(level, period, values, targets, weights), args.runs)
        print(f"{level}: {len(cards.composite):,} scorecards in {total_ms:.1f} ms "
              f"(targets + weights applied to cached values: {rescore_ms:.1f} ms)")


if __name__ == "__main__":
    main()
