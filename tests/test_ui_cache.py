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
