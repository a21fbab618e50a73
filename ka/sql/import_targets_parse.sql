-- Target lines → typed rows with the reason a row cannot be imported (from
-- import_picked, see import_picked.sql). import_metric_names (alias → KPI name, is_pct) comes from ka.kpi
-- and the scorecard names in both languages. Scope: KA manager (default when the file has no
-- scope column) or account; scope id '*' / 全部 / all = every manager (or account).
-- Percent KPIs read "85%" as 0.85; a plain number above 5 is refused for them (85 meant 85 %).
create or replace temp table import_table_rows as
with typed as (
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
        ka_period_key(period_text)                                  as period,
        names.metric,
        names.is_pct,
        case
            when ends_with(trim(target_text), '%') then (ka_number(rtrim(trim(target_text), '%')) / 100)::decimal(18,4)
            else ka_number(target_text)
        end                                                         as target
    from import_picked as picked
    left join import_metric_names as names on names.alias = ka_name_key(picked.metric_text)
),
checked as (
    select
        *,
        case
            when scope is null then 'scope'
            when scope_id is null then 'scope_id'
            when period is null then 'period'
            when metric is null then 'metric'
            when target is null then 'target'
            when is_pct and abs(target) > 5 then 'target'
        end as reason_field
    from typed
)
select
    file_no,
    line_no,
    scope,
    scope_id,
    period,
    metric,
    target,
    case
        when reason_field is null then null
        when reason_field = 'scope_id' then 'no_value'
        when reason_field in ('scope', 'period', 'metric') and not ka_blank(
            case reason_field when 'scope' then scope_text when 'period' then period_text else metric_text end
        ) then 'unknown_value'
        when reason_field in ('period', 'metric') then 'no_value'
        when ka_blank(target_text) then 'no_value'
        when target is null then 'bad_number'
        else 'pct_range'
    end as reason,
    reason_field,
    case reason_field
        when 'scope' then scope_text
        when 'period' then period_text
        when 'metric' then metric_text
        when 'target' then target_text
    end as reason_value
from checked;
