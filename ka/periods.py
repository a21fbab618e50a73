"""Analysis periods: what "this quarter", "prior period" and "same period last year" mean.

A period is a closed date range [start, end]. Periods chosen in the app are whole calendar
months (month, quarter, year, trailing 12 months, custom month range), so they are answered
from the account × month pre-aggregate. A period given by arbitrary dates (CLI --from/--to)
is answered from transactions.

- prior period: the same number of months (or, for day ranges, days) right before the start;
- same period last year: shifted back 12 months (day ranges: one year; 29 Feb becomes 28 Feb).

The default period is the latest one the data covers: the period holding the data's last day
when the data reaches its last seven days (a file that ends on 30 December covers Q4), else
the latest complete one. Every page measures "as of" the end of the selected period (see
`as_of_for`), so a score, a "days since" and a revenue at risk are the same figure everywhere.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

KINDS = ("quarter", "month", "year", "t12m", "custom")
# Data that reaches a period's last seven days covers it: files often end on the last working day.
COVERED_DAYS = 7


def month_start(day: date) -> date:
    return day.replace(day=1)


def month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def add_months(day: date, months: int) -> date:
    """First of the month `months` after the month of `day`."""
    index = day.year * 12 + (day.month - 1) + months
    return date(index // 12, index % 12 + 1, 1)


def shift_year(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    kind: str = "custom"

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"period ends ({self.end}) before it starts ({self.start})")

    @property
    def is_month_aligned(self) -> bool:
        return self.start.day == 1 and self.end == month_end(self.end)

    @property
    def months(self) -> int:
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def prior(self) -> "Period":
        if self.is_month_aligned:
            start = add_months(self.start, -self.months)
            return Period(start, month_end(add_months(start, self.months - 1)), self.kind)
        return Period(self.start - timedelta(days=self.days), self.start - timedelta(days=1), self.kind)

    def year_ago(self) -> "Period":
        if self.is_month_aligned:
            return Period(add_months(self.start, -12), month_end(add_months(self.end, -12)), self.kind)
        return Period(shift_year(self.start, -1), shift_year(self.end, -1), self.kind)

    def label(self) -> str:
        """Short neutral label (the UI adds words in the user's language)."""
        if self.kind == "quarter":
            return f"{self.start.year} Q{(self.start.month - 1) // 3 + 1}"
        if self.kind == "month":
            return f"{self.start:%Y-%m}"
        if self.kind == "year":
            return f"{self.start.year}"
        return f"{self.start:%Y-%m-%d} – {self.end:%Y-%m-%d}"


def month_period(year: int, month: int) -> Period:
    start = date(year, month, 1)
    return Period(start, month_end(start), "month")


def quarter_period(year: int, quarter: int) -> Period:
    start = date(year, 3 * (quarter - 1) + 1, 1)
    return Period(start, month_end(add_months(start, 2)), "quarter")


def year_period(year: int) -> Period:
    return Period(date(year, 1, 1), date(year, 12, 31), "year")


def trailing_12_months(last_month: date) -> Period:
    """The 12 whole months ending with the month of `last_month`."""
    return Period(add_months(last_month, -11), month_end(last_month), "t12m")


def month_range(first_month: date, last_month: date) -> Period:
    return Period(month_start(first_month), month_end(last_month), "custom")


def latest_complete_quarter(as_of: date) -> Period:
    """The last calendar quarter that ends on or before `as_of` (the data's last day)."""
    quarter = (as_of.month - 1) // 3 + 1
    current = quarter_period(as_of.year, quarter)
    if current.end <= as_of:
        return current
    previous_start = add_months(current.start, -3)
    return quarter_period(previous_start.year, (previous_start.month - 1) // 3 + 1)


def latest_complete_month(as_of: date) -> Period:
    if month_end(as_of) == as_of:
        return month_period(as_of.year, as_of.month)
    previous = add_months(as_of, -1)
    return month_period(previous.year, previous.month)


def is_covered(period: Period, data_end: date) -> bool:
    """Whether the data reaches the period's last seven days."""
    return data_end >= period.end - timedelta(days=COVERED_DAYS - 1)


def _holding(kind: str, day: date) -> Period:
    """The calendar period of `kind` that holds `day` (t12m: the 12 months ending with its month)."""
    if kind == "month":
        return month_period(day.year, day.month)
    if kind == "year":
        return year_period(day.year)
    if kind == "t12m":
        return trailing_12_months(day)
    return quarter_period(day.year, (day.month - 1) // 3 + 1)


def default_period(kind: str, data_end: date) -> Period:
    """The period of `kind` a director most likely means: the latest one the data covers.

    That is the period holding the data's last day when the data reaches its last seven days,
    else the one before it (the latest complete one). Custom ranges default like quarters.
    """
    kind = kind if kind in ("month", "year", "t12m") else "quarter"
    unit = "year" if kind == "year" else "quarter" if kind == "quarter" else "month"
    latest = _holding(unit, data_end)
    if not is_covered(latest, data_end):
        latest = _holding(unit, latest.start - timedelta(days=1))
    return trailing_12_months(latest.start) if kind == "t12m" else latest


def default_period_rule(kind: str, data_end: date) -> str:
    """Which rule chose default_period: "covered" (the data ends inside the period's last seven
    days) or "complete" (the period ended on or before the data's last day)."""
    return "covered" if default_period(kind, data_end).end > data_end else "complete"


def as_of_for(period: Period, data_end: date) -> date:
    """The day every page measures "as of" for `period`: its end, or the data's last day when the
    data stops before the period's last seven days (a quarter still running)."""
    return period.end if is_covered(period, data_end) else min(period.end, data_end)


def period_options(kind: str, first_day: date, last_day: date) -> list[Period]:
    """Periods of `kind` that overlap the data, newest first (custom ranges are not listed)."""
    if kind == "quarter":
        make, step = (lambda d: quarter_period(d.year, (d.month - 1) // 3 + 1)), 3
    elif kind == "month":
        make, step = (lambda d: month_period(d.year, d.month)), 1
    elif kind == "year":
        make, step = (lambda d: year_period(d.year)), 12
    elif kind == "t12m":
        make, step = trailing_12_months, 1
    else:
        return []
    options, cursor = [], month_start(last_day)
    while True:
        period = make(cursor)
        if period.end < first_day or (kind == "t12m" and period.start < month_start(first_day) and options):
            break
        if not options or options[-1] != period:
            options.append(period)
        cursor = add_months(cursor, -step)
    return options


def period_key(period: Period) -> str:
    """A stable text key for widgets and settings."""
    return f"{period.kind}:{period.start.isoformat()}:{period.end.isoformat()}"


def period_from_key(key: str) -> Period:
    kind, start, end = key.split(":")
    return Period(date.fromisoformat(start), date.fromisoformat(end), kind)
