-- The appended tables (visits, tickets, surveys, strategic projects, relationships): which checked rows are new. A row's key
-- (<key>, fixed per table in ka/importing/kinds.py) is counted per file: the n-th line with
-- a key is that key's n-th occurrence. Across the files of a batch an occurrence counts once
-- (overlapping exports), and it is new only when <table> holds fewer rows with that key.
-- So re-importing a file adds nothing, and two real identical visits in one file are both kept.
create or replace temp table import_table_ready as
with numbered as (
    select
        * exclude (reason, reason_field, reason_value),
        row_number() over (partition by file_no, {key} order by line_no) as occurrence
    from import_table_rows
    where reason is null
),
in_batch as (
    select *
    from numbered
    qualify row_number() over (partition by {key}, occurrence order by file_no, line_no) = 1
),
stored as (
    select {key}, count(*) as stored_rows
    from {table}
    group by all
)
select in_batch.* exclude (occurrence)
from in_batch
left join stored on {key_match}
where in_batch.occurrence > coalesce(stored.stored_rows, 0);
