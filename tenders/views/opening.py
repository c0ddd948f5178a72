"""Opening sealed offers, and reading them once opened (staff, /a/<authority>/).

Before its offers are opened a tender's staff see only how many offers it has. A procurement officer opens them
after the submission deadline on a confirmation page; then procurement officers and evaluators read each offer's
submitted content, receipt, identikit and over-claim findings and documents. Every read goes through
`tenders.sealing`, which refuses and audits any attempt before opening.
"""

from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from accounts.decorators import authority_permission
from accounts.views import see_other
from foundation.errors import DomainError

from .. import sealing, selectors
from ..documents import CONTENT_TYPES


def _refusals_audited(what: str):
    """Records a refusal on the role (by `authority_permission`, inside) before it answers 403: asking for sealed
    offers without the role to read them is an attempt too. Keeps the permission the route tests read."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            try:
                return view(request, *args, **kwargs)
            except PermissionDenied as refusal:
                # The service records its own refusals; record only the role check's.
                recorded = isinstance(refusal, sealing.OfferAccessRefused)
                if not recorded and getattr(request, "authority", None) is not None:
                    ids = {key.removesuffix("_id"): value for key, value in kwargs.items() if key.endswith("_id")}
                    sealing.access_refused_record(authority=request.authority, user=request.user, what=what, **ids)
                raise

        return wrapped

    return decorator


def _tender(request, tender_id):
    tender = selectors.tender_for_staff(request.authority, tender_id)
    if tender is None:
        raise Http404("No such tender")
    return tender


def _list_url(request, tender) -> str:
    return reverse("tenders:offer-list", args=[request.authority.slug, tender.pk])


def _sealed(request, tender, error: DomainError, *, status: int):
    return render(
        request,
        "tenders/opening/sealed.html",
        {"tender": tender, "message": error.message, "count": sealing.submitted_offer_count(tender)},
        status=status,
    )


@_refusals_audited("opening")
@authority_permission("offers.open")
@require_http_methods(["GET", "POST"])
def offers_open(request, tender_id):
    tender = _tender(request, tender_id)
    if sealing.offers_opened(tender):
        return see_other(_list_url(request, tender))
    error = ""
    if request.method == "POST":
        try:
            sealing.offers_open(tender=tender, acting_user=request.user)
        except DomainError as refusal:
            error = refusal.message
            tender = _tender(request, tender_id)
            if sealing.offers_opened(tender):  # opened by someone else meanwhile
                return see_other(_list_url(request, tender))
        else:
            messages.success(request, "The offers have been opened. Opening has been recorded in the audit log.")
            return see_other(_list_url(request, tender))
    return render(
        request,
        "tenders/opening/offers_open.html",
        {
            "tender": tender,
            "count": sealing.submitted_offer_count(tender),
            "refusal": sealing.open_refusal(tender, timezone.now()),
            "error": error,
            "page_has_errors": bool(error),
        },
        status=422 if error else 200,
    )


@_refusals_audited("offer list")
@authority_permission("offers.view")
def offer_list(request, tender_id):
    tender = _tender(request, tender_id)
    try:
        offers = sealing.offers_for_staff(tender=tender, user=request.user)
    except sealing.OffersSealed as error:
        # A page, not a refusal: how many offers there are is not sealed. The attempt is audited all the same.
        return _sealed(request, tender, error, status=200)
    return render(request, "tenders/opening/offer_list.html", {"tender": tender, "offers": offers})


@_refusals_audited("offer")
@authority_permission("offers.view")
def offer_detail(request, offer_id):
    try:
        staff_offer = sealing.offer_for_staff(authority=request.authority, offer_id=offer_id, user=request.user)
    except sealing.OffersSealed as error:
        return _sealed(request, error.tender, error, status=403)
    if staff_offer is None:
        raise Http404("No such offer")
    view = sealing.offer_view(staff_offer)
    return render(
        request,
        "tenders/opening/offer_detail.html",
        {"tender": staff_offer.offer.tender, "view": view, "offer": staff_offer, "content": staff_offer.content},
    )


@_refusals_audited("document")
@authority_permission("offers.view")
def offer_document(request, document_id):
    try:
        document = sealing.offer_document_for_staff(
            authority=request.authority, document_id=document_id, user=request.user
        )
    except sealing.OffersSealed as error:
        return _sealed(request, error.tender, error, status=403)
    except sealing.DocumentAltered as error:
        return render(request, "tenders/opening/document_altered.html", {"message": error.message}, status=409)
    if document is None:
        raise Http404("No such document")
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.name,
        content_type=CONTENT_TYPES.get(document.kind, "application/octet-stream"),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


staff_urlpatterns = [
    path("tenders/<int:tender_id>/open-offers/", offers_open, name="offers-open"),
    path("tenders/<int:tender_id>/offers/", offer_list, name="offer-list"),
    path("offers/<int:offer_id>/", offer_detail, name="offer-detail"),
    path("offer-documents/<int:document_id>/", offer_document, name="offer-document-staff"),
]
public_urlpatterns = []
platform_urlpatterns = []
