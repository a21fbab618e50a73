"""Times one what-if slider move on the 10M-row / 5,000-account demo: warm, median of several runs.

A slider move recomputes from the cached account-level frame (whatif.prepare_base, cached by the page), never from
transactions. Measured: the scenario alone (compute_scenario), and everything the page computes
on a rerun (dependency table, concentration now and prior, two Lorenz curves, the scenario).
Target: ≤ 100 ms per move.

    python bench/bench_whatif.py [--db bench/out/demo10m.duckdb] [--runs 7]
"""

from __future__ import annotations

from common import machine, open_benchmark, warm_median_ms


def main() -> None:
    args, con, as_of = open_benchmark(__doc__)
    from ka import whatif
    from ka.periods import default_period
    from ka.scope import Scope

    periods = {"quarter": default_period("quarter", as_of), "trailing 12 months": default_period("t12m", as_of)}
    print(machine())
    for label, period in periods.items():
        config = whatif.read_tier_config(con)
        base_ms, _ = warm_median_ms(lambda: whatif.read_base(con, period, Scope()), 3)
        base = whatif.read_base(con, period, Scope())
        active = base.frame[base.frame["has_orders"]]
        coefficients = whatif.derive_coefficients(active)
        largest = tuple(active["account_id"].head(5))
        moves = {
            "revenue −40 % on the 5 largest": whatif.Scenario(accounts=largest, revenue_change=-0.4),
            "retention +5 pp over 5 years": whatif.Scenario(retention_change=0.05, horizon_years=5),
            "20 new tier-A accounts": whatif.Scenario(new_accounts=20, new_account_tier="A"),
            "all levers at once": whatif.Scenario(accounts=largest, revenue_change=-0.4, retention_change=0.05,
                                                  horizon_years=5, new_accounts=20, new_account_tier="A",
                                                  margin_change=0.01),
        }

        def page_rerun(scenario):
            whatif.compute_dependency(active, coefficients, 0.4)
            whatif.compute_concentration(base.frame["revenue"])
            whatif.compute_concentration(base.frame["prior_revenue"])
            whatif.compute_lorenz(base.frame["revenue"])
            whatif.compute_lorenz(base.frame["prior_revenue"])
            whatif.compute_scenario(base, scenario, coefficients, 0.4)

        print(f"{label} {period.label()}: {len(active):,} accounts with orders ({len(base.frame):,} in the frame), "
              f"tier method {config.method}; cached base built in {base_ms:.0f} ms (once per period/filter)")
        for name, scenario in moves.items():
            scenario_ms, _ = warm_median_ms(lambda: whatif.compute_scenario(base, scenario, coefficients, 0.4), args.runs)
            rerun_ms, _ = warm_median_ms(lambda: page_rerun(scenario), args.runs)
            print(f"  {name}: compute_scenario {scenario_ms:.1f} ms; all page computations {rerun_ms:.1f} ms")


if __name__ == "__main__":
    main()
