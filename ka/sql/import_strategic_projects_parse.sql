-- Strategic project lines → typed rows with the reason a row cannot be imported (from
-- import_picked, see import_picked.sql). A project without a landed date has not landed yet; a landed date must
-- lie in the import's date window ($date_first … $date_last).
create or replace temp table import_table_rows as
with typed as (
    select
        *,
        ka_account(account_id_text, account_name_text)                as account_id,
        ka_text(name_text)                                            as name,
        ka_date(landed_date_text, $day_first)                         as landed_date
    from import_picked as picked
)
select
    file_no,
    line_no,
    account_id,
    landed_date,
    name,
    case
        when account_id is null then 'no_account'
        when name is null then 'no_value'
        when not ka_blank(landed_date_text) and landed_date is null then 'bad_date'
        when landed_date not between $date_first and $date_last then 'date_out_of_range'
    end as reason,
    case
        when account_id is null then 'account_id'
        when name is null then 'name'
        when not ka_blank(landed_date_text) and landed_date is null then 'landed_date'
        when landed_date not between $date_first and $date_last then 'landed_date'
    end as reason_field,
    case
        when account_id is not null and name is not null
             and (landed_date is null or landed_date not between $date_first and $date_last)
        then landed_date_text
    end as reason_value
from typed;
