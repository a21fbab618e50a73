-- Accounts master upsert, checked before anything is written: per account the file's last line
-- (later lines and files win), compared with the stored row. `changed` lists the columns the
-- batch sets to a new value (blank cells keep the stored value); previous_* are the stored values
-- that undo puts back. Accounts the file leaves exactly as stored are not in the result.
create or replace temp table import_table_ready as
with latest as (
    select *
    from import_table_rows
    where reason is null
    qualify row_number() over (partition by account_id order by file_no desc, line_no desc) = 1
),
compared as (
    select
        latest.* exclude (reason, reason_field, reason_value),
        stored.account_id is null as was_new,
        list_filter([
            case when latest.account_name is distinct from stored.account_name then 'account_name' end,
            case when latest.account_name_en is distinct from stored.account_name_en then 'account_name_en' end,
            case when latest.industry is distinct from stored.industry then 'industry' end,
            case when latest.region is distinct from stored.region then 'region' end,
            case when latest.ka_manager is distinct from stored.ka_manager then 'ka_manager' end,
            case when latest.is_strategic is distinct from stored.is_strategic then 'is_strategic' end,
            case when latest.contract_start_date is distinct from stored.contract_start_date then 'contract_start_date' end,
            case when latest.contract_end_date is distinct from stored.contract_end_date then 'contract_end_date' end
        ], lambda name: name is not null)::varchar[] as changed_candidates,
        stored.account_name        as previous_account_name,
        stored.account_name_en     as previous_account_name_en,
        stored.industry            as previous_industry,
        stored.region              as previous_region,
        stored.ka_manager          as previous_ka_manager,
        stored.is_strategic        as previous_is_strategic,
        stored.contract_start_date as previous_contract_start_date,
        stored.contract_end_date   as previous_contract_end_date
    from latest
    left join accounts as stored on stored.account_id = latest.account_id
),
final as (
    -- a blank cell (null) never changes a stored value
    select
        * exclude (changed_candidates),
        list_filter(changed_candidates, lambda name: case name
            when 'account_name' then account_name is not null
            when 'account_name_en' then account_name_en is not null
            when 'industry' then industry is not null
            when 'region' then region is not null
            when 'ka_manager' then ka_manager is not null
            when 'is_strategic' then is_strategic is not null
            when 'contract_start_date' then contract_start_date is not null
            when 'contract_end_date' then contract_end_date is not null
        end) as changed
    from compared
)
select * from final where was_new or len(changed) > 0;
