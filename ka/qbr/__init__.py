"""Quarterly business reviews: one deck model, rendered as a presentation, a PPTX and a PDF.

    request = make_request(con, "account", account_id="KA00001", period="2026-Q3", audience="customer")
    deck = build_deck(con, request)        # slides as data (ka/qbr/model.py)
    render_pptx(deck) / render_pdf(deck)   # bytes
"""

from ka.qbr.deck import build_deck
from ka.qbr.model import AUDIENCES, KINDS, Deck
from ka.qbr.request import Request, RequestError, make_request, parse_period, period_text

__all__ = ["AUDIENCES", "KINDS", "Deck", "Request", "RequestError", "build_deck", "make_request", "parse_period",
           "period_text"]
