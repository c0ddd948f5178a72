"""What anyone can read: the platform-wide list of published tenders, with filters, and a tender's public page.

The list (`/tenders/`) runs outside any authority and reads through the public selectors, which cross authorities
on purpose and only for published and closed tenders. The tender page (`/p/<authority_slug>/tenders/<id>/`) runs
inside its authority's scope; drafts and cancelled tenders answer 404. Both work without JavaScript: the filters are
a GET form, and pagination keeps them.
"""

from django.http import Http404
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone

from accounts.views import form_status
from charters.models import VersionStatus

from .. import clarifications as selectors
from .. import selectors as tender_selectors
from ..filters import SHOW_ALL, SHOW_OPEN, TenderPageFilterSet

FILTER_FIELDS = (
    "keyword",
    "authority",
    "category",
    "cpv_division",
    "value_min",
    "value_max",
    "closing_after",
    "closing_before",
)


def _has_filters(query) -> bool:
    if query.get("show") == SHOW_ALL:
        return True
    return any(key.startswith(name) and value.strip() for key, value in query.items() for name in FILTER_FIELDS)


def tender_list_public(request):
    """Published tenders across every authority, open ones closing soonest first, 20 a page."""
    data = request.GET.copy()
    if not data.get("show"):
        data["show"] = SHOW_OPEN  # open for bids only, unless asked otherwise
    now = timezone.now()
    filterset = TenderPageFilterSet(
        data,
        queryset=tender_selectors.tender_list_public(now=now),
        choices=tender_selectors.public_filter_choices(),
        now=now,
    )
    form = filterset.form
    form.is_valid()  # the filters from the fields that are valid: a mistake in one box does not throw away the others
    page = tender_selectors.tender_page_public(filterset.qs, page=request.GET.get("page"), now=now)
    return render(
        request,
        "tenders/public/tender_list_public.html",
        {
            "form": form,
            "page_obj": page,
            "tenders": page.object_list,
            "open_only": filterset.open_only,
            "has_filters": _has_filters(request.GET),
        },
        status=form_status(form),
    )


def tender_public(request, authority_slug, tender_id):
    """A published (or closed) tender: everything a bidder needs, the charter priorities it asks for, and its
    published clarifications; a supplier's member also sees their organisation's own questions."""
    if request.authority is None:
        raise Http404("No such authority")
    tender = selectors.tender_get_public(request.authority, tender_id)
    if tender is None:
        raise Http404("No such tender")
    page = selectors.tender_public_page(tender, user=request.user)
    version = tender.charter_version
    charter_url = ""
    if version is not None and version.status in (VersionStatus.ADOPTED, VersionStatus.SUPERSEDED):
        charter_url = reverse("charters:version-public", args=[request.authority.slug, version.pk])
    assessment = tender.threshold_assessment if isinstance(tender.threshold_assessment, dict) else {}
    return render(
        request,
        "tenders/public/tender_public.html",
        {
            "tender": tender,
            "page": page,
            "charter_url": charter_url,
            "threshold_explanation": assessment.get("explanation", ""),
            "ask_url": reverse("tenders:clarification-ask", args=[request.authority.slug, tender.pk]),
            # publication serves the open data; the page only links to it by URL name
            "ocds_url": reverse("publication:ocds-records", args=[request.authority.slug]) + f"?ocid={tender.ocid}",
        },
    )


staff_urlpatterns = []
public_urlpatterns = [
    path("tenders/<int:tender_id>/", tender_public, name="tender-public"),
]
platform_urlpatterns = [
    path("tenders/", tender_list_public, name="tender-list-public"),
]
