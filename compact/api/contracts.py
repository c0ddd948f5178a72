"""Contracts (staff): the list, entering one directly or from an award, one contract with its progress, KPIs,
ending early."""

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions, serializers

from accounts.api.foundation import choice_param
from accounts.api.generic import ActionMixin, CreateMixin, Doc, Endpoint, ListMixin, ObjectEndpoint, RetrieveMixin
from accounts.models import Membership, Organisation, OrganisationKind
from accounts.roles import Role
from charters.models import FROZEN_STATUSES, CharterMeasure, CharterVersion

from .. import decommissioning, selectors, services
from ..models import ContractStatus, ReportingLevel, ReportStatus
from ..performance import Rating, Status
from .common import (
    READ,
    STATE_WRITE,
    TAG_CONTRACTS,
    WRITE,
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


def _award_get(authority, award_id):
    from evaluation.models import Award

    return (
        Award.objects.filter(authority=authority, pk=award_id)
        .select_related("evaluation__tender", "lot", "offer__organisation")
        .first()
    )


class ContractList(ListMixin, CreateMixin, Endpoint):
    method_permissions = {"GET": "contracts.view", "POST": "contracts.manage"}
    tags = TAG_CONTRACTS
    output_serializer, page_name = ContractSerializer, "ContractPage"
    ordering_fields, default_ordering, ordering_tie_break = CONTRACT_ORDERING, "-starts_on", ("reference", "id")
    object_argument, create_serializer, create_service = "authority", ContractCreateSerializer, services.contract_create
    docs = {
        "get": Doc(
            "contracts_list",
            "List contracts",
            "The authority's contracts being followed up (`contracts.view`), newest first by default.",
            errors=READ,
            parameters=(
                OpenApiParameter(
                    "status", OpenApiTypes.STR, enum=ContractStatus.values, description="Only this status."
                ),
                OpenApiParameter("supplier", OpenApiTypes.STR, description="Words the supplier's name contains."),
            ),
        ),
        "post": Doc(
            "contracts_create",
            "Enter a contract awarded elsewhere",
            "`contracts.manage`. The contract, its commitments against the measures of an adopted (or superseded) "
            "charter version, and its reporting schedule, made from its value and dates.",
            errors=WRITE,
            responses={201: ContractDetailSerializer},  # the new contract in full; the list shows less
        ),
    }

    def items(self):
        return selectors.contract_list(
            self.authority,
            status=choice_param(self.request, "status", ContractStatus.values),
            supplier=self.request.query_params.get("supplier", "")[:200],
        )

    def create(self, authority, data: dict):
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
        commitments = [(measures[row["measure"]], row["target"], row["place"]) for row in data["commitments"]]
        data |= {
            "supplier": supplier,
            "responsible_officer": _contract_manager(authority, data["responsible_officer"]),
            "charter_version": version,
            "commitments": commitments,
        }
        contract = self.call(self.create_service, authority, data)
        return selectors.contract_get(authority, contract.pk)

    def present(self, contract) -> dict:
        return contract_data(contract)  # the created contract (the list's pages use `output_serializer`)


class ContractFromAward(CreateMixin, ObjectEndpoint):
    method_permissions = {"POST": "contracts.manage"}
    tags = TAG_CONTRACTS
    selector, lookup, not_found = _award_get, "award_id", "No such award."
    object_argument = "award"
    create_serializer, create_service = ContractFromAwardSerializer, services.contract_create_from_award
    output_serializer = ContractDetailSerializer
    docs = {
        "post": Doc(
            "contracts_create_from_award",
            "Make the contract for a confirmed award",
            "`contracts.manage`. Supplier, value and the winning commitments come from the award as frozen at its "
            "confirmation. Refused for an award not yet confirmed or already made into a contract.",
            errors=STATE_WRITE,
        )
    }

    def create(self, award, data: dict):
        data["responsible_officer"] = _contract_manager(self.authority, data["responsible_officer"])
        contract = self.call(self.create_service, award, data)
        return selectors.contract_get(self.authority, contract.pk)

    def present(self, contract) -> dict:
        return contract_data(contract)


class ContractEndpoint(ObjectEndpoint):
    """An endpoint about one of the authority's contracts (`contract_id`)."""

    tags = TAG_CONTRACTS
    selector, lookup, not_found = selectors.contract_get, "contract_id", "No such contract."
    object_argument = "contract"
    output_serializer = ContractDetailSerializer

    def present(self, contract) -> dict:
        return contract_data(contract)


class ContractDetail(RetrieveMixin, ContractEndpoint):
    method_permissions = {"GET": "contracts.view"}
    docs = {
        "get": Doc(
            "contracts_retrieve",
            "Read a contract",
            "`contracts.view`. The contract with each commitment's target, verified delivery, what is expected by "
            "today and its status, the suggested performance rating, its KPIs and reporting schedule.",
            errors=READ,
        )
    }


class KpiCreate(CreateMixin, ContractEndpoint):
    method_permissions = {"POST": "contracts.manage"}
    create_serializer, create_service = ContractKpiSerializer, services.kpi_add
    output_serializer = ContractKpiSerializer
    docs = {
        "post": Doc(
            "contracts_kpis_create",
            "Add a KPI to a contract",
            "`contracts.manage`. Contracts over £5 million need at least three (Procurement Act s.52).",
            errors=WRITE,
        )
    }

    def present(self, kpi) -> dict:
        return ContractKpiSerializer(kpi).data


class ContractEnd(ActionMixin, ContractEndpoint):
    method_permissions = {"POST": "contracts.manage"}
    action_serializer, action_service = ContractEndSerializer, services.contract_end
    docs = {
        "post": Doc(
            "contracts_end",
            "Record the end of a contract",
            "`contracts.manage`. Completed, or ended early with the reason: ending early is refused until a "
            "decommissioning assessment has decided to go ahead (the contract's `early_end_blocker` says why).",
            errors=STATE_WRITE,
        )
    }

    def act(self, contract, data: dict):
        self.call(self.action_service, contract, data)
        return self.get_object()  # read again, as the contract page shows it after the change
