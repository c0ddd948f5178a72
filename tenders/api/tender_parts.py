"""A draft tender's parts: lots, relevant measures and questions (add, change, remove)."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response

from accounts.api.foundation import validated

from .. import selectors, services
from ..models import QuantityKind, QuestionKind, RelevantMeasure
from .common import STAFF_WRITE_ERRORS, TAG_TENDERS
from .tenders import RelevantMeasureSerializer, TenderLotSerializer, TenderQuestionSerializer, TenderView


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


class LotCreate(TenderView):
    method_permissions = {"POST": "tenders.manage"}

    @extend_schema(
        operation_id="tenders_lots_create",
        summary="Add a lot to a draft",
        description="Weightings of its own are all three or none (none: the tender's apply).",
        request=TenderLotInputSerializer,
        responses={201: TenderLotSerializer, **STAFF_WRITE_ERRORS},
        tags=TAG_TENDERS,
    )
    def post(self, request, authority_slug, tender_id):
        tender = self._staff_tender()
        lot = services.lot_add(
            tender=tender, acting_user=request.user, **validated(TenderLotInputSerializer, request.data)
        )
        lot.measure_list = []
        return Response(TenderLotSerializer(lot).data, status=status.HTTP_201_CREATED)


class LotDetail(TenderView):
    method_permissions = {"DELETE": "tenders.manage"}

    @extend_schema(
        operation_id="tenders_lots_destroy",
        summary="Remove a lot from a draft",
        description="Its own relevant measures are removed too, and later lots move up a number.",
        responses={204: OpenApiResponse(description="Removed."), **STAFF_WRITE_ERRORS},
        tags=TAG_TENDERS,
    )
    def delete(self, request, authority_slug, lot_id):
        lot = selectors.lot_for_staff(self.authority, lot_id)
        if lot is None:
            raise exceptions.NotFound("No such lot.")
        services.lot_remove(lot=lot, acting_user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _relevant_measure_out(relevant_id) -> RelevantMeasure:
    return RelevantMeasure.objects.select_related("lot", "charter_measure__outcome__theme").get(pk=relevant_id)


class RelevantMeasureCreate(TenderView):
    method_permissions = {"POST": "tenders.manage"}
    domain_field_map = {"charter_measure": "charter_measure_id", "lot": "lot_id"}

    @extend_schema(
        operation_id="tenders_relevant_measures_create",
        summary="Ask for a measure in a draft",
        description="A measure of the authority's adopted charter, for the whole tender or one lot, with why it is "
        "relevant, its weight within social value and an optional target or minimum quantity. All of a tender's "
        "measures come from one charter version.",
        request=RelevantMeasureInputSerializer,
        responses={201: RelevantMeasureSerializer, **STAFF_WRITE_ERRORS},
        tags=TAG_TENDERS,
    )
    def post(self, request, authority_slug, tender_id):
        tender = self._staff_tender()
        data = dict(validated(RelevantMeasureInputSerializer, request.data))
        measure = selectors.charter_measure_for_tender(tender, data.pop("charter_measure_id"))
        if measure is None:
            raise exceptions.ValidationError({"charter_measure_id": ["Choose a measure from an adopted charter"]})
        lot = None
        if (lot_id := data.pop("lot_id", None)) is not None:
            lot = selectors.lot_for_tender(tender, lot_id)
            if lot is None:
                raise exceptions.ValidationError({"lot_id": ["Choose a lot of this tender"]})
        relevant = services.relevant_measure_add(
            tender=tender, acting_user=request.user, charter_measure=measure, lot=lot, **data
        )
        return Response(RelevantMeasureSerializer(_relevant_measure_out(relevant.pk)).data, status=201)


class RelevantMeasureDetail(TenderView):
    method_permissions = {"PATCH": "tenders.manage", "DELETE": "tenders.manage"}

    def _relevant(self) -> RelevantMeasure:
        relevant = selectors.relevant_measure_for_staff(self.authority, self.kwargs["relevant_measure_id"])
        if relevant is None:
            raise exceptions.NotFound("No such relevant measure.")
        return relevant

    @extend_schema(
        operation_id="tenders_relevant_measures_partial_update",
        summary="Change a draft's relevant measure",
        description="Send only the fields to change: reason, weight, quantity and its kind.",
        request=RelevantMeasureUpdateSerializer(partial=True),
        responses={200: RelevantMeasureSerializer, **STAFF_WRITE_ERRORS},
        tags=TAG_TENDERS,
    )
    def patch(self, request, authority_slug, relevant_measure_id):
        relevant = self._relevant()
        data = validated(RelevantMeasureUpdateSerializer, request.data, partial=True)
        current = {name: getattr(relevant, name) for name in ("reason", "weight", "quantity", "quantity_kind")}
        services.relevant_measure_update(relevant_measure=relevant, acting_user=request.user, **(current | data))
        return Response(RelevantMeasureSerializer(_relevant_measure_out(relevant.pk)).data)

    @extend_schema(
        operation_id="tenders_relevant_measures_destroy",
        summary="Remove a relevant measure from a draft",
        description="Only while the tender is a draft (409 otherwise).",
        responses={204: OpenApiResponse(description="Removed."), **STAFF_WRITE_ERRORS},
        tags=TAG_TENDERS,
    )
    def delete(self, request, authority_slug, relevant_measure_id):
        services.relevant_measure_remove(relevant_measure=self._relevant(), acting_user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class QuestionCreate(TenderView):
    method_permissions = {"POST": "tenders.manage"}

    @extend_schema(
        operation_id="tenders_questions_create",
        summary="Add a question to a draft",
        description="A quality or social value method statement question, with its guidance, word limit, weight "
        "within its part and scoring scale (0 to 5 with descriptors unless told otherwise).",
        request=TenderQuestionInputSerializer,
        responses={201: TenderQuestionSerializer, **STAFF_WRITE_ERRORS},
        tags=TAG_TENDERS,
    )
    def post(self, request, authority_slug, tender_id):
        tender = self._staff_tender()
        data = validated(TenderQuestionInputSerializer, request.data)
        question = services.question_add(tender=tender, acting_user=request.user, **data)
        return Response(TenderQuestionSerializer(question).data, status=status.HTTP_201_CREATED)


class QuestionDetail(TenderView):
    method_permissions = {"PATCH": "tenders.manage", "DELETE": "tenders.manage"}

    def _question(self):
        question = selectors.question_for_staff(self.authority, self.kwargs["question_id"])
        if question is None:
            raise exceptions.NotFound("No such question.")
        return question

    @extend_schema(
        operation_id="tenders_questions_partial_update",
        summary="Change a draft's question",
        description="Send only the fields to change. Only while the tender is a draft (409 otherwise).",
        request=TenderQuestionInputSerializer(partial=True),
        responses={200: TenderQuestionSerializer, **STAFF_WRITE_ERRORS},
        tags=TAG_TENDERS,
    )
    def patch(self, request, authority_slug, question_id):
        question = self._question()
        data = validated(TenderQuestionInputSerializer, request.data, partial=True)
        question = services.question_update(question=question, acting_user=request.user, **data)
        return Response(TenderQuestionSerializer(question).data)

    @extend_schema(
        operation_id="tenders_questions_destroy",
        summary="Remove a question from a draft",
        description="Only while the tender is a draft (409 otherwise).",
        responses={204: OpenApiResponse(description="Removed."), **STAFF_WRITE_ERRORS},
        tags=TAG_TENDERS,
    )
    def delete(self, request, authority_slug, question_id):
        services.question_remove(question=self._question(), acting_user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
