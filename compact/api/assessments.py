"""Decommissioning assessments: opening one, responses from the supplier and partner groups, answers and
the decision. The public reads them without people's names."""

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response

from accounts.api.foundation import PAGE_PARAMETERS, error_responses, paginate, paginated, validated

from .. import decommissioning
from ..models import AssessmentDecision, AssessmentKind, AssessmentStatus, ContractStatus
from .common import STAFF_WRITE_ERRORS, TAG_ASSESSMENTS, CompactApiView

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


class AssessmentView(CompactApiView):
    domain_field_map = {"organisation": "organisation_id"}

    def _assessment(self, *, staff: bool, assessment_id=None):
        assessment_id = self.kwargs["assessment_id"] if assessment_id is None else assessment_id
        if staff:
            assessment = decommissioning.assessment_get(self.authority, assessment_id)
        else:
            assessment = decommissioning.public_assessment_get(self.authority, assessment_id)
        if assessment is None:
            raise exceptions.NotFound("No such assessment.")
        return assessment

    def detail(self, assessment_id=None, status_code=status.HTTP_200_OK) -> Response:
        """The assessment as the caller may read it: with people's names for staff (`contracts.view`) only."""
        staff = self.can("contracts.view")
        assessment = self._assessment(staff=staff, assessment_id=assessment_id)
        serializer = AssessmentStaffDetailSerializer if staff else AssessmentDetailSerializer
        return Response(serializer(assessment).data, status=status_code)


class AssessmentList(AssessmentView):
    method_permissions = {"POST": "contracts.manage"}

    @extend_schema(
        operation_id="compact_assessments_list",
        summary="List decommissioning assessments",
        description="Every assessment, newest first, as the public Compact page lists them: no people's names.",
        parameters=PAGE_PARAMETERS,
        responses={200: paginated(AssessmentSerializer, "AssessmentPage"), **error_responses(404)},
        tags=TAG_ASSESSMENTS,
    )
    def get(self, request, authority_slug):
        return paginate(self, decommissioning.public_assessments(self.authority), AssessmentSerializer)

    @extend_schema(
        operation_id="compact_assessments_create",
        summary="Open a decommissioning assessment",
        description="Procurement officers and contract managers (`contracts.manage`), before ending an active "
        "contract early or reducing its value or scope. The outstanding social value is recorded and the supplier "
        "and the Compact partner groups are told; they can respond until `responses_due_on`.",
        request=AssessmentOpenSerializer,
        responses={201: AssessmentStaffDetailSerializer, **STAFF_WRITE_ERRORS},
        tags=TAG_ASSESSMENTS,
    )
    def post(self, request, authority_slug):
        data = dict(validated(AssessmentOpenSerializer, request.data))
        contract = decommissioning.contract_for_assessment(self.authority, data.pop("contract_id"))
        if contract is None:
            raise exceptions.ValidationError({"contract_id": ["Choose one of the authority's contracts"]})
        assessment = decommissioning.assessment_open(contract=contract, acting_user=request.user, **data)
        return self.detail(assessment.pk, status.HTTP_201_CREATED)


class AssessmentDetail(AssessmentView):
    @extend_schema(
        operation_id="compact_assessments_retrieve",
        summary="Read a decommissioning assessment",
        description="The proposal, the impacts, the outstanding social value, who was told, the responses by "
        "organisation with the authority's answers, and the decision. The public never sees people's names; staff "
        "with `contracts.view` also see who opened and decided it, and what stops the decision (`opened_by`, "
        "`decided_by`, `decision_blocker`, added to the public shape documented here).",
        responses={200: AssessmentDetailSerializer, **error_responses(404)},
        tags=TAG_ASSESSMENTS,
    )
    def get(self, request, authority_slug, assessment_id):
        return self.detail()


class AssessmentRespond(AssessmentView):
    @extend_schema(
        operation_id="compact_assessments_respond",
        summary="Respond to an assessment",
        description="Approved members of the contract's supplier or of one of the authority's Compact partner "
        "groups, while responses are open. Published with the organisation's name, never the person's.",
        request=AssessmentResponseInputSerializer,
        responses={201: AssessmentResponseSerializer, **error_responses(400, 401, 403, 404)},
        tags=TAG_ASSESSMENTS,
    )
    def post(self, request, authority_slug, assessment_id):
        assessment = self._assessment(staff=False)
        self.signed_in()
        organisations = decommissioning.responder_organisations(request.user, assessment)
        if not organisations:
            raise exceptions.PermissionDenied(
                "Only approved members of the supplier or of one of the authority's Compact partner groups can respond"
            )
        data = validated(AssessmentResponseInputSerializer, request.data)
        if data["organisation_id"] is None and len(organisations) == 1:
            organisation = organisations[0]
        else:
            organisation = next((org for org in organisations if org.pk == data["organisation_id"]), None)
        response = decommissioning.response_add(
            assessment=assessment, acting_user=request.user, organisation=organisation, text=data["text"]
        )
        return Response(AssessmentResponseSerializer(response).data, status=status.HTTP_201_CREATED)


class AssessmentAnswer(AssessmentView):
    method_permissions = {"PUT": "contracts.manage"}

    @extend_schema(
        operation_id="compact_assessments_answer",
        summary="Answer a response",
        description="`contracts.manage`. The answer is public; it can be changed until the decision is recorded.",
        request=AssessmentAnswerInputSerializer,
        responses={200: AssessmentResponseSerializer, **STAFF_WRITE_ERRORS},
        tags=TAG_ASSESSMENTS,
    )
    def put(self, request, authority_slug, assessment_id, response_id):
        assessment = self._assessment(staff=True)
        response = next((r for r in assessment.responses.all() if r.pk == response_id), None)
        if response is None:
            raise exceptions.NotFound("No such response.")
        data = validated(AssessmentAnswerInputSerializer, request.data)
        response = decommissioning.response_answer(response=response, acting_user=request.user, answer=data["answer"])
        return Response(AssessmentResponseSerializer(response).data)


class AssessmentDecide(AssessmentView):
    method_permissions = {"POST": "contracts.manage"}

    @extend_schema(
        operation_id="compact_assessments_decide",
        summary="Record the decision",
        description="`contracts.manage`, from the day after responses close and once every response is answered. "
        "The supplier and the partner groups are told.",
        request=AssessmentDecisionInputSerializer,
        responses={200: AssessmentStaffDetailSerializer, **STAFF_WRITE_ERRORS},
        tags=TAG_ASSESSMENTS,
    )
    def post(self, request, authority_slug, assessment_id):
        assessment = self._assessment(staff=True)
        data = validated(AssessmentDecisionInputSerializer, request.data)
        decommissioning.assessment_decide(assessment=assessment, acting_user=request.user, **data)
        return self.detail()
