"""Validate and load: staging → checks → merge, all in one transaction; and undo of a batch.

Every import runs inside `db.write_transaction`: the files land in temp tables, the lines are
parsed and checked, and only then are they merged. A refusal, a dry run or any error rolls the
whole transaction back, so the database is exactly as it was.

Line keys (`txn_key`) make re-imports add nothing: `L:<order id>#<line number>` when the file
has both, else `H:<md5 of the whole line, as a number>#<n>`, n counting identical lines within the file.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from ka import db
from ka.importing import read
from ka.importing.mapping import clean_mapping, missing_required, propose_mapping
from ka.importing.report import (
    FileSummary, ImportRefused, ImportReport, MonthTotal, RejectedRow, batch_details, decide_day_first,
)

BROKEN_SHARE_LIMIT = 0.05   # more broken rows than this in a file → the file's structure is wrong; refuse
BROKEN_ROWS_TOLERATED = 2   # ... but a couple of broken rows in a tiny file are only rejected
REJECTED_SHARE_LIMIT = 0.5  # more unreadable values than this → the mapping is wrong; refuse
REJECTED_KEPT = 10_000      # rejected rows listed in the report (all are counted)
QUOTED_LINES = 3            # broken lines quoted in a refusal
TEXT_FIELDS = ("account_id", "account_name", "product", "category", "region", "industry", "ka_manager")
MOJIBAKE_CHARS = ("'Ã'", "'Â'", "'â'", "'ï'", "chr(65533)")  # SQL literals: a line with none of these is not mojibake
# How each canonical field is kept while the file is read (see _landing_select): ids and text parsed
# at once, numbers parsed with their text kept where the plain cast fails (for the reason and its
# value), the order date cast when it is ISO and otherwise kept as text until the date order is known.
LANDED_IDS = {"order_id": "order_id", "line_no": "order_line", "account_id": "account_id"}
LANDED_TEXTS = ("account_name", "product", "category", "region", "industry", "ka_manager")
LANDED_NUMBERS = {
    "quantity": "quantity", "unit_price": "unit_price", "discount": "discount",
    "revenue": "revenue_value", "cost": "cost_value", "profit": "profit_value",
}
MONTH_ROWS_SQL = """
    select date_trunc('month', order_date)::date as month, count(*) as rows, sum(revenue) as revenue, sum(cost) as cost
    from import_ready group by all order by month
"""


@dataclass
class ImportOptions:
    mapping: dict[str, str] | None = None    # None: proposed from the first file's headers
    encoding: str | None = None              # None: detected per file
    sheet: str | None = None                 # Excel: a sheet name, read.ALL_SHEETS, or None for the first
    date_order: str | None = None            # 'mdy' / 'dmy'; None: detected, refused when ambiguous
    drop_duplicates: bool = False            # drop exact repeats of a line within one file
    source: str = "cli"


class _DryRunDone(Exception):
    """Raised inside the transaction to roll a dry run back; carries the report out."""

    def __init__(self, report: ImportReport):
        self.report = report


def inspect_batch(sources: list[read.SourceFile], options: ImportOptions) -> list[read.FilePart]:
    parts: list[read.FilePart] = []
    for source in sources:
        parts.extend(read.inspect(source, options.encoding, options.sheet))
    return parts


def run_import(
    con, sources: list[read.SourceFile], options: ImportOptions | None = None, *, dry_run: bool = False
) -> ImportReport:
    """Import the files as one batch (or only report what would happen). Raises ImportRefused."""
    options = options or ImportOptions()
    parts = inspect_batch(sources, options)
    mapping = clean_mapping(options.mapping) if options.mapping else propose_mapping(parts[0].headers)
    try:
        with db.write_transaction(con) as cur, tempfile.TemporaryDirectory(prefix="ka-import-") as temp_dir:
            report = _stage(cur, parts, mapping, options, Path(temp_dir))
            if dry_run or report.rows_to_import == 0:
                raise _DryRunDone(report)
            _merge(cur, report, parts, options)
            return report
    except _DryRunDone as done:
        done.report.dry_run = dry_run  # nothing new to import is not a dry run: the report says 0 rows
        return done.report


# --- staging and checks ---------------------------------------------------------------------
def _layout_groups(parts: list[read.FilePart]) -> list[list[int]]:
    """Indexes of consecutive parts DuckDB can read in one scan (e.g. a folder of daily files)."""
    groups: list[list[int]] = []
    for index, part in enumerate(parts):
        if groups and read.same_layout(parts[groups[-1][0]], part):
            groups[-1].append(index)
        else:
            groups.append([index])
    return groups


def _stage(cur, parts: list[read.FilePart], mapping: dict[str, str], options: ImportOptions, temp_dir: Path) -> ImportReport:
    cur.execute(db.load_sql("import_macros"))
    report = ImportReport(mapping=mapping)
    for part in parts:
        absent = [header for header in mapping.values() if header not in part.headers]
        if absent:
            raise ImportRefused("missing_columns", file=part.label, columns=", ".join(absent))
    groups = _layout_groups(parts)
    broken_rows: list[RejectedRow] = []
    for number, members in enumerate(groups):
        first = parts[members[0]]
        refused_lines = read.land(
            cur, [parts[index] for index in members], number, temp_dir, _landing_select(first, mapping)
        )
        kept_by_file = dict(cur.execute(
            db.with_identifiers("select _file, count(*) from {raw} group by _file", raw=f"import_raw_{number}")
        ).fetchall())
        for local, index in enumerate(members):
            part = parts[index]
            refused = [(line, kind, text) for file_index, line, kind, text in refused_lines if file_index == local]
            total = kept_by_file.get(local, 0) + len(refused)
            field_count_lines = [row for row in refused if row[1] != "INVALID ENCODING"]
            if len(field_count_lines) > BROKEN_ROWS_TOLERATED and len(field_count_lines) / total > BROKEN_SHARE_LIMIT:
                quoted = "\n".join(f"  {line}: {text}" for line, _, text in field_count_lines[:QUOTED_LINES])
                raise ImportRefused(
                    "broken_rows", file=part.label, broken=len(field_count_lines), rows=total, lines=quoted,
                )
            for line, kind, text in refused:
                reason = "bad_encoding" if kind == "INVALID ENCODING" else "field_count"
                broken_rows.append(RejectedRow(part.label, line, reason, None, (text or "")[:300]))
            report.files.append(FileSummary(
                part.label, part.sha256, part.encoding, part.delimiter, part.sheet, total, len(refused),
            ))
            report.rows_read += total

    # A broken file is refused as broken (above) before the mapping is judged.
    missing = missing_required(mapping)
    if missing:
        raise ImportRefused("required_fields", fields=", ".join(missing))
    day_first = _day_first(cur, parts, groups, mapping, options)
    report.date_order = {True: "dmy", False: "mdy", None: "none_needed"}[day_first]
    day_first = bool(day_first)
    _parse(cur, parts, groups, mapping, day_first)
    _check_mojibake(cur)
    _key_and_count(cur, report, options, broken_rows, dedupe_in_batch=len(parts) > 1 or "line_no" in mapping)
    if report.rows_read and report.rows_rejected / report.rows_read > REJECTED_SHARE_LIMIT:
        first = report.rejected[:QUOTED_LINES]
        quoted = "\n".join(f"  {row.file} {row.line}: {row.reason} {row.field or ''} {row.value or ''}" for row in first)
        raise ImportRefused("mostly_rejected", rejected=report.rows_rejected, rows=report.rows_read, lines=quoted)
    return report


def _column(part: read.FilePart, mapping: dict[str, str], name: str) -> str:
    """The generated column name (c0, c1, ...) that feeds `name` in this part, or a text null."""
    header = mapping.get(name)
    return f"c{part.headers.index(header)}" if header else "null::varchar"


def _landing_select(part: read.FilePart, mapping: dict[str, str]) -> str:
    """The columns the reader keeps of every line (read.land's select_list), the same for every part.

    Fast lane: the plain casts of ISO dates and numbers, which is all a clean export needs; the
    text parsers (ka_number's regular expressions, ka_date) only run where the plain cast fails,
    and the text is kept only for those values, so nothing else is stored twice.
    """
    line = "concat_ws(chr(31), " + ", ".join(f"coalesce(c{index}, '')" for index in range(len(part.headers))) + ")"
    columns = [
        f"md5_number({line}) as raw_hash",
        # the tell-tale characters of mojibake anywhere in the line: _check_mojibake looks only at these lines
        " or ".join(f"contains({line}, {char})" for char in MOJIBAKE_CHARS) + " as maybe_mojibake",
    ]
    for name, landed in LANDED_IDS.items():
        columns.append(f"ka_id({_column(part, mapping, name)}) as {landed}")
    for name in LANDED_TEXTS:
        columns.append(f"ka_text({_column(part, mapping, name)}) as {name}")
    for name, landed in LANDED_NUMBERS.items():
        source = _column(part, mapping, name)
        columns.append(f"ka_number({source}) as {landed}")
        columns.append(f"case when try_cast({source} as decimal(18,4)) is null then {source} end as {name}_text")
    date = _column(part, mapping, "order_date")
    # the plain cast only for YYYY-…, as in ka_date: DuckDB would read '05/07/03' as the year 5
    columns.append(f"case when substr({date}, 5, 1) = '-' then try_cast({date} as date) end as order_date_fast")
    columns.append(f"case when order_date_fast is null then {date} end as order_date_text")
    return ", ".join(columns)


def _union(groups, select: str) -> str:
    """`select` over every landed group ({raw} stands for its view; all have the same columns)."""
    return " union all ".join(db.with_identifiers(select, raw=f"import_raw_{number}") for number in range(len(groups)))


def _day_first(cur, parts, groups, mapping, options) -> bool | None:
    """M/D or D/M for slash dates: from the data when a number above 12 decides it, else the user;
    None when no date needs an order (ISO dates, Chinese dates, Excel dates)."""
    if options.date_order in ("mdy", "dmy"):
        return options.date_order == "dmy"
    # ISO dates were cast while landing; order_date_text holds every other date. Cheap prefilter:
    # only values whose second or third character is a separator can be a/b/y
    dates = _union(
        groups,
        "select ka_date_parts(order_date_text) as parts from {raw} where order_date_text is not null and ("
        "substr(trim(order_date_text), 2, 1) in ('/', '.', '-', '／') "
        "or substr(trim(order_date_text), 3, 1) in ('/', '.', '-', '／'))",
    )
    return decide_day_first(cur, dates)


def _parse(cur, parts, groups, mapping, day_first: bool) -> None:
    revenue_from_price = "revenue" not in mapping
    discount_kind = "none"
    if revenue_from_price and "discount" in mapping:
        discount_kind = "fraction" if _discounts_are_fractions(cur, parts, groups, mapping) else "amount"
    cost_kind = "cost" if "cost" in mapping else "profit" if "profit" in mapping else "none"
    cur.execute(
        """
        create or replace temp table import_parsed (
            file_no integer, line_no bigint, raw_hash uhugeint, maybe_mojibake boolean, repeat_no bigint, txn_key varchar,
            order_id varchar, order_line varchar,
            order_date date, account_id varchar, account_name varchar, product varchar, category varchar,
            region varchar, industry varchar, ka_manager varchar, quantity decimal(18,4), revenue decimal(18,4),
            cost decimal(18,4), reason varchar, reason_field varchar, reason_value varchar
        )
        """
    )
    # a group's file numbers continue from the files of the groups before it (members[0], an int)
    picks = [
        db.with_identifiers(
            "select (" + str(int(members[0])) + " + _file)::integer as file_no, _line as line_no, "
            "* exclude (_file, _line) from {raw}",
            raw=f"import_raw_{number}",
        )
        for number, members in enumerate(groups)
    ]
    # Identical lines within a file, numbered (for their keys): found through the few hashes that
    # occur twice, so the window never runs over the whole batch.
    cur.execute(
        "create or replace temp table import_repeats as with lines as (" + " union all ".join(picks) + """)
        select file_no, line_no, row_number() over (partition by file_no, raw_hash order by line_no) as repeat_no
        from lines
        where (file_no, raw_hash) in (select file_no, raw_hash from lines group by all having count(*) > 1)
        """
    )
    cur.execute(
        db.load_sql("import_parse_lines", {"picked": " union all ".join(picks)}),
        {
            "day_first": day_first, "revenue_from_price": revenue_from_price,
            "discount_kind": discount_kind, "cost_kind": cost_kind,
        },
    )


def _discounts_are_fractions(cur, parts, groups, mapping) -> bool:
    """A discount column holding only values from 0 to 1 is a rate (0.15 = 15 %); otherwise an amount."""
    discounts = _union(groups, "select discount from {raw}")
    largest = cur.execute("select max(abs(discount)) from (" + discounts + ")").fetchall()[0][0]
    return largest is None or largest <= 1


def _check_mojibake(cur) -> None:
    """Refuse text that was decoded twice or with the wrong code page, quoting a few lines.

    One column at a time, and the regular expression only on lines where a tell-tale character
    occurs (maybe_mojibake, found while the file was read).
    """
    selects = [
        db.with_identifiers(
            "select min(line_no) as line_no, {name} as text from import_parsed "
            "where maybe_mojibake and ka_is_mojibake({name}) group by all",
            name=name,
        )
        for name in TEXT_FIELDS
    ]
    rows = cur.execute(
        "select line_no, text from (" + " union all ".join(selects) + ") order by line_no limit ?", [QUOTED_LINES]
    ).fetchall()
    if rows:
        raise ImportRefused("mojibake", lines="\n".join(f"  {line}: {text}" for line, text in rows))


# Lines repeated across the files of one batch (or order lines keyed twice) are kept once; a
# single file keyed by content cannot repeat a key, so it skips this window.
DEDUPE_IN_BATCH = {
    True: "select file_no, line_no from import_candidates "
          "qualify row_number() over (partition by txn_key order by file_no, line_no) > 1",
    False: "select null::integer as file_no, null::bigint as line_no where false",
}
# Exact repeats of a line within a file are kept unless the user drops them.
DROP_REPEATS = {True: "and repeat_no = 1", False: ""}


def _key_and_count(cur, report: ImportReport, options: ImportOptions, broken_rows: list[RejectedRow],
                   dedupe_in_batch: bool) -> None:
    """Set aside repeats and lines already imported (keys come with the parsed lines), fill the report.

    import_ready is a view: the lines to import are the good ones less the few set aside, so the
    batch is not copied once more before the merge.
    """
    # (the fragments below come from the fixed dicts DROP_REPEATS and DEDUPE_IN_BATCH)
    cur.execute(
        """
        create or replace temp view import_candidates as
        select * exclude (reason, reason_field, reason_value) from import_parsed
        where reason is null and account_id is not null """ + DROP_REPEATS[options.drop_duplicates]
    )
    cur.execute(
        """
        create or replace temp table import_skipped as
        select file_no, line_no from import_candidates semi join transactions using (txn_key)
        union all
        """ + DEDUPE_IN_BATCH[dedupe_in_batch]
    )
    cur.execute(
        "create or replace temp view import_ready as "
        "select * from import_candidates anti join import_skipped using (file_no, line_no)"
    )
    (value_rejects, report.rows_without_account, report.revenue_without_account, with_account,
     report.duplicate_lines_in_file, repeats_with_account) = cur.execute(
        """
        select
            count(*) filter (where reason is not null),
            count(*) filter (where reason is null and account_id is null),
            coalesce(sum(revenue) filter (where reason is null and account_id is null), 0),
            count(*) filter (where reason is null and account_id is not null),
            count(*) filter (where reason is null and repeat_no > 1),
            count(*) filter (where reason is null and repeat_no > 1 and account_id is not null)
        from import_parsed
        """
    ).fetchall()[0]
    (report.rows_to_import, report.revenue_total, report.cost_total, report.first_date, report.last_date,
     report.new_accounts, report.existing_accounts) = cur.execute(
        """
        with by_account as (
            select account_id, count(*) as lines, sum(revenue) as revenue, sum(cost) as cost,
                   min(order_date) as first_date, max(order_date) as last_date
            from import_ready group by account_id
        )
        select
            coalesce(sum(lines), 0), coalesce(sum(revenue), 0), sum(cost), min(first_date), max(last_date),
            count(*) filter (where account_id not in (select account_id from accounts)),
            count(*) filter (where account_id in (select account_id from accounts))
        from by_account
        """
    ).fetchall()[0]
    if options.drop_duplicates:
        report.duplicates_dropped = report.duplicate_lines_in_file
        with_account -= repeats_with_account
    report.duplicates_skipped = with_account - report.rows_to_import
    report.rows_rejected = len(broken_rows) + value_rejects
    labels = {number: summary.name for number, summary in enumerate(report.files)}
    value_rows = cur.execute(
        "select file_no, line_no, reason, reason_field, reason_value from import_parsed "
        "where reason is not null order by file_no, line_no limit ?",
        [REJECTED_KEPT],
    ).fetchall()
    order = {name: number for number, name in labels.items()}
    report.rejected = sorted(
        broken_rows + [
            RejectedRow(labels[file_no], line, reason, field_name, value)
            for file_no, line, reason, field_name, value in value_rows
        ],
        key=lambda row: (order[row.file], row.line),
    )[:REJECTED_KEPT]
    report.months = [MonthTotal(*row) for row in cur.execute(MONTH_ROWS_SQL).fetchall()]
    report.sample = _dicts(cur, (
        "select order_date, account_id, account_name, product, quantity, revenue, cost, order_id, region "
        "from import_ready order by file_no, line_no limit 5"
    ))


def _dicts(cur, sql: str, params=None) -> list[dict]:
    cur.execute(sql, params)
    names = [column[0] for column in cur.description]
    return [dict(zip(names, row)) for row in cur.fetchall()]


# --- merge ----------------------------------------------------------------------------------
def _merge(cur, report: ImportReport, parts: list[read.FilePart], options: ImportOptions) -> None:
    batch_id = cur.execute("select nextval('batch_id_seq')").fetchall()[0][0]
    cur.execute(
        """
        insert into transactions (txn_key, order_id, order_date, account_id, account_name, product, category,
                                  quantity, revenue, cost, region, ka_manager, batch_id)
        select txn_key, order_id, order_date, account_id, account_name, product, category,
               quantity, revenue, cost, region, ka_manager, $batch_id
        from import_ready
        """,
        {"batch_id": batch_id},
    )
    # Accounts: new ids get the latest name/region/manager/industry their lines carry; existing
    # accounts only get attributes they are missing (master data stays as the user keeps it).
    cur.execute(
        """
        create or replace temp table import_accounts as
        select
            account_id,
            arg_max(account_name, order_date) as account_name,
            arg_max(region, order_date) as region,
            arg_max(ka_manager, order_date) as ka_manager,
            arg_max(industry, order_date) as industry,
            account_id not in (select account_id from accounts) as is_new
        from import_ready
        group by account_id
        """
    )
    new_accounts = [row[0] for row in cur.execute(
        "select account_id from import_accounts where is_new order by account_id"
    ).fetchall()]
    cur.execute(
        """
        insert into accounts (account_id, account_name, region, ka_manager, industry)
        select account_id, account_name, region, ka_manager, industry from import_accounts where is_new
        """
    )
    cur.execute(
        """
        update accounts set
            account_name = coalesce(accounts.account_name, found.account_name),
            region = coalesce(accounts.region, found.region),
            ka_manager = coalesce(accounts.ka_manager, found.ka_manager),
            industry = coalesce(accounts.industry, found.industry)
        from import_accounts as found
        where accounts.account_id = found.account_id and not found.is_new
          and (accounts.account_name is null or accounts.region is null
               or accounts.ka_manager is null or accounts.industry is null)
        """
    )
    db.refresh_account_month(cur, "import_accounts")
    details = batch_details(
        report,
        rows_without_account=report.rows_without_account,
        revenue_without_account=str(report.revenue_without_account),
        cost_total=None if report.cost_total is None else str(report.cost_total),
        new_accounts=new_accounts,
    )
    cur.execute(
        """
        insert into import_batches (batch_id, kind, source, files, rows_imported, revenue_total)
        values (?, 'transactions', ?, ?, ?, ?)
        """,
        [batch_id, options.source, json.dumps(details, ensure_ascii=False, default=str),
         report.rows_to_import, report.revenue_total],
    )
    report.batch_id = batch_id
    report.dry_run = False


# --- history and undo -----------------------------------------------------------------------
def read_batches(con) -> list[dict]:
    """Import history, newest first, with each batch's file names."""
    rows = db.query_dicts(
        con,
        "select batch_id, imported_at, kind, source, files, rows_imported, revenue_total, status "
        "from import_batches order by batch_id desc",
    )
    for row in rows:
        details = json.loads(row.pop("files") or "{}")
        files = details.get("files", []) if isinstance(details, dict) else []
        row["file_names"] = ", ".join(f["name"] for f in files[:3]) + (f" (+{len(files) - 3})" if len(files) > 3 else "")
        row["file_count"] = len(files)
    return rows


def undo_batch(con, batch_id: int) -> dict:
    """Delete a batch's lines, drop the accounts it created that have no lines left, mark it undone.

    All-or-nothing like the import. Returns what was removed.
    """
    with db.write_transaction(con) as cur:
        found = cur.execute(
            "select kind, status, files from import_batches where batch_id = ?", [batch_id]
        ).fetchall()
        if not found:
            raise ImportRefused("undo_unknown", batch=batch_id)
        kind, status, files = found[0]
        if status != "active":
            raise ImportRefused("undo_done", batch=batch_id)
        if kind != "transactions":
            raise ImportRefused("undo_kind", batch=batch_id, kind=kind)
        cur.execute(
            "create or replace temp table undo_accounts as select distinct account_id from transactions where batch_id = ?",
            [batch_id],
        )
        removed = cur.execute(
            "select count(*), coalesce(sum(revenue), 0) from transactions where batch_id = ?", [batch_id]
        ).fetchall()[0]
        cur.execute("delete from transactions where batch_id = ?", [batch_id])
        db.refresh_account_month(cur, "undo_accounts")
        created = (json.loads(files or "{}") or {}).get("new_accounts", [])
        cur.execute(
            """
            delete from accounts
            where account_id in (select unnest(?::varchar[]))
              and account_id not in (select account_id from transactions)
            """,
            [created],
        )
        cur.execute("update import_batches set status = 'undone' where batch_id = ?", [batch_id])
    return {"batch_id": batch_id, "rows": removed[0], "revenue": Decimal(removed[1])}
