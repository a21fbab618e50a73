"""Map: which column of the file feeds which canonical field, proposed from English/Chinese synonyms.

A mapping is a dict canonical field → header text. It is proposed from the headers, corrected by
the user, and saved by name in `settings` (key `import_mapping:<name>`) to be reused.
"""

from __future__ import annotations

import re

from ka import db

# Canonical fields of a transaction line, in the order the page lists them.
FIELDS = (
    "order_date", "account_id", "account_name", "revenue", "quantity", "unit_price", "discount",
    "cost", "profit", "product", "category", "region", "industry", "ka_manager", "order_id",
)

# Normalised header names (lower case, no spaces/punctuation) per field, best match first.
SYNONYMS: dict[str, tuple[str, ...]] = {
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
# version of KA Radar keyed as "order id # line number" (see ka/importing/load.py, legacy keys).
LINE_NO_SYNONYMS = ("orderlinenumber", "linenumber", "lineno", "line", "行号")

SETTING_PREFIX = "import_mapping:"


def normalise(header: str) -> str:
    return re.sub(r"[\s_\-./()（）:：#]+", "", header).lower()


def propose_mapping(headers: list[str], fields=FIELDS, synonyms=SYNONYMS) -> dict[str, str]:
    """Best guess per field; each header feeds at most one field. (Other tables pass their own fields.)"""
    by_name = {}
    for header in headers:
        by_name.setdefault(normalise(header), header)
    used: set[str] = set()
    mapping: dict[str, str] = {}
    for field_name in fields:
        for synonym in synonyms[field_name]:
            header = by_name.get(synonym)
            if header and header not in used:
                mapping[field_name] = header
                used.add(header)
                break
    return mapping


def relevant_duplicates(duplicates: dict[str, list[int]], synonyms=SYNONYMS) -> dict[str, list[int]]:
    """Header names used twice that a proposal would have to choose between (a synonym of a field).
    Other repeated names, e.g. two 'Remarks' columns, are labelled by column ("Remarks #7") and left alone."""
    known = {synonym for names in synonyms.values() for synonym in names}
    return {name: columns for name, columns in duplicates.items() if normalise(name) in known}


def missing_required(mapping: dict[str, str]) -> list[str]:
    """Fields a batch cannot do without: a date, an account, and revenue (or quantity × unit price)."""
    missing = []
    if "order_date" not in mapping:
        missing.append("order_date")
    if "account_id" not in mapping and "account_name" not in mapping:
        missing.append("account_id")
    if "revenue" not in mapping and not {"quantity", "unit_price"} <= mapping.keys():
        missing.append("revenue")
    return missing


def clean_mapping(mapping: dict[str, str | None], fields=FIELDS) -> dict[str, str]:
    """Only known fields with a header chosen (the page sends None for 'not in this file')."""
    return {name: header for name, header in mapping.items() if name in fields and header}


# Other tables (ka/importing/activity.py) keep their mappings under their own prefix and fields.
def save_mapping(con, name: str, mapping: dict[str, str], fields=FIELDS, prefix: str = SETTING_PREFIX) -> None:
    db.put_setting(con, prefix + name, clean_mapping(mapping, fields))


def load_mapping(con, name: str, prefix: str = SETTING_PREFIX) -> dict[str, str] | None:
    return db.get_setting(con, prefix + name)


def mapping_names(con, prefix: str = SETTING_PREFIX) -> list[str]:
    return [key[len(prefix):] for key in db.setting_keys(con, prefix)]
