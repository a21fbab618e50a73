-- The landed files of a table batch as one relation for the kind's parse SQL
-- (import_<table>_parse.sql): file_no, line_no, one <field>_text column per field of the kind (null
-- where the mapping has no column) and, for kinds about an account, account_id (ka_account: its id,
-- else its name). <picked> is a union of selects over import_raw_<n> (tables._picked_columns).
create or replace temp view import_picked as
{picked}
