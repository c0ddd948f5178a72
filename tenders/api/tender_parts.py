"""A draft tender's parts: lots, relevant measures and questions (add, change, remove)."""

from rest_framework import exceptions, serializers

from accounts.api.generic import CreateMixin, DestroyMixin, Doc, Endpoint, ObjectEndpoint, UpdateMixin

from .. import selectors, services
from ..models import QuantityKind, QuestionKind, RelevantMeasure
from .common import STAFF_WRITE, TAG_TENDERS
from .tenders import RelevantMeasureSerializer, TenderEndpoint, TenderLotSerializer, TenderQuestionSerializer


class TenderLotInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    estimated_value = serializers.DecimalField(max_digits=14, decimal_places=2)
    price_weight = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=100)
    quality_weight = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=100)
    social_value_weight = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=100)


class RelevantMeasureInputSerializer(serializers.Serializer):
    charter_measure_id = serializers.IntegerField(help_text="A measure of one of the authority's adopted charters.")
    lot_id = serializers.IntegerField(required=False, allow_null=True, help_text="For one lot; leave out for all.")
    reason = serializers.CharField(help_text="Why it is relevant to what is bought.")
    weight = serializers.DecimalField(max_digits=5, decimal_places=2)
    quantity = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True)
    quantity_kind = serializers.ChoiceField(choices=QuantityKind.choices, default=QuantityKind.TARGET)


class RelevantMeasureUpdateSerializer(RelevantMeasureInputSerializer):
    charter_measure_id = None
    lot_id = None


class TenderQuestionInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=QuestionKind.choices)
    text = serializers.CharField(max_length=3000)
    guidance = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    word_limit = serializers.IntegerField(required=False)
    weight = serializers.DecimalField(max_digits=5, decimal_places=2)
    scale_max = serializers.IntegerField(required=False, help_text="5, 10 or 100.")
    scale_descriptors = serializers.ListField(child=serializers.CharField(), required=False)


class LotCreate(CreateMixin, TenderEndpoint):
    method_permissions = {"POST": "tenders.manage"}
    create_serializer, create_service = TenderLotInputSerializer, services.lot_add
    output_serializer = TenderLotSerializer
    docs = {
        "post": Doc(
            "tenders_lots_create",
            "Add a lot to a draft",
            "Weightings of its own are all three or none (none: the tender's apply).",
            errors=STAFF_WRITE,
        )
    }

    def present(self, lot) -> dict:
        lot.measure_list = []
        return TenderLotSerializer(lot).data


class LotDetail(DestroyMixin, ObjectEndpoint):
    method_permissions = {"DELETE": "tenders.manage"}
    tags = TAG_TENDERS
    selector, lookup, not_found = selectors.lot_for_staff, "lot_id", "No such lot."
    object_argument, destroy_service = "lot", services.lot_remove
    docs = {
        "delete": Doc(
            "tenders_lots_destroy",
            "Remove a lot from a draft",
            "Its own relevant measures are removed too, and later lots move up a number.",
            errors=STAFF_WRITE,
        )
    }


class RelevantMeasureEndpoint(Endpoint):
    tags = TAG_TENDERS
    output_serializer = RelevantMeasureSerializer

    def present(self, relevant) -> dict:
        relevant = RelevantMeasure.objects.select_related("lot", "charter_measure__outcome__theme").get(pk=relevant.pk)
        return RelevantMeasureSerializer(relevant).data


class RelevantMeasureCreate(CreateMixin, RelevantMeasureEndpoint, TenderEndpoint):
    method_permissions = {"POST": "tenders.manage"}
    domain_field_map = {"charter_measure": "charter_measure_id", "lot": "lot_id"}
    create_serializer, create_service = RelevantMeasureInputSerializer, services.relevant_measure_add
    docs = {
        "post": Doc(
            "tenders_relevant_measures_create",
            "Ask for a measure in a draft",
            "A measure of the authority's adopted charter, for the whole tender or one lot, with why it is relevant, "
            "its weight within social value and an optional target or minimum quantity. All of a tender's measures "
            "come from one charter version.",
            errors=STAFF_WRITE,
        )
    }

    def create(self, tender, data: dict):
        measure = selectors.charter_measure_for_tender(tender, data.pop("charter_measure_id"))
        if measure is None:
            raise exceptions.ValidationError({"charter_measure_id": ["Choose a measure from an adopted charter"]})
        lot = None
        if (lot_id := data.pop("lot_id", None)) is not None:
            lot = selectors.lot_for_tender(tender, lot_id)
            if lot is None:
                raise exceptions.ValidationError({"lot_id": ["Choose a lot of this tender"]})
        return self.call(self.create_service, tender, {**data, "charter_measure": measure, "lot": lot})


class RelevantMeasureDetail(UpdateMixin, DestroyMixin, RelevantMeasureEndpoint, ObjectEndpoint):
    method_permissions = {"PATCH": "tenders.manage", "DELETE": "tenders.manage"}
    selector, lookup = selectors.relevant_measure_for_staff, "relevant_measure_id"
    not_found = "No such relevant measure."
    object_argument = "relevant_measure"
    update_serializer, update_service = RelevantMeasureUpdateSerializer, services.relevant_measure_update
    destroy_service = services.relevant_measure_remove
    docs = {
        "patch": Doc(
            "tenders_relevant_measures_partial_update",
            "Change a draft's relevant measure",
            "Send only the fields to change: reason, weight, quantity and its kind.",
            errors=STAFF_WRITE,
        ),
        "delete": Doc(
            "tenders_relevant_measures_destroy",
            "Remove a relevant measure from a draft",
            "Only while the tender is a draft (409 otherwise).",
            errors=STAFF_WRITE,
        ),
    }

    def update(self, relevant, data: dict):
        current = {name: getattr(relevant, name) for name in ("reason", "weight", "quantity", "quantity_kind")}
        self.call(self.update_service, relevant, current | data)
        return relevant


class QuestionCreate(CreateMixin, TenderEndpoint):
    method_permissions = {"POST": "tenders.manage"}
    create_serializer, create_service = TenderQuestionInputSerializer, services.question_add
    output_serializer = TenderQuestionSerializer
    docs = {
        "post": Doc(
            "tenders_questions_create",
            "Add a question to a draft",
            "A quality or social value method statement question, with its guidance, word limit, weight within its "
            "part and scoring scale (0 to 5 with descriptors unless told otherwise).",
            errors=STAFF_WRITE,
        )
    }

    def present(self, question) -> dict:
        return TenderQuestionSerializer(question).data


class QuestionDetail(UpdateMixin, DestroyMixin, ObjectEndpoint):
    method_permissions = {"PATCH": "tenders.manage", "DELETE": "tenders.manage"}
    tags = TAG_TENDERS
    selector, lookup, not_found = selectors.question_for_staff, "question_id", "No such question."
    object_argument = "question"
    update_serializer, update_service = TenderQuestionInputSerializer, services.question_update
    destroy_service = services.question_remove
    output_serializer = TenderQuestionSerializer
    docs = {
        "patch": Doc(
            "tenders_questions_partial_update",
            "Change a draft's question",
            "Send only the fields to change. Only while the tender is a draft (409 otherwise).",
            errors=STAFF_WRITE,
        ),
        "delete": Doc(
            "tenders_questions_destroy",
            "Remove a question from a draft",
            "Only while the tender is a draft (409 otherwise).",
            errors=STAFF_WRITE,
        ),
    }
