"""The measure library: platform and local measures, to copy into a charter (filters in charters/filters.py)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

from accounts.api.foundation import choice_param
from accounts.api.generic import Doc, Endpoint, ListMixin

from .. import library
from ..models import Unit
from .common import TAG_LIBRARY

# The measure library -------------------------------------------------------------------------------------------


class LibraryMeasureSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The measure's id among platform measures, or among local ones.")
    code = serializers.CharField()
    title = serializers.CharField()
    unit = serializers.ChoiceField(choices=Unit.choices)
    theme = serializers.CharField(help_text="The theme the measure usually serves.")
    outcome = serializers.CharField(help_text="The outcome the measure usually serves.")
    proxy_value_gbp = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    is_local = serializers.BooleanField(help_text="True for the authority's own measures, false for the platform's.")


LIBRARY_ORDERING = ("code", "title", "unit", "theme")


class MeasureLibrary(ListMixin, Endpoint):
    tags = TAG_LIBRARY
    output_serializer, page_name = LibraryMeasureSerializer, "LibraryMeasurePage"
    # "is_local" then "id" break ties between a platform and a local measure with the same code.
    ordering_fields, default_ordering, ordering_tie_break = LIBRARY_ORDERING, "code", ("is_local", "id")
    docs = {
        "get": Doc(
            "measures_list",
            "List the measure library",
            "The platform's measures and the authority's local measures in use, open to anyone.",
            errors=(400, 404),
            parameters=(
                OpenApiParameter("q", OpenApiTypes.STR, description="Words the code, title, theme or outcome contain."),
                OpenApiParameter("theme", OpenApiTypes.STR, description="Only measures with exactly this theme."),
                OpenApiParameter("unit", OpenApiTypes.STR, enum=Unit.values, description="Only measures in this unit."),
            ),
        )
    }

    def items(self):
        return library.library_measure_list(
            self.authority,
            q=self.request.query_params.get("q", "").strip()[:100],
            theme=self.request.query_params.get("theme", "").strip(),
            unit=choice_param(self.request, "unit", Unit.values),
        )
