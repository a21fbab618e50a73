"""The window of plausible dates: what an import accepts, and what the default period is taken from.

A single line dated 0000-01-01 or 2999-12-31 must neither reach a table (DuckDB would store the first as
1 BC, which Python cannot even read back) nor move every user's default period. Event dates — order, visit,
ticket, survey and landing dates — must lie in the window, by default 1970-01-01 to one year after today;
both ends are editable and saved in `settings`. Contract dates may lie further ahead, up to HARD_LAST.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date

from ka import db

SETTING = "import_date_window"
DEFAULT_FIRST = date(1970, 1, 1)
HARD_FIRST = date(1900, 1, 1)    # no window may open earlier
HARD_LAST = date(2199, 12, 31)   # ... or close later; contract dates are checked against these two


@dataclass(frozen=True)
class DateWindow:
    first: date
    last: date

    def __post_init__(self):
        if not HARD_FIRST <= self.first <= self.last <= HARD_LAST:
            raise ValueError(f"not a date window: {self.first} – {self.last}")


def default_last(today: date) -> date:
    """One year after today (29 February gives 28 February)."""
    try:
        return today.replace(year=today.year + 1)
    except ValueError:
        return today.replace(year=today.year + 1, day=28)


def load_date_window(con, today: date | None = None) -> DateWindow:
    """The saved window; an end left open (None) is the default: 1970-01-01, one year after today."""
    try:
        saved = db.get_setting(con, SETTING) or {}
    except sqlite3.OperationalError:
        # In a folder no one may write in, SQLite cannot open the state file at all. Reading commands
        # (export, the default period) then use the default window; an import refuses such a folder
        # with its own message before it gets here.
        saved = {}
    today = today or date.today()
    first = date.fromisoformat(saved["first"]) if saved.get("first") else DEFAULT_FIRST
    last = date.fromisoformat(saved["last"]) if saved.get("last") else default_last(today)
    return DateWindow(min(first, last), max(first, last))


def save_date_window(con, first: date | None, last: date | None) -> None:
    """Save the window's ends; None keeps the default for that end (the last end then moves with today)."""
    DateWindow(first or DEFAULT_FIRST, last or HARD_LAST)  # refuses an impossible window
    db.put_setting(con, SETTING, {"first": first.isoformat() if first else None, "last": last.isoformat() if last else None})
