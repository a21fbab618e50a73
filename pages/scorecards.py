"""KPI 记分卡 — KA managers and accounts against targets, with the director's weights."""

from dataclasses import replace

import streamlit as st

from ka import charts, kpi, ui
from ka.cells import export_frame
from ka.i18n import format_by_unit, format_pct, t

ctx = ui.init_page()
st.title(t("scorecards.title"))
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
values = ctx.load(kpi.read_kpi_values, ctx.period, ctx.scope, level)
targets = ctx.load(kpi.read_targets, level, period_key)
cards = kpi.compute_scorecards(level, ctx.period, values, targets, weights, config)
st.caption(t(
    "scorecards.caption", period=ui.period_label(ctx.period), count=len(cards.composite),
    level=t(f"scorecards.level_{level}"), period_key=period_key,
))
if cards.composite.empty:
    st.info(t("scorecards.no_groups"), icon=":material/filter_alt_off:")
    st.stop()
st.caption(t("scorecards.thresholds", green=format_pct(config.green_from, 0), yellow=format_pct(config.yellow_from, 0)))


def display_name(row, level_of_row: str) -> str:
    if level_of_row == "manager":
        return row["group_id"] or "—"
    return ui.account_display_name(row["account_name"], row["account_name_en"])


def ranking_table(scorecards: kpi.Scorecards):
    """Rank, name, composite, dimension scores and one status cell per KPI."""
    table = scorecards.composite.copy()
    table["name"] = [display_name(row, scorecards.level) for row in table.to_dict("records")]
    status = scorecards.scores.set_index(["group_id", "kpi"])
    for name in kpi.KPI_NAMES:
        cells = status.xs(name, level="kpi")
        table[name] = table["group_id"].map(
            lambda g, c=cells: t(f"scorecards.status_name.{c.at[g, 'status']}")
            + ("" if c.at[g, "attainment"] != c.at[g, "attainment"] else f" {format_pct(c.at[g, 'attainment'], 0)}")
        )
    columns = ["rank", "name", "composite", *[f"score_{d}" for d in kpi.DIMENSIONS], "kpis_scored", *kpi.KPI_NAMES]
    config_ = {
        "rank": t("scorecards.rank"),
        "name": t("scorecards.name"),
        "composite": st.column_config.ProgressColumn(
            t("scorecards.composite"), min_value=0, max_value=100, format="%.1f", help=t("scorecards.composite_help")),
        "kpis_scored": t("scorecards.kpis_scored"),
        **{f"score_{d}": st.column_config.NumberColumn(t(f"scorecards.dimension_name.{d}"), format="%.1f")
           for d in kpi.DIMENSIONS},
        **{k: st.column_config.TextColumn(t(f"scorecards.kpi_name.{k}"), help=t(f"scorecards.kpi_help.{k}"))
           for k in kpi.KPI_NAMES},
    }
    return table[columns], config_


st.subheader(t("scorecards.ranking"))
table, column_config = ranking_table(cards)
st.dataframe(table, hide_index=True, column_config=column_config, key="scorecards_ranking")

export = kpi.compute_scorecard_table(cards)
left, right, _ = st.columns([1, 1, 4])
# the files are built when clicked, not on every slider move (an XLSX of 5,000 accounts takes a second)
left.download_button(
    t("scorecards.download_csv"), lambda: export_frame(export).to_csv(index=False).encode("utf-8-sig"),
    file_name=f"scorecards_{level}_{period_key}.csv", mime="text/csv", key="scorecards_download_csv",
    on_click=ctx.audit, args=("export",), kwargs={"what": "scorecards", "level": level, "period": period_key, "format": "csv"},
)
right.download_button(
    t("scorecards.download_xlsx"), lambda: kpi.scorecard_xlsx(export),
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
                           placeholder=t("scorecards.drill_none"))
    if manager is not None:
        st.subheader(t("scorecards.drill_accounts", manager=ui.literal(manager)))
        account_scope = replace(ctx.scope, managers=(manager,))
        account_values = ctx.load(kpi.read_kpi_values, ctx.period, account_scope, "account")
        account_targets = ctx.load(kpi.read_targets, "account", period_key)
        account_cards = kpi.compute_scorecards("account", ctx.period, account_values, account_targets, weights, config)
        account_table, account_config = ranking_table(account_cards)
        st.dataframe(account_table, hide_index=True, column_config=account_config, key="scorecards_drill_table")

# --- one scorecard in detail -----------------------------------------------------------------------
st.subheader(t("scorecards.detail"))
names = {row["group_id"]: display_name(row, level) for row in cards.composite.to_dict("records")}
chosen = st.selectbox(t("scorecards.detail_of"), list(names), format_func=names.get, key="scorecards_detail")
detail = cards.scores[cards.scores["group_id"] == chosen]
st.dataframe(
    {
        t("scorecards.kpi"): [t(f"scorecards.kpi_name.{k}") for k in detail["kpi"]],
        t("scorecards.dimension"): [t(f"scorecards.dimension_name.{d}") for d in detail["dimension"]],
        t("scorecards.value"): [kpi_text(k, v) for k, v in zip(detail["kpi"], detail["value"])],
        t("scorecards.target"): [kpi_text(k, v) for k, v in zip(detail["kpi"], detail["target"])],
        t("scorecards.target_source"): [t(f"scorecards.source_name.{s}") if isinstance(s, str) else "—"
                                        for s in detail["target_source"]],
        t("scorecards.attainment"): [format_pct(a) for a in detail["attainment"]],
        t("scorecards.status"): [t(f"scorecards.status_name.{s}") for s in detail["status"]],
        t("scorecards.effective_weight"): [format_pct(shares[k]) for k in detail["kpi"]],
    },
    hide_index=True, key="scorecards_detail_table",
)

# --- targets ---------------------------------------------------------------------------------------
with st.expander(t("scorecards.targets"), icon=":material/flag:"):
    st.caption(t("scorecards.targets_help", period_key=period_key))
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
    # every quarter is read and kept on its own (the last is the period above; the next period shares all
    # quarters but one); the weights only recombine the scores
    quarters = tuple(kpi.trend_quarters(ctx.period))
    trend_scores = ui.derived(kpi.compute_trend_scores, quarters,
                              *[ui.loaded(kpi.read_kpi_values, q, ctx.scope, level) for q in quarters],
                              *[ui.loaded(kpi.read_targets, level, kpi.target_period_key(q)) for q in quarters])
    trend = ctx.derive(kpi.compute_composite_trend, trend_scores, weights)
    st.plotly_chart(charts.build_composite_trend(trend, names), key="scorecards_trend")

with st.expander(t("scorecards.definitions"), icon=":material/menu_book:"):
    for item in kpi.KPIS:
        st.markdown(f"**{t(f'scorecards.kpi_name.{item.name}')}** ({t(f'scorecards.dimension_name.{item.dimension}')}): "
                    f"{t(f'scorecards.kpi_help.{item.name}')}")
