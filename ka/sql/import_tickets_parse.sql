-- Ticket / complaint lines → typed rows with the reason a row cannot be imported
-- (from import_picked, see import_picked.sql). A blank resolved date is an open ticket. Both dates must
-- lie in the import's date window ($date_first … $date_last).
create or replace temp table import_table_rows as
with typed as (
    select
        *,
        ka_account(account_id_text, account_name_text)                as account_id,
        ka_date(opened_date_text, $day_first)                         as opened_date,
        ka_date(resolved_date_text, $day_first)                       as resolved_date
    from import_picked as picked
),
checked as (
    select
        *,
        case
            when account_id is null then 'account_id'
            when opened_date is null then 'opened_date'
            when opened_date not between $date_first and $date_last then 'opened_date'
            when not ka_blank(resolved_date_text) and resolved_date is null then 'resolved_date'
            when resolved_date not between $date_first and $date_last then 'resolved_date'
            when resolved_date < opened_date then 'resolved_date'
        end as reason_field
    from typed
)
select
    file_no,
    line_no,
    account_id,
    opened_date,
    resolved_date,
    ka_text(severity_text) as severity,
    case
        when reason_field is null then null
        when reason_field = 'account_id' then 'no_account'
        when reason_field = 'opened_date' then ka_date_reason(opened_date_text, opened_date)
        when reason_field = 'resolved_date' and resolved_date not between $date_first and $date_last
        then 'date_out_of_range'
        when resolved_date < opened_date then 'resolved_before_opened'
        else 'bad_date'
    end as reason,
    reason_field,
    case reason_field
        when 'opened_date' then opened_date_text
        when 'resolved_date' then resolved_date_text
    end as reason_value
from checked;
