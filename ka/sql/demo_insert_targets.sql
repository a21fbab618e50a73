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
