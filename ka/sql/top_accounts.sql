-- The largest accounts of the period, with share and change against the prior period.
with scoped_accounts as (
    select * from scoped_accounts($regions, $industries, $managers, $account_ids)
),

period_rows as (
    select * from period_rows($start, $end)
),

prior_rows as (
    select * from period_rows($prior_start, $prior_end)
),

current_accounts as (
    select account_id, sum(revenue) as revenue, sum(revenue_with_cost) - sum(cost) as gross_profit,
           sum(orders) as orders
    from period_rows
    group by account_id
),

prior_accounts as (
    select account_id, sum(revenue) as prior_revenue
    from prior_rows
    group by account_id
),

scoped_current as (
    select a.account_id, a.account_name, a.account_name_en, a.industry, a.region, a.ka_manager,
           c.revenue, c.gross_profit, c.orders
    from current_accounts as c
    join scoped_accounts as a using (account_id)
),

final as (
    select
        s.*,
        s.revenue / sum(s.revenue) filter (where s.revenue > 0) over ()  as share,
        p.prior_revenue,
        (s.revenue - p.prior_revenue) / abs(p.prior_revenue)              as change
    from scoped_current as s
    left join prior_accounts as p using (account_id)
)

select * from final
order by revenue desc, account_id
limit $limit
