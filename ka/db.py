"""The only module that opens DuckDB: connect, migrate the schema, run parameterized queries.

Every value reaches SQL as a parameter. Shared query parts (a period's account × month rows,
the scoped accounts) are DuckDB table macros defined at connect (ka/sql/macros.sql); the one
place where SQL text is assembled is `with_identifiers` (and `joined`, its form for lists), for
table and column names the code chose, each checked to be a plain identifier.
"""

from __future__ import annotations

import os
import re
import threading
from contextlib import contextmanager
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, Iterator

import duckdb
import pandas as pd

from ka.i18n import get_language, t

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB_PATH = PROJECT_ROOT / "data" / "ka_radar.duckdb"
SQL_DIR = Path(__file__).resolve().parent / "sql"

# One writer at a time per process (imports, settings, demo build); readers use cursors.
WRITE_LOCK = threading.RLock()


class DataError(Exception):
    """A problem with the data told in words a sales director understands.

    `key` names the message in the catalogs (errors.<key>.title and .action, filled with
    `values`); `detail` keeps the technical text (DuckDB's message) for admins only.
    """

    def __init__(self, key: str, detail: str | None = None, **values):
        self.key, self.detail, self.values = key, detail, values
        super().__init__(f"{key} {values}" + (f": {detail}" if detail else ""))

    def title(self) -> str:
        return t(f"errors.{self.key}.title", **self.values)

    def action(self) -> str:
        return t(f"errors.{self.key}.action", **self.values)

    def message(self) -> str:
        """Title and action as one line (the CLI); Chinese sentences follow each other without a space."""
        return ("" if get_language() == "zh" else " ").join((self.title(), self.action()))


def as_data_error(error: duckdb.Error, path: str | os.PathLike | None = None) -> DataError:
    """A DuckDB error as the DataError a user can act on: file in use, not a database, or a failed query."""
    text = str(error)
    name = Path(path).name if path else ""
    if "Could not set lock" in text or "Conflicting lock" in text:
        return DataError("database_locked", detail=text, name=name)
    if "not a valid DuckDB database" in text:
        return DataError("database_corrupt", detail=text, name=name)
    if path is not None:
        return DataError("database_unreadable", detail=text, name=name)
    return DataError("query_failed", detail=text)


def db_path_from_env(cli_value: str | os.PathLike | None = None) -> Path:
    """--db on the CLI wins, then KA_RADAR_DB, then data/ka_radar.duckdb."""
    if cli_value:
        return Path(cli_value)
    env_value = os.environ.get("KA_RADAR_DB")
    return Path(env_value) if env_value else DEFAULT_DB_PATH


# --- schema -------------------------------------------------------------------------------
# Each migration moves the schema one version up. Never edit a released migration: add one.
MIGRATIONS: list[str] = [
    # 1: the data model of the foundation
    """
    create table transactions (
        txn_key      varchar not null,
        order_id     varchar,
        order_date   date not null,
        account_id   varchar not null,
        account_name varchar,
        product      varchar,
        category     varchar,
        quantity     decimal(18,4),
        revenue      decimal(18,4) not null,
        cost         decimal(18,4),
        region       varchar,
        ka_manager   varchar,
        batch_id     integer not null
    );
    create table accounts (
        account_id          varchar primary key,
        account_name        varchar,
        account_name_en     varchar,
        industry            varchar,
        region              varchar,
        ka_manager          varchar,
        is_strategic        boolean not null default false,
        contract_start_date date,
        contract_end_date   date,
        attributes          json
    );
    create table account_month (
        account_id        varchar not null,
        month             date not null,
        revenue           decimal(18,4) not null,
        cost              decimal(18,4),
        revenue_with_cost decimal(18,4) not null,
        orders            integer not null,
        lines             integer not null,
        products          integer not null,
        first_order_date  date not null,
        last_order_date   date not null,
        primary key (account_id, month)
    );
    create table visits (account_id varchar not null, visit_date date not null, kind varchar);
    create table tickets (
        account_id varchar not null, opened_date date not null, resolved_date date, severity varchar
    );
    create table surveys (account_id varchar not null, survey_date date not null, nps integer);
    create table targets (
        scope varchar not null, scope_id varchar not null, period varchar not null,
        metric varchar not null, target decimal(18,4) not null
    );
    create table strategic_projects (account_id varchar not null, landed_date date, name varchar);
    create sequence batch_id_seq start 1;
    create table import_batches (
        batch_id      integer primary key,
        imported_at   timestamp not null default current_timestamp,
        kind          varchar not null,
        source        varchar,
        files         json,
        rows_imported bigint not null default 0,
        revenue_total decimal(18,4),
        status        varchar not null default 'active'
    );
    create table settings (key varchar primary key, value json not null, updated_at timestamp);
    create table demo_stories (account_id varchar not null, story varchar not null, start_date date);
    """,
    # 2: account × category × month pre-aggregate, so cross-sell revenue
    # ("categories the account had not bought in the previous 12 months") never scans transactions;
    # rows in month order so a period's scan skips the other row groups.
    """
    create table account_category_month (
        account_id     varchar not null,
        category       varchar,
        month          date not null,
        revenue        decimal(18,4) not null,
        lines          integer not null,
        previous_month date  -- the account's previous month with this category (null: first ever)
    );
    insert into account_category_month
    select *, lag(month) over (partition by account_id, category order by month)
    from (
        select account_id, category, date_trunc('month', order_date)::date as month,
               sum(revenue) as revenue, count(*)::integer as lines
        from transactions
        group by all
    )
    order by month, account_id;
    """,
    # 3: what each import batch of an optional table changed, so undo restores it
    # exactly. The tables themselves keep their shape (no batch_id column), so positional inserts
    # elsewhere keep working. import_replaced_*: the values a batch overwrote (accounts: only the
    # columns listed in `changed`; was_new / previous_target null = the batch created the row).
    # import_added_*: the rows a batch appended (undo deletes that many identical rows).
    """
    create table import_replaced_accounts (
        batch_id integer not null, account_id varchar not null, was_new boolean not null,
        changed varchar[] not null,
        account_name varchar, account_name_en varchar, industry varchar, region varchar, ka_manager varchar,
        is_strategic boolean, contract_start_date date, contract_end_date date
    );
    create table import_replaced_targets (
        batch_id integer not null, scope varchar not null, scope_id varchar not null, period varchar not null,
        metric varchar not null, previous_target decimal(18,4)
    );
    create table import_added_visits (batch_id integer not null, account_id varchar, visit_date date, kind varchar);
    create table import_added_tickets (
        batch_id integer not null, account_id varchar, opened_date date, resolved_date date, severity varchar
    );
    create table import_added_surveys (batch_id integer not null, account_id varchar, survey_date date, nps integer);
    create table import_added_strategic_projects (
        batch_id integer not null, account_id varchar, landed_date date, name varchar
    );
    """,
    # 4: a line's key no longer depends on the mapping: it is the md5 of the line's text. Lines keyed
    # 'L:<order id>#<line number>' by earlier versions (files with both columns mapped) are listed here,
    # so importing them again finds them by order id and line number, and gives them their own key.
    """
    create table legacy_line_keys as
    select
        regexp_extract(txn_key, '^L:(.*)#([^#]*)$', 1) as order_id,
        regexp_extract(txn_key, '^L:(.*)#([^#]*)$', 2) as order_line,
        txn_key
    from transactions
    where starts_with(txn_key, 'L:');
    """,
    # 5: dates no calendar has — '0000-01-01', which DuckDB keeps as 1 BC, or years past 9999 — that
    # imports before the date window stored. Python cannot read them, so every page that met one failed.
    # The rows are moved, unchanged, to quarantined_<table> (nothing is lost), contract dates are kept
    # there and cleared, and the pre-aggregates drop the months that held them.
    """
    create table quarantined_transactions as
    select * from transactions where order_date < date '0001-01-01' or order_date > date '9999-12-31';
    delete from transactions where order_date < date '0001-01-01' or order_date > date '9999-12-31';
    create table quarantined_visits as
    select * from visits where visit_date < date '0001-01-01' or visit_date > date '9999-12-31';
    delete from visits where visit_date < date '0001-01-01' or visit_date > date '9999-12-31';
    create table quarantined_tickets as
    select * from tickets
    where opened_date < date '0001-01-01' or opened_date > date '9999-12-31'
       or resolved_date < date '0001-01-01' or resolved_date > date '9999-12-31';
    delete from tickets
    where opened_date < date '0001-01-01' or opened_date > date '9999-12-31'
       or resolved_date < date '0001-01-01' or resolved_date > date '9999-12-31';
    create table quarantined_surveys as
    select * from surveys where survey_date < date '0001-01-01' or survey_date > date '9999-12-31';
    delete from surveys where survey_date < date '0001-01-01' or survey_date > date '9999-12-31';
    create table quarantined_strategic_projects as
    select * from strategic_projects where landed_date < date '0001-01-01' or landed_date > date '9999-12-31';
    delete from strategic_projects where landed_date < date '0001-01-01' or landed_date > date '9999-12-31';
    create table quarantined_contract_dates as
    select account_id, contract_start_date, contract_end_date from accounts
    where contract_start_date < date '0001-01-01' or contract_start_date > date '9999-12-31'
       or contract_end_date < date '0001-01-01' or contract_end_date > date '9999-12-31';
    update accounts set
        contract_start_date = case when contract_start_date between date '0001-01-01' and date '9999-12-31'
                                   then contract_start_date end,
        contract_end_date = case when contract_end_date between date '0001-01-01' and date '9999-12-31'
                                 then contract_end_date end
    where account_id in (select account_id from quarantined_contract_dates);
    delete from account_month where month < date '0001-01-01' or month > date '9999-12-31';
    delete from account_category_month where month < date '0001-01-01' or month > date '9999-12-31';
    update account_category_month set previous_month = null
    where previous_month < date '0001-01-01' or previous_month > date '9999-12-31';
    """,    # 6: the people side of an account, imported master data like the accounts master (ka/relationships.py):
    # contacts (one per account and name), our account team (one person per account and role),
    # relationship assessments (a history: every assessment is kept, the latest per pair counts), and
    # action plans from a tracker or CRM (one per account, title and due date). A visit may name the
    # contact met, so executive visits can be told apart. import_replaced_*: the rows an upsert batch
    # replaced (was_new: it created the row); import_added_relationships: the assessments a batch added.
    """
    create table if not exists contacts (
        account_id varchar not null, contact_name varchar not null, title varchar,
        level varchar,        -- executive | management | operational
        buying_role varchar,  -- decision_maker | influencer | user | champion | blocker
        reports_to varchar,   -- another contact of the same account, by name
        email varchar, phone varchar, is_active boolean not null default true
    );
    create table if not exists account_team (account_id varchar not null, team_role varchar not null, member_name varchar not null);
    create table if not exists relationships (
        account_id varchar not null, contact_name varchar not null, member_name varchar not null,
        colour varchar not null, assessed_on date not null, note varchar
    );
    create table if not exists actions (
        account_id varchar not null, title varchar not null, owner varchar, due_date date not null,
        status varchar not null,  -- open | in_progress | done | cancelled
        priority varchar,         -- high | medium | low
        reason_kind varchar,      -- why it was made: health | relationship | kpi | manual
        closing_note varchar, closed_on date
    );
    alter table visits add column if not exists contact_name varchar;
    alter table import_added_visits add column if not exists contact_name varchar;
    create table if not exists import_replaced_contacts (
        batch_id integer not null, was_new boolean not null,
        account_id varchar, contact_name varchar, title varchar, level varchar, buying_role varchar,
        reports_to varchar, email varchar, phone varchar, is_active boolean
    );
    create table if not exists import_replaced_account_team (
        batch_id integer not null, was_new boolean not null, account_id varchar, team_role varchar, member_name varchar
    );
    create table if not exists import_replaced_actions (
        batch_id integer not null, was_new boolean not null,
        account_id varchar, title varchar, owner varchar, due_date date, status varchar, priority varchar,
        reason_kind varchar, closing_note varchar, closed_on date
    );
    create table if not exists import_added_relationships (
        batch_id integer not null, account_id varchar, contact_name varchar, member_name varchar,
        colour varchar, assessed_on date, note varchar
    );
    """,
]

SCHEMA_VERSION = len(MIGRATIONS)


def current_version(con: duckdb.DuckDBPyConnection) -> int:
    has_table = con.execute(
        "select count(*) from information_schema.tables where table_name = 'schema_version'"
    ).fetchall()[0][0]
    if not has_table:
        return 0
    row = con.execute("select max(version) from schema_version").fetchall()[0]
    return row[0] or 0


def migrate(con: duckdb.DuckDBPyConnection, target: int | None = None) -> int:
    """Bring the file up to `target` (default: the newest), one migration per transaction."""
    target = len(MIGRATIONS) if target is None else target
    with WRITE_LOCK:
        con.execute(
            "create table if not exists schema_version "
            "(version integer primary key, applied_at timestamp default current_timestamp)"
        )
        version = current_version(con)
        for number in range(version + 1, target + 1):
            con.execute("begin transaction")
            try:
                con.execute(MIGRATIONS[number - 1])
                con.execute("insert into schema_version (version) values (?)", [number])
                con.execute("commit")
            except duckdb.Error as error:
                con.execute("rollback")
                raise DataError("database_upgrade_failed", detail=str(error), version=number) from error
        return current_version(con)


def connect(path: str | os.PathLike | None = None, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """A direct, writable connection to a database file that nobody else has open: tests, scratch
    files, tools. `path=':memory:'` gives a scratch one. The app and the command line use `open`,
    which serves published versions; `read_only=True` is `open`."""
    if read_only:
        return open(path)
    target = ":memory:" if str(path) == ":memory:" else str(db_path_from_env(path))
    if target != ":memory:":
        Path(target).parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(target)
    except duckdb.Error as error:
        raise as_data_error(error, target) from error
    migrate(con)
    define_macros(con)
    return con


def open(path: str | os.PathLike | None = None, *, create: bool = False) -> duckdb.DuckDBPyConnection:  # noqa: A001
    """The current published version of the database, read-only, checked (see ka/store.py).

    Any number of processes can hold it while imports publish new versions; `write_transaction`
    on it writes the next version. A missing, damaged, locked or foreign file raises a DataError
    that says what to do; nothing is created and the file is not touched — except with
    `create`, which starts an empty database when the file is missing but its folder exists.
    """
    target = db_path_from_env(path)
    if create and not target.exists() and target.parent.is_dir():
        with store.new_version(target, empty=True):
            pass
    return store.open_reader(target, verify=True)


def define_macros(con: duckdb.DuckDBPyConnection) -> None:
    """(Re)define the macros of ka/sql/macros.sql; a writable file stores them, so its cursors see them."""
    with WRITE_LOCK:
        try:
            con.execute(load_sql("macros"))
        except duckdb.Error as error:
            raise DataError("database_upgrade_failed", detail=str(error), version=SCHEMA_VERSION) from error


def define_reader_objects(con: duckdb.DuckDBPyConnection) -> None:
    """A read-only version's connection defines the macros in its own memory, over its views of
    the version's tables: every cursor sees them, whatever version wrote the file."""
    con.execute(load_sql("macros"))


# --- queries --------------------------------------------------------------------------------
@cache
def _sql_text(name: str) -> str:
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]*")
_SLOT = re.compile(r"{([a-z_][a-z0-9_]*)}")
_SEPARATORS = (", ", " and ", " or ", " union all ")


class Sql(str):
    """SQL text the code composed: a fixed template filled by with_identifiers, or a constant of the
    code. It goes into another template as it is; nothing else may."""


def _sql_part(name: str, part: Any) -> str:
    if isinstance(part, Sql):
        return part
    if isinstance(part, bool):  # an int to Python, never meant as a number here
        raise ValueError(f"{{{name}}}: a flag is not SQL")
    if isinstance(part, int):
        return str(int(part))
    if isinstance(part, date):
        return f"date '{part.isoformat()}'"
    if isinstance(part, str) and all(_IDENTIFIER.fullmatch(name) for name in part.split(", ")):
        return part  # a full match: `$` would let a trailing newline through
    raise ValueError(f"{{{name}}}: not a plain SQL identifier: {part!r}")


def with_identifiers(template: str, **parts: Any) -> Sql:
    """`template` with each {name} replaced by its part, in one pass. The one way SQL is composed:

    - a str is an identifier (a table or column name; ", "-joined for a list), lowercase letters,
      digits and underscores only, so nothing a user typed can reach SQL this way;
    - an int or a date becomes its literal (file numbers, the date window: the code's own values);
    - Sql (what this function or joined() returned) goes in as it is.

    Values from data always go through parameters.
    """
    def fill(match: re.Match) -> str:
        if match[1] not in parts:
            raise ValueError(f"unfilled identifier {{{match[1]}}} in SQL template")
        return _sql_part(match[1], parts[match[1]])

    return Sql(_SLOT.sub(fill, template))


def joined(template: str, items, separator: str = ", ", **parts: Any) -> Sql:
    """`template` filled once per item ({item} = the item, by the rules of with_identifiers) and the
    results joined by `separator` (a comma, and, or, or union all)."""
    if separator not in _SEPARATORS:
        raise ValueError(f"not an SQL separator: {separator!r}")
    return Sql(separator.join(with_identifiers(template, item=item, **parts) for item in items))


def load_sql(name: str) -> str:
    """The text of ka/sql/<name>.sql: parameters as $name; a query that needs table or column names
    has {slots}, which with_identifiers fills."""
    return _sql_text(name)


def query_df(con: duckdb.DuckDBPyConnection, sql: str, params: Any = None) -> pd.DataFrame:
    """Run a read query on its own cursor (thread-safe) and return a DataFrame."""
    try:
        return con.cursor().execute(sql, params).df()
    except duckdb.Error as error:
        raise as_data_error(error) from error


def query_rows(con: duckdb.DuckDBPyConnection, sql: str, params: Any = None) -> list[tuple]:
    """Like query_df, but keeps exact Decimals (DataFrames turn DECIMAL into float)."""
    try:
        return con.cursor().execute(sql, params).fetchall()
    except duckdb.Error as error:
        raise as_data_error(error) from error


def query_dicts(con: duckdb.DuckDBPyConnection, sql: str, params: Any = None) -> list[dict]:
    cursor = con.cursor()
    try:
        cursor.execute(sql, params)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]
    except duckdb.Error as error:
        raise as_data_error(error) from error


@contextmanager
def write_connection(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """A cursor that writes, without a transaction: for a writer that needs several (an import
    stages its lines in a scratch database, then merges them; DuckDB lets one transaction write
    only one database). On a connection from `open` it writes the next version, published when
    the block ends normally and thrown away on an exception; on a direct `connect`, the file
    itself, under WRITE_LOCK. Everything else uses `write_transaction`."""
    if store.is_served_reader(con):
        with store.new_version(store.database_path_of(con)) as writer:
            yield writer.cursor()
        return
    with WRITE_LOCK:
        yield con.cursor()


@contextmanager
def write_transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """All-or-nothing write: one cursor, one transaction, rolled back on any error.

    On a connection from `open` (the app, the command line) the cursor writes a new version of
    the database, which is published when the block ends: every reader, in every process, sees
    all of it on its next run and none of it before; on an error, nothing was published. Readers
    are never waited for; another writer is (the writers' lock). On a direct `connect` the
    transaction is on the file itself, as for tests and scratch files.
    """
    with write_connection(con) as cursor, transaction(cursor):
        yield cursor


@contextmanager
def transaction(cursor: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """One transaction on `cursor`: committed when the block ends, rolled back on any error."""
    cursor.execute("begin transaction")
    try:
        yield cursor
        cursor.execute("commit")
    except BaseException:
        cursor.execute("rollback")
        raise


def refresh_account_month(cursor: duckdb.DuckDBPyConnection, accounts_table: str | None = None) -> None:
    """Rebuild the account × month (and × category) pre-aggregates: of every account, or of the
    accounts listed in `accounts_table` (an import's staging table; a name the code chose).

    The accounts go in as a list parameter, not a subquery: DuckDB pushes a list filter below the
    aggregation, so an import of a few accounts does not re-aggregate every transaction.
    """
    account_ids = None
    if accounts_table is not None:
        sql = with_identifiers("select distinct account_id from {accounts}", accounts=accounts_table)
        account_ids = [row[0] for row in cursor.execute(sql).fetchall()]
    for statement in split_statements(load_sql("refresh_account_month")):
        cursor.execute(statement, {"account_ids": account_ids})


def split_statements(script: str) -> list[str]:
    """The statements of a SQL file whose statements end with ';' at the end of a line."""
    return [part for part in re.split(r";[ \t]*\n", script + "\n") if part.strip() and not _only_comments(part)]


def _only_comments(part: str) -> bool:
    return all(not line.strip() or line.strip().startswith("--") for line in part.splitlines())


# --- settings -------------------------------------------------------------------------------
# Settings live in the database's state store (ka/state.py), so that saving one never waits for
# an import and never needs a new version of the analytical data.
def state_of(con: duckdb.DuckDBPyConnection) -> state.StateStore:
    """The state store beside the database `con` reads; settings an older version kept in the
    database file itself move into it the first time."""
    path = store.database_path_of(con)
    found = state.state_store(path)
    if not found.has_adopted:
        rows = con.cursor().execute("select key, value::varchar from settings where key <> 'demo'").fetchall()
        state.adopt_settings(found, rows)
    return found


def get_setting(con: duckdb.DuckDBPyConnection, key: str, default: Any = None) -> Any:
    return state.get_setting(state_of(con), key, default)


def put_setting(con: duckdb.DuckDBPyConnection, key: str, value: Any) -> None:
    state.put_setting(state_of(con), key, value)


def update_setting(con: duckdb.DuckDBPyConnection, key: str, change, default: Any = None) -> Any:
    """`change(old) -> new` as one transaction: concurrent saves from several processes all stay."""
    return state.update_setting(state_of(con), key, change, default)


def setting_keys(con: duckdb.DuckDBPyConnection, prefix: str) -> list[str]:
    return state.setting_keys(state_of(con), prefix)


# The store builds on the names above (DataError, migrate, with_identifiers); imported last.
from ka import state, store  # noqa: E402
