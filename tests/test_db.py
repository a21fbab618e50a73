"""Schema contract, migrations from older files, and where the database lives."""

import re
from datetime import date

import duckdb
import pytest

from ka import db

CONTRACT = {
    "transactions": ["txn_key", "order_id", "order_date", "account_id", "account_name", "product", "category",
                     "quantity", "revenue", "cost", "region", "ka_manager", "batch_id"],
    "accounts": ["account_id", "account_name", "industry", "region", "ka_manager", "is_strategic",
                 "contract_start_date", "contract_end_date"],
    "account_month": ["account_id", "month", "revenue", "cost", "orders", "lines", "products"],
    "visits": ["account_id", "visit_date", "kind"],
    "tickets": ["account_id", "opened_date", "resolved_date", "severity"],
    "surveys": ["account_id", "survey_date", "nps"],
    "targets": ["scope", "scope_id", "period", "metric", "target"],
    "strategic_projects": ["account_id", "landed_date", "name"],
    "import_batches": ["batch_id"],
    "settings": ["key", "value"],
    "demo_stories": ["account_id", "story", "start_date"],
}


@pytest.mark.parametrize("table, columns", CONTRACT.items())
def test_schema_keeps_the_contract_names(con, table, columns):
    present = [row[0] for row in con.execute(
        "select column_name from information_schema.columns where table_name = ?", [table]).fetchall()]
    assert set(columns) <= set(present)


def test_money_is_exact_decimal(con):
    types = dict(con.execute(
        "select column_name, data_type from information_schema.columns where table_name = 'transactions'").fetchall())
    assert types["revenue"] == types["cost"] == "DECIMAL(18,4)"
    assert types["order_date"] == "DATE"
    assert types["account_id"] == "VARCHAR"


def test_opening_an_older_file_upgrades_it(tmp_path, monkeypatch):
    path = tmp_path / "old.duckdb"
    raw = duckdb.connect(str(path))
    db.migrate(raw, target=1)  # a file made by the first released version
    raw.execute("insert into settings values ('kept', '1', current_timestamp)")
    raw.close()
    # pretend a newer version added a migration
    monkeypatch.setattr(db, "MIGRATIONS", db.MIGRATIONS + ["alter table accounts add column tier_note varchar;"])
    upgraded = db.connect(path)
    assert db.current_version(upgraded) == len(db.MIGRATIONS)
    assert "tier_note" in [r[0] for r in upgraded.execute("describe accounts").fetchall()]
    assert db.get_setting(upgraded, "kept") == 1
    again = db.migrate(upgraded)  # idempotent
    assert again == len(db.MIGRATIONS)


def test_failed_migration_leaves_the_file_at_its_version(tmp_path, monkeypatch):
    path = tmp_path / "v1.duckdb"
    db.connect(path).close()
    monkeypatch.setattr(db, "MIGRATIONS", db.MIGRATIONS + ["alter table nowhere add column x int;"])
    with pytest.raises(db.DataError):
        db.connect(path)
    monkeypatch.undo()
    assert db.current_version(db.connect(path)) == db.SCHEMA_VERSION


def test_database_location(monkeypatch, tmp_path):
    monkeypatch.delenv("KA_RADAR_DB", raising=False)
    assert db.db_path_from_env() == db.PROJECT_ROOT / "data" / "ka_radar.duckdb"
    monkeypatch.setenv("KA_RADAR_DB", str(tmp_path / "env.duckdb"))
    assert db.db_path_from_env() == tmp_path / "env.duckdb"
    assert db.db_path_from_env(tmp_path / "cli.duckdb") == tmp_path / "cli.duckdb"


def test_settings_round_trip(con):
    db.put_setting(con, "tiers", {"method": "cumulative", "a": 0.8})
    assert db.get_setting(con, "tiers") == {"method": "cumulative", "a": 0.8}
    assert db.get_setting(con, "missing", "default") == "default"


def test_named_queries_are_plain_sql():
    """Every query outside the import's own files takes parameters only: no slots to fill."""
    for path in sorted(db.SQL_DIR.glob("*.sql")):
        if not path.name.startswith("import_"):
            assert re.findall(r"{+\w+}", path.read_text(encoding="utf-8")) == [], path.name


def test_refreshing_some_accounts_leaves_the_others_alone(demo_db_path, tmp_path):
    import shutil

    path = tmp_path / "refresh.duckdb"
    shutil.copy(demo_db_path, path)
    con = db.connect(path)
    before = db.query_rows(con, "select * from account_month order by all")
    with db.write_transaction(con) as cur:
        cur.execute("update account_month set revenue = 0")  # as if stale
        cur.execute("create temp table touched as select distinct account_id from accounts order by 1 limit 3")
        db.refresh_account_month(cur, "touched")
        touched = [row[0] for row in cur.execute("select account_id from touched").fetchall()]
    after = db.query_rows(con, "select * from account_month order by all")
    assert [r for r in after if r[0] in touched] == [r for r in before if r[0] in touched]
    assert {r[2] for r in after if r[0] not in touched} == {0}
    with db.write_transaction(con) as cur:
        db.refresh_account_month(cur)
    assert db.query_rows(con, "select * from account_month order by all") == before
    con.close()


def test_the_macros_are_stored_in_the_file_for_every_cursor_and_read_only_connection(tmp_path):
    path = tmp_path / "macros.duckdb"
    db.connect(path).close()
    read_only = db.connect(path, read_only=True)
    assert db.query_rows(read_only, "select count(*) from period_rows(date '2026-01-01', date '2026-03-31')") == [(0,)]
    read_only.close()


def test_a_file_without_the_macros_is_read_with_the_macros_of_this_version(tmp_path):
    path = tmp_path / "old.duckdb"
    con = db.connect(path)
    con.execute("drop macro table period_rows")  # as an older version left it: the schema, no macros
    con.close()
    read_only = db.open(path)  # readers define the macros in their own memory
    assert db.query_rows(read_only, "select count(*) from period_rows(date '2026-01-01', date '2026-03-31')") == [(0,)]
    read_only.close()


@pytest.mark.parametrize("identifier", ["transactions", "import_raw_3", "a, b, c_d"])
def test_with_identifiers_accepts_plain_names(identifier):
    assert db.with_identifiers("select {x} from t", x=identifier) == f"select {identifier} from t"


@pytest.mark.parametrize(
    "identifier", ["x; drop table accounts", "Name", "a,b", "a b", "\"quoted\"", "", "accounts\n", "a, b\n", "\naccounts"]
)
def test_with_identifiers_refuses_anything_else(identifier):
    with pytest.raises(ValueError):
        db.with_identifiers("select {x} from t", x=identifier)


def test_with_identifiers_writes_numbers_and_dates_as_literals_and_composed_sql_as_it_is():
    inner = db.with_identifiers("select {column} from {table}", column="c0", table="import_raw_1")
    sql = db.with_identifiers("select {n} as file_no, {d} as first from ({inner})", n=3, d=date(2026, 1, 31), inner=inner)
    assert sql == "select 3 as file_no, date '2026-01-31' as first from (select c0 from import_raw_1)"
    assert isinstance(sql, db.Sql)


@pytest.mark.parametrize("part", [True, 1.5, None, "select 1", "a\n"])
def test_with_identifiers_refuses_flags_floats_and_plain_text(part):
    with pytest.raises(ValueError):
        db.with_identifiers("select {x}", x=part)


def test_with_identifiers_refuses_an_unfilled_slot():
    with pytest.raises(ValueError, match="unfilled"):
        db.with_identifiers("select {x} from {table}", x="a")


def test_joined_fills_the_template_once_per_item():
    assert db.joined("s.{item} = l.{item}", ["a", "b"], " and ") == "s.a = l.a and s.b = l.b"
    assert db.joined("coalesce({item}, {blank})", ["c0", "c1"], blank=db.Sql("''")) == "coalesce(c0, ''), coalesce(c1, '')"
    with pytest.raises(ValueError):
        db.joined("{item}", ["a"], "; ")
    with pytest.raises(ValueError):
        db.joined("{item}", ["a; drop table accounts"])
