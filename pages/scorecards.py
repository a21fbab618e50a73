"""KPI 记分卡 — KA managers and accounts against targets, with the director's weights."""

from dataclasses import replace

import streamlit as st

import pandas as pd

from ka import action_plans, charts, kpi, ui
from ka.cells import export_frame
from ka.i18n import format_by_unit, format_int, format_pct, t
from ka.ui import Col

ctx = ui.init_page()
st.title(t("scorecards.title"))
if not ctx.has_data:
    ui.show_empty_state(ctx)
    st.stop()
period_key = kpi.target_period_key(ctx.period)
config = kpi.ScorecardConfig()

st.session_state.setdefault("scorecards_level", "manager")
for dimension in kpi.DIMENSIONS:
    st.session_state.setdefault(f"scorecards_weight_{dimension}", 25)
for name in kpi.KPI_NAMES:
    st.session_state.setdefault(f"scorecards_weight_{name}", 50)
st.session_state.setdefault("scorecards_manager", None)

# format_func reads prebuilt dicts: labels fixed at run time, in the run's language
level_labels = {value: t(f"scorecards.level_{value}") for value in kpi.LEVELS}
kpi_labels = {name: t(f"scorecards.kpi_name.{name}") for name in kpi.KPI_NAMES}
level = st.segmented_control(
    t("scorecards.level"), options=list(kpi.LEVELS), key="scorecards_level", format_func=level_labels.get,
) or "manager"


def kpi_text(name: str, value) -> str:
    """A KPI value in its unit: percent, money (万/亿 or K/M), days or a plain number."""
    return format_by_unit(kpi.KPI_BY_NAME[name].unit, value)


STATUS_COLOURS = {"green": "#16a34a", "yellow": "#d97706", "red": "#dc2626"}


def manager_name(manager: str) -> str:
    """A KA manager as the UI names them; the accounts without one form a group of their own."""
    return t("scorecards.no_manager") if manager == "" else ui.display_value("ka_manager", manager)


def display_name(row, level_of_row: str) -> str:
    if level_of_row == "manager":
        return manager_name(row["group_id"])
    return ui.account_display_name(row["account_name"], row["account_name_en"])


def attainment_text(value) -> str:
    """Attainment in percent; below zero (a fall where growth was the target) reads "< 0 %", not "−94 %"."""
    if value != value or value is None:
        return ""
    return t("scorecards.below_zero") if value < 0 else format_pct(value)


def status_text(status: str, attainment) -> str:
    return " ".join(part for part in (t(f"scorecards.status_name.{status}"), attainment_text(attainment)) if part)


def status_style(text: str) -> str:
    """The colour of a status cell (a small table's Styler): green on target, amber close, red behind."""
    for status, colour in STATUS_COLOURS.items():
        if text.startswith(t(f"scorecards.status_name.{status}")):
            return f"color: {colour}"
    return ""


def render_ranking(scorecards: kpi.Scorecards, key: str) -> None:
    """Rank, name, composite, dimension scores and the count of KPIs per status; each KPI's own
    status is behind the column chooser (and in the detail below)."""
    table = scorecards.composite.copy()
    table["name"] = [display_name(row, scorecards.level) for row in table.to_dict("records")]
    status = scorecards.scores.set_index(["group_id", "kpi"])
    for name in kpi.KPI_NAMES:
        cells = status.xs(name, level="kpi")
        table[name] = table["group_id"].map(lambda g, c=cells: status_text(c.at[g, "status"], c.at[g, "attainment"]))
    counts = kpi.compute_status_counts(scorecards.scores)
    for state in STATUS_COLOURS:  # how many KPIs are on target, close, behind: one coloured column each
        table[f"kpis_{state}"] = table["group_id"].map(counts[state]).fillna(0)
    columns = {
        "rank": Col(t("scorecards.rank"), "count", width=50),
        "name": Col(t("scorecards.name"), "account" if scorecards.level == "account" else "text", width=180),
        "composite": Col(t("scorecards.composite"), "number", help=t("scorecards.composite_help")),
        **{f"score_{d}": Col(t(f"scorecards.dimension_name.{d}"), "number") for d in kpi.DIMENSIONS},
        **{f"kpis_{state}": Col(t(f"scorecards.status_symbol.{state}"), "count", width=40, help=t("scorecards.statuses_help"))
           for state in STATUS_COLOURS},  # headed by the status marks the caption above explains
        "kpis_scored": Col(t("scorecards.kpis_scored"), "count", shown=False),
        **{k: Col(t(f"scorecards.kpi_name.{k}"), help=t(f"scorecards.kpi_help.{k}"), shown=False) for k in kpi.KPI_NAMES},
    }
    ids = list(table["group_id"]) if scorecards.level == "account" else None
    ui.show_table(table, columns, key=key, account_ids=ids,
                  styler=lambda styled: colour_status_counts(styled.map(status_style, subset=list(kpi.KPI_NAMES))))


def colour_status_counts(styled):
    for state, colour in STATUS_COLOURS.items():
        styled = styled.map(lambda _, c=colour: f"color: {c}", subset=[f"kpis_{state}"])
    return styled


# --- what the weights move: the scorecards, their detail, targets and the trend ---------------------
# A fragment: a weight, the drill-down or a detail reruns this part only, not the sidebar and the page's
# start; the level above changes what is read and reruns the whole app, as a saved target does.
@ui.fragment
def render_scorecards() -> None:
    # --- weights ------------------------------------------------------------------------------------
    with st.expander(t("scorecards.weights"), icon=":material/tune:"):
        st.caption(t("scorecards.weights_help"))
        st.markdown(f"**{t('scorecards.dimension_weights')}**")
        for column, dimension in zip(st.columns(len(kpi.DIMENSIONS)), kpi.DIMENSIONS):
            column.slider(t(f"scorecards.dimension_name.{dimension}"), 0, 100, key=f"scorecards_weight_{dimension}")
        for column, dimension in zip(st.columns(len(kpi.DIMENSIONS)), kpi.DIMENSIONS):
            column.markdown(t("scorecards.kpi_weights", dimension=t(f"scorecards.dimension_name.{dimension}")))
            for item in kpi.KPIS:
                if item.dimension == dimension:
                    column.slider(t(f"scorecards.kpi_name.{item.name}"), 0, 100, key=f"scorecards_weight_{item.name}")
    weights = kpi.Weights.from_dicts(
        {d: st.session_state[f"scorecards_weight_{d}"] for d in kpi.DIMENSIONS},
        {k: st.session_state[f"scorecards_weight_{k}"] for k in kpi.KPI_NAMES},
    )
    shares = weights.kpi_shares()
    dimension_shares = weights.dimension_shares()
    st.caption(t(
        "scorecards.weights_sum", total=format_pct(sum(shares.values())),
        dimensions=" · ".join(f"{t(f'scorecards.dimension_name.{d}')} {format_pct(s, 0)}" for d, s in dimension_shares.items()),
    ))

    # --- the scorecards -------------------------------------------------------------------------------
    actions = ui.loaded(action_plans.read_scope_actions, ctx.scope)  # read once for every period's process KPIs
    quarters = tuple(kpi.trend_quarters(ctx.period))
    if level == "manager":  # the trend below: its quarters not read yet are read in one statement
        ctx.load_each(kpi.read_periods_kpi_values, kpi.read_kpi_values, quarters, ctx.scope, level, actions)
    values = ctx.load(kpi.read_kpi_values, ctx.period, ctx.scope, level, actions)  # a quarter: the trend's last
    targets = ctx.load(kpi.read_targets, level, period_key)
    cards = kpi.compute_scorecards(level, ctx.period, values, targets, weights, config)
    groups = len(cards.composite)
    caption_key = f"scorecards.caption_{level}" + ("_one" if groups == 1 else "")  # "1 KA manager", "8 KA managers"
    st.caption(ui.scope_caption(ctx, t(caption_key, count=format_int(groups), period=ui.period_label(ctx.period))))
    if cards.composite.empty:
        st.info(t("scorecards.no_groups"), icon=":material/filter_alt_off:")
        st.stop()
    st.caption(t("scorecards.thresholds", green=format_pct(config.green_from, 0), yellow=format_pct(config.yellow_from, 0)))

    st.subheader(t("scorecards.ranking"))
    render_ranking(cards, "scorecards_ranking")

    left, right, _ = st.columns([1, 1, 4])
    # the files, and the wide table in them, are built when clicked, not on every slider move (an XLSX
    # of 5,000 accounts takes a second)
    left.download_button(
        t("scorecards.download_csv"),
        lambda: export_frame(kpi.compute_scorecard_table(cards)).to_csv(index=False).encode("utf-8-sig"),
        file_name=f"scorecards_{level}_{period_key}.csv", mime="text/csv", key="scorecards_download_csv",
        on_click=ctx.audit, args=("export",), kwargs={"what": "scorecards", "level": level, "period": period_key, "format": "csv"},
    )
    right.download_button(
        t("scorecards.download_xlsx"), lambda: kpi.scorecard_xlsx(kpi.compute_scorecard_table(cards)),
        file_name=f"scorecards_{level}_{period_key}.xlsx", key="scorecards_download_xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        on_click=ctx.audit, args=("export",), kwargs={"what": "scorecards", "level": level, "period": period_key, "format": "xlsx"},
    )

    # --- drill from a manager to their accounts ------------------------------------------------------
    if level == "manager":
        managers = list(cards.composite["group_id"])
        if st.session_state["scorecards_manager"] not in managers:
            st.session_state["scorecards_manager"] = None
        manager = st.selectbox(t("scorecards.drill"), managers, key="scorecards_manager", index=None,
                               placeholder=t("scorecards.drill_none"), format_func=manager_name)
        if manager is not None:
            st.subheader(t("scorecards.drill_accounts", manager=ui.literal(manager_name(manager))))
            account_scope = replace(ctx.scope, managers=(manager,))
            account_values = ctx.load(kpi.read_kpi_values, ctx.period, account_scope, "account",
                                      ui.loaded(action_plans.read_scope_actions, account_scope))
            account_targets = ctx.load(kpi.read_targets, "account", period_key)
            account_cards = kpi.compute_scorecards("account", ctx.period, account_values, account_targets, weights, config)
            render_ranking(account_cards, "scorecards_drill_table")

    # --- one scorecard in detail -----------------------------------------------------------------------
    st.subheader(t("scorecards.detail"))
    names = {row["group_id"]: display_name(row, level) for row in cards.composite.to_dict("records")}
    chosen = st.selectbox(t("scorecards.detail_of"), list(names), format_func=names.get, key="scorecards_detail")
    detail = cards.scores[cards.scores["group_id"] == chosen]
    detail_table = pd.DataFrame({
        "kpi": [t(f"scorecards.kpi_name.{k}") for k in detail["kpi"]],
        "dimension": [t(f"scorecards.dimension_name.{d}") for d in detail["dimension"]],
        "value": [kpi_text(k, v) for k, v in zip(detail["kpi"], detail["value"])],
        "target": [kpi_text(k, v) for k, v in zip(detail["kpi"], detail["target"])],
        "target_source": [t(f"scorecards.source_name.{s}") if isinstance(s, str) else "—" for s in detail["target_source"]],
        "status": [status_text(s, a) for s, a in zip(detail["status"], detail["attainment"])],
        "weight": [shares[k] for k in detail["kpi"]],
    })
    ui.show_table(detail_table, {
        "kpi": Col(t("scorecards.kpi")), "dimension": Col(t("scorecards.dimension")),
        "value": Col(t("scorecards.value")), "target": Col(t("scorecards.target")),
        "target_source": Col(t("scorecards.target_source")), "status": Col(t("scorecards.status_attainment")),
        "weight": Col(t("scorecards.effective_weight"), "share"),
    }, key="scorecards_detail_table", styler=lambda styled: styled.map(status_style, subset=["status"]))

    # --- targets ---------------------------------------------------------------------------------------
    with st.expander(t("scorecards.targets"), icon=":material/flag:"):
        st.caption(t("scorecards.targets_help", period=ui.period_label(ctx.period)))
        who_labels = {kpi.DEFAULT_SCOPE_ID: t("scorecards.target_all"), **names}
        a, b, c = st.columns(3)
        who = a.selectbox(t("scorecards.target_who"), list(who_labels), key="scorecards_target_who",
                          format_func=who_labels.get)
        metric = b.selectbox(t("scorecards.target_kpi"), list(kpi.KPI_NAMES), key="scorecards_target_kpi",
                             format_func=kpi_labels.get)
        value = c.number_input(t("scorecards.target_value"), value=0.0, step=0.01, format="%.4f",
                               key="scorecards_target_value", help=t("scorecards.target_value_help"))
        save, remove, _ = st.columns([1, 1, 4])
        may_edit = ctx.may("targets")
        if save.button(t("scorecards.target_save"), key="scorecards_target_save", type="primary", disabled=not may_edit) \
                and may_edit:
            kpi.save_target(ctx.con, level, who, period_key, metric, value)
            ctx.audit("target_save", level=level, who=who, period=period_key, metric=metric, target=value)
            st.toast(t("scorecards.target_saved"))
            st.rerun()
        if remove.button(t("scorecards.target_remove"), key="scorecards_target_remove", disabled=not may_edit) and may_edit:
            kpi.save_target(ctx.con, level, who, period_key, metric, None)
            ctx.audit("target_remove", level=level, who=who, period=period_key, metric=metric)
            st.toast(t("scorecards.target_removed"))
            st.rerun()

    # --- trend and definitions ---------------------------------------------------------------------------
    if level == "manager":
        st.subheader(t("scorecards.trend"))
        # every quarter is kept on its own (the next period shares all quarters but one); the weights only
        # recombine the scores
        trend_scores = ui.derived(kpi.compute_trend_scores, quarters,
                                  *[ui.loaded(kpi.read_kpi_values, q, ctx.scope, level, actions) for q in quarters],
                                  *[ui.loaded(kpi.read_targets, level, kpi.target_period_key(q)) for q in quarters])
        trend = ctx.derive(kpi.compute_composite_trend, trend_scores, weights)
        st.plotly_chart(charts.build_composite_trend(trend, names), key="scorecards_trend")


render_scorecards()

with st.expander(t("scorecards.definitions"), icon=":material/menu_book:"):
    for item in kpi.KPIS:
        st.markdown(f"**{t(f'scorecards.kpi_name.{item.name}')}** ({t(f'scorecards.dimension_name.{item.dimension}')}): "
                    f"{t(f'scorecards.kpi_help.{item.name}')}")
