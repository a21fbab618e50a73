"""The one streamlit-aware package of ka/: page context and sidebar, cached loaders, formatting,
and the error boundary. Pages import `from ka import ui` and use what is listed here.

    context.py     init_page() → PageContext (database, period, scope; ctx.load / ctx.derive)
    cache.py       the connection and the one cached call behind ctx.load / ctx.derive
    sidebar.py     the shared filters and the language switch, drawn by app.py
    format.py      period labels, account names, KPI deltas, health colour marks
    text.py        literal(): a value from the data inside markdown, shown as its characters
    errors.py      error_boundary(): a localised title and what to do; details for admins
    pages_mode.py  the private-API workaround for Streamlit's pages-directory mode
    paging.py      whole-portfolio tables a page at a time, pickers with a bounded list, account search
"""

from ka.ui.cache import clear_caches, derived, loaded
from ka.ui.context import (
    SELECTED_ACCOUNT_KEY, TIER_FILTER_KEY, PageContext, init_page, init_session, select_account, selected_account,
    show_empty_state, stop_unless_permitted, tier_base_scope,
)
from ka.ui.errors import error_boundary
from ka.ui.format import (
    INVERSE_KPIS, account_display_name, colour_label, colour_mark, colour_style, kpi_delta, period_label,
    with_display_names,
)
from ka.ui.sidebar import TRANSLATED_SELECTBOXES, render_sidebar
from ka.ui.paging import bounded_options, page_of, search_box, table_key
from ka.ui.text import literal

__all__ = [
    "INVERSE_KPIS", "SELECTED_ACCOUNT_KEY", "TIER_FILTER_KEY", "TRANSLATED_SELECTBOXES", "PageContext",
    "account_display_name", "clear_caches", "colour_label", "colour_mark", "colour_style", "derived",
    "error_boundary", "init_page", "init_session", "kpi_delta", "literal", "loaded", "period_label", "render_sidebar", "select_account",
    "selected_account", "show_empty_state", "stop_unless_permitted", "tier_base_scope", "with_display_names",
    "bounded_options", "page_of", "search_box", "table_key",
]
