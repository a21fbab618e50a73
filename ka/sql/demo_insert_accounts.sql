-- The demo's accounts master, from the generated frame registered as demo_accounts.
insert into accounts (account_id, account_name, account_name_en, industry, region, ka_manager,
                      is_strategic, contract_start_date, contract_end_date)
select account_id, account_name, account_name_en, industry, region, ka_manager,
       is_strategic, contract_start_date, contract_end_date
from demo_accounts
