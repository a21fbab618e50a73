"""Import value parsers, encoding/delimiter detection and header mapping, case by case."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import duckdb
import pytest

from ka import db
from ka.importing import mapping, read


@pytest.fixture(scope="module")
def macros():
    con = duckdb.connect()
    con.execute(db.load_sql("import_macros"))
    yield con
    con.close()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1234.5", Decimal("1234.5")),
        ("1,234.50", Decimal("1234.5")),
        ("12,345,678.9", Decimal("12345678.9")),
        ("$1,234", Decimal("1234")),
        ("¥ 3,000", Decimal("3000")),
        ("￥3,000元", Decimal("3000")),
        ("£12.50", Decimal("12.5")),
        ("(12.50)", Decimal("-12.5")),
        ("-3", Decimal("-3")),
        ("１２３．５", Decimal("123.5")),
        ("－１，２００", Decimal("-1200")),
        ("1.2E+05", Decimal("120000")),
        (" 7 ", Decimal("7")),
        ("0.12345", Decimal("0.1235")),   # DECIMAL(18,4) rounds the fifth place
        ("1,5", None),                     # not a thousands group: refused, never read as 15
        ("12%", None),
        ("abc", None),
        ("", None),
        ("NULL", None),
    ],
)
def test_number(macros, text, expected):
    assert macros.execute("select ka_number(?)", [text]).fetchall()[0][0] == expected


@pytest.mark.parametrize(
    ("text", "day_first", "expected"),
    [
        ("2018-11-08", False, date(2018, 11, 8)),
        ("2010-12-01 08:26:00", False, date(2010, 12, 1)),
        ("2010-12-01T08:26:00", False, date(2010, 12, 1)),
        ("1996-07-04 00:00:00.000", False, date(1996, 7, 4)),
        ("2018/1/3", False, date(2018, 1, 3)),
        ("11/8/2018", False, date(2018, 11, 8)),
        ("11/8/2018", True, date(2018, 8, 11)),
        ("2/24/2003 0:00", False, date(2003, 2, 24)),
        ("02/24/03", False, date(2003, 2, 24)),      # MM/DD/YY, not the year 2
        ("05/07/03", False, date(2003, 5, 7)),
        ("24.02.2003", True, date(2003, 2, 24)),
        ("01/02/29", False, date(2029, 1, 2)),       # two-digit years: 00–29 → 20xx
        ("01/02/30", False, date(1930, 1, 2)),       # 30–99 → 19xx
        ("2018年3月5日", False, date(2018, 3, 5)),
        ("２０１８年３月５日", False, date(2018, 3, 5)),
        ("2018年3月5日 14:00", False, date(2018, 3, 5)),
        ("43101", False, date(2018, 1, 1)),          # Excel serial
        ("43101.5", False, date(2018, 1, 1)),
        ("2018-02-30", False, None),
        ("13/13/2018", False, None),
        ("12345", False, None),                      # a 5-digit number outside the serial range
        ("", False, None),
        ("soon", False, None),
    ],
)
def test_date(macros, text, day_first, expected):
    assert macros.execute("select ka_date(?, ?)", [text, day_first]).fetchall()[0][0] == expected


FIRST, LAST = date(2024, 1, 1), date(2026, 12, 31)


@pytest.mark.parametrize(
    ("check", "args", "expected"),
    [
        ("ka_check_account", [None], ("account_id", "no_account", None)),
        ("ka_check_account", ["KA1"], None),
        ("ka_check_required", ["name", None], ("name", "no_value", None)),
        ("ka_check_required", ["name", "Plan"], None),
        ("ka_check_required_choice", ["colour", " ", None], ("colour", "no_value", " ")),
        ("ka_check_required_choice", ["colour", "purple", None], ("colour", "unknown_value", "purple")),
        ("ka_check_required_choice", ["colour", "红", "red"], None),
        ("ka_check_choice", ["level", "N/A", None], None),               # optional: a blank passes
        ("ka_check_choice", ["level", "boss", None], ("level", "unknown_value", "boss")),
        ("ka_check_yes_no", ["is_active", "perhaps", None], ("is_active", "bad_yes_no", "perhaps")),
        ("ka_check_yes_no", ["is_active", "", None], None),
        ("ka_check_required_date", ["visit_date", "", None, FIRST, LAST], ("visit_date", "no_date", "")),
        ("ka_check_required_date", ["visit_date", "soon", None, FIRST, LAST], ("visit_date", "bad_date", "soon")),
        ("ka_check_required_date", ["visit_date", "2023-12-31", date(2023, 12, 31), FIRST, LAST],
         ("visit_date", "date_out_of_range", "2023-12-31")),
        ("ka_check_required_date", ["visit_date", "2024-01-01", date(2024, 1, 1), FIRST, LAST], None),
        ("ka_check_date", ["closed_on", "", None], None),
        ("ka_check_date", ["closed_on", "soon", None], ("closed_on", "bad_date", "soon")),
        ("ka_check_date_range", ["closed_on", "", None, FIRST, LAST], None),
        ("ka_check_date_range", ["closed_on", "2027-01-01", date(2027, 1, 1), FIRST, LAST],
         ("closed_on", "date_out_of_range", "2027-01-01")),
        ("ka_check_date_range", ["closed_on", "2026-12-31", date(2026, 12, 31), FIRST, LAST], None),
    ],
)
def test_row_checks(macros, check, args, expected):
    """Each check is null when the value passes, else (field, reason, the text as read)."""
    placeholders = ", ".join("?" for _ in args)
    row = macros.execute(
        f"select r.field, r.reason, r.value from (select {check}({placeholders}) as r)", args
    ).fetchall()[0]
    assert (None if row == (None, None, None) else row) == expected


def test_the_first_failing_check_is_the_reason(macros):
    """A kind's parse SQL lists its checks in coalesce(...): a row failing two reports the first."""
    row = macros.execute(
        "select r.field, r.reason from (select coalesce(ka_check_account(null), ka_check_required('name', null)) as r)"
    ).fetchall()[0]
    assert row == ("account_id", "no_account")
    row = macros.execute(
        "select r.field, r.reason from (select coalesce(ka_check_account('KA1'), ka_check_required('name', null)) as r)"
    ).fetchall()[0]
    assert row == ("name", "no_value")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("17850.0", "17850"), ("007", "007"), ("05021", "05021"), (" A-1 ", "A-1"), ("C537600", "C537600"),
     ("12.5", "12.5"), ("", None), ("NULL", None)],
)
def test_id_stays_text(macros, text, expected):
    assert macros.execute("select ka_id(?)", [text]).fetchall()[0][0] == expected


@pytest.mark.parametrize(
    ("text", "garbled"),
    [("BerguvsvÃ¤gen", True), ("â€™s", True), ("x\ufffdy", True), ("Berguvsvägen", False),
     ("Café Müller", False), ("北京华联", False)],
)
def test_mojibake(macros, text, garbled):
    assert macros.execute("select ka_is_mojibake(?)", [text]).fetchall()[0][0] is garbled


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("Name,City\nMüller,Köln\n".encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbfName\nA\n", "utf-8-sig"),
        ("Name\nMüller\n".encode("utf-16"), "utf-16"),
        ("客户名称,销售额\n北京华联商厦,1200\n上海联华超市,800\n".encode("gbk"), "gb18030"),
        ("客户名称,销售额\n北京华联商厦,1200\n".encode("gb18030"), "gb18030"),
        ("Name,City\nCafé Crème,Besançon\n".encode("cp1252"), "cp1252"),
        ("Name,City\nBerguvsvägen 8,Martín Cataluña\n".encode("cp850"), "cp850"),
        (b"Name\nplain ascii\n", "utf-8"),
    ],
)
def test_detect_encoding(data, expected):
    assert read.detect_encoding(data, complete=True) == expected


@pytest.mark.parametrize(
    ("text", "suffix", "expected"),
    [
        ("a,b,c\n1,2,3\n", ".csv", ","),
        ("a;b;c\n1;2,5;3\n", ".csv", ";"),
        ("a\tb\tc\n1\t2\t3\n", ".txt", "\t"),
        ('a,b\n"x, y",2\n', ".csv", ","),
        ("a|b\n1|2\n", ".txt", "|"),
    ],
)
def test_detect_delimiter(text, suffix, expected):
    assert read.detect_delimiter(text, suffix) == expected


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (
            ["Row ID", "Order ID", "Order Date", "Customer ID", "Customer Name", "Segment", "Region",
             "Product Name", "Category", "Sales", "Quantity", "Discount", "Profit"],
            {"order_id": "Order ID", "order_date": "Order Date", "account_id": "Customer ID",
             "account_name": "Customer Name", "industry": "Segment", "region": "Region", "product": "Product Name",
             "category": "Category", "revenue": "Sales", "quantity": "Quantity", "discount": "Discount",
             "profit": "Profit"},
        ),
        (
            ["InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID", "Country"],
            {"order_id": "InvoiceNo", "product": "Description", "quantity": "Quantity", "order_date": "InvoiceDate",
             "unit_price": "UnitPrice", "account_id": "CustomerID", "region": "Country"},
        ),
        (
            ["订单号", "订单日期", "客户编号", "客户名称", "产品名称", "数量", "销售额", "利润", "地区", "客户经理"],
            {"order_id": "订单号", "order_date": "订单日期", "account_id": "客户编号", "account_name": "客户名称",
             "product": "产品名称", "quantity": "数量", "revenue": "销售额", "profit": "利润", "region": "地区",
             "ka_manager": "客户经理"},
        ),
        (
            ["ORDERNUMBER", "QUANTITYORDERED", "PRICEEACH", "ORDERLINENUMBER", "SALES", "ORDERDATE",
             "PRODUCTLINE", "PRODUCTCODE", "CUSTOMERNAME", "TERRITORY"],
            {"order_id": "ORDERNUMBER", "quantity": "QUANTITYORDERED", "unit_price": "PRICEEACH", "revenue": "SALES", "order_date": "ORDERDATE", "category": "PRODUCTLINE",
             "product": "PRODUCTCODE", "account_name": "CUSTOMERNAME", "region": "TERRITORY"},
        ),
        (["日期", "客户", "金额"], {"order_date": "日期", "account_name": "客户", "revenue": "金额"}),
    ],
)
def test_propose_mapping(headers, expected):
    assert mapping.propose_mapping("transactions", headers) == expected


@pytest.mark.parametrize(
    ("fields", "missing"),
    [
        ({"order_date", "account_id", "revenue"}, []),
        ({"order_date", "account_name", "quantity", "unit_price"}, []),
        ({"order_date", "account_id", "quantity"}, ["revenue"]),
        ({"account_id", "revenue"}, ["order_date"]),
        ({"order_date", "revenue"}, ["account_id"]),
    ],
)
def test_missing_required(fields, missing):
    assert mapping.missing_fields("transactions", {name: name for name in fields}) == missing


@pytest.mark.parametrize(
    ("value", "expected"),
    [(17850.0, "17850"), (261.96, "261.96"), (3, "3"), ("x", "x"), (None, ""), (True, "true")],
)
def test_excel_text(value, expected):
    assert read.excel_text(value) == expected


def test_every_kind_is_declared_consistently_and_a_mistyped_spec_is_refused():
    from ka.importing.kinds import KINDS, Kind

    for spec in KINDS.values():
        assert set(spec.fields) <= set(spec.header_synonyms), spec.name  # every field can be proposed
    with pytest.raises(ValueError, match="merge rule"):
        Kind("notes", "notes", ("account_id",), ("account_id",), (), ("account_id",), ("account_id",), merge="upserts")
    with pytest.raises(ValueError, match="not among its fields"):
        Kind("notes", "notes", ("account_id",), ("account_id", "note_date"), (), ("account_id",), ("account_id",))
