"""What-if: dependency index, concentration and scenarios, exact on small hand-made portfolios."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from ka import __main__ as cli
from ka import db, tiers, whatif
from ka.periods import quarter_period
from ka.scope import Scope
from ka.whatif import Scenario


def frame_of(rows: list[tuple]) -> pd.DataFrame:
    """(account_id, industry, revenue[, gross_profit, year_ago_revenue, has_orders]) → an account frame."""
    records = []
    for row in rows:
        account_id, industry, revenue, *rest = row
        gross_profit = rest[0] if len(rest) > 0 else 0.0
        year_ago = rest[1] if len(rest) > 1 else 0.0
        has_orders = rest[2] if len(rest) > 2 else True
        records.append({
            "account_id": account_id, "account_name": f"name {account_id}", "account_name_en": f"en {account_id}",
            "industry": industry, "revenue": float(revenue), "revenue_with_cost": float(revenue) if has_orders else 0.0,
            "gross_profit": float(gross_profit), "prior_revenue": 0.0, "year_ago_revenue": float(year_ago),
            "has_orders": has_orders,
        })
    columns = ["account_id", "account_name", "account_name_en", "industry", "revenue", "revenue_with_cost",
               "gross_profit", "prior_revenue", "year_ago_revenue", "has_orders"]
    return pd.DataFrame(records, columns=columns).astype({"revenue": "float64", "revenue_with_cost": "float64",
                                                          "gross_profit": "float64", "year_ago_revenue": "float64",
                                                          "has_orders": bool})


# --- dependency index -----------------------------------------------------------------------------
THREE = [("A1", "X", 600), ("A2", "Y", 300), ("A3", "X", 100)]


@pytest.mark.parametrize(
    "rows, coefficients, threshold, expected",
    [
        # one account carries everything: share 1, index 1; R = 1000 / 0.4 − 1000
        ([("A1", "X", 1000)], {}, 0.4, {"A1": (1.0, 1.0, 1.0, True, 1500.0)}),
        # 600 / (1000 + 500) = 0.4 exactly
        (THREE, {}, 0.4, {"A1": (0.6, 1.0, 0.6, True, 500.0), "A2": (0.3, 1.0, 0.3, False, 0.0),
                          "A3": (0.1, 1.0, 0.1, False, 0.0)}),
        # an index equal to the threshold is not above it
        ([("A1", "X", 800), ("A2", "Y", 200)], {"X": 0.5}, 0.4,
         {"A1": (0.8, 0.5, 0.4, False, 0.0), "A2": (0.2, 1.0, 0.2, False, 0.0)}),
        # coefficients move accounts over and under: Y ×1.5 → 0.45 > 0.4; R = 300 × 1.5 / 0.4 − 1000
        (THREE, {"X": 0.5, "Y": 1.5}, 0.4, {"A1": (0.6, 0.5, 0.3, False, 0.0), "A2": (0.3, 1.5, 0.45, True, 125.0)}),
        # lower threshold: both larger accounts alert; R = 600 / 0.25 − 1000 and 300 / 0.25 − 1000
        (THREE, {}, 0.25, {"A1": (0.6, 1.0, 0.6, True, 1400.0), "A2": (0.3, 1.0, 0.3, True, 200.0)}),
        # a negative-net account has share 0 and is flagged; shares are of the positive 1000
        ([("A1", "X", 800), ("A2", "Y", 200), ("A3", "X", -100)], {}, 0.4,
         {"A1": (0.8, 1.0, 0.8, True, 1000.0), "A2": (0.2, 1.0, 0.2, False, 0.0), "A3": (0.0, 1.0, 0.0, False, 0.0)}),
        # nothing positive at all: every share 0, no alert
        ([("A1", "X", -50), ("A2", "Y", 0)], {}, 0.4,
         {"A1": (0.0, 1.0, 0.0, False, 0.0), "A2": (0.0, 1.0, 0.0, False, 0.0)}),
    ],
)
def test_dependency_index(rows, coefficients, threshold, expected):
    table = whatif.compute_dependency(frame_of(rows), coefficients, threshold).set_index("account_id")
    for account_id, (share, coefficient, index, above, needed) in expected.items():
        row = table.loc[account_id]
        assert row["share"] == pytest.approx(share, abs=1e-12), account_id
        assert row["coefficient"] == pytest.approx(coefficient, abs=1e-12)
        assert row["dependency_index"] == pytest.approx(index, abs=1e-12)
        assert bool(row["is_above_threshold"]) is above
        assert row["new_revenue_needed"] == pytest.approx(needed, abs=1e-9)
    assert table.loc[[a for a, r in zip(table.index, table["revenue"]) if r <= 0], "is_nonpositive"].all()


def test_new_revenue_needed_brings_the_index_to_the_threshold():
    rows = [("A1", "X", 600), ("A2", "Y", 300), ("A3", "X", 100)]
    coefficients = whatif.derive_coefficients(frame_of(rows))
    table = whatif.compute_dependency(frame_of(rows), coefficients, 0.4).set_index("account_id")
    needed = table.at["A1", "new_revenue_needed"]
    assert needed == pytest.approx(600 * 1.4 / 0.4 - 1000)  # 1100
    after = frame_of(rows + [("NEW", "Z", needed)])
    assert whatif.compute_dependency(after, coefficients, 0.4).set_index("account_id").at["A1", "dependency_index"] == (
        pytest.approx(0.4)
    )


def test_dependency_of_an_empty_period_is_an_empty_table():
    table = whatif.compute_dependency(frame_of([]), {}, 0.4)
    assert table.empty and "dependency_index" in table
    with pytest.raises(ValueError):
        whatif.compute_dependency(frame_of(THREE), {}, 0)


@pytest.mark.parametrize(
    "rows, expected",
    [
        (THREE, {"X": 1.4, "Y": 0.6}),  # X: 700/1000 × 2 industries
        ([("A1", "X", 500), ("A2", "Y", 500)], {"X": 1.0, "Y": 1.0}),
        ([("A1", "X", 1000)], {"X": 1.0}),
        ([("A1", "X", 900), ("A2", "Y", -100)], {"X": 1.0, "Y": 0.0}),  # Y has no positive revenue
        ([("A1", "X", 100), ("A2", "Y", 200), ("A3", "Z", 700)], {"X": 0.3, "Y": 0.6, "Z": 2.1}),
        ([("A1", "X", -5)], {"X": 1.0}),  # nothing positive: stay neutral
    ],
)
def test_derived_coefficients(rows, expected):
    assert whatif.derive_coefficients(frame_of(rows)) == expected


def test_coefficient_table_defaults_to_one():
    table = whatif.coefficient_table(["Y", "X", "Y"], {"X": 1.3})
    assert table.to_dict("records") == [{"industry": "X", "coefficient": 1.3}, {"industry": "Y", "coefficient": 1.0}]


# --- concentration -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "revenues, expected",
    [
        ([1000], dict(active_accounts=1, top1_share=1.0, top5_share=1.0, top10_share=1.0, hhi=10_000.0, gini=0.0)),
        ([600, 300, 100], dict(active_accounts=3, top1_share=0.6, top5_share=1.0, hhi=4600.0, gini=1 / 3)),
        ([100, 800, 200, -100], dict(active_accounts=3, positive_revenue=1100.0, top1_share=8 / 11,
                                     hhi=(6400 + 400 + 100) / 1.21, gini=2 * (100 + 400 + 2400) / (3 * 1100) - 4 / 3)),
        ([800, 200, -100, 0], dict(active_accounts=2, top1_share=0.8, hhi=6800.0, gini=0.3)),
        ([250] * 4, dict(top1_share=0.25, hhi=2500.0, gini=0.0)),
        ([100] * 12, dict(top5_share=5 / 12, top10_share=10 / 12, hhi=10_000 / 12, gini=0.0)),
        ([], dict(active_accounts=0, top1_share=None, top5_share=None, top10_share=None, hhi=None, gini=None)),
        ([-10, 0], dict(active_accounts=0, hhi=None, gini=None)),
    ],
)
def test_concentration(revenues, expected):
    result = whatif.compute_concentration(pd.Series(revenues, dtype="float64")).as_dict()
    for name, value in expected.items():
        assert result[name] == (value if value is None else pytest.approx(value, abs=1e-9)), name


def test_concentration_change_against_prior():
    now = whatif.compute_concentration(pd.Series([600.0, 300.0, 100.0]))
    before = whatif.compute_concentration(pd.Series([500.0, 500.0]))
    change = whatif.compute_concentration_change(now, before)
    assert change["hhi"] == pytest.approx(4600 - 5000)
    assert change["top1_share"] == pytest.approx(0.1)
    assert change["gini"] == pytest.approx(1 / 3)
    empty = whatif.compute_concentration(pd.Series([], dtype="float64"))
    assert whatif.compute_concentration_change(now, empty)["hhi"] is None


def test_lorenz_chart_of_5000_accounts_goes_through_a_few_hundred_of_its_points():
    from ka import charts

    revenue = pd.Series(np.linspace(1.0, 5000.0, 5000) ** 2)
    lorenz = whatif.compute_lorenz(revenue)
    fig = charts.build_lorenz_curve(lorenz, lorenz)
    curves = [trace for trace in fig.data if len(trace.x) > 2]
    assert len(curves) == 2 and all(len(trace.x) <= charts.LORENZ_POINTS for trace in curves)
    drawn = dict(zip(curves[1].x, curves[1].y))
    assert drawn[0.0] == 0.0 and drawn[1.0] == pytest.approx(1.0)
    exact = dict(zip(lorenz["account_share"], lorenz["revenue_share"]))
    assert all(exact[x] == y for x, y in drawn.items())  # points of the curve itself, not an approximation


def test_lorenz_curve():
    lorenz = whatif.compute_lorenz(pd.Series([600.0, -50.0, 100.0, 300.0]))
    assert lorenz["account_share"].tolist() == pytest.approx([0, 1 / 3, 2 / 3, 1])
    assert lorenz["revenue_share"].tolist() == pytest.approx([0, 0.1, 0.4, 1])
    assert whatif.compute_lorenz(pd.Series([], dtype="float64")).to_dict("list") == {
        "account_share": [0.0], "revenue_share": [0.0]}


@pytest.mark.parametrize(
    "hhi, bands, expected",
    [
        (1499.99, (1500, 2500), "unconcentrated"),
        (1500.0, (1500, 2500), "moderate"),
        (2500.0, (1500, 2500), "moderate"),
        (2500.01, (1500, 2500), "high"),
        (10_000.0, (1500, 2500), "high"),
        (1200.0, (1000, 1800), "moderate"),
        (None, (1500, 2500), None),
    ],
)
def test_hhi_bands(hhi, bands, expected):
    assert whatif.hhi_band(hhi, bands) == expected


# --- tiers: the vectorized labels equal tiers.compute_tiers ----------------------------------------
CONFIGS = [
    tiers.TierConfig(),
    tiers.TierConfig(a_cumulative=0.5, b_cumulative=0.9),
    tiers.TierConfig(method="bands"),
    tiers.TierConfig(method="bands", a_band=0.25, b_band=0.05),
    tiers.TierConfig(method="topn", top_a=2, top_b=3),
]
EDGE_VALUES = [
    [800.0, 150.0, 50.0],  # the first account lands exactly on 80 %: A, next B
    [300.0, 100.0, 100.0, 100.0, 400.0],  # ties, ordered by account_id
    [1000.0],
    [500.0, -20.0, 0.0, 120.5, 0.0001],
    [-1.0, 0.0],
    [],
]


@pytest.mark.parametrize("config", CONFIGS)
@pytest.mark.parametrize("values", EDGE_VALUES + ["random"])
def test_tier_labels_are_compute_tiers_in_input_order(config, values):
    if values == "random":
        rng = np.random.default_rng(3)
        values = list(np.round(rng.lognormal(8, 2, 400) * rng.choice([1, 1, 1, -1, 0], 400), 4))
    ids = [f"K{k:03d}" for k in range(len(values))][::-1]
    expected = tiers.compute_tiers(pd.DataFrame({"account_id": ids, "value": values}), config)
    got = whatif.tier_labels(np.array(ids, dtype=object), np.array(values, dtype="float64"), config)
    assert dict(zip(ids, got)) == dict(zip(expected["account_id"], expected["tier"]))


# --- scenarios -------------------------------------------------------------------------------------
# Tiers now (80/95 %): A1, A2 → A (900 of 1000), A3 → B. A year ago (1100): A1, A2, A3 → A, A4 → B.
# Retention: A 3/3 = 1.0, B 0/1 = 0.0 (A4 stopped), C none observed → portfolio 3/4.
PORTFOLIO = [
    ("A1", "X", 600, 240, 500),
    ("A2", "Y", 300, 90, 300),
    ("A3", "X", 100, 50, 200),
    ("A4", "Y", 0, 0, 100, False),
]


@pytest.fixture
def base():
    return whatif.prepare_base(frame_of(PORTFOLIO))


def test_base_tiers_retention_and_typical_sizes(base):
    assert dict(zip(base.frame["account_id"], base.frame["tier"])) == {"A1": "A", "A2": "A", "A3": "B", "A4": None}
    assert base.retention.to_dict("records") == [
        {"tier": "A", "base_accounts": 3, "retained_accounts": 3, "observed": 1.0, "rate": 1.0},
        {"tier": "B", "base_accounts": 1, "retained_accounts": 0, "observed": 0.0, "rate": 0.0},
        {"tier": "C", "base_accounts": 0, "retained_accounts": 0, "observed": None, "rate": 0.75},
    ]
    assert base.typical_sizes == {"A": 450.0, "B": 100.0, "C": 0.0}
    assert base.margin == pytest.approx(0.38)


SUMMARY_BEFORE = {"revenue": 1000.0, "gross_profit": 380.0, "hhi": 4600.0, "top5_share": 1.0, "alerts": 1,
                  "projected_revenue": 900.0, "cumulative_gross_profit": 990.0}


@pytest.mark.parametrize(
    "scenario, after, tier_changes",
    [
        (Scenario(), SUMMARY_BEFORE, []),
        # A1 −50 %: 300/300/100 → HHI 10,000 × 19/49, two accounts at 3/7 > 0.4
        (Scenario(accounts=("A1",), revenue_change=-0.5),
         {"revenue": 700.0, "gross_profit": 260.0, "hhi": 10_000 * 19 / 49, "alerts": 2,
          "projected_revenue": 600.0, "cumulative_gross_profit": 630.0}, []),
        # A1 and A3 −100 %: only A2 is left, share 100 %; A3 drops from B to C (zero net)
        (Scenario(accounts=("A1", "A3"), revenue_change=-1.0),
         {"revenue": 300.0, "gross_profit": 90.0, "hhi": 10_000.0, "top5_share": 1.0, "alerts": 1,
          "projected_revenue": 300.0, "cumulative_gross_profit": 270.0}, [("A1", "A", "C"), ("A3", "B", "C")]),
        # two new accounts of tier B's typical size (100) at the portfolio margin 38 %; tier B keeps 0 %
        (Scenario(new_accounts=2, new_account_tier="B"),
         {"revenue": 1200.0, "gross_profit": 456.0, "hhi": 10_000 * (36 + 9 + 1 + 1 + 1) / 144, "alerts": 1,
          "projected_revenue": 1000.0, "cumulative_gross_profit": 3 * 380.0},
         [("A3", "B", "A"), ("NEW-001", "New", "B"), ("NEW-002", "New", "B")]),
        # margin +10 pp on the revenue whose cost is known (1000)
        (Scenario(margin_change=0.10), {"gross_profit": 480.0, "cumulative_gross_profit": 3 * 420.0}, []),
        # retention +5 pp: A capped at 100 %, B 5 %: year 3 = 900 + 100 × 0.05³
        (Scenario(retention_change=0.05),
         {"revenue": 1000.0, "projected_revenue": 900 + 100 * 0.05 ** 3,
          "cumulative_gross_profit": 990 + 50 * (0.05 + 0.05 ** 2 + 0.05 ** 3)}, []),
        # retention −10 pp over 5 years: A 90 %, B clipped at 0
        (Scenario(retention_change=-0.10, horizon_years=5),
         {"projected_revenue": 900 * 0.9 ** 5,
          "cumulative_gross_profit": 330 * sum(0.9 ** k for k in range(1, 6))}, []),
    ],
)
def test_scenario_results(base, scenario, after, tier_changes):
    result = whatif.compute_scenario(base, scenario, {}, 0.4)
    summary = result.summary.set_index("metric")
    horizon_before = {**SUMMARY_BEFORE}
    if scenario.horizon_years == 5:
        horizon_before["cumulative_gross_profit"] = 330.0 * 5
    for metric, value in horizon_before.items():
        assert summary.at[metric, "before"] == pytest.approx(value), metric
    for metric, value in after.items():
        assert summary.at[metric, "after"] == pytest.approx(value), metric
    changes = [tuple(r) for r in result.tier_changes[["account_id", "tier_before", "tier_after"]].to_numpy()]
    assert changes == tier_changes


def test_margin_scenario_by_hand(base):
    result = whatif.compute_scenario(base, Scenario(margin_change=0.10), {}, 0.4)
    # A tier (A1, A2): 240 + 90 + 0.1 × 900 = 420 kept every year; B (A3) lost after year 0
    assert result.value("cumulative_gross_profit") == pytest.approx(3 * 420.0)
    assert result.value("gross_profit", "change") == pytest.approx(100.0)


def test_waterfall_and_projection(base):
    result = whatif.compute_scenario(
        base, Scenario(accounts=("A2",), revenue_change=0.2, new_accounts=1, new_account_tier="A"), {}, 0.4
    )
    assert result.waterfall.to_dict("list") == {
        "step": ["before", "picked_accounts", "new_accounts", "after"],
        "amount": pytest.approx([1000.0, 60.0, 450.0, 1510.0]),
    }
    assert result.projection["year"].tolist() == [0, 1, 2, 3]
    assert result.projection["revenue_before"].tolist() == pytest.approx([1000.0, 900.0, 900.0, 900.0])
    assert result.tier_counts.to_dict("list") == {"tier": ["A", "B", "C"], "before": [2, 1, 0], "after": [3, 1, 0]}


@pytest.mark.parametrize(
    "retention_change, gain",
    [
        (0.0, 0.0),
        (0.05, 50 * (0.05 + 0.05 ** 2 + 0.05 ** 3) / 990),
        (-0.05, (330 * (0.95 + 0.95 ** 2 + 0.95 ** 3) - 990) / 990),
    ],
)
def test_retention_profit_gain_is_computed_from_the_portfolio(base, retention_change, gain):
    result = whatif.compute_scenario(base, Scenario(retention_change=retention_change), {}, 0.4)
    assert result.retention_profit_gain == pytest.approx(gain, abs=1e-12)


def test_scenario_on_an_empty_period():
    base = whatif.prepare_base(frame_of([("A1", "X", 0, 0, 500, False)]))
    result = whatif.compute_scenario(base, Scenario(new_accounts=3, retention_change=0.05), {}, 0.4)
    summary = result.summary.set_index("metric")
    assert summary.at["revenue", "before"] == 0 and summary.at["hhi", "before"] is None
    assert summary.at["revenue", "after"] == 0  # typical size of an empty tier is 0
    assert result.retention_profit_gain is None
    assert base.retention["observed"].tolist() == [0.0, None, None]


def test_a_single_account_with_all_revenue():
    base = whatif.prepare_base(frame_of([("A1", "X", 1000, 400, 900)]))
    result = whatif.compute_scenario(base, Scenario(accounts=("A1",), revenue_change=-1.0), {}, 0.4)
    summary = result.summary.set_index("metric")
    assert (summary.at["hhi", "before"], summary.at["alerts", "before"]) == (10_000.0, 1)
    assert summary.at["hhi", "after"] is None and summary.at["alerts", "after"] == 0
    assert summary.at["hhi", "change"] is None


def test_compare_scenarios_side_by_side(base):
    scenarios = {"cut": Scenario(accounts=("A1",), revenue_change=-0.5), "win": Scenario(new_accounts=2)}
    results = {name: whatif.compute_scenario(base, s, {}, 0.4) for name, s in scenarios.items()}
    results["long"] = whatif.compute_scenario(base, Scenario(horizon_years=5), {}, 0.4)
    table = whatif.compare_results(results).set_index("metric")
    assert list(table.columns) == ["before", "cut", "win", "long"]
    assert table.loc["horizon_years"].tolist() == [3, 3, 3, 5]
    assert table.loc["revenue"].tolist() == pytest.approx([1000.0, 700.0, 1200.0, 1000.0])
    assert table.loc["alerts"].tolist() == [1, 2, 1, 1]
    assert table.loc["cumulative_gross_profit"].tolist() == pytest.approx([990.0, 630.0, 1140.0, 1650.0])
    assert list(table.index) == ["horizon_years", *whatif.RESULT_METRICS]
    assert set(table.index) == set(whatif.RESULT_UNITS)


@pytest.mark.parametrize(
    "values",
    [
        dict(revenue_change=1.5),
        dict(horizon_years=0),
        dict(horizon_years=6),
        dict(new_accounts=-1),
        dict(new_account_tier="D"),
    ],
)
def test_scenario_rejects_impossible_levers(values):
    with pytest.raises(ValueError):
        Scenario(**values)


# --- persistence and database ----------------------------------------------------------------------
def test_scenarios_are_saved_by_name_and_reload_identically(con):
    scenario = Scenario(accounts=("A1", "A2"), revenue_change=-0.35, retention_change=0.05, horizon_years=4,
                        new_accounts=3, new_account_tier="A", margin_change=-0.015)
    whatif.save_scenario(con, "  Lose Alpha ", scenario)
    whatif.save_scenario(con, "Plain", Scenario())
    assert whatif.read_scenarios(con) == {"Lose Alpha": scenario, "Plain": Scenario()}
    whatif.delete_scenario(con, "Plain")
    assert list(whatif.read_scenarios(con)) == ["Lose Alpha"]
    with pytest.raises(ValueError):
        whatif.save_scenario(con, "  ", scenario)


def test_coefficients_are_saved(con):
    whatif.save_coefficients(con, {"X": 1.5})
    whatif.save_coefficients(con, {"Y": 0.5})
    assert whatif.read_coefficients(con) == {"X": 1.5, "Y": 0.5}
    with pytest.raises(ValueError):
        whatif.save_coefficients(con, {"X": -1.0})


LINES = [
    # account, industry, date, revenue, cost
    ("C1", "制造业", "2025-07-10", "600.00", "400.00"),
    ("C1", "制造业", "2025-08-10", "150.50", None),
    ("C2", "零售", "2025-09-01", "300.00", "200.00"),
    ("C3", "制造业", "2025-09-15", "100.00", "80.00"),
    ("C3", "制造业", "2025-09-20", "-150.00", "-120.00"),  # a return larger than the purchase
    ("C4", "金融", "2025-05-05", "500.00", "300.00"),  # prior quarter only
    ("C5", None, "2024-08-01", "90.00", "50.00"),  # a year ago only
    ("C1", "制造业", "2024-07-01", "700.00", "500.00"),
]


@pytest.fixture
def lines_con(con):
    with db.write_transaction(con) as cur:
        industries = {}
        for number, (account, industry, day, revenue, cost) in enumerate(LINES):
            industries[account] = industry
            cur.execute(
                "insert into transactions (txn_key, order_id, order_date, account_id, revenue, cost, batch_id) "
                "values (?, ?, ?, ?, ?::decimal(18,4), ?::decimal(18,4), 1)",
                [f"t{number}", f"o{number}", day, account, revenue, cost],
            )
        for account, industry in industries.items():
            cur.execute("insert into accounts (account_id, account_name, industry) values (?, ?, ?)",
                        [account, f"客户{account}", industry])
        db.refresh_account_month(cur)
    return con


def test_read_account_frame(lines_con):
    frame = whatif.read_account_frame(lines_con, quarter_period(2025, 3), Scope()).set_index("account_id")
    assert frame.loc["C1", ["revenue", "revenue_with_cost", "gross_profit", "prior_revenue", "year_ago_revenue"]].tolist() == [
        750.5, 600.0, 200.0, 0.0, 700.0]
    assert frame.loc["C3", "revenue"] == -50.0 and frame.loc["C3", "gross_profit"] == -10.0
    assert frame.loc["C4", ["revenue", "prior_revenue"]].tolist() == [0.0, 500.0]
    assert not frame.loc["C4", "has_orders"] and frame.loc["C3", "has_orders"]
    assert frame.loc["C5", "industry"] == "—"
    assert sorted(frame.index) == ["C1", "C2", "C3", "C4", "C5"]
    only_retail = whatif.read_account_frame(lines_con, quarter_period(2025, 3), Scope(industries=("零售",)))
    assert only_retail["account_id"].tolist() == ["C2"]


def test_read_base_on_the_database(lines_con):
    base = whatif.read_base(lines_con, quarter_period(2025, 3), Scope())
    # a year ago C1 (700) and C5 (90) were active; C1 is still active, C5 is not
    assert base.retention.set_index("tier").at["A", "base_accounts"] == 1
    assert base.retention["retained_accounts"].sum() == 1 and base.retention["base_accounts"].sum() == 2
    dependency = whatif.compute_dependency(base.frame, {}, 0.4).set_index("account_id")
    assert dependency.at["C1", "share"] == pytest.approx(750.5 / 1050.5)
    assert dependency.at["C3", "share"] == 0.0 and dependency.at["C3", "is_nonpositive"]


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_cli_export_dependency(lines_con, tmp_path, capsys, fmt):
    path = tmp_path / "test.duckdb"
    lines_con.close()
    status = cli.main(["export", "--db", str(path), "--what", "dependency", "--from", "2025-07-01",
                       "--to", "2025-09-30", "--format", fmt])
    assert status == 0
    out = capsys.readouterr().out
    if fmt == "json":
        records = json.loads(out)
        assert [r["account_id"] for r in records] == ["C1", "C2", "C3"]
        assert records[0]["share"] == pytest.approx(750.5 / 1050.5)
        assert records[0]["is_above_threshold"] is True and records[1]["is_above_threshold"] is False
        assert records[0]["new_revenue_needed"] == pytest.approx(750.5 / 0.4 - 1050.5)
        assert set(records[0]) == set(whatif.EXPORT_COLUMNS)
    else:
        header, first, *_ = out.splitlines()
        assert header.split(",") == whatif.EXPORT_COLUMNS
        assert first.startswith("C1,客户C1,")


@pytest.mark.parametrize(
    "options, above",
    [
        ([], [True, False, False]),
        (["--dependency-threshold", "0.75"], [False, False, False]),  # C1's index is 0.714
        (["--dependency-threshold", "0.25"], [True, True, False]),  # C2's is 300 / 1050.5 = 0.286
    ],
)
def test_cli_export_threshold(lines_con, tmp_path, capsys, options, above):
    lines_con.close()
    argv = ["export", "--db", str(tmp_path / "test.duckdb"), "--what", "dependency", "--from", "2025-07-01",
            "--to", "2025-09-30"]
    assert cli.main(argv + options) == 0
    assert [r["is_above_threshold"] for r in json.loads(capsys.readouterr().out)] == above


def test_cli_export_refuses_a_zero_threshold(lines_con, tmp_path, capsys):
    lines_con.close()
    argv = ["export", "--db", str(tmp_path / "test.duckdb"), "--what", "dependency", "--dependency-threshold", "0"]
    assert cli.main(argv) == 2
    assert "--dependency-threshold" in capsys.readouterr().err


def test_export_with_derived_coefficients(lines_con):
    table = whatif.read_dependency_export(lines_con, quarter_period(2025, 3), Scope(), 0.4, derived=True)
    coefficients = dict(zip(table["industry"], table["coefficient"]))
    # positive revenue: 制造业 750.5, 零售 300 of 1050.5; two industries (C3's negative net counts 0)
    assert coefficients == {"制造业": round(750.5 / 1050.5 * 2, 2), "零售": round(300 / 1050.5 * 2, 2)}
