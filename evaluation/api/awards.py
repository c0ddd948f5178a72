"""Awards: recommending a supplier per lot and confirming the award."""

from rest_framework import exceptions, serializers

from accounts.api.generic import ActionMixin, CollectionMixin, CreateMixin, Doc, ObjectEndpoint
from tenders.models import Lot

from .. import selectors, services
from ..models import Award
from .common import READ, TAG_AWARDS, WRITE, person_name
from .evaluations import EvaluationsView

# Awards ----------------------------------------------------------------------------------------------------------


class EvaluationAwardSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    evaluation_id = serializers.IntegerField()
    lot = serializers.SerializerMethodField(help_text="The lot's number, or null for the whole tender.")
    offer_id = serializers.IntegerField()
    supplier = serializers.CharField(source="offer.organisation.name")
    reasons = serializers.CharField()
    decided_at = serializers.DateTimeField()
    decided_by = serializers.SerializerMethodField()
    standstill_ends_on = serializers.DateField(help_text="The award can be confirmed from the day after.")
    confirmed_at = serializers.DateTimeField(allow_null=True)
    confirmed_by = serializers.SerializerMethodField()

    def get_lot(self, award) -> int | None:
        return award.lot.number if award.lot_id else None

    def get_decided_by(self, award) -> str:
        return person_name(award.decided_by)

    def get_confirmed_by(self, award) -> str:
        return person_name(award.confirmed_by)


class EvaluationAwardInputSerializer(serializers.Serializer):
    lot = serializers.IntegerField(
        required=False, allow_null=True, help_text="The lot's number; leave out for a tender without lots."
    )
    offer = serializers.IntegerField(help_text="The winning offer: the highest-ranked one.")
    reasons = serializers.CharField(max_length=services.RATIONALE_MAX, help_text="Why this offer wins.")


def _awards(evaluation):
    return Award.objects.filter(evaluation=evaluation).select_related(
        "offer__organisation", "lot", "decided_by", "confirmed_by"
    )


class Awards(CollectionMixin, CreateMixin, EvaluationsView):
    method_permissions = {"GET": "evaluation.manage", "POST": "evaluation.manage"}
    tags = TAG_AWARDS
    create_serializer, create_service = EvaluationAwardInputSerializer, services.award_decide
    output_serializer = EvaluationAwardSerializer
    docs = {
        "get": Doc(
            "evaluations_awards_list",
            "List the awards",
            "Procurement officers (`evaluation.manage`): the award decided for the tender or each lot.",
            errors=READ,
        ),
        "post": Doc(
            "evaluations_awards_create",
            "Decide an award",
            "Procurement officers, once moderation is finalised (409 before): the highest-ranked offer of "
            "the tender (or lot), with reasons. Standstill runs for 8 working days; every assessed bidder's "
            "assessment summary is issued.",
            errors=WRITE,
        ),
    }

    def items(self):
        return _awards(self.get_object())

    def create(self, evaluation, data: dict):
        lots = {lot.number: lot for lot in Lot.objects.filter(tender=evaluation.tender)}
        lot = None
        if lots or data.get("lot") is not None:
            lot = lots.get(data.get("lot"))
            if lot is None:
                raise exceptions.ValidationError({"lot": ["Choose one of the tender's lots"]})
        offers = {o.pk: o for o, _ in selectors.evaluable_offers(evaluation.tender, lot, all_lots=False)}
        offer = offers.get(data["offer"])
        if offer is None:
            raise exceptions.ValidationError({"offer": ["Choose one of the offers ranked for this award"]})
        award = self.call(self.create_service, evaluation, {"lot": lot, "offer": offer, "reasons": data["reasons"]})
        return _awards(evaluation).get(pk=award.pk)  # read again, with who decided


def _award_for_staff(authority, award_id):
    return Award.objects.filter(authority=authority, pk=award_id).select_related("evaluation").first()


class AwardConfirmation(ActionMixin, ObjectEndpoint):
    method_permissions = {"POST": "evaluation.manage"}
    tags = TAG_AWARDS
    selector, lookup, not_found = _award_for_staff, "award_id", "No such award."
    object_argument, action_service = "award", services.award_confirm
    output_serializer = EvaluationAwardSerializer
    docs = {
        "post": Doc(
            "evaluations_award_confirm",
            "Confirm an award after standstill",
            "Procurement officers (`evaluation.manage`), from the day after standstill ends (409 before): freezes "
            "what the contract needs; the tender is awarded once every lot is confirmed.",
            errors=WRITE,
        )
    }

    def act(self, award, data: dict):
        self.call(self.action_service, award, data)
        return _awards(award.evaluation).get(pk=award.pk)
