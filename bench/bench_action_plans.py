"""Times the relationship and action-plan readers at 5,000 accounts, warm, median of several runs:
what Account 360 reads for one account (people, proposals, actions), the whole portfolio's
relationship summary, actions and proposals, and the scorecards' process counts per level.

    python bench/bench_action_plans.py [--db /tmp/bench/demo10m.duckdb] [--runs 7]

The demo database must hold the people tables (a demo built by this version: contacts, account
team, assessments, actions).
"""

from __future__ import annotations

from common import load_average, machine, open_benchmark, warm_median_ms


def main() -> None:
    args, con, as_of = open_benchmark(__doc__)
    from ka import action_plans, kpi, proposals, relationships
    from ka.periods import default_period
    from ka.scope import Scope

    counts = {table: con.execute(f"select count(*) from {table}").fetchall()[0][0]  # noqa: S608 (fixed names)
              for table in ("transactions", "accounts", "contacts", "relationships", "actions")}
    print(", ".join(f"{value:,} {table}" for table, value in counts.items()))
    print(f"as of {as_of}; {machine()}; load average before: {load_average()}")
    # the red account with the most revenue at risk: the one whose proposals cost the most
    red = proposals.read_red_reasons(con, Scope(), as_of)
    account = red["account_id"].iloc[0] if len(red) else "KA00001"
    one = Scope(account_ids=(account,))
    period = default_period("quarter", as_of)
    cases = {
        f"Account 360, one account ({account}): people": lambda: relationships.read_people(con, one, as_of),
        "Account 360, one account: proposals": lambda: proposals.read_proposals(con, one, as_of),
        "Account 360, one account: actions": lambda: action_plans.read_actions(con, one, as_of),
        "portfolio: relationship summary": lambda: relationships.read_relationship_summary(con, Scope(), as_of),
        "portfolio: actions (Overview, Health)": lambda: action_plans.read_actions(con, Scope(), as_of),
        f"scorecards: process counts per manager ({period.label()})":
            lambda: kpi.read_process_values(con, period, Scope(), "manager"),
        f"scorecards: process counts per account ({period.label()})":
            lambda: kpi.read_process_values(con, period, Scope(), "account"),
        "portfolio: proposals (not read by any page)": lambda: proposals.read_proposals(con, Scope(), as_of),
    }
    for name, action in cases.items():
        median, _ = warm_median_ms(action, args.runs)
        print(f"{name}: {median:,.0f} ms")
    print(f"load average after: {load_average()}")


if __name__ == "__main__":
    main()
