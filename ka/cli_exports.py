"""What `python -m ka export --what NAME` can print. Each exporter returns a DataFrame.

Add an exporter: write `export_<name>(con, period, args)` and list it in EXPORTERS; options
it needs go in EXTRA_OPTIONS (shared by all exporters, so name them clearly).
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Callable, TextIO

import pandas as pd

from ka import action_plans, db, health, kpi, overview, relationships, tiers, whatif
from ka.cells import export_frame
from ka.periods import Period


def export_overview(con, period: Period, args) -> pd.DataFrame:
    """One row: the overview KPIs of the period (all accounts), money as exact decimals."""
    kpis = overview.read_overview_kpis(con, period, args.scope)
    return pd.DataFrame([kpis.as_dict()], dtype=object)


def export_dependency(con, period: Period, args) -> pd.DataFrame:
    """Per account of the period: share, industry, coefficient, dependency index, above threshold."""
    threshold = getattr(args, "dependency_threshold", None)
    threshold = whatif.DEFAULT_THRESHOLD if threshold is None else threshold
    if not 0 < threshold <= 1:
        raise db.DataError("dependency_threshold_range")
    derived = bool(getattr(args, "derived_coefficients", False))
    return whatif.read_dependency_export(con, period, args.scope, threshold, derived)


def export_tiers(con, period: Period, args) -> pd.DataFrame:
    """Per account: metric value (exact), share, cumulative share, tier; the saved rule unless
    --method / --metric say otherwise."""
    config = tiers.read_tier_settings(con)["config"]
    changes = {name: getattr(args, name, None) for name in ("method", "metric")}
    config = replace(config, **{name: value for name, value in changes.items() if value})
    return tiers.read_tier_export(con, period, args.scope, config)


def export_scorecards(con, period: Period, args) -> pd.DataFrame:
    """One row per KA manager (or account): rank, composite, dimension scores, and per KPI its
    value, target, attainment and status, with equal weights and the targets of the period."""
    level = getattr(args, "by", None) or "manager"
    return kpi.compute_scorecard_table(kpi.read_scorecards(con, period, args.scope, level))


def export_health(con, period: Period, args) -> pd.DataFrame:
    """Per account as of the month end of --as-of (default: the data's last day; a date inside a
    month means the month end before it): score, colour, each measure's value and points, reasons."""
    as_of = getattr(args, "as_of", None) or overview.read_data_range(con)[1]
    if as_of is None:
        raise db.DataError("no_transactions")
    return health.compute_export(health.read_health(con, as_of, args.scope))


def export_health_backtest(con, period: Period, args) -> pd.DataFrame:
    """Colours at every month end with 3 following months in the data against churn in them."""
    rule = health.ChurnRule(getattr(args, "churn_rule", None) or "no_order", getattr(args, "churn_drop", None) or 0.5)
    data_end = overview.read_data_range(con)[1]
    table, summary = health.compute_backtest(health.read_health_history(con, args.scope), rule, data_end)
    return health.compute_backtest_export(table, summary, rule)


def _as_of(con, args) -> date:
    """--as-of, else the data's as-of date, else today (a database with no order lines yet)."""
    return getattr(args, "as_of", None) or overview.read_data_range(con)[1] or date.today()


def export_actions(con, period: Period, args) -> pd.DataFrame:
    """Every action (imported and made in the app), overdue as of --as-of (default: the data's as-of date)."""
    actions = action_plans.read_actions(con, args.scope, _as_of(con, args))
    return actions.drop(columns=["cause_episode"])


def export_relationships(con, period: Period, args) -> pd.DataFrame:
    """One row per account: contacts, coverage, single-threaded, executive freshness as of --as-of."""
    return relationships.read_relationship_summary(con, args.scope, _as_of(con, args))


EXPORTERS: dict[str, Callable] = {
    "overview": export_overview,
    "dependency": export_dependency,
    "tiers": export_tiers,
    "scorecards": export_scorecards,
    "health": export_health,
    "health-backtest": export_health_backtest,
    "actions": export_actions,
    "relationships": export_relationships,
}
EXTRA_OPTIONS: dict[str, dict] = {
    "--method": {"choices": ["cumulative", "bands", "topn"], "help": "tiers: tier method (default: the saved one)"},
    "--metric": {"choices": ["revenue", "gross_profit"], "help": "tiers: tier metric (default: the saved one)"},
    "--dependency-threshold": {"type": float, "help": "dependency: alert threshold of the index (default 0.4)"},
    "--derived-coefficients": {
        "action": "store_true", "help": "dependency: derive industry coefficients instead of the saved ones"},
    "--by": {"choices": ["manager", "account"], "default": "manager",
             "help": "scorecards: one row per KA manager or account"},
    "--as-of": {"type": date.fromisoformat, "help": "health: the date to measure at (its month end, or the one before); "
                                           "actions, relationships: the date (default: the data's as-of date)"},
    "--churn-rule": {"choices": ["no_order", "revenue_drop"],
                     "help": "health-backtest: what counts as churn (default no_order)"},
    "--churn-drop": {"type": float,
                     "help": "health-backtest: revenue drop that counts as churn with revenue_drop (default 0.5)"},
}


def _plain(value):
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, float) and value != value:
        return None
    return value


def write(frame: pd.DataFrame, fmt: str, out: TextIO) -> None:
    """CSV or JSON records; Decimals are written as exact strings, never as floats."""
    records = [{key: _plain(value) for key, value in row.items()} for row in frame.to_dict("records")]
    if fmt == "json":
        json.dump(records, out, ensure_ascii=False, indent=2)
        out.write("\n")
    else:
        export_frame(pd.DataFrame(records, columns=list(frame.columns))).to_csv(out, index=False, lineterminator="\n")
