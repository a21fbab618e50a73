-- Write the accounts upsert checked in import_accounts_changes.sql: keep what it replaces, then
-- insert the new accounts and set the changed columns of the existing ones ($batch_id).
insert into import_replaced_accounts
    (batch_id, account_id, was_new, changed, account_name, account_name_en, industry, region, ka_manager,
     is_strategic, contract_start_date, contract_end_date)
select
    $batch_id, account_id, was_new, changed, previous_account_name, previous_account_name_en, previous_industry,
    previous_region, previous_ka_manager, previous_is_strategic, previous_contract_start_date,
    previous_contract_end_date
from import_table_ready;

insert into accounts (account_id, account_name, account_name_en, industry, region, ka_manager, is_strategic,
                      contract_start_date, contract_end_date)
select account_id, account_name, account_name_en, industry, region, ka_manager, coalesce(is_strategic, false),
       contract_start_date, contract_end_date
from import_table_ready
where was_new;

update accounts set
    account_name        = coalesce(found.account_name, accounts.account_name),
    account_name_en     = coalesce(found.account_name_en, accounts.account_name_en),
    industry            = coalesce(found.industry, accounts.industry),
    region              = coalesce(found.region, accounts.region),
    ka_manager          = coalesce(found.ka_manager, accounts.ka_manager),
    is_strategic        = coalesce(found.is_strategic, accounts.is_strategic),
    contract_start_date = coalesce(found.contract_start_date, accounts.contract_start_date),
    contract_end_date   = coalesce(found.contract_end_date, accounts.contract_end_date)
from import_table_ready as found
where accounts.account_id = found.account_id and not found.was_new;
