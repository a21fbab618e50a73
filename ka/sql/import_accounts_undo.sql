-- Undo an accounts master batch ($batch_id): drop the accounts it created, and put back the
-- previous value of every column it changed (columns it did not change stay as they are now).
delete from accounts
where account_id in (select account_id from import_replaced_accounts where batch_id = $batch_id and was_new);

update accounts set
    account_name        = case when list_contains(old.changed, 'account_name') then old.account_name else accounts.account_name end,
    account_name_en     = case when list_contains(old.changed, 'account_name_en') then old.account_name_en else accounts.account_name_en end,
    industry            = case when list_contains(old.changed, 'industry') then old.industry else accounts.industry end,
    region              = case when list_contains(old.changed, 'region') then old.region else accounts.region end,
    ka_manager          = case when list_contains(old.changed, 'ka_manager') then old.ka_manager else accounts.ka_manager end,
    is_strategic        = case when list_contains(old.changed, 'is_strategic') then old.is_strategic else accounts.is_strategic end,
    contract_start_date = case when list_contains(old.changed, 'contract_start_date') then old.contract_start_date else accounts.contract_start_date end,
    contract_end_date   = case when list_contains(old.changed, 'contract_end_date') then old.contract_end_date else accounts.contract_end_date end
from import_replaced_accounts as old
where old.batch_id = $batch_id and not old.was_new and accounts.account_id = old.account_id;
