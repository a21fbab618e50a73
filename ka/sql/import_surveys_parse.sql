-- Survey lines → typed rows with the reason a row cannot be imported (from
-- import_picked, see import_picked.sql). NPS is the survey's score, a whole number from −100 to 100. The survey
-- date must lie in the import's date window ($date_first … $date_last).
create or replace temp table import_table_rows as
with typed as (
    select
        *,
        ka_account(account_id_text, account_name_text)                as account_id,
        ka_date(survey_date_text, $day_first)                         as survey_date,
        ka_number(nps_text)                                           as nps_value
    from import_picked as picked
),
checked as (
    select
        *,
        case
            when account_id is null then 'account_id'
            when survey_date is null then 'survey_date'
            when survey_date not between $date_first and $date_last then 'survey_date'
            when nps_value is null or nps_value <> round(nps_value) or nps_value not between -100 and 100 then 'nps'
        end as reason_field
    from typed
)
select
    file_no,
    line_no,
    account_id,
    survey_date,
    case when reason_field is null then nps_value::integer end as nps,
    case
        when reason_field is null then null
        when reason_field = 'account_id' then 'no_account'
        when reason_field = 'survey_date' then ka_date_reason(survey_date_text, survey_date)
        when ka_blank(nps_text) then 'no_value'
        when nps_value is null then 'bad_number'
        else 'nps_range'
    end as reason,
    reason_field,
    case reason_field
        when 'survey_date' then survey_date_text
        when 'nps' then nps_text
    end as reason_value
from checked;
