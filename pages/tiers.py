"""客户分级 — ABC tiers, service strategy and visit cadence per tier, Pareto, composition, tier migration."""

import pandas as pd
import streamlit as st

from ka import charts, tiers, ui
from ka.i18n import format_int, t
from ka.ui import Col

ctx = ui.init_page()
st.title(t("tiers.title"))
if not ctx.has_data:
    ui.show_empty_state(ctx)
    st.stop()
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
    st.rerun()  # the whole app: the sidebar's tier filter and the saved rules are read outside the fragment


# --- the rules and everything they draw ------------------------------------------------------
# A fragment: a new threshold, method or page of a table reruns this part only, not the sidebar and
# the page's start; nothing outside it depends on the rules being edited (the sidebar's tier filter
# uses the saved rules, and saving reruns the whole app).
@ui.fragment
def render_tiers() -> None:
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
    # the window's account values do not depend on the method or the thresholds: they are read and labelled
    # once (cached), and a new rule only tiers them again
    tiered = tiers.compute_account_tiers(ctx.derive(ui.with_account_labels, ui.loaded(tiers.read_account_values, window, scope)),
                                         config)
    st.caption(ui.scope_caption(ctx, t("tiers.caption", window=ui.period_label(window), accounts=format_int(len(tiered)),
                                       metric=t(f"common.{config.metric}"), method=t(f"tiers.method_{config.method}"))))
    if st.session_state.get(ui.TIER_FILTER_KEY):
        st.caption(t("tiers.filter_note"))
    if tiered.empty:
        ui.show_empty_state(ctx)
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
    st.subheader(t("tiers.table_title"))
    ui.show_table(summary, {
        "tier": Col(t("tiers.tier"), width=50),
        "accounts": Col(t("common.accounts"), "count"),
        "revenue": Col(t("common.revenue"), "money"),
        "share": Col(t("tiers.revenue_share"), "share"),
        "strategy": Col(t("tiers.strategy"), width=230),
        "promised_visits": Col(t("tiers.promised_visits"), "number", help=t("tiers.promised_visits_help")),
        "actual_visits": Col(t("tiers.actual_visits"), "count"),
        "compliance": Col(t("tiers.compliance"), "share", help=t("tiers.compliance_help")),
        "gross_profit": Col(t("common.gross_profit"), "money", shown=False),
        "average_revenue": Col(t("tiers.average_revenue"), "money", shown=False),
        "visits_per_month": Col(t("tiers.visits_per_month"), "ratio", shown=False),
    }, key="tiers_summary")
    if counts["C"] and int(tiered["is_nonpositive"].sum()):
        st.caption(t("tiers.nonpositive_note", count=format_int(int(tiered["is_nonpositive"].sum()))))

    # --- Pareto and composition -----------------------------------------------------------------
    thresholds = (config.a_cumulative, config.b_cumulative) if config.method == "cumulative" else ()
    st.plotly_chart(
        charts.build_pareto(tiered, thresholds), key="tiers_pareto", on_select=lambda: ui.open_from_chart("tiers_pareto"),
        selection_mode="points",
    )
    if len(tiered) > charts.PARETO_BARS:
        st.caption(t("tiers.pareto_tail", bars=format_int(charts.PARETO_BARS), rest=format_int(len(tiered) - charts.PARETO_BARS)))
    st.subheader(t("tiers.composition_title"))
    # one chart, for the dimension chosen (tabs would build all three figures on every move and show one)
    st.session_state.setdefault("tiers_composition_dimension", "region")
    dimension = st.segmented_control(t("tiers.composition_title"), ("region", "industry", "ka_manager"), required=True,
                                     key="tiers_composition_dimension", format_func=lambda d: t(f"common.{d}"),
                                     label_visibility="collapsed")
    composition = tiers.compute_tier_composition(tiered, dimension)  # labels are display values already
    st.plotly_chart(charts.build_tier_composition(composition, t(f"tiers.composition_by_{dimension}")),
                    key=f"tiers_composition_{dimension}")

    # --- tier migration: the earlier window tiered by the same rule; runs only while its section is open ---
    with st.expander(t("tiers.migration_heading"), icon=":material/swap_vert:", key="tiers_migration_open",
                     on_change="rerun") as section:
        if section.open:
            render_migration(config, window)

    # --- all accounts with their tier (a click on a name opens the account) ---------------------------
    st.subheader(t("tiers.accounts_title"))
    ui.show_table(ui.page_of(tiered, "tiers_accounts"), {
        "account": Col(t("common.account"), "account", width=195),
        "tier": Col(t("tiers.tier"), width=45),
        "share": Col(t("tiers.share_of", metric=t(f"common.{config.metric}")), "share"),
        "cumulative_share": Col(t("tiers.cumulative_share"), "share"),
        "revenue": Col(t("common.revenue"), "money"),
        "region": Col(t("common.region")),
        "industry": Col(t("common.industry")),
        "ka_manager": Col(t("common.ka_manager")),
        "account_id": Col(t("common.account_id"), shown=False),
        "gross_profit": Col(t("common.gross_profit"), "money", shown=False),
        "visits": Col(t("tiers.actual_visits"), "count", shown=False),
        "is_nonpositive": Col(t("tiers.nonpositive"), "flag", help=t("tiers.nonpositive_help"), shown=False),
    }, key=ui.table_key("tiers_accounts"))


def render_migration(config: tiers.TierConfig, window) -> None:
    """The Sankey of tiers from the earlier window to this one, and the accounts that moved."""
    st.session_state.setdefault("tiers_migration_base", "prior")
    st.radio(t("tiers.migration_base"), ("prior", "year_ago"), key="tiers_migration_base", horizontal=True,
             format_func=lambda b: t(f"tiers.migration_base_{b}"))
    before = ctx.period.prior() if st.session_state["tiers_migration_base"] == "prior" else ctx.period.year_ago()
    migration = ctx.derive(  # from the two windows' cached values: a new rule reads nothing again
        tiers.compute_values_migration, ui.loaded(tiers.read_account_values, tiers.tier_window(before, config.window), scope),
        ui.loaded(tiers.read_account_values, window, scope), config,
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
    ui.show_table(ui.page_of(movers, "tiers_movers"), {
        "account": Col(t("common.account"), "account", width=300),
        "tier_before": Col(t("tiers.tier_before", period=ui.period_label(before))),
        "tier_after": Col(t("tiers.tier_after", period=ui.period_label(ctx.period))),
        "metric_before": Col(t("tiers.metric_before"), "money"),
        "metric_after": Col(t("tiers.metric_after"), "money"),
        "change": Col(t("common.change"), "money"),
        "account_id": Col(t("common.account_id"), shown=False),
    }, key=ui.table_key("tiers_movers"))
    st.caption(t("tiers.movers_count", count=format_int(len(movers))))


render_tiers()
