"""Proposed actions: what the data says someone should do next, for the user to accept, edit or dismiss.

Three causes propose an action, each named by a `cause` (which account, which gap) and dated by an
`episode` (since when the gap has been there):

- a red health reason: cause `health:<account>:<measure>` for each of a red account's top reasons;
  episode = the first month end of the account's current run of red month ends;
- an uncovered decision maker (an active decision maker without a green relationship): cause
  `uncovered:<account>:<contact>`; episode = the day the contact lost its last green relationship
  (`never` when it never had one);
- an overdue executive visit (relationships.py): cause `executive_visit:<account>`; episode = the
  last executive visit (`never`) and the tier's rule, so a new visit or a stricter tier is a new episode.

A proposal is not shown while an open action of the app has its cause, nor when an action accepted
from it (in any status) or a dismissal has its cause *and* episode. So a dismissed proposal does not
come back while its cause lasts; it comes back only when the cause went away and returned (a new
episode), e.g. the account turned yellow and red again, or the contact was green and lost it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, timezone

import duckdb
import pandas as pd

from ka import action_plans, db, health, relationships
from ka.i18n import t
from ka.periods import add_months, month_end, month_start
from ka.scope import Scope

HEALTH_HISTORY_MONTHS = 24  # how far back a red run is traced (longer runs date from its start)
DUE_IN_DAYS = 14            # a proposal's suggested due date: this many days after the date
PROPOSAL_COLUMNS = ["account_id", "account_name", "cause", "episode", "kind", "subject", "reason_kind", "priority",
                    "owner", "due_date"]


@dataclass(frozen=True)
class ProposalInputs:
    """What proposals are computed from (small frames; see read_proposal_inputs)."""

    red_reasons: pd.DataFrame     # account_id, account_name, measure, red_since (date)
    summary: pd.DataFrame         # relationships.compute_relationship_summary
    contacts: pd.DataFrame        # relationships.compute_contact_relationships
    assessments: pd.DataFrame     # the assessment history
    team: pd.DataFrame            # account_id, team_role, member_name
    as_of: date


def title(proposal: dict) -> str:
    """The suggested action's title in the current language."""
    if proposal["kind"] == "health":
        return t("actions.proposal.health", measure=t(f"health.measure.{proposal['subject']}"))
    if proposal["kind"] == "uncovered":
        return t("actions.proposal.uncovered", contact=proposal["subject"])
    return t("actions.proposal.executive_visit")


# --- pure -----------------------------------------------------------------------------------
def compute_red_runs(history: pd.DataFrame, as_of_month: date) -> dict[str, date]:
    """account → the first month end of its current run of red month ends ending at `as_of_month`
    (history: account_id, as_of, colour at consecutive month ends)."""
    runs: dict[str, date] = {}
    ordered = history.sort_values(["account_id", "as_of"], ascending=[True, False], kind="stable")
    for account_id, rows in ordered.groupby("account_id", sort=False):
        start, expected = None, as_of_month
        for month, colour in zip(rows["as_of"], rows["colour"]):
            if month != expected or colour != "red":  # a month end not scored ends the run too
                break
            start, expected = month, month_start(month) - timedelta(days=1)
        if start is not None:
            runs[account_id] = start
    return runs


def compute_proposals(inputs: ProposalInputs, actions: pd.DataFrame, dismissed: set[tuple[str, str]]) -> pd.DataFrame:
    """The proposals not yet taken up (PROPOSAL_COLUMNS), by account then cause."""
    owners = _owners(inputs.team)
    names = dict(zip(inputs.summary["account_id"], inputs.summary["account_name"]))
    due = inputs.as_of + timedelta(days=DUE_IN_DAYS)
    candidates = []
    for row in inputs.red_reasons.itertuples(index=False):
        candidates.append((row.account_id, f"health:{row.account_id}:{row.measure}", row.red_since.isoformat(),
                           "health", row.measure, "health", "high", owners.get((row.account_id, "ka_manager"))))
    uncovered = inputs.contacts[
        inputs.contacts["is_active"].astype(bool) & (inputs.contacts["buying_role"] == "decision_maker")
        & (inputs.contacts["best_colour"] != "green")]
    uncovered_since = relationships.compute_uncovered_since(inputs.assessments)
    for row in uncovered.itertuples(index=False):
        since = uncovered_since.get((row.account_id, row.contact_name))
        candidates.append((row.account_id, f"uncovered:{row.account_id}:{row.contact_name}",
                           since.isoformat() if since else "never", "uncovered", row.contact_name, "relationship",
                           "medium", owners.get((row.account_id, "ka_manager"))))
    overdue = inputs.summary[inputs.summary["executive_visit_overdue"].astype(bool)]
    for row in overdue.itertuples(index=False):
        last = row.last_executive_visit.isoformat() if row.last_executive_visit else "never"
        owner = owners.get((row.account_id, "executive_sponsor")) or owners.get((row.account_id, "ka_manager"))
        candidates.append((row.account_id, f"executive_visit:{row.account_id}", f"{last}/{int(row.executive_visit_days)}d",
                           "executive_visit", None, "relationship", "high" if row.tier == "A" else "medium", owner))
    app = actions[actions["cause"].notna()] if len(actions) else actions
    open_causes = set(app.loc[app["status"].isin(action_plans.OPEN_STATUSES), "cause"]) if len(app) else set()
    taken = set(zip(app["cause"], app["cause_episode"])) if len(app) else set()
    rows = [
        {"account_id": account_id, "account_name": names.get(account_id), "cause": cause, "episode": episode,
         "kind": kind, "subject": subject, "reason_kind": reason_kind, "priority": priority, "owner": owner,
         "due_date": due}
        for account_id, cause, episode, kind, subject, reason_kind, priority, owner in candidates
        if cause not in open_causes and (cause, episode) not in taken and (cause, episode) not in dismissed
    ]
    frame = pd.DataFrame(rows, columns=PROPOSAL_COLUMNS, dtype=object)
    return frame.sort_values(["account_id", "cause"], kind="stable", ignore_index=True)


def _owners(team: pd.DataFrame) -> dict[tuple[str, str], str]:
    """(account, role) → the first of our people in that role."""
    owners: dict[tuple[str, str], str] = {}
    for account_id, role, member in zip(team["account_id"], team["team_role"], team["member_name"]):
        owners.setdefault((account_id, role), member)
    return owners


# --- reading --------------------------------------------------------------------------------
def read_red_reasons(
    con: duckdb.DuckDBPyConnection, scope: Scope, as_of: date, portfolio_health: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Each red account's top reasons (account_id, account_name, measure, red_since) as of the month end of `as_of`.

    `portfolio_health`: health.read_health of the portfolio (the scope without its account list) for
    `as_of`, when read already; one account's proposals then do not score the whole portfolio again."""
    month = health.latest_month_end(as_of)
    # scored within the portfolio the accounts belong to, so an account is red here exactly when the
    # Health page says so (the visit cadence follows a tier drawn over that portfolio)
    listing = health.read_health(con, as_of, replace(scope, account_ids=None)) if portfolio_health is None \
        else portfolio_health
    if scope.account_ids is not None:
        listing = listing[listing["account_id"].isin(scope.account_ids)]
    red = listing[listing["colour"] == "red"]
    columns = ["account_id", "account_name", "measure", "red_since"]
    if red.empty:
        return pd.DataFrame(columns=columns)
    first = month_end(add_months(month_start(month), -(HEALTH_HISTORY_MONTHS - 1)))
    config = health.read_config(con)[0]
    inputs = health.read_health_inputs(con, first, month, Scope(account_ids=tuple(sorted(red["account_id"]))))
    history = inputs[["account_id", "as_of"]].join(health.compute_colours(inputs, config))
    runs = compute_red_runs(history, month)
    rows = []
    for item in red.to_dict("records"):
        measures = [item[f"reason_{k}"] for k in (1, 2, 3) if isinstance(item.get(f"reason_{k}"), str)]
        if item.get("is_overridden") and "recency" not in measures:
            measures.insert(0, "recency")
        for measure in measures:
            rows.append((item["account_id"], item["account_name"], measure, runs.get(item["account_id"], month)))
    return pd.DataFrame(rows, columns=columns)


def read_proposal_inputs(
    con: duckdb.DuckDBPyConnection, scope: Scope, as_of: date, portfolio_health: pd.DataFrame | None = None,
    people: relationships.People | None = None,
) -> ProposalInputs:
    people = relationships.read_people(con, scope, as_of) if people is None else people
    return ProposalInputs(
        red_reasons=read_red_reasons(con, scope, as_of, portfolio_health),
        summary=relationships.compute_relationship_summary(people, relationships.read_executive_visit_days(con)),
        contacts=relationships.compute_contact_relationships(people.contacts, people.assessments),
        assessments=people.assessments,
        team=people.team,
        as_of=as_of,
    )


def read_dismissed(con: duckdb.DuckDBPyConnection) -> set[tuple[str, str]]:
    return {(cause, episode) for cause, episode in db.state_of(con).read("select cause, episode from proposal_dismissals")}


def read_proposals(
    con: duckdb.DuckDBPyConnection, scope: Scope, as_of: date, portfolio_health: pd.DataFrame | None = None,
    people: relationships.People | None = None,
) -> pd.DataFrame:
    """The proposed actions of the scope's accounts. What a page has read already may be passed:
    `portfolio_health` (see read_red_reasons) and `people` (relationships.read_people of the same scope and day)."""
    actions = action_plans.read_actions(con, scope, as_of)
    inputs = read_proposal_inputs(con, scope, as_of, portfolio_health, people)
    return compute_proposals(inputs, actions, read_dismissed(con))


# --- taking a proposal up ---------------------------------------------------------------------
def dismiss(con: duckdb.DuckDBPyConnection, scope: Scope, proposal: dict, user: str) -> None:
    """Hide the proposal until its cause changes (a new episode)."""
    if proposal["account_id"] not in action_plans.read_scoped_account_ids(con, scope):
        raise action_plans.ActionRefused("not_in_scope", account=proposal["account_id"])
    with db.state_of(con).transaction() as sql:
        sql.execute(
            "insert into proposal_dismissals (cause, episode, account_id, dismissed_at, dismissed_by) "
            "values (?, ?, ?, ?, ?) on conflict (cause, episode) do nothing",
            [proposal["cause"], proposal["episode"], proposal["account_id"],
             datetime.now(timezone.utc).isoformat(timespec="seconds"), user])


def undo_dismissal(con: duckdb.DuckDBPyConnection, cause: str, episode: str) -> None:
    with db.state_of(con).transaction() as sql:
        sql.execute("delete from proposal_dismissals where cause = ? and episode = ?", [cause, episode])


def accept(con: duckdb.DuckDBPyConnection, scope: Scope, proposal: dict, user: str,
           draft: action_plans.ActionDraft | None = None) -> str:
    """Make the proposal an action (as proposed, or as the user edited it); returns its ref."""
    draft = draft or action_plans.ActionDraft(
        title=title(proposal), owner=proposal["owner"], due_date=proposal["due_date"],
        priority=proposal["priority"], reason_kind=proposal["reason_kind"])
    return action_plans.create_action(con, scope, proposal["account_id"], draft, user,
                                      cause=proposal["cause"], cause_episode=proposal["episode"])
