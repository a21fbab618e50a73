-- One account's latest orders up to $until (null: all; an order's lines summed), newest first.
select
    order_id,
    min(order_date)                                  as order_date,
    count(*)                                         as lines,
    sum(revenue)                                     as revenue,
    string_agg(distinct category, ' · ' order by category) as categories
from transactions
where account_id = $account_id
  and ($until is null or order_date <= $until)
group by order_id
order by order_date desc, order_id desc
limit $limit
