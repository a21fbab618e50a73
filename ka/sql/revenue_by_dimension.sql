-- Revenue of the period by one account attribute ($dimension: region, industry or ka_manager).
with scoped_accounts as (
    select * from scoped_accounts($regions, $industries, $managers, $account_ids)
),

period_rows as (
    select * from period_rows($start, $end)
)

select
    coalesce(account_attribute(a.region, a.industry, a.ka_manager, $dimension), '—') as label,
    sum(p.revenue)                                      as revenue,
    sum(p.revenue_with_cost) - sum(p.cost)              as gross_profit,
    count(distinct p.account_id) filter (where p.revenue > 0) as accounts
from period_rows as p
join scoped_accounts as a using (account_id)
group by all
order by revenue desc
