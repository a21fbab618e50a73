"""Transaction lines (merge rule `lines`): stage → checks → report → merge, and undo of a batch of lines.

A batch is first landed in a stage: a scratch DuckDB file beside the batch's temporary files, attached
as `import_stage`, where every line is stored once with its values parsed (compressed on disk, so a
10-million-line file need not fit in memory). The checks and the report read the stage through views;
only then, in one transaction of the database, are the new lines merged and the report written. A
refusal, a dry run or any error rolls that transaction back, so the database is exactly as it was.

Line identity: a line's key (`txn_key`) is `H:<md5 of the line's text>#<n>` — the md5 of all of its
fields as written in the file (joined by the unit separator), whatever is mapped, and n counting the
identical lines before it in the same file. So the same line imports once, whichever mapping or file of
a folder it comes in. (Older versions keyed lines that had an order id and a line number as
`L:<order id>#<line number>`; those keys are listed in `legacy_line_keys`, found again by their order
id and line number, and replaced by the line's own key when the line is imported again.)
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path

import duckdb

from ka import db
from ka.importing import read
from ka.importing.kinds import LINE_NO_SYNONYMS, Kind
from ka.importing.mapping import normalise, short_list
from ka.importing.options import (
    BROKEN_ROWS_TOLERATED, BROKEN_SHARE_LIMIT, QUOTED_LINES, REJECTED_KEPT, REJECTED_SHARE_LIMIT, ImportOptions, OnStage,
    no_progress,
)
from ka.importing.report import (
    DryRunDone, FileSummary, ImportRefused, ImportReport, Layout, MonthTotal, RejectedRow, batch_details,
    decide_day_first, field_label, format_report, reason_label, required_label,
)
from ka.date_window import HARD_FIRST, HARD_LAST, DateWindow, load_date_window

TEXT_FIELDS = ("account_id", "account_name", "product", "category", "region", "industry", "ka_manager")
# SQL literals: a line with none of these is not mojibake
MOJIBAKE_CHARS = tuple(db.Sql(char) for char in ("'Ã'", "'Â'", "'â'", "'ï'", "chr(65533)"))
# How each canonical field is kept while the file is read (see _landing_select): ids and text parsed
# at once, numbers parsed with their text kept where the plain cast fails (for the reason and its
# value), the order date cast when it is ISO and otherwise kept as text until the date order is known.
LANDED_IDS = {"order_id": "order_id", "account_id": "account_id"}
LANDED_TEXTS = ("account_name", "product", "category", "region", "industry", "ka_manager")
LANDED_NUMBERS = {
    "quantity": "quantity", "unit_price": "unit_price", "discount": "discount",
    "revenue": "revenue_value", "cost": "cost_value", "profit": "profit_value",
}
MONTH_ROWS_SQL = """
    select date_trunc('month', order_date)::date as month, count(*) as rows, sum(revenue) as revenue, sum(cost) as cost
    from import_ready group by all order by month
"""
# DuckDB may use this much memory while it imports (it spills to disk beyond); the whole process then stays
# within about 2 GB even for a 10-million-line file. Only ever lowered: a smaller configured limit is kept.
IMPORT_MEMORY_LIMIT = "1536MiB"
RELEASE_MEMORY_LIMIT = "64MiB"  # set for a moment after a batch, so DuckDB hands back the pages it cached


def import_lines(
    con, spec: Kind, parts: list[read.FilePart], layouts: list[Layout], part_layout: list[int], options: ImportOptions,
    *, dry_run: bool, on_stage: OnStage = no_progress, kept: KeptStage | None = None,
) -> ImportReport:
    """Import the files' lines as one batch (or only report what would happen). Raises ImportRefused.

    With `kept`, the stage is kept in its folder after the batch, and a batch made from the same files
    and choices is checked and merged from it without reading the files again (a check, then its import)."""
    # Stage and merge are two transactions (DuckDB writes one database per transaction), on one writer:
    # on a served database the next version, published only when the block ends normally; a dry run or
    # a refusal leaves it by an exception, so nothing is published.
    try:
        with db.write_connection(con) as cur, _scratch_folder(kept) as temp_dir:
            window = options.date_window or load_date_window(con)  # (after the writer's checks of the folder)
            legacy_lines = cur.execute("select count(*) > 0 from legacy_line_keys").fetchall()[0][0]
            made_from = _made_from(spec, parts, layouts, part_layout, options, legacy_lines)
            reusable = kept.take(made_from) if kept else None
            with _import_memory(cur), _stage_database(cur, temp_dir):
                try:
                    if reusable:
                        staged = _reopen(cur, reusable, window)
                    else:
                        staged = _stage(cur, spec, parts, layouts, part_layout, options, temp_dir, window, legacy_lines)
                        if kept:
                            kept.keep(made_from, staged)
                    on_stage("checking", staged.rows_read)
                    with db.transaction(cur) as writer:  # on the batch's own cursor: its temp views live there
                        report = _check(writer, staged, options)
                        if dry_run or report.rows_to_import == 0:
                            report.dry_run = dry_run  # nothing new to import is not a dry run: the report says 0 rows
                            report.text = format_report(report)
                            raise DryRunDone(report)
                        on_stage("merging", report.rows_to_import)
                        _merge(writer, report, options)
                        report.text = format_report(report)  # before the commit: a report that fails stops the batch
                finally:
                    _drop_temp_objects(cur)
        return report
    except DryRunDone as done:
        return done.report


# --- memory and the stage database ---------------------------------------------------------------
_SIZE = re.compile(r"([0-9.]+)\s*([KMGT]?i?B)", re.IGNORECASE)
_UNITS = {"b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12, "kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40}


def _bytes(setting: str) -> float:
    found = _SIZE.search(setting or "")
    return float(found.group(1)) * _UNITS[found.group(2).lower()] if found else float("inf")


@contextmanager
def _import_memory(cur):
    """DuckDB's memory limit lowered to IMPORT_MEMORY_LIMIT while a batch imports (never raised), then
    the cached pages it no longer needs given back, so a server's memory returns after an upload."""
    configured = cur.execute("select current_setting('memory_limit')").fetchall()[0][0]
    if _bytes(configured) > _bytes(IMPORT_MEMORY_LIMIT):
        cur.execute("set memory_limit = ?", [IMPORT_MEMORY_LIMIT])
    try:
        yield
    finally:
        try:
            cur.execute("set memory_limit = ?", [RELEASE_MEMORY_LIMIT])  # evicts what is cached and unpinned
        except duckdb.Error:
            pass  # memory still pinned by a reader: nothing to give back now
        cur.execute("set memory_limit = ?", [configured])


STAGE_FILE = "stage.duckdb"


@contextmanager
def _scratch_folder(kept: KeptStage | None):
    """Where the batch's stage and transcoded copies go: the kept stage's folder, or one removed after."""
    if kept:
        kept.folder.mkdir(parents=True, exist_ok=True)
        yield kept.folder
        return
    with tempfile.TemporaryDirectory(prefix="ka-import-") as temp_dir:
        yield Path(temp_dir)


@contextmanager
def _stage_database(cur, temp_dir: Path):
    """The batch's scratch database, attached as read.STAGE for as long as the batch is staged and merged."""
    path = temp_dir / STAGE_FILE
    cur.execute(db.with_identifiers("attach ? as {stage}", stage=read.STAGE), [str(path)])
    try:
        yield path
    finally:
        cur.execute(db.with_identifiers("detach {stage}", stage=read.STAGE))


def _drop_temp_objects(cur) -> None:
    """The views and tables a batch left on its cursor, dropped before the stage is detached."""
    rows = cur.execute(
        "select 'view', view_name from duckdb_views() where temporary and starts_with(view_name, 'import_') "
        "union all select 'table', table_name from duckdb_tables() where temporary and starts_with(table_name, 'import_')"
    ).fetchall()
    for kind, name in rows:
        cur.execute(db.with_identifiers(DROP_TEMP[kind], name=name))


DROP_TEMP = {"view": "drop view if exists {name}", "table": "drop table if exists {name}"}


# --- staging --------------------------------------------------------------------------------------
@dataclass
class Staged:
    """What the stage holds and how to read it: the parts, their layouts, the landed groups."""

    parts: list[read.FilePart]
    layouts: list[Layout]
    part_layout: list[int]
    groups: list[list[int]]
    files: list[FileSummary]
    broken_rows: list[RejectedRow]
    rows_read: int
    legacy_lines: bool
    date_order: str
    window: DateWindow


@dataclass
class KeptStage:
    """A batch's stage kept on disk between its check and its import (the page's report, then its
    button), so the files are read and parsed once. It serves a batch made from the same files (by
    content), kind, layouts and date order, while the database's older line keys are as they were;
    anything else stages the files afresh. The checks against the database are always made again."""

    folder: Path
    made_from: tuple | None = None
    staged: Staged | None = None

    def take(self, made_from: tuple) -> Staged | None:
        """The stage for a batch made from exactly this, or None, with the folder emptied for a new one."""
        if self.staged is not None and self.made_from == made_from and (self.folder / STAGE_FILE).exists():
            return self.staged
        self.forget()
        self.folder.mkdir(parents=True, exist_ok=True)
        return None

    def keep(self, made_from: tuple, staged: Staged) -> None:
        self.made_from, self.staged = made_from, staged

    def forget(self) -> None:
        """Nothing kept, and the folder's files (the stage, transcoded copies) deleted."""
        self.made_from = self.staged = None
        shutil.rmtree(self.folder, ignore_errors=True)


def _made_from(spec: Kind, parts, layouts, part_layout, options: ImportOptions, legacy_lines: bool) -> tuple:
    """Everything a stage depends on (the date window and the duplicate choice are applied after it)."""
    return (
        spec.name,
        tuple((part.label, part.sha256, part.sheet, part.encoding, part.delimiter, tuple(part.headers))
              for part in parts),
        tuple(tuple(sorted(layout.mapping.items())) for layout in layouts), tuple(part_layout),
        options.date_order, (options.mapping or {}).get("line_no"), bool(legacy_lines),
    )


def _layout_groups(parts: list[read.FilePart]) -> list[list[int]]:
    """Indexes of consecutive parts DuckDB can read in one scan (e.g. a folder of daily files)."""
    groups: list[list[int]] = []
    for index, part in enumerate(parts):
        if groups and read.same_layout(parts[groups[-1][0]], part):
            groups[-1].append(index)
        else:
            groups.append([index])
    return groups


def _legacy_line_column(part: read.FilePart, options: ImportOptions) -> str | None:
    """The header of the line-number-in-order column, to find lines keyed the old way (see the module doc)."""
    named = (options.mapping or {}).get("line_no")
    if named in part.headers:
        return named
    by_name = {normalise(header): header for header in reversed(part.headers)}
    return next((by_name[name] for name in LINE_NO_SYNONYMS if name in by_name), None)


def _stage(cur, spec: Kind, parts, layouts, part_layout, options: ImportOptions, temp_dir: Path, window: DateWindow,
           legacy_lines: bool) -> Staged:
    """Land every group of files in the stage database (one scan each, values parsed while read), then
    parse and check the lines there (the view import_parsed): everything the database is not needed for."""
    cur.execute(db.load_sql("import_macros"))
    groups = _layout_groups(parts)
    files: list[FileSummary] = []
    broken_rows: list[RejectedRow] = []
    rows_read = 0
    with db.transaction(cur):  # writes only the stage database (and temp tables)
        for number, members in enumerate(groups):
            first = parts[members[0]]
            layout = layouts[part_layout[members[0]]]
            line_column = _legacy_line_column(first, options) if legacy_lines and "order_id" in layout.mapping else None
            refused_lines = read.land(
                cur, [parts[index] for index in members], number, temp_dir,
                _landing_select(first, layout.mapping, line_column), place="stage",
            )
            kept_by_file = dict(cur.execute(
                db.with_identifiers("select _file, count(*) from {raw} group by _file", raw=f"import_raw_{number}")
            ).fetchall())
            for local, index in enumerate(members):
                part = parts[index]
                refused = [(line, kind, text) for file_index, line, kind, text in refused_lines if file_index == local]
                total = kept_by_file.get(local, 0) + len(refused)
                if len(refused) > BROKEN_ROWS_TOLERATED and len(refused) / total > BROKEN_SHARE_LIMIT:
                    quoted = "\n".join(f"  {line}: {text}" for line, _, text in refused[:QUOTED_LINES])
                    raise ImportRefused("broken_rows", file=part.label, broken=len(refused), rows=total, lines=quoted)
                for line, _, text in refused:
                    broken_rows.append(RejectedRow(part.label, line, "field_count", None, (text or "")[:300]))
                files.append(FileSummary(
                    part.label, part.sha256, part.encoding, part.delimiter, part.sheet, total, len(refused),
                    part_layout[index],
                ))
                rows_read += total
        # A broken file is refused as broken (above) before the mapping is judged.
        for layout in layouts:
            missing = ", ".join(required_label(name) for name in spec.missing(layout.mapping))
            if missing and len(layouts) == 1:
                raise ImportRefused("required_fields", fields=missing)
            if missing:
                raise ImportRefused("required_fields_of", fields=missing, files=short_list(layout.files))
        _number_repeats(cur, groups)
        day_first = _day_first(cur, groups, options)
        _parse_slow_dates(cur, groups, bool(day_first))
        staged = Staged(
            parts, layouts, part_layout, groups, files, broken_rows, rows_read, bool(legacy_lines),
            {True: "dmy", False: "mdy", None: "none_needed"}[day_first], window,
        )
        _parse(cur, staged, window)
        _check_mojibake(cur)
    return staged


def _reopen(cur, staged: Staged, window: DateWindow) -> Staged:
    """A kept stage, attached again: its landed groups' views and the parsed lines (in today's date
    window), without reading the files. What the stage checked of the files themselves (field counts,
    encodings, the mapping's required fields, mojibake) holds as it did."""
    staged = replace(staged, window=window)
    for number, members in enumerate(staged.groups):
        read.open_landed(cur, [staged.parts[index] for index in members], number, place="stage")
    _parse(cur, staged, window)
    return staged


def _column(part: read.FilePart, mapping: dict[str, str], name: str) -> str | db.Sql:
    """The generated column name (c0, c1, ...) that feeds `name` in this part, or a text null."""
    header = mapping.get(name)
    return f"c{part.headers.index(header)}" if header else read.TEXT_NULL


def _landing_select(part: read.FilePart, mapping: dict[str, str], line_column: str | None = None) -> db.Sql:
    """The columns the reader keeps of every line (read.land's select_list), the same for every part.

    Fast lane: the plain casts of ISO dates and numbers, which is all a clean export needs; the
    text parsers (ka_number's regular expressions, ka_date) only run where the plain cast fails,
    and the text is kept only for those values, so nothing else is stored twice.
    """
    line = db.with_identifiers("concat_ws(chr(31), {fields})", fields=db.joined(
        "coalesce({item}, '')", [f"c{index}" for index in range(len(part.headers))]))
    columns = [
        db.with_identifiers("md5_number({line}) as raw_hash", line=line),
        # the tell-tale characters of mojibake anywhere in the line: _check_mojibake looks only at these lines
        db.with_identifiers("{any} as maybe_mojibake", any=db.joined("contains({line}, {item})", MOJIBAKE_CHARS, " or ", line=line)),
    ]
    for name, landed in LANDED_IDS.items():
        columns.append(db.with_identifiers("ka_id({source}) as {landed}", source=_column(part, mapping, name), landed=landed))
    legacy = f"c{part.headers.index(line_column)}" if line_column else read.TEXT_NULL
    columns.append(db.with_identifiers("ka_id({source}) as order_line", source=legacy))
    for name in LANDED_TEXTS:
        columns.append(db.with_identifiers("ka_text({source}) as {name}", source=_column(part, mapping, name), name=name))
    # a number's text is kept where no value came of it (for a rejected row's value), and whether it was
    # blank or unreadable is decided here, so the views downstream need no text parsers
    for name, landed in LANDED_NUMBERS.items():
        columns.append(db.with_identifiers(
            "ka_number({source}) as {landed}, "
            "case when {landed} is null then {source} end as {name}_text, "
            "{landed} is null and not ka_blank({source}) as {name}_bad",
            source=_column(part, mapping, name), landed=landed, name=name,
        ))
    # ISO dates by the plain cast, and only for YYYY-… (as in ka_date: DuckDB would read '05/07/03' as the
    # year 5); every other date keeps its text, which _parse_slow_dates reads once the date order is known.
    # A date no window admits (0000-01-01 is 1 BC to DuckDB) keeps its text too, to be reported as written.
    columns.append(db.with_identifiers(
        "case when substr({date}, 5, 1) = '-' then try_cast({date} as date) end as order_date_cast, "
        "case when order_date_cast between {first} and {last} then order_date_cast end as order_date, "
        "case when order_date is null then {date} end as order_date_text, "
        "order_date is null and ka_blank({date}) as order_date_blank",
        date=_column(part, mapping, "order_date"), first=HARD_FIRST, last=HARD_LAST,
    ))
    return db.joined("{item}", columns)


def _union(groups, select: str) -> db.Sql:
    """`select` over every landed group ({raw} stands for its view; all have the same columns)."""
    return db.joined("{item}", [db.with_identifiers(select, raw=f"import_raw_{number}") for number in range(len(groups))],
                     " union all ")


def _picks(groups) -> db.Sql:
    """Every landed group with the batch's file numbers (a group's continue from the groups before it)."""
    return db.joined("{item}", [
        db.with_identifiers(
            "select ({first_file} + _file)::integer as file_no, _line as line_no, {number} as group_no, "
            "* exclude (_file, _line) from {raw}",
            first_file=int(members[0]), number=number, raw=f"import_raw_{number}",
        )
        for number, members in enumerate(groups)
    ], " union all ")


def _number_repeats(cur, groups) -> None:
    """Identical lines within a file, numbered (for their keys): found through the few hashes that
    occur twice, so the window never runs over the whole batch."""
    cur.execute(db.with_identifiers(
        """
        create or replace table {stage}.import_repeats as with lines as ({picks})
        select file_no, line_no, row_number() over (partition by file_no, raw_hash order by line_no) as repeat_no
        from lines
        where (file_no, raw_hash) in (select file_no, raw_hash from lines group by all having count(*) > 1)
        """, stage=read.STAGE, picks=_picks(groups),
    ))


def _check(cur, staged: Staged, options: ImportOptions) -> ImportReport:
    """Everything the report says: the staged lines against the database (already imported, new accounts)."""
    report = ImportReport(
        files=list(staged.files), mapping=staged.layouts[0].mapping, layouts=staged.layouts,
        rows_read=staged.rows_read, date_window=(staged.window.first, staged.window.last),
        date_order=staged.date_order,
    )
    _key_and_count(cur, report, options, staged, dedupe_in_batch=len(staged.parts) > 1)
    if report.rows_read and report.rows_rejected / report.rows_read > REJECTED_SHARE_LIMIT:
        first = report.rejected[:QUOTED_LINES]
        quoted = "\n".join(
            f"  {row.file} {row.line}: {reason_label(row.reason)} {field_label(row.field) if row.field else ''} {row.value or ''}"
            for row in first
        )
        raise ImportRefused("mostly_rejected", rejected=report.rows_rejected, rows=report.rows_read, lines=quoted)
    return report


def _day_first(cur, groups, options) -> bool | None:
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


def _parse_slow_dates(cur, groups, day_first: bool) -> None:
    """The dates the plain cast could not read (M/D/Y, 2024年3月5日, Excel serials, ...), read in the stage
    now that the date order is known: only those lines are touched."""
    for number in range(len(groups)):
        cur.execute(
            db.with_identifiers(
                "update {stage}.{table} set order_date = ka_date(order_date_text, $day_first) "
                "where order_date_text is not null and not order_date_blank",
                stage=read.STAGE, table=f"import_file_{number}",
            ),
            {"day_first": day_first},
        )


def _parse(cur, staged: Staged, window: DateWindow) -> None:
    """The view import_parsed: every landed line with its values, key and the reason it is rejected.

    A view (the lines are stored once, in the stage) of plain expressions over the landed values. How
    revenue and cost are formed depends on each layout's mapping, so each group of files carries its own
    row of import_group_settings; the date window holds for the batch.
    """
    cur.execute(
        "create or replace temp table import_settings as select $first as date_first, $last as date_last",
        {"first": window.first, "last": window.last},
    )
    rows = []
    for number, members in enumerate(staged.groups):
        mapping = staged.layouts[staged.part_layout[members[0]]].mapping
        revenue_from_price = "revenue" not in mapping
        discount_kind = "none"
        if revenue_from_price and "discount" in mapping:
            discount_kind = "fraction" if _discounts_are_fractions(cur, number) else "amount"
        cost_kind = "cost" if "cost" in mapping else "profit" if "profit" in mapping else "none"
        rows.append((number, revenue_from_price, discount_kind, cost_kind))
    cur.execute(
        "create or replace temp table import_group_settings "
        "(group_no integer, revenue_from_price boolean, discount_kind varchar, cost_kind varchar)"
    )
    cur.executemany("insert into import_group_settings values (?, ?, ?, ?)", rows)
    cur.execute(db.with_identifiers(db.load_sql("import_parse_lines"), picked=_picks(staged.groups)))


def _discounts_are_fractions(cur, number: int) -> bool:
    """A discount column holding only values from 0 to 1 is a rate (0.15 = 15 %); otherwise an amount."""
    largest = cur.execute(
        db.with_identifiers("select max(abs(discount)) from {raw}", raw=f"import_raw_{number}")
    ).fetchall()[0][0]
    return largest is None or largest <= 1


def _check_mojibake(cur) -> None:
    """Refuse text that was decoded twice or with the wrong code page, quoting a few lines.

    One column at a time, and the regular expression only on lines where a tell-tale character
    occurs (maybe_mojibake, found while the file was read).
    """
    selects = db.joined(
        "select min(line_no) as line_no, {item} as text from import_parsed "
        "where maybe_mojibake and ka_is_mojibake({item}) group by all",
        TEXT_FIELDS, " union all ",
    )
    rows = cur.execute(
        db.with_identifiers("select line_no, text from ({selects}) order by line_no limit ?", selects=selects), [QUOTED_LINES]
    ).fetchall()
    if rows:
        raise ImportRefused("mojibake", lines="\n".join(f"  {line}: {text}" for line, text in rows))


# Lines repeated across the files of one batch are kept once; a single file keyed by content cannot
# repeat a key, so it skips this window.
DEDUPE_IN_BATCH = {
    True: db.Sql("select file_no, line_no from import_candidates "
                 "qualify row_number() over (partition by txn_key order by file_no, line_no) > 1"),
    False: db.Sql("select null::integer as file_no, null::bigint as line_no where false"),
}
# Exact repeats of a line within a file are kept unless the user drops them.
DROP_REPEATS = {True: db.Sql("and repeat_no = 1"), False: db.Sql("")}
# Lines an older version keyed by order id and line number (see the module doc), when any are stored.
LEGACY_MATCHES = {
    True: db.Sql("select candidates.file_no, candidates.line_no, legacy.txn_key as old_key, candidates.txn_key as new_key "
                 "from import_candidates as candidates "
                 "join legacy_line_keys as legacy using (order_id, order_line)"),
    False: db.Sql("select null::integer as file_no, null::bigint as line_no, null::varchar as old_key, "
                  "null::varchar as new_key where false"),
}


# --- checks against the database, and the report -----------------------------------------------------
def _key_and_count(cur, report: ImportReport, options: ImportOptions, staged: Staged, dedupe_in_batch: bool) -> None:
    """Set aside repeats and lines already imported (keys come with the parsed lines), fill the report.

    import_ready is a view: the lines to import are the good ones less the few set aside, so the
    batch is not copied once more before the merge.
    """
    # (the parts below come from the fixed dicts DROP_REPEATS, DEDUPE_IN_BATCH and LEGACY_MATCHES)
    cur.execute(db.with_identifiers(
        """
        create or replace temp view import_candidates as
        select * exclude (reason, reason_field, reason_value) from import_parsed
        where reason is null and account_id is not null {drop_repeats}
        """, drop_repeats=DROP_REPEATS[options.drop_duplicates],
    ))
    cur.execute(db.with_identifiers("create or replace temp table import_rekeyed as {matches}",
                                    matches=LEGACY_MATCHES[staged.legacy_lines]))
    cur.execute(db.with_identifiers(
        """
        create or replace temp table import_skipped as
        select file_no, line_no from import_candidates semi join transactions using (txn_key)
        union
        select file_no, line_no from import_rekeyed
        union all
        {dedupe}
        """, dedupe=DEDUPE_IN_BATCH[dedupe_in_batch],
    ))
    cur.execute(
        "create or replace temp view import_ready as "
        "select * from import_candidates anti join import_skipped using (file_no, line_no)"
    )
    report.legacy_matched = cur.execute("select count(*) from import_rekeyed").fetchall()[0][0]
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
    report.rows_rejected = len(staged.broken_rows) + value_rejects
    labels = {number: summary.name for number, summary in enumerate(report.files)}
    value_rows = cur.execute(
        "select file_no, line_no, reason, reason_field, reason_value from import_parsed "
        "where reason is not null order by file_no, line_no limit ?",
        [REJECTED_KEPT],
    ).fetchall()
    order = {name: number for number, name in labels.items()}
    report.rejected = sorted(
        staged.broken_rows + [
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
def _merge(cur, report: ImportReport, options: ImportOptions) -> None:
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
    # Lines stored under an older version's key get their own key now, so they are found by it.
    cur.execute(
        "update transactions set txn_key = rekeyed.new_key from import_rekeyed as rekeyed "
        "where transactions.txn_key = rekeyed.old_key"
    )
    cur.execute("delete from legacy_line_keys where txn_key in (select old_key from import_rekeyed)")
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
        layouts=[{"files": layout.files, "mapping": layout.mapping} for layout in report.layouts],
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


# --- undo -----------------------------------------------------------------------------------
def undo_lines(cur, batch_id: int, details: dict) -> tuple[int, Decimal]:
    """Delete a batch's lines and the accounts it created that have no lines left (in the caller's
    transaction). Returns the lines and the revenue removed."""
    cur.execute(
        "create or replace temp table undo_accounts as select distinct account_id from transactions where batch_id = ?",
        [batch_id],
    )
    removed = cur.execute(
        "select count(*), coalesce(sum(revenue), 0) from transactions where batch_id = ?", [batch_id]
    ).fetchall()[0]
    cur.execute("delete from transactions where batch_id = ?", [batch_id])
    db.refresh_account_month(cur, "undo_accounts")
    cur.execute(
        """
        delete from accounts
        where account_id in (select unnest(?::varchar[]))
          and account_id not in (select account_id from transactions)
        """,
        [details.get("new_accounts", [])],
    )
    return removed[0], Decimal(removed[1])
