-- One account's relationship activity as of a date: visits, tickets, NPS, strategic projects.
select
    (select count(*) from visits where account_id = $account_id
        and visit_date between $as_of - interval 90 day and $as_of)                   as visits_90d,
    (select max(visit_date) from visits where account_id = $account_id and visit_date <= $as_of) as last_visit_date,
    (select count(*) from tickets where account_id = $account_id
        and opened_date between $as_of - interval 90 day and $as_of)                  as tickets_90d,
    (select count(*) from tickets where account_id = $account_id and opened_date <= $as_of
        and (resolved_date is null or resolved_date > $as_of))                         as open_tickets,
    (select nps from surveys where account_id = $account_id and survey_date <= $as_of
        order by survey_date desc limit 1)                                             as latest_nps,
    (select count(*) from strategic_projects where account_id = $account_id
        and landed_date <= $as_of)                                                     as strategic_projects
