"""Tier rules on small tables with exact expected tiers, and tiers read from account_month."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pandas as pd
import pytest

from ka import db, tiers
from ka.periods import Period, month_period, quarter_period
from ka.scope import Scope
from ka.tiers import TierConfig

CUMULATIVE = TierConfig()
BANDS = TierConfig(method="bands")


def _values(pairs: list[tuple[str, str]]) -> pd.DataFrame:
    return pd.DataFrame({"account_id": [a for a, _ in pairs], "value": [Decimal(v) for _, v in pairs]})


@pytest.mark.parametrize(
    "case, pairs, config, expected",
    [
        # 50 + 40 crosses 80 %: the crossing account b is A; c ends at 96 % (crosses 95 %) → B
        ("crossing account is A", [("a", "50"), ("b", "40"), ("c", "6"), ("d", "4")], CUMULATIVE,
         [("a", "A"), ("b", "A"), ("c", "B"), ("d", "C")]),
        # b lands exactly on 80.00 % → A; c starts at 80 % → B and lands exactly on 95 %; d → C
        ("exact 80.00 % boundary", [("a", "50"), ("b", "30"), ("c", "15"), ("d", "5")], CUMULATIVE,
         [("a", "A"), ("b", "A"), ("c", "B"), ("d", "C")]),
        # 56.33 + 24.03 = 80.36 = 80 % of 100.45 exactly; in floats 0.8 × 100.45 is 80.36000000000001,
        # so a float comparison would wrongly put x in A as well
        ("exact boundary with cents", [("x", "20.09"), ("y", "24.03"), ("z", "56.33")], CUMULATIVE,
         [("z", "A"), ("y", "A"), ("x", "B")]),
        # equal values: account_id decides; with A = 40 %, a1 lands on 40 % → A, b2 → B
        ("ties by account_id", [("b2", "40"), ("c3", "20"), ("a1", "40")], TierConfig(a_cumulative=0.40),
         [("a1", "A"), ("b2", "B"), ("c3", "B")]),
        ("single account", [("solo", "123.45")], CUMULATIVE, [("solo", "A")]),
        ("single negative account", [("solo", "-5")], CUMULATIVE, [("solo", "C")]),
        # ten equal accounts: 8 × 10 % reach 80 % → A; the 9th and 10th start at 80 % and 90 % → B
        ("all equal", [(f"k{i:02d}", "10") for i in range(10)], CUMULATIVE,
         [(f"k{i:02d}", "A") for i in range(8)] + [("k08", "B"), ("k09", "B")]),
        # zero and negative net value are C, listed after the positive accounts
        ("negative and zero net", [("a", "60"), ("b", "30"), ("c", "0"), ("d", "-10"), ("e", "10")], CUMULATIVE,
         [("a", "A"), ("b", "A"), ("e", "B"), ("c", "C"), ("d", "C")]),
        # bands: > 30 % A, 10–30 % (inclusive) B, < 10 % C
        ("bands", [("a", "40"), ("b", "30"), ("c", "20"), ("d", "10"), ("e", "0")], BANDS,
         [("a", "A"), ("b", "B"), ("c", "B"), ("d", "B"), ("e", "C")]),
        ("bands just below", [("a", "60.5"), ("b", "30"), ("c", "9.5")], BANDS,
         [("a", "A"), ("b", "B"), ("c", "C")]),
        ("bands many accounts all C", [(f"k{i:02d}", "1") for i in range(12)], BANDS,
         [(f"k{i:02d}", "C") for i in range(12)]),
        # top-N: 2 largest A, next 1 B; the tie b/c is resolved by account_id
        ("top-N", [("a", "5"), ("c", "4"), ("b", "4"), ("d", "1"), ("e", "-1")], TierConfig(method="topn", top_a=2, top_b=1),
         [("a", "A"), ("b", "A"), ("c", "B"), ("d", "C"), ("e", "C")]),
        ("top-N negative stays C", [("a", "5"), ("b", "-1")], TierConfig(method="topn", top_a=3, top_b=3),
         [("a", "A"), ("b", "C")]),
    ],
)
def test_compute_tiers_exact(case, pairs, config, expected):
    result = tiers.compute_tiers(_values(pairs), config)
    assert list(zip(result["account_id"], result["tier"])) == expected, case


def test_shares_and_flags():
    result = tiers.compute_tiers(_values([("a", "60"), ("b", "30"), ("c", "0"), ("d", "-10"), ("e", "10")]), CUMULATIVE)
    assert result["share"].tolist() == [0.6, 0.3, 0.1, 0.0, -0.1]
    assert result["cumulative_share"].tolist() == [0.6, 0.9, 1.0, 1.0, 1.0]
    assert result["is_nonpositive"].tolist() == [False, False, False, True, True]


def test_no_positive_value_means_all_c_without_shares():
    result = tiers.compute_tiers(_values([("a", "0"), ("b", "-3")]), CUMULATIVE)
    assert result["tier"].tolist() == ["C", "C"]
    assert result["share"].isna().all()


def test_changing_thresholds_moves_accounts():
    pairs = [(f"k{i:02d}", str(100 - i * 5)) for i in range(15)]
    counts = {
        config: tiers.compute_tier_counts(tiers.compute_tiers(_values(pairs), config))
        for config in (CUMULATIVE, TierConfig(a_cumulative=0.5, b_cumulative=0.9))
    }
    # 100, 95, …, 30 (total 975): running totals before each account 0, 100, 195, …, 775, 825, 870, 910, 945
    assert counts[CUMULATIVE] == {"A": 11, "B": 3, "C": 1}  # A while < 780, B while < 926.25
    assert counts[TierConfig(a_cumulative=0.5, b_cumulative=0.9)] == {"A": 6, "B": 7, "C": 2}  # < 487.5, < 877.5


@pytest.mark.parametrize("bad", [dict(method="abc"), dict(metric="units"), dict(a_cumulative=0.96),
                                 dict(a_band=0.05), dict(top_a=-1), dict(window="ytd")])
def test_config_refuses_nonsense(bad):
    with pytest.raises(ValueError):
        TierConfig(**bad)


# --- from the database ----------------------------------------------------------------------
LINES = [  # account, date, revenue, cost
    ("A1", "2025-07-05", "500.00", "300.00"),
    ("A1", "2025-08-05", "100.00", "90.00"),
    ("B2", "2025-07-10", "300.00", "100.00"),
    ("C3", "2025-09-30", "80.0000", None),
    ("D4", "2025-08-01", "40.00", "10.00"),
    ("D4", "2025-08-02", "-60.00", "-20.00"),  # a return larger than the purchase: net −20
    ("E5", "2025-04-15", "900.00", "850.00"),  # only in the prior quarter
    ("B2", "2025-05-01", "50.00", "10.00"),
    ("A1", "2024-10-01", "1000.00", "100.00"),
]
ACCOUNTS = [("A1", "East"), ("B2", "East"), ("C3", "West"), ("D4", "West"), ("E5", "North")]


@pytest.fixture
def tier_con(con):
    with db.write_transaction(con) as cur:
        for number, (account, day, revenue, cost) in enumerate(LINES):
            cur.execute(
                "insert into transactions (txn_key, order_id, order_date, account_id, account_name, revenue, cost, batch_id) "
                "values (?, ?, ?, ?, ?, ?::decimal(18,4), ?::decimal(18,4), 1)",
                [f"t{number}", f"o{number}", date.fromisoformat(day), account, f"Name {account}", revenue, cost],
            )
        for account, region in ACCOUNTS:
            cur.execute("insert into accounts (account_id, account_name, region) values (?, ?, ?)",
                        [account, f"Name {account}", region])
        cur.execute("insert into visits (account_id, visit_date, kind) values ('A1', '2025-07-01', 'onsite'), ('A1', '2025-08-01', 'onsite'), "
                    "('B2', '2025-09-01', 'online'), ('B2', '2025-03-01', 'online')")
        db.refresh_account_month(cur)
    return con


Q3 = quarter_period(2025, 3)


@pytest.mark.parametrize(
    "period, scope, config, expected",
    [
        # Q3 revenue: A1 600, B2 300, C3 80, D4 −20; positive total 980; A1 61 %, crosses with B2
        (Q3, Scope(), TierConfig(), [("A1", 600.0, "A"), ("B2", 300.0, "A"), ("C3", 80.0, "B"), ("D4", -20.0, "C")]),
        # gross profit: A1 210, B2 200, C3 0 (no cost known), D4 −20 − (−10) = −10
        (Q3, Scope(), TierConfig(metric="gross_profit"),
         [("A1", 210.0, "A"), ("B2", 200.0, "A"), ("C3", 0.0, "C"), ("D4", -10.0, "C")]),
        # within the West only: C3 is the whole positive revenue
        (Q3, Scope(regions=("West",)), TierConfig(), [("C3", 80.0, "A"), ("D4", -20.0, "C")]),
        # trailing 12 months to 2025-09: A1 1600, E5 900, B2 350, C3 80, D4 −20 (total 2930)
        (Q3, Scope(), TierConfig(window="t12m"),
         [("A1", 1600.0, "A"), ("E5", 900.0, "A"), ("B2", 350.0, "B"), ("C3", 80.0, "C"), ("D4", -20.0, "C")]),
        # a day range is answered from transactions
        (Period(date(2025, 8, 1), date(2025, 8, 5)), Scope(), TierConfig(), [("A1", 100.0, "A"), ("D4", -20.0, "C")]),
        (month_period(2025, 6), Scope(), TierConfig(), []),
    ],
)
def test_read_account_tiers(tier_con, period, scope, config, expected):
    result = tiers.read_account_tiers(tier_con, period, scope, config)
    assert list(zip(result["account_id"], result["metric_value"], result["tier"])) == expected
    assert list(result.columns[:7]) == ["account_id", "account_name", "account_name_en", "metric_value",
                                        "share", "cumulative_share", "tier"]


@pytest.mark.parametrize("scope", [Scope(), Scope(regions=("West",))])
@pytest.mark.parametrize("config", [TierConfig(), TierConfig(metric="gross_profit"), TierConfig(method="topn", top_a=1, top_b=1)])
def test_tiers_of_several_windows_read_together_are_each_windows_tiers(tier_con, scope, config):
    """read_windows_tiers (the scorecards' trend: one statement for every window) against
    read_account_tiers of each window alone: whole months, a day range, an empty month."""
    windows = [Q3, quarter_period(2025, 2), Period(date(2025, 8, 1), date(2025, 8, 5)), month_period(2025, 6),
               tiers.tier_window(Q3, "t12m")]
    single = TierConfig(**{**config.as_dict(), "window": "period"})
    expected = [dict(zip(t["account_id"], t["tier"])) for t in
                (tiers.read_account_tiers(tier_con, window, scope, single) for window in windows)]
    got = tiers.read_windows_tiers(tier_con, windows, scope, single)
    assert [dict(zip(got.loc[got["window_index"] == i, "account_id"], got.loc[got["window_index"] == i, "tier"]))
            for i in range(len(windows))] == expected
    assert expected[0] and expected[3] == {}


def test_tier_summary_with_visit_compliance(tier_con):
    tiered = tiers.read_account_tiers(tier_con, Q3, Scope())
    summary = tiers.compute_tier_summary(tiered, 3.0, tiers.DEFAULT_VISITS_PER_MONTH).set_index("tier")
    assert summary.loc["A", "accounts"] == 2
    assert summary.loc["A", "revenue"] == 900.0
    assert summary.loc["A", "gross_profit"] == 410.0
    assert summary.loc["A", "average_revenue"] == 450.0
    assert summary.loc["A", "promised_visits"] == 12.0  # 2 accounts × 2 a month × 3 months
    assert summary.loc["A", "actual_visits"] == 3  # A1 twice, B2 once in Q3 (March visit is outside)
    assert summary.loc["A", "compliance"] == 0.25
    assert summary.loc["C", "nonpositive_accounts"] == 1
    assert summary["share"].round(6).tolist() == [round(900 / 960, 6), round(80 / 960, 6), round(-20 / 960, 6)]


def test_migration_has_new_and_lost(tier_con):
    migration = tiers.read_tier_migration(tier_con, quarter_period(2025, 2), Q3, Scope())
    rows = {r.account_id: (r.tier_before, r.tier_after, r.change) for r in migration.itertuples()}
    # Q2: E5 900, B2 50 → E5 A (crosses), B2 B (starts at 94.7 %)
    assert rows == {
        "A1": ("New", "A", 600.0), "B2": ("B", "A", 250.0), "C3": ("New", "B", 80.0),
        "D4": ("New", "C", -20.0), "E5": ("A", "Lost", -900.0),
    }
    flows = tiers.compute_migration_flows(migration)
    assert list(flows.itertuples(index=False, name=None)) == [
        ("A", "Lost", 1), ("B", "A", 1), ("New", "A", 1), ("New", "B", 1), ("New", "C", 1)]


def test_composition_by_region(tier_con):
    tiered = tiers.read_account_tiers(tier_con, Q3, Scope())
    composition = tiers.compute_tier_composition(tiered, "region")
    assert list(composition.itertuples(index=False, name=None)) == [
        ("East", "A", 2, 900.0), ("West", "B", 1, 80.0), ("West", "C", 1, -20.0)]


def test_settings_round_trip_and_defaults(tier_con):
    defaults = tiers.read_tier_settings(tier_con)
    assert defaults == {"config": TierConfig(), "strategies": {"A": None, "B": None, "C": None},
                        "visits_per_month": {"A": 2.0, "B": 1.0, "C": 0.25}}
    saved = tiers.write_tier_settings(tier_con, TierConfig(method="topn", top_a=3), {"B": "Fortnightly call"}, {"C": 0.5})
    assert saved == tiers.read_tier_settings(tier_con)
    assert saved["config"] == TierConfig(method="topn", top_a=3)
    assert saved["strategies"] == {"A": None, "B": "Fortnightly call", "C": None}
    assert saved["visits_per_month"] == {"A": 2.0, "B": 1.0, "C": 0.5}
    db.put_setting(tier_con, "tiers", {"config": {"method": "nonsense"}})
    assert tiers.read_tier_settings(tier_con)["config"] == TierConfig()


def test_account_ids_in_tiers(tier_con):
    tiered = tiers.read_account_tiers(tier_con, Q3, Scope())
    assert tiers.account_ids_in_tiers(tiered, ["A"]) == ("A1", "B2")
    assert tiers.account_ids_in_tiers(tiered, ["B", "C"]) == ("C3", "D4")


# --- the command line -------------------------------------------------------------------------
@pytest.mark.parametrize(
    "options, expected",
    [
        ([], [("A1", "600.0000", "A"), ("B2", "300.0000", "A"), ("C3", "80.0000", "B"), ("D4", "-20.0000", "C")]),
        (["--metric", "gross_profit"],
         [("A1", "210.0000", "A"), ("B2", "200.0000", "A"), ("C3", "0.0000", "C"), ("D4", "-10.0000", "C")]),
        (["--method", "bands"], [("A1", "600.0000", "A"), ("B2", "300.0000", "A"), ("C3", "80.0000", "C"), ("D4", "-20.0000", "C")]),
        (["--from", "2025-08-01", "--to", "2025-08-05"], [("A1", "100.0000", "A"), ("D4", "-20.0000", "C")]),
    ],
)
def test_cli_export_tiers(tier_con, tmp_path, capsys, options, expected):
    import csv
    import io
    import json

    from ka.__main__ import main

    path = str(tmp_path / "test.duckdb")
    assert main(["export", "--db", path, "--what", "tiers", "--format", "json", *options]) == 0
    records = json.loads(capsys.readouterr().out)
    assert [(r["account_id"], r["metric_value"], r["tier"]) for r in records] == expected
    assert main(["export", "--db", path, "--what", "tiers", "--format", "csv", *options]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert list(rows[0])[:7] == ["account_id", "account_name", "metric", "metric_value", "share", "cumulative_share", "tier"]
    assert [(r["account_id"], r["metric_value"], r["tier"]) for r in rows] == expected


def test_cli_export_follows_the_saved_rule(tier_con, tmp_path, capsys):
    import json

    from ka.__main__ import main

    tiers.write_tier_settings(tier_con, TierConfig(method="topn", top_a=1, top_b=1))
    assert main(["export", "--db", str(tmp_path / "test.duckdb"), "--what", "tiers", "--format", "json"]) == 0
    assert [r["tier"] for r in json.loads(capsys.readouterr().out)] == ["A", "B", "C", "C"]


@pytest.mark.parametrize(
    "period, window, expected",
    [
        (Q3, "period", Q3),
        (Q3, "t12m", Period(date(2024, 10, 1), date(2025, 9, 30), "t12m")),
        (Period(date(2025, 8, 1), date(2025, 8, 15)), "t12m", Period(date(2024, 8, 16), date(2025, 8, 15), "t12m")),
    ],
)
def test_tier_window(period, window, expected):
    assert tiers.tier_window(period, window) == expected


@pytest.mark.parametrize(
    "points, expected",
    [
        ([{"x": 2, "customdata": ["B2", "Name B2"]}], "B2"),
        ([{"x": 3}], "C3"),  # no customdata: the rank on the x axis
        ([{"x": 9}], None),
        ([], None),
    ],
)
def test_account_from_points(tier_con, points, expected):
    tiered = tiers.read_account_tiers(tier_con, Q3, Scope())
    assert tiers.account_from_points(points, tiered) == expected



def test_pareto_of_5000_accounts_draws_the_largest_as_bars_and_stays_small():
    """Bars (with names, clickable) for the largest accounts only; the tail as outlines; the cumulative
    line through every tier's first rank and the last account, at its exact share."""
    import numpy as np

    from ka import charts

    values = pd.DataFrame({"account_id": [f"KA{i:05d}" for i in range(5000)], "value": 1e6 / np.arange(1, 5001)})
    tiered = tiers.compute_tiers(values, CUMULATIVE).rename(columns={"value": "metric_value"})
    tiered["account"] = "客户 " + tiered["account_id"]
    fig = charts.build_pareto(tiered, (0.8, 0.95))
    bars = [trace for trace in fig.data if trace.type == "bar"]
    assert sum(len(trace.x) for trace in bars) == charts.PARETO_BARS
    assert [a for trace in bars for a in trace.customdata[:, 0]] == sorted(tiered["account_id"][:charts.PARETO_BARS])
    outlines = [trace for trace in fig.data if trace.type == "scatter" and trace.fill == "tozeroy"]
    assert {trace.name for trace in outlines} == set(tiered["tier"][charts.PARETO_BARS:])
    assert all(len(trace.x) <= charts.PARETO_TAIL_POINTS for trace in outlines)
    line = next(trace for trace in fig.data if trace.yaxis == "y2")
    share = dict(zip(line.x, line.y))
    for tier in tiers.TIERS:
        first = int(np.flatnonzero(tiered["tier"].to_numpy() == tier)[0])
        assert share[first + 1] == pytest.approx(tiered["cumulative_share"].iloc[first])
    assert share[5000] == pytest.approx(1.0)
    assert len(fig.to_json()) < 100_000  # the whole portfolio's bars would be over 400 KB


def test_movers_largest_change_first(tier_con):
    movers = tiers.compute_movers(tiers.read_tier_migration(tier_con, quarter_period(2025, 2), Q3, Scope()))
    assert movers["account_id"].tolist() == ["E5", "A1", "B2", "C3", "D4"]  # |−900|, 600, 250, 80, |−20|


DEMO_RULES = [
    TierConfig(),
    TierConfig(a_cumulative=0.6, b_cumulative=0.9, metric="gross_profit"),
    TierConfig(method="bands", a_band=0.05, b_band=0.01, window="t12m"),
    TierConfig(method="topn", top_a=5, top_b=10),
]


@pytest.mark.parametrize("config", DEMO_RULES)
def test_demo_tiers_of_eight_quarters_read_together_are_each_quarters_tiers(demo_con, config):
    from ka import kpi, overview
    from ka.periods import default_period

    quarters = kpi.trend_quarters(default_period("quarter", overview.read_data_range(demo_con)[1]))
    windows = [tiers.tier_window(q, config.window) for q in quarters]
    scope = Scope(regions=(demo_con.execute("select min(region) from accounts").fetchone()[0],))
    got = tiers.read_windows_tiers(demo_con, windows, scope, config)
    for index, quarter in enumerate(quarters):
        expected = tiers.read_account_tiers(demo_con, quarter, scope, config)
        tiered = got[got["window_index"] == index]
        assert list(zip(tiered["account_id"], tiered["tier"])) == list(zip(expected["account_id"], expected["tier"]))
        assert len(set(tiered["tier"])) > 1 or index < 4  # not all one tier


@pytest.mark.parametrize("language", ["en", "zh"])
@pytest.mark.parametrize("config", DEMO_RULES)
def test_tiers_of_values_read_and_labelled_once_are_the_tiers_read_for_the_rule(demo_con, config, language):
    """The tiers page labels a window's account values once and tiers them for every rule: the same rows and
    values as reading the tiers for that rule and labelling them, and the same migration."""
    from ka import i18n, overview, ui
    from ka.periods import default_period

    i18n.set_language(language)
    period = default_period("quarter", overview.read_data_range(demo_con)[1])
    window = tiers.tier_window(period, config.window)
    labelled = ui.with_account_labels(tiers.read_account_values(demo_con, window, Scope()))
    expected = ui.with_account_labels(tiers.read_account_tiers(demo_con, period, Scope(), config))
    got = tiers.compute_account_tiers(labelled, config)
    pd.testing.assert_frame_equal(got[list(expected.columns)], expected)
    assert sorted(got.columns) == sorted(expected.columns) and set(got["tier"]) == {"A", "B", "C"}
    before = period.prior()
    values_before = tiers.read_account_values(demo_con, tiers.tier_window(before, config.window), Scope())
    pd.testing.assert_frame_equal(
        tiers.compute_values_migration(values_before, labelled, config),
        tiers.read_tier_migration(demo_con, before, period, Scope(), config))
