"""The cumulative impact figures, with the dashboard's filters (compact/filters.py)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions, serializers
from rest_framework.response import Response

from accounts.api.generic import Doc, Endpoint

from .. import impact
from ..filters import FILTER_FIELDS, ImpactFilterForm
from ..models import ContractStatus
from .common import READ, TAG_IMPACT, ImpactMoneySerializer

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


class ImpactView(Endpoint):
    method_permissions = {"GET": "contracts.view"}
    tags = TAG_IMPACT
    output_serializer = ImpactSerializer
    docs = {
        "get": Doc(
            "impact_retrieve",
            "Cumulative impact: committed against verified delivered",
            "`contracts.view`. The impact dashboard's figures across every contract, grouped by theme, outcome, "
            "measure, supplier, place or quarter, monetised gross and net. Delivery counts by its report's period "
            "end, a commitment by its due date.",
            errors=READ,
            parameters=(
                OpenApiParameter(
                    "group_by", OpenApiTypes.STR, enum=list(impact.DIMENSIONS), description="Default `theme`."
                ),
                OpenApiParameter(
                    "theme", OpenApiTypes.STR, description="Only this theme (a title of the contracts' themes)."
                ),
                OpenApiParameter(
                    "supplier", OpenApiTypes.INT, description="Only this supplier organisation's contracts."
                ),
                OpenApiParameter(
                    "status", OpenApiTypes.STR, enum=ContractStatus.values, description="Only contracts in this status."
                ),
                OpenApiParameter("date_from", OpenApiTypes.DATE, description="From this date (YYYY-MM-DD)."),
                OpenApiParameter("date_to", OpenApiTypes.DATE, description="To this date (YYYY-MM-DD), inclusive."),
            ),
        )
    }

    def get(self, request, authority_slug):
        # The dashboard's own filter form, so the filters accept and refuse exactly what the page does.
        themes, suppliers = impact.filter_choices(self.authority)
        query = {key: request.query_params[key] for key in FILTER_FIELDS if request.query_params.get(key)}
        form = ImpactFilterForm(query, themes=themes, suppliers=suppliers)
        if not form.is_valid():
            raise exceptions.ValidationError({field: list(errors) for field, errors in form.errors.items()})
        dimension, filters = form.filters()
        return Response(self.present(impact.impact_summary(self.authority, dimension=dimension, filters=filters)))
