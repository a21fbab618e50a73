-- Relationship assessment lines → typed rows with the reason a row cannot be imported (from
-- import_picked, see import_picked.sql): how one of our people stands with one contact (red / yellow /
-- green, in English or Chinese), on a date within the import's date window ($date_first … $date_last).
create or replace temp table import_table_rows as
with typed as (
    select
        *,
        ka_account(account_id_text, account_name_text)                as account_id,
        ka_text(contact_name_text)                                    as contact_name,
        ka_text(member_name_text)                                     as member_name,
        ka_colour(colour_text)                                        as colour,
        ka_date(assessed_on_text, $day_first)                         as assessed_on
    from import_picked as picked
),
checked as (
    select
        *,
        case
            when account_id is null then 'account_id'
            when contact_name is null then 'contact_name'
            when member_name is null then 'member_name'
            when colour is null then 'colour'
            when assessed_on is null then 'assessed_on'
            when assessed_on not between $date_first and $date_last then 'assessed_on'
        end as reason_field
    from typed
)
select
    file_no,
    line_no,
    account_id,
    contact_name,
    member_name,
    colour,
    assessed_on,
    ka_text(note_text) as note,
    case
        when reason_field is null then null
        when reason_field = 'account_id' then 'no_account'
        when reason_field = 'colour' and not ka_blank(colour_text) then 'unknown_value'
        when reason_field = 'assessed_on' then ka_date_reason(assessed_on_text, assessed_on)
        else 'no_value'
    end as reason,
    reason_field,
    case reason_field when 'colour' then colour_text when 'assessed_on' then assessed_on_text end as reason_value
from checked;
