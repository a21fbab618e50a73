"""The one way in: import any kind of file as a batch, read the history, undo a batch.

    read (encodings, delimiters, Excel) → map (each header its kind's mapping) → stage (every row once,
    parsed, rejected rows with their reason) → check and report (before anything is written) →
    merge by the kind's rule (in one transaction) — or refuse, and the database is exactly as it was.

The stages that differ between kinds follow the kind's merge rule (ka/importing/kinds.py): transaction
lines in ka/importing/transactions.py, the tables beside them in ka/importing/tables.py.
"""

from __future__ import annotations

import json

from ka import db
from ka.importing import read, tables, transactions
from ka.importing.kinds import KINDS
from ka.importing.mapping import plan_layouts
from ka.importing.options import ImportOptions, OnStage, no_progress
from ka.importing.report import ImportRefused, ImportReport
from ka.importing.transactions import KeptStage


def run_import(
    con, kind: str, sources: list[read.SourceFile], options: ImportOptions | None = None, *, dry_run: bool = False,
    on_stage: OnStage = no_progress, kept: KeptStage | None = None,
) -> ImportReport:
    """Import the files as one batch of the kind (or only report what would happen). Raises ImportRefused.

    `on_stage` hears when reading, checking and merging begin (for a progress display). `kept` keeps
    transaction lines' stage between a dry run and the import of the same batch, so the files are read
    and parsed once (the tables beside them are small and staged each time)."""
    spec = KINDS[kind]
    options = options or ImportOptions()
    on_stage("reading", len(sources))
    parts = read.inspect_batch(sources, options.encoding, options.sheet)
    layouts, part_layout = plan_layouts(spec, parts, options)
    if spec.merge == "lines":
        return transactions.import_lines(con, spec, parts, layouts, part_layout, options, dry_run=dry_run, on_stage=on_stage,
                                         kept=kept)
    return tables.import_table(con, spec, parts, layouts[0].mapping, options, dry_run=dry_run, on_stage=on_stage)


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


def undo_import(con, batch_id: int) -> dict:
    """Undo an import batch of any kind, all-or-nothing: transaction lines are removed (with the accounts
    they created and no line uses any more), a table's rows restored.

    Returns {batch_id, kind, rows, revenue (transactions only, else None)}. Raises ImportRefused.
    """
    with db.write_transaction(con) as cur:
        found = cur.execute("select kind, status, files from import_batches where batch_id = ?", [batch_id]).fetchall()
        if not found:
            raise ImportRefused("undo_unknown", batch=batch_id)
        kind, status, files = found[0]
        if status != "active":
            raise ImportRefused("undo_done", batch=batch_id)
        if kind not in KINDS:  # the demo's batch: remove-demo takes the demo out
            raise ImportRefused("undo_kind", batch=batch_id, kind=kind)
        spec = KINDS[kind]
        revenue = None
        if spec.merge == "lines":
            rows, revenue = transactions.undo_lines(cur, batch_id, json.loads(files or "{}") or {})
        else:
            rows = tables.undo_rows(cur, spec, batch_id)
        cur.execute("update import_batches set status = 'undone' where batch_id = ?", [batch_id])
    return {"batch_id": batch_id, "kind": kind, "rows": rows, "revenue": revenue}
