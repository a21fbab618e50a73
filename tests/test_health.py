"""Health measures, points and colours equal hand-worked values on a tiny portfolio.

The portfolio, as of T = 2025-06-30 (recent = Apr–Jun 2025, previous = Jan–Mar 2025,
year ago = Apr–Jun 2024, next = Jul–Sep 2025):
- A1 declines: revenue 600 vs 1000 (previous) vs 800 (year ago), orders 3 vs 5, margin 30 % vs 40 %,
  products/month 1 vs 4/3, two tickets (4 days, open 10 days), NPS 10, last visit 60 days ago.
- B is new (first order 2025-04-05): no previous window, no cost, no survey, no contract.
- C stopped ordering in December 2024: its points say yellow, the override says red.
- Z orders 100 every month from 2024-01 to 2025-09 (it also fixes the data's range).
12-month revenue: A1 1600, Z 1200, B 900, C 300 → tiers A, A, A, B (cumulative 80 % rule).
"""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
import pandas as pd
import pytest

from import_helpers import import_paths, write_file
from ka import db, health
from ka.cells import export_frame
from ka.periods import add_months
from ka.scope import ALL, Scope

T = date(2025, 6, 30)
A_CADENCE = 30.4375 / 2.0  # tier A promises 2 visits a month
B_CADENCE = 30.4375 / 1.0


def _orders() -> list[tuple]:
    """(date, account, product, revenue, cost) — one line per order."""
    rows = [(date(2024, 4, 15), "A1", "P1", 400, 200), (date(2024, 5, 15), "A1", "P1", 400, 200)]
    rows += [(d, "A1", p, 200, 120) for d, p in (
        (date(2025, 1, 10), "P1"), (date(2025, 1, 20), "P2"), (date(2025, 2, 10), "P1"),
        (date(2025, 3, 1), "P1"), (date(2025, 3, 21), "P1"))]
    rows += [(date(2025, m, 10), "A1", "P1", 200, 140) for m in (4, 5, 6)]
    rows += [(d, "B", "P3", 300, None) for d in (date(2025, 4, 5), date(2025, 5, 5), date(2025, 6, 25))]
    rows += [(date(2024, m, 5), "C", "P4", 100, 60) for m in (10, 11, 12)]
    rows += [(add_months(date(2024, 1, 1), k).replace(day=15), "Z", "P5", 100, 50) for k in range(21)]
    return rows


def build_health_portfolio(con) -> None:
    with db.write_transaction(con) as cur:
        for n, (day, account, product, revenue, cost) in enumerate(_orders()):
            cur.execute(
                "insert into transactions (txn_key, order_id, order_date, account_id, product, revenue, cost, batch_id) "
                "values (?, ?, ?, ?, ?, ?, ?, 1)",
                [f"t{n}", f"o{n}", day, account, product, revenue, cost],
            )
        cur.execute(
            "insert into accounts (account_id, account_name, contract_end_date) values "
            "('A1', 'Alpha', date '2025-09-30'), ('B', 'Beta', null), ('C', 'Gamma', date '2026-06-30'), ('Z', 'Zeta', null)"
        )
        cur.execute(
            "insert into tickets values ('A1', date '2025-04-01', date '2025-04-05', 'low'), "
            "('A1', date '2025-06-20', null, 'high'), ('A1', date '2025-03-31', date '2025-04-30', 'low')"
        )
        cur.execute(
            "insert into surveys values ('A1', date '2024-12-31', 40), ('A1', date '2025-05-31', 10), "
            "('C', date '2025-03-31', 50)"
        )
        cur.execute("insert into visits (account_id, visit_date, kind) values ('A1', date '2025-05-01', 'onsite'), ('C', date '2025-06-15', 'qbr')")
        db.refresh_account_month(cur)


@pytest.fixture(scope="module")
def health_con(tmp_path_factory):
    """Built once per module; the tests that save settings use their own copy (fresh_health_con)."""
    connection = db.connect(tmp_path_factory.mktemp("health") / "health.duckdb")
    build_health_portfolio(connection)
    yield connection
    connection.close()


@pytest.fixture
def fresh_health_con(con):
    build_health_portfolio(con)
    return con


@pytest.fixture(scope="module")
def scored(health_con):
    inputs = health.read_health_inputs(health_con, T, T, ALL)
    return health.compute_scores(inputs, health.HealthConfig()).set_index("account_id")


NAN = float("nan")
MEASURE_CASES = [
    # account, measure, value, points
    ("A1", "recency", 20 / (151 / 7), 100.0),
    ("A1", "revenue_trend", -0.4, 0.0),
    ("A1", "revenue_yoy", -0.25, 100 * 0.05 / 0.35),
    ("A1", "order_trend", -0.4, 0.0),
    ("A1", "margin_trend", -0.1, 0.0),
    ("A1", "breadth_trend", -0.25, 100 * 0.05 / 0.3),
    ("A1", "tickets", 2.0, 80.0),
    ("A1", "resolution_days", 7.0, 100 * 7 / 11),
    ("A1", "nps", 10.0, 60.0),
    ("A1", "visit_gap", 60 / A_CADENCE, 0.0),
    ("A1", "contract_days", 92.0, 100 * 62 / 150),
    ("B", "recency", 5 / 40.5, 100.0),
    ("B", "revenue_trend", NAN, NAN),  # no revenue in the previous window: new account, no data
    ("B", "revenue_yoy", NAN, NAN),
    ("B", "order_trend", NAN, NAN),
    ("B", "margin_trend", NAN, NAN),  # no cost known
    ("B", "breadth_trend", NAN, NAN),
    ("B", "tickets", 0.0, 100.0),
    ("B", "resolution_days", NAN, NAN),
    ("B", "nps", NAN, NAN),
    ("B", "visit_gap", 365 / A_CADENCE, 0.0),  # no visit in a year while visits are recorded
    ("B", "contract_days", NAN, NAN),
    ("C", "recency", 207 / 30.5, 0.0),
    ("C", "revenue_trend", NAN, NAN),
    ("C", "nps", 50.0, 100.0),
    ("C", "visit_gap", 15 / B_CADENCE, 100.0),
    ("C", "contract_days", 365.0, 100.0),
    ("Z", "recency", 15 / (335 / 11), 100.0),
    ("Z", "revenue_trend", 0.0, 100 * 0.3 / 0.35),
    ("Z", "revenue_yoy", 0.0, 100 * 0.3 / 0.35),
    ("Z", "margin_trend", 0.0, 100.0),
    ("Z", "breadth_trend", 0.0, 100.0),
]


@pytest.mark.parametrize("account, measure, value, points", MEASURE_CASES)
def test_measure_values_and_points(scored, account, measure, value, points):
    row = scored.loc[account]
    if np.isnan(value):
        assert np.isnan(row[f"value_{measure}"]) and np.isnan(row[f"points_{measure}"])
    else:
        assert row[f"value_{measure}"] == pytest.approx(value, rel=1e-9)
        assert row[f"points_{measure}"] == pytest.approx(points, rel=1e-9)


A1_SCORE = (15 * 100 + 20 * 100 * 0.05 / 0.35 + 5 * 100 * 0.05 / 0.3 + 5 * 80 + 5 * 100 * 7 / 11 + 10 * 60
            + 5 * 100 * 62 / 150) / 100
Z_SCORE = (15 * 100 + (15 + 20 + 10) * 100 * 0.3 / 0.35 + 5 * 100 + 5 * 100 + 5 * 100 + 5 * 0) / 80


@pytest.mark.parametrize(
    "account, score, colour, overridden, tier",
    [
        ("A1", A1_SCORE, "red", False, "A"),
        ("B", (15 * 100 + 5 * 100 + 5 * 0) / 25, "green", False, "A"),  # 8 measures without data left out
        ("C", (15 * 0 + 5 * 100 + 10 * 100 + 5 * 100 + 5 * 100) / 40, "red", True, "B"),  # 62.5 but override
        ("Z", Z_SCORE, "green", False, "A"),
    ],
)
def test_scores_colours_and_override(scored, account, score, colour, overridden, tier):
    row = scored.loc[account]
    assert row["score"] == pytest.approx(score, rel=1e-9)
    assert row["colour"] == colour
    assert bool(row["is_overridden"]) is overridden
    assert row["tier"] == tier
    earned = sum(row[f"earned_{m}"] for m in health.MEASURES if not np.isnan(row[f"earned_{m}"]))
    assert earned == pytest.approx(score, rel=1e-9)


def test_without_override_c_is_yellow(health_con):
    config = health.HealthConfig(override_enabled=False)
    scored = health.compute_scores(health.read_health_inputs(health_con, T, T, ALL), config).set_index("account_id")
    assert scored.loc["C", "colour"] == "yellow"


@pytest.mark.parametrize(
    "score, colour",
    [(49.99, "red"), (50.0, "yellow"), (75.0, "yellow"), (75.01, "green"), (None, "none")],
)
def test_band_boundaries(score, colour):
    """Red below 50, green above 75, both bounds yellow; no measure with data: no colour."""
    config = health.HealthConfig(rules=tuple(
        (m, health.MeasureRule(1 if m == "nps" else 0, bad=0, good=100)) for m in health.MEASURES))
    row = {c: [np.nan] for c in (
        "usual_interval_days", "days_since_last_order", "revenue_recent", "revenue_previous", "revenue_year_ago",
        "orders_recent", "orders_previous", "margin_recent", "margin_previous", "products_recent",
        "products_previous", "tickets_recent", "median_resolution_days", "days_since_visit",
        "visit_cadence_days", "days_to_contract_end")}
    frame = pd.DataFrame({**row, "latest_nps": [np.nan if score is None else score],
                          "has_previous_window": [True], "has_year_ago_window": [True]})
    assert health.compute_scores(frame, config)["colour"].iloc[0] == colour


def test_reasons_in_plain_words(scored):
    from ka import i18n

    i18n.set_language("en")
    row = scored.loc["A1"]
    # most points missed first: revenue_yoy (17.1), revenue_trend (15), then order_trend (10)
    assert [row["reason_1"], row["reason_2"], row["reason_3"]] == ["revenue_yoy", "revenue_trend", "order_trend"]
    assert health.describe_measure("revenue_trend", -0.38) == "revenue −38 % against the previous 3 months"
    text = health.describe_reasons(scored.reset_index().iloc[list(scored.index).index("A1")])
    assert text.startswith("revenue −25 % against the same 3 months last year; revenue −40 %")
    assert health.describe_reasons(scored.reset_index().iloc[list(scored.index).index("C")]).startswith(
        "no order for 6.8× the usual interval (override: red)")
    assert health.describe_measure("contract_days", 45) == "contract ends in 45 days"
    assert health.describe_measure("contract_days", -92) == "contract ended 92 days ago"
    i18n.set_language("zh")
    assert health.describe_measure("revenue_trend", -0.38) == "销售额较前 3 个月 −38 %"
    assert health.describe_measure("contract_days", -92) == "合同已于 92 天前到期"
    i18n.set_language("en")


def test_account_list_revenue_at_risk_and_change(health_con):
    listing = health.read_health(health_con, date(2025, 7, 15), ALL)  # mid-month: the month end before
    assert set(listing["as_of"]) == {T}
    assert list(listing["account_id"]) == ["A1", "C", "B", "Z"]  # red 1060.2, red 300, then green (none at risk)
    assert listing.set_index("account_id").loc["B", "revenue_at_risk"] == 0  # green (80): nothing at risk
    assert listing.set_index("account_id").loc["Z", "revenue_at_risk"] == 0
    a1 = listing.set_index("account_id").loc["A1"]
    assert a1["revenue_at_risk"] == pytest.approx(1600 * (100 - A1_SCORE) / 100)
    assert listing.set_index("account_id").loc["C", "revenue_at_risk"] == pytest.approx(300.0)  # override: all
    assert not np.isnan(a1["score_change"]) and health.change_arrow(-7) == "▼" and health.change_arrow(2) == "▶"


def test_the_at_risk_list_shows_red_first_whatever_the_amounts(health_con):
    # with red below 30, A1 (33.9) turns yellow: its 1,060 at risk follow C's 300, because C is red
    listing = health.read_health(health_con, T, ALL, health.HealthConfig(red_below=30.0))
    assert list(zip(listing["account_id"], listing["colour"])) == [
        ("C", "red"), ("A1", "yellow"), ("B", "green"), ("Z", "green")]
    assert listing.set_index("account_id").loc["A1", "revenue_at_risk"] == pytest.approx(1600 * (100 - A1_SCORE) / 100)


def test_scope_filters_accounts(health_con):
    scoped = health.compute_scores(health.read_health_inputs(health_con, T, T, Scope(account_ids=("B",))), health.HealthConfig())
    assert list(scoped["account_id"]) == ["B"]
    # alone in its scope B is still tier A; its score is unchanged
    assert scoped["score"].iloc[0] == pytest.approx(80.0)


def test_colour_changes_against_the_saved_config(health_con):
    inputs = health.read_health_inputs(health_con, T, T, ALL)
    saved = health.compute_scores(inputs, health.HealthConfig())
    edited = health.compute_scores(inputs, health.HealthConfig(override_enabled=False))
    changes = health.compute_colour_changes(edited, saved)
    assert changes[["account_id", "colour_saved", "colour_edited"]].values.tolist() == [["C", "red", "yellow"]]
    lenient = health.compute_scores(inputs, health.HealthConfig(red_below=30.0))
    assert health.compute_colour_changes(lenient, saved)["account_id"].tolist() == ["A1"]  # 33.9: red → yellow


def test_colour_migration_between_two_month_ends(health_con):
    history = health.compute_scores(
        health.read_health_inputs(health_con, date(2025, 3, 31), T, ALL), health.HealthConfig())
    before, after = history[history["as_of"] == date(2025, 3, 31)], history[history["as_of"] == T]
    assert "B" not in set(before["account_id"])  # not yet a customer: "none" before
    table = health.compute_colour_migration(before, after)
    assert table.loc["none", "green"] == 1  # B
    assert int(table.values.sum()) == 4
    assert table.loc[before.set_index("account_id").loc["A1", "colour"], "red"] >= 1


def test_with_rule_changes_one_measure_only():
    edited = health.HealthConfig().with_rule("nps", weight=0)
    assert edited.rule("nps").weight == 0 and health.HealthConfig().rule("nps").weight == 10
    assert edited.rule("tickets") == health.HealthConfig().rule("tickets")


def test_config_versions_are_saved_with_timestamps(fresh_health_con):
    health_con = fresh_health_con
    assert health.read_config(health_con) == (health.HealthConfig(), 0)
    edited = health.HealthConfig(red_below=40.0).with_rule("nps", weight=25.0)
    assert health.save_config(health_con, edited, now=datetime(2026, 1, 2, 3, 4, 5)) == 1
    assert health.save_config(health_con, health.HealthConfig(), now=datetime(2026, 2, 1)) == 2
    versions = health.read_config_versions(health_con)
    assert [(v["version"], v["saved_at"]) for v in versions] == [(1, "2026-01-02T03:04:05"), (2, "2026-02-01T00:00:00")]
    assert versions[0]["config"] == edited
    assert health.read_config(health_con) == (health.HealthConfig(), 2)


def test_config_from_old_settings_keeps_defaults():
    config = health.HealthConfig.from_dict({"rules": {"nps": {"weight": 3}}, "red_below": 45, "unknown": 1})
    assert config.rule("nps") == health.MeasureRule(3, bad=-20, good=30)
    assert config.rule("tickets") == health.DEFAULT_RULES["tickets"]
    assert config.red_below == 45


def test_cli_exports_health_and_backtest(fresh_health_con, capsys):
    import json

    from ka.__main__ import main

    path = fresh_health_con.execute("select path from duckdb_databases() where database_name = current_database()").fetchall()[0][0]
    fresh_health_con.close()  # the CLI opens the file itself
    if True:
        assert main(["export", "--db", path, "--what", "health", "--as-of", "2025-07-15", "--format", "json"]) == 0
        rows = {row["account_id"]: row for row in json.loads(capsys.readouterr().out)}
        assert rows["A1"]["as_of"] == "2025-06-30" and rows["A1"]["colour"] == "red"
        assert rows["A1"]["score"] == round(A1_SCORE, 2)
        assert rows["A1"]["revenue_trend_value"] == -0.4 and rows["A1"]["revenue_trend_points"] == 0.0
        assert rows["B"]["nps_value"] is None and rows["B"]["nps_points"] is None
        assert rows["A1"]["top_reasons"].startswith("revenue −25 % against the same 3 months last year")
        assert main(["export", "--db", path, "--what", "health-backtest", "--format", "json"]) == 0
        table = {row["colour"]: row for row in json.loads(capsys.readouterr().out)}
        # month ends whose next 3 months are in the data: 2024-01 … 2025-06; at 2024-01-31 no account
        # has a measure with data yet (Z has one order, no tickets or visits recorded), so 17 remain
        assert table["all"]["month_ends"] == 17
        assert table["all"]["lost_accounts"] == 2  # A1 (last order 97 days before the data's end) and C; B is not


def test_an_accounts_history_is_in_month_end_order_with_the_scores_of_each_month_end(demo_con):
    """The history chart draws its points in row order: oldest month end first, whatever the inputs' order."""
    config = health.HealthConfig()
    inputs = health.read_history_inputs(demo_con, ALL)
    account = inputs["account_id"].iloc[0]
    history = health.compute_account_history(inputs.sample(frac=1.0, random_state=1), account, config)
    assert list(history["as_of"]) == sorted(inputs.loc[inputs["account_id"] == account, "as_of"])
    at_each = {as_of: health.compute_scores(inputs[inputs["as_of"] == as_of], config).set_index("account_id").loc[account, "score"]
               for as_of in history["as_of"]}
    assert history["score"].tolist() == pytest.approx([at_each[a] for a in history["as_of"]], nan_ok=True)


def test_twelve_month_revenue_is_the_exact_amount_in_the_list_and_the_export(con, tmp_path):
    """Summed as doubles, 100.0001 + 111.1339 is 211.13400000000001: the list and the export carry 211.134."""
    write_file(tmp_path, "lines.csv", "Order ID,Customer ID,Order Date,Sales,Cost\n"
               "O1,X,2025-04-10,100.0001,50.0001\nO2,X,2025-05-10,111.1339,60.0000\nO3,Y,2025-05-12,19.52,10\n")
    import_paths(con, tmp_path / "lines.csv")
    listing = health.read_health(con, date(2025, 5, 31), ALL)
    row = listing.set_index("account_id").loc["X"]
    assert repr(float(row["revenue_12m"])) == "211.134" and repr(float(row["gross_profit_12m"])) == "101.1339"
    exported = export_frame(health.compute_export(listing)).to_csv(index=False)
    assert ",211.134," in exported and "211.13400000000001" not in exported
