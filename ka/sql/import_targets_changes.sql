-- Targets upsert, checked before anything is written: per (scope, scope_id, period, metric) the
-- file's last line, compared with the stored target. previous_target null = a new target.
-- Targets the file leaves as stored are not in the result.
create or replace temp table import_table_ready as
with latest as (
    select * exclude (reason, reason_field, reason_value)
    from import_table_rows
    where reason is null
    qualify row_number() over (partition by scope, scope_id, period, metric order by file_no desc, line_no desc) = 1
),
stored as (
    select scope, scope_id, period, metric, any_value(target) as target
    from targets
    group by all
)
select latest.*, stored.target as previous_target, stored.target is null as was_new
from latest
left join stored using (scope, scope_id, period, metric)
where stored.target is distinct from latest.target;
