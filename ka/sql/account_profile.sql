-- One account's master data with its first and last order (from the pre-aggregate).
with orders as (
    select account_id, min(first_order_date) as first_order_date, max(last_order_date) as last_order_date,
           sum(revenue) as lifetime_revenue
    from account_month
    where account_id = $account_id
    group by account_id
)

select a.account_id, a.account_name, a.account_name_en, a.industry, a.region, a.ka_manager, a.is_strategic,
       a.contract_start_date, a.contract_end_date, o.first_order_date, o.last_order_date, o.lifetime_revenue
from accounts as a
left join orders as o using (account_id)
where a.account_id = $account_id
