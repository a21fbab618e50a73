select account_id, account_name, account_name_en, industry, region, ka_manager, is_strategic
from accounts
where ($regions is null or list_contains($regions, region))
  and ($industries is null or list_contains($industries, industry))
  and ($managers is null or list_contains($managers, ka_manager))
  and ($account_ids is null or list_contains($account_ids, account_id))
