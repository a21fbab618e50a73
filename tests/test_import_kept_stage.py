"""A batch checked once is imported from its kept stage: the files are read and parsed once (the page's
report, then its button), and the import lands exactly what a fresh import of the same files lands.
The checks against the database are made again at the import, so what changed in between counts."""

from __future__ import annotations

from datetime import date

import pytest

from ka import db
from ka.importing import DateWindow, ImportOptions, ImportRefused, KeptStage, list_sources, read, run_import
from tests.import_helpers import totals, write_file

HEADER = "Order ID,Order Date,Customer ID,Customer Name,Quantity,Sales,Profit"
ROWS = [
    "SO1,2024-02-01,C001,Acme,2,100.50,20.25",
    "SO2,3/4/2024,C002,Beta,1,\"1,200.00\",300",
    "SO2,3/4/2024,C002,Beta,1,\"1,200.00\",300",   # the same line twice: two lines, keyed #1 and #2
    "SO3,2024-05-31,C001,Acme,x,10,1",              # an unreadable quantity: rejected with its line
    "SO4,2024-06-01,C003,Gamma,1,55,5,surplus",     # a field too many: rejected as broken
    "SO5,2019-12-31,C003,Gamma,1,77,7",
    "SO6,2024-07-01,C004,Delta,3,9.99,1.11",
]


@pytest.fixture
def count_landings(monkeypatch):
    """How many groups of files were read from disk (read.land calls) since the test began."""
    calls = []
    original = read.land

    def counting(*args, **kwargs):
        calls.append(args[2])
        return original(*args, **kwargs)

    monkeypatch.setattr(read, "land", counting)
    return calls


def _text(rows: list[str]) -> str:
    return HEADER + "\n" + "\n".join(rows) + "\n"


def _lines(con) -> list[tuple]:
    return db.query_rows(con, "select txn_key, order_id, order_date, account_id, account_name, quantity, revenue, cost "
                              "from transactions order by txn_key")


def _outcome(report) -> tuple:
    return (report.rows_read, report.rows_to_import, report.rows_rejected, report.duplicates_skipped,
            report.revenue_total, report.cost_total, report.first_date, report.last_date, report.new_accounts,
            [(row.file, row.line, row.reason) for row in report.rejected], report.date_order)


def _fresh(tmp_path, paths, **options):
    """The same files imported in one go into a database of their own, without a kept stage."""
    fresh = db.connect(tmp_path / f"fresh-{len(list(tmp_path.iterdir()))}.duckdb")
    try:
        report = run_import(fresh, "transactions", list_sources(paths), ImportOptions(**options))
        return _outcome(report), _lines(fresh), totals(fresh)
    finally:
        fresh.close()


def _files(tmp_path, layout: str) -> list:
    if layout == "one file":
        return [write_file(tmp_path, "lines.csv", _text(ROWS))]
    if layout == "a folder of files":
        return [write_file(tmp_path, "a.csv", _text(ROWS[:3])), write_file(tmp_path, "b.csv", _text(ROWS[3:]))]
    if layout == "GBK":
        return [write_file(tmp_path, "gbk.csv", _text(ROWS).replace("Acme", "华东一号").replace("Beta", "北京贸易"), "gbk")]
    openpyxl = pytest.importorskip("openpyxl")
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADER.split(","))
    for row in ROWS:
        sheet.append(next(iter(__import__("csv").reader([row]))))
    path = tmp_path / "lines.xlsx"
    workbook.save(path)
    return [path]


EXPECTED_REJECTS = {
    "one file": {("lines.csv", 5, "bad_number", "quantity"), ("lines.csv", 6, "field_count", None)},
    "a folder of files": {("b.csv", 2, "bad_number", "quantity"), ("b.csv", 3, "field_count", None)},
    "GBK": {("gbk.csv", 5, "bad_number", "quantity"), ("gbk.csv", 6, "field_count", None)},
    "Excel": {("lines.xlsx [Sheet]", 5, "bad_number", "quantity")},  # a cell beyond the header is not a field count
}


@pytest.mark.parametrize("layout", ["one file", "a folder of files", "GBK", "Excel"])
def test_the_import_after_its_check_reads_no_file_and_lands_what_a_fresh_import_lands(
    con, tmp_path, count_landings, layout
):
    paths = _files(tmp_path, layout)
    kept = KeptStage(tmp_path / "stage")
    checked = run_import(con, "transactions", list_sources(paths), ImportOptions(date_order="mdy"), dry_run=True, kept=kept)
    landed_by_check = len(count_landings)
    assert landed_by_check >= 1 and kept.staged is not None
    assert _lines(con) == []  # the check wrote nothing
    done = run_import(con, "transactions", list_sources(paths), ImportOptions(date_order="mdy"), kept=kept)
    assert len(count_landings) == landed_by_check  # the import read no file again
    assert _outcome(done) == _outcome(checked)
    assert done.batch_id is not None
    fresh_outcome, fresh_lines, fresh_totals = _fresh(tmp_path, paths, date_order="mdy")
    assert (_outcome(done), _lines(con), totals(con)) == (fresh_outcome, fresh_lines, fresh_totals)
    rejected = {(row.file, row.line, row.reason, row.field) for row in done.rejected}
    assert rejected == EXPECTED_REJECTS[layout] and done.rows_to_import == 7 - len(rejected)


def test_other_choices_read_the_files_again(con, tmp_path, count_landings):
    paths = _files(tmp_path, "one file")
    kept = KeptStage(tmp_path / "stage")
    run_import(con, "transactions", list_sources(paths), ImportOptions(date_order="mdy"), dry_run=True, kept=kept)
    done = run_import(con, "transactions", list_sources(paths), ImportOptions(date_order="dmy"), kept=kept)
    assert len(count_landings) == 2
    assert done.date_order == "dmy"
    assert (_outcome(done), _lines(con)) == _fresh(tmp_path, paths, date_order="dmy")[:2]
    march = db.query_rows(con, "select count(*) from transactions where order_date = date '2024-04-03'")[0][0]
    assert march == 2  # 3/4/2024 read day first


def test_changed_files_are_read_again(con, tmp_path, count_landings):
    path = write_file(tmp_path, "lines.csv", _text(ROWS))
    kept = KeptStage(tmp_path / "stage")
    run_import(con, "transactions", list_sources([path]), ImportOptions(date_order="mdy"), dry_run=True, kept=kept)
    write_file(tmp_path, "lines.csv", _text(ROWS + ["SO7,2024-08-01,C005,Epsilon,1,12.34,2"]))
    done = run_import(con, "transactions", list_sources([path]), ImportOptions(date_order="mdy"), kept=kept)
    assert len(count_landings) == 2
    assert done.rows_to_import == 6


def test_lines_imported_meanwhile_are_not_imported_twice(con, tmp_path):
    paths = _files(tmp_path, "one file")
    kept = KeptStage(tmp_path / "stage")
    checked = run_import(con, "transactions", list_sources(paths), ImportOptions(date_order="mdy"), dry_run=True, kept=kept)
    assert checked.rows_to_import == 5
    first = run_import(con, "transactions", list_sources(paths[:1]), ImportOptions(date_order="mdy"))  # another user
    assert first.rows_to_import == 5
    before = totals(con)
    again = run_import(con, "transactions", list_sources(paths), ImportOptions(date_order="mdy"), kept=kept)
    assert (again.rows_to_import, again.duplicates_skipped, again.batch_id) == (0, 5, None)
    assert totals(con) == before


def test_the_date_window_of_the_import_applies(con, tmp_path, count_landings):
    paths = _files(tmp_path, "one file")
    kept = KeptStage(tmp_path / "stage")
    wide = DateWindow(date(2000, 1, 1), date(2030, 12, 31))
    narrow = DateWindow(date(2020, 1, 1), date(2030, 12, 31))
    checked = run_import(con, "transactions", list_sources(paths), ImportOptions(date_order="mdy", date_window=wide),
                         dry_run=True, kept=kept)
    assert checked.rows_to_import == 5
    done = run_import(con, "transactions", list_sources(paths), ImportOptions(date_order="mdy", date_window=narrow), kept=kept)
    assert len(count_landings) == 1
    assert done.date_window == (narrow.first, narrow.last)
    assert (_outcome(done), _lines(con)) == _fresh(tmp_path, paths, date_order="mdy", date_window=narrow)[:2]
    assert done.rows_to_import == 4  # SO5 (2019) falls outside it now
    assert {row.line for row in done.rejected if row.field == "order_date"} == {7}


def test_a_refused_batch_keeps_no_stage(con, tmp_path, count_landings):
    path = write_file(tmp_path, "lines.csv", "Order ID,Order Date,Quantity\nSO1,2024-01-01,2\n")
    kept = KeptStage(tmp_path / "stage")
    with pytest.raises(ImportRefused):
        run_import(con, "transactions", list_sources([path]), ImportOptions(), dry_run=True, kept=kept)
    assert kept.staged is None
    good = write_file(tmp_path, "good.csv", _text(ROWS[:1]))
    done = run_import(con, "transactions", list_sources([good]), ImportOptions(), kept=kept)
    assert done.rows_to_import == 1


def test_forgetting_deletes_the_stage(con, tmp_path):
    kept = KeptStage(tmp_path / "stage")
    run_import(con, "transactions", list_sources(_files(tmp_path, "GBK")), ImportOptions(date_order="mdy"),
               dry_run=True, kept=kept)
    assert (tmp_path / "stage" / "stage.duckdb").exists()
    kept.forget()
    assert not (tmp_path / "stage").exists() and kept.staged is None
