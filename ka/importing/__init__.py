"""Import real files of any kind — transaction lines, or a table beside them — as one batch:
read (encodings, delimiters, Excel) → map (header synonyms, per file header) → stage (every row once,
in a scratch database) → check and report (before anything is written) → merge (in one transaction),
and undo.

Use `run_import(con, kind, list_sources(paths), ImportOptions(...), dry_run=...)`; it returns an
`ImportReport` or raises `ImportRefused` (the database is then unchanged). A `KeptStage` passed to the
dry run and then to the import lets the import reuse the dry run's reading of the files. The kinds are declared in
ka/importing/kinds.py.
"""

from ka.importing.kinds import KINDS, Kind
from ka.importing.mapping import (
    load_mapping, mapping_names, missing_fields, propose_mapping, relevant_duplicates, save_mapping,
)
from ka.importing.options import ImportOptions
from ka.importing.pipeline import read_batches, run_import, undo_import
from ka.importing.read import ALL_SHEETS, ENCODINGS, SourceFile, inspect_batch, list_sources, sheet_names
from ka.importing.report import (
    ImportRefused, ImportReport, Layout, field_label, format_report, kind_label, reason_label, required_label,
)
from ka.importing.transactions import KeptStage
from ka.importing.uploads import UploadFolder, remove_leftovers
from ka.date_window import HARD_FIRST, HARD_LAST, DateWindow, default_last, load_date_window, save_date_window

__all__ = [
    "KINDS", "Kind", "load_mapping", "mapping_names", "missing_fields", "propose_mapping", "relevant_duplicates",
    "save_mapping", "ImportOptions", "read_batches", "run_import", "undo_import", "ALL_SHEETS", "ENCODINGS",
    "SourceFile", "inspect_batch", "list_sources", "sheet_names", "ImportRefused", "ImportReport", "Layout",
    "KeptStage", "field_label", "format_report", "kind_label", "reason_label", "required_label", "UploadFolder", "remove_leftovers", "HARD_FIRST",
    "HARD_LAST", "DateWindow", "default_last", "load_date_window", "save_date_window",
]
