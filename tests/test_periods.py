from datetime import date

import pytest

from ka.periods import (
    Period, as_of_for, default_period, default_period_rule, latest_complete_quarter, month_period,
    period_from_key, period_key, period_options, quarter_period, trailing_12_months, year_period,
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
    assert default_period("month", date(2026, 10, 30)) == month_period(2026, 10)  # within its last seven days
    assert default_period("month", date(2026, 10, 24)) == month_period(2026, 9)


@pytest.mark.parametrize(
    "kind, data_end, expected, rule",
    [
        # Superstore ends on 2019-12-30: its last quarter is Q4, not Q3
        ("quarter", date(2019, 12, 30), quarter_period(2019, 4), "covered"),
        ("quarter", date(2019, 12, 25), quarter_period(2019, 4), "covered"),   # the last seven days: 25–31
        ("quarter", date(2019, 12, 24), quarter_period(2019, 3), "complete"),
        ("quarter", date(2019, 12, 31), quarter_period(2019, 4), "complete"),  # the last day completes it
        ("quarter", date(2026, 10, 31), quarter_period(2026, 3), "complete"),  # the demo
        ("quarter", date(2026, 1, 5), quarter_period(2025, 4), "complete"),
        ("month", date(2019, 12, 30), month_period(2019, 12), "covered"),
        ("year", date(2019, 12, 30), year_period(2019), "covered"),
        ("year", date(2026, 10, 31), year_period(2025), "complete"),
        ("t12m", date(2019, 12, 30), trailing_12_months(date(2019, 12, 1)), "covered"),
        ("custom", date(2019, 12, 30), quarter_period(2019, 4), "covered"),
    ],
)
def test_default_period_is_the_latest_the_data_covers(kind, data_end, expected, rule):
    assert default_period(kind, data_end) == expected
    assert default_period_rule(kind, data_end) == rule


@pytest.mark.parametrize(
    "period, data_end, expected",
    [
        (quarter_period(2019, 4), date(2019, 12, 30), date(2019, 12, 31)),  # covered: the period's end
        (quarter_period(2019, 2), date(2019, 12, 30), date(2019, 6, 30)),   # an earlier period: its end
        (quarter_period(2026, 4), date(2026, 10, 31), date(2026, 10, 31)),  # still running: the data's last day
        (month_period(2026, 10), date(2026, 10, 31), date(2026, 10, 31)),
    ],
)
def test_pages_measure_as_of_the_end_of_the_period(period, data_end, expected):
    assert as_of_for(period, data_end) == expected
