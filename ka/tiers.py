"""Account tiers (ABC): who are the A accounts, and is each tier served as promised?

Three methods, all over one metric (net revenue or gross profit) in one window (the selected
period, or the trailing 12 months ending at the period's end):

- **cumulative** (default): sort accounts by the metric, descending, ties by account_id
  ascending. Shares are of the sum of the *positive* values. An account is A while the
  cumulative share *before* it is below the A threshold (80 %): so the account that crosses
  80 % is A, an account landing exactly on 80.00 % is A and the next one is B. Likewise B up
  to 95 %, C the rest.
- **bands**: by each account's own share: A above 30 %, B from 10 % to 30 % (both included),
  C below 10 %. With many accounts almost all land in C.
- **topn**: the N largest (same order as above) are A, the next M are B, the rest C.

Accounts whose net value is zero or negative (returns exceed purchases) are always C and
flagged `is_nonpositive`. Only accounts with an order line in the window get a tier.
Threshold comparisons are exact (Decimal), so 80.00 % is 80.00 %, not 79.99999 %.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields
from datetime import timedelta
from decimal import Decimal
from fractions import Fraction

import duckdb
import numpy as np
import pandas as pd

from ka import db
from ka.i18n import t
from ka.periods import Period, shift_year, trailing_12_months
from ka.scope import Scope, period_params

TIERS = ("A", "B", "C")
METHODS = ("cumulative", "bands", "topn")
METRICS = ("revenue", "gross_profit")
WINDOWS = ("period", "t12m")
NEW, LOST = "New", "Lost"  # migration pseudo-tiers: no tier in the earlier / later window

# Promised visits per account and month, by tier (editable on the tiers page).
DEFAULT_VISITS_PER_MONTH = {"A": 2.0, "B": 1.0, "C": 0.25}
SETTINGS_KEY = "tiers"


@dataclass(frozen=True)
class TierConfig:
    """How tiers are drawn. Hashable, so it can key st.cache_data."""

    method: str = "cumulative"  # "cumulative" | "bands" | "topn"
    metric: str = "revenue"  # "revenue" | "gross_profit"
    window: str = "period"  # "period" | "t12m" (trailing 12 months ending at the period's end)
    a_cumulative: float = 0.80
    b_cumulative: float = 0.95
    a_band: float = 0.30
    b_band: float = 0.10
    top_a: int = 20
    top_b: int = 50

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise ValueError(f"unknown tier method {self.method!r}")
        if self.metric not in METRICS:
            raise ValueError(f"unknown tier metric {self.metric!r}")
        if self.window not in WINDOWS:
            raise ValueError(f"unknown tier window {self.window!r}")
        if not 0 < self.a_cumulative <= self.b_cumulative <= 1:
            raise ValueError("cumulative thresholds need 0 < A ≤ B ≤ 100 %")
        if not 0 <= self.b_band <= self.a_band <= 1:
            raise ValueError("band thresholds need 0 ≤ B ≤ A ≤ 100 %")
        if self.top_a < 0 or self.top_b < 0:
            raise ValueError("top-N counts cannot be negative")

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict | None) -> "TierConfig":
        """Ignores unknown keys and falls back to defaults for invalid values (old settings)."""
        known = {f.name for f in fields(cls)}
        try:
            return cls(**{k: v for k, v in (values or {}).items() if k in known})
        except (TypeError, ValueError):
            return cls()


MONEY_SCALE = 10_000  # money is DECIMAL(18,4): in ten-thousandths it is an exact integer


def _decimal(value) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if value is None or (isinstance(value, float) and value != value):
        return Decimal(0)
    return Decimal(str(value))  # str() keeps the shortest repr of a float: 0.1 stays 0.1


def _money_units(values: pd.Series) -> np.ndarray:
    """Each value as exact integer ten-thousandths (from Decimal, int, or float of a DECIMAL(18,4)).

    Floats are rounded to 4 decimals, which is exact while |value| < 9 × 10^11.
    """
    if values.dtype == object:
        return np.array([int((_decimal(v) * MONEY_SCALE).to_integral_value()) for v in values], dtype=np.int64)
    floats = pd.to_numeric(values, errors="coerce").fillna(0.0).to_numpy(dtype="float64")
    return np.round(floats * MONEY_SCALE).astype(np.int64)


def _times_total(fraction: float, total: int) -> Fraction:
    """fraction × total, exactly, reading the fraction as the decimal it was typed as (0.8 = 4/5)."""
    return Fraction(str(fraction)) * total


def compute_tiers(values: pd.DataFrame, config: TierConfig) -> pd.DataFrame:
    """Tier each account of `values` (columns account_id, value; other columns are kept).

    Adds share (of the positive total), cumulative_share (running positive total / positive
    total), tier and is_nonpositive; rows sorted by value descending, then account_id.
    Comparisons run on exact integers, so a boundary hit to the cent is a hit.
    """
    units = _money_units(values["value"])
    ids = values["account_id"].astype(str).to_numpy()
    order = np.lexsort((ids, -units))
    units = units[order]
    positive = np.where(units > 0, units, 0)
    running_after = np.cumsum(positive)
    running_before = running_after - positive
    total = int(running_after[-1]) if len(units) else 0

    is_positive = units > 0
    if config.method == "cumulative":
        # the cumulative share *before* an account decides, so the crossing account is in A;
        # for integers, before < x ⇔ before < ceil(x)
        a_limit = math.ceil(_times_total(config.a_cumulative, total))
        b_limit = math.ceil(_times_total(config.b_cumulative, total))
        tier = np.where(running_before < a_limit, "A", np.where(running_before < b_limit, "B", "C"))
    elif config.method == "bands":
        above_a = units > math.floor(_times_total(config.a_band, total))  # value > a × total
        from_b = units >= math.ceil(_times_total(config.b_band, total))  # value ≥ b × total
        tier = np.where(above_a, "A", np.where(from_b, "B", "C"))
    else:
        rank = np.cumsum(is_positive) - 1  # 0 = largest positive account
        tier = np.where(rank < config.top_a, "A", np.where(rank < config.top_a + config.top_b, "B", "C"))
    tier = np.where(is_positive & (total > 0), tier, "C")

    out = values.iloc[order].reset_index(drop=True)
    out["share"] = units / total if total else np.nan
    out["cumulative_share"] = running_after / total if total else np.nan
    out["tier"] = tier.astype(object)
    out["is_nonpositive"] = ~is_positive
    return out


def tier_window(period: Period, window: str) -> Period:
    """The window tiers are drawn over: the period itself, or the 12 months ending at its end."""
    if window == "period":
        return period
    if period.is_month_aligned:
        return trailing_12_months(period.end)
    return Period(shift_year(period.end, -1) + timedelta(days=1), period.end, "t12m")


ACCOUNT_VALUE_COLUMNS = ["account_id", "account_name", "account_name_en", "region", "industry", "ka_manager",
                         "revenue", "gross_profit", "visits"]


def read_account_values(
    con: duckdb.DuckDBPyConnection, window: Period, scope: Scope, exact: bool = False
) -> pd.DataFrame:
    """Revenue, gross profit and visits per account with orders in `window`.

    Money comes as floats (fast; compute_tiers restores the exact cents), or with exact=True
    as Decimals (for exports).
    """
    sql = db.load_sql("account_tier_values")
    params = {**scope.params(), **period_params(window)}
    if exact:
        return pd.DataFrame(db.query_dicts(con, sql, params), columns=ACCOUNT_VALUE_COLUMNS)
    frame = db.query_df(con, sql, params)
    return frame.astype({"revenue": "float64", "gross_profit": "float64"})


def read_windows_tiers(
    con: duckdb.DuckDBPyConnection, windows: Sequence[Period], scope: Scope, config: TierConfig = TierConfig()
) -> pd.DataFrame:
    """The tier of each account (window_index, account_id, tier) drawn over each of `windows` (not
    tier_window of them) among the accounts of `scope`, as read_account_tiers draws them, every
    window's values read in one statement (the scorecards' trend tiers eight quarters)."""
    frame = db.query_df(con, db.load_sql("account_window_values"), {
        **scope.params(), "starts": [w.start for w in windows], "ends": [w.end for w in windows]})
    frame = frame.astype({"revenue": "float64", "gross_profit": "float64"})
    return pd.concat(
        [tier_values(part, config)[["window_index", "account_id", "tier"]] for _, part in frame.groupby("window_index")]
        or [pd.DataFrame(columns=["window_index", "account_id", "tier"])], ignore_index=True)


def tier_values(values: pd.DataFrame, config: TierConfig) -> pd.DataFrame:
    """compute_tiers over read_account_values output, with the metric named metric_value."""
    return compute_tiers(values.assign(value=values[config.metric]), config).rename(columns={"value": "metric_value"})


def read_account_tiers(
    con: duckdb.DuckDBPyConnection, period: Period, scope: Scope, config: TierConfig = TierConfig()
) -> pd.DataFrame:
    """Tier of each account of the scope with orders in the tier window (see module docstring).

    Columns: account_id, account_name, account_name_en, metric_value, share, cumulative_share,
    tier, is_nonpositive, and region, industry, ka_manager, revenue, gross_profit, visits.
    Tiers are drawn among the accounts of `scope` (a regional view has its own A accounts).
    """
    return compute_account_tiers(read_account_values(con, tier_window(period, config.window), scope), config)


def compute_account_tiers(values: pd.DataFrame, config: TierConfig) -> pd.DataFrame:
    """read_account_tiers from the account values of its window (read_account_values, with any columns
    added): the values do not depend on the method or the thresholds, so a page reads them once and
    tiers them again for every new rule."""
    tiered = tier_values(values, config)
    first = ["account_id", "account_name", "account_name_en", "metric_value", "share", "cumulative_share", "tier"]
    return tiered[first + [c for c in tiered.columns if c not in first]]


def account_ids_in_tiers(tiers: pd.DataFrame, wanted: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """The account ids of the chosen tiers (for Scope(account_ids=...)), sorted."""
    return tuple(sorted(tiers.loc[tiers["tier"].isin(list(wanted)), "account_id"]))


# --- the tier table -------------------------------------------------------------------------
def window_months(window: Period) -> float:
    """Length of a window in months (whole months, else days / 30.4375) for visit cadence."""
    return float(window.months) if window.is_month_aligned else window.days / 30.4375


def compute_tier_summary(
    tiers: pd.DataFrame, months: float, visits_per_month: dict[str, float], has_visits: bool = True
) -> pd.DataFrame:
    """One row per tier: accounts, revenue, share of revenue, gross profit, average revenue per
    account, promised visits (accounts × cadence × months), actual visits and compliance
    (actual / promised; None where no visit data exists or nothing was promised)."""
    total_revenue = float(tiers["revenue"].sum()) if len(tiers) else 0.0
    rows = []
    for tier in TIERS:
        part = tiers[tiers["tier"] == tier]
        accounts = len(part)
        revenue = float(part["revenue"].sum())
        promised = accounts * float(visits_per_month.get(tier, 0)) * months
        actual = int(part["visits"].sum())
        rows.append({
            "tier": tier,
            "accounts": accounts,
            "revenue": revenue,
            "share": revenue / total_revenue if total_revenue else None,
            "gross_profit": float(part["gross_profit"].sum()),
            "average_revenue": revenue / accounts if accounts else None,
            "metric_value": float(part["metric_value"].sum()),
            "nonpositive_accounts": int(part["is_nonpositive"].sum()),
            "promised_visits": promised,
            "actual_visits": actual,
            "compliance": actual / promised if has_visits and promised else None,
        })
    return pd.DataFrame(rows)


def compute_tier_counts(tiers: pd.DataFrame) -> dict[str, int]:
    counts = tiers["tier"].value_counts()
    return {tier: int(counts.get(tier, 0)) for tier in TIERS}


def compute_tier_composition(tiers: pd.DataFrame, dimension: str) -> pd.DataFrame:
    """Accounts and revenue per tier × value of an account attribute (region, industry, ka_manager)."""
    if dimension not in ("region", "industry", "ka_manager"):
        raise ValueError(f"unknown dimension {dimension!r}")
    frame = tiers.assign(label=tiers[dimension].fillna("—"))
    out = (
        frame.groupby(["label", "tier"], as_index=False)
        .agg(accounts=("account_id", "size"), revenue=("revenue", "sum"))
        .sort_values(["label", "tier"], ignore_index=True)
    )
    return out


# --- tier migration -------------------------------------------------------------------------
def compute_tier_migration(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """Every account tiered in either window: tier_before / tier_after (New / Lost where it
    has no tier in that window), metric_before / metric_after (0 where absent), change."""
    keep = ["account_id", "account_name", "account_name_en", "tier", "metric_value"]
    merged = before[keep].merge(after[keep], on="account_id", how="outer", suffixes=("_before", "_after"))
    for column in ("account_name", "account_name_en"):
        merged[column] = merged[f"{column}_after"].combine_first(merged[f"{column}_before"])
    merged["tier_before"] = merged["tier_before"].fillna(NEW)
    merged["tier_after"] = merged["tier_after"].fillna(LOST)
    merged["metric_before"] = merged["metric_value_before"].fillna(0.0).astype("float64")
    merged["metric_after"] = merged["metric_value_after"].fillna(0.0).astype("float64")
    merged["change"] = merged["metric_after"] - merged["metric_before"]
    merged["is_moved"] = merged["tier_before"] != merged["tier_after"]
    columns = ["account_id", "account_name", "account_name_en", "tier_before", "tier_after",
               "metric_before", "metric_after", "change", "is_moved"]
    return merged[columns].sort_values(["tier_before", "tier_after", "account_id"], ignore_index=True)


def compute_migration_flows(migration: pd.DataFrame) -> pd.DataFrame:
    """Account counts per (tier_before, tier_after) pair, for the Sankey."""
    return (
        migration.groupby(["tier_before", "tier_after"], as_index=False)
        .agg(accounts=("account_id", "size"))
        .sort_values(["tier_before", "tier_after"], ignore_index=True)
    )


def compute_values_migration(before: pd.DataFrame, after: pd.DataFrame, config: TierConfig) -> pd.DataFrame:
    """compute_tier_migration between the account values of two windows, each tiered by `config`."""
    return compute_tier_migration(compute_account_tiers(before, config), compute_account_tiers(after, config))


def read_tier_migration(
    con: duckdb.DuckDBPyConnection, before: Period, after: Period, scope: Scope, config: TierConfig = TierConfig()
) -> pd.DataFrame:
    return compute_tier_migration(
        read_account_tiers(con, before, scope, config), read_account_tiers(con, after, scope, config)
    )


# --- settings -------------------------------------------------------------------------------
def default_strategy(tier: str) -> str:
    """The service strategy of a tier in the user's language (used until the user edits it)."""
    return t(f"tiers.strategy_default.{tier}")


def read_tier_settings(con: duckdb.DuckDBPyConnection) -> dict:
    """Saved config, strategies and visit cadence (settings key "tiers"); defaults otherwise.

    {"config": TierConfig, "strategies": {tier: text or None (None = localized default)},
     "visits_per_month": {tier: float}}
    """
    return _tier_settings_from(db.get_setting(con, SETTINGS_KEY, {}) or {})


def _tier_settings_from(saved: dict) -> dict:
    strategies = {tier: (saved.get("strategies") or {}).get(tier) or None for tier in TIERS}
    cadence = dict(DEFAULT_VISITS_PER_MONTH)
    for tier, value in (saved.get("visits_per_month") or {}).items():
        if tier in cadence and isinstance(value, (int, float)) and value >= 0:
            cadence[tier] = float(value)
    return {"config": TierConfig.from_dict(saved.get("config")), "strategies": strategies, "visits_per_month": cadence}


def write_tier_settings(
    con: duckdb.DuckDBPyConnection,
    config: TierConfig | None = None,
    strategies: dict[str, str | None] | None = None,
    visits_per_month: dict[str, float] | None = None,
) -> dict:
    """Save the parts given (the others keep their saved value); returns the new settings."""

    def merge(saved):
        current = _tier_settings_from(saved or {})
        return {
            "config": (config or current["config"]).as_dict(),
            "strategies": {**current["strategies"], **(strategies or {})},
            "visits_per_month": {**current["visits_per_month"], **(visits_per_month or {})},
        }

    db.update_setting(con, SETTINGS_KEY, merge)
    return read_tier_settings(con)



def read_has_visits(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether any visit is recorded at all (without visits, compliance is unknown, not 0 %)."""
    return bool(db.query_rows(con, "select exists (select 1 from visits)")[0][0])


def account_from_points(points: list[dict], tiered: pd.DataFrame) -> str | None:
    """The account of the first clicked Pareto point: customdata[0], else the rank on the x axis."""
    for point in points or []:
        custom = point.get("customdata")
        if custom:
            return str(custom[0])
        rank = point.get("x")
        if isinstance(rank, (int, float)) and 1 <= rank <= len(tiered):
            return str(tiered["account_id"].iloc[int(rank) - 1])
    return None


def compute_movers(migration: pd.DataFrame) -> pd.DataFrame:
    """Accounts whose tier changed (incl. New and Lost), largest metric change first, then account_id."""
    moved = migration[migration["is_moved"]].sort_values("account_id")
    return moved.sort_values("change", key=abs, ascending=False, kind="stable").reset_index(drop=True)


def read_tier_export(
    con: duckdb.DuckDBPyConnection, period: Period, scope: Scope, config: TierConfig = TierConfig()
) -> pd.DataFrame:
    """The CLI export: account_id, account_name, metric, metric_value (exact Decimal), share,
    cumulative_share, tier, is_nonpositive, window_start, window_end."""
    window = tier_window(period, config.window)
    values = read_account_values(con, window, scope, exact=True)
    tiered = compute_tiers(values.assign(value=values[config.metric]), config)
    tiered = tiered.rename(columns={"value": "metric_value"}).assign(
        metric=config.metric, window_start=window.start, window_end=window.end)
    columns = ["account_id", "account_name", "metric", "metric_value", "share", "cumulative_share", "tier",
               "is_nonpositive", "window_start", "window_end"]
    return tiered[columns].astype(object)
