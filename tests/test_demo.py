"""The demo portfolio: deterministic, realistic in shape, and carrying the planted stories."""

from decimal import Decimal

import pytest

from ka_testing import SMALL_DEMO
from ka import db, demo

FINGERPRINT_SQL = """
    select count(*), sum(revenue), sum(cost), count(distinct account_id), min(order_date), max(order_date),
           sum(hash(txn_key, order_id, order_date, account_id, revenue)) % 1000000007
    from transactions
"""


def test_same_seed_same_database(tmp_path, demo_con):
    again = db.connect(tmp_path / "again.duckdb")
    demo.build_demo(again, SMALL_DEMO)
    assert again.execute(FINGERPRINT_SQL).fetchall() == demo_con.execute(FINGERPRINT_SQL).fetchall()
    for table in ("accounts", "visits", "tickets", "surveys", "targets", "demo_stories", "account_month"):
        sql = db.with_identifiers("select count(*), sum(hash(columns(*))) from {table}", table=table)
        assert again.execute(sql).fetchall() == demo_con.execute(sql).fetchall(), table


def test_other_seed_other_data(tmp_path, demo_con):
    other = db.connect(tmp_path / "other.duckdb")
    demo.build_demo(other, demo.DemoSpec(accounts=60, rows=20_000, seed=8))
    assert other.execute(FINGERPRINT_SQL).fetchall() != demo_con.execute(FINGERPRINT_SQL).fetchall()


def test_shape_of_the_portfolio(demo_con):
    q = lambda sql: demo_con.execute(sql).fetchall()
    assert q("select count(distinct industry) from accounts")[0][0] >= 6
    assert q("select count(distinct region) from accounts")[0][0] == 4
    assert q("select count(distinct ka_manager) from accounts")[0][0] == 8
    first, last = q("select min(order_date), max(order_date) from transactions")[0]
    assert (last - first).days > 3 * 365 - 40
    # heavy tail: the top 20 % of accounts carry most of the revenue
    share = q("""
        with r as (select account_id, sum(revenue) v from transactions group by 1),
        ranked as (select v, row_number() over (order by v desc) n, count(*) over () c from r)
        select sum(v) filter (where n <= c * 0.2) / sum(v) from ranked""")[0][0]
    assert share > 0.6
    assert q("select count(*) from transactions where revenue < 0")[0][0] > 0  # returns
    margins = q("""select category, (sum(revenue) - sum(cost)) / sum(revenue) from transactions group by 1""")
    assert max(m for _, m in margins) - min(m for _, m in margins) > 0.3
    for table in ("visits", "tickets", "surveys", "targets", "strategic_projects"):
        assert q(db.with_identifiers("select count(*) from {table}", table=table))[0][0] > 0, table
    assert q("select count(*) from accounts where account_name_en is not null")[0][0] == 60


def test_money_is_exact_and_pre_aggregate_in_step(demo_con):
    total = demo_con.execute("select sum(revenue) from transactions").fetchall()[0][0]
    assert isinstance(total, Decimal)
    assert demo_con.execute("select sum(revenue) from account_month").fetchall()[0][0] == total
    assert demo_con.execute("select sum(lines) from account_month").fetchall()[0][0] == \
        demo_con.execute("select count(*) from transactions").fetchall()[0][0]


@pytest.mark.parametrize("story", ["decline_churn", "ramp_up", "new_account", "complaints_rising", "industry_concentration"])
def test_stories_are_planted(demo_con, story):
    assert demo_con.execute("select count(*) from demo_stories where story = ?", [story]).fetchall()[0][0] >= 1


def test_the_declining_account_stops_ordering(demo_con):
    rows = demo_con.execute("""
        select s.account_id, s.start_date, max(t.order_date) as last_order,
               sum(t.revenue) filter (where t.order_date < s.start_date and t.order_date >= s.start_date - interval 6 month) as before,
               sum(t.revenue) filter (where t.order_date >= s.start_date + interval 3 month) as late
        from demo_stories s join transactions t using (account_id)
        where s.story = 'decline_churn' group by all""").fetchall()
    assert rows
    for account_id, start, last_order, before, late in rows:
        assert last_order < demo.DEMO_END.replace(day=1), account_id
        assert (late or 0) < before * Decimal("0.5"), account_id


def test_the_app_builds_the_demo_only_at_the_default_location(tmp_path, monkeypatch):
    default = tmp_path / "data" / "ka_radar.duckdb"
    monkeypatch.setattr(db, "DEFAULT_DB_PATH", default)
    assert demo.ensure_database(default, SMALL_DEMO) == default
    con = db.open(default)
    assert demo.is_demo(con)
    rows = con.execute("select count(*) from transactions").fetchall()[0][0]
    con.close()
    demo.ensure_database(default, SMALL_DEMO)  # second start: nothing added
    con = db.open(default)
    assert con.execute("select count(*) from transactions").fetchall()[0][0] == rows
    con.close()
    with pytest.raises(db.DataError):
        demo.build_demo_file(default, SMALL_DEMO)


def test_a_mistyped_path_gets_no_demo_and_no_folder(tmp_path):
    mistyped = tmp_path / "dta" / "ka_radar.duckdb"
    assert demo.ensure_database(mistyped, SMALL_DEMO) == mistyped
    with pytest.raises(db.DataError) as raised:
        db.open(mistyped)
    assert raised.value.key == "database_missing"
    assert not mistyped.parent.exists()