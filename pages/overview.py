"""总览 — portfolio KPIs against the prior period and last year, trend, where the revenue comes from."""

import streamlit as st

from ka import charts, health, overview, ui
from ka.i18n import format_amount, format_int, format_number, format_pct, t
from ka.ui import Col, people

ctx = ui.init_page()
st.title(t("overview.title"))
if not ctx.has_data:
    ui.show_empty_state(ctx)
    st.stop()
current = ctx.load(overview.read_overview_kpis, ctx.period, ctx.scope)
prior = ctx.load(overview.read_overview_kpis, ctx.period.prior(), ctx.scope)
year_ago = ctx.load(overview.read_overview_kpis, ctx.period.year_ago(), ctx.scope)

st.caption(ui.scope_caption(ctx, t("overview.active_accounts", count=format_int(current.active_accounts))))
if current.is_empty:
    ui.show_empty_state(ctx)
    st.stop()

st.caption(
    t("overview.comparison", prior=ui.period_label(ctx.period.prior()), year_ago=ui.period_label(ctx.period.year_ago()))
)


def render_kpi(column, name: str, value_text: str, help_text: str) -> None:
    """A tile with the delta against the prior period, and against last year underneath."""
    delta_prior = ui.kpi_delta(name, current, prior)
    delta_year = ui.kpi_delta(name, current, year_ago)
    column.metric(
        t(f"overview.kpi_{name}"), value_text, delta=delta_prior, help=help_text,
        delta_color="inverse" if name in ui.INVERSE_KPIS else "normal", border=True,
    )
    column.caption(f"{t('overview.vs_year_ago_short')}: {delta_year or '—'}")


coverage = format_pct(current.cost_coverage)
tiles = [
    ("revenue", format_amount(current.revenue)),
    ("gross_profit", format_amount(current.gross_profit) if current.cost is not None else t("overview.no_cost")),
    ("margin", format_pct(current.margin)),
    ("active_accounts", format_int(current.active_accounts)),
    ("new_accounts", format_int(current.new_accounts)),
    ("lost_accounts", format_int(current.lost_accounts)),
    ("revenue_per_account", format_amount(current.revenue_per_account)),
    ("top10_share", format_pct(current.top10_share)),
    ("hhi", format_number(current.hhi)),
]
for row_start in range(0, len(tiles), 5):
    columns = st.columns(5)
    for column, (name, text) in zip(columns, tiles[row_start:row_start + 5]):
        render_kpi(column, name, text, t(f"overview.help_{name}", coverage=coverage))

trend = ctx.load(overview.read_trend_this_vs_last_year, ctx.period, ctx.scope)
st.plotly_chart(charts.build_year_over_year_trend(trend, ctx.period.end.year), key="overview_trend")

left, right = st.columns(2)
for column, dimension in ((left, "region"), (right, "industry")):
    breakdown = ui.with_display_values(ctx.load(overview.read_breakdown, ctx.period, ctx.scope, dimension), {"label": dimension})
    column.plotly_chart(charts.build_revenue_bars(breakdown, t(f"overview.by_{dimension}")), key=f"overview_by_{dimension}")

# --- health: revenue by tier and colour, and the red accounts with the most revenue at risk -------------
health_config, _ = ctx.load(health.read_config)
health_listing = ctx.load(health.read_health, ctx.period_as_of, ctx.scope, health_config)
health_date = health.latest_month_end(ctx.period_as_of)
left, right = st.columns([1, 2])
left.plotly_chart(charts.build_health_tier_bars(health.compute_tier_colours(health_listing)), key="overview_health_tiers")
left.caption(t("overview.health_mix_caption", date=f"{health_date:%Y-%m-%d}"))
with right:
    st.markdown(f"**{t('overview.attention')}**", help=t("health.revenue_at_risk_help"))
    red = ui.with_display_names(health_listing[health_listing["colour"] == "red"].head(5))
    red = red.assign(reasons=health.reason_texts(red))  # written for the rows shown, not the portfolio
    if red.empty:
        st.caption(t("overview.attention_none"))
    else:
        ui.show_table(red.assign(light=[ui.colour_label(c) for c in red["colour"]]), {
            "account": Col(t("common.account"), "account", width=150),
            "score": Col(t("health.col_score"), "score", width=50),
            "revenue_at_risk": Col(t("common.revenue_at_risk"), "money", width=105),
            "reasons": Col(t("overview.reasons"), "reasons", width=255),  # the four fit the right column at 1366 px
            "light": Col(t("health.col_colour"), shown=False),
            "account_id": Col(t("common.account_id"), shown=False),
        }, key="overview_attention")
    ui.page_link("pages/health.py", t("overview.to_health"), icon=":material/traffic:")
people.render_overview_actions(ctx, health_listing)

st.subheader(t("overview.top_accounts"))
top = ui.with_display_values(ui.with_display_names(ctx.load(overview.read_top_accounts, ctx.period, ctx.scope, 10)),
                             {"ka_manager": "ka_manager", "region": "region", "industry": "industry"})
ui.show_table(top, {
    "account": Col(t("common.account"), "account", width=280),
    "ka_manager": Col(t("common.ka_manager")),
    "revenue": Col(t("common.revenue"), "money"),
    "share": Col(t("common.share"), "share"),
    "gross_profit": Col(t("common.gross_profit"), "money"),
    "change": Col(t("overview.change_vs_prior"), "change", help=t("overview.change_help")),
    "account_id": Col(t("common.account_id"), shown=False),
    "region": Col(t("common.region"), shown=False),
    "industry": Col(t("common.industry"), shown=False),
    "orders": Col(t("common.orders"), "count", shown=False),
}, key="overview_top_accounts")
