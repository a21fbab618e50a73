"""The command line: demo and overview export, as automation would use them."""

import csv
import io
import json
import subprocess
import sys
from decimal import Decimal

from ka_testing import ROOT
from ka.__main__ import main


def test_demo_then_export_overview(tmp_path, capsys):
    path = str(tmp_path / "cli.duckdb")
    assert main(["demo", "--db", path, "--accounts", "40", "--rows", "8000", "--seed", "3"]) == 0
    assert "40 accounts" in capsys.readouterr().out
    assert main(["export", "--db", path, "--what", "overview", "--from", "2026-07-01", "--to", "2026-09-30",
                 "--format", "json"]) == 0
    record = json.loads(capsys.readouterr().out)[0]
    assert record["period_start"] == "2026-07-01" and record["period_end"] == "2026-09-30"
    import duckdb

    con = duckdb.connect(path, read_only=True)
    expected = con.execute(
        "select sum(revenue) from transactions where order_date between '2026-07-01' and '2026-09-30'").fetchall()[0][0]
    con.close()
    assert Decimal(record["revenue"]) == expected  # exact decimal text, not a float

    assert main(["export", "--db", path, "--what", "overview", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert rows[0]["period_start"] == "2026-07-01"  # default: the latest complete quarter
    assert Decimal(rows[0]["revenue"]) == expected


def test_demo_refuses_a_database_with_data(tmp_path, capsys):
    path = str(tmp_path / "twice.duckdb")
    assert main(["demo", "--db", path, "--accounts", "20", "--rows", "2000"]) == 0
    assert main(["demo", "--db", path, "--accounts", "20", "--rows", "2000"]) == 2
    assert "already holds transactions" in capsys.readouterr().err


def test_runs_as_a_module(tmp_path):
    result = subprocess.run([sys.executable, "-m", "ka", "--help"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0 and "demo" in result.stdout and "export" in result.stdout
