"""Contract performance rules: pure functions over plain numbers and dates, so the contract pages, the compliance
report, the reminders and the dashboard judge delivery the same way.

RULES.md: "KPIs (s.52): contracts over £5m need at least 3 KPIs; contract performance notices at least every 12
months and on termination, rated Good / Approaching target / Requires improvement / Inadequate / Other (s.71)." and
"Social value reporting must be relevant and proportionate to the size of the opportunity: the authority sets a value
below which reporting is light-touch (e.g. a simple milestone tracker instead of quarterly evidence)."

- Expected to date: a commitment's target pro-rated to the elapsed share of its period, days counted inclusively
  (by the end of its first day 1 ÷ n of the target is expected; from its last day on, all of it).
- Status: verified delivery ÷ expected to date — 90% or more on track, 70% or more at risk, below that off track;
  not started before the start date. Over-delivery is on track; a target of 0 is on track.
- Suggested rating: the Procurement Act scale from the commitments' delivery against what was expected to date, each
  commitment counted at most in full, weighted by monetised value where every commitment has a proxy value (by count
  otherwise). The contract manager confirms or changes it: this module only suggests.
- KPIs: contracts worth strictly more than £5,000,000 need at least 3 KPIs (Procurement Act 2023 s.52).
- Reporting schedule: half-yearly milestone reports below the authority's light-touch value, quarterly otherwise;
  each report is due 30 days after its period ends.
"""

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal
from enum import StrEnum

from foundation.formatting import date_long, money_whole_pounds

ZERO = Decimal("0")
HUNDRED = Decimal("100")

AT_RISK_BELOW = Decimal("0.9")
OFF_TRACK_BELOW = Decimal("0.7")

KPI_VALUE_OVER = Decimal("5000000")  # Procurement Act 2023 s.52: "more than £5 million"
KPI_MINIMUM = 3
REPORT_DUE_DAYS = 30


class PerformanceError(ValueError):
    """Input the rules cannot judge: the message is fit to show a user."""


def _decimal(value, what: str) -> Decimal:
    if value is None or isinstance(value, bool | float):
        raise PerformanceError(f"The {what} must be a number")
    try:
        number = Decimal(value)
    except (TypeError, ValueError, ArithmeticError) as exc:
        raise PerformanceError(f"The {what} must be a number") from exc
    if not number.is_finite():
        raise PerformanceError(f"The {what} must be a number")
    return number


def _check_dates(start: date, end: date) -> None:
    if end < start:
        raise PerformanceError(f"The end date ({date_long(end)}) is before the start date ({date_long(start)})")


def percent(ratio: Decimal) -> str:
    """A ratio as a whole percentage, rounded down so a figure just short of a threshold never shows as reaching it."""
    return f"{(ratio * HUNDRED).to_integral_value(rounding=ROUND_DOWN)}%"


# Expected to date -------------------------------------------------------------------------------------------------


def elapsed_days(start: date, end: date, on: date) -> tuple[int, int]:
    """(days elapsed by the end of `on`, days in the period), both counted inclusively: 0 before the start, all of
    them from the end date on. A one-day period is fully elapsed on its day."""
    _check_dates(start, end)
    total = (end - start).days + 1
    return max(0, min(total, (on - start).days + 1)), total


def expected_to_date(target: Decimal, start: date, end: date, on: date) -> Decimal:
    """The target pro-rated to the elapsed share of the period: target × elapsed days ÷ days in the period
    (0 before the start, the full target from the end date on)."""
    target = _decimal(target, "target")
    if target < 0:
        raise PerformanceError("A target cannot be negative")
    elapsed, total = elapsed_days(start, end, on)
    if elapsed >= total:
        return target
    if elapsed == 0:
        return ZERO
    return target * elapsed / total


# Status of one commitment -----------------------------------------------------------------------------------------


class Status(StrEnum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"
    NOT_STARTED = "not_started"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS = {
    Status.ON_TRACK: "On track",
    Status.AT_RISK: "At risk",
    Status.OFF_TRACK: "Off track",
    Status.NOT_STARTED: "Not started",
}
STATUS_TEXT = (
    "Each commitment's status compares its verified delivery (accepted quantities only) with its target pro-rated to "
    "the time elapsed since the contract started, counting days inclusively: 90% or more of what is expected to date "
    "is on track (delivering more than expected is on track too), 70% or more is at risk, and below 70% is off track. "
    "Before the start date, or while nothing is expected yet, it has not started; a target of 0 is on track."
)


def _check_thresholds(at_risk_below: Decimal, off_track_below: Decimal) -> tuple[Decimal, Decimal]:
    at_risk_below = _decimal(at_risk_below, "at-risk threshold")
    off_track_below = _decimal(off_track_below, "off-track threshold")
    if not ZERO <= off_track_below <= at_risk_below:
        raise PerformanceError("The thresholds must satisfy 0 ≤ off-track threshold ≤ at-risk threshold")
    return at_risk_below, off_track_below


def status_for(
    delivered: Decimal,
    expected: Decimal,
    *,
    at_risk_below: Decimal = AT_RISK_BELOW,
    off_track_below: Decimal = OFF_TRACK_BELOW,
) -> Status:
    """The status from delivery and what is expected to date (nothing expected: not started). The comparisons are
    multiplications, so a delivery of exactly 90% or 70% of the expected figure lands on the better side."""
    delivered = _decimal(delivered, "delivered quantity")
    expected = _decimal(expected, "expected quantity")
    at_risk_below, off_track_below = _check_thresholds(at_risk_below, off_track_below)
    if delivered < 0:
        raise PerformanceError("A delivered quantity cannot be negative")
    if expected <= 0:
        return Status.NOT_STARTED
    if delivered >= at_risk_below * expected:
        return Status.ON_TRACK
    if delivered >= off_track_below * expected:
        return Status.AT_RISK
    return Status.OFF_TRACK


def commitment_status(
    delivered: Decimal,
    target: Decimal,
    start: date,
    end: date,
    on: date,
    *,
    at_risk_below: Decimal = AT_RISK_BELOW,
    off_track_below: Decimal = OFF_TRACK_BELOW,
) -> Status:
    """A commitment's status on `on` (see STATUS_TEXT): verified delivery ÷ the target expected to date — at least
    `at_risk_below` (90%) on track, at least `off_track_below` (70%) at risk, below that off track. Before the start
    date it has not started; a target of 0 is on track from the start date."""
    expected = expected_to_date(target, start, end, on)
    status = status_for(delivered, expected, at_risk_below=at_risk_below, off_track_below=off_track_below)
    if on >= start and _decimal(target, "target") == 0:
        return Status.ON_TRACK
    return status


# Suggested performance rating -------------------------------------------------------------------------------------


class Rating(StrEnum):
    """The Procurement Act 2023 s.71 contract performance notice scale."""

    GOOD = "good"
    APPROACHING_TARGET = "approaching_target"
    REQUIRES_IMPROVEMENT = "requires_improvement"
    INADEQUATE = "inadequate"
    OTHER = "other"

    @property
    def label(self) -> str:
        return RATING_LABELS[self]


RATING_LABELS = {
    Rating.GOOD: "Good",
    Rating.APPROACHING_TARGET: "Approaching target",
    Rating.REQUIRES_IMPROVEMENT: "Requires improvement",
    Rating.INADEQUATE: "Inadequate",
    Rating.OTHER: "Other",
}
# Lowest overall ratio for each rating, best first; below the last: Inadequate.
RATING_BANDS = (
    (Decimal("1"), Rating.GOOD),
    (Decimal("0.9"), Rating.APPROACHING_TARGET),
    (Decimal("0.7"), Rating.REQUIRES_IMPROVEMENT),
)
RATING_TEXT = (
    "The suggested rating compares verified delivery with what was expected to date across the contract's "
    "commitments, each commitment counting at most in full so over-delivery on one cannot hide a shortfall on another. "
    "Where every commitment has a proxy value the commitments are weighted by monetised value (£ delivered ÷ £ "
    "expected); otherwise each counts equally. 100% is Good, 90% or more Approaching target, 70% or more Requires "
    "improvement, below 70% Inadequate; with nothing expected yet it is Other. The contract manager confirms it."
)


@dataclass(frozen=True)
class Progress:
    """One commitment's delivery so far: verified delivered quantity, quantity expected to date, and its proxy value
    (£ per unit) when the measure has one."""

    delivered: Decimal
    expected: Decimal
    proxy_value: Decimal | None = None

    @classmethod
    def on(
        cls,
        delivered: Decimal,
        target: Decimal,
        start: date,
        end: date,
        on: date,
        proxy_value: Decimal | None = None,
    ) -> "Progress":
        return cls(delivered, expected_to_date(target, start, end, on), proxy_value)


@dataclass(frozen=True)
class Suggestion:
    rating: Rating
    reason: str
    ratio: Decimal | None  # the overall share of expected delivery achieved (0 to 1); None when nothing was expected


def _rating_for(achieved: Decimal, expected: Decimal) -> Rating:
    for lowest, rating in RATING_BANDS:
        if achieved >= lowest * expected:
            return rating
    return Rating.INADEQUATE


def suggested_rating(commitments: Iterable[Progress]) -> Suggestion:
    """The Procurement Act rating suggested by the commitments' delivery (see RATING_TEXT).

    Each commitment counts at most in full (min(delivered, expected)). Commitments with nothing expected yet are left
    out. Weighting: by monetised value (Σ proxy × min(delivered, expected) ÷ Σ proxy × expected) when every counted
    commitment has a proxy value above £0; otherwise by count (the mean of min(delivered ÷ expected, 1)), so an
    unmonetised commitment is never silently ignored."""
    counted = []
    for item in commitments:
        delivered = _decimal(item.delivered, "delivered quantity")
        expected = _decimal(item.expected, "expected quantity")
        if delivered < 0:
            raise PerformanceError("A delivered quantity cannot be negative")
        proxy = None if item.proxy_value is None else _decimal(item.proxy_value, "proxy value")
        if proxy is not None and proxy < 0:
            raise PerformanceError("A proxy value cannot be negative")
        if expected > 0:
            counted.append((min(delivered, expected), expected, proxy))
    if not counted:
        reason = "Nothing was expected to be delivered yet on any commitment, so there is nothing to rate."
        return Suggestion(Rating.OTHER, reason, None)
    monetised = all(proxy is not None and proxy > 0 for _, _, proxy in counted)
    if monetised:
        achieved = sum((proxy * got for got, _, proxy in counted), ZERO)
        expected = sum((proxy * due for _, due, proxy in counted), ZERO)
        weighting = "weighted by monetised value"
    else:
        achieved = sum((got / due for got, due, _ in counted), ZERO)
        expected = Decimal(len(counted))
        weighting = "each commitment counting equally"
    rating = _rating_for(achieved, expected)
    ratio = achieved / expected
    noun = "commitment" if len(counted) == 1 else "commitments"
    reason = (
        f"Verified delivery is {percent(ratio)} of what was expected to date across {len(counted)} {noun}, "
        f"{weighting}, which suggests {rating.label}."
    )
    return Suggestion(rating, reason, ratio)


# KPIs -------------------------------------------------------------------------------------------------------------


def kpis_required(contract_value: Decimal, *, over: Decimal = KPI_VALUE_OVER, minimum: int = KPI_MINIMUM) -> int:
    """How many KPIs the contract must have: `minimum` (3) when its value is strictly more than `over` (£5m), else 0."""
    value = _decimal(contract_value, "contract value")
    if value < 0:
        raise PerformanceError("A contract value cannot be negative")
    return minimum if value > _decimal(over, "KPI threshold") else 0


def kpi_shortfall(
    contract_value: Decimal, kpi_count: int, *, over: Decimal = KPI_VALUE_OVER, minimum: int = KPI_MINIMUM
) -> str | None:
    """The plain-English warning when the contract has fewer KPIs than the Procurement Act requires; None otherwise."""
    if isinstance(kpi_count, bool) or not isinstance(kpi_count, int) or kpi_count < 0:
        raise PerformanceError("The number of KPIs must be a whole number, 0 or more")
    required = kpis_required(contract_value, over=over, minimum=minimum)
    if kpi_count >= required:
        return None
    has = "no KPIs" if kpi_count == 0 else f"{kpi_count} KPI" if kpi_count == 1 else f"{kpi_count} KPIs"
    return (
        f"The Procurement Act 2023 (section 52) requires at least {required} key performance indicators for a "
        f"contract worth more than {money_whole_pounds(_decimal(over, 'KPI threshold'))}: this contract has {has}."
    )


# Reporting schedule -----------------------------------------------------------------------------------------------


class Level(StrEnum):
    """The reporting level (the same values as compact.models.ReportingLevel)."""

    LIGHT_TOUCH = "light_touch"
    STANDARD = "standard"


LEVEL_MONTHS = {Level.LIGHT_TOUCH: 6, Level.STANDARD: 3}
LEVEL_PERIOD_NAME = {Level.LIGHT_TOUCH: "Half-year", Level.STANDARD: "Quarter"}
SCHEDULE_TEXT = (
    "Contracts worth less than the authority's light-touch value report half-yearly against a milestone tracker; "
    "others report quarterly. Periods run from the contract start date; a period starts on the same day of the month "
    "as the contract did, or on the month's last day when the month is shorter (a contract starting on 31 January "
    "has quarters starting 30 April, 31 July and 31 October). Each period ends the day before the next starts, the "
    "last on the contract end date, and each report is due 30 days after its period ends."
)


@dataclass(frozen=True)
class Period:
    number: int
    start: date
    end: date
    due: date
    label: str


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or that month's last day when it is shorter (31 January + 3 months: 30 April)."""
    year, month = divmod(day.month - 1 + months, 12)
    year += day.year
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def reporting_level(contract_value: Decimal, light_touch_below: Decimal) -> Level:
    """Light-touch when the value is strictly below the authority's light-touch value; standard (quarterly)
    otherwise."""
    value = _decimal(contract_value, "contract value")
    below = _decimal(light_touch_below, "light-touch value")
    if value < 0:
        raise PerformanceError("A contract value cannot be negative")
    if below < 0:
        raise PerformanceError("The light-touch value cannot be negative")
    return Level.LIGHT_TOUCH if value < below else Level.STANDARD


def periods_for(level: Level, start: date, end: date) -> list[Period]:
    """The reporting periods of a contract at `level` (see SCHEDULE_TEXT). Each period's start is counted from the
    contract start (start + 3n months), not from the previous period, so month-end starts do not drift."""
    _check_dates(start, end)
    level = Level(level)
    months, name = LEVEL_MONTHS[level], LEVEL_PERIOD_NAME[level]
    periods = []
    number, period_start = 1, start
    while True:
        try:
            next_start = add_months(start, months * number)
        except (ValueError, OverflowError):  # beyond the last representable date
            next_start = None
        period_end = end if next_start is None or next_start > end else next_start - timedelta(days=1)
        label = f"{name} {number} ({date_long(period_start)} to {date_long(period_end)})"
        periods.append(Period(number, period_start, period_end, period_end + timedelta(days=REPORT_DUE_DAYS), label))
        if period_end == end:
            return periods
        number, period_start = number + 1, next_start


def reporting_schedule(contract_value: Decimal, light_touch_below: Decimal, start: date, end: date) -> list[Period]:
    """The contract's reporting periods: half-yearly milestone reports when its value is below the authority's
    light-touch value, quarterly otherwise; each report due 30 days after its period ends."""
    return periods_for(reporting_level(contract_value, light_touch_below), start, end)
