-- Every account in scope, with its revenue and share in the period (none if it did not buy),
-- largest first: the account picker lists lost accounts too, since those are the ones to look at.
with scoped_accounts as (
    select * from scoped_accounts($regions, $industries, $managers, $account_ids)
),

period_rows as (
    select * from period_rows($start, $end)
),

period_accounts as (
    select account_id, sum(revenue) as revenue
    from period_rows
    group by account_id
)

select
    a.account_id, a.account_name, a.account_name_en,
    p.revenue,
    p.revenue / sum(p.revenue) filter (where p.revenue > 0) over () as share
from scoped_accounts as a
left join period_accounts as p using (account_id)
order by p.revenue desc nulls last, a.account_id
