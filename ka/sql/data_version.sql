-- What cached page results depend on besides their arguments: the active import batches, the
-- saved settings (tier rules, health configuration, coefficients, ...) and the KPI targets.
-- Any import, undo, save or target edit changes at least one of the three numbers.
select
    (select coalesce(max(batch_id), 0) * 1000 + count(*) from import_batches where status = 'active') as batches,
    (select count(*) * 7919 + coalesce(sum(hash(key, value::varchar)) % 1000000007, 0) from settings)  as settings,
    (select count(*) * 7919 + coalesce(sum(hash(scope, scope_id, period, metric, target)) % 1000000007, 0)
       from targets)                                                                                   as targets
