"""The what-if page run on its own (AppTest) against the small demo portfolio, in both languages."""

from __future__ import annotations


import pytest
from streamlit.testing.v1 import AppTest

import independent as independent_figures
from ka_testing import ROOT, every_page, run_page
from ka import db, i18n, whatif
from ka.i18n import format_amount
from ka.periods import default_period
from ka.scope import ALL

PAGE = str(ROOT / "pages" / "whatif.py")


@pytest.fixture(autouse=True)
def restore_language():
    """run_page sets this thread's language; later tests (other files) expect the default."""
    yield
    i18n.set_language(i18n.DEFAULT_LANGUAGE)


def run_whatif(language: str = "en", **state) -> AppTest:
    at = run_page(PAGE, language, **state)
    assert not at.exception, at.exception
    return at


def table_with(at: AppTest, *columns: str):
    """The first dataframe on the page that has these columns."""
    for frame in at.dataframe:
        if set(columns) <= set(frame.value.columns):
            return frame.value
    raise AssertionError(f"no table with columns {columns}")


def results(at: AppTest) -> dict[str, tuple[str, str, str]]:
    frame = table_with(at, "metric", "before", "after", "change")
    return {row.metric: (row.before, row.after, row.change) for row in frame.itertuples()}


def expected_base(db_path):
    """The page's starting point, read independently (same connection settings as the app's)."""
    con = db.open(db_path)
    try:
        last = db.query_rows(con, "select max(last_order_date) from account_month")[0][0]
        return whatif.read_base(con, default_period("quarter", last), ALL)
    finally:
        con.close()


@pytest.mark.parametrize(
    "language, title, revenue_label",
    [("en", "Dependency and what-if", "Revenue (period)"), ("zh", "依赖度与情景模拟", "销售额（本期）")],
)
def test_page_shows_dependency_concentration_and_results(app_db, language, title, revenue_label):
    at = run_whatif(language)
    con = db.open(app_db)
    start, end = independent_figures.latest_complete_quarter(con)
    by_account = [float(t["revenue"]) for t in independent_figures.account_totals(con, start, end).values()]
    con.close()
    positive = [r for r in by_account if r > 0]
    shares = [r / sum(positive) for r in positive]
    assert at.title[0].value == title
    metrics = {m.label: m.value for m in at.metric}
    assert metrics[i18n.t("whatif.top1_share")] == f"{max(shares) * 100:.1f}%"
    assert metrics[i18n.t("whatif.hhi")] == f"{sum((100 * s) ** 2 for s in shares):,.0f}"
    assert metrics[i18n.t("whatif.alerts_metric")] == "0"
    rows = results(at)
    revenue = sum(by_account)
    assert rows[revenue_label] == (format_amount(revenue, language), format_amount(revenue, language), "0")
    assert len(rows) == len(whatif.RESULT_METRICS)


def test_moving_the_revenue_slider_changes_the_results(app_db):
    at = run_whatif()
    before = results(at)
    base = expected_base(app_db)
    top = base.frame.iloc[0]
    at.multiselect(key="whatif_accounts").set_value([top["account_id"]]).run()
    at.slider(key="whatif_revenue_change").set_value(-50).run()
    after = results(at)
    revenue = float(base.frame["revenue"].sum())
    assert after["Revenue (period)"][1] == format_amount(revenue - 0.5 * top["revenue"], "en")
    assert after["Revenue (period)"][2] == "-" + format_amount(0.5 * top["revenue"], "en")
    assert after["HHI"] != before["HHI"]


def test_retention_slider_moves_the_projection_and_the_sentence(app_db):
    at = run_whatif()
    at.slider(key="whatif_retention_pp").set_value(5).run()
    rows = results(at)
    base = expected_base(app_db)
    result = whatif.compute_scenario(base, whatif.Scenario(retention_change=0.05), {}, 0.4)
    assert rows["Gross profit, years 1–3"][1] == format_amount(result.value("cumulative_gross_profit"), "en")
    assert rows["Gross profit, years 1–3"][1] != rows["Gross profit, years 1–3"][0]
    gain = i18n.format_delta_pct(result.retention_profit_gain)
    assert any(f"+5 pp retention over 3 year(s) changes cumulative gross profit by {gain}" in i.value for i in at.info)


def test_lower_threshold_lists_alerts_with_the_new_revenue_needed(app_db):
    at = run_whatif()
    at.slider(key="whatif_threshold").set_value(0.1).run()
    base = expected_base(app_db)
    dependency = whatif.compute_dependency(base.frame[base.frame["has_orders"]], {}, 0.1)
    alerts = dependency[dependency["is_above_threshold"]]
    assert len(alerts) >= 1
    assert {m.label: m.value for m in at.metric}["Accounts above the threshold"] == str(len(alerts))
    shown = table_with(at, "new_revenue_needed", "dependency_index")
    assert list(shown["account_id"]) == list(alerts["account_id"])
    assert shown["new_revenue_needed"].tolist() == pytest.approx(alerts["new_revenue_needed"].tolist())
    assert any("new-customer development plan" in w.value for w in at.warning)


def test_a_saved_scenario_reloads_identically_and_is_compared(writable_app_db):
    path = writable_app_db
    at = run_whatif("zh")
    first_account = at.multiselect(key="whatif_accounts").options[0]
    at.multiselect(key="whatif_accounts").set_value([first_account.split("(")[-1].rstrip(")")])
    at.slider(key="whatif_revenue_change").set_value(-30)
    at.slider(key="whatif_retention_pp").set_value(4)
    at.slider(key="whatif_horizon").set_value(5)
    at.number_input(key="whatif_new_accounts").set_value(2)
    at.selectbox(key="whatif_new_tier").set_value("A")
    at.slider(key="whatif_margin_pp").set_value(1.5)
    at.run()
    saved_results = results(at)
    at.text_input(key="whatif_scenario_name").input("丢失大客户").run()
    at.button(key="whatif_save").click().run()
    assert not at.exception

    at.slider(key="whatif_revenue_change").set_value(20).run()
    at.slider(key="whatif_horizon").set_value(1).run()
    assert results(at) != saved_results

    at.selectbox(key="whatif_saved_choice").set_value("丢失大客户")
    at.button(key="whatif_load").click().run()
    assert results(at) == saved_results
    assert at.slider(key="whatif_revenue_change").value == -30
    assert at.slider(key="whatif_margin_pp").value == 1.5

    at.multiselect(key="whatif_compare").set_value(["丢失大客户"]).run()
    compared = table_with(at, "metric", "before", "当前滑块", "丢失大客户")
    assert compared["当前滑块"].tolist() == compared["丢失大客户"].tolist()

    con = db.open(path)
    try:
        assert whatif.read_scenarios(con)["丢失大客户"].horizon_years == 5
    finally:
        con.close()


@pytest.mark.parametrize("language", ["en", "zh"])
def test_an_empty_period_shows_the_empty_state(app_db, language):
    at = run_page(PAGE, language, filter_period_kind="quarter", filter_period="quarter:2020-01-01:2020-03-31")
    assert not at.exception
    assert [i.value for i in at.info] == [i18n.t("common.no_data_for_selection")]
    assert not at.metric and not at.slider


def test_an_edited_coefficient_counts_at_once_but_is_saved_only_by_the_button(writable_app_db):
    copy = writable_app_db
    at = run_whatif(whatif_threshold=0.05)
    industry = table_with(at, "industry", "coefficient")["industry"].iloc[0]
    alerts_before = table_with(at, "dependency_index", "new_revenue_needed")
    at.session_state["whatif_coefficients_editor"] = {"edited_rows": {0: {"coefficient": 3.0}}, "added_rows": [],
                                                       "deleted_rows": []}
    at.run()
    assert not at.exception
    alerts = table_with(at, "dependency_index", "new_revenue_needed")
    edited = alerts[alerts["industry"] == industry]
    assert (edited["coefficient"] == 3.0).all() and len(alerts) >= len(alerts_before)
    con = db.open(copy)
    assert whatif.read_coefficients(con) == {}  # drawing the table saved nothing
    con.close()
    at.button(key="whatif_save_coefficients").click().run()
    con = db.open(copy)
    assert whatif.read_coefficients(con) == {industry: 3.0}
    con.close()


def test_the_account_picker_offers_the_largest_accounts_and_finds_any_other(app_db):
    """The picker lists 50 accounts, largest first; the search finds one further down, and picking it
    takes its own revenue out of the scenario."""
    from ka.ui.paging import PICKER_OPTIONS

    base = expected_base(app_db)
    active = base.frame[base.frame["has_orders"]].sort_values(["revenue", "account_id"], ascending=[False, True])
    assert len(active) > PICKER_OPTIONS
    at = run_whatif()
    picker = at.multiselect(key="whatif_accounts")
    assert len(picker.options) == PICKER_OPTIONS
    assert [o.split("(")[-1].rstrip(")") for o in picker.options] == list(active["account_id"][:PICKER_OPTIONS])
    assert any(c.value.startswith(f"The list shows {PICKER_OPTIONS} of {len(active)} accounts") for c in at.caption)
    smallest = active.iloc[-1]
    at.text_input(key="whatif_accounts_search").input(smallest["account_id"]).run()
    assert [o.split("(")[-1].rstrip(")") for o in at.multiselect(key="whatif_accounts").options] == [smallest["account_id"]]
    at.multiselect(key="whatif_accounts").set_value([smallest["account_id"]]).run()
    at.text_input(key="whatif_accounts_search").input("").run()  # the picked account stays picked and listed
    assert at.multiselect(key="whatif_accounts").value == [smallest["account_id"]]
    at.slider(key="whatif_revenue_change").set_value(-100).run()
    revenue = float(base.frame["revenue"].sum())
    assert results(at)["Revenue (period)"][1] == format_amount(revenue - float(smallest["revenue"]), "en")


def test_the_dependency_table_is_paged(app_db):
    from ka.ui.paging import PAGE_ROWS

    base = expected_base(app_db)
    dependency = whatif.compute_dependency(base.frame[base.frame["has_orders"]], {}, whatif.DEFAULT_THRESHOLD)
    at = run_whatif()  # closed, the section draws nothing: no table of every account is sent on a move
    assert "whatif_dependency_search" not in [box.key for box in at.text_input]
    at = run_whatif(whatif_all_accounts_open=True)
    assert len(table_with(at, "is_above_threshold")) == min(len(dependency), PAGE_ROWS) < len(dependency)
    shown = every_page(at, "whatif_dependency", column="is_above_threshold")
    assert list(shown["account_id"]) == list(dependency["account_id"])
    assert shown["dependency_index"].tolist() == pytest.approx(dependency["dependency_index"].tolist())
