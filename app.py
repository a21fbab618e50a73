"""KA Radar entry point: page config, navigation over pages/, the shared sidebar. Nothing else."""

import streamlit as st

from ka import ui
from ka.i18n import t

st.set_page_config(page_title="KA Radar", page_icon="ka/assets/icon.png", layout="wide")  # local file: works offline

ui.init_session()  # language and navigation need no database, so they stay when it cannot be opened
pages = {
    t("nav.section_analysis"): [
        st.Page("pages/overview.py", title=t("nav.overview"), icon=":material/dashboard:", default=True),
        st.Page("pages/account.py", title=t("account.nav"), icon=":material/person_search:"),
        st.Page("pages/tiers.py", title=t("tiers.title"), icon=":material/stacked_bar_chart:"),
        st.Page("pages/health.py", title=t("health.title"), icon=":material/traffic:"),
        st.Page("pages/whatif.py", title=t("whatif.title"), icon=":material/balance:"),
        st.Page("pages/scorecards.py", title=t("scorecards.title"), icon=":material/scoreboard:"),
        st.Page("pages/qbr.py", title=t("qbr.present.nav"), icon=":material/co_present:"),
    ],
    t("nav.section_data"): [
        st.Page("pages/data_import.py", title=t("data_import.title"), icon=":material/upload_file:"),
    ],
}
navigation = st.navigation(pages)
with ui.error_boundary():  # every page runs inside: a failure shows a title and what to do, never a traceback
    context = ui.init_page()
    ui.follow_account_click()  # an account clicked in the last run opens Account 360
    ui.render_sidebar(context)
    navigation.run()
