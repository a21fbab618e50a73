-- The rows of a table batch as the merge and the report read them: the kind's parsed rows
-- (import_parsed, from its import_<table>_parse.sql) cut to the table's columns, with the first
-- failed check (ka_reject, import_macros.sql) spread into reason, reason_field and reason_value.
-- <columns> are the kind's columns (ka/importing/kinds.py).
create or replace temp table import_table_rows as
select
    file_no,
    line_no,
    {columns},
    rejection.reason as reason,
    rejection.field  as reason_field,
    rejection.value  as reason_value
from import_parsed
