"""KA Radar entry point: page config, navigation over pages/, the shared sidebar. Nothing else."""

import streamlit as st

from ka import ui
from ka.i18n import t

st.set_page_config(page_title="KA Radar", page_icon=":material/radar:", layout="wide")

context = ui.init_page()
pages = {
    t("nav.section_analysis"): [
        st.Page("pages/overview.py", title=t("nav.overview"), icon=":material/dashboard:", default=True),
    ],
}
navigation = st.navigation(pages)
ui.render_sidebar(context)
navigation.run()
