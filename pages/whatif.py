"""依赖度 — customer dependency index, concentration against the prior period, scenario sliders."""

import pandas as pd
import streamlit as st

from ka import charts, i18n, ui, whatif
from ka.cells import export_frame, saved_name
from ka.i18n import format_amount, format_by_unit, format_change_by_unit, format_int, format_number, format_pct, t
from ka.ui import Col
from ka.whatif import Scenario

ctx = ui.init_page()
st.title(t("whatif.title"))
if not ctx.has_data:
    ui.show_empty_state(ctx)
    st.stop()
# accounts with tiers, observed retention and typical sizes: every slider move works on this cached frame
base = ctx.derive(whatif.prepare_base, ui.loaded(whatif.read_account_frame, ctx.period, ctx.scope),
                  ctx.load(whatif.read_tier_config))
active = base.frame[base.frame["has_orders"]]

st.caption(ui.scope_caption(ctx, t("whatif.caption", accounts=format_int(len(active)),
                                   prior=ui.period_label(ctx.period.prior()))))
if active.empty:
    ui.show_empty_state(ctx)
    st.stop()
st.caption(t("whatif.definitions"))

LEVER_DEFAULTS = {
    "whatif_accounts": [], "whatif_revenue_change": 0, "whatif_retention_pp": 0, "whatif_horizon": 3,
    "whatif_new_accounts": 0, "whatif_new_tier": "B", "whatif_margin_pp": 0.0,
}
st.session_state.setdefault("whatif_threshold", whatif.DEFAULT_THRESHOLD)
st.session_state.setdefault("whatif_coefficient_mode", "manual")
st.session_state.setdefault("whatif_hhi_low", whatif.DEFAULT_HHI_BANDS[0])
st.session_state.setdefault("whatif_hhi_high", whatif.DEFAULT_HHI_BANDS[1])
for key, default in LEVER_DEFAULTS.items():
    st.session_state.setdefault(key, default)
ui.TRANSLATED_SELECTBOXES.add("whatif_new_tier")  # its option text is translated (see ka/ui/sidebar.py)

names = {row.account_id: ui.account_display_name(row.account_name, row.account_name_en) for row in active.itertuples()}
# picked accounts of another period or filter are dropped, not an error
st.session_state["whatif_accounts"] = [a for a in st.session_state["whatif_accounts"] if a in names]


def account_label(account_id: str) -> str:
    return f"{names.get(account_id, account_id)} ({account_id})"


def metric_label(metric: str, years: int | str) -> str:
    return t(f"whatif.result_{metric}", years=years)


# --- dependency index ------------------------------------------------------------------------------
def render_coefficients() -> dict[str, float]:
    """The coefficient table: hand-edited (saved) or derived from the portfolio (read-only)."""
    st.radio(t("whatif.coefficient_mode"), ["manual", "derived"], key="whatif_coefficient_mode",
             format_func=lambda mode: t(f"whatif.mode_{mode}"), help=t("whatif.derived_help"))
    industries = list(active["industry"])
    config = {"label": st.column_config.TextColumn(t("whatif.industry")),
              "coefficient": st.column_config.NumberColumn(t("whatif.coefficient"), min_value=0.0, max_value=10.0,
                                                           step=0.01, format="%.2f")}

    def labelled(table: pd.DataFrame) -> pd.DataFrame:  # the industry as the UI names it; the data's value stays the key
        return table.assign(label=[ui.display_value("industry", v) for v in table["industry"]])

    if st.session_state["whatif_coefficient_mode"] == "derived":
        derived = whatif.derive_coefficients(active)
        st.dataframe(labelled(whatif.coefficient_table(industries, derived)), hide_index=True, column_config=config,
                     column_order=["label", "coefficient"], key="whatif_coefficients_derived", placeholder="—")
        return derived
    saved = ctx.load(whatif.read_coefficients)
    st.caption(t("whatif.coefficients_caption"))
    edited = st.data_editor(labelled(whatif.coefficient_table(industries, saved)), hide_index=True,
                            disabled=["industry", "label"], column_order=["label", "coefficient"],
                            column_config=config, key="whatif_coefficients_editor")
    coefficients = dict(zip(edited["industry"], edited["coefficient"].fillna(1.0).astype(float)))
    changed = {name: value for name, value in coefficients.items() if saved.get(name, 1.0) != value}
    if changed:  # edits count at once; they are kept for the next visit only when saved
        st.caption(t("whatif.coefficients_unsaved", count=len(changed)))
        st.button(t("whatif.save_coefficients"), key="whatif_save_coefficients", on_click=save_coefficients,
                  args=(changed,), icon=":material/save:", disabled=not ctx.may("settings"))
    return coefficients


def save_coefficients(changed: dict[str, float]) -> None:
    if not ctx.may("settings"):
        return
    whatif.save_coefficients(ctx.con, changed)
    ctx.audit("coefficients", industries=sorted(changed))
    st.toast(t("whatif.coefficients_saved"), icon=":material/check:")
    st.rerun()  # the whole app: this run's readers are keyed on the data version before the save


# --- scenario levers and saved scenarios ------------------------------------------------------------
def scenario_from_levers() -> Scenario:
    state = st.session_state
    return Scenario(
        accounts=tuple(state["whatif_accounts"]), revenue_change=state["whatif_revenue_change"] / 100,
        retention_change=state["whatif_retention_pp"] / 100, horizon_years=int(state["whatif_horizon"]),
        new_accounts=int(state["whatif_new_accounts"]), new_account_tier=state["whatif_new_tier"],
        margin_change=state["whatif_margin_pp"] / 100,
    )


def put_levers(scenario: Scenario) -> None:
    """Set the sliders to a saved scenario (accounts not in this period's list are left out)."""
    state = st.session_state
    state["whatif_accounts"] = [a for a in scenario.accounts if a in names]
    state["whatif_revenue_change"] = round(scenario.revenue_change * 100)
    state["whatif_retention_pp"] = round(scenario.retention_change * 100)
    state["whatif_horizon"] = scenario.horizon_years
    state["whatif_new_accounts"] = scenario.new_accounts
    state["whatif_new_tier"] = scenario.new_account_tier
    state["whatif_margin_pp"] = round(scenario.margin_change * 100, 1)


def keep_tier_choice() -> None:
    """Keep the new accounts' tier a tier. Its options read "tier A (typical size)"; a new period or filter
    changes the sizes, and the browser can send back the text of an option of the last run, which is no
    option now: the last tier chosen stands then."""
    state = st.session_state
    if state["whatif_new_tier"] not in base.typical_sizes:
        last = state.get("whatif_new_tier_kept", LEVER_DEFAULTS["whatif_new_tier"])
        state["whatif_new_tier"] = last if last in base.typical_sizes else next(iter(base.typical_sizes))
    state["whatif_new_tier_kept"] = state["whatif_new_tier"]


def load_saved() -> None:
    chosen = st.session_state.get("whatif_saved_choice")
    saved = ctx.load(whatif.read_scenarios)
    if chosen in saved:
        put_levers(saved[chosen])


def save_current() -> None:
    name = saved_name(st.session_state.get("whatif_scenario_name", ""))
    if not name:
        st.session_state["whatif_save_message"] = t("whatif.name_missing")
        return
    if not ctx.may("scenarios"):
        return
    whatif.save_scenario(ctx.con, name, scenario_from_levers())
    ctx.audit("scenario_save", name=name)
    st.session_state["whatif_save_message"] = t("whatif.saved_toast", name=ui.literal(name))
    st.rerun()  # the whole app: the saved scenarios are read anew


def delete_saved() -> None:
    chosen = st.session_state.get("whatif_saved_choice")
    if chosen and ctx.may("scenarios"):
        whatif.delete_scenario(ctx.con, chosen)
        ctx.audit("scenario_delete", name=chosen)
        st.session_state["whatif_compare"] = [n for n in st.session_state.get("whatif_compare", []) if n != chosen]
        st.rerun()  # the whole app: the saved scenarios are read anew


# --- what the sliders move: dependency, concentration, scenario results, saved scenarios -------------
# A fragment: a slider, a lever or a coefficient reruns this part only, not the sidebar and the
# page's start (the cached base above). The threshold and the coefficients count in the dependency
# alerts and in the scenario results alike, so the scenario is a fragment within it; saving reruns
# the whole app.
@ui.fragment
def render_what_moves() -> None:
    # --- dependency index ------------------------------------------------------------------------------
    st.header(t("whatif.dependency_header"))
    settings_col, alerts_col = st.columns([1, 2])
    with settings_col:
        st.slider(t("whatif.threshold"), 0.05, 1.0, step=0.01, key="whatif_threshold", help=t("whatif.threshold_help"))
        coefficients = render_coefficients()
    threshold = st.session_state["whatif_threshold"]
    dependency = ui.with_display_values(ui.with_display_names(whatif.compute_dependency(active, coefficients, threshold)),
                                        {"industry": "industry"})
    dependency_columns = {
        "account": Col(t("common.account"), "account", width=230),
        "industry": Col(t("whatif.industry")),
        "revenue": Col(t("common.revenue"), "money", shown=False),
        "share": Col(t("whatif.share"), "share"),
        "coefficient": Col(t("whatif.coefficient"), "ratio"),
        "dependency_index": Col(t("whatif.dependency_index"), "ratio"),
        "new_revenue_needed": Col(t("whatif.new_revenue_needed"), "money"),
        "is_above_threshold": Col(t("whatif.above_threshold"), "flag", shown=False),
        "is_nonpositive": Col(t("whatif.nonpositive"), "flag", shown=False),
        "account_id": Col(t("common.account_id"), shown=False),
    }
    alerts = dependency[dependency["is_above_threshold"]]
    with alerts_col:
        st.metric(t("whatif.alerts_metric"), format_int(len(alerts)), help=t("whatif.alerts_help", threshold=threshold),
                  border=True)
        if len(alerts):
            st.warning(t("whatif.alert_recommendation", count=len(alerts)), icon=":material/warning:")
            ui.show_table(ui.page_of(alerts, "whatif_alerts"), dependency_columns, key=ui.table_key("whatif_alerts"))
        else:
            st.success(t("whatif.no_alerts", threshold=threshold), icon=":material/check_circle:")
        # every account's index, paged: drawn only while the section is open, not sent on every move
        with st.expander(t("whatif.all_accounts"), key="whatif_all_accounts_open", on_change="rerun") as section:
            if section.open:
                render_all_accounts(dependency, dependency_columns)

    # --- concentration -----------------------------------------------------------------------------------
    st.header(t("whatif.concentration_header"))
    current = whatif.compute_concentration(base.frame["revenue"])
    prior = whatif.compute_concentration(base.frame["prior_revenue"])
    change = whatif.compute_concentration_change(current, prior)
    with st.expander(t("whatif.hhi_bands")):
        low_col, high_col = st.columns(2)
        low_col.number_input(t("whatif.hhi_low"), 0.0, 10_000.0, step=100.0, key="whatif_hhi_low",
                             help=t("whatif.hhi_bands_help"))
        high_col.number_input(t("whatif.hhi_high"), 0.0, 10_000.0, step=100.0, key="whatif_hhi_high",
                              help=t("whatif.hhi_bands_help"))
    bands = tuple(sorted((st.session_state["whatif_hhi_low"], st.session_state["whatif_hhi_high"])))
    band = whatif.hhi_band(current.hhi, bands)
    band_text = t(f"whatif.band_{band}") if band else t("whatif.band_none")

    tiles = st.columns(5)
    for column, (name, n) in zip(tiles, (("top1_share", 1), ("top5_share", 5), ("top10_share", 10))):
        column.metric(t(f"whatif.{name}"), format_pct(getattr(current, name)), delta=i18n.format_delta_points(change[name]),
                      delta_color="inverse", help=t("whatif.top_help", n=n), border=True)
    tiles[3].metric(t("whatif.hhi"), format_number(current.hhi),
                    delta=None if change["hhi"] is None else f"{change['hhi']:+,.0f}", delta_color="inverse",
                    help=t("whatif.hhi_help", band=band_text), border=True)
    tiles[3].caption(band_text)
    tiles[4].metric(t("whatif.gini"), format_number(current.gini, 3),
                    delta=None if change["gini"] is None else f"{change['gini']:+.3f}", delta_color="inverse",
                    help=t("whatif.gini_help"), border=True)
    st.plotly_chart(charts.build_lorenz_curve(whatif.compute_lorenz(base.frame["revenue"]),
                                              whatif.compute_lorenz(base.frame["prior_revenue"])), key="whatif_lorenz")

    render_scenario(coefficients, threshold)


def render_all_accounts(dependency: pd.DataFrame, dependency_columns: dict) -> None:
    """Every account's dependency index, a page at a time, with its revenue and whether it is over the threshold."""
    all_columns = {**dependency_columns, "revenue": Col(t("common.revenue"), "money"),
                   "new_revenue_needed": Col(t("whatif.new_revenue_needed"), "money", shown=False),
                   "is_above_threshold": Col(t("whatif.above_threshold"), "flag")}
    ui.show_table(ui.page_of(dependency, "whatif_dependency"), all_columns, key=ui.table_key("whatif_dependency"))


# The scenario's levers rerun this part alone: the dependency and concentration above do not move with
# them. A new threshold or coefficient reruns the part above, and this part with it.
@ui.fragment
def render_scenario(coefficients: dict[str, float], threshold: float) -> None:
    st.header(t("whatif.scenario_header"))
    st.caption(t("whatif.scenario_caption"))
    revenue_col, retention_col, growth_col = st.columns(3)
    with revenue_col:
        # the picker offers the accounts picked and the largest that match the search, not all 5,000
        pickable, note = ui.bounded_options(pd.DataFrame({"account_id": list(names), "account": list(names.values())}),
                                            ui.search_box("whatif_accounts_search"), keep=st.session_state["whatif_accounts"])
        st.multiselect(t("whatif.pick_accounts"), pickable, key="whatif_accounts", format_func=account_label,
                       help=t("whatif.pick_accounts_help"), placeholder=t("whatif.pick_accounts_placeholder"))
        if note:
            st.caption(note)
        st.slider(t("whatif.revenue_change"), -100, 100, step=5, key="whatif_revenue_change")
    with retention_col:
        st.slider(t("whatif.retention_change"), -20, 20, step=1, key="whatif_retention_pp",
                  help=t("whatif.retention_change_help"))
        st.slider(t("whatif.horizon"), 1, 5, step=1, key="whatif_horizon")
    with growth_col:
        st.number_input(t("whatif.new_accounts"), 0, 500, step=1, key="whatif_new_accounts")
        keep_tier_choice()
        st.selectbox(t("whatif.new_account_tier"), list(base.typical_sizes), key="whatif_new_tier",
                     format_func=lambda tier: t("whatif.new_account_tier_option", tier=tier,
                                                size=format_amount(base.typical_sizes[tier])),
                     help=t("whatif.new_account_help"))
        st.slider(t("whatif.margin_change"), -10.0, 10.0, step=0.5, key="whatif_margin_pp",
                  help=t("whatif.margin_change_help"))

    scenario = scenario_from_levers()
    result = whatif.compute_scenario(base, scenario, coefficients, threshold)
    years = scenario.horizon_years

    st.subheader(t("whatif.results"))
    results_col, tiers_col = st.columns([3, 2])
    results_col.dataframe(
        pd.DataFrame({
            "metric": [metric_label(m, years) for m in result.summary["metric"]],
            "before": [format_by_unit(whatif.RESULT_UNITS[m], v) for m, v in zip(result.summary["metric"], result.summary["before"])],
            "after": [format_by_unit(whatif.RESULT_UNITS[m], v) for m, v in zip(result.summary["metric"], result.summary["after"])],
            "change": [format_change_by_unit(whatif.RESULT_UNITS[m], v)
                       for m, v in zip(result.summary["metric"], result.summary["change"])],
        }),
        hide_index=True, key="whatif_results",
        column_config={"metric": t("whatif.metric"), "before": t("whatif.before"), "after": t("whatif.after"),
                       "change": t("whatif.change")},
    )
    if result.retention_profit_gain is None:
        results_col.info(t("whatif.retention_sentence_none"))
    else:
        results_col.info(t("whatif.retention_sentence", pp=i18n.format_delta_points(scenario.retention_change, 0),
                           years=years, gain=i18n.format_delta_pct(result.retention_profit_gain)))
    with tiers_col:
        st.caption(t("whatif.tier_counts"))
        ui.show_table(result.tier_counts, {"tier": Col(t("whatif.tier")), "before": Col(t("whatif.before"), "count"),
                                           "after": Col(t("whatif.after"), "count")}, key="whatif_tier_counts")
        st.caption(t("whatif.tier_changes"))
        if result.tier_changes.empty:
            st.caption(t("whatif.no_tier_changes"))
        else:
            ui.show_table(ui.with_display_names(result.tier_changes), {
                "account": Col(t("common.account"), "account", width=200),
                "tier_before": Col(t("whatif.tier_before")), "tier_after": Col(t("whatif.tier_after")),
                "account_id": Col(t("common.account_id"), shown=False),
            }, key="whatif_tier_changes")

    waterfall_col, projection_col = st.columns(2)
    waterfall_col.plotly_chart(charts.build_revenue_waterfall(result.waterfall), key="whatif_waterfall")
    projection_col.plotly_chart(charts.build_projection(result.projection, ui.period_label(ctx.period)),
                                key="whatif_projection")
    projection_col.caption(t("whatif.projection_caption"))

    with st.expander(t("whatif.retention_table")):
        st.caption(t("whatif.retention_caption"))
        ui.show_table(base.retention, {
            "tier": Col(t("whatif.tier")), "base_accounts": Col(t("whatif.base_accounts"), "count"),
            "retained_accounts": Col(t("whatif.retained_accounts"), "count"),
            "observed": Col(t("whatif.observed"), "share"), "rate": Col(t("whatif.rate_used"), "share"),
        }, key="whatif_retention")

    # --- saved scenarios: save, load, compare, download -----------------------------------------------------
    st.subheader(t("whatif.saved_header"))
    saved = ctx.load(whatif.read_scenarios)
    save_col, load_col = st.columns(2)
    with save_col:
        st.text_input(t("whatif.scenario_name"), key="whatif_scenario_name")
        st.button(t("whatif.save"), key="whatif_save", on_click=save_current, icon=":material/save:",
                  disabled=not ctx.may("scenarios"))
        if message := st.session_state.pop("whatif_save_message", None):
            st.caption(message)
    with load_col:
        if saved:
            st.selectbox(t("whatif.load_choice"), list(saved), key="whatif_saved_choice")
            button_left, button_right = st.columns(2)
            button_left.button(t("whatif.load"), key="whatif_load", on_click=load_saved, icon=":material/upload:")
            button_right.button(t("whatif.delete"), key="whatif_delete", on_click=delete_saved, icon=":material/delete:",
                                disabled=not ctx.may("scenarios"))
        else:
            st.caption(t("whatif.no_saved"))

    st.session_state["whatif_compare"] = [n for n in st.session_state.get("whatif_compare", []) if n in saved]
    if saved:
        st.multiselect(t("whatif.compare"), list(saved), key="whatif_compare", max_selections=whatif.MAX_COMPARED,
                       placeholder=t("whatif.compare_placeholder"))
    results = {t("whatif.current"): result}
    for name in st.session_state["whatif_compare"]:
        results[name] = whatif.compute_scenario(base, saved[name], coefficients, threshold)
    compared = whatif.compare_results(results)
    units = [whatif.RESULT_UNITS[m] for m in compared["metric"]]
    labels = [metric_label(m, "H") for m in compared["metric"]]  # columns may differ in horizon: the first row says
    shown = compared.assign(metric=labels)
    for column in shown.columns[1:]:
        shown[column] = [format_by_unit(unit, value) for unit, value in zip(units, compared[column])]
    if len(results) > 1:
        st.caption(t("whatif.compare_table"))
        st.dataframe(shown, hide_index=True, key="whatif_compare_table",
                     column_config={"metric": t("whatif.metric"), "before": t("whatif.before")})
    csv = export_frame(compared.assign(label=labels)).to_csv(index=False)
    st.download_button(t("whatif.download"), csv.encode("utf-8-sig"), file_name="ka_radar_whatif.csv",
                       mime="text/csv", key="whatif_download", icon=":material/download:",
                       on_click=ctx.audit, args=("export",), kwargs={"what": "whatif", "format": "csv"})


render_what_moves()
