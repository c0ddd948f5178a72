"""Clarification questions: the published ones for anyone, a bidder's own, every one for staff; asking and
answering."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response

from accounts.api.foundation import PAGE_PARAMETERS, error_responses, paginate, paginated, validated
from accounts.api.generic import Doc, ObjectEndpoint, ReplaceMixin
from accounts.api.views import AuthorityApiView

from .. import clarifications, selectors
from ..models import Tender
from .common import BIDDER_ERRORS, STAFF_WRITE, TAG_CLARIFICATIONS, supplier_organisation


class PublishedClarificationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    question = serializers.CharField(source="published_question", help_text="As published, without who asked.")
    answer = serializers.CharField()
    answered_at = serializers.DateTimeField()


# Clarification questions ----------------------------------------------------------------------------------------


class ClarificationSerializer(PublishedClarificationSerializer):
    """A question as everyone reads it once published; staff and the asker's organisation also read it as asked,
    answered or not, with who asked (those fields are left out of the public list)."""

    question = serializers.CharField(
        source="published_question", help_text="As published, without who asked (empty until answered)."
    )
    answered_at = serializers.DateTimeField(allow_null=True)
    asked_question = serializers.CharField(source="question", required=False, help_text="As asked.")
    asked_at = serializers.DateTimeField(required=False)
    is_published = serializers.BooleanField(required=False)
    organisation = serializers.CharField(source="organisation.name", allow_null=True, required=False, default=None)
    asked_by = serializers.CharField(source="asked_by.full_name", allow_null=True, required=False, default=None)


class ClarificationAskSerializer(serializers.Serializer):
    question = serializers.CharField(max_length=clarifications.QUESTION_MAX_LENGTH)
    organisation_id = serializers.IntegerField(
        required=False, help_text="The supplier organisation asking; may be left out when you belong to one only."
    )


class ClarificationAnswerSerializer(serializers.Serializer):
    published_question = serializers.CharField(
        max_length=clarifications.QUESTION_MAX_LENGTH, help_text="The question reworded so it names nobody."
    )
    answer = serializers.CharField(max_length=clarifications.ANSWER_MAX_LENGTH)


class ClarificationList(AuthorityApiView):
    domain_field_map = {"organisation": "organisation_id"}

    def _tender(self, *, staff: bool) -> Tender:
        if staff:
            tender = selectors.tender_for_staff(self.authority, self.kwargs["tender_id"])
        else:
            tender = clarifications.tender_get_public(self.authority, self.kwargs["tender_id"])
        if tender is None:
            raise exceptions.NotFound("No such tender.")
        return tender

    @extend_schema(
        operation_id="clarifications_list",
        summary="List a tender's clarification questions",
        description="Published questions with their answers, for anyone (who asked is never shown). With "
        "`mine=true`, a supplier's member reads the questions they and their organisations asked; staff with "
        "`tenders.view` read every question, waiting ones first, with who asked.",
        parameters=[
            OpenApiParameter(
                "mine",
                OpenApiTypes.BOOL,
                description="Only the questions you or your organisations asked, answered or not (signed in).",
            ),
            *PAGE_PARAMETERS,
        ],
        responses={200: paginated(ClarificationSerializer, "ClarificationPage"), **error_responses(401, 404)},
        tags=TAG_CLARIFICATIONS,
    )
    def get(self, request, authority_slug, tender_id):
        mine = request.query_params.get("mine", "").lower() in ("true", "1", "yes")
        staff = self.can("tenders.view")
        tender = self._tender(staff=staff and not mine)
        if mine:
            if not request.user.is_authenticated:
                raise exceptions.NotAuthenticated()
            items = clarifications.clarifications_for_bidder(tender, request.user)
            return paginate(self, items, ClarificationSerializer)
        if staff:
            return paginate(self, clarifications.clarifications_for_staff(tender), ClarificationSerializer)
        return paginate(self, clarifications.clarifications_published(tender), PublishedClarificationSerializer)

    @extend_schema(
        operation_id="clarifications_create",
        summary="Ask a clarification question",
        description="A signed-in member of a supplier organisation asks privately, before the clarification "
        "deadline (409 after it). The authority publishes the answer to every bidder, reworded so it names nobody.",
        request=ClarificationAskSerializer,
        responses={201: ClarificationSerializer, **BIDDER_ERRORS},
        tags=TAG_CLARIFICATIONS,
    )
    def post(self, request, authority_slug, tender_id):
        if not request.user.is_authenticated:
            raise exceptions.NotAuthenticated()
        tender = self._tender(staff=False)
        data = validated(ClarificationAskSerializer, request.data)
        organisation = supplier_organisation(request.user, data.get("organisation_id"))
        clarification = clarifications.clarification_ask(
            tender=tender, acting_user=request.user, organisation=organisation, question=data["question"]
        )
        clarification = clarifications.clarification_get_for_staff(self.authority, clarification.pk)
        return Response(ClarificationSerializer(clarification).data, status=status.HTTP_201_CREATED)


class ClarificationAnswer(ReplaceMixin, ObjectEndpoint):
    method_permissions = {"PUT": "tenders.manage"}
    tags = TAG_CLARIFICATIONS
    selector, lookup = clarifications.clarification_get_for_staff, "clarification_id"
    not_found = "No such clarification question."
    object_argument = "clarification"
    replace_serializer, replace_service = ClarificationAnswerSerializer, clarifications.clarification_answer
    output_serializer = ClarificationSerializer
    docs = {
        "put": Doc(
            "clarifications_answer",
            "Answer and publish a clarification question",
            "Procurement officers (`tenders.manage`) publish the question, reworded so it does not say who asked "
            "(400 if it names them), with its answer. The first answer emails every interested bidder; a later one "
            "changes the published text.",
            errors=STAFF_WRITE,
        )
    }

    def present(self, clarification) -> dict:
        return ClarificationSerializer(self.get_object()).data  # read again, as published
