-- Action plan lines → typed rows with the reason a row cannot be imported (from
-- import_picked, see import_picked.sql). An action is one account's title and due date; status, priority and
-- reason_kind (why it was made) are read in English or Chinese (import_people_macros.sql); a blank
-- status is open, a blank reason_kind manual. Due and closing dates may lie ahead, but not outside $hard_first … $hard_last.
create or replace temp table import_table_rows as
with typed as (
    select
        *,
        ka_account(account_id_text, account_name_text)                as account_id,
        ka_text(action_title_text)                                    as title,
        ka_date(due_date_text, $day_first)                            as due_date,
        ka_date(closed_on_text, $day_first)                           as closed_on,
        ka_action_status(status_text)                                 as status_value,
        ka_priority(priority_text)                                    as priority,
        ka_action_reason(reason_kind_text)                            as reason_kind
    from import_picked as picked
),
checked as (
    select
        *,
        case
            when account_id is null then 'account_id'
            when title is null then 'action_title'
            when due_date is null then 'due_date'
            when due_date not between $hard_first and $hard_last then 'due_date'
            when not ka_blank(status_text) and status_value is null then 'status'
            when not ka_blank(priority_text) and priority is null then 'priority'
            when not ka_blank(reason_kind_text) and reason_kind is null then 'reason_kind'
            when not ka_blank(closed_on_text) and closed_on is null then 'closed_on'
            when closed_on not between $hard_first and $hard_last then 'closed_on'
        end as reason_field
    from typed
)
select
    file_no,
    line_no,
    account_id,
    title,
    ka_text(owner_text)        as owner,
    due_date,
    coalesce(status_value, 'open')        as status,
    priority,
    coalesce(reason_kind, 'manual') as reason_kind,
    ka_text(closing_note_text) as closing_note,
    closed_on,
    case
        when reason_field is null then null
        when reason_field = 'account_id' then 'no_account'
        when reason_field = 'action_title' then 'no_value'
        when reason_field = 'due_date' then ka_date_reason(due_date_text, due_date)
        when reason_field = 'closed_on' then ka_date_reason(closed_on_text, closed_on)
        else 'unknown_value'
    end as reason,
    reason_field,
    case reason_field
        when 'due_date' then due_date_text
        when 'closed_on' then closed_on_text
        when 'status' then status_text
        when 'priority' then priority_text
        when 'reason_kind' then reason_kind_text
    end as reason_value
from checked;
