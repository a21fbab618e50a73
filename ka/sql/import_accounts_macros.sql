-- Yes/no cells of an accounts master (是否战略客户): 是/否, Y/N, yes/no, true/false, 1/0, √/×.
-- Anything else is null, and the row is rejected when the cell was not blank.
create or replace temp macro ka_bool(v) as
    case
        when ka_blank(v) then null
        when lower(trim(v)) in ('1', 'y', 'yes', 'true', 't', 'x', '是', '√', '✓', '✔', '对', '战略', '战略客户', 'strategic')
        then true
        when lower(trim(v)) in ('0', 'n', 'no', 'false', 'f', '否', '×', '✗', '不是', '非战略', 'non-strategic')
        then false
    end;
