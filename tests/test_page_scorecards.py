"""AppTest of the scorecard page: ranking, weights change the ranking, a saved target changes attainment."""

from __future__ import annotations

import shutil

import pytest
from streamlit.testing.v1 import AppTest

from ka_testing import ROOT
from ka import db, kpi
from ka.periods import quarter_period
from ka.scope import Scope

PAGE = str(ROOT / "pages" / "scorecards.py")
PERIOD = quarter_period(2026, 3)  # the demo's latest complete quarter (data to 2026-10-31)


@pytest.fixture
def writable_app_db(demo_db_path, tmp_path, monkeypatch):
    """A copy of the small demo: the page writes targets."""
    path = tmp_path / "scorecards.duckdb"
    shutil.copy(demo_db_path, path)
    monkeypatch.setenv("KA_RADAR_DB", str(path))
    return path


def _run(lang: str = "en", **state) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.session_state["lang"] = lang
    for key, value in state.items():
        at.session_state[key] = value
    return at.run()


def _tables(at: AppTest) -> list:
    """The page's tables in order: ranking, (drill-down accounts,) KPI detail."""
    return [frame.value for frame in at.dataframe]


def _ranking(at: AppTest) -> list[str]:
    frame = _tables(at)[0]
    return list(frame.sort_values("rank")["name"])


def _expected_ranking(path, weights: kpi.Weights) -> list[str]:
    con = db.connect(path)
    try:
        return list(kpi.read_scorecards(con, PERIOD, Scope(), "manager", weights).composite["group_id"])
    finally:
        con.close()


@pytest.mark.parametrize("lang, title, status_word", [("en", "KPI scorecards", "behind"), ("zh", "KPI 记分卡", "落后")])
def test_managers_ranked_in_both_languages(app_db, lang, title, status_word):
    at = _run(lang)
    assert not at.exception
    assert at.title[0].value == title
    frame = _tables(at)[0]
    expected = kpi.read_scorecards(db.connect(app_db), PERIOD, Scope(), "manager").composite
    assert list(frame["name"]) == list(expected["group_id"])
    assert frame["composite"].tolist() == pytest.approx(expected["composite"].tolist())
    assert frame["rank"].tolist() == list(range(1, len(expected) + 1))
    assert any(status_word in cell for cell in frame["visits_per_month"])


def test_changing_a_weight_changes_the_ranking(app_db):
    at = _run()
    before = _ranking(at)
    assert before == _expected_ranking(app_db, kpi.Weights())
    at.slider(key="scorecards_weight_performance").set_value(0).run()
    after = _ranking(at)
    no_performance = kpi.Weights.from_dicts({"customer": 25, "performance": 0, "strategic": 25, "process": 25}, {})
    assert after == _expected_ranking(app_db, no_performance)
    assert after != before
    assert "0%" in at.caption[1].value or any("0%" in c.value for c in at.caption)


def test_editing_a_target_changes_attainment(writable_app_db):
    at = _run()
    manager = at.selectbox(key="scorecards_detail").value
    detail = _tables(at)[-1].set_index("KPI")
    revenue_text = detail.loc["Revenue", "Attainment"]
    con = db.connect(writable_app_db)
    revenue = float(kpi.read_scorecards(con, PERIOD, Scope(), "manager").values.set_index("group_id").loc[manager, "revenue"])
    con.close()
    at.selectbox(key="scorecards_target_who").set_value(manager)
    at.selectbox(key="scorecards_target_kpi").set_value("revenue")
    at.number_input(key="scorecards_target_value").set_value(round(revenue / 2, 2))
    at.button(key="scorecards_target_save").click().run()
    assert not at.exception
    detail = _tables(at)[-1].set_index("KPI")
    assert detail.loc["Revenue", "Attainment"] == f"{revenue / round(revenue / 2, 2) * 100:.1f}%"
    assert detail.loc["Revenue", "Attainment"] != revenue_text
    assert detail.loc["Revenue", "Status"] == "● on target"
    assert detail.loc["Revenue", "Target from"] == "own target"


def test_drill_into_a_manager_lists_their_accounts(app_db):
    at = _run("zh")
    manager = _tables(at)[0]["name"].iloc[0]
    at.selectbox(key="scorecards_manager").set_value(manager).run()
    assert not at.exception
    accounts = _tables(at)[1]
    con = db.connect(app_db)
    expected = kpi.read_scorecards(con, PERIOD, Scope(managers=(manager,)), "account").composite
    con.close()
    assert len(accounts) == len(expected) > 0
    assert any(manager in s.value for s in at.subheader)
