"""健康度 — traffic lights as of the end of the selected period, why each account has its colour, history,
live tuning, backtest."""

from datetime import timedelta
from functools import partial

import pandas as pd
import streamlit as st

from ka import charts, health, ui
from ka.ui import people
from ka.i18n import format_amount, format_int, format_number, format_pct, t
from ka.periods import month_start
from ka.ui import Col

ctx = ui.init_page()
st.title(t("health.title"))
if not ctx.has_data:
    ui.show_empty_state(ctx)
    st.stop()
month_ends = ctx.load(health.read_month_ends)
saved_config, saved_version = ctx.load(health.read_config)
versions = ctx.load(health.read_config_versions)
colour_label, colour_style = ui.colour_label, ui.colour_style


def config_label(number: int) -> str:
    if number == 0:
        return t("health.config_default")
    saved_at = next(v["saved_at"] for v in versions if v["version"] == number)
    return t("health.config_version", version=number, saved_at=saved_at.replace("T", " ")[:16])


# --- live tuning: widgets start at the saved configuration --------------------------------------
def set_tuning_defaults(config: health.HealthConfig) -> None:
    for measure in health.MEASURES:
        rule = config.rule(measure)
        st.session_state.setdefault(f"health_weight_{measure}", int(rule.weight))
        st.session_state.setdefault(f"health_bad_{measure}", float(rule.bad))
        st.session_state.setdefault(f"health_good_{measure}", float(rule.good))
    st.session_state.setdefault("health_red_below", int(config.red_below))
    st.session_state.setdefault("health_green_above", int(config.green_above))
    st.session_state.setdefault("health_override", config.override_enabled)
    st.session_state.setdefault("health_override_multiple", float(config.override_multiple))
    st.session_state.setdefault("health_min_interval", float(config.min_interval_days))


def render_tuning() -> health.HealthConfig:
    """Weight sliders, thresholds, bands and the override; returns the configuration they describe."""
    st.caption(t("health.tuning_help"))
    st.markdown(f"**{t('health.weights')}**")
    columns = st.columns(4)
    for k, measure in enumerate(health.MEASURES):
        columns[k % 4].slider(t(f"health.measure.{measure}"), 0, 50, key=f"health_weight_{measure}",
                              help=t(f"health.explain.{measure}"))
    left, middle, right = st.columns(3)
    left.slider(t("health.red_below"), 0, 100, key="health_red_below")
    middle.slider(t("health.green_above"), 0, 100, key="health_green_above")
    right.toggle(t("health.override"), key="health_override", help=t("health.override_help"))
    right.number_input(t("health.override_multiple"), 1.0, 20.0, step=0.5, key="health_override_multiple")
    right.number_input(t("health.min_interval"), 1.0, 365.0, step=1.0, key="health_min_interval")
    st.markdown(f"**{t('health.thresholds')}**")
    columns = st.columns(4)
    for k, measure in enumerate(health.MEASURES):
        with columns[k % 4]:
            st.caption(t(f"health.measure.{measure}"))
            bad_col, good_col = st.columns(2)
            bad_col.number_input(t("health.bad"), key=f"health_bad_{measure}", step=0.05, format="%g")
            good_col.number_input(t("health.good"), key=f"health_good_{measure}", step=0.05, format="%g")
    rules = tuple(
        (m, health.MeasureRule(
            float(st.session_state[f"health_weight_{m}"]),
            bad=float(st.session_state[f"health_bad_{m}"]), good=float(st.session_state[f"health_good_{m}"])))
        for m in health.MEASURES
    )
    return health.HealthConfig(
        rules=rules, red_below=float(st.session_state["health_red_below"]),
        green_above=float(st.session_state["health_green_above"]),
        override_enabled=bool(st.session_state["health_override"]),
        override_multiple=float(st.session_state["health_override_multiple"]),
        min_interval_days=float(st.session_state["health_min_interval"]),
    )


def pick_from_list(key: str, rows: pd.DataFrame) -> None:
    picked = st.session_state[key]["selection"]["rows"]
    if picked:
        ui.select_account(rows["account_id"].iloc[picked[0]])


# --- what the tuning moves: colours, list, why, migration and backtest ------------------------------
# A fragment: a weight, a threshold, the list's page or selection, a month end or the churn rule reruns
# this part only, not the sidebar and the page's start; every figure the configuration colours is in it.
# Saving a configuration reruns the whole app.
@ui.fragment
def render_health() -> None:
    set_tuning_defaults(saved_config)
    # the end of the selected period, as on every page (a month end: the period's own, or the data's last one)
    as_of = health.latest_month_end(ctx.period_as_of)
    with st.expander(t("health.tuning_title"), icon=":material/tune:"):
        config = render_tuning()
    is_edited = config != saved_config

    previous_month_end = month_start(as_of) - timedelta(days=1)
    inputs = ui.loaded(health.read_health_inputs, previous_month_end, as_of, ctx.scope)
    # scored again on each run rather than cached per configuration: on 5,000 accounts a copy per move
    # would hold 7.5 MB and take longer to pickle (≈ 40 ms) than to score (≈ 25 ms)
    scored_all = health.compute_scores(ctx.value(inputs), config)
    current = scored_all[scored_all["as_of"] == as_of]
    before = scored_all[scored_all["as_of"] == previous_month_end]
    st.caption(ui.scope_caption(ctx, t("health.caption", as_of=f"{as_of:%Y-%m-%d}", accounts=format_int(len(current)),
                                       config=config_label(saved_version) + (" *" if is_edited else ""))),
               help=t("health.windows_help"))
    if current.empty:
        ui.show_empty_state(ctx)
        st.stop()

    # --- would change colour against the saved configuration ----------------------------------------
    if is_edited:
        saved_scores = ctx.derive(health.compute_scores, inputs, saved_config)  # one entry: the saved configuration
        changes = ui.with_display_names(
            health.compute_colour_changes(current, saved_scores[saved_scores["as_of"] == as_of]))
        with st.container(border=True):
            st.markdown(f"**{t('health.would_change', count=len(changes))}**" if len(changes) else t("health.would_change_none"))
            if len(changes):
                ui.show_table(changes.assign(
                    saved=[colour_label(c) for c in changes["colour_saved"]],
                    edited=[colour_label(c) for c in changes["colour_edited"]],
                ), {
                    "account": Col(t("common.account"), "account", width=260),
                    "saved": Col(t("health.col_saved")), "score_saved": Col(t("health.col_score_saved"), "score"),
                    "edited": Col(t("health.col_edited")), "score_edited": Col(t("health.col_score_edited"), "score"),
                    "revenue_12m": Col(t("common.revenue_12m"), "money"),
                    "account_id": Col(t("common.account_id"), shown=False),
                }, key="health_would_change", styler=lambda styled: styled.map(colour_style, subset=["saved", "edited"]))
            if st.button(t("health.save"), key="health_save", type="primary", disabled=not ctx.may("weights")) \
                    and ctx.may("weights"):
                number = health.save_config(ctx.con, config)
                ctx.audit("health_config", version=number)
                st.toast(t("health.saved", version=number))
                st.rerun()

    # --- colour counts, revenue by colour and by tier -----------------------------------------------
    summary = health.compute_colour_summary(current).set_index("colour")
    summary_before = health.compute_colour_summary(before).set_index("colour")
    columns = st.columns(4)
    for column, colour in zip(columns, (*health.COLOURS, health.NO_SCORE)):
        count = int(summary.loc[colour, "accounts"])
        change = count - int(summary_before.loc[colour, "accounts"]) if len(before) else None
        column.metric(
            t("health.colour_metric", colour=f"{ui.colour_mark(colour)} {t(f'health.colour.{colour}')}"), format_int(count),
            delta=None if change is None else f"{change:+d}", delta_color="inverse" if colour == "red" else "normal",
            border=True,
        )
        column.caption(t("health.colour_revenue", amount=format_amount(summary.loc[colour, "revenue"])))
    st.plotly_chart(charts.build_health_tier_bars(health.compute_tier_colours(current)), key="health_by_tier")
    st.caption(t("health.tier_note"))

    # --- the list: red first, then yellow and green, each by revenue at risk ----------------------------
    st.subheader(t("health.list_title"), help=t("health.list_help"))
    st.caption(t("health.revenue_at_risk_help"))
    listing = ui.with_display_names(health.compute_account_list(current, before))
    shown = ui.page_of(listing, "health_list")  # a page of the list: its reasons are written for these rows only
    table = shown.assign(
        light=[colour_label(c) for c in shown["colour"]],
        change=[f"{health.change_arrow(c)} {format_number(c, 0) if pd.notna(c) else ''}".strip() for c in shown["score_change"]],
        reasons=health.reason_texts(shown),
    )

    ui.show_table(table, {
        "account": Col(t("common.account"), "account", width=175),
        "light": Col(t("health.col_colour"), width=70),
        "tier": Col(t("health.col_tier"), width=45),
        "score": Col(t("health.col_score"), "score", width=50),
        "change": Col(t("health.col_change"), width=85, help=t("health.col_change_help")),
        "revenue_at_risk": Col(t("common.revenue_at_risk"), "money", width=105),
        "reasons": Col(t("health.col_reasons"), "reasons"),
        "revenue_12m": Col(t("common.revenue_12m"), "money", shown=False),
        "account_id": Col(t("common.account_id"), shown=False),
    }, key=ui.table_key("health_list"), on_select=partial(pick_from_list, ui.table_key("health_list"), table),
        selection_mode="single-row", styler=lambda styled: styled.map(colour_style, subset=["light"]))
    st.caption(t("health.list_note"))

    people.render_red_plans(ctx, listing)

    # --- why: contribution and history of the selected account ----------------------------------------
    selected_id = ui.selected_account()
    if selected_id not in set(listing["account_id"]):
        selected_id = listing["account_id"].iloc[0]
    row = listing[listing["account_id"] == selected_id].iloc[0]
    st.subheader(t("health.why_title", account=ui.literal(row["account"]), colour=t(f"health.colour.{row['colour']}")))
    st.markdown(ui.literal(health.describe_why(row, format_amount(row["revenue_at_risk"]))))
    left, right = st.columns(2)
    if row["colour"] != health.NO_SCORE:
        left.plotly_chart(charts.build_health_contribution(row, health.MEASURES), key="health_contribution")
    # the account's inputs at every month end are read for it alone (its tier drawn among the scope's accounts)
    account_inputs = ui.loaded(health.read_account_history_inputs, ctx.scope, selected_id,
                               ui.loaded(health.read_latest_tiers, ctx.scope))
    account_history = ctx.derive(health.compute_scores, account_inputs, config)
    marks = [(pd.Timestamp(v["saved_at"]).date(), t("health.history_config_mark", version=v["version"])) for v in versions]
    right.plotly_chart(
        charts.build_health_history(account_history, config.red_below, config.green_above, marks), key="health_history"
    )
    right.caption(t("health.history_note"))

    # --- colour migration and backtest: each reads the whole history, so it runs only while its section is open.
    # The inputs at every month end take seconds on 10 million lines: read once per scope and kept apart; so are
    # their measures (per recency floor) and what the backtest reads of each row, so a new configuration only
    # scores them (the backtest's colours, two month ends of the migration)
    history_inputs = ui.loaded(health.read_history_inputs, ctx.scope, large=True)
    history_rows = ui.derived(health.compute_history_rows, history_inputs, large=True)
    history_measures = ui.derived(health.compute_history_measures, history_inputs, config.min_interval_days, large=True)
    with st.expander(t("health.migration_title"), icon=":material/swap_vert:", key="health_migration_open",
                     on_change="rerun") as section:
        if section.open:
            render_migration(as_of, history_rows, history_measures, config)
    with st.expander(t("health.backtest_title"), icon=":material/fact_check:", key="health_backtest_open",
                     on_change="rerun") as section:
        if section.open:
            render_backtest(history_rows, history_measures, config)


def read_history_once() -> None:
    """The history's inputs, with a progress note: shown only when the read takes a while (once per scope)."""
    with st.spinner(t("health.history_progress", months=format_int(len(month_ends))), show_time=True):
        ctx.load(health.read_history_inputs, ctx.scope, large=True)


def render_migration(as_of, history_rows, history_measures, config: health.HealthConfig) -> None:
    """Accounts per colour at one month end against their colour at another."""
    read_history_once()
    st.caption(t("health.migration_help"))
    earlier_ends = [d for d in month_ends if d <= as_of] or month_ends
    if st.session_state.get("health_migration_as_of") != as_of:  # a new period: compare three months up to its end
        st.session_state["health_migration_as_of"] = as_of
        st.session_state["health_migration_to"] = earlier_ends[0]
        st.session_state["health_migration_from"] = earlier_ends[min(3, len(earlier_ends) - 1)]
    left, right = st.columns(2)
    migration_from = left.selectbox(t("health.migration_from"), month_ends, key="health_migration_from",
                                    format_func=lambda d: f"{d:%Y-%m-%d}")
    migration_to = right.selectbox(t("health.migration_to"), month_ends, key="health_migration_to",
                                   format_func=lambda d: f"{d:%Y-%m-%d}")
    migration = ctx.derive(health.compute_migration_from, history_rows, history_measures, migration_from, migration_to, config)
    migration = migration.rename(index=colour_label, columns=colour_label).rename_axis(
        index=t("health.migration_from"), columns=t("health.migration_to"))
    st.dataframe(migration, key="health_migration")


def render_backtest(history_rows, history_measures, config: health.HealthConfig) -> None:
    """Each month end's colours against the churn of the three months after it."""
    read_history_once()
    st.caption(t("health.backtest_help"))
    left, right = st.columns(2)
    st.session_state.setdefault("health_churn_rule", "no_order")
    st.session_state.setdefault("health_churn_drop", 50)
    left.radio(t("health.churn_rule"), health.CHURN_RULES, key="health_churn_rule",
               format_func=lambda r: t(f"health.churn.{r}"))
    right.slider(t("health.churn_drop"), 10, 100, step=5, format="%d%%", key="health_churn_drop",
                 disabled=st.session_state["health_churn_rule"] != "revenue_drop")
    rule = health.ChurnRule(st.session_state["health_churn_rule"], st.session_state["health_churn_drop"] / 100)
    with st.spinner(t("health.backtest_progress", months=format_int(len(month_ends))), show_time=True):
        backtest, result = ctx.derive(health.compute_backtest_from, history_rows, history_measures, config, rule, ctx.as_of)
    if result["rows"] == 0:
        st.info(t("health.backtest_empty"))
        return
    columns = st.columns(4)
    columns[0].metric(t("health.precision"), format_pct(result["red_precision"]), help=t("health.precision_help"), border=True)
    columns[1].metric(t("health.recall"), format_pct(result["red_recall"]), help=t("health.recall_help"), border=True)
    columns[2].metric(t("health.lift"), format_number(result["red_lift"], 1) + "×" if result["red_lift"] else "—",
                      help=t("health.lift_help", base_rate=format_pct(result["base_rate"])), border=True)
    lead = result["median_lead_days"]
    columns[3].metric(
        t("health.lead_time"), t("health.lead_time_value", days=format_number(lead, 0)) if lead is not None else "—",
        help=t("health.lead_time_help", warned=result["lost_warned"], lost=result["lost_accounts"]), border=True,
    )
    st.caption(t("health.backtest_reading", precision=format_pct(result["red_precision"]),
                 recall=format_pct(result["red_recall"]), base_rate=format_pct(result["base_rate"]),
                 lift=format_number(result["red_lift"], 1) if result["red_lift"] else "—"))
    ui.show_table(
        backtest.assign(colour=[colour_label(c) if c != "all" else t("health.colour.all") for c in backtest["colour"]]),
        {"colour": Col(t("health.col_colour")), "accounts": Col(t("health.col_accounts"), "count"),
         "churned": Col(t("health.col_churned"), "count"), "churn_rate": Col(t("health.col_churn_rate"), "share")},
        key="health_backtest", styler=lambda styled: styled.map(colour_style, subset=["colour"]),
    )

render_health()

# --- how each measure is computed, and the saved versions ----------------------------------------
with st.expander(t("health.explain_title"), icon=":material/help:"):
    for measure in health.MEASURES:
        st.markdown(f"**{t(f'health.measure.{measure}')}** — {t(f'health.explain.{measure}')}")
if versions:
    with st.expander(t("health.versions_title"), icon=":material/history:"):
        st.dataframe(
            pd.DataFrame([{"version": v["version"], "saved_at": v["saved_at"].replace("T", " ")} for v in versions]),
            hide_index=True, key="health_versions",
            column_config={"version": t("health.col_version"), "saved_at": t("health.col_saved_at")},
        )
