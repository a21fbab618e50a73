-- The landed files (import_raw_<n>) → typed lines with their keys and the reason a line cannot be
-- imported. {{picked}} is a union of selects over the landed views (file_no, line_no and the columns
-- of load._landing_select: raw_hash = md5 of the whole line, maybe_mojibake, ids and text already parsed, numbers
-- parsed with <field>_text kept where the plain cast failed, order_date_fast for ISO dates and
-- order_date_text for every other date); parameters say how revenue and cost are formed and which
-- date order the batch uses. import_repeats numbers identical lines within a file.
insert into import_parsed
with picked as (
    select lines.*, coalesce(repeats.repeat_no, 1) as repeat_no
    from ({{picked}}) as lines
    left join import_repeats as repeats using (file_no, line_no)
),
typed as (
    select
        *,
        coalesce(order_date_fast, ka_date(order_date_text, $day_first)) as order_date
    from picked
),
priced as (
    select
        *,
        case
            when $revenue_from_price then round(
                quantity * unit_price
                * (case when $discount_kind = 'fraction' then 1 - coalesce(discount, 0) else 1 end)
                - (case when $discount_kind = 'amount' then coalesce(discount, 0) else 0 end), 4)::decimal(18,4)
            else revenue_value
        end as line_revenue
    from typed
),
signed as (
    -- Returns: a negative quantity makes the line negative even where the export keeps amounts positive.
    select
        *,
        case when quantity < 0 and line_revenue > 0 then -line_revenue else line_revenue end as revenue
    from priced
),
checked as (
    select
        *,
        case
            when order_date is null then 'order_date'
            when not ka_blank(revenue_text) and revenue_value is null then 'revenue'
            when not ka_blank(quantity_text) and quantity is null then 'quantity'
            when not ka_blank(unit_price_text) and unit_price is null then 'unit_price'
            when not ka_blank(discount_text) and discount is null then 'discount'
            when not ka_blank(cost_text) and cost_value is null then 'cost'
            when not ka_blank(profit_text) and profit_value is null then 'profit'
            when revenue is null then 'revenue'
        end as reason_field
    from signed
)
select
    file_no,
    line_no,
    raw_hash,
    maybe_mojibake,
    repeat_no,
    case
        when order_id is not null and order_line is not null then 'L:' || order_id || '#' || order_line
        else 'H:' || hex(raw_hash) || '#' || repeat_no
    end                                                         as txn_key,
    order_id,
    order_line,
    order_date,
    coalesce(account_id, account_name)                          as account_id,
    account_name,
    product,
    category,
    region,
    industry,
    ka_manager,
    quantity,
    revenue,
    case $cost_kind
        when 'cost' then (case when quantity < 0 and cost_value > 0 then -cost_value else cost_value end)
        when 'profit' then revenue - profit_value
    end::decimal(18,4)                                          as cost,
    case
        when reason_field is null then null
        when reason_field = 'order_date' and ka_blank(order_date_text) then 'no_date'
        when reason_field = 'order_date' then 'bad_date'
        when reason_field = 'revenue' and ka_blank(revenue_text) and not $revenue_from_price then 'no_revenue'
        when reason_field = 'revenue' and $revenue_from_price and (quantity is null or unit_price is null) then 'no_revenue'
        else 'bad_number'
    end                                                         as reason,
    reason_field,
    case reason_field
        when 'order_date' then order_date_text
        when 'revenue' then revenue_text
        when 'quantity' then quantity_text
        when 'unit_price' then unit_price_text
        when 'discount' then discount_text
        when 'cost' then cost_text
        when 'profit' then profit_text
    end                                                         as reason_value
from checked
