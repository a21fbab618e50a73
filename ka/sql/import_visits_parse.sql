-- Visit lines → typed rows with the reason a row cannot be imported (from import_picked, see import_picked.sql).
-- The contact met is optional (it tells executive visits apart). A visit date must lie in the import's date window ($date_first … $date_last).
create or replace temp table import_table_rows as
with typed as (
    select
        *,
        ka_account(account_id_text, account_name_text)                as account_id,
        ka_date(visit_date_text, $day_first)                          as visit_date
    from import_picked as picked
)
select
    file_no,
    line_no,
    account_id,
    visit_date,
    ka_text(kind_text) as kind,
    ka_text(contact_name_text) as contact_name,
    case
        when account_id is null then 'no_account'
        when visit_date is null or visit_date not between $date_first and $date_last
        then ka_date_reason(visit_date_text, visit_date)
    end as reason,
    case
        when account_id is null then 'account_id'
        when visit_date is null or visit_date not between $date_first and $date_last then 'visit_date'
    end as reason_field,
    case
        when account_id is not null and (visit_date is null or visit_date not between $date_first and $date_last)
        then visit_date_text
    end as reason_value
from typed;
