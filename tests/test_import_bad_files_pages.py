"""After an attempt to import each bad file — on the command line and on the import page — the app still
starts and every page renders, the import page included (so a batch could always be undone there), and
the sidebar's "data as of" still comes from the real data."""

from __future__ import annotations

import contextlib
import io

import pytest
from streamlit.testing.v1 import AppTest

from import_helpers import fingerprint, uploaded
from ka import db, i18n, overview
from ka.__main__ import main
from ka_testing import ROOT
from test_import_integrity import BAD_FILES

PAGES = ["overview", "account", "tiers", "health", "whatif", "scorecards", "data_import"]
GOOD = "Order Date,Customer ID,Sales\n" + "".join(f"2026-09-{day:02d},KA00001,10\n" for day in range(1, 11))
# files whose batch imports (their bad lines rejected), beside the ones refused as a whole
DATED = {
    "bc_date.csv": (GOOD + "0000-01-01,KA00002,99999\n").encode(),
    "far_future.csv": (GOOD + "2999-12-31,KA00003,99999\n").encode(),
    "old_date.csv": (GOOD + "1900-01-01,KA00004,99999\n").encode(),
    "mac_line_ends.csv": GOOD.replace("\n", "\r").encode(),
}


def _cli_import(database, path) -> int:
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        return main(["import", "--db", str(database), str(path)])


def _render_every_page(lang: str = "en") -> list[str]:
    """Run the app's entry point, then each page as a user opening it; return the sidebar's captions."""
    i18n.set_language(lang)
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    app.session_state["lang"] = lang
    app.run()
    assert not app.exception, app.exception
    for name in PAGES:
        page = AppTest.from_file(str(ROOT / "pages" / f"{name}.py"), default_timeout=60)
        page.session_state["lang"] = lang
        page.run()
        assert not page.exception, (name, page.exception)
    return [caption.value for caption in app.sidebar.caption]


def _attempt_on_the_page(name: str, data: bytes) -> AppTest:
    """The file uploaded on the import page (in Chinese): a reason or a report, never a traceback."""
    i18n.set_language("zh")
    page = AppTest.from_file(str(ROOT / "pages" / "data_import.py"), default_timeout=60)
    page.session_state["lang"] = "zh"
    page.session_state["data_import_sources"] = uploaded({name: data})
    page.run()
    assert not page.exception, page.exception
    return page


@pytest.mark.slow
def test_every_page_renders_after_attempts_to_import_refused_files(writable_app_db, tmp_path):
    """Refused files change nothing, so one visit of every page after all of them shows the same app."""
    with db.open(writable_app_db) as con:
        as_of = overview.read_data_range(con)[1]
        before = fingerprint(con)
    for name, (data, _) in BAD_FILES.items():
        path = tmp_path / name
        path.write_bytes(data)
        assert _cli_import(writable_app_db, path) == 2, name
        page = _attempt_on_the_page(name, data)
        if name == "dup_headers.csv":  # the page asks which of the two columns to use
            assert "Sales (3, 4)" in [element.value for element in page.text]
        else:
            assert page.error[0].value == "该批次被拒绝，数据库未作任何改动。", name
    with db.open(writable_app_db) as con:
        assert fingerprint(con) == before
    assert f"Data as of {as_of:%Y-%m-%d}" in _render_every_page()


@pytest.mark.slow
@pytest.mark.parametrize("name", list(DATED))
def test_every_page_renders_after_importing_a_file_with_bad_dates(writable_app_db, tmp_path, name):
    with db.open(writable_app_db) as con:
        as_of = overview.read_data_range(con)[1]
    path = tmp_path / name
    path.write_bytes(DATED[name])
    assert _cli_import(writable_app_db, path) == 0
    with db.open(writable_app_db) as con:  # the ten good lines, never the bad one
        assert db.query_rows(con, "select count(*), sum(revenue) from transactions where batch_id = 2") == [(10, 100)]
    _attempt_on_the_page(name, DATED[name])
    assert f"Data as of {as_of:%Y-%m-%d}" in _render_every_page()


@pytest.mark.slow
def test_every_page_renders_on_a_database_an_older_import_left_stray_dates_in(writable_app_db):
    """Lines dated 1 BC and 2999-12-31, stored by a version that did not check dates: once the database is
    opened, the line Python cannot read is set aside (kept in quarantined_transactions), and the app opens
    on the real data."""
    with db.open(writable_app_db) as con:
        as_of = overview.read_data_range(con)[1]
        with db.write_transaction(con) as cur:
            cur.execute("delete from schema_version where version >= 5")  # as the older version left it
            cur.execute(
                "insert into transactions (txn_key, order_date, account_id, revenue, batch_id) values "
                "('stray1', '0000-01-01'::date, 'KA00001', 5, 1), ('stray2', date '2999-12-31', 'KA00002', 7, 1)"
            )
            cur.execute("drop table quarantined_transactions")
            for table in ("visits", "tickets", "surveys", "strategic_projects", "contract_dates"):
                cur.execute(f"drop table quarantined_{table}")  # names from the fixed list above
            db.refresh_account_month(cur)
    with db.open(writable_app_db) as con:  # opening it upgrades it
        assert db.query_rows(con, "select txn_key, revenue from quarantined_transactions") == [("stray1", 5)]
        assert db.query_rows(con, "select count(*) from account_month where month < date '0001-01-01'") == [(0,)]
    assert f"Data as of {as_of:%Y-%m-%d}" in _render_every_page()
    assert f"数据截至 {as_of:%Y-%m-%d}" in _render_every_page("zh")
