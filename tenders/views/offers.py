"""The bidder's offer pages.

Public side (/p/<authority>/, signed in): start an offer for a tender (choosing the organisation and the lot when
there is a choice), build the draft (price, commitments, method statement answers), see its monetised social value
(live with htmx as quantities are typed, the saved values without JavaScript), check and submit it, read the
receipt, and withdraw it to change it before the deadline. Platform (/account/offers/): a person's organisations'
offers to every authority.

Only approved members of the offer's supplier organisation reach an offer: anyone else gets 404, and so does
another authority's slug with this offer's id (queries run in the slug's authority scope). The rules live in
tenders/offers.py; these views parse input, call one service and render.
"""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.selectors import supplier_organisations_for
from accounts.views import add_domain_error, form_status, see_other
from foundation.errors import DomainError

from .. import offers, selectors
from ..clarifications import tender_get_public
from ..forms.offers import DeclarationForm, OfferForm, OfferStartForm
from ..models import OfferStatus


def _data(request):
    """The submitted form data, or None for a GET (an empty POST is still a submission: never `POST or None`)."""
    return request.POST if request.method == "POST" else None


# Initial values ---------------------------------------------------------------------------------------------


def _plain_quantity(quantity: Decimal) -> str:
    """A stored quantity as it is typed back into its box: 2.00 is "2", 2.50 is "2.5"."""
    text = format(quantity, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _offer_initial(page: selectors.OfferPage) -> dict:
    initial = {"price": page.offer.price}
    for row in page.measures:
        if row.commitment is not None:
            pk = row.measure.pk
            initial |= {
                f"quantity_{pk}": _plain_quantity(row.commitment.quantity),
                f"delivery_{pk}": row.commitment.delivery_period,
                f"place_{pk}": row.commitment.place,
                f"narrative_{pk}": row.commitment.narrative,
            }
    for row in page.questions:
        if row.answer is not None:
            initial[f"answer_{row.question.pk}"] = row.answer.text
    return initial


# Helpers ----------------------------------------------------------------------------------------------------


def _public_tender_or_404(request, tender_id):
    if request.authority is None:
        raise Http404("No such authority")
    tender = tender_get_public(request.authority, tender_id)
    if tender is None:
        raise Http404("No such tender")
    return tender


def _offer_or_404(request, offer_id):
    if request.authority is None:
        raise Http404("No such authority")
    offer = selectors.offer_get_for_bidder(request.authority, offer_id, request.user)
    if offer is None:
        raise Http404("No such offer")
    return offer


def _url(name, offer, *args) -> str:
    return reverse(f"tenders:{name}", args=[offer.authority.slug, offer.pk, *args])


def _tender_url(tender) -> str:
    return reverse("tenders:tender-public", args=[tender.authority.slug, tender.pk])


def _receipt_groups(receipt: str) -> list[str]:
    # Groups of 8 are easier to read out and compare; the whole receipt is given to copy as well.
    return [receipt[i : i + 8] for i in range(0, len(receipt), 8)]


def _panel(measures, value: offers.OfferValue, quantities: dict, *, left_out=(), preview=False) -> dict:
    """The monetised value panel's context: a row per measure with a quantity counted."""
    rows = [
        {"measure": measure, "quantity": quantities[measure.pk], "value": value.per_measure[measure.pk]}
        for measure in measures
        if measure.pk in quantities
    ]
    return {"rows": rows, "value": value, "left_out": list(left_out), "preview": preview}


def _saved_panel(page: selectors.OfferPage) -> dict:
    quantities = {row.measure.pk: row.commitment.quantity for row in page.measures if row.commitment is not None}
    return _panel(page.relevant_measures, page.value, quantities)


def _preview_panel(offer, measures, data) -> dict:
    typed = {measure.pk: data.get(f"quantity_{measure.pk}", "") for measure in measures}
    preview = offers.offer_value_preview(offer, typed, measures=measures)
    return _panel(measures, preview.value, preview.quantities, left_out=preview.left_out, preview=True)


# Starting an offer --------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def offer_start(request, authority_slug, tender_id):
    tender = _public_tender_or_404(request, tender_id)
    tender_url = _tender_url(tender)
    organisations = supplier_organisations_for(request.user)
    if not organisations:
        return render(
            request,
            "tenders/offers/offer_not_supplier.html",
            {"tender": tender, "tender_url": tender_url},
            status=403,
        )
    existing = selectors.offers_of_organisations(tender, organisations)
    closed = {"tender": tender, "tender_url": tender_url, "existing": existing}
    if refusal := offers.offer_refusal(tender):
        return render(
            request,
            "tenders/offers/offer_closed.html",
            {**closed, "refusal": refusal},
            status=422 if request.method == "POST" else 200,
        )
    lots = selectors.lots_for_tender(tender)
    by_key = {(offer.organisation_id, offer.lot_id): offer for offer in existing}
    if request.method == "GET" and len(organisations) == 1 and not lots and existing:
        return see_other(_url("offer-edit", existing[0]))
    form = OfferStartForm(_data(request), organisations=organisations, lots=lots, existing=by_key)
    if request.method == "POST" and form.is_valid():
        try:
            offer = offers.offer_start(
                tender=tender,
                lot=form.chosen_lot(),
                organisation=form.chosen_organisation(),
                acting_user=request.user,
            )
        except offers.OfferDeadlinePassed as error:
            return render(request, "tenders/offers/offer_closed.html", {**closed, "refusal": error.message}, status=422)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            return see_other(_url("offer-edit", offer))
    return render(
        request,
        "tenders/offers/offer_start.html",
        {
            "tender": tender,
            "tender_url": tender_url,
            "form": form,
            "organisations": organisations,
            "lots": lots,
            "existing": existing,
        },
        status=form_status(form),
    )


# The offer page -----------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def offer_edit(request, authority_slug, offer_id):
    offer = _offer_or_404(request, offer_id)
    page = selectors.offer_page(offer)
    form = OfferForm(
        _data(request),
        measures=page.relevant_measures,
        questions=[row.question for row in page.questions],
        initial=_offer_initial(page),
    )
    if request.method == "POST" and form.is_valid():
        try:
            offers.offer_update(
                offer=offer,
                acting_user=request.user,
                price=form.cleaned_data["price"],
                commitments=form.commitments(),
                answers=form.answers(),
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            if request.POST.get("action") == "check":
                return see_other(_url("offer-submit", offer))
            messages.success(request, "Your draft has been saved. It is not submitted until you submit it.")
            return see_other(_url("offer-edit", offer))
    refusal = offers.offer_refusal(offer.tender)
    editable = not refusal and offer.status != OfferStatus.SUBMITTED
    if current := page.current_submission:
        current.receipt_groups = _receipt_groups(current.receipt)
    # After a refused save the form stays, with what was typed, even when it can no longer be saved.
    refused = form.is_bound and bool(form.errors)
    return render(
        request,
        "tenders/offers/offer_edit.html",
        {
            "offer": offer,
            "tender": offer.tender,
            "page": page,
            "form": form,
            "editable": editable,
            "show_form": editable or refused,
            "refusal": refusal,
            "current": current,
            "panel": _preview_panel(offer, page.relevant_measures, request.POST) if refused else _saved_panel(page),
            "tender_url": _tender_url(offer.tender),
        },
        status=form_status(form),
    )


@require_POST
@login_required
def offer_value(request, authority_slug, offer_id):
    """The value panel alone, worked out from the quantities as typed; nothing is saved."""
    offer = _offer_or_404(request, offer_id)
    measures = offers.measures_for(offer.tender, offer.lot)
    return render(
        request,
        "tenders/offers/offer_edit.html#value_panel",
        {"offer": offer, "panel": _preview_panel(offer, measures, request.POST)},
    )


# Checking and submitting ----------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def offer_submit(request, authority_slug, offer_id):
    offer = _offer_or_404(request, offer_id)
    offer_url = _url("offer-edit", offer)
    if offer.status == OfferStatus.SUBMITTED:
        return see_other(offer_url)
    page = selectors.offer_page(offer)
    form = DeclarationForm(_data(request), organisation=offer.organisation)
    problems = []
    if request.method == "POST" and form.is_valid():
        try:
            submission = offers.offer_submit(offer=offer, acting_user=request.user)
        except DomainError as error:
            href = ""
            if error.field == "price":
                href = f"{offer_url}#id_price"
            elif error.field == "answers" and page.unanswered:
                href = f"{offer_url}#id_answer_{page.unanswered[0].pk}"
            problems.append({"message": error.message, "href": href})
        else:
            return see_other(_url("offer-receipt", offer, submission.number))
    refusal = offers.offer_refusal(offer.tender)
    return render(
        request,
        "tenders/offers/offer_submit.html",
        {
            "offer": offer,
            "tender": offer.tender,
            "page": page,
            "form": form,
            "problems": problems,
            "page_has_errors": bool(problems),
            "refusal": refusal,
            "change": not refusal,
            "panel": _saved_panel(page),
            "offer_url": offer_url,
        },
        status=422 if problems else form_status(form),
    )


@login_required
@require_GET
def offer_receipt(request, authority_slug, offer_id, number):
    offer = _offer_or_404(request, offer_id)
    submissions = selectors.offer_submissions(offer)
    submission = next((s for s in submissions if s.number == number), None)
    if submission is None:
        raise Http404("No such version")
    for version in submissions:
        version.receipt_groups = _receipt_groups(version.receipt)
    return render(
        request,
        "tenders/offers/offer_receipt.html",
        {
            "offer": offer,
            "tender": offer.tender,
            "submission": submission,
            "submissions": submissions,
            "offer_url": _url("offer-edit", offer),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def offer_withdraw(request, authority_slug, offer_id):
    offer = _offer_or_404(request, offer_id)
    offer_url = _url("offer-edit", offer)
    current = offers.offer_current_submission(offer)
    if request.method == "GET" and offer.status != OfferStatus.SUBMITTED:
        return see_other(offer_url)
    error = ""
    if request.method == "POST":
        try:
            offers.offer_withdraw(offer=offer, acting_user=request.user)
        except DomainError as refused:
            error = refused.message
        else:
            messages.success(
                request,
                f"Version {current.number} of your offer has been withdrawn. {offer.tender.authority.name} will not "
                "consider your offer unless you submit it again before the deadline.",
            )
            return see_other(offer_url)
    return render(
        request,
        "tenders/offers/offer_withdraw.html",
        {
            "offer": offer,
            "tender": offer.tender,
            "current": current,
            "error": error,
            "page_has_errors": bool(error),
            "offer_url": offer_url,
        },
        status=422 if error else 200,
    )


# A person's offers, across authorities --------------------------------------------------------------------------


@login_required
@require_GET
def my_offers(request):
    return render(
        request,
        "tenders/offers/my_offers.html",
        {"page_obj": selectors.dangerously_offers_for_member(request.user, request.GET.get("page"))},
    )


staff_urlpatterns = []
public_urlpatterns = [
    path("tenders/<int:tender_id>/offer/", offer_start, name="offer-start"),
    path("offers/<int:offer_id>/", offer_edit, name="offer-edit"),
    path("offers/<int:offer_id>/value/", offer_value, name="offer-value"),
    path("offers/<int:offer_id>/submit/", offer_submit, name="offer-submit"),
    path("offers/<int:offer_id>/receipts/<int:number>/", offer_receipt, name="offer-receipt"),
    path("offers/<int:offer_id>/withdraw/", offer_withdraw, name="offer-withdraw"),
]
platform_urlpatterns = [
    path("account/offers/", my_offers, name="my-offers"),
]
