-- The values of one account attribute ($dimension: region, industry or ka_manager), for filter choices.
select distinct account_attribute(region, industry, ka_manager, $dimension) as value
from accounts
where value is not null
order by 1
