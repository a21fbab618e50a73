"""客户详情 — account 360: who the account is, how it buys against its own past, what it buys, how we serve it."""

import streamlit as st

from ka import account, charts, health, tiers, ui
from ka.i18n import format_amount, format_date, format_int, format_month, format_number, format_pct, t
from ka.ui import Col, people

PICKER = "account_picker"

ctx = ui.init_page()
if not ctx.has_data:
    st.title(t("account.title"))
    ui.show_empty_state(ctx)
    st.stop()
options = ctx.load(account.read_account_options, ctx.period, ctx.scope)
if options.empty:
    st.title(t("account.title"))
    st.info(t("account.no_accounts"), icon=":material/filter_alt_off:")
    st.stop()

names = dict(zip(options["account_id"], ui.with_display_names(options)["account"]))
account_ids = list(options["account_id"])
# an account clicked on another page, or named in the URL, arrives as the selected account; the picker follows it
if st.query_params.get("account") in names and st.session_state.get("account_from_url") != st.query_params["account"]:
    st.session_state["account_from_url"] = st.query_params["account"]
    ui.select_account(st.query_params["account"])
if ui.selected_account() in names:
    st.session_state[PICKER] = ui.selected_account()
elif st.session_state.get(PICKER) not in names:
    st.session_state[PICKER] = account_ids[0]
# the picker offers the account shown and the largest that match the search, not every account in scope
search_col, picker_col = st.columns([1, 2])
pickable, note = ui.bounded_options(options.assign(account=[names[a] for a in account_ids]),
                                    ui.search_box("account_search", search_col), keep=[st.session_state[PICKER]])
account_id = picker_col.selectbox(
    t("account.picker"), pickable, key=PICKER, help=t("account.picker_help"),
    format_func=lambda a: f"{names[a]} ({a})",
    on_change=lambda: ui.select_account(st.session_state[PICKER]),
)
if note:
    picker_col.caption(note)
st.query_params.from_dict(ui.account_query(account_id))  # this view's URL: copy it, or open it in a new tab
st.session_state["account_from_url"] = account_id  # the URL now follows the picker, not the other way round

as_of = ctx.period_as_of  # every "days since", "in the last 90 days" and the health below are measured here
profile = ctx.load(account.read_profile, account_id)
st.title(ui.literal(ui.account_display_name(profile["account_name"], profile["account_name_en"])))
st.caption(ui.scope_caption(ctx, t("account.as_of", date=format_date(as_of))))
st.caption(t("account.facts", account_id=ui.literal(account_id),
             industry=ui.literal(ui.display_value("industry", profile["industry"])),
             region=ui.literal(ui.display_value("region", profile["region"])),
             ka_manager=ui.literal(ui.display_value("ka_manager", profile["ka_manager"]))))
if profile["is_strategic"]:
    st.badge(t("account.strategic"), icon=":material/star:", color="blue")
if profile["contract_end_date"]:
    days_left = (profile["contract_end_date"] - as_of).days
    key = "account.contract" if days_left >= 0 else "account.contract_ended"
    st.caption(t(key, start=format_date(profile["contract_start_date"]), end=format_date(profile["contract_end_date"]),
                 days=format_int(abs(days_left))))
else:
    st.caption(t("account.no_contract"))
if profile["first_order_date"]:
    last_order = ctx.load(account.read_last_order_until, account_id, as_of)
    if last_order:
        st.caption(t("account.customer_since", first=format_date(profile["first_order_date"]),
                     last=format_date(last_order), days=format_int((as_of - last_order).days),
                     as_of=format_date(as_of)))
    else:  # the period lies before the account's first order
        st.caption(t("account.first_order_later", first=format_date(profile["first_order_date"])))

tier_config = ctx.load(tiers.read_tier_settings)["config"]
tiered = ctx.load(tiers.read_account_tiers, ctx.period, ui.tier_base_scope(ctx.scope), tier_config)
tier_row = tiered[tiered["account_id"] == account_id]
tier_text = t("account.tier", tier=tier_row["tier"].iloc[0]) if len(tier_row) else t("account.no_tier")
health_config, _ = ctx.load(health.read_config)
portfolio_health = ctx.load(health.read_health, as_of, ctx.scope, health_config)  # the overview's entry too
health_row = portfolio_health[portfolio_health["account_id"] == account_id]
if len(health_row):
    row = health_row.iloc[0]
    colour = row["colour"]
    st.markdown(tier_text + " · " + t(
        "account.health", mark=ui.colour_mark(colour), colour=t(f"health.colour.{colour}"),
        score=format_number(row["score"], 0), date=f"{health.latest_month_end(as_of):%Y-%m-%d}",
        at_risk=format_amount(row["revenue_at_risk"])))
    st.caption(ui.literal(health.describe_why(row, format_amount(row["revenue_at_risk"]))))
else:
    st.markdown(tier_text + " · " + t("account.no_health"))

figures = ctx.load(account.read_period_figures, account_id, ctx.period)
current, prior, year_ago = figures["current"], figures["prior"], figures["year_ago"]
share = options.set_index("account_id")["share"].get(account_id)
st.caption(ui.period_label(ctx.period) + " · " + t("period.vs_prior", label=ui.period_label(ctx.period.prior())))
tiles = st.columns(5)
tiles[0].metric(t("account.kpi_revenue"), format_amount(current.revenue), ui.kpi_delta("revenue", current, prior), border=True)
tiles[0].caption(t("account.kpi_revenue_year_ago", delta=ui.kpi_delta("revenue", current, year_ago) or "—"))
tiles[1].metric(t("account.kpi_gross_profit"), format_amount(current.gross_profit), ui.kpi_delta("gross_profit", current, prior), border=True)
tiles[2].metric(t("account.kpi_margin"), format_pct(current.margin), ui.kpi_delta("margin", current, prior), border=True)
tiles[3].metric(t("account.kpi_orders"), format_int(current.orders), border=True)
tiles[4].metric(t("account.kpi_share"), format_pct(share), border=True)

monthly = ctx.load(account.read_monthly, account_id, ctx.period)
monthly_title = t("account.monthly_title", first=format_month(monthly["month"].iloc[0]),
                  last=format_month(monthly["month"].iloc[-1]), months=len(monthly)) if len(monthly) else t("account.monthly_none")
st.plotly_chart(charts.build_monthly_bars(monthly, monthly_title), key="account_monthly")

left, right = st.columns(2)  # the activity tiles need half the page: a date in a third of it is cut at 1366 px
mix = ui.with_display_values(ctx.load(account.read_category_mix, account_id, ctx.period).rename(columns={"category": "label"}),
                             {"label": "category"})
left.plotly_chart(charts.build_revenue_bars(mix, t("account.mix_title", period=ui.period_label(ctx.period))), key="account_mix")
with right:
    st.subheader(t("account.activity_title", date=format_date(as_of)))
    activity = ctx.load(account.read_activity, account_id, as_of)
    first, second = st.columns(2)
    first.metric(t("account.visits_90d"), format_int(activity["visits_90d"]))
    second.metric(t("account.last_visit"), format_date(activity["last_visit_date"]) if activity["last_visit_date"] else t("account.never"))
    first.metric(t("account.tickets_90d"), format_int(activity["tickets_90d"]))
    second.metric(t("account.open_tickets"), format_int(activity["open_tickets"]))
    first.metric(t("account.latest_nps"), "—" if activity["latest_nps"] is None else str(activity["latest_nps"]))
    second.metric(t("account.strategic_projects"), format_int(activity["strategic_projects"]))

st.subheader(t("account.recent_orders", date=format_date(as_of)))
orders = ctx.load(account.read_recent_orders, account_id, as_of)
orders = orders.assign(categories=[
    " · ".join(ui.display_value("category", c) for c in text.split(" · ")) if isinstance(text, str) else None
    for text in orders["categories"]])
ui.show_table(orders, {
    "order_id": Col(t("account.order_id")),
    "order_date": Col(t("account.order_date"), "date"),
    "lines": Col(t("account.lines"), "count"),
    "revenue": Col(t("common.revenue"), "money"),
    "categories": Col(t("account.categories")),
}, key="account_orders")

people.render_relationships(ctx, account_id)
people.render_actions(ctx, account_id)
