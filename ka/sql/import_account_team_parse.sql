-- Account team lines → typed rows with the reason a row cannot be imported (from
-- import_picked, see import_picked.sql): who of our people serves an account in which role (KA manager,
-- solution manager, delivery manager, executive sponsor; import_people_macros.sql).
create or replace temp table import_table_rows as
with typed as (
    select
        *,
        ka_account(account_id_text, account_name_text)                as account_id,
        ka_team_role(team_role_text)                                  as team_role,
        ka_text(member_name_text)                                     as member_name
    from import_picked as picked
),
checked as (
    select
        *,
        case
            when account_id is null then 'account_id'
            when team_role is null then 'team_role'
            when member_name is null then 'member_name'
        end as reason_field
    from typed
)
select
    file_no,
    line_no,
    account_id,
    team_role,
    member_name,
    case
        when reason_field is null then null
        when reason_field = 'account_id' then 'no_account'
        when reason_field = 'team_role' and not ka_blank(team_role_text) then 'unknown_value'
        else 'no_value'
    end as reason,
    reason_field,
    case reason_field when 'team_role' then team_role_text end as reason_value
from checked;
