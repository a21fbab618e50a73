-- Visit lines → typed rows, each with the first check it fails (import_table_rows.sql); rows from
-- import_picked.sql. The contact met is optional (it tells executive visits apart). A visit date
-- must lie in the import's date window ($date_first … $date_last).
create or replace temp table import_parsed as
select
    *,
    ka_date(visit_date_text, $day_first) as visit_date,
    ka_text(kind_text)                   as kind,
    ka_text(contact_name_text)           as contact_name,
    coalesce(
        ka_check_account(account_id),
        ka_check_required_date('visit_date', visit_date_text, visit_date, $date_first, $date_last)
    ) as rejection
from import_picked;
