"""AppTest of the data import page: proposed mapping, validation report, import, refusal, undo."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from streamlit.testing.v1 import AppTest

from ka_testing import ROOT
from import_helpers import metric_values, run_import_page, table_with, uploaded
from ka import access, db, demo, i18n, importing, state

PAGE = str(ROOT / "pages" / "data_import.py")
CSV = (
    "Order ID,Order Date,Customer ID,Customer Name,Product,Sales,Profit,Region\n"
    "O1,2024-01-05,C001,Acme,Bolt,100.00,10.00,East\n"
    "O1,2024-01-05,C001,Acme,Nut,50.50,5.00,East\n"
    "O2,2024-02-10,C002,Beta,Bolt,200.00,-20.00,West\n"
    "O3,2024-02-11,,,Gear,9.75,1.00,West\n"
    "O4,2024-13-11,C003,Gamma,Gear,5.00,1.00,West\n"
).encode("utf-8")


def _batch_rows(path, batch_id: int) -> tuple:
    with db.open(path) as con:
        return db.query_rows(con, "select count(*), sum(revenue) from transactions where batch_id = ?", [batch_id])[0]


def test_without_files_shows_the_history(writable_app_db):
    at = run_import_page()
    assert not at.exception
    assert at.title[0].value == "Data import"
    history = table_with(at, "batch")
    assert list(history["kind"]) == ["demo data"] and list(history["status"]) == ["active"]
    assert len(at.selectbox) == 0  # the demo batch cannot be undone here


@pytest.mark.parametrize(
    ("lang", "labels"),
    [
        ("en", ("Rows read", "Rows to import", "Rows rejected", "Revenue to import", "New accounts")),
        ("zh", ("读取行数", "待导入行数", "拒绝行数", "待导入销售额", "新客户")),
    ],
)
def test_report_then_import_then_undo(writable_app_db, lang, labels):
    at = run_import_page(lang, {"orders.csv": CSV})
    assert not at.exception
    assert at.selectbox(key="data_import_map_revenue").value == "Sales"
    assert at.selectbox(key="data_import_map_account_id").value == "Customer ID"
    assert at.selectbox(key="data_import_map_quantity").value == ""
    metrics = metric_values(at)
    read, to_import, rejected, revenue, new = labels
    assert (metrics[read], metrics[to_import], metrics[rejected], metrics[new]) == ("5", "3", "1", "2")
    assert metrics[revenue] == "350"
    rejected_rows = table_with(at, "line")
    assert list(rejected_rows["line"]) == [6] and list(rejected_rows["field"]) == [
        "Order date" if lang == "en" else "订单日期"
    ]
    assert "9.75" in at.warning[0].value or "10" in at.warning[0].value  # the row without an account
    sample = table_with(at, "account_id")
    assert list(sample["account_id"]) == ["C001", "C001", "C002"]

    at.button(key="data_import_commit").click().run()
    assert not at.exception
    assert _batch_rows(writable_app_db, 2) == (3, Decimal("350.5000"))
    assert at.success[0].value.startswith("Batch 2 imported" if lang == "en" else "批次 2 已导入")
    history = table_with(at, "batch")
    assert list(history["batch"]) == [2, 1]

    at.selectbox(key="data_import_undo_batch").set_value(2)
    at.button(key="data_import_undo").click().run()
    assert not at.exception
    assert _batch_rows(writable_app_db, 2) == (0, None)
    assert list(table_with(at, "batch")["status"])[0] == (
        "undone" if lang == "en" else "已撤销"
    )
    imported, undone = reversed(access.read_audit(state.state_store(writable_app_db), limit=2))
    assert (imported["action"], imported["detail"]["batch"], imported["detail"]["files"]) == ("import", 2, ["orders.csv"])
    assert (undone["action"], undone["detail"]["batch"]) == ("undo", 2)


def test_correcting_the_mapping_changes_the_report(writable_app_db):
    at = run_import_page("en", {"orders.csv": CSV})
    assert metric_values(at)["Revenue to import"] == "350"
    at.selectbox(key="data_import_map_revenue").set_value("Profit").run()
    assert metric_values(at)["Revenue to import"] == "-5"
    at.text_input(key="data_import_mapping_name").set_value("profit as revenue").run()
    at.button(key="data_import_save_mapping").click().run()
    with db.open(writable_app_db) as con:
        assert db.get_setting(con, "import_mapping:profit as revenue")["revenue"] == "Profit"


def test_missing_required_field_is_asked_for(writable_app_db):
    at = run_import_page("en", {"odd.csv": b"When,Who,HowMuch\n2024-01-02,A,5\n"})
    assert not at.exception
    assert "Order date" in at.warning[0].value and len(at.metric) == 0


def test_broken_file_is_refused_on_the_page(writable_app_db):
    rows = "".join(f"O{n},2024-01-01,C1,Acme, Inc.,P,{n},1,East\n" for n in range(10))
    at = run_import_page("zh", {"broken.csv": CSV.splitlines(keepends=True)[0] + rows.encode()})
    assert not at.exception
    assert at.error[0].value == "该批次被拒绝，数据库未作任何改动。"
    assert any("10 行中有 10 行的字段数与表头不一致" in block.value for block in at.code)
    with db.open(writable_app_db) as con:
        assert db.query_rows(con, "select count(*) from import_batches")[0][0] == 1


def test_uploaded_files_are_deleted_when_their_import_ends(writable_app_db):
    folder = importing.UploadFolder()
    sources = folder.save([("orders.csv", io.BytesIO(CSV))])
    i18n.set_language("en")
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.session_state["lang"] = "en"
    at.session_state["data_import_folder"] = folder
    at.session_state["data_import_sources"] = sources
    at.run()
    assert sources[0].path.exists()
    at.button(key="data_import_commit").click().run()
    assert not at.exception
    assert _batch_rows(writable_app_db, 2) == (3, Decimal("350.5000"))
    assert list(folder.path.iterdir()) == []  # the customer data is gone from the disk
    assert at.session_state["data_import_sources"] == []


def test_the_import_reads_the_files_no_more_after_their_report(writable_app_db, monkeypatch):
    landed = []
    land = importing.read.land
    monkeypatch.setattr(importing.read, "land", lambda *args, **kwargs: landed.append(args[2]) or land(*args, **kwargs))
    folder = importing.UploadFolder()
    i18n.set_language("en")
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.session_state["lang"] = "en"
    at.session_state["data_import_folder"] = folder
    at.session_state["data_import_sources"] = folder.save([("orders.csv", io.BytesIO(CSV))])
    at.run()
    assert metric_values(at)["Rows to import"] == "3" and landed == [0]
    at.button(key="data_import_commit").click().run()
    assert not at.exception and landed == [0]  # imported from the report's stage
    assert _batch_rows(writable_app_db, 2) == (3, Decimal("350.5000"))
    assert list(folder.path.iterdir()) == []  # the stage went with the files


def test_a_folder_of_two_headers_shows_a_mapping_for_each(writable_app_db):
    plain = b"Order Date,Customer ID,Sales\n2026-09-01,KA00001,100\n"
    rich = b"Sales,Cost,Customer ID,Order Date,Region\n200,150,KA00002,2026-09-02,East\n"
    at = run_import_page("en", {"a.csv": plain, "b.csv": rich})
    assert not at.exception
    assert at.selectbox(key="data_import_map_revenue").value == "Sales"
    assert at.selectbox(key="data_import_map_cost").value == ""        # a.csv has no cost
    assert at.selectbox(key="data_import_map_1_cost").value == "Cost"  # b.csv has its own mapping
    files = table_with(at, "encoding")
    assert list(files["layout"]) == [1, 2]
    at.button(key="data_import_commit").click().run()
    with db.open(writable_app_db) as con:
        assert db.query_rows(con, "select account_id, revenue, cost, region from transactions where batch_id = 2 "
                                  "order by 1") == [("KA00001", Decimal("100.0000"), None, None),
                                                    ("KA00002", Decimal("200.0000"), Decimal("150.0000"), "East")]


def test_a_duplicated_header_asks_which_column_to_use(writable_app_db):
    at = run_import_page("en", {"dups.csv": b"Order Date,Customer ID,Sales,Sales\n2026-09-01,KA00001,1,100\n"})
    assert not at.exception
    assert "Sales (3, 4)" in [element.value for element in at.text]  # header names as text, not markdown
    assert "Revenue" in at.warning[1].value  # not guessed: the user chooses
    at.selectbox(key="data_import_map_revenue").set_value("Sales #4").run()
    assert metric_values(at)["Revenue to import"] == "100"


def _demo_lines(path) -> int:
    with db.open(path) as con:
        return db.query_rows(con, "select count(*) from transactions where batch_id = 1")[0][0]


@pytest.mark.parametrize(("choice", "demo_stays"), [("clean", False), ("beside", True)])
def test_the_first_import_into_the_demo_starts_clean_or_goes_beside_it(writable_app_db, choice, demo_stays):
    demo_lines = _demo_lines(writable_app_db)
    assert demo_lines > 0
    at = run_import_page("en", {"orders.csv": CSV})
    choice_radio = at.radio(key="own_data_start_clean")
    assert choice_radio.value == "clean"  # a company's first file: by default its own clean database
    choice_radio.set_value(choice).run()
    at.button(key="data_import_commit").click().run()
    assert not at.exception
    assert _batch_rows(writable_app_db, 2) == (3, Decimal("350.5000"))
    assert _demo_lines(writable_app_db) == (demo_lines if demo_stays else 0)
    with db.open(writable_app_db) as con:
        assert demo.is_demo(con) == demo_stays
        assert db.query_rows(con, "select count(*) from transactions")[0][0] == 3 + (demo_lines if demo_stays else 0)
    # the next file asks no more: the company's data has begun (beside the demo, or alone)
    again = run_import_page("en", {"more.csv": CSV.replace(b"O1,", b"P1,").replace(b"O2,", b"P2,")})
    assert not again.exception and again.button(key="data_import_commit")  # a batch ready to import
    assert not [r for r in again.radio if r.key == "own_data_start_clean"]


def test_an_accounts_master_goes_beside_the_demo_without_asking(writable_app_db):
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.session_state["lang"] = "en"
    at.session_state["data_import_kind"] = "accounts"
    at.session_state["data_import_sources"] = uploaded(
        {"accounts.csv": (ROOT / "data" / "examples" / "accounts_master.csv").read_bytes()})
    at.run()
    assert not at.exception and at.button(key="data_import_commit")
    assert not [r for r in at.radio if r.key == "own_data_start_clean"]  # its report counts against the demo


@pytest.mark.parametrize("kind", ["transactions", "visits"])
def test_a_file_over_the_upload_cap_is_sent_to_the_command_line_with_the_exact_command(writable_app_db, kind):
    """Streamlit refuses an upload over its cap in the browser; the page says so beforehand and gives
    the command that imports the file from disk, for this database and the kind chosen."""
    i18n.set_language("en")
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.session_state["lang"] = "en"
    at.session_state["data_import_kind"] = kind
    at.run()
    assert not at.exception
    assert any("A file over 200 MB is imported on the command line" in caption.value for caption in at.caption)
    assert [block.value for block in at.code] == [f"python -m ka import --db {writable_app_db} --kind {kind} FILE"]
