from datetime import date

import pytest

from ka.periods import (
    Period, default_period, latest_complete_quarter, month_period, period_from_key, period_key,
    period_options, quarter_period, trailing_12_months, year_period,
)


@pytest.mark.parametrize(
    "as_of, expected",
    [
        (date(2026, 10, 31), quarter_period(2026, 3)),
        (date(2026, 9, 30), quarter_period(2026, 3)),   # the quarter's last day completes it
        (date(2026, 9, 29), quarter_period(2026, 2)),
        (date(2026, 1, 5), quarter_period(2025, 4)),    # across a year boundary
        (date(2026, 12, 31), quarter_period(2026, 4)),
    ],
)
def test_latest_complete_quarter(as_of, expected):
    assert latest_complete_quarter(as_of) == expected


@pytest.mark.parametrize(
    "period, prior, year_ago",
    [
        (quarter_period(2026, 1), quarter_period(2025, 4), quarter_period(2025, 1)),
        (month_period(2024, 3), month_period(2024, 2), month_period(2023, 3)),
        (month_period(2024, 2), month_period(2024, 1), month_period(2023, 2)),
        (year_period(2025), year_period(2024), year_period(2024)),
        (trailing_12_months(date(2026, 9, 1)), Period(date(2024, 10, 1), date(2025, 9, 30), "t12m"),
         Period(date(2024, 10, 1), date(2025, 9, 30), "t12m")),
        # day ranges: same number of days right before; a year earlier, 29 Feb → 28 Feb
        (Period(date(2024, 2, 10), date(2024, 2, 29)), Period(date(2024, 1, 21), date(2024, 2, 9)),
         Period(date(2023, 2, 10), date(2023, 2, 28))),
    ],
)
def test_prior_and_year_ago(period, prior, year_ago):
    assert (period.prior().start, period.prior().end) == (prior.start, prior.end)
    assert (period.year_ago().start, period.year_ago().end) == (year_ago.start, year_ago.end)


def test_boundaries_are_inclusive_whole_months():
    q = quarter_period(2024, 1)
    assert (q.start, q.end, q.months, q.is_month_aligned) == (date(2024, 1, 1), date(2024, 3, 31), 3, True)
    assert month_period(2024, 2).end == date(2024, 2, 29)
    assert not Period(date(2024, 1, 2), date(2024, 3, 31)).is_month_aligned
    with pytest.raises(ValueError):
        Period(date(2024, 2, 1), date(2024, 1, 31))


def test_options_and_keys():
    options = period_options("quarter", date(2025, 2, 14), date(2026, 10, 31))
    assert options[0] == quarter_period(2026, 4) and options[-1] == quarter_period(2025, 1)
    assert len(options) == 8
    assert period_from_key(period_key(options[3])) == options[3]
    assert default_period("year", date(2026, 10, 31)) == year_period(2025)
    assert default_period("t12m", date(2026, 10, 31)) == trailing_12_months(date(2026, 10, 1))
    assert default_period("month", date(2026, 10, 30)) == month_period(2026, 9)
