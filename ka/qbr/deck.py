"""Build a review deck: the kind's slide list, minus internal slides for the customer audience,
each slide given its speaker notes, and the appendix defining every figure shown."""

from __future__ import annotations

import re

import duckdb

from ka import i18n
from ka.i18n import t
from ka.qbr import account_deck, review_deck
from ka.qbr.model import Deck
from ka.qbr.request import Request, data_range, period_text
from ka.qbr.slides import appendix_slide, with_notes
from ka.qbr.text import period_label


def build_deck(con: duckdb.DuckDBPyConnection, request: Request) -> Deck:
    with i18n.use_language(request.language):
        as_of = data_range(con)[1]
        if request.kind == "account":
            facts = account_deck.AccountFacts(con, request, as_of)
            specs, context = account_deck.ACCOUNT_SLIDES, account_deck.context_line(facts)
            title = t("qbr.deck_title.account", name=facts.name, period=period_label(request.period))
            subject = request.account_id
        else:
            facts = review_deck.ReviewFacts(con, request, as_of)
            specs, context = review_deck.REVIEW_SLIDES, review_deck.context_line(facts)
            title = t(f"qbr.deck_title.{request.kind}", name=facts.title, period=period_label(request.period))
            subject = request.manager if request.kind == "manager" else "portfolio"
        slides = [with_notes(spec.build(facts)) for spec in specs if not (spec.internal and request.is_customer)]
        slides.append(appendix_slide(slides, f"{as_of:%Y-%m-%d}"))
        return Deck(request.kind, request.audience, request.language, title, context,
                    file_stem(request, subject), tuple(slides))


def file_stem(request: Request, subject: str) -> str:
    """qbr_KA00001_2026-Q3_customer_zh: letters, digits, CJK, dot, dash and underscore only."""
    safe = re.sub(r"[^\w.-]+", "-", subject or "").strip("-") or "review"
    return f"qbr_{safe}_{period_text(request.period)}_{request.audience}_{request.language}"
