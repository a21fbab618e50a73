"""How the pages name periods, accounts, dimension values, KPI changes and health colours, in the user's language."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ka import charts, demo, health, i18n, overview
from ka.i18n import display_name as account_display_name  # noqa: F401 (one wording for pages and decks)
from ka.i18n import period_label, t  # noqa: F401
from ka.ui.context import TIER_FILTER_KEY
from ka.ui.text import literal

INVERSE_KPIS = overview.INVERSE_KPIS  # a rise is bad news: the delta arrow turns red

# Health colours in markdown (st.metric labels, captions); tables use colour_label + colour_style,
# since emoji fonts are missing on many servers.
COLOUR_MARKS = {"red": ":red[●]", "yellow": ":orange[●]", "green": ":green[●]", health.NO_SCORE: ":gray[○]"}


def display_value(dimension: str, value) -> str:
    """A region, industry, KA manager or category as the UI shows it: the demo's Chinese values
    in English in the English UI, anything else as the data has it, "—" for none."""
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
        return "—"
    if i18n.get_language() == "en":
        return demo.ENGLISH_NAMES.get(dimension, {}).get(value, str(value))
    return str(value)


def with_display_values(frame: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    """A copy with the columns named in `columns` (column → dimension) shown by display_value."""
    out = frame.copy()
    for column, dimension in columns.items():
        out[column] = [display_value(dimension, v) for v in out[column].tolist()]
    return out


def with_display_names(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy with an `account` column in the user's language (cached frames are never mutated)."""
    out = frame.copy()
    # tolist(): iterating a string column element by element costs ≈ 25 ms for 5,000 accounts
    names_en = out["account_name_en"].tolist() if "account_name_en" in out else [None] * len(out)
    out["account"] = [account_display_name(n, e) for n, e in zip(out["account_name"].tolist(), names_en)]
    return out


ACCOUNT_LABELS = {"region": "region", "industry": "industry", "ka_manager": "ka_manager"}


def with_account_labels(frame: pd.DataFrame) -> pd.DataFrame:
    """with_display_names and the region, industry and KA manager by display_value: one call that a page
    can cache on the frame's description (ctx.derive), so a slider does not label every account again."""
    return with_display_values(with_display_names(frame), ACCOUNT_LABELS)


def kpi_delta(name: str, current, base) -> str | None:
    """The text of a KPI's change against `base`: % for amounts and counts, points for shares."""
    change = overview.compute_deltas(current, base)[name]
    if name in ("margin", "top10_share"):
        return i18n.format_delta_points(change)
    return i18n.format_delta_pct(change)


def colour_mark(colour: str) -> str:
    """A coloured dot in markdown for a health colour (a ring when the account has no score)."""
    return COLOUR_MARKS.get(colour, COLOUR_MARKS[health.NO_SCORE])


def colour_label(colour: str) -> str:
    """Plain text for a table cell: '● Red', '○ No score'."""
    return f"{'○' if colour == health.NO_SCORE else '●'} {t(f'health.colour.{colour}')}"


def colour_style(label: str) -> str:
    """The CSS text colour of a colour_label cell (for a small table's Styler)."""
    for colour, hex_colour in charts.HEALTH_COLOURS.items():
        if label == colour_label(colour):
            return f"color: {hex_colour}"
    return ""


def period_caption(ctx) -> str:
    """The period, and which rule chose it when it is the default one (so nobody wonders why Q4)."""
    label = period_label(ctx.period)
    if ctx.period_rule is None or ctx.as_of is None:
        return label
    kind = t(f"period_kind_noun.{ctx.period.kind}")
    return t(f"period.default_{ctx.period_rule}", label=label, kind=kind, date=i18n.format_date(ctx.as_of))


def filters_caption(ctx) -> str:
    """The active filters in words: "Region: East China · Tier: A", or "all accounts"."""
    parts = []
    for dimension, values in (("region", ctx.scope.regions), ("industry", ctx.scope.industries),
                              ("ka_manager", ctx.scope.managers)):
        if values:
            parts.append(t("filters.one", name=t(f"sidebar.{dimension}"),
                           values=t("filters.separator").join(literal(display_value(dimension, v)) for v in values)))
    tiers_chosen = st.session_state.get(TIER_FILTER_KEY) or []
    if tiers_chosen:
        parts.append(t("filters.one", name=t("tiers.sidebar_filter"), values=t("filters.separator").join(tiers_chosen)))
    return " · ".join(parts) if parts else t("filters.none")


def scope_caption(ctx, detail: str | None = None) -> str:
    """Every page's subtitle: the period (and the rule that chose it), the filters, and the page's
    own `detail` (how many accounts it shows, as of when)."""
    return " · ".join(part for part in (period_caption(ctx), filters_caption(ctx), detail) if part)
