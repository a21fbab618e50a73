-- Revenue targets per KA manager and quarter: the same quarter a year earlier plus 10 %,
-- rounded to ten thousand yuan (the way targets are usually set).
insert into targets (scope, scope_id, period, metric, target)
with quarterly as (
    select
        ka_manager,
        date_trunc('quarter', order_date)::date as quarter_start,
        sum(revenue)                            as revenue
    from transactions
    group by all
)
select
    'ka_manager'                                                          as scope,
    ka_manager                                                            as scope_id,
    strftime(quarter_start + interval 1 year, '%Y') || '-Q' || quarter(quarter_start) as period,
    'revenue'                                                             as metric,
    round(revenue * 1.1, -4)::decimal(18,4)                             as target
from quarterly
;

-- Company-wide default targets (scope_id '*': every KA manager, or every account, in every quarter
-- of the data). For managers, gross-profit contribution and cross-sell revenue depend on a
-- manager's book and are left without a default; visits are judged against the tier cadence when
-- no target is set; the action-plan and relationship KPIs have the targets a director would start
-- from. For accounts, the KPIs an account review shows.
insert into targets (scope, scope_id, period, metric, target)
with quarters as (
    select distinct strftime(date_trunc('quarter', order_date), '%Y') || '-Q' || quarter(order_date) as period
    from transactions
),

defaults (scope, metric, target) as (
    values
        ('ka_manager', 'renewal_rate', 0.85),
        ('ka_manager', 'nps', 30),
        ('ka_manager', 'churn_rate', 0.05),
        ('ka_manager', 'revenue_growth', 0.10),
        ('ka_manager', 'strategic_projects', 1),
        ('ka_manager', 'strategic_retention', 1.00),
        ('ka_manager', 'resolution_days', 5),
        ('ka_manager', 'actions_on_time', 0.80),
        ('ka_manager', 'executive_visit_compliance', 0.90),
        ('ka_manager', 'relationship_coverage', 0.80),
        ('account', 'nps', 30),
        ('account', 'revenue_growth', 0.10),
        ('account', 'resolution_days', 5)
)

select d.scope, '*', q.period, d.metric, d.target::decimal(18,4)
from quarters as q
cross join defaults as d
;

-- Revenue targets per account and quarter, set like the managers' (the same quarter a year
-- earlier plus 10 %, to ten thousand yuan); accounts without revenue a year earlier have none.
insert into targets (scope, scope_id, period, metric, target)
with quarterly as (
    select
        account_id,
        date_trunc('quarter', order_date)::date as quarter_start,
        sum(revenue)                            as revenue
    from transactions
    group by all
)
select
    'account',
    account_id,
    strftime(quarter_start + interval 1 year, '%Y') || '-Q' || quarter(quarter_start),
    'revenue',
    round(revenue * 1.1, -4)::decimal(18,4)
from quarterly
where revenue > 0
;
