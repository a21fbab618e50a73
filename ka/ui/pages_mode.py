"""A workaround for Streamlit's old pages-directory mode, kept apart because it uses a private API.

Streamlit treats a folder named pages/ beside the entry script as an old-style multipage app
until st.navigation has run once in the process. When the server's first request is a page's
URL (/tiers), Streamlit would run pages/tiers.py on its own, without app.py's sidebar and
layout. Switching the flag off and rerunning hands the request to app.py's navigation.
The flag is `streamlit.runtime.pages_manager.PagesManager.uses_pages_directory` (Streamlit
1.67); if an upgrade removes it, this does nothing and the first request may show a bare page.
"""

from __future__ import annotations

import streamlit as st


def leave_pages_directory_mode() -> None:
    try:
        from streamlit.runtime.pages_manager import PagesManager
    except ImportError:
        return
    if getattr(PagesManager, "uses_pages_directory", False):
        PagesManager.uses_pages_directory = False
        st.rerun()
