"""Import of the optional tables (accounts master, visits, tickets, surveys, targets, projects):
exact rows from the example files, upsert and undo, rejected rows with their lines, re-imports
that add nothing, GBK, refusals that leave the database unchanged, the CLI."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ka_testing import ROOT, load_fixture_transactions
from import_helpers import fingerprint, import_paths, write_file
from ka import db
from ka.__main__ import main
from ka.importing import (
    ImportOptions, ImportRefused, list_sources, load_mapping, run_import,
    save_mapping, undo_import,
)
from ka.importing import field_label, reason_label
from ka.i18n import use_language

EXAMPLES = ROOT / "data" / "examples"
DATA_TABLES = ("accounts", "visits", "tickets", "surveys", "targets", "strategic_projects", "transactions", "account_month",
               "contacts", "account_team", "relationships", "actions")
ORDERED_COLUMNS = {
    "accounts": "account_id, account_name, account_name_en, industry, region, ka_manager, is_strategic, "
                "contract_start_date, contract_end_date",
    "visits": "account_id, visit_date, kind, contact_name",
    "tickets": "account_id, opened_date, resolved_date, severity",
    "surveys": "account_id, survey_date, nps",
    "targets": "scope, scope_id, period, metric, target",
    "strategic_projects": "account_id, landed_date, name",
    "contacts": "account_id, contact_name, title, level, buying_role, reports_to, email, phone, is_active",
    "account_team": "account_id, team_role, member_name",
    "relationships": "account_id, contact_name, member_name, colour, assessed_on, note",
    "actions": "account_id, title, owner, due_date, status, priority, reason_kind, closing_note, closed_on",
}


def import_table(con, kind, *paths, dry_run=False, **options):
    return run_import(con, kind, list_sources(list(paths)), ImportOptions(**options), dry_run=dry_run)


def rows(con, table):
    """The table's rows in a fixed order (table names from ORDERED_COLUMNS, not from users)."""
    return db.query_rows(con, f"select {ORDERED_COLUMNS[table]} from {table} order by all")


def data_state(con) -> dict:
    """The fingerprint of the tables users see (the import history tables are left out)."""
    state = fingerprint(con)
    return {table: state[table] for table in DATA_TABLES}


def rejected(report) -> list[tuple]:
    return [(row.line, row.reason, row.field) for row in report.rejected]


# --- the example files, exactly ---------------------------------------------------------------
EXPECTED = {
    "accounts": ("accounts_master.csv", "accounts", [
        ("KA00001", "南京华信医药集团有限公司", "Nanjing Huaxin Pharmaceutical Group Co., Ltd.", "医药", "华南", "陈静", True,
         date(2025, 5, 1), date(2027, 12, 31)),
        ("KA00002", "宁波永安精密制造有限公司", "Ningbo Yong'an Precision Manufacturing Co., Ltd.", "汽车零部件", "华东", "王磊",
         True, date(2025, 4, 1), date(2028, 3, 31)),
        ("KA00003", "北京瑞丰教育科技有限公司", None, "教育", "华北", "刘洋", False, date(2027, 4, 1), date(2028, 3, 31)),
        ("KA09001", "苏州恒通物流有限公司", "Suzhou Hengtong Logistics Co., Ltd.", "物流", "华东", "王磊", False,
         date(2026, 1, 1), date(2026, 12, 31)),
        ("KA09002", "杭州云启软件有限公司", None, "软件", None, None, False, None, None),
    ]),
    "visits": ("visits.csv", "visits", [
        ("KA00001", date(2026, 10, 12), "上门拜访", None),
        ("KA00001", date(2026, 10, 12), "上门拜访", None),  # two identical visits are two visits
        ("KA00002", date(2026, 10, 15), "电话会议", "钱伟"),
        ("KA00003", date(2026, 10, 20), "季度业务回顾", None),
        ("KA09001", date(2026, 10, 28), "上门拜访", None),
        ("KA09002", date(2026, 10, 30), None, None),
    ]),
    "tickets": ("tickets_gbk.csv", "tickets", [
        ("KA00001", date(2026, 9, 3), date(2026, 9, 5), "高"),
        ("KA00002", date(2026, 9, 18), date(2026, 9, 30), "中"),
        ("KA00004", date(2026, 10, 9), None, "低"),
        ("KA09001", date(2026, 10, 21), date(2026, 10, 22), "中"),
    ]),
    "surveys": ("surveys.csv", "surveys", [
        ("KA00001", date(2026, 9, 30), 45),
        ("KA00002", date(2026, 9, 30), -10),
        ("KA00003", date(2026, 9, 30), 60),
        ("KA09001", date(2026, 10, 31), 20),
    ]),
    "targets": ("targets.csv", "targets", [
        ("account", "KA00001", "2026-Q4", "visits_per_month", Decimal("2")),
        ("ka_manager", "*", "2026-Q4", "renewal_rate", Decimal("0.85")),
        ("ka_manager", "*", "2026-Q4", "resolution_days", Decimal("3")),
        ("ka_manager", "刘洋", "2026-Q4", "nps", Decimal("40")),
        ("ka_manager", "陈静", "2026-Q4", "revenue", Decimal("1200000")),
    ]),
    "projects": ("strategic_projects.csv", "strategic_projects", [
        ("KA00001", date(2026, 9, 15), "华信医药 ERP 集成"),
        ("KA00002", date(2026, 10, 8), "永安精密 智能仓储"),
        ("KA09001", None, "恒通物流 运输管理平台"),
    ]),
    "contacts": ("contacts.csv", "contacts", [
        ("KA00001", "吴丽", "采购总监", "management", "influencer", "周建国", None, "138-0000-0001", True),
        ("KA00001", "周建国", "总经理", "executive", "decision_maker", None, "zhou.jianguo@example.com", None, True),
        ("KA00001", "孙悦", "采购专员", "operational", "champion", "吴丽", None, None, False),
        ("KA00001", "郑强", "IT 经理", "management", "user", "吴丽", None, None, True),
        ("KA00002", "冯敏", "运营总监", "management", "blocker", "钱伟", None, None, True),  # blank 在职: active
        ("KA00002", "钱伟", "董事长", "executive", "decision_maker", None, None, None, True),
        ("KA09001", "刘芳", "物流总监", "executive", "decision_maker", None, None, None, True),
    ]),
    "team": ("account_team.csv", "account_team", [
        ("KA00001", "delivery_manager", "马丽"),
        ("KA00001", "executive_sponsor", "何志远"),
        ("KA00001", "ka_manager", "陈静"),
        ("KA00001", "solution_manager", "林涛"),
        ("KA00002", "ka_manager", "王磊"),
        ("KA00002", "solution_manager", "林涛"),
        ("KA09001", "ka_manager", "王磊"),
    ]),
    "relationships": ("relationships.csv", "relationships", [
        ("KA00001", "吴丽", "陈静", "green", date(2026, 9, 1), None),
        ("KA00001", "周建国", "何志远", "green", date(2026, 9, 20), "高层晚宴后关系改善"),
        ("KA00001", "周建国", "陈静", "yellow", date(2026, 7, 15), None),
        ("KA00001", "郑强", "林涛", "red", date(2026, 8, 10), "系统故障后不满"),
        ("KA00001", "郑强", "林涛", "yellow", date(2026, 10, 12), "故障已修复"),  # history: both kept
        ("KA00002", "冯敏", "王磊", "red", date(2026, 10, 8), "倾向竞争对手"),
        ("KA00002", "钱伟", "王磊", "yellow", date(2026, 9, 12), None),
        ("KA09001", "刘芳", "王磊", "green", date(2026, 10, 20), None),
    ]),
    "actions": ("actions.csv", "actions", [
        ("KA00001", "修复 ERP 接口故障", "马丽", date(2026, 10, 20), "in_progress", "high", "health", None, None),
        ("KA00001", "安排高层拜访周建国", "何志远", date(2026, 11, 15), "open", "high", "relationship", None, None),
        ("KA00002", "与冯敏沟通替代方案", "王磊", date(2026, 10, 31), "done", "medium", "relationship", "已面谈，顾虑已记录",
         date(2026, 10, 30)),
        ("KA00003", "季度业务回顾准备", "刘洋", date(2026, 12, 10), "open", None, "manual", None, None),  # blanks: open, manual
        ("KA09001", "续约报价", "王磊", date(2026, 11, 30), "in_progress", "high", "kpi", None, None),
    ]),
}


@pytest.mark.parametrize("kind", list(EXPECTED))
def test_example_file_imports_exactly_and_again_adds_nothing(con, kind):
    name, table, expected = EXPECTED[kind]
    report = import_table(con, kind, EXAMPLES / name)
    assert report.imported and report.batch_id == 1
    assert (report.rows_read, report.rows_to_import, report.rows_new, report.rows_rejected) == (
        len(expected), len(expected), len(expected), 0
    )
    assert rows(con, table) == expected
    assert db.query_rows(con, "select kind, rows_imported, status from import_batches") == [(kind, len(expected), "active")]

    before = fingerprint(con)
    again = import_table(con, kind, EXAMPLES / name)
    assert (again.imported, again.rows_to_import, again.duplicates_skipped) == (False, 0, len(expected))
    assert fingerprint(con) == before


@pytest.mark.parametrize("kind", list(EXPECTED))
def test_undo_restores_every_table_exactly(con, kind):
    load_fixture_transactions(con)  # existing accounts with their own values
    name, _, _ = EXPECTED[kind]
    before = data_state(con)
    report = import_table(con, kind, EXAMPLES / name)
    assert data_state(con) != before
    undone = undo_import(con, report.batch_id)
    assert undone == {"batch_id": report.batch_id, "kind": kind, "rows": report.rows_to_import, "revenue": None}
    assert data_state(con) == before
    with pytest.raises(ImportRefused) as again:
        undo_import(con, report.batch_id)
    assert again.value.code == "undo_done"


def test_gbk_copy_imports_the_same_rows(con, tmp_path):
    text = (EXAMPLES / "accounts_master.csv").read_text(encoding="utf-8")
    gbk = write_file(tmp_path, "客户主数据.csv", text, encoding="gbk")
    report = import_table(con, "accounts", gbk)
    assert report.files[0].encoding == "gb18030"
    assert rows(con, "accounts") == EXPECTED["accounts"][2]


def test_dry_run_changes_nothing(con):
    before = fingerprint(con, sequence=False)
    report = import_table(con, "visits", EXAMPLES / "visits.csv", dry_run=True)
    assert (report.dry_run, report.imported, report.rows_to_import) == (True, False, 6)
    assert [row["account_id"] for row in report.sample] == ["KA00001", "KA00001", "KA00002", "KA00003", "KA09001"]
    assert fingerprint(con, sequence=False) == before


# --- accounts master: upsert and undo ---------------------------------------------------------
MASTER_HEADER = "客户编号,客户名称,所属行业,销售经理,是否战略客户,合同开始日期,合同到期日\n"


def test_accounts_upsert_changes_only_given_values_and_undo_restores_them(con, tmp_path):
    load_fixture_transactions(con)
    stored = db.query_rows(con, "select * from accounts order by account_id")
    first_id = stored[0][0]
    before = data_state(con)
    path = write_file(tmp_path, "master.csv", MASTER_HEADER + "".join([
        f"{first_id},,新行业,,是,2024-01-01,2026-06-30\n",     # blank name and manager keep the stored values
        f"{stored[1][0]},{stored[1][1]},{stored[1][3] or ''},{stored[1][5] or ''},{'是' if stored[1][6] else '否'},"
        f"{stored[1][7] or ''},{stored[1][8] or ''}\n",        # exactly as stored: unchanged
        "N001,新客户,物流,王磊,否,,\n",
    ]))
    report = import_table(con, "accounts", path)
    assert (report.rows_new, report.rows_updated, report.duplicates_skipped) == (1, 1, 1)
    # A001 is strategic and starts 2024-01-01 already: only industry and the contract end change
    assert report.changed_columns == {"contract_end_date": 1, "industry": 1}
    changed = db.query_dicts(con, "select * from accounts where account_id = ?", [first_id])[0]
    assert (changed["account_name"], changed["ka_manager"]) == (stored[0][1], stored[0][5])
    assert (changed["industry"], changed["is_strategic"], changed["contract_start_date"], changed["contract_end_date"]) == (
        "新行业", True, date(2024, 1, 1), date(2026, 6, 30)
    )
    assert db.query_rows(con, "select account_name, industry, ka_manager, is_strategic from accounts where account_id = 'N001'") == [
        ("新客户", "物流", "王磊", False)
    ]
    undo_import(con, report.batch_id)
    assert db.query_rows(con, "select * from accounts order by account_id") == stored
    assert data_state(con) == before


def test_accounts_last_line_wins_and_earlier_lines_are_counted(con, tmp_path):
    path = write_file(tmp_path, "master.csv", MASTER_HEADER + "A1,甲,制造,张三,否,,\nA1,甲,医药,,,,\n")
    report = import_table(con, "accounts", path)
    assert (report.rows_new, report.duplicate_lines_in_file) == (1, 1)
    assert db.query_rows(con, "select industry, ka_manager from accounts") == [("医药", None)]


def test_undo_of_an_earlier_batch_waits_for_the_later_one(con, tmp_path):
    first = import_table(con, "accounts", write_file(tmp_path, "a.csv", MASTER_HEADER + "A1,甲,制造,张三,否,,\n"))
    second = import_table(con, "accounts", write_file(tmp_path, "b.csv", MASTER_HEADER + "A1,甲,医药,李四,是,,\n"))
    with pytest.raises(ImportRefused) as refusal:
        undo_import(con, first.batch_id)
    assert (refusal.value.code, refusal.value.values) == ("undo_later", {"batch": first.batch_id, "later": second.batch_id})
    assert "undo batch 2 first" in refusal.value.message()
    undo_import(con, second.batch_id)
    assert db.query_rows(con, "select industry, ka_manager, is_strategic from accounts") == [("制造", "张三", False)]
    undo_import(con, first.batch_id)
    assert db.query_rows(con, "select count(*) from accounts") == [(0,)]


@pytest.mark.parametrize(
    ("kind", "table", "header", "first", "second", "other"),
    [
        ("targets", "targets", "对象类型,对象,期间,指标,目标值\n",
         "客户经理,陈静,2026-Q4,收入,100\n", "客户经理,陈静,2026-Q4,收入,200\n", "客户经理,李娜,2026-Q4,收入,300\n"),
        ("contacts", "contacts", "客户编号,联系人,职位\n", "A1,周建国,总经理\n", "A1,周建国,董事长\n", "A1,吴丽,采购总监\n"),
        ("team", "account_team", "客户编号,团队角色,团队成员\n", "A1,客户经理,陈静\n", "A1,客户经理,李娜\n",
         "A1,解决方案经理,林涛\n"),
    ],
    ids=["targets", "contacts", "team"],
)
def test_every_upsert_undo_waits_for_a_later_batch_on_the_same_rows(con, tmp_path, kind, table, header, first, second, other):
    before = rows(con, table)
    first_batch = import_table(con, kind, write_file(tmp_path, "1.csv", header + first))
    after_first = rows(con, table)
    other_batch = import_table(con, kind, write_file(tmp_path, "2.csv", header + other))  # other rows: no wait
    second_batch = import_table(con, kind, write_file(tmp_path, "3.csv", header + second))
    with pytest.raises(ImportRefused) as refusal:
        undo_import(con, first_batch.batch_id)
    assert refusal.value.values == {"batch": first_batch.batch_id, "later": second_batch.batch_id}
    undo_import(con, second_batch.batch_id)
    undo_import(con, other_batch.batch_id)
    assert rows(con, table) == after_first
    undo_import(con, first_batch.batch_id)
    assert rows(con, table) == before


def test_new_account_with_order_lines_is_kept_until_the_lines_are_undone(con, tmp_path):
    master = import_table(con, "accounts", write_file(tmp_path, "a.csv", MASTER_HEADER + "C001,甲,制造,张三,否,,\n"))
    orders = import_paths(con, write_file(
        tmp_path, "orders.csv", "Order ID,Order Date,Customer ID,Sales\nO1,2024-01-05,C001,100\n"
    ))
    with pytest.raises(ImportRefused) as refusal:
        undo_import(con, master.batch_id)
    assert refusal.value.values["later"] == orders.batch_id
    undone = undo_import(con, orders.batch_id)  # the transaction batch, through the same call
    assert (undone["kind"], undone["rows"], undone["revenue"]) == ("transactions", 1, Decimal("100"))
    assert db.query_rows(con, "select account_name from accounts") == [("甲",)]  # created by the master: stays
    undo_import(con, master.batch_id)
    assert db.query_rows(con, "select count(*) from accounts") == [(0,)]


def test_excel_master_with_dates_and_booleans(con, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    from datetime import datetime

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Customer ID", "Customer Name", "Industry", "Strategic", "Contract Start", "Contract End"])
    sheet.append([17850.0, "Acme", "Retail", True, datetime(2025, 1, 1), datetime(2026, 12, 31)])
    sheet.append(["00042", "Beta", None, False, None, "2027/3/31"])
    path = tmp_path / "master.xlsx"
    workbook.save(path)
    report = import_table(con, "accounts", path)
    assert report.rows_new == 2
    assert db.query_rows(
        con, "select account_id, industry, is_strategic, contract_start_date, contract_end_date from accounts order by 1"
    ) == [
        ("00042", None, False, None, date(2027, 3, 31)),
        ("17850", "Retail", True, date(2025, 1, 1), date(2026, 12, 31)),
    ]


# --- targets ------------------------------------------------------------------------------------
TARGET_HEADER = "对象类型,对象,期间,指标,目标值\n"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("客户经理,全部,2026-Q3,续约率,85%", ("ka_manager", "*", "2026-Q3", "renewal_rate", Decimal("0.85"))),
        ("经理,陈静,2026Q3,NPS,40", ("ka_manager", "陈静", "2026-Q3", "nps", Decimal("40"))),
        (",陈静,2026年第三季度,净推荐值,35", ("ka_manager", "陈静", "2026-Q3", "nps", Decimal("35"))),
        ("客户,007,2026-09,Visits per month,3", ("account", "007", "2026-09", "visits_per_month", Decimal("3"))),
        ("account,KA1,2026年9月,visits_per_month,2.5", ("account", "KA1", "2026-09", "visits_per_month", Decimal("2.5"))),
        ("manager,all,2026,收入同比增长,0.1", ("ka_manager", "*", "2026", "revenue_growth", Decimal("0.1"))),
        ("ka_manager,刘洋,Q4 2026,Revenue,\"¥1,200,000\"", ("ka_manager", "刘洋", "2026-Q4", "revenue", Decimal("1200000"))),
        ("客户经理,刘洋,2026-Q4,问题解决天数,5", ("ka_manager", "刘洋", "2026-Q4", "resolution_days", Decimal("5"))),
    ],
)
def test_target_lines_are_read_as_the_scorecards_name_them(con, tmp_path, line, expected):
    import_table(con, "targets", write_file(tmp_path, "targets.csv", TARGET_HEADER + line + "\n"))
    assert rows(con, "targets") == [expected]


def test_targets_upsert_and_undo(con, tmp_path):
    import_table(con, "targets", EXAMPLES / "targets.csv")
    before = rows(con, "targets")
    path = write_file(tmp_path, "t.csv", TARGET_HEADER + "客户经理,全部,2026-Q4,续约率,90%\n客户经理,王磊,2026-Q4,收入,500000\n")
    report = import_table(con, "targets", path)
    assert (report.rows_new, report.rows_updated) == (1, 1)
    assert db.query_rows(con, "select target from targets where scope_id = '*' and metric = 'renewal_rate'") == [(Decimal("0.9"),)]
    undo_import(con, report.batch_id)
    assert rows(con, "targets") == before


# --- rejected rows --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kind", "text", "imported", "expected"),
    [
        ("accounts", MASTER_HEADER + "A1,甲,制造,张三,也许,,\n,,医药,,,,\nA3,丙,,,,2026-01-01,2025-01-01\nA4,丁,,,,2026-02-30,\n"
         "A5,戊,,,,,\n", 1,
         [(2, "bad_yes_no", "is_strategic"), (3, "no_account", "account_id"), (4, "end_before_start", "contract_end_date"),
          (5, "bad_date", "contract_start_date")]),
        ("visits", "客户编号,拜访日期,拜访方式\nA1,2026-10-01,上门\nA2,,上门\nA3,下周,上门\n,2026-10-01,上门\n", 1,
         [(3, "no_date", "visit_date"), (4, "bad_date", "visit_date"), (5, "no_account", "account_id")]),
        ("tickets", "客户编号,工单日期,解决日期,严重程度\nA1,2026-10-01,2026-09-01,高\nA2,2026-10-01,,中\nA3,2026-10-01,明天,低\n", 1,
         [(2, "resolved_before_opened", "resolved_date"), (4, "bad_date", "resolved_date")]),
        ("surveys", "客户编号,调查日期,NPS\nA1,2026-09-30,101\nA2,2026-09-30,8.5\nA3,2026-09-30,\nA4,2026-09-30,好\nA5,2026-09-30,-100\n", 1,
         [(2, "nps_range", "nps"), (3, "nps_range", "nps"), (4, "no_value", "nps"), (5, "bad_number", "nps")]),
        ("targets", TARGET_HEADER + "部门,销售部,2026-Q3,收入,1\n客户经理,,2026-Q3,收入,1\n客户经理,甲,下季度,收入,1\n"
         "客户经理,甲,2026-Q3,利润率,1\n客户经理,甲,2026-Q3,续约率,85\n客户经理,甲,2026-Q3,续约率,0.85\n"
         "客户经理,甲,2026-Q3,收入,\n", 1,
         [(2, "unknown_value", "scope"), (3, "no_value", "scope_id"), (4, "unknown_value", "period"),
          (5, "unknown_value", "metric"), (6, "pct_range", "target"), (8, "no_value", "target")]),
        ("projects", "客户编号,项目名称,落地日期\nA1,项目一,2026-09-15\nA2,,2026-09-15\nA3,项目三,上个月\nA4,项目四,\n", 2,
         [(3, "no_value", "name"), (4, "bad_date", "landed_date")]),
    ],
)
def test_rows_that_cannot_be_read_are_rejected_with_line_and_reason(con, tmp_path, kind, text, imported, expected):
    # a few good rows so that the batch is not refused as mostly unreadable
    good = {"accounts": "G{n},好,,,,,\n", "visits": "G{n},2026-10-01,上门\n", "tickets": "G{n},2026-10-01,,低\n",
            "surveys": "G{n},2026-09-30,10\n", "targets": "客户经理,G{n},2026-Q3,收入,1\n", "projects": "G{n},项目,\n"}[kind]
    padding = "".join(good.format(n=n) for n in range(len(expected)))
    report = import_table(con, kind, write_file(tmp_path, f"{kind}.csv", text + padding))
    assert rejected(report) == expected
    assert report.rows_to_import == imported + len(expected)
    csv_lines = report.rejected_csv().splitlines()
    assert csv_lines[0] == "file,line,reason,field,value" and len(csv_lines) == len(expected) + 1
    assert csv_lines[1].startswith(f"{kind}.csv,{expected[0][0]},{reason_label(expected[0][1])},")


def test_rows_with_the_wrong_field_count_are_rejected_not_shifted(con, tmp_path):
    text = "客户编号,拜访日期,拜访方式\n" + "".join(f"A{n},2026-10-01,上门\n" for n in range(40)) + "B1,2026-10-02,上门,多余\n"
    report = import_table(con, "visits", write_file(tmp_path, "v.csv", text))
    assert rejected(report) == [(42, "field_count", None)]
    assert report.rows_to_import == 40


# --- keys: what counts as new -----------------------------------------------------------------
def test_visit_occurrences_count_against_the_stored_ones(con, tmp_path):
    header = "客户编号,拜访日期,拜访方式\n"
    import_table(con, "visits", write_file(tmp_path, "one.csv", header + "A1,2026-10-01,上门\n"))
    two = write_file(tmp_path, "two.csv", header + "A1,2026-10-01,上门\nA1,2026-10-01,上门\n")
    report = import_table(con, "visits", two)
    assert (report.rows_to_import, report.duplicates_skipped) == (1, 1)
    assert db.query_rows(con, "select count(*) from visits") == [(2,)]


def test_overlapping_files_of_one_batch_count_a_visit_once(con, tmp_path):
    header = "客户编号,拜访日期,拜访方式\n"
    first = write_file(tmp_path, "1.csv", header + "A1,2026-10-01,上门\nA2,2026-10-02,电话\n")
    second = write_file(tmp_path, "2.csv", header + "A2,2026-10-02,电话\nA3,2026-10-03,电话\n")
    report = import_table(con, "visits", first, second)
    assert (report.rows_read, report.rows_to_import) == (4, 3)


def test_a_ticket_resolved_later_is_the_same_ticket(con, tmp_path):
    header = "客户编号,工单日期,解决日期,严重程度\n"
    import_table(con, "tickets", write_file(tmp_path, "open.csv", header + "A1,2026-10-01,,高\n"))
    report = import_table(con, "tickets", write_file(tmp_path, "later.csv", header + "A1,2026-10-01,2026-10-03,高\n"))
    assert report.rows_to_import == 0
    assert db.query_rows(con, "select count(*) from tickets") == [(1,)]


# --- refusals -------------------------------------------------------------------------------
def test_broken_file_is_refused_and_database_unchanged(con, tmp_path):
    import_table(con, "visits", EXAMPLES / "visits.csv")
    before = fingerprint(con)
    text = "客户编号,拜访日期,拜访方式\n" + "".join(f"A{n},2026-10-01,上门,客户,现场\n" for n in range(10))
    with pytest.raises(ImportRefused) as refusal:
        import_table(con, "visits", write_file(tmp_path, "broken.csv", text))
    assert refusal.value.code == "broken_rows"
    assert fingerprint(con) == before


def test_missing_required_column_is_refused(con, tmp_path):
    with pytest.raises(ImportRefused) as refusal:
        import_table(con, "surveys", write_file(tmp_path, "s.csv", "客户编号,调查日期\nA1,2026-09-30\n"))
    assert refusal.value.code == "required_fields"
    assert refusal.value.message() == "The mapping lacks required fields: NPS."


@pytest.mark.parametrize("kind, text, language, reason, field", [
    ("visits", "客户编号,拜访日期,拜访方式\nA1,,上门\nA1,2026-10-12,电话\n", "en", "date missing", "Visit date"),
    ("visits", "客户编号,拜访日期,拜访方式\nA1,,上门\nA1,2026-10-12,电话\n", "zh", "缺少日期", "拜访日期"),
    ("tickets", "客户编号,工单日期,严重程度\nA1,,高\nA1,2026-10-12,低\n", "en", "date missing", "Opened date"),
])
def test_a_missing_date_is_named_by_its_own_field_not_as_an_order_date(con, tmp_path, kind, text, language, reason, field):
    report = import_table(con, kind, write_file(tmp_path, f"{kind}.csv", text), dry_run=True)
    with use_language(language):
        assert [(row.line, reason_label(row.reason), field_label(row.field)) for row in report.rejected] == [(2, reason, field)]
        csv_line = report.rejected_csv().splitlines()[1]
        assert csv_line == f"{kind}.csv,2,{reason},{field},"
    assert "order" not in reason and "订单" not in reason


def test_mostly_unreadable_rows_refuse_the_batch(con, tmp_path):
    text = "客户编号,调查日期,NPS\nA1,2026-09-30,10\nA2,昨天,10\nA3,前天,10\n"
    with pytest.raises(ImportRefused) as refusal:
        import_table(con, "surveys", write_file(tmp_path, "s.csv", text))
    assert refusal.value.code == "mostly_rejected"
    assert db.query_rows(con, "select count(*) from surveys") == [(0,)]


def test_ambiguous_slash_dates_are_asked(con, tmp_path):
    path = write_file(tmp_path, "v.csv", "客户编号,拜访日期,拜访方式\nA1,03/04/2026,上门\n")
    with pytest.raises(ImportRefused) as refusal:
        import_table(con, "visits", path)
    assert refusal.value.code == "date_order"
    import_table(con, "visits", path, date_order="dmy")
    assert db.query_rows(con, "select visit_date from visits") == [(date(2026, 4, 3),)]


def test_mapping_is_saved_per_kind(con, tmp_path):
    path = write_file(tmp_path, "v.csv", "Who,When,How\nA1,2026-10-01,onsite\n")
    save_mapping(con, "visits", "crm", {"account_id": "Who", "visit_date": "When", "kind": "How", "revenue": "x"})
    assert load_mapping(con, "visits", "crm") == {"account_id": "Who", "visit_date": "When", "kind": "How"}
    report = import_table(con, "visits", path, mapping=load_mapping(con, "visits", "crm"))
    assert report.rows_to_import == 1


# --- CLI ------------------------------------------------------------------------------------
def test_cli_imports_and_undoes_a_kind(tmp_path, capsys):
    path = tmp_path / "cli.duckdb"
    assert main(["import", "--db", str(path), "--kind", "tickets", "--dry-run", str(EXAMPLES / "tickets_gbk.csv")]) == 0
    assert "dry run" in capsys.readouterr().out
    assert main(["import", "--db", str(path), "--kind", "tickets", str(EXAMPLES / "tickets_gbk.csv")]) == 0
    out = capsys.readouterr().out
    assert "batch 1 imported (Tickets)" in out and "new 4" in out
    assert main(["undo", "--db", str(path), "--batch", "1"]) == 0
    assert "batch 1 undone (tickets): 4 rows restored" in capsys.readouterr().out
    assert main(["import", "--db", str(path), "--kind", "surveys", str(EXAMPLES / "visits.csv")]) == 2
    assert "lacks required fields" in capsys.readouterr().err
    with db.connect(path) as con:
        assert db.query_rows(con, "select kind, status from import_batches") == [("tickets", "undone")]
        assert db.query_rows(con, "select count(*) from tickets") == [(0,)]


def test_imported_targets_are_the_ones_the_scorecards_read(con):
    from ka import kpi

    import_table(con, "targets", EXAMPLES / "targets.csv")
    manager = kpi.read_targets(con, "manager", kpi.target_period_key(kpi.quarter_period(2026, 4)))
    assert manager.to_dict("records") == [
        {"scope_id": "*", "metric": "renewal_rate", "target": 0.85},
        {"scope_id": "*", "metric": "resolution_days", "target": 3.0},
        {"scope_id": "刘洋", "metric": "nps", "target": 40.0},
        {"scope_id": "陈静", "metric": "revenue", "target": 1200000.0},
    ]
    account = kpi.read_targets(con, "account", "2026-Q4")
    assert account.to_dict("records") == [{"scope_id": "KA00001", "metric": "visits_per_month", "target": 2.0}]


def test_a_file_with_names_only_finds_the_stored_accounts(con, tmp_path):
    load_fixture_transactions(con)  # A001 阿尔法制造, A002 贝塔零售, ...
    path = write_file(tmp_path, "crm.csv", "客户名称,拜访日期\n阿尔法制造,2026-10-01\n新客户甲,2026-10-02\n")
    report = import_table(con, "visits", path)
    assert report.accounts_unknown == 1
    assert rows(con, "visits") == [("A001", date(2026, 10, 1), None, None), ("新客户甲", date(2026, 10, 2), None, None)]
    master = write_file(tmp_path, "master.csv", "客户名称,所属行业\n贝塔零售,新零售\n")
    assert import_table(con, "accounts", master).rows_updated == 1
    assert db.query_rows(con, "select account_id, industry from accounts where account_name = '贝塔零售'") == [("A002", "新零售")]


# --- contacts, team, relationships, actions: English headers and values, refusals ---------------
ENGLISH_FILES = {
    "contacts": ("Account ID,Contact,Title,Level,Buying role,Reports to,Email,Active\n"
                 "A001,Ann Lee,CEO,Executive,Decision Maker,,ann@example.com,yes\n"
                 "A001,Bo Chen,IT Manager,management,champion,Ann Lee,,N\n",
                 "contacts", [("A001", "Ann Lee", "CEO", "executive", "decision_maker", None, "ann@example.com", None, True),
                              ("A001", "Bo Chen", "IT Manager", "management", "champion", "Ann Lee", None, None, False)]),
    "team": ("Customer ID,Team role,Team member\nA001,Solution Manager,Lin\nA001,executive-sponsor,Ho\n",
             "account_team", [("A001", "executive_sponsor", "Ho"), ("A001", "solution_manager", "Lin")]),
    "relationships": ("Account ID,Contact,Member,Rating,Assessment date,Notes\n"
                      "A001,Ann Lee,Li,Green,2026-09-01,met at the fair\nA001,Bo Chen,Li,amber,2026-09-02,\n",
                      "relationships", [("A001", "Ann Lee", "Li", "green", date(2026, 9, 1), "met at the fair"),
                                        ("A001", "Bo Chen", "Li", "yellow", date(2026, 9, 2), None)]),
    "actions": ("Account ID,Action,Owner,Due date,Status,Priority,Reason,Closing note,Closed on\n"
                "A001,Exec dinner,Ho,2026-11-01,In Progress,High,Relationship,,\n"
                "A001,Fix invoicing,Li,2026-10-01,Completed,low,scorecard KPI,Fixed,2026-09-28\n",
                "actions", [("A001", "Exec dinner", "Ho", date(2026, 11, 1), "in_progress", "high", "relationship", None, None),
                            ("A001", "Fix invoicing", "Li", date(2026, 10, 1), "done", "low", "kpi", "Fixed", date(2026, 9, 28))]),
}


@pytest.mark.parametrize("kind", list(ENGLISH_FILES))
def test_english_headers_and_values(con, tmp_path, kind):
    text, table, expected = ENGLISH_FILES[kind]
    report = import_table(con, kind, write_file(tmp_path, f"{kind}.csv", text))
    assert (report.rows_new, report.rows_rejected) == (len(expected), 0)
    assert rows(con, table) == expected


GOOD_LINES = {  # enough readable lines that the batch is not refused as mostly unreadable
    "contacts": "A001,甲,高层\nA001,乙,中层\nA001,丙,基层\n",
    "team": "A002,客户经理,陈\nA003,客户经理,王\nA004,客户经理,李\n",
    "relationships": "A001,甲,陈,绿,2026-09-01\nA001,乙,陈,黄,2026-09-01\nA001,丙,陈,红,2026-09-01\n",
    "actions": "A001,回访,2026-11-01,进行中\nA001,报价,2026-11-02,\nA001,交流,2026-11-03,已完成\n",
}


@pytest.mark.parametrize("kind, text, expected", [
    ("contacts", "客户编号,联系人,层级\nA001,,中层\nA001,吴,总监级\n",
     [(5, "no_value", "contact_name"), (6, "unknown_value", "level")]),
    ("team", "客户编号,团队角色,团队成员\nA001,前台,王\nA001,交付经理,\n",
     [(5, "unknown_value", "team_role"), (6, "no_value", "member_name")]),
    ("relationships", "客户编号,联系人,我方人员,关系评估,评估日期\nA001,周,陈,蓝,2026-09-01\n"
                      "A001,周,陈,红,\nA001,周,陈,红,2999-01-01\n",
     [(5, "unknown_value", "colour"), (6, "no_date", "assessed_on"), (7, "date_out_of_range", "assessed_on")]),
    ("actions", "客户编号,行动,截止日期,状态\nA001,,2026-11-01,\nA001,报价,,\nA001,报价,2026-11-02,搁置\n",
     [(5, "no_value", "action_title"), (6, "no_date", "due_date"), (7, "unknown_value", "status")]),
])
def test_people_rows_that_cannot_be_read_are_rejected_with_line_and_reason(con, tmp_path, kind, text, expected):
    header, bad = text.split("\n", 1)
    report = import_table(con, kind, write_file(tmp_path, f"{kind}.csv", f"{header}\n{GOOD_LINES[kind]}{bad}"))
    assert (report.rows_new, rejected(report)) == (3, expected)


def test_contacts_upsert_keeps_the_columns_a_file_lacks_and_undo_restores_them(con, tmp_path):
    import_table(con, "contacts", EXAMPLES / "contacts.csv")
    before = rows(con, "contacts")
    update = write_file(tmp_path, "titles.csv", "客户编号,联系人,职位\nKA00001,周建国,董事长\nKA00001,新人,经理\n")
    report = import_table(con, "contacts", update)
    assert (report.rows_new, report.rows_updated) == (1, 1)
    changed = {row[1]: row for row in rows(con, "contacts") if row[0] == "KA00001"}
    assert changed["周建国"] == ("KA00001", "周建国", "董事长", "executive", "decision_maker", None, "zhou.jianguo@example.com",
                                None, True)
    assert changed["新人"] == ("KA00001", "新人", "经理", None, None, None, None, None, True)
    undo_import(con, report.batch_id)
    assert rows(con, "contacts") == before


def test_garbled_text_in_a_table_file_is_refused_and_quoted_with_its_line(con, tmp_path):
    before = fingerprint(con)
    path = write_file(tmp_path, "visits.csv", "客户编号,拜访日期,拜访类型\nKA00001,2026-10-01,On site\nKA00002,2026-10-02,BerguvsvÃ¤gen\n")
    with pytest.raises(ImportRefused) as refusal:
        import_table(con, "visits", path)
    assert refusal.value.code == "mojibake"
    assert refusal.value.values["lines"] == "  3: BerguvsvÃ¤gen"
    assert fingerprint(con) == before
