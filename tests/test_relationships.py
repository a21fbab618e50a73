"""Coverage, single-threaded, executive freshness, the org chart and the who-knows-whom grid, on
small fixtures with the expected values worked out by hand; and the readers over a database."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from ka import db, relationships
from ka.importing import ImportOptions, list_sources, run_import
from ka.relationships import People
from ka.scope import ALL, Scope

AS_OF = date(2026, 10, 31)
EXAMPLES = Path(__file__).resolve().parents[1] / "data" / "examples"
CONTACT_COLUMNS = ["account_id", "account_name", "contact_name", "title", "level", "buying_role", "reports_to",
                   "email", "phone", "is_active"]


def contact(name, level="management", role="influencer", reports_to=None, active=True, account="A"):
    return (account, "Acct", name, None, level, role, reports_to, None, None, active)


def assessment(contact_name, member, colour, day, account="A"):
    return (account, contact_name, member, colour, day, None)


def people(contacts=(), assessments=(), tier="A", last_visit=None, accounts=("A",)) -> People:
    return People(
        accounts=pd.DataFrame([(a, "Acct", None, "Li") for a in accounts],
                              columns=["account_id", "account_name", "account_name_en", "ka_manager"]),
        contacts=pd.DataFrame(list(contacts), columns=CONTACT_COLUMNS),
        team=pd.DataFrame([("A", "ka_manager", "Li")], columns=["account_id", "team_role", "member_name"]),
        assessments=pd.DataFrame(list(assessments), columns=["account_id", "contact_name", "member_name", "colour",
                                                             "assessed_on", "note"]),
        executive_visits=pd.DataFrame([("A", last_visit)] if last_visit else [],
                                      columns=["account_id", "last_executive_visit"]),
        tiers={"A": tier} if tier else {},
        as_of=AS_OF,
    )


DM = contact("Dee", "management", "decision_maker")
EXEC = contact("Eve", "executive", "influencer")
USER = contact("Ugo", "operational", "user")
JAN, JUN, SEP = date(2026, 1, 10), date(2026, 6, 10), date(2026, 9, 10)

# contacts, assessments → key contacts, covered, coverage, green members, single-threaded
COVERAGE_CASES = {
    "no contacts": ((), (), 0, 0, None, 0, False),
    "one green DM of two key": ((DM, EXEC, USER), (assessment("Dee", "Li", "green", JAN), assessment("Eve", "Li", "yellow", JAN)),
                                2, 1, 0.5, 1, True),
    "two people green": ((DM, EXEC), (assessment("Dee", "Li", "green", JAN), assessment("Eve", "Wu", "green", JAN)),
                         2, 2, 1.0, 2, False),
    "latest counts": ((DM,), (assessment("Dee", "Li", "green", JAN), assessment("Dee", "Li", "red", JUN)),
                      1, 0, 0.0, 0, False),
    "best over the team": ((DM,), (assessment("Dee", "Li", "red", SEP), assessment("Dee", "Wu", "green", JAN)),
                           1, 1, 1.0, 1, True),
    "same day: the worse": ((DM,), (assessment("Dee", "Li", "green", JUN), assessment("Dee", "Li", "red", JUN)),
                            1, 0, 0.0, 0, False),
    "inactive contacts do not count": ((contact("Dee", "executive", "decision_maker", active=False), USER),
                                       (assessment("Dee", "Li", "green", JAN),), 0, 0, None, 0, False),
    "green only below the key contacts": ((DM, USER), (assessment("Ugo", "Li", "green", JAN),
                                                       assessment("Dee", "Wu", "yellow", JAN)), 1, 0, 0.0, 1, True),
}


@pytest.mark.parametrize("case", list(COVERAGE_CASES))
def test_coverage_and_single_threaded(case):
    contacts, assessments, keys, covered, coverage, members, single = COVERAGE_CASES[case]
    row = relationships.compute_relationship_summary(people(contacts, assessments)).iloc[0]
    assert (row["key_contacts"], row["covered_key_contacts"], row["coverage"], row["green_members"],
            row["single_threaded"]) == (keys, covered, coverage, members, single)


# tier, last executive visit → days since, the tier's rule, overdue (as of 2026-10-31)
FRESHNESS_CASES = [
    ("A", date(2026, 10, 1), 30, 30, False),
    ("A", date(2026, 9, 30), 31, 30, True),
    ("A", None, None, 30, True),
    ("B", date(2026, 8, 2), 90, 90, False),
    ("B", date(2026, 8, 1), 91, 90, True),
    ("C", None, None, None, False),
    (None, None, None, None, False),  # no orders in the tier window: no tier, no rule
]


@pytest.mark.parametrize("tier, visited, days, rule, overdue", FRESHNESS_CASES)
def test_executive_freshness_per_tier(tier, visited, days, rule, overdue):
    row = relationships.compute_relationship_summary(people((EXEC,), tier=tier, last_visit=visited)).iloc[0]
    assert (row["days_since_executive_visit"], row["executive_visit_days"], row["executive_visit_overdue"]) == (
        days, rule, overdue)


def test_an_edited_rule_applies():
    row = relationships.compute_relationship_summary(
        people((EXEC,), tier="C", last_visit=date(2026, 6, 30)), {"A": 14, "B": 60, "C": 120}).iloc[0]
    assert (row["days_since_executive_visit"], row["executive_visit_days"], row["executive_visit_overdue"]) == (
        123, 120, True)


def test_uncovered_since_dates_the_loss_of_the_last_green():
    frame = pd.DataFrame([
        ("A", "Dee", "Li", "yellow", date(2026, 1, 5), None),
        ("A", "Dee", "Li", "green", date(2026, 3, 5), None),
        ("A", "Dee", "Wu", "green", date(2026, 4, 5), None),
        ("A", "Dee", "Li", "red", date(2026, 5, 5), None),     # Wu still green
        ("A", "Dee", "Wu", "yellow", date(2026, 7, 5), None),  # now nobody: uncovered since 5 July
        ("A", "Dee", "Wu", "red", date(2026, 9, 5), None),     # still the same gap
        ("A", "Nia", "Li", "red", date(2026, 2, 1), None),     # never green
        ("A", "Ola", "Li", "green", date(2026, 2, 1), None),   # green today: not uncovered
    ], columns=["account_id", "contact_name", "member_name", "colour", "assessed_on", "note"])
    assert relationships.compute_uncovered_since(frame) == {("A", "Dee"): date(2026, 7, 5), ("A", "Nia"): None}


def test_org_chart_orders_by_reports_to_and_survives_loops_and_strangers():
    contacts = pd.DataFrame([
        contact("Cai", reports_to="Bo"), contact("Bo", reports_to="Ann"), contact("Ann"),
        contact("Dan", reports_to="Ann"), contact("Eli", reports_to="Someone else"),
        contact("Fay", reports_to="Gus"), contact("Gus", reports_to="Fay"),  # a loop
    ], columns=CONTACT_COLUMNS)
    chart = relationships.compute_org_chart(contacts)
    assert list(zip(chart["contact_name"], chart["depth"], chart["manager"])) == [
        ("Ann", 0, None), ("Bo", 1, "Ann"), ("Cai", 2, "Bo"), ("Dan", 1, "Ann"), ("Eli", 0, None),
        ("Fay", 0, None), ("Gus", 1, "Fay"),
    ]


def test_who_knows_whom_grid_has_the_team_first_and_the_latest_colours():
    contacts = pd.DataFrame([DM, EXEC], columns=CONTACT_COLUMNS)
    team = pd.DataFrame([("A", "solution_manager", "Wu"), ("A", "ka_manager", "Li")],
                        columns=["account_id", "team_role", "member_name"])
    assessments = pd.DataFrame([
        assessment("Dee", "Li", "green", JAN), assessment("Dee", "Li", "yellow", JUN),
        assessment("Eve", "Zed", "red", JUN),  # not on the team: a column after it
    ], columns=["account_id", "contact_name", "member_name", "colour", "assessed_on", "note"])
    grid = relationships.compute_who_knows_whom(contacts, assessments, team)
    assert list(grid.columns) == ["Li", "Wu", "Zed"]
    assert grid.to_dict("index") == {"Dee": {"Li": "yellow", "Wu": None, "Zed": None},
                                     "Eve": {"Li": None, "Wu": None, "Zed": "red"}}


# --- the readers, over the example files ----------------------------------------------------------
@pytest.fixture
def people_db(con):
    with db.write_transaction(con) as cur:
        cur.execute("insert into accounts (account_id, account_name, ka_manager, region) values "
                    "('KA00001', '华信', '陈静', 'East'), ('KA00002', '永安', '王磊', 'North'), ('KA09001', '恒通', '王磊', 'East')")
    for kind, name in (("contacts", "contacts.csv"), ("team", "account_team.csv"),
                       ("relationships", "relationships.csv"), ("visits", "visits.csv")):
        run_import(con, kind, list_sources([EXAMPLES / name]), ImportOptions())
    return con


def test_summary_of_the_example_files(people_db):
    summary = relationships.read_relationship_summary(people_db, ALL, AS_OF)
    rows = summary[["account_id", "contacts", "key_contacts", "covered_key_contacts", "coverage", "green_members",
                    "single_threaded", "last_executive_visit"]].to_dict("records")
    assert rows == [
        # 周建国 (exec, DM) green with 何志远; 吴丽 green with 陈静; 孙悦 inactive
        {"account_id": "KA00001", "contacts": 3, "key_contacts": 1, "covered_key_contacts": 1, "coverage": 1.0,
         "green_members": 2, "single_threaded": False, "last_executive_visit": None},
        # 钱伟 (exec, DM) yellow, 冯敏 red; the visit of 15 October met 钱伟
        {"account_id": "KA00002", "contacts": 2, "key_contacts": 1, "covered_key_contacts": 0, "coverage": 0.0,
         "green_members": 0, "single_threaded": False, "last_executive_visit": date(2026, 10, 15)},
        {"account_id": "KA09001", "contacts": 1, "key_contacts": 1, "covered_key_contacts": 1, "coverage": 1.0,
         "green_members": 1, "single_threaded": True, "last_executive_visit": None},
    ]


def test_assessments_after_the_date_do_not_count(people_db):
    before = relationships.read_relationship_summary(people_db, ALL, date(2026, 9, 15))
    first = before[before["account_id"] == "KA00001"].iloc[0]
    # on 15 September 周建国 had only 陈静's yellow (the green of 20 September is later)
    assert (first["covered_key_contacts"], first["green_members"], first["single_threaded"]) == (0, 1, True)


def test_team_takes_the_masters_ka_manager_where_the_file_names_none(people_db):
    with db.write_transaction(people_db) as cur:
        cur.execute("insert into accounts (account_id, account_name, ka_manager) values ('KA00003', '瑞丰', '刘洋')")
    team = relationships.read_people(people_db, Scope(account_ids=("KA00001", "KA00003")), AS_OF).team
    assert list(team.itertuples(index=False, name=None)) == [
        ("KA00001", "delivery_manager", "马丽"), ("KA00001", "executive_sponsor", "何志远"),
        ("KA00001", "ka_manager", "陈静"), ("KA00001", "solution_manager", "林涛"), ("KA00003", "ka_manager", "刘洋"),
    ]


def test_scope_limits_every_reader(people_db):
    scoped = relationships.read_people(people_db, Scope(regions=("North",)), AS_OF)
    assert set(scoped.contacts["account_id"]) == {"KA00002"}
    assert set(scoped.assessments["account_id"]) == {"KA00002"}
    assert set(scoped.executive_visits["account_id"]) == {"KA00002"}


def test_executive_visit_rule_is_saved_and_checked(people_db):
    assert relationships.read_executive_visit_days(people_db) == {"A": 30, "B": 90, "C": None}
    relationships.save_executive_visit_days(people_db, {"C": 180})
    assert relationships.read_executive_visit_days(people_db) == {"A": 30, "B": 90, "C": 180}
    with pytest.raises(ValueError):
        relationships.save_executive_visit_days(people_db, {"A": 0})


def test_one_account_asked_alone_keeps_the_tier_it_has_in_the_portfolio(demo_con):
    # Account 360 reads one account; its executive-visit rule is that of its tier over the whole
    # portfolio (an account alone would be 100 % of its own revenue: always an A, always 30 days)
    as_of = db.query_rows(demo_con, "select max(order_date) from transactions")[0][0]
    portfolio = relationships.read_relationship_summary(demo_con, ALL, as_of).set_index("account_id")
    rule = relationships.read_executive_visit_days(demo_con)
    for tier in ("B", "C"):
        account_id = portfolio.index[portfolio["tier"] == tier][0]
        alone = relationships.read_relationship_summary(demo_con, Scope(account_ids=(account_id,)), as_of).iloc[0]
        assert (alone["tier"], alone["executive_visit_days"]) == (tier, rule[tier])
