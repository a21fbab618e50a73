-- Rebuild the pre-aggregates of the accounts in $account_ids (null: every account), after an
-- import or undo changed their transactions. Statements run one after the other (ka/db.py).
-- account_month is what pages read instead of transactions; revenue_with_cost is the revenue of
-- lines whose cost is known, so margin = (that − cost) / that.
delete from account_month
where $account_ids is null or list_contains($account_ids, account_id);

insert into account_month
select *
from transactions_by_month(date '0001-01-01', date '9999-12-31')
where $account_ids is null or list_contains($account_ids, account_id);

-- Account × category × month, for cross-sell revenue. previous_month: the account's previous
-- month with an order line in the category (null: first ever), so "not bought in the 12 months
-- before" needs no scan of the history. Lines without a category keep a null category (never
-- cross-sell). Rows in month order, so a period's scan skips the other row groups.
delete from account_category_month
where $account_ids is null or list_contains($account_ids, account_id);

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
    where $account_ids is null or list_contains($account_ids, account_id)
    group by all
)
order by month, account_id;
