"""The KA manager review (one manager's book) and the portfolio review (the sidebar's filters):
internal decks for the management team, from the overview, tiers, health, scorecards and
what-if functions, so each figure equals its page's figure for the same filters.
"""

from __future__ import annotations

from functools import cached_property

import duckdb
import pandas as pd

from ka import health, kpi, overview, tiers, whatif
from ka.i18n import format_int, t
from ka.periods import Period
from ka.qbr import actions
from ka.qbr.model import Cell, Chart, Metric, Metrics, Row, Series, Slide, Table
from ka.qbr.request import Request
from ka.qbr.slides import SlideSpec, cover_slide, status_cell
from ka.qbr.text import (
    amount, display_name, is_missing, number, pct, pct_change, period_label, points_change, tone_of,
)

ROWS_PER_TABLE = 8
RED_ROWS = 6  # with two reasons each, six rows fit one slide
CURRENT, PREVIOUS = "#2563eb", "#94a3b8"


class ReviewFacts:
    def __init__(self, con: duckdb.DuckDBPyConnection, request: Request, as_of):
        self.con, self.request, self.as_of = con, request, as_of
        self.period: Period = request.period
        self.scope = request.scope

    @cached_property
    def kpis(self) -> dict:
        return {
            "current": overview.read_overview_kpis(self.con, self.period, self.scope),
            "prior": overview.read_overview_kpis(self.con, self.period.prior(), self.scope),
            "year_ago": overview.read_overview_kpis(self.con, self.period.year_ago(), self.scope),
        }

    @cached_property
    def trend(self) -> pd.DataFrame:
        return overview.read_trend_this_vs_last_year(self.con, self.period, self.scope)

    @cached_property
    def tier_settings(self) -> dict:
        return tiers.read_tier_settings(self.con)

    @cached_property
    def tiered(self) -> pd.DataFrame:
        return tiers.read_account_tiers(self.con, self.period, self.scope, self.tier_settings["config"])

    @cached_property
    def migration(self) -> pd.DataFrame:
        before = tiers.read_account_tiers(self.con, self.period.prior(), self.scope, self.tier_settings["config"])
        return tiers.compute_tier_migration(before, self.tiered)

    @cached_property
    def health(self) -> pd.DataFrame:
        listing = health.read_health(self.con, self.period.end, self.scope)
        return listing.assign(reasons=health.reason_texts(listing))

    @cached_property
    def scorecards(self) -> kpi.Scorecards:
        level = "account" if self.request.kind == "manager" else "manager"
        return kpi.read_scorecards(self.con, self.period, self.scope, level)

    @cached_property
    def accounts(self) -> pd.DataFrame:
        frame = whatif.read_account_frame(self.con, self.period, self.scope)
        return frame.assign(change=frame["revenue"] - frame["prior_revenue"])

    @property
    def title(self) -> str:
        if self.request.kind == "manager":
            return t("qbr.cover.manager_title", manager=self.request.manager)
        return t("qbr.cover.portfolio_title")


def _name(row) -> str:
    return display_name(row["account_name"], row.get("account_name_en"))


def top_reasons(reasons: str | None, count: int = 2) -> str:
    """The first `count` reasons of a health listing's text (most points missed first)."""
    return "; ".join((reasons or "").split("; ")[:count]) or "—"


def _labels(facts: ReviewFacts) -> dict:
    return {"period": period_label(facts.period), "prior": period_label(facts.period.prior()),
            "year_ago": period_label(facts.period.year_ago())}


def cover(facts: ReviewFacts) -> Slide:
    current = facts.kpis["current"]
    return cover_slide(
        facts.request, facts.title, t("qbr.cover.review_subtitle", period=period_label(facts.period)),
        (filters_text(facts.request), t("qbr.cover.accounts", count=format_int(current.active_accounts)),
         t("qbr.cover.date", date=f"{facts.as_of:%Y-%m-%d}")),
    )


KPI_ROWS = (
    ("revenue", "amount"), ("gross_profit", "amount"), ("margin", "points"), ("active_accounts", "count"),
    ("new_accounts", "count"), ("lost_accounts", "count"), ("revenue_per_account", "amount"),
    ("top10_share", "points"), ("hhi", "count"),
)


def kpi_table(facts: ReviewFacts) -> Slide:
    labels = _labels(facts)
    current, prior, year_ago = facts.kpis["current"], facts.kpis["prior"], facts.kpis["year_ago"]
    to_prior, to_year = overview.compute_deltas(current, prior), overview.compute_deltas(current, year_ago)

    def text(name: str, kind: str, kpis) -> str:
        value = kpis.value(name)
        return amount(value) if kind == "amount" else pct(value) if kind == "points" else number(value)

    def change(name: str, kind: str, deltas) -> Cell:
        value = deltas[name]
        words = points_change(value) if kind == "points" else pct_change(value)
        return Cell(words or "—", tone=None, align="right")

    rows = tuple(
        (Cell(t(f"overview.kpi_{name}")), Cell(text(name, kind, current), align="right"),
         Cell(text(name, kind, prior), align="right"), change(name, kind, to_prior),
         Cell(text(name, kind, year_ago), align="right"), change(name, kind, to_year))
        for name, kind in KPI_ROWS
    )
    table = Table(
        (t("qbr.col.kpi"), labels["period"], labels["prior"], t("qbr.col.change"), labels["year_ago"], t("qbr.col.change")),
        rows, widths=(2.4, 1.4, 1.4, 1.1, 1.4, 1.1),
    )
    return Slide("kpis", t("qbr.slide.kpis"), (Row((table,)),), tuple(f"kpi_overview_{n}" for n, _ in KPI_ROWS))


def trend(facts: ReviewFacts) -> Slide:
    frame, year = facts.trend, facts.period.end.year
    months = list(range(1, 13))
    categories = tuple(t(f"qbr.month_short.{m}") for m in months)

    def series(y: int) -> tuple:
        values = dict(zip(frame.loc[frame["year"] == y, "month_of_year"], frame.loc[frame["year"] == y, "revenue"]))
        return tuple(float(values[m]) if m in values and not is_missing(values[m]) else None for m in months)

    chart = Chart("line", t("qbr.trend.chart_title", year=year, last_year=year - 1), categories,
                  (Series(str(year - 1), series(year - 1), PREVIOUS), Series(str(year), series(year), CURRENT)))
    return Slide("trend", t("qbr.slide.trend"), (Row((chart,)),), ("monthly_revenue",))


def tier_mix(facts: ReviewFacts) -> Slide:
    tiered, settings = facts.tiered, facts.tier_settings
    summary = tiers.compute_tier_summary(tiered, tiers.window_months(facts.period), settings["visits_per_month"],
                                         tiers.read_has_visits(facts.con))
    table = Table(
        (t("qbr.col.tier"), t("qbr.col.accounts"), t("qbr.col.revenue"), t("qbr.col.share"), t("qbr.col.visits")),
        tuple((Cell(row.tier), Cell(format_int(row.accounts), align="right"), Cell(amount(row.revenue), align="right"),
               Cell(pct(row.share), align="right"),
               Cell(f"{format_int(row.actual_visits)} / {number(row.promised_visits)}", align="right"))
              for row in summary.itertuples()),
        title=t("qbr.tiers.mix_title", period=period_label(facts.period)), widths=(0.8, 1.1, 1.5, 1.1, 1.7),
    )
    flows = tiers.compute_migration_flows(facts.migration)
    counts = {(r.tier_before, r.tier_after): r.accounts for r in flows.itertuples()}
    before_tiers, after_tiers = (*tiers.TIERS, tiers.NEW), (*tiers.TIERS, tiers.LOST)
    node = {tiers.NEW: t("tiers.node_new"), tiers.LOST: t("tiers.node_lost")}
    matrix = Table(
        (t("qbr.tiers.from_to"), *(node.get(x, x) for x in after_tiers)),
        tuple((Cell(node.get(b, b)), *(Cell(format_int(counts.get((b, a), 0)), align="right") for a in after_tiers))
              for b in before_tiers),
        title=t("qbr.tiers.migration_title", before=period_label(facts.period.prior()), after=period_label(facts.period)),
    )
    return Slide("tiers", t("qbr.slide.tiers"), (Row((table, matrix), widths=(1.2, 1)),),
                 ("tier", "tier_migration", "promised_visits"))


def red_accounts(facts: ReviewFacts) -> Slide:
    listing = facts.health
    counts = listing["colour"].value_counts()
    tiles = Metrics(tuple(
        Metric(t(f"health.colour.{c}"), format_int(int(counts.get(c, 0))),
               amount(listing.loc[listing["colour"] == c, "revenue_12m"].astype(float).sum()),
               {"red": "bad", "green": "good"}.get(c, "neutral"))
        for c in health.COLOURS
    ))
    red = listing[listing["colour"] == "red"].head(RED_ROWS)
    with_manager = facts.request.kind != "manager"  # a manager's own review names them on the cover
    columns = (t("qbr.col.account"), *((t("qbr.col.manager"),) if with_manager else ()), t("qbr.col.at_risk"),
               t("qbr.col.score"), t("qbr.col.reasons"))
    table = Table(
        columns,
        tuple((Cell(_name(row)), *((Cell(row["ka_manager"] or "—"),) if with_manager else ()),
               Cell(amount(row["revenue_at_risk"]), align="right"), Cell(number(row["score"]), tone="red", align="right"),
               Cell(top_reasons(row["reasons"])))
              for row in red.to_dict("records")),
        widths=(2.6, *((0.9,) if with_manager else ()), 1.1, 0.8, 4.6), empty=t("qbr.health.no_red"),
    )
    return Slide("red_accounts", t("qbr.slide.red_accounts", date=f"{facts.period.end:%Y-%m-%d}"),
                 (Row((tiles,), height=0.45), Row((table,), height=1.55)), ("health", "revenue_at_risk"))


def scorecard_ranking(facts: ReviewFacts) -> Slide:
    cards = facts.scorecards
    ranked = cards.composite.head(ROWS_PER_TABLE + 2)
    revenue = cards.scores[cards.scores["kpi"] == "revenue"].set_index("group_id")
    by_account = cards.level == "account"

    def name(row) -> str:
        return _name(row) if by_account else (row["group_id"] or "—")

    rows = tuple(
        (Cell("—" if pd.isna(row["rank"]) else str(int(row["rank"])), align="right"), Cell(name(row)),
         Cell(number(row["composite"], 1), align="right"),
         *(Cell(number(row[f"score_{d}"], 0), align="right") for d in kpi.DIMENSIONS),
         status_cell(revenue.at[row["group_id"], "status"]) if row["group_id"] in revenue.index else Cell("—"))
        for row in ranked.to_dict("records")
    )
    columns = (t("qbr.col.rank"), t("qbr.col.account") if by_account else t("qbr.col.manager"), t("qbr.col.composite"),
               *(t(f"scorecards.dimension_name.{d}") for d in kpi.DIMENSIONS), t("qbr.col.revenue_target"))
    table = Table(columns, rows, widths=(0.6, 3 if by_account else 1.4, 1.1, 1, 1, 1, 1, 1.4),
                  empty=t("scorecards.no_groups"))
    return Slide("scorecards", t("qbr.slide.scorecards", level=t(f"scorecards.level_{cards.level}")), (Row((table,)),),
                 ("composite", "attainment", "status"))


def concentration(facts: ReviewFacts) -> Slide:
    now = whatif.compute_concentration(facts.accounts["revenue"])
    before = whatif.compute_concentration(facts.accounts["prior_revenue"])
    change = whatif.compute_concentration_change(now, before)
    prior = period_label(facts.period.prior())
    share = lambda n: Metric(t(f"qbr.kpi.{n}"), pct(getattr(now, n)), t("qbr.change_vs", change=points_change(change[n]) or "—", label=prior), tone_of(change[n], inverse=True))  # noqa: E731
    tiles = Metrics((
        share("top1_share"), share("top5_share"), share("top10_share"),
        Metric(t("qbr.kpi.hhi"), number(now.hhi), t("qbr.change_vs", change=number(change["hhi"]) if change["hhi"] is not None else "—", label=prior),
               tone_of(change["hhi"], inverse=True)),
        Metric(t("qbr.kpi.gini"), number(now.gini, 2), t("qbr.change_vs", change=f"{change['gini']:+.2f}" if change["gini"] is not None else "—", label=prior),
               tone_of(change["gini"], inverse=True)),
    ))
    active = facts.accounts[facts.accounts["has_orders"]].reset_index(drop=True)
    dependency = whatif.compute_dependency(active, whatif.read_coefficients(facts.con), whatif.DEFAULT_THRESHOLD).head(5)
    table = Table(
        (t("qbr.col.account"), t("qbr.col.share"), t("qbr.col.dependency"), t("qbr.col.needed")),
        tuple((Cell(_name(row)), Cell(pct(row["share"]), align="right"),
               Cell(number(row["dependency_index"], 3), tone="red" if row["is_above_threshold"] else None, align="right"),
               Cell(amount(row["new_revenue_needed"]) if row["is_above_threshold"] else "—", align="right"))
              for row in dependency.to_dict("records")),
        title=t("qbr.concentration.dependency_title", threshold=number(whatif.DEFAULT_THRESHOLD, 1)),
        widths=(3, 1, 1.2, 1.4),
    )
    return Slide("concentration", t("qbr.slide.concentration"), (Row((tiles,), height=0.5), Row((table,), height=1.5)),
                 ("top_share", "hhi", "gini", "dependency", "new_revenue_needed"))


def movers(facts: ReviewFacts) -> Slide:
    frame = facts.accounts
    prior = period_label(facts.period.prior())

    def table(part: pd.DataFrame, title: str) -> Table:
        return Table(
            (t("qbr.col.account"), t("qbr.col.revenue"), prior, t("qbr.col.change")),
            tuple((Cell(_name(row)), Cell(amount(row["revenue"]), align="right"), Cell(amount(row["prior_revenue"]), align="right"),
                   Cell(("+" if row["change"] > 0 else "") + amount(row["change"]), tone=None, align="right"))
                  for row in part.to_dict("records")),
            title=title, widths=(3, 1.2, 1.2, 1.2), empty=t("qbr.movers.none"),
        )

    ups = frame[frame["change"] > 0].sort_values(["change", "account_id"], ascending=[False, True]).head(6)
    downs = frame[frame["change"] < 0].sort_values(["change", "account_id"]).head(6)
    return Slide("movers", t("qbr.slide.movers", prior=prior), (Row((table(ups, t("qbr.movers.up")),
                                                                      table(downs, t("qbr.movers.down")))),),
                 ("revenue", "change_prior"))


REVIEW_SLIDES: tuple[SlideSpec, ...] = (
    SlideSpec("cover", cover),
    SlideSpec("kpis", kpi_table),
    SlideSpec("trend", trend),
    SlideSpec("tiers", tier_mix),
    SlideSpec("red_accounts", red_accounts),
    SlideSpec("scorecards", scorecard_ranking),
    SlideSpec("concentration", concentration),
    SlideSpec("movers", movers),
    SlideSpec("next_quarter", lambda facts: actions.next_quarter_slide(facts.con, facts.request)),
)


def filters_text(request: Request) -> str:
    """The filters a review follows, in words ("all accounts" when none)."""
    scope = request.scope
    parts = []
    for label, values in (("region", scope.regions), ("industry", scope.industries), ("ka_manager", scope.managers)):
        if values:
            parts.append(f"{t(f'common.{label}')}: {', '.join(values)}")
    if scope.account_ids is not None:
        parts.append(t("qbr.context.account_list", count=format_int(len(scope.account_ids))))
    return " · ".join(parts) or t("qbr.context.all_accounts")


def context_line(facts: ReviewFacts) -> str:
    labels = _labels(facts)
    return t("qbr.context.review", period=labels["period"], prior=labels["prior"], year_ago=labels["year_ago"],
             filters=filters_text(facts.request), date=f"{facts.as_of:%Y-%m-%d}")
