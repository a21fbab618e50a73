-- Contact lines → typed rows, each with the first check it fails (import_table_rows.sql); rows from
-- import_picked.sql. A contact is one person at one account, by name; level, buying role and the
-- active flag are read in English or Chinese (import_people_macros.sql). A blank active cell is an
-- active contact.
create or replace temp table import_parsed as
select
    *,
    ka_text(contact_name_text)       as contact_name,
    ka_text(job_title_text)          as title,
    ka_contact_level(level_text)     as level,
    ka_buying_role(buying_role_text) as buying_role,
    ka_text(reports_to_text)         as reports_to,
    ka_text(email_text)              as email,
    ka_text(phone_text)              as phone,
    ka_bool(is_active_text)          as is_active_value,
    coalesce(is_active_value, true)  as is_active,
    coalesce(
        ka_check_account(account_id),
        ka_check_required('contact_name', contact_name),
        ka_check_choice('level', level_text, level),
        ka_check_choice('buying_role', buying_role_text, buying_role),
        ka_check_yes_no('is_active', is_active_text, is_active_value)
    ) as rejection
from import_picked;
