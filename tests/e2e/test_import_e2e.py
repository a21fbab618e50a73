"""Upload a CSV on the import page: the validation report, the import moving the overview, the undo restoring it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from e2e_helpers import (
    assert_no_exception, go_to_page, languages, metric_value, metric_values, open_app, parse_amount, screenshot,
    RUN_TIMEOUT_MS, scroll_to_top_of, wait_for_app,
)
from ka.demo import DEMO_END
from ka.periods import default_period

LINES = 20
AMOUNT = 50_000  # per line: the batch adds 1,000,000 to the revenue of the overview's default period
NEW_ACCOUNT = "KA99999"
TEXT = {
    "en": {"overview": "Overview", "import": "Data import", "revenue": "Revenue", "report": "Validation report",
           "rows_read": "Rows read", "rows_to_import": "Rows to import", "rejected": "Rows rejected",
           "revenue_to_import": "Revenue to import", "new": "New accounts", "existing": "Existing accounts",
           "import_button": f"Import {LINES} lines", "imported": f"imported: {LINES} lines, revenue 1.00M.",
           "undo_button": "Undo batch", "undone": f"undone: {LINES} lines removed.", "encoding": "utf-8",
           "beside_demo": "go beside the demo"},
    "zh": {"overview": "总览", "import": "数据导入", "revenue": "销售额", "report": "校验报告",
           "rows_read": "读取行数", "rows_to_import": "待导入行数", "rejected": "拒绝行数",
           "revenue_to_import": "待导入销售额", "new": "新客户", "existing": "已有客户",
           "import_button": f"导入 {LINES} 行", "imported": f"已导入：{LINES} 行，销售额 100.0万。",
           "undo_button": "撤销批次", "undone": f"已撤销：删除了 {LINES} 行。", "encoding": "gb18030",
           "beside_demo": "与演示数据并存"},
}


def write_batch(path, encoding: str) -> None:
    """20 order lines with Chinese headers in the overview's default period: two demo accounts and a new one."""
    period = default_period("quarter", DEMO_END)  # the demo's data end fixes the period the overview opens on
    accounts = [("KA00001", ""), ("KA00002", ""), (NEW_ACCOUNT, "端到端测试客户")]
    rows = ["客户编号,客户名称,订单日期,销售额"]
    for line in range(LINES):
        account_id, name = accounts[line % len(accounts)]
        rows.append(f"{account_id},{name},{period.start + timedelta(days=3 * line):%Y-%m-%d},{AMOUNT}")
    path.write_text("\n".join(rows) + "\n", encoding=encoding)


def overview_revenue(page: Page, text: dict) -> str:
    go_to_page(page, text["overview"])
    assert_no_exception(page)
    return metric_value(page, text["revenue"])


@pytest.mark.parametrize("lang", languages())
def test_import_moves_the_overview_and_undo_restores_it(page: Page, app_server, console_errors, screenshot_dir,
                                                        tmp_path, lang):
    text = TEXT[lang]
    batch = tmp_path / f"orders_{lang}.csv"
    write_batch(batch, text["encoding"])
    open_app(page, app_server["url"])
    before = metric_value(page, text["revenue"])

    go_to_page(page, text["import"])
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(batch)
    report = page.get_by_role("heading", name=text["report"])
    expect(report).to_be_visible(timeout=RUN_TIMEOUT_MS)
    # the report's tiles follow its heading; on a busy machine they may come a moment later
    expect(page.locator('[data-testid="stMetricLabel"]', has_text=text["rows_to_import"])).to_be_visible(timeout=RUN_TIMEOUT_MS)
    assert_no_exception(page)
    tiles = metric_values(page)
    assert (tiles[text["rows_read"]], tiles[text["rows_to_import"]], tiles[text["rejected"]]) == ("20", "20", "0")
    assert parse_amount(tiles[text["revenue_to_import"]])[0] == LINES * AMOUNT
    assert (tiles[text["new"]], tiles[text["existing"]]) == ("1", "2")
    scroll_to_top_of(report)
    screenshot(page, screenshot_dir, f"import-report-{lang}-1366")

    page.get_by_text(text["beside_demo"]).click()  # the first import into the demo asks: keep the demo beside it
    wait_for_app(page)
    page.get_by_role("button", name=text["import_button"]).click()  # an import and a rerun: seconds on a busy machine
    expect(page.locator('[data-testid="stAlert"]', has_text=text["imported"])).to_be_visible(timeout=RUN_TIMEOUT_MS)
    after_import = overview_revenue(page, text)
    (old, old_step), (new, new_step) = parse_amount(before), parse_amount(after_import)
    assert abs(new - old - LINES * AMOUNT) <= old_step / 2 + new_step / 2  # what is shown is rounded

    go_to_page(page, text["import"])
    page.get_by_role("button", name=text["undo_button"]).click()
    expect(page.locator('[data-testid="stAlert"]', has_text=text["undone"])).to_be_visible(timeout=RUN_TIMEOUT_MS)
    assert overview_revenue(page, text) == before
    assert console_errors == []


REFUSED = {"en": "The batch was refused; the database is unchanged.", "zh": "该批次被拒绝，数据库未作任何改动。"}


@pytest.mark.parametrize("lang", languages())
def test_a_file_mixing_utf8_and_gbk_is_refused_on_the_page(page: Page, app_server, console_errors, screenshot_dir,
                                                           tmp_path, lang):
    text = TEXT[lang]
    mixed = tmp_path / "mixed.csv"
    mixed.write_bytes("客户编号,订单日期,销售额\nKA00001,2026-09-01,100\n".encode("utf-8")
                      + "北京客户,2026-09-02,200\n".encode("gbk") + "上海客户,2026-09-03,300\n".encode("utf-8"))
    open_app(page, app_server["url"])
    go_to_page(page, text["import"])
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(mixed)
    wait_for_app(page)
    screenshot(page, screenshot_dir, f"import-refused-{lang}-1366")
    expect(page.locator('[data-testid="stAlert"]', has_text=REFUSED[lang])).to_be_visible()
    assert_no_exception(page)
    # the refusal's text block (the other one holds the command line for files over the upload cap)
    expect(page.locator('[data-testid="stCode"]', has_text="UTF-8")).to_be_visible()
    assert console_errors == []
