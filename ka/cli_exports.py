"""What `python -m ka export --what NAME` can print. Each exporter returns a DataFrame.

Add an exporter: write `export_<name>(con, period, args)` and list it in EXPORTERS; options
it needs go in EXTRA_OPTIONS (shared by all exporters, so name them clearly).
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Callable, TextIO

import pandas as pd

from ka import overview
from ka.periods import Period
from ka.scope import ALL


def export_overview(con, period: Period, args) -> pd.DataFrame:
    """One row: the overview KPIs of the period (all accounts), money as exact decimals."""
    kpis = overview.read_overview_kpis(con, period, ALL)
    return pd.DataFrame([kpis.as_dict()], dtype=object)


EXPORTERS: dict[str, Callable] = {
    "overview": export_overview,
}
EXTRA_OPTIONS: dict[str, dict] = {}


def _plain(value):
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, float) and value != value:
        return None
    return value


def write(frame: pd.DataFrame, fmt: str, out: TextIO) -> None:
    """CSV or JSON records; Decimals are written as exact strings, never as floats."""
    records = [{key: _plain(value) for key, value in row.items()} for row in frame.to_dict("records")]
    if fmt == "json":
        json.dump(records, out, ensure_ascii=False, indent=2)
        out.write("\n")
    else:
        pd.DataFrame(records, columns=list(frame.columns)).to_csv(out, index=False, lineterminator="\n")
