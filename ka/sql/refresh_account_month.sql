-- Account × month pre-aggregate of transactions. Pages read this, never transactions.
-- revenue_with_cost is the revenue of lines whose cost is known, so margin = (that − cost) / that.
insert into account_month
select
    account_id,
    date_trunc('month', order_date)::date                  as month,
    sum(revenue)                                           as revenue,
    sum(cost)                                              as cost,
    coalesce(sum(revenue) filter (where cost is not null), 0) as revenue_with_cost,
    count(distinct order_id)::integer                      as orders,
    count(*)::integer                                      as lines,
    count(distinct product)::integer                       as products,
    min(order_date)                                        as first_order_date,
    max(order_date)                                        as last_order_date
from transactions
{{scope}}
group by all
