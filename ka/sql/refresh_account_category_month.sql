-- Account × category × month pre-aggregate of transactions (cross-sell revenue reads this).
-- previous_month: the account's previous month with an order line in the category (null: first
-- ever), so "not bought in the 12 months before" needs no scan of the history.
-- Lines without a category keep a null category; they never count as cross-sell.
insert into account_category_month
select *, lag(month) over (partition by account_id, category order by month) as previous_month
from (
    select
        account_id,
        category,
        date_trunc('month', order_date)::date  as month,
        sum(revenue)                           as revenue,
        count(*)::integer                      as lines
    from transactions
    {{scope}}
    group by all
)
order by month, account_id
