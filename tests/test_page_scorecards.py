"""AppTest of the scorecard page: ranking, weights change the ranking, a saved target changes attainment."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

import independent as independent_figures
from ka_testing import ROOT, run_page
from ka import db, demo, i18n
from ka.periods import quarter_period

PAGE = str(ROOT / "pages" / "scorecards.py")
PERIOD = quarter_period(2026, 3)  # the demo's latest complete quarter (data to 2026-10-31)


def _run(lang: str = "en", **state) -> AppTest:
    return run_page(PAGE, lang, **state)


def _tables(at: AppTest) -> list:
    """The page's tables in order: ranking, (drill-down accounts,) KPI detail."""
    return [frame.value for frame in at.dataframe]


def _ranking(at: AppTest) -> list[str]:
    frame = _tables(at)[0]
    return list(frame.sort_values("rank")["name"])


def _independent_revenue_cells(path) -> dict[str, str]:
    """Per manager, the ranking's revenue cell from plain SQL: revenue over target, and its status."""
    con = db.open(path)
    try:
        revenue = independent_figures.manager_revenue(con, PERIOD.start, PERIOD.end)
        targets = dict(con.execute(
            "select scope_id, target from targets where scope = 'ka_manager' and period = '2026-Q3' and metric = 'revenue'"
        ).fetchall())
    finally:
        con.close()
    cells = {}
    for manager, value in revenue.items():
        attainment = value / float(targets[manager])
        status = "● on target" if attainment >= 1 else "◐ close" if attainment >= 0.8 else "○ behind"
        cells[demo.ENGLISH_NAMES["ka_manager"][manager]] = f"{status} {attainment * 100:.1f}%"  # the English UI's names
    return cells


def _composites_from_dimension_scores(frame, weights: dict[str, float]) -> list[float]:
    """The composite as the weighted mean of the dimension scores shown (dimensions without a score left out)."""
    composites = []
    for row in frame.itertuples():
        scored = {d: getattr(row, f"score_{d}") for d in weights if getattr(row, f"score_{d}") == getattr(row, f"score_{d}")}
        total = sum(weights[d] for d in scored)
        composites.append(sum(weights[d] * scored[d] for d in scored) / total)
    return composites


@pytest.mark.parametrize("lang, title", [("en", "KPI scorecards"), ("zh", "KPI 记分卡")])
def test_managers_ranked_in_both_languages(app_db, lang, title):
    at = _run(lang)
    assert not at.exception
    assert at.title[0].value == title
    frame = _tables(at)[0]
    cells = _independent_revenue_cells(app_db)
    names = {english: chinese for chinese, english in demo.ENGLISH_NAMES["ka_manager"].items()}
    assert sorted(frame["name"]) == sorted(cells if lang == "en" else [names[name] for name in cells])
    assert frame["rank"].tolist() == list(range(1, len(cells) + 1))
    assert frame["composite"].is_monotonic_decreasing
    if lang == "en":
        assert dict(zip(frame["name"], frame["revenue"])) == cells


def test_changing_a_weight_changes_the_ranking(app_db):
    at = _run()
    before = _tables(at)[0]
    equal = {"customer": 25, "performance": 25, "strategic": 25, "process": 25}
    assert before["composite"].tolist() == pytest.approx(_composites_from_dimension_scores(before, equal), abs=0.05)
    at.slider(key="scorecards_weight_performance").set_value(0).run()
    after = _tables(at)[0]
    no_performance = {**equal, "performance": 0}
    assert after["composite"].tolist() == pytest.approx(_composites_from_dimension_scores(after, no_performance), abs=0.05)
    assert list(after.sort_values("rank")["name"]) != list(before.sort_values("rank")["name"])
    assert any(c.value == "Effective weights sum to 100.0% (dimensions: Customer 33% · Performance 0% · "
                          "Strategic 33% · Process 33%)" for c in at.caption)


def test_editing_a_target_changes_attainment(writable_app_db):
    at = _run()
    manager = at.selectbox(key="scorecards_detail").value
    detail = _tables(at)[-1].set_index("kpi")
    revenue_text = detail.loc["Revenue", "status"]
    con = db.open(writable_app_db)
    revenue = independent_figures.manager_revenue(con, PERIOD.start, PERIOD.end)[manager]
    con.close()
    at.selectbox(key="scorecards_target_who").set_value(manager)
    at.selectbox(key="scorecards_target_kpi").set_value("revenue")
    at.number_input(key="scorecards_target_value").set_value(round(revenue / 2, 2))
    at.button(key="scorecards_target_save").click().run()
    assert not at.exception
    detail = _tables(at)[-1].set_index("kpi")
    assert detail.loc["Revenue", "status"] == f"● on target {revenue / round(revenue / 2, 2) * 100:.1f}%"
    assert detail.loc["Revenue", "status"] != revenue_text
    assert detail.loc["Revenue", "target_source"] == "own target"


def test_drill_into_a_manager_lists_their_accounts(app_db):
    at = _run("zh")
    manager = _tables(at)[0]["name"].iloc[0]
    i18n.set_language("zh")  # AppTest formats the option in the test's thread
    at.selectbox(key="scorecards_manager").set_value(manager).run()
    assert not at.exception
    accounts = _tables(at)[1]
    con = db.open(app_db)
    in_play = con.execute(
        """
        select count(distinct a.account_id)
        from accounts as a
        left join transactions as t
          on t.account_id = a.account_id
         and (t.order_date between date '2026-07-01' and date '2026-09-30'
              or t.order_date between date '2026-04-01' and date '2026-06-30'
              or t.order_date between date '2025-07-01' and date '2025-09-30')
        where a.ka_manager = ? and (t.account_id is not null or a.contract_end_date between date '2026-07-01' and date '2026-09-30')
        """,
        [manager],
    ).fetchall()[0][0]
    con.close()
    assert len(accounts) == in_play > 0
    assert any(manager in s.value for s in at.subheader)


def test_trend_shows_each_quarters_own_scorecard_and_follows_the_weights(app_db):
    """The trend's points are the composites of each quarter's own scorecards (read per quarter), for
    the weights on screen; another period reuses the quarters it shares with this one."""
    import base64
    import json

    import numpy as np

    from ka import demo, kpi
    from ka.scope import Scope

    def trend_points(at: AppTest) -> dict[tuple[str, str], float]:
        chart = next(c for c in at.get("plotly_chart") if c.proto.id and "scorecards_trend" in c.proto.id)
        def values(array) -> list:  # Plotly sends numeric arrays as base64 ("bdata") with their dtype
            if isinstance(array, dict):
                return np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"]).tolist()
            return list(array)

        return {(trace["name"], quarter): float(value) for trace in json.loads(chart.proto.spec)["data"]
                for quarter, value in zip(values(trace["x"]), values(trace["y"]))}

    def expected(period, weights) -> dict[tuple[str, str], float]:
        """The English UI names the demo's managers in English (demo.ENGLISH_NAMES)."""
        english = demo.ENGLISH_NAMES["ka_manager"]
        con = db.open(app_db)
        try:
            out = {}
            for quarter in kpi.trend_quarters(period):
                cards = kpi.read_scorecards(con, quarter, Scope(), "manager", weights)
                for row in cards.composite.dropna(subset=["composite"]).itertuples():
                    out[(english[row.group_id], quarter.label())] = row.composite
            return out
        finally:
            con.close()

    at = _run()
    assert trend_points(at) == pytest.approx(expected(PERIOD, kpi.Weights()))
    at.slider(key="scorecards_weight_performance").set_value(90).run()
    weights = kpi.Weights.from_dicts({"customer": 25, "performance": 90, "strategic": 25, "process": 25}, {})
    assert trend_points(at) == pytest.approx(expected(PERIOD, weights))


def test_the_ranking_counts_each_managers_kpis_by_status_in_coloured_columns(app_db):
    """On target / close / behind: the number of the row's own KPI cells (behind the column chooser)
    that carry that status, each count in its colour."""
    import json

    from ka import kpi

    at = _run()
    element = at.dataframe[0]
    ranking = element.value
    labels = {"green": "● on target", "yellow": "◐ close", "red": "○ behind"}
    for state, label in labels.items():
        cells = ranking[list(kpi.KPI_NAMES)].apply(lambda row, l=label: sum(str(c).startswith(l) for c in row), axis=1)
        assert ranking[f"kpis_{state}"].astype(int).tolist() == cells.tolist(), state
    assert (ranking[[f"kpis_{s}" for s in labels]].sum(axis=1) > 0).all()
    columns = json.loads(element.proto.columns)
    assert [columns[f"kpis_{s}"]["label"] for s in labels] == ["●", "◐", "○"]
    styles = element.proto.arrow_data.styler.styles  # the Styler's CSS: each count column in its status colour
    order = list(ranking.columns)
    for state, colour in {"green": "#16a34a", "yellow": "#d97706", "red": "#dc2626"}.items():
        rule = next(r for r in styles.split("\n") if r.endswith(f"{{ color: {colour} }}"))
        cell = f"_row0_col{order.index(f'kpis_{state}')}"
        assert f"{cell}," in rule or f"{cell} " in rule, state


@pytest.mark.parametrize("lang, one, many", [
    ("en", "1 KA manager · against the targets of", "8 KA managers · against the targets of"),
    ("zh", "1 位客户经理 · 对照", "8 位客户经理 · 对照"),
])
def test_the_subtitle_counts_the_managers_in_the_right_number(app_db, lang, one, many):
    def subtitle(at):
        return next(c.value for c in at.caption if "·" in c.value and ("targets" in c.value or "目标" in c.value))
    assert many in subtitle(_run(lang))
    alone = subtitle(_run(lang, filter_managers=["陈静"]))
    assert one in alone and "managers" not in alone


def test_the_scopes_actions_are_read_once_for_the_period_and_every_trend_quarter(app_db, monkeypatch):
    import streamlit as st

    from ka import action_plans

    scopes = []
    read = action_plans.read_scope_actions

    def counting(con, scope):
        scopes.append(scope)
        return read(con, scope)

    counting.__qualname__ = read.__qualname__  # a cached call is named by its function
    monkeypatch.setattr(action_plans, "read_scope_actions", counting)
    st.cache_data.clear()
    at = _run()
    assert not at.exception and len(scopes) == 1  # not once per quarter: actions do not depend on the period
    at.slider(key="scorecards_weight_performance").set_value(90).run()
    assert len(scopes) == 1
