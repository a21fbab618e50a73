"""The account QBR: one account's quarter, for the customer or for our own team.

Every figure comes from the functions the pages use (Account 360, scorecards, health, tiers,
what-if), so a figure on a slide is the page's figure. Facts are read lazily: a customer deck
never reads the internal ones (health, tier, share, dependency).
"""

from __future__ import annotations

from functools import cached_property

import duckdb
import pandas as pd

from ka import account, db, health, kpi, overview, tiers, whatif
from ka.i18n import format_int, t
from ka.periods import Period, add_months
from ka.qbr import actions
from ka.qbr.model import Bullets, Cell, Chart, Metric, Metrics, Row, Series, Slide, Table
from ka.qbr.request import Request
from ka.qbr.slides import SlideSpec, cover_slide, status_cell, summary_line
from ka.qbr.text import (
    amount, change_against, display_name, is_missing, number, pct, pct_change, period_label, tone_of,
    value_in_unit,
)
from ka.scope import Scope

# KPIs about our economics or our book, not the customer's results: internal audience only
INTERNAL_KPIS = {"gp_contribution", "churn_rate", "strategic_retention",
                 # how we work the account and its people: for our side of the table only
                 "actions_on_time", "executive_visit_compliance", "relationship_coverage"}
CURRENT, PREVIOUS = "#2563eb", "#94a3b8"


class AccountFacts:
    """What the slides of one account's review read, each part fetched once and only if used."""

    def __init__(self, con: duckdb.DuckDBPyConnection, request: Request, as_of):
        self.con, self.request, self.as_of = con, request, as_of
        self.account_id = request.account_id
        self.period: Period = request.period

    @cached_property
    def profile(self) -> dict:
        return account.read_profile(self.con, self.account_id)

    @property
    def name(self) -> str:
        return display_name(self.profile["account_name"], self.profile["account_name_en"]) or self.account_id

    @cached_property
    def figures(self) -> dict:
        return account.read_period_figures(self.con, self.account_id, self.period)

    @cached_property
    def monthly(self) -> pd.DataFrame:
        """The 24 months ending with the period's last month (revenue, gross profit), every month present."""
        last = self.period.end.replace(day=1)
        months = [add_months(last, k) for k in range(-23, 1)]
        frame = overview.read_monthly_revenue(self.con, months[0], last, Scope(account_ids=(self.account_id,)))
        frame["month"] = pd.to_datetime(frame["month"]).dt.date
        return pd.DataFrame({"month": months}).merge(frame, on="month", how="left")

    @cached_property
    def mix(self) -> pd.DataFrame:
        """Revenue per category in the period and the same period last year."""
        now = account.read_category_mix(self.con, self.account_id, self.period)[["category", "revenue"]]
        before = account.read_category_mix(self.con, self.account_id, self.period.year_ago())[["category", "revenue"]]
        both = now.merge(before, on="category", how="outer", suffixes=("", "_year_ago"))
        both = both.astype({"revenue": "float64", "revenue_year_ago": "float64"}).fillna(0.0)
        both["change"] = both["revenue"] - both["revenue_year_ago"]
        return both.sort_values(["revenue", "category"], ascending=[False, True], ignore_index=True)

    @cached_property
    def new_categories(self) -> pd.DataFrame:
        history = kpi.history_window(self.period)
        params = {"account_id": self.account_id, "start": self.period.start, "end": self.period.end,
                  "history_start": history.start, "history_end": history.end}
        return db.query_df(self.con, db.load_sql("qbr_account_new_categories"), params)

    @cached_property
    def scorecard(self) -> kpi.Scorecards:
        return kpi.read_scorecards(self.con, self.period, Scope(account_ids=(self.account_id,)), "account")

    def kpi_row(self, name: str) -> dict | None:
        rows = self.scorecard.scores[self.scorecard.scores["kpi"] == name]
        return rows.iloc[0].to_dict() if len(rows) else None

    @cached_property
    def promised_visits(self) -> float | None:
        values = self.scorecard.values
        if values.empty or is_missing(values["promised_visits_per_month"].iloc[0]):
            return None
        return float(values["promised_visits_per_month"].iloc[0]) * kpi.period_months(self.period)

    @cached_property
    def service(self) -> dict:
        params = {"account_id": self.account_id, "start": self.period.start, "end": self.period.end}
        return db.query_dicts(self.con, db.load_sql("qbr_account_service"), params)[0]

    # --- internal facts -------------------------------------------------------------------------
    @cached_property
    def health(self) -> dict | None:
        """The account's health as the health page shows it, measured at the period's last month end."""
        listing = health.read_health(self.con, self.period.end, self.request.scope)
        rows = listing[listing["account_id"] == self.account_id]
        if rows.empty:
            return None
        row = rows.iloc[0].to_dict()
        row["reasons"] = health.reason_texts(rows.iloc[:1])[0]
        return row

    @cached_property
    def tier(self) -> dict | None:
        tiered = tiers.read_account_tiers(self.con, self.period, self.request.scope, tiers.read_tier_settings(self.con)["config"])
        rows = tiered[tiered["account_id"] == self.account_id]
        return rows.iloc[0].to_dict() if len(rows) else None

    @cached_property
    def dependency(self) -> dict | None:
        frame = whatif.read_account_frame(self.con, self.period, self.request.scope)
        frame = frame[frame["has_orders"]].reset_index(drop=True)
        table = whatif.compute_dependency(frame, whatif.read_coefficients(self.con), whatif.DEFAULT_THRESHOLD)
        rows = table[table["account_id"] == self.account_id]
        return rows.iloc[0].to_dict() if len(rows) else None


# --- slides -------------------------------------------------------------------------------------
def _labels(facts: AccountFacts) -> dict:
    return {"period": period_label(facts.period), "year_ago": period_label(facts.period.year_ago())}


def cover(facts: AccountFacts) -> Slide:
    profile = facts.profile
    team = t("qbr.cover.team", manager=profile["ka_manager"] or "—")
    return cover_slide(
        facts.request, facts.name,
        t("qbr.cover.account_subtitle", period=period_label(facts.period)),
        (facts.account_id, team, t("qbr.cover.date", date=f"{facts.as_of:%Y-%m-%d}")),
    )


def _decision(facts: AccountFacts) -> str:
    """What needs a decision, most pressing first; each clause comes from the data."""
    request, profile, service = facts.request, facts.profile, facts.service
    if not request.is_customer and facts.health and facts.health["colour"] in ("red", "yellow"):
        return t("qbr.summary.decide_health", colour=t(f"health.colour.{facts.health['colour']}"),
                 score=number(facts.health["score"]), reasons=facts.health["reasons"] or "—")
    end = profile.get("contract_end_date")
    if end is not None and 0 <= (end - facts.period.end).days <= 180:
        return t("qbr.summary.decide_contract", date=f"{end:%Y-%m-%d}", days=(end - facts.period.end).days)
    if service["open_tickets"]:
        return t("qbr.summary.decide_tickets", count=format_int(service["open_tickets"]))
    if facts.promised_visits and service["visits"] < facts.promised_visits:
        return t("qbr.summary.decide_visits", visits=format_int(service["visits"]),
                 promised=number(facts.promised_visits))
    if len(facts.new_categories):
        return t("qbr.summary.decide_new_category", category=facts.new_categories["category"].iloc[0])
    return t("qbr.summary.decide_none")


def summary(facts: AccountFacts) -> Slide:
    labels = _labels(facts)
    current, year_ago = facts.figures["current"], facts.figures["year_ago"]
    deltas = overview.compute_deltas(current, year_ago)
    tiles = [
        Metric(t("qbr.kpi.revenue"), amount(current.revenue),
               change_against(pct_change(deltas["revenue"]), labels["year_ago"]), tone_of(deltas["revenue"])),
        Metric(t("qbr.kpi.orders"), format_int(current.orders),
               change_against(pct_change(overview.relative_change(current.orders, year_ago.orders)), labels["year_ago"]),
               tone_of(overview.relative_change(current.orders, year_ago.orders))),
    ]
    if facts.request.is_customer:
        mix = facts.mix
        now, before = int((mix["revenue"] > 0).sum()), int((mix["revenue_year_ago"] > 0).sum())
        tiles.append(Metric(t("qbr.kpi.categories"), format_int(now),
                            change_against(f"{now - before:+d}", labels["year_ago"]), tone_of(now - before)))
    else:
        tiles.append(Metric(t("qbr.kpi.gross_profit"), amount(current.gross_profit),
                            change_against(pct_change(deltas["gross_profit"]), labels["year_ago"]),
                            tone_of(deltas["gross_profit"])))
    mix = facts.mix
    grew, fell = mix[mix["change"] > 0], mix[mix["change"] < 0]
    sentences = [
        summary_line("grew", grew.sort_values("change", ascending=False), labels["year_ago"]),
        summary_line("fell", fell.sort_values("change"), labels["year_ago"]),
        _decision(facts),
    ]
    keys = ("revenue", "orders", "categories" if facts.request.is_customer else "gross_profit", "change_year_ago")
    return Slide("summary", t("qbr.slide.summary"), (Row((Metrics(tuple(tiles)),), height=1.0),
                                                     Row((Bullets(tuple(sentences)),), height=1.3)), keys)


def results(facts: AccountFacts) -> Slide:
    current = facts.figures["current"]
    revenue = facts.kpi_row("revenue")
    tiles = [Metric(t("qbr.kpi.revenue"), amount(current.revenue), _attainment_text(revenue),
                    _attainment_tone(revenue))]
    if not facts.request.is_customer:
        tiles.append(Metric(t("qbr.kpi.gross_profit"), amount(current.gross_profit),
                            t("qbr.results.margin", margin=pct(current.margin)), "neutral"))
    rows, shown = [], []
    for item in kpi.KPIS:
        row = facts.kpi_row(item.name)
        if row is None or (facts.request.is_customer and item.name in INTERNAL_KPIS):
            continue
        if is_missing(row["value"]) and is_missing(row["target"]):
            continue
        rows.append((
            Cell(t(f"scorecards.kpi_name.{item.name}")),
            Cell(value_in_unit(item.unit, row["value"]), align="right"),
            Cell(value_in_unit(item.unit, row["target"]), align="right"),
            Cell(pct(row["attainment"], 0), align="right"),
            status_cell(row["status"]),
        ))
        shown.append(f"kpi_{item.name}")
    table = Table(
        (t("qbr.col.kpi"), t("qbr.col.actual"), t("qbr.col.target"), t("qbr.col.attainment"), t("qbr.col.status")),
        tuple(rows), widths=(3, 1.6, 1.6, 1.3, 1.6), empty=t("qbr.results.no_kpis"),
    )
    keys = ["revenue", "target", "attainment", "status"] + ([] if facts.request.is_customer else ["gross_profit", "margin"])
    keys += shown
    return Slide("results", t("qbr.slide.results", period=period_label(facts.period)),
                 (Row((Metrics(tuple(tiles)),), height=0.55), Row((table,), height=1.45)), tuple(keys))


def _attainment_text(row: dict | None) -> str:
    if row is None or is_missing(row["target"]):
        return t("qbr.results.no_target")
    return t("qbr.results.against_target", target=amount(row["target"]), attainment=pct(row["attainment"], 0))


def _attainment_tone(row: dict | None) -> str:
    return {"green": "good", "red": "bad"}.get(row["status"] if row else "", "neutral")


def monthly(facts: AccountFacts) -> Slide:
    frame = facts.monthly
    previous, current = frame.iloc[:12], frame.iloc[12:]
    this_label = t("qbr.monthly.this_12", start=f"{current['month'].iloc[0]:%Y-%m}", end=f"{current['month'].iloc[-1]:%Y-%m}")
    prior_label = t("qbr.monthly.previous_12", start=f"{previous['month'].iloc[0]:%Y-%m}",
                    end=f"{previous['month'].iloc[-1]:%Y-%m}")
    values = lambda part: tuple(0.0 if is_missing(v) else float(v) for v in part["revenue"])  # noqa: E731
    chart = Chart(
        "column", t("qbr.monthly.chart_title"), tuple(f"{m:%Y-%m}" for m in current["month"]),
        (Series(prior_label, values(previous), PREVIOUS), Series(this_label, values(current), CURRENT)),
    )
    total_now, total_before = sum(values(current)), sum(values(previous))
    change = overview.relative_change(total_now, total_before)
    tiles = Metrics((
        Metric(this_label, amount(total_now), change_against(pct_change(change), prior_label), tone_of(change)),
        Metric(t("qbr.monthly.best_month"), f"{current['month'].iloc[values(current).index(max(values(current)))]:%Y-%m}",
               amount(max(values(current)))),
    ))
    return Slide("monthly", t("qbr.slide.monthly"), (Row((tiles,), height=0.55), Row((chart,), height=1.45)),
                 ("revenue", "monthly_revenue"))


def mix(facts: AccountFacts) -> Slide:
    labels = _labels(facts)
    frame = facts.mix.head(8)
    chart = Chart(
        "bar", t("qbr.mix.chart_title", period=labels["period"]), tuple(frame["category"]),
        (Series(labels["year_ago"], tuple(frame["revenue_year_ago"]), PREVIOUS),
         Series(labels["period"], tuple(frame["revenue"]), CURRENT)),
    )
    new = facts.new_categories
    table = Table(
        (t("qbr.col.category"), t("qbr.col.revenue")),
        tuple((Cell(str(row.category)), Cell(amount(row.revenue), align="right")) for row in new.head(8).itertuples()),
        title=t("qbr.mix.new_title"), widths=(2, 1), empty=t("qbr.mix.no_new"),
    )
    return Slide("mix", t("qbr.slide.mix"), (Row((chart, table), widths=(1.6, 1)),), ("category_revenue", "new_category"))


def service(facts: AccountFacts) -> Slide:
    s = facts.service
    promised = facts.promised_visits
    visits_note = t("qbr.service.promised", promised=number(promised)) if promised else t("qbr.service.no_promise")
    nps = "—" if s["latest_nps"] is None else str(s["latest_nps"])
    nps_note = t("qbr.service.nps_date", date=f"{s['latest_nps_date']:%Y-%m-%d}") if s["latest_nps_date"] else t("qbr.service.no_survey")
    last_visit = t("qbr.service.last_visit", date=f"{s['last_visit_date']:%Y-%m-%d}") if s["last_visit_date"] else t("qbr.service.never")
    tone = "neutral" if not promised else ("good" if s["visits"] >= promised else "bad")
    first = Metrics((
        Metric(t("qbr.kpi.visits"), format_int(s["visits"]), visits_note, tone),
        Metric(t("qbr.kpi.last_visit"), f"{s['last_visit_date']:%Y-%m-%d}" if s["last_visit_date"] else "—", last_visit),
        Metric(t("qbr.kpi.nps"), nps, nps_note),
    ))
    second = Metrics((
        Metric(t("qbr.kpi.tickets_opened"), format_int(s["tickets_opened"])),
        Metric(t("qbr.kpi.resolution_days"), number(s["median_resolution_days"], 1),
               t("qbr.service.resolved", count=format_int(s["tickets_resolved"]))),
        Metric(t("qbr.kpi.open_tickets"), format_int(s["open_tickets"]),
               t("qbr.service.open_at", date=f"{facts.period.end:%Y-%m-%d}"), "bad" if s["open_tickets"] else "good"),
    ))
    return Slide("service", t("qbr.slide.service", period=period_label(facts.period)), (Row((first,)), Row((second,))),
                 ("visits", "promised_visits", "nps", "tickets_opened", "resolution_days", "open_tickets"))


def standing(facts: AccountFacts) -> Slide:
    """Internal: health with its reasons, tier and share of our portfolio, dependency index."""
    h, tier, dep = facts.health, facts.tier, facts.dependency
    colour = h["colour"] if h else "none"
    tiles = Metrics((
        Metric(t("qbr.kpi.health"), t(f"health.colour.{colour}"),
               t("qbr.standing.score", score=number(h["score"])) if h else t("qbr.standing.no_health"),
               {"green": "good", "red": "bad"}.get(colour, "neutral")),
        Metric(t("qbr.kpi.tier"), tier["tier"] if tier else "—", t("qbr.standing.tier_note", period=period_label(facts.period))),
        Metric(t("qbr.kpi.share"), pct(tier["share"]) if tier else "—",
               t("qbr.standing.cumulative", share=pct(tier["cumulative_share"])) if tier else None),
        Metric(t("qbr.kpi.dependency"), number(dep["dependency_index"], 3) if dep else "—",
               (t("qbr.standing.above", threshold=number(whatif.DEFAULT_THRESHOLD, 1)) if dep["is_above_threshold"]
                else t("qbr.standing.below", threshold=number(whatif.DEFAULT_THRESHOLD, 1))) if dep else None,
               "bad" if dep and dep["is_above_threshold"] else "neutral"),
    ))
    reasons = [r for r in (h["reasons"] or "").split("; ") if r] if h else []
    bullets = Bullets(tuple(reasons) or (t("qbr.standing.no_reasons"),), title=t("qbr.standing.reasons_title",
                      date=f"{facts.period.end:%Y-%m-%d}"))
    return Slide("standing", t("qbr.slide.standing"), (Row((tiles,), height=0.8), Row((bullets,), height=1.2)),
                 ("health", "tier", "share", "dependency"))


ACCOUNT_SLIDES: tuple[SlideSpec, ...] = (
    SlideSpec("cover", cover),
    SlideSpec("summary", summary),
    SlideSpec("results", results),
    SlideSpec("monthly", monthly),
    SlideSpec("mix", mix),
    SlideSpec("service", service),
    SlideSpec("standing", standing, internal=True),
    SlideSpec("next_quarter", lambda facts: actions.next_quarter_slide(
        facts.con, facts.request, account_id=facts.account_id)),
)


def context_line(facts: AccountFacts) -> str:
    labels = _labels(facts)
    return t("qbr.context.account", period=labels["period"], year_ago=labels["year_ago"],
             account=facts.account_id, date=f"{facts.as_of:%Y-%m-%d}")
