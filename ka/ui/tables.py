"""Tables in one format per kind of figure, narrow enough for the content area at 1366 px.

A page describes a table as columns of a kind (`Col`); `show_table` scales and formats them the
same way everywhere:

- money: each cell as format_amount writes it (1.71亿, 2,035万, 13.7K), exactly as the tiles and
  charts show it, while the column still sorts as numbers. Tables longer than STYLED_ROWS (a
  pandas Styler over thousands of rows is slow) show one unit per column instead, with the
  precision format_amount gives the column's largest value;
- share: percent with one decimal (change: signed); count: whole numbers; score: whole points;
- account: the account's name; a click opens Account 360;
- text and reasons: reasons wrap onto several lines (the table's rows grow to show them whole).

Columns with `shown=False` are sent but hidden: the table's own column chooser (the eye icon)
brings them in. A missing value shows as "—", never None, nan or NaT.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from ka import i18n
from ka.ui.links import account_button

STYLED_ROWS = 100  # up to this many rows a Styler formats money cell by cell and colours cells (≈ 75 ms)
LINE_HEIGHT = 20  # px per line of wrapped cell text
MIN_WRAPPED_ROW = 65  # Streamlit wraps cell text only in rows taller than 4 rem
HEADER_HEIGHT = 36
VISIBLE_ROWS = 10  # a taller table scrolls inside itself
REASONS_WIDTH = 280  # wide enough for two or three lines at 1366 px; more space comes on wider screens
PLACEHOLDER = "—"
FORMATS = {"share": "%.1f%%", "change": "%+.1f%%", "count": "%,.0f", "score": "%.0f", "number": "%,.1f", "index": "%,.0f", "ratio": "%.2f"}


@dataclass(frozen=True)
class Col:
    label: str
    kind: str = "text"  # text | reasons | account | money | share | change | count | score | number | index | ratio | date | flag
    width: Any = None  # "small", "medium", "large", pixels, or None (fits the content)
    help: str | None = None
    shown: bool = True  # False: behind the table's column chooser


def money_format(values, language: str | None = None) -> tuple[float, str]:
    """(divisor, printf format) of a money column, from its largest absolute value."""
    numbers = pd.to_numeric(pd.Series(values), errors="coerce").astype("float64").abs()
    divisor, suffix, decimals = i18n.amount_unit(numbers.max() if numbers.notna().any() else 0, language)
    return divisor, f"%,.{decimals}f{suffix}"


def table_data(frame: pd.DataFrame, columns: dict[str, Col], cell_money: bool = False) -> tuple[pd.DataFrame, dict]:
    """The displayed frame (shares in percent; money in yuan when `cell_money`, for a Styler to
    format cell by cell, else scaled to the column's unit) and the column_config of every column
    except account buttons (show_table adds those)."""
    data, config = pd.DataFrame(index=frame.index), {}
    for name, col in columns.items():
        values = frame[name]
        if col.kind == "money" and cell_money:
            data[name] = pd.to_numeric(values, errors="coerce").astype("float64")
            config[name] = st.column_config.NumberColumn(col.label, width=col.width, help=col.help)  # the Styler formats
        elif col.kind == "money":
            divisor, fmt = money_format(values)
            data[name] = pd.to_numeric(values, errors="coerce").astype("float64") / divisor
            config[name] = st.column_config.NumberColumn(col.label, format=fmt, width=col.width, help=col.help)
        elif col.kind in ("share", "change"):  # fractions, shown in percent
            data[name] = pd.to_numeric(values, errors="coerce").astype("float64") * 100
            config[name] = st.column_config.NumberColumn(col.label, format=FORMATS[col.kind], width=col.width, help=col.help)
        elif col.kind in FORMATS:
            data[name] = pd.to_numeric(values, errors="coerce").astype("float64")
            config[name] = st.column_config.NumberColumn(col.label, format=FORMATS[col.kind], width=col.width, help=col.help)
        elif col.kind == "date":
            data[name] = pd.to_datetime(values, errors="coerce")
            config[name] = st.column_config.DateColumn(col.label, format="YYYY-MM-DD", width=col.width, help=col.help)
        elif col.kind == "flag":
            data[name] = values.astype("boolean")
            config[name] = st.column_config.CheckboxColumn(col.label, width=col.width, help=col.help)
        else:
            data[name] = [PLACEHOLDER if _is_missing(v) else str(v) for v in values]
            config[name] = st.column_config.TextColumn(col.label, width=col.width, help=col.help)
    return data.reset_index(drop=True), config


def _is_missing(value) -> bool:
    return (value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value)
            or value == PLACEHOLDER)


def wrapped_row_height(texts, width: int) -> int:
    """A row height that shows the longest of `texts` whole in a column `width` px wide."""
    per_line = max(10, width // (14 if i18n.get_language() == "zh" else 7))  # CJK glyphs are twice as wide
    longest = max((len(str(text)) for text in texts), default=0)
    lines = min(5, max(2, -(-longest // per_line)))
    return max(MIN_WRAPPED_ROW, lines * LINE_HEIGHT + 14)


def show_table(frame: pd.DataFrame, columns: dict[str, Col], key: str, *, account_ids=None, styler=None,
               **dataframe_options):
    """Draw `frame` with these columns (in this order). `account_ids` (one per row; default the
    frame's account_id column) makes the account columns open Account 360 on a click; `styler`
    (a function of a pandas Styler) colours a small table's cells. A default column with no value
    in any row is moved behind the column chooser."""
    small = len(frame) <= STYLED_ROWS
    data, config = table_data(frame, columns, cell_money=small)
    ids = list(frame["account_id"]) if account_ids is None and "account_id" in frame else account_ids
    for name, col in columns.items():
        if col.kind == "account" and ids is not None:
            config[name] = account_button(col.label, f"{key}_{name}", ids, width=col.width or "medium", help=col.help)
    shown = [name for name, col in columns.items() if col.shown and not (len(data) and frame[name].map(_is_missing).all())]
    reasons = [name for name in shown if columns[name].kind == "reasons"]
    row_height = None
    for name in reasons:
        width = columns[name].width if isinstance(columns[name].width, int) else REASONS_WIDTH
        config[name] = st.column_config.TextColumn(columns[name].label, width=width, help=columns[name].help)
        row_height = max(row_height or 0, wrapped_row_height(data[name], width))
    height = dataframe_options.pop("height", "auto")
    if row_height and height == "auto":  # Streamlit's auto height assumes one-line rows
        height = HEADER_HEIGHT + row_height * min(len(data), VISIBLE_ROWS) + 2
    shown_data = data
    money = [name for name, col in columns.items() if col.kind == "money"]
    if small and (money or styler):  # a Styler costs ≈ 15 ms a table: only where it formats or colours
        shown_data = data.style.format({name: i18n.format_amount for name in money}, na_rep=PLACEHOLDER)
        if styler:
            shown_data = styler(shown_data)
    with st.container(key=f"{key}_box"):  # a stable handle (st-key-<key>_box) for browser tests
        return st.dataframe(
            shown_data, hide_index=True, key=key, column_order=shown, column_config=config, placeholder=PLACEHOLDER,
            row_height=row_height, height=height, **dataframe_options,
        )
