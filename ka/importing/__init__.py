"""Import real transaction files: read (encodings, delimiters, Excel) → map (header synonyms, per file
header) → stage (every line once, in a scratch database) → check and report (before anything is written)
→ merge (in one transaction), and undo.

Use `run_import(con, list_sources(paths), ImportOptions(...), dry_run=...)`; it returns an
`ImportReport` or raises `ImportRefused` (the database is then unchanged).
"""

from ka.importing.load import ImportOptions, inspect_batch, plan_layouts, read_batches, run_import, undo_batch
from ka.importing.mapping import (
    FIELDS, load_mapping, mapping_names, missing_required, propose_mapping, relevant_duplicates, save_mapping,
)
from ka.importing.read import ALL_SHEETS, ENCODINGS, SourceFile, list_sources, sheet_names
from ka.importing.report import ImportRefused, ImportReport, Layout, format_report
from ka.importing.uploads import UploadFolder, remove_leftovers
from ka.importing.window import HARD_FIRST, HARD_LAST, DateWindow, default_last, load_date_window, save_date_window
# the optional tables (accounts master, visits, tickets, surveys, targets, projects) and undo of any batch
from ka.importing.activity import (
    KIND_CHOICES, KINDS, TableImportRefused, TableReport, format_table_report, load_table_mapping,
    missing_table_fields, propose_table_mapping, run_table_import, save_table_mapping, table_mapping_names, undo_import,
)

__all__ = [
    "ALL_SHEETS", "ENCODINGS", "FIELDS", "format_report", "ImportOptions", "ImportRefused", "ImportReport", "Layout",
    "SourceFile", "inspect_batch", "list_sources", "load_mapping", "mapping_names", "missing_required", "plan_layouts",
    "propose_mapping", "read_batches", "relevant_duplicates", "run_import", "save_mapping", "sheet_names", "undo_batch",
    "UploadFolder", "remove_leftovers", "HARD_FIRST", "HARD_LAST", "DateWindow", "default_last", "load_date_window",
    "save_date_window",
    "KIND_CHOICES", "KINDS", "TableImportRefused", "TableReport", "format_table_report", "load_table_mapping",
    "missing_table_fields", "propose_table_mapping", "run_table_import", "save_table_mapping", "table_mapping_names",
    "undo_import",
]
