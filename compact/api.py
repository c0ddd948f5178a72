"""The contracts API: contracts with their commitments, KPIs and progress, delivery reports (suppliers submit,
contract managers verify line by line), the cumulative impact figures and the public delivery tracker's data.

Reads go through `selectors`, `impact` and `tracker`; writes through `services` and `evidence`, exactly as the pages
do, so every rule holds here too: a report is submitted only after its period ends and never once verified, an
early end needs a decommissioning assessment decided to go ahead, only accepted quantities count as delivered, and
the tracker shows nothing personal. Staff routes need `contracts.view` (reads), `contracts.manage` (contracts, KPIs,
ending) or `contracts.verify` (verification); the supplier's routes (`my-contracts/`) answer only approved members
of the contract's supplier organisation, and 404 to anyone else, authority staff included.
"""

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response

from accounts.api.foundation import (
    PAGE_PARAMETERS,
    ApiPagination,
    apply_ordering,
    choice_param,
    error_responses,
    ordering_parameter,
    paginate,
    paginated,
    register_conflicts,
    validated,
)
from accounts.api.views import AuthorityApiView
from accounts.models import Membership, Organisation, OrganisationKind
from accounts.roles import Role
from charters.models import FROZEN_STATUSES, CharterMeasure, CharterVersion, Unit

from . import decommissioning, impact, selectors, services, tracker
from . import evidence as evidence_rules
from .errors import StateConflict
from .models import ContractStatus, DeliveryReport, ReportingLevel, ReportStatus, Verification
from .performance import Rating, Status
from .views.impact import FILTER_FIELDS, ImpactFilterForm

register_conflicts(StateConflict)

TAG_CONTRACTS = ["contracts"]
TAG_REPORTS = ["delivery reports"]
TAG_SUPPLIER = ["supplier's contracts"]
TAG_IMPACT = ["impact and tracker"]

READ_ERRORS = error_responses(400, 401, 403, 404)
WRITE_ERRORS = error_responses(400, 401, 403, 404)
STATE_WRITE_ERRORS = error_responses(400, 401, 403, 404, 409)
SUPPLIER_READ_ERRORS = error_responses(401, 404)
SUPPLIER_WRITE_ERRORS = error_responses(400, 401, 404, 409)


def _name(user) -> str:
    return (user.full_name or user.email) if user is not None else ""


# Shared pieces -------------------------------------------------------------------------------------------------


class ContractPersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.SerializerMethodField(help_text="The person's name (their email address if they gave none).")

    def get_name(self, user) -> str:
        return _name(user)


class ContractSupplierSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ImpactMoneySerializer(serializers.Serializer):
    gross = serializers.DecimalField(max_digits=18, decimal_places=2, help_text="£, before deflators.")
    net = serializers.DecimalField(max_digits=18, decimal_places=2, help_text="£, net of the SROI deflators.")


class ContractMeasureSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    title = serializers.CharField()
    unit = serializers.ChoiceField(choices=Unit.choices)


class ContractKpiSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    title = serializers.CharField(max_length=200, help_text="What the KPI measures.")
    target = serializers.CharField(max_length=200, help_text="For example, 95% of repairs within 10 working days.")


# Contracts -----------------------------------------------------------------------------------------------------


class SupplierContractSerializer(serializers.Serializer):
    """A contract as its supplier sees it: no authority staff named, as on the supplier's pages."""

    id = serializers.IntegerField()
    reference = serializers.CharField()
    title = serializers.CharField()
    status = serializers.ChoiceField(choices=ContractStatus.choices)
    supplier = ContractSupplierSerializer()
    value = serializers.DecimalField(max_digits=14, decimal_places=2, help_text="£, excluding VAT.")
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    ended_on = serializers.DateField(allow_null=True, help_text="When it ended, once recorded as ended.")
    reporting_level = serializers.ChoiceField(choices=ReportingLevel.choices)


class ContractSerializer(SupplierContractSerializer):
    responsible_officer = ContractPersonSerializer(
        help_text="The contract manager who verifies the supplier's reports."
    )


class CommitmentProgressSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="commitment.id")
    measure = ContractMeasureSerializer(source="commitment.charter_measure")
    target = serializers.DecimalField(max_digits=14, decimal_places=2)
    delivered = serializers.DecimalField(
        max_digits=16, decimal_places=2, help_text="Verified delivery: the sum of accepted quantities only."
    )
    expected = serializers.DecimalField(
        max_digits=16, decimal_places=2, help_text="The target pro-rated to today from the start to the due date."
    )
    status = serializers.ChoiceField(choices=[s.value for s in Status])
    place = serializers.CharField(source="commitment.place")
    due_on = serializers.DateField(source="commitment.due_on")
    delivery_period = serializers.CharField(source="commitment.delivery_period")
    narrative = serializers.CharField(source="commitment.narrative")


class RatingSuggestionSerializer(serializers.Serializer):
    rating = serializers.ChoiceField(choices=[(r.value, r.label) for r in Rating])
    reason = serializers.CharField()
    ratio = serializers.DecimalField(
        max_digits=12, decimal_places=4, allow_null=True, help_text="Share of expected delivery achieved (0 to 1)."
    )


class DeliveryReportSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()
    label = serializers.CharField()
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    due_on = serializers.DateField()
    status = serializers.ChoiceField(choices=ReportStatus.choices)
    overdue = serializers.BooleanField(help_text="Still due after its due date.")
    submitted_at = serializers.DateTimeField(allow_null=True)


class ContractDetailSerializer(ContractSerializer):
    award_id = serializers.IntegerField(source="award_id_source", allow_null=True)
    tender_id = serializers.IntegerField(allow_null=True)
    lot_id = serializers.IntegerField(allow_null=True)
    charter_version_id = serializers.IntegerField()
    end_reason = serializers.CharField()
    created_at = serializers.DateTimeField()
    commitments = CommitmentProgressSerializer(
        source="progress.commitments", many=True, help_text="Each commitment with its progress today."
    )
    suggested_rating = RatingSuggestionSerializer(
        source="progress.rating", help_text="compact.performance's suggestion, for the manager."
    )
    kpis = ContractKpiSerializer(source="kpi_list", many=True)
    kpi_warning = serializers.CharField(
        source="progress.kpi_warning", allow_null=True, help_text="The Procurement Act s.52 warning, if any."
    )
    reports = DeliveryReportSummarySerializer(
        source="schedule", many=True, help_text="The reporting schedule, in order."
    )
    early_end_blocker = serializers.CharField(
        help_text="Why it cannot be ended early now (no decided decommissioning assessment); empty when it can."
    )


def _with_progress(contract):
    """The contract with its progress today (`progress`) and its reporting schedule (`schedule`)."""
    today = timezone.localdate()
    contract.progress = selectors.contract_progress(contract, today)
    contract.schedule = list(selectors.report_list(contract.authority, contract_id=contract.pk).order_by("number"))
    for report in contract.schedule:
        report.overdue = selectors.report_is_overdue(report, today)
    return contract


def contract_data(contract) -> dict:
    """The contract with its progress, KPIs and schedule, as the contract page shows them."""
    contract = _with_progress(contract)
    contract.kpi_list = list(contract.kpis.all())
    # Said before any attempt, as the end page says it: ending early needs a decided assessment.
    active = contract.status == ContractStatus.ACTIVE
    contract.early_end_blocker = decommissioning.early_end_blocker(contract) if active else ""
    return ContractDetailSerializer(contract).data


class ContractCommitmentInputSerializer(serializers.Serializer):
    measure = serializers.IntegerField(help_text="The id of a measure of the chosen charter version.")
    target = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    place = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class ContractCreateSerializer(serializers.Serializer):
    supplier = serializers.IntegerField(help_text="The supplier organisation's id.")
    reference = serializers.CharField(
        max_length=50,
        error_messages={
            "blank": "Enter the contract's reference",
            "max_length": "The reference must be 50 characters or fewer",
        },
    )
    title = serializers.CharField(
        max_length=200,
        error_messages={
            "blank": "Enter the contract's title",
            "max_length": "The title must be 200 characters or fewer",
        },
    )
    value = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        min_value=0,
        help_text="£, excluding VAT.",
        error_messages={
            "invalid": "Enter the contract value as a number, like 50000",
            "min_value": "The contract value cannot be negative",
            "max_digits": "Enter a contract value of less than £1 trillion",
            "max_decimal_places": "Enter the contract value in pounds and pence",
        },
    )
    starts_on = serializers.DateField(help_text="YYYY-MM-DD.")
    ends_on = serializers.DateField(help_text="YYYY-MM-DD, on or after the start.")
    responsible_officer = serializers.IntegerField(help_text="The user id of one of the authority's contract managers.")
    charter_version = serializers.IntegerField(
        help_text="An adopted (or superseded) version of the authority's charter."
    )
    commitments = ContractCommitmentInputSerializer(many=True, help_text="At least one social value commitment.")


class ContractFromAwardSerializer(serializers.Serializer):
    responsible_officer = serializers.IntegerField(help_text="The user id of one of the authority's contract managers.")
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    reference = serializers.CharField(
        max_length=50, required=False, allow_blank=True, default="", help_text="Blank: the tender's reference."
    )


class ContractEndSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=[ContractStatus.COMPLETED, ContractStatus.ENDED_EARLY])
    ended_on = serializers.DateField()
    reason = serializers.CharField(
        max_length=3000, required=False, allow_blank=True, default="", help_text="Required to end it early."
    )


def _contract_manager(authority, user_id):
    membership = (
        Membership.objects.filter(authority=authority, role=Role.CONTRACT_MANAGER, user_id=user_id)
        .select_related("user")
        .first()
    )
    if membership is None:
        raise exceptions.ValidationError({"responsible_officer": ["Choose one of the authority's contract managers"]})
    return membership.user


CONTRACT_ORDERING = ("reference", "title", "starts_on", "ends_on", "value", "status")


class ContractsView(AuthorityApiView):
    def _contract(self, contract_id):
        contract = selectors.contract_get(self.authority, contract_id)
        if contract is None:
            raise exceptions.NotFound("No such contract.")
        return contract


class ContractList(ContractsView):
    method_permissions = {"GET": "contracts.view", "POST": "contracts.manage"}

    @extend_schema(
        operation_id="contracts_list",
        summary="List contracts",
        description="The authority's contracts being followed up (`contracts.view`), newest first by default.",
        parameters=[
            OpenApiParameter("status", OpenApiTypes.STR, enum=ContractStatus.values, description="Only this status."),
            OpenApiParameter("supplier", OpenApiTypes.STR, description="Words the supplier's name contains."),
            ordering_parameter(CONTRACT_ORDERING, "-starts_on"),
            *PAGE_PARAMETERS,
        ],
        responses={200: paginated(ContractSerializer, "ContractPage"), **READ_ERRORS},
        tags=TAG_CONTRACTS,
    )
    def get(self, request, authority_slug):
        contracts = selectors.contract_list(
            self.authority,
            status=choice_param(request, "status", ContractStatus.values),
            supplier=request.query_params.get("supplier", "")[:200],
        )
        contracts = apply_ordering(request, contracts, CONTRACT_ORDERING, "-starts_on", tie_break=("reference", "id"))
        return paginate(self, contracts, ContractSerializer)

    @extend_schema(
        operation_id="contracts_create",
        summary="Enter a contract awarded elsewhere",
        description="`contracts.manage`. The contract, its commitments against the measures of an adopted (or "
        "superseded) charter version, and its reporting schedule, made from its value and dates.",
        request=ContractCreateSerializer,
        responses={201: ContractDetailSerializer, **WRITE_ERRORS},
        tags=TAG_CONTRACTS,
    )
    def post(self, request, authority_slug):
        data = validated(ContractCreateSerializer, request.data)
        authority = self.authority
        supplier = Organisation.objects.filter(kind=OrganisationKind.SUPPLIER, pk=data["supplier"]).first()
        if supplier is None:
            raise exceptions.ValidationError({"supplier": ["Choose one of the supplier organisations"]})
        version = CharterVersion.objects.filter(
            authority=authority, pk=data["charter_version"], status__in=FROZEN_STATUSES
        ).first()
        if version is None:
            raise exceptions.ValidationError(
                {"charter_version": ["Choose an adopted (or superseded) version of the authority's charter"]}
            )
        wanted = {row["measure"] for row in data["commitments"]}
        measures = CharterMeasure.objects.filter(authority=authority, pk__in=wanted).in_bulk()
        for index, row in enumerate(data["commitments"]):
            if row["measure"] not in measures:
                raise exceptions.ValidationError({f"commitments.{index}.measure": ["Choose a measure of the charter"]})
        contract = services.contract_create(
            authority=authority,
            acting_user=request.user,
            supplier=supplier,
            reference=data["reference"],
            title=data["title"],
            value=data["value"],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            responsible_officer=_contract_manager(authority, data["responsible_officer"]),
            charter_version=version,
            commitments=[(measures[row["measure"]], row["target"], row["place"]) for row in data["commitments"]],
        )
        return Response(contract_data(self._contract(contract.pk)), status=status.HTTP_201_CREATED)


class ContractFromAward(ContractsView):
    method_permissions = {"POST": "contracts.manage"}

    @extend_schema(
        operation_id="contracts_create_from_award",
        summary="Make the contract for a confirmed award",
        description="`contracts.manage`. Supplier, value and the winning commitments come from the award as frozen "
        "at its confirmation. Refused for an award not yet confirmed or already made into a contract.",
        request=ContractFromAwardSerializer,
        responses={201: ContractDetailSerializer, **STATE_WRITE_ERRORS},
        tags=TAG_CONTRACTS,
    )
    def post(self, request, authority_slug, award_id):
        from evaluation.models import Award

        award = (
            Award.objects.filter(authority=self.authority, pk=award_id)
            .select_related("evaluation__tender", "lot", "offer__organisation")
            .first()
        )
        if award is None:
            raise exceptions.NotFound("No such award.")
        data = validated(ContractFromAwardSerializer, request.data)
        contract = services.contract_create_from_award(
            award=award,
            acting_user=request.user,
            responsible_officer=_contract_manager(self.authority, data["responsible_officer"]),
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            reference=data["reference"],
        )
        return Response(contract_data(self._contract(contract.pk)), status=status.HTTP_201_CREATED)


class ContractDetail(ContractsView):
    method_permissions = {"GET": "contracts.view"}

    @extend_schema(
        operation_id="contracts_retrieve",
        summary="Read a contract",
        description="`contracts.view`. The contract with each commitment's target, verified delivery, what is "
        "expected by today and its status, the suggested performance rating, its KPIs and reporting schedule.",
        responses={200: ContractDetailSerializer, **READ_ERRORS},
        tags=TAG_CONTRACTS,
    )
    def get(self, request, authority_slug, contract_id):
        return Response(contract_data(self._contract(contract_id)))


class KpiCreate(ContractsView):
    method_permissions = {"POST": "contracts.manage"}

    @extend_schema(
        operation_id="contracts_kpis_create",
        summary="Add a KPI to a contract",
        description="`contracts.manage`. Contracts over £5 million need at least three (Procurement Act s.52).",
        request=ContractKpiSerializer,
        responses={201: ContractKpiSerializer, **WRITE_ERRORS},
        tags=TAG_CONTRACTS,
    )
    def post(self, request, authority_slug, contract_id):
        contract = self._contract(contract_id)
        data = validated(ContractKpiSerializer, request.data)
        kpi = services.kpi_add(contract=contract, acting_user=request.user, title=data["title"], target=data["target"])
        return Response(ContractKpiSerializer(kpi).data, status=status.HTTP_201_CREATED)


class ContractEnd(ContractsView):
    method_permissions = {"POST": "contracts.manage"}

    @extend_schema(
        operation_id="contracts_end",
        summary="Record the end of a contract",
        description="`contracts.manage`. Completed, or ended early with the reason: ending early is refused until a "
        "decommissioning assessment has decided to go ahead (the contract's `early_end_blocker` says why).",
        request=ContractEndSerializer,
        responses={200: ContractDetailSerializer, **STATE_WRITE_ERRORS},
        tags=TAG_CONTRACTS,
    )
    def post(self, request, authority_slug, contract_id):
        contract = self._contract(contract_id)
        data = validated(ContractEndSerializer, request.data)
        services.contract_end(
            contract=contract,
            acting_user=request.user,
            status=data["status"],
            ended_on=data["ended_on"],
            reason=data["reason"],
        )
        return Response(contract_data(self._contract(contract_id)))


# Delivery reports ----------------------------------------------------------------------------------------------


class DeliveryReportContractSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    title = serializers.CharField()
    supplier = ContractSupplierSerializer()


class DeliveryReportListSerializer(DeliveryReportSummarySerializer):
    contract = DeliveryReportContractSerializer()
    line_count = serializers.IntegerField()
    evidence_count = serializers.IntegerField()


class DeliveryLineSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    commitment_id = serializers.IntegerField()
    measure = ContractMeasureSerializer(source="commitment.charter_measure")
    quantity = serializers.DecimalField(max_digits=14, decimal_places=2)
    place = serializers.CharField()
    note = serializers.CharField()
    verification = serializers.ChoiceField(choices=Verification.choices)
    verification_note = serializers.CharField(help_text="The contract manager's question, or reason for rejecting.")
    supplier_answer = serializers.CharField(help_text="The supplier's answer to the last question.")
    verified_at = serializers.DateTimeField(allow_null=True)
    flag = serializers.CharField(help_text="The far-above-target warning recorded at submission, if any.")


class DeliveryEvidenceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField(help_text="What the content is: pdf, png, jpeg, xlsx or csv.")
    size = serializers.IntegerField(help_text="Bytes.")
    sha256 = serializers.CharField()
    uploaded_at = serializers.DateTimeField()


class DeliveryReportDetailSerializer(DeliveryReportSummarySerializer):
    contract = DeliveryReportContractSerializer()
    narrative = serializers.CharField()
    receipt = serializers.CharField(help_text="SHA-256 over the submitted content and the time of receipt.")
    receipt_matches = serializers.BooleanField(help_text="Recomputing the receipt from what is stored matches.")
    lines = DeliveryLineSerializer(source="line_list", many=True)
    evidence = DeliveryEvidenceSerializer(
        source="evidence_list", many=True, help_text="The files' details; the files themselves on the pages."
    )


def report_data(report: DeliveryReport) -> dict:
    report.overdue = selectors.report_is_overdue(report, timezone.localdate())
    report.receipt_matches = services.report_receipt_matches(report)
    report.line_list = selectors.report_lines(report)
    report.evidence_list = evidence_rules.evidence_for_report(report)
    return DeliveryReportDetailSerializer(report).data


def _line_as_listed(line):
    """The line as its report lists it now, with its flag."""
    return next(listed for listed in selectors.report_lines(line.report) if listed.pk == line.pk)


REPORT_ORDERING = ("due_on", "period_end", "number")


def _overdue(report):
    report.overdue = selectors.report_is_overdue(report, timezone.localdate())
    return report


class ReportList(AuthorityApiView):
    method_permissions = {"GET": "contracts.view"}

    @extend_schema(
        operation_id="reports_list",
        summary="List delivery reports",
        description="`contracts.view`. Every contract's reporting schedule: due, submitted and verified reports.",
        parameters=[
            OpenApiParameter("contract", OpenApiTypes.INT, description="Only this contract's reports."),
            OpenApiParameter("status", OpenApiTypes.STR, enum=ReportStatus.values, description="Only this status."),
            ordering_parameter(REPORT_ORDERING, "due_on"),
            *PAGE_PARAMETERS,
        ],
        responses={200: paginated(DeliveryReportListSerializer, "ReportPage"), **READ_ERRORS},
        tags=TAG_REPORTS,
    )
    def get(self, request, authority_slug):
        contract_id = request.query_params.get("contract", "").strip()
        if contract_id and not contract_id.isdigit():
            raise exceptions.ValidationError({"contract": ["Give the contract's id as a number."]})
        reports = selectors.report_list(
            self.authority,
            contract_id=int(contract_id) if contract_id else None,
            status=choice_param(request, "status", ReportStatus.values),
        )
        reports = apply_ordering(request, reports, REPORT_ORDERING, "due_on", tie_break=("contract_id", "number"))
        return paginate(self, reports, DeliveryReportListSerializer, prepare=_overdue)


class ReportDetail(AuthorityApiView):
    method_permissions = {"GET": "contracts.view"}

    @extend_schema(
        operation_id="reports_retrieve",
        summary="Read a delivery report",
        description="`contracts.view`. The report with its lines (and where each stands in verification), the "
        "details of its evidence files, and its receipt.",
        responses={200: DeliveryReportDetailSerializer, **READ_ERRORS},
        tags=TAG_REPORTS,
    )
    def get(self, request, authority_slug, report_id):
        report = selectors.report_get(self.authority, report_id)
        if report is None:
            raise exceptions.NotFound("No such report.")
        return Response(report_data(report))


class LineVerificationSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=[Verification.ACCEPTED, Verification.QUERIED, Verification.REJECTED])
    note = serializers.CharField(
        max_length=3000,
        required=False,
        allow_blank=True,
        default="",
        help_text="The question for the supplier (to query) or the reason (to reject). The supplier sees it.",
    )


class LineVerify(AuthorityApiView):
    method_permissions = {"POST": "contracts.verify"}

    @extend_schema(
        operation_id="lines_verify",
        summary="Accept, query or reject a delivery line",
        description="`contracts.verify`. Only accepted quantities count as delivered. A query goes to the supplier, "
        "whose answer sends the line back; when every line is accepted or rejected the report is verified.",
        request=LineVerificationSerializer,
        responses={200: DeliveryLineSerializer, **STATE_WRITE_ERRORS},
        tags=TAG_REPORTS,
    )
    def post(self, request, authority_slug, line_id):
        line = selectors.line_get(self.authority, line_id)
        if line is None:
            raise exceptions.NotFound("No such line.")
        data = validated(LineVerificationSerializer, request.data)
        services.line_verify(line=line, acting_user=request.user, decision=data["decision"], note=data["note"])
        return Response(DeliveryLineSerializer(_line_as_listed(line)).data)


# The supplier's side -------------------------------------------------------------------------------------------


class SupplierView(AuthorityApiView):
    """Approved members of the contract's supplier only; anyone else (staff too) gets 404, as on the pages."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not request.user.is_authenticated:
            raise exceptions.NotAuthenticated()

    def _contract(self):
        contract = selectors.contract_get(self.authority, self.kwargs["contract_id"])
        if contract is None or not evidence_rules.is_supplier_member(contract, self.request.user):
            raise exceptions.NotFound("No such contract.")
        return contract

    def _report(self, contract):
        report = selectors.report_get(self.authority, self.kwargs.get("report_id"))
        if report is None or report.contract_id != contract.pk:
            raise exceptions.NotFound("No such report.")
        report.contract = contract
        return report


class SupplierContractDetailSerializer(SupplierContractSerializer):
    commitments = CommitmentProgressSerializer(source="progress.commitments", many=True)
    reports = DeliveryReportSummarySerializer(source="schedule", many=True, help_text="The reporting schedule.")


class SupplierContractList(SupplierView):
    @extend_schema(
        operation_id="my_contracts_list",
        summary="List your organisations' contracts with this authority",
        description="Signed in: the contracts held by the supplier organisations you are an approved member of.",
        parameters=[ordering_parameter(CONTRACT_ORDERING, "-starts_on"), *PAGE_PARAMETERS],
        responses={
            200: paginated(SupplierContractSerializer, "SupplierContractPage"),
            **error_responses(400, 401, 404),
        },
        tags=TAG_SUPPLIER,
    )
    def get(self, request, authority_slug):
        contracts = selectors.supplier_contract_list(self.authority, request.user)
        contracts = apply_ordering(request, contracts, CONTRACT_ORDERING, "-starts_on", tie_break=("reference", "id"))
        return paginate(self, contracts, SupplierContractSerializer)


class SupplierContractDetail(SupplierView):
    @extend_schema(
        operation_id="my_contracts_retrieve",
        summary="Read one of your organisation's contracts",
        description="Its commitments with verified delivery and status, and its reporting schedule.",
        responses={200: SupplierContractDetailSerializer, **SUPPLIER_READ_ERRORS},
        tags=TAG_SUPPLIER,
    )
    def get(self, request, authority_slug, contract_id):
        contract = _with_progress(self._contract())
        return Response(SupplierContractDetailSerializer(contract).data)


class SupplierReportDetail(SupplierView):
    @extend_schema(
        operation_id="my_reports_retrieve",
        summary="Read a report of your organisation's contract",
        description="What was submitted, each line's verification (with any open question) and the evidence.",
        responses={200: DeliveryReportDetailSerializer, **SUPPLIER_READ_ERRORS},
        tags=TAG_SUPPLIER,
    )
    def get(self, request, authority_slug, contract_id, report_id):
        return Response(report_data(self._report(self._contract())))


class ReportLineInputSerializer(serializers.Serializer):
    commitment = serializers.IntegerField(help_text="The id of one of the contract's commitments.")
    quantity = serializers.CharField(
        max_length=30, help_text="Delivered this period, in the measure's unit (0 if none)."
    )
    place = serializers.CharField(required=False, allow_blank=True, default="")
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ReportSubmissionSerializer(serializers.Serializer):
    narrative = serializers.CharField(required=False, allow_blank=True, default="")
    lines = ReportLineInputSerializer(many=True, help_text="A quantity per commitment.")

    def validate_lines(self, lines):
        seen = set()
        for line in lines:
            if line["commitment"] in seen:
                raise serializers.ValidationError("Give each commitment once.")
            seen.add(line["commitment"])
        return lines


class ReportSubmit(SupplierView):
    @extend_schema(
        operation_id="my_reports_submit",
        summary="Submit a delivery report",
        description="From the day after the report's period ends. Receipted with the server's time and a SHA-256 "
        "over the content. It may be submitted again, replacing its lines, until the contract manager has verified "
        "it; a verified report is refused.",
        request=ReportSubmissionSerializer,
        responses={200: DeliveryReportDetailSerializer, **SUPPLIER_WRITE_ERRORS},
        tags=TAG_SUPPLIER,
    )
    def post(self, request, authority_slug, contract_id, report_id):
        report = self._report(self._contract())
        data = validated(ReportSubmissionSerializer, request.data)
        # The service names a refused line's fields after its commitment: name them after the line sent instead.
        self.domain_field_map = {"lines": "lines"}
        for index, line in enumerate(data["lines"]):
            for name in ("quantity", "place", "note"):
                self.domain_field_map[f"{name}_{line['commitment']}"] = f"lines.{index}.{name}"
        services.report_submit(
            report=report,
            acting_user=request.user,
            lines={line["commitment"]: (line["quantity"], line["place"], line["note"]) for line in data["lines"]},
            narrative=data["narrative"],
        )
        return Response(report_data(self._report(self._contract())))


class QueryAnswerSerializer(serializers.Serializer):
    answer = serializers.CharField(max_length=3000)


class QueryAnswer(SupplierView):
    @extend_schema(
        operation_id="my_lines_answer",
        summary="Answer the contract manager's question on a line",
        description="The line goes back to the contract manager for verification.",
        request=QueryAnswerSerializer,
        responses={200: DeliveryLineSerializer, **SUPPLIER_WRITE_ERRORS},
        tags=TAG_SUPPLIER,
    )
    def post(self, request, authority_slug, contract_id, line_id):
        contract = self._contract()
        line = selectors.line_get(self.authority, line_id)
        if line is None or line.report.contract_id != contract.pk:
            raise exceptions.NotFound("No such line.")
        data = validated(QueryAnswerSerializer, request.data)
        services.line_answer_query(line=line, acting_user=request.user, answer=data["answer"])
        return Response(DeliveryLineSerializer(_line_as_listed(line)).data)


class DeliveryEvidenceUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="A PDF, PNG, JPEG, XLSX or CSV file (its content decides, not its name).")


class EvidenceUpload(SupplierView):
    parser_classes = [MultiPartParser, JSONParser]

    @extend_schema(
        operation_id="my_reports_evidence_create",
        summary="Add an evidence file to a report",
        description="Multipart upload, until the report is verified; at most 20 files per report.",
        request={"multipart/form-data": DeliveryEvidenceUploadSerializer},
        responses={201: DeliveryEvidenceSerializer, **SUPPLIER_WRITE_ERRORS},
        tags=TAG_SUPPLIER,
    )
    def post(self, request, authority_slug, contract_id, report_id):
        report = self._report(self._contract())
        upload = request.FILES.get("file")
        if upload is None:
            raise exceptions.ValidationError({"file": ["Select a file to upload"]})
        added = evidence_rules.evidence_add(report=report, upload=upload, acting_user=request.user)
        return Response(DeliveryEvidenceSerializer(added).data, status=status.HTTP_201_CREATED)


class EvidenceRemove(SupplierView):
    @extend_schema(
        operation_id="my_reports_evidence_destroy",
        summary="Remove an evidence file from a report",
        description="Until the report is verified.",
        responses={204: OpenApiResponse(description="Removed."), **SUPPLIER_WRITE_ERRORS},
        tags=TAG_SUPPLIER,
    )
    def delete(self, request, authority_slug, contract_id, report_id, evidence_id):
        report = self._report(self._contract())
        item = next((e for e in evidence_rules.evidence_for_report(report) if e.pk == evidence_id), None)
        if item is None:
            raise exceptions.NotFound("No such file.")
        evidence_rules.evidence_remove(evidence=item, acting_user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


# Impact ------------------------------------------------------------------------------------------------------


class ImpactMeasureRowSerializer(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField()
    unit = serializers.CharField()
    unit_label = serializers.CharField()
    committed_quantity = serializers.DecimalField(max_digits=18, decimal_places=2)
    delivered_quantity = serializers.DecimalField(max_digits=18, decimal_places=2)
    committed = ImpactMoneySerializer()
    delivered = ImpactMoneySerializer()


class ImpactGroupSerializer(serializers.Serializer):
    key = serializers.SerializerMethodField(help_text="The group's key: a title, a supplier id, a place or YYYYQ.")
    label = serializers.CharField()
    committed = ImpactMoneySerializer()
    delivered = ImpactMoneySerializer()
    measures = ImpactMeasureRowSerializer(many=True, help_text="Quantities add up per measure only: units differ.")

    def get_key(self, group) -> str:
        return str(group.key)


class ImpactSerializer(serializers.Serializer):
    dimension = serializers.ChoiceField(choices=list(impact.DIMENSIONS.items()))
    dimension_label = serializers.CharField()
    committed = ImpactMoneySerializer()
    delivered = ImpactMoneySerializer(help_text="Verified delivery: accepted quantities only.")
    groups = ImpactGroupSerializer(many=True)


class ImpactView(AuthorityApiView):
    method_permissions = {"GET": "contracts.view"}

    @extend_schema(
        operation_id="impact_retrieve",
        summary="Cumulative impact: committed against verified delivered",
        description="`contracts.view`. The impact dashboard's figures across every contract, grouped by theme, "
        "outcome, measure, supplier, place or quarter, monetised gross and net. Delivery counts by its report's "
        "period end, a commitment by its due date.",
        parameters=[
            OpenApiParameter(
                "group_by", OpenApiTypes.STR, enum=list(impact.DIMENSIONS), description="Default `theme`."
            ),
            OpenApiParameter(
                "theme", OpenApiTypes.STR, description="Only this theme (a title of the contracts' themes)."
            ),
            OpenApiParameter("supplier", OpenApiTypes.INT, description="Only this supplier organisation's contracts."),
            OpenApiParameter(
                "status", OpenApiTypes.STR, enum=ContractStatus.values, description="Only contracts in this status."
            ),
            OpenApiParameter("date_from", OpenApiTypes.DATE, description="From this date (YYYY-MM-DD)."),
            OpenApiParameter("date_to", OpenApiTypes.DATE, description="To this date (YYYY-MM-DD), inclusive."),
        ],
        responses={200: ImpactSerializer, **READ_ERRORS},
        tags=TAG_IMPACT,
    )
    def get(self, request, authority_slug):
        # The dashboard's own filter form, so the filters accept and refuse exactly what the page does.
        themes, suppliers = impact.filter_choices(self.authority)
        query = {key: request.query_params[key] for key in FILTER_FIELDS if request.query_params.get(key)}
        form = ImpactFilterForm(query, themes=themes, suppliers=suppliers)
        if not form.is_valid():
            raise exceptions.ValidationError({field: list(errors) for field, errors in form.errors.items()})
        data = form.cleaned_data
        summary = impact.impact_summary(
            self.authority,
            dimension=data["group_by"] or impact.DEFAULT_DIMENSION,
            filters=impact.ImpactFilters(
                theme=data["theme"],
                supplier=data["supplier"],
                status=data["status"],
                date_from=data["date_from"],
                date_to=data["date_to"],
            ),
        )
        return Response(ImpactSerializer(summary).data)


# The public tracker ------------------------------------------------------------------------------------------


class TrackerCommitmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    measure = ContractMeasureSerializer(source="charter_measure")
    theme = serializers.CharField(source="charter_measure.outcome.theme.title")
    target = serializers.DecimalField(max_digits=14, decimal_places=2)
    verified = serializers.DecimalField(max_digits=16, decimal_places=2, help_text="Accepted quantities only.")
    place = serializers.CharField()
    due_on = serializers.DateField()


class PlaceDeliverySerializer(serializers.Serializer):
    theme = serializers.CharField()
    place = serializers.CharField()
    measure_code = serializers.CharField()
    measure_title = serializers.CharField()
    unit = serializers.CharField()
    unit_label = serializers.CharField()
    quantity = serializers.DecimalField(max_digits=18, decimal_places=2)


class TrackerContractSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    title = serializers.CharField()
    supplier = serializers.CharField(source="supplier.name", help_text="The supplier organisation's name.")
    value = serializers.DecimalField(max_digits=14, decimal_places=2)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    status = serializers.ChoiceField(choices=ContractStatus.choices, help_text="Active or completed.")
    commitments = TrackerCommitmentSerializer(many=True, source="commitments.all")
    delivery = PlaceDeliverySerializer(many=True, help_text="Verified delivery by theme, place and measure.")


class TrackerCommunityCheckSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    group = serializers.CharField(source="organisation.name", help_text="The community group, never the person.")
    verdict = serializers.CharField()
    comment = serializers.CharField()
    created_at = serializers.DateTimeField()
    answer = serializers.CharField(help_text="The authority's public answer, if any.")
    answered_at = serializers.DateTimeField(allow_null=True)


class TrackerLineSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    report = serializers.CharField(source="report.label")
    period_start = serializers.DateField(source="report.period_start")
    period_end = serializers.DateField(source="report.period_end")
    measure = ContractMeasureSerializer(source="commitment.charter_measure")
    quantity = serializers.DecimalField(max_digits=14, decimal_places=2)
    community_checks = TrackerCommunityCheckSerializer(many=True, source="community_checks.all")


class TrackerCommitmentStatusSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="commitment.id")
    measure = ContractMeasureSerializer(source="commitment.charter_measure")
    place = serializers.CharField(source="commitment.place")
    due_on = serializers.DateField(source="commitment.due_on")
    target = serializers.DecimalField(max_digits=14, decimal_places=2)
    verified = serializers.DecimalField(max_digits=16, decimal_places=2)
    status = serializers.ChoiceField(choices=[s.value for s in Status])


class TrackerDetailSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    title = serializers.CharField()
    supplier = serializers.CharField(source="supplier.name")
    value = serializers.DecimalField(max_digits=14, decimal_places=2)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    status = serializers.ChoiceField(choices=ContractStatus.choices, help_text="Active or completed.")
    commitments = TrackerCommitmentStatusSerializer(many=True, source="commitment_rows")
    lines = TrackerLineSerializer(many=True, source="line_list", help_text="Accepted deliveries, by period.")


class TrackerList(AuthorityApiView):
    @extend_schema(
        operation_id="tracker_list",
        summary="The public delivery tracker",
        description="Open to anyone. Active and completed contracts with what each committed to and what has been "
        "verified as delivered (accepted quantities only), by theme and place. Nothing personal: no people, and no "
        "text suppliers typed.",
        parameters=PAGE_PARAMETERS,
        responses={200: paginated(TrackerContractSerializer, "TrackerPage"), **error_responses(404)},
        tags=TAG_IMPACT,
    )
    def get(self, request, authority_slug):
        paginator = ApiPagination()
        page = paginator.paginate_queryset(tracker.tracker_contracts(self.authority), request, view=self)
        delivery = tracker.delivery_by_theme_and_place(self.authority, [contract.pk for contract in page])
        for contract in page:
            contract.delivery = delivery.get(contract.pk, [])
        return paginator.get_paginated_response(TrackerContractSerializer(page, many=True).data)


class TrackerDetail(AuthorityApiView):
    @extend_schema(
        operation_id="tracker_retrieve",
        summary="A contract on the public delivery tracker",
        description="Open to anyone. Its commitments with verified delivery and status, and each accepted delivery "
        "with the community groups' checks and the authority's answers.",
        responses={200: TrackerDetailSerializer, **error_responses(404)},
        tags=TAG_IMPACT,
    )
    def get(self, request, authority_slug, contract_id):
        contract = tracker.tracker_contract_get(self.authority, contract_id)
        if contract is None:
            raise exceptions.NotFound("No such contract.")
        contract.commitment_rows = tracker.tracker_commitments(contract)
        contract.line_list = tracker.tracker_lines(contract)
        return Response(TrackerDetailSerializer(contract).data)
