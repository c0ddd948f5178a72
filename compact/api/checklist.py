"""The local Compact's 16-action checklist and its evidence."""

from rest_framework import exceptions, serializers

from accounts.api.generic import CreateMixin, DestroyMixin, Doc, ReplaceMixin, RetrieveMixin

from .. import case_examples as cases
from .. import checklist
from ..models import ChecklistStatus
from .common import STAFF_WRITE, TAG_CHECKLIST, CompactObjectEndpoint

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


class ChecklistEndpoint(CompactObjectEndpoint):
    """Partner members and officers change the checklist (`permit_write`); anyone reads it."""

    tags = TAG_CHECKLIST

    def public(self) -> bool:
        # Staff read every evidence link, as on the staff checklist; everyone else only those the public may see.
        return not self.can("compact.view")

    def permit_write(self, obj) -> None:
        self.signed_in()
        if not checklist.can_update(self.authority, self.request.user):
            raise exceptions.PermissionDenied(
                f"Only members of {self.authority.name}'s Compact partner groups and its officers can update the "
                "checklist"
            )


class ChecklistList(RetrieveMixin, ChecklistEndpoint):
    output_serializer = ChecklistSerializer
    docs = {
        "get": Doc(
            "compact_checklist_retrieve",
            "Read the checklist",
            "The 16 actions for local Compact groups with their status, notes, who is leading and evidence, and how "
            "many are achieved. Public; evidence that is a case example shows only once the example is published "
            "(staff with `compact.view` see every link).",
            errors=(404,),
        )
    }

    def get_object(self):
        """The whole checklist: how many actions are at each status, and the 16 rows."""
        summary = checklist.checklist_summary(self.authority)
        return {
            "achieved": summary.achieved,
            "in_progress": summary.in_progress,
            "not_started": summary.not_started,
            "actions": checklist.checklist_rows(self.authority, public=self.public()),
        }


class ChecklistRowEndpoint(ChecklistEndpoint):
    """About one of the 16 actions, as the caller may read it."""

    selector, lookup, not_found = checklist.checklist_row, "action_number", "The checklist has actions 1 to 16."

    def selector_options(self) -> dict:
        return {"public": self.public()}


class ChecklistAction(RetrieveMixin, ReplaceMixin, ChecklistRowEndpoint):
    output_serializer = ChecklistRowSerializer
    replace_serializer = ChecklistUpdateSerializer
    docs = {
        "get": Doc(
            "compact_checklist_action_retrieve",
            "Read one action",
            "One of the 16 actions as the checklist shows it: its status, notes, who is leading and evidence. Public.",
            errors=(404,),
        ),
        "put": Doc(
            "compact_checklist_action_update",
            "Update an action",
            "Approved members of the authority's Compact partner groups and its officers (`compact.manage`) set the "
            "status, notes and who is leading; anyone else gets 403.",
            errors=STAFF_WRITE,
        ),
    }

    def replace(self, row, data: dict):
        checklist.action_update(authority=self.authority, acting_user=self.request.user, number=row.number, **data)
        # The row again, with the change (the caller was checked already).
        return self.selector(self.authority, row.number, **self.selector_options())


class ChecklistEvidenceAdd(CreateMixin, ChecklistRowEndpoint):
    domain_field_map = {"case_example": "case_example_id"}
    output_serializer = ChecklistEvidenceSerializer
    create_serializer = ChecklistEvidenceInputSerializer
    docs = {
        "post": Doc(
            "compact_checklist_evidence_create",
            "Link evidence to an action",
            "Partner members and officers: a web address, or one of the authority's case examples (public once the "
            "example is published).",
            errors=STAFF_WRITE,
        )
    }

    def selector_options(self) -> dict:
        return {"public": True}  # only the action's number is used: the answer is the new link alone

    def create(self, row, data: dict):
        example = None
        if data["case_example_id"] is not None:
            example = cases.case_example_get(self.authority, data["case_example_id"])
            if example is None:
                raise exceptions.ValidationError({"case_example_id": ["Choose one of the authority's case examples"]})
        return checklist.evidence_add(
            authority=self.authority,
            acting_user=self.request.user,
            number=row.number,
            label=data["label"],
            url=data["url"],
            case_example=example,
        )


class ChecklistEvidenceDetail(DestroyMixin, ChecklistEndpoint):
    selector, lookup, not_found = checklist.evidence_get, "checklist_evidence_id", "No such evidence."
    object_argument, destroy_service = "evidence", checklist.evidence_remove
    docs = {
        "delete": Doc(
            "compact_checklist_evidence_destroy",
            "Remove evidence from an action",
            "Partner members and officers.",
            errors=STAFF_WRITE,
        )
    }
