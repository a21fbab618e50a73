"""Times the scorecards (every KPI, targets, composite and ranking) for all 5,000 accounts and for
the KA managers on the 10M-row demo: warm, median of several runs.

    python bench/bench_scorecards.py [--db /tmp/bench/demo10m.duckdb] [--runs 7]
"""

from __future__ import annotations

from common import machine, open_benchmark, warm_median_ms


def main() -> None:
    args, con, as_of = open_benchmark(__doc__)
    from ka import kpi
    from ka.periods import default_period
    from ka.scope import Scope

    period = default_period("quarter", as_of)
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
