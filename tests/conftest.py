"""Shared fixtures: fresh databases under tmp_path, a small demo portfolio, clean Streamlit caches."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ka import db, demo

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
REALDATA = ROOT.parent / "shared" / "realdata"

SMALL_DEMO = demo.DemoSpec(accounts=60, rows=20_000, years=3, seed=7)


@pytest.fixture(autouse=True)
def clear_streamlit_caches():
    """Cached loaders (and the language of the test thread) must not leak from one test into the next."""
    import streamlit as st

    from ka import i18n

    i18n.set_language(i18n.DEFAULT_LANGUAGE)
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def con(tmp_path):
    """A fresh, empty KA Radar database."""
    connection = db.connect(tmp_path / "test.duckdb")
    yield connection
    connection.close()


@pytest.fixture(scope="session")
def demo_db_path(tmp_path_factory) -> Path:
    """A small demo portfolio built once per test session; tests must not write to it."""
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    connection = db.connect(path)
    demo.build_demo(connection, SMALL_DEMO)
    connection.close()
    return path


@pytest.fixture
def demo_con(demo_db_path):
    connection = db.connect(demo_db_path)
    yield connection
    connection.close()


@pytest.fixture
def app_db(demo_db_path, monkeypatch) -> Path:
    """Point the app (AppTest pages) at the small demo portfolio."""
    monkeypatch.setenv("KA_RADAR_DB", str(demo_db_path))
    return demo_db_path


def load_fixture_transactions(connection, name: str = "transactions") -> None:
    """Load tests/fixtures/<name>.csv (and accounts.csv) into a fresh database, as an import would."""
    with db.write_transaction(connection) as cur:
        cur.execute(
            "insert into transactions select * replace (revenue::decimal(18,4) as revenue, "
            "cost::decimal(18,4) as cost, quantity::decimal(18,4) as quantity) "
            "from read_csv(?, header = true, all_varchar = false, types = {'account_id': 'varchar', 'order_id': 'varchar', 'txn_key': 'varchar', 'revenue': 'varchar', 'cost': 'varchar', 'quantity': 'varchar'})",
            [str(FIXTURES / f"{name}.csv")],
        )
        cur.execute(
            "insert into accounts by name select * from read_csv(?, header = true, types = {'account_id': 'varchar'})",
            [str(FIXTURES / "accounts.csv")],
        )
        db.refresh_account_month(cur)


def require_realdata(*parts: str) -> Path:
    path = REALDATA.joinpath(*parts)
    if not path.exists():
        pytest.fail(f"real data file missing: {path} (the project expects ../shared/realdata beside it)")
    return path
