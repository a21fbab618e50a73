"""Values from the data are shown as the characters they are, on every page, chart and export.

The portfolio is the small demo with accounts, a manager, a region, an industry and a product
category renamed through the ordinary imports to markdown, Streamlit directives, HTML, an image
link and spreadsheet formulas (tests/hostile.py). Markdown is checked by rendering what the page
sends with a CommonMark parser (markdown-it-py, as the browser's renderer would read it), not by
looking for the escaping the code under test writes.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
import zipfile

import openpyxl
import pytest
from streamlit.testing.v1 import element_tree as et

from hostile import build_hostile_db, hostile_names
from ka import db, kpi
from ka.__main__ import main
from ka.cells import export_cell, export_frame, saved_name
from ka.periods import period_from_key
from ka.scope import ALL
from ka.ui.text import literal
from ka_testing import ROOT, autolinks, rendered, run_page

IMAGE_URL = "http://127.0.0.1:9/pixel.png"
NAMES = hostile_names(IMAGE_URL)
# What a value would become if it were read as markup: none of it may reach the page.
MARKUP_FROM_DATA = ("<strong>Bold</strong>", "<strong>Boss</strong>", "<img", "<a href", "<h1>", "<b>Tag</b>")
DIRECTIVES_FROM_DATA = (":red[Red]", ":blue[Chen]")  # Streamlit colours these unless escaped
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory):
    return build_hostile_db(tmp_path_factory.mktemp("hostile") / "hostile.duckdb", IMAGE_URL)


@pytest.fixture
def hostile_app(hostile_db, monkeypatch):
    monkeypatch.setenv("KA_RADAR_DB", str(hostile_db))
    return hostile_db


def _walk(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _walk(child)


def markdown_sources(at) -> list[str]:
    """Every string the page sends to Streamlit's markdown: bodies of text elements, labels."""
    sources = []
    for node in _walk(at._tree):
        if isinstance(node, (et.Markdown, et.HeadingBase, et.AlertBase, et.Toast)):
            sources.append(node.value)
        label = getattr(node, "label", None)
        if isinstance(label, str):
            sources.append(label)
        help_text = getattr(getattr(node, "proto", None), "help", None)
        if isinstance(help_text, str) and help_text:
            sources.append(help_text)
    return sources


def chart_strings(at) -> list[str]:
    """Every string inside the Plotly figures of the page (labels, names, hover, custom data)."""
    found = []

    def collect(value):
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, dict):
            for item in value.values():
                collect(item)
        elif isinstance(value, list):
            for item in value:
                collect(item)

    for node in _walk(at._tree):
        if getattr(node, "type", None) == "plotly_chart":
            figure = json.loads(node.proto.spec)
            collect(figure.get("data"))
            collect({k: v for k, v in figure.get("layout", {}).items() if k != "template"})
    return found


def assert_shown_as_text(at, expected: list[str]) -> None:
    assert not at.exception, [e.value for e in at.exception]
    texts = []
    for source in markdown_sources(at):
        markup, text = rendered(source)
        assert not [link for link in autolinks(source) if "evil.example" in link or "127.0.0.1" in link], source
        for fragment in MARKUP_FROM_DATA:
            assert fragment not in markup, (fragment, source)
        for directive in DIRECTIVES_FROM_DATA:
            assert directive not in source, (directive, source)  # escaped, the source reads \:red\[Red\]
        texts.append(text)
    page_text = "\n".join(texts)
    for value in expected:
        assert value in page_text, (value, [s for s in texts if value[:6] in s][:3])
    for string in chart_strings(at):
        for raw in ("<b>Tag</b>", "<a href", "<img", "<br>East"):
            assert raw not in string, string


@pytest.mark.parametrize("account_id", list(NAMES))
@pytest.mark.parametrize("language", ["en", "zh"])
def test_account_360_shows_hostile_names_as_their_characters(hostile_app, account_id, language):
    at = run_page(ROOT / "pages" / "account.py", language, selected_account_id=account_id)
    fields = NAMES[account_id]
    shown = fields["name_en"] if language == "en" else fields["name"]
    assert_shown_as_text(at, [shown] + [fields[f] for f in ("industry", "region", "manager") if f in fields])
    assert rendered(at.title[0].value)[1] == shown


@pytest.mark.parametrize("account_id", ["KA00001", "KA00002"])  # accounts with orders in the period
def test_tiers_and_health_show_the_selected_hostile_account_as_text(hostile_app, account_id):
    name = NAMES[account_id]["name_en"]
    at = run_page(ROOT / "pages" / "health.py", "en", selected_account_id=account_id)
    assert_shown_as_text(at, [name])
    # tiers names every account in its tables (a name opens Account 360): cells are text, never markdown
    at = run_page(ROOT / "pages" / "tiers.py", "en", selected_account_id=account_id)
    assert_shown_as_text(at, [])
    accounts = next(d.value for d in at.dataframe if "cumulative_share" in d.value.columns)
    assert name in set(accounts["account"])


@pytest.mark.parametrize("page", ["overview.py", "whatif.py", "data_import.py", "qbr.py"])
def test_pages_with_hostile_data_render_no_markup_from_it(hostile_app, page):
    at = run_page(ROOT / "pages" / page, "en")
    assert_shown_as_text(at, [])


def test_overview_chart_labels_are_escaped_for_plotly(hostile_app):
    at = run_page(ROOT / "pages" / "overview.py", "en")
    strings = chart_strings(at)
    assert html.escape(NAMES["KA00001"]["region"]) in strings  # the region bar: &lt;b&gt;South…
    assert_shown_as_text(at, [])


def test_scorecards_drill_into_a_hostile_manager(hostile_app):
    manager = NAMES["KA00001"]["manager"]
    at = run_page(ROOT / "pages" / "scorecards.py", "en")
    at.selectbox(key="scorecards_manager").set_value(manager).run()
    assert_shown_as_text(at, [manager])
    assert any(html.escape(manager) in s for s in chart_strings(at))  # the trend's legend


def test_the_qbr_presentation_escapes_every_value(hostile_app):
    at = run_page(ROOT / "pages" / "qbr.py", "en")
    at.query_params.update({"kind": "account", "account": "KA00003", "period": "2026-Q3", "audience": "internal",
                            "lang": "en"})
    at.run()
    assert not at.exception
    slides = [e.value for e in at.html if 'data-testid="qbr-slide"' in e.value]
    assert slides and all("<b>Tag</b>" not in s and "<a href" not in s for s in slides)
    assert html.escape(NAMES["KA00003"]["name_en"], quote=False) in "".join(slides).replace("&quot;", '"')


def test_an_error_message_shows_a_value_from_the_url_as_text(hostile_app):
    at = run_page(ROOT / "pages" / "qbr.py", "en")
    at.query_params.update({"kind": "account", "account": f"![x]({IMAGE_URL})", "period": "2026-Q3",
                            "audience": "customer", "lang": "en"})
    at.run()
    assert at.error, "an unknown account is refused"
    assert_shown_as_text(at, [f"![x]({IMAGE_URL})"])


@pytest.mark.parametrize("value", [
    "**Bold** _it_ `code` ~~gone~~", ":red[Red] :material/star: :smile:", "![x](http://h/p.png) [l](http://h)",
    "<b>Tag</b> <img src=x> &amp; &#60;", "# Heading", "1. First", "3) Third", "- item", "+ item", "= setext",
    "> quote", "$x^2$ \\(y\\)", "a | b | c", "Co., Ltd. (Yong'an) 100% 50-50", "南京华信医药集团有限公司", "",
    "trailing\\", "<http://auto.link>", "http://evil.example/x", "HTTPS://evil.example", "www.evil.example",
    "mail me: boss@evil.example",
])
def test_literal_reads_back_as_exactly_its_characters(value):
    markup, text = rendered(literal(value))
    assert text.rstrip("\n") == value
    assert autolinks(literal(value)) == []  # GFM would link these from the text itself
    assert not re.search(r"<(strong|em|code|del|img|a|h\d|ol|ul|li|blockquote|table)\b", markup)
    assert ":red[" not in literal(value) and not re.search(r"(?<!\\)\$", literal(value))  # Streamlit's syntax


def test_literal_folds_line_breaks_and_keeps_links_from_the_text():
    assert literal("a\r\n b\nc") == "a b c"
    assert autolinks("see http://evil.example and www.evil.example")  # the check can fail
    assert literal("see www.evil.example") == "see www\u2060.evil.example"
    assert literal("Beijing Ruifeng Co., Ltd.") == "Beijing Ruifeng Co., Ltd."  # plain names stay as they are


# --- exports -----------------------------------------------------------------------------------

def assert_no_formula_cells(rows: list[list]) -> list[str]:
    """Every text cell of a CSV or sheet that a spreadsheet would run is neutralised; returns the texts."""
    texts = []
    for row in rows:
        for cell in row:
            if isinstance(cell, str):
                assert not (cell.startswith(FORMULA_START) and not NUMBER.fullmatch(cell)), cell
                texts.append(cell)
    return texts


def xlsx_rows(data: bytes) -> list[list]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    rows = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", cell.value
            rows.append([cell.value for cell in row])
    return rows


@pytest.mark.parametrize("value, exported", [
    ("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"), ("+1+1", "'+1+1"), ("-2+3 Minus", "'-2+3 Minus"),
    ("@SUM(A1)", "'@SUM(A1)"), ("\tTab", "'\tTab"), ("\rCR", "'\rCR"), ("-12.5000", "-12.5000"),
    ("+3", "+3"), ("1e5", "1e5"), ("Plain = text", "Plain = text"), (-4, -4), (None, None), ("", ""),
])
def test_export_cell_neutralises_text_a_spreadsheet_would_run(value, exported):
    assert export_cell(value) == exported


def test_saved_names_are_one_trimmed_line_and_safe_in_an_export():
    assert saved_name("  =cmd|x\n\r second ") == "'=cmd|x second"
    assert saved_name("x" * 200) == "x" * 80


def test_scorecard_downloads_hold_no_formula(hostile_db):
    con = db.open(hostile_db)
    try:
        period = period_from_key("quarter:2026-07-01:2026-09-30")
        for level in ("manager", "account"):
            values = kpi.read_kpi_values(con, period, ALL, level)
            targets = kpi.read_targets(con, level, "2026-Q3")
            cards = kpi.compute_scorecards(level, period, values, targets)
            table = kpi.compute_scorecard_table(cards)
            csv_rows = list(csv.reader(io.StringIO(export_frame(table).to_csv(index=False))))
            texts = assert_no_formula_cells(csv_rows) + assert_no_formula_cells(xlsx_rows(kpi.scorecard_xlsx(table)))
            expected = NAMES["KA00004"]["manager"] if level == "manager" else NAMES["KA00004"]["name"]
            assert "'" + expected in texts
    finally:
        con.close()


@pytest.mark.parametrize("what", ["overview", "tiers", "health", "scorecards", "dependency"])
def test_cli_csv_exports_hold_no_formula(hostile_db, what, capsys):
    assert main(["export", "--db", str(hostile_db), "--what", what, "--format", "csv"]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    texts = assert_no_formula_cells(rows)
    assert len(rows) > 1
    if what in ("tiers", "health", "dependency"):
        assert "'" + NAMES["KA00004"]["name"] in texts or "'" + NAMES["KA00004"]["name_en"] in texts


def test_the_qbr_pptx_charts_embed_no_formula(hostile_db, tmp_path):
    out = tmp_path / "deck.pptx"
    assert main(["qbr", "--db", str(hostile_db), "--account", "KA00002", "--period", "2026-Q3",
                 "--format", "pptx", "--out", str(out)]) == 0
    with zipfile.ZipFile(out) as deck:
        books = [name for name in deck.namelist() if name.endswith(".xlsx")]
        assert books
        texts = []
        for name in books:
            texts += assert_no_formula_cells(xlsx_rows(deck.read(name)))
        slides = "".join(deck.read(n).decode() for n in deck.namelist() if n.startswith("ppt/slides/slide"))
    assert "'=1+1 Cat" in texts
    assert "&lt;img" in slides or html.escape(NAMES["KA00002"]["name_en"]) in slides or "Image Co" in slides
