"""Charters and their versions: the list (drafts for staff), one charter, a version in full, a draft's details
and theme weights."""

from rest_framework import exceptions, serializers

from accounts.api.generic import (
    CreateMixin,
    Doc,
    Endpoint,
    ListMixin,
    ObjectEndpoint,
    ReplaceMixin,
    RetrieveMixin,
    UpdateMixin,
)

from .. import selectors, services
from ..models import Charter, VersionStatus
from .charter_items import PlaceSerializer, ThemeSerializer
from .common import STAFF_WRITE, TAG_CHARTERS

# Charters and versions -----------------------------------------------------------------------------------------


class VersionSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()
    status = serializers.ChoiceField(choices=VersionStatus.choices)
    title = serializers.CharField()
    created_at = serializers.DateTimeField()
    adopted_at = serializers.DateTimeField(allow_null=True)


class CharterSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    origin = serializers.ChoiceField(choices=Charter.Origin.choices)
    origin_note = serializers.CharField(help_text="Where a copied charter came from, in words.")
    created_at = serializers.DateTimeField()
    versions = VersionSummarySerializer(
        source="visible_versions", many=True, help_text="Newest first: the versions you may read."
    )


class CharterCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, error_messages={"blank": "Enter the charter's title"})
    start = serializers.ChoiceField(
        choices=Charter.Origin.choices,
        default=Charter.Origin.BLANK,
        help_text="blank, template (the UK Social Value Model's themes and outcomes) or copy (of an adopted charter).",
    )
    source_version = serializers.IntegerField(
        required=False, allow_null=True, help_text="With start=copy: the id of an adopted version, any authority."
    )


class VersionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    charter_id = serializers.IntegerField()
    number = serializers.IntegerField()
    status = serializers.ChoiceField(choices=VersionStatus.choices)
    title = serializers.CharField()
    vision = serializers.CharField()
    local_context = serializers.CharField()
    created_at = serializers.DateTimeField()
    adopted_at = serializers.DateTimeField(allow_null=True)
    adoption_reason = serializers.CharField(help_text="Why it was adopted without a consultation, where it was.")
    weights_total = serializers.DecimalField(source="content.weights_total", max_digits=6, decimal_places=2)
    places = PlaceSerializer(source="content.places", many=True)
    themes = ThemeSerializer(source="content.themes", many=True)


def version_data(version) -> dict:
    """The version with its content, read in a fixed number of queries (`selectors.version_content`)."""
    version.content = selectors.version_content(version)
    return VersionSerializer(version).data


class VersionDetailsSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    vision = serializers.CharField(required=False, allow_blank=True)
    local_context = serializers.CharField(required=False, allow_blank=True)


class WeightSerializer(serializers.Serializer):
    theme_id = serializers.IntegerField()
    weight = serializers.DecimalField(max_digits=5, decimal_places=2)


class WeightsSerializer(serializers.Serializer):
    weights = WeightSerializer(many=True, help_text="Every theme of the version with its weight; they total 100.")


class CharterList(ListMixin, CreateMixin, Endpoint):
    method_permissions = {"POST": "charters.edit"}
    tags = TAG_CHARTERS
    output_serializer, page_name = CharterSerializer, "CharterPage"
    ordering_fields, default_ordering = ("title", "created_at"), "title"
    create_serializer, create_service = CharterCreateSerializer, services.charter_create
    object_argument = "authority"
    docs = {
        "get": Doc(
            "charters_list",
            "List charters",
            "Charters with an adopted or superseded version (and only those versions) for everyone; the authority's "
            "staff with `charters.view` see every charter and version, drafts included.",
            errors=(400, 404),
        ),
        "post": Doc(
            "charters_create",
            "Create a charter",
            "Commissioners (`charters.edit`) start a charter: blank, from the Social Value Model template, or a copy "
            "of an adopted charter. Its first version is a draft.",
            errors=STAFF_WRITE,
        ),
    }

    def items(self):
        return selectors.charters_visible(self.authority, include_drafts=self.can("charters.view"))

    def create(self, authority, data: dict):
        source_version_id = data.pop("source_version", None)
        return self.call(self.create_service, authority, {**data, "source_version_id": source_version_id})

    def present(self, charter) -> dict:
        charter = selectors.charter_get_visible(self.authority, charter.pk, include_drafts=True)  # read again
        return CharterSerializer(charter).data


class CharterDetail(RetrieveMixin, ObjectEndpoint):
    tags = TAG_CHARTERS
    selector, lookup, not_found = selectors.charter_get_visible, "charter_id", "No such charter."
    output_serializer = CharterSerializer
    docs = {
        "get": Doc("charters_retrieve", "Read a charter", "A charter and the versions you may read.", errors=(404,))
    }

    def selector_options(self) -> dict:
        return {"include_drafts": self.can("charters.view")}


class VersionEndpoint(ObjectEndpoint):
    """A charter version: adopted and superseded ones for anyone, every one for staff and for changes (the services
    refuse changes to a version that is not a draft)."""

    tags = TAG_CHARTERS
    selector, lookup, not_found = selectors.version_get_visible, "version_id", "No such charter version."
    object_argument = "version"
    output_serializer = VersionSerializer

    def selector_options(self) -> dict:
        return {"include_drafts": self.request.method != "GET" or self.can("charters.view")}

    def present(self, version) -> dict:
        return version_data(version)


class VersionDetail(RetrieveMixin, UpdateMixin, VersionEndpoint):
    method_permissions = {"PATCH": "charters.edit"}
    update_serializer, update_service = VersionDetailsSerializer, services.version_details_update
    docs = {
        "get": Doc(
            "versions_retrieve",
            "Read a charter version",
            "A version in full: places, themes with their weights, outcomes and measures. Adopted and superseded "
            "versions are public; drafts and versions in consultation only for staff with `charters.view`.",
            errors=(404,),
        ),
        "patch": Doc(
            "versions_partial_update",
            "Change a draft's title, vision or local context",
            "Commissioners (`charters.edit`) only, and only while the version is a draft (409 otherwise).",
            errors=STAFF_WRITE,
            request=VersionDetailsSerializer,
        ),
    }

    def update(self, version, data: dict):
        values = {name: data.get(name, getattr(version, name)) for name in ("title", "vision", "local_context")}
        if not values["title"].strip():
            raise exceptions.ValidationError({"title": ["Enter the title"]})
        return self.call(self.update_service, version, values)


class VersionWeights(ReplaceMixin, VersionEndpoint):
    method_permissions = {"PUT": "charters.edit"}
    replace_serializer, replace_service = WeightsSerializer, services.weights_set
    docs = {
        "put": Doc(
            "versions_weights_update",
            "Set every theme's weight",
            "Weights for every theme of a draft at once; they must total exactly 100.",
            errors=STAFF_WRITE,
        )
    }

    def replace(self, version, data: dict):
        weights = {row["theme_id"]: row["weight"] for row in data["weights"]}
        self.call(self.replace_service, version, {"weights": weights})
        return version
