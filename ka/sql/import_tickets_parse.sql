-- Ticket / complaint lines → typed rows, each with the first check it fails (import_table_rows.sql);
-- rows from import_picked.sql. A blank resolved date is an open ticket. Both dates must lie in the
-- import's date window ($date_first … $date_last).
create or replace temp table import_parsed as
select
    *,
    ka_date(opened_date_text, $day_first)   as opened_date,
    ka_date(resolved_date_text, $day_first) as resolved_date,
    ka_text(severity_text)                  as severity,
    coalesce(
        ka_check_account(account_id),
        ka_check_required_date('opened_date', opened_date_text, opened_date, $date_first, $date_last),
        ka_check_date('resolved_date', resolved_date_text, resolved_date),
        ka_check_date_range('resolved_date', resolved_date_text, resolved_date, $date_first, $date_last),
        case when resolved_date < opened_date
        then ka_reject('resolved_date', 'resolved_before_opened', resolved_date_text) end
    ) as rejection
from import_picked;
