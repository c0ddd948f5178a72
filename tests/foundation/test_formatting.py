"""Money and dates as the service writes them (foundation/formatting.py): each named variant, and that the amounts
read back as what was formatted."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from foundation.formatting import (
    date_long,
    datetime_long,
    money_millions_short,
    money_pence,
    money_pence_if_any,
    money_whole_pounds,
    time_12_hour,
)

money = st.decimals(min_value=0, max_value=Decimal("100000000"), places=2, allow_nan=False, allow_infinity=False)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("207720", "£207,720"),
        ("207720.00", "£207,720"),
        ("207719.99", "£207,719.99"),
        ("5372609", "£5,372,609"),
        ("0", "£0"),
        ("0.5", "£0.50"),
        ("999.995", "£1,000"),
        ("-5", "-£5"),
        ("-1234.5", "-£1,234.50"),
    ],
)
def test_money_pence_if_any(value, text):
    assert money_pence_if_any(Decimal(value)) == text


@given(money)
def test_money_pence_if_any_reads_back_as_the_same_amount(value):
    text = money_pence_if_any(value)
    assert text.startswith("£")
    assert Decimal(text[1:].replace(",", "")) == value
    assert text.endswith(".00") is False


@pytest.mark.parametrize(
    ("value", "text"),
    [("207720", "£207,720.00"), ("0.5", "£0.50"), ("1234.567", "£1,234.57"), ("0", "£0.00"), ("-3", "-£3.00")],
)
def test_money_pence(value, text):
    assert money_pence(Decimal(value)) == text


@given(money)
def test_money_pence_reads_back_as_the_same_amount(value):
    text = money_pence(value)
    assert Decimal(text[1:].replace(",", "")) == value
    assert text[-3] == "."


@pytest.mark.parametrize(
    ("value", "text"), [("5000000", "£5,000,000"), ("1234.5", "£1,235"), ("0.49", "£0"), ("-2.5", "-£3")]
)
def test_money_whole_pounds(value, text):
    assert money_whole_pounds(Decimal(value)) == text


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        ("800000", "£800,000"),
        ("1200000", "£1.2m"),
        ("2000000", "£2m"),
        ("1250000", "£1.25m"),
        ("10000000", "£10m"),
        ("1234567", "£1,234,567"),
        ("1234.5", "£1,234.50"),
        ("0.004", "£0"),
        ("999999.999", "£1m"),
    ],
)
def test_money_millions_short(amount, text):
    assert money_millions_short(Decimal(amount)) == text


def test_date_long_is_plain_english():
    assert date_long(date(2026, 1, 1)) == "1 January 2026"
    assert date_long(date(2025, 2, 24)) == "24 February 2025"


def test_times_are_london_wall_clock_with_the_zone_named(settings):
    settings.TIME_ZONE = "Europe/London"
    winter = datetime(2026, 1, 1, 17, 0, tzinfo=UTC)
    summer = datetime(2026, 7, 1, 11, 5, tzinfo=UTC)  # 12:05 in London (BST)
    midnight = datetime(2026, 1, 2, 0, 30, tzinfo=UTC)
    assert time_12_hour(winter) == "5:00pm"
    assert time_12_hour(summer) == "12:05pm"
    assert time_12_hour(midnight) == "12:30am"
    assert datetime_long(winter) == "5:00pm GMT on 1 January 2026"
    assert datetime_long(summer) == "12:05pm BST on 1 July 2026"
