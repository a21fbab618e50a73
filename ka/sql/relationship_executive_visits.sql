-- Per account of the scope, the last visit on or before $as_of with a contact of executive level
-- (the visit names the contact; a contact no longer active still counts for the visits made).
select v.account_id, max(v.visit_date) as last_executive_visit
from visits as v
join scoped_accounts($regions, $industries, $managers, $account_ids) as a using (account_id)
join contacts as c on c.account_id = v.account_id and c.contact_name = v.contact_name
where c.level = 'executive' and v.visit_date <= $as_of
group by v.account_id
order by v.account_id;
