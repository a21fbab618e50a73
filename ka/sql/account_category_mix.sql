-- One account's revenue and gross profit by product category in a period.
select
    coalesce(category, '—')                                   as category,
    sum(revenue)                                              as revenue,
    sum(revenue - cost) filter (where cost is not null)       as gross_profit,
    count(distinct product)                                   as products
from transactions
where account_id = $account_id
  and order_date between $start and $end
group by all
order by revenue desc
