-- Portfolio KPIs of one period, in the scope of the sidebar filters.
-- active = net revenue > 0 in the period; new = active and first order ever inside the period;
-- lost = active in the prior period and not active in this one. Shares (top-10, HHI) are of
-- the revenue of accounts with positive net revenue.
with current_accounts as (
    select account_id, revenue, cost, revenue_with_cost, orders
    from period_accounts($start, $end)
    where account_id in (select account_id from scoped_accounts($regions, $industries, $managers, $account_ids))
),

prior_active as (
    select account_id
    from period_accounts($prior_start, $prior_end)
    where revenue > 0
      and account_id in (select account_id from scoped_accounts($regions, $industries, $managers, $account_ids))
),

first_orders as (
    select account_id, min(first_order_date) as first_order_date
    from account_month
    where account_id in (select account_id from current_accounts)
    group by account_id
),

ranked as (
    select revenue, row_number() over (order by revenue desc, account_id) as revenue_rank
    from current_accounts
    where revenue > 0
),

concentration as (
    select
        sum(revenue)                                       as positive_revenue,
        sum(revenue) filter (where revenue_rank <= 10)     as top10_revenue
    from ranked
),

final as (
    select
        coalesce((select sum(revenue) from current_accounts), 0)            as revenue,
        (select sum(cost) from current_accounts)                            as cost,
        coalesce((select sum(revenue_with_cost) from current_accounts), 0)  as revenue_with_cost,
        coalesce((select sum(orders) from current_accounts), 0)             as orders,
        (select count(*) from current_accounts where revenue > 0)           as active_accounts,
        (select count(*) from current_accounts as c join first_orders as f using (account_id)
          where c.revenue > 0 and f.first_order_date >= $start)             as new_accounts,
        (select count(*) from prior_active
          where account_id not in (select account_id from current_accounts where revenue > 0)) as lost_accounts,
        (select positive_revenue from concentration)                        as positive_revenue,
        (select top10_revenue from concentration)                           as top10_revenue,
        (select sum(power(r.revenue * 100.0 / c.positive_revenue, 2))
           from ranked as r cross join concentration as c)                  as hhi
)

select * from final
