-- The what-if page's account-level frame: one row per scoped account that has order lines in the
-- period, the prior period or the same period a year ago. Revenue is net (returns subtract);
-- gross profit counts the lines whose cost is known (0 when none is). Sliders work on this frame,
-- never on transactions.
select
    a.account_id,
    a.account_name,
    a.account_name_en,
    coalesce(a.industry, '—')                  as industry,
    coalesce(c.revenue, 0)                     as revenue,
    coalesce(c.revenue_with_cost, 0)           as revenue_with_cost,
    coalesce(c.gross_profit, 0)                as gross_profit,
    coalesce(p.revenue, 0)                     as prior_revenue,
    coalesce(y.revenue, 0)                     as year_ago_revenue,
    c.account_id is not null                   as has_orders
from scoped_accounts($regions, $industries, $managers, $account_ids) as a
left join period_accounts($start, $end) as c using (account_id)
left join period_accounts($prior_start, $prior_end) as p using (account_id)
left join period_accounts($yoy_start, $yoy_end) as y using (account_id)
where c.account_id is not null or p.account_id is not null or y.account_id is not null
order by revenue desc, account_id
