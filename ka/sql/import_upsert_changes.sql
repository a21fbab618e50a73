-- Contacts, account team, actions: an upsert, checked before anything is written. Per key
-- (<key>, fixed per table in ka/importing/kinds.py) the file's last line, merged with the
-- stored row: <merged> takes the file's value of every column the mapping has and keeps the
-- stored value of the others. Rows the file leaves as stored are not in the result; stored_*
-- are the values the batch replaces (undo puts them back), was_new a row the batch creates.
create or replace temp table import_table_ready as
with latest as (
    select * exclude (reason, reason_field, reason_value)
    from import_table_rows
    where reason is null
    qualify row_number() over (partition by {key} order by file_no desc, line_no desc) = 1
),
stored as (
    select *, true as present from {table}
),
merged as (
    select
        latest.file_no,
        latest.line_no,
        {merged},
        {stored},
        stored.present is null as was_new
    from latest
    left join stored on {key_match}
)
select *
from merged
where was_new or ({new_values}) is distinct from ({stored_values});
