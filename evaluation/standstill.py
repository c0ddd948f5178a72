"""Working days and the standstill period.

RULES.md: "Standstill: 8 working days after the contract award notice." A working day is a weekday that is not an
England and Wales bank holiday (reference data, `BankHoliday`)."""

from datetime import date, timedelta

STANDSTILL_WORKING_DAYS = 8


def is_working_day(day: date, holidays: frozenset[date]) -> bool:
    return day.weekday() < 5 and day not in holidays


def add_working_days(start: date, days: int, holidays: frozenset[date]) -> date:
    """The `days`-th working day after `start` (the day of the notice itself does not count)."""
    if days < 1:
        raise ValueError("days must be at least 1")
    day, counted = start, 0
    while counted < days:
        day += timedelta(days=1)
        if is_working_day(day, holidays):
            counted += 1
    return day


def standstill_ends_on(notice_day: date, holidays: frozenset[date]) -> date:
    """The last day of standstill: the contract may be entered into from the day after."""
    return add_working_days(notice_day, STANDSTILL_WORKING_DAYS, holidays)
