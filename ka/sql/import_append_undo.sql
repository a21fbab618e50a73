-- Undo an appended batch ($batch_id) of <table>: delete as many rows equal to each added row
-- as the batch added (identical rows cannot be told apart, so the table's rows end up exactly as
-- before). <columns>/<column_match> are fixed per table in ka/importing/kinds.py.
delete from {table}
where rowid in (
    select stored.rowid
    from (
        select rowid, {columns}, row_number() over (partition by {columns} order by rowid desc) as instance
        from {table}
    ) as stored
    join (
        select {columns}, count(*) as copies
        from import_added_{table}
        where batch_id = $batch_id
        group by all
    ) as added on {column_match}
    where stored.instance <= added.copies
);
