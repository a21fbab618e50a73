"""Every user-visible string, and number formats: 万/亿 in Chinese, K/M/B in English.

Catalogs live in ka/locales/<lang>/<screen>.toml; nested tables flatten to dotted keys
(`[overview] title = ...` is `overview.title`). The language is per script run (a ContextVar),
because Streamlit serves several sessions from one process.
"""

from __future__ import annotations

import os
import tomllib
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal
from functools import cache
from pathlib import Path

LANGUAGES = ("zh", "en")
LANGUAGE_NAMES = {"zh": "中文", "en": "English"}
DEFAULT_LANGUAGE = "en"
LOCALES_DIR = Path(__file__).resolve().parent / "locales"

_language: ContextVar[str] = ContextVar("ka_language", default=DEFAULT_LANGUAGE)


def _flatten(table: dict, prefix: str = "") -> dict[str, str]:
    flat = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, name + "."))
        else:
            flat[name] = str(value)
    return flat


@cache
def catalog(language: str) -> dict[str, str]:
    merged: dict[str, str] = {}
    for path in sorted((LOCALES_DIR / language).glob("*.toml")):
        with path.open("rb") as handle:
            entries = _flatten(tomllib.load(handle))
        duplicated = merged.keys() & entries.keys()
        if duplicated:
            raise ValueError(f"{path.name} repeats keys {sorted(duplicated)[:3]}")
        merged.update(entries)
    return merged


def language_from_locale(browser_locale: str | None) -> str:
    """'zh-CN', 'zh-TW', 'zh' → zh; anything else (or nothing) → English."""
    return "zh" if (browser_locale or "").lower().startswith("zh") else DEFAULT_LANGUAGE


def set_language(language: str) -> None:
    _language.set(language if language in LANGUAGES else DEFAULT_LANGUAGE)


def get_language() -> str:
    return _language.get()


@contextmanager
def use_language(language: str):
    """Text in `language` inside the block (a deck or an export in another language than the page's)."""
    token = _language.set(language if language in LANGUAGES else DEFAULT_LANGUAGE)
    try:
        yield
    finally:
        _language.reset(token)


class MissingTranslation(KeyError):
    """A key that is missing from the current language's catalog (raised only in strict mode)."""


def is_strict() -> bool:
    """Tests set KA_RADAR_STRICT_I18N=1, so a missing key fails instead of showing the raw key."""
    return os.environ.get("KA_RADAR_STRICT_I18N") == "1"


def t(key: str, **values) -> str:
    """The text for `key` in the current language, with {placeholders} filled.

    A key missing from the catalog shows the English text, or the key itself, rather than break
    a page in front of a customer; in strict mode (the tests) it raises MissingTranslation.
    """
    text = catalog(get_language()).get(key)
    if text is None:
        if is_strict():
            raise MissingTranslation(f"{key!r} is missing from the {get_language()} catalog")
        text = catalog(DEFAULT_LANGUAGE).get(key, key)
    return text.format(**values) if values else text


def has_key(key: str) -> bool:
    return key in catalog(get_language())


# --- numbers ------------------------------------------------------------------------------
def _as_float(value) -> float | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return float(value)
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if number != number else number  # NaN


def format_amount(value, language: str | None = None, digits: int | None = None) -> str:
    """Money and other large amounts: 1.23亿 / 45.6万 in Chinese, 1.23M / 45.6K in English.

    Without `digits`, about four significant figures (12.35万, 108.4万, 7,428万), so tiles stay narrow;
    tables that must add up use format_exact.
    """
    number = _as_float(value)
    if number is None:
        return "—"
    language = language or get_language()
    sign = "-" if number < 0 else ""
    size = abs(number)
    if language == "zh":
        steps = ((1e8, "亿"), (1e4, "万"))
    else:
        steps = ((1e9, "B"), (1e6, "M"), (1e3, "K"))
    for base, suffix in steps:
        if size >= base:
            scaled = size / base
            places = digits if digits is not None else (2 if scaled < 100 else 1 if scaled < 1000 else 0)
            return f"{sign}{scaled:,.{places}f}{suffix}"
    return f"{sign}{size:,.0f}"


def amount_unit(largest, language: str | None = None) -> tuple[float, str, int]:
    """(divisor, suffix, decimals) for a table column of amounts whose largest absolute value is
    `largest`: the unit and precision format_amount gives that value, so a column reads like the
    tiles (its largest cell is the tile's text) and still sorts as numbers. Chinese tables stay in
    万 up to 1万亿, the way Chinese reports are read; yuan below 1万."""
    size = abs(_as_float(largest) or 0.0)
    language = language or get_language()
    if language == "zh":
        steps = ((1e4, "万"),)
    else:
        steps = ((1e9, "B"), (1e6, "M"), (1e3, "K"))
    for base, suffix in steps:
        if size >= base:
            scaled = size / base
            return base, suffix, 2 if scaled < 100 else 1 if scaled < 1000 else 0
    return 1.0, "", 0


def format_exact(value) -> str:
    """Full precision with thousands separators, for tables and tooltips that must add up."""
    number = value if isinstance(value, Decimal) else _as_float(value)
    if number is None:
        return "—"
    return f"{number:,.2f}"


def format_int(value) -> str:
    number = _as_float(value)
    return "—" if number is None else f"{number:,.0f}"


def format_pct(value, digits: int = 1) -> str:
    """`value` is a fraction (0.253 → 25.3%)."""
    number = _as_float(value)
    return "—" if number is None else f"{number * 100:.{digits}f}%"


def format_number(value, digits: int = 0) -> str:
    number = _as_float(value)
    return "—" if number is None else f"{number:,.{digits}f}"


# --- dates: ISO days in both languages; months in words on chart axes --------------------------
MONTH_NAMES_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def format_date(value) -> str:
    """A day as the app writes it in both languages: 2019-12-30 (— when there is none)."""
    if value is None or value != value:  # None, NaT
        return "—"
    return f"{value:%Y-%m-%d}"


def format_month(value, language: str | None = None) -> str:
    """A calendar month: 2019年12月 in Chinese, Dec 2019 in English."""
    if (language or get_language()) == "zh":
        return f"{value.year}年{value.month}月"
    return f"{MONTH_NAMES_EN[value.month - 1]} {value.year}"


def month_tickformat(language: str | None = None) -> str:
    """The d3 time format of a monthly chart axis, matching format_month."""
    return "%Y年%-m月" if (language or get_language()) == "zh" else "%b %Y"


def month_of_year_labels(language: str | None = None) -> list[str]:
    if (language or get_language()) == "zh":
        return [f"{m}月" for m in range(1, 13)]
    return list(MONTH_NAMES_EN)


def format_delta_pct(value, digits: int = 1) -> str | None:
    """Signed relative change for st.metric deltas; None when there is nothing to compare."""
    number = _as_float(value)
    return None if number is None else f"{number * 100:+.{digits}f}%"


def format_delta_points(value, digits: int = 1) -> str | None:
    """Signed change of a share, in percentage points."""
    number = _as_float(value)
    return None if number is None else t("common.delta_pp", value=f"{number * 100:+.{digits}f}")


# --- a value by its unit (KPI tables, what-if results) ----------------------------------------
UNITS = {
    "amount": format_amount,                          # money: 万/亿 or K/M
    "pct": format_pct,                                # a fraction shown in %; its change in points
    "count": format_int,
    "number": lambda value: format_number(value, 1),  # NPS, visits per month, projects
    "days": lambda value: format_number(value, 1),
    "index": format_number,                           # HHI points, whole numbers
}


def format_by_unit(unit: str, value) -> str:
    return "—" if value is None else UNITS[unit](value)


def format_change_by_unit(unit: str, value) -> str:
    """A signed change in the value's unit: +1.2万, -3, +0.5 pp."""
    if value is None:
        return "—"
    if unit == "pct":
        return format_delta_points(value)
    text = format_by_unit(unit, abs(value))
    if text == format_by_unit(unit, 0):  # float noise such as −1e-12 shows as 0, not −0
        return text
    return f"+{text}" if value > 0 else f"-{text}"


def period_label(period) -> str:
    """A period (ka.periods.Period) as the pages and decks name it: "Q3 2026", "2026年第3季度", ..."""
    if period.kind == "quarter":
        return t("period.quarter", year=period.start.year, quarter=(period.start.month - 1) // 3 + 1)
    if period.kind == "month":
        return t("period.month", year=period.start.year, month=period.start.month)
    if period.kind == "year":
        return t("period.year", year=period.start.year)
    if period.kind == "t12m":
        return t("period.t12m", end=f"{period.end:%Y-%m}")
    return t("period.range", start=f"{period.start:%Y-%m-%d}", end=f"{period.end:%Y-%m-%d}")


def display_name(name: str | None, name_en: str | None) -> str:
    """An account's name in the language in use: the English name where the data has one, in English."""
    if get_language() == "en" and isinstance(name_en, str) and name_en:
        return name_en
    return name if isinstance(name, str) else ""

