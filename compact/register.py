"""The consultation register: every consultation the authority runs, with its dates, its length, whether it met the
Compact's 12 weeks, the reason when it is shorter, and whether respondents got feedback; the public consultation
calendar; and the annual share of consultations that met 12 weeks or explained why.

Charter consultations join the register automatically (`compact.signals`) and are kept in step with the charter;
staff enter the others. The Compact (RULES.md, Consultation): "12-week formal written consultations where
appropriate, with the rationale explained for shorter ones; feedback on how responses were used."
"""

import calendar
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import BooleanField, Case, CharField, Exists, F, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone

from accounts.audit import audit_record
from accounts.models import Authority, User
from charters.models import Comment, CommentStatus, VersionStatus
from foundation.errors import DomainError

from .models import RegisteredConsultation
from .reports import financial_year, financial_year_label

TWELVE_WEEKS_DAYS = 84
PAGE_SIZE = 25
TITLE_MAX_LENGTH = 200
TEXT_MAX_LENGTH = 3000
URL_MAX_LENGTH = 500
UPCOMING_ON_SUMMARY = 3
CHARTER_ENTRY_REFUSAL = (
    "This is a charter consultation. It is kept in step with the charter's consultation automatically, so it cannot "
    "be changed or removed here."
)


# The rules (pure) -------------------------------------------------------------------------------------------------


def length_days(opens_on: date, closes_on: date) -> int:
    """Days from opening to closing, counted as charters' Consultation counts them."""
    return (closes_on - opens_on).days


def length_weeks(opens_on: date, closes_on: date) -> Decimal:
    """The length in weeks, to one decimal place."""
    return (Decimal(length_days(opens_on, closes_on)) / 7).quantize(Decimal("0.1"))


def weeks_text(weeks: Decimal) -> str:
    """'12 weeks', '8.6 weeks', '1 week'."""
    shown = f"{weeks.normalize():f}" if weeks == weeks.to_integral_value() else f"{weeks:f}"
    return f"{shown} week{'' if weeks == 1 else 's'}"


def meets_twelve_weeks(opens_on: date, closes_on: date) -> bool:
    return length_days(opens_on, closes_on) >= TWELVE_WEEKS_DAYS


def is_compliant(opens_on: date, closes_on: date, shorter_reason: str) -> bool:
    """Met 12 weeks, or explained why not."""
    return meets_twelve_weeks(opens_on, closes_on) or bool((shorter_reason or "").strip())


def financial_year_of(day: date) -> int:
    """The financial year (1 April to 31 March) a day falls in, named by the year it starts."""
    return day.year if day.month >= 4 else day.year - 1


@dataclass(frozen=True)
class Compliance:
    """One financial year's consultations, counted in the year each opened."""

    year: int
    total: int = 0
    met: int = 0
    explained: int = 0
    unexplained: int = 0

    @property
    def label(self) -> str:
        return financial_year_label(self.year)

    @property
    def compliant(self) -> int:
        return self.met + self.explained

    @property
    def share(self) -> Decimal | None:
        """The percentage that met 12 weeks or explained why, to one decimal place; None when there were none."""
        if not self.total:
            return None
        return (Decimal(self.compliant) * 100 / self.total).quantize(Decimal("0.1"))


Row = tuple[date, date, str]


def annual_compliance(rows: Iterable[Row], year: int) -> Compliance:
    """Counts (opens_on, closes_on, shorter_reason) rows in the financial year starting in April of `year`: a
    consultation counts once, in the financial year in which it opened, even when it closes in the next."""
    starts, ends = financial_year(year)
    met = explained = unexplained = 0
    for opens_on, closes_on, reason in rows:
        if not starts <= opens_on <= ends:
            continue
        if meets_twelve_weeks(opens_on, closes_on):
            met += 1
        elif (reason or "").strip():
            explained += 1
        else:
            unexplained += 1
    return Compliance(year, met + explained + unexplained, met, explained, unexplained)


def compliance_by_year(rows: Iterable[Row]) -> list[Compliance]:
    """Every financial year that has a consultation, newest first."""
    rows = list(rows)
    years = sorted({financial_year_of(opens_on) for opens_on, _, _ in rows}, reverse=True)
    return [annual_compliance(rows, year) for year in years]


# Validation -------------------------------------------------------------------------------------------------------

_url_validator = URLValidator(schemes=["http", "https"])


def _clean_url(value: str, field_name: str) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    if len(value) > URL_MAX_LENGTH:
        raise DomainError(f"The web address must be {URL_MAX_LENGTH} characters or fewer", field=field_name)
    try:
        _url_validator(value)
    except ValidationError:
        raise DomainError(
            "Enter a web address in the correct format, like https://www.example.org/consultation", field=field_name
        ) from None
    return value


def _clean_text(value: str, field_name: str, what: str, limit: int = TEXT_MAX_LENGTH) -> str:
    value = (value or "").strip()
    if len(value) > limit:
        raise DomainError(f"The {what} must be {limit:,} characters or fewer", field=field_name)
    return value


def _cleaned(*, title, summary, url, opens_on, closes_on, shorter_reason) -> dict:
    title = _clean_text(title, "title", "title", TITLE_MAX_LENGTH)
    if not title:
        raise DomainError("Enter the consultation's title", field="title")
    if opens_on is None:
        raise DomainError("Enter the date the consultation opens", field="opens_on")
    if closes_on is None:
        raise DomainError("Enter the date the consultation closes", field="closes_on")
    if closes_on <= opens_on:
        raise DomainError("The closing date must be after the opening date", field="closes_on")
    shorter_reason = _clean_text(shorter_reason, "shorter_reason", "reason")
    if not meets_twelve_weeks(opens_on, closes_on) and not shorter_reason:
        raise DomainError(
            f"Explain why the consultation is shorter than 12 weeks: it runs for "
            f"{weeks_text(length_weeks(opens_on, closes_on))}",
            field="shorter_reason",
        )
    return {
        "title": title,
        "summary": _clean_text(summary, "summary", "summary"),
        "url": _clean_url(url, "url"),
        "opens_on": opens_on,
        "closes_on": closes_on,
        "shorter_reason": shorter_reason,
    }


def _require_entered(entry: RegisteredConsultation) -> None:
    if entry.charter_consultation_id is not None:
        raise DomainError(CHARTER_ENTRY_REFUSAL)


def _locked(entry: RegisteredConsultation) -> RegisteredConsultation:
    return RegisteredConsultation.objects.select_for_update().get(pk=entry.pk)


# Services ---------------------------------------------------------------------------------------------------------


def register_add(
    *,
    authority: Authority,
    acting_user: User,
    title: str,
    opens_on: date | None,
    closes_on: date | None,
    summary: str = "",
    url: str = "",
    shorter_reason: str = "",
) -> RegisteredConsultation:
    """Enters a consultation the authority runs outside this service's charters."""
    values = _cleaned(
        title=title, summary=summary, url=url, opens_on=opens_on, closes_on=closes_on, shorter_reason=shorter_reason
    )
    with transaction.atomic():
        entry = RegisteredConsultation.objects.create(authority=authority, created_by=acting_user, **values)
        audit_record(
            authority=authority,
            actor=acting_user,
            verb="register.consultation_added",
            obj=entry,
            changes=_audit_values(values),
        )
    return entry


def register_update(
    *,
    entry: RegisteredConsultation,
    acting_user: User,
    title: str,
    opens_on: date | None,
    closes_on: date | None,
    summary: str = "",
    url: str = "",
    shorter_reason: str = "",
) -> RegisteredConsultation:
    _require_entered(entry)
    values = _cleaned(
        title=title, summary=summary, url=url, opens_on=opens_on, closes_on=closes_on, shorter_reason=shorter_reason
    )
    with transaction.atomic():
        entry = _locked(entry)
        _require_entered(entry)
        before = _audit_values({name: getattr(entry, name) for name in values})
        after = _audit_values(values)
        for name, value in values.items():
            setattr(entry, name, value)
        entry.updated_at = timezone.now()
        entry.save(update_fields=[*values, "updated_at"])
        audit_record(
            authority=entry.authority,
            actor=acting_user,
            verb="register.consultation_updated",
            obj=entry,
            changes={
                name: {"before": before[name], "after": after[name]} for name in after if before[name] != after[name]
            },
        )
    return entry


def register_remove(*, entry: RegisteredConsultation, acting_user: User) -> None:
    _require_entered(entry)
    with transaction.atomic():
        entry = _locked(entry)
        _require_entered(entry)
        audit_record(
            authority=entry.authority,
            actor=acting_user,
            verb="register.consultation_removed",
            obj=entry,
            changes=_audit_values({"title": entry.title, "opens_on": entry.opens_on, "closes_on": entry.closes_on}),
        )
        entry.delete()


def feedback_record(
    *,
    entry: RegisteredConsultation,
    acting_user: User,
    feedback_given: bool,
    feedback_url: str = "",
    today: date | None = None,
) -> RegisteredConsultation:
    """Records whether respondents got feedback on how their responses were used, and where it is published."""
    _require_entered(entry)
    today = today or timezone.localdate()
    feedback_url = _clean_url(feedback_url, "feedback_url")
    if feedback_given:
        if today <= entry.closes_on:
            raise DomainError(
                f"The consultation closes on {entry.closes_on:%-d %B %Y}. Record feedback after it has closed.",
                field="feedback_given",
            )
        if not feedback_url:
            raise DomainError("Enter the web address where the feedback is published", field="feedback_url")
    else:
        feedback_url = ""
    with transaction.atomic():
        entry = _locked(entry)
        _require_entered(entry)
        before = {"feedback_given": entry.feedback_given, "feedback_url": entry.feedback_url}
        entry.feedback_given, entry.feedback_url = feedback_given, feedback_url
        entry.updated_at = timezone.now()
        entry.save(update_fields=["feedback_given", "feedback_url", "updated_at"])
        audit_record(
            authority=entry.authority,
            actor=acting_user,
            verb="register.feedback_recorded",
            obj=entry,
            changes={
                "feedback_given": {"before": before["feedback_given"], "after": feedback_given},
                "feedback_url": {"before": before["feedback_url"], "after": feedback_url},
            },
        )
    return entry


def _audit_values(values: dict) -> dict:
    return {name: str(value) if isinstance(value, date) else value for name, value in values.items()}


# Selectors --------------------------------------------------------------------------------------------------------


def _with_links(queryset: QuerySet) -> QuerySet:
    """Annotates `withdrawn` (a charter consultation whose version was withdrawn: it ran, but its page is no longer
    public) and `public_url`, the address to link to (none for a withdrawn one)."""
    withdrawn = Q(charter_consultation__version__status=VersionStatus.WITHDRAWN)
    return queryset.annotate(
        withdrawn=Case(When(withdrawn, then=Value(True)), default=Value(False), output_field=BooleanField()),
        public_url=Case(When(withdrawn, then=Value("")), default=F("url"), output_field=CharField()),
    )


def _with_feedback(queryset: QuerySet, today: date) -> QuerySet:
    """Annotates `feedback`: for an entered consultation, what staff recorded; for a charter consultation, given
    once it has closed and every comment is moderated and every published one has its public answer ("you said, we
    did"). One subquery, so a page of the register stays one query."""
    waiting = Comment.objects.filter(consultation_id=OuterRef("charter_consultation_id")).filter(
        Q(status=CommentStatus.HELD) | Q(status=CommentStatus.PUBLISHED, response__isnull=True)
    )
    return queryset.annotate(
        feedback=Case(
            When(charter_consultation__isnull=True, then=F("feedback_given")),
            When(Q(closes_on__lt=today) & ~Exists(waiting), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def register_entries(authority: Authority, *, year: int | None = None, today: date | None = None) -> QuerySet:
    """The register, newest first, optionally for one financial year (by opening date), with `feedback`,
    `withdrawn` and `public_url` annotated."""
    today = today or timezone.localdate()
    entries = _with_links(RegisteredConsultation.objects.filter(authority=authority))
    if year is not None:
        starts, ends = financial_year(year)
        entries = entries.filter(opens_on__range=(starts, ends))
    return _with_feedback(entries, today).order_by("-opens_on", "-id")


def register_entry_get(authority: Authority, entry_id) -> RegisteredConsultation | None:
    return (
        RegisteredConsultation.objects.filter(authority=authority, pk=entry_id)
        .select_related("charter_consultation__version__charter")
        .first()
    )


def register_compliance(authority: Authority) -> list[Compliance]:
    """Each financial year's compliance, newest first, from one query of three fields."""
    rows = RegisteredConsultation.objects.filter(authority=authority).values_list(
        "opens_on", "closes_on", "shorter_reason"
    )
    return compliance_by_year(rows)


@dataclass
class CalendarMonth:
    first_day: date
    is_current: bool
    opening: list = field(default_factory=list)
    closing: list = field(default_factory=list)
    continuing: list = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.opening or self.closing or self.continuing)


def calendar_year(authority: Authority, year: int, *, today: date | None = None) -> list[CalendarMonth]:
    """The twelve months of a calendar year, each with the consultations opening in it, closing in it, and open
    throughout it (opened before and closing after), from one query."""
    today = today or timezone.localdate()
    entries = list(
        _with_links(
            RegisteredConsultation.objects.filter(
                authority=authority, opens_on__lte=date(year, 12, 31), closes_on__gte=date(year, 1, 1)
            )
        ).order_by("opens_on", "closes_on", "id")
    )
    months = []
    for month in range(1, 13):
        first = date(year, month, 1)
        last = date(year, month, calendar.monthrange(year, month)[1])
        found = CalendarMonth(first_day=first, is_current=(today.year, today.month) == (year, month))
        for entry in entries:
            if first <= entry.opens_on <= last:
                found.opening.append(entry)
            if first <= entry.closes_on <= last:
                found.closing.append(entry)
            if entry.opens_on < first and entry.closes_on > last:
                found.continuing.append(entry)
        found.closing.sort(key=lambda entry: (entry.closes_on, entry.pk))
        months.append(found)
    return months


def calendar_feed_entries(authority: Authority) -> list[RegisteredConsultation]:
    """Every consultation in the register, for the iCalendar feed."""
    return list(_with_links(RegisteredConsultation.objects.filter(authority=authority)).order_by("opens_on", "id"))


@dataclass(frozen=True)
class PublicSummary:
    compliance: Compliance
    open_now: list
    upcoming: list
    today: date


def public_summary(authority: Authority, today: date | None = None) -> PublicSummary:
    """For the public Compact page: this financial year's compliance so far, the consultations open today, and the
    next to open. Three queries."""
    today = today or timezone.localdate()
    year = financial_year_of(today)
    starts, ends = financial_year(year)
    # "So far": consultations planned for later in the year are not counted yet.
    rows = RegisteredConsultation.objects.filter(
        authority=authority, opens_on__range=(starts, min(ends, today))
    ).values_list("opens_on", "closes_on", "shorter_reason")
    entries = _with_links(RegisteredConsultation.objects.filter(authority=authority))
    return PublicSummary(
        compliance=annual_compliance(rows, year),
        open_now=list(entries.filter(opens_on__lte=today, closes_on__gte=today).order_by("closes_on", "id")),
        upcoming=list(entries.filter(opens_on__gt=today).order_by("opens_on", "id")[:UPCOMING_ON_SUMMARY]),
        today=today,
    )
