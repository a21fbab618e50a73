"""The tables beside the transaction lines — accounts master, visits, tickets, surveys, targets,
strategic projects, contacts, account team, relationship assessments, action plans: stage (each row
parsed by the kind's SQL, rejected rows with file and line) → count → merge by the kind's rule in one
transaction, or refuse and leave the database exactly as it was; and undo, which restores exactly.

What "re-importing adds nothing" means per merge rule (see ka/importing/kinds.py):
- upsert: accounts by account_id (an account without an id takes its name, as transaction lines do;
  a file with names but no id column finds the stored account that carries the name), targets by
  (scope, scope_id, period, metric), contacts, team and actions by their keys. A file's last row for a
  key wins; for accounts, blank cells keep the stored value. The values a batch replaces are kept in
  `import_replaced_<table>` for undo.
- append: a row is new when its key occurs more often in the file than in the table: the n-th
  identical row of a file is the key's n-th occurrence, so two real identical visits are both kept and
  a re-import adds none. Tickets are keyed without their resolved date (the same ticket, later
  resolved, is not a new ticket). The rows a batch added are kept in `import_added_<table>` for undo.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pyarrow as pa

from ka import db, i18n
from ka.importing import read
from ka.importing.kinds import METRIC_ALIASES, Kind
from ka.importing.mapping import normalise
from ka.importing.options import (
    BROKEN_ROWS_TOLERATED, BROKEN_SHARE_LIMIT, QUOTED_LINES, REJECTED_KEPT, REJECTED_SHARE_LIMIT, ImportOptions, OnStage,
    no_progress,
)
from ka.importing.report import (
    DryRunDone, FileSummary, ImportRefused, ImportReport, RejectedRow, batch_details, decide_day_first,
    format_report, reason_label, required_label,
)
from ka.date_window import HARD_FIRST, HARD_LAST, load_date_window
from ka.kpi import KPIS


# Upserts whose merge and undo are the generic ones (import_upsert_*.sql); a field's column where
# the two names differ (a contact's job title and an action's title are both `title`).
GENERIC_UPSERTS = ("contacts", "team", "actions")
FIELD_COLUMNS = {"job_title": "title", "action_title": "title"}
TEXT_COLUMNS = ("account_id", "account_name", "account_name_en", "industry", "region", "ka_manager", "kind",
                "severity", "name", "scope_id", "contact_name", "title", "reports_to", "member_name", "note",
                "owner", "closing_note")


def metric_aliases() -> pa.Table:
    """alias (normalised) → KPI name and whether it is a percentage, from ka.kpi and both catalogs."""
    rows: dict[str, tuple[str, bool]] = {}
    for kpi in KPIS:
        names = [kpi.name, *METRIC_ALIASES.get(kpi.name, ())]
        names += [i18n.catalog(language).get(f"scorecards.kpi_name.{kpi.name}", "") for language in i18n.LANGUAGES]
        for name in names:
            if name:
                rows.setdefault(normalise(name), (kpi.name, kpi.unit == "pct"))
    return pa.table({
        "alias": list(rows), "metric": [m for m, _ in rows.values()], "is_pct": [p for _, p in rows.values()],
    })


# --- import ---------------------------------------------------------------------------------
def import_table(con, spec: Kind, parts: list[read.FilePart], mapping: dict[str, str], options: ImportOptions,
                 *, dry_run: bool, on_stage: OnStage = no_progress) -> ImportReport:
    """Import the files into the kind's table as one batch (or only report). Raises ImportRefused."""
    try:
        with db.write_transaction(con) as cur, tempfile.TemporaryDirectory(prefix="ka-import-") as temp_dir:
            window = options.date_window or load_date_window(con)  # (after the writer's checks of the folder)
            report = _stage(cur, spec, parts, mapping, options, Path(temp_dir), window, on_stage)
            if dry_run or report.rows_to_import == 0:
                report.dry_run = dry_run
                report.text = format_report(report)
                raise DryRunDone(report)
            on_stage("merging", report.rows_to_import)
            _merge(cur, spec, report, options)
            report.text = format_report(report)  # before the commit: a report that fails stops the batch
            return report
    except DryRunDone as done:
        return done.report


def _stage(cur, spec: Kind, parts, mapping: dict[str, str], options: ImportOptions, temp_dir: Path,
           window, on_stage: OnStage) -> ImportReport:
    for sql_name in ("import_macros", "import_accounts_macros", "import_targets_macros", "import_people_macros"):
        cur.execute(db.load_sql(sql_name))
    report = ImportReport(kind=spec.name, mapping=mapping, date_window=(window.first, window.last))
    broken_rows = _land(cur, parts, report, temp_dir)
    on_stage("checking", report.rows_read)
    missing = spec.missing(mapping)
    if missing:
        raise ImportRefused("required_fields", fields=", ".join(required_label(name) for name in missing))
    day_first = _day_first(cur, spec, parts, mapping, options)
    report.date_order = {True: "dmy", False: "mdy", None: "none_needed"}[day_first]
    day_first = bool(day_first)
    if spec.name == "targets":
        cur.register("import_metric_arrow", metric_aliases())
        cur.execute("create or replace temp table import_metric_names as select * from import_metric_arrow")
        cur.unregister("import_metric_arrow")
    params = {"day_first": day_first, "date_first": window.first, "date_last": window.last,
              "hard_first": HARD_FIRST, "hard_last": HARD_LAST}
    cur.execute(db.with_identifiers(db.load_sql("import_picked"), picked=_picked_columns(spec, parts, mapping)))
    parse_sql = db.load_sql(spec.sql_name("parse"))
    # (DuckDB refuses parameters a statement does not use)
    cur.execute(parse_sql, {name: value for name, value in params.items() if f"${name}" in parse_sql} or None)
    cur.execute(db.with_identifiers(db.load_sql("import_table_rows"), columns=", ".join(spec.columns)))
    if "account_id" in spec.fields and "account_id" not in mapping:
        _match_names_to_accounts(cur)
    _check_mojibake(cur, spec)
    _find_new_rows(cur, spec, mapping)
    _count(cur, spec, report, broken_rows)
    if report.rows_read and report.rows_rejected / report.rows_read > REJECTED_SHARE_LIMIT:
        quoted = "\n".join(
            f"  {row.file} {row.line}: {reason_label(row.reason)} {row.value or ''}" for row in report.rejected[:QUOTED_LINES]
        )
        raise ImportRefused("mostly_rejected", rejected=report.rows_rejected, rows=report.rows_read, lines=quoted)
    return report


def _picked_columns(spec: Kind, parts, mapping: dict[str, str]) -> db.Sql:
    """One select per landed file: each field's text under its field name, and the account read from
    its id or name the same way for every kind. Generated names only (c0, c1, ... and the kind's
    fixed field names)."""
    selects = []
    for number, part in enumerate(parts):
        texts = {
            name: f"c{part.headers.index(mapping[name])}" if name in mapping else read.TEXT_NULL
            for name in spec.fields
        }
        columns = [db.with_identifiers("{text} as {name}_text", text=text, name=name) for name, text in texts.items()]
        if "account_id" in texts:
            columns.append(db.with_identifiers("ka_account({id}, {name}) as account_id",
                                               id=texts["account_id"], name=texts["account_name"]))
        selects.append(db.with_identifiers(
            "select {number}::integer as file_no, _line as line_no, {columns} from {raw}",
            number=number, columns=db.joined("{item}", columns), raw=f"import_raw_{number}",
        ))
    return db.joined("{item}", selects, " union all ")


def _land(cur, parts, report: ImportReport, temp_dir: Path) -> list[RejectedRow]:
    """Each part as temp view import_raw_<n>; rows with the wrong field count rejected with their
    line, or the whole batch refused when they are more than a few (the file's structure is wrong)."""
    broken_rows: list[RejectedRow] = []
    for number, part in enumerate(parts):
        refused = read.land(cur, [part], number, temp_dir)
        kept = cur.execute(db.with_identifiers("select count(*) from {raw}", raw=f"import_raw_{number}")).fetchall()[0][0]
        total = kept + len(refused)
        if len(refused) > BROKEN_ROWS_TOLERATED and len(refused) / total > BROKEN_SHARE_LIMIT:
            quoted = "\n".join(f"  {line}: {text}" for _, line, _, text in refused[:QUOTED_LINES])
            raise ImportRefused("broken_rows", file=part.label, broken=len(refused), rows=total, lines=quoted)
        for _, line, _, text in refused:
            broken_rows.append(RejectedRow(part.label, line, "field_count", None, (text or "")[:300]))
        report.files.append(FileSummary(
            part.label, part.sha256, part.encoding, part.delimiter, part.sheet, total, len(refused),
        ))
        report.rows_read += total
    return broken_rows


def _day_first(cur, spec: Kind, parts, mapping: dict[str, str], options: ImportOptions) -> bool | None:
    """M/D or D/M for slash dates, over every date column: from the data when a number above 12
    decides it, else the user (ImportOptions.date_order); refused when neither can tell; None when
    no date needs an order (ISO dates, Chinese dates, Excel dates)."""
    if options.date_order in ("mdy", "dmy"):
        return options.date_order == "dmy"
    selects = [
        db.with_identifiers("select ka_date_parts({column}) as parts from {raw}",
                            column=f"c{part.headers.index(mapping[name])}", raw=f"import_raw_{number}")
        for number, part in enumerate(parts) for name in spec.dates if name in mapping
    ]
    if not selects:
        return None
    return decide_day_first(cur, db.joined("{item}", selects, " union all "))


def _match_names_to_accounts(cur) -> None:
    """A file with account names but no ids (a CRM export): a name that one stored account carries
    means that account; other names stay their own id, as in a transaction import without ids."""
    cur.execute(
        """
        update import_table_rows set account_id = known.account_id
        from (
            select account_name, any_value(account_id) as account_id
            from accounts
            where account_name is not null
            group by account_name
            having count(*) = 1
        ) as known
        where import_table_rows.account_id = known.account_name
        """
    )


def _check_mojibake(cur, spec: Kind) -> None:
    """Refuse text decoded with the wrong code page (as the transaction import does)."""
    selects = db.joined(
        "select min(line_no) as line_no, {item} as text from import_table_rows where ka_is_mojibake({item}) group by all",
        [name for name in spec.columns if name in TEXT_COLUMNS], " union all ",
    )
    rows = cur.execute(
        db.with_identifiers("select line_no, text from ({selects}) order by line_no limit ?", selects=selects), [QUOTED_LINES]
    ).fetchall()
    if rows:
        raise ImportRefused("mojibake", lines="\n".join(f"  {line}: {text}" for line, text in rows))


def _find_new_rows(cur, spec: Kind, mapping: dict[str, str]) -> None:
    """import_table_ready: the rows the batch writes (upserts: with the values they replace)."""
    if spec.name in GENERIC_UPSERTS:
        cur.execute(db.with_identifiers(db.load_sql("import_upsert_changes"), **_upsert_parts(spec, mapping)))
        return
    if spec.upsert:
        cur.execute(db.load_sql(spec.sql_name("changes")))
        return
    cur.execute(db.with_identifiers(
        db.load_sql("import_append_new_rows"), table=spec.table, key=", ".join(spec.key),
        key_match=db.joined("in_batch.{item} is not distinct from stored.{item}", spec.key, " and "),
    ))


def _mapped_columns(spec: Kind, mapping: dict[str, str]) -> set[str]:
    """The table columns a batch's mapping gives values for (the key and its defaults always)."""
    mapped = {FIELD_COLUMNS.get(name, name) for name in mapping}
    if "account_name" in mapping:
        mapped.add("account_id")
    return mapped | set(spec.key)


def _upsert_parts(spec: Kind, mapping: dict[str, str] | None = None) -> dict[str, str | db.Sql]:
    """The names and column lists of import_upsert_*.sql for one table (names from the fixed KINDS only)."""
    mapped = _mapped_columns(spec, mapping or {})
    values = [name for name in spec.columns if name not in spec.key]
    return {
        "table": spec.table,
        "key": ", ".join(spec.key),
        "key_match": db.joined("stored.{item} = latest.{item}", spec.key, " and "),
        "merged": db.joined("{item}", [
            db.with_identifiers("latest.{name} as {name}", name=name) if name in mapped
            else db.with_identifiers("case when stored.present then stored.{name} else latest.{name} end as {name}", name=name)
            for name in spec.columns
        ]),
        "stored": db.joined("stored.{item} as stored_{item}", values),
        "new_values": ", ".join(values),
        "stored_values": db.joined("stored_{item}", values),
        "columns": ", ".join(spec.columns),
        "stored_columns": db.joined("{item}", [name if name in spec.key else f"stored_{name}" for name in spec.columns]),
    }


def _count(cur, spec: Kind, report: ImportReport, broken_rows: list[RejectedRow]) -> None:
    value_rejects, checked = cur.execute(
        "select count(*) filter (where reason is not null), count(*) filter (where reason is null) from import_table_rows"
    ).fetchall()[0]
    report.rows_rejected = len(broken_rows) + value_rejects
    report.rows_to_import = cur.execute("select count(*) from import_table_ready").fetchall()[0][0]
    if spec.upsert:
        distinct_keys = cur.execute(db.with_identifiers(
            "select count(*) from (select distinct {key} from import_table_rows where reason is null)", key=", ".join(spec.key)
        )).fetchall()[0][0]
        report.duplicate_lines_in_file = checked - distinct_keys
        report.rows_updated = cur.execute("select count(*) from import_table_ready where not was_new").fetchall()[0][0]
        report.duplicates_skipped = distinct_keys - report.rows_to_import
        report.new_accounts = report.rows_new if spec.name == "accounts" else 0
        report.existing_accounts = report.rows_updated if spec.name == "accounts" else 0
    else:
        report.duplicates_skipped = checked - report.rows_to_import
        report.accounts_unknown = cur.execute(
            "select count(distinct account_id) from import_table_ready "
            "where account_id not in (select account_id from accounts)"
        ).fetchall()[0][0]
    if spec.name == "accounts":
        report.changed_columns = dict(cur.execute(
            "select name, count(*) from (select unnest(changed) as name from import_table_ready where not was_new) "
            "group by name order by name"
        ).fetchall())
    if spec.main_date:
        report.first_date, report.last_date = cur.execute(
            db.with_identifiers("select min({date}), max({date}) from import_table_ready", date=spec.main_date)
        ).fetchall()[0]
    labels = [summary.name for summary in report.files]
    value_rows = cur.execute(
        "select file_no, line_no, reason, reason_field, reason_value from import_table_rows "
        "where reason is not null order by file_no, line_no limit ?",
        [REJECTED_KEPT],
    ).fetchall()
    order = {name: number for number, name in enumerate(labels)}
    report.rejected = sorted(
        broken_rows + [RejectedRow(labels[file_no], line, reason, name, value) for file_no, line, reason, name, value in value_rows],
        key=lambda row: (order[row.file], row.line),
    )[:REJECTED_KEPT]
    columns = ", ".join(spec.columns)
    cur.execute(db.with_identifiers("select {columns} from import_table_ready order by file_no, line_no limit 5", columns=columns))
    report.sample = [dict(zip(spec.columns, row)) for row in cur.fetchall()]


# --- merge ----------------------------------------------------------------------------------
def _execute_statements(cur, sql: str, params: dict) -> None:
    """A SQL file of several statements (DuckDB binds parameters only for a single statement);
    our files end each statement with ';' at the end of a line and hold no ';' elsewhere."""
    for statement in sql.split(";\n"):
        if statement.strip():  # DuckDB refuses parameters a statement does not use
            cur.execute(statement, {name: value for name, value in params.items() if f"${name}" in statement})


def _merge(cur, spec: Kind, report: ImportReport, options: ImportOptions) -> None:
    batch_id = cur.execute("select nextval('batch_id_seq')").fetchall()[0][0]
    if spec.name == "accounts":
        _execute_statements(cur, db.load_sql("import_accounts_merge"), {"batch_id": batch_id})
    elif spec.name in GENERIC_UPSERTS:
        _execute_statements(cur, db.with_identifiers(db.load_sql("import_upsert_merge"), **_upsert_parts(spec)),
                            {"batch_id": batch_id})
    elif spec.name == "targets":
        cur.execute(
            "insert into import_replaced_targets select $batch_id, scope, scope_id, period, metric, previous_target "
            "from import_table_ready",
            {"batch_id": batch_id},
        )
        cur.execute(
            "delete from targets where (scope, scope_id, period, metric) in "
            "(select scope, scope_id, period, metric from import_table_ready)"
        )
        cur.execute(
            "insert into targets (scope, scope_id, period, metric, target) "
            "select scope, scope_id, period, metric, target from import_table_ready"
        )
    else:  # table and column names from the fixed KINDS dict
        columns = ", ".join(spec.columns)
        cur.execute(db.with_identifiers(
            "insert into {table} ({columns}) select {columns} from import_table_ready", table=spec.table, columns=columns))
        cur.execute(
            db.with_identifiers(
                "insert into {added} (batch_id, {columns}) select $batch_id, {columns} from import_table_ready",
                added=f"import_added_{spec.table}", columns=columns,
            ),
            {"batch_id": batch_id},
        )
    details = batch_details(report, rows_new=report.rows_new, rows_updated=report.rows_updated)
    cur.execute(
        "insert into import_batches (batch_id, kind, source, files, rows_imported, revenue_total) values (?, ?, ?, ?, ?, null)",
        [batch_id, spec.name, options.source, json.dumps(details, ensure_ascii=False, default=str), report.rows_to_import],
    )
    report.batch_id = batch_id
    report.dry_run = False


# --- undo -----------------------------------------------------------------------------------
def undo_rows(cur, spec: Kind, batch_id: int) -> int:
    """Undo a batch of the kind (in the caller's transaction): what it added goes, what it replaced
    comes back. Returns the rows restored; refused while a later batch builds on the same rows."""
    if spec.upsert:
        later = db.with_identifiers(db.load_sql("import_upsert_later"), table=spec.table, key=", ".join(spec.key))
        _refuse_if_later(cur, batch_id, later)
    if spec.name == "accounts":
        return _undo_accounts(cur, batch_id)
    if spec.name == "targets":
        return _undo_targets(cur, batch_id)
    if spec.name in GENERIC_UPSERTS:
        return _undo_upsert(cur, spec, batch_id)
    rows = cur.execute(
        db.with_identifiers("select count(*) from {added} where batch_id = ?", added=f"import_added_{spec.table}"),
        [batch_id],
    ).fetchall()[0][0]
    cur.execute(db.with_identifiers(
        db.load_sql("import_append_undo"), table=spec.table, columns=", ".join(spec.columns),
        column_match=db.joined("stored.{item} is not distinct from added.{item}", spec.columns, " and "),
    ), {"batch_id": batch_id})
    return rows


def _refuse_if_later(cur, batch_id: int, later_sql: str) -> None:
    """A later active batch changed the same rows: undoing this one first would lose its changes."""
    later = cur.execute(later_sql, {"batch_id": batch_id}).fetchall()[0][0]
    if later is not None:
        raise ImportRefused("undo_later", batch=batch_id, later=later)


def _undo_accounts(cur, batch_id: int) -> int:
    # accounts the batch created that order lines now use: those lines' batch goes first
    _refuse_if_later(cur, batch_id, """
        select min(batch_id) from transactions
        where account_id in (select account_id from import_replaced_accounts where batch_id = $batch_id and was_new)
    """)
    rows = cur.execute("select count(*) from import_replaced_accounts where batch_id = ?", [batch_id]).fetchall()[0][0]
    _execute_statements(cur, db.load_sql("import_accounts_undo"), {"batch_id": batch_id})
    return rows


def _undo_upsert(cur, spec: Kind, batch_id: int) -> int:
    rows = cur.execute(
        db.with_identifiers("select count(*) from {replaced} where batch_id = ?", replaced=f"import_replaced_{spec.table}"),
        [batch_id],
    ).fetchall()[0][0]
    _execute_statements(cur, db.with_identifiers(db.load_sql("import_upsert_undo"), **_upsert_parts(spec)), {"batch_id": batch_id})
    return rows


def _undo_targets(cur, batch_id: int) -> int:
    rows = cur.execute("select count(*) from import_replaced_targets where batch_id = ?", [batch_id]).fetchall()[0][0]
    cur.execute(
        "delete from targets where (scope, scope_id, period, metric) in "
        "(select scope, scope_id, period, metric from import_replaced_targets where batch_id = ?)",
        [batch_id],
    )
    cur.execute(
        "insert into targets (scope, scope_id, period, metric, target) "
        "select scope, scope_id, period, metric, previous_target from import_replaced_targets "
        "where batch_id = ? and previous_target is not null",
        [batch_id],
    )
    return rows
