-- Value parsers of the import, as temp macros on the import's cursor. Every file lands as text;
-- these turn text into ids, numbers and dates the same way for every file and every encoding.
-- Fast path first (a plain cast), the regular expressions only for what the cast cannot read.
-- (a case, so that only short values meet the regular expression: `in (...)` or list_contains
-- would become a join per use, and trimming every value of a large file costs more than this)
create or replace temp macro ka_blank(v) as
    case
        when v is null then true
        when length(v) > 6 then starts_with(v, ' ') and trim(v) = ''
        else regexp_full_match(v, '\s*(NULL|null|N/A|#N/A|NaN|nan|-|—)?\s*')
    end;
-- A value whose first character is none of the ones a blank can start with (whitespace, # - — N n)
-- and that does not end in a space is kept as it is, without the checks below: the common case.
create or replace temp macro ka_plain_text(v) as
    ascii(v) >= 48 and ascii(v) <> 78 and ascii(v) <> 110 and ascii(v) <> 8212 and not ends_with(v, ' ');
create or replace temp macro ka_text(v) as
    case
        when ka_plain_text(v) then v
        when ka_blank(v) then null
        when starts_with(v, ' ') or ends_with(v, ' ') then trim(v)
        else v
    end;
create or replace temp macro ka_fullwidth(v) as
    translate(v, '０１２３４５６７８９．，－＋（）／：　', '0123456789.,-+()/: ');
-- IDs stay text: leading zeros are kept; Excel's float ids (17850.0) lose the ".0".
create or replace temp macro ka_id(v) as
    case
        when ka_plain_text(v) and not contains(v, '.') then v
        when ka_blank(v) then null
        when contains(v, '.') and regexp_full_match(trim(v), '[0-9]+\.0+') then split_part(trim(v), '.', 1)
        else ka_text(v)
    end;
-- An account: its id, or (a file without ids) its name, as transaction lines do.
create or replace temp macro ka_account(id_text, name_text) as
    coalesce(ka_id(id_text), ka_text(name_text));
-- Numbers: thousands separators only in groups of three (so "1,5" is refused, not read as 15),
-- currency signs and spaces dropped, "(12.50)" is -12.50, full-width digits accepted.
create or replace temp macro ka_num_text(v) as
    regexp_replace(ka_fullwidth(trim(v)), '[\s$€£¥￥元]|RMB|CNY|USD|EUR|GBP', '', 'g');
create or replace temp macro ka_number_plain(s) as
    case
        when regexp_full_match(s, '[-+]?([0-9]{1,3}(,[0-9]{3})+|[0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?')
             and regexp_matches(s, '[0-9]')
        then try_cast(replace(s, ',', '') as decimal(18,4))
    end;
create or replace temp macro ka_number_text(s) as
    case
        when regexp_full_match(s, '\([^()]*\)') then -ka_number_plain(trim(s, '()'))
        else ka_number_plain(s)
    end;
-- (the plain cast first: it reads no blank, so blanks need no check on that path)
create or replace temp macro ka_number(v) as
    coalesce(
        try_cast(v as decimal(18,4)),
        case when not ka_blank(v) then ka_number_text(ka_num_text(v)) end
    );
-- Dates: ISO (with or without time), YYYY/M/D, YYYY年M月D日, M/D/YYYY or D/M/YYYY (the caller
-- says which: day_first), two-digit years (00–29 → 20xx, 30–99 → 19xx, as Excel does), and
-- Excel serial numbers (20000–80000, i.e. 1954–2119).
create or replace temp macro ka_ymd(y, m, d) as
    try_cast(
        (case when length(y) = 2 then (case when y::integer < 30 then 2000 else 1900 end + y::integer)::varchar else y end)
        || '-' || m || '-' || d as date
    );
create or replace temp macro ka_date_text(s, day_first) as
    case
        when regexp_matches(s, '^[0-9]{4}[-/.年][0-9]{1,2}[-/.月][0-9]{1,2}')
        then ka_ymd(
            regexp_extract(s, '^([0-9]{4})[-/.年]([0-9]{1,2})[-/.月]([0-9]{1,2})', 1),
            regexp_extract(s, '^([0-9]{4})[-/.年]([0-9]{1,2})[-/.月]([0-9]{1,2})', 2),
            regexp_extract(s, '^([0-9]{4})[-/.年]([0-9]{1,2})[-/.月]([0-9]{1,2})', 3))
        when regexp_matches(s, '^[0-9]{1,2}[-/.][0-9]{1,2}[-/.]([0-9]{4}|[0-9]{2})([^0-9]|$)')
        then ka_ymd(
            regexp_extract(s, '^([0-9]{1,2})[-/.]([0-9]{1,2})[-/.]([0-9]{4}|[0-9]{2})', 3),
            case when day_first then regexp_extract(s, '^([0-9]{1,2})[-/.]([0-9]{1,2})', 2)
                 else regexp_extract(s, '^([0-9]{1,2})[-/.]([0-9]{1,2})', 1) end,
            case when day_first then regexp_extract(s, '^([0-9]{1,2})[-/.]([0-9]{1,2})', 1)
                 else regexp_extract(s, '^([0-9]{1,2})[-/.]([0-9]{1,2})', 2) end)
        when regexp_full_match(s, '[0-9]{5}(\.[0-9]+)?') and s::double between 20000 and 80000
        then date '1899-12-30' + floor(s::double)::integer
    end;
create or replace temp macro ka_date(v, day_first) as
    case
        when ka_blank(v) then null
        -- the plain cast only for YYYY-…: DuckDB would read '05/07/03' as the year 5
        when substr(trim(v), 5, 1) = '-' then coalesce(try_cast(trim(v) as date), ka_date_text(ka_fullwidth(trim(v)), day_first))
        else ka_date_text(ka_fullwidth(trim(v)), day_first)
    end;
-- The first two numbers of a slash date (a/b/y), to tell M/D from D/M before parsing.
-- Why a date a row needs was refused (called for a date that is missing, unreadable or outside the
-- accepted window): the same three reasons for every kind of file.
create or replace temp macro ka_date_reason(date_text, date_value) as
    case
        when ka_blank(date_text) then 'no_date'
        when date_value is null then 'bad_date'
        else 'date_out_of_range'
    end;
-- A row's failed check as one value: the field, the reason (a code that ka/importing/report.py puts
-- in words) and the text the value was read from. A kind's parse SQL lists its checks in order as
-- coalesce(check, check, ...): each is null when the row passes it, so the first failure is kept;
-- import_table_rows.sql spreads it into reason_field, reason and reason_value.
create or replace temp macro ka_reject(field, reason, value := null) as
    struct_pack(field := field, reason := reason, value := value::varchar);
create or replace temp macro ka_check_account(account_id) as
    case when account_id is null then ka_reject('account_id', 'no_account') end;
create or replace temp macro ka_check_required(field, value) as
    case when value is null then ka_reject(field, 'no_value') end;
-- A value read from a fixed list (a role, a colour, a status): blank where it is required, or not on the list.
create or replace temp macro ka_check_required_choice(field, text, value) as
    case when value is null then ka_reject(field, case when ka_blank(text) then 'no_value' else 'unknown_value' end, text) end;
create or replace temp macro ka_check_choice(field, text, value) as
    case when not ka_blank(text) and value is null then ka_reject(field, 'unknown_value', text) end;
create or replace temp macro ka_check_yes_no(field, text, value) as
    case when not ka_blank(text) and value is null then ka_reject(field, 'bad_yes_no', text) end;
-- A date the row needs: missing, unreadable or outside first … last.
create or replace temp macro ka_check_required_date(field, text, value, first, last) as
    case when value is null or value not between first and last then ka_reject(field, ka_date_reason(text, value), text) end;
-- An optional date: unreadable where given (ka_check_date), outside first … last (ka_check_date_range).
create or replace temp macro ka_check_date(field, text, value) as
    case when not ka_blank(text) and value is null then ka_reject(field, 'bad_date', text) end;
create or replace temp macro ka_check_date_range(field, text, value, first, last) as
    case when value not between first and last then ka_reject(field, 'date_out_of_range', text) end;
create or replace temp macro ka_date_parts(v) as
    regexp_extract(ka_fullwidth(trim(v)), '^([0-9]{1,2})[-/.]([0-9]{1,2})[-/.]([0-9]{4}|[0-9]{2})([^0-9]|$)', ['a', 'b', 'y', 'rest']);
-- Double encoding (UTF-8 read as Windows-1252, "BerguvsvÃ¤gen") and replacement characters.
create or replace temp macro ka_is_mojibake(v) as
    regexp_matches(v, '[ÂÃ][\x{80}-\x{BF}\x{152}\x{153}\x{160}\x{161}\x{178}\x{17D}\x{17E}\x{192}\x{2C6}\x{2DC}\x{2013}-\x{203A}\x{20AC}\x{2122}]|â€|ï¿½|\x{FFFD}');
