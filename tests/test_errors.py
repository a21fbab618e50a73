"""The one error boundary and DataError: a localised title and what to do, details only for admins."""

from __future__ import annotations

import subprocess
import sys

import pytest
from streamlit.testing.v1 import AppTest

from ka import db, i18n
from ka.__main__ import main
from ka_testing import ROOT


def _raises_inside_the_boundary(kind: str) -> None:
    import duckdb

    from ka import db, ui

    with ui.error_boundary():
        if kind == "data":
            raise db.DataError("no_transactions")
        if kind == "duckdb":
            raise duckdb.CatalogException("Catalog Error: Table with name nope does not exist!")
        raise ZeroDivisionError("division by zero")


@pytest.mark.parametrize(
    "kind, title",
    [
        ("data", "The database holds no transactions yet."),
        ("duckdb", "A figure on this page could not be computed."),
        ("other", "Something went wrong on this page."),
    ],
)
def test_the_boundary_turns_any_error_into_a_title_and_keeps_details_for_admins(kind, title):
    at = AppTest.from_function(_raises_inside_the_boundary, args=(kind,)).run()
    assert not at.exception
    assert [e.value for e in at.error] == [title]
    assert at.expander[0].label == "Details for admins"
    details = at.expander[0].code[0].value
    assert "Traceback" in details
    assert "Traceback" not in " ".join(e.value for e in at.error) + " ".join(c.value for c in at.caption)
    if kind == "duckdb":
        assert "Table with name nope does not exist" in details


@pytest.fixture
def locked_db(tmp_path):
    """A database file another process holds open for writing (as a command-line import would)."""
    path = tmp_path / "locked.duckdb"
    db.connect(path).close()
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys, time; held = duckdb.connect(sys.argv[1]); print('open', flush=True); time.sleep(60)",
         str(path)], stdout=subprocess.PIPE, text=True,
    )
    assert holder.stdout.readline().strip() == "open"
    yield path
    holder.kill()
    holder.wait()


@pytest.mark.parametrize("lang, title", [
    ("en", "The database locked.duckdb is in use by another program."),
    ("zh", "数据库 locked.duckdb 正被另一个程序占用。"),
])
def test_the_app_on_a_locked_database_says_so_in_the_users_language(locked_db, monkeypatch, lang, title):
    monkeypatch.setenv("KA_RADAR_DB", str(locked_db))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.session_state["lang"] = lang
    at.run()
    assert not at.exception
    assert [e.value for e in at.error] == [title]
    assert "Conflicting lock" in at.expander[0].code[0].value


def test_a_corrupt_file_is_named_and_not_a_query_error(tmp_path):
    path = tmp_path / "notes.duckdb"
    path.write_bytes(b"these are not the tables you are looking for" * 100)
    with pytest.raises(db.DataError) as raised:
        db.connect(path)
    assert raised.value.key == "database_corrupt"
    assert raised.value.title() == "The file notes.duckdb is not a KA Radar database, or it is damaged."
    assert "not a valid DuckDB database" in raised.value.detail


def test_a_failed_query_keeps_duckdbs_text_out_of_the_message(con):
    with pytest.raises(db.DataError) as raised:
        db.query_rows(con, "select * from no_such_table")
    assert raised.value.key == "query_failed"
    assert "no_such_table" in raised.value.detail and "no_such_table" not in raised.value.message()


@pytest.mark.parametrize("lang, expected", [
    ("en", "error: The database holds no transactions yet. Import transaction files first"),
    ("zh", "error: 数据库中还没有交易数据。请先在“数据导入”页面"),
])
def test_the_cli_says_a_data_error_in_the_terminals_language(con, tmp_path, capsys, monkeypatch, lang, expected):
    path = tmp_path / "empty.duckdb"
    db.connect(path).close()
    monkeypatch.setenv("KA_RADAR_LANG", lang)
    assert main(["export", "--db", str(path), "--what", "health"]) == 2
    assert capsys.readouterr().err.startswith(expected)
    i18n.set_language(i18n.DEFAULT_LANGUAGE)
