-- Imported actions of the accounts of the scope, with the newest active import batch that wrote
-- each one (0: none recorded, e.g. the demo): an edit made in the app holds until a newer batch
-- changes the action (ka/action_plans.py).
with last_batch as (
    select r.account_id, r.title, r.due_date, max(r.batch_id) as batch_id
    from import_replaced_actions as r
    join import_batches as b using (batch_id)
    where b.status = 'active'
    group by all
)
select
    a.account_id, s.account_name, a.title, a.owner, a.due_date, a.status, a.priority, a.reason_kind,
    a.closing_note, a.closed_on, coalesce(l.batch_id, 0) as batch_id
from actions as a
join scoped_accounts($regions, $industries, $managers, $account_ids) as s using (account_id)
left join last_batch as l using (account_id, title, due_date)
order by a.account_id, a.due_date, a.title;
