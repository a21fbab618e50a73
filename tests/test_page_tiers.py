"""AppTest: the tiers page shows the tier counts of its rule, follows rule changes, saves them;
the sidebar Tier filter narrows the overview."""

from __future__ import annotations

import base64
import json
from decimal import Decimal

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import independent as independent_figures
from ka_testing import ROOT, every_page, run_page
import ka.ui.paging
from ka import db, i18n, overview, tiers, ui
from ka.periods import default_period
from ka.scope import ALL, Scope
from ka.tiers import TierConfig

PAGE = str(ROOT / "pages" / "tiers.py")


ACCOUNTS_COLUMN = "cumulative_share"  # only the all-accounts table has it (AppTest finds it by a column)


def accounts_table(at: AppTest):
    """The all-accounts table element (its rows of the page shown)."""
    return next(d for d in at.dataframe if ACCOUNTS_COLUMN in d.value.columns)


def is_account_link(table, column: str = "account") -> bool:
    """Whether a show_table column is drawn as buttons (a click opens the row's Account 360)."""
    return json.loads(table.proto.columns)[column]["type_config"]["type"] == "button"


def shown_counts(at: AppTest) -> dict[str, int]:
    return {tier: int(next(m.value for m in at.metric if m.label == i18n.t("tiers.count_label", tier=tier)))
            for tier in tiers.TIERS}


def expected_tiers(path, config=TierConfig(), scope=Scope()):
    con = db.open(path)
    try:
        period = default_period("quarter", overview.read_data_range(con)[1])
        return period, tiers.read_account_tiers(con, period, scope, config)
    finally:
        con.close()


def independent_tiers(path, regions=()) -> tuple[dict[str, str], dict[str, Decimal]]:
    """Cumulative-share tiers of the latest complete quarter, from transactions in plain Python."""
    con = db.open(path)
    try:
        start, end = independent_figures.latest_complete_quarter(con)
        revenue = {a: t["revenue"] for a, t in independent_figures.account_totals(con, start, end, regions).items()}
    finally:
        con.close()
    return independent_figures.cumulative_tiers(revenue), revenue


@pytest.mark.parametrize("language", ["en", "zh"])
def test_page_shows_counts_and_tier_table(app_db, language):
    at = run_page(PAGE, language)
    assert not at.exception
    i18n.set_language(language)
    expected, _ = independent_tiers(app_db)
    counts = independent_figures.tier_counts(expected)
    assert at.title[0].value == i18n.t("tiers.title")
    assert shown_counts(at) == counts
    table = at.dataframe[1].value  # [0] is the service editor
    assert table["tier"].tolist() == ["A", "B", "C"]
    assert table["accounts"].tolist() == [counts[t] for t in tiers.TIERS]
    assert table["strategy"].tolist() == [tiers.default_strategy(t) for t in tiers.TIERS]
    accounts = every_page(at, "tiers_accounts", column=ACCOUNTS_COLUMN)
    assert dict(zip(accounts["account_id"], accounts["tier"])) == expected


@pytest.mark.parametrize(
    "changes, config",
    [
        ({"tiers_method": "bands"}, TierConfig(method="bands")),
        ({"tiers_a_cumulative": 50.0}, TierConfig(a_cumulative=0.50)),
        ({"tiers_method": "topn", "tiers_top_a": 5, "tiers_top_b": 10}, TierConfig(method="topn", top_a=5, top_b=10)),
        ({"tiers_metric": "gross_profit", "tiers_window": "t12m"}, TierConfig(metric="gross_profit", window="t12m")),
    ],
)
def test_changing_the_rule_changes_the_counts(app_db, changes, config):
    at = run_page(PAGE)
    before = shown_counts(at)
    for key, value in changes.items():
        widget = at.radio(key) if key in ("tiers_method", "tiers_metric", "tiers_window") else None
        if widget is not None:
            widget.set_value(value)
            at.run()
        else:
            at.number_input(key).set_value(value)
            at.run()
    assert not at.exception
    _, expected = expected_tiers(app_db, config)
    assert shown_counts(at) == tiers.compute_tier_counts(expected)
    assert shown_counts(at) != before


def test_contradicting_thresholds_are_refused(app_db):
    at = run_page(PAGE, tiers_a_cumulative=97.0)
    assert at.error and at.error[0].value == i18n.t("tiers.invalid_thresholds")
    assert not at.metric


def test_save_persists_the_rule(writable_app_db):
    path = writable_app_db
    at = run_page(PAGE)
    at.radio("tiers_method").set_value("topn").run()
    at.button("tiers_save").click().run()
    assert not at.exception
    con = db.open(path)
    try:
        assert tiers.read_tier_settings(con)["config"] == TierConfig(method="topn")
    finally:
        con.close()
    # a fresh session starts from the saved rule
    assert run_page(PAGE).radio("tiers_method").value == "topn"


@pytest.mark.parametrize("language", ["en", "zh"])
def test_account_list_names_the_demo_values_in_the_users_language(app_db, language):
    """Every account of the list, over its pages, by name in the user's language, one click from its
    Account 360 (the names are links), with the demo's regions, industries and managers in that language."""
    from ka import demo

    at = run_page(PAGE, language)
    assert is_account_link(accounts_table(at))
    _, expected = expected_tiers(app_db)
    accounts = every_page(at, "tiers_accounts", column=ACCOUNTS_COLUMN).set_index("account_id")
    expected = expected.set_index("account_id").loc[accounts.index]
    assert len(accounts) == len(expected) > 50  # more than one page
    assert accounts["account"].tolist() == expected["account_name_en" if language == "en" else "account_name"].tolist()
    for column in ("region", "industry", "ka_manager"):
        raw = expected[column].tolist()
        shown = [demo.ENGLISH_NAMES[column][v] for v in raw] if language == "en" else raw
        assert accounts[column].tolist() == shown, column
    assert not accounts.astype(str).isin(["None", "nan", "NaT"]).any().any()


def test_movers_open_account_360_in_one_click(app_db):
    at = run_page(PAGE, tiers_migration_open=True)
    movers = next(d for d in at.dataframe if "tier_before" in d.value.columns)
    assert is_account_link(movers) and not movers.value.empty


def test_the_migration_runs_only_while_its_section_is_open_and_then_counts_every_account(app_db):
    """Closed (the default), a new threshold tiers the current window only; opened, the movers are the
    accounts whose tier differs between the two windows, as the tiers module computes them."""
    at = run_page(PAGE)
    assert not at.exception and not [d for d in at.dataframe if "tier_before" in d.value.columns]
    at.session_state["tiers_migration_open"] = True
    at.run()
    assert not at.exception
    connection = db.open(app_db)
    try:
        data_end = connection.execute("select max(order_date) from transactions").fetchall()[0][0]
        period = default_period("quarter", data_end)
        migration = tiers.read_tier_migration(connection, period.prior(), period, ALL)
    finally:
        connection.close()
    moved = int(migration["is_moved"].sum())
    assert moved > 0
    assert f"{moved:,} accounts changed tier. Click a name to open the account." in [c.value for c in at.caption]


@pytest.mark.parametrize(
    "chosen, regions",
    [(["A"], ()), (["B", "C"], ()), (["A"], ("华东",))],  # with a region, tiers are drawn within the region
)
def test_tier_filter_narrows_the_overview(app_db, chosen, regions):
    overview_page = str(ROOT / "pages" / "overview.py")
    everything = run_page(overview_page, filter_regions=list(regions))
    filtered = run_page(overview_page, filter_tiers=chosen, filter_regions=list(regions))
    assert not filtered.exception
    tier_of, revenue_of = independent_tiers(app_db, regions)
    expected_part = sum(revenue_of[a] for a, tier in tier_of.items() if tier in chosen)
    expected_all = sum(revenue_of.values())
    revenue = lambda at: next(m.value for m in at.metric if m.label == "Revenue")  # noqa: E731
    assert revenue(filtered) == i18n.format_amount(expected_part, "en")
    assert revenue(everything) == i18n.format_amount(expected_all, "en")
    assert 0 < expected_part < expected_all


def test_sidebar_has_the_tier_filter(app_db):
    at = run_page(str(ROOT / "app.py"))
    assert not at.exception
    tier_filter = at.multiselect("filter_tiers")
    assert tier_filter.options == ["A", "B", "C"] and tier_filter.value == []


def test_the_accounts_table_is_sent_a_page_at_a_time_largest_first(app_db):
    """The accounts with orders (under 100): 50 on the first page, the rest on the second, largest first."""
    tier_of, revenue = independent_tiers(app_db)
    at = run_page(PAGE)
    first = accounts_table(at).value
    assert len(first) == ka.ui.paging.PAGE_ROWS < len(tier_of)
    assert at.pagination(key="tiers_accounts_page").num_pages == 2
    assert any(c.value == f"Rows 1–50 of {len(tier_of)}" for c in at.caption)
    shown = every_page(at, "tiers_accounts", column=ACCOUNTS_COLUMN)
    last_page = accounts_table(at).value  # every_page leaves the table on its last page
    assert at.pagination(key="tiers_accounts_page").value == 2
    assert len(last_page) == len(tier_of) - ka.ui.paging.PAGE_ROWS
    assert list(last_page["account_id"]) == list(shown["account_id"][ka.ui.paging.PAGE_ROWS:])
    assert is_account_link(accounts_table(at))
    ranked = sorted((a for a in tier_of if revenue[a] > 0), key=lambda a: revenue[a], reverse=True)
    assert list(shown["account_id"][:len(ranked)]) == ranked


def test_search_finds_an_account_by_either_name_or_its_id(app_db):
    _, expected = expected_tiers(app_db)
    last = expected.iloc[-1]  # on the second page before the search
    at = run_page(PAGE)
    for text in (last["account_name_en"].upper(), last["account_name"], last["account_id"].lower()):
        at.text_input(key="tiers_accounts_search").input(text).run()
        found = accounts_table(at).value
        assert last["account_id"] in set(found["account_id"])
        assert len(found) < len(expected)
    at.text_input(key="tiers_accounts_search").input("no such account").run()
    assert accounts_table(at).value.empty
    assert any(c.value == i18n.t("paging.no_match") for c in at.caption)


def _composition_charts(at: AppTest) -> dict[str, dict]:
    """The composition charts drawn, by key, as their Plotly JSON."""
    return {key: json.loads(c.proto.spec) for c in at.get("plotly_chart")
            for key in ("tiers_composition_region", "tiers_composition_industry", "tiers_composition_ka_manager")
            if c.proto.id and key in c.proto.id}


@pytest.mark.parametrize("language", ["en", "zh"])
def test_one_composition_chart_is_built_for_the_dimension_chosen(app_db, language):
    at = run_page(PAGE, language)
    assert not at.exception
    i18n.set_language(language)
    _, tiered = expected_tiers(app_db)
    choice = at.segmented_control(key="tiers_composition_dimension")
    assert choice.value == "region"
    assert choice.options == [i18n.t(f"common.{d}") for d in ("region", "industry", "ka_manager")]
    for dimension in ("region", "industry", "ka_manager"):
        if dimension != "region":
            at.segmented_control(key="tiers_composition_dimension").set_value(dimension).run()
            assert not at.exception
        charts = _composition_charts(at)
        assert list(charts) == [f"tiers_composition_{dimension}"]
        figure = charts[f"tiers_composition_{dimension}"]
        assert figure["layout"]["title"]["text"] == i18n.t(f"tiers.composition_by_{dimension}")
        assert [trace["name"] for trace in figure["data"]] == list(tiers.TIERS)
        composition = tiers.compute_tier_composition(ui.with_account_labels(tiered), dimension)
        for trace in figure["data"]:  # counts arrive as Plotly's typed arrays
            rows = composition[composition["tier"] == trace["name"]]
            assert trace["y"] == rows["label"].tolist()
            counts = np.frombuffer(base64.b64decode(trace["x"]["bdata"]), dtype=trace["x"]["dtype"])
            assert counts.tolist() == rows["accounts"].tolist()
        assert int(composition["accounts"].sum()) == len(tiered)
    at.number_input(key="tiers_a_cumulative").set_value(60.0).run()  # a move keeps the dimension chosen
    assert list(_composition_charts(at)) == ["tiers_composition_ka_manager"]
