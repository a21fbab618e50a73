-- One account's service in a period: visits, tickets opened and resolved, median days to resolve
-- (the scorecard's definition), tickets still open at the period's end, the latest NPS answer up
-- to the period's end.
select
    (select count(*) from visits
        where account_id = $account_id and visit_date between $start and $end)          as visits,
    (select max(visit_date) from visits
        where account_id = $account_id and visit_date <= $end)                          as last_visit_date,
    (select count(*) from tickets
        where account_id = $account_id and opened_date between $start and $end)         as tickets_opened,
    (select count(*) from tickets
        where account_id = $account_id and resolved_date between $start and $end)       as tickets_resolved,
    (select median(datediff('day', opened_date, resolved_date)) from tickets
        where account_id = $account_id and resolved_date between $start and $end)       as median_resolution_days,
    (select count(*) from tickets
        where account_id = $account_id and opened_date <= $end
          and (resolved_date is null or resolved_date > $end))                          as open_tickets,
    (select nps from surveys
        where account_id = $account_id and survey_date <= $end and nps is not null
        order by survey_date desc limit 1)                                              as latest_nps,
    (select max(survey_date) from surveys
        where account_id = $account_id and survey_date <= $end and nps is not null)     as latest_nps_date
