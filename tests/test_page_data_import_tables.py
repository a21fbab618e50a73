"""AppTest of the data import page for the optional tables: the kind choice drives the mapping,
the report counts new / updated / rejected rows, import and undo restore the accounts exactly."""

from __future__ import annotations


import pytest

from ka_testing import ROOT
from import_helpers import metric_values, run_import_page, table_with
from ka import db, i18n

EXAMPLES = ROOT / "data" / "examples"


def _accounts(path) -> list[tuple]:
    with db.open(path) as con:
        return db.query_rows(con, "select * from accounts order by account_id")


@pytest.mark.parametrize(
    ("lang", "labels", "kind_name", "status_undone"),
    [
        ("en", ("Rows read", "New accounts", "Accounts updated", "Rows rejected", "Already as stored"),
         "Accounts master", "undone"),
        ("zh", ("读取行数", "新客户", "更新的客户", "拒绝行数", "与现有数据相同"), "客户主数据", "已撤销"),
    ],
)
def test_accounts_master_updates_the_demo_accounts_and_undo_restores_them(writable_app_db, lang, labels, kind_name,
                                                                           status_undone):
    before = _accounts(writable_app_db)
    at = run_import_page(lang, kind="accounts", files={"客户主数据.csv": (EXAMPLES / "accounts_master.csv").read_bytes()})
    assert not at.exception
    assert at.radio(key="data_import_kind").value == "accounts"
    assert at.selectbox(key="data_import_map_industry").value == "所属行业"
    assert at.selectbox(key="data_import_map_contract_end_date").value == "合同到期日"
    assert at.selectbox(key="data_import_map_is_strategic").value == "是否战略客户"
    read, new, updated, rejected, unchanged = labels
    metrics = metric_values(at)
    # KA00001 contract end, KA00002 industry/region/manager and KA00003 strategic flag change; KA09001/2 are new
    assert (metrics[read], metrics[new], metrics[updated], metrics[rejected], metrics[unchanged]) == ("5", "2", "3", "0", "0")
    sample = table_with(at, "contract_end_date")
    assert list(sample["account_id"]) == ["KA00001", "KA00002", "KA00003", "KA09001", "KA09002"]

    at.button(key="data_import_commit").click().run()
    assert not at.exception
    assert at.success[0].value == (
        "Batch 2 imported into Accounts master: 2 new, 3 updated." if lang == "en" else "批次 2 已导入客户主数据：新增 2 行，更新 3 行。"
    )
    with db.open(writable_app_db) as con:
        assert db.query_rows(con, "select industry, region, ka_manager from accounts where account_id = 'KA00002'") == [
            ("汽车零部件", "华东", "王磊")
        ]
        assert db.query_rows(con, "select count(*) from accounts") == [(62,)]
    history = table_with(at, "batch")
    assert (list(history["batch"]), list(history["kind"])[0]) == ([2, 1], kind_name)

    at.selectbox(key="data_import_undo_batch").set_value(2)
    at.button(key="data_import_undo").click().run()
    assert not at.exception
    assert _accounts(writable_app_db) == before
    assert list(table_with(at, "batch")["status"])[0] == status_undone


def test_gbk_tickets_report_unknown_accounts_and_import(writable_app_db):
    at = run_import_page("zh", kind="tickets", files={"工单.csv": (EXAMPLES / "tickets_gbk.csv").read_bytes()})
    assert not at.exception
    assert at.selectbox(key="data_import_map_opened_date").value == "投诉日期"
    metrics = metric_values(at)
    assert (metrics["新增行数"], metrics["拒绝行数"]) == ("4", "0")
    assert "更新行数" not in metrics  # appended tables update nothing
    assert at.info[0].value.startswith("尚不在数据库中的客户：1 个。")  # KA09001
    assert (list(table_with(at, "encoding")["encoding"]), list(table_with(at, "encoding")["file"])) == (["gb18030"], ["工单.csv"])
    at.button(key="data_import_commit").click().run()
    with db.open(writable_app_db) as con:
        assert db.query_rows(con, "select count(*) from tickets where opened_date >= '2026-09-03' and severity in ('高', '中', '低')") == [(4,)]


def test_rejected_visit_rows_are_listed_with_their_lines(writable_app_db):
    text = "客户编号,拜访日期,拜访方式\nKA00001,2026-10-12,上门拜访\nKA00002,下周,电话\n,2026-10-13,上门\nKA00003,2026-10-14,电话\n"
    at = run_import_page("en", kind="visits", files={"visits.csv": text.encode("utf-8")})
    assert not at.exception
    assert (metric_values(at)["New rows"], metric_values(at)["Rows rejected"]) == ("2", "2")
    rejected = table_with(at, "line")
    assert list(rejected["line"]) == [3, 4]
    assert list(rejected["reason"]) == ["unreadable date", "no account"]
    assert list(rejected["field"]) == ["Visit date", "Account ID"]


def test_the_kind_choice_drives_the_mapping_and_what_is_required(writable_app_db):
    at = run_import_page("en", kind="transactions", files={"surveys.csv": (EXAMPLES / "surveys.csv").read_bytes()})
    assert "Order date" in at.warning[0].value  # read as order lines, the survey file lacks an order date
    at.radio(key="data_import_kind").set_value("surveys").run()
    assert not at.exception
    assert at.selectbox(key="data_import_map_nps").value == "净推荐值"
    assert metric_values(at)["New rows"] == "4"
    at.selectbox(key="data_import_map_nps").set_value("").run()
    assert "NPS" in at.warning[0].value and len(at.metric) == 0


def test_a_saved_mapping_of_a_kind_is_offered_for_that_kind(writable_app_db):
    text = "Who,When,Score\nKA00001,2026-09-30,30\n".encode("utf-8")
    at = run_import_page("en", kind="surveys", files={"s.csv": text})
    assert "NPS" in at.warning[0].value  # "Score" is not a known NPS header
    at.selectbox(key="data_import_map_nps").set_value("Score").run()
    at.selectbox(key="data_import_map_account_id").set_value("Who").run()
    at.selectbox(key="data_import_map_survey_date").set_value("When").run()
    assert metric_values(at)["New rows"] == "1"
    at.text_input(key="data_import_mapping_name").set_value("crm").run()
    at.button(key="data_import_save_mapping").click().run()
    with db.open(writable_app_db) as con:
        assert db.get_setting(con, "import_mapping_surveys:crm") == {"account_id": "Who", "survey_date": "When", "nps": "Score"}
    at.run()  # the list above the button shows the new name on the next run
    assert at.selectbox(key="data_import_saved_mapping_surveys").options == ["Proposed from the headers", "crm"]
    at.radio(key="data_import_kind").set_value("visits").run()
    assert not at.exception
    assert at.selectbox(key="data_import_saved_mapping_visits").options == ["Proposed from the headers"]


def test_only_transaction_lines_explain_the_line_key(writable_app_db):
    """The note on how a line is known (by its own text) is about transaction lines; a table's rows go
    by the kind's key, so a visits batch does not show it."""
    note = i18n.catalog("en")["data_import.line_key_note"]
    visits = run_import_page("en", kind="visits", files={"visits.csv": (EXAMPLES / "visits.csv").read_bytes()})
    assert not visits.exception and metric_values(visits)["New rows"] == "6"
    assert note not in [caption.value for caption in visits.caption]
    lines = run_import_page("en", kind="transactions", files={"erp.csv": "客户编号,订单日期,销售额\nKA00001,2026-09-01,100\n".encode("utf-8")})
    assert not lines.exception and metric_values(lines)["Rows to import"] == "1"
    assert note in [caption.value for caption in lines.caption]
