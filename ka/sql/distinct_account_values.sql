-- The values of one account attribute ({{column}} from a fixed whitelist), for filter choices.
select distinct {{column}} from accounts where {{column}} is not null order by 1
