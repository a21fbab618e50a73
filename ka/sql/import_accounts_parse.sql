-- Accounts master lines → typed rows, each with the first check it fails (import_table_rows.sql).
-- Rows from import_picked.sql. An account without an id takes its name as id, as transaction lines do.
-- Blank cells stay null: on merge they keep the value already stored. Contract dates may lie years
-- ahead, but not outside $hard_first … $hard_last (ka/date_window.py).
create or replace temp table import_parsed as
select
    *,
    ka_text(account_name_text)                    as account_name,
    ka_text(account_name_en_text)                 as account_name_en,
    ka_text(industry_text)                        as industry,
    ka_text(region_text)                          as region,
    ka_text(ka_manager_text)                      as ka_manager,
    ka_bool(is_strategic_text)                    as is_strategic,
    ka_date(contract_start_date_text, $day_first) as contract_start_date,
    ka_date(contract_end_date_text, $day_first)   as contract_end_date,
    coalesce(
        ka_check_account(account_id),
        ka_check_yes_no('is_strategic', is_strategic_text, is_strategic),
        ka_check_date('contract_start_date', contract_start_date_text, contract_start_date),
        ka_check_date('contract_end_date', contract_end_date_text, contract_end_date),
        ka_check_date_range('contract_start_date', contract_start_date_text, contract_start_date, $hard_first, $hard_last),
        ka_check_date_range('contract_end_date', contract_end_date_text, contract_end_date, $hard_first, $hard_last),
        case when contract_end_date < contract_start_date
        then ka_reject('contract_end_date', 'end_before_start', contract_end_date_text) end
    ) as rejection
from import_picked;
