"""Times the overview computation (KPIs for the period, prior and last year, trend, breakdowns,
top accounts) on the 10M-row / 5,000-account demo: warm, median of several runs.

    python bench/bench_overview.py [--db bench/out/demo10m.duckdb] [--runs 7]
"""

from __future__ import annotations

from common import machine, open_benchmark, warm_median_ms


def main() -> None:
    args, con, as_of = open_benchmark(__doc__)
    from ka import overview
    from ka.periods import default_period
    from ka.scope import Scope

    rows, accounts = con.execute("select count(*), count(distinct account_id) from account_month").fetchall()[0]
    lines = con.execute("select count(*) from transactions").fetchall()[0][0]
    period = default_period("quarter", as_of)
    scopes = {"all accounts": Scope(), "one region": Scope(regions=("华东",))}

    def whole_page(scope):
        overview.read_overview_kpis(con, period, scope)
        overview.read_overview_kpis(con, period.prior(), scope)
        overview.read_overview_kpis(con, period.year_ago(), scope)
        overview.read_trend_this_vs_last_year(con, period, scope)
        overview.read_breakdown(con, period, scope, "region")
        overview.read_breakdown(con, period, scope, "industry")
        overview.read_top_accounts(con, period, scope, 10)

    print(f"{lines:,} transaction lines, {accounts:,} accounts, {rows:,} account-months; period {period.label()}; {machine()}")
    for name, scope in scopes.items():
        kpis_ms, _ = warm_median_ms(lambda: overview.read_overview_kpis(con, period, scope), args.runs)
        page_ms, _ = warm_median_ms(lambda: whole_page(scope), args.runs)
        print(f"{name}: overview KPIs {kpis_ms:.1f} ms; whole overview page (3 KPI sets, trend, 2 breakdowns, top 10) {page_ms:.1f} ms")


if __name__ == "__main__":
    main()
