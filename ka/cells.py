"""What an exported cell may hold: text from the data never becomes a spreadsheet formula.

Excel, LibreOffice and Google Sheets run a cell that begins with `=`, `+`, `-` or `@` (and some
of them one that begins with a tab or a carriage return) as a formula, so an account named
`=HYPERLINK("http://…")` would turn a CSV or XLSX export into a link or worse. Such text gets a
leading `'`, which every spreadsheet shows as text. Numbers — numeric types, and text that is a
plain number such as `-12.5000` (the CLI writes exact decimals as text) — are left alone.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
NAME_LIMIT = 80
_CONTROL = re.compile(r"[\s\x00-\x1f\x7f]+")


def export_cell(value: Any) -> Any:
    """`value` as it may go into a CSV or XLSX cell: text that a spreadsheet would run gets a `'`."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def export_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` whose text cells and column names are export_cell'd (numbers untouched)."""
    out = frame.rename(columns={name: export_cell(name) for name in frame.columns if isinstance(name, str)})
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = [export_cell(value) for value in out[column]]
    return out


def export_row(values: list) -> list:
    """One row of a csv.writer, cell by cell."""
    return [export_cell(value) for value in values]


def saved_name(text: str) -> str:
    """A name a user gives a mapping or a scenario, as it is kept: one line, trimmed, at most
    NAME_LIMIT characters, and safe in an export (it becomes a column name or a file's cell)."""
    one_line = _CONTROL.sub(" ", text or "").strip()
    return export_cell(one_line[:NAME_LIMIT])
