"""数据导入 — upload files, map columns, check the batch, import it; history with undo."""

import json
import logging
import shlex
import traceback
from datetime import date

import pandas as pd
import streamlit as st
from streamlit import runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx

from ka import access, db, importing, ui
from ka.cells import saved_name
from ka.i18n import format_amount, format_int, t

SOURCES_KEY = "data_import_sources"    # the uploaded files, saved in the session's upload folder
FOLDER_KEY = "data_import_folder"      # that folder (deleted with the session, after an import, at start-up)
UPLOADER_KEY = "data_import_uploader"  # which uploader: a new one after an import, so its files are let go
STAGE_KEY = "data_import_stage"        # the checked batch's stage, in the upload folder: its import reads no file again
MESSAGE_KEY = "data_import_message"    # the outcome of the last import/undo, shown after the rerun
MAPPING_BASIS_KEY = "data_import_mapping_basis"
KIND_KEY = "data_import_kind"          # what the files contain: transactions or an optional table
AUTO = ""
log = logging.getLogger("ka")


@st.cache_resource(show_spinner=False)
def remove_upload_leftovers() -> int:
    """Once per server start: the upload folders of servers that stopped."""
    return len(importing.remove_leftovers())


ctx = ui.init_page()
ui.stop_unless_permitted(ctx, "import", "access.not_permitted_page")
remove_upload_leftovers()
st.title(t("data_import.title"))
st.caption(t("data_import.caption"))
st.session_state.setdefault(SOURCES_KEY, [])
st.session_state.setdefault(UPLOADER_KEY, 0)

if st.session_state.get(MESSAGE_KEY):
    kind, text = st.session_state.pop(MESSAGE_KEY)
    (st.success if kind == "success" else st.info)(text)

st.session_state.setdefault(KIND_KEY, "transactions")
file_kind = st.radio(
    t("data_import.kind_choice"), list(importing.KINDS), key=KIND_KEY, horizontal=True,
    format_func=importing.kind_label, help=t("data_import.kind_help"),
)
spec = importing.KINDS[file_kind]
if file_kind != "transactions":  # the page's caption above describes transaction lines
    st.caption(t(f"data_import.caption_{file_kind}"))


def upload_folder() -> importing.UploadFolder:
    folder = st.session_state.get(FOLDER_KEY)
    if folder is None or folder.removed:
        folder = st.session_state[FOLDER_KEY] = importing.UploadFolder()
    return folder


def kept_stage() -> importing.KeptStage:
    folder = upload_folder().path / "stage"
    kept = st.session_state.get(STAGE_KEY)
    if kept is None or kept.folder != folder:
        kept = st.session_state[STAGE_KEY] = importing.KeptStage(folder)
    return kept


def forget_uploads() -> None:
    """Delete the uploaded files and offer a fresh uploader; Streamlit's own copies of the old uploader's
    files (kept in memory for the session) are let go too, so the server's memory returns after an import."""
    upload_folder().clear()
    st.session_state[SOURCES_KEY] = []
    st.session_state[UPLOADER_KEY] += 1
    st.session_state.pop("data_import_checked", None)
    st.session_state.pop(STAGE_KEY, None)  # (its files went with the folder's)
    file_ids = [file_id for file_id, _, _ in st.session_state.pop("data_import_upload_signature", ())]
    run = get_script_run_ctx()
    if run is not None and runtime.exists():
        for file_id in file_ids:
            runtime.get_instance().uploaded_file_mgr.remove_file(run.session_id, file_id)


uploads = st.file_uploader(
    t("data_import.upload"), type=["csv", "tsv", "txt", "xlsx", "xlsm"], accept_multiple_files=True,
    key=f"data_import_upload_{st.session_state[UPLOADER_KEY]}", help=t("data_import.upload_help"),
)
progress_place = st.empty()  # where a running batch shows its stage: under the files, in sight of the drop
# Streamlit keeps an upload in the server's memory up to its cap (server.maxUploadSize, 200 MB): a larger
# file goes through the command line, which reads it from disk in one pass.
st.caption(t("data_import.large_files", limit=format_int(st.get_option("server.maxUploadSize"))))
st.code(f"python -m ka import --db {shlex.quote(ctx.db_path)} --kind {spec.name} FILE", language="bash")  # as text
upload_signature = tuple((upload.file_id, upload.name, upload.size) for upload in uploads or [])
if upload_signature != st.session_state.get("data_import_upload_signature", ()):
    # copied to disk once per new upload, in chunks: the session keeps paths, not bytes
    st.session_state["data_import_upload_signature"] = upload_signature
    st.session_state[SOURCES_KEY] = upload_folder().save([(upload.name, upload) for upload in uploads or []])
    st.session_state.pop("data_import_checked", None)


def render_date_window() -> None:
    """The window of accepted dates (a setting): what lies outside is rejected with its line."""
    window = importing.load_date_window(ctx.con)
    with st.expander(t("data_import.window_header", first=f"{window.first:%Y-%m-%d}", last=f"{window.last:%Y-%m-%d}")):
        st.caption(t("data_import.window_help"))
        st.session_state.setdefault("data_import_window_first", window.first)
        st.session_state.setdefault("data_import_window_last", window.last)
        first_col, last_col, button_col = st.columns([2, 2, 1], vertical_alignment="bottom")
        first = first_col.date_input(
            t("data_import.window_first"), key="data_import_window_first",
            min_value=importing.HARD_FIRST, max_value=importing.HARD_LAST,
        )
        last = last_col.date_input(
            t("data_import.window_last"), key="data_import_window_last",
            min_value=importing.HARD_FIRST, max_value=importing.HARD_LAST,
        )
        if button_col.button(t("data_import.window_save"), key="data_import_window_save"):
            if first > last:
                st.error(t("data_import.window_invalid"))
                return
            # the default last day (a year from today) is saved as "default", so it keeps moving with today
            importing.save_date_window(ctx.con, first, None if last == importing.default_last(date.today()) else last)
            ui.clear_caches()  # the default period and "data as of" follow the window
            st.session_state.pop("data_import_checked", None)
            st.session_state[MESSAGE_KEY] = ("info", t("data_import.window_saved", first=f"{first:%Y-%m-%d}", last=f"{last:%Y-%m-%d}"))
            st.rerun()


def render_options(sources: list[importing.SourceFile]) -> importing.ImportOptions:
    """Sheet, encoding, date order and (where the kind may drop them) repeated lines, in one row."""
    workbooks = [s for s in sources if s.path.suffix in (".xlsx", ".xlsm")]
    columns = st.columns(4 if workbooks else 3)
    sheet_col = columns[0] if workbooks else None
    encoding_col, order_col, duplicates_col = columns[-3:]
    sheet = None
    if workbooks:
        names = importing.sheet_names(workbooks[0])
        sheet = sheet_col.selectbox(
            t("data_import.sheet"), names + [importing.ALL_SHEETS], key="data_import_sheet",
            format_func=lambda name: t("data_import.all_sheets") if name == importing.ALL_SHEETS else name,
        )
    encoding = encoding_col.selectbox(
        t("data_import.encoding"), [AUTO, *importing.ENCODINGS], key="data_import_encoding",
        format_func=lambda name: name or t("data_import.encoding_auto"),
    )
    order = order_col.selectbox(
        t("data_import.date_order"), [AUTO, "mdy", "dmy"], key="data_import_date_order",
        format_func=lambda name: t(f"data_import.date_order_{name}") if name else t("data_import.date_order_auto"),
    )
    drop = duplicates_col.checkbox(
        t("data_import.drop_duplicates"), key="data_import_drop_duplicates", help=t("data_import.drop_duplicates_help"),
    ) if spec.drops_repeats else False  # the tables keep identical rows: two identical visits are two visits
    return importing.ImportOptions(
        encoding=encoding or None, sheet=sheet, date_order=order or None, drop_duplicates=drop, source="upload",
    )


def render_mapping(headers: list[str], sample: list[list[str]], layout: int = 0) -> dict[str, str]:
    """A column choice per field of the kind, proposed from the headers or a saved mapping; returns the choice.

    `layout` numbers the distinct headers of a batch: each has its own grid (the first keeps the plain keys).
    """
    suffix = f"_{layout}" if layout else ""
    saved = st.selectbox(
        t("data_import.saved_mapping"), [AUTO, *importing.mapping_names(ctx.con, spec.name)],
        key=f"data_import_saved_mapping_{spec.name}{suffix}",
        format_func=lambda name: name or t("data_import.saved_mapping_none"),
    )
    base = (importing.load_mapping(ctx.con, spec.name, saved) if saved else None) or importing.propose_mapping(
        spec.name, headers)
    basis = (spec.name, tuple(headers), saved)
    basis_key = MAPPING_BASIS_KEY + suffix
    if st.session_state.get(basis_key) != basis:  # new files, another kind or saved mapping: start over
        st.session_state[basis_key] = basis
        for name in spec.fields:
            st.session_state[f"data_import_map{suffix}_{name}"] = base.get(name) if base.get(name) in headers else AUTO
    columns = st.columns(4)
    chosen = {}
    for index, name in enumerate(spec.fields):
        column = columns[index % 4]
        header = column.selectbox(
            importing.field_label(name), [AUTO, *headers], key=f"data_import_map{suffix}_{name}",
            format_func=lambda h: h or t("data_import.not_mapped"),
        )
        values = []
        if header:
            position = headers.index(header)
            values = [row[position] for row in sample if position < len(row)][:3]
            chosen[name] = header
        column.caption(" · ".join(ui.literal(v) for v in values) if values else "—")  # always a line, so the grid stays aligned
    name_col, button_col = st.columns([3, 1], vertical_alignment="bottom")
    mapping_name = name_col.text_input(t("data_import.save_mapping_name"), key=f"data_import_mapping_name{suffix}")
    if button_col.button(t("data_import.save_mapping_button"), key=f"data_import_save_mapping{suffix}",
                         disabled=not mapping_name):
        importing.save_mapping(ctx.con, spec.name, saved_name(mapping_name), chosen)
        ctx.audit("mapping_save", name=saved_name(mapping_name), kind=spec.name)
        st.success(t("data_import.mapping_saved", name=ui.literal(saved_name(mapping_name))))
    return chosen


def header_layouts(parts) -> list[tuple[list[str], list[list[str]], list[str], dict[str, list[int]]]]:
    """The batch's distinct headers in order: (headers, sample rows, file names, names used twice)."""
    found: dict[tuple[str, ...], tuple] = {}
    for part in parts:
        entry = found.setdefault(tuple(part.headers), (part.headers, part.sample, [], part.duplicates))
        entry[2].append(part.label)
    return list(found.values())


def render_mappings(parts) -> dict[tuple[str, ...], dict[str, str]] | None:
    """One mapping grid per distinct header (files are never read with another file's columns);
    None when a grid still lacks a required field (the user is asked for it)."""
    st.subheader(t("data_import.mapping_header"))
    layouts = header_layouts(parts)
    if spec.per_header_mappings:
        st.caption(t("data_import.mapping_help"))
    else:
        layouts = layouts[:1]  # a table takes files of one header (the check refuses the others, naming them)
    mappings: dict[tuple[str, ...], dict[str, str]] = {}
    complete = True
    for number, (headers, sample, files, duplicates) in enumerate(layouts):
        if len(layouts) > 1:
            st.markdown(f"**{t('data_import.layout_header', number=number + 1)}**")
            # file and column names come from the user's files: shown as text, never as markdown
            st.text(t("data_import.layout_files", files=", ".join(files[:5]) + (f" (+{len(files) - 5})" if len(files) > 5 else "")))
        if duplicates:
            st.warning(t("data_import.duplicate_headers_note"))
            st.text("; ".join(
                f"{name} ({', '.join(str(column) for column in columns)})" for name, columns in duplicates.items()
            ))
        chosen = render_mapping(headers, sample, number)
        missing = importing.missing_fields(spec.name, chosen)
        if missing:
            st.warning(t("data_import.required_missing", fields=", ".join(importing.required_label(m) for m in missing)))
            complete = False
        mappings[tuple(headers)] = chosen
    return mappings if complete else None


def report_tiles(report: importing.ImportReport) -> list[tuple[str, str]]:
    """The report's figures as (label key, value): lines with their revenue and accounts, or a table's
    new, updated and unchanged rows."""
    if spec.merge == "lines":
        return [
            ("metric_rows_read", format_int(report.rows_read)),
            ("metric_rows_to_import", format_int(report.rows_to_import)),
            ("metric_rejected", format_int(report.rows_rejected)),
            ("metric_duplicates", format_int(report.duplicates_skipped)),
            ("metric_revenue", format_amount(report.revenue_total)),
            ("metric_new_accounts", format_int(report.new_accounts)),
            ("metric_existing_accounts", format_int(report.existing_accounts)),
        ]
    is_accounts = spec.name == "accounts"
    tiles = [
        ("metric_rows_read", format_int(report.rows_read)),
        ("metric_new_accounts" if is_accounts else "metric_rows_new", format_int(report.rows_new)),
        ("metric_updated_accounts" if is_accounts else "metric_rows_updated", format_int(report.rows_updated)),
        ("metric_rejected", format_int(report.rows_rejected)),
        ("metric_unchanged", format_int(report.duplicates_skipped)),
    ]
    return tiles if spec.upsert else [tiles[0], tiles[1], *tiles[3:]]  # appended tables update nothing


def render_report(report: importing.ImportReport) -> None:
    """The validation report: counts (and for lines their totals and months), files, rejected rows, first rows."""
    st.subheader(t("data_import.report_header"))
    st.caption(t("data_import.report_caption", order=t(f"data_import.date_order_used_{report.date_order}")))
    tiles = report_tiles(report)
    per_row = 4 if len(tiles) > 5 else len(tiles)
    for row_start in range(0, len(tiles), per_row):
        for column, (name, value) in zip(st.columns(per_row), tiles[row_start:row_start + per_row]):
            column.metric(t(f"data_import.{name}"), value, border=True)
    if report.first_date:
        st.caption(t("data_import.date_range", field=importing.field_label(spec.main_date),
                     first=f"{report.first_date:%Y-%m-%d}", last=f"{report.last_date:%Y-%m-%d}"))
    if spec.merge == "lines":
        render_line_notes(report)
        months_col, files_col = st.columns(2)
        render_months(report, months_col)
        files_col.markdown(f"**{t('data_import.files_header')}**")
        render_files(report, files_col, key="data_import_file_table")
        st.caption(t("data_import.line_key_note"))  # how lines are keyed; a table's rows go by the kind's key
    else:
        render_table_notes(report)
        render_files(report, st, key="data_import_file_table")
    render_rejected_and_sample(report)


def render_line_notes(report: importing.ImportReport) -> None:
    """What a batch of lines adds to the counts: the date window, repeats, lines without an account."""
    if report.date_window:
        st.caption(t("data_import.window_caption", first=f"{report.date_window[0]:%Y-%m-%d}",
                     last=f"{report.date_window[1]:%Y-%m-%d}"))
    if report.legacy_matched:
        st.caption(t("data_import.legacy_note", lines=format_int(report.legacy_matched)))
    if report.rows_without_account:
        st.warning(t(
            "data_import.without_account_note", rows=format_int(report.rows_without_account),
            revenue=format_amount(report.revenue_without_account),
        ))
    if report.duplicate_lines_in_file:
        st.caption(t("data_import.repeats_note", repeats=format_int(report.duplicate_lines_in_file),
                     dropped=format_int(report.duplicates_dropped)))


def render_months(report: importing.ImportReport, container) -> None:
    """Lines, revenue and cost per month of the batch."""
    container.markdown(f"**{t('data_import.months_header')}**")
    container.dataframe(
        pd.DataFrame(
            [(f"{m.month:%Y-%m}", m.rows, float(m.revenue), None if m.cost is None else float(m.cost)) for m in report.months],
            columns=["month", "rows", "revenue", "cost"],
        ),
        hide_index=True, key="data_import_months",
        column_config={
            "month": t("data_import.col_month"), "rows": t("data_import.col_rows"),
            "revenue": st.column_config.NumberColumn(t("data_import.col_revenue"), format="localized"),
            "cost": st.column_config.NumberColumn(t("data_import.col_cost"), format="localized"),
        },
    )


def render_table_notes(report: importing.ImportReport) -> None:
    """What a table's batch adds to the counts: changed fields, accounts not known yet, overridden rows."""
    if report.changed_columns:
        st.caption(t("data_import.changed_columns", changes=", ".join(
            f"{importing.field_label(name)} {format_int(count)}" for name, count in report.changed_columns.items()
        )))
    if report.accounts_unknown:
        st.info(t("data_import.unknown_accounts_note", accounts=format_int(report.accounts_unknown)))
    if report.duplicate_lines_in_file:
        st.caption(t("data_import.superseded_note", rows=format_int(report.duplicate_lines_in_file)))


def batch_kind_name(kind: str) -> str:
    """The history's name for a batch: its kind, or the demo."""
    return importing.kind_label(kind) if kind in importing.KINDS else t("data_import.history_kind_demo")


def render_history() -> None:
    """Past batches, newest first, and undo of an active import batch."""
    st.subheader(t("data_import.history_header"))
    batches = importing.read_batches(ctx.con)
    if not batches:
        st.caption(t("data_import.history_empty"))
        return
    st.dataframe(
        pd.DataFrame([
            (b["batch_id"], b["imported_at"], batch_kind_name(b["kind"]), b["file_names"], b["rows_imported"],
             None if b["revenue_total"] is None else float(b["revenue_total"]), t(f"data_import.status_{b['status']}"))
            for b in batches
        ], columns=["batch", "imported_at", "kind", "files", "rows", "revenue", "status"]),
        hide_index=True, key="data_import_history",
        column_config={
            "batch": t("data_import.col_batch"), "imported_at": t("data_import.col_imported_at"),
            "kind": t("data_import.col_kind"), "files": t("data_import.col_files"),
            "rows": st.column_config.NumberColumn(t("data_import.col_rows"), format="localized"),
            "revenue": st.column_config.NumberColumn(t("data_import.col_revenue"), format="localized"),
            "status": t("data_import.col_status"),
        },
    )
    undoable = [b["batch_id"] for b in batches if b["status"] == "active" and b["kind"] in importing.KINDS]
    if not undoable:
        return
    pick_col, button_col = st.columns([3, 1], vertical_alignment="bottom")
    batch_id = pick_col.selectbox(t("data_import.undo_pick"), undoable, key="data_import_undo_batch")
    if button_col.button(t("data_import.undo_button"), key="data_import_undo", type="secondary"):
        try:
            undone = importing.undo_import(ctx.con, batch_id)
        except importing.ImportRefused as refusal:
            st.error(ui.literal(refusal.message()))
            return
        ctx.audit("undo", batch=batch_id, kind=undone["kind"], rows=undone["rows"])
        ui.clear_caches()
        st.session_state.pop("data_import_checked", None)
        unit = importing.KINDS[undone["kind"]].unit
        st.session_state[MESSAGE_KEY] = ("info", t(f"data_import.undone_{unit}", batch=batch_id, rows=format_int(undone["rows"])))
        st.rerun()


def run_with_progress(sources, options, *, dry_run: bool) -> importing.ImportReport:
    """run_import with a status that names the stage it is at and its count, shown while it runs."""
    with progress_place.status(t("data_import.stage_reading", count=format_int(len(sources)))) as status:
        def show(stage: str, count: int) -> None:
            key = "data_import.stage_reading" if stage == "reading" else f"data_import.stage_{stage}_{spec.unit}"
            status.update(label=t(key, count=format_int(count)))

        report = importing.run_import(ctx.con, spec.name, sources, options, dry_run=dry_run, on_stage=show,
                                      kept=kept_stage())
    progress_place.empty()  # a refusal leaves it by the exception: the status then stays, marked failed, above the message
    return report


def check_batch(sources, options) -> importing.ImportReport:
    """The dry run of the batch, computed again only when the files, the kind or the choices change."""
    signature = (spec.name, tuple((s.name, s.path.stat().st_size) for s in sources), repr(options))
    memo = st.session_state.get("data_import_checked")
    if not memo or memo[0] != signature:
        memo = (signature, run_with_progress(sources, options, dry_run=True))
        st.session_state["data_import_checked"] = memo
    return memo[1]


def render_batch(sources: list[importing.SourceFile]) -> None:
    """Options → mapping per header → validation report → import button, for the uploaded files."""
    options = render_options(sources)
    parts = importing.inspect_batch(sources, options.encoding, options.sheet)
    mappings = render_mappings(parts)
    if mappings is None:
        return
    options.mappings = mappings
    report = check_batch(sources, options)
    render_report(report)
    if report.rows_to_import == 0:
        st.info(t(f"data_import.nothing_new_{spec.unit}"))
        return
    # Own transaction lines are asked whether they replace the demo; a table is added beside it.
    start_clean = ui.ask_start_clean(ctx) if spec.merge == "lines" else False
    if st.button(t(f"data_import.import_button_{spec.unit}", rows=format_int(report.rows_to_import)),
                 key="data_import_commit", type="primary"):
        if start_clean:  # the batch has passed its checks above: only now does the demo go
            ui.remove_demo(ctx)
        done = run_with_progress(sources, options, dry_run=False)
        ctx.audit("import", batch=done.batch_id, kind=spec.name, rows=done.rows_to_import,
                  files=sorted(source.name for source in sources))
        ui.clear_caches()
        st.session_state[MESSAGE_KEY] = ("success", t(
            f"data_import.imported_success_{spec.unit}", batch=done.batch_id, kind=importing.kind_label(spec.name),
            rows=format_int(done.rows_to_import), revenue=format_amount(done.revenue_total),
            new=format_int(done.rows_new), updated=format_int(done.rows_updated),
        ))
        forget_uploads()
        st.rerun()


def cell_text(value) -> str:
    """A value of the first rows as the user wrote it: blank for none, yes/no for flags."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return t("data_import.yes") if value else t("data_import.no")
    return str(value)


def render_files(report, container, key: str) -> None:
    """Each file of the batch with the encoding it was read in, its rows, its rejected rows and, when the
    batch has files of several headers, which mapping (1, 2, ...) read it."""
    several = len({f.layout for f in report.files}) > 1
    container.dataframe(
        pd.DataFrame(
            [(f.name, f.encoding or "xlsx", f.rows, f.rejected, f.layout + 1) for f in report.files],
            columns=["file", "encoding", "rows", "rejected", "layout"],
        ),
        hide_index=True, key=key,
        column_order=["file", "encoding", "rows", "rejected", *(["layout"] if several else [])],
        column_config={
            "file": t("data_import.col_file"), "encoding": t("data_import.col_encoding"),
            "rows": t("data_import.col_rows"), "rejected": t("data_import.col_rejected"),
            "layout": t("data_import.col_layout"),
        },
    )


def render_rejected_and_sample(report) -> None:
    """The rejected rows, each with its reason in the user's language (and a CSV download), and the first
    rows as they will be stored."""
    if report.rejected:
        st.markdown(f"**{t('data_import.rejected_header')}**")
        st.dataframe(
            pd.DataFrame(
                [(r.file, r.line, importing.reason_label(r.reason), importing.field_label(r.field) if r.field else "",
                  r.value or "") for r in report.rejected],
                columns=["file", "line", "reason", "field", "value"],
            ),
            hide_index=True, key="data_import_rejected",
            column_config={
                "file": t("data_import.col_file"), "line": t("data_import.col_line"),
                "reason": t("data_import.col_reason"), "field": t("data_import.col_field"),
                "value": t("data_import.col_value"),
            },
        )
        st.download_button(
            t("data_import.download_rejected"), report.rejected_csv(), file_name="rejected_rows.csv",
            mime="text/csv", key="data_import_download_rejected",
        )
    if report.sample:
        st.markdown(f"**{t('data_import.sample_header')}**")
        sample = pd.DataFrame([{key: cell_text(value) for key, value in row.items()} for row in report.sample])
        st.dataframe(
            sample, hide_index=True, key="data_import_sample",
            column_config={name: importing.field_label(name) for name in sample.columns},
        )


render_date_window()
if st.session_state[SOURCES_KEY]:
    try:
        render_batch(st.session_state[SOURCES_KEY])
    except importing.ImportRefused as refusal:
        st.error(t("data_import.refused_title"))
        st.code(refusal.message(), language=None, wrap_lines=True)
    except Exception as error:  # nothing was written (all-or-nothing); a reason, and details for admins
        log.exception("import failed")
        st.error(t("data_import.failed"))
        with st.expander(t("errors.details_for_admins"), icon=":material/admin_panel_settings:"):
            st.code(f"{type(error).__name__}: {error}\n\n{traceback.format_exc()}", language=None, wrap_lines=True)

render_history()


def render_audit(count: int = 200) -> None:
    """Who did what (admins only, as this whole page)."""
    st.subheader(t("access.audit_header"))
    entries = access.read_audit(db.state_of(ctx.con), limit=count)
    st.caption(t("access.audit_caption", count=format_int(len(entries))))
    st.dataframe(
        pd.DataFrame([(e["at"], e["user"], e["action"], json.dumps(e["detail"], ensure_ascii=False)) for e in entries],
                     columns=["at", "user", "action", "detail"]),
        hide_index=True, key="data_import_audit",
        column_config={"at": t("access.col_at"), "user": t("access.col_user"), "action": t("access.col_action"),
                       "detail": st.column_config.TextColumn(t("access.col_detail"), width="large")},
    )


render_audit()
