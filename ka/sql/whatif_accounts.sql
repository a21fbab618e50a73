-- The what-if page's account-level frame: one row per scoped account that has order lines in the
-- period, the prior period or the same period a year ago. Revenue is net (returns subtract);
-- gross profit counts the lines whose cost is known (0 when none is). Sliders work on this frame,
-- never on transactions.
with scoped_accounts as (
    select * from scoped_accounts($regions, $industries, $managers, $account_ids)
),

period_rows as (
    select * from period_rows($start, $end)
),

prior_rows as (
    select * from period_rows($prior_start, $prior_end)
),

year_ago_rows as (
    select * from period_rows($yoy_start, $yoy_end)
),

current_accounts as (
    select
        account_id,
        sum(revenue)                                     as revenue,
        sum(revenue_with_cost)                           as revenue_with_cost,
        coalesce(sum(revenue_with_cost) - sum(cost), 0)  as gross_profit
    from period_rows
    group by account_id
),

prior_accounts as (
    select account_id, sum(revenue) as prior_revenue
    from prior_rows
    group by account_id
),

year_ago_accounts as (
    select account_id, sum(revenue) as year_ago_revenue
    from year_ago_rows
    group by account_id
),

final as (
    select
        a.account_id,
        a.account_name,
        a.account_name_en,
        coalesce(a.industry, '—')                  as industry,
        coalesce(c.revenue, 0)                     as revenue,
        coalesce(c.revenue_with_cost, 0)           as revenue_with_cost,
        coalesce(c.gross_profit, 0)                as gross_profit,
        coalesce(p.prior_revenue, 0)               as prior_revenue,
        coalesce(y.year_ago_revenue, 0)            as year_ago_revenue,
        c.account_id is not null                   as has_orders
    from scoped_accounts as a
    left join current_accounts as c using (account_id)
    left join prior_accounts as p using (account_id)
    left join year_ago_accounts as y using (account_id)
    where c.account_id is not null or p.account_id is not null or y.account_id is not null
)

select * from final
order by revenue desc, account_id
