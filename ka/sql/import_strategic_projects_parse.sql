-- Strategic project lines → typed rows, each with the first check it fails (import_table_rows.sql);
-- rows from import_picked.sql. A project without a landed date has not landed yet; a landed date
-- must lie in the import's date window ($date_first … $date_last).
create or replace temp table import_parsed as
select
    *,
    ka_date(landed_date_text, $day_first) as landed_date,
    ka_text(name_text)                    as name,
    coalesce(
        ka_check_account(account_id),
        ka_check_required('name', name),
        ka_check_date('landed_date', landed_date_text, landed_date),
        ka_check_date_range('landed_date', landed_date_text, landed_date, $date_first, $date_last)
    ) as rejection
from import_picked;
