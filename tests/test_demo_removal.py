"""Starting with your own data: an empty database that stays empty, and the demo taken out in one step.

Expected figures come from plain SQL over the tables or from the files themselves, never from the
function under test.
"""

from __future__ import annotations

import shutil
from decimal import Decimal

import pytest

from import_helpers import import_paths, totals, write_file
from ka import db, demo
from ka.__main__ import main
from ka.importing import ImportOptions, list_sources, run_import
from ka_testing import SMALL_DEMO

OWN_LINES = """order_id,order_date,account_id,account_name,revenue,cost
A-1,2019-11-04,OWN-1,Own One,1200.50,800.25
A-2,2019-12-02,OWN-1,Own One,300.00,120.00
B-1,2019-12-30,OWN-2,Own Two,99.99,50.00
"""
OWN_REVENUE = Decimal("1600.49")
DEMO_TABLES = ("visits", "tickets", "surveys", "strategic_projects", "targets", "demo_stories", "accounts",
               "contacts", "account_team", "relationships", "actions")


def count(con, table: str) -> int:
    return db.query_rows(con, f"select count(*) from {table}")[0][0]  # table names from this file


@pytest.fixture
def demo_copy(demo_db_path, tmp_path):
    """A writable copy of the small demo portfolio."""
    path = tmp_path / "demo-copy.duckdb"
    shutil.copy(demo_db_path, path)
    connection = db.connect(path)
    yield connection, path
    connection.close()


def test_an_initialised_database_stays_empty(tmp_path, monkeypatch):
    path = tmp_path / "data" / "ka_radar.duckdb"  # even at the default location, where a new database gets the demo
    monkeypatch.setattr(db, "DEFAULT_DB_PATH", path)
    assert demo.start_empty(path) == path
    demo.ensure_database(path, SMALL_DEMO)  # what the app does on its first start
    con = db.open(path)
    assert count(con, "transactions") == 0 and not demo.is_demo(con)
    con.close()


def test_init_refuses_a_database_with_data(demo_copy):
    con, path = demo_copy
    con.close()
    with pytest.raises(db.DataError) as refused:
        demo.start_empty(path)
    assert refused.value.key == "init_needs_empty_database"


def test_removing_the_demo_leaves_an_empty_database_that_stays_empty(demo_copy, monkeypatch):
    con, path = demo_copy
    monkeypatch.setattr(db, "DEFAULT_DB_PATH", path)
    lines, revenue = db.query_rows(con, "select count(*), sum(revenue) from transactions")[0]
    removed = demo.remove_demo(con)
    assert (removed["lines"], removed["revenue"], removed["accounts"]) == (lines, revenue, SMALL_DEMO.accounts)
    for table in ("transactions", "account_month", "account_category_month", *DEMO_TABLES):
        assert count(con, table) == 0, table
    assert not demo.is_demo(con)
    assert db.query_rows(con, "select status from import_batches where kind = 'demo'") == [("undone",)]
    con.close()
    demo.ensure_database(path, SMALL_DEMO)  # the next start does not rebuild it
    con = db.open(path)
    assert count(con, "transactions") == 0
    with pytest.raises(db.DataError) as refused:
        demo.remove_demo(con)
    assert refused.value.key == "no_demo"
    con.close()


def test_data_imported_beside_the_demo_stays_when_the_demo_goes(demo_copy, tmp_path):
    con, _ = demo_copy
    import_paths(con, write_file(tmp_path, "own.csv", OWN_LINES))
    # a visit of the company's own account and one it filed under an ID the demo also uses
    visits = write_file(tmp_path, "visits.csv", "account_id,visit_date,kind\nOWN-1,2019-12-01,onsite\nKA00001,2019-12-02,online\n")
    run_import(con, "visits", list_sources([visits]), ImportOptions())
    assert demo.has_own_data(con)
    demo.remove_demo(con)
    assert totals(con)[:3] == (3, 2, OWN_REVENUE)
    assert totals(con)[4] == OWN_REVENUE  # the pre-aggregate follows
    assert sorted(db.query_rows(con, "select account_id, visit_date::varchar from visits")) == [
        ("KA00001", "2019-12-02"), ("OWN-1", "2019-12-01")]
    assert sorted(row[0] for row in db.query_rows(con, "select account_id from accounts")) == ["OWN-1", "OWN-2"]
    assert count(con, "tickets") == count(con, "surveys") == count(con, "targets") == 0


def test_people_and_plans_imported_beside_the_demo_stay_when_the_demo_goes(demo_copy, tmp_path):
    con, _ = demo_copy
    demo_contact = db.query_rows(con, "select contact_name from contacts where account_id = 'KA00001' limit 1")[0][0]
    assert all(count(con, table) > 0 for table in ("contacts", "account_team", "relationships", "actions"))
    # a new contact of the company's own, and one of the demo's contacts the company's file updates
    contacts = write_file(tmp_path, "contacts.csv", "account_id,contact_name,level\n"
                          f"OWN-1,Own Buyer,executive\nKA00001,{demo_contact},management\n")
    run_import(con, "contacts", list_sources([contacts]), ImportOptions())
    relationships = write_file(tmp_path, "relationships.csv", "account_id,contact_name,member_name,colour,assessed_on\n"
                               f"KA00001,{demo_contact},Our Rep,green,2019-12-01\n")
    run_import(con, "relationships", list_sources([relationships]), ImportOptions())
    actions = write_file(tmp_path, "actions.csv", "account_id,action_title,due_date\nOWN-1,Kick-off,2020-01-15\n")
    run_import(con, "actions", list_sources([actions]), ImportOptions())
    demo.remove_demo(con)
    assert sorted(db.query_rows(con, "select account_id, contact_name, level from contacts")) == [
        ("KA00001", demo_contact, "management"), ("OWN-1", "Own Buyer", "executive")]
    assert db.query_rows(con, "select account_id, member_name, colour from relationships") == [
        ("KA00001", "Our Rep", "green")]
    assert db.query_rows(con, "select account_id, title from actions") == [("OWN-1", "Kick-off")]
    assert count(con, "account_team") == 0


def test_an_account_id_both_use_keeps_its_row_and_its_own_lines(demo_copy, tmp_path):
    con, _ = demo_copy
    import_paths(con, write_file(tmp_path, "shared.csv", "order_id,order_date,account_id,revenue\nS-1,2019-12-01,KA00001,500.00\n"))
    removed = demo.remove_demo(con)
    assert removed["accounts_kept"] == 1 and removed["accounts"] == SMALL_DEMO.accounts - 1
    assert db.query_rows(con, "select account_id, revenue from transactions") == [("KA00001", Decimal("500.0000"))]
    assert db.query_rows(con, "select account_id, revenue from account_month") == [("KA00001", Decimal("500.0000"))]


def test_cli_init_import_start_clean_and_remove_demo(demo_copy, tmp_path, capsys):
    con, path = demo_copy
    con.close()
    own = str(write_file(tmp_path, "own.csv", OWN_LINES))
    refused = str(write_file(tmp_path, "bad.csv", "order_id,order_date,account_id,revenue\nX,not a date,OWN-9,1\n"))
    assert main(["import", "--db", str(path), "--start-clean", refused]) == 2
    con = db.connect(path)
    assert demo.is_demo(con) and count(con, "transactions") > 0  # a refused batch leaves the demo in place
    con.close()
    capsys.readouterr()

    assert main(["import", "--db", str(path), "--start-clean", own]) == 0
    assert "demo removed" in capsys.readouterr().err
    con = db.connect(path)
    assert totals(con)[:3] == (3, 2, OWN_REVENUE) and not demo.is_demo(con)
    con.close()

    fresh = str(tmp_path / "fresh.duckdb")
    assert main(["init", "--db", fresh]) == 0
    assert main(["import", "--db", fresh, own]) == 0
    assert "demo" not in capsys.readouterr().err
    assert main(["remove-demo", "--db", fresh]) == 2
    assert "no demo portfolio" in capsys.readouterr().err


def test_cli_import_beside_the_demo_says_how_to_remove_it(demo_copy, tmp_path, capsys):
    con, path = demo_copy
    con.close()
    assert main(["import", "--db", str(path), str(write_file(tmp_path, "own.csv", OWN_LINES))]) == 0
    assert "remove-demo" in capsys.readouterr().err
    assert main(["remove-demo", "--db", str(path)]) == 0
    assert f"{SMALL_DEMO.accounts} accounts" in capsys.readouterr().out
    con = db.connect(path)
    assert totals(con)[:3] == (3, 2, OWN_REVENUE)
    con.close()
