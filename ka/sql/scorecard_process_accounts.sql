-- Per account of the scope, as of $as_of, what the scorecards' relationship KPIs count (the same
-- rules as ka/relationships.py, which draws them for one account on Account 360; a test holds the
-- two together): its key contacts (active, and a decision maker or of executive level), those with
-- at least one green relationship, and its last visit with a contact of executive level.
with members as (
    select
        account_id,
        case when $level = 'manager' then coalesce(ka_manager, '') else account_id end as group_id
    from scoped_accounts($regions, $industries, $managers, $account_ids)
),

-- the assessment that counts per contact and team member: the latest; on one day the worst
latest as (
    select r.account_id, r.contact_name, r.colour
    from relationships as r
    join members as m using (account_id)
    where r.assessed_on <= $as_of
    qualify row_number() over (
        partition by r.account_id, r.contact_name, r.member_name
        order by r.assessed_on desc, case r.colour when 'red' then 0 when 'yellow' then 1 else 2 end
    ) = 1
),

key_contacts as (
    select
        c.account_id,
        count(*) as key_contacts,
        count(*) filter (where exists (
            select 1 from latest as l
            where l.account_id = c.account_id and l.contact_name = c.contact_name and l.colour = 'green'
        )) as covered_key_contacts
    from contacts as c
    join members as m using (account_id)
    where c.is_active and (c.buying_role = 'decision_maker' or c.level = 'executive')
    group by c.account_id
),

executive_visits as (
    select v.account_id, max(v.visit_date) as last_executive_visit
    from visits as v
    join members as m using (account_id)
    join contacts as c on c.account_id = v.account_id and c.contact_name = v.contact_name
    where c.level = 'executive' and v.visit_date <= $as_of
    group by v.account_id
)

select
    m.account_id,
    m.group_id,
    coalesce(k.key_contacts, 0)         as key_contacts,
    coalesce(k.covered_key_contacts, 0) as covered_key_contacts,
    e.last_executive_visit
from members as m
left join key_contacts as k using (account_id)
left join executive_visits as e using (account_id)
order by m.account_id;
