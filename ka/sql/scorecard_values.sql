-- Raw scorecard figures per period and group ($level 'account': the account, 'manager': its KA
-- manager), for several periods at once: the scorecards read one, their trend eight quarters.
-- Period number i (0-based, period_index) runs from $starts[i] to $ends[i]; its prior period, the
-- same period a year earlier and its cross-sell history are $prior_…, $yoy_… and $history_…[i]
-- (ka/kpi.py draws them with ka.periods). Ratios are formed in ka/kpi.py from these counts and
-- sums, so a manager's figure is pooled over their accounts (never an average of account ratios).
-- Definitions:
--   revenue: net revenue in the period; yoy_revenue: the same period a year earlier;
--   gross_profit: revenue − cost over lines with a known cost; portfolio_gross_profit: the same
--     over the whole portfolio (all accounts, whatever the filters);
--   cross_sell_revenue: revenue in the period from categories the account had not bought in
--     the 12 months before the period; accounts without any purchase in those 12 months are
--     new business, not cross-sell, and count 0;
--   contracts_ending / contracts_renewed: contract_end_date inside the period / and the account
--     ordered after that date;
--   nps: mean survey score (the data holds one NPS score, −100…100, per survey) in the period;
--   prior_active / churned: net revenue > 0 in the prior period / and none (≤ 0) in this one;
--   strategic_prior_active / strategic_retained: the same, for accounts marked strategic;
--   visits in the period; promised_visits_per_month: sum of the tier cadence of the accounts
--     ($cadence_visits_per_month: per account of $cadence_account_ids, its cadence in each
--     period, NaN where it has no tier);
--   tickets_resolved / median_resolution_days: tickets resolved in the period, days from
--     opened to resolved (median over the group's tickets).
-- A span of whole months (from a 1st to a month's last day) reads the pre-aggregates, any other
-- the transactions of its exact days, as the macros period_rows and cross_sell_revenue do.
with periods as (
    select
        unnest(range(len($starts::date[])))  as period_index,
        unnest($starts::date[])              as start_date,
        unnest($ends::date[])                as end_date,
        unnest($prior_starts::date[])        as prior_start,
        unnest($prior_ends::date[])          as prior_end,
        unnest($yoy_starts::date[])          as yoy_start,
        unnest($yoy_ends::date[])            as yoy_end,
        unnest($history_starts::date[])      as history_start,
        unnest($history_ends::date[])        as history_end
),

cadence_lists as (
    select
        unnest($cadence_account_ids::varchar[])              as account_id,
        unnest($cadence_visits_per_month::double[][])        as visits_per_month
),

cadence as (
    select *
    from (
        select account_id, unnest(range(len(visits_per_month))) as period_index, unnest(visits_per_month) as visits_per_month
        from cadence_lists
    )
    where not isnan(visits_per_month)
),

-- the three spans whose account totals a period needs: itself, its prior, a year earlier
spans as (
    select period_index, 'current' as span, start_date as span_start, end_date as span_end,
           day(start_date) = 1 and end_date = last_day(end_date) as is_whole_months
    from periods
    union all
    select period_index, 'prior', prior_start, prior_end, day(prior_start) = 1 and prior_end = last_day(prior_end)
    from periods
    union all
    select period_index, 'yoy', yoy_start, yoy_end, day(yoy_start) = 1 and yoy_end = last_day(yoy_end)
    from periods
),

span_rows as (
    select s.period_index, s.span, m.account_id, m.revenue, m.cost, m.revenue_with_cost
    from spans as s
    join account_month as m on m.month between s.span_start and s.span_end
    where s.is_whole_months
    union all
    select s.period_index, s.span, t.account_id, t.revenue, t.cost,
           case when t.cost is not null then t.revenue end
    from spans as s
    join transactions as t on t.order_date between s.span_start and s.span_end
    where not s.is_whole_months
),

-- one row per period, span and account with order lines in the span; gross profit over the lines
-- whose cost is known, null when none is
span_accounts as (
    select
        period_index,
        span,
        account_id,
        sum(revenue)                                                 as revenue,
        coalesce(sum(revenue_with_cost), 0) - sum(cost)              as gross_profit
    from span_rows
    group by period_index, span, account_id
),

current_accounts as (select * from span_accounts where span = 'current'),
prior_accounts as (select * from span_accounts where span = 'prior'),
yoy_accounts as (select * from span_accounts where span = 'yoy'),

portfolio as (
    select period_index, coalesce(sum(revenue_with_cost), 0) - sum(cost) as gross_profit
    from span_rows
    where span = 'current'
    group by period_index
),

contracts_ending as (
    select p.period_index, a.account_id, a.contract_end_date
    from periods as p
    join accounts as a on a.contract_end_date between p.start_date and p.end_date
),

last_orders as (
    select account_id, max(last_order_date) as last_order_date
    from account_month
    where revenue > 0 and account_id in (select account_id from contracts_ending)
    group by account_id
),

-- cross-sell: whole months read the account × category × month pre-aggregate (a category is new
-- when its previous month lies before the history window), other periods the transactions
month_categories as (
    select p.period_index, c.account_id, c.category, sum(c.revenue) as revenue,
           bool_or(coalesce(c.previous_month < p.history_start, true)) as is_new_category
    from periods as p
    join account_category_month as c on c.month between p.start_date and p.end_date
    where day(p.start_date) = 1 and p.end_date = last_day(p.end_date) and c.category is not null
    group by p.period_index, c.account_id, c.category
),

month_history_accounts as (
    select distinct p.period_index, m.account_id
    from periods as p
    join account_month as m on m.month between p.history_start and p.history_end
    where day(p.start_date) = 1 and p.end_date = last_day(p.end_date)
),

day_periods as (
    select * from periods where not (day(start_date) = 1 and end_date = last_day(end_date))
),

day_categories as (
    select p.period_index, t.account_id, t.category, sum(t.revenue) as revenue
    from day_periods as p
    join transactions as t on t.order_date between p.start_date and p.end_date
    where t.category is not null
    group by p.period_index, t.account_id, t.category
),

day_history_lines as (
    select p.period_index, t.account_id, t.category
    from day_periods as p
    join transactions as t on t.order_date between p.history_start and p.history_end
),

cross_sell as (
    select c.period_index, c.account_id, sum(c.revenue) as revenue
    from month_categories as c
    semi join month_history_accounts as h using (period_index, account_id)
    where c.is_new_category
    group by c.period_index, c.account_id
    union all
    select c.period_index, c.account_id, sum(c.revenue) as revenue
    from day_categories as c
    semi join (select distinct period_index, account_id from day_history_lines) as h using (period_index, account_id)
    anti join day_history_lines as n using (period_index, account_id, category)
    group by c.period_index, c.account_id
),

nps as (
    select p.period_index, s.account_id, count(*) as surveys, sum(s.nps) as nps_sum
    from periods as p
    join surveys as s on s.survey_date between p.start_date and p.end_date
    where s.nps is not null
    group by p.period_index, s.account_id
),

projects as (
    select p.period_index, j.account_id, count(*) as projects
    from periods as p
    join strategic_projects as j on j.landed_date between p.start_date and p.end_date
    group by p.period_index, j.account_id
),

visits as (
    select p.period_index, v.account_id, count(*) as visits
    from periods as p
    join visits as v on v.visit_date between p.start_date and p.end_date
    group by p.period_index, v.account_id
),

resolved_tickets as (
    select p.period_index, t.account_id, datediff('day', t.opened_date, t.resolved_date) as resolution_days
    from periods as p
    join tickets as t on t.resolved_date between p.start_date and p.end_date
),

-- accounts in play: revenue rows in the period, its prior or last year's period, or a contract ending
in_play as (
    select period_index, account_id from span_accounts
    union
    select period_index, account_id from contracts_ending
),

members as (
    select
        i.period_index,
        a.account_id,
        case when $level = 'manager' then coalesce(a.ka_manager, '') else a.account_id end as group_id,
        a.account_name,
        a.account_name_en,
        a.ka_manager,
        a.is_strategic,
        c.revenue,
        -- no rows in the period: no gross profit (0); rows without any known cost: unknown (null)
        case when c.account_id is null then 0 else c.gross_profit end  as gross_profit,
        y.revenue                                                as yoy_revenue,
        coalesce(p.revenue, 0) > 0                               as is_prior_active,
        coalesce(c.revenue, 0) <= 0                              as has_no_revenue,
        e.account_id is not null                                 as is_contract_ending,
        l.last_order_date > e.contract_end_date                  as has_ordered_after_end,
        s.revenue                                                as cross_sell_revenue,
        n.surveys,
        n.nps_sum,
        j.projects,
        v.visits,
        k.visits_per_month
    from in_play as i
    join scoped_accounts($regions, $industries, $managers, $account_ids) as a using (account_id)
    left join current_accounts as c using (period_index, account_id)
    left join prior_accounts as p using (period_index, account_id)
    left join yoy_accounts as y using (period_index, account_id)
    left join contracts_ending as e using (period_index, account_id)
    left join last_orders as l using (account_id)
    left join cross_sell as s using (period_index, account_id)
    left join nps as n using (period_index, account_id)
    left join projects as j using (period_index, account_id)
    left join visits as v using (period_index, account_id)
    left join cadence as k using (period_index, account_id)
),

group_tickets as (
    select m.period_index, m.group_id, count(*) as tickets_resolved,
           median(t.resolution_days) as median_resolution_days
    from resolved_tickets as t
    join members as m using (period_index, account_id)
    group by m.period_index, m.group_id
),

groups as (
    select
        period_index,
        group_id,
        min(account_name)                                                        as account_name,
        min(account_name_en)                                                     as account_name_en,
        min(ka_manager)                                                          as ka_manager,
        count(*)                                                                 as accounts,
        coalesce(sum(revenue), 0)                                                as revenue,
        sum(yoy_revenue)                                                         as yoy_revenue,
        sum(gross_profit)                                                        as gross_profit,
        coalesce(sum(cross_sell_revenue), 0)                                     as cross_sell_revenue,
        count(*) filter (where is_contract_ending)                               as contracts_ending,
        count(*) filter (where is_contract_ending and has_ordered_after_end)     as contracts_renewed,
        coalesce(sum(surveys), 0)                                                as nps_surveys,
        sum(nps_sum)                                                             as nps_sum,
        count(*) filter (where is_prior_active)                                  as prior_active,
        count(*) filter (where is_prior_active and has_no_revenue)               as churned,
        coalesce(sum(projects), 0)                                               as strategic_projects,
        count(*) filter (where is_strategic)                                     as strategic_accounts,
        count(*) filter (where is_strategic and is_prior_active)                 as strategic_prior_active,
        count(*) filter (where is_strategic and is_prior_active and not has_no_revenue) as strategic_retained,
        coalesce(sum(visits), 0)                                                 as visits,
        sum(visits_per_month)                                                    as promised_visits_per_month
    from members
    group by period_index, group_id
),

final as (
    select
        g.*,
        o.gross_profit                                                           as portfolio_gross_profit,
        coalesce(t.tickets_resolved, 0)                                          as tickets_resolved,
        t.median_resolution_days
    from groups as g
    left join portfolio as o using (period_index)
    left join group_tickets as t using (period_index, group_id)
)

select * from final
order by period_index, group_id
