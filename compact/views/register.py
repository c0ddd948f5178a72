"""The consultation register: the staff register with entering, changing, removing and recording feedback for
consultations run outside this service's charters; the public register with the annual compliance table, the public
consultation calendar and its iCalendar feed.

Every form is a plain POST that answers 303, or 422 with the error summary and what was typed kept.
"""

from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from accounts.decorators import authority_permission
from accounts.roles import has_permission
from accounts.views import add_domain_error, form_status, public_authority, see_other
from foundation.errors import DomainError

from .. import register as services
from ..forms.register import FeedbackForm, RegisterEntryForm
from ..reports import financial_year_label

# Helpers ----------------------------------------------------------------------------------------------------------


def _year_choice(value, years: list[int]) -> int | None:
    """The financial year asked for in ?year=, when it is one with consultations."""
    return int(value) if (value or "").isdigit() and int(value) in years else None


def _list_url(request) -> str:
    return reverse("compact:register-list", args=[request.authority.slug])


def _entry_or_404(request, entry_id):
    entry = services.register_entry_get(request.authority, entry_id)
    if entry is None:
        raise Http404("No such consultation")
    return entry


def _charter_entry(request, entry):
    """Charter consultations are kept in step from charters: say so, and where to change them."""
    manage_url = reverse("charters:consultation-manage", args=[request.authority.slug, entry.charter_consultation_id])
    return render(
        request,
        "compact/register/register_charter_entry.html",
        {"entry": entry, "manage_url": manage_url, "list_url": _list_url(request)},
    )


def _register_context(request, *, public: bool) -> dict:
    authority = request.authority
    today = timezone.localdate()
    compliance = services.register_compliance(authority)
    years = [row.year for row in compliance]
    year = _year_choice(request.GET.get("year"), years)
    page_obj = Paginator(services.register_entries(authority, year=year, today=today), services.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    entries = list(page_obj.object_list)
    for entry in entries:
        entry.length_text = services.weeks_text(services.length_weeks(entry.opens_on, entry.closes_on))
        entry.met = services.meets_twelve_weeks(entry.opens_on, entry.closes_on)
    return {
        "authority": authority,
        "today": today,
        "compliance": compliance,
        "year_options": [(row.year, row.label) for row in compliance],
        "year": year,
        "year_label": financial_year_label(year) if year is not None else "",
        "page_obj": page_obj,
        "entries": entries,
        "query_string": f"year={year}" if year is not None else "",
        "public": public,
    }


# Staff ------------------------------------------------------------------------------------------------------------


@authority_permission("compact.view")
@require_GET
def register_list(request):
    context = _register_context(request, public=False)
    context["can_manage"] = has_permission(request.roles, "compact.manage")
    return render(request, "compact/register/register_list.html", context)


@authority_permission("compact.manage")
@require_http_methods(["GET", "POST"])
def register_new(request):
    form = RegisterEntryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            entry = services.register_add(authority=request.authority, acting_user=request.user, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, f"“{entry.title}” has been added to the consultation register.")
            return see_other(f"{_list_url(request)}#entry-{entry.pk}")
    return render(
        request,
        "compact/register/register_form.html",
        {"form": form, "entry": None, "list_url": _list_url(request)},
        status=form_status(form),
    )


@authority_permission("compact.manage")
@require_http_methods(["GET", "POST"])
def register_edit(request, entry_id):
    entry = _entry_or_404(request, entry_id)
    if entry.charter_consultation_id is not None:
        return _charter_entry(request, entry)
    initial = {
        name: getattr(entry, name) for name in ("title", "summary", "url", "opens_on", "closes_on", "shorter_reason")
    }
    form = RegisterEntryForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            entry = services.register_update(entry=entry, acting_user=request.user, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, f"“{entry.title}” has been updated.")
            return see_other(f"{_list_url(request)}#entry-{entry.pk}")
    return render(
        request,
        "compact/register/register_form.html",
        {"form": form, "entry": entry, "list_url": _list_url(request)},
        status=form_status(form),
    )


@authority_permission("compact.manage")
@require_http_methods(["GET", "POST"])
def register_remove(request, entry_id):
    entry = _entry_or_404(request, entry_id)
    if entry.charter_consultation_id is not None:
        return _charter_entry(request, entry)
    if request.method == "POST":
        services.register_remove(entry=entry, acting_user=request.user)
        messages.success(request, f"“{entry.title}” has been removed from the consultation register.")
        return see_other(_list_url(request))
    return render(
        request,
        "compact/register/register_remove.html",
        {
            "entry": entry,
            "weeks": services.weeks_text(services.length_weeks(entry.opens_on, entry.closes_on)),
            "list_url": _list_url(request),
        },
    )


@authority_permission("compact.manage")
@require_http_methods(["GET", "POST"])
def register_feedback(request, entry_id):
    entry = _entry_or_404(request, entry_id)
    if entry.charter_consultation_id is not None:
        return _charter_entry(request, entry)
    initial = {"feedback_given": "yes" if entry.feedback_given else "no", "feedback_url": entry.feedback_url}
    form = FeedbackForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            entry = services.feedback_record(
                entry=entry,
                acting_user=request.user,
                feedback_given=form.cleaned_data["feedback_given"] == "yes",
                feedback_url=form.cleaned_data["feedback_url"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(
                request,
                f"Feedback recorded for “{entry.title}”."
                if entry.feedback_given
                else f"“{entry.title}” is recorded as without feedback yet.",
            )
            return see_other(f"{_list_url(request)}#entry-{entry.pk}")
    return render(
        request,
        "compact/register/register_feedback.html",
        {"form": form, "entry": entry, "list_url": _list_url(request)},
        status=form_status(form),
    )


# Public -----------------------------------------------------------------------------------------------------------


@require_GET
def register_public(request, authority_slug):
    public_authority(request)
    return render(request, "compact/register/public_register.html", _register_context(request, public=True))


CALENDAR_RANGE_YEARS = 50  # how far from today the calendar goes, either way


@require_GET
def register_calendar(request, authority_slug):
    authority = public_authority(request)
    today = timezone.localdate()
    asked = request.GET.get("year", "")
    year = int(asked) if asked.isdigit() and abs(int(asked) - today.year) <= CALENDAR_RANGE_YEARS else today.year
    months = services.calendar_year(authority, year, today=today)
    return render(
        request,
        "compact/register/calendar.html",
        {
            "authority": authority,
            "year": year,
            "months": months,
            "today": today,
            "previous_year": year - 1 if year - 1 >= today.year - CALENDAR_RANGE_YEARS else None,
            "next_year": year + 1 if year + 1 <= today.year + CALENDAR_RANGE_YEARS else None,
            "has_any": any(not month.is_empty for month in months),
        },
    )


# iCalendar (RFC 5545) ---------------------------------------------------------------------------------------------


def ics_text(value: str) -> str:
    """Escapes TEXT values (RFC 5545 3.3.11): backslash, semicolon, comma and line breaks."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def ics_fold(line: str) -> str:
    """Folds a content line at 75 octets (RFC 5545 3.1), never inside a UTF-8 character."""
    parts, current, size = [], "", 0
    for char in line:
        width = len(char.encode("utf-8"))
        # Continuation lines start with a space, which counts towards their 75.
        if size + width > 75:
            parts.append(current)
            current, size = " ", 1
        current += char
        size += width
    parts.append(current)
    return "\r\n".join(parts)


def _ics_date(day: date) -> str:
    return day.strftime("%Y%m%d")


def _ics_stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def calendar_ics(authority, entries, *, absolute) -> str:
    """The authority's consultations as all-day events from the opening day to the closing day (DTEND is the day
    after closing: it is exclusive). UIDs name the register row and the site, so they stay the same on every
    download."""
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:-//{ics_text(settings.SITE_NAME)}//Consultation calendar//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{ics_text(authority.name + ' consultations')}",
    ]
    for entry in entries:
        weeks = services.length_weeks(entry.opens_on, entry.closes_on)
        description = [f"Runs for {services.weeks_text(weeks)}."]
        if entry.summary:
            description.append(entry.summary)
        if not services.meets_twelve_weeks(entry.opens_on, entry.closes_on) and entry.shorter_reason:
            description.append(f"Why it is shorter than 12 weeks: {entry.shorter_reason}")
        lines += [
            "BEGIN:VEVENT",
            f"UID:consultation-{entry.pk}-{authority.slug}@{host}",
            f"DTSTAMP:{_ics_stamp(entry.updated_at)}",
            f"DTSTART;VALUE=DATE:{_ics_date(entry.opens_on)}",
            f"DTEND;VALUE=DATE:{_ics_date(entry.closes_on + timedelta(days=1))}",
            f"SUMMARY:{ics_text('Consultation: ' + entry.title)}",
            f"DESCRIPTION:{ics_text(chr(10).join(description))}",
            "TRANSP:TRANSPARENT",
        ]
        if entry.public_url:
            lines.append(f"URL:{absolute(entry.public_url)}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(ics_fold(line) + "\r\n" for line in lines)


@require_GET
def register_calendar_ics(request, authority_slug):
    authority = public_authority(request)
    body = calendar_ics(authority, services.calendar_feed_entries(authority), absolute=request.build_absolute_uri)
    response = HttpResponse(body.encode("utf-8"), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{authority.slug}-consultations.ics"'
    return response


staff_urlpatterns = [
    path("compact/register/", register_list, name="register-list"),
    path("compact/register/new/", register_new, name="register-new"),
    path("compact/register/<int:entry_id>/edit/", register_edit, name="register-edit"),
    path("compact/register/<int:entry_id>/remove/", register_remove, name="register-remove"),
    path("compact/register/<int:entry_id>/feedback/", register_feedback, name="register-feedback"),
]
public_urlpatterns = [
    path("compact/consultations/", register_public, name="register-public"),
    path("compact/calendar/", register_calendar, name="register-calendar"),
    path("compact/calendar.ics", register_calendar_ics, name="register-calendar-ics"),
]
platform_urlpatterns = []
