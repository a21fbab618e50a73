"""Account health: traffic lights that say *why*, a monthly history, and a backtest against churn.

Health is measured as of a month end T (windows are whole calendar months, read from the
account × month pre-aggregate, so any month end is fast and the history is consistent):

- recent window = the 3 months ending with T (≈ the last 90 days); previous window = the 3
  months before; year-ago window = the same 3 months one year earlier;
- only accounts with an order line in the 12 months ending T are scored.

Each measure maps to 0–100 points, linear between an editable "bad" value (0 points) and
"good" value (100 points), clipped. The score is the weighted mean of the points of the
measures that have data: a measure without data is left out and the other weights
renormalised (it is never scored 0). Colour: red when score < red_below, green when
score > green_above, yellow in between (both bounds included in yellow). Override: no order for
`override_multiple` × the usual interval (or longer) ⇒ red whatever the score.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, replace
from datetime import date, datetime, timedelta

import duckdb
import numpy as np
import pandas as pd

from ka import db, tiers
from ka.i18n import format_number, t
from ka.periods import month_end, month_start
from ka.scope import Scope

MEASURES = (
    "recency", "revenue_trend", "revenue_yoy", "order_trend", "margin_trend", "breadth_trend",
    "tickets", "resolution_days", "nps", "visit_gap", "contract_days",
)
COLOURS = ("red", "yellow", "green")
NO_SCORE = "none"  # an account with no measure that has data
AT_RISK_COLOURS = ("red", "yellow")  # the colours whose revenue counts as at risk
COLOUR_RANK = {"red": 0, "yellow": 1, "green": 2, NO_SCORE: 3}  # lists show red accounts first
CHURN_RULES = ("no_order", "revenue_drop")
SETTINGS_KEY = "health_config"
DAYS_PER_MONTH = 30.4375
LEAD_LOOKBACK_DAYS = 365  # first red within this many days before the last order counts as a warning
LOST_AFTER_DAYS = 90  # an account whose last order is this long before the data's end is lost


@dataclass(frozen=True)
class MeasureRule:
    """Weight, and the values that earn 0 points (bad) and 100 points (good)."""

    weight: float
    bad: float
    good: float

    def points(self, value: float) -> float:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return float("nan")
        if self.good == self.bad:
            return 100.0 if value == self.good else 0.0
        return 100.0 * min(1.0, max(0.0, (value - self.bad) / (self.good - self.bad)))


DEFAULT_RULES: dict[str, MeasureRule] = {
    "recency": MeasureRule(15, bad=2.5, good=1.0),           # days since last order ÷ usual interval
    "revenue_trend": MeasureRule(15, bad=-0.3, good=0.05),   # recent vs previous 3 months
    "revenue_yoy": MeasureRule(20, bad=-0.3, good=0.05),     # recent vs same 3 months a year earlier
    "order_trend": MeasureRule(10, bad=-0.3, good=0.05),     # orders recent vs previous
    "margin_trend": MeasureRule(5, bad=-0.05, good=0.0),     # gross margin change (0.01 = 1 pp)
    "breadth_trend": MeasureRule(5, bad=-0.3, good=0.0),     # products per month recent vs previous
    "tickets": MeasureRule(5, bad=6, good=1),                # tickets opened in the recent window
    "resolution_days": MeasureRule(5, bad=14, good=3),       # median days to resolve those tickets
    "nps": MeasureRule(10, bad=-20, good=30),                # latest NPS in the last 12 months
    "visit_gap": MeasureRule(5, bad=3, good=1),              # days since last visit ÷ tier cadence
    "contract_days": MeasureRule(5, bad=30, good=180),       # days to contract end
}


@dataclass(frozen=True)
class HealthConfig:
    """Everything the user can tune. Hashable (tuples), so it can key st.cache_data."""

    rules: tuple[tuple[str, MeasureRule], ...] = tuple(DEFAULT_RULES.items())
    red_below: float = 50.0
    green_above: float = 75.0
    override_enabled: bool = True
    override_multiple: float = 2.0
    min_interval_days: float = 14.0  # frequent buyers: the usual interval is at least this long

    def rule(self, measure: str) -> MeasureRule:
        return dict(self.rules)[measure]

    def with_rule(self, measure: str, **changes) -> "HealthConfig":
        rules = tuple((m, replace(r, **changes) if m == measure else r) for m, r in self.rules)
        return replace(self, rules=rules)

    def as_dict(self) -> dict:
        values = asdict(self)
        values["rules"] = {m: asdict(r) for m, r in self.rules}
        return values

    @classmethod
    def from_dict(cls, values: dict | None) -> "HealthConfig":
        """Unknown keys are ignored and missing measures take their defaults (old settings)."""
        values = dict(values or {})
        saved_rules = values.pop("rules", {}) or {}
        rules = []
        for measure, default in DEFAULT_RULES.items():
            saved = saved_rules.get(measure) or {}
            try:
                rules.append((measure, MeasureRule(**{**asdict(default), **saved})))
            except TypeError:
                rules.append((measure, default))
        known = {k: v for k, v in values.items() if k in cls.__dataclass_fields__}
        return cls(rules=tuple(rules), **known)


# --- reading ----------------------------------------------------------------------------------
def read_health_inputs(
    con: duckdb.DuckDBPyConnection, first_as_of: date, last_as_of: date, scope: Scope
) -> pd.DataFrame:
    """Raw inputs per account and month end from first_as_of to last_as_of (see health_measures.sql),
    plus the account's tier and the visit cadence that tier promises, in days.

    The tier is drawn once, over the 12 months ending at last_as_of with the tier page's saved
    method, and used for every month end of the request (drawing it per month end would
    double the time of the history; it only sets the visit cadence)."""
    settings = tiers.read_tier_settings(con)
    return add_tiers(_read_measure_rows(con, first_as_of, last_as_of, scope), settings["config"], settings["visits_per_month"])


def _read_measure_rows(con: duckdb.DuckDBPyConnection, first_as_of: date, last_as_of: date, scope: Scope) -> pd.DataFrame:
    """health_measures.sql's rows per account and month end from first_as_of to last_as_of, without the tier."""
    params = {**scope.params(), "first_month": month_start(first_as_of), "last_month": month_start(last_as_of)}
    frame = db.query_df(con, db.load_sql("health_measures"), params)
    frame["as_of"] = pd.to_datetime(frame["as_of"]).dt.date
    return frame


def add_tiers(frame: pd.DataFrame, config: tiers.TierConfig, visits_per_month: dict[str, float]) -> pd.DataFrame:
    """Tier of each account as of the latest month end of `frame` (over its 12-month revenue or
    gross profit) and the visit cadence that tier promises, in days (NaN where none is promised)."""
    metric = "revenue_12m" if config.metric == "revenue" else "gross_profit_12m"
    latest = frame[frame["as_of"] == frame["as_of"].max()] if len(frame) else frame
    values = latest[["account_id", metric]].rename(columns={metric: "value"})
    tiered = tiers.compute_tiers(values, config) if len(values) else pd.DataFrame(columns=["account_id", "tier"])
    out = frame.merge(tiered[["account_id", "tier"]], on="account_id", how="left")
    per_month = out["tier"].map(visits_per_month).astype("float64")
    out["visit_cadence_days"] = np.where(per_month > 0, DAYS_PER_MONTH / per_month.where(per_month > 0), np.nan)
    return out


def read_month_ends(con: duckdb.DuckDBPyConnection) -> list[date]:
    """Month ends that health can be measured at, newest first (the data's months)."""
    rows = db.query_rows(con, "select distinct month from account_month order by month desc")
    return [month_end(row[0]) for row in rows]


def latest_month_end(as_of: date) -> date:
    """The month end health is measured at for a date: the date itself if it ends a month, else the one before."""
    return as_of if month_end(as_of) == as_of else month_start(as_of) - timedelta(days=1)


# --- measures and scores (pure) ---------------------------------------------------------------
def _ratio_change(recent: np.ndarray, previous: np.ndarray, has_window: np.ndarray) -> np.ndarray:
    """recent ÷ previous − 1 where the previous window is in the data and positive, else NaN."""
    ok = has_window & (previous > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(ok, recent / np.where(ok, previous, np.nan) - 1, np.nan)


def compute_measures(inputs: pd.DataFrame, config: HealthConfig) -> pd.DataFrame:
    """One column per measure (NaN = no data), from read_health_inputs rows."""
    return pd.DataFrame(_measure_values(inputs, config.min_interval_days), index=inputs.index)


def _measure_values(inputs: pd.DataFrame, min_interval_days: float) -> dict[str, np.ndarray]:
    """compute_measures as arrays: of the configuration, the measures read only min_interval_days
    (recency's floor). Array arithmetic: pandas' per-operation overhead was most of a small scoring."""
    def number(column: str) -> np.ndarray:
        return inputs[column].to_numpy(dtype="float64", na_value=np.nan)

    def flag(column: str) -> np.ndarray:
        return inputs[column].to_numpy(dtype=bool)

    has_previous, has_year_ago = flag("has_previous_window"), flag("has_year_ago_window")
    recent = number("revenue_recent")
    with np.errstate(divide="ignore", invalid="ignore"):
        return {
            "recency": number("days_since_last_order") / np.maximum(number("usual_interval_days"), min_interval_days),
            "revenue_trend": _ratio_change(recent, number("revenue_previous"), has_previous),
            "revenue_yoy": _ratio_change(recent, number("revenue_year_ago"), has_year_ago),
            "order_trend": _ratio_change(number("orders_recent"), number("orders_previous"), has_previous),
            "margin_trend": np.where(has_previous, number("margin_recent") - number("margin_previous"), np.nan),
            "breadth_trend": _ratio_change(number("products_recent"), number("products_previous"), has_previous),
            "tickets": number("tickets_recent"),
            "resolution_days": number("median_resolution_days"),
            "nps": number("latest_nps"),
            "visit_gap": number("days_since_visit") / number("visit_cadence_days"),
            "contract_days": number("days_to_contract_end"),
        }


_COLOUR_NAMES = np.array([*COLOURS, NO_SCORE])  # a colour code (the position) → its name


def _score(values: dict[str, np.ndarray], config: HealthConfig) -> dict[str, np.ndarray]:
    """Points and weight of each measure, the score, the colour and the override flag, as arrays.

    The backtest scores the whole history (170,000 rows on 10 million lines) on every configuration:
    each array operation counts, so NaN is left to propagate through the points and the colour is
    chosen as a code, not among strings."""
    points, weights, numerator = {}, {}, 0
    for measure in MEASURES:
        rule, value = config.rule(measure), values[measure]
        has_data = ~np.isnan(value)
        if rule.good == rule.bad:
            points[measure] = np.where(has_data, np.where(value == rule.good, 100.0, 0.0), np.nan)
        else:  # NaN (no data) stays NaN through the arithmetic and the clip
            points[measure] = 100.0 * np.clip((value - rule.bad) / (rule.good - rule.bad), 0.0, 1.0)
        weight = max(rule.weight, 0.0)
        weights[measure] = has_data * weight
        numerator = numerator + np.where(has_data, points[measure], 0.0) * weights[measure]
    total_weight = sum(weights.values())
    safe_total = np.where(total_weight > 0, total_weight, np.nan)
    score = numerator / safe_total
    code = np.ones(len(score), dtype=np.int8)  # yellow, unless one of the rules below says otherwise
    with np.errstate(invalid="ignore"):
        code[score > config.green_above] = 2
        code[score < config.red_below] = 0
        code[np.isnan(score)] = 3
        overridden = config.override_enabled & (np.nan_to_num(values["recency"]) >= config.override_multiple)
    is_overridden = overridden & (code != 0)
    code[overridden] = 0
    return {"points": points, "weights": weights, "total": safe_total, "score": score,
            "colour": _COLOUR_NAMES[code], "is_overridden": is_overridden}


def compute_scores(inputs: pd.DataFrame, config: HealthConfig) -> pd.DataFrame:
    """Measures, points, score, colour and reasons per row of `inputs` (same index).

    Adds value_<m>, points_<m> (NaN = no data), earned_<m> / missed_<m> (score points this
    measure earns / misses after renormalising the weights; earned sums to the score),
    score, colour (red / yellow / green / none), is_overridden (red only because of the
    override) and reason_1..reason_3: the measures that miss the most points, most first
    (None where fewer measures miss at least half a point).
    """
    # numpy arrays, joined to the inputs once at the end (column-by-column inserts are slow in pandas)
    values = _measure_values(inputs, config.min_interval_days)
    scored = _score(values, config)
    columns: dict[str, np.ndarray] = {}
    for measure in MEASURES:
        weight = scored["weights"][measure]
        share = np.where(weight > 0, weight / scored["total"], np.nan)
        columns[f"value_{measure}"] = values[measure]
        columns[f"points_{measure}"] = scored["points"][measure]
        columns[f"earned_{measure}"] = share * scored["points"][measure]
        columns[f"missed_{measure}"] = share * (100.0 - scored["points"][measure])
    columns["score"] = scored["score"]
    columns["colour"] = scored["colour"]
    columns["is_overridden"] = scored["is_overridden"]
    missed = np.nan_to_num(np.column_stack([columns[f"missed_{m}"] for m in MEASURES]))
    order = np.argsort(-missed, axis=1, kind="stable")[:, :3]
    names = np.array(MEASURES, dtype=object)[order]
    names[np.take_along_axis(missed, order, axis=1) < 0.5] = None  # under half a point: not a reason
    for k in range(3):
        columns[f"reason_{k + 1}"] = names[:, k]
    return pd.concat([inputs, pd.DataFrame(columns, index=inputs.index)], axis=1)


def compute_colours(inputs: pd.DataFrame, config: HealthConfig) -> pd.DataFrame:
    """Only the score and the colour of every row of `inputs` (same index): what the history's
    migration and backtest need, without the 50 columns of points and reasons of compute_scores."""
    scored = _score(_measure_values(inputs, config.min_interval_days), config)
    return pd.DataFrame({"score": scored["score"], "colour": scored["colour"]}, index=inputs.index)


def describe_measure(measure: str, value: float) -> str:
    """A measure's value in plain words, e.g. "revenue −38 % against the previous 3 months"."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return t("health.no_data")
    if measure in ("revenue_trend", "revenue_yoy", "order_trend", "breadth_trend"):
        digits = 1 if abs(value) < 0.01 else 0  # "−0.4 %", not "−0 %"
        text = f"{value * 100:+.{digits}f} %".replace("-", "−")
    elif measure == "margin_trend":
        text = f"{value * 100:+.1f}".replace("-", "−")
    elif measure in ("recency", "visit_gap"):
        text = format_number(value, 1)
    elif measure == "contract_days" and value < 0:
        return t("health.reason.contract_ended", value=format_number(-value, 0))
    else:
        text = format_number(value, 0)
    return t(f"health.reason.{measure}", value=text)


def describe_reasons(row) -> str:
    """The top reasons of one scored row, joined for a table cell."""
    parts = []
    if row.get("is_overridden"):
        parts.append(t("health.reason.override", value=format_number(row["value_recency"], 1)))
    reasons = [row.get(f"reason_{k}") for k in (1, 2, 3)]
    parts += [describe_measure(m, row[f"value_{m}"]) for m in reasons if isinstance(m, str)]
    return "; ".join(parts)


def describe_why(row, revenue_at_risk_text: str) -> str:
    """One sentence on an account's colour: its score, its reasons, and its revenue at risk."""
    colour = row["colour"]
    if colour == NO_SCORE:
        return t("health.why.none")
    reasons = describe_reasons(row)
    key = "health.why.at_risk" if colour in AT_RISK_COLOURS else "health.why.healthy"
    return t(key, colour=t(f"health.colour.{colour}"), score=format_number(row["score"], 0),
             reasons=reasons or t("health.why.no_reasons"), at_risk=revenue_at_risk_text)


def compute_revenue_at_risk(scored: pd.DataFrame) -> pd.Series:
    """Revenue at risk: the last 12 months' revenue × the share of health points the account misses,
    for red and yellow accounts (red by the override: all of it). Green and unscored accounts carry
    none, so a healthy account never tops an at-risk list."""
    missed_share = ((100.0 - scored["score"]) / 100.0).where(~scored["is_overridden"], 1.0)
    at_risk = (scored["revenue_12m"].astype("float64").clip(lower=0) * missed_share).fillna(0.0)
    return at_risk.where(scored["colour"].isin(AT_RISK_COLOURS), 0.0)


def compute_account_list(scored: pd.DataFrame, previous: pd.DataFrame | None) -> pd.DataFrame:
    """Scored accounts of one month end with revenue at risk, score change against `previous`
    (the month end before) and the reasons: red accounts first, then yellow, green and unscored,
    each by revenue at risk, largest first."""
    out = scored.copy()
    out["revenue_at_risk"] = compute_revenue_at_risk(out)
    if previous is not None and len(previous):
        before = previous.set_index("account_id")
        out["previous_score"] = out["account_id"].map(before["score"])
        out["previous_colour"] = out["account_id"].map(before["colour"])
    else:
        out["previous_score"], out["previous_colour"] = np.nan, None
    out["score_change"] = out["score"] - out["previous_score"]
    out["colour_rank"] = out["colour"].map(COLOUR_RANK).fillna(len(COLOUR_RANK))
    out = out.sort_values(["colour_rank", "revenue_at_risk", "account_id"], ascending=[True, False, True], ignore_index=True)
    return out.drop(columns="colour_rank")


def change_arrow(change: float) -> str:
    if change is None or (isinstance(change, float) and math.isnan(change)):
        return "·"
    if change >= 5:
        return "▲"
    if change <= -5:
        return "▼"
    return "▶"


def compute_colour_summary(scored: pd.DataFrame) -> pd.DataFrame:
    """Accounts and 12-month revenue per colour (red, yellow, green, none)."""
    colours, revenue = scored["colour"].to_numpy(), scored["revenue_12m"]
    rows = []
    for colour in (*COLOURS, NO_SCORE):  # two columns only: filtering the ~90 columns of a scored frame is slow
        part = colours == colour
        rows.append({"colour": colour, "accounts": int(part.sum()), "revenue": float(revenue[part].sum())})
    return pd.DataFrame(rows)


def compute_tier_colours(scored: pd.DataFrame) -> pd.DataFrame:
    """Accounts and 12-month revenue per tier × colour (for the stacked bars)."""
    tier = scored["tier"].fillna("C").to_numpy(dtype=object)
    colour, revenue = scored["colour"].to_numpy(dtype=object), scored["revenue_12m"]
    rows = []
    for name in sorted(set(tier)):  # a dozen masks: a pandas groupby on string keys took ten times as long
        of_tier = tier == name
        for shade in sorted(set(colour[of_tier])):
            part = of_tier & (colour == shade)
            rows.append({"tier": name, "colour": shade, "accounts": int(part.sum()), "revenue": revenue[part].sum()})
    return pd.DataFrame(rows, columns=["tier", "colour", "accounts", "revenue"])


def compute_colour_changes(edited: pd.DataFrame, saved: pd.DataFrame) -> pd.DataFrame:
    """Accounts whose colour under the edited configuration differs from the saved one."""
    both = saved[["account_id", "account_name", "account_name_en", "score", "colour", "revenue_12m"]].merge(
        edited[["account_id", "score", "colour"]], on="account_id", suffixes=("_saved", "_edited")
    )
    changed = both[both["colour_saved"] != both["colour_edited"]]
    return changed.sort_values(["revenue_12m", "account_id"], ascending=[False, True], ignore_index=True)


def compute_colour_migration(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """Account counts per (colour before, colour after); "none" = not scored at that date."""
    merged = before[["account_id", "colour"]].merge(
        after[["account_id", "colour"]], on="account_id", how="outer", suffixes=("_before", "_after")
    ).fillna({"colour_before": NO_SCORE, "colour_after": NO_SCORE})
    order = [*COLOURS, NO_SCORE]
    table = pd.crosstab(merged["colour_before"], merged["colour_after"])
    return table.reindex(index=order, columns=order, fill_value=0)


# --- backtest (pure) --------------------------------------------------------------------------
@dataclass(frozen=True)
class ChurnRule:
    """Churn within the 3 months after T: no order at all, or (revenue_drop) also revenue down
    by at least `drop` against the 3 months ending T."""

    kind: str = "no_order"
    drop: float = 0.5

    def __post_init__(self) -> None:
        if self.kind not in CHURN_RULES:
            raise ValueError(f"unknown churn rule {self.kind!r}")


def compute_churned(history: pd.DataFrame, rule: ChurnRule) -> pd.Series:
    no_order = history["orders_next"].astype("float64") <= 0
    if rule.kind == "no_order":
        return no_order
    recent = history["revenue_recent"].astype("float64")
    dropped = (recent > 0) & (history["revenue_next"].astype("float64") <= (1 - rule.drop) * recent)
    return no_order | dropped


def compute_backtest(history: pd.DataFrame, rule: ChurnRule, data_end: date) -> tuple[pd.DataFrame, dict]:
    """Colours as of every month end T with 3 following months in the data, against churn in those months.

    Returns (per colour: colour, accounts, churned, churn_rate) and a summary: evaluated rows,
    month ends, base_rate, red precision / recall / lift, lost accounts, lost accounts warned
    (red within 365 days before their last order) and the median lead time in days between
    that first red and the last order.
    """
    rows = history[history["has_next_window"].astype(bool) & (history["colour"] != NO_SCORE)].copy()
    rows["churned"] = compute_churned(rows, rule)
    counts = [(len(part), int(part["churned"].sum())) for part in (rows[rows["colour"] == colour] for colour in COLOURS)]
    return _backtest_result(counts, int(rows["as_of"].nunique()), compute_lead_times(history, data_end))


def _backtest_result(counts: list[tuple[int, int]], month_ends: int, lead_times: dict) -> tuple[pd.DataFrame, dict]:
    """The backtest's table (a row per colour and "all") and summary from (rows, churned) per colour of
    COLOURS, red first: the rows are the month ends × accounts with a colour and 3 following months."""
    table = [{"colour": colour, "accounts": rows, "churned": churned, "churn_rate": churned / rows if rows else None}
             for colour, (rows, churned) in zip(COLOURS, counts)]
    total, total_churned = sum(rows for rows, _ in counts), sum(churned for _, churned in counts)
    red_rows, red_churned = counts[0]
    base_rate = total_churned / total if total else None
    precision = red_churned / red_rows if red_rows else None
    summary = {
        "rows": total,
        "month_ends": month_ends,
        "churned": total_churned,
        "base_rate": base_rate,
        "red_precision": precision,
        "red_recall": red_churned / total_churned if total_churned else None,
        "red_lift": precision / base_rate if precision is not None and base_rate else None,
        **lead_times,
    }
    table.append({"colour": "all", "accounts": total, "churned": total_churned, "churn_rate": base_rate})
    return pd.DataFrame(table), summary


def compute_lead_times(history: pd.DataFrame, data_end: date) -> dict:
    """Lead time of the lights: for every lost account (last order ≥ 90 days before the data's
    end), days from its first red month end within the 365 days before its last order to that order."""
    last_orders = history.groupby("account_id")["last_order_date"].max()
    last_orders = pd.to_datetime(last_orders).dt.date
    lost = last_orders[last_orders <= data_end - timedelta(days=LOST_AFTER_DAYS)]
    red = history.loc[history["colour"] == "red", ["account_id", "as_of"]]
    red = red[red["account_id"].isin(lost.index)]
    red = red.assign(last_order=red["account_id"].map(lost))
    red["lead_days"] = [(last - as_of).days for last, as_of in zip(red["last_order"], red["as_of"])]
    warned = red[(red["lead_days"] >= 0) & (red["lead_days"] <= LEAD_LOOKBACK_DAYS)]
    leads = warned.groupby("account_id")["lead_days"].max()
    return {
        "lost_accounts": len(lost),
        "lost_warned": len(leads),
        "median_lead_days": float(leads.median()) if len(leads) else None,
    }


# --- configuration versions -------------------------------------------------------------------
def read_config_versions(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Saved versions, oldest first: {"version", "saved_at" (ISO text), "config" (HealthConfig)}."""
    saved = db.get_setting(con, SETTINGS_KEY, {}) or {}
    return [
        {"version": v["version"], "saved_at": v["saved_at"], "config": HealthConfig.from_dict(v["config"])}
        for v in saved.get("versions", [])
    ]


def read_config(con: duckdb.DuckDBPyConnection) -> tuple[HealthConfig, int]:
    """The latest saved configuration and its version (0 = the built-in defaults)."""
    versions = read_config_versions(con)
    return (versions[-1]["config"], versions[-1]["version"]) if versions else (HealthConfig(), 0)


def save_config(con: duckdb.DuckDBPyConnection, config: HealthConfig, now: datetime | None = None) -> int:
    """Store `config` as a new version (timestamped); returns its number."""
    stamp = (now or datetime.now()).replace(microsecond=0).isoformat()

    def add_version(saved):
        versions = (saved or {}).get("versions", [])
        number = (versions[-1]["version"] if versions else 0) + 1
        return {"versions": [*versions, {"version": number, "saved_at": stamp, "config": config.as_dict()}]}

    number = db.update_setting(con, SETTINGS_KEY, add_version)["versions"][-1]["version"]
    return number


# --- convenience for the CLI and tests ----------------------------------------------------------
def read_health(
    con: duckdb.DuckDBPyConnection, as_of: date, scope: Scope, config: HealthConfig | None = None
) -> pd.DataFrame:
    """Scored accounts as of the month end of `as_of` (or the one before), with the list columns."""
    config = config or read_config(con)[0]
    month = latest_month_end(as_of)
    previous_month = month_start(month) - timedelta(days=1)
    scored = compute_scores(read_health_inputs(con, previous_month, month, scope), config)
    current = scored[scored["as_of"] == month]
    before = scored[scored["as_of"] == previous_month]
    return compute_account_list(current, before)


def read_history_inputs(con: duckdb.DuckDBPyConnection, scope: Scope) -> pd.DataFrame:
    """Health inputs at every month end of the data (config-independent, so the page caches them)."""
    month_ends = read_month_ends(con) or [date(1900, 1, 31)]
    return read_health_inputs(con, month_ends[-1], month_ends[0], scope)


def read_latest_tiers(con: duckdb.DuckDBPyConnection, scope: Scope) -> pd.DataFrame:
    """account_id, tier and visit_cadence_days of the scope's accounts as read_history_inputs draws them:
    among the scope's accounts at the data's last month end."""
    last = (read_month_ends(con) or [date(1900, 1, 31)])[0]
    return read_health_inputs(con, last, last, scope)[["account_id", "tier", "visit_cadence_days"]]


def read_account_history_inputs(
    con: duckdb.DuckDBPyConnection, scope: Scope, account_id: str, latest_tiers: pd.DataFrame
) -> pd.DataFrame:
    """compute_account_inputs of read_history_inputs, read for the one account: a few dozen rows in tens of
    ms where the whole history takes seconds. Every measure of an account reads only its own lines (and
    the data's first ticket and visit dates); its tier is the one drawn among the scope (read_latest_tiers)."""
    month_ends = read_month_ends(con) or [date(1900, 1, 31)]
    within = scope.account_ids is None or account_id in scope.account_ids
    one = replace(scope, account_ids=(account_id,) if within else ())
    frame = _read_measure_rows(con, month_ends[-1], month_ends[0], one).merge(latest_tiers, on="account_id", how="left")
    return frame.sort_values("as_of", kind="stable")


def read_health_history(
    con: duckdb.DuckDBPyConnection, scope: Scope, config: HealthConfig | None = None
) -> pd.DataFrame:
    """Scores of every account at every month end of the data."""
    return compute_scores(read_history_inputs(con, scope), config or read_config(con)[0])


def compute_account_history(history_inputs: pd.DataFrame, account_id: str, config: HealthConfig) -> pd.DataFrame:
    """Scores of one account at every month end, oldest first (the history chart draws them in this order;
    the inputs come in no particular order)."""
    return compute_scores(compute_account_inputs(history_inputs, account_id), config)


def compute_account_inputs(history_inputs: pd.DataFrame, account_id: str) -> pd.DataFrame:
    """The history's inputs of one account, oldest first: a few dozen rows that a new configuration
    re-scores without looking through the whole history again."""
    return history_inputs[history_inputs["account_id"] == account_id].sort_values("as_of", kind="stable")


def compute_history_migration(
    history_inputs: pd.DataFrame, month_from: date, month_to: date, config: HealthConfig
) -> pd.DataFrame:
    """compute_colour_migration between two month ends of the history."""
    def colours_at(month: date) -> pd.DataFrame:
        rows = history_inputs[history_inputs["as_of"] == month]
        return rows[["account_id"]].join(compute_colours(rows, config))

    return compute_colour_migration(colours_at(month_from), colours_at(month_to))


BACKTEST_COLUMNS = ["account_id", "as_of", "has_next_window", "orders_next", "revenue_next", "revenue_recent",
                    "last_order_date"]


def compute_history_backtest(
    history_inputs: pd.DataFrame, config: HealthConfig, rule: ChurnRule, data_end: date
) -> tuple[pd.DataFrame, dict]:
    """compute_backtest of the colours under `config` at every month end of the history."""
    return compute_backtest(history_inputs[BACKTEST_COLUMNS].join(compute_colours(history_inputs, config)),
                            rule, data_end)


# --- the history re-scored on a move (pure) ----------------------------------------------------------
# A weight, threshold, band or the override changes only the scoring. The measures' values (which read the
# configuration only for min_interval_days) and what the backtest and the migration read of each row are
# computed once per history as read-only arrays in the rows' order, so a move scores arrays and counts.
def _read_only(array: np.ndarray) -> np.ndarray:
    array.setflags(write=False)  # kept in a cache that every session reads: nobody may change it
    return array


def _days(values) -> np.ndarray:
    """Dates (date objects or datetime64) as float64 days since 1970-01-01, NaN where missing."""
    days = pd.to_datetime(pd.Series(values)).to_numpy().astype("datetime64[D]")
    return np.where(np.isnat(days), np.nan, days.astype("int64").astype("float64"))


def compute_history_measures(history_inputs: pd.DataFrame, min_interval_days: float) -> dict[str, np.ndarray]:
    """compute_measures of every row of the history, one read-only float64 array per measure."""
    return {m: _read_only(v) for m, v in _measure_values(history_inputs, min_interval_days).items()}


@dataclass(frozen=True, eq=False)
class HistoryRows:
    """Of every row of the history, in its order, what the backtest and the migration read besides the
    colour (read-only arrays; see compute_history_rows)."""

    as_of: np.ndarray  # float64 days since 1970-01-01 of the row's month end
    has_next: np.ndarray  # bool: the 3 months after the month end are in the data
    orders_next: np.ndarray  # float64
    revenue_next: np.ndarray  # float64
    revenue_recent: np.ndarray  # float64
    account_codes: np.ndarray  # int64: the row's account as a position in accounts and last_orders
    accounts: np.ndarray  # object: the account ids, each once
    last_orders: np.ndarray  # float64 days of each account's last order in the history, NaN where none
    lead_days: np.ndarray  # float64 days from the row's month end to its account's last order


def compute_history_rows(history_inputs: pd.DataFrame) -> HistoryRows:
    """The configuration-free part of the backtest and the migration of the history, computed once."""
    codes, accounts = pd.factorize(history_inputs["account_id"])
    last_orders = _days(history_inputs.groupby(codes)["last_order_date"].max().sort_index().to_numpy())
    as_of = _days(history_inputs["as_of"].to_numpy())
    return HistoryRows(*(_read_only(np.asarray(a)) for a in (
        as_of,
        history_inputs["has_next_window"].to_numpy(dtype=bool),
        history_inputs["orders_next"].to_numpy(dtype="float64"),
        history_inputs["revenue_next"].to_numpy(dtype="float64"),
        history_inputs["revenue_recent"].to_numpy(dtype="float64"),
        codes.astype("int64"),
        np.asarray(accounts, dtype=object),
        last_orders,
        last_orders[codes] - as_of,
    )))


def compute_backtest_from(
    rows: HistoryRows, measures: dict[str, np.ndarray], config: HealthConfig, rule: ChurnRule, data_end: date
) -> tuple[pd.DataFrame, dict]:
    """compute_history_backtest from the history's cached rows and measures: the same table and summary."""
    colour = _score(measures, config)["colour"]
    evaluated = rows.has_next & (colour != NO_SCORE)
    churned = rows.orders_next <= 0
    if rule.kind == "revenue_drop":
        churned = churned | ((rows.revenue_recent > 0) & (rows.revenue_next <= (1 - rule.drop) * rows.revenue_recent))
    churned = churned & evaluated
    counts = [(int(part.sum()), int((churned & part).sum())) for part in (evaluated & (colour == name) for name in COLOURS)]
    return _backtest_result(counts, int(np.unique(rows.as_of[evaluated]).size), _lead_times_from(rows, colour, data_end))


def _lead_times_from(rows: HistoryRows, colour: np.ndarray, data_end: date) -> dict:
    """compute_lead_times from the history's cached rows and the colours of a configuration."""
    with np.errstate(invalid="ignore"):
        lost = rows.last_orders <= _days([data_end - timedelta(days=LOST_AFTER_DAYS)])[0]
        warned = (colour == "red") & lost[rows.account_codes] & (rows.lead_days >= 0) & (rows.lead_days <= LEAD_LOOKBACK_DAYS)
    longest = np.full(len(rows.last_orders), -1.0)
    np.maximum.at(longest, rows.account_codes[warned], rows.lead_days[warned])
    leads = longest[longest >= 0]
    return {
        "lost_accounts": int(lost.sum()),
        "lost_warned": len(leads),
        "median_lead_days": float(np.median(leads)) if len(leads) else None,
    }


def compute_migration_from(
    rows: HistoryRows, measures: dict[str, np.ndarray], month_from: date, month_to: date, config: HealthConfig
) -> pd.DataFrame:
    """compute_history_migration from the history's cached rows and measures: the same table, counted
    on the accounts' positions (a merge and a crosstab of the accounts' ids took most of a move)."""
    names = [*COLOURS, NO_SCORE]

    def codes_at(month: date) -> np.ndarray:  # per account: its colour's position in names, −1 where not in the data
        at = np.flatnonzero(rows.as_of == _days([month])[0])
        codes = np.full(len(rows.accounts), -1)
        colour = _score({m: values[at] for m, values in measures.items()}, config)["colour"]
        codes[rows.account_codes[at]] = pd.Index(names).get_indexer(colour)
        return codes

    before, after = codes_at(month_from), codes_at(month_to)
    present = (before >= 0) | (after >= 0)
    none = names.index(NO_SCORE)
    before, after = np.where(before >= 0, before, none)[present], np.where(after >= 0, after, none)[present]
    counts = np.bincount(before * len(names) + after, minlength=len(names) ** 2).reshape(len(names), len(names))
    return pd.DataFrame(counts.astype("int64"), index=pd.Index(names, name="colour_before"),
                        columns=pd.Index(names, name="colour_after"))


def reason_texts(scored: pd.DataFrame) -> list[str]:
    """describe_reasons for every row (for the account list and the CLI), read from the few columns
    it needs: going through rows of all ~90 columns took longer than the rest of the list."""
    if scored.empty:
        return []
    reasons = [scored[f"reason_{k}"].to_numpy(dtype=object) for k in (1, 2, 3)]
    values = {m: scored[f"value_{m}"].to_numpy(dtype="float64") for m in MEASURES}
    overridden = scored["is_overridden"].to_numpy(dtype=bool)
    texts = []
    for i in range(len(scored)):
        parts = [t("health.reason.override", value=format_number(values["recency"][i], 1))] if overridden[i] else []
        parts += [describe_measure(r[i], float(values[r[i]][i])) for r in reasons if isinstance(r[i], str)]
        texts.append("; ".join(parts))
    return texts


def compute_export(listing: pd.DataFrame) -> pd.DataFrame:
    """The CLI table: account, score, colour, each measure's value and points, top reasons."""
    columns = {
        "account_id": listing["account_id"], "account_name": listing["account_name"], "as_of": listing["as_of"],
        "tier": listing["tier"], "score": listing["score"].round(2), "colour": listing["colour"],
        "is_overridden": listing["is_overridden"], "revenue_12m": listing["revenue_12m"],
        "revenue_at_risk": listing["revenue_at_risk"].round(2),
    }
    for measure in MEASURES:
        columns[f"{measure}_value"] = listing[f"value_{measure}"].round(6)
        columns[f"{measure}_points"] = listing[f"points_{measure}"].round(2)
    columns["top_reasons"] = reason_texts(listing)
    return pd.DataFrame(columns)


def compute_backtest_export(table: pd.DataFrame, summary: dict, rule: ChurnRule) -> pd.DataFrame:
    """The CLI backtest: one row per colour (and "all"), the summary repeated on every row."""
    extra = {"churn_rule": rule.kind, "churn_drop": rule.drop if rule.kind == "revenue_drop" else None}
    extra.update({key: summary[key] for key in (
        "month_ends", "base_rate", "red_precision", "red_recall", "red_lift",
        "lost_accounts", "lost_warned", "median_lead_days")})
    return table.assign(**extra)
