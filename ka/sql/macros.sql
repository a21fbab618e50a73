-- Macros that the named queries build on, (re)defined by every writable connect (ka/db.py) and
-- stored in the database file, so every cursor sees them. A query reads
-- `from period_rows($start, $end)` or `from scoped_accounts($regions, ...)` with plain
-- parameters: no SQL text is assembled at run time. Parameter names differ from the column
-- names of the tables they read (in a macro, a parameter wins over a column of the same name).

-- Which accounts a query may see: the sidebar filters and, later, access rights. A NULL list
-- means no limit. Every query that reads account data starts here, so a filter or an access
-- rule added here holds on every page and in every export.
create or replace macro scoped_accounts(region_list varchar[], industry_list varchar[], manager_list varchar[], account_list varchar[]) as table
    select account_id, account_name, account_name_en, industry, region, ka_manager, is_strategic
    from accounts
    where (region_list is null or list_contains(region_list, region))
      and (industry_list is null or list_contains(industry_list, industry))
      and (manager_list is null or list_contains(manager_list, ka_manager))
      and (account_list is null or list_contains(account_list, account_id));

-- Transactions summed per account and calendar month between two dates: the shape (and the
-- types) of the account_month pre-aggregate, which is refreshed from this.
create or replace macro transactions_by_month(first_date date, last_date date) as table
    select
        account_id,
        date_trunc('month', order_date)::date                                  as month,
        sum(revenue)::decimal(18,4)                                            as revenue,
        sum(cost)::decimal(18,4)                                               as cost,
        coalesce(sum(revenue) filter (where cost is not null), 0)::decimal(18,4) as revenue_with_cost,
        count(distinct order_id)::integer                                      as orders,
        count(*)::integer                                                      as lines,
        count(distinct product)::integer                                       as products,
        min(order_date)                                                        as first_order_date,
        max(order_date)                                                        as last_order_date
    from transactions
    where order_date between first_date and last_date
    group by all;

-- The account × month rows of a period: from the pre-aggregate when the period is whole months
-- (it starts on a 1st and ends on a month's last day), else from the transactions of the exact
-- days. Only one branch returns rows; the other's condition is false for the whole query.
create or replace macro period_rows(start_date date, end_date date) as table
    select account_id, month, revenue, cost, revenue_with_cost, orders, lines, products
    from account_month
    where day(start_date) = 1 and end_date = last_day(end_date)
      and month between start_date and end_date
    union all
    select account_id, month, revenue, cost, revenue_with_cost, orders, lines, products
    from transactions_by_month(start_date, end_date)
    where not (day(start_date) = 1 and end_date = last_day(end_date));

-- One row per account with order lines in the period: its totals (gross profit over the lines
-- whose cost is known; null when none is).
create or replace macro period_accounts(start_date date, end_date date) as table
    select
        account_id,
        sum(revenue)                          as revenue,
        sum(cost)                             as cost,
        sum(revenue_with_cost)                as revenue_with_cost,
        sum(revenue_with_cost) - sum(cost)    as gross_profit,
        sum(orders)                           as orders
    from period_rows(start_date, end_date)
    group by account_id;

-- Visits per account in a period (promised against actual on the tiers page and the scorecards).
create or replace macro period_visits(start_date date, end_date date) as table
    select account_id, count(*) as visits
    from visits
    where visit_date between start_date and end_date
    group by account_id;

-- Cross-sell revenue per account: revenue between start_date and end_date from categories the
-- account had not bought between history_start and history_end (the 12 months before).
-- Accounts without any order line in the history window are new business and left out; lines
-- without a category never count. Whole months read the account × category × month
-- pre-aggregate (a category is new when its previous month lies before the history window),
-- day ranges read transactions.
create or replace macro cross_sell_revenue(start_date date, end_date date, history_start date, history_end date) as table
    with month_categories as (
        select account_id, category, sum(revenue) as revenue,
               bool_or(coalesce(previous_month < history_start, true)) as is_new_category
        from account_category_month
        where day(start_date) = 1 and end_date = last_day(end_date)
          and month between start_date and end_date and category is not null
        group by account_id, category
    ),

    day_categories as (
        select account_id, category, sum(revenue) as revenue
        from transactions
        where not (day(start_date) = 1 and end_date = last_day(end_date))
          and order_date between start_date and end_date and category is not null
        group by account_id, category
    ),

    history_categories as (
        select distinct account_id, category
        from transactions
        where not (day(start_date) = 1 and end_date = last_day(end_date))
          and order_date between history_start and history_end
    )

    select account_id, sum(revenue) as revenue
    from month_categories
    where is_new_category
      and account_id in (select account_id from account_month where month between history_start and history_end)
    group by account_id
    union all
    select p.account_id, sum(p.revenue) as revenue
    from day_categories as p
    anti join history_categories as h using (account_id, category)
    where p.account_id in (
        select account_id from transactions
        where not (day(start_date) = 1 and end_date = last_day(end_date))
          and order_date between history_start and history_end
    )
    group by p.account_id;

-- One account attribute chosen by name (region, industry or ka_manager), for breakdowns and
-- filter choices: the name is a parameter, so no column name is put into SQL text.
create or replace macro account_attribute(region, industry, ka_manager, dimension_name) as
    case dimension_name
        when 'region' then region
        when 'industry' then industry
        when 'ka_manager' then ka_manager
    end;
