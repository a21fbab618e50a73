-- The landed files (import_raw_<n>, in the stage database) → typed lines with their keys and the reason a
-- line cannot be imported, as a view: the lines are stored once, in the stage, and read from there.
-- <picked> is a union of selects over the landed views (file_no, line_no, group_no and the columns of
-- load._landing_select: raw_hash = md5 of the whole line, maybe_mojibake, ids and text parsed, numbers
-- parsed with <field>_text kept where no value came of it and <field>_bad telling an unreadable value from
-- a blank one, order_date with order_date_text kept where it was not a plain ISO date — such dates were
-- read by ka_date once the date order was known — and order_date_blank).
-- Plain expressions only, no macros: the view is read by several queries, each planning it again.
-- import_group_settings says per group of files how revenue and cost are formed (from its mapping);
-- import_settings holds the batch's date window. import_repeats numbers identical lines within a file.
create or replace temp view import_parsed as
with picked as (
    select lines.*, coalesce(repeats.repeat_no, 1) as repeat_no, groups.* exclude (group_no), settings.*
    from ({picked}) as lines
    join import_group_settings as groups using (group_no)
    cross join import_settings as settings
    left join import_stage.import_repeats as repeats using (file_no, line_no)
),
priced as (
    select
        *,
        case
            when revenue_from_price then round(
                quantity * unit_price
                * (case when discount_kind = 'fraction' then 1 - coalesce(discount, 0) else 1 end)
                - (case when discount_kind = 'amount' then coalesce(discount, 0) else 0 end), 4)::decimal(18,4)
            else revenue_value
        end as line_revenue
    from picked
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
            when order_date not between date_first and date_last then 'order_date'
            when revenue_bad then 'revenue'
            when quantity_bad then 'quantity'
            when unit_price_bad then 'unit_price'
            when discount_bad then 'discount'
            when cost_bad then 'cost'
            when profit_bad then 'profit'
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
    'H:' || hex(raw_hash) || '#' || repeat_no                   as txn_key,
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
    case cost_kind
        when 'cost' then (case when quantity < 0 and cost_value > 0 then -cost_value else cost_value end)
        when 'profit' then revenue - profit_value
    end::decimal(18,4)                                          as cost,
    case
        when reason_field is null then null
        when reason_field = 'order_date' and order_date is null and order_date_blank then 'no_date'
        when reason_field = 'order_date' and order_date is not null then 'date_out_of_range'
        when reason_field = 'order_date' then 'bad_date'
        when reason_field = 'revenue' and not revenue_bad and not revenue_from_price then 'no_revenue'
        when reason_field = 'revenue' and revenue_from_price and (quantity is null or unit_price is null) then 'no_revenue'
        else 'bad_number'
    end                                                         as reason,
    reason_field,
    case reason_field
        when 'order_date' then coalesce(order_date_text, order_date::varchar)
        when 'revenue' then revenue_text
        when 'quantity' then quantity_text
        when 'unit_price' then unit_price_text
        when 'discount' then discount_text
        when 'cost' then cost_text
        when 'profit' then profit_text
    end                                                         as reason_value
from checked
