-- Per as-of day and account of the scope, what the scorecards' relationship KPIs count (the same
-- rules as ka/relationships.py, which draws them for one account on Account 360; a test holds the
-- two together): its key contacts (active, and a decision maker or of executive level), those with
-- at least one green relationship, and its last visit with a contact of executive level.
-- As-of day number i (0-based, period_index) is $as_ofs[i]: the scorecards read one, their trend
-- eight.
with as_ofs as (
    select unnest(range(len($as_ofs::date[]))) as period_index, unnest($as_ofs::date[]) as as_of
),

members as (
    select
        account_id,
        case when $level = 'manager' then coalesce(ka_manager, '') else account_id end as group_id
    from scoped_accounts($regions, $industries, $managers, $account_ids)
),

-- the assessment that counts per contact and team member is the latest; on one day the worst: in
-- each one's order by day and then from the best colour to the worst, it is the last row up to the
-- as-of day
spells as (
    select
        r.account_id,
        r.contact_name,
        r.colour,
        r.assessed_on,
        lead(r.assessed_on) over (
            partition by r.account_id, r.contact_name, r.member_name
            order by r.assessed_on, case r.colour when 'red' then 0 when 'yellow' then 1 else 2 end desc
        ) as next_assessed_on
    from relationships as r
    join members as m using (account_id)
),

green_contacts as (
    select distinct o.period_index, s.account_id, s.contact_name
    from spells as s
    join as_ofs as o on s.assessed_on <= o.as_of and (s.next_assessed_on is null or s.next_assessed_on > o.as_of)
    where s.colour = 'green'
),

key_contacts as (
    select
        o.period_index,
        c.account_id,
        count(*)              as key_contacts,
        count(g.contact_name) as covered_key_contacts
    from contacts as c
    join members as m using (account_id)
    cross join as_ofs as o
    left join green_contacts as g
        on g.period_index = o.period_index and g.account_id = c.account_id and g.contact_name = c.contact_name
    where c.is_active and (c.buying_role = 'decision_maker' or c.level = 'executive')
    group by o.period_index, c.account_id
),

-- visits with a contact of executive level, found before they meet the as-of days (each visit would
-- otherwise be joined to every day after it first)
executive_visit_days as materialized (
    select v.account_id, v.visit_date
    from visits as v
    join members as m using (account_id)
    join contacts as c on c.account_id = v.account_id and c.contact_name = v.contact_name
    where c.level = 'executive'
),

executive_visits as (
    select o.period_index, d.account_id, max(d.visit_date) as last_executive_visit
    from executive_visit_days as d
    join as_ofs as o on d.visit_date <= o.as_of
    group by o.period_index, d.account_id
)

select
    o.period_index,
    m.account_id,
    m.group_id,
    coalesce(k.key_contacts, 0)         as key_contacts,
    coalesce(k.covered_key_contacts, 0) as covered_key_contacts,
    e.last_executive_visit
from members as m
cross join as_ofs as o
left join key_contacts as k on k.period_index = o.period_index and k.account_id = m.account_id
left join executive_visits as e on e.period_index = o.period_index and e.account_id = m.account_id
order by o.period_index, m.account_id;
