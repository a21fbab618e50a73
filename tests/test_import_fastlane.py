"""The import's fast lane: ISO dates and plain numbers are cast while the file is read; every other
value of an otherwise clean column still goes through the text parsers, or is rejected with its
line number — one dirty line among clean ones must never be lost, shifted or mis-keyed."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ka import db
from tests.import_helpers import import_paths, write_file

HEADER = "Order ID,Order Date,Customer ID,Customer Name,Quantity,Sales,Profit"
CLEAN_ROWS = 300
DIRTY_LINE = 152  # the header is line 1


def _clean_row(number: int) -> list[str]:
    return [f"SO{number:05d}", "2024-02-01", f"C{number % 7:03d}", f"Client {number % 7}", "2", "100.5", "20.25"]


def _file_with(tmp_path, dirty: list[str]):
    rows = [_clean_row(number) for number in range(CLEAN_ROWS)]
    rows[DIRTY_LINE - 2] = dirty
    text = HEADER + "\n" + "\n".join(",".join(row) for row in rows) + "\n"
    return write_file(tmp_path, "fast.csv", text)


def _dirty(**fields) -> list[str]:
    """The clean row of the dirty line with some fields replaced (keys: the header's columns)."""
    row = dict(zip(HEADER.split(","), _clean_row(DIRTY_LINE - 2)))
    row.update({name.replace("_", " "): value for name, value in fields.items()})
    return list(row.values())


@pytest.mark.parametrize(
    ("dirty", "stored"),
    [
        # (the dirty line's fields, its stored (order_date, account_id, account_name, quantity, revenue, cost))
        (_dirty(Sales='"1,234.50"'), ("2024-02-01", "C003", "Client 3", "2.0000", "1234.5000", "1214.2500")),
        (_dirty(Sales="$99"), ("2024-02-01", "C003", "Client 3", "2.0000", "99.0000", "78.7500")),
        (_dirty(Quantity="(2)"), ("2024-02-01", "C003", "Client 3", "-2.0000", "-100.5000", "-120.7500")),
        (_dirty(Profit="１０"), ("2024-02-01", "C003", "Client 3", "2.0000", "100.5000", "90.5000")),
        (_dirty(Order_Date="2/15/2024"), ("2024-02-15", "C003", "Client 3", "2.0000", "100.5000", "80.2500")),
        (_dirty(Order_Date="2024年3月5日"), ("2024-03-05", "C003", "Client 3", "2.0000", "100.5000", "80.2500")),
        (_dirty(Order_Date=" 2024-03-05 "), ("2024-03-05", "C003", "Client 3", "2.0000", "100.5000", "80.2500")),
        (_dirty(Customer_ID="17850.0"), ("2024-02-01", "17850", "Client 3", "2.0000", "100.5000", "80.2500")),
        (_dirty(Customer_ID="00123"), ("2024-02-01", "00123", "Client 3", "2.0000", "100.5000", "80.2500")),
        (_dirty(Customer_ID=" N/A ", Customer_Name=" Nord AG "),
         ("2024-02-01", "Nord AG", "Nord AG", "2.0000", "100.5000", "80.2500")),
        (_dirty(Profit=""), ("2024-02-01", "C003", "Client 3", "2.0000", "100.5000", None)),
    ],
)
def test_a_dirty_value_in_a_clean_column_takes_the_slow_lane(con, tmp_path, dirty, stored):
    report = import_paths(con, _file_with(tmp_path, dirty))
    assert (report.rows_read, report.rows_to_import, report.rows_rejected) == (CLEAN_ROWS, CLEAN_ROWS, 0)
    row = db.query_rows(
        con,
        "select order_date::varchar, account_id, account_name, quantity::varchar, revenue::varchar, cost::varchar "
        "from transactions where order_id = ?",
        [f"SO{DIRTY_LINE - 2:05d}"],
    )
    assert row == [stored]


@pytest.mark.parametrize(
    ("dirty", "rejected"),
    [
        # (the dirty line's fields, the rejection: (line, reason, field, value))
        (_dirty(Sales="abc"), (DIRTY_LINE, "bad_number", "revenue", "abc")),
        (_dirty(Sales='"1,5"'), (DIRTY_LINE, "bad_number", "revenue", "1,5")),
        (_dirty(Sales="N/A"), (DIRTY_LINE, "no_revenue", "revenue", "N/A")),
        (_dirty(Quantity="two"), (DIRTY_LINE, "bad_number", "quantity", "two")),
        (_dirty(Profit="12..5"), (DIRTY_LINE, "bad_number", "profit", "12..5")),
        (_dirty(Order_Date="2024-13-45"), (DIRTY_LINE, "bad_date", "order_date", "2024-13-45")),
        (_dirty(Order_Date="soon"), (DIRTY_LINE, "bad_date", "order_date", "soon")),
        (_dirty(Order_Date="NULL"), (DIRTY_LINE, "no_date", "order_date", "NULL")),
    ],
)
def test_an_unreadable_value_in_a_clean_column_is_rejected_with_its_line(con, tmp_path, dirty, rejected):
    report = import_paths(con, _file_with(tmp_path, dirty))
    assert (report.rows_read, report.rows_to_import, report.rows_rejected) == (CLEAN_ROWS, CLEAN_ROWS - 1, 1)
    only = report.rejected[0]
    assert (only.line, only.reason, only.field, only.value) == rejected
    assert db.query_rows(con, "select count(*) from transactions where order_id = ?", [f"SO{DIRTY_LINE - 2:05d}"]) == [(0,)]


@pytest.mark.parametrize(
    "dirty",
    [_clean_row(DIRTY_LINE - 2), _dirty(Sales='"1,234.50"'), _dirty(Order_Date="2/15/2024"), _dirty(Customer_ID="17850.0")],
)
def test_every_line_is_keyed_by_the_md5_of_its_text_whichever_lane_parsed_it(con, tmp_path, dirty):
    import_paths(con, _file_with(tmp_path, dirty))
    text = "\x1f".join(value.strip('"') for value in dirty)
    expected = db.query_rows(con, "select 'H:' || hex(md5_number(?)) || '#1'", [text])[0][0]
    key = db.query_rows(con, "select txn_key from transactions where order_id = ?", [f"SO{DIRTY_LINE - 2:05d}"])
    assert key == [(expected,)]


def test_reimporting_a_file_with_a_slow_lane_line_adds_nothing(con, tmp_path):
    path = _file_with(tmp_path, _dirty(Sales='"1,234.50"', Order_Date="2/15/2024"))
    first = import_paths(con, path)
    again = import_paths(con, path)
    assert (first.rows_to_import, again.rows_to_import, again.duplicates_skipped) == (CLEAN_ROWS, 0, CLEAN_ROWS)
    assert db.query_rows(con, "select count(*), sum(revenue) from transactions") == [
        (CLEAN_ROWS, Decimal("100.5") * (CLEAN_ROWS - 1) + Decimal("1234.5"))
    ]
