"""The process-wide connection and one cached call for every reader the pages use.

`PageContext.load(reader, *args)` runs `reader(con, *args)` and `PageContext.derive(compute, *args)`
runs `compute(*args)`; both go through `_cached_call`, keyed on the database file, its data
version, the user's scope, the language and the call itself. An argument that is itself a
`loaded(...)` or `derived(...)` call is keyed by that description, not by its (large) value, and
resolved through the same cache: a new health configuration re-scores the cached inputs
without hashing or re-reading them.
"""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal
from typing import Any, Callable

import duckdb
import streamlit as st

from ka import db, demo, i18n, store
from ka.scope import Scope

# Entries of the one cache. A page run touches about ten; the cache is least-recently-used.
MAX_ENTRIES = 96
# Frames with a row per account and month end (the health history's inputs, tens of MB on 10 million
# lines) are kept in a small cache of their own, as the objects themselves: st.cache_data would pickle
# them and hand every reader a fresh copy. Nothing may change them; a computation on them returns a
# small result of its own (one account, two month ends, a backtest), which the main cache keeps.
# A scope's history takes three entries (its inputs, their measures, what the backtest reads of its
# rows; about 90 MB on 10 million lines), so this keeps the histories of four scopes.
MAX_LARGE_ENTRIES = 12


@st.cache_resource(show_spinner=False)
def _served(db_path: str) -> store.ServedDatabase:
    """One served database per process; the first start at the default location builds the demo."""
    return store.ServedDatabase(demo.ensure_database(db_path))


def open_database(db_path: str) -> duckdb.DuckDBPyConnection:
    """The current published version for this process: one stat per call, a new connection only
    after an import (from any process) published a new version. The start-up checks run on the
    first call and raise a DataError that says what is wrong and what to do."""
    return _served(db_path).connection()


def data_version(con: duckdb.DuckDBPyConnection) -> tuple:
    """Changes whenever an import, an undo, a saved setting or a target changes what readers see."""
    return tuple(db.query_rows(con, db.load_sql("data_version"))[0]) + (db.state_of(con).revision(),)


@dataclass(frozen=True)
class Call:
    """A reader or computation with its arguments, described so that it can key a cache."""

    function: Callable
    args: tuple
    reads_database: bool  # function(con, *args) when true, function(*args) otherwise
    is_large: bool = False

    def key(self) -> tuple:
        name = f"{self.function.__module__}.{self.function.__qualname__}"
        if "<" in name:  # lambdas and local functions share a name: they would share entries
            raise ValueError(f"cached calls take module-level functions, not {name}")
        return (name, self.reads_database, tuple(a.key() if isinstance(a, Call) else a for a in self.args))


def loaded(reader: Callable, *args, large: bool = False) -> Call:
    """`reader(con, *args)` as the argument of another cached call."""
    return Call(reader, args, reads_database=True, is_large=large)


def derived(compute: Callable, *args, large: bool = False) -> Call:
    """`compute(*args)` as the argument of another cached call."""
    return Call(compute, args, reads_database=False, is_large=large)


def run(con: duckdb.DuckDBPyConnection, db_path: str, version: tuple, scope: Scope, call: Call) -> Any:
    """The value of `call`, from the cache when the same call ran on the same data before.

    `con` is the connection the page run started with, so a run never mixes two versions."""
    cached = _cached_large_call if call.is_large else _cached_call
    return cached(_key(db_path, version, scope, call), _call=call, _con=con, _db_path=db_path, _version=version,
                  _scope=scope)


def _key(db_path: str, version: tuple, scope: Scope, call: Call) -> str:
    return key_text((db_path, version, scope, i18n.get_language(), call.key()))


def run_each(
    con: duckdb.DuckDBPyConnection, db_path: str, version: tuple, scope: Scope,
    read_many: Callable, read_one: Callable, items: tuple, *args,
) -> list:
    """[run(..., loaded(read_one, item, *args)) for item in items], each value that call's entry, but
    the items without an entry are read together: read_many(con, those items, *args) returns their
    values in order (a trend's eight quarters in one statement; the next period finds seven cached)."""
    calls = [loaded(read_one, item, *args) for item in items]
    keys = [_key(db_path, version, scope, call) for call in calls]

    def entry(key: str, call: Call) -> Any:
        return _cached_call(key, _call=call, _con=con, _db_path=db_path, _version=version, _scope=scope)

    values, missing = {}, []
    for index, key in enumerate(keys):
        try:
            values[index] = entry(key, Call(_not_cached, (), reads_database=False))
        except _NotCached:
            missing.append(index)
    if missing:
        read_missing = Call(read_many, ([items[index] for index in missing], *args), reads_database=True)
        for index, value in zip(missing, _evaluate(con, db_path, version, scope, read_missing), strict=True):
            values[index] = entry(keys[index], Call(_given, (value,), reads_database=False))
    return [values[index] for index in range(len(items))]


class _NotCached(Exception):
    """A probe's answer: the entry is not there (a call that raises leaves no entry behind)."""


def _not_cached() -> Any:
    raise _NotCached


def _given(value: Any) -> Any:
    return value


# Streamlit hashes a cached function's arguments value by value, a few ms for a scope with a tier's
# thousands of account ids or a health configuration, on every one of the dozens of calls of a page run.
# One text that names the whole key exactly hashes in microseconds.
_PLAIN = (str, int, float, Decimal, date, time, type(None))  # bool is an int; datetime a date


def key_text(value) -> str:
    """A text naming `value` exactly: equal texts for equal values and different texts for different
    ones, for the immutable values that key the cache (str, numbers, Decimal, dates, None, enums,
    tuples and frozensets of them, frozen dataclasses of them). Anything else is a TypeError: a value
    whose text could hide a difference (a frame, an array, a dict) must not key a cache."""
    if isinstance(value, enum.Enum):
        return f"{type(value).__qualname__}.{value.name}"
    if isinstance(value, _PLAIN):
        return f"{type(value).__name__}:{value!r}"
    if isinstance(value, tuple) and not hasattr(value, "_fields"):
        return "(" + ",".join(key_text(v) for v in value) + ",)"
    if isinstance(value, frozenset):
        return "{" + ",".join(sorted(key_text(v) for v in value)) + "}"
    if dataclasses.is_dataclass(value) and not isinstance(value, type) and type(value).__dataclass_params__.frozen:
        fields = ",".join(key_text(getattr(value, f.name)) for f in dataclasses.fields(value))
        return f"{type(value).__module__}.{type(value).__qualname__}({fields})"
    raise TypeError(f"{type(value).__module__}.{type(value).__qualname__} cannot key a cache")


def _evaluate(con: duckdb.DuckDBPyConnection, db_path: str, version: tuple, scope: Scope, call: Call) -> Any:
    args = [run(con, db_path, version, scope, a) if isinstance(a, Call) else a for a in call.args]
    if call.reads_database:
        return call.function(con, *args)
    return call.function(*args)


# `key` names the database, its version, the scope, the language and the call: the scope and the
# language key the cache even where the call does not use them, so no result computed for one user's
# filters or language can reach another's. The arguments after it are what the key names.
@st.cache_data(show_spinner=False, max_entries=MAX_ENTRIES)
def _cached_call(
    key: str, _call: Call, _con: duckdb.DuckDBPyConnection, _db_path: str, _version: tuple, _scope: Scope
) -> Any:
    return _evaluate(_con, _db_path, _version, _scope, _call)


@st.cache_resource(show_spinner=False, max_entries=MAX_LARGE_ENTRIES)
def _cached_large_call(
    key: str, _call: Call, _con: duckdb.DuckDBPyConnection, _db_path: str, _version: tuple, _scope: Scope
) -> Any:
    return _evaluate(_con, _db_path, _version, _scope, _call)


def clear_caches() -> None:
    """Forget every cached result (after an import; the data version would also tell)."""
    st.cache_data.clear()
    _cached_large_call.clear()
