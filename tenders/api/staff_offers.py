"""Offers, the staff side: every read goes through `tenders.sealing` (decision 5), which refuses and audits any
read before a procurement officer has opened the tender's offers; opening them."""

from types import SimpleNamespace

from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers
from rest_framework.response import Response

from accounts.api.foundation import PAGE_PARAMETERS, paginate
from accounts.api.generic import ActionMixin, Doc, ObjectEndpoint, RetrieveMixin
from foundation.errors import DomainError

from .. import sealing, selectors
from ..documents import CONTENT_TYPES
from .common import STAFF_WRITE, TAG_STAFF_OFFERS, Conflict, MonetisedValueSerializer, OfferValueSerializer

# Offers: staff reads, only through the seal ---------------------------------------------------------------------


class StaffOfferSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="offer.pk")
    version = serializers.IntegerField(source="submission.number")
    lot_number = serializers.IntegerField(source="content.lot", allow_null=True)
    supplier = serializers.CharField(source="content.supplier")
    price = serializers.DecimalField(source="content.price", max_digits=14, decimal_places=2, allow_null=True)
    received_at = serializers.DateTimeField(source="submission.received_at")
    receipt = serializers.CharField(source="submission.receipt")
    value = OfferValueSerializer(help_text="Valued from the submitted content.")
    identikit_count = serializers.IntegerField(help_text="Narratives flagged as identikit.")
    overclaim_count = serializers.IntegerField()


class SubmittedCommitmentSerializer(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField()
    unit = serializers.CharField()
    quantity = serializers.DecimalField(max_digits=14, decimal_places=2)
    delivery_period = serializers.CharField()
    place = serializers.CharField()
    narrative = serializers.CharField(source="narrative.text")
    identikit = serializers.BooleanField(source="narrative.identikit")
    value = MonetisedValueSerializer(allow_null=True)


class SubmittedAnswerSerializer(serializers.Serializer):
    question_id = serializers.IntegerField(source="question.pk", allow_null=True, default=None)
    question = serializers.CharField(source="question.text", allow_null=True, default=None)
    text = serializers.CharField(source="narrative.text")
    identikit = serializers.BooleanField(source="narrative.identikit")


class SubmittedDocumentSerializer(serializers.Serializer):
    id = serializers.IntegerField(
        source="stored.pk", allow_null=True, default=None, help_text="Download it at /offer-documents/{id}/."
    )
    name = serializers.CharField()
    kind = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()


class StaffOfferDetailSerializer(StaffOfferSerializer):
    receipt_verifies = serializers.BooleanField(help_text="Whether the receipt still matches the stored content.")
    commitments = SubmittedCommitmentSerializer(many=True)
    answers = SubmittedAnswerSerializer(many=True)
    documents = SubmittedDocumentSerializer(many=True)
    overclaims = serializers.ListField(child=serializers.CharField())


class SealedOfferPageSerializer(serializers.Serializer):
    sealed = serializers.BooleanField(help_text="True until a procurement officer opens the offers.")
    detail = serializers.CharField(help_text="Where the seal stands, in words (empty once opened).")
    count = serializers.IntegerField(help_text="How many offers are submitted.")
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = StaffOfferSerializer(many=True, help_text="Empty while sealed.")


class StaffOfferEndpoint(ObjectEndpoint):
    """Reads of offer content: the role check's refusal is audited as the pages' is; the seal's by the guard."""

    tags = TAG_STAFF_OFFERS
    refusal_what = "offer"

    def require(self, permission: str) -> None:
        try:
            super().require(permission)
        except exceptions.PermissionDenied:
            ids = {key.removesuffix("_id"): value for key, value in self.kwargs.items() if key.endswith("_id")}
            sealing.access_refused_record(
                authority=self.authority, user=self.request.user, what=self.refusal_what, **ids
            )
            raise


class TenderOffersEndpoint(StaffOfferEndpoint):
    """About a tender's offers as a whole."""

    selector, lookup, not_found = selectors.tender_for_staff, "tender_id", "No such tender."
    object_argument = "tender"


def _sealing_refused(error):
    """The guard's refusals as the pages answer them: 403 with the guard's words."""
    return exceptions.PermissionDenied(error.message)


class StaffOfferList(TenderOffersEndpoint):
    method_permissions = {"GET": "offers.view"}
    refusal_what = "offer list"
    output_serializer = SealedOfferPageSerializer
    docs = {
        "get": Doc(
            "offers_staff_list",
            "List a tender's offers (staff)",
            "Procurement officers and cleared evaluators (`offers.view`). Before a procurement officer opens the "
            "offers, only how many there are (`sealed`: true, no results), and the attempt is audited; after, each "
            "offer's current submitted version, valued, by lot then supplier.",
            errors=(401, 403, 404),
            parameters=tuple(PAGE_PARAMETERS),
        )
    }

    # Not a ListMixin page: the seal decides whether there is one.
    def get(self, request, authority_slug, tender_id):
        tender = self.get_object()
        try:
            found = sealing.offers_for_staff(tender=tender, user=request.user)
        except sealing.OffersSealed as error:
            count = sealing.submitted_offer_count(tender)
            body = {"sealed": True, "detail": error.message, "count": count, "next": None, "previous": None}
            return Response({**body, "results": []})
        except sealing.OfferAccessRefused as error:
            raise _sealing_refused(error) from None
        response = paginate(self, found, StaffOfferSerializer)
        response.data = {"sealed": False, "detail": "", **response.data}
        return response


class StaffOfferDetail(RetrieveMixin, StaffOfferEndpoint):
    method_permissions = {"GET": "offers.view"}
    output_serializer = StaffOfferDetailSerializer
    docs = {
        "get": Doc(
            "offers_staff_retrieve",
            "Read an offer (staff)",
            "The current submitted version, frozen at submission: price, commitments with their value, answers, "
            "documents, identikit and over-claim findings, and whether the receipt verifies. 403 with the reason "
            "(audited) until a procurement officer has opened the tender's offers.",
            errors=(401, 403, 404),
        )
    }

    def get_object(self):
        try:
            staff_offer = sealing.offer_for_staff(
                authority=self.authority, offer_id=self.kwargs["offer_id"], user=self.request.user
            )
        except (sealing.OffersSealed, sealing.OfferAccessRefused) as error:
            raise _sealing_refused(error) from None
        if staff_offer is None:
            raise exceptions.NotFound("No such offer.")
        return staff_offer

    def present(self, staff_offer) -> dict:
        view = sealing.offer_view(staff_offer)
        presented = SimpleNamespace(
            offer=staff_offer.offer,
            submission=staff_offer.submission,
            content=staff_offer.content,
            value=staff_offer.value,
            identikit_count=staff_offer.identikit_count,
            overclaim_count=staff_offer.overclaim_count,
            receipt_verifies=view.receipt_verifies,
            commitments=view.commitments,
            answers=view.answers,
            documents=view.documents,
            overclaims=view.overclaims,
        )
        return StaffOfferDetailSerializer(presented).data


class StaffOfferDocument(StaffOfferEndpoint):
    method_permissions = {"GET": "offers.view"}
    refusal_what = "document"
    docs = {
        "get": Doc(
            "offers_staff_document",
            "Download an offer's supporting document (staff)",
            "The file as submitted, once the offers are opened (403, audited, before). A stored copy that no longer "
            "matches the receipt's SHA-256 is withheld (409, audited).",
            errors=(401, 403, 404, 409),
            responses={
                (200, content_type): OpenApiResponse(OpenApiTypes.BINARY, description="The file.")
                for content_type in CONTENT_TYPES.values()
            },
        )
    }

    def get_object(self):
        try:
            document = sealing.offer_document_for_staff(
                authority=self.authority, document_id=self.kwargs["document_id"], user=self.request.user
            )
        except (sealing.OffersSealed, sealing.OfferAccessRefused) as error:
            raise _sealing_refused(error) from None
        if document is None:
            raise exceptions.NotFound("No such document.")
        return document

    # A file, not a serializer's data.
    def get(self, request, authority_slug, document_id):
        document = self.get_object()
        response = FileResponse(
            document.file.open("rb"),
            as_attachment=True,
            filename=document.name,
            content_type=CONTENT_TYPES.get(document.kind, "application/octet-stream"),
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response


class OffersOpeningSerializer(serializers.Serializer):
    offers_opened_at = serializers.DateTimeField()
    offers_opened_by = serializers.CharField(source="offers_opened_by.full_name")
    count = serializers.IntegerField(help_text="How many offers were opened.")


class OffersOpen(ActionMixin, TenderOffersEndpoint):
    method_permissions = {"POST": "offers.open"}
    refusal_what = "opening"
    action_service, output_serializer = sealing.offers_open, OffersOpeningSerializer
    docs = {
        "post": Doc(
            "offers_open",
            "Open a tender's offers",
            "Procurement officers (`offers.open`), once the submission deadline has passed: an audited act, after "
            "which offers can be read. Refused with 409 and the reason (also audited) before the deadline or when "
            "already opened.",
            errors=STAFF_WRITE,
        )
    }

    def act(self, tender, data: dict):
        try:
            self.call(self.action_service, tender, {})
        except DomainError as error:
            raise Conflict(error.message) from None
        return tender

    def present(self, tender) -> dict:
        tender = selectors.tender_for_staff(self.authority, tender.pk)  # read again
        tender.count = sealing.submitted_offer_count(tender)
        return OffersOpeningSerializer(tender).data
