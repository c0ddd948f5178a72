"""Consultations and their comments: the public reads published ones; staff moderate and answer."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response

from accounts import selectors as account_selectors
from accounts.api.foundation import PAGE_PARAMETERS, choice_param, error_responses, paginate, paginated, validated
from accounts.api.generic import Doc, Endpoint, ListMixin
from accounts.api.views import AuthorityApiView

from .. import consultation as consultation_services
from ..models import Comment, CommentSection, CommentStatus, ResponseOutcome, VersionStatus
from ..selectors import consultation as consultation_selectors
from .charters import VersionSerializer, version_data
from .common import STAFF_WRITE_ERRORS, TAG_CONSULTATIONS

# Consultations and comments -----------------------------------------------------------------------------------


class ConsultationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    version_id = serializers.IntegerField()
    title = serializers.CharField(source="version.title")
    version_number = serializers.IntegerField(source="version.number")
    version_status = serializers.ChoiceField(source="version.status", choices=VersionStatus.choices)
    opens_on = serializers.DateField()
    closes_on = serializers.DateField()
    shorter_reason = serializers.CharField(help_text="Why it is shorter than the authority's usual length, if it is.")
    is_open = serializers.SerializerMethodField(help_text="Whether it takes comments today (the server's date).")

    def get_is_open(self, consultation) -> bool:
        return not consultation_services.consultation_refusal(consultation)


class ConsultationDetailSerializer(ConsultationSerializer):
    version = VersionSerializer(
        help_text="The version consulted on, in full, as the public consultation page shows it."
    )


def consultation_data(consultation) -> dict:
    data = ConsultationSerializer(consultation).data
    return {**data, "version": version_data(consultation.version)}


class ResponseSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=ResponseOutcome.choices)
    text = serializers.CharField()
    change_made = serializers.CharField(help_text="What changed in the next version, where something did.")
    responded_at = serializers.DateTimeField()


class CommentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    section = serializers.ChoiceField(choices=CommentSection.choices)
    item_id = serializers.SerializerMethodField(help_text="The theme, outcome or measure commented on, if any.")
    about = serializers.CharField(source="anchor_label", help_text="What the comment is about, in words.")
    speaking_for = serializers.CharField(help_text="The community group's name, or “A resident”. Never a name.")
    text = serializers.CharField()
    status = serializers.ChoiceField(choices=CommentStatus.choices)
    created_at = serializers.DateTimeField()
    response = ResponseSerializer(source="answer", allow_null=True, help_text="The authority's public answer.")

    def get_item_id(self, comment) -> int | None:
        return comment.theme_id or comment.outcome_id or comment.measure_id


class CommentCreateSerializer(serializers.Serializer):
    section = serializers.ChoiceField(choices=CommentSection.choices)
    item_id = serializers.IntegerField(
        required=False, allow_null=True, help_text="For a theme, outcome or measure: its id in the consulted version."
    )
    text = serializers.CharField(max_length=consultation_services.COMMENT_MAX_LENGTH)
    organisation_id = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="Speak for this community group (you must be an approved member); leave out to speak for yourself.",
    )


class ModerationSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=[CommentStatus.PUBLISHED, CommentStatus.HIDDEN])
    reason = serializers.CharField(
        required=False, allow_blank=True, help_text="Required to hide: emailed to the author, never published."
    )


class ResponseInputSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=ResponseOutcome.choices)
    text = serializers.CharField()
    change_made = serializers.CharField(required=False, allow_blank=True)


def _decorated(comment: Comment) -> Comment:
    comment.anchor_label = consultation_services.anchor_label(comment.section, comment.anchor)
    comment.answer = getattr(comment, "response", None)
    comment.speaking_for = comment.organisation.name if comment.organisation_id else "A resident"
    return comment


class ConsultationsView(AuthorityApiView):
    def _consultation(self, consultation_id):
        """Published consultations for anyone; staff with `charters.view` reach all of the authority's."""
        if self.can("charters.view"):
            consultation = consultation_selectors.consultation_get(self.authority, consultation_id)
        else:
            consultation = consultation_selectors.consultation_get_public(self.authority, consultation_id)
        if consultation is None:
            raise exceptions.NotFound("No such consultation.")
        return consultation


class ConsultationDetail(ConsultationsView):
    @extend_schema(
        operation_id="consultations_retrieve",
        summary="Read a consultation",
        description="Its dates, whether it takes comments today, and the version consulted on in full (public "
        "once it has gone out for consultation). Its comments are at /comments/.",
        responses={200: ConsultationDetailSerializer, **error_responses(404)},
        tags=TAG_CONSULTATIONS,
    )
    def get(self, request, authority_slug, consultation_id):
        return Response(consultation_data(self._consultation(consultation_id)))


COMMENT_STATUS_PARAMETER = OpenApiParameter(
    "status",
    OpenApiTypes.STR,
    enum=CommentStatus.values,
    description="Staff with `charters.view` only: comments in this moderation state. Everyone else sees published "
    "comments only.",
)


class CommentList(ConsultationsView):
    domain_field_map = {"speaking_for": "organisation_id"}

    @extend_schema(
        operation_id="comments_list",
        summary="List a consultation's comments",
        description="Published comments with the authority's public answers, oldest first. Authors are never named.",
        parameters=[COMMENT_STATUS_PARAMETER, *PAGE_PARAMETERS],
        responses={200: paginated(CommentSerializer, "CommentPage"), **error_responses(400, 403, 404)},
        tags=TAG_CONSULTATIONS,
    )
    def get(self, request, authority_slug, consultation_id):
        consultation = self._consultation(consultation_id)
        state = choice_param(request, "status", CommentStatus.values)
        if state and state != CommentStatus.PUBLISHED and not self.can("charters.view"):
            raise exceptions.PermissionDenied("Only the authority's staff see comments that are not published.")
        comments = consultation_selectors.staff_comments(consultation).filter(status=state or CommentStatus.PUBLISHED)
        return paginate(self, comments, CommentSerializer, prepare=_decorated)

    @extend_schema(
        operation_id="comments_create",
        summary="Comment on a consultation",
        description="Anyone signed in, while the consultation is open. The comment is held until a moderator "
        "publishes it.",
        request=CommentCreateSerializer,
        responses={201: CommentSerializer, **error_responses(400, 401, 404, 409)},
        tags=TAG_CONSULTATIONS,
    )
    def post(self, request, authority_slug, consultation_id):
        consultation = consultation_selectors.consultation_get_public(self.authority, consultation_id)
        if consultation is None:
            raise exceptions.NotFound("No such consultation.")
        data = validated(CommentCreateSerializer, request.data)
        section = data["section"]
        item_id = data.get("item_id")
        target = consultation_selectors.comment_target(consultation, section, "" if item_id is None else str(item_id))
        if target is None:
            raise exceptions.ValidationError({"item_id": ["Choose a part of the charter in this consultation"]})
        organisation = None
        if organisation_id := data.get("organisation_id"):
            # Whether the caller may speak for the group is the service's rule; here it only has to exist.
            organisation = account_selectors.community_groups().filter(pk=organisation_id).first()
            if organisation is None:
                raise exceptions.ValidationError({"organisation_id": ["Choose a community group"]})
        comment = consultation_services.comment_create(
            consultation=consultation,
            acting_user=request.user,
            section=target.section,
            item=target.item,
            text=data["text"],
            organisation=organisation,
        )
        comment = consultation_selectors.staff_comments(consultation).get(pk=comment.pk)
        return Response(CommentSerializer(_decorated(comment)).data, status=status.HTTP_201_CREATED)


class CommentModeration(ConsultationsView):
    method_permissions = {"POST": "consultations.moderate"}

    @extend_schema(
        operation_id="comments_moderate",
        summary="Publish or hide a comment",
        description="Moderators (`consultations.moderate`), while the version is in consultation. Hiding needs a "
        "reason, emailed to the author.",
        request=ModerationSerializer,
        responses={200: CommentSerializer, **STAFF_WRITE_ERRORS},
        tags=TAG_CONSULTATIONS,
    )
    def post(self, request, authority_slug, consultation_id, comment_id):
        consultation = self._consultation(consultation_id)
        comment = _comment(consultation, comment_id)
        data = validated(ModerationSerializer, request.data)
        consultation_services.comment_moderate(
            comment=comment, acting_user=request.user, decision=data["decision"], reason=data.get("reason", "")
        )
        return Response(CommentSerializer(_comment(consultation, comment_id)).data)


class CommentAnswer(ConsultationsView):
    method_permissions = {"PUT": "consultations.moderate"}

    @extend_schema(
        operation_id="comments_answer",
        summary="Answer a published comment",
        description="Moderators (`consultations.moderate`). The first answer is emailed to the author; a later one "
        "replaces it (the audit trail keeps the old text).",
        request=ResponseInputSerializer,
        responses={200: CommentSerializer, **STAFF_WRITE_ERRORS},
        tags=TAG_CONSULTATIONS,
    )
    def put(self, request, authority_slug, consultation_id, comment_id):
        consultation = self._consultation(consultation_id)
        comment = _comment(consultation, comment_id)
        data = validated(ResponseInputSerializer, request.data)
        consultation_services.comment_respond(comment=comment, acting_user=request.user, **data)
        return Response(CommentSerializer(_comment(consultation, comment_id)).data)


def _comment(consultation, comment_id) -> Comment:
    comment = consultation_selectors.staff_comment_get(consultation, comment_id)
    if comment is None:
        raise exceptions.NotFound("No such comment.")
    return comment


# Every consultation the public may read is listed at /consultations/ on the site; the API lists an authority's.
class ConsultationList(ListMixin, Endpoint, ConsultationsView):
    tags = TAG_CONSULTATIONS
    output_serializer, page_name = ConsultationSerializer, "ConsultationPage"
    docs = {
        "get": Doc(
            "consultations_list",
            "List consultations",
            "The authority's consultations the public may read (their version is in consultation, adopted or "
            "superseded), newest first; staff with `charters.view` see every one.",
            errors=(400, 404),
        )
    }

    def items(self):
        return consultation_selectors.consultations_visible(self.authority, include_drafts=self.can("charters.view"))
