"""Offers, the bidder's side: start, read, save, submit and withdraw your organisation's own offer. Anyone else
gets 404."""

from rest_framework import exceptions, serializers, status

from accounts.api.generic import ActionMixin, CreateMixin, Doc, ObjectEndpoint, ReplaceMixin, RetrieveMixin
from charters.models import Unit
from foundation.errors import DomainError

from .. import clarifications, offers, selectors
from ..forms.offers import ANSWER_MAX_LENGTH
from ..models import DocumentKind, OfferStatus, QuestionKind
from .common import (
    BIDDER_WRITE,
    TAG_BIDDER,
    Conflict,
    MonetisedValueSerializer,
    OfferValueSerializer,
    supplier_organisation,
)

# Offers: the bidder's side --------------------------------------------------------------------------------------


class OfferCommitmentSerializer(serializers.Serializer):
    quantity = serializers.DecimalField(max_digits=14, decimal_places=2)
    delivery_period = serializers.CharField()
    place = serializers.CharField()
    narrative = serializers.CharField()


class OfferMeasureSerializer(serializers.Serializer):
    relevant_measure_id = serializers.IntegerField(source="measure.pk")
    code = serializers.CharField(source="measure.charter_measure.code")
    title = serializers.CharField(source="measure.charter_measure.title")
    unit = serializers.ChoiceField(source="measure.charter_measure.unit", choices=Unit.choices)
    reason = serializers.CharField(source="measure.reason")
    weight = serializers.DecimalField(source="measure.weight", max_digits=5, decimal_places=2)
    commitment = OfferCommitmentSerializer(allow_null=True, help_text="Null: no commitment to this measure.")
    value = MonetisedValueSerializer(allow_null=True)


class OfferQuestionSerializer(serializers.Serializer):
    question_id = serializers.IntegerField(source="question.pk")
    kind = serializers.ChoiceField(source="question.kind", choices=QuestionKind.choices)
    text = serializers.CharField(source="question.text")
    word_limit = serializers.IntegerField(source="question.word_limit")
    answer = serializers.CharField(source="answer.text", allow_null=True, default=None)


class OfferDocumentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=DocumentKind.choices)
    size = serializers.IntegerField(help_text="Bytes.")
    sha256 = serializers.CharField()
    description = serializers.CharField()
    uploaded_at = serializers.DateTimeField()


class OfferSubmissionSerializer(serializers.Serializer):
    number = serializers.IntegerField(help_text="The version: 1, then 2 after a withdrawal and a new submission.")
    received_at = serializers.DateTimeField(help_text="The server's time of receipt.")
    receipt = serializers.CharField(help_text="SHA-256 over the submitted content and the time of receipt.")
    withdrawn_at = serializers.DateTimeField(allow_null=True)


class MyOfferSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="offer.pk")
    tender_id = serializers.IntegerField(source="offer.tender_id")
    tender_reference = serializers.CharField(source="offer.tender.reference")
    lot_number = serializers.IntegerField(source="offer.lot.number", allow_null=True, default=None)
    organisation_id = serializers.IntegerField(source="offer.organisation_id")
    organisation = serializers.CharField(source="offer.organisation.name")
    status = serializers.ChoiceField(source="offer.status", choices=OfferStatus.choices)
    price = serializers.DecimalField(source="offer.price", max_digits=14, decimal_places=2, allow_null=True)
    refusal = serializers.CharField(help_text="Why the offer cannot change now; empty while it can.")
    measures = OfferMeasureSerializer(many=True)
    questions = OfferQuestionSerializer(many=True)
    value = OfferValueSerializer(help_text="The monetised social value of the saved commitments.")
    documents = OfferDocumentSerializer(many=True)
    submissions = OfferSubmissionSerializer(many=True, help_text="Newest first.")


def my_offer_data(offer) -> dict:
    page = selectors.offer_page(offer)
    page.refusal = offers.offer_refusal(offer.tender)
    return MyOfferSerializer(page).data


class OfferStartSerializer(serializers.Serializer):
    organisation_id = serializers.IntegerField(
        required=False, help_text="Your supplier organisation; may be left out when you belong to one only."
    )
    lot_id = serializers.IntegerField(required=False, allow_null=True, help_text="Required for a tender in lots.")


class OfferCommitmentInputSerializer(serializers.Serializer):
    relevant_measure_id = serializers.IntegerField()
    quantity = serializers.DecimalField(max_digits=14, decimal_places=2)
    delivery_period = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    place = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    narrative = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class OfferAnswerInputSerializer(serializers.Serializer):
    question_id = serializers.IntegerField()
    text = serializers.CharField(max_length=ANSWER_MAX_LENGTH, help_text="Within the question's word limit.")


class OfferUpdateSerializer(serializers.Serializer):
    """The whole draft: a measure or question left out has no commitment or answer afterwards."""

    price = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True, help_text="£ excluding VAT.")
    commitments = OfferCommitmentInputSerializer(many=True, required=False, default=list)
    answers = OfferAnswerInputSerializer(many=True, required=False, default=list)


class OfferSubmitSerializer(serializers.Serializer):
    declaration = serializers.BooleanField(
        help_text="Confirms you may submit the offer for the organisation, and that it is true and can be delivered."
    )


class BidderEndpoint(ObjectEndpoint):
    """The bidder's side: signed in (401 otherwise); answers the offer as its bidder reads it."""

    tags = TAG_BIDDER
    output_serializer = MyOfferSerializer

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not request.user.is_authenticated:
            raise exceptions.NotAuthenticated()

    def present(self, offer) -> dict:
        return my_offer_data(offer)


class MyOfferEndpoint(BidderEndpoint):
    """The caller's organisation's own offer: anyone else's is not found."""

    selector, lookup, not_found = selectors.offer_get_for_bidder, "offer_id", "No such offer."
    object_argument = "offer"

    def selector_options(self) -> dict:
        return {"user": self.request.user}


class OfferStart(CreateMixin, BidderEndpoint):
    domain_field_map = {"lot": "lot_id"}
    selector, lookup, not_found = clarifications.tender_get_public, "tender_id", "No such tender."
    create_serializer, create_service = OfferStartSerializer, offers.offer_start
    object_argument = "tender"
    docs = {
        "post": Doc(
            "offers_start",
            "Start an offer",
            "A member of a supplier organisation starts its offer for an open tender (or one lot of it); asking "
            "again returns the same draft. Another supplier's offers are never visible.",
            errors=BIDDER_WRITE,
        )
    }

    def create(self, tender, data: dict):
        organisation = supplier_organisation(self.request.user, data.get("organisation_id"))
        lot = None
        if data.get("lot_id") is not None:
            lot = selectors.lot_for_tender(tender, data["lot_id"])
            if lot is None:
                raise exceptions.ValidationError({"lot_id": ["Choose a lot of this tender"]})
        if refusal := offers.offer_refusal(tender):
            raise Conflict(refusal)  # the words the page shows for a tender that takes no more offers
        offer = self.call(self.create_service, tender, {"lot": lot, "organisation": organisation})
        return selectors.offer_get_for_bidder(self.authority, offer.pk, self.request.user)


class MyOffer(RetrieveMixin, ReplaceMixin, MyOfferEndpoint):
    replace_serializer, replace_service = OfferUpdateSerializer, offers.offer_update
    docs = {
        "get": Doc(
            "offers_mine_retrieve",
            "Read your offer",
            "Your organisation's offer: the draft's price, commitments with their monetised value, answers, "
            "supporting documents (metadata), and every submitted version with its receipt.",
            errors=(401, 404),
        ),
        "put": Doc(
            "offers_mine_update",
            "Save your draft",
            "The whole draft: price, a commitment per relevant measure you commit to, an answer per question. "
            "Refused with 409 after the deadline (the draft is kept) and while a submitted version stands (withdraw "
            "it first).",
            errors=BIDDER_WRITE,
        ),
    }

    def replace(self, offer, data: dict):
        commitments = {
            item["relevant_measure_id"]: offers.CommitmentInput(
                quantity=item["quantity"],
                delivery_period=item["delivery_period"],
                place=item["place"],
                narrative=item["narrative"],
            )
            for item in data["commitments"]
        }
        answers = {item["question_id"]: item["text"] for item in data["answers"]}
        try:
            self.call(
                self.replace_service, offer, {"price": data["price"], "commitments": commitments, "answers": answers}
            )
        except offers.OfferDeadlinePassed:
            raise
        except DomainError as error:
            raise _offer_input_error(error, data) from None
        return self.get_object()  # read again


def _offer_input_error(error: DomainError, data: dict):
    """The service names fields by measure or question id (`quantity_12`); the API names the list item instead."""
    field = error.field or ""
    for prefix, items, key, name in (
        ("quantity_", data["commitments"], "relevant_measure_id", "commitments"),
        ("answer_", data["answers"], "question_id", "answers"),
    ):
        if field.startswith(prefix):
            ids = [str(item[key]) for item in items]
            target = field.removeprefix(prefix)
            if target in ids:
                inner = "quantity" if name == "commitments" else "text"
                return exceptions.ValidationError({name: {ids.index(target): {inner: [error.message]}}})
    if not field:
        return Conflict(error.message)
    return exceptions.ValidationError({field: [error.message]})


class MyOfferSubmit(ActionMixin, MyOfferEndpoint):
    action_serializer, action_service = OfferSubmitSerializer, offers.offer_submit
    action_status = status.HTTP_201_CREATED
    output_serializer = OfferSubmissionSerializer
    docs = {
        "post": Doc(
            "offers_mine_submit",
            "Submit your offer",
            "Freezes the draft on the server's clock and answers the receipt (a SHA-256 over the content and the "
            "time of receipt), also emailed to your organisation's members. At or after the deadline: 409, with the "
            "same words as the page.",
            errors=BIDDER_WRITE,
        )
    }

    def act(self, offer, data: dict):
        if not data["declaration"]:
            message = f"Confirm that you may submit this offer for {offer.organisation.name}"
            raise exceptions.ValidationError({"declaration": [message]})
        try:
            return self.call(self.action_service, offer, {})
        except offers.OfferDeadlinePassed:
            raise
        except DomainError as error:
            if error.field:
                raise
            raise Conflict(error.message) from None

    def present(self, submission) -> dict:
        return OfferSubmissionSerializer(submission).data


class MyOfferWithdraw(ActionMixin, MyOfferEndpoint):
    action_service = offers.offer_withdraw
    docs = {
        "post": Doc(
            "offers_mine_withdraw",
            "Withdraw your submitted offer",
            "Before the deadline only: the submitted version stops counting; the draft stays, to change and submit "
            "again.",
            errors=BIDDER_WRITE,
        )
    }

    def act(self, offer, data: dict):
        try:
            self.call(self.action_service, offer, {})
        except offers.OfferDeadlinePassed:
            raise
        except DomainError as error:
            raise Conflict(error.message) from None
        return self.get_object()  # read again
