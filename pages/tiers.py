"""客户分级 — ABC tiers, service strategy and visit cadence per tier, Pareto, composition, tier migration."""

from functools import partial

import pandas as pd
import streamlit as st

from ka import charts, tiers, ui
from ka.i18n import format_amount, format_int, format_pct, t

ctx = ui.init_page()
st.title(t("tiers.title"))
saved = ctx.load(tiers.read_tier_settings)
scope = ui.tier_base_scope(ctx.scope)  # tiers are drawn over the other filters, not over the tier filter


# --- the rules: method, metric, window, thresholds (defaults = the saved settings) -----------
def set_rule_defaults(config: tiers.TierConfig) -> None:
    st.session_state.setdefault("tiers_method", config.method)
    st.session_state.setdefault("tiers_metric", config.metric)
    st.session_state.setdefault("tiers_window", config.window)
    for name in ("a_cumulative", "b_cumulative", "a_band", "b_band"):
        st.session_state.setdefault(f"tiers_{name}", round(getattr(config, name) * 100, 2))
    st.session_state.setdefault("tiers_top_a", config.top_a)
    st.session_state.setdefault("tiers_top_b", config.top_b)


def render_rules() -> tiers.TierConfig | None:
    """The rule widgets; returns the config they describe, or None when the thresholds contradict."""
    method_col, metric_col, window_col = st.columns([2, 1, 1])
    method_col.radio(t("tiers.method"), tiers.METHODS, key="tiers_method", horizontal=True,
                     format_func=lambda m: t(f"tiers.method_{m}"), help=t("tiers.rules_help"))
    metric_col.radio(t("tiers.metric"), tiers.METRICS, key="tiers_metric", horizontal=True,
                     format_func=lambda m: t(f"common.{m}"))
    window_col.radio(t("tiers.window"), tiers.WINDOWS, key="tiers_window", horizontal=True,
                     format_func=lambda w: t(f"tiers.window_{w}"))
    method = st.session_state["tiers_method"]
    left, right = st.columns(2)
    if method == "cumulative":
        left.number_input(t("tiers.a_cumulative"), 1.0, 100.0, step=1.0, key="tiers_a_cumulative")
        right.number_input(t("tiers.b_cumulative"), 1.0, 100.0, step=1.0, key="tiers_b_cumulative")
    elif method == "bands":
        left.number_input(t("tiers.a_band"), 0.0, 100.0, step=1.0, key="tiers_a_band")
        right.number_input(t("tiers.b_band"), 0.0, 100.0, step=1.0, key="tiers_b_band")
    else:
        left.number_input(t("tiers.top_a"), 0, 100_000, step=1, key="tiers_top_a")
        right.number_input(t("tiers.top_b"), 0, 100_000, step=1, key="tiers_top_b")
    try:
        return tiers.TierConfig(
            method=method, metric=st.session_state["tiers_metric"], window=st.session_state["tiers_window"],
            a_cumulative=st.session_state["tiers_a_cumulative"] / 100,
            b_cumulative=st.session_state["tiers_b_cumulative"] / 100,
            a_band=st.session_state["tiers_a_band"] / 100, b_band=st.session_state["tiers_b_band"] / 100,
            top_a=int(st.session_state["tiers_top_a"]), top_b=int(st.session_state["tiers_top_b"]),
        )
    except ValueError:
        st.error(t("tiers.invalid_thresholds"))
        return None


def render_service_editor() -> pd.DataFrame:
    """Service strategy and promised visits per tier, editable; returns the edited table."""
    base = pd.DataFrame({
        "tier": list(tiers.TIERS),
        "strategy": [saved["strategies"][tier] or tiers.default_strategy(tier) for tier in tiers.TIERS],
        "visits_per_month": [saved["visits_per_month"][tier] for tier in tiers.TIERS],
    })
    return st.data_editor(
        base, key="tiers_service_editor", hide_index=True, disabled=["tier"], width="stretch",
        column_config={
            "tier": t("tiers.tier"),
            "strategy": st.column_config.TextColumn(t("tiers.strategy"), width="large"),
            "visits_per_month": st.column_config.NumberColumn(
                t("tiers.visits_per_month"), min_value=0.0, step=0.25, help=t("tiers.visits_per_month_help")),
        },
    )


def save_settings(config: tiers.TierConfig, service: pd.DataFrame) -> None:
    strategies = {
        row.tier: (None if row.strategy == tiers.default_strategy(row.tier) else row.strategy)
        for row in service.itertuples()
    }
    cadence = {row.tier: float(row.visits_per_month) for row in service.itertuples()}
    if not ctx.may("strategies"):
        return
    tiers.write_tier_settings(ctx.con, config, strategies, cadence)  # the tier filter reads it on the next run
    ctx.audit("tier_settings", method=config.method, metric=config.metric)
    st.toast(t("tiers.saved"), icon=":material/check:")


def pick_from_chart(key: str, frame: pd.DataFrame) -> None:
    ui.select_account(tiers.account_from_points(st.session_state[key]["selection"]["points"], frame))


def pick_from_table(key: str, frame: pd.DataFrame) -> None:
    rows = st.session_state[key]["selection"]["rows"]
    if rows:
        ui.select_account(frame["account_id"].iloc[rows[0]])


set_rule_defaults(saved["config"])
with st.expander(t("tiers.rules_title"), expanded=True, icon=":material/tune:"):
    config = render_rules()
    st.caption(t("tiers.rules_help"))
    service = render_service_editor()
    if config is not None:
        st.button(t("tiers.save"), key="tiers_save", on_click=save_settings, args=(config, service),
                  help=t("tiers.save_help"), icon=":material/save:", disabled=not ctx.may("strategies"))
if config is None:
    st.stop()

window = tiers.tier_window(ctx.period, config.window)
tiered = ui.with_display_names(ctx.load(tiers.read_account_tiers, ctx.period, scope, config))
st.caption(t("tiers.caption", window=ui.period_label(window), accounts=format_int(len(tiered)),
             metric=t(f"common.{config.metric}"), method=t(f"tiers.method_{config.method}")))
if st.session_state.get(ui.TIER_FILTER_KEY):
    st.caption(t("tiers.filter_note"))
if tiered.empty:
    ui.show_empty_state()
    st.stop()

# --- tier counts and the tier table ---------------------------------------------------------
counts = tiers.compute_tier_counts(tiered)
for column, tier in zip(st.columns(len(tiers.TIERS)), tiers.TIERS):
    column.metric(t("tiers.count_label", tier=tier), format_int(counts[tier]), border=True)

cadence = dict(zip(service["tier"], service["visits_per_month"].astype(float)))
summary = tiers.compute_tier_summary(tiered, tiers.window_months(window), cadence, ctx.load(tiers.read_has_visits))
summary = summary.assign(
    strategy=summary["tier"].map(dict(zip(service["tier"], service["strategy"]))),
    visits_per_month=summary["tier"].map(cadence),
)
summary = summary.round({"revenue": 0, "gross_profit": 0, "average_revenue": 0})  # whole yuan on screen
st.subheader(t("tiers.table_title"))
st.dataframe(
    summary[["tier", "accounts", "revenue", "share", "gross_profit", "average_revenue", "strategy",
             "visits_per_month", "promised_visits", "actual_visits", "compliance"]],
    hide_index=True, key="tiers_summary", width="stretch",
    column_config={
        "tier": t("tiers.tier"),
        "accounts": st.column_config.NumberColumn(t("common.accounts")),
        "revenue": st.column_config.NumberColumn(t("common.revenue"), format="localized"),
        "share": st.column_config.NumberColumn(t("tiers.revenue_share"), format="percent"),
        "gross_profit": st.column_config.NumberColumn(t("common.gross_profit"), format="localized"),
        "average_revenue": st.column_config.NumberColumn(t("tiers.average_revenue"), format="localized"),
        "strategy": t("tiers.strategy"),
        "visits_per_month": st.column_config.NumberColumn(t("tiers.visits_per_month"), format="%.2f"),
        "promised_visits": st.column_config.NumberColumn(t("tiers.promised_visits"), format="%.1f"),
        "actual_visits": st.column_config.NumberColumn(t("tiers.actual_visits")),
        "compliance": st.column_config.NumberColumn(t("tiers.compliance"), format="percent",
                                                    help=t("tiers.compliance_help")),
    },
)
if counts["C"] and int(tiered["is_nonpositive"].sum()):
    st.caption(t("tiers.nonpositive_note", count=format_int(int(tiered["is_nonpositive"].sum()))))

# --- Pareto and composition -----------------------------------------------------------------
thresholds = (config.a_cumulative, config.b_cumulative) if config.method == "cumulative" else ()
st.plotly_chart(
    charts.build_pareto(tiered, thresholds), key="tiers_pareto", on_select=partial(pick_from_chart, "tiers_pareto", tiered),
    selection_mode="points",
)
if len(tiered) > charts.PARETO_BARS:
    st.caption(t("tiers.pareto_tail", bars=format_int(charts.PARETO_BARS), rest=format_int(len(tiered) - charts.PARETO_BARS)))
st.subheader(t("tiers.composition_title"))
for tab, dimension in zip(st.tabs([t("common.region"), t("common.industry"), t("common.ka_manager")]),
                          ("region", "industry", "ka_manager")):
    composition = tiers.compute_tier_composition(tiered, dimension)
    tab.plotly_chart(charts.build_tier_composition(composition, t(f"tiers.composition_by_{dimension}")),
                     key=f"tiers_composition_{dimension}")

# --- tier migration -------------------------------------------------------------------------
st.subheader(t("tiers.migration_heading"))
st.session_state.setdefault("tiers_migration_base", "prior")
st.radio(t("tiers.migration_base"), ("prior", "year_ago"), key="tiers_migration_base", horizontal=True,
         format_func=lambda b: t(f"tiers.migration_base_{b}"))
before = ctx.period.prior() if st.session_state["tiers_migration_base"] == "prior" else ctx.period.year_ago()
migration = ctx.derive(
    tiers.compute_tier_migration,
    ui.loaded(tiers.read_account_tiers, before, scope, config), ui.loaded(tiers.read_account_tiers, ctx.period, scope, config),
)
st.caption(t("tiers.migration_help"))
st.plotly_chart(
    charts.build_tier_sankey(tiers.compute_migration_flows(migration), ui.period_label(before), ui.period_label(ctx.period)),
    key="tiers_sankey",
)
movers = ui.with_display_names(tiers.compute_movers(migration))
pseudo_tiers = {tiers.NEW: t("tiers.node_new"), tiers.LOST: t("tiers.node_lost")}
movers = movers.assign(tier_before=movers["tier_before"].replace(pseudo_tiers),
                       tier_after=movers["tier_after"].replace(pseudo_tiers))
movers_shown = ui.page_of(movers, "tiers_movers")
st.dataframe(
    movers_shown[["account_id", "account", "tier_before", "tier_after", "metric_before", "metric_after", "change"]],
    hide_index=True, key=ui.table_key("tiers_movers"), width="stretch", selection_mode="single-row",
    on_select=partial(pick_from_table, ui.table_key("tiers_movers"), movers_shown),
    column_config={
        "account_id": t("common.account_id"),
        "account": t("common.account"),
        "tier_before": t("tiers.tier_before", period=ui.period_label(before)),
        "tier_after": t("tiers.tier_after", period=ui.period_label(ctx.period)),
        "metric_before": st.column_config.NumberColumn(t("tiers.metric_before"), format="localized"),
        "metric_after": st.column_config.NumberColumn(t("tiers.metric_after"), format="localized"),
        "change": st.column_config.NumberColumn(t("common.change"), format="localized"),
    },
)
st.caption(t("tiers.movers_count", count=format_int(len(movers))))

# --- all accounts with their tier -----------------------------------------------------------
st.subheader(t("tiers.accounts_title"))
accounts_shown = ui.page_of(tiered, "tiers_accounts")
st.dataframe(
    accounts_shown[["tier", "account_id", "account", "share", "cumulative_share", "revenue",
            "gross_profit", "visits", "is_nonpositive", "region", "industry", "ka_manager"]].round(
        {"revenue": 0, "gross_profit": 0}),
    hide_index=True, key=ui.table_key("tiers_accounts"), width="stretch", selection_mode="single-row",
    on_select=partial(pick_from_table, ui.table_key("tiers_accounts"), accounts_shown),
    column_config={
        "tier": t("tiers.tier"),
        "account_id": t("common.account_id"),
        "account": t("common.account"),
        "share": st.column_config.NumberColumn(
            t("tiers.share_of", metric=t(f"common.{config.metric}")), format="percent"),
        "cumulative_share": st.column_config.NumberColumn(t("tiers.cumulative_share"), format="percent"),
        "revenue": st.column_config.NumberColumn(t("common.revenue"), format="localized"),
        "gross_profit": st.column_config.NumberColumn(t("common.gross_profit"), format="localized"),
        "visits": st.column_config.NumberColumn(t("tiers.actual_visits")),
        "is_nonpositive": st.column_config.CheckboxColumn(t("tiers.nonpositive"), help=t("tiers.nonpositive_help")),
        "region": t("common.region"),
        "industry": t("common.industry"),
        "ka_manager": t("common.ka_manager"),
    },
)

# --- the selected account: its key figures here, the whole account on the account page ------
selected = ui.selected_account()
if selected:
    rows = tiered[tiered["account_id"] == selected]
    moved = migration[migration["account_id"] == selected]
    st.subheader(t("tiers.selected_title", account=ui.literal(rows["account"].iloc[0] if len(rows) else selected)))
    if rows.empty:
        st.info(t("tiers.selected_not_tiered", account=ui.literal(selected)))
    else:
        row = rows.iloc[0]
        tiles = [
            (t("tiers.tier"), row["tier"]),
            (t("common.share"), format_pct(row["share"])),
            (t("tiers.cumulative_share"), format_pct(row["cumulative_share"])),
            (t("common.revenue"), format_amount(row["revenue"])),
            (t("common.gross_profit"), format_amount(row["gross_profit"])),
            (t("tiers.actual_visits"), format_int(row["visits"])),
            (t("tiers.tier_before", period=ui.period_label(before)),
             pseudo_tiers.get(moved["tier_before"].iloc[0], moved["tier_before"].iloc[0]) if len(moved) else "—"),
        ]
        for row_start in range(0, len(tiles), 4):
            for column, (label, value) in zip(st.columns(4), tiles[row_start:row_start + 4]):
                column.metric(label, value, border=True)
        st.caption(" · ".join(ui.literal(v) for v in (row["account_id"], row["region"], row["industry"], row["ka_manager"])
                              if isinstance(v, str) and v))
