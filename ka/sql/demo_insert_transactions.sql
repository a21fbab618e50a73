-- One chunk of demo order lines: numbers from numpy become the transactions contract.
insert into transactions
select
    'D' || lpad(c.line_no::varchar, 9, '0')                                  as txn_key,
    'SO' || strftime(c.order_date, '%y%m') || '-' || a.account_id || '-' || lpad(c.order_no::varchar, 3, '0') as order_id,
    c.order_date::date                                                      as order_date,
    a.account_id,
    a.account_name,
    p.product,
    p.category,
    c.quantity::decimal(18,4)                                               as quantity,
    (c.revenue_cents * 0.01)::decimal(18,4)                                   as revenue,
    (c.cost_cents * 0.01)::decimal(18,4)                                      as cost,
    a.region,
    a.ka_manager,
    $batch_id                                                               as batch_id
from demo_chunk as c
join demo_accounts as a using (account_idx)
join demo_products as p using (product_idx)
