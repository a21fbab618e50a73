-- Contacts of the accounts of the scope, with the account's name (the org chart and coverage).
select
    c.account_id, a.account_name, c.contact_name, c.title, c.level, c.buying_role, c.reports_to,
    c.email, c.phone, c.is_active
from contacts as c
join scoped_accounts($regions, $industries, $managers, $account_ids) as a using (account_id)
order by c.account_id, c.contact_name;
