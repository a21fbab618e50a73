"""AppTest: an action created, edited and closed on Account 360 is in the export and moves the
overview's overdue count; the relationship map is drawn from the account's contacts."""

from __future__ import annotations

import json
from datetime import timedelta

from ka_testing import ROOT, run_page
from ka import access, db, i18n, proposals, state, ui
from ka.__main__ import main
from ka.scope import ALL

ACCOUNT = str(ROOT / "pages" / "account.py")
OVERVIEW = str(ROOT / "pages" / "overview.py")


def independent_overdue(path) -> tuple[int, object]:
    """Overdue imported actions by plain SQL (the demo's actions), and the data's as-of date."""
    con = db.open(path)
    try:
        as_of = db.query_rows(con, "select max(order_date) from transactions")[0][0]
        count = db.query_rows(con, "select count(*) from actions where status in ('open', 'in_progress') "
                                   "and due_date < ?", [as_of])[0][0]
        return count, as_of
    finally:
        con.close()


def overdue_metric(path) -> str:
    at = run_page(OVERVIEW)
    assert not at.exception
    return next(m.value for m in at.metric if m.label == "Overdue actions")


def exported(path, capsys) -> list[dict]:
    capsys.readouterr()
    assert main(["export", "--db", str(path), "--what", "actions", "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_create_edit_and_close_an_action_on_account_360(writable_app_db, capsys):
    overdue, as_of = independent_overdue(writable_app_db)
    assert overdue > 0
    assert overdue_metric(writable_app_db) == str(overdue)
    account_id = "KA00006"
    at = run_page(ACCOUNT, **{ui.SELECTED_ACCOUNT_KEY: account_id})
    assert not at.exception
    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart") if "account_org_chart" in c.proto.id]
    assert len(charts) == 1
    # every active contact of the account is a box of the org chart, by name
    con = db.open(writable_app_db)
    contacts = {row[0] for row in db.query_rows(con, "select contact_name from contacts where account_id = ?", [account_id])}
    con.close()
    drawn = {text.split("</b>")[0].removeprefix("<b>") for trace in charts[0]["data"] for text in trace.get("text", [])}
    assert drawn == contacts
    at.text_input(key="account_action_title_new").set_value("回访采购总监")
    at.text_input(key="account_action_owner_new").set_value("王芳")
    at.date_input(key="account_action_due_new").set_value(as_of - timedelta(days=5))
    at.button(key="account_action_submit_new").click().run()
    assert not at.exception
    made = [row for row in exported(writable_app_db, capsys) if row["title"] == "回访采购总监"]
    assert [(r["account_id"], r["owner"], r["status"], r["is_overdue"], r["days_overdue"], r["source"]) for r in made] == [
        (account_id, "王芳", "open", True, 5, "app")]
    assert overdue_metric(writable_app_db) == str(overdue + 1)

    # edit: a later due date, in progress — no longer overdue
    ref = made[0]["action_ref"]
    at.selectbox(key="account_action_edit").set_value(ref).run()
    at.date_input(key=f"account_action_due_{ref}").set_value(as_of + timedelta(days=10))
    at.selectbox(key=f"account_action_status_{ref}").set_value("in_progress")
    at.button(key=f"account_action_submit_{ref}").click().run()
    assert not at.exception
    edited = next(r for r in exported(writable_app_db, capsys) if r["action_ref"] == ref)
    assert (edited["status"], edited["due_date"], edited["is_overdue"]) == (
        "in_progress", (as_of + timedelta(days=10)).isoformat(), False)
    assert overdue_metric(writable_app_db) == str(overdue)

    # close it with a note
    at.selectbox(key=f"account_action_status_{ref}").set_value("done")
    at.text_area(key=f"account_action_note_{ref}").set_value("已拜访，需求已确认")
    at.button(key=f"account_action_submit_{ref}").click().run()
    closed = next(r for r in exported(writable_app_db, capsys) if r["action_ref"] == ref)
    assert (closed["status"], closed["closing_note"], closed["closed_on"]) == ("done", "已拜访，需求已确认", as_of.isoformat())
    assert overdue_metric(writable_app_db) == str(overdue)
    con = db.open(writable_app_db)
    entries = access.read_audit(db.state_of(con))
    con.close()
    assert [(e["action"], e["detail"]["account"]) for e in entries if e["action"].startswith("action_")][::-1] == [
        ("action_create", account_id), ("action_edit", account_id), ("action_edit", account_id)]


def proposals_by_account(path, as_of) -> dict[str, list[dict]]:
    con = db.open(path)
    try:
        found = proposals.read_proposals(con, ALL, as_of)
    finally:
        con.close()
    return {account: group.to_dict("records") for account, group in found.groupby("account_id")}


def proposed_titles(at) -> list[str]:
    return [m.value for m in at.markdown if m.value.startswith(":material/lightbulb:")]


def test_accept_and_dismiss_proposals_on_account_360(writable_app_db, capsys):
    _, as_of = independent_overdue(writable_app_db)
    account_id, proposed = max(proposals_by_account(writable_app_db, as_of).items(), key=lambda item: len(item[1]))
    assert len(proposed) >= 2
    before = {r["action_ref"] for r in exported(writable_app_db, capsys)}
    at = run_page(ACCOUNT, **{ui.SELECTED_ACCOUNT_KEY: account_id})
    assert len(proposed_titles(at)) == len(proposed)

    at.button(key="account_accept_0").click().run()  # the first proposal becomes an action, as proposed
    assert not at.exception
    made = [r for r in exported(writable_app_db, capsys) if r["action_ref"] not in before]
    i18n.set_language("en")
    assert [(r["account_id"], r["title"], r["owner"], r["status"], r["reason_kind"], r["source"]) for r in made] == [
        (account_id, proposals.title(proposed[0]), proposed[0]["owner"], "open", proposed[0]["reason_kind"], "app")]
    assert len(proposed_titles(at)) == len(proposed) - 1

    at.button(key="account_dismiss_0").click().run()  # the next one is dismissed: no action, and it stays away
    assert not at.exception
    assert [r["action_ref"] for r in exported(writable_app_db, capsys) if r["action_ref"] not in before] == [
        made[0]["action_ref"]]
    dismissed = state.state_store(writable_app_db).read(
        "select account_id, cause, episode, dismissed_by from proposal_dismissals")
    assert dismissed == [(account_id, proposed[1]["cause"], proposed[1]["episode"], "local")]
    again = run_page(ACCOUNT, **{ui.SELECTED_ACCOUNT_KEY: account_id})
    assert len(proposed_titles(again)) == len(proposed) - 2
    con = db.open(writable_app_db)
    entries = access.read_audit(db.state_of(con))
    con.close()
    assert [e["action"] for e in entries if e["action"] in ("action_accept", "proposal_dismiss")][::-1] == [
        "action_accept", "proposal_dismiss"]
