-- Revenue of the period by one account attribute ({{dimension}} comes from a fixed whitelist).
with scoped_accounts as (
    {{scoped_accounts}}
),

period_rows as (
    {{period_source}}
)

select
    coalesce(a.{{dimension}}, '—')                      as label,
    sum(p.revenue)                                      as revenue,
    sum(p.revenue_with_cost) - sum(p.cost)              as gross_profit,
    count(distinct p.account_id) filter (where p.revenue > 0) as accounts
from period_rows as p
join scoped_accounts as a using (account_id)
group by all
order by revenue desc
