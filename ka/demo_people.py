"""The demo portfolio's people: contacts, account teams, relationship assessments and action plans,
and the contact each visit met (so executive visits can be told apart).

Drawn from a generator of their own (seeded from the demo's seed), so the order lines, visits,
tickets and surveys of the demo are exactly what they were before these existed. The stories show:

- decline_churn accounts: the relationship sours before the revenue falls — the decision makers,
  green until then, turn yellow about four months before the decline starts and red two months before,
  executives are no longer visited, and a recovery action is open and overdue;
- ramp_up accounts: relationships turn green as the account grows;
- elsewhere, a few actions of the large accounts are open past their due date (overdue).
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from ka.periods import add_months

SOLUTION_MANAGERS = ["林涛", "周敏", "吴昊", "郑欣"]
DELIVERY_MANAGERS = ["马丽", "孙杰", "朱琳", "胡斌"]
EXECUTIVE_SPONSORS = ["何志远", "罗振华"]
SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢")
GIVEN_NAMES = ["建国", "丽华", "志强", "海燕", "伟", "敏", "强", "静", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛",
               "明", "超", "秀英", "霞", "平", "刚", "桂英", "文", "华", "晨", "宇", "欣怡", "浩", "思远"]
# title, level, buying role, reports to (index of an earlier contact, or None): the org chart of a large
# account; smaller accounts have the first few of these people
ROLES = [
    ("总经理", "executive", "decision_maker", None),
    ("采购总监", "management", "influencer", 0),
    ("采购专员", "operational", "user", 1),
    ("IT 总监", "management", "decision_maker", 0),
    ("系统管理员", "operational", "champion", 3),
    ("财务总监", "executive", "blocker", 0),
]
ACTION_TITLES = ["季度业务回顾准备", "续约方案沟通", "新产品线试用推进", "服务满意度回访", "交付问题复盘",
                 "年度框架协议谈判", "技术方案交流会", "高层互访安排"]
COLOURS = ("red", "yellow", "green")


def build_people(spec, accounts: pd.DataFrame, stories: list[tuple], visits: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """contacts, account_team, relationships and actions frames, and the visits with contact_name."""
    rng = np.random.default_rng([spec.seed, 18])
    n, m = spec.accounts, spec.months
    first_month = spec.first_month
    decline_start = {account_id: start for account_id, story, start in stories if story == "decline_churn"}
    ramping = {account_id for account_id, story, _ in stories if story == "ramp_up"}
    contacts, team, assessments, actions = [], [], [], []
    used_names: set[tuple[str, str]] = set()
    for i in range(n):
        account_id, manager = accounts.account_id[i], accounts.ka_manager[i]
        large, medium = i < max(1, n // 10), i < max(2, (n * 4) // 10)
        people = ROLES[: 6 if large else 4 if medium else 2]
        names = [_name(rng, account_id, used_names) for _ in people]
        for k, (title, level, role, boss) in enumerate(people):
            contacts.append((account_id, names[k], title, level, role, None if boss is None else names[boss],
                             None, None, not (large and k == 2 and rng.random() < 0.3)))
        ours = {"ka_manager": manager}
        if medium:
            ours["solution_manager"] = SOLUTION_MANAGERS[i % len(SOLUTION_MANAGERS)]
            ours["delivery_manager"] = DELIVERY_MANAGERS[(i // 2) % len(DELIVERY_MANAGERS)]
        if large:
            ours["executive_sponsor"] = EXECUTIVE_SPONSORS[i % len(EXECUTIVE_SPONSORS)]
        team += [(account_id, role, member) for role, member in ours.items() if role != "ka_manager"]
        # quarterly assessments over the last two years (large and medium accounts) or one year
        quarters = 8 if medium else 4
        dates = [add_months(first_month, m - 1 - 3 * q).replace(day=15) for q in range(quarters)][::-1]
        declines = decline_start.get(account_id)
        for k, (_, level, role, _) in enumerate(people):
            members = [manager]
            if level == "management" and "solution_manager" in ours:
                members.append(ours["solution_manager"])
            if level == "executive" and "executive_sponsor" in ours:
                members.append(ours["executive_sponsor"])
            for member in members:
                state = int(rng.choice(3, p=[0.1, 0.3, 0.6]))
                for day in dates:
                    state = _next_state(rng, state)
                    colour = COLOURS[state]
                    if account_id in ramping and day >= add_months(first_month, m - 12):
                        colour = "green"
                    if declines is not None and role == "decision_maker":  # a good account going bad
                        if day >= add_months(declines, -2):
                            colour = "red"
                        elif day >= add_months(declines, -4):
                            colour = "yellow"
                        else:
                            colour = "green"
                    assessments.append((account_id, names[k], member, colour, day, None))
        actions += _actions(rng, spec, account_id, manager, ours, large, medium, declines)
    visits = visits.assign(contact_name=_visit_contacts(rng, visits, contacts, decline_start))
    return {
        "contacts": pd.DataFrame(contacts, columns=["account_id", "contact_name", "title", "level", "buying_role",
                                                    "reports_to", "email", "phone", "is_active"]),
        "account_team": pd.DataFrame(team, columns=["account_id", "team_role", "member_name"]),
        "relationships": pd.DataFrame(assessments, columns=["account_id", "contact_name", "member_name", "colour",
                                                            "assessed_on", "note"]),
        "actions": pd.DataFrame(actions, columns=["account_id", "title", "owner", "due_date", "status", "priority",
                                                  "reason_kind", "closing_note", "closed_on"]),
        "visits": visits,
    }


def _name(rng, account_id: str, used: set[tuple[str, str]]) -> str:
    while True:
        name = str(rng.choice(SURNAMES)) + str(rng.choice(GIVEN_NAMES))
        if (account_id, name) not in used:
            used.add((account_id, name))
            return name


def _next_state(rng, state: int) -> int:
    """A colour that mostly stays, sometimes moves one step (relationships change slowly)."""
    step = rng.random()
    if step < 0.12:
        return max(0, state - 1)
    if step < 0.30:
        return min(2, state + 1)
    return state


def _actions(rng, spec, account_id, manager, ours, large, medium, declines) -> list[tuple]:
    rows = []
    if declines is not None:  # the recovery plan, late
        due = add_months(declines, 2)
        rows.append((account_id, "客户挽回计划：高层会谈", ours.get("executive_sponsor", manager), due, "in_progress",
                     "high", "health", None, None))
    if not medium or rng.random() > (0.8 if large else 0.35):
        return rows
    for k in range(int(rng.integers(1, 4))):
        due = spec.end + timedelta(days=int(rng.integers(-90, 75)))
        owner = [manager, *ours.values()][int(rng.integers(0, len(ours)))]
        draw = rng.random()
        if due >= spec.end:
            status, closed = ("open" if draw < 0.6 else "in_progress"), None
        elif draw < 0.55:
            status, closed = "done", min(spec.end, due + timedelta(days=int(rng.integers(-10, 15))))
        elif draw < 0.65:
            status, closed = "cancelled", due
        else:
            status, closed = ("open" if draw < 0.8 else "in_progress"), None  # overdue
        note = {"done": "已完成", "cancelled": "客户需求变化，取消"}.get(status)
        title = ACTION_TITLES[(k + int(rng.integers(0, len(ACTION_TITLES)))) % len(ACTION_TITLES)]
        rows.append((account_id, title, owner, due, status, str(rng.choice(["high", "medium", "low"])),
                     str(rng.choice(["manual", "kpi", "relationship", "health"], p=[0.4, 0.2, 0.25, 0.15])),
                     note, closed))
    # one action per title and due date (the key of an imported action)
    seen, unique = set(), []
    for row in rows:
        if (row[1], row[3]) not in seen:
            seen.add((row[1], row[3]))
            unique.append(row)
    return unique


def _visit_contacts(rng, visits: pd.DataFrame, contacts: list[tuple], decline_start: dict[str, date]) -> list:
    """The contact each visit met: an executive on about half of the visits, nobody named on some
    online ones; a declining account's executives are no longer met once its relationship sours."""
    by_account: dict[str, tuple[list[str], list[str]]] = {}
    for account_id, name, _, level, *_ in contacts:
        executives, others = by_account.setdefault(account_id, ([], []))
        (executives if level == "executive" else others).append(name)
    met = []
    for account_id, day, kind in zip(visits["account_id"], visits["visit_date"], visits["kind"]):
        executives, others = by_account.get(account_id, ([], []))
        draw = rng.random()
        souring = account_id in decline_start and day >= add_months(decline_start[account_id], -4)
        if kind == "online" and draw < 0.3:
            met.append(None)
        elif executives and not souring and rng.random() < 0.6:
            met.append(executives[int(rng.integers(0, len(executives)))])
        elif others:
            met.append(others[int(rng.integers(0, len(others)))])
        else:
            met.append(None)
    return met
