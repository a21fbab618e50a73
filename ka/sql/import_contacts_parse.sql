-- Contact lines → typed rows with the reason a row cannot be imported (from
-- import_picked, see import_picked.sql). A contact is one person at one account, by name; level, buying role
-- and the active flag are read in English or Chinese (import_people_macros.sql). A blank active
-- cell is an active contact.
create or replace temp table import_table_rows as
with typed as (
    select
        *,
        ka_account(account_id_text, account_name_text)                as account_id,
        ka_text(contact_name_text)                                    as contact_name,
        ka_contact_level(level_text)                                  as level,
        ka_buying_role(buying_role_text)                              as buying_role,
        ka_bool(is_active_text)                                       as is_active_value
    from import_picked as picked
),
checked as (
    select
        *,
        case
            when account_id is null then 'account_id'
            when contact_name is null then 'contact_name'
            when not ka_blank(level_text) and level is null then 'level'
            when not ka_blank(buying_role_text) and buying_role is null then 'buying_role'
            when not ka_blank(is_active_text) and is_active_value is null then 'is_active'
        end as reason_field
    from typed
)
select
    file_no,
    line_no,
    account_id,
    contact_name,
    ka_text(job_title_text)  as title,
    level,
    buying_role,
    ka_text(reports_to_text) as reports_to,
    ka_text(email_text)      as email,
    ka_text(phone_text)      as phone,
    coalesce(is_active_value, true) as is_active,
    case reason_field
        when 'account_id' then 'no_account'
        when 'contact_name' then 'no_value'
        when 'is_active' then 'bad_yes_no'
        when 'level' then 'unknown_value'
        when 'buying_role' then 'unknown_value'
    end as reason,
    reason_field,
    case reason_field
        when 'level' then level_text
        when 'buying_role' then buying_role_text
        when 'is_active' then is_active_text
    end as reason_value
from checked;
