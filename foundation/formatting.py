"""Money and dates as the service writes them in pages, PDFs and messages: one function per way of writing, named
for what it produces. Plain English, no locale involved (GOV.UK style: "£207,720", "1 January 2026",
"5:00pm GMT on 1 January 2026").

The money and date functions are pure; the time ones read the current time zone (importing django.utils.timezone
needs no settings). Templates use Django's own filters (`floatformat:"-2g"`, `date:"j F Y"`), which write the
same; these are for text built in Python.
"""

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

PENNY = Decimal("0.01")
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def _pounds(value, *, pence: bool) -> str:
    """£ and thousands separators, rounded half up to the penny; `pence=False` drops ".00" from whole amounts."""
    amount = Decimal(value).quantize(PENNY, rounding=ROUND_HALF_UP)
    text = f"{abs(amount):,.2f}"
    if not pence and text.endswith(".00"):
        text = text[:-3]
    return f"-£{text}" if amount < 0 else f"£{text}"


def money_pence_if_any(value) -> str:
    """Pence only when the amount is not whole: £207,720 or £207,719.99 (and -£5 below zero)."""
    return _pounds(value, pence=False)


def money_pence(value) -> str:
    """Always with pence: £207,720.00, £0.50."""
    return _pounds(value, pence=True)


def money_whole_pounds(value) -> str:
    """Rounded (half up) to the pound: £5,000,000, £1,235."""
    amount = Decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return f"-£{abs(amount):,.0f}" if amount < 0 else f"£{amount:,.0f}"


def money_millions_short(value) -> str:
    """£1.2m for whole tens of thousands from a million up; otherwise as money_pence_if_any (£800,000, £1,234.50)."""
    amount = Decimal(value).quantize(PENNY, rounding=ROUND_HALF_UP)
    if amount >= 1_000_000 and amount % 10_000 == 0:
        return f"£{(amount / 1_000_000).normalize():f}m"
    return money_pence_if_any(amount)


def date_long(day: date) -> str:
    """1 January 2026: the day without a leading zero, the month's name, the year."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def time_12_hour(moment: datetime) -> str:
    """5:00pm, 9:30am, 12:00pm: the local (London) wall-clock time, as someone would type it."""
    local = timezone.localtime(moment)
    return f"{local.hour % 12 or 12}:{local:%M}{'am' if local.hour < 12 else 'pm'}"


def datetime_long(moment: datetime) -> str:
    """5:00pm GMT on 1 January 2026: local time with the zone named, so a deadline is never ambiguous."""
    local = timezone.localtime(moment)
    return f"{time_12_hour(local)} {local.tzname()} on {date_long(local)}"
