-- The first later active batch that replaced a row batch $batch_id of <table> wrote (null: none),
-- for every upsert kind (<key>: the kind's key).
-- Undoing $batch_id first would lose that batch's changes, so it waits for that one's undo.
select min(later.batch_id)
from import_replaced_{table} as later
join import_batches using (batch_id)
where import_batches.status = 'active' and later.batch_id > $batch_id
  and ({key}) in (select {key} from import_replaced_{table} where batch_id = $batch_id)
