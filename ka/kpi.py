"""KPI scorecards: how each KA manager and each account stands against targets, in one composite.

Fourteen KPIs in four dimensions (customer, performance, strategic, process); each KPI's value is
pooled over the group's accounts (a manager's churn rate is their churned accounts over their
accounts active in the prior period, not an average of account rates). Definitions are in
ka/sql/scorecard_values.sql and shown in the app.

Targets come from the `targets` table (scope 'ka_manager' or 'account', scope_id, period key,
metric = KPI name). scope_id '*' is the default for every manager (or account) of that period;
a target for the named manager or account wins. Visits per month without a target are judged
against the tier's promised cadence (sum over the group's accounts).

Three process KPIs come from the action plans and relationships (ka/action_plans.py,
ka/relationships.py), as of the period's end: actions closed on time, executive-visit
compliance and relationship coverage. Like every KPI they are scored only where a target exists.

Attainment and score:
- higher is better: attainment = value / target when target > 0; else 1 when value ≥ target, 0 otherwise;
- lower is better: attainment = target / value when both > 0; else 1 when value ≤ target, 0 otherwise;
- score = attainment clipped to [0, 1]; status green when attainment ≥ 100 %, yellow when ≥ 80 %,
  red below; a KPI without data or without a target has no score and stays out of the composite.
- composite (0–100) = 100 × Σ_dim W_dim × dimension score / Σ W_dim, where a dimension score is the
  weighted mean of its scored KPIs; dimensions (and KPIs) without a score are left out and the
  remaining weights renormalised.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import duckdb
import numpy as np
import pandas as pd

from ka import action_plans, db, overview, relationships, tiers
from ka.cells import export_frame
from ka.periods import Period, add_months, as_of_for, quarter_period, shift_year
from ka.scope import ALL, Scope


@dataclass(frozen=True)
class Kpi:
    name: str
    dimension: str
    higher_is_better: bool
    unit: str  # "pct" (a fraction), "amount" (money), "number", "days"


DIMENSIONS = ("customer", "performance", "strategic", "process")
KPIS = (
    Kpi("renewal_rate", "customer", True, "pct"),
    Kpi("nps", "customer", True, "number"),
    Kpi("churn_rate", "customer", False, "pct"),
    Kpi("revenue", "performance", True, "amount"),
    Kpi("revenue_growth", "performance", True, "pct"),
    Kpi("gp_contribution", "performance", True, "pct"),
    Kpi("cross_sell_revenue", "performance", True, "amount"),
    Kpi("strategic_projects", "strategic", True, "number"),
    Kpi("strategic_retention", "strategic", True, "pct"),
    Kpi("visits_per_month", "process", True, "number"),
    Kpi("resolution_days", "process", False, "days"),
    Kpi("actions_on_time", "process", True, "pct"),
    Kpi("executive_visit_compliance", "process", True, "pct"),
    Kpi("relationship_coverage", "process", True, "pct"),
)
KPI_BY_NAME = {kpi.name: kpi for kpi in KPIS}
KPI_NAMES = tuple(KPI_BY_NAME)

# level → the targets.scope of its targets (scorecard_values.sql groups by $level)
LEVELS = {"manager": "ka_manager", "account": "account"}
DEFAULT_SCOPE_ID = "*"  # a target for every manager / account of the level
STATUSES = ("green", "yellow", "red", "no_target", "no_data")

@dataclass(frozen=True)
class ScorecardConfig:
    green_from: float = 1.0
    yellow_from: float = 0.8


@dataclass(frozen=True)
class Weights:
    """Raw weights (any non-negative numbers; shares are what counts). Hashable for st.cache_data."""

    dimensions: tuple[tuple[str, float], ...] = tuple((d, 1.0) for d in DIMENSIONS)
    kpis: tuple[tuple[str, float], ...] = tuple((k, 1.0) for k in KPI_NAMES)

    @classmethod
    def from_dicts(cls, dimensions: dict[str, float], kpis: dict[str, float]) -> "Weights":
        return cls(
            tuple((d, float(dimensions.get(d, 1.0))) for d in DIMENSIONS),
            tuple((k, float(kpis.get(k, 1.0))) for k in KPI_NAMES),
        )

    def dimension(self, name: str) -> float:
        return dict(self.dimensions)[name]

    def kpi(self, name: str) -> float:
        return dict(self.kpis)[name]

    def dimension_shares(self) -> dict[str, float]:
        total = sum(max(w, 0.0) for _, w in self.dimensions)
        return {d: (max(w, 0.0) / total if total else 0.0) for d, w in self.dimensions}

    def kpi_shares(self) -> dict[str, float]:
        """Effective share of each KPI in the composite when every KPI has a score (sums to 1)."""
        dimension_shares = self.dimension_shares()
        shares = {}
        for dimension in DIMENSIONS:
            names = [k.name for k in KPIS if k.dimension == dimension]
            total = sum(max(self.kpi(n), 0.0) for n in names)
            for name in names:
                shares[name] = dimension_shares[dimension] * (max(self.kpi(name), 0.0) / total if total else 0.0)
        return shares


# --- periods and targets ---------------------------------------------------------------------
def target_period_key(period: Period) -> str:
    """How a period is named in the targets table: '2026-Q3', '2026-09', '2026', else 'start..end'.

    Decided by the dates, not the kind, so CLI --from 2026-07-01 --to 2026-09-30 finds '2026-Q3'."""
    if period.is_month_aligned and period.start.year == period.end.year:
        if period.months == 1:
            return f"{period.start:%Y-%m}"
        if period.months == 3 and period.start.month % 3 == 1:
            return f"{period.start.year}-Q{(period.start.month - 1) // 3 + 1}"
        if period.months == 12:
            return f"{period.start.year}"
    return f"{period.start.isoformat()}..{period.end.isoformat()}"


def period_months(period: Period) -> float:
    """Months in the period for per-month rates: whole months, or days / 30.4375."""
    return tiers.window_months(period)


def trend_quarters(period: Period, count: int = 8) -> list[Period]:
    """The `count` calendar quarters up to the one holding the period's end, oldest first."""
    last = quarter_period(period.end.year, (period.end.month - 1) // 3 + 1)
    quarters = []
    for back in range(count - 1, -1, -1):
        start = add_months(last.start, -3 * back)
        quarters.append(quarter_period(start.year, (start.month - 1) // 3 + 1))
    return quarters


def read_targets(con: duckdb.DuckDBPyConnection, level: str, period_key: str) -> pd.DataFrame:
    """Targets of one level and period: the imported ones, overridden by the ones set in the app.

    A target set in the app (state store) holds until an import batch published after it changes
    the same target; removing one in the app hides the imported value likewise.
    """
    scope = LEVELS[level]
    imported = db.query_rows(
        con,
        """
        select t.scope_id, t.metric, t.target, max(b.batch_id) as changed_by_batch
        from targets t
        left join import_replaced_targets r using (scope, scope_id, period, metric)
        left join import_batches b on b.batch_id = r.batch_id and b.status = 'active'
        where t.scope = ? and t.period = ?
        group by all
        """,
        [scope, period_key],
    )
    targets = {(scope_id, metric): (value, batch or 0) for scope_id, metric, value, batch in imported}
    for scope_id, metric, value, after_batch in db.state_of(con).read(
        "select scope_id, metric, target, after_batch from target_edits where scope = ? and period = ?",
        [scope, period_key],
    ):
        changed_by_batch = targets.get((scope_id, metric), (None, 0))[1]
        if changed_by_batch <= after_batch:
            targets[(scope_id, metric)] = (None if value is None else Decimal(value), after_batch)
    rows = sorted((scope_id, metric, float(value)) for (scope_id, metric), (value, _) in targets.items() if value is not None)
    return pd.DataFrame(rows, columns=["scope_id", "metric", "target"]).astype({"target": "float64"})


def save_target(
    con: duckdb.DuckDBPyConnection, level: str, scope_id: str, period_key: str, metric: str, target: float | None
) -> None:
    """Set (or, with None, remove) one target; replaces any earlier target of the same key.

    Written to the state store, so it never waits for an import and every app process sees it
    on its next run.
    """
    if metric not in KPI_BY_NAME:
        raise ValueError(f"unknown KPI {metric!r}")
    scope = LEVELS[level]
    latest_batch = db.query_rows(con, "select coalesce(max(batch_id), 0) from import_batches")[0][0]
    with db.state_of(con).transaction() as state:
        state.execute(
            "insert into target_edits (scope, scope_id, period, metric, target, after_batch, edited_at) "
            "values (?, ?, ?, ?, ?, ?, datetime('now')) on conflict (scope, scope_id, period, metric) do update set "
            "target = excluded.target, after_batch = excluded.after_batch, edited_at = excluded.edited_at",
            [scope, scope_id, period_key, metric, None if target is None else str(Decimal(str(target))), latest_batch],
        )


# --- raw values ------------------------------------------------------------------------------
def history_window(period: Period) -> Period:
    """The 12 months before the period (cross-sell looks for categories bought there)."""
    end = period.start - timedelta(days=1)
    if period.is_month_aligned:
        return Period(add_months(period.start, -12), end)
    return Period(shift_year(period.start, -1), end)


def read_cadences(con: duckdb.DuckDBPyConnection, periods: Sequence[Period]) -> pd.DataFrame:
    """Promised visits per month of each tiered account in each of `periods` (period_index,
    account_id, visits_per_month): the tier of the whole portfolio in the period (saved tier
    settings), so a sidebar filter never changes an account's promise."""
    settings = tiers.read_tier_settings(con)
    config, cadence = settings["config"], settings["visits_per_month"]
    tiered = tiers.read_windows_tiers(con, [tiers.tier_window(period, config.window) for period in periods], ALL, config)
    return pd.DataFrame({
        "period_index": tiered["window_index"].astype("int64"), "account_id": tiered["account_id"].astype(str),
        "visits_per_month": tiered["tier"].map({tier: float(v) for tier, v in cadence.items()}).fillna(0.0),
    })


def read_scorecard_values(
    con: duckdb.DuckDBPyConnection, periods: Sequence[Period], scope: Scope, level: str, cadences: pd.DataFrame,
) -> pd.DataFrame:
    """Raw figures per period and manager or account (see scorecard_values.sql), all periods in one
    statement: period_index is the period's place in `periods`, `cadences` their read_cadences.
    Money as float (the scorecard shows ratios and rounded amounts; exact totals are the overview's
    job)."""
    if level not in LEVELS:
        raise ValueError(f"unknown level {level!r}")
    spans = {"": periods, "prior_": [p.prior() for p in periods], "yoy_": [p.year_ago() for p in periods],
             "history_": [history_window(p) for p in periods]}
    # one list per account, a value per period (NaN: not tiered then): 5,000 ids bound instead of 40,000
    promised = cadences.pivot(index="account_id", columns="period_index", values="visits_per_month").reindex(
        columns=range(len(periods)))
    params = {"level": level, **scope.params(),
              **{f"{prefix}starts": [p.start for p in chosen] for prefix, chosen in spans.items()},
              **{f"{prefix}ends": [p.end for p in chosen] for prefix, chosen in spans.items()},
              "cadence_account_ids": promised.index.tolist(), "cadence_visits_per_month": promised.to_numpy().tolist()}
    return db.query_df(con, db.load_sql("scorecard_values"), params)


PROCESS_COUNTS = ["actions_due", "actions_on_time_count", "rule_accounts", "compliant_accounts",
                  "key_contacts", "covered_key_contacts"]


def read_process_values(
    con: duckdb.DuckDBPyConnection, period: Period, scope: Scope, level: str, actions: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Per manager or account (group_id), the counts behind the three process KPIs (PROCESS_COUNTS),
    as of the period's end (the data's last day in a period still running):
    - actions due in the period and not cancelled, and those done by their due date;
    - accounts whose tier has an executive-visit rule, and those visited by an executive within it;
    - key contacts (active decision makers and executives), and those with a green relationship.

    `actions` are the scope's actions (action_plans.read_scope_actions), when already read for
    another period: they do not depend on it."""
    counts = read_periods_process_values(con, [period], scope, level, actions)
    return counts.drop(columns="period_index")


def read_periods_process_values(
    con: duckdb.DuckDBPyConnection, periods: Sequence[Period], scope: Scope, level: str,
    actions: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """read_process_values of each of `periods` in one frame (period_index: the period's place in
    `periods`), the relationship counts of all read in one statement."""
    data_end = overview.read_data_range(con)[1]
    as_ofs = [as_of_for(period, data_end) if data_end else period.end for period in periods]
    every_account = db.query_df(con, db.load_sql("scorecard_process_accounts"), {
        "level": level, **scope.params(), "as_ofs": as_ofs})
    rule = relationships.read_executive_visit_days(con)
    rule_tiers = relationships.read_rule_tiers_of_days(con, scope, as_ofs).rename(columns={"window_index": "period_index"})
    accounts = every_account.merge(rule_tiers, on=["period_index", "account_id"], how="left")
    allowed = accounts["tier"].map(rule).astype("float64")  # days between executive visits, NaN: no rule
    as_of_days = pd.to_datetime(pd.Series(as_ofs, dtype="object")).to_numpy()[accounts["period_index"].to_numpy()]
    visited = (as_of_days - pd.to_datetime(accounts["last_executive_visit"])).dt.days  # days ago, NaN: never
    accounts = accounts.assign(rule_accounts=allowed.notna(), compliant_accounts=visited <= allowed)

    if actions is None:
        actions = action_plans.read_scope_actions(con, scope)
    open_actions = actions[actions["status"] != "cancelled"]
    due = pd.to_datetime(pd.Series(open_actions["due_date"], dtype="object")).to_numpy()
    closed = pd.to_datetime(pd.Series(open_actions["closed_on"], dtype="object")).to_numpy()
    on_time = (open_actions["status"] == "done").to_numpy() & (closed <= due)  # NaT (not closed) compares false
    starts = np.array([np.datetime64(period.start) for period in periods], dtype="datetime64[ns]")
    ends = np.array([np.datetime64(period.end) for period in periods], dtype="datetime64[ns]")
    period_of, action_of = np.nonzero((due >= starts[:, None]) & (due <= ends[:, None]))  # due in the period
    per_account = pd.DataFrame({
        "period_index": period_of, "account_id": open_actions["account_id"].to_numpy()[action_of],
        "actions_due": 1, "actions_on_time_count": on_time[action_of].astype(int),
    }).groupby(["period_index", "account_id"], as_index=False)[["actions_due", "actions_on_time_count"]].sum()
    merged = accounts.merge(per_account, on=["period_index", "account_id"], how="left").fillna(
        {"actions_due": 0, "actions_on_time_count": 0})
    return merged.groupby(["period_index", "group_id"], as_index=False)[PROCESS_COUNTS].sum()


def _ratio(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    """numerator / denominator, NaN (no data) where the denominator is 0 or missing."""
    denominator = denominator.astype("float64")
    return numerator.astype("float64").div(denominator.where(denominator != 0))


def compute_kpi_values(raw: pd.DataFrame, months: float | pd.Series) -> pd.DataFrame:
    """One row per group with every KPI's value (NaN where the group has no data for it). `months`: the
    period's length, or each row's when the rows are of several periods."""
    out = raw[["group_id", "account_name", "account_name_en", "ka_manager", "accounts"]].copy()
    yoy = raw["yoy_revenue"].astype("float64")
    portfolio_gp = raw["portfolio_gross_profit"].astype("float64")
    has_strategic = (raw["strategic_accounts"] > 0) | (raw["strategic_projects"] > 0)
    out["renewal_rate"] = _ratio(raw["contracts_renewed"], raw["contracts_ending"])
    out["nps"] = _ratio(raw["nps_sum"], raw["nps_surveys"])
    out["churn_rate"] = _ratio(raw["churned"], raw["prior_active"])
    out["revenue"] = raw["revenue"].astype("float64")
    out["revenue_growth"] = _ratio(out["revenue"] - yoy, yoy.abs())
    out["gp_contribution"] = _ratio(raw["gross_profit"], portfolio_gp.where(portfolio_gp > 0))
    out["cross_sell_revenue"] = raw["cross_sell_revenue"].astype("float64")
    out["strategic_projects"] = raw["strategic_projects"].astype("float64").where(has_strategic)
    out["strategic_retention"] = _ratio(raw["strategic_retained"], raw["strategic_prior_active"])
    months = pd.Series(months, index=raw.index, dtype="float64")
    out["visits_per_month"] = raw["visits"].astype("float64") / months.where(months != 0)
    out["resolution_days"] = raw["median_resolution_days"].astype("float64").where(raw["tickets_resolved"] > 0)
    out["actions_on_time"] = _ratio(raw["actions_on_time_count"], raw["actions_due"])
    out["executive_visit_compliance"] = _ratio(raw["compliant_accounts"], raw["rule_accounts"])
    out["relationship_coverage"] = _ratio(raw["covered_key_contacts"], raw["key_contacts"])
    out["promised_visits_per_month"] = raw["promised_visits_per_month"].astype("float64")
    return out.reset_index(drop=True)


# --- attainment and composite ----------------------------------------------------------------
def _target_matrix(values: pd.DataFrame, targets: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Targets (groups × KPIs) and where each comes from: own, default ('*'), cadence or None."""
    # filled target by target (a period has a few dozen): a pivot table took 5 ms per call, and a page run
    # scores nine periods
    rows: dict[str, list[int]] = {}
    for row, group in enumerate(values["group_id"].astype(str)):
        rows.setdefault(group, []).append(row)
    own = np.full((len(values), len(KPI_NAMES)), np.nan)
    default = np.full(len(KPI_NAMES), np.nan)
    for scope_id, metric, value in zip(targets["scope_id"], targets["metric"], targets["target"].astype("float64")):
        if metric not in KPI_BY_NAME or np.isnan(value):  # as a pivot table would, and a later row overrides
            continue
        column = KPI_NAMES.index(metric)
        if scope_id == DEFAULT_SCOPE_ID:
            default[column] = value
        else:
            own[rows.get(str(scope_id), []), column] = value
    cadence = np.full(own.shape, np.nan)
    promised = values["promised_visits_per_month"].to_numpy(dtype="float64")
    cadence[:, KPI_NAMES.index("visits_per_month")] = np.where(promised > 0, promised, np.nan)
    default = np.broadcast_to(default, own.shape)
    target = np.where(~np.isnan(own), own, np.where(~np.isnan(default), default, cadence))
    source = np.select(
        [~np.isnan(own), ~np.isnan(default), ~np.isnan(cadence)], ["own", "default", "cadence"], ""
    ).astype(object)
    source[source == ""] = None
    return target, source


def compute_kpi_scores(values: pd.DataFrame, targets: pd.DataFrame, config: ScorecardConfig = ScorecardConfig()) -> pd.DataFrame:
    """Long frame: one row per group × KPI (in KPIS order) with value, target, target_source,
    attainment, score and status (green / yellow / red / no_target / no_data).

    target_source: 'own' (the group's target), 'default' (scope_id '*'), 'cadence' (the tier's
    promised visits for visits per month), None (no target).
    """
    value = values[list(KPI_NAMES)].to_numpy(dtype="float64")
    target, source = _target_matrix(values, targets)
    higher = np.array([k.higher_is_better for k in KPIS])
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(
            higher,
            np.where(target > 0, value / target, np.nan),
            np.where((value > 0) & (target > 0), target / value, np.nan),
        )
    meets = np.where(higher, value >= target, value <= target).astype("float64")
    has_both = ~np.isnan(value) & ~np.isnan(target)
    attainment = np.where(has_both, np.where(np.isnan(ratio), meets, ratio), np.nan)
    status = np.select(
        [np.isnan(value), np.isnan(target), attainment >= config.green_from, attainment >= config.yellow_from],
        ["no_data", "no_target", "green", "yellow"], "red",
    )
    groups, kpis = len(values), len(KPIS)
    return pd.DataFrame({
        "group_id": np.repeat(values["group_id"].to_numpy(dtype=object), kpis),
        "kpi": np.tile(np.array(KPI_NAMES, dtype=object), groups),
        "dimension": np.tile(np.array([k.dimension for k in KPIS], dtype=object), groups),
        "value": value.ravel(),
        "target": target.ravel(),
        "target_source": source.ravel(),
        "attainment": attainment.ravel(),
        "score": np.clip(attainment, 0.0, 1.0).ravel(),
        "status": status.ravel().astype(object),
    })


def _combine(score: np.ndarray, weights: Weights) -> tuple[np.ndarray, np.ndarray]:
    """Of a matrix of KPI scores (one row per group, one column per KPI of KPI_NAMES, NaN = not scored): the
    dimension scores (0–1, one column per dimension) and the composite (0–100, NaN when nothing is scored)."""
    is_scored = ~np.isnan(score)
    kpi_weight = np.clip(np.array([weights.kpi(k) for k in KPI_NAMES]), 0.0, None)
    membership = np.array([[k.dimension == d for d in DIMENSIONS] for k in KPIS], dtype="float64")  # KPIs × dimensions
    numerator = np.where(is_scored, score, 0.0) * kpi_weight @ membership
    denominator = is_scored * kpi_weight @ membership
    with np.errstate(divide="ignore", invalid="ignore"):
        dimension_score = np.where(denominator > 0, numerator / denominator, np.nan)
        dimension_weight = np.clip(np.array([weights.dimension(d) for d in DIMENSIONS]), 0.0, None)
        usable = ~np.isnan(dimension_score) & (dimension_weight > 0)
        total = usable @ dimension_weight
        composite = np.where(total > 0, 100 * (np.where(usable, dimension_score, 0.0) @ dimension_weight) / total, np.nan)
    return dimension_score, composite


def compute_composite(scores: pd.DataFrame, weights: Weights = Weights()) -> pd.DataFrame:
    """One row per group: composite (0–100, NaN when nothing is scored), the four dimension scores
    (0–100), the number of scored KPIs, and rank (1 = best; groups without a composite last, unranked)."""
    matrix = scores.pivot(index="group_id", columns="kpi", values="score").reindex(columns=list(KPI_NAMES))
    score = matrix.to_numpy(dtype="float64")
    is_scored = ~np.isnan(score)
    dimension_score, composite = _combine(score, weights)
    frame = pd.DataFrame({"group_id": matrix.index.to_numpy(dtype=object), "composite": composite})
    for i, dimension in enumerate(DIMENSIONS):
        frame[f"score_{dimension}"] = 100 * dimension_score[:, i]
    frame["kpis_scored"] = is_scored.sum(axis=1)
    frame = frame.sort_values(["composite", "group_id"], ascending=[False, True], na_position="last", ignore_index=True)
    ranked = int(frame["composite"].notna().sum())
    frame["rank"] = pd.array(list(range(1, ranked + 1)) + [None] * (len(frame) - ranked), dtype="Int64")
    return frame


def compute_status_counts(scores: pd.DataFrame) -> pd.DataFrame:
    """How many of each group's KPIs have each status: one row per group_id, one column per status of
    STATUSES (0 where none has it)."""
    counts = scores.groupby(["group_id", "status"]).size().unstack(fill_value=0)
    return counts.reindex(columns=list(STATUSES), fill_value=0)


# --- the whole scorecard ---------------------------------------------------------------------
@dataclass(frozen=True)
class Scorecards:
    level: str
    period: Period
    values: pd.DataFrame  # compute_kpi_values
    scores: pd.DataFrame  # compute_kpi_scores (long)
    composite: pd.DataFrame  # compute_composite, ranked; with the group's names


def compute_scorecards(
    level: str, period: Period, values: pd.DataFrame, targets: pd.DataFrame,
    weights: Weights = Weights(), config: ScorecardConfig = ScorecardConfig(),
) -> Scorecards:
    scores = compute_kpi_scores(values, targets, config)
    composite = compute_composite(scores, weights)
    names = values[["group_id", "account_name", "account_name_en", "ka_manager", "accounts"]]
    composite = composite.merge(names, on="group_id", how="left")
    return Scorecards(level, period, values, scores, composite)


def read_kpi_values(
    con: duckdb.DuckDBPyConnection, period: Period, scope: Scope, level: str, actions: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Every KPI's value per manager or account (the expensive part; targets and weights are not in it).
    `actions`: the scope's actions, when read already (see read_process_values)."""
    return read_periods_kpi_values(con, [period], scope, level, actions)[0]


def read_periods_kpi_values(
    con: duckdb.DuckDBPyConnection, periods: Sequence[Period], scope: Scope, level: str,
    actions: pd.DataFrame | None = None,
) -> list[pd.DataFrame]:
    """read_kpi_values of each of `periods`, their figures read in one statement each (the trend's eight
    quarters take less time than three read one by one)."""
    raw = read_scorecard_values(con, periods, scope, level, read_cadences(con, periods))
    process = read_periods_process_values(con, periods, scope, level, actions)
    figures = raw.merge(process, on=["period_index", "group_id"], how="left").fillna({name: 0 for name in PROCESS_COUNTS})
    values = compute_kpi_values(figures, figures["period_index"].map(dict(enumerate(map(period_months, periods)))))
    return [values[figures["period_index"].to_numpy() == index].reset_index(drop=True) for index in range(len(periods))]


def read_scorecards(
    con: duckdb.DuckDBPyConnection, period: Period, scope: Scope, level: str,
    weights: Weights = Weights(), config: ScorecardConfig = ScorecardConfig(),
) -> Scorecards:
    """Scorecards of every manager (level 'manager') or account (level 'account') in the scope."""
    values = read_kpi_values(con, period, scope, level)
    targets = read_targets(con, level, target_period_key(period))
    return compute_scorecards(level, period, values, targets, weights, config)


def compute_trend_scores(quarters: Sequence[Period], *values_then_targets: pd.DataFrame) -> pd.DataFrame:
    """KPI scores per group and quarter from each quarter's KPI values and then each quarter's targets
    (the page keeps every quarter on its own: the next period shares all but one of them)."""
    values, targets = values_then_targets[:len(quarters)], values_then_targets[len(quarters):]
    return pd.concat([compute_kpi_scores(v, t).assign(quarter_start=q.start, quarter=q.label())
                      for q, v, t in zip(quarters, values, targets, strict=True)], ignore_index=True)


def read_trend_scores(
    con: duckdb.DuckDBPyConnection, period: Period, scope: Scope, level: str, quarters: int = 8,
) -> pd.DataFrame:
    """KPI scores per group and calendar quarter, up to the one holding the period's end (the costly
    part of the trend: weights are applied afterwards, so a weight move reads nothing)."""
    chosen = trend_quarters(period, quarters)
    return compute_trend_scores(chosen, *read_periods_kpi_values(con, chosen, scope, level),
                                *[read_targets(con, level, target_period_key(q)) for q in chosen])


def compute_composite_trend(trend_scores: pd.DataFrame, weights: Weights = Weights()) -> pd.DataFrame:
    """Composite per group and calendar quarter (quarter_start, quarter, group_id, composite): every quarter
    combined in one matrix (a weight move recombines eight quarters; one compute_composite each took 8× as
    long), each quarter's groups by composite, best first, as compute_composite orders them."""
    columns = ["quarter_start", "quarter", "group_id", "composite"]
    if trend_scores.empty:
        return pd.DataFrame(columns=columns)
    matrix = trend_scores.pivot(index=columns[:3], columns="kpi", values="score").reindex(columns=list(KPI_NAMES))
    _, composite = _combine(matrix.to_numpy(dtype="float64"), weights)
    frame = matrix.index.to_frame(index=False).assign(composite=composite)
    return frame.sort_values(["quarter_start", "quarter", "composite", "group_id"], ascending=[True, True, False, True],
                             na_position="last", ignore_index=True)[columns]


def read_composite_trend(
    con: duckdb.DuckDBPyConnection, period: Period, scope: Scope, level: str,
    weights: Weights = Weights(), quarters: int = 8,
) -> pd.DataFrame:
    """Composite per group and calendar quarter (quarter_start, quarter, group_id, composite)."""
    return compute_composite_trend(read_trend_scores(con, period, scope, level, quarters), weights)


def compute_scorecard_table(cards: Scorecards) -> pd.DataFrame:
    """Wide table for export: rank, group, composite, dimension scores, then per KPI value,
    target, attainment and status."""
    wide = cards.composite.copy()
    for kpi in KPI_NAMES:
        part = cards.scores[cards.scores["kpi"] == kpi].set_index("group_id")
        for column in ("value", "target", "attainment", "status"):
            wide[f"{kpi}_{column}"] = wide["group_id"].map(part[column])
    first = ["rank", "group_id", "account_name", "account_name_en", "ka_manager", "accounts", "composite"]
    if cards.level == "manager":
        first = ["rank", "group_id", "accounts", "composite"]
    rest = [c for c in wide.columns if c not in first and c not in ("account_name", "account_name_en", "ka_manager")]
    return wide[first + rest]


def scorecard_xlsx(frame: pd.DataFrame, sheet: str = "scorecards") -> bytes:
    """The table as an .xlsx file (openpyxl); text that a spreadsheet would run as a formula is neutralised."""
    import io

    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        export_frame(frame).to_excel(writer, sheet_name=sheet[:31], index=False)
    return buffer.getvalue()
