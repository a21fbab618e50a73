"""The QBR presentation in Chromium at 1920 × 1080, opened from its URL, moved with the keyboard; and
browser print of a page as an A4 landscape document."""

from __future__ import annotations

import io
import time

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from e2e_helpers import assert_no_exception, languages, open_app, screenshot, wait_for_app

CUSTOMER = "qbr?kind=account&account=KA00001&period=2026-Q3&audience=customer&lang={lang}"
ACCOUNT_KEYS = ["cover", "summary", "results", "monthly", "mix", "service", "next_quarter", "appendix"]
SUMMARY = {"en": "Executive summary", "zh": "摘要"}
POSITION = {"en": "Slide {n} of 8", "zh": "第 {n} 页，共 8 页"}

# every text node inside the slide with its rendered size: the smallest must be ≥ 20 px at 1920 × 1080
SMALLEST_TEXT = """() => {
    const slide = document.querySelector('[data-testid="qbr-slide"]');
    const sizes = [];
    const walker = document.createTreeWalker(slide, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
        const node = walker.currentNode;
        if (!node.textContent.trim()) continue;
        const element = node.parentElement;
        const box = element.getBoundingClientRect();
        if (box.width === 0) continue;
        const px = element.closest('svg')
            ? parseFloat(element.getAttribute('font-size')) * element.closest('svg').getBoundingClientRect().width
              / element.closest('svg').viewBox.baseVal.width
            : parseFloat(getComputedStyle(element).fontSize);
        sizes.push(px);
    }
    return Math.min(...sizes);
}"""


def slide_key(page: Page) -> str:
    return page.locator('[data-testid="qbr-slide"]').get_attribute("data-key")


def press(page: Page, key: str) -> None:
    page.keyboard.press(key)
    wait_for_app(page)
    time.sleep(0.3)


@pytest.mark.parametrize("lang", languages())
def test_presentation_from_its_url_moves_with_the_keyboard(page: Page, app_server, console_errors, screenshot_dir, lang):
    page.set_viewport_size({"width": 1920, "height": 1080})
    open_app(page, app_server["url"], CUSTOMER.format(lang=lang))
    assert_no_exception(page)
    expect(page.locator('[data-testid="stSidebar"]')).to_be_hidden()
    expect(page.locator('[data-testid="stHeader"]')).to_be_hidden()
    assert page.get_by_role("combobox").count() == 0  # no picker that could list another customer
    slide = page.locator('[data-testid="qbr-slide"]')
    box = slide.bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= 1080 and box["width"] >= 1700  # the whole slide on screen
    assert slide_key(page) == "cover"
    expect(page.get_by_text(POSITION[lang].format(n=1), exact=True)).to_be_visible()
    footer = page.locator('[data-testid="qbr-footer"]').inner_text()
    assert "KA00001" in footer and ("2026 Q3" in footer if lang == "en" else "2026 年第 3 季度" in footer)
    screenshot(page, screenshot_dir, f"qbr-{lang}-1920-1-cover")

    press(page, "ArrowRight")
    assert slide_key(page) == "summary"
    expect(page.locator('[data-testid="qbr-slide-title"]')).to_have_text(SUMMARY[lang])
    assert "slide=2" in page.url
    press(page, "PageDown")
    assert slide_key(page) == "results"
    press(page, "ArrowLeft")
    assert slide_key(page) == "summary"
    press(page, "PageUp")
    assert slide_key(page) == "cover"

    for number, key in enumerate(ACCOUNT_KEYS, 1):  # every slide: readable size, period and filters stated
        if number > 1:
            press(page, "ArrowRight")
        assert slide_key(page) == key
        assert page.evaluate(SMALLEST_TEXT) >= 20, key
        assert page.locator('[data-testid="qbr-footer"]').inner_text() == footer
        expect(page.locator('[data-testid="qbr-page"]')).to_have_text(f"{number} / 8")
        if key in ("monthly", "mix"):  # the chart image is there and drawn
            chart = page.locator('[data-testid="qbr-chart"]')
            expect(chart).to_be_visible()
            assert chart.evaluate("image => image.complete && image.naturalWidth > 0")
            assert chart.bounding_box()["height"] > 300
        if key in ("summary", "results", "monthly", "mix", "service", "appendix"):
            screenshot(page, screenshot_dir, f"qbr-{lang}-1920-{number}-{key}")
    press(page, "ArrowRight")  # past the last slide: stays there
    assert slide_key(page) == "appendix"
    assert_no_exception(page)
    assert console_errors == []


@pytest.mark.parametrize("lang", languages())
def test_internal_manager_review_from_its_url(page: Page, app_server, console_errors, screenshot_dir, lang):
    page.set_viewport_size({"width": 1920, "height": 1080})
    open_app(page, app_server["url"], f"qbr?kind=portfolio&period=2026-Q3&lang={lang}&slide=5")
    assert slide_key(page) == "red_accounts"
    assert page.evaluate(SMALLEST_TEXT) >= 20
    screenshot(page, screenshot_dir, f"qbr-portfolio-{lang}-1920-5-red_accounts")
    assert_no_exception(page)


# metric values wider than their tile, in print layout (the "1.9…")
CUT_METRICS = """() => [...document.querySelectorAll('[data-testid="stMetricValue"]')]
    .filter(value => value.scrollWidth > value.clientWidth + 1).map(value => value.innerText)"""
UNSPLITTABLE = """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"], [data-testid="stMetric"]')]
    .map(element => getComputedStyle(element).breakInside)"""


@pytest.mark.parametrize("path", ["", "account"])
def test_browser_print_is_an_a4_landscape_document(page: Page, app_server, screenshot_dir, path):
    open_app(page, app_server["url"], path)
    on_screen = page.locator('[data-testid="stMetricValue"]').first.inner_text()
    page.emulate_media(media="print")
    time.sleep(0.5)
    expect(page.locator('[data-testid="stSidebar"]')).to_be_hidden()
    assert page.evaluate(CUT_METRICS) == []
    assert set(page.evaluate(UNSPLITTABLE)) == {"avoid"}
    pdf = page.pdf(format="A4", landscape=True, print_background=True)
    page.emulate_media(media="screen")
    reader = PdfReader(io.BytesIO(pdf))
    width, height = (float(v) for v in reader.pages[0].mediabox.upper_right)
    assert abs(width - 842) < 2 and abs(height - 595) < 2  # A4 landscape in points (Chromium rounds to pixels)
    assert len(reader.pages) >= 2  # everything below the first chart is there
    text = "".join(p.extract_text() for p in reader.pages).replace("\x00", "")
    assert on_screen in text
    assert "Analysis period" not in text and "分析周期" not in text  # the sidebar stays off the paper
    (screenshot_dir / f"print-{path or 'overview'}.pdf").write_bytes(pdf)
