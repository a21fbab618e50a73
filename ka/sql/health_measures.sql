-- Raw health inputs of every account in scope, as of each month end from $first_month to $last_month.
-- Windows are whole calendar months ending with the as-of month (so health as of any month end
-- is read from account_month, never from transactions):
--   recent = the 3 months ending with the as-of month (≈ the last 90 days);
--   previous = the 3 months before those; year_ago = the same 3 months one year earlier;
--   year = the 12 months ending with the as-of month; next = the 3 months after (backtest only).
-- A window that starts before the data's first month is flagged incomplete (the measure then
-- has no data). Only accounts with an order line in the 12 months up to the as-of date are listed.
with scoped_accounts as (
    select * from scoped_accounts($regions, $industries, $managers, $account_ids)
),

data_range as (
    select min(month) as first_month, max(month) as last_month from account_month
),

-- ratios need no exact money: doubles aggregate several times faster than DECIMAL(18,4)
months as (
    select account_id, month, revenue::double as revenue, cost::double as cost,
           revenue_with_cost::double as revenue_with_cost, orders, products, first_order_date, last_order_date
    from account_month
    where account_id in (select account_id from scoped_accounts)
      and month between ($first_month - interval 14 month)::date and ($last_month + interval 3 month)::date
),

-- every window is one or four blocks of 3 months: recent = the block ending with the as-of month,
-- previous = the block before it, year_ago = the block ending 12 months earlier, next = the block
-- after, the 12 months = four blocks. A month belongs to the blocks ending with it and the 2 after.
blocks as (
    select
        m.account_id,
        (m.month + to_months(o.k))::date  as block_end,
        sum(m.revenue)                    as revenue,
        sum(m.orders)                     as orders,
        sum(m.revenue_with_cost)          as revenue_with_cost,
        sum(m.cost)                       as cost,
        sum(m.products)                   as products,
        min(m.first_order_date)           as first_order_date,
        max(m.last_order_date)            as last_order_date
    from months as m
    cross join (values (0), (1), (2)) as o(k)
    group by all
),

-- every as-of month of each account with a month of orders from 11 months before the first as-of month
-- to the last; as_of_rows keeps those with orders in their own 12 months (a cross join with the few
-- as-of months costs less than finding each account's months among its blocks)
account_months as (
    select a.account_id, m.month
    from (select distinct account_id from months
          where month between ($first_month - interval 11 month)::date and $last_month) as a
    cross join (select unnest(generate_series($first_month::date, $last_month::date, interval 1 month))::date as month) as m
),

-- materialized: computed once for the three activity joins and the final select (planned inline,
-- the full history took longer than the whole statement does now)
windows as materialized (
    select
        a.account_id,
        a.month,
        coalesce(r.revenue, 0)                                                        as revenue_recent,
        coalesce(p.revenue, 0)                                                        as revenue_previous,
        coalesce(y.revenue, 0)                                                        as revenue_year_ago,
        coalesce(n.revenue, 0)                                                        as revenue_next,
        coalesce(r.orders, 0)                                                         as orders_recent,
        coalesce(p.orders, 0)                                                         as orders_previous,
        coalesce(n.orders, 0)                                                         as orders_next,
        coalesce(r.revenue_with_cost, 0)                                              as revenue_with_cost_recent,
        coalesce(r.cost, 0)                                                           as cost_recent,
        coalesce(p.revenue_with_cost, 0)                                              as revenue_with_cost_previous,
        coalesce(p.cost, 0)                                                           as cost_previous,
        coalesce(r.products, 0) / 3.0                                                 as products_recent,
        coalesce(p.products, 0) / 3.0                                                 as products_previous,
        coalesce(r.revenue, 0) + coalesce(p.revenue, 0) + coalesce(b6.revenue, 0) + coalesce(b9.revenue, 0)
                                                                                      as revenue_12m,
        (coalesce(r.revenue_with_cost, 0) + coalesce(p.revenue_with_cost, 0)
          + coalesce(b6.revenue_with_cost, 0) + coalesce(b9.revenue_with_cost, 0))
          - (coalesce(r.cost, 0) + coalesce(p.cost, 0) + coalesce(b6.cost, 0) + coalesce(b9.cost, 0))
                                                                                      as gross_profit_12m,
        coalesce(r.orders, 0) + coalesce(p.orders, 0) + coalesce(b6.orders, 0) + coalesce(b9.orders, 0)
                                                                                      as orders_12m,
        least(r.first_order_date, p.first_order_date, b6.first_order_date, b9.first_order_date)
                                                                                      as first_order_12m,
        greatest(r.last_order_date, p.last_order_date, b6.last_order_date, b9.last_order_date)
                                                                                      as last_order_12m
    from account_months as a
    left join blocks as r  on r.account_id = a.account_id  and r.block_end = a.month
    left join blocks as p  on p.account_id = a.account_id  and p.block_end = (a.month - interval 3 month)::date
    left join blocks as b6 on b6.account_id = a.account_id and b6.block_end = (a.month - interval 6 month)::date
    left join blocks as b9 on b9.account_id = a.account_id and b9.block_end = (a.month - interval 9 month)::date
    left join blocks as y  on y.account_id = a.account_id  and y.block_end = (a.month - interval 12 month)::date
    left join blocks as n  on n.account_id = a.account_id  and n.block_end = (a.month + interval 3 month)::date
),

as_of_rows as (
    select
        w.*,
        last_day(w.month)                                         as as_of,
        (w.month - interval 2 month)::date >= d.first_month       as has_recent_window,
        (w.month - interval 5 month)::date >= d.first_month       as has_previous_window,
        (w.month - interval 14 month)::date >= d.first_month      as has_year_ago_window,
        (w.month + interval 3 month)::date <= d.last_month        as has_next_window
    from windows as w
    cross join data_range as d
    where w.month between $first_month and $last_month
      and w.orders_12m > 0
),

ticket_stats as (
    select
        a.account_id,
        a.month,
        count(*)                                                                    as tickets_recent,
        median(coalesce(least(t.resolved_date, a.as_of), a.as_of) - t.opened_date)  as median_resolution_days
    from as_of_rows as a
    join tickets as t
      on t.account_id = a.account_id
     and t.opened_date between (a.month - interval 2 month)::date and a.as_of
    group by all
),

latest_surveys as (
    select a.account_id, a.month, arg_max(s.nps, s.survey_date) as latest_nps
    from as_of_rows as a
    join surveys as s
      on s.account_id = a.account_id
     and s.survey_date > a.as_of - 365 and s.survey_date <= a.as_of
    where s.nps is not null
    group by all
),

last_visits as (
    select a.account_id, a.month, max(v.visit_date) as last_visit_date
    from as_of_rows as a
    join visits as v
      on v.account_id = a.account_id
     and v.visit_date > a.as_of - 365 and v.visit_date <= a.as_of
    group by all
),

activity_start as (
    select
        (select min(opened_date) from tickets)  as first_ticket_date,
        (select min(visit_date) from visits)    as first_visit_date
),

final as (
    select
        a.account_id,
        a.as_of,
        s.account_name,
        s.account_name_en,
        s.region,
        s.industry,
        s.ka_manager,
        a.revenue_recent,
        a.revenue_previous,
        a.revenue_year_ago,
        a.has_recent_window,
        a.has_previous_window,
        a.has_year_ago_window,
        a.orders_recent,
        a.orders_previous,
        (a.revenue_with_cost_recent - a.cost_recent) / nullif(a.revenue_with_cost_recent, 0)     as margin_recent,
        (a.revenue_with_cost_previous - a.cost_previous) / nullif(a.revenue_with_cost_previous, 0) as margin_previous,
        a.products_recent,
        a.products_previous,
        a.orders_12m,
        a.first_order_12m,
        a.last_order_12m                                                 as last_order_date,
        a.as_of - a.last_order_12m                                       as days_since_last_order,
        case when a.orders_12m >= 2
             then (a.last_order_12m - a.first_order_12m) / (a.orders_12m - 1) end as usual_interval_days,
        -- tickets count only where the ticket log had started by the as-of date
        case when act.first_ticket_date <= a.as_of then coalesce(t.tickets_recent, 0) end as tickets_recent,
        t.median_resolution_days,
        sv.latest_nps,
        case when act.first_visit_date <= a.as_of
             then coalesce(a.as_of - lv.last_visit_date, 365) end       as days_since_visit,
        c.contract_end_date - a.as_of                                    as days_to_contract_end,
        -- money leaves as DECIMAL: the doubles above sum fast, but 211.134 must not be shown or exported
        -- as 211.13400000000001
        a.revenue_12m::decimal(18, 4)                                    as revenue_12m,
        a.gross_profit_12m::decimal(18, 4)                               as gross_profit_12m,
        case when a.has_next_window then coalesce(a.revenue_next, 0) end as revenue_next,
        case when a.has_next_window then coalesce(a.orders_next, 0) end  as orders_next,
        a.has_next_window
    from as_of_rows as a
    join scoped_accounts as s using (account_id)
    join accounts as c using (account_id)
    cross join activity_start as act
    left join ticket_stats as t using (account_id, month)
    left join latest_surveys as sv using (account_id, month)
    left join last_visits as lv using (account_id, month)
)

select * from final
