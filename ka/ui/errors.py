"""The one error boundary: whatever goes wrong on a page, the user reads a title and what to do.

A DataError carries its message key; a DuckDB error is classified (file in use, not a database,
failed query); anything else is "something went wrong". The technical text and the traceback go
to the server log and into an expander for admins, never into the page itself.
"""

from __future__ import annotations

import copy
import logging
import traceback
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import duckdb
import streamlit as st

from ka.db import DataError, as_data_error
from ka.i18n import t
from ka.ui.auth import shows_error_details
from ka.ui.text import literal

log = logging.getLogger("ka")


def as_user_error(error: Exception) -> DataError:
    if isinstance(error, DataError):
        return error
    if isinstance(error, duckdb.Error):
        return as_data_error(error)
    return DataError("unexpected", detail=f"{type(error).__name__}: {error}")


@contextmanager
def error_boundary() -> Iterator[None]:
    """Run a page inside; st.stop and st.rerun pass through (they are not Exceptions)."""
    try:
        yield
    except Exception as error:  # the boundary: nothing reaches the user as a traceback
        log.exception("page failed")
        show_error(as_user_error(error), traceback.format_exc())


def show_error(error: DataError, details: str = "") -> None:
    admin = shows_error_details()
    shown = copy.copy(error)  # the values may come from the data or the URL: shown as text
    shown.values = {name: literal(value if admin or name != "path" else Path(str(value)).name)  # no paths but to admins
                    for name, value in error.values.items()}
    st.error(shown.title(), icon=":material/error:")
    st.caption(shown.action())
    if admin:  # the technical text and traceback (paths, code) for admins only; always in the server log
        with st.expander(t("errors.details_for_admins"), icon=":material/admin_panel_settings:"):
            st.code("\n\n".join(part for part in (error.detail, details) if part), language=None)
