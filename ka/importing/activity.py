"""Import the optional tables — accounts master, visits, tickets, surveys, targets, strategic
projects — through the same path as transactions: read (encodings, delimiters, Excel) → map
(English/Chinese header synonyms) → check (rejected rows with file and line) → merge in one
transaction, or refuse and leave the database exactly as it was. Undo restores exactly.

What "re-importing adds nothing" means per table:
- accounts: upsert by account_id (an account without an id takes its name, as transaction lines
  do; a file with names but no id column finds the stored account that carries the name). A
  file's last line for an account wins; blank cells keep the stored value. The previous
  values of the columns a batch changes are kept in `import_replaced_accounts` for undo.
- targets: upsert by (scope, scope_id, period, metric); previous targets in `import_replaced_targets`.
- visits, tickets, surveys, projects: appended. A line is new when its key (`key` in KINDS) occurs
  more often in the file than in the table: the n-th identical line of a file is the key's n-th
  occurrence, so two real identical visits are both kept and a re-import adds none. Tickets are
  keyed without their resolved date (the same ticket, later resolved, is not a new ticket).
  The rows a batch added are kept in `import_added_<table>` for undo.

Use `run_table_import(con, kind, list_sources(paths), ImportOptions(...), dry_run=...)`, and
`undo_import(con, batch_id)` for any batch (transactions are handed to load.undo_batch).
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from ka import db, i18n
from ka.cells import export_row
from ka.i18n import t
from ka.importing import read
from ka.importing.load import (
    BROKEN_ROWS_TOLERATED, BROKEN_SHARE_LIMIT, QUOTED_LINES, REJECTED_KEPT, REJECTED_SHARE_LIMIT,
    ImportOptions, inspect_batch, plan_layouts, undo_batch,
)
from ka.importing.mapping import SYNONYMS as TRANSACTION_SYNONYMS
from ka.importing.mapping import load_mapping, mapping_names, normalise, propose_mapping, save_mapping
from ka.importing.report import (
    FileSummary, ImportRefused, ImportReport, RejectedRow, batch_details, decide_day_first, format_files_and_mapping,
)
from ka.importing.window import HARD_FIRST, HARD_LAST, load_date_window
from ka import kpi as scorecard_kpis  # a module import: ka.kpi reads the action plans, which import this package


@dataclass(frozen=True)
class TableKind:
    """One optional table: its fields, what a batch needs, and how its rows are keyed."""

    name: str                      # the kind: CLI --kind, import_batches.kind
    table: str
    fields: tuple[str, ...]        # canonical fields, in the order the page lists them
    required: tuple[str, ...]      # fields the mapping must have ('account_id': an id or a name column)
    dates: tuple[str, ...]         # date fields (read with the batch's date order)
    columns: tuple[str, ...]       # the table's columns this import writes
    key: tuple[str, ...]           # natural key (upserts: unique; appends: counted, see module doc)
    upsert: bool = False
    main_date: str | None = None   # the date whose range the report shows

    def sql_name(self, step: str) -> str:
        """The named query of one step for this table: ka/sql/import_<table>_<step>.sql."""
        return f"import_{self.table}_{step}"


ACCOUNT_FIELDS = ("account_id", "account_name")
KINDS: dict[str, TableKind] = {
    "accounts": TableKind(
        "accounts", "accounts",
        ("account_id", "account_name", "account_name_en", "industry", "region", "ka_manager", "is_strategic",
         "contract_start_date", "contract_end_date"),
        ("account_id",), ("contract_start_date", "contract_end_date"),
        ("account_id", "account_name", "account_name_en", "industry", "region", "ka_manager", "is_strategic",
         "contract_start_date", "contract_end_date"),
        ("account_id",), upsert=True, main_date="contract_end_date",
    ),
    "visits": TableKind(
        "visits", "visits", (*ACCOUNT_FIELDS, "visit_date", "kind", "contact_name"), ("account_id", "visit_date"),
        ("visit_date",), ("account_id", "visit_date", "kind", "contact_name"), ("account_id", "visit_date", "kind"),
        main_date="visit_date",
    ),
    "tickets": TableKind(
        "tickets", "tickets", (*ACCOUNT_FIELDS, "opened_date", "resolved_date", "severity"),
        ("account_id", "opened_date"), ("opened_date", "resolved_date"),
        ("account_id", "opened_date", "resolved_date", "severity"), ("account_id", "opened_date", "severity"),
        main_date="opened_date",
    ),
    "surveys": TableKind(
        "surveys", "surveys", (*ACCOUNT_FIELDS, "survey_date", "nps"), ("account_id", "survey_date", "nps"),
        ("survey_date",), ("account_id", "survey_date", "nps"), ("account_id", "survey_date", "nps"),
        main_date="survey_date",
    ),
    "targets": TableKind(
        "targets", "targets", ("scope", "scope_id", "period", "metric", "target"),
        ("scope_id", "period", "metric", "target"), (),
        ("scope", "scope_id", "period", "metric", "target"), ("scope", "scope_id", "period", "metric"), upsert=True,
    ),
    "projects": TableKind(
        "projects", "strategic_projects", (*ACCOUNT_FIELDS, "name", "landed_date"), ("account_id", "name"),
        ("landed_date",), ("account_id", "landed_date", "name"), ("account_id", "name"), main_date="landed_date",
    ),
    "contacts": TableKind(
        "contacts", "contacts",
        (*ACCOUNT_FIELDS, "contact_name", "job_title", "level", "buying_role", "reports_to", "email", "phone",
         "is_active"),
        ("account_id", "contact_name"), (),
        ("account_id", "contact_name", "title", "level", "buying_role", "reports_to", "email", "phone", "is_active"),
        ("account_id", "contact_name"), upsert=True,
    ),
    "team": TableKind(
        "team", "account_team", (*ACCOUNT_FIELDS, "team_role", "member_name"), ("account_id", "team_role", "member_name"),
        (), ("account_id", "team_role", "member_name"), ("account_id", "team_role"), upsert=True,
    ),
    "relationships": TableKind(
        "relationships", "relationships",
        (*ACCOUNT_FIELDS, "contact_name", "member_name", "colour", "assessed_on", "note"),
        ("account_id", "contact_name", "member_name", "colour", "assessed_on"), ("assessed_on",),
        ("account_id", "contact_name", "member_name", "colour", "assessed_on", "note"),
        ("account_id", "contact_name", "member_name", "assessed_on", "colour"), main_date="assessed_on",
    ),
    "actions": TableKind(
        "actions", "actions",
        (*ACCOUNT_FIELDS, "action_title", "owner", "due_date", "status", "priority", "reason_kind", "closing_note",
         "closed_on"),
        ("account_id", "action_title", "due_date"), ("due_date", "closed_on"),
        ("account_id", "title", "owner", "due_date", "status", "priority", "reason_kind", "closing_note", "closed_on"),
        ("account_id", "title", "due_date"), upsert=True, main_date="due_date",
    ),
}
# Upserts whose merge and undo are the generic ones (import_upsert_*.sql); a field's column where
# the two names differ (a contact's job title and an action's title are both `title`).
GENERIC_UPSERTS = ("contacts", "team", "actions")
FIELD_COLUMNS = {"job_title": "title", "action_title": "title"}
KIND_CHOICES = ("transactions", *KINDS)  # what the page and the CLI offer, transactions first
TEXT_COLUMNS = ("account_id", "account_name", "account_name_en", "industry", "region", "ka_manager", "kind",
                "severity", "name", "scope_id", "contact_name", "title", "reports_to", "member_name", "note",
                "owner", "closing_note")

# Normalised header names (see mapping.normalise) per field, best match first; the account,
# region, industry and manager columns also take the transaction synonyms.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "account_id": TRANSACTION_SYNONYMS["account_id"],
    "account_name": TRANSACTION_SYNONYMS["account_name"],
    "account_name_en": (
        "accountnameen", "englishname", "customernameen", "nameen", "englishaccountname", "englishcustomername",
        "英文名称", "英文名", "客户英文名称", "英文客户名称", "客户英文名",
    ),
    "industry": ("所属行业", "行业分类", "行业类别", "industryname", *TRANSACTION_SYNONYMS["industry"]),
    "region": ("所属区域", "所属地区", "所属大区", *TRANSACTION_SYNONYMS["region"]),
    "ka_manager": ("销售经理", "大客户经理", "客户负责人", "kam", *TRANSACTION_SYNONYMS["ka_manager"]),
    "is_strategic": (
        "isstrategic", "strategic", "strategicaccount", "keyaccount", "是否战略客户", "战略客户", "是否战略", "战略",
    ),
    "contract_start_date": (
        "contractstartdate", "contractstart", "startdate", "contractfrom", "合同开始日期", "合同开始", "合同起始日期",
        "合同生效日期", "合同开始时间", "签约日期",
    ),
    "contract_end_date": (
        "contractenddate", "contractend", "enddate", "renewaldate", "expirydate", "expirationdate", "contractto",
        "合同到期日", "合同到期日期", "合同结束日期", "合同截止日期", "合同到期", "到期日", "到期日期", "续约日期",
    ),
    "visit_date": ("visitdate", "date", "拜访日期", "拜访时间", "访问日期", "走访日期", "日期"),
    "kind": ("visittype", "visitkind", "kind", "type", "channel", "拜访方式", "拜访类型", "类型", "方式"),
    "opened_date": (
        "openeddate", "opendate", "createddate", "createdate", "ticketdate", "complaintdate", "reportdate", "date",
        "工单日期", "投诉日期", "创建日期", "提交日期", "开单日期", "报修日期", "日期",
    ),
    "resolved_date": (
        "resolveddate", "resolutiondate", "closeddate", "closedate", "解决日期", "关闭日期", "完成日期", "结案日期",
    ),
    "severity": ("severity", "priority", "level", "严重程度", "严重级别", "优先级", "级别", "等级"),
    "survey_date": ("surveydate", "responsedate", "date", "调查日期", "调研日期", "问卷日期", "日期"),
    "nps": ("nps", "npsscore", "netpromoterscore", "净推荐值", "nps值", "nps得分", "nps分数", "推荐值"),
    "scope": ("scope", "targetlevel", "scopetype", "对象类型", "目标对象类型", "层级", "维度", "范围"),
    "scope_id": (
        "scopeid", "targetowner", "owner", "kamanager", "manager", "accountid", "对象", "目标对象", "对象编号",
        "客户经理", "销售经理", "客户编号",
    ),
    "period": ("period", "quarter", "month", "year", "期间", "周期", "考核期间", "考核周期", "季度", "月份", "年度"),
    "metric": ("metric", "kpi", "indicator", "measure", "指标", "考核指标", "指标名称", "kpi名称"),
    "target": ("target", "targetvalue", "goal", "目标值", "目标", "指标值"),
    "name": ("projectname", "project", "name", "项目名称", "项目", "项目名", "名称"),
    "contact_name": (
        "contactname", "contact", "contactperson", "person", "fullname", "customercontact", "联系人", "联系人姓名",
        "客户联系人", "姓名", "对接人", "拜访对象", "接待人",
    ),
    "job_title": ("jobtitle", "title", "position", "role", "职位", "职务", "岗位", "头衔"),
    "level": ("level", "seniority", "contactlevel", "层级", "级别", "职级", "管理层级"),
    "buying_role": (
        "buyingrole", "roleinbuying", "decisionrole", "purchaserole", "influence", "采购角色", "决策角色", "角色",
        "影响力", "采购中的角色",
    ),
    "reports_to": ("reportsto", "manager", "boss", "superior", "汇报对象", "上级", "直属上级", "汇报给"),
    "email": ("email", "emailaddress", "mail", "e-mail", "邮箱", "电子邮件", "电子邮箱"),
    "phone": ("phone", "mobile", "telephone", "tel", "phonenumber", "电话", "手机", "联系电话", "手机号"),
    "is_active": ("active", "isactive", "status", "inactive", "在职", "是否在职", "有效", "是否有效", "状态"),
    "team_role": ("teamrole", "role", "ourrole", "团队角色", "角色", "岗位", "职责"),
    "member_name": (
        "membername", "member", "ourperson", "teammember", "colleague", "employee", "团队成员", "我方人员", "我方负责人",
        "成员", "员工", "姓名", "我方",
    ),
    "colour": ("colour", "color", "rating", "relationship", "status", "评估", "评估结果", "关系", "关系评估", "颜色", "红黄绿"),
    "assessed_on": ("assessedon", "assessmentdate", "date", "assessed", "评估日期", "评估时间", "日期"),
    "note": ("note", "notes", "comment", "comments", "remark", "备注", "说明", "评语"),
    "action_title": ("action", "actiontitle", "title", "task", "item", "行动", "行动项", "事项", "任务", "改进措施", "措施"),
    "owner": ("owner", "responsible", "assignee", "负责人", "责任人", "执行人"),
    "due_date": ("duedate", "due", "deadline", "targetdate", "截止日期", "完成期限", "到期日", "计划完成日期", "期限"),
    "status": ("status", "state", "状态", "进度", "执行状态"),
    "priority": ("priority", "prio", "优先级", "重要程度"),
    "reason_kind": ("reason", "source", "cause", "trigger", "原因", "来源", "触发原因", "创建原因"),
    "closing_note": ("closingnote", "closenote", "outcome", "result", "resolution", "关闭说明", "结果", "完成说明", "结论"),
    "closed_on": ("closedon", "closeddate", "completedon", "completiondate", "donedate", "关闭日期", "完成日期", "实际完成日期"),
    "landed_date": (
        "landeddate", "landingdate", "golivedate", "completiondate", "date", "落地日期", "上线日期", "完成日期",
        "验收日期", "日期",
    ),
}

# More names people give the KPIs in a targets sheet, beside each KPI's key and its name on the
# scorecards in both languages (收入 is the everyday word for the scorecards' 销售额).
METRIC_ALIASES: dict[str, tuple[str, ...]] = {
    "renewal_rate": ("续约率", "续签率", "renewal"),
    "nps": ("净推荐值", "netpromoterscore"),
    "churn_rate": ("流失率", "客户流失率", "churn"),
    "revenue": ("收入", "销售额", "营收", "销售收入", "净收入", "sales", "销售目标"),
    "revenue_growth": ("收入同比增长", "收入增长率", "增长率", "同比增长", "销售增长率", "growth"),
    "gp_contribution": ("毛利贡献", "毛利贡献率", "grossprofitcontribution"),
    "cross_sell_revenue": ("交叉销售", "交叉销售收入", "交叉销售额", "crosssell"),
    "strategic_projects": ("战略项目", "战略项目数", "战略项目落地", "projects"),
    "strategic_retention": ("战略客户留存率", "战略客户保留率"),
    "visits_per_month": ("拜访次数", "月均拜访", "拜访频率", "每月拜访次数", "visits"),
    "resolution_days": ("解决天数", "问题解决天数", "平均解决天数", "解决时长", "resolutiontime"),
    "actions_on_time": ("行动按时完成率", "按时完成率", "行动完成率", "ontimeactions"),
    "executive_visit_compliance": ("高层拜访达标率", "高层拜访", "executivevisits"),
    "relationship_coverage": ("关系覆盖率", "覆盖率", "coverage"),
}

MAPPING_PREFIX = "import_mapping_{kind}:"  # saved mappings per kind (transactions: import_mapping:)
# Reason codes of this module (the rest — field_count, bad_date, ... — are the transaction import's).
TABLE_REASONS = ("no_account", "no_value", "unknown_value", "bad_yes_no", "end_before_start",
                 "resolved_before_opened", "nps_range", "pct_range")


class TableImportRefused(ImportRefused):
    """A refusal whose text is in the import_activity catalog."""

    def message(self) -> str:
        return t(f"import_activity.refusal_{self.code}", **self.values)


@dataclass
class TableReport(ImportReport):
    """The validation report of an optional table. rows_to_import = new rows + updated rows;
    duplicates_skipped = checked rows already in the table (as they are); duplicate_lines_in_file =
    (upserts) earlier lines for a key a later line overrides."""

    kind: str = "accounts"
    rows_updated: int = 0
    accounts_unknown: int = 0   # rows for accounts the database does not have (yet); imported
    changed_columns: dict[str, int] | None = None  # accounts: column → accounts whose value changes

    @property
    def rows_new(self) -> int:
        return self.rows_to_import - self.rows_updated

    def rejected_csv(self) -> str:
        import csv
        import io

        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["file", "line", "reason", "field", "value"])
        for row in self.rejected:
            writer.writerow(export_row([row.file, row.line, reason_label(row.reason),
                                        field_label(row.field) if row.field else "", row.value or ""]))
        return out.getvalue()


class _RollBack(Exception):
    """Raised inside the transaction to roll a dry run back; carries the report out."""

    def __init__(self, report: TableReport):
        self.report = report


# --- labels and mappings --------------------------------------------------------------------
def reason_label(code: str) -> str:
    return t(f"import_activity.reason_{code}") if code in TABLE_REASONS else t(f"data_import.reason_{code}")


def field_label(name: str) -> str:
    return t(f"import_activity.field_{name}")


def kind_label(kind: str) -> str:
    return t(f"import_activity.kind_{kind}")


def propose_table_mapping(kind: str, headers: list[str]) -> dict[str, str]:
    return propose_mapping(headers, KINDS[kind].fields, SYNONYMS)


def missing_table_fields(kind: str, mapping: dict[str, str]) -> list[str]:
    """Required fields without a column; an account needs an id or a name column."""
    missing = []
    for name in KINDS[kind].required:
        if name == "account_id":
            if not mapping.keys() & set(ACCOUNT_FIELDS):
                missing.append(name)
        elif name not in mapping:
            missing.append(name)
    return missing


def save_table_mapping(con, kind: str, name: str, mapping: dict[str, str]) -> None:
    save_mapping(con, name, mapping, KINDS[kind].fields, MAPPING_PREFIX.format(kind=kind))


def load_table_mapping(con, kind: str, name: str) -> dict[str, str] | None:
    return load_mapping(con, name, MAPPING_PREFIX.format(kind=kind))


def table_mapping_names(con, kind: str) -> list[str]:
    return mapping_names(con, MAPPING_PREFIX.format(kind=kind))


def metric_aliases() -> pa.Table:
    """alias (normalised) → KPI name and whether it is a percentage, from ka.kpi and both catalogs."""
    rows: dict[str, tuple[str, bool]] = {}
    for kpi in scorecard_kpis.KPIS:
        names = [kpi.name, *METRIC_ALIASES.get(kpi.name, ())]
        names += [i18n.catalog(language).get(f"scorecards.kpi_name.{kpi.name}", "") for language in i18n.LANGUAGES]
        for name in names:
            if name:
                rows.setdefault(normalise(name), (kpi.name, kpi.unit == "pct"))
    return pa.table({
        "alias": list(rows), "metric": [m for m, _ in rows.values()], "is_pct": [p for _, p in rows.values()],
    })


# --- import ---------------------------------------------------------------------------------
def run_table_import(
    con, kind: str, sources: list[read.SourceFile], options: ImportOptions | None = None, *, dry_run: bool = False
) -> TableReport:
    """Import the files into one optional table as one batch (or only report). Raises ImportRefused."""
    spec = KINDS[kind]
    options = options or ImportOptions()
    parts = inspect_batch(sources, options)
    layouts, _ = plan_layouts(parts, options, spec.fields, SYNONYMS)
    if len(layouts) > 1:  # one mapping per table batch: files with other columns are imported on their own
        raise ImportRefused("headers_differ", first=parts[0].label, files=", ".join(layouts[1].files))
    mapping = layouts[0].mapping
    try:
        with db.write_transaction(con) as cur, tempfile.TemporaryDirectory(prefix="ka-import-") as temp_dir:
            window = options.date_window or load_date_window(con)  # (after the writer's checks of the folder)
            report = _stage(cur, spec, parts, mapping, options, Path(temp_dir), window)
            if dry_run or report.rows_to_import == 0:
                raise _RollBack(report)
            _merge(cur, spec, report, options)
            return report
    except _RollBack as done:
        done.report.dry_run = dry_run
        return done.report


def _stage(cur, spec: TableKind, parts, mapping: dict[str, str], options: ImportOptions, temp_dir: Path,
           window) -> TableReport:
    for sql_name in ("import_macros", "import_accounts_macros", "import_targets_macros", "import_people_macros"):
        cur.execute(db.load_sql(sql_name))
    report = TableReport(kind=spec.name, mapping=mapping, date_window=(window.first, window.last))
    broken_rows = _land(cur, parts, report, temp_dir)
    missing = missing_table_fields(spec.name, mapping)
    if missing:
        raise TableImportRefused("required_fields", fields=", ".join(field_label(name) for name in missing))
    day_first = _day_first(cur, spec, parts, mapping, options)
    report.date_order = {True: "dmy", False: "mdy", None: "none_needed"}[day_first]
    day_first = bool(day_first)
    picks = []
    for number, part in enumerate(parts):  # generated column names only (c0, c1, ...)
        columns = ", ".join(
            (f"c{part.headers.index(mapping[name])}" if name in mapping else "null::varchar") + f" as {name}_text"
            for name in spec.fields
        )
        picks.append(f"select {number}::integer as file_no, _line as line_no, {columns} from import_raw_{number}")
    if spec.name == "targets":
        cur.register("import_metric_arrow", metric_aliases())
        cur.execute("create or replace temp table import_metric_names as select * from import_metric_arrow")
        cur.unregister("import_metric_arrow")
    params = {"day_first": day_first, "date_first": window.first, "date_last": window.last,
              "hard_first": HARD_FIRST, "hard_last": HARD_LAST}
    parse_sql = db.load_sql(spec.sql_name("parse"), {"picked": " union all ".join(picks)})
    # (DuckDB refuses parameters a statement does not use)
    cur.execute(parse_sql, {name: value for name, value in params.items() if f"${name}" in parse_sql} or None)
    if "account_id" in spec.fields and "account_id" not in mapping:
        _match_names_to_accounts(cur)
    _check_mojibake(cur, spec)
    _find_new_rows(cur, spec, mapping)
    _count(cur, spec, report, broken_rows)
    if report.rows_read and report.rows_rejected / report.rows_read > REJECTED_SHARE_LIMIT:
        quoted = "\n".join(
            f"  {row.file} {row.line}: {reason_label(row.reason)} {row.value or ''}" for row in report.rejected[:QUOTED_LINES]
        )
        raise ImportRefused("mostly_rejected", rejected=report.rows_rejected, rows=report.rows_read, lines=quoted)
    return report


def _land(cur, parts, report: TableReport, temp_dir: Path) -> list[RejectedRow]:
    """Each part as temp view import_raw_<n>; rows with the wrong field count rejected with their
    line, or the whole batch refused when they are more than a few (the file's structure is wrong)."""
    broken_rows: list[RejectedRow] = []
    for number, part in enumerate(parts):
        refused = read.land(cur, [part], number, temp_dir)
        kept = cur.execute(db.with_identifiers("select count(*) from {raw}", raw=f"import_raw_{number}")).fetchall()[0][0]
        total = kept + len(refused)
        if len(refused) > BROKEN_ROWS_TOLERATED and len(refused) / total > BROKEN_SHARE_LIMIT:
            quoted = "\n".join(f"  {line}: {text}" for _, line, _, text in refused[:QUOTED_LINES])
            raise ImportRefused("broken_rows", file=part.label, broken=len(refused), rows=total, lines=quoted)
        for _, line, _, text in refused:
            broken_rows.append(RejectedRow(part.label, line, "field_count", None, (text or "")[:300]))
        report.files.append(FileSummary(
            part.label, part.sha256, part.encoding, part.delimiter, part.sheet, total, len(refused),
        ))
        report.rows_read += total
    return broken_rows


def _day_first(cur, spec: TableKind, parts, mapping: dict[str, str], options: ImportOptions) -> bool | None:
    """M/D or D/M for slash dates, over every date column: from the data when a number above 12
    decides it, else the user (ImportOptions.date_order); refused when neither can tell; None when
    no date needs an order (ISO dates, Chinese dates, Excel dates)."""
    if options.date_order in ("mdy", "dmy"):
        return options.date_order == "dmy"
    selects = [
        f"select ka_date_parts(c{part.headers.index(mapping[name])}) as parts from import_raw_{number}"
        for number, part in enumerate(parts) for name in spec.dates if name in mapping
    ]
    if not selects:
        return None
    return decide_day_first(cur, " union all ".join(selects))


def _match_names_to_accounts(cur) -> None:
    """A file with account names but no ids (a CRM export): a name that one stored account carries
    means that account; other names stay their own id, as in a transaction import without ids."""
    cur.execute(
        """
        update import_table_rows set account_id = known.account_id
        from (
            select account_name, any_value(account_id) as account_id
            from accounts
            where account_name is not null
            group by account_name
            having count(*) = 1
        ) as known
        where import_table_rows.account_id = known.account_name
        """
    )


def _check_mojibake(cur, spec: TableKind) -> None:
    """Refuse text decoded with the wrong code page (as the transaction import does)."""
    selects = [
        f"select min(line_no) as line_no, {name} as text from import_table_rows "
        f"where ka_is_mojibake({name}) group by all"
        for name in spec.columns if name in TEXT_COLUMNS
    ]
    rows = cur.execute(
        "select line_no, text from (" + " union all ".join(selects) + f") order by line_no limit {QUOTED_LINES}"
    ).fetchall()
    if rows:
        raise ImportRefused("mojibake", lines="\n".join(f"  {line}: {text}" for line, text in rows))


def _find_new_rows(cur, spec: TableKind, mapping: dict[str, str]) -> None:
    """import_table_ready: the rows the batch writes (upserts: with the values they replace)."""
    if spec.name in GENERIC_UPSERTS:
        cur.execute(db.load_sql("import_upsert_changes", _upsert_fragments(spec, mapping)))
        return
    if spec.upsert:
        cur.execute(db.load_sql(spec.sql_name("changes")))
        return
    cur.execute(db.load_sql("import_activity_new_rows", {
        "table": spec.table,
        "key": ", ".join(spec.key),
        "key_match": " and ".join(f"in_batch.{name} is not distinct from stored.{name}" for name in spec.key),
    }))


def _mapped_columns(spec: TableKind, mapping: dict[str, str]) -> set[str]:
    """The table columns a batch's mapping gives values for (the key and its defaults always)."""
    mapped = {FIELD_COLUMNS.get(name, name) for name in mapping}
    if "account_name" in mapping:
        mapped.add("account_id")
    return mapped | set(spec.key)


def _upsert_fragments(spec: TableKind, mapping: dict[str, str] | None = None) -> dict[str, str]:
    """The column lists of import_upsert_*.sql for one table (names from the fixed KINDS only)."""
    mapped = _mapped_columns(spec, mapping or {})
    values = [name for name in spec.columns if name not in spec.key]
    return {
        "table": spec.table,
        "key": ", ".join(spec.key),
        "key_match": " and ".join(f"stored.{name} = latest.{name}" for name in spec.key),
        "merged": ", ".join(
            f"latest.{name} as {name}" if name in mapped
            else f"case when stored.present then stored.{name} else latest.{name} end as {name}"
            for name in spec.columns
        ),
        "stored": ", ".join(f"stored.{name} as stored_{name}" for name in values),
        "new_values": ", ".join(values),
        "stored_values": ", ".join(f"stored_{name}" for name in values),
        "columns": ", ".join(spec.columns),
        "stored_columns": ", ".join(name if name in spec.key else f"stored_{name}" for name in spec.columns),
    }


def _count(cur, spec: TableKind, report: TableReport, broken_rows: list[RejectedRow]) -> None:
    value_rejects, checked = cur.execute(
        "select count(*) filter (where reason is not null), count(*) filter (where reason is null) from import_table_rows"
    ).fetchall()[0]
    report.rows_rejected = len(broken_rows) + value_rejects
    report.rows_to_import = cur.execute("select count(*) from import_table_ready").fetchall()[0][0]
    if spec.upsert:
        keys = ", ".join(spec.key)
        distinct_keys = cur.execute(
            f"select count(*) from (select distinct {keys} from import_table_rows where reason is null)"
        ).fetchall()[0][0]
        report.duplicate_lines_in_file = checked - distinct_keys
        report.rows_updated = cur.execute("select count(*) from import_table_ready where not was_new").fetchall()[0][0]
        report.duplicates_skipped = distinct_keys - report.rows_to_import
        report.new_accounts = report.rows_new if spec.name == "accounts" else 0
        report.existing_accounts = report.rows_updated if spec.name == "accounts" else 0
    else:
        report.duplicates_skipped = checked - report.rows_to_import
        report.accounts_unknown = cur.execute(
            "select count(distinct account_id) from import_table_ready "
            "where account_id not in (select account_id from accounts)"
        ).fetchall()[0][0]
    if spec.name == "accounts":
        report.changed_columns = dict(cur.execute(
            "select name, count(*) from (select unnest(changed) as name from import_table_ready where not was_new) "
            "group by name order by name"
        ).fetchall())
    if spec.main_date:
        report.first_date, report.last_date = cur.execute(
            db.with_identifiers("select min({date}), max({date}) from import_table_ready", date=spec.main_date)
        ).fetchall()[0]
    labels = [summary.name for summary in report.files]
    value_rows = cur.execute(
        "select file_no, line_no, reason, reason_field, reason_value from import_table_rows "
        "where reason is not null order by file_no, line_no limit ?",
        [REJECTED_KEPT],
    ).fetchall()
    order = {name: number for number, name in enumerate(labels)}
    report.rejected = sorted(
        broken_rows + [RejectedRow(labels[file_no], line, reason, name, value) for file_no, line, reason, name, value in value_rows],
        key=lambda row: (order[row.file], row.line),
    )[:REJECTED_KEPT]
    columns = ", ".join(spec.columns)
    cur.execute(db.with_identifiers("select {columns} from import_table_ready order by file_no, line_no limit 5", columns=columns))
    report.sample = [dict(zip(spec.columns, row)) for row in cur.fetchall()]


# --- merge ----------------------------------------------------------------------------------
def _execute_statements(cur, sql: str, params: dict) -> None:
    """A SQL file of several statements (DuckDB binds parameters only for a single statement);
    our files end each statement with ';' at the end of a line and hold no ';' elsewhere."""
    for statement in sql.split(";\n"):
        if statement.strip():  # DuckDB refuses parameters a statement does not use
            cur.execute(statement, {name: value for name, value in params.items() if f"${name}" in statement})


def _merge(cur, spec: TableKind, report: TableReport, options: ImportOptions) -> None:
    batch_id = cur.execute("select nextval('batch_id_seq')").fetchall()[0][0]
    if spec.name == "accounts":
        _execute_statements(cur, db.load_sql("import_accounts_merge"), {"batch_id": batch_id})
    elif spec.name in GENERIC_UPSERTS:
        _execute_statements(cur, db.load_sql("import_upsert_merge", _upsert_fragments(spec)), {"batch_id": batch_id})
    elif spec.name == "targets":
        cur.execute(
            "insert into import_replaced_targets select $batch_id, scope, scope_id, period, metric, previous_target "
            "from import_table_ready",
            {"batch_id": batch_id},
        )
        cur.execute(
            "delete from targets where (scope, scope_id, period, metric) in "
            "(select scope, scope_id, period, metric from import_table_ready)"
        )
        cur.execute(
            "insert into targets (scope, scope_id, period, metric, target) "
            "select scope, scope_id, period, metric, target from import_table_ready"
        )
    else:  # table and column names from the fixed KINDS dict
        columns = ", ".join(spec.columns)
        cur.execute(db.with_identifiers(
            "insert into {table} ({columns}) select {columns} from import_table_ready", table=spec.table, columns=columns))
        cur.execute(
            db.with_identifiers(
                "insert into {added} (batch_id, {columns}) select $batch_id, {columns} from import_table_ready",
                added=f"import_added_{spec.table}", columns=columns,
            ),
            {"batch_id": batch_id},
        )
    details = batch_details(report, rows_new=report.rows_new, rows_updated=report.rows_updated)
    cur.execute(
        "insert into import_batches (batch_id, kind, source, files, rows_imported, revenue_total) values (?, ?, ?, ?, ?, null)",
        [batch_id, spec.name, options.source, json.dumps(details, ensure_ascii=False, default=str), report.rows_to_import],
    )
    report.batch_id = batch_id
    report.dry_run = False


# --- undo -----------------------------------------------------------------------------------
def undo_import(con, batch_id: int) -> dict:
    """Undo any import batch: transactions through load.undo_batch, the optional tables here.

    Returns {batch_id, kind, rows, revenue (transactions only)}. All-or-nothing.
    """
    found = db.query_rows(con, "select kind from import_batches where batch_id = ?", [batch_id])
    if not found or found[0][0] not in KINDS:
        undone = undo_batch(con, batch_id)  # transactions, or the refusal for unknown / demo batches
        return {**undone, "kind": "transactions"}
    spec = KINDS[found[0][0]]
    with db.write_transaction(con) as cur:
        status = cur.execute("select status from import_batches where batch_id = ?", [batch_id]).fetchall()[0][0]
        if status != "active":
            raise ImportRefused("undo_done", batch=batch_id)
        if spec.name == "accounts":
            rows = _undo_accounts(cur, batch_id)
        elif spec.name == "targets":
            rows = _undo_targets(cur, batch_id)
        elif spec.name in GENERIC_UPSERTS:
            rows = _undo_upsert(cur, spec, batch_id)
        else:
            rows = cur.execute(
                f"select count(*) from import_added_{spec.table} where batch_id = ?", [batch_id]
            ).fetchall()[0][0]
            cur.execute(db.load_sql("import_activity_undo_rows", {
                "table": spec.table,
                "columns": ", ".join(spec.columns),
                "column_match": " and ".join(f"stored.{name} is not distinct from added.{name}" for name in spec.columns),
            }), {"batch_id": batch_id})
        cur.execute("update import_batches set status = 'undone' where batch_id = ?", [batch_id])
    return {"batch_id": batch_id, "kind": spec.name, "rows": rows, "revenue": None}


def _refuse_if_later(cur, batch_id: int, later_sql: str) -> None:
    """A later active batch changed the same rows: undoing this one first would lose its changes."""
    later = cur.execute(later_sql, {"batch_id": batch_id}).fetchall()[0][0]
    if later is not None:
        raise TableImportRefused("undo_later", batch=batch_id, later=later)


def _undo_accounts(cur, batch_id: int) -> int:
    _refuse_if_later(cur, batch_id, """
        select min(later.batch_id)
        from import_replaced_accounts as later
        join import_batches using (batch_id)
        where import_batches.status = 'active' and later.batch_id > $batch_id
          and later.account_id in (select account_id from import_replaced_accounts where batch_id = $batch_id)
    """)
    # accounts the batch created that order lines now use: those lines' batch goes first
    _refuse_if_later(cur, batch_id, """
        select min(batch_id) from transactions
        where account_id in (select account_id from import_replaced_accounts where batch_id = $batch_id and was_new)
    """)
    rows = cur.execute("select count(*) from import_replaced_accounts where batch_id = ?", [batch_id]).fetchall()[0][0]
    _execute_statements(cur, db.load_sql("import_accounts_undo"), {"batch_id": batch_id})
    return rows


def _undo_upsert(cur, spec: TableKind, batch_id: int) -> int:
    fragments = _upsert_fragments(spec)
    _refuse_if_later(cur, batch_id, db.load_sql("import_upsert_later", fragments))
    rows = cur.execute(
        db.with_identifiers("select count(*) from {replaced} where batch_id = ?", replaced=f"import_replaced_{spec.table}"),
        [batch_id],
    ).fetchall()[0][0]
    _execute_statements(cur, db.load_sql("import_upsert_undo", fragments), {"batch_id": batch_id})
    return rows


def _undo_targets(cur, batch_id: int) -> int:
    _refuse_if_later(cur, batch_id, """
        select min(later.batch_id)
        from import_replaced_targets as later
        join import_batches using (batch_id)
        where import_batches.status = 'active' and later.batch_id > $batch_id
          and (later.scope, later.scope_id, later.period, later.metric) in (
              select scope, scope_id, period, metric from import_replaced_targets where batch_id = $batch_id)
    """)
    rows = cur.execute("select count(*) from import_replaced_targets where batch_id = ?", [batch_id]).fetchall()[0][0]
    cur.execute(
        "delete from targets where (scope, scope_id, period, metric) in "
        "(select scope, scope_id, period, metric from import_replaced_targets where batch_id = ?)",
        [batch_id],
    )
    cur.execute(
        "insert into targets (scope, scope_id, period, metric, target) "
        "select scope, scope_id, period, metric, previous_target from import_replaced_targets "
        "where batch_id = ? and previous_target is not null",
        [batch_id],
    )
    return rows


# --- text report (CLI) ----------------------------------------------------------------------
def format_table_report(report: TableReport) -> str:
    """The validation report of an optional table as plain text."""
    if report.imported:
        head = t("data_import.text_imported", batch=report.batch_id)
    else:
        head = t("data_import.text_dry_run" if report.dry_run else "import_activity.text_nothing_new")
    lines = [f"{head} ({kind_label(report.kind)})", *format_files_and_mapping(report)]
    lines.append(t(
        "import_activity.text_counts", read=report.rows_read, new=report.rows_new, updated=report.rows_updated,
        rejected=report.rows_rejected, unchanged=report.duplicates_skipped, superseded=report.duplicate_lines_in_file,
    ))
    if report.first_date:
        lines.append(t("import_activity.text_dates", first=report.first_date, last=report.last_date))
    if report.accounts_unknown:
        lines.append(t("import_activity.text_unknown_accounts", accounts=report.accounts_unknown))
    for row in report.rejected[:10]:
        lines.append(f"  {row.file}:{row.line}  {reason_label(row.reason)}  {row.field or ''} {row.value or ''}")
    return "\n".join(lines)
