-- Portfolio KPIs of one period, in the scope of the sidebar filters.
-- active = net revenue > 0 in the period; new = active and first order ever inside the period;
-- lost = active in the prior period and not active in this one. Shares (top-10, HHI) are of
-- the revenue of accounts with positive net revenue.
-- One row per account of either period, then one aggregate over them: few joins keep DuckDB's search
-- for a join order short (with a scalar subquery per figure, that search was half the statement's time).
with per_account as (
    select
        account_id,
        sum(revenue) filter (where is_current)            as revenue,
        sum(cost) filter (where is_current)               as cost,
        sum(revenue_with_cost) filter (where is_current)  as revenue_with_cost,
        sum(orders) filter (where is_current)             as orders,
        coalesce(sum(revenue) filter (where not is_current) > 0, false) as was_active
    from (
        select true as is_current, account_id, revenue, cost, revenue_with_cost, orders
        from period_accounts($start, $end)
        union all
        select false, account_id, revenue, null, null, null
        from period_accounts($prior_start, $prior_end)
    )
    where account_id in (select account_id from scoped_accounts($regions, $industries, $managers, $account_ids))
    group by account_id
),

-- accounts with an order line before the period: an active account outside this list is new
earlier_buyers as (
    select distinct account_id
    from account_month
    where first_order_date < $start
),

ranked as (
    select
        p.*,
        e.account_id is null                                                  as is_first_time,
        row_number() over (partition by p.revenue > 0 order by p.revenue desc, p.account_id) as revenue_rank,
        sum(p.revenue) filter (where p.revenue > 0) over ()                   as positive_total
    from per_account as p
    left join earlier_buyers as e using (account_id)
)

select
    coalesce(sum(revenue), 0)                                              as revenue,
    sum(cost)                                                              as cost,
    coalesce(sum(revenue_with_cost), 0)                                    as revenue_with_cost,
    coalesce(sum(orders), 0)                                               as orders,
    count(*) filter (where revenue > 0)                                    as active_accounts,
    count(*) filter (where revenue > 0 and is_first_time)                  as new_accounts,
    count(*) filter (where was_active and not coalesce(revenue > 0, false)) as lost_accounts,
    sum(revenue) filter (where revenue > 0)                                as positive_revenue,
    sum(revenue) filter (where revenue > 0 and revenue_rank <= 10)         as top10_revenue,
    sum(power(revenue * 100.0 / positive_total, 2)) filter (where revenue > 0) as hhi
from ranked
