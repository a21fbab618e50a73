-- Action plan lines → typed rows, each with the first check it fails (import_table_rows.sql); rows
-- from import_picked.sql. An action is one account's title and due date; status, priority and
-- reason_kind (why it was made) are read in English or Chinese (import_people_macros.sql); a blank
-- status is open, a blank reason_kind manual. Due and closing dates may lie ahead, but not outside
-- $hard_first … $hard_last.
create or replace temp table import_parsed as
select
    *,
    ka_text(action_title_text)            as title,
    ka_text(owner_text)                   as owner,
    ka_date(due_date_text, $day_first)    as due_date,
    ka_action_status(status_text)         as status_value,
    ka_priority(priority_text)            as priority,
    ka_action_reason(reason_kind_text)    as reason_kind_value,
    ka_text(closing_note_text)            as closing_note,
    ka_date(closed_on_text, $day_first)   as closed_on,
    coalesce(status_value, 'open')        as status,
    coalesce(reason_kind_value, 'manual') as reason_kind,
    coalesce(
        ka_check_account(account_id),
        ka_check_required('action_title', title),
        ka_check_required_date('due_date', due_date_text, due_date, $hard_first, $hard_last),
        ka_check_choice('status', status_text, status_value),
        ka_check_choice('priority', priority_text, priority),
        ka_check_choice('reason_kind', reason_kind_text, reason_kind_value),
        ka_check_date('closed_on', closed_on_text, closed_on),
        ka_check_date_range('closed_on', closed_on_text, closed_on, $hard_first, $hard_last)
    ) as rejection
from import_picked;
