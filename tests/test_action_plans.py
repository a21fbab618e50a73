"""Action plans: overdue on small fixtures, imported and app actions read as one list, edits that
hold until a newer import, undo step by step, scope; proposals created, dismissed and proposed again
only when their cause changes; the CLI export; the demo's story."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from import_helpers import write_file
from ka import action_plans, db, health, proposals, relationships
from ka.__main__ import main
from ka.action_plans import ActionDraft, ActionRefused
from ka.importing import ImportOptions, list_sources, run_import, undo_import
from ka.periods import add_months
from ka.scope import ALL, Scope

AS_OF = date(2026, 10, 31)
EXAMPLES = Path(__file__).resolve().parents[1] / "data" / "examples"

# status, due date → overdue, days overdue (as of 2026-10-31)
OVERDUE_CASES = [
    ("open", date(2026, 10, 30), True, 1),
    ("in_progress", date(2026, 10, 1), True, 30),
    ("open", date(2026, 10, 31), False, None),  # due today is not late yet
    ("open", date(2026, 12, 1), False, None),
    ("done", date(2026, 1, 1), False, None),
    ("cancelled", date(2026, 1, 1), False, None),
]


@pytest.mark.parametrize("status, due, overdue, days", OVERDUE_CASES)
def test_overdue(status, due, overdue, days):
    frame = action_plans.add_overdue(pd.DataFrame({"status": [status], "due_date": [due]}), AS_OF)
    assert (bool(frame["is_overdue"].iloc[0]), frame["days_overdue"].iloc[0]) == (overdue, days)


def import_example(con, kind, name):
    return run_import(con, kind, list_sources([EXAMPLES / name]), ImportOptions())


@pytest.fixture
def plans(con):
    with db.write_transaction(con) as cur:
        cur.execute("insert into accounts (account_id, account_name, ka_manager, region) values "
                    "('KA00001', '华信', '陈静', 'East'), ('KA00002', '永安', '王磊', 'North'), "
                    "('KA00003', '瑞丰', '刘洋', 'North'), ('KA09001', '恒通', '王磊', 'East')")
    import_example(con, "actions", "actions.csv")
    return con


def summary(actions: pd.DataFrame) -> list[tuple]:
    return [(row.account_id, row.title, row.status, row.due_date, row.source, row.is_overdue)
            for row in actions.itertuples(index=False)]


def test_imported_actions_read_with_overdue(plans):
    actions = action_plans.read_actions(plans, ALL, AS_OF)
    assert summary(actions) == [
        ("KA00001", "修复 ERP 接口故障", "in_progress", date(2026, 10, 20), "import", True),
        ("KA00001", "安排高层拜访周建国", "open", date(2026, 11, 15), "import", False),
        ("KA00002", "与冯敏沟通替代方案", "done", date(2026, 10, 31), "import", False),
        ("KA00003", "季度业务回顾准备", "open", date(2026, 12, 10), "import", False),
        ("KA09001", "续约报价", "in_progress", date(2026, 11, 30), "import", False),
    ]
    assert action_plans.compute_overdue_count(actions) == 1
    assert actions["days_overdue"].tolist() == [11, None, None, None, None]
    assert action_plans.compute_overdue_count(action_plans.read_actions(plans, ALL, date(2026, 12, 1))) == 3


def test_create_edit_close_and_undo_step_by_step(plans):
    ref = action_plans.create_action(plans, ALL, "KA00002", ActionDraft("  回访  钱伟 ", "王磊", date(2026, 10, 25)), "amy")
    made = action_plans.read_actions(plans, ALL, AS_OF).set_index("action_ref").loc[ref]
    assert (made["title"], made["status"], made["source"], made["is_overdue"], made["updated_by"]) == (
        "回访 钱伟", "open", "app", True, "amy")
    action_plans.update_action(plans, ALL, ref, ActionDraft("回访 钱伟", "林涛", date(2026, 11, 5), "in_progress"), "bob", AS_OF)
    action_plans.update_action(plans, ALL, ref, ActionDraft("回访 钱伟", "林涛", date(2026, 11, 5), "done",
                                                            closing_note="已拜访", closed_on=date(2026, 10, 30)), "bob", AS_OF)
    closed = action_plans.read_actions(plans, ALL, AS_OF).set_index("action_ref").loc[ref]
    assert (closed["owner"], closed["status"], closed["closing_note"], closed["closed_on"], closed["is_overdue"]) == (
        "林涛", "done", "已拜访", date(2026, 10, 30), False)
    changes = action_plans.read_changes(plans, int(ref.removeprefix("a-")))
    assert [(c["what"], c["user"]) for c in changes] == [("create", "amy"), ("edit", "bob"), ("close", "bob")]

    assert action_plans.undo_last_change(plans, ALL, ref, "amy", AS_OF)  # back to in progress
    back = action_plans.read_actions(plans, ALL, AS_OF).set_index("action_ref").loc[ref]
    assert (back["status"], back["owner"], back["due_date"], back["closing_note"]) == ("in_progress", "林涛", date(2026, 11, 5), None)
    assert action_plans.undo_last_change(plans, ALL, ref, "amy", AS_OF)  # back to as created
    assert action_plans.read_actions(plans, ALL, AS_OF).set_index("action_ref").loc[ref, "owner"] == "王磊"
    assert action_plans.undo_last_change(plans, ALL, ref, "amy", AS_OF)  # the creation: gone
    assert ref not in set(action_plans.read_actions(plans, ALL, AS_OF)["action_ref"])


def test_an_edit_of_an_imported_action_holds_until_a_newer_import_changes_it(plans, tmp_path):
    actions = action_plans.read_actions(plans, ALL, AS_OF)
    ref = actions.loc[actions["title"] == "修复 ERP 接口故障", "action_ref"].iloc[0]
    action_plans.update_action(plans, ALL, ref, ActionDraft("修复 ERP 接口故障", "马丽", date(2026, 10, 20), "done",
                                                            "high", "health", "接口已修复", date(2026, 10, 28)), "amy", AS_OF)
    edited = action_plans.read_actions(plans, ALL, AS_OF).set_index("action_ref").loc[ref]
    assert (edited["status"], edited["source"], edited["is_overdue"]) == ("done", "import_edited", False)
    assert len(action_plans.read_actions(plans, ALL, AS_OF)) == 5  # the same action, once

    # re-importing the unchanged file changes nothing, so the edit holds
    import_example(plans, "actions", "actions.csv")
    assert action_plans.read_actions(plans, ALL, AS_OF).set_index("action_ref").loc[ref, "status"] == "done"
    # a newer file that changes the action is the newer word
    newer = write_file(tmp_path, "tracker.csv", "客户编号,行动,截止日期,负责人\nKA00001,修复 ERP 接口故障,2026-10-20,孙杰\n")
    report = run_import(plans, "actions", list_sources([newer]), ImportOptions())
    assert report.rows_updated == 1
    after = action_plans.read_actions(plans, ALL, AS_OF).set_index("action_ref").loc[ref]
    # the file's owner; the columns it lacks keep the stored values (status in progress, priority high)
    assert (after["owner"], after["status"], after["priority"], after["source"]) == ("孙杰", "in_progress", "high", "import")
    # undoing that batch brings the edit back (no newer batch wrote the action any more)
    undo_import(plans, report.batch_id)
    assert action_plans.read_actions(plans, ALL, AS_OF).set_index("action_ref").loc[ref, "status"] == "done"


def test_refusals(plans):
    with pytest.raises(ActionRefused) as empty:
        action_plans.create_action(plans, ALL, "KA00001", ActionDraft("   ", None, AS_OF), "amy")
    assert empty.value.key == "no_title"
    with pytest.raises(ActionRefused) as status:
        action_plans.create_action(plans, ALL, "KA00001", ActionDraft("x", None, AS_OF, status="finished"), "amy")
    assert status.value.key == "bad_value"
    with pytest.raises(ActionRefused) as far:
        action_plans.create_action(plans, ALL, "KA00001", ActionDraft("x", None, date(2300, 1, 1)), "amy")
    assert far.value.key == "bad_due_date"
    north = Scope(regions=("North",))
    with pytest.raises(ActionRefused) as scope:
        action_plans.create_action(plans, north, "KA00001", ActionDraft("x", None, AS_OF), "amy")
    assert scope.value.key == "not_in_scope"
    east_ref = action_plans.read_actions(plans, ALL, AS_OF)["action_ref"].iloc[0]
    with pytest.raises(ActionRefused) as hidden:
        action_plans.update_action(plans, north, east_ref, ActionDraft("x", None, AS_OF), "amy", AS_OF)
    assert hidden.value.key == "no_such_action"
    assert set(action_plans.read_actions(plans, north, AS_OF)["account_id"]) == {"KA00002", "KA00003"}


# --- proposals --------------------------------------------------------------------------------
def proposal_inputs(red=(), contacts=(), assessments=(), overdue_visit=None) -> proposals.ProposalInputs:
    summary_rows = [{"account_id": "A", "account_name": "Acct", "tier": "A", "executive_visit_overdue": overdue_visit is not None,
                     "last_executive_visit": overdue_visit if overdue_visit != "never" else None,
                     "executive_visit_days": 30}]
    contact_frame = pd.DataFrame(
        [("A", name, level, role, True) for name, level, role in contacts],
        columns=["account_id", "contact_name", "level", "buying_role", "is_active"])
    frame = pd.DataFrame(list(assessments), columns=["account_id", "contact_name", "member_name", "colour", "assessed_on", "note"])
    return proposals.ProposalInputs(
        red_reasons=pd.DataFrame([("A", "Acct", measure, since) for measure, since in red],
                                 columns=["account_id", "account_name", "measure", "red_since"]),
        summary=pd.DataFrame(summary_rows),
        contacts=relationships.compute_contact_relationships(contact_frame, frame),
        assessments=frame,
        team=pd.DataFrame([("A", "ka_manager", "Li"), ("A", "executive_sponsor", "Ho")],
                          columns=["account_id", "team_role", "member_name"]),
        as_of=AS_OF,
    )


NO_ACTIONS = pd.DataFrame(columns=["cause", "cause_episode", "status"])


def causes(frame: pd.DataFrame) -> list[tuple]:
    return list(zip(frame["cause"], frame["episode"], frame["owner"]))


def test_proposals_from_each_cause():
    inputs = proposal_inputs(
        red=[("revenue_trend", date(2026, 8, 31))],
        contacts=[("Dee", "management", "decision_maker"), ("Ola", "executive", "influencer")],
        assessments=[("A", "Dee", "Li", "green", date(2026, 3, 1), None), ("A", "Dee", "Li", "red", date(2026, 6, 1), None)],
        overdue_visit=date(2026, 9, 1),
    )
    found = proposals.compute_proposals(inputs, NO_ACTIONS, set())
    assert causes(found) == [
        ("executive_visit:A", "2026-09-01/30d", "Ho"),  # the executive sponsor visits
        ("health:A:revenue_trend", "2026-08-31", "Li"),
        ("uncovered:A:Dee", "2026-06-01", "Li"),        # the executive Ola is no decision maker
    ]
    assert found["due_date"].tolist() == [date(2026, 11, 14)] * 3
    assert found["priority"].tolist() == ["high", "high", "medium"]


def test_a_dismissed_proposal_returns_only_with_a_new_episode():
    inputs = proposal_inputs(red=[("nps", date(2026, 8, 31))])
    first = proposals.compute_proposals(inputs, NO_ACTIONS, set())
    dismissed = {("health:A:nps", "2026-08-31")}
    assert proposals.compute_proposals(inputs, NO_ACTIONS, dismissed).empty  # the same red run: stays away
    # the account went yellow and turned red again in October: a new run, proposed again
    again = proposals.compute_proposals(proposal_inputs(red=[("nps", date(2026, 10, 31))]), NO_ACTIONS, dismissed)
    assert causes(again) == [("health:A:nps", "2026-10-31", "Li")]
    assert len(first) == 1


def test_an_accepted_proposal_is_not_proposed_while_its_action_is_open_or_its_episode_lasts():
    inputs = proposal_inputs(overdue_visit="never")
    open_action = pd.DataFrame([("executive_visit:A", "never/30d", "open")], columns=["cause", "cause_episode", "status"])
    assert proposals.compute_proposals(inputs, open_action, set()).empty
    done = open_action.assign(status="done")
    assert proposals.compute_proposals(inputs, done, set()).empty  # done, but the same gap: not again
    visited_then_late = proposal_inputs(overdue_visit=date(2026, 9, 20))  # a visit came, and is late again
    assert causes(proposals.compute_proposals(visited_then_late, done, set())) == [
        ("executive_visit:A", "2026-09-20/30d", "Ho")]
    still_open_other_episode = open_action.assign(cause_episode="older")
    assert proposals.compute_proposals(visited_then_late, still_open_other_episode, set()).empty


def test_red_runs_start_at_the_first_red_month_end_of_the_current_run():
    history = pd.DataFrame([
        ("A", date(2026, 7, 31), "red"), ("A", date(2026, 8, 31), "yellow"), ("A", date(2026, 9, 30), "red"),
        ("A", date(2026, 10, 31), "red"),
        ("B", date(2026, 6, 30), "red"), ("B", date(2026, 8, 31), "red"), ("B", date(2026, 9, 30), "red"),  # no July row
        ("B", date(2026, 10, 31), "red"),
        ("C", date(2026, 9, 30), "red"), ("C", date(2026, 10, 31), "green"),
    ], columns=["account_id", "as_of", "colour"])
    assert proposals.compute_red_runs(history, date(2026, 10, 31)) == {"A": date(2026, 9, 30), "B": date(2026, 8, 31)}


def test_dismiss_and_accept_through_the_state_store(plans):
    import_example(plans, "contacts", "contacts.csv")
    import_example(plans, "relationships", "relationships.csv")
    found = proposals.read_proposals(plans, ALL, AS_OF)
    uncovered = found[found["kind"] == "uncovered"]
    assert causes(uncovered) == [("uncovered:KA00002:钱伟", "never", "王磊")]
    proposal = uncovered.iloc[0].to_dict()
    proposals.dismiss(plans, ALL, proposal, "amy")
    assert "uncovered:KA00002:钱伟" not in set(proposals.read_proposals(plans, ALL, AS_OF)["cause"])
    proposals.undo_dismissal(plans, proposal["cause"], proposal["episode"])
    ref = proposals.accept(plans, ALL, proposal, "amy")
    made = action_plans.read_actions(plans, ALL, AS_OF).set_index("action_ref").loc[ref]
    assert (made["title"], made["owner"], made["reason_kind"], made["cause"], made["due_date"]) == (
        "Build a green relationship with decision maker 钱伟", "王磊", "relationship", "uncovered:KA00002:钱伟",
        date(2026, 11, 14))
    assert "uncovered:KA00002:钱伟" not in set(proposals.read_proposals(plans, ALL, AS_OF)["cause"])
    action_plans.update_action(plans, ALL, ref, ActionDraft(made["title"], "王磊", made["due_date"], "done",
                                                            reason_kind="relationship"), "amy", AS_OF)
    assert "uncovered:KA00002:钱伟" not in set(proposals.read_proposals(plans, ALL, AS_OF)["cause"])  # same gap
    # a green assessment ends the gap; losing it later is a new episode, proposed again
    tracker = write_file(Path(db.store.database_path_of(plans)).parent, "later.csv",
                         "客户编号,联系人,我方人员,关系评估,评估日期\nKA00002,钱伟,王磊,绿,2026-10-20\nKA00002,钱伟,王磊,红,2026-10-28\n")
    run_import(plans, "relationships", list_sources([tracker]), ImportOptions())
    again = proposals.read_proposals(plans, ALL, AS_OF)
    assert causes(again[again["kind"] == "uncovered"]) == [("uncovered:KA00002:钱伟", "2026-10-28", "王磊")]


# --- export -------------------------------------------------------------------------------------
def test_cli_exports_actions_and_relationships(plans, capsys):
    path = str(db.store.database_path_of(plans))
    import_example(plans, "contacts", "contacts.csv")
    action_plans.create_action(plans, ALL, "KA00003", ActionDraft("=HYPERLINK(\"x\")", "刘洋", date(2026, 10, 1)), "amy")
    plans.close()
    assert main(["export", "--db", path, "--what", "actions", "--as-of", "2026-10-31", "--format", "json"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert [(r["account_id"], r["status"], r["is_overdue"], r["days_overdue"], r["source"]) for r in records] == [
        ("KA00001", "in_progress", True, 11, "import"), ("KA00001", "open", False, None, "import"),
        ("KA00002", "done", False, None, "import"), ("KA00003", "open", True, 30, "app"),
        ("KA00003", "open", False, None, "import"), ("KA09001", "in_progress", False, None, "import"),
    ]
    assert records[0]["due_date"] == "2026-10-20"
    assert main(["export", "--db", path, "--what", "actions", "--as-of", "2026-10-31", "--format", "csv"]) == 0
    titles = [row["title"] for row in csv.DictReader(io.StringIO(capsys.readouterr().out))]
    assert "'=HYPERLINK(\"x\")" in titles  # a title that a spreadsheet would run stays text
    assert main(["export", "--db", path, "--what", "relationships", "--as-of", "2026-10-31", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(r["account_id"], r["contacts"], r["key_contacts"]) for r in rows] == [
        ("KA00001", "3", "1"), ("KA00002", "2", "1"), ("KA00003", "0", "0"), ("KA09001", "1", "1")]


# --- the demo -------------------------------------------------------------------------------------
def test_demo_relationships_sour_before_revenue_falls(demo_db_path):
    con = db.open(demo_db_path)
    declining = db.query_rows(con, "select account_id, start_date from demo_stories where story = 'decline_churn' order by 1")
    assert declining
    for account_id, decline_start in declining:
        scope = Scope(account_ids=(account_id,))
        def decision_makers(day):
            people = relationships.read_people(con, scope, day)
            contacts = relationships.compute_contact_relationships(people.contacts, people.assessments)
            return set(contacts.loc[contacts["buying_role"] == "decision_maker", "best_colour"])

        half_year_before, month_before = add_months(decline_start, -6), add_months(decline_start, -1)
        assert decision_makers(half_year_before) == {"green"}
        assert decision_makers(month_before) <= {"red", "yellow"}  # soured before the revenue falls
        coverage = [relationships.read_relationship_summary(con, scope, day).iloc[0]["coverage"]
                    for day in (half_year_before, month_before)]
        assert coverage[1] < coverage[0]
    actions = action_plans.read_actions(con, ALL, date(2026, 10, 31))
    assert action_plans.compute_overdue_count(actions) > 0
    assert {account_id for account_id, _ in declining} <= set(actions.loc[actions["is_overdue"], "account_id"])


def test_the_review_deck_reads_the_action_plans(plans):
    from ka.periods import quarter_period
    from ka.qbr import actions as deck_actions
    from ka.qbr.request import Request

    def listed(period, audience="internal"):
        request = Request(kind="account", period=period, account_id="KA00001", audience=audience)
        found = deck_actions.read_actions(plans, request, "KA00001")
        return {part: [(a.title, a.owner, a.due_date, a.status) for a in rows] for part, rows in found.items()}

    assert listed(quarter_period(2026, 3)) == {"since_last": [], "next": [
        ("修复 ERP 接口故障", "马丽", date(2026, 10, 20), "open"), ("安排高层拜访周建国", "何志远", date(2026, 11, 15), "open")]}
    assert listed(quarter_period(2026, 4)) == {"since_last": [
        ("修复 ERP 接口故障", "马丽", date(2026, 10, 20), "late"), ("安排高层拜访周建国", "何志远", date(2026, 11, 15), "late")],
        "next": []}
    # the customer sees what was agreed with them, not what our health and relationship rules proposed
    assert listed(quarter_period(2026, 3), "customer") == {"since_last": [], "next": []}
    action_plans.create_action(plans, ALL, "KA00001", ActionDraft("联合技术交流", "林涛", date(2026, 12, 5)), "amy")
    assert listed(quarter_period(2026, 3), "customer")["next"] == [("联合技术交流", "林涛", date(2026, 12, 5), "open")]


# month ends of the small demo where an account scored alone would be red and is yellow on the Health page
@pytest.mark.parametrize("as_of", [date(2026, 3, 31), date(2026, 4, 30)])
def test_an_accounts_red_reasons_alone_are_those_the_health_page_lists(demo_con, as_of):
    # Account 360 asks for one account's proposals; it is red exactly when the Health page, which
    # scores the portfolio (tiers and so visit cadence drawn over it), says so, for the same reasons
    listing = health.read_health(demo_con, as_of, ALL)
    for item in listing.to_dict("records"):
        alone = proposals.read_red_reasons(demo_con, Scope(account_ids=(item["account_id"],)), as_of)
        listed = [item[f"reason_{k}"] for k in (1, 2, 3) if isinstance(item.get(f"reason_{k}"), str)]
        if item["is_overridden"] and "recency" not in listed:
            listed.insert(0, "recency")
        assert list(alone["measure"]) == (listed if item["colour"] == "red" else []), item["account_id"]


def test_an_accounts_proposals_from_the_portfolio_health_read_once_are_those_read_alone(demo_con):
    # Account 360 passes the portfolio's health (scored once, cached) instead of scoring it per account,
    # and the account's people its relationship map read
    as_of = date(2026, 10, 31)
    portfolio = health.read_health(demo_con, as_of, ALL)
    red = portfolio[portfolio["colour"] == "red"]["account_id"].tolist()
    assert red, "the small demo has red accounts at this month end"
    proposed = 0
    for account_id in red[:5] + portfolio[portfolio["colour"] != "red"]["account_id"].tolist()[:3]:
        scope = Scope(account_ids=(account_id,))
        alone = proposals.read_proposals(demo_con, scope, as_of)
        shared = proposals.read_proposals(demo_con, scope, as_of, portfolio)
        pd.testing.assert_frame_equal(shared, alone)
        people = relationships.read_people(demo_con, scope, as_of)
        pd.testing.assert_frame_equal(proposals.read_proposals(demo_con, scope, as_of, portfolio, people), alone)
        proposed += len(shared)
        assert (account_id in red) == (not proposals.read_red_reasons(demo_con, scope, as_of, portfolio).empty)
    assert proposed > 0


def test_the_written_out_row_statements_name_every_row_column_in_order():
    """_READ_ROW, _INSERT_ROW and _REPLACE_ROW spell the columns out: none may be missing or out of order."""
    def names(text: str) -> list[str]:
        return [name.strip() for name in text.split(",")]

    columns = list(action_plans._ROW_COLUMNS)
    assert names(re.search(r"select(.*?)from", action_plans._READ_ROW, re.S)[1]) == columns
    for statement, leading in ((action_plans._INSERT_ROW, []), (action_plans._REPLACE_ROW, ["action_id"])):
        assert names(re.search(r"action_plans \((.*?)\)", statement, re.S)[1]) == leading + columns
        assert re.findall(r":(\w+)", statement) == leading + columns
