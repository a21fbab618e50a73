-- Relationship assessment lines → typed rows, each with the first check it fails
-- (import_table_rows.sql); rows from import_picked.sql. How one of our people stands with one
-- contact (red / yellow / green, in English or Chinese), on a date within the import's date window
-- ($date_first … $date_last).
create or replace temp table import_parsed as
select
    *,
    ka_text(contact_name_text)            as contact_name,
    ka_text(member_name_text)             as member_name,
    ka_colour(colour_text)                as colour,
    ka_date(assessed_on_text, $day_first) as assessed_on,
    ka_text(note_text)                    as note,
    coalesce(
        ka_check_account(account_id),
        ka_check_required('contact_name', contact_name),
        ka_check_required('member_name', member_name),
        ka_check_required_choice('colour', colour_text, colour),
        ka_check_required_date('assessed_on', assessed_on_text, assessed_on, $date_first, $date_last)
    ) as rejection
from import_picked;
