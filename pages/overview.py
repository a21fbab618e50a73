"""总览 — portfolio KPIs against the prior period and last year, trend, where the revenue comes from."""

import streamlit as st

from ka import charts, health, overview, ui
from ka.i18n import format_amount, format_int, format_number, format_pct, t

ctx = ui.init_page()
st.title(t("overview.title"))
current = ctx.load(overview.read_overview_kpis, ctx.period, ctx.scope)
prior = ctx.load(overview.read_overview_kpis, ctx.period.prior(), ctx.scope)
year_ago = ctx.load(overview.read_overview_kpis, ctx.period.year_ago(), ctx.scope)

st.caption(t("overview.caption", period=ui.period_label(ctx.period), accounts=current.active_accounts))
if current.is_empty:
    ui.show_empty_state()
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
by_region = ctx.load(overview.read_breakdown, ctx.period, ctx.scope, "region")
left.plotly_chart(charts.build_revenue_bars(by_region, t("overview.by_region")), key="overview_by_region")
by_industry = ctx.load(overview.read_breakdown, ctx.period, ctx.scope, "industry")
right.plotly_chart(charts.build_revenue_bars(by_industry, t("overview.by_industry")), key="overview_by_industry")

left, right = st.columns(2)
health_config, _ = ctx.load(health.read_config)
health_listing = ctx.load(health.read_health_listing, ctx.period.end, ctx.scope, health_config)
left.plotly_chart(charts.build_health_tier_bars(health.compute_tier_colours(health_listing)), key="overview_health_tiers")
left.caption(t("overview.health_mix_caption", date=f"{ctx.period.end:%Y-%m-%d}"))
with right:
    st.markdown(f"**{t('overview.attention')}**")
    red = ui.with_display_names(health_listing[health_listing["colour"] == "red"].head(5)).round({"revenue_at_risk": 0})
    if red.empty:
        st.caption(t("overview.attention_none"))
    else:
        st.dataframe(
            red[["account", "revenue_at_risk", "reasons"]], hide_index=True, key="overview_attention",
            column_config={
                "account": st.column_config.TextColumn(t("common.account"), width="medium"),
                "revenue_at_risk": st.column_config.NumberColumn(t("overview.revenue_at_risk"), format="localized"),
                "reasons": st.column_config.TextColumn(t("overview.reasons"), width="large"),
            },
        )
    st.caption(t("overview.to_health"))

st.subheader(t("overview.top_accounts"))
top = ui.with_display_names(ctx.load(overview.read_top_accounts, ctx.period, ctx.scope, 10))
st.dataframe(
    top[["account_id", "account", "ka_manager", "revenue", "share", "gross_profit", "change"]],
    hide_index=True,
    key="overview_top_accounts",
    column_config={
        "account_id": t("common.account_id"),
        "account": st.column_config.TextColumn(t("common.account"), width="medium"),
        "ka_manager": t("common.ka_manager"),
        "revenue": st.column_config.NumberColumn(t("common.revenue"), format="localized"),
        "share": st.column_config.NumberColumn(t("common.share"), format="percent"),
        "gross_profit": st.column_config.NumberColumn(t("common.gross_profit"), format="localized"),
        "change": st.column_config.NumberColumn(t("overview.change_vs_prior"), format="percent"),
    },
)
