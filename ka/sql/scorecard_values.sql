-- Raw scorecard figures of one period per group ($level 'account': the account, 'manager': its KA manager).
-- Ratios are formed in ka/kpi.py from these counts and sums, so a manager's figure is pooled
-- over their accounts (never an average of account ratios). Definitions:
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
--   visits in the period; promised_visits_per_month: sum of the tier cadence of the accounts;
--   tickets_resolved / median_resolution_days: tickets resolved in the period, days from
--     opened to resolved (median over the group's tickets).
with cadence as (
    select
        unnest($cadence_account_ids::varchar[])        as account_id,
        unnest($cadence_visits_per_month::double[])    as visits_per_month
),

current_accounts as (
    select account_id, revenue, gross_profit from period_accounts($start, $end)
),

portfolio as (
    select sum(revenue_with_cost) - sum(cost) as gross_profit
    from period_accounts($start, $end)
),

last_orders as (
    select account_id, max(last_order_date) as last_order_date
    from account_month
    where revenue > 0
      and account_id in (select account_id from accounts where contract_end_date between $start and $end)
    group by account_id
),

nps as (
    select account_id, count(*) as surveys, sum(nps) as nps_sum
    from surveys
    where survey_date between $start and $end and nps is not null
    group by account_id
),

projects as (
    select account_id, count(*) as projects
    from strategic_projects
    where landed_date between $start and $end
    group by account_id
),

resolved_tickets as (
    select account_id, datediff('day', opened_date, resolved_date) as resolution_days
    from tickets
    where resolved_date between $start and $end
),

members as (
    select
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
        x.contract_end_date between $start and $end              as is_contract_ending,
        l.last_order_date > x.contract_end_date                  as has_ordered_after_end,
        s.revenue                                                as cross_sell_revenue,
        n.surveys,
        n.nps_sum,
        j.projects,
        v.visits,
        k.visits_per_month
    from scoped_accounts($regions, $industries, $managers, $account_ids) as a
    join accounts as x using (account_id)
    left join current_accounts as c using (account_id)
    left join period_accounts($prior_start, $prior_end) as p using (account_id)
    left join period_accounts($yoy_start, $yoy_end) as y using (account_id)
    left join cross_sell_revenue($start, $end, $history_start, $history_end) as s using (account_id)
    left join last_orders as l using (account_id)
    left join nps as n using (account_id)
    left join projects as j using (account_id)
    left join period_visits($start, $end) as v using (account_id)
    left join cadence as k using (account_id)
    -- accounts in play: revenue rows in this, the prior or last year's period, or a contract ending
    where c.account_id is not null or p.account_id is not null or y.account_id is not null
       or x.contract_end_date between $start and $end
),

group_tickets as (
    select m.group_id, count(*) as tickets_resolved, median(t.resolution_days) as median_resolution_days
    from resolved_tickets as t
    join members as m using (account_id)
    group by m.group_id
),

groups as (
    select
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
    group by group_id
),

final as (
    select
        g.*,
        (select gross_profit from portfolio)                                     as portfolio_gross_profit,
        coalesce(t.tickets_resolved, 0)                                          as tickets_resolved,
        t.median_resolution_days
    from groups as g
    left join group_tickets as t using (group_id)
)

select * from final
order by group_id
