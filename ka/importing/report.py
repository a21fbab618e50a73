"""What an import found and did: the validation report of any kind of file, and the reasons a batch
is refused.

Reasons are codes with values (`broken_rows`, file=..., lines=...), and a rejected row's reason is a
code too (`bad_date`, `no_account`, ...), so the page shows them in the user's language and the CLI in
English; `ka/locales/*/data_import.toml` holds the texts.
"""

from __future__ import annotations

import csv
import io
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal

from ka import db
from ka.cells import export_row
from ka.i18n import t
from ka.importing.kinds import KINDS, REQUIRED_ALTERNATIVES


class ImportRefused(Exception):
    """The batch cannot be imported as it is; the database is left exactly as it was."""

    def __init__(self, code: str, **values):
        self.code = code
        self.values = values
        super().__init__(f"{code}: {values}")

    def message(self) -> str:
        return t(f"data_import.refusal_{self.code}", **self.values)


class DryRunDone(Exception):
    """Raised inside the batch's transaction to roll a dry run back; carries the report out."""

    def __init__(self, report: ImportReport):
        self.report = report


def reason_label(code: str) -> str:
    """A rejected row's reason in the user's language."""
    return t(f"data_import.reason_{code}")


def field_label(name: str) -> str:
    return t(f"data_import.field_{name}")


def required_label(name: str) -> str:
    """A required field as the user can satisfy it: "Account ID or Account name", "Revenue or Quantity × Unit price"."""
    alternatives = REQUIRED_ALTERNATIVES.get(name, ((name,),))
    return t("data_import.required_or").join(" × ".join(field_label(part) for part in option) for option in alternatives)


def kind_label(kind: str) -> str:
    return t(f"data_import.kind_{kind}")


@dataclass
class FileSummary:
    name: str
    sha256: str
    encoding: str | None
    delimiter: str | None
    sheet: str | None
    rows: int            # data rows in the file (rejected ones included)
    rejected: int        # rows whose field count differs from the header
    layout: int = 0      # which of the report's layouts (header + mapping) the file was read with


@dataclass
class Layout:
    """A header found in the batch, the mapping its files were read with, and those files."""

    headers: tuple[str, ...]
    mapping: dict[str, str]
    files: list[str] = field(default_factory=list)


@dataclass
class RejectedRow:
    file: str
    line: int
    reason: str          # code: field_count, bad_date, date_out_of_range, no_date, bad_number, no_account, ...
    field: str | None
    value: str | None


@dataclass
class MonthTotal:
    month: date
    rows: int
    revenue: Decimal
    cost: Decimal | None


@dataclass
class ImportReport:
    """Everything the user sees before (dry run) and after (import) a batch of any kind.

    rows_to_import = new rows + updated rows (transaction lines are never updated). For the tables:
    duplicates_skipped = checked rows already in the table as they are; duplicate_lines_in_file =
    (upserts) earlier rows for a key that a later row overrides.
    """

    kind: str = "transactions"
    files: list[FileSummary] = field(default_factory=list)
    mapping: dict[str, str] = field(default_factory=dict)      # the first layout's (the only one, usually)
    layouts: list[Layout] = field(default_factory=list)
    date_order: str | None = None
    date_window: tuple[date, date] | None = None               # order dates outside are rejected
    rows_read: int = 0
    rows_rejected: int = 0
    rejected: list[RejectedRow] = field(default_factory=list)   # at most REJECTED_KEPT rows
    rows_without_account: int = 0
    revenue_without_account: Decimal = Decimal(0)
    duplicate_lines_in_file: int = 0       # exact repeats inside one file
    duplicates_dropped: int = 0            # ... of which dropped on request
    duplicates_skipped: int = 0            # lines already in the database or twice in the batch
    legacy_matched: int = 0                # ... of which found by an older version's order-line key
    rows_to_import: int = 0
    revenue_total: Decimal = Decimal(0)
    cost_total: Decimal | None = None
    first_date: date | None = None
    last_date: date | None = None
    months: list[MonthTotal] = field(default_factory=list)
    new_accounts: int = 0
    existing_accounts: int = 0
    sample: list[dict] = field(default_factory=list)
    rows_updated: int = 0                  # (upserts) rows that replace a stored row
    accounts_unknown: int = 0              # (tables) rows for accounts the database does not have (yet); imported
    changed_columns: dict[str, int] | None = None  # (accounts master) column → accounts whose value changes
    batch_id: int | None = None
    dry_run: bool = True
    text: str = ""                         # the report as text, formatted before the batch is committed

    @property
    def imported(self) -> bool:
        return self.batch_id is not None

    @property
    def rows_new(self) -> int:
        return self.rows_to_import - self.rows_updated

    def rejected_csv(self) -> str:
        """The rejected rows as CSV (file, line, reason, field, value), for download."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["file", "line", "reason", "field", "value"])
        for row in self.rejected:
            writer.writerow(export_row([row.file, row.line, reason_label(row.reason),
                                        field_label(row.field) if row.field else "", row.value or ""]))
        return out.getvalue()

    def as_dict(self) -> dict:
        return asdict(self)


def decide_day_first(cur, date_parts_sql: db.Sql) -> bool | None:
    """Day first or month first for dates like 03/04/2024, from `date_parts_sql` (a fixed query
    giving ka_date_parts of the batch's date texts): decided when a number above 12 shows which
    part is the day; None when no such date exists; refused when the data cannot tell."""
    max_first, max_second, count = cur.execute(db.with_identifiers(
        "select max(try_cast(parts.a as integer)), max(try_cast(parts.b as integer)), count(*) "
        "from ({dates}) where parts.a <> ''", dates=date_parts_sql,
    )).fetchall()[0]
    if not count:
        return None
    if max_first > 12 and max_second <= 12:
        return True
    if max_second > 12 and max_first <= 12:
        return False
    raise ImportRefused("date_order", example_first=max_first, example_second=max_second)


def batch_details(report, **extra) -> dict:
    """What import_batches.files records of any batch: its files with hashes, the mapping and the counts."""
    return {
        "files": [
            {"name": f.name, "sha256": f.sha256, "encoding": f.encoding, "sheet": f.sheet, "rows": f.rows}
            for f in report.files
        ],
        "mapping": report.mapping,
        "date_order": report.date_order,
        "rows_read": report.rows_read,
        "rows_rejected": report.rows_rejected,
        "duplicates_skipped": report.duplicates_skipped,
        **extra,
    }


def format_files_and_mapping(report) -> list[str]:
    """The text report's lines on the files read (ten at most) and the column mapping used."""
    lines = []
    for summary in report.files[:10]:
        lines.append(t(
            "data_import.text_file", name=summary.name, encoding=summary.encoding or "xlsx", rows=summary.rows,
            rejected=summary.rejected,
        ))
    if len(report.files) > 10:
        lines.append(t("data_import.text_more_files", count=len(report.files) - 10))
    layouts = report.layouts or [Layout((), report.mapping)]
    for layout in layouts:
        mapping = ", ".join(f"{k}←{v}" for k, v in layout.mapping.items())
        if len(layouts) == 1:
            lines.append(t("data_import.text_mapping", mapping=mapping))
        else:
            names = ", ".join(layout.files[:3]) + (f" (+{len(layout.files) - 3})" if len(layout.files) > 3 else "")
            lines.append(t("data_import.text_mapping_of", files=names, mapping=mapping))
    return lines


def format_report(report: ImportReport) -> str:
    """The validation report as plain text (the CLI prints it). Built before the batch commits, so a
    report that cannot be written stops the batch instead of following a committed one."""
    if report.imported:
        head = t("data_import.text_imported", batch=report.batch_id)
    else:
        head = t("data_import.text_dry_run" if report.dry_run else f"data_import.text_nothing_new_{KINDS[report.kind].unit}")
    lines = [head if report.kind == "transactions" else f"{head} ({kind_label(report.kind)})"]
    lines += format_files_and_mapping(report)
    lines += _line_figures(report) if KINDS[report.kind].merge == "lines" else _row_figures(report)
    for row in report.rejected[:10]:
        field_text = field_label(row.field) if row.field else ""
        lines.append(f"  {row.file}:{row.line}  {reason_label(row.reason)}  {field_text} {row.value or ''}")
    return "\n".join(lines)


def _line_figures(report: ImportReport) -> list[str]:
    lines = [t(
        "data_import.text_counts_lines", read=report.rows_read, to_import=report.rows_to_import,
        rejected=report.rows_rejected, duplicates=report.duplicates_skipped,
        repeats=report.duplicate_lines_in_file, dropped=report.duplicates_dropped,
    ), t(
        "data_import.text_totals", revenue=f"{report.revenue_total:,.4f}",
        cost="—" if report.cost_total is None else f"{report.cost_total:,.4f}",
        first=report.first_date or "—", last=report.last_date or "—",
        new=report.new_accounts, existing=report.existing_accounts,
    )]
    if report.rows_without_account:
        lines.append(t(
            "data_import.text_without_account", rows=report.rows_without_account,
            revenue=f"{report.revenue_without_account:,.4f}",
        ))
    if report.date_window:
        lines.append(t("data_import.text_date_window", first=report.date_window[0].isoformat(),
                       last=report.date_window[1].isoformat()))
    if report.legacy_matched:
        lines.append(t("data_import.text_legacy_matched", lines=report.legacy_matched))
    lines.append(t("data_import.text_line_key"))
    for month in report.months:
        lines.append(f"  {month.month.isoformat()[:7]}  {month.rows:>9,}  {month.revenue:>18,.4f}")
    return lines


def _row_figures(report: ImportReport) -> list[str]:
    lines = [t(
        "data_import.text_counts_rows", read=report.rows_read, new=report.rows_new, updated=report.rows_updated,
        rejected=report.rows_rejected, unchanged=report.duplicates_skipped, superseded=report.duplicate_lines_in_file,
    )]
    if report.first_date:
        lines.append(t("data_import.text_dates", first=report.first_date, last=report.last_date))
    if report.accounts_unknown:
        lines.append(t("data_import.text_unknown_accounts", accounts=report.accounts_unknown))
    return lines
