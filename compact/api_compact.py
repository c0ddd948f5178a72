"""The local Compact page over the API: the consultation register and its yearly compliance, the 16-action checklist,
case examples, Compact partners and decommissioning assessments.

Reads go through the same selectors as the pages and writes through the same services (`register`, `checklist`,
`case_examples`, `partners`, `decommissioning`), so every rule holds here too. The public reads what the public pages
show: published case examples only (and checklist evidence pointing to them), assessments without people's names.
Checklist updates and case examples are open to the approved members of the authority's Compact partner groups as
well as to officers: someone who is neither gets 403 with the service's message, as on the pages.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response

from accounts.api.foundation import PAGE_PARAMETERS, choice_param, error_responses, paginate, paginated, validated
from accounts.api.views import AuthorityApiView

from . import case_examples as cases
from . import checklist, decommissioning, register
from . import partners as partner_services
from .models import (
    AssessmentDecision,
    AssessmentKind,
    AssessmentStatus,
    CaseKind,
    ChecklistStatus,
    ContractStatus,
)
from .partners import NotPartnerOrOfficer

TAG_REGISTER = ["compact: consultation register"]
TAG_CHECKLIST = ["compact: checklist"]
TAG_CASES = ["compact: case examples"]
TAG_PARTNERS = ["compact: partners"]
TAG_ASSESSMENTS = ["compact: decommissioning assessments"]

STAFF_WRITE_ERRORS = error_responses(400, 401, 403, 404)


class CompactApiView(AuthorityApiView):
    """Someone who is neither a partner member nor an officer is refused by the services (`NotPartnerOrOfficer`):
    403 with the service's message, as the pages answer."""

    def handle_exception(self, exc):
        if isinstance(exc, NotPartnerOrOfficer):
            exc = exceptions.PermissionDenied(exc.message)
        return super().handle_exception(exc)

    def signed_in(self) -> None:
        if not self.request.user.is_authenticated:
            raise exceptions.NotAuthenticated()


# The consultation register --------------------------------------------------------------------------------------


class CompactRegisterEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    summary = serializers.CharField()
    url = serializers.CharField(
        source="public_url", help_text="The consultation's page; empty for a charter consultation since withdrawn."
    )
    opens_on = serializers.DateField()
    closes_on = serializers.DateField()
    length_days = serializers.SerializerMethodField()
    length_weeks = serializers.SerializerMethodField(help_text="To one decimal place.")
    meets_twelve_weeks = serializers.SerializerMethodField(help_text="The Compact's 12 weeks (84 days) or more.")
    shorter_reason = serializers.CharField(help_text="Why it is shorter than 12 weeks, when it is.")
    compliant = serializers.SerializerMethodField(help_text="Met 12 weeks, or explained why not.")
    feedback = serializers.BooleanField(
        help_text="Respondents were told how their responses were used (for a charter consultation: closed, and "
        "every published comment answered)."
    )
    feedback_url = serializers.CharField(help_text="Where the feedback is published (entered consultations).")
    is_charter_consultation = serializers.SerializerMethodField(
        help_text="Kept in step with a charter consultation: it cannot be changed here."
    )
    withdrawn = serializers.BooleanField(help_text="A charter consultation whose version was withdrawn.")
    updated_at = serializers.DateTimeField()

    def get_length_days(self, entry) -> int:
        return register.length_days(entry.opens_on, entry.closes_on)

    def get_length_weeks(self, entry) -> str:
        return str(register.length_weeks(entry.opens_on, entry.closes_on))

    def get_meets_twelve_weeks(self, entry) -> bool:
        return register.meets_twelve_weeks(entry.opens_on, entry.closes_on)

    def get_compliant(self, entry) -> bool:
        return register.is_compliant(entry.opens_on, entry.closes_on, entry.shorter_reason)

    def get_is_charter_consultation(self, entry) -> bool:
        return entry.charter_consultation_id is not None


class CompactRegisterEntryInputSerializer(serializers.Serializer):
    # Required fields and lengths are the service's rules: it names the field with the page's message.
    title = serializers.CharField(required=False, allow_blank=True, default="")
    summary = serializers.CharField(required=False, allow_blank=True, default="")
    url = serializers.CharField(required=False, allow_blank=True, default="", help_text="http:// or https://")
    opens_on = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        error_messages={"invalid": "Enter the opening date as a real date, like 2026-04-01"},
    )
    closes_on = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        error_messages={"invalid": "Enter the closing date as a real date, like 2026-06-24"},
    )
    shorter_reason = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Needed when it is shorter than 12 weeks."
    )


class CompactFeedbackInputSerializer(serializers.Serializer):
    feedback_given = serializers.BooleanField(
        error_messages={"required": "Choose whether respondents got feedback"},
        help_text="Have respondents been told how their responses were used? Only once the consultation has closed.",
    )
    feedback_url = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Where the feedback is published; needed with true."
    )


class CompactComplianceSerializer(serializers.Serializer):
    year = serializers.IntegerField(help_text="The financial year, named by the year it starts (1 April).")
    label = serializers.CharField()
    total = serializers.IntegerField(help_text="Consultations that opened in the year.")
    met = serializers.IntegerField(help_text="Ran for 12 weeks or more.")
    explained = serializers.IntegerField(help_text="Shorter, with the reason given.")
    unexplained = serializers.IntegerField(help_text="Shorter, with no reason.")
    compliant = serializers.IntegerField(help_text="Met or explained.")
    share = serializers.DecimalField(
        max_digits=4, decimal_places=1, allow_null=True, help_text="The compliant percentage; null with none."
    )


YEAR_PARAMETER = OpenApiParameter(
    "year", OpenApiTypes.INT, description="Only consultations that opened in this financial year (2025: April 2025 on)."
)


def _year(request) -> int | None:
    value = request.query_params.get("year", "").strip()
    if not value:
        return None
    if not value.isdigit() or not 1900 <= int(value) <= 2200:
        raise exceptions.ValidationError({"year": ["Enter a financial year as the year it starts, like 2025"]})
    return int(value)


class RegisterView(CompactApiView):
    def _entry(self, entry_id=None):
        entry_id = self.kwargs["entry_id"] if entry_id is None else entry_id
        entry = register.register_entries(self.authority).filter(pk=entry_id).first()
        if entry is None:
            raise exceptions.NotFound("No such consultation in the register.")
        return entry


class RegisterList(RegisterView):
    method_permissions = {"POST": "compact.manage"}

    @extend_schema(
        operation_id="compact_register_list",
        summary="List the consultation register",
        description="Every consultation the authority runs, newest first, with its length, whether it met the "
        "Compact's 12 weeks or explained why, and whether respondents got feedback. Public, as the public register.",
        parameters=[YEAR_PARAMETER, *PAGE_PARAMETERS],
        responses={200: paginated(CompactRegisterEntrySerializer, "RegisterEntryPage"), **error_responses(400, 404)},
        tags=TAG_REGISTER,
    )
    def get(self, request, authority_slug):
        entries = register.register_entries(self.authority, year=_year(request))
        return paginate(self, entries, CompactRegisterEntrySerializer)

    @extend_schema(
        operation_id="compact_register_create",
        summary="Enter a consultation",
        description="Officers (`compact.manage`) enter a consultation run outside this service's charters. One "
        "shorter than 12 weeks needs the reason. Charter consultations join the register by themselves.",
        request=CompactRegisterEntryInputSerializer,
        responses={201: CompactRegisterEntrySerializer, **STAFF_WRITE_ERRORS},
        tags=TAG_REGISTER,
    )
    def post(self, request, authority_slug):
        data = validated(CompactRegisterEntryInputSerializer, request.data)
        entry = register.register_add(authority=self.authority, acting_user=request.user, **data)
        return Response(CompactRegisterEntrySerializer(self._entry(entry.pk)).data, status=status.HTTP_201_CREATED)


class RegisterDetail(RegisterView):
    method_permissions = {"PUT": "compact.manage", "PATCH": "compact.manage", "DELETE": "compact.manage"}

    @extend_schema(
        operation_id="compact_register_retrieve",
        summary="Read a consultation in the register",
        description="Public, as the public register shows it.",
        responses={200: CompactRegisterEntrySerializer, **error_responses(404)},
        tags=TAG_REGISTER,
    )
    def get(self, request, authority_slug, entry_id):
        return Response(CompactRegisterEntrySerializer(self._entry()).data)

    def _update(self, request, *, partial: bool):
        entry = self._entry()
        data = validated(CompactRegisterEntryInputSerializer, request.data)
        if partial:
            names = set(request.data) if hasattr(request.data, "keys") else set()
            data = {name: data[name] if name in names else getattr(entry, name) for name in data}
        register.register_update(entry=entry, acting_user=request.user, **data)
        return Response(CompactRegisterEntrySerializer(self._entry()).data)

    @extend_schema(
        operation_id="compact_register_update",
        summary="Change an entered consultation",
        description="Officers (`compact.manage`); every field is replaced. Charter consultations are kept in step "
        "with the charter and are refused here.",
        request=CompactRegisterEntryInputSerializer,
        responses={200: CompactRegisterEntrySerializer, **STAFF_WRITE_ERRORS},
        tags=TAG_REGISTER,
    )
    def put(self, request, authority_slug, entry_id):
        return self._update(request, partial=False)

    @extend_schema(
        operation_id="compact_register_partial_update",
        summary="Change some fields of an entered consultation",
        description="Officers (`compact.manage`); fields left out keep their values. Charter consultations are "
        "refused.",
        request=CompactRegisterEntryInputSerializer,
        responses={200: CompactRegisterEntrySerializer, **STAFF_WRITE_ERRORS},
        tags=TAG_REGISTER,
    )
    def patch(self, request, authority_slug, entry_id):
        return self._update(request, partial=True)

    @extend_schema(
        operation_id="compact_register_destroy",
        summary="Remove an entered consultation",
        description="Officers (`compact.manage`). Charter consultations are refused.",
        responses={204: OpenApiResponse(description="Removed."), **STAFF_WRITE_ERRORS},
        tags=TAG_REGISTER,
    )
    def delete(self, request, authority_slug, entry_id):
        register.register_remove(entry=self._entry(), acting_user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class RegisterFeedback(RegisterView):
    method_permissions = {"PUT": "compact.manage"}

    @extend_schema(
        operation_id="compact_register_feedback",
        summary="Record feedback to respondents",
        description="Officers (`compact.manage`): whether respondents were told how their responses were used, "
        "and where that is published, once the consultation has closed. Charter consultations are refused (their "
        "feedback is the answers to their comments).",
        request=CompactFeedbackInputSerializer,
        responses={200: CompactRegisterEntrySerializer, **STAFF_WRITE_ERRORS},
        tags=TAG_REGISTER,
    )
    def put(self, request, authority_slug, entry_id):
        entry = self._entry()
        data = validated(CompactFeedbackInputSerializer, request.data)
        register.feedback_record(entry=entry, acting_user=request.user, **data)
        return Response(CompactRegisterEntrySerializer(self._entry()).data)


class RegisterCompliance(CompactApiView):
    @extend_schema(
        operation_id="compact_register_compliance",
        summary="Yearly compliance with 12 weeks",
        description="For each financial year with a consultation, newest first: how many met 12 weeks, how many "
        "explained why not, and the compliant share. A consultation counts in the year it opened.",
        responses={200: CompactComplianceSerializer(many=True), **error_responses(404)},
        tags=TAG_REGISTER,
    )
    def get(self, request, authority_slug):
        return Response(CompactComplianceSerializer(register.register_compliance(self.authority), many=True).data)


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


# Case examples ----------------------------------------------------------------------------------------------------


class CaseExampleSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=CaseKind.choices)
    kind_label = serializers.CharField(source="get_kind_display")
    title = serializers.CharField()
    what_was_bought = serializers.CharField()
    social_value = serializers.CharField(help_text="What social value was or was not recognised.")
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, help_text="The cost or saving, in pounds.")
    amount_explained = serializers.CharField()
    evidence = serializers.CharField()
    contract_reference = serializers.CharField(source="contract.reference", allow_null=True, default=None)
    contract_title = serializers.CharField(source="contract.title", allow_null=True, default=None)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    partner_approved_at = serializers.DateTimeField(allow_null=True)
    partner_group = serializers.CharField(
        source="partner_organisation.name", allow_null=True, default=None, help_text="The group that approved it."
    )
    officer_approved_at = serializers.DateTimeField(allow_null=True)
    published_at = serializers.DateTimeField(allow_null=True, help_text="Null while it is a draft.")
    still_needs = serializers.SerializerMethodField(help_text="The approvals it still needs before publishing.")

    def get_still_needs(self, example) -> list[str]:
        return cases.readiness(example).missing


class CaseExampleInputSerializer(serializers.Serializer):
    # The service checks every field and names it with the page's message.
    kind = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="saving (action 14) or cost (action 15)."
    )
    title = serializers.CharField(required=False, allow_blank=True, default="")
    what_was_bought = serializers.CharField(required=False, allow_blank=True, default="")
    social_value = serializers.CharField(required=False, allow_blank=True, default="")
    amount = serializers.CharField(required=False, allow_blank=True, default="", help_text="Pounds, like 12500.50.")
    amount_explained = serializers.CharField(required=False, allow_blank=True, default="")
    evidence = serializers.CharField(required=False, allow_blank=True, default="")
    contract_id = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Officers only (as on the staff form): the contract the example is about.",
    )


class CaseExampleApprovalSerializer(serializers.Serializer):
    approve_as = serializers.ChoiceField(
        choices=[("partner", "partner"), ("officer", "officer")],
        help_text="partner: for a partner group you are an approved member of; officer: as the authority's officer "
        "(`compact.manage`).",
    )
    organisation_id = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="As a partner in more than one group: which one."
    )


CASE_STATUS_PARAMETER = OpenApiParameter(
    "status",
    OpenApiTypes.STR,
    enum=["draft", "published"],
    description="Only drafts (partner members and staff) or only published examples.",
)


class CaseExampleView(CompactApiView):
    domain_field_map = {"contract": "contract_id", "organisation": "organisation_id"}

    def sees_drafts(self) -> bool:
        return self.can("compact.view") or partner_services.is_partner_member(self.request.user, self.authority)

    def _example(self):
        example_id = self.kwargs["example_id"]
        if self.can("compact.view"):
            example = cases.case_example_get(self.authority, example_id)
        else:
            example = cases.case_example_get_public(self.authority, example_id, self.request.user)
        if example is None:
            raise exceptions.NotFound("No such case example.")
        return example

    def require_writer(self) -> None:
        self.signed_in()
        if not cases.can_write(self.authority, self.request.user):
            raise exceptions.PermissionDenied(
                f"Only members of {self.authority.name}'s Compact partner groups and its officers can write case "
                "examples"
            )

    def service_fields(self, data: dict, *, current=None) -> dict:
        """The service's keyword arguments; `current` is the example's contract, which it may keep."""
        fields = {name: data[name] for name in ("kind", *cases.TEXT_LIMITS, "amount")}
        contract = None
        if current is not None and data.get("contract_id") == current.pk:
            contract = current
        elif data.get("contract_id") is not None:
            if not self.can("compact.manage"):
                raise exceptions.ValidationError(
                    {"contract_id": ["Only the authority's officers can link a case example to a contract"]}
                )
            contract = cases.case_example_contract(self.authority, data["contract_id"])
            if contract is None:
                raise exceptions.ValidationError({"contract_id": ["Choose one of the authority's contracts"]})
        return {**fields, "contract": contract}

    def respond(self, example, status_code=status.HTTP_200_OK) -> Response:
        example = cases.case_example_get(self.authority, example.pk)
        return Response(CaseExampleSerializer(example).data, status=status_code)


class CaseExampleList(CaseExampleView):
    @extend_schema(
        operation_id="compact_case_examples_list",
        summary="List case examples",
        description="Published examples for everyone, newest first. Staff with `compact.view` and members of the "
        "authority's Compact partner groups see drafts too (drafts first).",
        parameters=[CASE_STATUS_PARAMETER, *PAGE_PARAMETERS],
        responses={200: paginated(CaseExampleSerializer, "CaseExamplePage"), **error_responses(400, 401, 403, 404)},
        tags=TAG_CASES,
    )
    def get(self, request, authority_slug):
        state = choice_param(request, "status", ("draft", "published"))
        drafts = self.sees_drafts()
        if state == "draft" and not drafts:
            self.signed_in()
            raise exceptions.PermissionDenied("Only the authority's staff and its Compact partners see drafts.")
        if state == "published" or not drafts:
            examples = cases.case_examples_published(self.authority)
        elif state == "draft":
            examples = cases.case_examples_drafts(self.authority)
        else:
            examples = cases.case_examples_all(self.authority)
        return paginate(self, examples, CaseExampleSerializer)

    @extend_schema(
        operation_id="compact_case_examples_create",
        summary="Write a case example",
        description="Partner members and officers. It needs a partner's and an officer's approval before an "
        "officer publishes it.",
        request=CaseExampleInputSerializer,
        responses={201: CaseExampleSerializer, **STAFF_WRITE_ERRORS},
        tags=TAG_CASES,
    )
    def post(self, request, authority_slug):
        self.require_writer()
        data = validated(CaseExampleInputSerializer, request.data)
        example = cases.case_example_create(
            authority=self.authority, acting_user=request.user, **self.service_fields(data)
        )
        return self.respond(example, status.HTTP_201_CREATED)


class CaseExampleDetail(CaseExampleView):
    @extend_schema(
        operation_id="compact_case_examples_retrieve",
        summary="Read a case example",
        description="A published example for anyone; a draft for partner members and staff only (404 otherwise).",
        responses={200: CaseExampleSerializer, **error_responses(404)},
        tags=TAG_CASES,
    )
    def get(self, request, authority_slug, example_id):
        return Response(CaseExampleSerializer(self._example()).data)

    def _update(self, request, *, partial: bool):
        example = self._example()
        self.require_writer()
        data = validated(CaseExampleInputSerializer, request.data)
        if partial:
            names = set(request.data) if hasattr(request.data, "keys") else set()
            current = {
                "kind": example.kind,
                **{name: getattr(example, name) for name in cases.TEXT_LIMITS},
                "amount": example.amount,
                "contract_id": example.contract_id,
            }
            data = {name: data[name] if name in names else current[name] for name in current}
        fields = self.service_fields(data, current=example.contract)
        return self.respond(cases.case_example_update(example=example, acting_user=request.user, **fields))

    @extend_schema(
        operation_id="compact_case_examples_update",
        summary="Change a case example",
        description="Partner members and officers; every field is replaced. Any change clears both approvals, and "
        "a published example comes off the public pages until it is approved and published again.",
        request=CaseExampleInputSerializer,
        responses={200: CaseExampleSerializer, **STAFF_WRITE_ERRORS},
        tags=TAG_CASES,
    )
    def put(self, request, authority_slug, example_id):
        return self._update(request, partial=False)

    @extend_schema(
        operation_id="compact_case_examples_partial_update",
        summary="Change some fields of a case example",
        description="As PUT, but fields left out keep their values. Any change clears both approvals.",
        request=CaseExampleInputSerializer,
        responses={200: CaseExampleSerializer, **STAFF_WRITE_ERRORS},
        tags=TAG_CASES,
    )
    def patch(self, request, authority_slug, example_id):
        return self._update(request, partial=True)


class CaseExampleApproval(CaseExampleView):
    @extend_schema(
        operation_id="compact_case_examples_approve",
        summary="Approve a case example",
        description="As a partner (an approved member of one of the authority's Compact partner groups, for that "
        "group) or as the officer (`compact.manage`). Each approval is given once.",
        request=CaseExampleApprovalSerializer,
        responses={200: CaseExampleSerializer, **STAFF_WRITE_ERRORS},
        tags=TAG_CASES,
    )
    def post(self, request, authority_slug, example_id):
        example = self._example()
        self.signed_in()
        data = validated(CaseExampleApprovalSerializer, request.data)
        if data["approve_as"] == "officer":
            example = cases.case_example_approve_as_officer(example=example, acting_user=request.user)
            return self.respond(example)
        organisation = None
        if data["organisation_id"] is not None:
            groups = partner_services.partner_organisations(request.user, self.authority)
            organisation = next((group for group in groups if group.pk == data["organisation_id"]), None)
            if organisation is None and groups:
                raise exceptions.ValidationError(
                    {"organisation_id": ["Choose a Compact partner group you are a member of"]}
                )
        example = cases.case_example_approve_as_partner(
            example=example, acting_user=request.user, organisation=organisation
        )
        return self.respond(example)


def _officer_action(name: str, action, operation: str, summary: str, description: str):
    class Action(CaseExampleView):
        @extend_schema(
            operation_id=operation,
            summary=summary,
            description=description,
            request=None,
            responses={200: CaseExampleSerializer, **STAFF_WRITE_ERRORS},
            tags=TAG_CASES,
        )
        def post(self, request, authority_slug, example_id):
            example = self._example()
            self.signed_in()
            return self.respond(action(example=example, acting_user=request.user))

    Action.__name__ = Action.__qualname__ = name
    return Action


CaseExamplePublish = _officer_action(
    "CaseExamplePublish",
    cases.case_example_publish,
    "compact_case_examples_publish",
    "Publish a case example",
    "Officers (`compact.manage`), once a partner and an officer have approved it.",
)
CaseExampleUnpublish = _officer_action(
    "CaseExampleUnpublish",
    cases.case_example_unpublish,
    "compact_case_examples_unpublish",
    "Unpublish a case example",
    "Officers (`compact.manage`): it comes off the public pages; its approvals are kept.",
)


# Compact partners -------------------------------------------------------------------------------------------------


class CompactPartnerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    organisation_id = serializers.IntegerField()
    name = serializers.CharField(source="organisation.name")
    added_at = serializers.DateTimeField()


class CompactPartnerInputSerializer(serializers.Serializer):
    organisation_id = serializers.IntegerField(help_text="A community group's id.")


class PartnerList(CompactApiView):
    method_permissions = {"POST": "compact.partners"}
    domain_field_map = {"organisation": "organisation_id"}

    @extend_schema(
        operation_id="compact_partners_list",
        summary="List Compact partners",
        description="The community groups that are the authority's Compact partners. Public.",
        parameters=PAGE_PARAMETERS,
        responses={200: paginated(CompactPartnerSerializer, "CompactPartnerPage"), **error_responses(404)},
        tags=TAG_PARTNERS,
    )
    def get(self, request, authority_slug):
        return paginate(self, partner_services.partners_of(self.authority), CompactPartnerSerializer)

    @extend_schema(
        operation_id="compact_partners_create",
        summary="Make a community group a Compact partner",
        description="Admins (`compact.partners`). The group's admins are told by email.",
        request=CompactPartnerInputSerializer,
        responses={201: CompactPartnerSerializer, **STAFF_WRITE_ERRORS},
        tags=TAG_PARTNERS,
    )
    def post(self, request, authority_slug):
        data = validated(CompactPartnerInputSerializer, request.data)
        organisation = partner_services.community_group_search().filter(pk=data["organisation_id"]).first()
        if organisation is None:
            raise exceptions.ValidationError(
                {"organisation_id": ["Choose a community group to make a Compact partner"]}
            )
        partner = partner_services.partner_add(
            authority=self.authority, acting_user=request.user, organisation=organisation
        )
        return Response(CompactPartnerSerializer(partner).data, status=status.HTTP_201_CREATED)


class PartnerDetail(CompactApiView):
    method_permissions = {"DELETE": "compact.partners"}

    def _partner(self):
        partner = partner_services.partner_get(self.authority, self.kwargs["partner_id"])
        if partner is None:
            raise exceptions.NotFound("No such Compact partner.")
        return partner

    @extend_schema(
        operation_id="compact_partners_retrieve",
        summary="Read a Compact partner",
        responses={200: CompactPartnerSerializer, **error_responses(404)},
        tags=TAG_PARTNERS,
    )
    def get(self, request, authority_slug, partner_id):
        return Response(CompactPartnerSerializer(self._partner()).data)

    @extend_schema(
        operation_id="compact_partners_destroy",
        summary="Remove a Compact partner",
        description="Admins (`compact.partners`). What its members wrote and approved stays.",
        responses={204: OpenApiResponse(description="Removed."), **STAFF_WRITE_ERRORS},
        tags=TAG_PARTNERS,
    )
    def delete(self, request, authority_slug, partner_id):
        partner_services.partner_remove(partner=self._partner(), acting_user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


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
