"""Start-up checks: every way a database path can be wrong gets a title and what to do, in the
user's language, in the app and on the command line — never a traceback, and the file is left
exactly as it was (md5) with nothing created beside it."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from ka import db, demo, i18n, state, store
from ka_testing import ROOT, SMALL_DEMO, shown_text

UNPRIVILEGED = (  # root reads every file: drop the capabilities that let it, so permissions count
    ["setpriv", "--bounding-set", "-dac_override,-dac_read_search", "--inh-caps", "-all"] if os.geteuid() == 0 else []
)


@pytest.fixture(scope="session")
def good_database(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("good") / "good.duckdb"
    demo.build_demo_file(path, SMALL_DEMO)
    return path


def fingerprint(folder: Path) -> dict[str, str]:
    """Every file under `folder` with its md5: what must not change."""
    return {str(p.relative_to(folder)): hashlib.md5(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and os.access(p, os.R_OK)}


def make_missing(folder: Path, good: Path) -> tuple[Path, dict]:
    path = folder / "dta" / "ka_radar.duckdb"  # a typo in the folder name
    return path, {"path": str(path)}


def make_folder(folder: Path, good: Path) -> tuple[Path, dict]:
    path = folder / "ka_radar"
    path.mkdir()
    return path, {"path": str(path)}


def make_csv(folder: Path, good: Path) -> tuple[Path, dict]:
    path = folder / "sales.duckdb"
    path.write_text("Order ID,Customer ID,Sales\n1,C001,100\n", encoding="utf-8")
    return path, {"path": str(path), "kind": "text / CSV"}


def make_sqlite(folder: Path, good: Path) -> tuple[Path, dict]:
    path = folder / "crm.duckdb"
    with sqlite3.connect(path) as con:
        con.execute("create table customers (id text)")
    return path, {"path": str(path), "kind": "SQLite"}


def make_truncated(folder: Path, good: Path) -> tuple[Path, dict]:
    path = folder / "half.duckdb"
    shutil.copyfile(good, path)
    os.truncate(path, path.stat().st_size // 2)
    return path, {"path": str(path)}


def make_corrupt(folder: Path, good: Path) -> tuple[Path, dict]:
    """Bytes changed inside a block that holds transaction lines (as a failing disk would)."""
    path = folder / "damaged.duckdb"
    shutil.copyfile(good, path)
    con = duckdb.connect(str(good), read_only=True)
    block_id, block_size = con.execute(
        "select max(block_id), (select block_size from pragma_database_size()) "
        "from pragma_storage_info('transactions') where block_id is not null"
    ).fetchall()[0]
    con.close()
    with open(path, "r+b") as handle:
        handle.seek(store.HEADER_BYTES + block_id * block_size + 512)
        handle.write(bytes(range(256)) * 4)
    return path, {"name": path.name}


def make_too_new(folder: Path, good: Path) -> tuple[Path, dict]:
    path = folder / "future.duckdb"
    shutil.copyfile(good, path)
    con = duckdb.connect(str(path))
    con.execute("insert into schema_version (version) values (?)", [db.SCHEMA_VERSION + 5])
    con.close()
    return path, {"path": str(path), "version": db.SCHEMA_VERSION + 5, "supported": db.SCHEMA_VERSION}


CASES = {
    "missing": (make_missing, "database_missing"),
    "folder": (make_folder, "database_is_folder"),
    "wrong_format_csv": (make_csv, "database_wrong_format"),
    "wrong_format_sqlite": (make_sqlite, "database_wrong_format"),
    "truncated": (make_truncated, "database_truncated"),
    "corrupt": (make_corrupt, "database_corrupt"),
    "too_new": (make_too_new, "database_too_new"),
}


def title(key: str, language: str, values: dict) -> str:
    i18n.set_language(language)
    try:
        return i18n.t(f"errors.{key}.title", **values)
    finally:
        i18n.set_language(i18n.DEFAULT_LANGUAGE)


def run_app(path: Path, language: str, monkeypatch) -> AppTest:
    monkeypatch.setenv("KA_RADAR_DB", str(path))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["lang"] = language
    return at.run()


def run_cli(*args: str, language: str = "en", prefix: list[str] = ()) -> subprocess.CompletedProcess:
    return subprocess.run([*prefix, sys.executable, "-m", "ka", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, env={**os.environ, "KA_RADAR_LANG": language})


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_broken_database_gets_its_message_in_the_app_and_nothing_changes(case, good_database, tmp_path, monkeypatch):
    make, key = CASES[case]
    path, values = make(tmp_path, good_database)
    before = fingerprint(tmp_path)
    for language in ("en", "zh"):
        at = run_app(path, language, monkeypatch)
        assert not at.exception
        assert [shown_text(e.value) for e in at.error] == [title(key, language, values)]
        assert "Traceback" not in " ".join(e.value for e in at.error) + " ".join(c.value for c in at.caption)
        assert at.caption[0].value  # what to do
        state.forget_stores()
    assert fingerprint(tmp_path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(before) or case == "folder"
    assert not (tmp_path / "dta").exists()  # a mistyped folder is never created


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_broken_database_gets_its_message_on_the_command_line(case, good_database, tmp_path):
    make, key = CASES[case]
    path, values = make(tmp_path, good_database)
    before = fingerprint(tmp_path)
    commands = [["export", "--what", "overview"], ["backup", "--out", str(tmp_path / "b.ka")]]
    for command in commands[:1] if case == "too_new" else commands:  # a newer file's backup is a plain copy
        result = run_cli(*command, "--db", str(path), language="zh")
        assert result.returncode == 2
        assert result.stderr.startswith("error: " + title(key, "zh", values))
        assert "Traceback" not in result.stderr
    assert fingerprint(tmp_path) == before


def test_a_database_another_program_writes_is_named_as_locked(good_database, tmp_path, monkeypatch):
    path = tmp_path / "held.duckdb"
    shutil.copyfile(good_database, path)
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys; held = duckdb.connect(sys.argv[1]); print('open', flush=True); sys.stdin.read()",
         str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "open"
        at = run_app(path, "zh", monkeypatch)
        assert [shown_text(e.value) for e in at.error] == ["数据库 held.duckdb 正被另一个程序占用。"]
        result = run_cli("export", "--what", "overview", "--db", str(path))
        assert result.returncode == 2 and "is in use by another program" in result.stderr
        assert "Traceback" not in result.stderr
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)


APP_IN_A_PROCESS = """
import json, sys
from streamlit.testing.v1 import AppTest
seen = {}
for language in ("en", "zh"):
    at = AppTest.from_file(sys.argv[1], default_timeout=60)
    at.session_state["lang"] = language
    at.run()
    seen[language] = {"errors": [e.value for e in at.error], "exception": bool(at.exception)}
print(json.dumps(seen, ensure_ascii=False))
"""


def run_app_unprivileged(path: Path) -> dict:
    result = subprocess.run([*UNPRIVILEGED, sys.executable, "-c", APP_IN_A_PROCESS, str(ROOT / "app.py")], cwd=ROOT,
                            capture_output=True, text=True, timeout=180, env={**os.environ, "KA_RADAR_DB": str(path)})
    assert result.returncode == 0, result.stderr[-2000:]
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    return {language: {**page, "errors": [shown_text(source) for source in page["errors"]]} for language, page in seen.items()}


def test_a_database_the_user_may_not_read(good_database, tmp_path):
    path = tmp_path / "private.duckdb"
    shutil.copyfile(good_database, path)
    digest = hashlib.md5(path.read_bytes()).hexdigest()
    path.chmod(0o000)
    try:
        seen = run_app_unprivileged(path)
        for language in ("en", "zh"):
            assert seen[language] == {"errors": [title("database_no_access", language, {"path": str(path)})], "exception": False}
        result = run_cli("export", "--what", "overview", "--db", str(path), prefix=UNPRIVILEGED)
        assert result.returncode == 2 and "Traceback" not in result.stderr
        assert result.stderr.startswith("error: " + title("database_no_access", "en", {"path": str(path)}))
    finally:
        path.chmod(0o644)
    assert hashlib.md5(path.read_bytes()).hexdigest() == digest


def test_a_folder_the_app_cannot_write_in(good_database, tmp_path):
    folder = tmp_path / "readonly"
    folder.mkdir()
    path = folder / "ka_radar.duckdb"
    shutil.copyfile(good_database, path)
    digest = hashlib.md5(path.read_bytes()).hexdigest()
    folder.chmod(0o555)
    try:
        seen = run_app_unprivileged(path)
        for language in ("en", "zh"):
            expected = title("database_folder_unwritable", language, {"path": str(folder)})
            assert seen[language] == {"errors": [expected], "exception": False}
        (tmp_path / "lines.csv").write_text("Order ID,Order Date,Customer ID,Sales\n1,2026-10-01,C1,10\n", encoding="utf-8")
        result = run_cli("import", "--db", str(path), str(tmp_path / "lines.csv"), prefix=UNPRIVILEGED)
        assert result.returncode == 2 and "Traceback" not in result.stderr
        assert result.stderr.startswith("error: " + title("database_folder_unwritable", "en", {"path": str(folder)}))
        exported = run_cli("export", "--what", "overview", "--db", str(path), prefix=UNPRIVILEGED)
        assert exported.returncode == 0, exported.stderr  # reading needs no write access
    finally:
        folder.chmod(0o755)
    assert hashlib.md5(path.read_bytes()).hexdigest() == digest
    assert sorted(p.name for p in folder.iterdir()) == ["ka_radar.duckdb"]
