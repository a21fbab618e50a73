-- Per account of the scope: revenue, gross profit and visits in one window (the tiering input).
-- Only accounts with at least one order line in the window are listed: an account without any
-- purchase in the window has no tier there (tier migration calls it New / Lost).
-- Gross profit counts the lines whose cost is known; an account without any known cost has 0.
with account_values as (
    select account_id, revenue, coalesce(gross_profit, 0) as gross_profit
    from period_accounts($start, $end)
),

final as (
    select
        a.account_id,
        a.account_name,
        a.account_name_en,
        a.region,
        a.industry,
        a.ka_manager,
        v.revenue,
        v.gross_profit,
        coalesce(w.visits, 0)                                 as visits
    from account_values as v
    join scoped_accounts($regions, $industries, $managers, $account_ids) as a using (account_id)
    left join period_visits($start, $end) as w using (account_id)
)

select * from final
order by account_id
