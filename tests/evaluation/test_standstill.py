from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from evaluation.standstill import add_working_days, is_working_day, standstill_ends_on

CHRISTMAS_2026 = frozenset({date(2026, 12, 25), date(2026, 12, 28), date(2027, 1, 1)})


def test_standstill_skips_weekends_and_bank_holidays():
    # Notice on Monday 23 November 2026: eight working days end on Wednesday 3 December.
    assert standstill_ends_on(date(2026, 11, 23), frozenset()) == date(2026, 12, 3)
    # Notice on Friday 18 December 2026: Christmas Day, the Boxing Day substitute and New Year's Day do not count.
    assert standstill_ends_on(date(2026, 12, 18), CHRISTMAS_2026) == date(2027, 1, 4)


@given(st.dates(min_value=date(2025, 1, 1), max_value=date(2028, 12, 31)), st.integers(1, 30))
def test_the_end_is_a_working_day_with_exactly_that_many_working_days_after_the_start(start, days):
    end = add_working_days(start, days, CHRISTMAS_2026)
    assert is_working_day(end, CHRISTMAS_2026)
    between = [start + timedelta(days=n) for n in range(1, (end - start).days + 1)]
    assert sum(is_working_day(day, CHRISTMAS_2026) for day in between) == days
