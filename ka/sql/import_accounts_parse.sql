-- Accounts master lines → typed rows, with the reason a row cannot be imported.
-- Rows from import_picked (see import_picked.sql). An account without an id takes its name as id,
-- as transaction lines do.
-- Blank cells stay null: on merge they keep the value already stored. Contract dates may lie years
-- ahead, but not outside $hard_first … $hard_last (ka/importing/window.py).
create or replace temp table import_table_rows as
with typed as (
    select
        *,
        ka_account(account_id_text, account_name_text)                as account_id,
        ka_bool(is_strategic_text)                                    as is_strategic,
        ka_date(contract_start_date_text, $day_first)                 as contract_start_date,
        ka_date(contract_end_date_text, $day_first)                   as contract_end_date
    from import_picked as picked
),
checked as (
    select
        *,
        case
            when account_id is null then 'account_id'
            when not ka_blank(is_strategic_text) and is_strategic is null then 'is_strategic'
            when not ka_blank(contract_start_date_text) and contract_start_date is null then 'contract_start_date'
            when not ka_blank(contract_end_date_text) and contract_end_date is null then 'contract_end_date'
            when contract_start_date not between $hard_first and $hard_last then 'contract_start_date'
            when contract_end_date not between $hard_first and $hard_last then 'contract_end_date'
            when contract_end_date < contract_start_date then 'contract_end_date'
        end as reason_field
    from typed
)
select
    file_no,
    line_no,
    account_id,
    ka_text(account_name_text)    as account_name,
    ka_text(account_name_en_text) as account_name_en,
    ka_text(industry_text)        as industry,
    ka_text(region_text)          as region,
    ka_text(ka_manager_text)      as ka_manager,
    is_strategic,
    contract_start_date,
    contract_end_date,
    case
        when reason_field is null then null
        when reason_field = 'account_id' then 'no_account'
        when reason_field = 'is_strategic' then 'bad_yes_no'
        when reason_field = 'contract_start_date' and contract_start_date is not null then 'date_out_of_range'
        when reason_field = 'contract_end_date' and contract_end_date not between $hard_first and $hard_last
        then 'date_out_of_range'
        when contract_end_date < contract_start_date then 'end_before_start'
        else 'bad_date'
    end as reason,
    reason_field,
    case reason_field
        when 'is_strategic' then is_strategic_text
        when 'contract_start_date' then contract_start_date_text
        when 'contract_end_date' then contract_end_date_text
    end as reason_value
from checked;
