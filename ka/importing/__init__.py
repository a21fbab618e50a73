"""Import real transaction files: read (encodings, delimiters, Excel) → map (header synonyms) →
validate (report before commit) → load (staging → merge in one transaction), and undo.

Use `run_import(con, list_sources(paths), ImportOptions(...), dry_run=...)`; it returns an
`ImportReport` or raises `ImportRefused` (the database is then unchanged).
"""

from ka.importing.load import ImportOptions, read_batches, run_import, undo_batch, inspect_batch
from ka.importing.mapping import (
    FIELDS, load_mapping, mapping_names, missing_required, propose_mapping, save_mapping,
)
from ka.importing.read import ALL_SHEETS, ENCODINGS, SourceFile, list_sources, save_uploads, sheet_names
from ka.importing.report import ImportRefused, ImportReport, format_report
# the optional tables (accounts master, visits, tickets, surveys, targets, projects) and undo of any batch
from ka.importing.activity import (
    KIND_CHOICES, KINDS, TableImportRefused, TableReport, format_table_report, load_table_mapping,
    missing_table_fields, propose_table_mapping, run_table_import, save_table_mapping, table_mapping_names, undo_import,
)

__all__ = [
    "ALL_SHEETS", "ENCODINGS", "FIELDS", "format_report", "ImportOptions", "ImportRefused", "ImportReport", "SourceFile",
    "inspect_batch", "list_sources", "load_mapping", "mapping_names", "missing_required", "propose_mapping",
    "read_batches", "run_import", "save_mapping", "save_uploads", "sheet_names", "undo_batch",
    "KIND_CHOICES", "KINDS", "TableImportRefused", "TableReport", "format_table_report", "load_table_mapping",
    "missing_table_fields", "propose_table_mapping", "run_table_import", "save_table_mapping", "table_mapping_names",
    "undo_import",
]
