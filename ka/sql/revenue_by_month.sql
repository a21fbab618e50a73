-- Revenue and gross profit per calendar month for the scoped accounts.
with scoped_accounts as (
    select * from scoped_accounts($regions, $industries, $managers, $account_ids)
)

select
    month,
    sum(revenue)                         as revenue,
    sum(revenue_with_cost) - sum(cost)   as gross_profit,
    count(*) filter (where revenue > 0)  as active_accounts
from account_month
where month between $start and $end
  and account_id in (select account_id from scoped_accounts)
group by month
order by month
