"""Import integrity: no file can double a figure, brick the app, or store garbled text.

Each case asserts the exact database state afterwards (lines and sums), or that a refused batch left
the database exactly as it was (fingerprint of every table).
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import io
import zipfile
from datetime import date, timedelta
from decimal import Decimal

import duckdb
import pytest

from import_helpers import fingerprint, import_paths, totals, write_file
from ka import db, overview
from ka.__main__ import _period_from_args, main
from ka.importing import (
    DateWindow, ImportOptions, ImportRefused, UploadFolder, default_last, load_date_window, remove_leftovers,
    run_import, save_date_window,
)
from ka.importing import read, transactions
from ka.periods import Period


def run_cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def account_revenue(con) -> dict[str, Decimal]:
    return dict(db.query_rows(con, "select account_id, sum(revenue) from transactions group by all"))


# --- line identity ------------------------------------------------------------------------------
ORDERS = (
    "Order ID,Line,Order Date,Customer ID,Customer Name,Product,Sales,Cost,Region\n"
    "SO1,1,2024-01-05,C1,Acme,Bolt,600.00,400.00,East\n"
    "SO1,2,2024-01-05,C1,Acme,Nut,400.00,300.00,East\n"
    "SO2,1,2024-02-10,C2,Beta,Bolt,1000.00,900.00,West\n"
)


@pytest.mark.parametrize(
    "second_mapping",
    [
        # the same lines mapped with fewer optional columns, or with other columns for the optional fields
        {"order_date": "Order Date", "account_id": "Customer ID", "revenue": "Sales"},
        {"order_date": "Order Date", "account_id": "Customer ID", "revenue": "Sales", "order_id": "Order ID",
         "line_no": "Line", "cost": "Cost"},
        {"order_date": "Order Date", "account_id": "Customer ID", "revenue": "Sales", "product": "Region",
         "region": "Product", "account_name": "Customer Name"},
    ],
)
def test_reimporting_the_same_lines_with_another_mapping_adds_nothing(con, tmp_path, second_mapping):
    path = write_file(tmp_path, "orders.csv", ORDERS)
    first = import_paths(con, path)
    assert first.rows_to_import == 3
    before = fingerprint(con)
    again = import_paths(con, path, mapping=second_mapping)
    assert (again.batch_id, again.rows_to_import, again.duplicates_skipped) == (None, 0, 3)
    assert fingerprint(con) == before
    assert totals(con)[:4] == (3, 2, Decimal("2000.00"), Decimal("400.00"))


def test_a_line_has_one_key_whichever_file_of_a_folder_it_comes_in(con, tmp_path):
    folder = tmp_path / "days"
    folder.mkdir()
    header, *lines = ORDERS.splitlines(keepends=True)
    write_file(folder, "a.csv", header + lines[0] + lines[1])
    write_file(folder, "b.csv", header + lines[2])
    import_paths(con, folder)
    # later, the same lines arrive in one file, and one of them again on its own
    merged = write_file(tmp_path, "merged.csv", ORDERS)
    alone = write_file(tmp_path, "alone.csv", header + lines[1])
    assert import_paths(con, merged, alone).rows_to_import == 0
    assert account_revenue(con) == {"C1": Decimal("1000.0000"), "C2": Decimal("1000.0000")}


def test_the_key_is_the_md5_of_the_line_text_and_its_count_in_the_file(con, tmp_path):
    path = write_file(tmp_path, "repeats.csv", "Date,Customer,Sales\n2024-01-02,A,5\n2024-01-02,A,5\n")
    import_paths(con, path)
    digest = db.query_rows(con, "select hex(md5_number(?))", ["2024-01-02\x1fA\x1f5"])[0][0]
    assert db.query_rows(con, "select txn_key from transactions order by 1") == [(f"H:{digest}#1",), (f"H:{digest}#2",)]


def _database_keyed_the_old_way(path):
    """A database as an earlier version left it: schema 3, lines keyed 'L:<order id>#<line number>'."""
    con = duckdb.connect(str(path))
    db.migrate(con, target=3)
    db.define_macros(con)  # refresh_account_month reads through them
    with db.write_transaction(con) as cur:
        cur.execute(
            "insert into transactions (txn_key, order_id, order_date, account_id, account_name, product, quantity, "
            "revenue, cost, region, ka_manager, batch_id) values "
            "('L:SO1#1', 'SO1', date '2024-01-05', 'C1', 'Acme', 'Bolt', null, 600, 400, 'East', null, 1), "
            "('L:SO1#2', 'SO1', date '2024-01-05', 'C1', 'Acme', 'Nut', null, 400, 300, 'East', null, 1)"
        )
        cur.execute("insert into accounts (account_id, account_name, region) values ('C1', 'Acme', 'East')")
        cur.execute("insert into import_batches (batch_id, kind, source, files, rows_imported) "
                    "values (nextval('batch_id_seq'), 'transactions', 'cli', '{}', 2)")
        db.refresh_account_month(cur)
    con.close()
    return db.connect(path)  # opening it upgrades it to the current schema


def test_lines_keyed_by_an_earlier_version_are_found_and_rekeyed(tmp_path):
    con = _database_keyed_the_old_way(tmp_path / "old.duckdb")
    assert db.query_rows(con, "select order_id, order_line, txn_key from legacy_line_keys order by 3") == [
        ("SO1", "1", "L:SO1#1"), ("SO1", "2", "L:SO1#2"),
    ]
    path = write_file(tmp_path, "orders.csv", ORDERS)  # its first two lines are the stored ones
    report = import_paths(con, path)
    assert (report.rows_to_import, report.duplicates_skipped, report.legacy_matched) == (1, 2, 2)
    assert "earlier version" in report.text
    assert totals(con)[:3] == (3, 2, Decimal("2000.0000"))
    # the stored lines now carry their own keys: found again without their order-line columns
    assert db.query_rows(con, "select count(*) from transactions where starts_with(txn_key, 'L:')") == [(0,)]
    assert db.query_rows(con, "select count(*) from legacy_line_keys") == [(0,)]
    again = import_paths(con, path, mapping={"order_date": "Order Date", "account_id": "Customer ID", "revenue": "Sales"})
    assert again.rows_to_import == 0
    assert totals(con)[:3] == (3, 2, Decimal("2000.0000"))
    con.close()


def test_old_keys_are_found_by_a_dry_run_without_changing_anything(tmp_path):
    con = _database_keyed_the_old_way(tmp_path / "old.duckdb")
    before = fingerprint(con)
    header, *lines = ORDERS.splitlines(keepends=True)
    path = write_file(tmp_path, "old_lines.csv", header + lines[0] + lines[1])
    report = import_paths(con, path)
    assert (report.batch_id, report.rows_to_import, report.legacy_matched) == (None, 0, 2)
    assert fingerprint(con) == before
    con.close()


# --- folders: every file read with its own header -------------------------------------------------
def _mixed_folder(tmp_path):
    folder = tmp_path / "mixed"
    folder.mkdir()
    write_file(folder, "1_plain.csv", "Date,Customer ID,Sales\n2024-01-05,C1,500\n2024-01-06,C2,500\n")
    write_file(folder, "2_rich.csv", "Region,Sales,Cost,Customer ID,KA Manager,Order Date,Product\n"
                                     "East,500,300,C1,Wang,2024-02-05,Bolt\nWest,500,200,C2,Li,2024-02-06,Nut\n")
    return folder


def test_a_folder_of_different_headers_maps_each_file_by_its_own(con, tmp_path):
    folder = _mixed_folder(tmp_path)
    report = import_paths(con, folder)
    assert [(layout.files, sorted(layout.mapping)) for layout in report.layouts] == [
        (["1_plain.csv"], ["account_id", "order_date", "revenue"]),
        (["2_rich.csv"], ["account_id", "cost", "ka_manager", "order_date", "product", "region", "revenue"]),
    ]
    assert [summary.layout for summary in report.files] == [0, 1]
    assert db.query_rows(con, "select account_id, order_date, revenue, cost, region, product, ka_manager "
                              "from transactions order by order_date") == [
        ("C1", date(2024, 1, 5), Decimal("500.0000"), None, None, None, None),
        ("C2", date(2024, 1, 6), Decimal("500.0000"), None, None, None, None),
        ("C1", date(2024, 2, 5), Decimal("500.0000"), Decimal("300.0000"), "East", "Bolt", "Wang"),
        ("C2", date(2024, 2, 6), Decimal("500.0000"), Decimal("200.0000"), "West", "Nut", "Li"),
    ]
    assert "mapping of 1_plain.csv:" in report.text and "mapping of 2_rich.csv:" in report.text
    # the same good files again, alone or together: nothing is added (1,000 stays 1,000 per account)
    assert import_paths(con, folder / "2_rich.csv").rows_to_import == 0
    assert import_paths(con, folder).rows_to_import == 0
    assert account_revenue(con) == {"C1": Decimal("1000.0000"), "C2": Decimal("1000.0000")}


def test_one_mapping_for_a_folder_of_different_headers_is_refused(con, tmp_path):
    folder = _mixed_folder(tmp_path)
    before = fingerprint(con)
    with pytest.raises(ImportRefused) as refusal:
        import_paths(con, folder, mapping={"order_date": "Date", "account_id": "Customer ID", "revenue": "Sales"})
    assert refusal.value.code == "headers_differ"
    assert refusal.value.values == {"first": "1_plain.csv", "files": "2_rich.csv"}
    assert fingerprint(con) == before


def test_a_file_of_a_folder_without_the_required_fields_refuses_the_batch_naming_it(con, tmp_path):
    folder = _mixed_folder(tmp_path)
    write_file(folder, "3_notes.csv", "Customer ID,Note\nC1,call back\n")
    before = fingerprint(con)
    with pytest.raises(ImportRefused) as refusal:
        import_paths(con, folder)
    assert (refusal.value.code, refusal.value.values["files"]) == ("required_fields_of", "3_notes.csv")
    assert fingerprint(con) == before


# --- plausible dates ------------------------------------------------------------------------------
TODAY = date.today()


@pytest.mark.parametrize(
    ("written", "accepted"),
    [
        ("0000-01-01", False),   # DuckDB would store 1 BC
        ("-0001-01-01", False),
        ("10000-01-01", False),  # beyond 9999
        ("2999-12-31", False),
        ("1900-01-01", False),
        ("1969-12-31", False),
        ("1970-01-01", True),
        (f"{default_last(TODAY):%Y-%m-%d}", True),
        (f"{default_last(TODAY) + timedelta(days=1):%Y-%m-%d}", False),
        ("12/31/2999", False),
        ("2999年12月31日", False),
    ],
)
def test_order_dates_outside_the_window_are_rejected_per_line(con, tmp_path, written, accepted):
    good = "".join(f"2024-03-{day:02d},C{day},10\n" for day in range(1, 6))
    path = write_file(tmp_path, "dates.csv", "Order Date,Customer ID,Sales\n" + good + f"{written},X,1000\n")
    report = import_paths(con, path, date_order="mdy")
    lines, accounts, revenue = totals(con)[:3]
    if accepted:
        assert (lines, accounts, revenue, report.rows_rejected) == (6, 6, Decimal("1050"), 0)
    else:
        assert (lines, accounts, revenue) == (5, 5, Decimal("50"))
        rejected = report.rejected[0]
        assert (rejected.line, rejected.field, rejected.value) == (7, "order_date", written)
        assert rejected.reason in ("date_out_of_range", "bad_date")
    # nothing outside Python's (and the window's) dates is stored anywhere
    assert db.query_rows(con, "select count(*) from transactions where order_date not between date '1970-01-01' "
                              "and ?", [default_last(TODAY)]) == [(0,)]
    assert isinstance(overview.read_data_range(con)[1], date)


def test_the_window_is_a_setting(con, tmp_path):
    assert load_date_window(con, today=date(2026, 12, 1)) == DateWindow(date(1970, 1, 1), date(2027, 12, 1))
    save_date_window(con, date(1900, 1, 1), date(2030, 12, 31))
    assert load_date_window(con) == DateWindow(date(1900, 1, 1), date(2030, 12, 31))
    path = write_file(tmp_path, "old.csv", "Order Date,Customer ID,Sales\n1900-01-01,C1,7\n2030-12-31,C2,8\n")
    assert import_paths(con, path).rows_to_import == 2
    with pytest.raises(ValueError):
        save_date_window(con, date(1800, 1, 1), None)


def test_default_period_and_data_as_of_come_from_accepted_dates_only(con, tmp_path):
    """A database an older version filled with stray dates (1 BC, 2999) still opens on the real data."""
    path = write_file(tmp_path, "good.csv", "Order Date,Customer ID,Sales\n2024-03-05,C1,10\n2024-05-06,C2,20\n")
    import_paths(con, path)
    with db.write_transaction(con) as cur:
        cur.execute(
            "insert into transactions (txn_key, order_date, account_id, revenue, batch_id) values "
            "('old1', '0000-01-01'::date, 'C1', 1, 1), ('old2', date '2999-12-31', 'C2', 1, 1)"
        )
        db.refresh_account_month(cur)
    assert overview.read_data_range(con) == (date(2024, 3, 5), date(2024, 5, 6))
    no_dates = argparse.Namespace(date_from=None, date_to=None)
    assert _period_from_args(con, no_dates) == Period(date(2024, 1, 1), date(2024, 3, 31), "quarter")


def test_activity_dates_outside_the_window_are_rejected(con, tmp_path):
    path = write_file(tmp_path, "visits.csv", "客户编号,拜访日期,拜访方式\nKA1,2026-10-12,上门\nKA2,0000-01-01,电话\n"
                                              "KA3,2026-10-13,上门\nKA4,2026-10-14,上门\n")
    report = run_import(con, "visits", read.list_sources([path]), ImportOptions())
    assert [(row.line, row.reason, row.value) for row in report.rejected] == [(3, "date_out_of_range", "0000-01-01")]
    assert db.query_rows(con, "select account_id from visits order by 1") == [("KA1",), ("KA3",), ("KA4",)]


# --- the report is made before the commit --------------------------------------------------------
def test_a_report_that_cannot_be_written_leaves_no_batch_behind(con, tmp_path, monkeypatch):
    path = write_file(tmp_path, "orders.csv", ORDERS)
    before = fingerprint(con, sequence=False)

    def broken_report(report):
        raise ValueError("Invalid format specifier '%Y-%m'")

    monkeypatch.setattr(transactions, "format_report", broken_report)
    with pytest.raises(ValueError):
        import_paths(con, path)
    assert fingerprint(con, sequence=False) == before
    monkeypatch.undo()
    assert import_paths(con, path).rows_to_import == 3


# --- encodings ------------------------------------------------------------------------------------
def _mixed_encoding_bytes() -> bytes:
    return ("订单日期,客户名称,销售额\n2024-01-01,上海客户,100\n".encode("utf-8")
            + "2024-01-02,北京客户,200\n2024-01-03,深圳客户,300\n".encode("gbk")
            + "2024-01-04,广州客户,400\n".encode("utf-8"))


def test_a_file_of_utf8_and_gbk_lines_is_refused_with_the_lines_of_each(con, tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_bytes(_mixed_encoding_bytes())
    before = fingerprint(con)
    for encoding in (None, "gb18030", "cp850"):  # whichever encoding is chosen, one kind would be garbled
        with pytest.raises(ImportRefused) as refusal:
            import_paths(con, path, encoding=encoding)
        assert refusal.value.code == "mixed_encoding"
        assert refusal.value.values["utf8_lines"] == "1, 2, 5" and refusal.value.values["other_lines"] == "3, 4"
    assert fingerprint(con) == before


def test_a_large_utf8_file_with_a_gbk_line_past_the_sniffed_part_is_refused(con, tmp_path, monkeypatch):
    monkeypatch.setattr(read, "WHOLE_FILE_BYTES", 1000)
    monkeypatch.setattr(read, "SNIFF_BYTES", 1000)
    lines = "".join(f"2024-01-{1 + n % 28:02d},上海客户{n},{n}\n" for n in range(100))
    path = tmp_path / "late_gbk.csv"
    path.write_bytes(("订单日期,客户名称,销售额\n" + lines).encode("utf-8") + "2024-02-01,北京客户,5\n".encode("gbk"))
    before = fingerprint(con)
    with pytest.raises(ImportRefused) as refusal:
        import_paths(con, path)
    assert (refusal.value.code, refusal.value.values["lines"]) == ("undecodable_lines", "102")
    assert fingerprint(con) == before


def test_a_code_page_file_with_an_unreadable_byte_names_its_line(con, tmp_path, monkeypatch):
    monkeypatch.setattr(read, "WHOLE_FILE_BYTES", 200)
    monkeypatch.setattr(read, "SNIFF_BYTES", 200)
    lines = "".join(f"2024-01-05,Café {n},1\n" for n in range(40)).encode("cp1252")
    path = tmp_path / "west.csv"
    path.write_bytes(b"Date,Customer,Sales\n" + lines + b"2024-01-06,Caf\x81,1\n")  # 0x81 is no cp1252 character
    with pytest.raises(ImportRefused) as refusal:
        import_paths(con, path)
    assert (refusal.value.code, refusal.value.values["line"]) == ("encoding", 42)


@pytest.mark.parametrize(
    "names",
    [
        ["上海客户", "北京华联商厦", "深圳客户"],
        ["喆", "堃", "犇", "赟", "镕基", "臺灣客戶", "上海客户"],  # rare and traditional characters: GBK, not GB2312
    ],
)
def test_chinese_text_is_never_read_as_a_dos_code_page(con, tmp_path, names):
    text = "订单日期,客户名称,销售额\n" + "".join(f"2024-01-{n + 1:02d},{name},{n + 1}\n" for n, name in enumerate(names))
    path = tmp_path / "gbk.csv"
    path.write_bytes(text.encode("gb18030"))
    report = import_paths(con, path)
    assert report.files[0].encoding == "gb18030"
    assert [row[0] for row in db.query_rows(con, "select account_name from transactions order by order_date")] == names


def test_utf16_without_a_bom_is_read(con, tmp_path):
    path = tmp_path / "utf16.csv"
    path.write_bytes("Date,Customer,Sales\n2024-01-02,Müller,5\n".encode("utf-16-le"))
    report = import_paths(con, path)
    assert report.files[0].encoding == "utf-16-le"
    assert db.query_rows(con, "select account_name, revenue from transactions") == [("Müller", Decimal("5"))]


# --- clear refusals (CLI: exit 2, the reason on stderr, no traceback, database unchanged) -----------
def _zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return buffer.getvalue()


BAD_FILES = {
    # name: (bytes, refusal code)
    "binary.csv": (bytes(range(256)) * 40, "binary_file"),
    "photo.csv": (b"\x89PNG\r\n\x1a\n" + bytes(range(200)), "binary_file"),
    "workbook.csv": (_zip_bytes(), "not_text_workbook"),
    "text.xlsx": (b"Date,Customer,Sales\n2024-01-02,A,5\n", "text_named_workbook"),
    "damaged.xlsx": (_zip_bytes()[:40], "unreadable_file"),
    "not_really.xlsx": (_zip_bytes(), "unreadable_file"),
    "mixed.csv": (_mixed_encoding_bytes(), "mixed_encoding"),
    "dup_headers.csv": (b"Date,Customer,Sales,Sales\n2024-01-02,A,5,500\n", "duplicate_headers"),
    "empty.csv": (b"", "empty_file"),
}


@pytest.mark.parametrize("name", list(BAD_FILES))
def test_a_bad_file_is_refused_with_a_reason_and_exit_code_2(tmp_path, name):
    data, code = BAD_FILES[name]
    path = tmp_path / name
    path.write_bytes(data)
    database = tmp_path / "ka.duckdb"
    good = write_file(tmp_path, "good.csv", ORDERS)
    assert run_cli("import", "--db", str(database), str(good))[0] == 0
    with db.connect(database) as con:
        before = fingerprint(con)
        with pytest.raises(ImportRefused) as refusal:
            import_paths(con, path)
        assert refusal.value.code == code
        expected = refusal.value.message()
    exit_code, out, err = run_cli("import", "--db", str(database), str(path))
    assert (exit_code, out) == (2, "")
    assert err == f"refused: {expected}\n" and "Traceback" not in err
    with db.connect(database) as con:
        assert fingerprint(con) == before


def test_cr_only_line_ends_are_read_correctly(con, tmp_path):
    path = tmp_path / "mac.csv"
    path.write_bytes(b'Date,Customer,Sales,Note\r2024-01-02,A,5,"two\rlines"\r2024-01-03,B,7,x\r')
    report = import_paths(con, path)
    assert (report.rows_read, report.rows_rejected) == (2, 0)
    assert db.query_rows(con, "select account_name, revenue from transactions order by 1") == [
        ("A", Decimal("5")), ("B", Decimal("7")),
    ]


def test_duplicate_headers_are_refused_unless_one_column_is_chosen(con, tmp_path):
    path = write_file(tmp_path, "dups.csv", "Date,Customer,Sales,Sales,Remarks,Remarks\n2024-01-02,A,5,500,x,y\n")
    with pytest.raises(ImportRefused) as refusal:
        import_paths(con, path)
    assert refusal.value.values == {"file": "dups.csv", "names": "Sales (3, 4)"}  # the two Remarks matter to nobody
    with pytest.raises(ImportRefused):  # a saved mapping naming the doubled name cannot say which one
        import_paths(con, path, mapping={"order_date": "Date", "account_name": "Customer", "revenue": "Sales"})
    report = import_paths(con, path, mapping={"order_date": "Date", "account_name": "Customer", "revenue": "Sales #4"})
    assert report.rows_to_import == 1
    assert totals(con)[2] == Decimal("500")


# --- uploads --------------------------------------------------------------------------------------
def test_upload_folders_are_deleted_with_their_session_and_at_start_up(tmp_path):
    folder = UploadFolder(root=tmp_path)
    saved = folder.save([("b.csv", io.BytesIO(b"x")), ("A.CSV", io.BytesIO(b"yy"))])
    assert [(source.name, source.path.name, source.path.read_bytes()) for source in saved] == [
        ("A.CSV", "0.csv", b"yy"), ("b.csv", "1.csv", b"x"),
    ]
    folder.clear()
    assert list(folder.path.iterdir()) == []
    path = folder.path
    del folder, saved
    gc.collect()
    assert not path.exists()  # the session's state went, and its folder with it

    stale = tmp_path / "99999999-left"  # a server that stopped (no such process)
    stale.mkdir()
    (stale / "0.csv").write_text("customer data")
    mine = UploadFolder(root=tmp_path)
    assert remove_leftovers(tmp_path) == [stale]
    assert not stale.exists() and mine.path.exists()
    mine.remove()
    assert not mine.path.exists()
