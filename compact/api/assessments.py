"""Decommissioning assessments: opening one, responses from the supplier and partner groups, answers and
the decision. The public reads them without people's names."""

from rest_framework import exceptions, serializers

from accounts.api.generic import ActionMixin, CreateMixin, Doc, ListMixin, ReplaceMixin, RetrieveMixin

from .. import decommissioning
from ..models import AssessmentDecision, AssessmentKind, AssessmentStatus, ContractStatus
from .common import STAFF_WRITE, TAG_ASSESSMENTS, CompactObjectEndpoint

# Decommissioning assessments --------------------------------------------------------------------------------------


class AssessmentContractSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    title = serializers.CharField()
    status = serializers.ChoiceField(choices=ContractStatus.choices)
    supplier = serializers.CharField(source="supplier.name")


class AssessmentOutstandingRowSerializer(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField()
    unit = serializers.CharField()
    unit_label = serializers.CharField()
    remaining = serializers.CharField(help_text="What is left of the target, never below zero.")
    gross = serializers.CharField(help_text="Monetised with the measure's proxy, in pounds.")
    net = serializers.CharField(help_text="Net of the measure's deflators, in pounds.")


class AssessmentNotifiedSerializer(serializers.Serializer):
    organisation = serializers.CharField()
    kind = serializers.CharField(help_text="supplier or partner.")
    about = serializers.CharField(help_text="opened or decision.")
    channel = serializers.CharField()
    on = serializers.DateField()
    recipients = serializers.IntegerField(help_text="How many of its members were told (never who).")


class AssessmentResponseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    organisation = serializers.CharField(source="organisation.name", help_text="Who responded: never a person.")
    text = serializers.CharField()
    created_at = serializers.DateTimeField()
    answer = serializers.CharField(help_text="The authority's public answer; empty until answered.")
    answered_at = serializers.DateTimeField(allow_null=True)


class AssessmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    contract = AssessmentContractSerializer()
    kind = serializers.ChoiceField(choices=AssessmentKind.choices)
    kind_label = serializers.CharField(source="get_kind_display")
    proposal = serializers.CharField()
    takes_effect_on = serializers.DateField()
    proposed_value = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    impact_beneficiaries = serializers.CharField()
    impact_service_users = serializers.CharField()
    impact_volunteers = serializers.CharField()
    outstanding_value = serializers.DecimalField(
        max_digits=14, decimal_places=2, help_text="The gross social value outstanding when it was opened."
    )
    outstanding = AssessmentOutstandingRowSerializer(many=True, help_text="Per commitment, when it was opened.")
    responses_due_on = serializers.DateField(help_text="Responses are open until the end of this day.")
    status = serializers.ChoiceField(choices=AssessmentStatus.choices)
    notified = AssessmentNotifiedSerializer(many=True, help_text="Who was told, by organisation.")
    opened_at = serializers.DateTimeField()
    decision = serializers.CharField(help_text="Empty until decided.")
    decision_reasons = serializers.CharField()
    decided_at = serializers.DateTimeField(allow_null=True)
    applied_at = serializers.DateTimeField(allow_null=True, help_text="When the contract was ended or reduced on it.")
    response_count = serializers.IntegerField()


class AssessmentDetailSerializer(AssessmentSerializer):
    response_count = None
    responses_open = serializers.SerializerMethodField()
    responses = AssessmentResponseSerializer(many=True, source="responses.all")

    def get_responses_open(self, assessment) -> bool:
        return decommissioning.responses_open(assessment)


class AssessmentStaffDetailSerializer(AssessmentDetailSerializer):
    opened_by = serializers.CharField(source="opened_by.full_name", allow_null=True, default=None)
    decided_by = serializers.CharField(source="decided_by.full_name", allow_null=True, default=None)
    decision_blocker = serializers.SerializerMethodField(
        help_text="Why the decision cannot be recorded yet; empty when it can (or has been)."
    )

    def get_decision_blocker(self, assessment) -> str:
        if assessment.status != AssessmentStatus.OPEN:
            return ""
        return decommissioning.decision_blocker(assessment)


class AssessmentOpenSerializer(serializers.Serializer):
    # The service checks every field and names it with the page's message.
    contract_id = serializers.IntegerField(help_text="An active contract of the authority.")
    kind = serializers.CharField(
        required=False, allow_blank=True, default="", help_text=", ".join(AssessmentKind.values)
    )
    proposal = serializers.CharField(required=False, allow_blank=True, default="")
    takes_effect_on = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        error_messages={"invalid": "Enter the date the change would take effect as a real date, like 2026-09-01"},
    )
    proposed_value = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, default=None, help_text="For a reduction in value only."
    )
    impact_beneficiaries = serializers.CharField(required=False, allow_blank=True, default="")
    impact_service_users = serializers.CharField(required=False, allow_blank=True, default="")
    impact_volunteers = serializers.CharField(required=False, allow_blank=True, default="")
    responses_due_on = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        error_messages={"invalid": "Enter the date responses are due by as a real date, like 2026-06-30"},
    )


class AssessmentAnswerInputSerializer(serializers.Serializer):
    answer = serializers.CharField(required=False, allow_blank=True, default="", help_text="Published.")


class AssessmentDecisionInputSerializer(serializers.Serializer):
    decision = serializers.CharField(
        required=False, allow_blank=True, default="", help_text=", ".join(AssessmentDecision.values)
    )
    reasons = serializers.CharField(required=False, allow_blank=True, default="", help_text="Published.")


class AssessmentResponseInputSerializer(serializers.Serializer):
    organisation_id = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text="The supplier or partner group you respond for; needed only when you could respond for more than "
        "one.",
    )
    text = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Published with the organisation's name, not yours."
    )


def assessment_read(authority, assessment_id: int, *, staff: bool):
    """Staff read an assessment with people's names; everyone else as the public Compact page shows it."""
    if staff:
        return decommissioning.assessment_get(authority, assessment_id)
    return decommissioning.public_assessment_get(authority, assessment_id)


class AssessmentEndpoint(CompactObjectEndpoint):
    """About one assessment: read with people's names by staff (`contracts.view`) only, unless `staff_read` fixes
    how the endpoint reads it (the managers' writes as staff, a response on the public one); it answers with the
    assessment as the caller may read it."""

    domain_field_map = {"organisation": "organisation_id"}
    tags = TAG_ASSESSMENTS
    selector, lookup, not_found = assessment_read, "assessment_id", "No such assessment."
    object_argument = "assessment"
    staff_read: bool | None = None

    def staff(self) -> bool:
        return self.can("contracts.view")

    def selector_options(self) -> dict:
        return {"staff": self.staff() if self.staff_read is None else self.staff_read}

    def reread(self, assessment):
        """The assessment again, with what the service changed, as the caller may read it."""
        found = assessment_read(self.authority, assessment.pk, staff=self.staff())
        if found is None:
            raise exceptions.NotFound(self.not_found)
        return found

    def present(self, assessment) -> dict:
        serializer = AssessmentStaffDetailSerializer if self.staff() else AssessmentDetailSerializer
        return serializer(assessment).data


class AssessmentList(ListMixin, CreateMixin, AssessmentEndpoint):
    method_permissions = {"POST": "contracts.manage"}
    selector = None  # a new assessment is opened on a contract of the authority, in the input
    object_argument = "contract"
    output_serializer, page_name = AssessmentSerializer, "AssessmentPage"
    create_serializer, create_service = AssessmentOpenSerializer, decommissioning.assessment_open
    docs = {
        "get": Doc(
            "compact_assessments_list",
            "List decommissioning assessments",
            "Every assessment, newest first, as the public Compact page lists them: no people's names.",
            errors=(404,),
        ),
        "post": Doc(
            "compact_assessments_create",
            "Open a decommissioning assessment",
            "Procurement officers and contract managers (`contracts.manage`), before ending an active contract early "
            "or reducing its value or scope. The outstanding social value is recorded and the supplier and the "
            "Compact partner groups are told; they can respond until `responses_due_on`.",
            errors=STAFF_WRITE,
            responses={201: AssessmentStaffDetailSerializer},
        ),
    }

    def items(self):
        return decommissioning.public_assessments(self.authority)

    def create(self, authority, data: dict):
        contract = decommissioning.contract_for_assessment(authority, data.pop("contract_id"))
        if contract is None:
            raise exceptions.ValidationError({"contract_id": ["Choose one of the authority's contracts"]})
        return self.reread(self.call(self.create_service, contract, data))


class AssessmentDetail(RetrieveMixin, AssessmentEndpoint):
    output_serializer = AssessmentDetailSerializer  # the public shape, documented
    docs = {
        "get": Doc(
            "compact_assessments_retrieve",
            "Read a decommissioning assessment",
            "The proposal, the impacts, the outstanding social value, who was told, the responses by organisation "
            "with the authority's answers, and the decision. The public never sees people's names; staff with "
            "`contracts.view` also see who opened and decided it, and what stops the decision (`opened_by`, "
            "`decided_by`, `decision_blocker`, added to the public shape documented here).",
            errors=(404,),
        )
    }


class AssessmentResponseEndpoint(AssessmentEndpoint):
    """Answers with one response: the organisation's, never the person's."""

    output_serializer = AssessmentResponseSerializer

    def present(self, response) -> dict:
        return AssessmentResponseSerializer(response).data


class AssessmentRespond(CreateMixin, AssessmentResponseEndpoint):
    staff_read = False
    create_serializer, create_service = AssessmentResponseInputSerializer, decommissioning.response_add
    docs = {
        "post": Doc(
            "compact_assessments_respond",
            "Respond to an assessment",
            "Approved members of the contract's supplier or of one of the authority's Compact partner groups, while "
            "responses are open. Published with the organisation's name, never the person's.",
            errors=(400, 401, 403, 404),
        )
    }

    def permit_write(self, assessment) -> None:
        self.signed_in()
        # Kept for create(): the organisation is chosen among them once the input is valid.
        self.organisations = decommissioning.responder_organisations(self.request.user, assessment)
        if not self.organisations:
            raise exceptions.PermissionDenied(
                "Only approved members of the supplier or of one of the authority's Compact partner groups can respond"
            )

    def create(self, assessment, data: dict):
        if data["organisation_id"] is None and len(self.organisations) == 1:
            organisation = self.organisations[0]
        else:
            organisation = next((org for org in self.organisations if org.pk == data["organisation_id"]), None)
        return self.call(self.create_service, assessment, {"organisation": organisation, "text": data["text"]})


class AssessmentAnswer(ReplaceMixin, AssessmentResponseEndpoint):
    method_permissions = {"PUT": "contracts.manage"}
    staff_read = True
    object_argument = "response"
    replace_serializer, replace_service = AssessmentAnswerInputSerializer, decommissioning.response_answer
    docs = {
        "put": Doc(
            "compact_assessments_answer",
            "Answer a response",
            "`contracts.manage`. The answer is public; it can be changed until the decision is recorded.",
            errors=STAFF_WRITE,
        )
    }

    def get_object(self):
        """The response the URL names, of the assessment it names."""
        assessment = super().get_object()
        response = next((r for r in assessment.responses.all() if r.pk == self.kwargs["response_id"]), None)
        if response is None:
            raise exceptions.NotFound("No such response.")
        return response


class AssessmentDecide(ActionMixin, AssessmentEndpoint):
    method_permissions = {"POST": "contracts.manage"}
    staff_read = True
    output_serializer = AssessmentStaffDetailSerializer
    action_serializer, action_service = AssessmentDecisionInputSerializer, decommissioning.assessment_decide
    docs = {
        "post": Doc(
            "compact_assessments_decide",
            "Record the decision",
            "`contracts.manage`, from the day after responses close and once every response is answered. The "
            "supplier and the partner groups are told.",
            errors=STAFF_WRITE,
        )
    }

    def act(self, assessment, data: dict):
        self.call(self.action_service, assessment, data)
        return self.reread(assessment)
