-- Period keys as the scorecards name them (ka.kpi.target_period_key): '2026-Q3', '2026-09', '2026'.
-- Read: 2026-Q3, 2026Q3, 2026 Q3, Q3 2026, 2026年Q3, 2026年第3季度, 2026年第三季度; 2026-09, 2026/9,
-- 2026.9, 2026年9月, 2026-09-01 (a month as Excel stores it: its first day); 2026, 2026年, 2026年度;
-- and 'start..end' day ranges as they are. Anything else is null (the row is rejected).
create or replace temp macro ka_quarter_digit(q) as
    case q when '一' then '1' when '二' then '2' when '三' then '3' when '四' then '4' else q end;
create or replace temp macro ka_period_text(s) as
    case
        when regexp_full_match(s, '([0-9]{4})\s*[-/.年]?\s*(第)?\s*Q?\s*([1-4一二三四])\s*(季度|季)?')
             and (contains(s, 'Q') or contains(s, '季'))
        then regexp_extract(s, '^([0-9]{4})', 1) || '-Q'
             || ka_quarter_digit(regexp_extract(s, '([1-4一二三四])\s*(季度|季)?$', 1))
        when regexp_full_match(s, 'Q([1-4])\s*[-/ ]?\s*([0-9]{4})')
        then regexp_extract(s, '([0-9]{4})$', 1) || '-Q' || regexp_extract(s, '^Q([1-4])', 1)
        when regexp_full_match(s, '([0-9]{4})\s*[-/.年]\s*([0-9]{1,2})\s*月?')
             and regexp_extract(s, '[-/.年]\s*([0-9]{1,2})', 1)::integer between 1 and 12
        then regexp_extract(s, '^([0-9]{4})', 1) || '-' || lpad(regexp_extract(s, '[-/.年]\s*([0-9]{1,2})', 1), 2, '0')
        when regexp_full_match(s, '([0-9]{4})-([0-9]{2})-01(\s+00:00:00)?')
             and substr(s, 6, 2)::integer between 1 and 12
        then substr(s, 1, 7)
        when regexp_full_match(s, '([0-9]{4})\s*(年度|年)?') then substr(s, 1, 4)
        when regexp_full_match(s, '[0-9]{4}-[0-9]{2}-[0-9]{2}\.\.[0-9]{4}-[0-9]{2}-[0-9]{2}') then s
    end;
create or replace temp macro ka_period_key(v) as
    case when ka_blank(v) then null else ka_period_text(upper(ka_fullwidth(trim(v)))) end;
-- Header-style normalisation (as ka.importing.mapping.normalise) for scope and metric names.
create or replace temp macro ka_name_key(v) as
    lower(regexp_replace(trim(v), '[\s_\-./()（）:：#]+', '', 'g'));
