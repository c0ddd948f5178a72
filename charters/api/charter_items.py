"""A draft version's items: priority places, themes, outcomes and measures (add, change, remove)."""

import functools

from rest_framework import exceptions, serializers

from accounts.api.generic import CreateMixin, DestroyMixin, Doc, ObjectEndpoint, UpdateMixin

from .. import library, selectors, services
from ..models import CharterMeasure, Outcome, PriorityPlace, ReportingFrequency, Theme, Unit
from .common import STAFF_WRITE, TAG_CHARTERS


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


class DraftItemEndpoint(ObjectEndpoint):
    """An endpoint about an item of a draft version (the version itself, a theme, an outcome, ...)."""

    method_permissions = {"POST": "charters.edit", "PATCH": "charters.edit", "DELETE": "charters.edit"}
    tags = TAG_CHARTERS


def _draft_item(model, lookup: str, name: str) -> dict:
    """The lookup of one kind of draft item, as class attributes."""
    return {
        "selector": lambda authority, pk: selectors.version_item_get(authority, model, pk),
        "lookup": lookup,
        "not_found": f"No such {name}.",
    }


class VersionChildCreate(CreateMixin, DraftItemEndpoint):
    selector = functools.partial(selectors.version_get_visible, include_drafts=True)
    lookup, not_found, object_argument = "version_id", "No such charter version.", "version"


class PlaceCreate(VersionChildCreate):
    create_serializer, create_service, output_serializer = PlaceSerializer, services.place_add, PlaceSerializer
    docs = {
        "post": Doc(
            "places_create",
            "Add a priority place to a draft",
            "Only while the version is a draft (409 otherwise).",
            errors=STAFF_WRITE,
        )
    }


class ThemeCreate(VersionChildCreate):
    create_serializer, create_service, output_serializer = ThemeSerializer, services.theme_add, ThemeSerializer
    docs = {
        "post": Doc(
            "themes_create",
            "Add a theme to a draft",
            "Set its weight here or later with the weights endpoint; weights must total 100 before the charter goes "
            "out for consultation.",
            errors=STAFF_WRITE,
        )
    }

    def present(self, theme) -> dict:
        theme.outcome_list = []
        return ThemeSerializer(theme).data


class OutcomeCreate(CreateMixin, DraftItemEndpoint):
    locals().update(_draft_item(Theme, "theme_id", "theme"))
    object_argument = "theme"
    create_serializer, create_service, output_serializer = OutcomeSerializer, services.outcome_add, OutcomeSerializer
    docs = {
        "post": Doc(
            "outcomes_create",
            "Add an outcome to a theme of a draft",
            "Only while the version is a draft (409 otherwise).",
            errors=STAFF_WRITE,
        )
    }

    def present(self, outcome) -> dict:
        outcome.measure_list = []
        return OutcomeSerializer(outcome).data


class MeasureCreate(CreateMixin, DraftItemEndpoint):
    locals().update(_draft_item(Outcome, "outcome_id", "outcome"))
    object_argument = "outcome"
    create_serializer, create_service = MeasureAddSerializer, services.measure_add
    output_serializer = CharterMeasureSerializer
    docs = {
        "post": Doc(
            "charter_measures_create",
            "Add a measure to an outcome of a draft",
            "Copy a platform measure (`library_measure`) or one of the authority's local measures (`local_measure`), "
            "adapting any field you also send, or write a new one (code, title and unit required).",
            errors=STAFF_WRITE,
        )
    }

    def create(self, outcome, data: dict):
        library_measure = local_measure = None
        if library_id := data.pop("library_measure", None):
            library_measure = library.measure_get(library_id)
            if library_measure is None or not library_measure.is_active:
                raise exceptions.ValidationError({"library_measure": ["Choose a measure from the library"]})
        if local_id := data.pop("local_measure", None):
            local_measure = library.local_measure_get(self.authority, local_id)
            if local_measure is None or not local_measure.is_active:
                raise exceptions.ValidationError({"local_measure": ["Choose one of the authority's local measures"]})
        return self.call(
            self.create_service, outcome, {**data, "library_measure": library_measure, "local_measure": local_measure}
        )


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


class DraftItemDetail(UpdateMixin, DestroyMixin, DraftItemEndpoint):
    """PATCH (change) and DELETE (remove) for one kind of draft item: a place, theme, outcome or measure."""

    object_argument = "item"
    update_service, destroy_service = services.item_update, services.item_remove

    def update(self, item, data: dict):
        return self.call(self.update_service, item, data) if data else item

    def present(self, item) -> dict:
        return self.output_serializer(_with_children(item)).data


def _item_detail(model, serializer_class, lookup: str, name: str, operation: str, removed: str):
    docs = {
        "patch": Doc(
            f"{operation}_partial_update",
            f"Change a {name} of a draft",
            "Send only the fields to change. Only while the version is a draft (409 otherwise).",
            errors=STAFF_WRITE,
            request=serializer_class,
        ),
        "delete": Doc(f"{operation}_destroy", f"Remove a {name} from a draft", removed, errors=STAFF_WRITE),
    }
    attributes = {"update_serializer": serializer_class, "output_serializer": serializer_class, "docs": docs}
    return type(f"{model.__name__}Detail", (DraftItemDetail,), {**_draft_item(model, lookup, name), **attributes})


PlaceDetail = _item_detail(
    PriorityPlace, PlaceSerializer, "place_id", "place", "places", "Only while the version is a draft."
)
ThemeDetail = _item_detail(
    Theme, ThemeSerializer, "theme_id", "theme", "themes", "Its outcomes and measures are removed too."
)
OutcomeDetail = _item_detail(
    Outcome, OutcomeSerializer, "outcome_id", "outcome", "outcomes", "Its measures are removed too."
)
MeasureDetail = _item_detail(
    CharterMeasure,
    CharterMeasureSerializer,
    "charter_measure_id",
    "measure",
    "charter_measures",
    "Only while the version is a draft.",
)
