"""QBR decks: the slides of each kind, the PPTX and PDF as a reader opens them, figures against
independent SQL over `transactions`, and the customer audience rule scanned over every output.
"""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from pptx import Presentation
from pypdf import PdfReader

from ka import db, i18n
from ka.qbr import RequestError, build_deck, make_request, parse_period
from ka.qbr import fonts
from ka.qbr.model import deck_texts
from ka.qbr.pdf_render import render_pdf
from ka.qbr.pptx_render import render_pptx
from ka.periods import month_period, quarter_period, year_period

PERIOD = quarter_period(2026, 3)  # the demo's latest complete quarter (data to 2026-10-31)
ACCOUNT_TITLES = {
    "en": ["Nanjing Huaxin Pharmaceutical Group Co., Ltd.", "Executive summary", "Results against targets · 2026 Q3",
           "Revenue by month: the last 12 months against the 12 before", "Product categories and what is new",
           "Service · 2026 Q3", "Internal: health, tier and dependency", "Next quarter: actions and asks",
           "Appendix: definitions · data as of 2026-10-31"],
    "zh": ["南京华信医药集团有限公司", "摘要", "目标达成 · 2026 年第 3 季度", "月度销售额：最近 12 个月对比之前 12 个月",
           "产品类别与新增采购", "服务 · 2026 年第 3 季度", "内部：健康度、分级与依赖度", "下季度：行动与需求",
           "附录：指标定义 · 数据截至 2026-10-31"],
}
REVIEW_KEYS = ["cover", "kpis", "trend", "tiers", "red_accounts", "scorecards", "concentration", "movers",
               "next_quarter", "appendix"]

# What a customer must never read: our tiers, health, scores, economics, portfolio and dependency.
FORBIDDEN = {
    "en": re.compile(r"\b(tiers?|health|scor(e|es|ed|ing)|scorecards?|margins?|gross|profit|costs?|portfolio|"
                     r"dependency|share of|churn|hhi|gini|risk|red|yellow|green)\b", re.IGNORECASE),
    "zh": re.compile("分级|等级|健康|得分|评分|毛利|成本|利润|客户组合|依赖|占比|份额|流失|风险|红灯|黄灯|绿灯|集中度"),
}


@pytest.fixture(scope="module")
def qbr_con(demo_db_path):
    connection = db.open(demo_db_path)  # the tests never write to it
    yield connection
    connection.close()


def _deck(con, kind="account", language="en", audience="internal", **subject):
    if kind == "account":
        subject.setdefault("account_id", "KA00001")
    return build_deck(con, make_request(con, kind, period="2026-Q3", audience=audience, language=language, **subject))


def _sql_rows(con, sql, params=()):
    return con.execute(sql, list(params)).fetchall()


def _a_tier_accounts(con) -> list[str]:
    """The A tier by the cumulative rule, straight from transactions: accounts sorted by revenue,
    A while the positive revenue before them is below 80 % of the positive total."""
    rows = _sql_rows(con, """
        with revenue as (
            select account_id, sum(revenue) as revenue from transactions
            where order_date between ? and ? group by account_id
        ), ranked as (
            select account_id, revenue,
                   coalesce(sum(greatest(revenue, 0)) over (order by revenue desc, account_id
                            rows between unbounded preceding and 1 preceding), 0) as before,
                   sum(greatest(revenue, 0)) over () as total
            from revenue
        )
        select account_id from ranked where revenue > 0 and before < 0.8 * total order by account_id
    """, [PERIOD.start, PERIOD.end])
    return [row[0] for row in rows]


def pptx_texts(data: bytes) -> list[str]:
    """Every text of a PPTX: slide, notes and chart XML (a:t, c:v), document properties, and the
    shared strings of each chart's embedded workbook."""
    texts = []
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        for name in package.namelist():
            content = package.read(name)
            if name.endswith(".xml"):
                text = content.decode("utf-8")
                texts += re.findall(r"<(?:a:t|c:v|dc:title|dc:subject|cp:keywords|dc:description)>([^<]*)<", text)
            elif name.endswith(".xlsx"):
                with zipfile.ZipFile(io.BytesIO(content)) as workbook:
                    for part in workbook.namelist():
                        if part.endswith(".xml"):
                            texts += re.findall(r"<t(?: [^>]*)?>([^<]*)<", workbook.read(part).decode("utf-8"))
    return [re.sub(r"&amp;", "&", t) for t in texts if t.strip()]


def page_text(page) -> str:
    """A page's text. pypdf reads the embedded CMap encoding of a CID font (fpdf2 writes one for
    CFF fonts) as one-byte codes and puts a NUL before each character; poppler and viewers do not."""
    return page.extract_text().replace("\x00", "")


def pdf_texts(data: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(data))
    meta = reader.metadata or {}
    return [page_text(page) for page in reader.pages] + [str(v) for v in meta.values()]


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


# --- the deck model ------------------------------------------------------------------------------
@pytest.mark.parametrize("language", ["en", "zh"])
def test_account_deck_has_the_nine_slides_and_the_customer_deck_leaves_out_the_internal_one(qbr_con, language):
    internal = _deck(qbr_con, language=language)
    assert internal.keys == ["cover", "summary", "results", "monthly", "mix", "service", "standing", "next_quarter",
                             "appendix"]
    assert [slide.title for slide in internal.slides] == ACCOUNT_TITLES[language]
    customer = _deck(qbr_con, language=language, audience="customer")
    assert customer.keys == [k for k in internal.keys if k != "standing"]


@pytest.mark.parametrize("kind, subject", [("manager", {"manager": "王芳"}), ("portfolio", {})])
def test_review_decks(qbr_con, kind, subject):
    deck = _deck(qbr_con, kind, **subject)
    assert deck.keys == REVIEW_KEYS
    assert deck.audience == "internal"
    if kind == "manager":
        assert "王芳" in deck.slides[0].title


def test_summary_figures_equal_independent_sql(qbr_con):
    """Headline revenue and orders of the account, and their change against last year."""
    (revenue, orders), = _sql_rows(qbr_con, "select sum(revenue), count(distinct order_id) from transactions "
                                            "where account_id = 'KA00001' and order_date between ? and ?",
                                   [PERIOD.start, PERIOD.end])
    (last_year,), = _sql_rows(qbr_con, "select sum(revenue) from transactions where account_id = 'KA00001' "
                                       "and order_date between '2025-07-01' and '2025-09-30'")
    tiles = _deck(qbr_con).slide("summary").rows[0].blocks[0].items
    with i18n.use_language("en"):
        assert tiles[0].value == i18n.format_amount(revenue)
        assert tiles[0].change == f"{(revenue - last_year) / abs(last_year) * 100:+.1f}% vs 2025 Q3"
        assert tiles[1].value == f"{orders:,}"


def test_results_show_the_account_revenue_target(qbr_con):
    (target,), = _sql_rows(qbr_con, "select target from targets where scope = 'account' and scope_id = 'KA00001' "
                                    "and period = '2026-Q3' and metric = 'revenue'")
    (revenue,), = _sql_rows(qbr_con, "select sum(revenue) from transactions where account_id = 'KA00001' "
                                     "and order_date between ? and ?", [PERIOD.start, PERIOD.end])
    tile = _deck(qbr_con).slide("results").rows[0].blocks[0].items[0]
    with i18n.use_language("en"):
        assert tile.change == f"target {i18n.format_amount(target)} · {revenue / target * 100:.0f}% attained"


# --- PPTX ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("language", ["en", "zh"])
def test_pptx_opens_with_titles_footers_and_notes(qbr_con, language):
    deck = _deck(qbr_con, language=language)
    presentation = Presentation(io.BytesIO(render_pptx(deck)))
    assert (presentation.slide_width, presentation.slide_height) == (12192000, 6858000)  # 16:9
    assert len(presentation.slides) == len(deck.slides) == 9
    for number, (slide, model) in enumerate(zip(presentation.slides, deck.slides), 1):
        shapes = {shape.name: shape for shape in slide.shapes}
        assert shapes["Title"].text_frame.text.split("\n")[0] == model.title
        assert shapes["Footer"].text_frame.text == deck.context
        assert shapes["Page"].text_frame.text == f"{number} / 9"
    period_text = "2026 Q3" if language == "en" else "2026 年第 3 季度"
    assert period_text in deck.context and "KA00001" in deck.context
    notes = presentation.slides[1].notes_slide.notes_text_frame.text
    assert ("Revenue: net amount" if language == "en" else "销售额：周期内订单明细的净金额") in notes


@pytest.mark.parametrize("language, scale", [("en", 1), ("zh", 10_000)])
def test_pptx_revenue_chart_data_equals_sql_over_transactions(qbr_con, language, scale):
    """The monthly chart is native and carries its data: each month of the 12 to the period's end
    and of the 12 before equals the account's revenue summed straight from transactions."""
    presentation = Presentation(io.BytesIO(render_pptx(_deck(qbr_con, language=language))))
    charts = [shape.chart for shape in presentation.slides[3].shapes if shape.has_chart]
    assert len(charts) == 1
    plot = charts[0].plots[0]
    rows = dict(_sql_rows(qbr_con, """
        select strftime(order_date, '%Y-%m'), sum(revenue) from transactions
        where account_id = 'KA00001' and order_date between '2024-10-01' and '2026-09-30' group by 1"""))
    months = [f"{year}-{month:02d}" for year, month in [(2025, m) for m in range(10, 13)] + [(2026, m) for m in range(1, 10)]]
    previous = [f"{int(m[:4]) - 1}{m[4:]}" for m in months]
    assert list(plot.categories) == months
    before, now = (list(series.values) for series in plot.series)
    assert [round(v * scale, 2) for v in now] == [float(round(rows[m], 2)) for m in months]
    assert [round(v * scale, 2) for v in before] == [float(round(rows[m], 2)) for m in previous]


def test_pptx_text_names_an_east_asian_font_and_charts_embed_workbooks(qbr_con):
    data = render_pptx(_deck(qbr_con, language="zh"))
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        slide = package.read("ppt/slides/slide2.xml").decode("utf-8")
        chart = next(package.read(n).decode("utf-8") for n in package.namelist() if n.startswith("ppt/charts/chart"))
        embedded = [n for n in package.namelist() if n.startswith("ppt/embeddings/") and n.endswith(".xlsx")]
    assert slide.count('<a:ea typeface="Microsoft YaHei"/>') == slide.count("<a:latin ") > 0
    assert '<a:ea typeface="Microsoft YaHei"/>' in chart
    assert len(embedded) == 2  # monthly and category charts, editable with their data


# --- PDF -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("language", ["en", "zh"])
def test_pdf_has_one_page_per_slide_with_its_title_and_figures(qbr_con, language):
    deck = _deck(qbr_con, language=language)
    data = render_pdf(deck)
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == len(deck.slides)
    width, height = float(reader.pages[0].mediabox.width), float(reader.pages[0].mediabox.height)
    assert (round(width), round(height)) == (960, 540)  # 13.333 × 7.5 in, landscape
    pages = [_squash(page_text(page)) for page in reader.pages]
    for page, slide in zip(pages, deck.slides):
        assert _squash(slide.title) in page
        assert _squash(deck.context) in page
    (total,), = _sql_rows(qbr_con, "select sum(revenue) from transactions where account_id = 'KA00001' "
                                   "and order_date between '2025-10-01' and '2026-09-30'")
    with i18n.use_language(language):
        assert _squash(i18n.format_amount(total)) in pages[3]
    fonts_used = {str(f["/BaseFont"]) for page in reader.pages for f in page["/Resources"]["/Font"].values()}
    assert all("NotoSansCJK" in name for name in fonts_used)
    embedded = reader.pages[0]["/Resources"]["/Font"]
    descendant = next(iter(embedded.values())).get_object()["/DescendantFonts"][0].get_object()
    assert "/FontFile3" in descendant["/FontDescriptor"]  # the CJK subset travels inside the file


def test_pdf_without_a_cjk_font_says_what_is_missing(qbr_con, monkeypatch):
    deck = _deck(qbr_con, language="zh")
    monkeypatch.setattr(fonts, "KNOWN_PATHS", ())
    monkeypatch.setattr(fonts, "_fc_match", lambda pattern: None)
    monkeypatch.delenv("KA_RADAR_CJK_FONT", raising=False)
    fonts.find_cjk_font.cache_clear()
    try:
        with pytest.raises(RequestError) as refused:
            render_pdf(deck)
        assert "需要中文字体" in refused.value.message() and "fonts-noto-cjk" in refused.value.message()
    finally:
        fonts.find_cjk_font.cache_clear()


# --- the customer audience rule ----------------------------------------------------------------------
def _leaks(texts: list[str], language: str, account_id: str, others: dict[str, tuple[str, str]],
           internal_figures: list[str]) -> list[str]:
    found = []
    joined = "\n".join(texts)
    for match in FORBIDDEN[language].finditer(joined):
        found.append(f"word {match.group(0)!r}")
    for other_id, names in others.items():
        if other_id in joined:
            found.append(f"account id {other_id}")
        found += [f"name {name!r}" for name in names if name and name in joined]
    found += [f"figure {figure!r}" for figure in internal_figures if figure in joined]
    return found


def _other_accounts(con, account_id: str) -> dict[str, tuple[str, str]]:
    rows = _sql_rows(con, "select account_id, account_name, account_name_en from accounts where account_id <> ?", [account_id])
    return {row[0]: (row[1], row[2]) for row in rows}


def _internal_figures(con, account_id: str, language: str) -> list[str]:
    """The account's gross profit and margin, and the portfolio's revenue, as the deck would write them."""
    (revenue, cost, revenue_with_cost), = _sql_rows(con, """
        select sum(revenue), sum(cost), sum(revenue) filter (where cost is not null)
        from transactions where account_id = ? and order_date between ? and ?""", [account_id, PERIOD.start, PERIOD.end])
    (portfolio,), = _sql_rows(con, "select sum(revenue) from transactions where order_date between ? and ?",
                              [PERIOD.start, PERIOD.end])
    with i18n.use_language(language):
        gross_profit = revenue_with_cost - cost
        return [i18n.format_amount(gross_profit), i18n.format_exact(gross_profit),
                i18n.format_pct(gross_profit / revenue_with_cost), i18n.format_amount(portfolio)]


def _scan_customer_outputs(con, language: str, account_ids: list[str]) -> dict[str, list[str]]:
    """Leaks per account and output (deck model, PPTX, PDF, presentation) of the customer deck; empty when clean."""
    leaks = {}
    for account_id in account_ids:
        deck = _deck(con, language=language, audience="customer", account_id=account_id)
        others = _other_accounts(con, account_id)
        figures = _internal_figures(con, account_id, language)
        from ka.qbr.html_render import slide_html

        outputs = {"deck": deck_texts(deck), "pptx": pptx_texts(render_pptx(deck)), "pdf": pdf_texts(render_pdf(deck)),
                   "presentation": [t for i in range(len(deck.slides)) for t in html_texts(slide_html(deck, i))]}
        for output, texts in outputs.items():
            found = _leaks(texts, language, account_id, others, figures)
            if found:
                leaks[f"{account_id} {output}"] = found
    return leaks


@pytest.mark.parametrize("language", ["en", "zh"])
def test_customer_outputs_of_the_largest_a_accounts_pass_the_scan(qbr_con, language):
    """The fast subset's share of the rule: the three largest A accounts (every one: the slow test below)."""
    largest = [row[0] for row in _sql_rows(qbr_con, """
        select account_id from transactions where order_date between ? and ?
        group by account_id order by sum(revenue) desc limit 3""", [PERIOD.start, PERIOD.end])]
    assert set(largest) <= set(_a_tier_accounts(qbr_con))
    assert _scan_customer_outputs(qbr_con, language, largest) == {}


@pytest.mark.slow
@pytest.mark.parametrize("language", ["en", "zh"])
def test_customer_outputs_of_every_a_account_pass_the_scan(qbr_con, language):
    accounts = _a_tier_accounts(qbr_con)
    assert len(accounts) >= 10
    assert _scan_customer_outputs(qbr_con, language, accounts) == {}


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_scan_catches_the_internal_deck(qbr_con, language):
    """The same scan over the internal deck finds health, tier and gross profit: it can fail."""
    deck = _deck(qbr_con, language=language)
    leaks = _leaks(pptx_texts(render_pptx(deck)), language, "KA00001", _other_accounts(qbr_con, "KA00001"),
                   _internal_figures(qbr_con, "KA00001", language))
    assert any(leak.startswith("word") for leak in leaks)
    assert any(leak.startswith("figure") for leak in leaks)


# --- requests and the CLI ------------------------------------------------------------------------------
@pytest.mark.parametrize("text, expected", [
    ("2026-Q3", quarter_period(2026, 3)), ("2026q1", quarter_period(2026, 1)), ("2026-09", month_period(2026, 9)),
    ("2026", year_period(2026)),
])
def test_parse_period(text, expected):
    assert parse_period(text) == expected


@pytest.mark.parametrize("text", ["2026-Q5", "2026-13", "Q3", "26-09", "", "2026-09-01"])
def test_parse_period_refuses(text):
    with pytest.raises(RequestError):
        parse_period(text)


@pytest.mark.parametrize("args, message", [
    (["--account", "KA99999"], "Unknown account 'KA99999'"),
    (["--manager", "Nobody"], "Unknown KA manager 'Nobody'"),
    (["--portfolio", "--period", "2031-Q1"], "No data for the period '2031-Q1': the data covers 2023-11-01 to 2026-10-31"),
    (["--portfolio", "--period", "2026-13"], "Unknown period '2026-13'"),
    (["--portfolio", "--region", "Atlantis"], "Unknown region 'Atlantis'"),
    (["--manager", "王芳", "--audience", "customer"], "reviews are internal"),
    (["--account", "KA99999", "--lang", "zh"], "未知客户“KA99999”"),
])
def test_cli_refuses_with_exit_2_and_writes_nothing(demo_db_path, tmp_path, capsys, args, message):
    from ka.__main__ import main

    out = tmp_path / "deck.pptx"
    code = main(["qbr", "--db", str(demo_db_path), *args, "--format", "pptx", "--out", str(out)])
    assert code == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize("fmt", ["pptx", "pdf"])
def test_cli_writes_the_deck(demo_db_path, tmp_path, capsys, fmt):
    from ka.__main__ import main

    out = tmp_path / f"deck.{fmt}"
    code = main(["qbr", "--db", str(demo_db_path), "--account", "KA00001", "--period", "2026-Q3",
                 "--audience", "customer", "--lang", "zh", "--format", fmt, "--out", str(out)])
    assert code == 0
    assert "8 slides" in capsys.readouterr().out
    pages = len(Presentation(str(out)).slides) if fmt == "pptx" else len(PdfReader(str(out)).pages)
    assert pages == 8


def test_cli_default_period_is_the_latest_complete_quarter(demo_db_path, tmp_path):
    from ka.__main__ import main

    out = tmp_path / "portfolio.pptx"
    assert main(["qbr", "--db", str(demo_db_path), "--portfolio", "--format", "pptx", "--out", str(out)]) == 0
    footer = {s.name: s for s in Presentation(str(out)).slides[0].shapes}["Footer"].text_frame.text
    assert footer.startswith("2026 Q3 · compared with 2026 Q2 and 2025 Q3 · all accounts")


# --- the presentation's HTML ------------------------------------------------------------------------------
def chart_svgs(markup: str) -> list[str]:
    """The SVG documents of a slide's chart images (data: URIs)."""
    import base64

    return [base64.b64decode(data).decode("utf-8") for data in re.findall(r'data:image/svg\+xml;base64,([^"]+)', markup)]


def html_texts(markup: str) -> list[str]:
    """The visible text of a slide's HTML and of its chart images (tags and style removed, entities decoded)."""
    import html as html_module

    body = re.sub(r"<style>.*?</style>", "", markup, flags=re.S)
    labels = re.findall(r'alt="([^"]*)"', body)
    texts = re.findall(r">([^<]+)<", body) + labels
    for svg in chart_svgs(markup):
        texts += re.findall(r">([^<]+)<", svg)
    return [html_module.unescape(t) for t in texts if t.strip()]


@pytest.mark.parametrize("language", ["en", "zh"])
def test_slide_html_text_is_at_least_20_px_on_a_1920_screen(qbr_con, language):
    """Sizes are canvas px (1/1920 of the slide's width): every font size, in HTML and in the SVG
    charts, is at least 20, so at 1920 × 1080 no text is smaller than 20 px."""
    from ka.qbr.html_render import slide_html

    deck = _deck(qbr_con, language=language)
    for index in range(len(deck.slides)):
        markup = slide_html(deck, index)
        sizes = [float(v) for v in re.findall(r"font-size:calc\(([\d.]+) \* var\(--u\)\)", markup)]
        sizes += [float(v) for svg in chart_svgs(markup) for v in re.findall(r'font-size="([\d.]+)"', svg)]
        assert sizes and min(sizes) >= 20, deck.slides[index].key
        assert f"{index + 1} / {len(deck.slides)}" in markup
        assert escape_html(deck.context) in markup


def escape_html(value: str) -> str:
    from html import escape

    return escape(value, quote=True)


def test_slide_html_shows_data_as_text_never_as_markup(qbr_con):
    from dataclasses import replace

    from ka.qbr.html_render import slide_html
    from ka.qbr.model import Bullets, Row

    deck = _deck(qbr_con)
    evil = '<img src=x onerror="alert(1)">**bold**'
    slide = replace(deck.slides[1], title=evil, rows=(Row((Bullets((evil,)),)),))
    markup = slide_html(replace(deck, slides=(deck.slides[0], slide)), 1)
    assert "<img" not in markup and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;**bold**" in markup


@pytest.mark.parametrize("language", ["en", "zh"])
def test_customer_presentation_passes_the_scan(qbr_con, language):
    from ka.qbr.html_render import slide_html

    deck = _deck(qbr_con, language=language, audience="customer")
    texts = [t for index in range(len(deck.slides)) for t in html_texts(slide_html(deck, index))]
    assert any("KA00001" in t for t in texts)
    assert _leaks(texts, language, "KA00001", _other_accounts(qbr_con, "KA00001"),
                  _internal_figures(qbr_con, "KA00001", language)) == []
