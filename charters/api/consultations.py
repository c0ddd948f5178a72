"""Consultations and their comments: the public reads published ones; staff moderate and answer."""

from functools import cached_property

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions, serializers

from accounts import selectors as account_selectors
from accounts.api.foundation import choice_param
from accounts.api.generic import (
    ActionMixin,
    CreateMixin,
    Doc,
    Endpoint,
    ListMixin,
    ObjectEndpoint,
    ReplaceMixin,
    RetrieveMixin,
)

from .. import consultation as consultation_services
from ..models import Comment, CommentSection, CommentStatus, ResponseOutcome, VersionStatus
from ..selectors import consultation as consultation_selectors
from .charters import VersionSerializer, version_data
from .common import STAFF_WRITE, TAG_CONSULTATIONS

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


class ConsultationEndpoint(Endpoint):
    """About the URL's consultation, or its comments."""

    tags = TAG_CONSULTATIONS

    @cached_property
    def consultation(self):
        """Published consultations for anyone; staff with `charters.view` reach all of the authority's."""
        consultation_id = self.kwargs["consultation_id"]
        if self.can("charters.view"):
            consultation = consultation_selectors.consultation_get(self.authority, consultation_id)
        else:
            consultation = consultation_selectors.consultation_get_public(self.authority, consultation_id)
        if consultation is None:
            raise exceptions.NotFound("No such consultation.")
        return consultation


# Every consultation the public may read is listed at /consultations/ on the site; the API lists an authority's.
class ConsultationList(ListMixin, ConsultationEndpoint):
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


class ConsultationDetail(RetrieveMixin, ConsultationEndpoint):
    output_serializer = ConsultationDetailSerializer
    docs = {
        "get": Doc(
            "consultations_retrieve",
            "Read a consultation",
            "Its dates, whether it takes comments today, and the version consulted on in full (public once it has "
            "gone out for consultation). Its comments are at /comments/.",
            errors=(404,),
        )
    }

    def get_object(self):
        return self.consultation

    def present(self, consultation) -> dict:
        return consultation_data(consultation)


COMMENT_STATUS_PARAMETER = OpenApiParameter(
    "status",
    OpenApiTypes.STR,
    enum=CommentStatus.values,
    description="Staff with `charters.view` only: comments in this moderation state. Everyone else sees published "
    "comments only.",
)


class CommentList(ListMixin, CreateMixin, ConsultationEndpoint, ObjectEndpoint):
    domain_field_map = {"speaking_for": "organisation_id"}
    output_serializer, page_name = CommentSerializer, "CommentPage"
    # Comments are made on a consultation the public may read, whoever makes them.
    selector, lookup = consultation_selectors.consultation_get_public, "consultation_id"
    not_found = "No such consultation."
    create_serializer, create_service = CommentCreateSerializer, consultation_services.comment_create
    object_argument = "consultation"
    docs = {
        "get": Doc(
            "comments_list",
            "List a consultation's comments",
            "Published comments with the authority's public answers, oldest first. Authors are never named.",
            errors=(400, 403, 404),
            parameters=(COMMENT_STATUS_PARAMETER,),
        ),
        "post": Doc(
            "comments_create",
            "Comment on a consultation",
            "Anyone signed in, while the consultation is open. The comment is held until a moderator publishes it.",
            errors=(400, 401, 404, 409),
        ),
    }

    def items(self):
        consultation = self.consultation
        state = choice_param(self.request, "status", CommentStatus.values)
        if state and state != CommentStatus.PUBLISHED and not self.can("charters.view"):
            raise exceptions.PermissionDenied("Only the authority's staff see comments that are not published.")
        return consultation_selectors.staff_comments(consultation).filter(status=state or CommentStatus.PUBLISHED)

    def prepare_item(self, comment):
        return _decorated(comment)

    def create(self, consultation, data: dict):
        section, item_id = data["section"], data.get("item_id")
        target = consultation_selectors.comment_target(consultation, section, "" if item_id is None else str(item_id))
        if target is None:
            raise exceptions.ValidationError({"item_id": ["Choose a part of the charter in this consultation"]})
        organisation = None
        if organisation_id := data.get("organisation_id"):
            # Whether the caller may speak for the group is the service's rule; here it only has to exist.
            organisation = account_selectors.community_groups().filter(pk=organisation_id).first()
            if organisation is None:
                raise exceptions.ValidationError({"organisation_id": ["Choose a community group"]})
        values = {"section": target.section, "item": target.item, "text": data["text"], "organisation": organisation}
        comment = self.call(self.create_service, consultation, values)
        return _decorated(consultation_selectors.staff_comments(consultation).get(pk=comment.pk))


class CommentEndpoint(ConsultationEndpoint):
    """About one comment of the consultation; answers it read again after the change."""

    object_argument = "comment"
    output_serializer = CommentSerializer

    def get_object(self):
        comment = consultation_selectors.staff_comment_get(self.consultation, self.kwargs["comment_id"])
        if comment is None:
            raise exceptions.NotFound("No such comment.")
        return comment


class CommentModeration(ActionMixin, CommentEndpoint):
    method_permissions = {"POST": "consultations.moderate"}
    action_serializer, action_service = ModerationSerializer, consultation_services.comment_moderate
    docs = {
        "post": Doc(
            "comments_moderate",
            "Publish or hide a comment",
            "Moderators (`consultations.moderate`), while the version is in consultation. Hiding needs a reason, "
            "emailed to the author.",
            errors=STAFF_WRITE,
        )
    }

    def act(self, comment, data: dict):
        self.call(self.action_service, comment, {"decision": data["decision"], "reason": data.get("reason", "")})
        return self.get_object()


class CommentAnswer(ReplaceMixin, CommentEndpoint):
    method_permissions = {"PUT": "consultations.moderate"}
    replace_serializer, replace_service = ResponseInputSerializer, consultation_services.comment_respond
    docs = {
        "put": Doc(
            "comments_answer",
            "Answer a published comment",
            "Moderators (`consultations.moderate`). The first answer is emailed to the author; a later one replaces "
            "it (the audit trail keeps the old text).",
            errors=STAFF_WRITE,
        )
    }

    def replace(self, comment, data: dict):
        self.call(self.replace_service, comment, data)
        return self.get_object()
