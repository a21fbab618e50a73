"""Shared fixtures: fresh databases under tmp_path, a small demo portfolio, clean Streamlit caches."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ka import db, demo
from ka_testing import SMALL_DEMO

# A translation missing from a catalog fails the test (and the app the e2e tests start) instead
# of showing its raw key on screen.
os.environ["KA_RADAR_STRICT_I18N"] = "1"


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
    connection = db.open(demo_db_path)
    yield connection
    connection.close()


@pytest.fixture
def app_db(demo_db_path, monkeypatch) -> Path:
    """Point the app (AppTest pages) at the small demo portfolio."""
    monkeypatch.setenv("KA_RADAR_DB", str(demo_db_path))
    return demo_db_path


@pytest.fixture
def writable_app_db(demo_db_path, tmp_path, monkeypatch) -> Path:
    """A copy of the small demo portfolio for an AppTest page that saves settings or targets."""
    import shutil

    path = tmp_path / "writable.duckdb"
    shutil.copy(demo_db_path, path)
    monkeypatch.setenv("KA_RADAR_DB", str(path))
    return path
