"""Words and numbers of a deck, in the deck's language (set by the caller with i18n.use_language)."""

from __future__ import annotations

import math

from ka import i18n
from ka.i18n import display_name, format_amount, format_number, format_pct, period_label, t  # noqa: F401 (the decks' words)


def is_missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def pct_change(value) -> str | None:
    """A relative change as text ("+5.2%"), None without a base."""
    return None if is_missing(value) else i18n.format_delta_pct(value)


def points_change(value) -> str | None:
    return None if is_missing(value) else i18n.format_delta_points(value)


def change_against(change: str | None, label: str) -> str:
    """"+5.2% vs 2025 Q3", or "— vs 2025 Q3" when there is nothing to compare with."""
    return t("qbr.change_vs", change=change or "—", label=label)


def tone_of(value, inverse: bool = False) -> str:
    if is_missing(value) or value == 0:
        return "neutral"
    return "good" if (value > 0) != inverse else "bad"


def amount(value) -> str:
    return format_amount(None if is_missing(value) else value)


def number(value, digits: int = 0) -> str:
    return format_number(None if is_missing(value) else value, digits)


def pct(value, digits: int = 1) -> str:
    return format_pct(None if is_missing(value) else value, digits)


def value_in_unit(unit: str, value) -> str:
    """A KPI value in its unit: percent, money, days or a plain number."""
    if unit == "pct":
        return pct(value)
    if unit == "amount":
        return amount(value)
    return number(value, 1)


def definitions_text(keys) -> str:
    """Speaker notes: each figure's definition on its own line."""
    return "\n".join(definition_line(key) for key in dict.fromkeys(keys))


def definition_line(key: str) -> str:
    return t("qbr.definition_line", term=t(f"qbr.term.{key}"), definition=t(f"qbr.definition.{key}"))


def excel_number_format(unit: str, top: float) -> tuple[float, str]:
    """(divisor, number format) of a native chart's values: K/M/B in English by the format's
    thousands scaling (the data stay in yuan); in Chinese the data are stored in 万 (yuan ÷ 10,000),
    since no number format scales by ten thousand in every viewer."""
    if unit == "pct":
        return 1.0, "0%"
    if unit != "amount":
        return 1.0, "#,##0"
    if i18n.get_language() == "zh":
        if top >= 1e6:
            return 1e4, '#,##0"万"'
        return (1e4, '#,##0.0"万"') if top >= 1e4 else (1.0, "#,##0")
    for base, commas, suffix in ((1e9, ",,,", "B"), (1e6, ",,", "M"), (1e3, ",", "K")):
        if top >= base:
            return 1.0, (f'#,##0.0{commas}"{suffix}"' if base > 1e3 else f'#,##0{commas}"{suffix}"')
    return 1.0, "#,##0"


def axis_ticks(unit: str, low: float, high: float) -> list[tuple[float, str]]:
    """Round ticks from min(0, low) to above `high`, labelled like the app's charts."""
    from ka.charts import _nice_step, _tick_label

    top = max(abs(high), abs(low), 1e-9)
    step = _nice_step(top)
    first = -step * math.ceil(-min(0.0, low) / step) if low < 0 else 0.0
    ticks, value = [], first
    while value < high + step * 0.999:
        ticks.append(value)
        value += step
    if len(ticks) < 2:
        ticks.append(first + step)

    def label(v: float) -> str:
        if unit == "pct":
            return format_pct(v, 0)
        if unit == "amount":
            return _tick_label(v) if v else "0"
        return format_number(v)

    return [(v, label(v)) for v in ticks]
