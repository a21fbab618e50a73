"""What a review is asked for: kind, subject, period, audience, language — checked against the data.

The same request comes from the CLI (`python -m ka qbr …`) and from the presentation page's URL
(`?kind=account&account=KA00001&period=2026-Q3&audience=customer&lang=zh`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import duckdb

from ka import db, i18n
from ka.periods import Period, latest_complete_quarter, month_period, quarter_period, year_period
from ka.qbr.model import AUDIENCES, KINDS
from ka.scope import ALL, Scope


class RequestError(db.DataError):
    """A review that cannot be made (unknown account, manager or period, no CJK font for the PDF).

    `key` names one sentence in qbr.error.*; it is told in the language in force when the review was
    asked for (the deck's language), wherever the error is shown."""

    def __init__(self, key: str, **values):
        super().__init__(key, **values)
        self.language = i18n.get_language()

    def title(self) -> str:
        with i18n.use_language(self.language):
            return i18n.t(self.key, **self.values)

    def action(self) -> str:
        return ""

    def message(self) -> str:
        return self.title()


@dataclass(frozen=True)
class Request:
    kind: str
    period: Period
    audience: str = "internal"
    language: str = i18n.DEFAULT_LANGUAGE
    account_id: str | None = None
    manager: str | None = None
    scope: Scope = ALL  # portfolio review: the sidebar filters

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown review kind {self.kind!r}")
        if self.audience not in AUDIENCES:
            raise ValueError(f"unknown audience {self.audience!r}")

    @property
    def is_customer(self) -> bool:
        return self.audience == "customer"


_PERIOD_FORMS = (
    (re.compile(r"^(\d{4})-?Q([1-4])$", re.IGNORECASE), lambda m: quarter_period(int(m[1]), int(m[2]))),
    (re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$"), lambda m: month_period(int(m[1]), int(m[2]))),
    (re.compile(r"^(\d{4})$"), lambda m: year_period(int(m[1]))),
)


def period_text(period: Period) -> str:
    """The URL / CLI form of a period: 2026-Q3, 2026-09 or 2026 (its label without the space)."""
    if period.kind in ("quarter", "month", "year"):
        return period.label().replace(" ", "-")
    return f"{period.start.isoformat()}..{period.end.isoformat()}"


def parse_period(text: str) -> Period:
    """'2026-Q3' (or 2026Q3), '2026-09' or '2026' as a period; anything else is refused."""
    for pattern, make in _PERIOD_FORMS:
        match = pattern.match((text or "").strip())
        if match:
            return make(match)
    raise RequestError("qbr.error.period_format", period=text)


def data_range(con: duckdb.DuckDBPyConnection):
    first, last = db.query_rows(con, "select min(first_order_date), max(last_order_date) from account_month")[0]
    if last is None:
        raise RequestError("qbr.error.no_data")
    return first, last


def resolve_period(con: duckdb.DuckDBPyConnection, text: str | None) -> Period:
    """The period asked for, or the latest complete quarter; refused when the data does not cover it."""
    first, last = data_range(con)
    if not text:
        return latest_complete_quarter(last)
    period = parse_period(text)
    if period.end < first or period.start > last:
        raise RequestError("qbr.error.period_outside", period=text, first=f"{first:%Y-%m-%d}", last=f"{last:%Y-%m-%d}")
    return period


def _visible(con: duckdb.DuckDBPyConnection, column: str, value: str | None, scope: Scope) -> bool:
    """Whether an account `scope` may see has `value` in `column` (account_id or ka_manager)."""
    sql = db.with_identifiers(
        "select 1 from scoped_accounts($regions, $industries, $managers, $account_ids) where {column} = $value limit 1",
        column=column,
    )
    return bool(db.query_rows(con, sql, {**scope.params(), "value": value or ""}))


def check_account(con: duckdb.DuckDBPyConnection, account_id: str | None, scope: Scope = ALL) -> str:
    """The account, when it exists and `scope` may see it (an account outside it reads as unknown)."""
    if not _visible(con, "account_id", account_id, scope):
        raise RequestError("qbr.error.unknown_account", account=account_id or "")
    return account_id


def check_manager(con: duckdb.DuckDBPyConnection, manager: str | None, scope: Scope = ALL) -> str:
    if not _visible(con, "ka_manager", manager, scope):
        raise RequestError("qbr.error.unknown_manager", manager=manager or "")
    return manager


def check_filters(con: duckdb.DuckDBPyConnection, scope: Scope) -> None:
    """Every region and industry of a portfolio review must name accounts of the data."""
    for column, values in (("region", scope.regions), ("industry", scope.industries)):
        known = {row[0] for row in db.query_rows(con, db.load_sql("distinct_account_values"), {"dimension": column})}
        for value in values:
            if value not in known:
                raise RequestError(f"qbr.error.unknown_{column}", value=value)


def make_request(
    con: duckdb.DuckDBPyConnection, kind: str, *, account_id: str | None = None, manager: str | None = None,
    period: str | None = None, audience: str = "internal", language: str = i18n.DEFAULT_LANGUAGE,
    scope: Scope = ALL,
) -> Request:
    """A checked request; RequestError (in `language`) for an unknown account, manager or period."""
    language = language if language in i18n.LANGUAGES else i18n.DEFAULT_LANGUAGE
    with i18n.use_language(language):
        if kind not in KINDS:
            raise RequestError("qbr.error.unknown_kind", kind=kind)
        if audience not in AUDIENCES:
            raise RequestError("qbr.error.unknown_audience", audience=audience)
        if kind != "account" and audience == "customer":
            raise RequestError("qbr.error.internal_only")
        resolved = resolve_period(con, period)
        # `scope` of an account or manager review carries only what the user may see
        access = Scope(allowed_managers=scope.allowed_managers)
        if kind == "account":
            return Request(kind, resolved, audience, language, account_id=check_account(con, account_id, access),
                           scope=access)
        if kind == "manager":
            manager = check_manager(con, manager, access)
            return Request(kind, resolved, audience, language, manager=manager,
                           scope=Scope(managers=(manager,), allowed_managers=scope.allowed_managers))
        check_filters(con, scope)
        return Request(kind, resolved, audience, language, scope=scope)
