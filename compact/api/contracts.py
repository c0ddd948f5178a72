"""Contracts (staff): the list, entering one directly or from an award, one contract with its progress, KPIs,
ending early."""

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response

from accounts.api.foundation import (
    choice_param,
    validated,
)
from accounts.api.generic import Doc, Endpoint, ListMixin
from accounts.api.views import AuthorityApiView
from accounts.models import Membership, Organisation, OrganisationKind
from accounts.roles import Role
from charters.models import FROZEN_STATUSES, CharterMeasure, CharterVersion

from .. import decommissioning, selectors, services
from ..models import ContractStatus, ReportingLevel, ReportStatus
from ..performance import Rating, Status
from .common import (
    READ_ERRORS,
    STATE_WRITE_ERRORS,
    TAG_CONTRACTS,
    WRITE_ERRORS,
    ContractKpiSerializer,
    ContractMeasureSerializer,
    ContractPersonSerializer,
    ContractSupplierSerializer,
)

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


class ContractList(ListMixin, Endpoint, ContractsView):
    method_permissions = {"GET": "contracts.view", "POST": "contracts.manage"}
    tags = TAG_CONTRACTS
    output_serializer, page_name = ContractSerializer, "ContractPage"
    ordering_fields, default_ordering, ordering_tie_break = CONTRACT_ORDERING, "-starts_on", ("reference", "id")
    docs = {
        "get": Doc(
            "contracts_list",
            "List contracts",
            "The authority's contracts being followed up (`contracts.view`), newest first by default.",
            errors=(400, 401, 403, 404),
            parameters=(
                OpenApiParameter(
                    "status", OpenApiTypes.STR, enum=ContractStatus.values, description="Only this status."
                ),
                OpenApiParameter("supplier", OpenApiTypes.STR, description="Words the supplier's name contains."),
            ),
        )
    }

    def items(self):
        return selectors.contract_list(
            self.authority,
            status=choice_param(self.request, "status", ContractStatus.values),
            supplier=self.request.query_params.get("supplier", "")[:200],
        )

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
