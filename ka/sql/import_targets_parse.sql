-- Target lines → typed rows, each with the first check it fails (import_table_rows.sql); rows from
-- import_picked.sql. import_metric_names (alias → KPI name, is_pct) comes from ka.kpi and the
-- scorecard names in both languages. Scope: KA manager (default when the file has no scope column)
-- or account; scope id '*' / 全部 / all = every manager (or account).
-- Percent KPIs read "85%" as 0.85; a plain number above 5 is refused for them (85 meant 85 %).
create or replace temp table import_parsed as
select
    picked.*,
    case
        when ka_blank(scope_text) then 'ka_manager'
        when ka_name_key(scope_text) in ('kamanager', 'manager', 'accountmanager', 'salesrep', '客户经理', '经理',
                                        '销售经理', '大客户经理', '销售', '负责人') then 'ka_manager'
        when ka_name_key(scope_text) in ('account', 'customer', 'client', '客户', '账户', '大客户') then 'account'
    end                                                         as scope,
    case
        when ka_name_key(scope_id_text) in ('*', 'all', '全部', '所有', '默认', 'default') then '*'
        else ka_id(scope_id_text)
    end                                                         as scope_id,
    ka_period_key(period_text) as period,
    names.metric,
    names.is_pct,
    case
        when ends_with(trim(target_text), '%') then (ka_number(rtrim(trim(target_text), '%')) / 100)::decimal(18,4)
        else ka_number(target_text)
    end                                                         as target,
    coalesce(
        ka_check_required_choice('scope', scope_text, scope),
        ka_check_required('scope_id', scope_id),
        ka_check_required_choice('period', period_text, period),
        ka_check_required_choice('metric', metric_text, metric),
        case
            when ka_blank(target_text) then ka_reject('target', 'no_value', target_text)
            when target is null then ka_reject('target', 'bad_number', target_text)
            when is_pct and abs(target) > 5 then ka_reject('target', 'pct_range', target_text)
        end
    ) as rejection
from import_picked as picked
left join import_metric_names as names on names.alias = ka_name_key(picked.metric_text);
