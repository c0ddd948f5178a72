"""Delivery reports (staff): the list, one report, verifying a line."""

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions, serializers

from accounts.api.foundation import choice_param
from accounts.api.generic import ActionMixin, Doc, Endpoint, ListMixin, ObjectEndpoint, RetrieveMixin

from .. import evidence as evidence_rules
from .. import selectors, services
from ..models import DeliveryReport, ReportStatus, Verification
from .common import READ, STATE_WRITE, TAG_REPORTS, ContractMeasureSerializer, ContractSupplierSerializer
from .contracts import DeliveryReportSummarySerializer

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


class ReportList(ListMixin, Endpoint):
    method_permissions = {"GET": "contracts.view"}
    tags = TAG_REPORTS
    output_serializer, page_name = DeliveryReportListSerializer, "ReportPage"
    ordering_fields, default_ordering, ordering_tie_break = REPORT_ORDERING, "due_on", ("contract_id", "number")
    docs = {
        "get": Doc(
            "reports_list",
            "List delivery reports",
            "`contracts.view`. Every contract's reporting schedule: due, submitted and verified reports.",
            errors=READ,
            parameters=(
                OpenApiParameter("contract", OpenApiTypes.INT, description="Only this contract's reports."),
                OpenApiParameter("status", OpenApiTypes.STR, enum=ReportStatus.values, description="Only this status."),
            ),
        )
    }

    def items(self):
        contract_id = self.request.query_params.get("contract", "").strip()
        if contract_id and not contract_id.isdigit():
            raise exceptions.ValidationError({"contract": ["Give the contract's id as a number."]})
        return selectors.report_list(
            self.authority,
            contract_id=int(contract_id) if contract_id else None,
            status=choice_param(self.request, "status", ReportStatus.values),
        )

    def prepare_item(self, report):
        return _overdue(report)


class ReportDetail(RetrieveMixin, ObjectEndpoint):
    method_permissions = {"GET": "contracts.view"}
    tags = TAG_REPORTS
    selector, lookup, not_found = selectors.report_get, "report_id", "No such report."
    output_serializer = DeliveryReportDetailSerializer
    docs = {
        "get": Doc(
            "reports_retrieve",
            "Read a delivery report",
            "`contracts.view`. The report with its lines (and where each stands in verification), the details of its "
            "evidence files, and its receipt.",
            errors=READ,
        )
    }

    def present(self, report) -> dict:
        return report_data(report)


class LineVerificationSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=[Verification.ACCEPTED, Verification.QUERIED, Verification.REJECTED])
    note = serializers.CharField(
        max_length=3000,
        required=False,
        allow_blank=True,
        default="",
        help_text="The question for the supplier (to query) or the reason (to reject). The supplier sees it.",
    )


class LineVerify(ActionMixin, ObjectEndpoint):
    method_permissions = {"POST": "contracts.verify"}
    tags = TAG_REPORTS
    selector, lookup, not_found = selectors.line_get, "line_id", "No such line."
    object_argument = "line"
    action_serializer, action_service = LineVerificationSerializer, services.line_verify
    output_serializer = DeliveryLineSerializer
    docs = {
        "post": Doc(
            "lines_verify",
            "Accept, query or reject a delivery line",
            "`contracts.verify`. Only accepted quantities count as delivered. A query goes to the supplier, whose "
            "answer sends the line back; when every line is accepted or rejected the report is verified.",
            errors=STATE_WRITE,
        )
    }

    def present(self, line) -> dict:
        return DeliveryLineSerializer(_line_as_listed(line)).data
