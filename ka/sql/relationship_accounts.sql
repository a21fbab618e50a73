-- The accounts of the scope (the rows of the relationship summary), with name and KA manager.
select account_id, account_name, account_name_en, ka_manager
from scoped_accounts($regions, $industries, $managers, $account_ids)
order by account_id;
