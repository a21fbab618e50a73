"""The one streamlit-aware package of ka/: page context and sidebar, cached loaders, formatting,
and the error boundary. Pages import `from ka import ui` and use what is listed here.

    context.py     init_page() → PageContext (database, period, scope; ctx.load / ctx.derive); fragment()
    cache.py       the connection and the one cached call behind ctx.load / ctx.derive
    sidebar.py     the shared filters and the language switch, drawn by app.py
    format.py      period labels, account names, dimension values, subtitles with the filters, KPI deltas, colours
    text.py        literal(): a value from the data inside markdown, shown as its characters
    tables.py      tables in one format per kind of figure (show_table, Col)
    links.py       a click on an account opens Account 360 (and its URL a new tab)
    own_data.py    the demo notice and its removal, start clean or beside the demo, the empty state
    errors.py      error_boundary(): a localised title and what to do; details for admins
    pages_mode.py  the private-API workaround for Streamlit's pages-directory mode
    paging.py      whole-portfolio tables a page at a time, pickers with a bounded list, account search
"""

from ka.ui.cache import clear_caches, derived, loaded
from ka.ui.context import (
    SELECTED_ACCOUNT_KEY, TIER_FILTER_KEY, PageContext, fragment, init_page, init_session, select_account,
    selected_account, stop_unless_permitted, tier_base_scope, view_params,
)
from ka.ui.errors import error_boundary
from ka.ui.format import (
    INVERSE_KPIS, account_display_name, colour_label, colour_mark, colour_style, display_value, filters_caption,
    kpi_delta, period_caption, period_label, scope_caption, with_account_labels, with_display_names, with_display_values,
)
from ka.ui.links import account_button, account_query, follow_account_click, open_account, open_from_chart, page_link
from ka.ui.own_data import ask_start_clean, remove_demo, show_empty_state
from ka.ui.sidebar import TRANSLATED_SELECTBOXES, render_sidebar
from ka.ui.paging import bounded_options, page_of, search_box, table_key
from ka.ui.tables import Col, show_table
from ka.ui.text import literal

__all__ = [
    "INVERSE_KPIS", "SELECTED_ACCOUNT_KEY", "TIER_FILTER_KEY", "TRANSLATED_SELECTBOXES", "Col", "PageContext",
    "account_button", "account_display_name", "account_query", "ask_start_clean", "clear_caches", "colour_label",
    "colour_mark", "colour_style", "derived", "display_value", "error_boundary", "filters_caption",
    "follow_account_click", "fragment", "init_page", "init_session", "kpi_delta", "literal", "loaded", "open_account", "open_from_chart",
    "page_link", "period_caption", "period_label", "remove_demo", "render_sidebar", "scope_caption", "select_account",
    "selected_account", "show_empty_state", "show_table", "stop_unless_permitted", "tier_base_scope", "view_params",
    "with_account_labels", "with_display_names", "with_display_values",
    "bounded_options", "page_of", "search_box", "table_key",
]
