"""The local Compact's 16-action checklist and its evidence."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response

from accounts.api.foundation import error_responses, validated

from .. import case_examples as cases
from .. import checklist
from ..models import ChecklistStatus
from .common import STAFF_WRITE_ERRORS, TAG_CHECKLIST, CompactApiView

# The checklist ----------------------------------------------------------------------------------------------------


class ChecklistEvidenceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    label = serializers.CharField()
    url = serializers.CharField(help_text="The evidence's web address; empty when it is a case example.")
    case_example_id = serializers.IntegerField(allow_null=True)
    case_example_title = serializers.CharField(source="case_example.title", allow_null=True, default=None)
    added_at = serializers.DateTimeField()


class ChecklistRowSerializer(serializers.Serializer):
    number = serializers.IntegerField(help_text="1 to 16.")
    title = serializers.CharField()
    text = serializers.CharField(help_text="The action, as the guidance words it.")
    status = serializers.ChoiceField(choices=ChecklistStatus.choices)
    status_label = serializers.CharField()
    notes = serializers.CharField()
    owner = serializers.CharField(help_text="Who is leading: a group, team or role.")
    updated_at = serializers.DateTimeField(allow_null=True)
    evidence = ChecklistEvidenceSerializer(many=True)


class ChecklistSerializer(serializers.Serializer):
    achieved = serializers.IntegerField()
    in_progress = serializers.IntegerField()
    not_started = serializers.IntegerField()
    actions = ChecklistRowSerializer(many=True, help_text="The 16 actions in order.")


class ChecklistUpdateSerializer(serializers.Serializer):
    status = serializers.CharField(help_text="not_started, in_progress or achieved.")
    notes = serializers.CharField(required=False, allow_blank=True, default="", help_text="Published.")
    owner = serializers.CharField(required=False, allow_blank=True, default="", help_text="Published: not a name.")


class ChecklistEvidenceInputSerializer(serializers.Serializer):
    label = serializers.CharField(required=False, allow_blank=True, default="", help_text="What the evidence is.")
    url = serializers.CharField(required=False, allow_blank=True, default="")
    case_example_id = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="Or one of the authority's case examples."
    )


class ChecklistView(CompactApiView):
    def public(self) -> bool:
        # Staff read every evidence link, as on the staff checklist; everyone else only those the public may see.
        return not self.can("compact.view")

    def _row(self, *, public: bool):
        row = checklist.checklist_row(self.authority, self.kwargs["action_number"], public=public)
        if row is None:
            raise exceptions.NotFound("The checklist has actions 1 to 16.")
        return row

    def require_updater(self) -> None:
        self.signed_in()
        if not checklist.can_update(self.authority, self.request.user):
            raise exceptions.PermissionDenied(
                f"Only members of {self.authority.name}'s Compact partner groups and its officers can update the "
                "checklist"
            )


class ChecklistList(ChecklistView):
    @extend_schema(
        operation_id="compact_checklist_retrieve",
        summary="Read the checklist",
        description="The 16 actions for local Compact groups with their status, notes, who is leading and "
        "evidence, and how many are achieved. Public; evidence that is a case example shows only once the example "
        "is published (staff with `compact.view` see every link).",
        responses={200: ChecklistSerializer, **error_responses(404)},
        tags=TAG_CHECKLIST,
    )
    def get(self, request, authority_slug):
        summary = checklist.checklist_summary(self.authority)
        rows = checklist.checklist_rows(self.authority, public=self.public())
        data = {
            "achieved": summary.achieved,
            "in_progress": summary.in_progress,
            "not_started": summary.not_started,
            "actions": rows,
        }
        return Response(ChecklistSerializer(data).data)


class ChecklistAction(ChecklistView):
    @extend_schema(
        operation_id="compact_checklist_action_retrieve",
        summary="Read one action",
        responses={200: ChecklistRowSerializer, **error_responses(404)},
        tags=TAG_CHECKLIST,
    )
    def get(self, request, authority_slug, action_number):
        return Response(ChecklistRowSerializer(self._row(public=self.public())).data)

    @extend_schema(
        operation_id="compact_checklist_action_update",
        summary="Update an action",
        description="Approved members of the authority's Compact partner groups and its officers (`compact.manage`) "
        "set the status, notes and who is leading; anyone else gets 403.",
        request=ChecklistUpdateSerializer,
        responses={200: ChecklistRowSerializer, **STAFF_WRITE_ERRORS},
        tags=TAG_CHECKLIST,
    )
    def put(self, request, authority_slug, action_number):
        row = self._row(public=self.public())
        self.require_updater()
        data = validated(ChecklistUpdateSerializer, request.data)
        checklist.action_update(authority=self.authority, acting_user=request.user, number=row.number, **data)
        return Response(ChecklistRowSerializer(self._row(public=self.public())).data)


class ChecklistEvidenceAdd(ChecklistView):
    domain_field_map = {"case_example": "case_example_id"}

    @extend_schema(
        operation_id="compact_checklist_evidence_create",
        summary="Link evidence to an action",
        description="Partner members and officers: a web address, or one of the authority's case examples (public "
        "once the example is published).",
        request=ChecklistEvidenceInputSerializer,
        responses={201: ChecklistEvidenceSerializer, **STAFF_WRITE_ERRORS},
        tags=TAG_CHECKLIST,
    )
    def post(self, request, authority_slug, action_number):
        row = self._row(public=True)
        self.require_updater()
        data = validated(ChecklistEvidenceInputSerializer, request.data)
        example = None
        if data["case_example_id"] is not None:
            example = cases.case_example_get(self.authority, data["case_example_id"])
            if example is None:
                raise exceptions.ValidationError({"case_example_id": ["Choose one of the authority's case examples"]})
        evidence = checklist.evidence_add(
            authority=self.authority,
            acting_user=request.user,
            number=row.number,
            label=data["label"],
            url=data["url"],
            case_example=example,
        )
        return Response(ChecklistEvidenceSerializer(evidence).data, status=status.HTTP_201_CREATED)


class ChecklistEvidenceDetail(ChecklistView):
    @extend_schema(
        operation_id="compact_checklist_evidence_destroy",
        summary="Remove evidence from an action",
        description="Partner members and officers.",
        responses={204: OpenApiResponse(description="Removed."), **STAFF_WRITE_ERRORS},
        tags=TAG_CHECKLIST,
    )
    def delete(self, request, authority_slug, checklist_evidence_id):
        evidence = checklist.evidence_get(self.authority, checklist_evidence_id)
        if evidence is None:
            raise exceptions.NotFound("No such evidence.")
        self.require_updater()
        checklist.evidence_remove(evidence=evidence, acting_user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
