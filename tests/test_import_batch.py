"""Import batches on small files built under tmp_path: rejects, refusals, keys, duplicates, undo."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from import_helpers import fingerprint, import_paths, totals, write_file
from ka import db, i18n
from ka.importing import ImportOptions, ImportRefused, list_sources, load_mapping, run_import, save_mapping, undo_import

HEADER = "Order ID,Order Date,Customer ID,Customer Name,Product,Sales,Profit,Region\n"
LINES = [
    "O1,2024-01-05,C001,Acme,Bolt,100.00,10.00,East\n",
    "O1,2024-01-05,C001,Acme,Nut,50.50,5.00,East\n",
    "O2,2024-02-10,C002,Beta,Bolt,200.00,-20.00,West\n",
    "O3,2024-02-11,007,Gamma,Gear,\"1,000.25\",100.25,West\n",
]


@pytest.fixture
def small_csv(tmp_path):
    return write_file(tmp_path, "small.csv", HEADER + "".join(LINES))


def test_small_file_imports_exactly(con, small_csv):
    report = import_paths(con, small_csv)
    assert report.batch_id == 1 and report.rows_to_import == 4
    assert totals(con) == (4, 3, Decimal("1350.75"), Decimal("95.25"), Decimal("1350.75"))
    assert db.query_rows(con, "select account_id, account_name, region from accounts order by 1") == [
        ("007", "Gamma", "West"), ("C001", "Acme", "East"), ("C002", "Beta", "West"),
    ]
    assert db.query_rows(con, "select month, revenue, cost, lines, orders from account_month where account_id = 'C001'") == [
        (date(2024, 1, 1), Decimal("150.5000"), Decimal("135.5000"), 2, 1),
    ]
    assert [(m.month, m.rows, m.revenue) for m in report.months] == [
        (date(2024, 1, 1), 2, Decimal("150.5000")), (date(2024, 2, 1), 2, Decimal("1200.2500")),
    ]
    assert (report.first_date, report.last_date, report.new_accounts) == (date(2024, 1, 5), date(2024, 2, 11), 3)


def test_reimport_and_overlap_add_nothing(con, tmp_path, small_csv):
    import_paths(con, small_csv)
    overlap = write_file(tmp_path, "overlap.csv", HEADER + LINES[2] + LINES[3] + "O4,2024-03-01,C002,Beta,Nut,7,1,West\n")
    again = import_paths(con, small_csv)
    assert (again.batch_id, again.rows_to_import, again.duplicates_skipped) == (None, 0, 4)
    report = import_paths(con, overlap)
    assert (report.rows_to_import, report.duplicates_skipped, report.existing_accounts) == (1, 2, 1)
    assert totals(con)[:3] == (5, 3, Decimal("1357.75"))


def test_rows_with_wrong_field_count_are_rejected_not_shifted(con, tmp_path):
    lines = [f"O{n},2024-01-{n:02d},C{n % 3},Name {n},P,{n}.00,1,East\n" for n in range(1, 31)]
    lines[4] = "O5,2024-01-05,C2,Name, with comma,P,5.00,1,East\n"  # 9 fields: line 6 of the file
    lines[8] = "O9,2024-13-09,C0,Name 9,P,9.00,1,East\n"            # bad date: line 10, after the gap
    path = write_file(tmp_path, "one_bad.csv", HEADER + "".join(lines))
    second = write_file(tmp_path, "two_bad.csv", HEADER + "O31,2024-02-01,C1,X,P,1,1,E\nO32,x,C1,X,P,1,1,E\n")
    report = import_paths(con, path, second)
    assert [(r.file, r.line, r.reason) for r in report.rejected] == [
        ("one_bad.csv", 6, "field_count"), ("one_bad.csv", 10, "bad_date"), ("two_bad.csv", 3, "bad_date"),
    ]
    assert report.rows_to_import == 29 and report.rows_rejected == 3
    # the lines after the bad one keep their own values (nothing shifted)
    assert db.query_rows(con, "select order_id, revenue from transactions where order_id in ('O4', 'O6') order by 1") == [
        ("O4", Decimal("4.0000")), ("O6", Decimal("6.0000")),
    ]
    assert totals(con)[2] == sum(Decimal(n) for n in range(1, 31)) - 5 - 9 + 1


def test_mostly_broken_file_is_refused_and_database_unchanged(con, tmp_path, small_csv):
    import_paths(con, small_csv)
    before = fingerprint(con)
    broken = write_file(tmp_path, "broken.csv", HEADER + "".join(
        f"O{n},2024-01-01,C1,Acme, Inc.,P,{n},1,East\n" if n % 5 == 0 else f"O{n},2024-01-01,C1,Acme,P,{n},1,East\n"
        for n in range(10, 30)
    ))
    with pytest.raises(ImportRefused) as refusal:
        import_paths(con, small_csv, broken)
    assert refusal.value.code == "broken_rows"
    assert refusal.value.values["broken"] == 4 and refusal.value.values["rows"] == 20
    assert refusal.value.values["lines"].splitlines()[0].startswith("  2: O10,2024-01-01,C1,Acme, Inc.")
    assert fingerprint(con) == before


def test_unreadable_values_are_rejected_with_line_and_reason(con, tmp_path):
    path = write_file(tmp_path, "values.csv", HEADER
                      + "O1,2024-01-05,C1,Acme,P,100,1,E\n"
                      + "O2,2024-02-30,C1,Acme,P,100,1,E\n"
                      + "O3,,C1,Acme,P,100,1,E\n"
                      + "O4,2024-01-06,C1,Acme,P,\"1,5\",1,E\n"
                      + "O5,2024-01-07,C1,Acme,P,,1,E\n"
                      + "O6,2024-01-08,C1,Acme,P,10,x,E\n"
                      + "O7,2024-01-09,C1,Acme,P,(25.00),-1,E\n"
                      + "".join(f"O{n},2024-01-10,C1,Acme,P,1,0,E\n" for n in range(8, 13)))
    report = import_paths(con, path)
    assert [(r.line, r.reason, r.field, r.value) for r in report.rejected] == [
        (3, "bad_date", "order_date", "2024-02-30"),
        (4, "no_date", "order_date", None),
        (5, "bad_number", "revenue", "1,5"),
        (6, "no_revenue", "revenue", None),
        (7, "bad_number", "profit", "x"),
    ]
    assert totals(con)[2] == Decimal("80")
    assert "file,line,reason,field,value" in report.rejected_csv()


@pytest.mark.parametrize("language, reason, field", [
    ("en", "unreadable date", "Order date"), ("zh", "无法识别的日期", "订单日期"),
])
def test_mostly_unreadable_values_refuse_the_batch_quoting_reasons_in_words(con, tmp_path, language, reason, field):
    path = write_file(tmp_path, "wrong_map.csv", HEADER + "".join(
        f"O{n},someday,C1,Acme,P,{n},1,E\n" for n in range(10)
    ))
    with i18n.use_language(language), pytest.raises(ImportRefused) as refusal:  # as a page run in that language
        import_paths(con, path)
    assert refusal.value.code == "mostly_rejected"
    with i18n.use_language(language):
        message = refusal.value.message()
    assert f"wrong_map.csv 2: {reason} {field} someday" in message  # the reason as the user reads it, not its code
    assert "bad_date" not in message and "order_date" not in message


@pytest.mark.parametrize("language, missing", [
    ("en", "Account ID or Account name, Revenue or Quantity × Unit price"), ("zh", "客户编号或客户名称, 销售额或数量 × 单价"),
])
def test_a_mapping_without_account_or_revenue_is_refused_naming_what_would_do(con, tmp_path, language, missing):
    path = write_file(tmp_path, "dates_only.csv", "Order Date,Product\n2024-01-05,Bolt\n")
    with i18n.use_language(language), pytest.raises(ImportRefused) as refusal:
        import_paths(con, path)
    assert refusal.value.code == "required_fields"
    with i18n.use_language(language):
        assert missing in refusal.value.message()


def test_rows_without_account_are_reported_not_imported(con, tmp_path):
    path = write_file(tmp_path, "guests.csv", HEADER
                      + "O1,2024-01-05,C1,Acme,P,100,1,E\n"
                      + "O2,2024-01-05,,,P,40.5,1,E\n"
                      + "O3,2024-01-06,,,P,9.5,1,E\n")
    report = import_paths(con, path)
    assert (report.rows_without_account, report.revenue_without_account) == (2, Decimal("50.0000"))
    assert totals(con)[:3] == (1, 1, Decimal("100"))


@pytest.mark.parametrize(
    ("order", "expected_first"),
    [("mdy", date(2024, 3, 4)), ("dmy", date(2024, 4, 3))],
)
def test_ambiguous_dates_are_asked_not_guessed(con, tmp_path, order, expected_first):
    path = write_file(tmp_path, "ambiguous.csv", "Date,Customer,Amount\n03/04/2024,A,1\n05/06/2024,B,2\n")
    with pytest.raises(ImportRefused) as refusal:
        import_paths(con, path, dry_run=True)
    assert refusal.value.code == "date_order"
    report = import_paths(con, path, date_order=order)
    assert report.first_date == expected_first and report.date_order == order


@pytest.mark.parametrize(
    ("rows", "order"),
    [
        ("13/04/2024,A,1\n05/06/2024,B,2\n", "dmy"),
        ("04/13/2024,A,1\n05/06/2024,B,2\n", "mdy"),
        ("2024-04-13,A,1\n2024年5月6日,B,2\n", "none_needed"),  # no date whose order is in doubt
    ],
)
def test_date_order_is_detected_when_the_data_tells(con, tmp_path, rows, order):
    path = write_file(tmp_path, "dates.csv", "Date,Customer,Amount\n" + rows)
    assert import_paths(con, path, dry_run=True).date_order == order


def test_exact_repeats_are_kept_by_default_and_dropped_on_request(con, tmp_path):
    text = "Invoice,Date,Customer ID,Qty,Unit Price\nI1,2024-01-02,7,2,5\nI1,2024-01-02,7,2,5\nI1,2024-01-02,7,1,5\n"
    path = write_file(tmp_path, "repeats.csv", text)
    kept = import_paths(con, path, dry_run=True)
    assert (kept.duplicate_lines_in_file, kept.rows_to_import, kept.revenue_total) == (1, 3, Decimal("25"))
    dropped = import_paths(con, path, drop_duplicates=True)
    assert (dropped.duplicates_dropped, dropped.rows_to_import, dropped.revenue_total) == (1, 2, Decimal("15"))


def test_same_line_in_two_files_of_one_batch_counts_once(con, tmp_path):
    header = "Invoice,Date,Customer ID,Qty,Unit Price\n"
    first = write_file(tmp_path, "d1.csv", header + "I1,2024-01-02,7,2,5\n")
    second = write_file(tmp_path, "d2.csv", header + "I1,2024-01-02,7,2,5\nI2,2024-01-03,7,1,5\n")
    report = import_paths(con, first, second)
    assert (report.rows_to_import, report.duplicates_skipped) == (2, 1)


@pytest.mark.parametrize(
    ("row", "revenue", "cost"),
    [
        ("I1,2024-01-02,7,3,2.50,,", Decimal("7.5"), None),           # quantity × unit price
        ("C2,2024-01-02,7,-3,2.50,,", Decimal("-7.5"), None),         # return: negative
        ("I3,2024-01-02,7,4,10,0.25,", Decimal("30"), None),          # discount as a fraction
        ("I4,2024-01-02,7,2,10,,12", Decimal("20"), Decimal("12")),   # cost column
        ("I5,2024-01-02,7,-2,10,,12", Decimal("-20"), Decimal("-12")),  # returned cost follows the sign
    ],
)
def test_revenue_from_quantity_and_price(con, tmp_path, row, revenue, cost):
    path = write_file(tmp_path, "priced.csv", "Invoice,Date,Customer ID,Qty,Unit Price,Discount,Cost\n" + row + "\n")
    import_paths(con, path)
    assert db.query_rows(con, "select revenue, cost from transactions") == [(revenue, cost)]


def test_discount_amounts_are_subtracted(con, tmp_path):
    path = write_file(tmp_path, "amounts.csv", "Invoice,Date,Customer ID,Qty,Unit Price,Discount\n"
                      "I1,2024-01-02,7,3,10,5\nI2,2024-01-02,7,1,10,0\n")
    import_paths(con, path)
    assert totals(con)[2] == Decimal("35")


def test_dry_run_changes_nothing(con, small_csv):
    before = fingerprint(con)
    report = import_paths(con, small_csv, dry_run=True)
    assert report.rows_to_import == 4 and report.batch_id is None and report.dry_run
    assert [row["account_id"] for row in report.sample] == ["C001", "C001", "C002", "007"]
    assert fingerprint(con) == before


def test_mojibake_is_refused(con, tmp_path):
    path = write_file(tmp_path, "garbled.csv", HEADER + "O1,2024-01-05,C1,BerguvsvÃ¤gen AB,P,100,1,E\n")
    with pytest.raises(ImportRefused) as refusal:
        import_paths(con, path)
    assert refusal.value.code == "mojibake" and "BerguvsvÃ¤gen" in refusal.value.values["lines"]


@pytest.mark.parametrize("encoding", ["gb18030", "utf-16", "utf-8-sig", "utf-8"])
def test_chinese_file_in_any_encoding(con, tmp_path, encoding):
    text = "订单号,订单日期,客户编号,客户名称,销售额,利润\nS1,2024年3月5日,０１２,北京华联商厦,\"¥1,200.50\",200\nS2,2024/3/6,013,上海联华,(100),-10\n"
    path = write_file(tmp_path, f"cn_{encoding}.csv", text, encoding)
    report = import_paths(con, path)
    assert report.files[0].encoding == encoding
    assert db.query_rows(con, "select account_id, account_name, order_date, revenue, cost from transactions order by 1") == [
        ("013", "上海联华", date(2024, 3, 6), Decimal("-100"), Decimal("-90")),
        ("０１２", "北京华联商厦", date(2024, 3, 5), Decimal("1200.5"), Decimal("1000.5")),
    ]


def test_tab_separated_cp1252(con, tmp_path):
    path = write_file(tmp_path, "west.txt", "Date\tCustomer\tAmount\n2024-01-02\tCafé Crème\t12.5\n", "cp1252")
    import_paths(con, path)
    assert db.query_rows(con, "select account_name, revenue from transactions") == [("Café Crème", Decimal("12.5"))]


def test_saved_mapping_is_reused(con, tmp_path):
    path = write_file(tmp_path, "odd.csv", "When,Who,HowMuch\n2024-01-02,A,5\n")
    chosen = {"order_date": "When", "account_name": "Who", "revenue": "HowMuch", "product": None}
    save_mapping(con, "transactions", "odd export", chosen)
    assert load_mapping(con, "transactions", "odd export") == {"order_date": "When", "account_name": "Who", "revenue": "HowMuch"}
    with pytest.raises(ImportRefused):
        import_paths(con, path)  # the proposal finds nothing to map
    report = import_paths(con, path, mapping=load_mapping(con, "transactions", "odd export"))
    assert report.rows_to_import == 1


def test_undo_restores_totals_and_removes_new_accounts(con, tmp_path, small_csv):
    import_paths(con, small_csv)
    before = totals(con)
    accounts_before = db.query_rows(con, "select * from accounts order by account_id")
    extra = write_file(tmp_path, "extra.csv", HEADER + "O9,2024-04-01,C001,Acme,Bolt,5,1,East\nO9,2024-04-01,C999,New,Bolt,7,1,North\n")
    report = import_paths(con, extra)
    assert totals(con)[2] == before[2] + 12
    undone = undo_import(con, report.batch_id)
    assert undone == {"batch_id": report.batch_id, "kind": "transactions", "rows": 2, "revenue": Decimal("12")}
    assert totals(con) == before
    assert db.query_rows(con, "select * from accounts order by account_id") == accounts_before
    assert db.query_rows(con, "select status from import_batches where batch_id = ?", [report.batch_id]) == [("undone",)]
    with pytest.raises(ImportRefused) as again:
        undo_import(con, report.batch_id)
    assert again.value.code == "undo_done"


@pytest.mark.parametrize(
    ("good", "broken", "refused"),
    [(3, 2, False), (7, 3, True), (95, 3, False), (90, 10, True)],
)
def test_broken_rows_threshold(con, tmp_path, good, broken, refused):
    """Up to 2 broken rows, or up to 5 % of a file, are rejected; more refuse the batch."""
    rows = [f"O{n},2024-01-01,C1,Acme,P,1,0,E\n" for n in range(good)]
    rows += [f"B{n},2024-01-01,C1,Acme, Inc.,P,1,0,E\n" for n in range(broken)]
    path = write_file(tmp_path, "mixed.csv", HEADER + "".join(rows))
    if refused:
        with pytest.raises(ImportRefused) as refusal:
            import_paths(con, path)
        assert refusal.value.code == "broken_rows"
    else:
        report = import_paths(con, path)
        assert (report.rows_to_import, report.rows_rejected) == (good, broken)


def test_a_failure_during_the_merge_leaves_the_database_unchanged(con, small_csv, tmp_path, monkeypatch):
    import_paths(con, small_csv)
    before = fingerprint(con, sequence=False)
    extra = write_file(tmp_path, "extra.csv", HEADER + "O9,2024-04-01,C999,New,Bolt,7,1,North\n")

    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(db, "refresh_account_month", fail)
    with pytest.raises(RuntimeError):
        import_paths(con, extra)
    assert fingerprint(con, sequence=False) == before


@pytest.mark.parametrize("dry_run", [True, False])
def test_a_batch_tells_its_stages_with_their_counts(con, tmp_path, small_csv, dry_run):
    second = write_file(tmp_path, "second.csv", HEADER + "O9,2024-03-01,C009,Nine,Bolt,9.00,1.00,East\n")
    heard = []
    report = run_import(con, "transactions", list_sources([small_csv, second]), ImportOptions(), dry_run=dry_run,
                        on_stage=lambda stage, count: heard.append((stage, count)))
    assert report.rows_to_import == 5
    expected = [("reading", 2), ("checking", 5)] + ([] if dry_run else [("merging", 5)])
    assert heard == expected


def test_a_table_batch_tells_its_stages_too(con, tmp_path):
    visits = write_file(tmp_path, "visits.csv", "Account ID,Visit date\nC001,2024-01-05\nC002,2024-01-06\nC002,someday\n")
    heard = []
    report = run_import(con, "visits", list_sources([visits]), ImportOptions(),
                        on_stage=lambda stage, count: heard.append((stage, count)))
    assert report.rows_to_import == 2 and report.rows_rejected == 1
    assert heard == [("reading", 1), ("checking", 3), ("merging", 2)]
