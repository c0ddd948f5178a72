"""The supplier's side (`my-contracts/`): its contracts and delivery reports, submitting a report, evidence,
answering a query. Approved members of the supplier organisation only; anyone else 404."""

from rest_framework import exceptions, serializers, status
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response

from accounts.api.generic import ActionMixin, DestroyMixin, Doc, Endpoint, ListMixin, RetrieveMixin
from accounts.api.views import AuthorityApiView

from .. import evidence as evidence_rules
from .. import selectors, services
from .common import SUPPLIER_READ, SUPPLIER_WRITE, TAG_SUPPLIER
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


class SupplierEndpoint(Endpoint, SupplierView):
    """An endpoint about one of the supplier's contracts (`contract_id`), or a part of it: `get_object()` reads it
    through the contract, so that anyone but the supplier's members gets 404."""

    tags = TAG_SUPPLIER

    def get_object(self):
        return self._contract()


class SupplierContractDetail(RetrieveMixin, SupplierEndpoint):
    output_serializer = SupplierContractDetailSerializer
    docs = {
        "get": Doc(
            "my_contracts_retrieve",
            "Read one of your organisation's contracts",
            "Its commitments with verified delivery and status, and its reporting schedule.",
            errors=SUPPLIER_READ,
        )
    }

    def present(self, contract) -> dict:
        return SupplierContractDetailSerializer(_with_progress(contract)).data


class SupplierReportEndpoint(SupplierEndpoint):
    """About one report (`report_id`) of the supplier's contract, answered as the report's page shows it."""

    object_argument = "report"
    output_serializer = DeliveryReportDetailSerializer

    def get_object(self):
        return self._report(self._contract())

    def present(self, report) -> dict:
        return report_data(report)


class SupplierReportDetail(RetrieveMixin, SupplierReportEndpoint):
    docs = {
        "get": Doc(
            "my_reports_retrieve",
            "Read a report of your organisation's contract",
            "What was submitted, each line's verification (with any open question) and the evidence.",
            errors=SUPPLIER_READ,
        )
    }


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


class ReportSubmit(ActionMixin, SupplierReportEndpoint):
    action_serializer, action_service = ReportSubmissionSerializer, services.report_submit
    docs = {
        "post": Doc(
            "my_reports_submit",
            "Submit a delivery report",
            "From the day after the report's period ends. Receipted with the server's time and a SHA-256 over the "
            "content. It may be submitted again, replacing its lines, until the contract manager has verified it; a "
            "verified report is refused.",
            errors=SUPPLIER_WRITE,
        )
    }

    def act(self, report, data: dict):
        # The service names a refused line's fields after its commitment: name them after the line sent instead.
        self.domain_field_map = {"lines": "lines"}
        for index, line in enumerate(data["lines"]):
            for name in ("quantity", "place", "note"):
                self.domain_field_map[f"{name}_{line['commitment']}"] = f"lines.{index}.{name}"
        lines = {line["commitment"]: (line["quantity"], line["place"], line["note"]) for line in data["lines"]}
        self.call(self.action_service, report, {"lines": lines, "narrative": data["narrative"]})
        return self.get_object()  # read again, with the submission's receipt


class QueryAnswerSerializer(serializers.Serializer):
    answer = serializers.CharField(max_length=3000)


class QueryAnswer(ActionMixin, SupplierEndpoint):
    object_argument = "line"
    action_serializer, action_service = QueryAnswerSerializer, services.line_answer_query
    output_serializer = DeliveryLineSerializer
    docs = {
        "post": Doc(
            "my_lines_answer",
            "Answer the contract manager's question on a line",
            "The line goes back to the contract manager for verification.",
            errors=SUPPLIER_WRITE,
        )
    }

    def get_object(self):
        contract = self._contract()
        line = selectors.line_get(self.authority, self.kwargs["line_id"])
        if line is None or line.report.contract_id != contract.pk:
            raise exceptions.NotFound("No such line.")
        return line

    def present(self, line) -> dict:
        return DeliveryLineSerializer(_line_as_listed(line)).data


class DeliveryEvidenceUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="A PDF, PNG, JPEG, XLSX or CSV file (its content decides, not its name).")


class EvidenceUpload(SupplierReportEndpoint):
    parser_classes = [MultiPartParser, JSONParser]
    docs = {
        "post": Doc(
            "my_reports_evidence_create",
            "Add an evidence file to a report",
            "Multipart upload, until the report is verified; at most 20 files per report.",
            errors=SUPPLIER_WRITE,
            request={"multipart/form-data": DeliveryEvidenceUploadSerializer},
            responses={201: DeliveryEvidenceSerializer},
        )
    }

    def post(self, request, authority_slug, contract_id, report_id):
        # A file upload: the file is read from the multipart body as the page reads it, with the page's message.
        report = self.get_object()
        upload = request.FILES.get("file")
        if upload is None:
            raise exceptions.ValidationError({"file": ["Select a file to upload"]})
        added = evidence_rules.evidence_add(report=report, upload=upload, acting_user=request.user)
        return Response(DeliveryEvidenceSerializer(added).data, status=status.HTTP_201_CREATED)


class EvidenceRemove(DestroyMixin, SupplierReportEndpoint):
    object_argument, destroy_service = "evidence", evidence_rules.evidence_remove
    docs = {
        "delete": Doc(
            "my_reports_evidence_destroy",
            "Remove an evidence file from a report",
            "Until the report is verified.",
            errors=SUPPLIER_WRITE,
        )
    }

    def get_object(self):
        report = super().get_object()
        item = next((e for e in evidence_rules.evidence_for_report(report) if e.pk == self.kwargs["evidence_id"]), None)
        if item is None:
            raise exceptions.NotFound("No such file.")
        return item
