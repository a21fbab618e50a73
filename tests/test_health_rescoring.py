"""The history re-scored from its cached measures and rows gives exactly what scoring the whole history
gives (compute_colours over every row), for every configuration a move can make."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from ka import db, health
from ka.scope import ALL

DEFAULT = health.HealthConfig()
CONFIGS = [
    DEFAULT,
    DEFAULT.with_rule("revenue_yoy", weight=0),
    DEFAULT.with_rule("recency", weight=40, bad=3.0, good=1.5).with_rule("nps", weight=0),
    health.HealthConfig(red_below=65, green_above=80, override_enabled=False),
    health.HealthConfig(min_interval_days=45.0, override_multiple=1.5),
    health.HealthConfig(min_interval_days=1.0, red_below=30, green_above=90),
    DEFAULT.with_rule("tickets", bad=1, good=1),  # good == bad: all or nothing
]
RULES = [health.ChurnRule(), health.ChurnRule("revenue_drop", 0.5), health.ChurnRule("revenue_drop", 0.8)]


@pytest.fixture(scope="module")
def history(demo_db_path):
    connection = db.open(demo_db_path)
    try:
        inputs = health.read_history_inputs(connection, ALL)
        month_ends = health.read_month_ends(connection)
    finally:
        connection.close()
    return inputs, month_ends


@pytest.mark.parametrize("config", CONFIGS)
def test_backtest_from_the_cached_measures_is_the_backtest_of_the_whole_history(history, config):
    inputs, month_ends = history
    rows = health.compute_history_rows(inputs)
    measures = health.compute_history_measures(inputs, config.min_interval_days)
    lost, warned = set(), set()
    for rule in RULES:
        for data_end in (month_ends[0], month_ends[len(month_ends) // 2]):
            expected_table, expected_summary = health.compute_backtest(
                inputs[health.BACKTEST_COLUMNS].join(health.compute_colours(inputs, config)), rule, data_end)
            table, summary = health.compute_backtest_from(rows, measures, config, rule, data_end)
            pd.testing.assert_frame_equal(table, expected_table)
            assert summary == expected_summary
            assert [type(v) for v in summary.values()] == [type(v) for v in expected_summary.values()]
            assert summary["rows"] > 0
            lost.add(summary["lost_accounts"])
            warned.add(summary["lost_warned"])
    assert max(lost) > 0 and max(warned) > 0  # the lead times are compared on accounts that were lost and warned


@pytest.mark.parametrize("config", CONFIGS)
def test_migration_from_the_cached_measures_is_the_migration_of_the_whole_history(history, config):
    inputs, month_ends = history
    rows = health.compute_history_rows(inputs)
    measures = health.compute_history_measures(inputs, config.min_interval_days)
    for month_from, month_to in ((month_ends[3], month_ends[0]), (month_ends[-1], month_ends[0]), (month_ends[5], month_ends[5])):
        expected = health.compute_history_migration(inputs, month_from, month_to, config)
        pd.testing.assert_frame_equal(health.compute_migration_from(rows, measures, month_from, month_to, config), expected)
        assert expected.to_numpy().sum() > 0


@pytest.mark.parametrize("config", CONFIGS)
def test_an_accounts_history_from_its_cached_inputs_is_its_rows_scored(history, config):
    inputs, _ = history
    for account in sorted(inputs["account_id"].unique())[:5]:
        direct = inputs[inputs["account_id"] == account].sort_values("as_of", kind="stable")
        expected = health.compute_scores(direct, config)
        pd.testing.assert_frame_equal(health.compute_scores(health.compute_account_inputs(inputs, account), config), expected)
        pd.testing.assert_frame_equal(health.compute_account_history(inputs, account, config), expected)


@pytest.mark.parametrize("scope_of", ["all", "region", "tier", "manager"])
def test_an_accounts_inputs_read_for_it_alone_are_its_rows_of_the_scopes_history(demo_db_path, scope_of):
    """The page reads one account's history inputs on their own; they are the account's rows of the whole
    history of its scope, tier included (drawn among the scope's accounts at the data's last month end),
    for accounts tiered A, B and C, one lost before the last month end, and one outside the scope."""
    from dataclasses import replace

    connection = db.open(demo_db_path)
    try:
        region = connection.execute("select min(region) from accounts").fetchall()[0][0]
        manager = connection.execute("select min(ka_manager) from accounts").fetchall()[0][0]
        every = health.read_history_inputs(connection, ALL)
        scope = {"all": ALL, "region": replace(ALL, regions=(region,)), "manager": replace(ALL, allowed_managers=(manager,)),
                 "tier": replace(ALL, account_ids=tuple(sorted(every["account_id"].unique())[::2]))}[scope_of]
        history = health.read_history_inputs(connection, scope)
        latest = health.read_latest_tiers(connection, scope)
        last = history["as_of"].max()
        at_last = history[history["as_of"] == last]
        picked = [at_last.loc[at_last["tier"] == tier, "account_id"].iloc[0] for tier in ("A", "B", "C")]
        lost = sorted(set(history["account_id"]) - set(at_last["account_id"]))
        outside = sorted(set(every["account_id"]) - set(history["account_id"]))
        assert (lost if scope_of == "all" else outside)  # the cases are there to compare
        for account in picked + lost[:1] + outside[:1]:
            read = health.read_account_history_inputs(connection, scope, account, latest).reset_index(drop=True)
            if account in outside:  # not the scope's: nothing, as the scope's history has nothing of it
                assert read.empty
                continue
            expected = health.compute_account_inputs(history, account).reset_index(drop=True)
            assert len(expected)
            pd.testing.assert_frame_equal(read, expected)
    finally:
        connection.close()


def test_the_cached_measures_are_the_measures_and_cannot_be_changed(history):
    inputs, _ = history
    for min_interval in (14.0, 45.0):
        measures = health.compute_history_measures(inputs, min_interval)
        expected = health.compute_measures(inputs, health.HealthConfig(min_interval_days=min_interval))
        assert list(measures) == list(health.MEASURES)
        for measure, values in measures.items():
            np.testing.assert_array_equal(values, expected[measure].to_numpy(dtype="float64"))
            assert values.dtype == np.float64 and not values.flags.writeable
    rows = health.compute_history_rows(inputs)
    for name in rows.__dataclass_fields__:
        array = getattr(rows, name)
        assert len(array) in (len(inputs), inputs["account_id"].nunique()) and not array.flags.writeable, name
        with pytest.raises(ValueError):
            array[0] = array[0]


def test_recency_is_the_only_measure_the_minimum_interval_moves(history):
    inputs, _ = history
    short, long = health.compute_history_measures(inputs, 1.0), health.compute_history_measures(inputs, 60.0)
    assert [m for m in health.MEASURES if not np.array_equal(short[m], long[m], equal_nan=True)] == ["recency"]


def test_lead_times_on_a_hand_built_history():
    rows = [  # account, as_of, colour, last order; y's last order is recent: not lost
        ("x", date(2025, 1, 31), "red", date(2025, 5, 20)),
        ("x", date(2025, 2, 28), "red", date(2025, 5, 20)),
        ("y", date(2025, 1, 31), "red", date(2025, 11, 30)),
        ("z", date(2024, 1, 31), "red", date(2025, 3, 1)),  # red more than 365 days before: no warning
    ]
    history = pd.DataFrame(rows, columns=["account_id", "as_of", "colour", "last_order_date"]).assign(
        last_order_date=lambda f: pd.to_datetime(f["last_order_date"]), has_next_window=False,
        orders_next=np.nan, revenue_next=np.nan, revenue_recent=1.0)
    colour = history["colour"].to_numpy().astype(str)
    got = health._lead_times_from(health.compute_history_rows(history), colour, date(2025, 12, 31))
    assert got == health.compute_lead_times(history, date(2025, 12, 31)) == {
        "lost_accounts": 2, "lost_warned": 1, "median_lead_days": float((date(2025, 5, 20) - date(2025, 1, 31)).days)}
