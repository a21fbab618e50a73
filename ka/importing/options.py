"""What a batch is imported with: the user's choices, and the limits every kind of file shares."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from ka.date_window import DateWindow

BROKEN_SHARE_LIMIT = 0.05   # more broken rows than this in a file → the file's structure is wrong; refuse
BROKEN_ROWS_TOLERATED = 2   # ... but a couple of broken rows in a tiny file are only rejected
REJECTED_SHARE_LIMIT = 0.5  # more unreadable values than this → the mapping is wrong; refuse
REJECTED_KEPT = 10_000      # rejected rows listed in the report (all are counted)
QUOTED_LINES = 3            # broken lines quoted in a refusal

# Told where a batch is, for a progress display: ("reading", files), ("checking", rows read),
# ("merging", rows to import). Called from the importing thread; it must not fail.
OnStage = Callable[[str, int], None]


def no_progress(stage: str, count: int) -> None:
    pass


@dataclass
class ImportOptions:
    mapping: dict[str, str] | None = None    # one mapping for every file (they must then share one header)
    mappings: dict[tuple[str, ...], dict[str, str]] | None = None  # a mapping per header (the page: per layout)
    encoding: str | None = None              # None: detected per file
    sheet: str | None = None                 # Excel: a sheet name, read.ALL_SHEETS, or None for the first
    date_order: str | None = None            # 'mdy' / 'dmy'; None: detected, refused when ambiguous
    drop_duplicates: bool = False            # drop exact repeats of a line within one file (kinds that may)
    source: str = "cli"
    date_window: DateWindow | None = None    # None: the window saved in settings (see ka/date_window.py)
