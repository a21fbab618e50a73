"""Scorecard KPIs, attainment and composite on a small fixture, worked out by hand.

Period 2025 Q3 (prior 2025 Q2, a year earlier 2024 Q3, cross-sell history 2024-07 … 2025-06).
The shared fixture (tests/fixtures) plus one Training line for A002, activity rows and targets:
Li = A001 (strategic) + A002, Wang = A003 + A004, Zhao = A005 + A006.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from ka_testing import load_fixture_transactions
from ka import db, kpi, relationships
from ka.periods import Period, quarter_period
from ka.scope import Scope

Q3 = quarter_period(2025, 3)
PORTFOLIO_GP = 1499.95  # (3170.20 revenue with cost) − (1670.25 cost)


def _build_fixture(con):
    load_fixture_transactions(con)
    with db.write_transaction(con) as cur:
        cur.execute(
            "insert into transactions values ('t15', 'O14', '2025-09-10', 'A002', '贝塔零售', 'P9', 'Training', "
            "1, 120.00, 20.00, 'East', 'Li', 1)"
        )
        cur.execute("update accounts set contract_end_date = '2025-08-31' where account_id = 'A003'")  # ordered after: renewed
        cur.execute("update accounts set contract_end_date = '2025-09-15' where account_id = 'A005'")  # did not
        cur.execute(
            "insert into surveys values ('A001', '2025-09-30', 50), ('A002', '2025-08-15', 10), "
            "('A002', '2025-09-20', -20), ('A003', '2025-06-30', 80)"
        )
        cur.execute(
            "insert into strategic_projects values ('A001', '2025-08-20', 'p1'), ('A001', '2025-03-01', 'p0'), "
            "('A004', '2025-09-10', 'p2')"
        )
        cur.execute(
            "insert into visits (account_id, visit_date, kind) select 'A001', date '2025-07-01' + i::integer, 'onsite' from range(6) as r(i)"
        )
        cur.execute("insert into visits (account_id, visit_date, kind) values ('A002', '2025-08-01', 'online'), ('A002', '2025-09-01', 'qbr'), "
                    "('A003', '2025-07-15', 'onsite'), ('A003', '2025-10-15', 'onsite')")
        cur.execute(
            "insert into tickets values ('A001', '2025-07-01', '2025-07-05', 'low'), "
            "('A002', '2025-06-20', '2025-07-10', 'high'), ('A002', '2025-09-25', null, 'low'), "
            "('A003', '2025-08-01', '2025-08-03', 'low')"
        )
        cur.execute(
            "insert into targets values ('ka_manager', 'Li', '2025-Q3', 'revenue', 2500), "
            "('ka_manager', 'Wang', '2025-Q3', 'revenue', 3000), ('ka_manager', '*', '2025-Q3', 'churn_rate', 0.10), "
            "('ka_manager', '*', '2025-Q3', 'nps', 20), ('ka_manager', '*', '2025-Q3', 'resolution_days', 5), "
            "('ka_manager', 'Li', '2025-Q2', 'revenue', 1)"
        )
        db.refresh_account_month(cur)
    _add_people_and_actions(con)
    return con


def _add_people_and_actions(con):
    """What the process KPIs count, as of 2025-09-30 (the data runs to 2025-10-01). Rule tiers over
    the 12 months to then: A001, A002, A004 A; A003, A005 B; A006 C (no rule)."""
    with db.write_transaction(con) as cur:
        cur.execute(
            "insert into contacts (account_id, contact_name, level, buying_role, is_active) values "
            "('A001', 'Boss1', 'executive', 'decision_maker', true), ('A001', 'Buyer1', 'management', 'influencer', true), "
            "('A001', 'Old1', 'executive', 'decision_maker', false), ('A002', 'Boss2', 'management', 'decision_maker', true), "
            "('A003', 'Boss3', 'executive', 'user', true), ('A004', 'Boss4', 'executive', 'influencer', true)"
        )
        cur.execute(
            "insert into relationships (account_id, contact_name, member_name, colour, assessed_on) values "
            "('A001', 'Boss1', 'Li', 'green', '2025-08-01'), ('A001', 'Boss1', 'Sol', 'red', '2025-09-01'), "
            "('A001', 'Buyer1', 'Li', 'green', '2025-08-01'), "
            "('A002', 'Boss2', 'Li', 'green', '2025-06-01'), ('A002', 'Boss2', 'Li', 'red', '2025-09-15'), "
            "('A002', 'Boss2', 'Li', 'green', '2025-12-01'), "  # after the period's end: not yet
            "('A003', 'Boss3', 'Wang', 'green', '2025-09-20'), ('A003', 'Boss3', 'Wang', 'yellow', '2025-09-20')"
        )
        cur.execute("update visits set contact_name = 'Boss1' where account_id = 'A001' and visit_date = '2025-07-05'")
        cur.execute("update visits set contact_name = 'Boss2' where account_id = 'A002' and visit_date = '2025-09-01'")
        cur.execute("update visits set contact_name = 'Boss3' where account_id = 'A003' and visit_date = '2025-07-15'")
        cur.execute("insert into visits (account_id, visit_date, kind, contact_name) values "
                    "('A004', '2025-06-15', 'onsite', 'Boss4')")
        cur.execute(
            "insert into actions (account_id, title, due_date, status, closed_on) values "
            "('A001', 'a1', '2025-08-15', 'done', '2025-08-10'), ('A001', 'a2', '2025-09-01', 'done', '2025-09-05'), "
            "('A002', 'a3', '2025-09-20', 'open', null), ('A002', 'a4', '2025-07-10', 'cancelled', '2025-07-01'), "
            "('A003', 'a5', '2025-10-05', 'done', '2025-09-30'), ('A003', 'a6', '2025-09-30', 'done', '2025-09-30')"
        )
    relationships.save_executive_visit_days(con, {"A": 90, "B": 90, "C": None})


@pytest.fixture(scope="module")
def scorecard_con(tmp_path_factory):
    """Read-only use: built once for the module."""
    connection = _build_fixture(db.connect(tmp_path_factory.mktemp("kpi") / "kpi.duckdb"))
    yield connection
    connection.close()


@pytest.fixture
def writable_con(con):
    return _build_fixture(con)


NAN = None
MANAGER_VALUES = {
    # KPI: (Li, Wang, Zhao); None = no data
    "renewal_rate": (None, 1.0, 0.0),
    "nps": (40 / 3, None, None),
    "churn_rate": (0.0, 0.0, 1.0),
    "revenue": (2870.20, 1900.99, -100.0),
    "revenue_growth": (1370.10 / 1500.10, None, None),
    "gp_contribution": (1339.95 / PORTFOLIO_GP, 200.0 / PORTFOLIO_GP, -40.0 / PORTFOLIO_GP),
    "cross_sell_revenue": (-30.25, 400.0, 0.0),
    "strategic_projects": (1.0, 1.0, None),
    "strategic_retention": (1.0, None, None),
    "visits_per_month": (8 / 3, 1 / 3, 0.0),
    "resolution_days": (12.0, 2.0, None),
    # a1 on time, a2 late, a3 open | a6 on its due date (a5 is due after the period)
    "actions_on_time": (1 / 3, 1.0, None),
    # A001 (87 days) in, A002 only a management visit | A003 (77 days) in, A004 (107 days) late | A005 never, A006 no rule
    "executive_visit_compliance": (0.5, 0.5, 0.0),
    # Boss1 green with Li, Boss2 red since 15 Sep | Boss3 yellow (the worse of one day), Boss4 not assessed
    "relationship_coverage": (0.5, 0.0, None),
}
ACCOUNT_VALUES = {
    # KPI: (A001, A002, A003, A004, A005, A006)
    "renewal_rate": (None, None, 1.0, None, 0.0, None),
    "nps": (50.0, -5.0, None, None, None, None),
    "churn_rate": (0.0, 0.0, 0.0, None, 1.0, 1.0),
    "revenue": (1849.75, 1020.45, 400.0, 1500.99, 0.0, -100.0),
    "revenue_growth": (849.65 / 1000.10, 520.45 / 500.0, None, None, None, None),
    "gp_contribution": (839.90 / PORTFOLIO_GP, 500.05 / PORTFOLIO_GP, 200.0 / PORTFOLIO_GP, None, 0.0, -40.0 / PORTFOLIO_GP),
    "cross_sell_revenue": (-150.25, 120.0, 400.0, 0.0, 0.0, 0.0),  # A004 is new business; A001 returned new Parts
    "strategic_projects": (1.0, None, None, 1.0, None, None),
    "strategic_retention": (1.0, None, None, None, None, None),
    "visits_per_month": (2.0, 2 / 3, 1 / 3, 0.0, 0.0, 0.0),
    "resolution_days": (4.0, 20.0, 2.0, None, None, None),
    "actions_on_time": (0.5, 0.0, 1.0, None, None, None),
    "executive_visit_compliance": (1.0, 0.0, 1.0, 0.0, 0.0, None),
    "relationship_coverage": (1.0, 0.0, 0.0, 0.0, None, None),
}


def _scorecards(con, level, period=Q3, weights=kpi.Weights(), scope=Scope()):
    return kpi.read_scorecards(con, period, scope, level, weights)


def _value(cards, group, name):
    row = cards.values.set_index("group_id").loc[group]
    value = row[name]
    return None if pd.isna(value) else float(value)


@pytest.mark.parametrize("name", list(MANAGER_VALUES))
def test_manager_kpi_values(scorecard_con, name):
    cards = _scorecards(scorecard_con, "manager")
    got = [_value(cards, group, name) for group in ("Li", "Wang", "Zhao")]
    expected = MANAGER_VALUES[name]
    assert [g is None for g in got] == [e is None for e in expected]
    assert [g for g in got if g is not None] == pytest.approx([e for e in expected if e is not None], rel=1e-12)


@pytest.mark.parametrize("name", list(ACCOUNT_VALUES))
def test_account_kpi_values(scorecard_con, name):
    cards = _scorecards(scorecard_con, "account")
    groups = ("A001", "A002", "A003", "A004", "A005", "A006")
    got = [_value(cards, group, name) for group in groups]
    expected = ACCOUNT_VALUES[name]
    assert [g is None for g in got] == [e is None for e in expected], name
    assert [g for g in got if g is not None] == pytest.approx([e for e in expected if e is not None], rel=1e-12)


@pytest.mark.parametrize(
    "group, name, target, source, attainment, status",
    [
        ("Li", "revenue", 2500.0, "own", 2870.20 / 2500, "green"),
        ("Wang", "revenue", 3000.0, "own", 1900.99 / 3000, "red"),
        ("Zhao", "revenue", None, None, None, "no_target"),  # missing target
        ("Li", "nps", 20.0, "default", (40 / 3) / 20, "red"),
        ("Wang", "nps", 20.0, "default", None, "no_data"),  # missing data
        ("Li", "churn_rate", 0.10, "default", 1.0, "green"),  # lower is better; 0 churn meets any target
        ("Zhao", "churn_rate", 0.10, "default", 0.10, "red"),
        ("Li", "resolution_days", 5.0, "default", 5 / 12, "red"),
        ("Wang", "resolution_days", 5.0, "default", 2.5, "green"),
        ("Li", "visits_per_month", 4.0, "cadence", (8 / 3) / 4, "red"),  # A001 + A002 are tier A: 2 + 2
        ("Wang", "visits_per_month", 3.0, "cadence", (1 / 3) / 3, "red"),  # A004 A (2) + A003 B (1)
        ("Zhao", "visits_per_month", 0.25, "cadence", 0.0, "red"),  # A006 C; A005 has no tier
        ("Wang", "renewal_rate", None, None, None, "no_target"),
    ],
)
def test_manager_targets_and_attainment(scorecard_con, group, name, target, source, attainment, status):
    scores = _scorecards(scorecard_con, "manager").scores.set_index(["group_id", "kpi"])
    row = scores.loc[(group, name)]
    assert (None if pd.isna(row["target"]) else row["target"]) == (None if target is None else pytest.approx(target))
    assert (None if pd.isna(row["target_source"]) else row["target_source"]) == source
    assert (None if pd.isna(row["attainment"]) else row["attainment"]) == (
        None if attainment is None else pytest.approx(attainment, rel=1e-12))
    assert row["status"] == status


CUSTOMER_ONLY = kpi.Weights.from_dicts({"customer": 1, "performance": 0, "strategic": 0, "process": 0}, {})
PERFORMANCE_HEAVY = kpi.Weights.from_dicts({"customer": 1, "performance": 3, "strategic": 1, "process": 1}, {})
NO_NPS = kpi.Weights.from_dicts({}, {"nps": 0})


@pytest.mark.parametrize(
    "weights, expected",
    [
        # Li: customer (2/3 + 1)/2, performance 1, process (2/3 + 5/12)/2; strategic has no targets
        (kpi.Weights(), {"Li": 100 * (5 / 6 + 1 + 13 / 24) / 3, "Wang": 100 * (1 + 1900.99 / 3000 + 5 / 9) / 3,
                         "Zhao": 100 * (0.1 + 0) / 2}),
        (PERFORMANCE_HEAVY, {"Li": 100 * (5 / 6 + 3 + 13 / 24) / 5, "Wang": 100 * (1 + 3 * 1900.99 / 3000 + 5 / 9) / 5,
                             "Zhao": 100 * (0.1 + 0) / 2}),  # Zhao has no performance score: renormalised
        (CUSTOMER_ONLY, {"Li": 100 * 5 / 6, "Wang": 100.0, "Zhao": 10.0}),
        (NO_NPS, {"Li": 100 * (1 + 1 + 13 / 24) / 3, "Wang": 100 * (1 + 1900.99 / 3000 + 5 / 9) / 3,
                  "Zhao": 100 * (0.1 + 0) / 2}),
    ],
)
def test_composite_and_ranking(scorecard_con, weights, expected):
    composite = _scorecards(scorecard_con, "manager", weights=weights).composite
    got = dict(zip(composite["group_id"], composite["composite"]))
    assert got == pytest.approx(expected, rel=1e-12)
    assert list(composite["group_id"]) == sorted(expected, key=lambda g: -expected[g])
    assert list(composite["rank"]) == [1, 2, 3]


def test_group_without_any_score_is_unranked(scorecard_con):
    cards = _scorecards(scorecard_con, "account")  # no account targets: only the visit cadence scores
    composite = cards.composite.set_index("group_id")
    assert pd.isna(composite.loc["A005", "composite"]) and pd.isna(composite.loc["A005", "rank"])
    assert composite.loc["A001", "composite"] == 100.0  # 2 visits a month against tier A's 2
    assert composite.loc["A001", "rank"] == 1


def test_saved_target_changes_attainment(writable_con):
    scorecard_con = writable_con
    key = kpi.target_period_key(Q3)
    kpi.save_target(scorecard_con, "manager", "Zhao", key, "revenue", 50)
    row = _scorecards(scorecard_con, "manager").scores.set_index(["group_id", "kpi"]).loc[("Zhao", "revenue")]
    assert (row["target"], row["attainment"], row["status"]) == (50.0, -2.0, "red")
    kpi.save_target(scorecard_con, "manager", "Zhao", key, "revenue", None)
    row = _scorecards(scorecard_con, "manager").scores.set_index(["group_id", "kpi"]).loc[("Zhao", "revenue")]
    assert row["status"] == "no_target"


@pytest.mark.parametrize(
    "period, key",
    [
        (quarter_period(2026, 3), "2026-Q3"),
        (Period(date(2026, 9, 1), date(2026, 9, 30), "month"), "2026-09"),
        (Period(date(2026, 1, 1), date(2026, 12, 31), "year"), "2026"),
        (Period(date(2026, 2, 10), date(2026, 5, 20)), "2026-02-10..2026-05-20"),
        (Period(date(2026, 7, 1), date(2026, 9, 30)), "2026-Q3"),  # CLI --from/--to of a whole quarter
        (Period(date(2026, 8, 1), date(2026, 10, 31)), "2026-08-01..2026-10-31"),  # three months, not a quarter
    ],
)
def test_target_period_keys(period, key):
    assert kpi.target_period_key(period) == key


def test_day_range_equals_whole_months_from_transactions(scorecard_con):
    """A day range reads transactions (no pre-aggregate); the same quarter as days gives the same values."""
    as_days = Period(Q3.start, Q3.end, "custom")  # month aligned: still the pre-aggregate
    day_range = Period(date(2025, 6, 30), date(2025, 9, 29))  # moves t05 in and t10 out
    values = _scorecards(scorecard_con, "account", period=day_range).values.set_index("group_id")
    assert values.loc["A005", "revenue"] == pytest.approx(300.33)
    assert values.loc["A003", "revenue"] == 0.0
    assert values.loc["A003", "cross_sell_revenue"] == 0.0
    assert values.loc["A002", "cross_sell_revenue"] == pytest.approx(120.0)
    same = _scorecards(scorecard_con, "account", period=as_days).values
    assert same["revenue"].tolist() == _scorecards(scorecard_con, "account").values["revenue"].tolist()


def test_weights_shares_sum_to_one():
    shares = kpi.Weights.from_dicts({"customer": 2, "performance": 1, "strategic": 1, "process": 0}, {"nps": 2}).kpi_shares()
    assert sum(shares.values()) == pytest.approx(1.0)
    assert shares["nps"] == pytest.approx(0.5 * 2 / 4)
    assert shares["resolution_days"] == 0.0


@pytest.mark.parametrize("level", ["manager", "account"])
@pytest.mark.parametrize("scope", [Scope(), Scope(regions=("East",))])
def test_periods_read_together_have_each_periods_own_values(scorecard_con, level, scope):
    """The trend reads its quarters in one statement: each period's values are those it has read alone
    (quarters, a month, a day range read from the transactions, a quarter with nothing in play)."""
    periods = [Q3, quarter_period(2025, 2), Period(date(2025, 7, 3), date(2025, 9, 20)), quarter_period(2025, 1),
               Period(date(2025, 8, 1), date(2025, 8, 31), "month")]
    together = kpi.read_periods_kpi_values(scorecard_con, periods, scope, level)
    for period, values in zip(periods, together, strict=True):
        alone = kpi.read_kpi_values(scorecard_con, period, scope, level)
        pd.testing.assert_frame_equal(values, alone, check_dtype=False)  # an empty one alone has object columns
    assert together[0]["revenue"].sum() != together[1]["revenue"].sum() and together[3].empty


def test_trend_has_one_composite_per_quarter_and_manager(scorecard_con):
    trend = kpi.read_composite_trend(scorecard_con, Q3, Scope(), "manager", quarters=4)
    # 2025 Q1 has no account in play (no revenue then, before or a year earlier; no contract end)
    assert sorted(trend["quarter"].unique()) == ["2024 Q4", "2025 Q2", "2025 Q3"]
    q3 = trend[trend["quarter"] == "2025 Q3"].set_index("group_id")["composite"]
    assert q3["Li"] == pytest.approx(100 * (5 / 6 + 1 + 13 / 24) / 3)


def test_trend_weights_recombine_the_read_scores(scorecard_con):
    """The page reads the quarters' scores once; other weights give each quarter's own composite."""
    weights = kpi.Weights.from_dicts({"customer": 0, "performance": 3, "strategic": 1, "process": 1}, {"revenue": 90})
    trend = kpi.compute_composite_trend(kpi.read_trend_scores(scorecard_con, Q3, Scope(), "manager", quarters=4), weights)
    for quarter in kpi.trend_quarters(Q3, 4):
        cards = kpi.read_scorecards(scorecard_con, quarter, Scope(), "manager", weights)
        expected = cards.composite.set_index("group_id")["composite"].dropna()
        got = trend[trend["quarter"] == quarter.label()].set_index("group_id")["composite"].dropna()
        assert got.sort_index().tolist() == pytest.approx(expected.sort_index().tolist())


def test_scope_filter_limits_groups(scorecard_con):
    cards = _scorecards(scorecard_con, "manager", scope=Scope(regions=("East",)))
    assert cards.composite["group_id"].tolist() == ["Li"]
    # the portfolio gross profit stays the whole portfolio's
    assert _value(cards, "Li", "gp_contribution") == pytest.approx(1339.95 / PORTFOLIO_GP)


def test_demo_manager_scorecards_have_revenue_targets(demo_con):
    """The demo's quarterly revenue targets per manager reach the scorecard."""
    period = quarter_period(2026, 3)
    cards = kpi.read_scorecards(demo_con, period, Scope(), "manager")
    revenue = cards.scores[cards.scores["kpi"] == "revenue"]
    expected = dict(demo_con.execute(
        "select scope_id, target::double from targets where scope = 'ka_manager' and period = '2026-Q3' "
        "and metric = 'revenue'").fetchall())
    assert dict(zip(revenue["group_id"], revenue["target"])) == expected
    assert revenue["status"].isin(["green", "yellow", "red"]).all()


@pytest.mark.parametrize("by, first_id, rows", [("manager", "Li", 3), ("account", "A001", 6)])  # Li: 2025-Q3 targets
def test_cli_export_scorecards(writable_con, tmp_path, capsys, by, first_id, rows):
    import json

    from ka.__main__ import main

    path = tmp_path / "test.duckdb"  # the `con` fixture's file
    writable_con.close()
    code = main(["export", "--db", str(path), "--what", "scorecards", "--by", by,
                 "--from", "2025-07-01", "--to", "2025-09-30", "--format", "json"])
    assert code == 0
    records = json.loads(capsys.readouterr().out)
    assert len(records) == rows and records[0]["group_id"] == first_id and records[0]["rank"] == 1


def test_relationship_kpis_equal_what_account_360_shows_for_every_account(demo_con):
    # the scorecards count in SQL what ka/relationships.py draws for one account: the two must agree
    period = quarter_period(2026, 3)
    values = kpi.read_kpi_values(demo_con, period, Scope(), "account").set_index("group_id")
    summary = relationships.read_relationship_summary(demo_con, Scope(), period.end).set_index("account_id")
    assert summary["key_contacts"].sum() > 0 and summary["executive_visit_overdue"].any()
    for account_id, row in summary.iterrows():
        coverage = values.loc[account_id, "relationship_coverage"]
        assert (None if pd.isna(coverage) else coverage) == (None if pd.isna(row["coverage"]) else row["coverage"]), account_id
        compliance = values.loc[account_id, "executive_visit_compliance"]
        expected = None if pd.isna(row["executive_visit_days"]) else float(not row["executive_visit_overdue"])
        assert (None if pd.isna(compliance) else compliance) == expected, account_id


def test_status_counts_give_every_group_every_status():
    scores = pd.DataFrame({
        "group_id": ["a", "a", "a", "b", "b"],
        "kpi": ["revenue", "nps", "churn_rate", "revenue", "nps"],
        "status": ["green", "green", "red", "yellow", "no_data"],
    })
    counts = kpi.compute_status_counts(scores)
    assert list(counts.columns) == list(kpi.STATUSES)
    assert counts.loc["a"].to_dict() == {"green": 2, "yellow": 0, "red": 1, "no_target": 0, "no_data": 0}
    assert counts.loc["b"].to_dict() == {"green": 0, "yellow": 1, "red": 0, "no_target": 0, "no_data": 1}
