-- Survey lines → typed rows, each with the first check it fails (import_table_rows.sql); rows from
-- import_picked.sql. NPS is the survey's score, a whole number from −100 to 100. The survey date
-- must lie in the import's date window ($date_first … $date_last).
create or replace temp table import_parsed as
select
    *,
    ka_date(survey_date_text, $day_first)                           as survey_date,
    ka_number(nps_text)                                             as nps_value,
    nps_value = round(nps_value) and nps_value between -100 and 100 as is_score,
    case when is_score then nps_value::integer end                  as nps,
    coalesce(
        ka_check_account(account_id),
        ka_check_required_date('survey_date', survey_date_text, survey_date, $date_first, $date_last),
        case
            when ka_blank(nps_text) then ka_reject('nps', 'no_value', nps_text)
            when nps_value is null then ka_reject('nps', 'bad_number', nps_text)
            when not is_score then ka_reject('nps', 'nps_range', nps_text)
        end
    ) as rejection
from import_picked;
