"""What-if: customer dependency, concentration, and scenarios a director can try with sliders.

Definitions (the page's help texts repeat them):

- **share** of an account = its net revenue in the period ÷ the sum of the net revenue of all
  accounts with *positive* net revenue. An account whose net revenue is zero or negative
  (returns exceed purchases) has share 0 and is flagged `is_nonpositive`.
- **dependency index** = share × the concentration coefficient of the account's industry.
  Coefficients default to 1.0; "derived from the portfolio" sets each industry's coefficient to
  its share of positive revenue × the number of industries with positive revenue, rounded to
  0.01 (1.0 when all industries weigh the same, above 1 for an industry the portfolio leans on).
- an account is **above the threshold** when its index is strictly greater than the threshold.
  The **new revenue needed** is the revenue R from new customers that brings the index down to
  the threshold: (r / (T + R)) × c = θ, so R = r × c / θ − T (r = account revenue, T = positive total),
  rounded to 0.0001 like all money.
- **concentration** of the active accounts (positive net revenue): top-1/5/10 share, HHI = Σ
  (share × 100)², 0–10,000, and the Gini coefficient of the Lorenz curve (0 = all equal).
- **retention by tier** (annual): among accounts active in the same period a year earlier, by
  their tier then, the fraction still active in the selected period. A tier with no such
  accounts uses the portfolio's rate; with none at all, 100 %.
- **projection**: year 0 is the selected period; in year k an account of tier t is expected to
  bring its period revenue (and gross profit) × retention_t^k. Periods of the same length as the
  selected one, no growth or price change assumed, so retention alone moves the curve.

Everything here works on the account-level frame of `read_account_frame` (a few thousand
rows), never on transactions, so a slider move recomputes in milliseconds.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import duckdb
import numpy as np
import pandas as pd

from ka import db, tiers
from ka.periods import Period
from ka.scope import Scope, period_params

DEFAULT_THRESHOLD = 0.4
DEFAULT_HHI_BANDS = (1500.0, 2500.0)  # below: unconcentrated; up to and incl. the second: moderate; above: high
HHI_BAND_NAMES = ("unconcentrated", "moderate", "high")
UNKNOWN_INDUSTRY = "—"
NEW_ACCOUNT_PREFIX = "NEW-"
MAX_COMPARED = 3  # saved scenarios shown beside the current levers
SCENARIOS_KEY = "whatif.scenarios"
COEFFICIENTS_KEY = "whatif.coefficients"
TEXT = ["account_id", "account_name", "account_name_en", "industry"]
MONEY = ["revenue", "revenue_with_cost", "gross_profit", "prior_revenue", "year_ago_revenue"]


# --- the account-level frame -----------------------------------------------------------------
def read_account_frame(con: duckdb.DuckDBPyConnection, period: Period, scope: Scope) -> pd.DataFrame:
    """One row per scoped account with order lines in the period, the prior period or a year ago."""
    prior, year_ago = period.prior(), period.year_ago()
    sql = db.load_sql("whatif_accounts")
    params = {**scope.params(), **period_params(period), **period_params(prior, "prior_"),
              **period_params(year_ago, "yoy_")}
    frame = db.query_df(con, sql, params)
    for column in MONEY:
        frame[column] = frame[column].astype("float64")
    for column in TEXT:  # plain objects: mapping Arrow-backed strings is ~10× slower per slider move
        frame[column] = frame[column].astype(object)
    return frame


def read_tier_config(con: duckdb.DuckDBPyConnection) -> tiers.TierConfig:
    """The tiers page's method and thresholds, applied to net revenue of the selected period."""
    config = tiers.read_tier_settings(con)["config"]
    return dataclasses.replace(config, metric="revenue", window="period")


# --- shares and concentration -----------------------------------------------------------------
def compute_shares(revenue: pd.Series) -> pd.Series:
    """Share of the positive total; zero/negative net revenue has share 0 (all 0 when nothing is positive)."""
    positive = revenue.clip(lower=0.0)
    total = positive.sum()
    return positive / total if total > 0 else positive * 0.0


@dataclass(frozen=True)
class Concentration:
    active_accounts: int
    positive_revenue: float
    top1_share: float | None
    top5_share: float | None
    top10_share: float | None
    hhi: float | None
    gini: float | None

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)


def compute_concentration(revenue: pd.Series) -> Concentration:
    """Top-k shares, HHI and Gini over the accounts with positive net revenue (None when there are none)."""
    positive = np.sort(revenue[revenue > 0].to_numpy(dtype="float64"))[::-1]
    total = positive.sum()
    if total <= 0:
        return Concentration(0, 0.0, None, None, None, None, None)
    shares = positive / total
    ascending = positive[::-1]
    n = len(ascending)
    ranks = np.arange(1, n + 1)
    gini = float(2 * (ranks * ascending).sum() / (n * total) - (n + 1) / n)
    return Concentration(
        active_accounts=n,
        positive_revenue=float(total),
        top1_share=float(shares[:1].sum()),
        top5_share=float(shares[:5].sum()),
        top10_share=float(shares[:10].sum()),
        hhi=float(((shares * 100) ** 2).sum()),
        gini=max(gini, 0.0),  # one account: exactly 0 up to rounding
    )


def compute_concentration_change(current: Concentration, prior: Concentration) -> dict[str, float | None]:
    """Change of each measure against the prior period (absolute: points of share, HHI points, Gini)."""
    names = ("top1_share", "top5_share", "top10_share", "hhi", "gini")
    return {
        name: None if getattr(current, name) is None or getattr(prior, name) is None
        else getattr(current, name) - getattr(prior, name)
        for name in names
    }


def compute_lorenz(revenue: pd.Series) -> pd.DataFrame:
    """Lorenz curve of the active accounts, smallest first: (0, 0) … (1, 1)."""
    ascending = np.sort(revenue[revenue > 0].to_numpy(dtype="float64"))
    if len(ascending) == 0:
        return pd.DataFrame({"account_share": [0.0], "revenue_share": [0.0]})
    cumulative = np.concatenate([[0.0], np.cumsum(ascending) / ascending.sum()])
    accounts = np.arange(len(ascending) + 1) / len(ascending)
    return pd.DataFrame({"account_share": accounts, "revenue_share": cumulative})


def hhi_band(hhi: float | None, bands: tuple[float, float] = DEFAULT_HHI_BANDS) -> str | None:
    """unconcentrated below bands[0]; moderate from bands[0] up to and including bands[1]; high above."""
    if hhi is None:
        return None
    low, high = bands
    if hhi < low:
        return HHI_BAND_NAMES[0]
    return HHI_BAND_NAMES[1] if hhi <= high else HHI_BAND_NAMES[2]


# --- dependency index ----------------------------------------------------------------------------
def derive_coefficients(frame: pd.DataFrame) -> dict[str, float]:
    """Industry share of positive revenue × number of industries with positive revenue, to 0.01."""
    positive = frame.assign(positive=frame["revenue"].clip(lower=0.0)).groupby("industry")["positive"].sum()
    total = positive.sum()
    industries = int((positive > 0).sum())
    if total <= 0:
        return {industry: 1.0 for industry in positive.index}
    return {industry: round(float(value / total * industries), 2) for industry, value in positive.items()}


def coefficient_table(industries: list[str], saved: dict[str, float] | None) -> pd.DataFrame:
    """The editable table: every industry of the frame with its saved coefficient (default 1.0)."""
    saved = saved or {}
    names = sorted(set(industries))
    return pd.DataFrame({"industry": names, "coefficient": [float(saved.get(name, 1.0)) for name in names]})


def industry_coefficients(frame: pd.DataFrame, coefficients: dict[str, float]) -> np.ndarray:
    """Each row's industry coefficient (1.0 where none is set), looked up once per industry, not per row."""
    codes, industries = pd.factorize(frame["industry"].to_numpy(dtype=object))
    per_industry = np.array([float(coefficients.get(name, 1.0)) for name in industries] + [1.0], dtype="float64")
    return per_industry[codes]  # code −1 (a missing industry) picks the trailing 1.0


def compute_dependency(frame: pd.DataFrame, coefficients: dict[str, float], threshold: float) -> pd.DataFrame:
    """Share, coefficient, dependency index, alert flag and new revenue needed per account, largest index first."""
    if threshold <= 0:
        raise ValueError("the alert threshold must be above 0")
    out = frame[["account_id", "account_name", "account_name_en", "industry", "revenue"]].copy()
    total = float(frame["revenue"].clip(lower=0.0).sum())
    out["share"] = compute_shares(frame["revenue"])
    out["coefficient"] = industry_coefficients(frame, coefficients)
    out["dependency_index"] = out["share"] * out["coefficient"]
    out["is_above_threshold"] = out["dependency_index"] > threshold
    out["is_nonpositive"] = frame["revenue"] <= 0
    needed = out["revenue"].clip(lower=0.0) * out["coefficient"] / threshold - total
    # money to 4 decimals, as stored (drops float noise such as …15000004)
    out["new_revenue_needed"] = needed.where(out["is_above_threshold"], 0.0).clip(lower=0.0).round(4)
    return out.sort_values(["dependency_index", "account_id"], ascending=[False, True], ignore_index=True)


# --- tiers and retention ----------------------------------------------------------------------------
def tier_labels(account_ids: np.ndarray, values: np.ndarray, config: tiers.TierConfig) -> np.ndarray:
    """The tier of each value, in input order, by the tiers page's rule (tiers.compute_tiers)."""
    frame = pd.DataFrame({"account_id": account_ids, "value": values, "position": np.arange(len(values))})
    tiered = tiers.compute_tiers(frame, config)
    labels = np.empty(len(values), dtype=object)
    labels[tiered["position"].to_numpy()] = tiered["tier"].to_numpy()
    return labels


def tier_by_account(frame: pd.DataFrame, column: str, config: tiers.TierConfig) -> pd.Series:
    """Tier (A/B/C) of each row of `frame` by `column`, aligned to frame's index.

    Only rows with `has_orders` (order lines in the window) get a tier, as on the tiers page.
    """
    has_orders = frame["has_orders"].to_numpy(dtype=bool) if "has_orders" in frame else np.ones(len(frame), bool)
    labels = np.full(len(frame), None, dtype=object)
    labels[has_orders] = tier_labels(
        frame["account_id"].to_numpy(dtype=object)[has_orders], frame[column].to_numpy()[has_orders], config
    )
    return pd.Series(labels, index=frame.index, dtype=object)


def compute_retention(frame: pd.DataFrame, config: tiers.TierConfig) -> pd.DataFrame:
    """Annual retention by tier a year ago: tier, base_accounts, retained_accounts, observed, rate (with fallback)."""
    base = frame[frame["year_ago_revenue"] > 0].drop(columns="has_orders", errors="ignore")
    base_tiers = tier_by_account(base, "year_ago_revenue", config) if len(base) else pd.Series(dtype=object)
    retained = base["revenue"] > 0
    overall = float(retained.mean()) if len(base) else None
    rows = []
    for tier in tiers.TIERS:
        in_tier = base_tiers == tier
        count = int(in_tier.sum())
        kept = int((retained & in_tier).sum())
        observed = kept / count if count else None
        fallback = overall if overall is not None else 1.0
        rows.append({"tier": tier, "base_accounts": count, "retained_accounts": kept,
                     "observed": observed, "rate": observed if observed is not None else fallback})
    return pd.DataFrame(rows).astype({"observed": object}).replace({np.nan: None})


def compute_typical_sizes(frame: pd.DataFrame) -> dict[str, float]:
    """Median period revenue of each tier's active accounts (0 for a tier without any)."""
    active = frame[frame["revenue"] > 0]
    medians = active.groupby("tier")["revenue"].median()
    return {tier: float(medians.get(tier, 0.0)) for tier in tiers.TIERS}


@dataclass
class WhatIfBase:
    """The cached starting point of every scenario: accounts with their tier, retention, typical sizes."""

    frame: pd.DataFrame
    retention: pd.DataFrame
    typical_sizes: dict[str, float]
    tier_config: tiers.TierConfig = field(default_factory=tiers.TierConfig)

    @property
    def margin(self) -> float | None:
        """Gross margin of the period over the revenue whose cost is known."""
        with_cost = self.frame["revenue_with_cost"].sum()
        return float(self.frame["gross_profit"].sum() / with_cost) if with_cost else None

    def retention_rates(self) -> dict[str, float]:
        return dict(zip(self.retention["tier"], self.retention["rate"]))


def prepare_base(frame: pd.DataFrame, config: tiers.TierConfig = tiers.TierConfig()) -> WhatIfBase:
    frame = frame.copy()
    frame["tier"] = tier_by_account(frame, "revenue", config) if len(frame) else pd.Series(dtype=object)
    return WhatIfBase(frame, compute_retention(frame, config), compute_typical_sizes(frame), config)


def read_base(con: duckdb.DuckDBPyConnection, period: Period, scope: Scope) -> WhatIfBase:
    return prepare_base(read_account_frame(con, period, scope), read_tier_config(con))


# --- scenarios ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Scenario:
    """The levers of one scenario. Fractions, not percents: revenue_change 0.2 = +20 %."""

    accounts: tuple[str, ...] = ()
    revenue_change: float = 0.0  # −1 … +1, applied to each picked account
    retention_change: float = 0.0  # added to every tier's annual retention (0.05 = +5 pp), clipped to 0…1
    horizon_years: int = 3  # 1 … 5
    new_accounts: int = 0
    new_account_tier: str = "B"  # new accounts are the typical (median) size of this tier
    margin_change: float = 0.0  # added to the gross margin (0.01 = +1 pp)

    def __post_init__(self) -> None:
        if not -1 <= self.revenue_change <= 1:
            raise ValueError("revenue change must be between −100 % and +100 %")
        if not 1 <= self.horizon_years <= 5:
            raise ValueError("the horizon is 1 to 5 years")
        if self.new_accounts < 0:
            raise ValueError("new accounts cannot be negative")
        if self.new_account_tier not in tiers.TIERS:
            raise ValueError(f"unknown tier {self.new_account_tier!r}")

    def as_dict(self) -> dict:
        values = dataclasses.asdict(self)
        values["accounts"] = list(self.accounts)
        return values

    @classmethod
    def from_dict(cls, values: dict) -> "Scenario":
        known = {f.name for f in dataclasses.fields(cls)}
        values = {k: v for k, v in values.items() if k in known}
        values["accounts"] = tuple(values.get("accounts") or ())
        return cls(**values)


def apply_scenario(base: WhatIfBase, scenario: Scenario) -> pd.DataFrame:
    """The account frame after the period levers (revenue of picked accounts, margin, new accounts), re-tiered."""
    frame = base.frame
    factor = np.where(frame["account_id"].isin(scenario.accounts), 1.0 + scenario.revenue_change, 1.0)
    after = frame[["account_id", "account_name", "account_name_en", "industry", "has_orders"]].copy()
    # money keeps 4 decimals, as in the database (and as the exact tiering expects)
    after["revenue"] = np.round(frame["revenue"].to_numpy() * factor, 4)
    after["revenue_with_cost"] = np.round(frame["revenue_with_cost"].to_numpy() * factor, 4)
    after["gross_profit"] = frame["gross_profit"].to_numpy() * factor + scenario.margin_change * after["revenue_with_cost"]
    if scenario.new_accounts:
        size = base.typical_sizes[scenario.new_account_tier]
        margin = (base.margin or 0.0) + scenario.margin_change if base.margin is not None else 0.0
        ids = [f"{NEW_ACCOUNT_PREFIX}{k:03d}" for k in range(1, scenario.new_accounts + 1)]
        new = pd.DataFrame({
            "account_id": ids, "account_name": ids, "account_name_en": ids, "industry": UNKNOWN_INDUSTRY,
            "revenue": size, "revenue_with_cost": size if base.margin is not None else 0.0,
            "gross_profit": size * margin, "has_orders": True,
        })
        after = pd.concat([after, new], ignore_index=True)
    after["tier"] = tier_by_account(after, "revenue", base.tier_config) if len(after) else pd.Series(dtype=object)
    return after


def compute_projection(frame: pd.DataFrame, rates: dict[str, float], retention_change: float, horizon: int) -> pd.DataFrame:
    """Expected revenue and gross profit per year 0…horizon (see the module docstring)."""
    account_tiers = frame["tier"].to_numpy(dtype=object)
    account_revenue, account_profit = frame["revenue"].to_numpy(), frame["gross_profit"].to_numpy()
    years = np.arange(horizon + 1)
    revenue, profit = np.zeros(len(years)), np.zeros(len(years))
    for tier in tiers.TIERS:  # accounts without orders have no tier and nothing to project
        in_tier = account_tiers == tier
        rate = min(max(rates.get(tier, 1.0) + retention_change, 0.0), 1.0)
        survival = rate ** years
        revenue += account_revenue[in_tier].sum() * survival
        profit += account_profit[in_tier].sum() * survival
    return pd.DataFrame({"year": years, "revenue": revenue, "gross_profit": profit})


def cumulative_profit(projection: pd.DataFrame) -> float:
    """Gross profit summed over years 1…horizon (year 0, the period itself, excluded)."""
    return float(projection.loc[projection["year"] >= 1, "gross_profit"].sum())


def relative_gain(after: float, before: float) -> float | None:
    return None if not before else (after - before) / abs(before)


RESULT_METRICS = ("revenue", "gross_profit", "hhi", "top5_share", "alerts",
                  "projected_revenue", "cumulative_gross_profit")
# the unit of each result (i18n.format_by_unit): money, HHI points, a share (its change in pp), a count
RESULT_UNITS = {"horizon_years": "count", "revenue": "amount", "gross_profit": "amount", "hhi": "index",
                "top5_share": "pct", "alerts": "count", "projected_revenue": "amount", "cumulative_gross_profit": "amount"}


@dataclass
class ScenarioResult:
    summary: pd.DataFrame  # metric, before, after, change
    tier_counts: pd.DataFrame  # tier, before, after
    tier_changes: pd.DataFrame  # account_id, account_name, account_name_en, tier_before, tier_after
    waterfall: pd.DataFrame  # step, amount (before, picked_accounts, new_accounts, after)
    projection: pd.DataFrame  # year, revenue_before, revenue_after, gross_profit_before, gross_profit_after
    retention_profit_gain: float | None  # the retention lever alone: relative change of cumulative profit
    after: pd.DataFrame  # the account frame after the scenario (for compute_dependency, export)

    def value(self, metric: str, column: str = "after"):
        return self.summary.set_index("metric").at[metric, column]


def count_alerts(frame: pd.DataFrame, coefficients: dict[str, float], threshold: float) -> int:
    """How many accounts' dependency index is above the threshold (compute_dependency's flag, without the table)."""
    index = compute_shares(frame["revenue"]).to_numpy() * industry_coefficients(frame, coefficients)
    return int((index > threshold).sum())


def _snapshot(frame: pd.DataFrame, projection: pd.DataFrame, coefficients: dict, threshold: float) -> dict:
    concentration = compute_concentration(frame["revenue"])
    return {
        "revenue": float(frame["revenue"].sum()),
        "gross_profit": float(frame["gross_profit"].sum()),
        "hhi": concentration.hhi,
        "top5_share": concentration.top5_share,
        "alerts": count_alerts(frame, coefficients, threshold),
        "projected_revenue": float(projection["revenue"].iloc[-1]),
        "cumulative_gross_profit": cumulative_profit(projection),
    }


def compute_scenario(base: WhatIfBase, scenario: Scenario, coefficients: dict[str, float], threshold: float) -> ScenarioResult:
    """Before → after of one scenario; "before" is the period as observed with observed retention."""
    rates = base.retention_rates()
    horizon = scenario.horizon_years
    after = apply_scenario(base, scenario)
    projection_before = compute_projection(base.frame, rates, 0.0, horizon)
    projection_after = compute_projection(after, rates, scenario.retention_change, horizon)
    retention_only = compute_projection(base.frame, rates, scenario.retention_change, horizon)
    before_values = _snapshot(base.frame, projection_before, coefficients, threshold)
    after_values = _snapshot(after, projection_after, coefficients, threshold)
    summary = pd.DataFrame({  # object columns: None (no HHI of an empty period) must stay None
        "metric": list(RESULT_METRICS),
        "before": [before_values[m] for m in RESULT_METRICS],
        "after": [after_values[m] for m in RESULT_METRICS],
    }, dtype=object)
    summary["change"] = pd.Series(
        [None if b is None or a is None else a - b for b, a in zip(summary["before"], summary["after"])], dtype=object
    )

    tier_after = after["tier"].to_numpy(dtype=object)
    tier_before = np.concatenate([base.frame["tier"].to_numpy(dtype=object),
                                  np.full(len(after) - len(base.frame), tiers.NEW, dtype=object)])
    # accounts without orders in the period have no tier before or after
    moved = np.flatnonzero(pd.notna(tier_after) & (tier_before != tier_after))
    changes = after.iloc[moved][["account_id", "account_name", "account_name_en"]].assign(
        tier_before=tier_before[moved], tier_after=tier_after[moved])
    counts = pd.DataFrame({
        "tier": list(tiers.TIERS),
        "before": [int((tier_before == t).sum()) for t in tiers.TIERS],
        "after": [int((tier_after == t).sum()) for t in tiers.TIERS],
    })

    picked_change = float(after["revenue"].iloc[: len(base.frame)].sum() - base.frame["revenue"].sum())
    new_revenue = float(after["revenue"].iloc[len(base.frame):].sum())
    waterfall = pd.DataFrame({
        "step": ["before", "picked_accounts", "new_accounts", "after"],
        "amount": [before_values["revenue"], picked_change, new_revenue, after_values["revenue"]],
    })
    projection = pd.DataFrame({
        "year": projection_before["year"],
        "revenue_before": projection_before["revenue"], "revenue_after": projection_after["revenue"],
        "gross_profit_before": projection_before["gross_profit"], "gross_profit_after": projection_after["gross_profit"],
    })
    return ScenarioResult(
        summary=summary,
        tier_counts=counts,
        tier_changes=changes[["account_id", "account_name", "account_name_en", "tier_before", "tier_after"]]
        .sort_values("account_id", ignore_index=True),
        waterfall=waterfall,
        projection=projection,
        retention_profit_gain=relative_gain(cumulative_profit(retention_only), cumulative_profit(projection_before)),
        after=after,
    )


def compare_results(results: dict[str, ScenarioResult]) -> pd.DataFrame:
    """metric × (before, one column per named result), for scenarios side by side.

    A first row, horizon_years, tells each column's horizon (the projected rows depend on it).
    """
    table = pd.DataFrame({"metric": ["horizon_years", *RESULT_METRICS]}, dtype=object)
    for position, (name, result) in enumerate(results.items()):
        horizon = int(result.projection["year"].iloc[-1])
        if position == 0:
            table["before"] = pd.Series([horizon, *result.summary["before"]], dtype=object)
        table[name] = pd.Series([horizon, *result.summary["after"]], dtype=object)
    return table


# --- settings: saved scenarios and coefficients -------------------------------------------------------
def read_scenarios(con: duckdb.DuckDBPyConnection) -> dict[str, Scenario]:
    """Saved scenarios by name (settings key "whatif.scenarios"); unreadable entries are skipped."""
    saved = db.get_setting(con, SCENARIOS_KEY, {}) or {}
    scenarios = {}
    for name, values in saved.items():
        try:
            scenarios[name] = Scenario.from_dict(values)
        except (TypeError, ValueError):
            continue
    return scenarios


def save_scenario(con: duckdb.DuckDBPyConnection, name: str, scenario: Scenario) -> None:
    name = name.strip()
    if not name:
        raise ValueError("a scenario needs a name")
    db.update_setting(con, SCENARIOS_KEY, lambda saved: {**(saved or {}), name: scenario.as_dict()})


def delete_scenario(con: duckdb.DuckDBPyConnection, name: str) -> None:
    db.update_setting(con, SCENARIOS_KEY, lambda saved: {k: v for k, v in (saved or {}).items() if k != name})


def read_coefficients(con: duckdb.DuckDBPyConnection) -> dict[str, float]:
    return {k: float(v) for k, v in (db.get_setting(con, COEFFICIENTS_KEY, {}) or {}).items()}


def save_coefficients(con: duckdb.DuckDBPyConnection, coefficients: dict[str, float]) -> None:
    """Keep the hand-edited coefficients (industries not listed keep their saved value)."""
    if any(value < 0 for value in coefficients.values()):
        raise ValueError("coefficients cannot be negative")
    db.update_setting(con, COEFFICIENTS_KEY, lambda saved: {**(saved or {}), **coefficients})


# --- export ------------------------------------------------------------------------------------------
EXPORT_COLUMNS = ["account_id", "account_name", "share", "industry", "coefficient", "dependency_index",
                  "is_above_threshold", "new_revenue_needed"]


def read_dependency_export(
    con: duckdb.DuckDBPyConnection, period: Period, scope: Scope, threshold: float = DEFAULT_THRESHOLD,
    derived: bool = False,
) -> pd.DataFrame:
    """The dependency table for the CLI: saved coefficients (or derived ones), accounts with revenue in the period."""
    frame = read_account_frame(con, period, scope)
    frame = frame[frame["has_orders"]].reset_index(drop=True)
    coefficients = derive_coefficients(frame) if derived else read_coefficients(con)
    return compute_dependency(frame, coefficients, threshold)[EXPORT_COLUMNS]
