"""The contract performance rules, as properties at their boundaries: expected delivery grows with time and stays
within 0 and the target, statuses flip exactly at 90% and 70%, ratings at 100%, 90% and 70%, the KPI rule at £5m,
and reporting periods tile the contract exactly."""

from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from compact.performance import (
    RATING_TEXT,
    SCHEDULE_TEXT,
    STATUS_TEXT,
    Level,
    PerformanceError,
    Period,
    Progress,
    Rating,
    Status,
    add_months,
    commitment_status,
    expected_to_date,
    kpi_shortfall,
    kpis_required,
    periods_for,
    reporting_level,
    reporting_schedule,
    status_for,
    suggested_rating,
)

D = Decimal
days = st.dates(min_value=date(2020, 1, 1), max_value=date(2040, 12, 31))
targets = st.decimals(min_value=0, max_value=D("1000000000"), places=2)
positive_targets = st.decimals(min_value=D("0.01"), max_value=D("1000000000"), places=2)
money = st.decimals(min_value=0, max_value=D("100000000"), places=2)


@st.composite
def periods(draw, max_days=4000):
    start = draw(days)
    return start, start + timedelta(days=draw(st.integers(0, max_days)))


# Expected to date -------------------------------------------------------------------------------------------------


@given(targets, periods(), days, days)
def test_expected_to_date_is_monotone_in_time_and_between_0_and_the_target(target, period, on, later):
    start, end = period
    on, later = min(on, later), max(on, later)
    first, second = expected_to_date(target, start, end, on), expected_to_date(target, start, end, later)
    assert 0 <= first <= second <= target
    if on < start:
        assert first == 0
    if later >= end:
        assert second == target


@given(targets, periods(max_days=800))
def test_expected_to_date_grows_by_one_day_share_each_day(target, period):
    start, end = period
    total = (end - start).days + 1
    for offset in {0, total // 2, total - 1}:
        on = start + timedelta(days=offset)
        assert expected_to_date(target, start, end, on) == (
            target if offset + 1 == total else target * (offset + 1) / total
        )


def test_expected_to_date_counts_days_inclusively():
    # 1 April 2026 to 31 March 2027 is 365 days: by the end of the first day 1/365 is expected.
    start, end = date(2026, 4, 1), date(2027, 3, 31)
    assert expected_to_date(D(365), start, end, start) == 1
    assert expected_to_date(D(365), start, end, date(2026, 4, 30)) == 30
    assert expected_to_date(D(365), start, end, start - timedelta(days=1)) == 0
    assert expected_to_date(D(365), start, end, end) == 365
    assert expected_to_date(D(365), start, end, end + timedelta(days=400)) == 365
    # A one-day contract is fully elapsed on its day.
    assert expected_to_date(D(7), start, start, start) == 7
    assert expected_to_date(D(7), start, start, start - timedelta(days=1)) == 0


def test_expected_to_date_refuses_what_it_cannot_judge():
    with pytest.raises(PerformanceError, match=r"end date .* is before the start date"):
        expected_to_date(D(10), date(2026, 4, 2), date(2026, 4, 1), date(2026, 4, 1))
    with pytest.raises(PerformanceError, match="target cannot be negative"):
        expected_to_date(D("-0.01"), date(2026, 4, 1), date(2026, 5, 1), date(2026, 4, 1))
    for bad in (None, "ten", 1.5, D("NaN")):
        with pytest.raises(PerformanceError, match="must be a number"):
            expected_to_date(bad, date(2026, 4, 1), date(2026, 5, 1), date(2026, 4, 1))


# Status -----------------------------------------------------------------------------------------------------------


@given(positive_targets, periods(), days)
def test_status_flips_exactly_at_90_and_70_percent_of_expected(target, period, on):
    start, end = period
    assume(on >= start)
    expected = expected_to_date(target, start, end, on)
    tiny = D("1e-12") * expected

    def status(delivered):
        return commitment_status(delivered, target, start, end, on)

    assert status(expected * D("0.9")) == Status.ON_TRACK
    assert status(expected * D("0.9") - tiny) == Status.AT_RISK
    assert status(expected * D("0.7")) == Status.AT_RISK
    assert status(expected * D("0.7") - tiny) == Status.OFF_TRACK
    assert status(D(0)) == Status.OFF_TRACK
    assert status(expected) == Status.ON_TRACK
    assert status(expected * 3) == Status.ON_TRACK  # over-delivery is on track


@given(targets, money, periods(), days)
def test_nothing_has_started_before_the_start_date(target, delivered, period, on):
    start, end = period
    assume(on < start)
    assert commitment_status(delivered, target, start, end, on) == Status.NOT_STARTED


@given(money, periods(), days)
def test_a_target_of_zero_is_on_track_once_started(delivered, period, on):
    start, end = period
    assume(on >= start)
    assert commitment_status(delivered, D(0), start, end, on) == Status.ON_TRACK


def test_status_examples_and_custom_thresholds():
    start, end = date(2026, 1, 1), date(2026, 12, 31)  # 365 days
    halfway = date(2026, 7, 2)  # day 183: 183 of 365 expected
    assert commitment_status(D(183), D(365), start, end, halfway) == Status.ON_TRACK
    assert commitment_status(D(150), D(365), start, end, halfway) == Status.AT_RISK
    assert commitment_status(D(100), D(365), start, end, halfway) == Status.OFF_TRACK
    assert commitment_status(D(150), D(365), start, end, halfway, at_risk_below=D("0.8")) == Status.ON_TRACK
    assert commitment_status(D(100), D(365), start, end, halfway, off_track_below=D("0.5")) == Status.AT_RISK
    assert status_for(D(5), D(0)) == Status.NOT_STARTED  # nothing expected yet
    assert Status.AT_RISK.label == "At risk"
    assert "90%" in STATUS_TEXT and "70%" in STATUS_TEXT


def test_status_refuses_what_it_cannot_judge():
    start, end = date(2026, 1, 1), date(2026, 12, 31)
    with pytest.raises(PerformanceError, match="delivered quantity cannot be negative"):
        commitment_status(D(-1), D(10), start, end, end)
    with pytest.raises(PerformanceError, match="delivered quantity cannot be negative"):
        commitment_status(D(-1), D(10), start, end, start - timedelta(days=1))
    with pytest.raises(PerformanceError, match="thresholds"):
        commitment_status(D(1), D(10), start, end, end, at_risk_below=D("0.5"), off_track_below=D("0.6"))
    with pytest.raises(PerformanceError, match="end date"):
        commitment_status(D(1), D(10), end, start, end)


# Suggested rating -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ratio", "rating"),
    [
        (D("1"), Rating.GOOD),
        (D("0.9999"), Rating.APPROACHING_TARGET),
        (D("0.9"), Rating.APPROACHING_TARGET),
        (D("0.8999"), Rating.REQUIRES_IMPROVEMENT),
        (D("0.7"), Rating.REQUIRES_IMPROVEMENT),
        (D("0.6999"), Rating.INADEQUATE),
        (D("0"), Rating.INADEQUATE),
    ],
)
def test_rating_boundaries(ratio, rating):
    suggestion = suggested_rating([Progress(ratio * 40, D(40))])
    assert suggestion.rating == rating
    assert suggestion.ratio == ratio
    assert rating.label in suggestion.reason


@given(st.lists(st.tuples(positive_targets, st.decimals(0, 3, places=4)), min_size=1, max_size=6))
def test_the_rating_follows_the_bands_and_each_commitment_counts_at_most_in_full(rows):
    commitments = [Progress(expected * share, expected) for expected, share in rows]
    suggestion = suggested_rating(commitments)
    assert 0 <= suggestion.ratio <= 1
    if all(share >= 1 for _, share in rows):
        assert suggestion.rating == Rating.GOOD
    if any(share < 1 for _, share in rows):
        assert suggestion.rating != Rating.GOOD  # over-delivery elsewhere cannot hide a shortfall
    mean = sum(min(share, D(1)) for _, share in rows) / len(rows)
    band = (
        Rating.GOOD
        if mean >= 1
        else Rating.APPROACHING_TARGET
        if mean >= D("0.9")
        else Rating.REQUIRES_IMPROVEMENT
        if mean >= D("0.7")
        else Rating.INADEQUATE
    )
    assert abs(suggestion.ratio - mean) < D("1e-20")
    if abs(mean - D("0.9")) > D("1e-20") and abs(mean - D("0.7")) > D("1e-20"):
        assert suggestion.rating == band


def test_monetised_weighting_when_every_commitment_has_a_proxy_value_and_count_otherwise():
    jobs = Progress(D(10), D(10), proxy_value=D(9000))  # £90,000 expected, all delivered
    hours = Progress(D(0), D(100), proxy_value=D(10))  # £1,000 expected, none delivered
    monetised = suggested_rating([jobs, hours])
    assert monetised.ratio == D(90000) / D(91000)
    assert monetised.rating == Rating.APPROACHING_TARGET
    assert "weighted by monetised value" in monetised.reason
    # One commitment without a proxy value: every commitment counts equally (1 and 0: 50%).
    by_count = suggested_rating([jobs, Progress(D(0), D(100))])
    assert by_count.ratio == D("0.5")
    assert by_count.rating == Rating.INADEQUATE
    assert "each commitment counting equally" in by_count.reason
    assert "50%" in by_count.reason


def test_nothing_expected_yet_is_other():
    for commitments in ([], [Progress(D(0), D(0))], [Progress(D(5), D(0), D(3))]):
        suggestion = suggested_rating(commitments)
        assert suggestion.rating == Rating.OTHER
        assert suggestion.ratio is None
        assert suggestion.reason.endswith(".")
    # Commitments with nothing expected yet are left out of the others' rating.
    assert suggested_rating([Progress(D(0), D(0)), Progress(D(9), D(10))]).rating == Rating.APPROACHING_TARGET


def test_the_reason_never_shows_a_threshold_it_did_not_reach():
    suggestion = suggested_rating([Progress(D("0.89999"), D(1))])
    assert suggestion.rating == Rating.REQUIRES_IMPROVEMENT
    assert "89%" in suggestion.reason


def test_rating_from_dates_labels_and_bad_input():
    start, end = date(2026, 1, 1), date(2026, 12, 31)
    progress = Progress.on(D(90), D(365), start, end, date(2026, 4, 10), proxy_value=D(2))  # day 100: 100 expected
    assert progress.expected == 100
    assert suggested_rating([progress]).rating == Rating.APPROACHING_TARGET
    assert [rating.label for rating in Rating] == [
        "Good",
        "Approaching target",
        "Requires improvement",
        "Inadequate",
        "Other",
    ]
    assert "confirms" in RATING_TEXT
    with pytest.raises(PerformanceError, match="delivered quantity cannot be negative"):
        suggested_rating([Progress(D(-1), D(10))])
    with pytest.raises(PerformanceError, match="proxy value cannot be negative"):
        suggested_rating([Progress(D(1), D(10), D(-5))])


# KPIs -------------------------------------------------------------------------------------------------------------


def test_the_kpi_rule_applies_strictly_over_5_million():
    assert kpis_required(D("5000000")) == 0
    assert kpis_required(D("5000000.01")) == 3
    assert kpi_shortfall(D("5000000"), 0) is None
    warning = kpi_shortfall(D("5000000.01"), 2)
    assert warning == (
        "The Procurement Act 2023 (section 52) requires at least 3 key performance indicators for a contract worth "
        "more than £5,000,000: this contract has 2 KPIs."
    )
    assert "has no KPIs" in kpi_shortfall(D("5000000.01"), 0)
    assert "has 1 KPI." in kpi_shortfall(D("5000000.01"), 1)
    assert kpi_shortfall(D("5000000.01"), 3) is None


@given(st.decimals(min_value=0, max_value=D("1e12"), places=2), st.integers(0, 10))
def test_kpi_shortfall_warns_exactly_when_over_5m_with_fewer_than_3(value, count):
    warning = kpi_shortfall(value, count)
    assert (warning is not None) == (value > D("5000000") and count < 3)
    assert kpis_required(value) == (3 if value > D("5000000") else 0)


def test_kpi_rule_refuses_what_it_cannot_judge():
    with pytest.raises(PerformanceError, match="contract value cannot be negative"):
        kpis_required(D(-1))
    for bad in (-1, 1.5, True, None):
        with pytest.raises(PerformanceError, match="whole number"):
            kpi_shortfall(D(6000000), bad)


# Reporting schedule -----------------------------------------------------------------------------------------------


@given(money, money, periods())
def test_periods_tile_the_contract_exactly(value, light_touch_below, period):
    start, end = period
    schedule = reporting_schedule(value, light_touch_below, start, end)
    assert schedule[0].start == start
    assert schedule[-1].end == end
    assert [p.number for p in schedule] == list(range(1, len(schedule) + 1))
    for before, after in pairwise(schedule):
        assert after.start == before.end + timedelta(days=1)  # no gaps, no overlaps
    months = 6 if value < light_touch_below else 3
    name = "Half-year" if value < light_touch_below else "Quarter"
    for p in schedule:
        assert p.start <= p.end
        assert p.due == p.end + timedelta(days=30)
        assert p.start == add_months(start, months * (p.number - 1))  # counted from the contract start: no drift
        assert p.label.startswith(f"{name} {p.number} (")
    for p in schedule[:-1]:
        assert p.end == add_months(start, months * p.number) - timedelta(days=1)


def test_a_financial_year_quarterly():
    schedule = reporting_schedule(D(1000000), D(663540), date(2026, 4, 1), date(2027, 3, 31))
    assert schedule == [
        Period(1, date(2026, 4, 1), date(2026, 6, 30), date(2026, 7, 30), "Quarter 1 (1 April 2026 to 30 June 2026)"),
        Period(
            2, date(2026, 7, 1), date(2026, 9, 30), date(2026, 10, 30), "Quarter 2 (1 July 2026 to 30 September 2026)"
        ),
        Period(
            3,
            date(2026, 10, 1),
            date(2026, 12, 31),
            date(2027, 1, 30),
            "Quarter 3 (1 October 2026 to 31 December 2026)",
        ),
        Period(
            4, date(2027, 1, 1), date(2027, 3, 31), date(2027, 4, 30), "Quarter 4 (1 January 2027 to 31 March 2027)"
        ),
    ]


def test_light_touch_below_the_authoritys_value_is_half_yearly():
    assert reporting_level(D("663539.99"), D("663540")) == Level.LIGHT_TOUCH
    assert reporting_level(D("663540"), D("663540")) == Level.STANDARD  # "below" is strict
    schedule = reporting_schedule(D(100000), D(663540), date(2026, 4, 1), date(2027, 1, 15))
    assert [p.label for p in schedule] == [
        "Half-year 1 (1 April 2026 to 30 September 2026)",
        "Half-year 2 (1 October 2026 to 15 January 2027)",  # the last period ends on the contract end
    ]


def test_month_ends_start_on_the_same_day_or_the_months_last_day():
    # A contract starting on 31 January: quarters start on 30 April (April has 30 days), 31 July and 31 October.
    schedule = periods_for(Level.STANDARD, date(2026, 1, 31), date(2027, 1, 30))
    assert [(p.start, p.end) for p in schedule] == [
        (date(2026, 1, 31), date(2026, 4, 29)),
        (date(2026, 4, 30), date(2026, 7, 30)),
        (date(2026, 7, 31), date(2026, 10, 30)),
        (date(2026, 10, 31), date(2027, 1, 30)),
    ]
    # 31 August, half-yearly: the next period starts on the last day of February, leap year or not.
    assert periods_for(Level.LIGHT_TOUCH, date(2027, 8, 31), date(2028, 8, 30))[1].start == date(2028, 2, 29)
    assert periods_for(Level.LIGHT_TOUCH, date(2026, 8, 31), date(2027, 8, 30))[1].start == date(2027, 2, 28)
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert add_months(date(2026, 12, 15), 1) == date(2027, 1, 15)
    assert "last day" in SCHEDULE_TEXT


def test_a_one_day_contract_has_one_period():
    assert reporting_schedule(D(1), D(0), date(2026, 5, 5), date(2026, 5, 5)) == [
        Period(1, date(2026, 5, 5), date(2026, 5, 5), date(2026, 6, 4), "Quarter 1 (5 May 2026 to 5 May 2026)")
    ]


def test_schedule_refuses_what_it_cannot_judge():
    with pytest.raises(PerformanceError, match=r"end date .* is before the start date"):
        reporting_schedule(D(1), D(10), date(2026, 5, 5), date(2026, 5, 4))
    with pytest.raises(PerformanceError, match="contract value cannot be negative"):
        reporting_schedule(D(-1), D(10), date(2026, 5, 5), date(2026, 6, 4))
    with pytest.raises(PerformanceError, match="light-touch value cannot be negative"):
        reporting_schedule(D(1), D(-10), date(2026, 5, 5), date(2026, 6, 4))
