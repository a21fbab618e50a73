"""Account 360's relationship map and action plan, drawn into the page (pages/account.py calls these)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pandas as pd
import streamlit as st

from ka import action_plans, health, proposals, relationship_charts, relationships
from ka.action_plans import ActionDraft, ActionRefused
from ka.i18n import format_int, format_pct, t
from ka.ui.cache import clear_caches, loaded
from ka.ui.context import PageContext
from ka.ui.format import account_display_name
from ka.ui.tables import Col, show_table
from ka.ui.text import literal

EDIT_KEY = "account_action_edit"


def _labels() -> dict[str, str]:
    words = {code: t(f"relationships.level.{code}") for code in relationships.LEVELS}
    words.update({code: t(f"relationships.buying_role.{code}") for code in relationships.BUYING_ROLES})
    words.update({colour: t(f"health.colour.{colour}") for colour in relationships.COLOURS})
    words.update({"none": t("relationships.not_assessed"), "inactive": t("relationships.inactive")})
    return words


def render_relationships(ctx: PageContext, account_id: str) -> None:
    """Coverage, single-threaded and executive freshness, the org chart and the who-knows-whom grid."""
    st.subheader(t("relationships.title"))
    scope = replace(ctx.scope, account_ids=(account_id,))  # the user's scope holds here too
    people = ctx.load(relationships.read_people, scope, ctx.as_of)
    if people.contacts.empty:
        st.info(t("relationships.no_contacts"), icon=":material/group_off:")
        return
    summary = relationships.compute_relationship_summary(people, ctx.load(relationships.read_executive_visit_days))
    row = summary.iloc[0]
    tiles = st.columns(3)
    coverage = "—" if row["coverage"] is None else format_pct(row["coverage"])
    tiles[0].metric(t("relationships.coverage"), coverage, border=True,
                    help=t("relationships.coverage_help"))
    tiles[0].caption(t("relationships.covered", covered=format_int(row["covered_key_contacts"]),
                       total=format_int(row["key_contacts"])))
    tiles[1].metric(t("relationships.green_members"), format_int(row["green_members"]), border=True,
                    help=t("relationships.green_members_help"))
    if row["single_threaded"]:
        tiles[1].caption(":orange[" + t("relationships.single_threaded") + "]")
    last = row["last_executive_visit"]
    tiles[2].metric(t("relationships.executive_visit"), str(last) if last else t("account.never"), border=True,
                    help=t("relationships.executive_visit_help"))
    if row["executive_visit_days"] is None:
        tiles[2].caption(t("relationships.no_rule"))
    elif row["executive_visit_overdue"]:
        tiles[2].caption(":red[" + t("relationships.visit_overdue", days=row["executive_visit_days"]) + "]")
    else:
        tiles[2].caption(t("relationships.visit_on_time", days=row["executive_visit_days"]))
    contacts = relationships.compute_contact_relationships(people.contacts, people.assessments)
    chart = relationships.compute_org_chart(contacts)
    labels = _labels()
    st.plotly_chart(relationship_charts.build_org_chart(chart, labels, t("relationships.org_chart")),
                    key="account_org_chart", config={"displayModeBar": False})
    grid = relationships.compute_who_knows_whom(chart, people.assessments, people.team)
    if grid.shape[1]:
        roles = {member: t(f"relationships.team_role.{role}") for role, member in
                 zip(people.team["team_role"][::-1], people.team["member_name"][::-1])}
        st.plotly_chart(relationship_charts.build_who_knows_whom(grid, labels, t("relationships.grid"), roles),
                        key="account_who_knows_whom", config={"displayModeBar": False})
    else:
        st.caption(t("relationships.no_assessments"))


def _action_table(actions: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "title": actions["title"],
        "owner": actions["owner"],
        "due_date": actions["due_date"],
        "status": [t(f"actions.status.{status}") for status in actions["status"]],
        "overdue": [t("actions.days_overdue", days=days) if late else "" for late, days in
                    zip(actions["is_overdue"], actions["days_overdue"])],
        "priority": [t(f"actions.priority.{p}") if isinstance(p, str) else "" for p in actions["priority"]],
        "reason": [t(f"actions.reason_kind.{r}") for r in actions["reason_kind"]],
        "closing_note": [note if isinstance(note, str) else "" for note in actions["closing_note"]],
    })


def _save(ctx: PageContext, what: str, account_id: str, work) -> None:
    """Run one change (`work(con, scope)`), record it in the audit log, or keep the refusal to show."""
    try:
        result = work(ctx.con, ctx.scope)
    except ActionRefused as refused:
        values = {name: literal(value) for name, value in refused.values.items()}
        st.session_state["account_action_error"] = t(f"actions.refused.{refused.key}", **values)
        return
    st.session_state.pop("account_action_error", None)
    ctx.audit(what, account=account_id, action_ref=result if isinstance(result, str) else None)
    clear_caches()


def render_actions(ctx: PageContext, account_id: str) -> None:
    """The account's proposals (accept or dismiss), its actions, and a form to add, edit or close one.
    Without the `actions` permission (a viewer) one sees them and changes nothing; every change is in the audit log under the user's name."""
    user = ctx.user.name
    may_edit = ctx.user.may("actions")
    st.subheader(t("actions.title"))
    if error := st.session_state.get("account_action_error"):
        st.error(error)
    scope = replace(ctx.scope, account_ids=(account_id,))  # the user's scope holds here too
    # the portfolio's health is scored once and kept, and the account's people are those of its
    # relationship map above: the next account's proposals read only what is theirs alone
    health_config = ctx.load(health.read_config)[0]  # as the pages pass it, so that they share one entry
    portfolio_health = loaded(health.read_health, ctx.as_of, replace(scope, account_ids=None), health_config)
    people = loaded(relationships.read_people, scope, ctx.as_of)
    found = ctx.load(proposals.read_proposals, scope, ctx.as_of, portfolio_health, people)
    for number, proposal in enumerate(found.to_dict("records")):
        text, accept, dismiss = st.columns([6, 1, 1])
        text.markdown(":material/lightbulb: " + t("actions.proposed", title=literal(proposals.title(proposal))))
        if may_edit:
            accept.button(t("actions.accept"), key=f"account_accept_{number}", on_click=_save, args=(
                ctx, "action_accept", account_id, lambda con, sc, p=proposal: proposals.accept(con, sc, p, user)))
            dismiss.button(t("actions.dismiss"), key=f"account_dismiss_{number}", on_click=_save, args=(
                ctx, "proposal_dismiss", account_id, lambda con, sc, p=proposal: proposals.dismiss(con, sc, p, user)))
    actions = ctx.load(action_plans.read_actions, scope, ctx.as_of)
    if actions.empty:
        st.caption(t("actions.none"))
    else:
        overdue = action_plans.compute_overdue_count(actions)
        if overdue:
            st.caption(":red[" + t("actions.overdue_count", count=format_int(overdue)) + "]")
        show_table(_action_table(actions), {
            "title": Col(t("actions.col_title")), "owner": Col(t("actions.col_owner")),
            "due_date": Col(t("actions.col_due"), "date"), "status": Col(t("actions.col_status")),
            "overdue": Col(t("actions.col_overdue")), "priority": Col(t("actions.col_priority")),
            "reason": Col(t("actions.col_reason")), "closing_note": Col(t("actions.col_closing_note")),
        }, key="account_actions")
    if not may_edit:
        return
    refs = list(actions["action_ref"])
    titles = dict(zip(actions["action_ref"], actions["title"]))
    choice = st.selectbox(t("actions.edit_which"), [None, *refs], key=EDIT_KEY,
                          format_func=lambda ref: t("actions.new") if ref is None else titles[ref])
    current = actions.set_index("action_ref").loc[choice] if choice else None
    team = ctx.load(relationships.read_people, scope, ctx.as_of).team
    with st.form(f"account_action_form_{choice or 'new'}", clear_on_submit=choice is None):
        suffix = choice or "new"
        title = st.text_input(t("actions.col_title"), value="" if current is None else current["title"],
                              key=f"account_action_title_{suffix}")
        owner_col, due_col = st.columns(2)
        owner = owner_col.text_input(t("actions.col_owner"), value="" if current is None else (current["owner"] or ""),
                                     placeholder=", ".join(dict.fromkeys(team["member_name"])),
                                     key=f"account_action_owner_{suffix}")
        due = due_col.date_input(t("actions.col_due"), value=ctx.as_of + timedelta(days=14) if current is None
                                 else current["due_date"], key=f"account_action_due_{suffix}")
        status_col, priority_col, reason_col = st.columns(3)
        status = status_col.selectbox(t("actions.col_status"), action_plans.STATUSES,
                                      index=0 if current is None else action_plans.STATUSES.index(current["status"]),
                                      format_func=lambda s: t(f"actions.status.{s}"), key=f"account_action_status_{suffix}")
        priority = priority_col.selectbox(t("actions.col_priority"), action_plans.PRIORITIES,
                                          index=1 if current is None or not isinstance(current["priority"], str)
                                          else action_plans.PRIORITIES.index(current["priority"]),
                                          format_func=lambda p: t(f"actions.priority.{p}"),
                                          key=f"account_action_priority_{suffix}")
        reason = reason_col.selectbox(t("actions.col_reason"), action_plans.REASON_KINDS,
                                      index=3 if current is None else action_plans.REASON_KINDS.index(current["reason_kind"]),
                                      format_func=lambda r: t(f"actions.reason_kind.{r}"),
                                      key=f"account_action_reason_{suffix}")
        note = st.text_area(t("actions.col_closing_note"), value="" if current is None else (current["closing_note"] or ""),
                            height=68, key=f"account_action_note_{suffix}")
        if st.form_submit_button(t("actions.save") if current is not None else t("actions.add"), type="primary",
                                 key=f"account_action_submit_{suffix}"):
            closed_on = ctx.as_of if status in action_plans.CLOSED_STATUSES else None
            if current is not None and isinstance(current["closed_on"], date) and status in action_plans.CLOSED_STATUSES:
                closed_on = current["closed_on"]
            draft = ActionDraft(title, owner, due, status, priority, reason, note, closed_on)
            if current is None:
                _save(ctx, "action_create", account_id,
                      lambda con, sc: action_plans.create_action(con, sc, account_id, draft, user))
            else:
                _save(ctx, "action_edit", account_id,
                      lambda con, sc: action_plans.update_action(con, sc, choice, draft, user, ctx.as_of))
            st.rerun()
    if current is not None:
        st.button(t("actions.undo"), key="account_action_undo", on_click=_save, args=(
            ctx, "action_undo", account_id,
            lambda con, sc: choice if action_plans.undo_last_change(con, sc, choice, user, ctx.as_of) else None))


def _red_without_plan(actions: pd.DataFrame, listing: pd.DataFrame) -> pd.DataFrame:
    covered = action_plans.compute_accounts_with_open_action(actions)
    red = listing[listing["colour"] == "red"]
    return red[~red["account_id"].isin(covered)]


def render_red_plans(ctx: PageContext, listing: pd.DataFrame) -> None:
    """Health: whether each red account has an open action (the ones without first)."""
    columns = [c for c in ("account_id", "account", "account_name", "account_name_en", "revenue_at_risk") if c in listing]
    red = listing.loc[listing["colour"] == "red", columns]  # the listing has ~90 columns: copy the few shown
    if red.empty:
        return
    actions = ctx.load(action_plans.read_actions, ctx.scope, ctx.as_of)
    covered = action_plans.compute_accounts_with_open_action(actions)
    table = red.assign(has_plan=red["account_id"].isin(covered)).sort_values(
        ["has_plan", "revenue_at_risk"], ascending=[True, False], kind="stable")
    missing = int((~table["has_plan"]).sum())
    st.markdown(f"**{t('actions.red_plans_title')}**")
    st.caption(t("actions.red_plans_summary", red=format_int(len(table)), missing=format_int(missing)))
    shown = table.head(10)
    show_table(pd.DataFrame({
        "account_id": shown["account_id"],
        "account": shown["account"] if "account" in shown else display_names(shown),
        "plan": [t("actions.plan_open") if has else t("actions.plan_missing") for has in shown["has_plan"]],
        "revenue_at_risk": shown["revenue_at_risk"],
    }), {
        "account": Col(t("common.account"), "account"), "plan": Col(t("actions.col_plan")),
        "revenue_at_risk": Col(t("common.revenue_at_risk"), "money"),
    }, key="health_red_plans")


def render_overview_actions(ctx: PageContext, listing: pd.DataFrame) -> None:
    """Overview: overdue actions and red accounts without a plan."""
    actions = ctx.load(action_plans.read_actions, ctx.scope, ctx.as_of)
    overdue = actions[actions["is_overdue"]].sort_values("days_overdue", ascending=False, kind="stable")
    without = _red_without_plan(actions, listing)
    left, right = st.columns(2)
    left.metric(t("actions.overdue_metric"), format_int(len(overdue)), border=True, help=t("actions.overdue_help"))
    right.metric(t("actions.red_without_plan"), format_int(len(without)), border=True,
                 help=t("actions.red_without_plan_help"))
    if len(overdue):
        top = overdue.head(5)
        with left:
            show_table(pd.DataFrame({
                "account_id": top["account_id"], "account": display_names(top), "title": top["title"],
                "owner": top["owner"], "days": top["days_overdue"],
            }), {
                # half the page: the four fit its column at 1366 px
                "account": Col(t("common.account"), "account", width=130), "title": Col(t("actions.col_title"), width=140),
                "owner": Col(t("actions.col_owner"), width=60), "days": Col(t("actions.col_days_overdue"), "count", width=70),
            }, key="overview_overdue_actions")
    if len(without):
        top = without.head(5)
        with right:
            show_table(pd.DataFrame({
                "account_id": top["account_id"], "account": display_names(top),
                "revenue_at_risk": top["revenue_at_risk"],
            }), {
                "account": Col(t("common.account"), "account"),
                "revenue_at_risk": Col(t("common.revenue_at_risk"), "money"),
            }, key="overview_red_without_plan")


def display_names(frame: pd.DataFrame) -> list[str]:
    """Account names as the UI shows them (the demo's in English in the English UI)."""
    names_en = frame["account_name_en"] if "account_name_en" in frame else [None] * len(frame)
    return [account_display_name(name, english) for name, english in zip(frame["account_name"], names_en)]
