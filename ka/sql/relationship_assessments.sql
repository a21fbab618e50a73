-- Every relationship assessment of the accounts of the scope made on or before $as_of (the history;
-- ka/relationships.py takes the latest per contact and team member).
select r.account_id, r.contact_name, r.member_name, r.colour, r.assessed_on, r.note
from relationships as r
join scoped_accounts($regions, $industries, $managers, $account_ids) as a using (account_id)
where r.assessed_on <= $as_of
order by r.account_id, r.contact_name, r.member_name, r.assessed_on;
