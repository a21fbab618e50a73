"""Per page: the time its loaders take on a new period beside one DuckDB statement for the same figures.

Loaders: the page run by AppTest on empty caches for a quarter it has not seen, timing every
ctx.load / ctx.derive it makes (the work behind a new period; the page's own drawing is not in it).
Floor: one hand-written statement over the pre-aggregates (account_month, accounts, visits, ...) that
returns the figures the page shows, as lists in one row; the health figures come from the project's own
health_measures.sql statement nested in it (scoring a few thousand rows is not the cost). The period is
2026 Q2 on the demo (any quarter with a prior quarter and a year before it in the data).
"""

from __future__ import annotations

import statistics
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

OVERVIEW = """
with windows(name, s, e, ps, pe) as (
    values ('current', $s::date, $e::date, $ps::date, $pe::date),
           ('prior', $ps::date, $pe::date, $p2s::date, $p2e::date),
           ('year_ago', $ys::date, $ye::date, $yps::date, $ype::date)
),
per_account as (
    select w.name, m.account_id, min(w.s) as s,
           sum(m.revenue) filter (where m.month between w.s and w.e) as revenue,
           sum(m.cost) filter (where m.month between w.s and w.e) as cost,
           sum(m.revenue_with_cost) filter (where m.month between w.s and w.e) as revenue_with_cost,
           sum(m.revenue) filter (where m.month between w.ps and w.pe) as prior_revenue,
           min(m.first_order_date) as first_order_date
    from windows w cross join account_month m
    group by all
),
ranked as (
    select *, row_number() over (partition by name order by revenue desc, account_id) as rank,
           sum(revenue) filter (where revenue > 0) over (partition by name) as positive
    from per_account
),
kpis as (
    select name, sum(revenue) as revenue, sum(cost) as cost, sum(revenue_with_cost) as revenue_with_cost,
           count(*) filter (where revenue > 0) as active,
           count(*) filter (where revenue > 0 and first_order_date >= s) as new,
           count(*) filter (where prior_revenue > 0 and coalesce(revenue, 0) <= 0) as lost,
           sum(revenue) filter (where revenue > 0 and rank <= 10) / any_value(positive) as top10_share,
           10000 * sum((revenue / positive) ^ 2) filter (where revenue > 0) as hhi
    from ranked group by name
),
trend as (
    select month, sum(revenue) as revenue from account_month
    where month between $trend_start and $e group by month
),
dims as (
    select a.region, a.industry, sum(m.revenue) as revenue
    from account_month m join accounts a using (account_id)
    where m.month between $s and $e group by all
),
top10 as (
    select r.account_id, a.account_name, a.ka_manager, r.revenue, r.revenue / r.positive as share,
           r.revenue_with_cost - r.cost as gross_profit, r.revenue / nullif(r.prior_revenue, 0) - 1 as change
    from ranked r join accounts a using (account_id)
    where r.name = 'current' and r.rank <= 10
),
health as ({health})
select (select list(kpis) from kpis) as kpis, (select list(trend) from trend) as trend,
       (select list(d) from (select region, sum(revenue) from dims group by region) d) as by_region,
       (select list(d) from (select industry, sum(revenue) from dims group by industry) d) as by_industry,
       (select list(top10) from top10) as top10,
       (select count(*) from health) as health_rows
"""

TIERS = """
with windows(name, s, e) as (values ('current', $s::date, $e::date), ('prior', $ps::date, $pe::date)),
per_account as (
    select w.name, m.account_id, sum(m.revenue) as revenue, sum(m.revenue_with_cost - m.cost) as gross_profit
    from windows w join account_month m on m.month between w.s and w.e
    group by all
),
shared as (
    select *, revenue / sum(revenue) filter (where revenue > 0) over (partition by name) as share,
           sum(revenue) filter (where revenue > 0) over (partition by name order by revenue desc, account_id
               rows between unbounded preceding and current row)
             / sum(revenue) filter (where revenue > 0) over (partition by name) as cumulative_share,
           sum(revenue) filter (where revenue > 0) over (partition by name order by revenue desc, account_id
               rows between unbounded preceding and 1 preceding)
             / sum(revenue) filter (where revenue > 0) over (partition by name) as share_before
    from per_account
),
tiered as (
    select s.*, case when revenue <= 0 then 'C' when coalesce(share_before, 0) < 0.8 then 'A'
                     when coalesce(share_before, 0) < 0.95 then 'B' else 'C' end as tier
    from shared s
),
visits_per_account as (
    select account_id, count(*) as visits from visits where visit_date between $s and $e_day group by account_id
),
current as (
    select t.*, a.region, a.industry, a.ka_manager, coalesce(v.visits, 0) as visits
    from tiered t join accounts a using (account_id) left join visits_per_account v using (account_id)
    where t.name = 'current'
),
migration as (
    select coalesce(p.tier, 'new') as tier_before, coalesce(c.tier, 'lost') as tier_after, count(*) as accounts
    from (select * from tiered where name = 'prior') p full join current c using (account_id)
    group by all
)
select (select list(x) from (select tier, count(*), sum(revenue), sum(gross_profit), sum(visits) from current group by tier) x) as summary,
       (select list(x) from (select tier, region, count(*), sum(revenue) from current group by all) x) as by_region,
       (select list(x) from (select tier, industry, count(*), sum(revenue) from current group by all) x) as by_industry,
       (select list(x) from (select tier, ka_manager, count(*), sum(revenue) from current group by all) x) as by_manager,
       (select list(x) from (select account_id, cumulative_share from current order by revenue desc limit 100) x) as pareto,
       (select list(migration) from migration) as migration,
       (select list(x) from (select account_id, tier, share, cumulative_share, revenue, gross_profit, visits
                             from current order by revenue desc limit 50) x) as top_rows
"""

WHATIF = """
with per_account as (
    select m.account_id, a.industry,
           sum(m.revenue) filter (where m.month between $s and $e) as revenue,
           sum(m.revenue_with_cost - m.cost) filter (where m.month between $s and $e) as gross_profit,
           sum(m.revenue) filter (where m.month between $ps and $pe) as prior_revenue,
           sum(m.revenue) filter (where m.month between $ys and $ye) as year_ago_revenue
    from account_month m join accounts a using (account_id)
    where m.month between $ys and $e
    group by all
),
shares as (
    select *, revenue / sum(revenue) filter (where revenue > 0) over () as share,
           sum(revenue) filter (where revenue > 0) over (order by revenue desc, account_id
               rows between unbounded preceding and 1 preceding) / sum(revenue) filter (where revenue > 0) over () as before,
           prior_revenue / sum(prior_revenue) filter (where prior_revenue > 0) over () as prior_share
    from per_account
),
tiered as (
    select *, case when coalesce(revenue, 0) <= 0 then 'C' when coalesce(before, 0) < 0.8 then 'A'
                   when coalesce(before, 0) < 0.95 then 'B' else 'C' end as tier
    from shares
)
select (select list(x) from (select account_id, industry, share, share * 1.0 as dependency_index from tiered
                             where share * 1.0 > 0.4) x) as alerts,
       (select list(x) from (select tier, count(*) filter (where year_ago_revenue > 0) as base,
                                    count(*) filter (where year_ago_revenue > 0 and revenue > 0) as retained,
                                    median(revenue) filter (where revenue > 0) as typical
                             from tiered group by tier) x) as retention,
       (select 10000 * sum(share ^ 2) filter (where share > 0) from tiered) as hhi,
       (select 10000 * sum(prior_share ^ 2) filter (where prior_share > 0) from tiered) as prior_hhi,
       (select list(share order by share) from tiered where share > 0) as lorenz,
       (select list(prior_share order by prior_share) from tiered where prior_share > 0) as prior_lorenz,
       (select sum(revenue) from tiered) as revenue, (select sum(gross_profit) from tiered) as gross_profit
"""

ACCOUNT = """
with period_totals as (
    select account_id, sum(revenue) as revenue from account_month where month between $s and $e group by account_id
),
chosen as (select $account_id as account_id),
months as (select * from account_month where account_id = $account_id),
health as ({health})
select (select list(x) from (select account_id, revenue / sum(revenue) over () as share from period_totals
                             order by revenue desc limit 50) x) as picker_top,
       (select a from accounts a where account_id = $account_id) as profile,
       (select list(x) from (select month, revenue, revenue_with_cost - cost as gross_profit, orders from months
                             where month between $trend_start and $e) x) as monthly,
       (select list(x) from (select category, sum(revenue) from account_category_month
                             where account_id = $account_id and month between $s and $e group by category) x) as mix,
       (select count(*) from visits where account_id = $account_id and visit_date > $e_day - interval 90 day) as visits_90d,
       (select count(*) from tickets where account_id = $account_id and opened_date > $e_day - interval 90 day) as tickets_90d,
       (select list(x) from (select order_id, order_date, count(*) as lines, sum(revenue) as revenue from transactions
                             where account_id = $account_id group by all order by order_date desc limit 20) x) as orders,
       (select list(health) from health where account_id = $account_id) as health
"""


def period_params(start: date) -> dict:
    from ka.periods import quarter_period

    period = quarter_period(start.year, (start.month - 1) // 3 + 1)
    prior, year_ago = period.prior(), period.year_ago()
    return {
        "s": period.start, "e": period.end.replace(day=1), "e_day": period.end,
        "ps": prior.start, "pe": prior.end.replace(day=1), "p2s": prior.prior().start, "p2e": prior.prior().end.replace(day=1),
        "ys": year_ago.start, "ye": year_ago.end.replace(day=1),
        "yps": year_ago.prior().start, "ype": year_ago.prior().end.replace(day=1),
        "trend_start": date(period.start.year - 1, 1, 1),
    }


def health_sql() -> str:
    from ka import db, scope

    if hasattr(scope, "scoped_sql"):  # before the SQL was composed by macros
        return scope.scoped_sql("health_measures")
    return db.load_sql("health_measures")


def floor_statements(con, start: date) -> dict:
    from ka import db
    from ka.scope import Scope

    params = period_params(start)
    as_of = params["e_day"]
    health = {**Scope().params(), "first_month": (as_of.replace(day=1) - timedelta(days=1)).replace(day=1),
              "last_month": as_of.replace(day=1)}
    account_id = db.query_rows(
        con, "select account_id from account_month where month between ? and ? group by 1 order by sum(revenue) desc limit 1",
        [params["s"], params["e"]])[0][0]
    used = lambda sql, values: {k: v for k, v in values.items() if f"${k}" in sql}  # noqa: E731
    statements = {
        "overview": (OVERVIEW.format(health=health_sql()), {**params, **health}),
        "tiers": (TIERS, params),
        "health": (health_sql(), health),
        "whatif": (WHATIF, params),
        "account": (ACCOUNT.format(health=health_sql()), {**params, **health, "account_id": account_id}),
    }
    return {name: (sql, used(sql, values)) for name, (sql, values) in statements.items()}


def time_floor(con, sql: str, params: dict, runs: int) -> float:
    con.execute(sql, params).fetchall()  # warm: file pages in memory
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        con.execute(sql, params).fetchall()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def time_scorecards_floor(con, period, runs: int) -> float:
    """The project's one scorecard statement, by manager, for the eight quarters of the page's trend
    (the last of which is the period), their visit cadence given."""
    from ka import kpi
    from ka.scope import Scope

    quarters = kpi.trend_quarters(period)
    cadences = kpi.read_cadences(con, quarters)
    kpi.read_scorecard_values(con, quarters, Scope(), "manager", cadences)
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        kpi.read_scorecard_values(con, quarters, Scope(), "manager", cadences)
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def time_loaders(page: str, period_key: str, runs: int) -> float:
    """Median time of the page's ctx.load / ctx.derive work on empty caches (AppTest, this process):
    what a period no one has looked at costs the page (health, too, measures as of the period's end)."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from ka.ui import cache

    spent = {"ms": 0.0, "depth": 0}
    evaluate = cache._evaluate

    def timed(*args, **kwargs):
        spent["depth"] += 1
        started = time.perf_counter()
        try:
            return evaluate(*args, **kwargs)
        finally:
            spent["depth"] -= 1
            if spent["depth"] == 0:
                spent["ms"] += (time.perf_counter() - started) * 1000

    cache._evaluate = timed
    timings = []
    try:
        for _ in range(runs + 1):
            st.cache_data.clear()
            if hasattr(cache, "_cached_large_call"):  # large results are kept as objects, in a cache of their own
                cache._cached_large_call.clear()
            spent["ms"] = 0.0
            app = AppTest.from_file(str(ROOT / "pages" / f"{page}.py"), default_timeout=300)
            app.session_state["filter_period_kind"] = "quarter"
            app.session_state["filter_period"] = period_key
            app.run()
            if app.exception:
                raise RuntimeError(f"{page}: {app.exception[0].message}")
            timings.append(spent["ms"])
    finally:
        cache._evaluate = evaluate
    return statistics.median(timings[1:])  # the first run also opens the database


def measure(db_path: str, pages: list[str], runs: int) -> dict:
    import os

    os.environ["KA_RADAR_DB"] = db_path
    from ka import i18n
    from ka.periods import period_key, quarter_period
    from ka.ui import cache

    i18n.set_language("en")
    period = quarter_period(2026, 2)
    out = {}
    for page in pages:
        loaders = time_loaders(page, period_key(period), runs)
        con = cache.open_database(db_path)
        statements = floor_statements(con.cursor(), period.start)
        if page == "scorecards":
            floor = time_scorecards_floor(con.cursor(), period, runs)
        else:
            sql, params = statements[page]
            floor = time_floor(con.cursor(), sql, params, runs)
        out[page] = {"loaders_ms": loaders, "floor_ms": floor, "ratio": loaders / floor}
        print(f"{page}: loaders {loaders:.0f} ms, single statement {floor:.0f} ms", flush=True)
    cache._served.clear()  # the served database the pages opened in this process
    return out
