"""Times account tiers (read_account_tiers: per-account values from account_month, then the tier
rule) on the 10M-row / 5,000-account demo: warm, median of several runs.

    python bench/bench_tiers.py [--db bench/out/demo10m.duckdb] [--runs 7]
"""

from __future__ import annotations

from common import machine, open_benchmark, warm_median_ms


def main() -> None:
    args, con, as_of = open_benchmark(__doc__)
    from ka import tiers
    from ka.periods import default_period
    from ka.scope import Scope
    from ka.tiers import TierConfig

    period = default_period("quarter", as_of)
    cases = {
        "cumulative, revenue, quarter": TierConfig(),
        "cumulative, gross profit, quarter": TierConfig(metric="gross_profit"),
        "bands, revenue, quarter": TierConfig(method="bands"),
        "cumulative, revenue, trailing 12 months": TierConfig(window="t12m"),
    }
    print(f"period {period.label()}; {machine()}")
    for name, config in cases.items():
        accounts = len(tiers.read_account_tiers(con, period, Scope(), config))
        median, _ = warm_median_ms(lambda: tiers.read_account_tiers(con, period, Scope(), config), args.runs)
        print(f"{name}: {accounts:,} accounts tiered in {median:.1f} ms")
    migration_ms, _ = warm_median_ms(
        lambda: tiers.read_tier_migration(con, period.prior(), period, Scope(), TierConfig()), args.runs)
    print(f"tier migration (prior vs current quarter): {migration_ms:.1f} ms")
    filtered_ms, _ = warm_median_ms(
        lambda: tiers.read_account_tiers(con, period, Scope(regions=("华东",)), TierConfig()), args.runs)
    print(f"cumulative, revenue, quarter, one region: {filtered_ms:.1f} ms")


if __name__ == "__main__":
    main()
