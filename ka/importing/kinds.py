"""What can be imported: one declarative spec per kind of file — transaction lines and the tables
beside them (accounts master, visits, tickets, surveys, targets, strategic projects, contacts, the
account team, relationship assessments, action plans).

A spec names the kind's canonical fields and their header synonyms (English and Chinese, normalised
by `mapping.normalise`), which of them a batch needs, its dates, the table and columns it writes, the
key that makes a re-import add nothing, and its merge rule:
- `lines` (transactions): appended by each line's own key (see ka/importing/transactions.py);
- `append` (visits, tickets, surveys, projects, relationships): a row is new when its key occurs more
  often in the file than in the table, so two identical real visits are both kept;
- `upsert` (accounts, targets, contacts, team, actions): one row per key, the file's last row wins;
  the values it replaces are kept for undo.
The parse SQL of a table kind is ka/sql/import_<table>_parse.sql. A new kind is a spec here plus its
parse SQL (and, for a merge rule of its own, the SQL of that rule).
"""

from __future__ import annotations

from dataclasses import dataclass

MERGE_RULES = ("lines", "append", "upsert")
# A required field is there when any one of its alternatives is mapped in full.
REQUIRED_ALTERNATIVES: dict[str, tuple[tuple[str, ...], ...]] = {
    "account_id": (("account_id",), ("account_name",)),        # an account: its id, or its name
    "revenue": (("revenue",), ("quantity", "unit_price")),    # a line's revenue, or quantity × unit price
}


@dataclass(frozen=True)
class Kind:
    """One kind of file: its fields, what a batch needs, what it writes and how its rows are keyed."""

    name: str                      # the kind: CLI --kind, import_batches.kind
    table: str
    fields: tuple[str, ...]        # canonical fields, in the order the page lists them
    required: tuple[str, ...]      # fields the mapping must have (see REQUIRED_ALTERNATIVES)
    dates: tuple[str, ...]         # date fields (read with the batch's date order)
    columns: tuple[str, ...]       # the table's columns this import writes
    key: tuple[str, ...]           # natural key (upserts: unique; appends: counted, see the module doc)
    merge: str = "append"          # one of MERGE_RULES
    main_date: str | None = None   # the date whose range the report shows
    synonyms: dict[str, tuple[str, ...]] | None = None  # None: TABLE_SYNONYMS
    per_header_mappings: bool = False  # files of several headers in one batch, each read with its own mapping
    drops_repeats: bool = False        # may drop exact repeats of a line within a file, on request

    def __post_init__(self) -> None:
        # the pipeline picks its stages by the merge rule: an unknown one would be merged as nothing at all
        if self.merge not in MERGE_RULES:
            raise ValueError(f"kind {self.name}: merge rule {self.merge!r} is not one of {MERGE_RULES}")
        unknown = [name for name in (*self.required, *self.dates) if name not in self.fields]
        if unknown:
            raise ValueError(f"kind {self.name}: required or date fields not among its fields: {unknown}")

    @property
    def upsert(self) -> bool:
        return self.merge == "upsert"

    @property
    def unit(self) -> str:
        """What the page and the CLI call its rows: transaction "lines", a table's "rows"."""
        return "lines" if self.merge == "lines" else "rows"

    @property
    def header_synonyms(self) -> dict[str, tuple[str, ...]]:
        return self.synonyms or TABLE_SYNONYMS

    @property
    def mapping_prefix(self) -> str:
        """Where its saved mappings live in the settings (the transactions' prefix predates the kinds)."""
        return "import_mapping:" if self.name == "transactions" else f"import_mapping_{self.name}:"

    def missing(self, mapping: dict[str, str]) -> list[str]:
        """The required fields the mapping gives no column for."""
        return [
            name for name in self.required
            if not any(set(alternative) <= mapping.keys() for alternative in REQUIRED_ALTERNATIVES.get(name, ((name,),)))
        ]

    def sql_name(self, step: str) -> str:
        """The named query of one step for this kind: ka/sql/import_<table>_<step>.sql."""
        return f"import_{self.table}_{step}"


# Canonical fields of a transaction line, in the order the page lists them.
LINE_FIELDS = (
    "order_date", "account_id", "account_name", "revenue", "quantity", "unit_price", "discount",
    "cost", "profit", "product", "category", "region", "industry", "ka_manager", "order_id",
)

# Normalised header names (lower case, no spaces/punctuation) per field, best match first.
LINE_SYNONYMS: dict[str, tuple[str, ...]] = {
    "order_date": (
        "orderdate", "invoicedate", "transactiondate", "salesdate", "documentdate", "billingdate", "date",
        "订单日期", "下单日期", "销售日期", "交易日期", "开票日期", "单据日期", "日期",
    ),
    "account_id": (
        "customerid", "customerno", "customernumber", "customercode", "custid", "clientid", "accountid",
        "accountno", "accountnumber", "客户编号", "客户id", "客户代码", "客户编码", "客户号",
    ),
    "account_name": (
        "customername", "accountname", "clientname", "companyname", "customer", "client", "account", "company",
        "客户名称", "客户名", "公司名称", "单位名称", "客户",
    ),
    "revenue": (
        "sales", "revenue", "netsales", "salesamount", "amount", "netamount", "linetotal", "total", "totalprice",
        "销售额", "销售金额", "金额", "收入", "营收", "成交金额", "实收金额",
    ),
    "quantity": ("quantity", "quantityordered", "qty", "units", "数量", "销量", "销售数量"),
    "unit_price": ("unitprice", "priceeach", "price", "单价", "销售单价"),
    "discount": ("discount", "折扣"),
    "cost": ("cost", "cogs", "costofsales", "成本", "销售成本"),
    "profit": ("profit", "grossprofit", "利润", "毛利", "毛利润"),
    "product": (
        "productname", "product", "description", "itemname", "item", "产品名称", "商品名称", "产品", "商品", "品名",
        "productcode", "stockcode", "sku", "productid", "产品编号", "商品编码",
    ),
    "category": ("category", "productcategory", "productline", "类别", "品类", "产品类别", "分类", "产品线"),
    "region": ("region", "territory", "salesregion", "area", "地区", "区域", "大区", "销售区域", "country", "国家"),
    "industry": ("industry", "segment", "sector", "行业", "客户类型", "细分市场"),
    "ka_manager": (
        "kamanager", "accountmanager", "salesrep", "salesperson", "owner", "客户经理", "销售代表", "业务员", "销售员", "负责人",
    ),
    "order_id": (
        "orderid", "orderno", "ordernumber", "invoiceno", "invoicenumber", "invoice", "订单号", "订单编号", "单号", "发票号",
    ),
}
# The line-number-in-order column. Lines are no longer keyed by it; it only finds the lines an older
# version of KA Radar keyed as "order id # line number" (see ka/importing/transactions.py, legacy keys).
LINE_NO_SYNONYMS = ("orderlinenumber", "linenumber", "lineno", "line", "行号")


# Normalised header names (see mapping.normalise) per field, best match first; the account,
# region, industry and manager columns also take the transaction synonyms.
TABLE_SYNONYMS: dict[str, tuple[str, ...]] = {
    "account_id": LINE_SYNONYMS["account_id"],
    "account_name": LINE_SYNONYMS["account_name"],
    "account_name_en": (
        "accountnameen", "englishname", "customernameen", "nameen", "englishaccountname", "englishcustomername",
        "英文名称", "英文名", "客户英文名称", "英文客户名称", "客户英文名",
    ),
    "industry": ("所属行业", "行业分类", "行业类别", "industryname", *LINE_SYNONYMS["industry"]),
    "region": ("所属区域", "所属地区", "所属大区", *LINE_SYNONYMS["region"]),
    "ka_manager": ("销售经理", "大客户经理", "客户负责人", "kam", *LINE_SYNONYMS["ka_manager"]),
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


ACCOUNT_FIELDS = ("account_id", "account_name")
TABLE_KINDS: dict[str, Kind] = {
    "accounts": Kind(
        "accounts", "accounts",
        ("account_id", "account_name", "account_name_en", "industry", "region", "ka_manager", "is_strategic",
         "contract_start_date", "contract_end_date"),
        ("account_id",), ("contract_start_date", "contract_end_date"),
        ("account_id", "account_name", "account_name_en", "industry", "region", "ka_manager", "is_strategic",
         "contract_start_date", "contract_end_date"),
        ("account_id",), merge="upsert", main_date="contract_end_date",
    ),
    "visits": Kind(
        "visits", "visits", (*ACCOUNT_FIELDS, "visit_date", "kind", "contact_name"), ("account_id", "visit_date"),
        ("visit_date",), ("account_id", "visit_date", "kind", "contact_name"), ("account_id", "visit_date", "kind"),
        main_date="visit_date",
    ),
    "tickets": Kind(
        "tickets", "tickets", (*ACCOUNT_FIELDS, "opened_date", "resolved_date", "severity"),
        ("account_id", "opened_date"), ("opened_date", "resolved_date"),
        ("account_id", "opened_date", "resolved_date", "severity"), ("account_id", "opened_date", "severity"),
        main_date="opened_date",
    ),
    "surveys": Kind(
        "surveys", "surveys", (*ACCOUNT_FIELDS, "survey_date", "nps"), ("account_id", "survey_date", "nps"),
        ("survey_date",), ("account_id", "survey_date", "nps"), ("account_id", "survey_date", "nps"),
        main_date="survey_date",
    ),
    "targets": Kind(
        "targets", "targets", ("scope", "scope_id", "period", "metric", "target"),
        ("scope_id", "period", "metric", "target"), (),
        ("scope", "scope_id", "period", "metric", "target"), ("scope", "scope_id", "period", "metric"), merge="upsert",
    ),
    "projects": Kind(
        "projects", "strategic_projects", (*ACCOUNT_FIELDS, "name", "landed_date"), ("account_id", "name"),
        ("landed_date",), ("account_id", "landed_date", "name"), ("account_id", "name"), main_date="landed_date",
    ),
    "contacts": Kind(
        "contacts", "contacts",
        (*ACCOUNT_FIELDS, "contact_name", "job_title", "level", "buying_role", "reports_to", "email", "phone",
         "is_active"),
        ("account_id", "contact_name"), (),
        ("account_id", "contact_name", "title", "level", "buying_role", "reports_to", "email", "phone", "is_active"),
        ("account_id", "contact_name"), merge="upsert",
    ),
    "team": Kind(
        "team", "account_team", (*ACCOUNT_FIELDS, "team_role", "member_name"), ("account_id", "team_role", "member_name"),
        (), ("account_id", "team_role", "member_name"), ("account_id", "team_role"), merge="upsert",
    ),
    "relationships": Kind(
        "relationships", "relationships",
        (*ACCOUNT_FIELDS, "contact_name", "member_name", "colour", "assessed_on", "note"),
        ("account_id", "contact_name", "member_name", "colour", "assessed_on"), ("assessed_on",),
        ("account_id", "contact_name", "member_name", "colour", "assessed_on", "note"),
        ("account_id", "contact_name", "member_name", "assessed_on", "colour"), main_date="assessed_on",
    ),
    "actions": Kind(
        "actions", "actions",
        (*ACCOUNT_FIELDS, "action_title", "owner", "due_date", "status", "priority", "reason_kind", "closing_note",
         "closed_on"),
        ("account_id", "action_title", "due_date"), ("due_date", "closed_on"),
        ("account_id", "title", "owner", "due_date", "status", "priority", "reason_kind", "closing_note", "closed_on"),
        ("account_id", "title", "due_date"), merge="upsert", main_date="due_date",
    ),
}

TRANSACTIONS = Kind(
    "transactions", "transactions", LINE_FIELDS, ("order_date", "account_id", "revenue"), ("order_date",),
    ("txn_key", "order_id", "order_date", "account_id", "account_name", "product", "category", "quantity", "revenue",
     "cost", "region", "ka_manager"),
    ("txn_key",), merge="lines", main_date="order_date", synonyms=LINE_SYNONYMS, per_header_mappings=True,
    drops_repeats=True,
)
KINDS: dict[str, Kind] = {"transactions": TRANSACTIONS, **TABLE_KINDS}  # what the page and the CLI offer, in order
