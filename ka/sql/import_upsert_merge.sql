-- Write an upsert batch ($batch_id) of <table> from import_table_ready (import_upsert_changes.sql):
-- the rows it replaces into import_replaced_<table> first, then the new rows in their place.
insert into import_replaced_{table} (batch_id, was_new, {columns})
select $batch_id, was_new, {stored_columns} from import_table_ready;
delete from {table} where ({key}) in (select {key} from import_table_ready);
insert into {table} ({columns}) select {columns} from import_table_ready;
