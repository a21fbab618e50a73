-- Categories one account bought in the period and not in the 12 months before it (cross-sell,
-- as the scorecard counts it): an account without any order in those 12 months is new business,
-- so it has none.
with history as (
    select count(*) as months
    from account_month
    where account_id = $account_id and month between $history_start and $history_end
),

categories as (
    select
        category,
        sum(revenue)                                                  as revenue,
        bool_or(coalesce(previous_month < $history_start, true))      as is_new_category
    from account_category_month
    where account_id = $account_id and month between $start and $end and category is not null
    group by category
)

select category, revenue
from categories
where is_new_category and (select months from history) > 0
order by revenue desc, category
