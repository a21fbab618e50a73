"""QBR — prepare a business review and present it on the meeting-room screen, one slide per screen.

The review is addressable by URL (?kind=account&account=KA00001&period=2026-Q3&audience=customer&lang=zh&slide=2),
so a set of reviews can be prepared as links. In the customer audience the page shows the slides and
nothing else: no picker, no list that would name another customer.
"""

import streamlit as st

from ka import account, i18n, overview, qbr, ui
from ka.cli_qbr import render
from ka.i18n import t
from ka.periods import default_period, period_options
from ka.qbr.fonts import find_cjk_font
from ka.qbr.html_render import slide_html

PARAMS = ("kind", "account", "manager", "period", "audience", "lang", "slide")

params = {name: st.query_params.get(name) for name in PARAMS}
ctx = ui.init_page()  # applies ?lang=…
language = i18n.get_language()
presenting = bool(params["kind"])


def read_request() -> qbr.Request:
    """The review the URL asks for, checked against the data (RequestError in the user's language)."""
    return qbr.make_request(
        ctx.con, params["kind"], account_id=params["account"], manager=params["manager"], period=params["period"],
        audience=params["audience"] or "internal", language=language,
        scope=ctx.scope,  # a portfolio review follows the sidebar's filters; every review, the user's access
    )


def export_detail(request: qbr.Request, fmt: str) -> dict:
    return {"review": request.kind, "account": request.account_id, "manager": request.manager,
            "period": qbr.period_text(request.period), "audience": request.audience, "format": fmt}


def present(request: qbr.Request) -> None:
    """Sidebar and toolbar hidden; the slide fills the screen; ←/→ and PageUp/PageDown move."""
    deck = ctx.load(qbr.build_deck, request)
    count = len(deck.slides)
    try:
        index = min(max(int(params["slide"] or 1), 1), count) - 1
    except ValueError:
        index = 0
    st.html(PRESENTATION_STYLE)
    st.html(slide_html(deck, index))

    def go(to: int) -> None:
        st.query_params["slide"] = str(min(max(to, 1), count))

    controls = st.container(horizontal=True, vertical_alignment="center", key="qbr_controls")
    controls.button(t("qbr.present.previous"), key="qbr_previous", on_click=go, args=(index,), shortcut="Left",
                    icon=":material/chevron_left:", disabled=index == 0)
    controls.markdown(t("qbr.present.position", number=index + 1, count=count))
    controls.button(t("qbr.present.next"), key="qbr_next", on_click=go, args=(index + 2,), shortcut="Right",
                    icon=":material/chevron_right:", disabled=index == count - 1)
    hidden = st.container(key="qbr_page_keys")  # PageUp / PageDown, as presentation clickers send them
    hidden.button("PageUp", key="qbr_page_up", on_click=go, args=(index,), shortcut="PageUp")
    hidden.button("PageDown", key="qbr_page_down", on_click=go, args=(index + 2,), shortcut="PageDown")
    controls.download_button(
        t("qbr.present.download_pptx"), lambda: render(deck, "pptx"), file_name=f"{deck.file_stem}.pptx",
        mime="application/vnd.openxmlformats-officedocument.presentationml.presentation", key="qbr_download_pptx",
        icon=":material/slideshow:", on_click=ctx.audit, args=("qbr_export",), kwargs=export_detail(request, "pptx"),
    )
    try:
        find_cjk_font()
        controls.download_button(t("qbr.present.download_pdf"), lambda: render(deck, "pdf"),
                                 file_name=f"{deck.file_stem}.pdf", mime="application/pdf", key="qbr_download_pdf",
                                 icon=":material/picture_as_pdf:", on_click=ctx.audit, args=("qbr_export",),
                                 kwargs=export_detail(request, "pdf"))
    except qbr.RequestError as missing:
        controls.caption(ui.literal(missing.message()))
    if request.audience == "internal":
        controls.button(t("qbr.present.exit"), key="qbr_exit", on_click=st.query_params.clear, icon=":material/close:")


PRESENTATION_STYLE = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"],
[data-testid="stToolbar"], [data-testid="stDecoration"] { display: none !important; }
[data-testid="stMainBlockContainer"] { padding: 8px 16px 0 16px !important; max-width: none !important; }
[data-testid="stMain"] .qbr-slide { width: min(100%, calc((100vh - 76px) * 16 / 9)); }
.st-key-qbr_controls { justify-content: center; min-height: 52px; }
.st-key-qbr_page_keys { position: absolute; width: 0; height: 0; overflow: hidden; opacity: 0; }
@media print { .st-key-qbr_controls { display: none !important; } }
</style>
"""


def prepare() -> None:
    """The director's choices (internal view only): kind, account or manager, period, audience."""
    st.title(t("qbr.present.title"))
    st.caption(t("qbr.present.intro"))
    kinds = {kind: t(f"qbr.present.kind_{kind}") for kind in qbr.KINDS}
    kind = st.segmented_control(t("qbr.present.kind"), list(kinds), format_func=kinds.get, key="qbr_kind",
                                default="account") or "account"
    chosen = {"kind": kind}
    if kind == "account":
        options = ctx.load(account.read_account_options, ctx.period, ctx.scope)
        names = dict(zip(options["account_id"], ui.with_display_names(options)["account"]))
        if not names:
            st.info(t("account.no_accounts"))
            return
        chosen["account"] = st.selectbox(t("qbr.present.account"), list(names), key="qbr_account",
                                         format_func=lambda a: f"{names[a]} ({a})")
        audiences = {a: t(f"qbr.present.audience_{a}") for a in qbr.AUDIENCES}
        chosen["audience"] = st.segmented_control(t("qbr.present.audience"), list(audiences), default="customer",
                                                  format_func=audiences.get, key="qbr_audience") or "customer"
    elif kind == "manager":
        managers = [m for m in ctx.load(overview.read_filter_options)["ka_manager"]
                    if ctx.scope.allowed_managers is None or m in ctx.scope.allowed_managers]
        chosen["manager"] = st.selectbox(t("qbr.present.manager"), managers, key="qbr_manager")
    else:
        st.caption(t("qbr.present.portfolio_filters", filters=ui.literal(qbr_filters())))
    periods = [qbr.period_text(p) for kind_ in ("quarter", "year")
               for p in period_options(kind_, ctx.first_day, ctx.as_of)]
    labels = {text: ui.period_label(qbr.parse_period(text)) for text in periods}
    st.session_state.setdefault("sel_qbr_period", qbr.period_text(default_period("quarter", ctx.as_of)))
    chosen["period"] = st.selectbox(t("qbr.present.period"), periods, format_func=labels.get, key="sel_qbr_period")
    chosen["lang"] = language
    if st.button(t("qbr.present.start"), type="primary", icon=":material/co_present:", key="qbr_start"):
        st.query_params.from_dict({**chosen, "slide": "1"})
        st.rerun()


def qbr_filters() -> str:
    from ka.qbr.review_deck import filters_text

    with i18n.use_language(language):
        return filters_text(qbr.Request("portfolio", ctx.period, scope=ctx.scope))


if not ctx.has_data:
    ui.show_empty_state()
    st.stop()
if presenting:
    try:
        present(read_request())
    except qbr.RequestError as refused:
        st.error(ui.literal(refused.message()), icon=":material/error:")
        if params["audience"] != "customer":
            prepare()
else:
    prepare()
