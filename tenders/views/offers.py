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

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import render
from django.template.defaultfilters import floatformat
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.views import add_domain_error, form_status, see_other
from accounts.widgets import GovukRadioSelect
from charters.models import Unit
from foundation.errors import DomainError
from foundation.formatting import money_pence_if_any

from .. import offers, selectors
from ..clarifications import supplier_organisations_for, tender_get_public
from ..models import OfferStatus
from .public import MoneyField

# Short unit names for the box's suffix; the hint says the unit in full (the suffix is hidden from screen readers).
UNIT_SUFFIX = {
    Unit.PEOPLE: "people",
    Unit.FTE: "FTE",
    Unit.WEEKS: "weeks",
    Unit.HOURS: "hours",
    Unit.TCO2E: "tCO2e",
    Unit.PERCENT: "%",
}
ANSWER_MAX_LENGTH = 40000  # characters; the question's word limit is the real one (checked by offer_update)


def _data(request):
    """The submitted form data, or None for a GET (an empty POST is still a submission: never `POST or None`)."""
    return request.POST if request.method == "POST" else None


# Forms ------------------------------------------------------------------------------------------------------


class OfferStartForm(forms.Form):
    organisation = forms.ChoiceField(
        label="Which organisation is this offer from?",
        error_messages={
            "required": "Choose the organisation the offer is from",
            "invalid_choice": "You can only make offers for a supplier organisation you are an approved member of",
        },
    )
    lot = forms.ChoiceField(
        label="Which lot are you offering for?",
        help_text="Each offer is for one lot. You can come back to offer for another.",
        error_messages={"required": "Choose the lot you are offering for", "invalid_choice": "Choose a lot"},
    )

    def __init__(self, *args, organisations, lots, existing, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisations = {str(org.pk): org for org in organisations}
        self.lots = {str(lot.pk): lot for lot in lots}
        field = self.fields["organisation"]
        field.choices = [(key, org.name) for key, org in self.organisations.items()]
        if len(self.organisations) == 1:
            # Nothing to choose: the one organisation goes with the form, and the page names it.
            field.widget = forms.HiddenInput()
            field.initial = next(iter(self.organisations))
        else:
            field.widget = GovukRadioSelect(choices=field.choices)
        if not lots:
            del self.fields["lot"]
            return
        only = next(iter(self.organisations.values())) if len(self.organisations) == 1 else None
        hints = {}
        for key, lot in self.lots.items():
            hint = f"Estimated value {money_pence_if_any(lot.estimated_value)} excluding VAT."
            if only is not None and (only.pk, lot.pk) in existing:
                hint += f" {only.name} already has an offer for this lot: choose it to carry on."
            hints[key] = hint
        self.fields["lot"].choices = [(key, f"Lot {lot.number}: {lot.title}") for key, lot in self.lots.items()]
        self.fields["lot"].widget = GovukRadioSelect(choices=self.fields["lot"].choices, option_hints=hints)

    def chosen_organisation(self):
        return self.organisations.get(self.cleaned_data.get("organisation", ""))

    def chosen_lot(self):
        return self.lots.get(self.cleaned_data.get("lot", ""))


class QuantityField(forms.CharField):
    """A quantity as people type it ("1,250"): a Decimal, or None when left empty (no commitment)."""

    def __init__(self, *, code, **kwargs):
        self.code = code
        super().__init__(required=False, **kwargs)

    def clean(self, value):
        text = super().clean(value)
        try:
            return offers.parse_quantity(text, code=self.code)
        except ValueError as error:
            raise ValidationError(str(error), code="invalid") from None


def _unit_hint(measure) -> tuple[str, dict]:
    """The quantity box's hint, and its prefix or suffix."""
    item = measure.charter_measure
    empty = "Leave it empty to make no commitment to this measure."
    if item.unit == Unit.PERCENT:
        return f"A percentage from 0 to 100. {empty}", {"govuk_suffix": "%"}
    if item.unit == Unit.GBP:
        return f"An amount in pounds. {empty}", {"govuk_prefix": "£"}
    suffix = UNIT_SUFFIX.get(item.unit)
    return f"In {item.get_unit_display()}. {empty}", ({"govuk_suffix": suffix} if suffix else {})


def _deflators(item) -> str:
    """The deflators the net value takes off, in words ("deadweight 20%, drop-off 10%"), or "" for none."""
    named = (
        ("deadweight", item.deadweight_pct),
        ("attribution", item.attribution_pct),
        ("displacement", item.displacement_pct),
        ("drop-off", item.dropoff_pct),
    )
    return ", ".join(f"{name} {floatformat(value, '-2')}%" for name, value in named if value)


class OfferForm(forms.Form):
    """The draft: price, then per relevant measure a quantity (empty: no commitment), delivery period, place and
    how it will be delivered, then an answer per question. Field names are those offer_update's errors name."""

    price = MoneyField(
        label="Price (£, excluding VAT)",
        help_text="The total you will charge for the contract, excluding VAT.",
        required=False,
        min_value=Decimal("0"),
        max_digits=14,
        decimal_places=2,
        widget=forms.TextInput(
            attrs={"inputmode": "decimal", "spellcheck": "false", "class": "govuk-input--width-10", "govuk_prefix": "£"}
        ),
        error_messages={
            "invalid": "The price must be an amount in pounds, like 250000",
            "min_value": "The price must be more than £0",
            "max_digits": "The price is too large",
            "max_whole_digits": "The price is too large",
            "max_decimal_places": "The price must have no more than 2 decimal places",
        },
    )

    def __init__(self, *args, measures, questions, **kwargs):
        super().__init__(*args, **kwargs)
        self.measures, self.questions = measures, questions
        for measure in measures:
            code = measure.charter_measure.code
            hint, affix = _unit_hint(measure)
            self.fields[f"quantity_{measure.pk}"] = QuantityField(
                code=code,
                label=f"Quantity for {code}",
                help_text=hint,
                widget=forms.TextInput(
                    attrs={
                        "inputmode": "decimal",
                        "spellcheck": "false",
                        "class": "govuk-input--width-10 app-quantity",
                        **affix,
                    }
                ),
            )
            self.fields[f"delivery_{measure.pk}"] = forms.CharField(
                label=f"When you will deliver {code}",
                help_text="For example, every year of the contract, or April 2027 to March 2028",
                required=False,
                max_length=200,
                error_messages={"max_length": f"When you will deliver {code} must be 200 characters or fewer"},
            )
            self.fields[f"place_{measure.pk}"] = forms.CharField(
                label=f"Where you will deliver {code}",
                help_text="A ward, neighbourhood, site or partner organisation",
                required=False,
                max_length=200,
                error_messages={"max_length": f"Where you will deliver {code} must be 200 characters or fewer"},
            )
            self.fields[f"narrative_{measure.pk}"] = forms.CharField(
                label=f"How you will deliver {code}",
                help_text="Who will do it, with which partners, and how you will show it was done",
                required=False,
                max_length=5000,
                widget=forms.Textarea(attrs={"rows": 4}),
                error_messages={"max_length": f"How you will deliver {code} must be 5,000 characters or fewer"},
            )
        for question in questions:
            name = f"answer_{question.pk}"
            self.fields[name] = forms.CharField(
                label=question.text,
                help_text=question.guidance,
                required=False,
                max_length=ANSWER_MAX_LENGTH,
                # The GOV.UK character count, in word mode: the template sets data-maxwords on its wrapper.
                widget=forms.Textarea(attrs={"rows": 10}),
                error_messages={"max_length": "Your answer is too long"},
            )

    def measure_fields(self) -> list[dict]:
        """Per relevant measure, the measure, its deflators in words and its four bound fields, for the template."""
        return [
            {
                "measure": measure,
                "deflators": _deflators(measure.charter_measure),
                "quantity": self[f"quantity_{measure.pk}"],
                "delivery": self[f"delivery_{measure.pk}"],
                "place": self[f"place_{measure.pk}"],
                "narrative": self[f"narrative_{measure.pk}"],
            }
            for measure in self.measures
        ]

    def question_fields(self) -> list[dict]:
        return [{"question": question, "answer": self[f"answer_{question.pk}"]} for question in self.questions]

    def clean(self):
        data = super().clean()
        for measure in self.measures:
            name = f"quantity_{measure.pk}"
            if name in self.errors or data.get(name) is not None:
                continue
            if any(str(data.get(f"{part}_{measure.pk}") or "").strip() for part in ("delivery", "place", "narrative")):
                # Nothing typed in the box would silently drop what was written about the commitment.
                self.add_error(
                    name,
                    f"Enter the quantity for {measure.charter_measure.code}, or empty its other boxes to make no "
                    "commitment to it",
                )
        return data

    def commitments(self) -> dict[int, offers.CommitmentInput]:
        data = self.cleaned_data
        return {
            measure.pk: offers.CommitmentInput(
                quantity=data[f"quantity_{measure.pk}"],
                delivery_period=data.get(f"delivery_{measure.pk}", ""),
                place=data.get(f"place_{measure.pk}", ""),
                narrative=data.get(f"narrative_{measure.pk}", ""),
            )
            for measure in self.measures
            if data.get(f"quantity_{measure.pk}") is not None
        }

    def answers(self) -> dict[int, str]:
        """Answers with some text; an emptied box removes its answer."""
        return {
            question.pk: text
            for question in self.questions
            if (text := self.cleaned_data.get(f"answer_{question.pk}", "").strip())
        }


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


class DeclarationForm(forms.Form):
    declaration = forms.BooleanField(required=True)

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["declaration"]
        field.label = (
            f"I confirm that I may submit this offer for {organisation.name}, and that what it says is true and "
            "can be delivered"
        )
        field.error_messages["required"] = f"Confirm that you may submit this offer for {organisation.name}"


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
    lots = list(tender.lots.order_by("number"))
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
