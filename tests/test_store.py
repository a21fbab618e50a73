"""Published versions: imports from the command line while other processes read, concurrent
settings from several processes, imports killed at every step, backup / restore / compact.

Every figure is checked against sums computed here from the lines written to the import files.
"""

from __future__ import annotations

import csv
import gc
import hashlib
import os
import shutil
import subprocess
import sys
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from ka import db, demo, kpi, state, store, whatif
from ka.__main__ import main
from ka_testing import ROOT, SMALL_DEMO


def md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


def totals(con) -> tuple[int, Decimal]:
    return tuple(con.execute("select count(*), sum(revenue) from transactions").fetchall()[0])


@pytest.fixture(scope="session")
def served_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("served") / "ka.duckdb"
    demo.build_demo_file(path, SMALL_DEMO)
    return path


@pytest.fixture
def served(served_template, tmp_path) -> Path:
    """A private copy of the small demo portfolio, as the app serves it."""
    path = tmp_path / "ka_radar.duckdb"
    shutil.copyfile(served_template, path)
    yield path
    state.forget_stores()


def write_lines(path: Path, count: int, seed: int) -> tuple[int, Decimal]:
    """An ERP-style export of `count` new lines (order ids unique per seed); returns (count, revenue)."""
    total = Decimal(0)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Order ID", "Line", "Order Date", "Customer ID", "Customer Name", "Product", "Category",
                         "Quantity", "Sales", "Cost"])
        for number in range(count):
            revenue = Decimal(1000 + (number * 37 + seed * 101) % 9000) + Decimal(number % 100) / 100
            total += revenue
            day = date(2026, 10, 1) + timedelta(days=number % 30)
            writer.writerow([f"S{seed}-{number // 3}", number % 3 + 1, day.isoformat(), f"NEW{number % 7:03d}",
                             f"New account {number % 7}", f"P{number % 11}", f"Cat {number % 4}", 1 + number % 5,
                             f"{revenue:.2f}", f"{revenue * Decimal('0.6'):.2f}"])
    return count, total


def cli(*args: str, env: dict | None = None, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ka", *args], cwd=ROOT, capture_output=True, text=True, timeout=300,
        env={**os.environ, **(env or {})}, **kwargs,
    )


READER_PROCESS = """
import sys
from ka import store
served = store.ServedDatabase(sys.argv[1])
for line in sys.stdin:   # one read per line received: the app's next page run
    con = served.connection()
    print(*con.execute("select count(*), sum(revenue) from transactions").fetchall()[0], flush=True)
"""


def test_a_cli_import_completes_while_other_processes_read_and_readers_switch_on_their_next_run(served, tmp_path):
    before = totals(db.open(served))
    other_app = subprocess.Popen([sys.executable, "-c", READER_PROCESS, str(served)], cwd=ROOT,
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    other_app.stdin.write("read\n")
    other_app.stdin.flush()
    assert other_app.stdout.readline().split() == [str(before[0]), str(before[1])]
    here = store.ServedDatabase(served)
    opened_before = here.connection()

    lines, revenue = write_lines(tmp_path / "erp.csv", 3000, seed=1)
    result = cli("import", "--db", str(served), str(tmp_path / "erp.csv"))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr

    assert totals(opened_before) == before  # the run that started before the commit keeps its version
    after = totals(here.connection())  # the next run sees all of the import
    assert after == (before[0] + lines, before[1] + revenue)
    other_app.stdin.write("read\n")
    other_app.stdin.flush()
    assert other_app.stdout.readline().split() == [str(after[0]), str(after[1])]
    other_app.stdin.close()
    assert other_app.wait(timeout=30) == 0
    assert not list(tmp_path.glob("*.new-*"))  # nothing left beside the database


def test_export_qbr_and_undo_work_while_the_app_reads(served, tmp_path):
    here = store.ServedDatabase(served)
    before = totals(here.connection())
    write_lines(tmp_path / "erp.csv", 500, seed=2)
    assert cli("import", "--db", str(served), str(tmp_path / "erp.csv")).returncode == 0
    exported = cli("export", "--db", str(served), "--what", "overview", "--format", "json")
    assert exported.returncode == 0, exported.stderr
    deck = cli("qbr", "--db", str(served), "--portfolio", "--format", "pptx", "--out", str(tmp_path / "review.pptx"))
    assert deck.returncode == 0, deck.stderr
    assert (tmp_path / "review.pptx").stat().st_size > 0
    undone = cli("undo", "--db", str(served), "--batch", "2")
    assert undone.returncode == 0, undone.stderr
    assert totals(here.connection()) == before



def test_a_write_inside_a_write_is_refused_at_once_and_publishes_nothing(served):
    reader = db.open(served)
    before, fingerprint = totals(reader), md5(served)
    with pytest.raises(RuntimeError, match="nested write"):
        with db.write_transaction(reader) as cursor:
            cursor.execute("delete from transactions")
            with db.write_transaction(reader):  # would otherwise wait for itself forever
                pass
    assert md5(served) == fingerprint
    assert totals(db.open(served)) == before
    assert not list(served.parent.glob("*.new-*"))
    with db.write_transaction(reader) as cursor:  # the lock was given back
        cursor.execute("select 1")


def open_files(path: Path) -> list[str]:
    """The files of this process that are `path` or an older version of it (shown as deleted)."""
    links = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            links.append(os.readlink(f"/proc/self/fd/{fd}"))
        except OSError:  # the listing's own descriptor, already closed
            pass
    return sorted(link for link in links if link in (str(path), f"{path} (deleted)"))


def test_a_reader_lets_go_of_old_versions_once_it_has_switched(served):
    here = store.ServedDatabase(served)
    for _ in range(4):
        totals(here.connection())
        with store.new_version(served):
            pass
    totals(here.connection())
    gc.collect()
    assert open_files(served) == [str(served)]  # no deleted version kept open: memory and disk stay flat

SETTINGS_WRITER = """
import sys
from ka import db, kpi, whatif
con = db.open(sys.argv[1])
name = sys.argv[2]
print("ready", flush=True)
sys.stdin.readline()  # both writers start on the same signal
for number in range(40):
    whatif.save_scenario(con, f"{name}-{number}", whatif.Scenario())
    db.put_setting(con, f"note:{name}:{number}", number)
    kpi.save_target(con, "manager", f"{name}-manager", "2026-Q4", "revenue", 1000 + number)
"""


def test_two_processes_write_settings_at_once_and_nothing_is_lost(served):
    writers = [subprocess.Popen([sys.executable, "-c", SETTINGS_WRITER, str(served), name], cwd=ROOT,
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for name in ("left", "right")]
    for writer in writers:
        assert writer.stdout.readline().strip() == "ready"
    for writer in writers:
        writer.stdin.write("go\n")
        writer.stdin.flush()
    for writer in writers:
        assert writer.wait(timeout=120) == 0, writer.stderr.read()
    con = db.open(served)
    scenarios = whatif.read_scenarios(con)
    assert sorted(scenarios) == sorted(f"{name}-{n}" for name in ("left", "right") for n in range(40))
    assert all(db.get_setting(con, f"note:{name}:{n}") == n for name in ("left", "right") for n in range(40))
    targets = kpi.read_targets(con, "manager", "2026-Q4")
    assert dict(zip(targets["scope_id"], targets["target"]))["left-manager"] == 1039
    assert dict(zip(targets["scope_id"], targets["target"]))["right-manager"] == 1039


STATE_OPENER = """
import sys
from ka import state
print("ready", flush=True)
sys.stdin.readline()
state.StateStore(sys.argv[1])
"""


def test_processes_that_open_a_new_state_file_at_the_same_moment_all_succeed(tmp_path):
    # Switching a new file to WAL mode fails at once with "database is locked" while another
    # process opens it too; the first settings write of two app processes hit this.
    for attempt in range(6):
        path = tmp_path / f"state-{attempt}.sqlite3"
        openers = [subprocess.Popen([sys.executable, "-c", STATE_OPENER, str(path)], cwd=ROOT,
                                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    text=True)
                   for _ in range(6)]
        for opener in openers:
            assert opener.stdout.readline().strip() == "ready"
        for opener in openers:
            opener.stdin.write("go\n")
            opener.stdin.flush()
        for opener in openers:
            assert opener.wait(timeout=120) == 0, opener.stderr.read()
        assert state.StateStore(path).read("pragma journal_mode")[0][0] == "wal"


# Where the import dies: after copying the current version, in the middle of its transaction,
# after the checkpoint but before the rename, and right after the rename.
KILLED_IMPORT = """
import os, shutil, signal, sys
from ka import db, store
point = sys.argv[1]

def die():
    os.kill(os.getpid(), signal.SIGKILL)

def after(function):
    def wrapper(*args, **kwargs):
        result = function(*args, **kwargs)
        die()
        return result
    return wrapper

if point == "after_copy":
    store.shutil.copyfile = after(shutil.copyfile)
elif point == "mid_transaction":
    db.refresh_account_month = after(db.refresh_account_month)
elif point == "before_rename":
    store._fsync_file = after(store._fsync_file)
elif point == "after_rename":
    store._fsync_directory = after(store._fsync_directory)
from ka.__main__ import main
sys.exit(main(["import", "--db", sys.argv[2], sys.argv[3]]))
"""


@pytest.mark.parametrize("point", ["after_copy", "mid_transaction", "before_rename", "after_rename"])
def test_an_import_killed_at_any_step_leaves_readers_on_a_whole_version(served, tmp_path, point):
    here = store.ServedDatabase(served)
    before = totals(here.connection())
    fingerprint = md5(served)
    first_lines, first_revenue = write_lines(tmp_path / "first.csv", 2000, seed=3)
    killed = subprocess.run([sys.executable, "-c", KILLED_IMPORT, point, str(served), str(tmp_path / "first.csv")],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert killed.returncode == -9, killed.stderr

    published = point == "after_rename"
    seen = totals(here.connection())
    if published:
        assert seen == (before[0] + first_lines, before[1] + first_revenue)
    else:
        assert seen == before
        assert md5(served) == fingerprint
        assert list(tmp_path.glob("ka_radar.duckdb.new-*"))  # the dead writer's draft, until the next writer

    second_lines, second_revenue = write_lines(tmp_path / "second.csv", 1000, seed=4)
    result = cli("import", "--db", str(served), str(tmp_path / "second.csv"))
    assert result.returncode == 0, result.stderr
    expected = (before[0] + second_lines + (first_lines if published else 0),
                before[1] + second_revenue + (first_revenue if published else 0))
    assert totals(here.connection()) == expected
    assert not list(tmp_path.glob("ka_radar.duckdb.new-*"))


def test_a_target_set_in_the_app_holds_until_a_newer_import_changes_it(served, tmp_path):
    con = db.open(served)
    kpi.save_target(con, "manager", "陈静", "2026-Q4", "revenue", 1_500_000)
    assert kpi.read_targets(con, "manager", "2026-Q4").set_index("scope_id").loc["陈静", "target"] == 1_500_000
    (tmp_path / "targets.csv").write_text("对象类型,对象,期间,指标,目标值\n客户经理,陈静,2026-Q4,收入,1800000\n", encoding="utf-8")
    assert cli("import", "--db", str(served), "--kind", "targets", str(tmp_path / "targets.csv")).returncode == 0
    con = db.open(served)
    assert kpi.read_targets(con, "manager", "2026-Q4").set_index("scope_id").loc["陈静", "target"] == 1_800_000
    kpi.save_target(con, "manager", "陈静", "2026-Q4", "revenue", 1_700_000)  # edited after that import
    assert kpi.read_targets(con, "manager", "2026-Q4").set_index("scope_id").loc["陈静", "target"] == 1_700_000
    kpi.save_target(con, "manager", "陈静", "2026-Q4", "revenue", None)  # removed in the app
    assert "陈静" not in set(kpi.read_targets(con, "manager", "2026-Q4")["scope_id"])


# --- backup, restore, compact -----------------------------------------------------------------
def test_backup_while_serving_and_restore_put_back_data_and_settings(served, tmp_path, capsys):
    here = store.ServedDatabase(served)
    before = totals(here.connection())
    db.put_setting(here.connection(), "tiers", {"config": {"method": "topn", "top_a": 5, "top_b": 10}})
    backup_file = tmp_path / "backup.ka"
    assert main(["backup", "--db", str(served), "--out", str(backup_file)]) == 0
    assert "backup written" in capsys.readouterr().out

    write_lines(tmp_path / "later.csv", 800, seed=5)
    assert cli("import", "--db", str(served), str(tmp_path / "later.csv")).returncode == 0
    db.put_setting(here.connection(), "tiers", {"config": {"method": "cumulative"}})
    assert totals(here.connection()) != before

    fingerprint = md5(served)
    assert main(["restore", str(backup_file), "--db", str(served)]) == 2  # refuses to overwrite
    assert "--force" in capsys.readouterr().err
    assert md5(served) == fingerprint
    assert main(["restore", str(backup_file), "--db", str(served), "--force"]) == 0
    assert totals(here.connection()) == before  # the reader switches on its next run
    assert db.get_setting(here.connection(), "tiers") == {"config": {"method": "topn", "top_a": 5, "top_b": 10}}

    elsewhere = tmp_path / "elsewhere" / "copy.duckdb"
    elsewhere.parent.mkdir()
    assert main(["restore", str(backup_file), "--db", str(elsewhere)]) == 0
    assert totals(db.open(elsewhere)) == before


def test_a_damaged_backup_is_refused_and_changes_nothing(served, tmp_path, capsys):
    backup_file = tmp_path / "backup.ka"
    assert main(["backup", "--db", str(served), "--out", str(backup_file)]) == 0
    data = bytearray(backup_file.read_bytes())
    data[len(data) // 2] ^= 0xFF
    backup_file.write_bytes(bytes(data))
    fingerprint = md5(served)
    capsys.readouterr()
    assert main(["restore", str(backup_file), "--db", str(served), "--force"]) == 2
    assert "is not a complete KA Radar backup" in capsys.readouterr().err
    assert md5(served) == fingerprint


def test_compact_reclaims_a_killed_imports_space_and_batches_count_on(served, tmp_path, capsys):
    write_lines(tmp_path / "first.csv", 2000, seed=6)
    killed = subprocess.run([sys.executable, "-c", KILLED_IMPORT, "before_rename", str(served), str(tmp_path / "first.csv")],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert killed.returncode == -9
    leftovers = list(tmp_path.glob("ka_radar.duckdb.new-*"))
    assert leftovers and sum(p.stat().st_size for p in leftovers) > 0
    before = totals(db.open(served))
    assert main(["compact", "--db", str(served)]) == 0
    assert "files of interrupted imports removed" in capsys.readouterr().out
    assert not list(tmp_path.glob("ka_radar.duckdb.new-*"))
    assert totals(db.open(served)) == before
    write_lines(tmp_path / "second.csv", 300, seed=7)
    assert cli("import", "--db", str(served), str(tmp_path / "second.csv")).returncode == 0
    batches = db.open(served).execute("select batch_id from import_batches order by batch_id").fetchall()
    assert [b for (b,) in batches] == [1, 2]  # the killed import's batch number was never published
