"""A deterministic demo portfolio: same seed, same database, byte for byte in every figure.

Built with numpy arrays handed to DuckDB in chunks (never row by row), so
`--accounts 5000 --rows 10000000` finishes in minutes on two cores.

The portfolio has stories the dashboard must reveal; each is recorded in `demo_stories`:
- decline_churn: large accounts decline over about seven months (steeply at first) and then stop ordering;
- ramp_up: accounts whose revenue grows steadily;
- new_account: accounts that start buying in the last year;
- complaints_rising: an account whose tickets climb and take longer to resolve;
- industry_concentration: the portfolio leans on manufacturing (its largest accounts are listed).

Contacts, account teams, relationship assessments and action plans come from ka/demo_people.py
(declining accounts' relationships sour before their revenue falls; some actions are overdue).

A company starts with its own data in one of two ways: `start_empty` marks a database that must
never get the demo (`python -m ka init`), and `remove_demo` takes the demo out of a database
that has it, keeping whatever was imported beside it. The `demo` setting says which it is.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from ka import db, demo_people, store
from ka.periods import add_months, month_end

DEMO_END = date(2026, 10, 31)  # fixed, so the demo never depends on today's date
SETTING = "demo"  # {"is_demo": true, ...} | {"is_demo": false, "started_empty": true} | {"is_demo": false, "removed_at": ...}

REGIONS = ["华东", "华北", "华南", "西部"]
MANAGERS = [  # two per region, in REGIONS order
    "张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊", "赵敏", "黄强",
]
INDUSTRIES = [
    # name, share of accounts, English
    ("制造业", 0.22, "Manufacturing"),
    ("零售", 0.16, "Retail"),
    ("医药", 0.12, "Healthcare"),
    ("金融", 0.10, "Finance"),
    ("能源", 0.10, "Energy"),
    ("物流", 0.12, "Logistics"),
    ("教育", 0.08, "Education"),
    ("科技", 0.10, "Technology"),
]
INDUSTRY_SUFFIX = {
    "制造业": ("精密制造有限公司", "Precision Manufacturing Co., Ltd."),
    "零售": ("商贸连锁有限公司", "Retail Chain Co., Ltd."),
    "医药": ("医药集团有限公司", "Pharmaceutical Group Co., Ltd."),
    "金融": ("金融服务有限公司", "Financial Services Co., Ltd."),
    "能源": ("能源股份有限公司", "Energy Co., Ltd."),
    "物流": ("供应链管理有限公司", "Supply Chain Co., Ltd."),
    "教育": ("教育科技有限公司", "Education Technology Co., Ltd."),
    "科技": ("信息技术有限公司", "Information Technology Co., Ltd."),
}
CITIES = [
    ("上海", "Shanghai"), ("北京", "Beijing"), ("深圳", "Shenzhen"), ("杭州", "Hangzhou"),
    ("成都", "Chengdu"), ("武汉", "Wuhan"), ("南京", "Nanjing"), ("苏州", "Suzhou"),
    ("天津", "Tianjin"), ("重庆", "Chongqing"), ("广州", "Guangzhou"), ("西安", "Xi'an"),
    ("青岛", "Qingdao"), ("宁波", "Ningbo"), ("厦门", "Xiamen"), ("长沙", "Changsha"),
]
BRANDS = [
    ("华信", "Huaxin"), ("恒达", "Hengda"), ("瑞丰", "Ruifeng"), ("宏远", "Hongyuan"),
    ("金桥", "Jinqiao"), ("中联", "Zhonglian"), ("鼎盛", "Dingsheng"), ("启明", "Qiming"),
    ("博远", "Boyuan"), ("海川", "Haichuan"), ("天成", "Tiancheng"), ("永安", "Yong'an"),
    ("德胜", "Desheng"), ("嘉禾", "Jiahe"), ("正泰", "Zhengtai"), ("远景", "Yuanjing"),
    ("新元", "Xinyuan"), ("万通", "Wantong"), ("锦程", "Jincheng"), ("明阳", "Mingyang"),
]
# category, unit price range (yuan), gross margin, probability of a line
CATEGORIES = [
    ("工业设备", (8000, 60000), 0.22, 0.14),
    ("零部件", (50, 900), 0.30, 0.26),
    ("耗材", (20, 300), 0.42, 0.22),
    ("软件许可", (3000, 30000), 0.68, 0.10),
    ("技术服务", (1000, 12000), 0.55, 0.12),
    ("物流服务", (200, 3000), 0.18, 0.10),
    ("培训", (800, 6000), 0.60, 0.06),
]
# The demo's dimension values in English, for the English UI (a company's own values are shown as it wrote them).
ENGLISH_NAMES = {
    "region": {"华东": "East China", "华北": "North China", "华南": "South China", "西部": "West China"},
    "ka_manager": {
        "张伟": "Zhang Wei", "王芳": "Wang Fang", "李娜": "Li Na", "刘洋": "Liu Yang",
        "陈静": "Chen Jing", "杨磊": "Yang Lei", "赵敏": "Zhao Min", "黄强": "Huang Qiang",
    },
    "industry": {name: english for name, _, english in INDUSTRIES},
    "category": {
        "工业设备": "Industrial equipment", "零部件": "Components", "耗材": "Consumables",
        "软件许可": "Software licences", "技术服务": "Technical services", "物流服务": "Logistics services",
        "培训": "Training",
    },
}
PRODUCTS_PER_CATEGORY = 6
SEASONALITY = np.array([0.95, 0.70, 1.00, 1.00, 1.05, 1.15, 0.95, 0.95, 1.05, 1.00, 1.12, 1.25])
RETURN_RATE = 0.015
LINES_PER_ORDER = 3
ACTIVITY_INSERTS = {
    table: db.with_identifiers("insert into {table} by name select * from demo_activity", table=table)
    for table in ("visits", "tickets", "surveys", "strategic_projects", "contacts", "account_team", "relationships",
                  "actions")
}


@dataclass(frozen=True)
class DemoSpec:
    accounts: int = 200
    rows: int = 120_000
    years: int = 3
    seed: int = 42
    end: date = DEMO_END

    @property
    def first_month(self) -> date:
        return add_months(self.end.replace(day=1), -12 * self.years + 1)

    @property
    def months(self) -> int:
        return 12 * self.years


def _products(rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    for c, (category, (low, high), margin, _) in enumerate(CATEGORIES):
        for p in range(PRODUCTS_PER_CATEGORY):
            price = round(float(rng.uniform(low, high)), 0)
            rows.append((c * PRODUCTS_PER_CATEGORY + p, f"{category}-{chr(65 + p)}{100 + c * 10 + p}", category, price, margin))
    return pd.DataFrame(rows, columns=["product_idx", "product", "category", "unit_price", "margin"])


def _accounts(spec: DemoSpec, rng: np.random.Generator) -> pd.DataFrame:
    n = spec.accounts
    rank = np.arange(n)
    size = (1.0 / (rank + 1) ** 1.1) * rng.lognormal(0, 0.25, n)  # Zipf-like: a few accounts carry most revenue
    size = np.sort(size)[::-1]  # account 1 is the largest
    shares = np.array([s for _, s, _ in INDUSTRIES])
    industry = rng.choice(len(INDUSTRIES), n, p=shares)
    big = rank < max(3, n // 5)  # the portfolio leans on manufacturing among its large accounts
    industry[big & (rng.random(n) < 0.45)] = 0
    region = rng.integers(0, len(REGIONS), n)
    manager = region * 2 + rng.integers(0, 2, n)
    is_strategic = (rank < max(2, n // 10)) & (rng.random(n) < 0.8)
    # contracts end between six months before and eighteen months after the data's end
    contract_years = rng.integers(1, 4, n)
    end_offset = rng.integers(-6, 19, n)
    contract_end = [add_months(spec.end.replace(day=1), int(k)) - timedelta(days=1) for k in end_offset]
    contract_start = [
        add_months(end + timedelta(days=1), -12 * int(years)) for end, years in zip(contract_end, contract_years)
    ]
    names_zh, names_en, seen = [], [], {}
    for i in range(n):
        city_zh, city_en = CITIES[(i * 7 + int(region[i]) * 3) % len(CITIES)]
        brand_zh, brand_en = BRANDS[(i * 11 + i // len(BRANDS)) % len(BRANDS)]
        ind_name = INDUSTRIES[int(industry[i])][0]
        suffix_zh, suffix_en = INDUSTRY_SUFFIX[ind_name]
        base_zh, base_en = f"{city_zh}{brand_zh}{suffix_zh}", f"{city_en} {brand_en} {suffix_en}"
        count = seen.get(base_zh, 0)
        seen[base_zh] = count + 1
        names_zh.append(base_zh if count == 0 else f"{base_zh}（{count + 1}）")
        names_en.append(base_en if count == 0 else f"{base_en} ({count + 1})")
    return pd.DataFrame(
        {
            "account_idx": rank,
            "account_id": [f"KA{i + 1:05d}" for i in rank],
            "account_name": names_zh,
            "account_name_en": names_en,
            "industry": [INDUSTRIES[k][0] for k in industry],
            "region": [REGIONS[k] for k in region],
            "ka_manager": [MANAGERS[k] for k in manager],
            "is_strategic": is_strategic,
            "contract_start_date": contract_start,
            "contract_end_date": contract_end,
            "size": size,
        }
    )


def _stories(spec: DemoSpec, accounts: pd.DataFrame, rng: np.random.Generator) -> tuple[np.ndarray, list[tuple]]:
    """Multiplier per account × month, and the story rows. Stories sit on fixed ranks."""
    n, m = spec.accounts, spec.months
    months = np.arange(m)
    multiplier = np.ones((n, m))
    stories: list[tuple] = []

    def month_date(k: int) -> date:
        return add_months(spec.first_month, int(k))

    def pick(rank: int) -> int | None:
        return rank if rank < n else None

    # a large account declines over six months, then stops ordering four months before the end
    # (the fall is front-loaded, as when a competitor wins the main product line first)
    for rank in (2, 11, 13):
        if (i := pick(rank)) is None:
            continue
        stop = m - 4 - (rank % 3)
        decline_start = stop - 7
        ramp = np.clip((months - decline_start) / 7.0, 0, 1)
        multiplier[i] *= np.where(months >= stop, 0.0, 1.0 - 0.9 * np.sqrt(ramp))
        stories.append((accounts.account_id[i], "decline_churn", month_date(decline_start)))
    # accounts that ramp up over the last 18 months
    for rank in (5, 19, 44):
        if (i := pick(rank)) is None:
            continue
        start = m - 18
        multiplier[i] *= np.where(months < start, 0.45, 0.45 + 1.6 * (months - start) / 17.0)
        stories.append((accounts.account_id[i], "ramp_up", month_date(start)))
    # new accounts in the last year
    for rank, first in ((29, m - 12), (53, m - 9), (71, m - 6)):
        if (i := pick(rank)) is None:
            continue
        multiplier[i] *= np.where(months < first, 0.0, np.clip((months - first + 1) / 4.0, 0, 1))
        stories.append((accounts.account_id[i], "new_account", month_date(first)))
    # complaints climb (tickets are generated from the story below)
    if (i := pick(7)) is not None:
        stories.append((accounts.account_id[i], "complaints_rising", month_date(m - 7)))
    # the industry lean: the largest manufacturing accounts
    manufacturing = accounts.index[accounts.industry == INDUSTRIES[0][0]][:5]
    for i in manufacturing:
        stories.append((accounts.account_id[i], "industry_concentration", spec.first_month))

    # background churn and acquisition among the rest, so that churn rates and backtests have material
    storied = {s[0] for s in stories}
    for i in range(10, n):
        if accounts.account_id[i] in storied:
            continue
        draw = rng.random()
        if draw < 0.07:
            stop = int(rng.integers(8, m - 2))
            ramp = np.clip((months - (stop - 4)) / 4.0, 0, 1)
            multiplier[i] *= np.where(months >= stop, 0.0, 1.0 - 0.7 * ramp)
        elif draw < 0.17:
            first = int(rng.integers(3, m - 3))
            multiplier[i] *= np.where(months < first, 0.0, 1.0)
    return multiplier, stories


def _monthly_expectation(spec: DemoSpec, accounts: pd.DataFrame, multiplier: np.ndarray, rng) -> np.ndarray:
    """Expected revenue (yuan) per account × month: size × seasonality × trend × story."""
    m = spec.months
    months = np.arange(m)
    calendar_month = np.array([add_months(spec.first_month, int(k)).month for k in months]) - 1
    trend_per_year = 0.08 + rng.normal(0, 0.12, spec.accounts)
    trend = (1 + trend_per_year[:, None]) ** ((months[None, :] - m) / 12.0)
    noise = rng.lognormal(0, 0.12, (spec.accounts, m))
    yearly_total = 6.0e8 * (spec.accounts / 200) ** 0.8  # ~600 M yuan a year for 200 accounts
    size = accounts["size"].to_numpy()
    base = yearly_total / 12 * size / size.sum()
    return base[:, None] * SEASONALITY[calendar_month][None, :] * trend * noise * multiplier


def _lines_per_cell(expected: np.ndarray, rows: int, rng) -> np.ndarray:
    weight = np.where(expected > 0, expected ** 0.6, 0)
    exact = rows * weight / weight.sum()
    lines = np.floor(exact).astype(np.int64)
    lines += (rng.random(lines.shape) < (exact - lines)).astype(np.int64)
    lines[(expected > 0) & (lines == 0)] = 1
    return lines


def _transaction_chunk(
    spec: DemoSpec, cells: np.ndarray, lines: np.ndarray, expected: np.ndarray,
    products: pd.DataFrame, first_line: int, rng: np.random.Generator,
) -> pd.DataFrame:
    """Order lines for the given (flattened account×month) cells, as plain numbers for DuckDB."""
    m = spec.months
    count = lines[cells]
    cell = np.repeat(cells, count)
    total = cell.size
    account_idx, month_idx = cell // m, cell % m
    per_line = expected.ravel()[cell] / np.repeat(count, count)

    category_p = np.array([c[3] for c in CATEGORIES])
    category = rng.choice(len(CATEGORIES), total, p=category_p / category_p.sum())
    product_idx = category * PRODUCTS_PER_CATEGORY + rng.integers(0, PRODUCTS_PER_CATEGORY, total)
    price_cents = (products.unit_price.to_numpy()[product_idx] * 100).astype(np.int64)
    target = per_line * rng.lognormal(0, 0.45, total)
    quantity = np.clip(np.rint(target * 100 / price_cents), 1, 50_000).astype(np.int64)
    is_return = rng.random(total) < RETURN_RATE
    quantity = np.where(is_return, -np.maximum(1, quantity // 4), quantity)
    revenue_cents = quantity * price_cents
    margin = products.margin.to_numpy()[product_idx] + rng.normal(0, 0.04, total)
    cost_cents = np.rint(revenue_cents * (1 - margin)).astype(np.int64)

    # lines of a cell are grouped into orders; every line of an order shares its date
    orders_in_cell = np.maximum(1, np.repeat(count, count) // LINES_PER_ORDER)
    order_no = (rng.random(total) * orders_in_cell).astype(np.int64)
    first_of_month = np.array([add_months(spec.first_month, int(k)) for k in range(m)], dtype="datetime64[D]")
    days_in_month = np.array([month_end(add_months(spec.first_month, int(k))).day for k in range(m)])
    day = (account_idx * 7919 + month_idx * 104729 + order_no * 15485863 + spec.seed) % days_in_month[month_idx]
    order_date = first_of_month[month_idx] + day.astype("timedelta64[D]")
    return pd.DataFrame(
        {
            "line_no": np.arange(first_line, first_line + total, dtype=np.int64),
            "account_idx": account_idx,
            "month_idx": month_idx,
            "order_no": order_no,
            "order_date": order_date,
            "product_idx": product_idx,
            "quantity": quantity,
            "revenue_cents": revenue_cents,
            "cost_cents": cost_cents,
        }
    )


def _activity(spec: DemoSpec, accounts: pd.DataFrame, expected: np.ndarray, stories, rng) -> dict[str, pd.DataFrame]:
    n, m = spec.accounts, spec.months
    months = [add_months(spec.first_month, k) for k in range(m)]
    active = expected > 0
    size_rank = np.arange(n)
    story_of = {}
    for account_id, story, start in stories:
        story_of.setdefault(account_id, set()).add(story)

    visit_rate = np.where(size_rank < n * 0.1, 2.0, np.where(size_rank < n * 0.4, 1.0, 0.3))
    visits, tickets, surveys, projects = [], [], [], []
    for i in range(n):
        account_id = accounts.account_id[i]
        stories_here = story_of.get(account_id, set())
        for k in range(m):
            if not active[i, k]:
                continue
            month = months[k]
            rate = visit_rate[i] * (0.3 if "decline_churn" in stories_here and k > m - 12 else 1.0)
            for _ in range(rng.poisson(rate)):
                visits.append((account_id, month.replace(day=int(rng.integers(1, 28))), str(rng.choice(["onsite", "online", "qbr"], p=[0.5, 0.4, 0.1]))))
            ticket_rate, resolve_days = 0.25, 4.0
            if "complaints_rising" in stories_here and k >= m - 7:
                ticket_rate, resolve_days = 0.5 + 0.6 * (k - (m - 7)), 6.0 + 3 * (k - (m - 7))
            if "decline_churn" in stories_here and k > m - 12:
                ticket_rate, resolve_days = 1.5, 12.0
            for _ in range(rng.poisson(ticket_rate)):
                opened = month.replace(day=int(rng.integers(1, 28)))
                days = int(rng.exponential(resolve_days)) + 1
                resolved = (pd.Timestamp(opened) + pd.Timedelta(days=days)).date()
                tickets.append((account_id, opened, resolved if resolved <= spec.end else None, str(rng.choice(["low", "medium", "high"], p=[0.5, 0.35, 0.15]))))
            if k % 3 == 2 and size_rank[i] < n * 0.5:
                nps = int(np.clip(rng.normal(35, 25), -100, 100))
                if "decline_churn" in stories_here and k > m - 14:
                    nps = int(np.clip(rng.normal(-30, 15), -100, 100))
                if "complaints_rising" in stories_here and k >= m - 7:
                    nps = int(np.clip(rng.normal(-10, 15), -100, 100))
                surveys.append((account_id, month_end(month), nps))
        if accounts.is_strategic[i] and rng.random() < 0.7:
            for p in range(int(rng.integers(1, 4))):
                landed = months[int(rng.integers(0, m))]
                projects.append((account_id, landed.replace(day=15), f"战略项目 {account_id}-{p + 1}"))
    return {
        "visits": pd.DataFrame(visits, columns=["account_id", "visit_date", "kind"]),
        "tickets": pd.DataFrame(tickets, columns=["account_id", "opened_date", "resolved_date", "severity"]),
        "surveys": pd.DataFrame(surveys, columns=["account_id", "survey_date", "nps"]),
        "strategic_projects": pd.DataFrame(projects, columns=["account_id", "landed_date", "name"]),
    }


def build_demo(con: duckdb.DuckDBPyConnection, spec: DemoSpec = DemoSpec(), chunk_rows: int = 2_000_000) -> dict:
    """Fill an empty database with the demo portfolio. Returns a summary."""
    if db.query_rows(con, "select count(*) from transactions")[0][0]:
        raise db.DataError("demo_needs_empty_database")
    rng = np.random.default_rng(spec.seed)
    products = _products(rng)
    accounts = _accounts(spec, rng)
    multiplier, stories = _stories(spec, accounts, rng)
    expected = _monthly_expectation(spec, accounts, multiplier, rng)
    lines = _lines_per_cell(expected, spec.rows, rng).ravel()
    activity = _activity(spec, accounts, expected, stories, rng)
    activity.update(demo_people.build_people(spec, accounts, stories, activity["visits"]))

    with db.write_transaction(con) as cur:
        batch_id = cur.execute("select nextval('batch_id_seq')").fetchall()[0][0]
        cur.register("demo_products", products)
        cur.register("demo_accounts", accounts)
        cells = np.flatnonzero(lines)
        cumulative = np.cumsum(lines[cells])
        first_line, start = 0, 0
        while start < cells.size:
            stop = int(np.searchsorted(cumulative, (cumulative[start - 1] if start else 0) + chunk_rows, side="right"))
            stop = max(stop, start + 1)
            chunk = _transaction_chunk(spec, cells[start:stop], lines, expected, products, first_line, rng)
            cur.register("demo_chunk", chunk)
            cur.execute(db.load_sql("demo_insert_transactions"), {"batch_id": batch_id})
            cur.unregister("demo_chunk")
            first_line += len(chunk)
            start = stop
        cur.execute(db.load_sql("demo_insert_accounts"))
        for table, frame in activity.items():
            cur.register("demo_activity", frame)
            cur.execute(ACTIVITY_INSERTS[table])
            cur.unregister("demo_activity")
        cur.register("demo_story_rows", pd.DataFrame(stories, columns=["account_id", "story", "start_date"]))
        cur.execute("insert into demo_stories select * from demo_story_rows")
        cur.execute(db.load_sql("demo_insert_targets"))
        db.refresh_account_month(cur)
        cur.execute(
            """
            insert into import_batches (batch_id, kind, source, files, rows_imported, revenue_total)
            select ?, 'demo', 'demo', ?, count(*), sum(revenue) from transactions
            """,
            [batch_id, json.dumps({"accounts": spec.accounts, "rows": spec.rows, "years": spec.years, "seed": spec.seed})],
        )
        cur.execute(
            "insert or replace into settings values ('demo', ?, current_timestamp)",
            [json.dumps({"is_demo": True, "seed": spec.seed, "accounts": spec.accounts, "rows": spec.rows})],
        )
    summary = db.query_dicts(
        con, "select count(*) as rows, count(distinct account_id) as accounts, sum(revenue) as revenue, "
        "min(order_date) as first_date, max(order_date) as last_date from transactions"
    )[0]
    return summary


def is_demo(con: duckdb.DuckDBPyConnection) -> bool:
    """The data is the demo portfolio (the demo build marks its version so; a restore keeps it)."""
    return bool(_demo_marker(con).get("is_demo"))


def _demo_marker(con: duckdb.DuckDBPyConnection) -> dict:
    """The `demo` row of the database's own settings table: it travels with the data it describes."""
    rows = db.query_rows(con, "select value from settings where key = ?", [SETTING])
    return json.loads(rows[0][0]) if rows else {}


def _write_demo_marker(cursor: duckdb.DuckDBPyConnection, marker: dict) -> None:
    cursor.execute("insert or replace into settings values (?, ?, current_timestamp)", [SETTING, json.dumps(marker)])


def build_demo_file(path, spec: DemoSpec = DemoSpec()) -> dict:
    """Build the demo portfolio as a new version of the database at `path` and publish it.

    Refused (DataError) when the database already holds transactions. The folder is created:
    naming a file here is asking for one.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        store.check_file(path)
    with store.new_version(path) as writer:
        return build_demo(writer, spec)


def ensure_database(path=None, spec: DemoSpec = DemoSpec()) -> Path:
    """The database path, with the demo portfolio built first when the default database is new.

    Only the default location (data/ka_radar.duckdb) gets a demo by itself; any other path must
    exist (a mistyped KA_RADAR_DB gets a clear message from the start-up checks, not a new
    folder with a demo in it).
    """
    path = db.db_path_from_env(path)
    if path.resolve() == db.DEFAULT_DB_PATH.resolve() and (not path.exists() or _holds_nothing(path)):
        try:
            build_demo_file(path, spec)
        except db.DataError as error:
            if error.key != "demo_needs_empty_database":
                raise  # (another process built it meanwhile: that is fine)
    return path


def _holds_nothing(path: Path) -> bool:
    reader = store.attach_reader(path)
    try:
        return not db.query_rows(reader, """
            select (select count(*) from transactions) + (select count(*) from import_batches)
                   + (select count(*) from settings where key = ?)""", [SETTING])[0][0]
    finally:
        reader.close()


def read_demo_summary(con: duckdb.DuckDBPyConnection) -> dict:
    """Lines, revenue and accounts of the demo portfolio in this database (zeros when there is none)."""
    lines, revenue = db.query_rows(
        con, "select coalesce(sum(rows_imported), 0), coalesce(sum(revenue_total), 0) from import_batches "
             "where kind = 'demo' and status = 'active'")[0]
    accounts = _demo_marker(con).get("accounts", 0) if is_demo(con) else 0
    return {"lines": lines, "revenue": revenue, "accounts": accounts}


def has_own_data(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether anything was imported (and not undone) beside the demo."""
    return bool(db.query_rows(
        con, "select count(*) from import_batches where kind <> 'demo' and status = 'active'")[0][0])


def has_own_transactions(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether transactions were imported (and not undone) beside the demo: the company's data has begun."""
    return bool(db.query_rows(
        con, "select count(*) from import_batches where kind = 'transactions' and status = 'active'")[0][0])


def start_empty(path=None) -> Path:
    """Make an empty database at `path` (or mark an empty one) as the company's: the app never
    builds the demo into it. Refused when it already holds transactions."""
    path = db.db_path_from_env(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        store.check_file(path)
    with store.new_version(path) as writer:
        if db.query_rows(writer, "select count(*) from transactions")[0][0]:
            raise db.DataError("init_needs_empty_database")
        if not _demo_marker(writer):
            _write_demo_marker(writer, {"is_demo": False, "started_empty": True})
    return path


# Tables that hold the demo's service activity, and the table where an import records the rows it added.
_ACTIVITY_TABLES = {
    "visits": "account_id, visit_date, kind, contact_name",
    "tickets": "account_id, opened_date, resolved_date, severity",
    "surveys": "account_id, survey_date, nps",
    "strategic_projects": "account_id, landed_date, name",
    "relationships": "account_id, contact_name, member_name, colour, assessed_on, note",
}
# Tables imported as an upsert, by their key: a demo account's row goes unless an active import
# wrote it (its import_replaced_* row says so), since then it holds the company's value.
_UPSERTED_TABLES = {
    "contacts": "account_id, contact_name",
    "account_team": "account_id, team_role",
    "actions": "account_id, title, due_date",
}


def _demo_target_periods(first: date, last: date) -> list[str]:
    """Target period keys the demo wrote: every quarter of its data and of the year after it."""
    def quarter_start(day: date) -> date:
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)

    periods, month = [], quarter_start(first)
    while month <= add_months(quarter_start(last), 12):
        periods.append(f"{month.year}-Q{(month.month - 1) // 3 + 1}")
        month = add_months(month, 3)
    return periods


def remove_demo(con: duckdb.DuckDBPyConnection) -> dict:
    """Take the demo portfolio out, in one transaction: its lines, its accounts, their service
    activity, people, relationships, action plans, targets and stories. Anything imported beside the demo stays, even for an account ID
    the demo also used (that account keeps its row). Returns what was removed."""
    marker = _demo_marker(con)
    if not marker.get("is_demo"):
        raise db.DataError("no_demo")
    account_ids = [f"KA{i + 1:05d}" for i in range(int(marker.get("accounts", DemoSpec.accounts)))]
    with db.write_transaction(con) as cur:
        batches = [row[0] for row in cur.execute(
            "select batch_id from import_batches where kind = 'demo' and status = 'active'").fetchall()]
        lines, revenue, first, last = cur.execute(
            "select count(*), coalesce(sum(revenue), 0), min(order_date), max(order_date) "
            "from transactions where batch_id in (select unnest(?::integer[]))", [batches]).fetchall()[0]
        cur.execute("create or replace temp table demo_accounts as select unnest(?::varchar[]) as account_id",
                    [account_ids])
        cur.execute("delete from transactions where batch_id in (select unnest(?::integer[]))", [batches])
        for table, columns in _ACTIVITY_TABLES.items():
            # every row of the demo's accounts goes, then the rows that active imports added come back
            cur.execute(db.with_identifiers(
                "delete from {table} where account_id in (select account_id from demo_accounts)", table=table))
            cur.execute(db.with_identifiers(
                """insert into {table} select {columns} from {added}
                   where batch_id in (select batch_id from import_batches where status = 'active')
                     and account_id in (select account_id from demo_accounts)""",
                table=table, columns=columns, added=f"import_added_{table}"))
        for table, key in _UPSERTED_TABLES.items():
            cur.execute(db.with_identifiers(
                """delete from {table}
                   where account_id in (select account_id from demo_accounts)
                     and ({key}) not in (
                         select {key} from {replaced}
                         where batch_id in (select batch_id from import_batches where status = 'active'))""",
                table=table, key=key, replaced=f"import_replaced_{table}"))
        cur.execute("""
            create or replace temp table demo_shared_accounts as
            select account_id from demo_accounts
            where account_id in (select account_id from transactions)
               or account_id in (select account_id from import_replaced_accounts
                                 where batch_id in (select batch_id from import_batches where status = 'active'))
        """)
        removed = cur.execute("""
            delete from accounts where account_id in (select account_id from demo_accounts)
              and account_id not in (select account_id from demo_shared_accounts)
        """).fetchall()[0][0]
        if first is not None:
            cur.execute("""
                delete from targets
                where period in (select unnest($periods::varchar[]))
                  and (scope_id = '*' or scope_id in (select account_id from demo_accounts)
                       or scope_id in (select unnest($managers::varchar[])))
                  and not exists (
                      select 1 from import_replaced_targets as replaced
                      where replaced.batch_id in (select batch_id from import_batches where status = 'active')
                        and replaced.scope = targets.scope
                        and replaced.scope_id = targets.scope_id and replaced.period = targets.period
                        and replaced.metric = targets.metric)
            """, {"periods": _demo_target_periods(first, last), "managers": MANAGERS})
        cur.execute("delete from demo_stories")
        cur.execute("update import_batches set status = 'undone' where batch_id in (select unnest(?::integer[]))",
                    [batches])
        db.refresh_account_month(cur, "demo_accounts")
        _write_demo_marker(cur, {"is_demo": False, "removed_at": date.today().isoformat()})
        kept = cur.execute("select count(*) from demo_shared_accounts").fetchall()[0][0]
    return {"lines": lines, "revenue": revenue, "accounts": removed, "accounts_kept": kept}
