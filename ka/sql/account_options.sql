-- Every account in scope, with its revenue and share in the period (none if it did not buy),
-- largest first: the account picker lists lost accounts too, since those are the ones to look at.
select
    a.account_id, a.account_name, a.account_name_en,
    p.revenue,
    p.revenue / sum(p.revenue) filter (where p.revenue > 0) over () as share
from scoped_accounts($regions, $industries, $managers, $account_ids) as a
left join period_accounts($start, $end) as p using (account_id)
order by p.revenue desc nulls last, a.account_id
