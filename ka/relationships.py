"""Who knows whom at an account: contacts, our account team, relationship assessments, and what
they say — coverage, a single-threaded warning and executive freshness.

Where the data lives: contacts, the team and the assessments are imported master data (the
tables `contacts`, `account_team`, `relationships`, kept in the published database with undo,
like the accounts master); the accounts master's KA manager is the team's KA manager wherever the
team file names none. A visit that names a contact of executive level is an executive visit.

Definitions, all as of a date (the data's as-of date unless one is given):

- The **latest** assessment of a (contact × team member) pair counts; earlier ones are history.
  Two assessments of a pair on the same day: the worse colour counts (the cautious reading).
- A contact's **best relationship** is the best latest colour over our team (green > yellow > red);
  none when nobody has assessed them.
- **Key contacts** are the active contacts who are decision makers or of executive level.
  **Coverage** = key contacts with a green best relationship ÷ key contacts (none without key contacts).
- **Single-threaded**: exactly one of our people holds all the account's green relationships
  (one person leaving would take them with them). No green relationship at all is not
  single-threaded: coverage 0 says that.
- **Executive freshness**: days from the last executive visit to the date, against the tier's rule
  (`EXECUTIVE_VISIT_DAYS`, editable: A 30 days, B 90, C none). Overdue when the rule applies and
  the days exceed it, or no executive visit was ever recorded. The tier is the tier page's, drawn
  over the 12 months ending at the month end of the date (as health draws it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

import duckdb
import pandas as pd

from ka import db, tiers
from ka.health import latest_month_end
from ka.periods import trailing_12_months
from ka.scope import Scope

LEVELS = ("executive", "management", "operational")
BUYING_ROLES = ("decision_maker", "influencer", "user", "champion", "blocker")
TEAM_ROLES = ("ka_manager", "solution_manager", "delivery_manager", "executive_sponsor")
COLOURS = ("red", "yellow", "green")  # worst to best
COLOUR_RANK = {colour: rank for rank, colour in enumerate(COLOURS)}
EXECUTIVE_VISIT_DAYS: dict[str, int | None] = {"A": 30, "B": 90, "C": None}
SETTINGS_KEY = "executive_visit_days"

SUMMARY_COLUMNS = [
    "account_id", "account_name", "tier", "contacts", "key_contacts", "covered_key_contacts", "coverage",
    "green_members", "single_threaded", "last_executive_visit", "days_since_executive_visit",
    "executive_visit_days", "executive_visit_overdue",
]


@dataclass(frozen=True)
class People:
    """The relationship data of the accounts of a scope as of a date (small frames, one per table)."""

    accounts: pd.DataFrame      # account_id, account_name, account_name_en, ka_manager
    contacts: pd.DataFrame      # account_id, account_name, contact_name, title, level, buying_role, reports_to, ...
    team: pd.DataFrame          # account_id, team_role, member_name
    assessments: pd.DataFrame   # account_id, contact_name, member_name, colour, assessed_on, note (history)
    executive_visits: pd.DataFrame  # account_id, last_executive_visit
    tiers: dict[str, str]       # account_id → tier (accounts with orders in the tier window)
    as_of: date


# --- settings -------------------------------------------------------------------------------
def read_executive_visit_days(con: duckdb.DuckDBPyConnection) -> dict[str, int | None]:
    """The days each tier allows between executive visits (None: no rule), saved or default."""
    saved = db.get_setting(con, SETTINGS_KEY, {}) or {}
    rule = dict(EXECUTIVE_VISIT_DAYS)
    for tier, days in saved.items():
        if tier in rule and (days is None or (isinstance(days, int) and days > 0)):
            rule[tier] = days
    return rule


def save_executive_visit_days(con: duckdb.DuckDBPyConnection, rule: dict[str, int | None]) -> None:
    for tier, days in rule.items():
        if tier not in EXECUTIVE_VISIT_DAYS or not (days is None or (isinstance(days, int) and days > 0)):
            raise ValueError(f"not an executive visit rule: {tier} = {days!r}")
    db.put_setting(con, SETTINGS_KEY, {**EXECUTIVE_VISIT_DAYS, **rule})


# --- reading --------------------------------------------------------------------------------
def read_rule_tiers(con: duckdb.DuckDBPyConnection, scope: Scope, as_of: date) -> dict[str, str]:
    """account_id → the tier the executive-visit rule reads: drawn over the 12 months to the month
    end of `as_of`, within the portfolio the accounts belong to (the filters without an account
    list), as on the other pages; asked for one account alone, it would always be an A."""
    tiered = read_rule_tiers_of_days(con, scope, [as_of])
    return dict(zip(tiered["account_id"], tiered["tier"]))


def read_rule_tiers_of_days(con: duckdb.DuckDBPyConnection, scope: Scope, as_ofs: Sequence[date]) -> pd.DataFrame:
    """read_rule_tiers as of each of `as_ofs` (window_index: the day's place in them), their values
    read in one statement."""
    config = tiers.read_tier_settings(con)["config"]
    windows = [tiers.tier_window(trailing_12_months(latest_month_end(as_of)), config.window) for as_of in as_ofs]
    return tiers.read_windows_tiers(con, windows, replace(scope, account_ids=None), config)


def read_people(con: duckdb.DuckDBPyConnection, scope: Scope, as_of: date) -> People:
    params = scope.params()
    dated = {**params, "as_of": as_of}
    return People(
        accounts=db.query_df(con, db.load_sql("relationship_accounts"), params),
        contacts=db.query_df(con, db.load_sql("relationship_contacts"), params),
        team=db.query_df(con, db.load_sql("relationship_team"), params),
        assessments=_dates(db.query_df(con, db.load_sql("relationship_assessments"), dated), "assessed_on"),
        executive_visits=_dates(db.query_df(con, db.load_sql("relationship_executive_visits"), dated),
                                "last_executive_visit"),
        tiers=read_rule_tiers(con, scope, as_of),
        as_of=as_of,
    )


def _dates(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    frame[column] = [None if pd.isna(value) else pd.Timestamp(value).date() for value in frame[column]]
    return frame


# --- pure -----------------------------------------------------------------------------------
def compute_latest(assessments: pd.DataFrame) -> pd.DataFrame:
    """The assessment that counts per (account, contact, team member): the latest; on one day the worst."""
    if assessments.empty:
        return assessments.assign(rank=pd.Series(dtype="int64"))
    ranked = assessments.assign(rank=assessments["colour"].map(COLOUR_RANK))
    ranked = ranked.sort_values(["account_id", "contact_name", "member_name", "assessed_on", "rank"],
                                ascending=[True, True, True, False, True], kind="stable")
    return ranked.drop_duplicates(["account_id", "contact_name", "member_name"]).reset_index(drop=True)


def compute_contact_relationships(contacts: pd.DataFrame, assessments: pd.DataFrame) -> pd.DataFrame:
    """Each contact with its best relationship (None: never assessed), the team members who hold it
    green, and whether it is a key contact (active, and a decision maker or of executive level)."""
    best: dict[tuple[str, str], int] = {}
    holders: dict[tuple[str, str], list[str]] = {}
    latest = compute_latest(assessments)
    for account_id, contact, member, rank in zip(latest["account_id"], latest["contact_name"], latest["member_name"],
                                                 latest["rank"]):
        key = (account_id, contact)
        best[key] = max(best.get(key, rank), rank)
        if rank == COLOUR_RANK["green"]:
            holders.setdefault(key, []).append(member)
    out = contacts.copy()
    keys = list(zip(out["account_id"], out["contact_name"]))
    out["best_colour"] = pd.Series([COLOURS[best[key]] if key in best else None for key in keys], index=out.index,
                                   dtype=object)
    out["green_with"] = pd.Series([tuple(sorted(holders.get(key, ()))) for key in keys], index=out.index, dtype=object)
    out["is_key"] = out["is_active"].astype(bool) & (
        (out["buying_role"] == "decision_maker") | (out["level"] == "executive"))
    return out


def compute_relationship_summary(people: People, rule: dict[str, int | None] | None = None) -> pd.DataFrame:
    """One row per account of the scope (SUMMARY_COLUMNS): coverage, single-threaded, executive freshness."""
    rule = EXECUTIVE_VISIT_DAYS if rule is None else rule
    contacts = compute_contact_relationships(people.contacts, people.assessments)
    active = contacts[contacts["is_active"].astype(bool)]
    key = contacts[contacts["is_key"]]
    counts = active.groupby("account_id").size()
    key_counts = key.groupby("account_id").size()
    covered = key[key["best_colour"] == "green"].groupby("account_id").size()
    # green relationships count with contacts the account still has (an active contact of it)
    members: dict[str, set[str]] = {}
    for (account_id, _), names in zip(zip(active["account_id"], active["contact_name"]), active["green_with"]):
        members.setdefault(account_id, set()).update(names)
    last_visit = dict(zip(people.executive_visits["account_id"], people.executive_visits["last_executive_visit"]))
    rows = []
    for account_id, account_name in zip(people.accounts["account_id"], people.accounts["account_name"]):
        keys, held = int(key_counts.get(account_id, 0)), int(covered.get(account_id, 0))
        green_members = len(members.get(account_id, ()))
        tier = people.tiers.get(account_id)
        allowed = rule.get(tier) if tier else None
        visited = last_visit.get(account_id)
        days = (people.as_of - visited).days if visited else None
        rows.append((
            account_id, account_name, tier, int(counts.get(account_id, 0)), keys, held,
            held / keys if keys else None, green_members, green_members == 1, visited, days, allowed,
            allowed is not None and (days is None or days > allowed),
        ))
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS).astype(
        {"coverage": object, "days_since_executive_visit": object, "executive_visit_days": object})


def compute_uncovered_since(assessments: pd.DataFrame) -> dict[tuple[str, str], date | None]:
    """(account, contact) → the day the contact lost its last green relationship (None: it never had
    one; contacts green today are left out). It dates the cause of an "uncovered decision maker"
    proposal: the same gap keeps its date until the contact is green again."""
    ordered = sorted(zip(assessments["account_id"], assessments["contact_name"], assessments["assessed_on"],
                         assessments["member_name"], assessments["colour"].map(COLOUR_RANK)))
    result: dict[tuple[str, str], date | None] = {}
    green = COLOUR_RANK["green"]
    index = 0
    while index < len(ordered):
        contact = ordered[index][:2]
        latest: dict[str, int] = {}
        was_green, since = False, None
        while index < len(ordered) and ordered[index][:2] == contact:
            day = ordered[index][2]
            on_day: dict[str, int] = {}
            while index < len(ordered) and ordered[index][:3] == (*contact, day):
                member, rank = ordered[index][3], ordered[index][4]
                on_day[member] = min(rank, on_day.get(member, rank))  # the worse on one day
                index += 1
            latest.update(on_day)
            is_green = max(latest.values()) == green
            if was_green and not is_green:
                since = day
            was_green = is_green
        if not was_green:
            result[contact] = since
    return result


def compute_org_chart(contacts: pd.DataFrame) -> pd.DataFrame:
    """The contacts of one account with their depth under the top (a contact reporting to nobody, to
    someone not among the contacts, or in a loop is at the top, depth 0), in chart order: each
    contact right after its manager, siblings by name."""
    names = set(contacts["contact_name"])
    boss = {name: (manager if manager in names and manager != name else None)
            for name, manager in zip(contacts["contact_name"], contacts["reports_to"])}
    # a loop (A reports to B reports to A): the one first by name goes to the top
    for name in sorted(names):
        seen, current = set(), name
        while boss.get(current) is not None and current not in seen:
            seen.add(current)
            current = boss[current]
        if current in seen:
            boss[min(seen)] = None
    children: dict[str | None, list[str]] = {}
    for name in sorted(names):
        children.setdefault(boss[name], []).append(name)
    order: list[tuple[str, int]] = []

    def walk(parent: str | None, depth: int) -> None:
        for child in children.get(parent, []):
            order.append((child, depth))
            walk(child, depth + 1)

    walk(None, 0)
    depth = dict(order)
    out = contacts.set_index("contact_name").loc[[name for name, _ in order]].reset_index()
    out["depth"] = [depth[name] for name in out["contact_name"]]
    out["manager"] = pd.Series([boss[name] for name in out["contact_name"]], index=out.index, dtype=object)
    return out


def compute_who_knows_whom(contacts: pd.DataFrame, assessments: pd.DataFrame, team: pd.DataFrame) -> pd.DataFrame:
    """One account's grid: a row per contact (chart order kept), a column per team member (team
    first, then anyone else who assessed), each cell the pair's latest colour or None."""
    latest = compute_latest(assessments)
    by_role = team.assign(order=team["team_role"].map({role: n for n, role in enumerate(TEAM_ROLES)}))
    ours = list(by_role.sort_values(["order", "member_name"], kind="stable")["member_name"])
    members = list(dict.fromkeys([*ours, *sorted(set(latest["member_name"]) - set(ours))]))
    colour = {(c, m): col for c, m, col in zip(latest["contact_name"], latest["member_name"], latest["colour"])}
    grid = pd.DataFrame(
        [[colour.get((contact, member)) for member in members] for contact in contacts["contact_name"]],
        columns=members, index=list(contacts["contact_name"]), dtype=object,
    )
    return grid


def read_relationship_summary(con: duckdb.DuckDBPyConnection, scope: Scope, as_of: date) -> pd.DataFrame:
    return compute_relationship_summary(read_people(con, scope, as_of), read_executive_visit_days(con))
