-- Our account team per account of the scope: the imported team, and the accounts master's KA
-- manager as the KA manager wherever the team file names none.
select t.account_id, t.team_role, t.member_name
from account_team as t
join scoped_accounts($regions, $industries, $managers, $account_ids) as a using (account_id)
union all
select a.account_id, 'ka_manager' as team_role, a.ka_manager as member_name
from scoped_accounts($regions, $industries, $managers, $account_ids) as a
where a.ka_manager is not null
  and not exists (
      select 1 from account_team as t where t.account_id = a.account_id and t.team_role = 'ka_manager'
  )
order by account_id, team_role, member_name;
