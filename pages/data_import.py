"""数据导入 — upload files, map columns, check the batch, import it; history with undo."""

import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from ka import importing, ui
from ka.i18n import format_amount, format_int, t

FILES_KEY = "data_import_files"        # name → bytes of the uploaded files (kept across reruns)
MESSAGE_KEY = "data_import_message"    # the outcome of the last import/undo, shown after the rerun
MAPPING_BASIS_KEY = "data_import_mapping_basis"
AUTO = ""

ctx = ui.init_page()
st.title(t("data_import.title"))
st.caption(t("data_import.caption"))
st.session_state.setdefault(FILES_KEY, {})
st.session_state.setdefault("data_import_dir", tempfile.mkdtemp(prefix="ka-upload-"))

if st.session_state.get(MESSAGE_KEY):
    kind, text = st.session_state.pop(MESSAGE_KEY)
    (st.success if kind == "success" else st.info)(text)

uploads = st.file_uploader(
    t("data_import.upload"), type=["csv", "tsv", "txt", "xlsx", "xlsm"], accept_multiple_files=True,
    key="data_import_upload", help=t("data_import.upload_help"),
)
if uploads:
    st.session_state[FILES_KEY] = {upload.name: upload.getvalue() for upload in uploads}


def render_options(sources: list[importing.SourceFile]) -> importing.ImportOptions:
    """Sheet, encoding, date order and duplicates, in one row."""
    workbooks = [s for s in sources if s.path.suffix in (".xlsx", ".xlsm")]
    columns = st.columns(4 if workbooks else 3)
    sheet_col = columns[0] if workbooks else None
    encoding_col, order_col, duplicates_col = columns[-3:]
    sheet = None
    if workbooks:
        names = importing.sheet_names(workbooks[0].path)
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
    )
    return importing.ImportOptions(
        encoding=encoding or None, sheet=sheet, date_order=order or None, drop_duplicates=drop, source="upload",
    )


def render_mapping(headers: list[str], sample: list[list[str]]) -> dict[str, str]:
    """A column choice per field, proposed from the headers or a saved mapping; returns the choice."""
    st.subheader(t("data_import.mapping_header"))
    st.caption(t("data_import.mapping_help"))
    saved = st.selectbox(
        t("data_import.saved_mapping"), [AUTO, *importing.mapping_names(ctx.con)], key="data_import_saved_mapping",
        format_func=lambda name: name or t("data_import.saved_mapping_none"),
    )
    base = (importing.load_mapping(ctx.con, saved) if saved else None) or importing.propose_mapping(headers)
    basis = (tuple(headers), saved)
    if st.session_state.get(MAPPING_BASIS_KEY) != basis:  # new files or another saved mapping: start over
        st.session_state[MAPPING_BASIS_KEY] = basis
        for name in importing.FIELDS:
            st.session_state[f"data_import_map_{name}"] = base.get(name) if base.get(name) in headers else AUTO
    columns = st.columns(4)
    chosen = {}
    for index, name in enumerate(importing.FIELDS):
        column = columns[index % 4]
        header = column.selectbox(
            t(f"data_import.field_{name}"), [AUTO, *headers], key=f"data_import_map_{name}",
            format_func=lambda h: h or t("data_import.not_mapped"),
        )
        values = []
        if header:
            position = headers.index(header)
            values = [row[position] for row in sample if position < len(row)][:3]
            chosen[name] = header
        column.caption(" · ".join(values) if values else "—")  # always a line, so the grid stays aligned
    name_col, button_col = st.columns([3, 1], vertical_alignment="bottom")
    mapping_name = name_col.text_input(t("data_import.save_mapping_name"), key="data_import_mapping_name")
    if button_col.button(t("data_import.save_mapping_button"), key="data_import_save_mapping", disabled=not mapping_name):
        importing.save_mapping(ctx.con, mapping_name, chosen)
        st.success(t("data_import.mapping_saved", name=mapping_name))
    return chosen


def render_report(report: importing.ImportReport) -> None:
    """The validation report: counts, totals, months, files, rejected rows, first lines."""
    st.subheader(t("data_import.report_header"))
    st.caption(t("data_import.report_caption", order=t(f"data_import.date_order_used_{report.date_order}")))
    tiles = [
        ("rows_read", format_int(report.rows_read)),
        ("rows_to_import", format_int(report.rows_to_import)),
        ("rejected", format_int(report.rows_rejected)),
        ("duplicates", format_int(report.duplicates_skipped)),
        ("revenue", format_amount(report.revenue_total)),
        ("new_accounts", format_int(report.new_accounts)),
        ("existing_accounts", format_int(report.existing_accounts)),
    ]
    for row_start in (0, 4):
        for column, (name, value) in zip(st.columns(4), tiles[row_start:row_start + 4]):
            column.metric(t(f"data_import.metric_{name}"), value, border=True)
    if report.first_date:
        st.caption(t("data_import.date_range", first=f"{report.first_date:%Y-%m-%d}", last=f"{report.last_date:%Y-%m-%d}"))
    if report.rows_without_account:
        st.warning(t(
            "data_import.without_account_note", rows=format_int(report.rows_without_account),
            revenue=format_amount(report.revenue_without_account),
        ))
    if report.duplicate_lines_in_file:
        st.caption(t("data_import.repeats_note", repeats=format_int(report.duplicate_lines_in_file),
                     dropped=format_int(report.duplicates_dropped)))
    months_col, files_col = st.columns(2)
    months_col.markdown(f"**{t('data_import.months_header')}**")
    months_col.dataframe(
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
    files_col.markdown(f"**{t('data_import.files_header')}**")
    files_col.dataframe(
        pd.DataFrame(
            [(f.name, f.encoding or "xlsx", f.rows, f.rejected) for f in report.files],
            columns=["file", "encoding", "rows", "rejected"],
        ),
        hide_index=True, key="data_import_file_table",
        column_config={
            "file": t("data_import.col_file"), "encoding": t("data_import.col_encoding"),
            "rows": t("data_import.col_rows"), "rejected": t("data_import.col_rejected"),
        },
    )
    if report.rejected:
        st.markdown(f"**{t('data_import.rejected_header')}**")
        st.dataframe(
            pd.DataFrame(
                [(r.file, r.line, t(f"data_import.reason_{r.reason}"),
                  t(f"data_import.field_{r.field}") if r.field else "", r.value or "") for r in report.rejected],
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
        sample = pd.DataFrame([{key: "" if value is None else str(value) for key, value in row.items()} for row in report.sample])
        st.dataframe(
            sample, hide_index=True, key="data_import_sample",
            column_config={name: t(f"data_import.field_{name}") for name in sample.columns},
        )


def render_history() -> None:
    """Past batches, newest first, and undo of an active import batch."""
    st.subheader(t("data_import.history_header"))
    batches = importing.read_batches(ctx.con)
    if not batches:
        st.caption(t("data_import.history_empty"))
        return
    st.dataframe(
        pd.DataFrame([
            (b["batch_id"], b["imported_at"], t(f"data_import.kind_{b['kind']}"), b["file_names"], b["rows_imported"],
             float(b["revenue_total"] or 0), t(f"data_import.status_{b['status']}"))
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
    undoable = [b["batch_id"] for b in batches if b["status"] == "active" and b["kind"] == "transactions"]
    if not undoable:
        return
    pick_col, button_col = st.columns([3, 1], vertical_alignment="bottom")
    batch_id = pick_col.selectbox(t("data_import.undo_pick"), undoable, key="data_import_undo_batch")
    if button_col.button(t("data_import.undo_button"), key="data_import_undo", type="secondary"):
        try:
            undone = importing.undo_batch(ctx.con, batch_id)
        except importing.ImportRefused as refusal:
            st.error(refusal.message())
            return
        ui.clear_caches()
        st.session_state.pop("data_import_checked", None)
        st.session_state[MESSAGE_KEY] = ("info", t("data_import.undone", batch=batch_id, rows=format_int(undone["rows"])))
        st.rerun()


def check_batch(sources, options) -> importing.ImportReport:
    """The dry run of the batch, computed again only when the files or the choices change."""
    signature = (tuple((s.name, s.path.stat().st_size) for s in sources), repr(options))
    memo = st.session_state.get("data_import_checked")
    if not memo or memo[0] != signature:
        memo = (signature, importing.run_import(ctx.con, sources, options, dry_run=True))
        st.session_state["data_import_checked"] = memo
    return memo[1]


def render_batch(files: dict[str, bytes]) -> None:
    """Options → mapping → validation report → import button, for the uploaded files."""
    sources = importing.save_uploads(files, Path(st.session_state["data_import_dir"]))
    options = render_options(sources)
    parts = importing.inspect_batch(sources, options)
    options.mapping = render_mapping(parts[0].headers, parts[0].sample)
    missing = importing.missing_required(options.mapping)
    if missing:
        st.warning(t("data_import.required_missing", fields=", ".join(t(f"data_import.field_{m}") for m in missing)))
        return
    report = check_batch(sources, options)
    render_report(report)
    if report.rows_to_import == 0:
        st.info(t("data_import.nothing_new"))
        return
    if st.button(t("data_import.import_button", rows=format_int(report.rows_to_import)),
                 key="data_import_commit", type="primary"):
        done = importing.run_import(ctx.con, sources, options)
        ui.clear_caches()
        st.session_state[MESSAGE_KEY] = ("success", t(
            "data_import.imported_success", batch=done.batch_id, rows=format_int(done.rows_to_import),
            revenue=format_amount(done.revenue_total),
        ))
        st.session_state[FILES_KEY] = {}
        st.session_state.pop("data_import_checked", None)
        st.rerun()


if st.session_state[FILES_KEY]:
    try:
        render_batch(st.session_state[FILES_KEY])
    except importing.ImportRefused as refusal:
        st.error(t("data_import.refused_title"))
        st.code(refusal.message(), language=None, wrap_lines=True)

render_history()
