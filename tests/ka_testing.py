"""Plain helpers the tests share (paths, the small demo spec, fixture loaders).

Kept out of conftest.py on purpose: tests/ and tests/e2e/ each have a conftest, so
`from conftest import ...` would pick whichever pytest loaded first.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from ka import db, demo

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
REALDATA = ROOT.parent / "shared" / "realdata"

SMALL_DEMO = demo.DemoSpec(accounts=60, rows=20_000, years=3, seed=7)
COMMONMARK = MarkdownIt("commonmark").enable("table").enable("strikethrough")  # as Streamlit (GFM) reads it


# GFM's literal autolinks, as Streamlit's renderer (remark-gfm) finds them in a text after its escapes
# are read: markdown-it's CommonMark does not make them, so they are looked for here.
GFM_AUTOLINK = re.compile(r"(?i)(https?://|www(?=\.))[-.\w]+|[-.\w+]+@[-\w]+(\.[-\w]+)+")
WORD_JOINER = "\u2060"  # invisible; ka.ui.text.literal puts it where GFM would start a link


def _text_of(markup: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", markup)).strip("\n")


def rendered(source: str) -> tuple[str, str]:
    """(HTML, plain text as a reader sees it) of one markdown source as CommonMark reads it."""
    markup = COMMONMARK.render(source)
    return markup, _text_of(markup).replace(WORD_JOINER, "")


def autolinks(source: str) -> list[str]:
    """The texts in one markdown source that GFM would turn into links."""
    return [match.group(0) for match in GFM_AUTOLINK.finditer(_text_of(COMMONMARK.render(source)))]


def shown_text(source: str) -> str:
    """The text a reader sees for one markdown source (what a page sends to st.error, st.caption, ...)."""
    return rendered(source)[1]


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


def run_page(page: str | Path, language: str = "en", **state):
    """Run a page file on its own (AppTest) in `language`, with session_state preset; returns the AppTest.

    The test thread's language is set too: AppTest re-applies widgets' format_func (t(...)) there.
    """
    from streamlit.testing.v1 import AppTest

    from ka import i18n

    i18n.set_language(language)
    at = AppTest.from_file(str(page), default_timeout=60)
    at.session_state["lang"] = language
    for key, value in state.items():
        at.session_state[key] = value
    return at.run()



def every_page(at, key: str, column: str | None = None):
    """The rows of a table drawn a page at a time (ka.ui.page_of) over all its pages, in order, as one
    frame; it leaves the table on its last page. AppTest finds a dataframe by key only when it is
    selectable: give another table's `column` (one no other table on the page has).
    """
    import pandas as pd

    from ka.ui.paging import view_key

    def table(page: int):
        if column is None:
            return at.dataframe(key=view_key(key, page, "")).value
        return next(d.value for d in at.dataframe if column in d.value.columns)

    frames = [table(1)]
    pages = [p for p in at.pagination if p.key == f"{key}_page"]
    for page in range(2, (pages[0].num_pages if pages else 1) + 1):
        at.pagination(key=f"{key}_page").set_value(page).run()
        frames.append(table(page))
    return pd.concat(frames, ignore_index=True)


def as_money_column(values, rows: int, language: str = "en") -> list[float]:
    """Amounts as a money column of ka.ui.show_table holds them: in yuan in a table of up to
    STYLED_ROWS rows (a Styler writes the cells), in the column's unit (万, K, M) in a longer one."""
    from ka.ui.tables import STYLED_ROWS, money_format

    divisor = money_format(values, language)[0] if rows > STYLED_ROWS else 1.0
    return [float(v) / divisor for v in values]
