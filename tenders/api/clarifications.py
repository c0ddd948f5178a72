"""Clarification questions: the published ones for anyone, a bidder's own, every one for staff; asking and
answering."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions, serializers

from accounts.api.foundation import PAGE_PARAMETERS, paginate, paginated
from accounts.api.generic import CreateMixin, Doc, ObjectEndpoint, ReplaceMixin

from .. import clarifications, selectors
from .common import BIDDER_WRITE, STAFF_WRITE, TAG_CLARIFICATIONS, supplier_organisation


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


MINE_PARAMETER = OpenApiParameter(
    "mine",
    OpenApiTypes.BOOL,
    description="Only the questions you or your organisations asked, answered or not (signed in).",
)


class ClarificationList(CreateMixin, ObjectEndpoint):
    domain_field_map = {"organisation": "organisation_id"}
    tags = TAG_CLARIFICATIONS
    # Questions are asked about a tender the public may read; staff read theirs through `tender_for_staff`.
    selector, lookup, not_found = clarifications.tender_get_public, "tender_id", "No such tender."
    create_serializer, create_service = ClarificationAskSerializer, clarifications.clarification_ask
    object_argument = "tender"
    output_serializer = ClarificationSerializer
    docs = {
        # The public read the published questions only, in their own shape; the page is documented in full.
        "get": Doc(
            "clarifications_list",
            "List a tender's clarification questions",
            "Published questions with their answers, for anyone (who asked is never shown). With `mine=true`, a "
            "supplier's member reads the questions they and their organisations asked; staff with `tenders.view` "
            "read every question, waiting ones first, with who asked.",
            errors=(401, 404),
            parameters=(MINE_PARAMETER, *PAGE_PARAMETERS),
            responses={200: paginated(ClarificationSerializer, "ClarificationPage")},
        ),
        "post": Doc(
            "clarifications_create",
            "Ask a clarification question",
            "A signed-in member of a supplier organisation asks privately, before the clarification deadline (409 "
            "after it). The authority publishes the answer to every bidder, reworded so it names nobody.",
            errors=BIDDER_WRITE,
        ),
    }

    def get(self, request, authority_slug, tender_id):
        mine = request.query_params.get("mine", "").lower() in ("true", "1", "yes")
        staff = self.can("tenders.view")
        if staff and not mine:
            tender = selectors.tender_for_staff(self.authority, tender_id)
            if tender is None:
                raise exceptions.NotFound(self.not_found)
        else:
            tender = self.get_object()
        if mine:
            if not request.user.is_authenticated:
                raise exceptions.NotAuthenticated()
            items = clarifications.clarifications_for_bidder(tender, request.user)
            return paginate(self, items, ClarificationSerializer)
        if staff:
            return paginate(self, clarifications.clarifications_for_staff(tender), ClarificationSerializer)
        return paginate(self, clarifications.clarifications_published(tender), PublishedClarificationSerializer)

    def get_object(self):
        if self.request.method == "POST" and not self.request.user.is_authenticated:
            raise exceptions.NotAuthenticated()  # before the tender: asking is for signed-in bidders
        return super().get_object()

    def create(self, tender, data: dict):
        organisation = supplier_organisation(self.request.user, data.get("organisation_id"))
        return self.call(self.create_service, tender, {"organisation": organisation, "question": data["question"]})

    def present(self, clarification) -> dict:
        clarification = clarifications.clarification_get_for_staff(self.authority, clarification.pk)  # read again
        return ClarificationSerializer(clarification).data


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
