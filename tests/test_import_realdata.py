"""The import path on the real public files of ../shared/realdata, against the README's totals."""

from __future__ import annotations

import contextlib
import csv
import io
from decimal import Decimal

import pytest

from ka_testing import require_realdata
from import_helpers import fingerprint, import_paths, totals
from ka import db
from ka.__main__ import main
from ka.importing import ImportRefused, undo_import

pytestmark = pytest.mark.slow  # reads the real files of ../shared/realdata

SUPERSTORE = ("superstore", "Sample - Superstore.csv")
SUPERSTORE_TOTALS = (9994, 793, Decimal("2297200.8603"), Decimal("286397.0217"), Decimal("2297200.8603"))
ONLINE_RETAIL_REVENUE = Decimal("1466224.55")


def run_cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def test_superstore_via_cli_reimport_and_undo(tmp_path):
    path = tmp_path / "ka.duckdb"
    csv_path = str(require_realdata(*SUPERSTORE))
    code, out, _ = run_cli("import", "--db", str(path), csv_path)
    assert code == 0 and "batch 1 imported" in out
    with db.connect(path) as con:
        assert totals(con) == SUPERSTORE_TOTALS
        assert db.query_rows(con, "select count(*) from accounts")[0][0] == 793
    code, out, _ = run_cli("import", "--db", str(path), csv_path)
    assert code == 0 and "nothing new" in out
    with db.connect(path) as con:
        assert totals(con) == SUPERSTORE_TOTALS
        assert db.query_rows(con, "select count(*) from import_batches")[0][0] == 1
    code, out, _ = run_cli("undo", "--db", str(path), "--batch", "1")
    assert code == 0 and "9,994 lines" in out
    with db.connect(path) as con:
        assert totals(con) == (0, 0, Decimal(0), None, Decimal(0))
        assert db.query_rows(con, "select count(*) from accounts")[0][0] == 0


def test_online_retail_folder_is_one_batch_and_undo_restores_previous_totals(con):
    import_paths(con, require_realdata(*SUPERSTORE))
    before = totals(con)
    report = import_paths(con, require_realdata("online-retail", "by-day"))
    assert (len(report.files), report.rows_read, report.rows_rejected) == (68, 105_335, 0)
    assert (report.rows_without_account, report.revenue_without_account) == (36_210, Decimal("340795.38"))
    assert (report.rows_to_import, report.revenue_total, report.new_accounts) == (69_125, ONLINE_RETAIL_REVENUE, 1749)
    assert report.duplicate_lines_in_file == 975  # kept: they can be real repeated lines
    revenue, lines = db.query_rows(
        con, "select sum(revenue), count(*) from transactions where batch_id = ?", [report.batch_id]
    )[0]
    assert (revenue, lines) == (ONLINE_RETAIL_REVENUE, 69_125)
    # returns are negative; cancellation invoices (C…) never add revenue
    assert db.query_rows(
        con, "select count(*), max(revenue) from transactions where batch_id = ? and starts_with(order_id, 'C')",
        [report.batch_id],
    )[0][1] < 0
    assert db.query_rows(con, "select revenue from account_month where account_id = '12346'") == [(Decimal("0.0000"),)]
    assert db.query_rows(con, "select count(*) from accounts where account_id = '17850'")[0][0] == 1  # not 17850.0

    again = import_paths(con, require_realdata("online-retail", "by-day"))
    assert (again.batch_id, again.rows_to_import) == (None, 0)
    undo_import(con, report.batch_id)
    assert totals(con) == before


def test_broken_northwind_file_is_refused_and_database_unchanged(tmp_path):
    path = tmp_path / "ka.duckdb"
    assert run_cli("import", "--db", str(path), str(require_realdata(*SUPERSTORE)))[0] == 0
    with db.connect(path) as con:
        before = fingerprint(con)
    broken = require_realdata("northwind", "master-5db3231-unquoted", "orders.csv")
    code, out, err = run_cli("import", "--db", str(path), str(broken))
    assert code == 2 and out == ""
    assert "176 of 830 rows" in err and "  4: 10250,HANAR," in err
    with db.connect(path) as con:
        assert fingerprint(con) == before


def _reencode_with_chinese_headers(source, target, encoding: str, headers: dict[str, str]) -> None:
    with open(source, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    rows[0] = [headers.get(name, name) for name in rows[0]]
    with open(target, "w", encoding=encoding, newline="") as handle:
        csv.writer(handle).writerows(rows)


SUPERSTORE_CHINESE = {
    "Row ID": "行号ID", "Order ID": "订单号", "Order Date": "订单日期", "Ship Date": "发货日期", "Ship Mode": "邮寄方式",
    "Customer ID": "客户编号", "Customer Name": "客户名称", "Segment": "细分市场", "Country": "国家", "City": "城市",
    "State": "省份", "Postal Code": "邮编", "Region": "地区", "Product ID": "产品ID", "Category": "类别",
    "Sub-Category": "子类别", "Product Name": "产品名称", "Sales": "销售额", "Quantity": "数量", "Discount": "折扣",
    "Profit": "利润",
}
RETAIL_CHINESE = {
    "InvoiceNo": "发票号", "StockCode": "商品编码", "Description": "产品名称", "Quantity": "数量",
    "InvoiceDate": "开票日期", "UnitPrice": "单价", "CustomerID": "客户编号", "Country": "国家",
}


def test_gb18030_superstore_with_chinese_headers_has_the_same_totals(con, tmp_path):
    target = tmp_path / "超市销售.csv"
    _reencode_with_chinese_headers(require_realdata(*SUPERSTORE), target, "gb18030", SUPERSTORE_CHINESE)
    report = import_paths(con, target)
    assert report.files[0].encoding == "gb18030"
    assert report.mapping["revenue"] == "销售额" and report.mapping["profit"] == "利润"
    assert totals(con) == SUPERSTORE_TOTALS
    assert db.query_rows(con, "select distinct product from transactions where product like 'Konftel 250%'") == [
        ("Konftel 250 Conference\u00a0phone\u00a0- Charcoal black",)
    ]


def test_gbk_online_retail_days_with_chinese_headers_have_the_same_totals(tmp_path):
    days = sorted(require_realdata("online-retail", "by-day").glob("2010-12-0*.csv"))
    assert len(days) == 8
    folder = tmp_path / "gbk"
    folder.mkdir()
    for day in days:
        _reencode_with_chinese_headers(day, folder / day.name, "gbk", RETAIL_CHINESE)
    with db.connect(tmp_path / "original.duckdb") as original, db.connect(tmp_path / "gbk.duckdb") as copy:
        expected = import_paths(original, *days)
        report = import_paths(copy, folder)
        assert {f.encoding for f in report.files} == {"gb18030"}
        assert totals(copy) == totals(original)
        assert (report.rows_to_import, report.rows_without_account) == (expected.rows_to_import, expected.rows_without_account)


def test_superstore_excel_and_csv_have_the_same_totals(con, tmp_path):
    report = import_paths(con, require_realdata("superstore", "excel-variant", "Sample - Superstore.xlsx"))
    assert report.files[0].sheet == "Sample - Superstore (Week 8 Dat"
    assert totals(con) == SUPERSTORE_TOTALS
    assert (report.first_date.isoformat(), report.last_date.isoformat()) == ("2014-01-03", "2017-12-30")


@pytest.mark.parametrize(
    ("copy", "encoding"),
    [("excel-resave-gowtham", "cp850"), ("utf8-ankita", "utf-8")],
)
def test_sales_data_sample_copies_agree(con, copy, encoding):
    report = import_paths(con, require_realdata("sales-data-sample", copy, "sales_data_sample.csv"))
    assert report.files[0].encoding == encoding
    assert (report.rows_to_import, report.new_accounts, report.revenue_total) == (2823, 92, Decimal("10032628.85"))
    assert (report.first_date.isoformat(), report.last_date.isoformat()) == ("2003-01-06", "2005-05-31")
    assert [m.rows for m in report.months][:3] == [39, 41, 50]
    assert db.query_rows(con, "select count(*) from transactions where region = 'NA'")[0][0] == 1074


SALES_SAMPLE = ("sales-data-sample", "utf8-ankita", "sales_data_sample.csv")


def test_sales_data_sample_imported_again_with_another_mapping_adds_nothing(con):
    # The file has order numbers and line numbers: keys once came from them when both were mapped,
    # and from the line's text otherwise, so the second import below used to add all 2,823 lines again.
    first = import_paths(con, require_realdata(*SALES_SAMPLE))
    assert "order_id" in first.mapping and first.rows_to_import == 2823
    again = import_paths(
        con, require_realdata(*SALES_SAMPLE),
        mapping={"order_date": "ORDERDATE", "account_id": "CUSTOMERNAME", "revenue": "SALES"},
    )
    assert (again.rows_to_import, again.duplicates_skipped) == (0, 2823)
    assert totals(con)[:3] == (2823, 92, Decimal("10032628.85"))


def _superstore_rows() -> tuple[list[str], list[list[str]]]:
    with require_realdata(*SUPERSTORE).open(encoding="utf-8-sig", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    return header, rows


def test_superstore_split_into_files_of_different_headers_keeps_every_column(con, tmp_path):
    # The first file (in name order) has only date, customer and sales; the second has every column.
    # Each is read with its own header's mapping, so the second file's profit, product and region stay.
    header, rows = _superstore_rows()
    folder = tmp_path / "split"
    folder.mkdir()
    plain = ["Order Date", "Customer ID", "Sales"]
    with (folder / "1_plain.csv").open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(plain)
        writer.writerows([[row[header.index(name)] for name in plain] for row in rows[:4000]])
    with (folder / "2_full.csv").open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows([header, *rows[4000:]])
    profit_of_full = sum(Decimal(row[header.index("Profit")]) for row in rows[4000:])
    regions_of_full = {row[header.index("Region")] for row in rows[4000:]}

    report = import_paths(con, folder)
    assert [layout.files for layout in report.layouts] == [["1_plain.csv"], ["2_full.csv"]]
    assert "profit" not in report.layouts[0].mapping and "profit" in report.layouts[1].mapping
    lines, accounts, revenue, profit, month_revenue = totals(con)
    assert (lines, accounts, revenue, month_revenue) == (9994, 793, SUPERSTORE_TOTALS[2], SUPERSTORE_TOTALS[2])
    assert db.query_rows(con, "select sum(revenue - cost), count(*) from transactions where cost is not null") == [
        (profit_of_full, 5994)
    ]
    assert {row[0] for row in db.query_rows(con, "select distinct region from transactions where region is not null")} == regions_of_full
    # the same folder again, and again with one file's mapping forced on both: nothing added, or refused
    assert import_paths(con, folder).rows_to_import == 0
    before = fingerprint(con)
    with pytest.raises(ImportRefused) as refused:
        import_paths(con, folder, mapping=report.layouts[0].mapping)
    assert "2_full.csv" in refused.value.message()
    assert fingerprint(con) == before
