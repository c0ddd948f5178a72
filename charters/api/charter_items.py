"""A draft version's items: priority places, themes, outcomes and measures (add, change, remove)."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response

from accounts.api.foundation import validated
from accounts.api.views import AuthorityApiView

from .. import library, selectors, services
from ..models import CharterMeasure, Outcome, PriorityPlace, ReportingFrequency, Theme, Unit
from .common import STAFF_WRITE_ERRORS, TAG_CHARTERS


class PlaceSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    position = serializers.IntegerField(read_only=True)
    name = serializers.CharField(max_length=120)
    needs = serializers.CharField(max_length=500, required=False, allow_blank=True)


class CharterMeasureSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    position = serializers.IntegerField(read_only=True)
    code = serializers.CharField(max_length=30)
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True)
    unit = serializers.ChoiceField(choices=Unit.choices)
    proxy_value_gbp = serializers.DecimalField(max_digits=12, decimal_places=2, required=False, allow_null=True)
    proxy_source = serializers.CharField(max_length=300, required=False, allow_blank=True)
    proxy_year = serializers.IntegerField(required=False, allow_null=True, min_value=1990, max_value=2100)
    deadweight_pct = serializers.DecimalField(max_digits=5, decimal_places=2, required=False, allow_null=True)
    attribution_pct = serializers.DecimalField(max_digits=5, decimal_places=2, required=False, allow_null=True)
    displacement_pct = serializers.DecimalField(max_digits=5, decimal_places=2, required=False, allow_null=True)
    dropoff_pct = serializers.DecimalField(max_digits=5, decimal_places=2, required=False, allow_null=True)
    evidence_required = serializers.CharField(required=False, allow_blank=True)
    reporting_frequency = serializers.ChoiceField(choices=ReportingFrequency.choices, required=False)
    min_contract_value = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True)
    library_measure_id = serializers.IntegerField(read_only=True, allow_null=True)
    local_measure_id = serializers.IntegerField(read_only=True, allow_null=True)


class OutcomeSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    position = serializers.IntegerField(read_only=True)
    title = serializers.CharField(max_length=300)
    description = serializers.CharField(required=False, allow_blank=True)
    measures = CharterMeasureSerializer(source="measure_list", many=True, read_only=True)


class ThemeSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    position = serializers.IntegerField(read_only=True)
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True)
    weight = serializers.DecimalField(max_digits=5, decimal_places=2, required=False, min_value=0, max_value=100)
    outcomes = OutcomeSerializer(source="outcome_list", many=True, read_only=True)


class MeasureAddSerializer(CharterMeasureSerializer):
    """A measure copied from the library (`library_measure` or `local_measure`) or written from scratch."""

    library_measure = serializers.IntegerField(required=False, help_text="Copy this platform measure.")
    local_measure = serializers.IntegerField(required=False, help_text="Copy this local measure of the authority.")
    code = serializers.CharField(max_length=30, required=False)
    title = serializers.CharField(max_length=200, required=False)
    unit = serializers.ChoiceField(choices=Unit.choices, required=False)

    def validate(self, data):
        if data.get("library_measure") and data.get("local_measure"):
            raise serializers.ValidationError({"local_measure": ["Choose a platform or a local measure, not both"]})
        if not data.get("library_measure") and not data.get("local_measure"):
            missing = {
                name: [f"Enter the measure's {name}"] for name in ("code", "title", "unit") if not data.get(name)
            }
            if missing:
                raise serializers.ValidationError(missing)
        return data


def _draft_parent(view, model, pk, name: str):
    parent = selectors.version_item_get(view.authority, model, pk)
    if parent is None:
        raise exceptions.NotFound(f"No such {name}.")
    return parent


class PlaceCreate(AuthorityApiView):
    method_permissions = {"POST": "charters.edit"}

    @extend_schema(
        operation_id="places_create",
        summary="Add a priority place to a draft",
        request=PlaceSerializer,
        responses={201: PlaceSerializer, **STAFF_WRITE_ERRORS},
        tags=TAG_CHARTERS,
    )
    def post(self, request, authority_slug, version_id):
        version = selectors.version_get_visible(self.authority, version_id, include_drafts=True)
        if version is None:
            raise exceptions.NotFound("No such charter version.")
        data = validated(PlaceSerializer, request.data)
        place = services.place_add(version=version, acting_user=request.user, **data)
        return Response(PlaceSerializer(place).data, status=status.HTTP_201_CREATED)


class ThemeCreate(AuthorityApiView):
    method_permissions = {"POST": "charters.edit"}

    @extend_schema(
        operation_id="themes_create",
        summary="Add a theme to a draft",
        description="Set its weight here or later with the weights endpoint; weights must total 100 before the "
        "charter goes out for consultation.",
        request=ThemeSerializer,
        responses={201: ThemeSerializer, **STAFF_WRITE_ERRORS},
        tags=TAG_CHARTERS,
    )
    def post(self, request, authority_slug, version_id):
        version = selectors.version_get_visible(self.authority, version_id, include_drafts=True)
        if version is None:
            raise exceptions.NotFound("No such charter version.")
        data = validated(ThemeSerializer, request.data)
        theme = services.theme_add(version=version, acting_user=request.user, **data)
        theme.outcome_list = []
        return Response(ThemeSerializer(theme).data, status=status.HTTP_201_CREATED)


class OutcomeCreate(AuthorityApiView):
    method_permissions = {"POST": "charters.edit"}

    @extend_schema(
        operation_id="outcomes_create",
        summary="Add an outcome to a theme of a draft",
        request=OutcomeSerializer,
        responses={201: OutcomeSerializer, **STAFF_WRITE_ERRORS},
        tags=TAG_CHARTERS,
    )
    def post(self, request, authority_slug, theme_id):
        theme = _draft_parent(self, Theme, theme_id, "theme")
        data = validated(OutcomeSerializer, request.data)
        outcome = services.outcome_add(theme=theme, acting_user=request.user, **data)
        outcome.measure_list = []
        return Response(OutcomeSerializer(outcome).data, status=status.HTTP_201_CREATED)


class MeasureCreate(AuthorityApiView):
    method_permissions = {"POST": "charters.edit"}

    @extend_schema(
        operation_id="charter_measures_create",
        summary="Add a measure to an outcome of a draft",
        description="Copy a platform measure (`library_measure`) or one of the authority's local measures "
        "(`local_measure`), adapting any field you also send, or write a new one (code, title and unit required).",
        request=MeasureAddSerializer,
        responses={201: CharterMeasureSerializer, **STAFF_WRITE_ERRORS},
        tags=TAG_CHARTERS,
    )
    def post(self, request, authority_slug, outcome_id):
        outcome = _draft_parent(self, Outcome, outcome_id, "outcome")
        data = dict(validated(MeasureAddSerializer, request.data))
        library_measure = local_measure = None
        if library_id := data.pop("library_measure", None):
            library_measure = library.measure_get(library_id)
            if library_measure is None or not library_measure.is_active:
                raise exceptions.ValidationError({"library_measure": ["Choose a measure from the library"]})
        if local_id := data.pop("local_measure", None):
            local_measure = library.local_measure_get(self.authority, local_id)
            if local_measure is None or not local_measure.is_active:
                raise exceptions.ValidationError({"local_measure": ["Choose one of the authority's local measures"]})
        measure = services.measure_add(
            outcome=outcome,
            acting_user=request.user,
            library_measure=library_measure,
            local_measure=local_measure,
            **data,
        )
        return Response(CharterMeasureSerializer(measure).data, status=status.HTTP_201_CREATED)


def _with_children(item):
    """A theme with its outcomes and measures, or an outcome with its measures, as the version shows them."""
    if not isinstance(item, Theme | Outcome):
        return item
    content = selectors.version_content(item.version)
    for theme in content.themes:
        if isinstance(item, Theme) and theme.pk == item.pk:
            return theme
        for outcome in theme.outcome_list:
            if isinstance(item, Outcome) and outcome.pk == item.pk:
                return outcome
    return item


def _item_view(model, serializer_class, keyword: str, name: str, operation: str):
    """PATCH (change) and DELETE (remove) for one kind of draft item: a place, theme, outcome or measure."""

    class ItemDetail(AuthorityApiView):
        method_permissions = {"PATCH": "charters.edit", "DELETE": "charters.edit"}

        def _item(self):
            return _draft_parent(self, model, self.kwargs[keyword], name)

        @extend_schema(
            operation_id=f"{operation}_partial_update",
            summary=f"Change a {name} of a draft",
            description="Send only the fields to change. Only while the version is a draft (409 otherwise).",
            request=serializer_class,
            responses={200: serializer_class, **STAFF_WRITE_ERRORS},
            tags=TAG_CHARTERS,
        )
        def patch(self, request, authority_slug, **kwargs):
            item = self._item()
            data = validated(serializer_class, request.data, partial=True)
            if data:
                item = services.item_update(item=item, acting_user=request.user, **data)
            return Response(serializer_class(_with_children(item)).data)

        @extend_schema(
            operation_id=f"{operation}_destroy",
            summary=f"Remove a {name} from a draft",
            description={
                Theme: "Its outcomes and measures are removed too.",
                Outcome: "Its measures are removed too.",
            }.get(model, "Only while the version is a draft."),
            responses={204: OpenApiResponse(description="Removed."), **STAFF_WRITE_ERRORS},
            tags=TAG_CHARTERS,
        )
        def delete(self, request, authority_slug, **kwargs):
            services.item_remove(item=self._item(), acting_user=request.user)
            return Response(status=status.HTTP_204_NO_CONTENT)

    ItemDetail.__name__ = ItemDetail.__qualname__ = f"{model.__name__}Detail"
    return ItemDetail


PlaceDetail = _item_view(PriorityPlace, PlaceSerializer, "place_id", "place", "places")
ThemeDetail = _item_view(Theme, ThemeSerializer, "theme_id", "theme", "themes")
OutcomeDetail = _item_view(Outcome, OutcomeSerializer, "outcome_id", "outcome", "outcomes")
MeasureDetail = _item_view(
    CharterMeasure, CharterMeasureSerializer, "charter_measure_id", "measure", "charter_measures"
)
