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

grid_months as (
    select unnest(generate_series(
        greatest((select first_month from data_range), ($first_month - interval 14 month)::date)::timestamp,
        least((select last_month from data_range), ($last_month + interval 3 month)::date)::timestamp,
        interval 1 month
    ))::date as month
),

-- every account with an order in reach × every month: a dense grid, so "3 rows back" is "3 months back".
-- Ratios need no exact money: doubles aggregate several times faster than DECIMAL(18,4).
grid as (
    select
        g.account_id,
        m.month,
        coalesce(am.revenue::double, 0)            as revenue,
        coalesce(am.cost::double, 0)               as cost,
        coalesce(am.revenue_with_cost::double, 0)  as revenue_with_cost,
        coalesce(am.orders, 0)                     as orders,
        coalesce(am.products, 0)                   as products,
        am.first_order_date,
        am.last_order_date
    from (
        select distinct account_id
        from account_month
        where account_id in (select account_id from scoped_accounts)
          and month between ($first_month - interval 11 month)::date and $last_month
    ) as g
    cross join grid_months as m
    left join account_month as am on am.account_id = g.account_id and am.month = m.month
),

-- running totals from the grid's first month; a window's sum is a difference of two of them
running as (
    select
        account_id, month, first_order_date, last_order_date,
        sum(revenue) over upto            as cum_revenue,
        sum(orders) over upto             as cum_orders,
        sum(revenue_with_cost) over upto  as cum_revenue_with_cost,
        sum(cost) over upto               as cum_cost,
        sum(products) over upto           as cum_products,
        min(first_order_date) over year   as first_order_12m,
        max(last_order_date) over upto    as last_order_to_date
    from grid
    window
        upto as (partition by account_id order by month rows between unbounded preceding and current row),
        year as (partition by account_id order by month rows between 11 preceding and current row)
),

windows as (
    select
        account_id,
        month,
        cum_revenue - lag(cum_revenue, 3, 0) over w                                  as revenue_recent,
        lag(cum_revenue, 3, 0) over w - lag(cum_revenue, 6, 0) over w                as revenue_previous,
        lag(cum_revenue, 12, 0) over w - lag(cum_revenue, 15, 0) over w              as revenue_year_ago,
        lead(cum_revenue, 3) over w - cum_revenue                                    as revenue_next,
        cum_orders - lag(cum_orders, 3, 0) over w                                    as orders_recent,
        lag(cum_orders, 3, 0) over w - lag(cum_orders, 6, 0) over w                  as orders_previous,
        lead(cum_orders, 3) over w - cum_orders                                      as orders_next,
        cum_revenue_with_cost - lag(cum_revenue_with_cost, 3, 0) over w              as revenue_with_cost_recent,
        cum_cost - lag(cum_cost, 3, 0) over w                                        as cost_recent,
        lag(cum_revenue_with_cost, 3, 0) over w - lag(cum_revenue_with_cost, 6, 0) over w as revenue_with_cost_previous,
        lag(cum_cost, 3, 0) over w - lag(cum_cost, 6, 0) over w                      as cost_previous,
        (cum_products - lag(cum_products, 3, 0) over w) / 3.0                        as products_recent,
        (lag(cum_products, 3, 0) over w - lag(cum_products, 6, 0) over w) / 3.0      as products_previous,
        cum_revenue - lag(cum_revenue, 12, 0) over w                                 as revenue_12m,
        (cum_revenue_with_cost - lag(cum_revenue_with_cost, 12, 0) over w)
          - (cum_cost - lag(cum_cost, 12, 0) over w)                                 as gross_profit_12m,
        cum_orders - lag(cum_orders, 12, 0) over w                                   as orders_12m,
        first_order_12m,
        last_order_to_date                                                           as last_order_12m
    from running
    window w as (partition by account_id order by month)
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
        a.revenue_12m,
        a.gross_profit_12m,
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
