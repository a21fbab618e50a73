-- Account team lines → typed rows, each with the first check it fails (import_table_rows.sql):
-- who of our people serves an account in which role (KA manager, solution manager, delivery
-- manager, executive sponsor; import_people_macros.sql). Rows from import_picked.sql.
create or replace temp table import_parsed as
select
    *,
    ka_team_role(team_role_text) as team_role,
    ka_text(member_name_text)    as member_name,
    coalesce(
        ka_check_account(account_id),
        ka_check_required_choice('team_role', team_role_text, team_role),
        ka_check_required('member_name', member_name)
    ) as rejection
from import_picked;
