-- The landed files of a table batch as one relation for the kind's parse SQL
-- (import_<table>_parse.sql): file_no, line_no and one <field>_text column per field of the kind
-- (null where the mapping has no column). {{picked}} is a union of selects over import_raw_<n>
-- built from generated names only (c0, c1, ... and the kind's fixed field names).
create or replace temp view import_picked as
{{picked}}
