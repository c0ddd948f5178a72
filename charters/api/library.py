"""The measure library: platform and local measures, to copy into a charter (filters in charters/filters.py)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers

from accounts.api.foundation import (
    PAGE_PARAMETERS,
    apply_ordering,
    choice_param,
    error_responses,
    ordering_parameter,
    paginate,
    paginated,
)
from accounts.api.views import AuthorityApiView

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


class MeasureLibrary(AuthorityApiView):
    @extend_schema(
        operation_id="measures_list",
        summary="List the measure library",
        description="The platform's measures and the authority's local measures in use, open to anyone.",
        parameters=[
            OpenApiParameter("q", OpenApiTypes.STR, description="Words the code, title, theme or outcome contain."),
            OpenApiParameter("theme", OpenApiTypes.STR, description="Only measures with exactly this theme."),
            OpenApiParameter("unit", OpenApiTypes.STR, enum=Unit.values, description="Only measures in this unit."),
            ordering_parameter(LIBRARY_ORDERING, "code"),
            *PAGE_PARAMETERS,
        ],
        responses={200: paginated(LibraryMeasureSerializer, "LibraryMeasurePage"), **error_responses(400, 404)},
        tags=TAG_LIBRARY,
    )
    def get(self, request, authority_slug):
        measures = library.library_measure_list(
            self.authority,
            q=request.query_params.get("q", "").strip()[:100],
            theme=request.query_params.get("theme", "").strip(),
            unit=choice_param(request, "unit", Unit.values),
        )
        # "is_local" then "id" break ties between a platform and a local measure with the same code.
        measures = apply_ordering(request, measures, LIBRARY_ORDERING, "code", tie_break=("is_local", "id"))
        return paginate(self, measures, LibraryMeasureSerializer)
