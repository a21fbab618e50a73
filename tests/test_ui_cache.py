"""The cache's key: one text that names the database, version, scope, language and call exactly."""

from datetime import date, datetime
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from ka import health, i18n, kpi
from ka.periods import Period
from ka.scope import ALL, Scope
from ka.ui import cache
from ka.ui.cache import key_text


def _values():
    """Pairs of different values that a careless text would confuse."""
    return [
        1, True, 1.0, "1", Decimal("1"), Decimal("1.0"), None, "None", 0.1 + 0.2, 0.3,
        date(2026, 3, 31), datetime(2026, 3, 31), pd.Timestamp("2026-03-31"), "2026-03-31",
        ("a", "b"), ("a,b",), (("a", "b"),), ("a", ("b",)), (), ("",),
        Scope(), Scope(regions=("East",)), Scope(managers=("East",)), Scope(account_ids=()),
        Scope(account_ids=("A1",)), Scope(allowed_managers=()), Scope(allowed_managers=("A1",)),
        Period(date(2026, 1, 1), date(2026, 3, 31), "quarter"), Period(date(2026, 1, 1), date(2026, 3, 31)),
        health.HealthConfig(), health.HealthConfig(red_below=41.0),
        kpi.Weights(), frozenset({"a", "b"}), frozenset({"a"}),
    ]


def test_different_values_have_different_texts_and_equal_values_the_same():
    values = _values()
    texts = [key_text(v) for v in values]
    assert len(set(texts)) == len(values)
    assert key_text(Scope(regions=("East",))) == key_text(Scope(regions=("East",)))
    assert key_text(health.HealthConfig()) == key_text(health.HealthConfig())
    assert key_text(frozenset(["b", "a"])) == key_text(frozenset(["a", "b"]))


@pytest.mark.parametrize("value", [
    pd.DataFrame({"a": [1]}), np.arange(3), {"a": 1}, ["a"], object(), ("ok", {"nested": 1}), np.int64(1),
])
def test_values_whose_text_could_hide_a_difference_cannot_key_the_cache(value):
    with pytest.raises(TypeError):
        key_text(value)


CALLS = []


def counted_reader(con, period):
    CALLS.append(period)
    return len(CALLS)


def test_every_user_scope_data_version_and_language_gets_its_own_entry():
    """The same call under two scopes, versions, databases or languages is two entries: none is
    served another's result."""
    cache.clear_caches()
    CALLS.clear()
    call = cache.loaded(counted_reader, "2026-Q3")
    assert cache.run(None, "a.duckdb", (1,), ALL, call) == 1
    assert cache.run(None, "a.duckdb", (1,), ALL, call) == 1  # the same key: from the cache
    assert cache.run(None, "a.duckdb", (1,), Scope(allowed_managers=("王经理",)), call) == 2
    assert cache.run(None, "a.duckdb", (1,), Scope(allowed_managers=("李经理",)), call) == 3
    assert cache.run(None, "a.duckdb", (2,), ALL, call) == 4
    assert cache.run(None, "b.duckdb", (1,), ALL, call) == 5
    with i18n.use_language("zh" if i18n.get_language() == "en" else "en"):
        assert cache.run(None, "a.duckdb", (1,), ALL, call) == 6
    assert cache.run(None, "a.duckdb", (1,), ALL, cache.loaded(counted_reader, "2026-Q2")) == 7
    assert cache.run(None, "a.duckdb", (1,), Scope(allowed_managers=("王经理",)), call) == 2
    cache.clear_caches()


READ_ONE, READ_MANY = [], []


def read_one_quarter(con, quarter, scale):
    READ_ONE.append(quarter)
    return f"{quarter}×{scale}"


def read_many_quarters(con, quarters, scale):
    READ_MANY.append(tuple(quarters))
    return [f"{quarter}×{scale}" for quarter in quarters]


def test_run_each_reads_the_items_not_cached_together_and_shares_their_entries_with_the_single_reader():
    """A trend's quarters: the first time all in one read, the next period only its new quarter;
    each entry is the single reader's, under the scope that keys it."""
    cache.clear_caches()
    READ_ONE.clear()
    READ_MANY.clear()
    scale = cache.loaded(counted_reader, "scale")  # an argument that is itself a cached call

    def each(items, scope=ALL):
        return cache.run_each(None, "a.duckdb", (1,), scope, read_many_quarters, read_one_quarter, items, scale)

    CALLS.clear()
    assert each(("Q1", "Q2", "Q3")) == ["Q1×1", "Q2×1", "Q3×1"]
    assert READ_MANY == [("Q1", "Q2", "Q3")]
    assert cache.run(None, "a.duckdb", (1,), ALL, cache.loaded(read_one_quarter, "Q3", scale)) == "Q3×1"
    assert READ_ONE == []  # from the entry run_each made
    assert each(("Q2", "Q3", "Q4")) == ["Q2×1", "Q3×1", "Q4×1"]
    assert READ_MANY == [("Q1", "Q2", "Q3"), ("Q4",)]
    assert each(("Q2", "Q3", "Q4")) == ["Q2×1", "Q3×1", "Q4×1"]
    assert len(READ_MANY) == 2  # all cached: nothing read
    assert each(("Q3", "Q4"), Scope(allowed_managers=("王经理",))) == ["Q3×2", "Q4×2"]  # another user: read again
    assert READ_MANY[-1] == ("Q3", "Q4")
    assert READ_ONE == []
    cache.clear_caches()
