"""The supplier's side (`my-contracts/`): its contracts and delivery reports, submitting a report, evidence,
answering a query. Approved members of the supplier organisation only; anyone else 404."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response

from accounts.api.foundation import (
    validated,
)
from accounts.api.generic import Doc, Endpoint, ListMixin
from accounts.api.views import AuthorityApiView

from .. import evidence as evidence_rules
from .. import selectors, services
from .common import SUPPLIER_READ_ERRORS, SUPPLIER_WRITE_ERRORS, TAG_SUPPLIER
from .contracts import (
    CONTRACT_ORDERING,
    CommitmentProgressSerializer,
    DeliveryReportSummarySerializer,
    SupplierContractSerializer,
    _with_progress,
)
from .reports import (
    DeliveryEvidenceSerializer,
    DeliveryLineSerializer,
    DeliveryReportDetailSerializer,
    _line_as_listed,
    report_data,
)

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


class SupplierContractList(ListMixin, Endpoint, SupplierView):
    tags = TAG_SUPPLIER
    output_serializer, page_name = SupplierContractSerializer, "SupplierContractPage"
    ordering_fields, default_ordering, ordering_tie_break = CONTRACT_ORDERING, "-starts_on", ("reference", "id")
    docs = {
        "get": Doc(
            "my_contracts_list",
            "List your organisations' contracts with this authority",
            "Signed in: the contracts held by the supplier organisations you are an approved member of.",
            errors=(400, 401, 404),
        )
    }

    def items(self):
        return selectors.supplier_contract_list(self.authority, self.request.user)


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
