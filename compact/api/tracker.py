"""The public delivery tracker: verified delivery only, nothing personal."""

from rest_framework import serializers

from accounts.api.foundation import PAGE_PARAMETERS, ApiPagination, paginated
from accounts.api.generic import Doc, Endpoint, ObjectEndpoint, RetrieveMixin

from .. import tracker
from ..models import ContractStatus
from ..performance import Status
from .common import TAG_IMPACT, ContractMeasureSerializer

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


class TrackerList(Endpoint):
    tags = TAG_IMPACT
    output_serializer = TrackerContractSerializer
    docs = {
        "get": Doc(
            "tracker_list",
            "The public delivery tracker",
            "Open to anyone. Active and completed contracts with what each committed to and what has been verified as "
            "delivered (accepted quantities only), by theme and place. Nothing personal: no people, and no text "
            "suppliers typed.",
            errors=(404,),
            parameters=tuple(PAGE_PARAMETERS),
            responses={200: paginated(TrackerContractSerializer, "TrackerPage")},
        )
    }

    def get(self, request, authority_slug):
        # Not ListMixin's page: the page's verified delivery is read at once, for all its contracts together.
        paginator = ApiPagination()
        page = paginator.paginate_queryset(tracker.tracker_contracts(self.authority), request, view=self)
        delivery = tracker.delivery_by_theme_and_place(self.authority, [contract.pk for contract in page])
        for contract in page:
            contract.delivery = delivery.get(contract.pk, [])
        return paginator.get_paginated_response(TrackerContractSerializer(page, many=True).data)


class TrackerDetail(RetrieveMixin, ObjectEndpoint):
    tags = TAG_IMPACT
    selector, lookup, not_found = tracker.tracker_contract_get, "contract_id", "No such contract."
    output_serializer = TrackerDetailSerializer
    docs = {
        "get": Doc(
            "tracker_retrieve",
            "A contract on the public delivery tracker",
            "Open to anyone. Its commitments with verified delivery and status, and each accepted delivery with the "
            "community groups' checks and the authority's answers.",
            errors=(404,),
        )
    }

    def present(self, contract) -> dict:
        contract.commitment_rows = tracker.tracker_commitments(contract)
        contract.line_list = tracker.tracker_lines(contract)
        return TrackerDetailSerializer(contract).data
