-- Per window and account of the scope with order lines in the window: revenue and gross profit, what
-- tiers are drawn from (account_tier_values.sql for one window, with the account's names and visits:
-- a test holds the two together), for several windows at once. Window number i (0-based,
-- window_index) runs from $starts[i] to $ends[i]. Gross profit counts the lines whose cost is known;
-- an account without any known cost has 0. A window of whole months (from a 1st to a month's last
-- day) reads the account_month pre-aggregate, any other the transactions of its exact days, as the
-- macro period_rows does.
with windows as (
    select
        unnest(range(len($starts::date[])))  as window_index,
        unnest($starts::date[])              as start_date,
        unnest($ends::date[])                as end_date
),

window_rows as (
    select w.window_index, m.account_id, m.revenue, m.cost, m.revenue_with_cost
    from windows as w
    join account_month as m on m.month between w.start_date and w.end_date
    where day(w.start_date) = 1 and w.end_date = last_day(w.end_date)
    union all
    select w.window_index, t.account_id, t.revenue, t.cost, case when t.cost is not null then t.revenue end
    from windows as w
    join transactions as t on t.order_date between w.start_date and w.end_date
    where not (day(w.start_date) = 1 and w.end_date = last_day(w.end_date))
),

final as (
    select
        r.window_index,
        r.account_id,
        sum(r.revenue)                                                       as revenue,
        coalesce(coalesce(sum(r.revenue_with_cost), 0) - sum(r.cost), 0)     as gross_profit
    from window_rows as r
    semi join scoped_accounts($regions, $industries, $managers, $account_ids) as a using (account_id)
    group by r.window_index, r.account_id
)

select * from final
order by window_index, account_id
