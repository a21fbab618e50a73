-- The largest accounts of the period, with share and change against the prior period.
with scoped_current as (
    select a.account_id, a.account_name, a.account_name_en, a.industry, a.region, a.ka_manager,
           c.revenue, c.gross_profit, c.orders
    from period_accounts($start, $end) as c
    join scoped_accounts($regions, $industries, $managers, $account_ids) as a using (account_id)
),

final as (
    select
        s.*,
        s.revenue / sum(s.revenue) filter (where s.revenue > 0) over ()  as share,
        p.revenue                                                         as prior_revenue,
        (s.revenue - p.revenue) / abs(p.revenue)                          as change
    from scoped_current as s
    left join period_accounts($prior_start, $prior_end) as p using (account_id)
)

select * from final
order by revenue desc, account_id
limit $limit
