-- Undo an upsert batch ($batch_id) of <table>: the rows it wrote go, the rows it replaced come back.
delete from {table}
where ({key}) in (select {key} from import_replaced_{table} where batch_id = $batch_id);
insert into {table} ({columns})
select {columns} from import_replaced_{table} where batch_id = $batch_id and not was_new;
