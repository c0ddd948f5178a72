"""The charters API: the measure library, charters and their versions, consultations and comments.

Reads go through `selectors`, `library` and `consultation_selectors`; writes through `services` and `consultation`,
exactly as the pages do, so every rule (drafts only, frozen adopted versions, weights totalling 100%, moderation)
holds here too. The public reads adopted and superseded versions; staff with `charters.view` see drafts as well.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response

from accounts import selectors as account_selectors
from accounts.api.foundation import (
    PAGE_PARAMETERS,
    apply_ordering,
    choice_param,
    error_responses,
    ordering_parameter,
    paginate,
    paginated,
    register_conflicts,
    validated,
)
from accounts.api.views import AuthorityApiView

from . import consultation as consultation_services
from . import library, selectors, services
from .errors import TransitionRefused, VersionFrozen
from .models import (
    Charter,
    CharterMeasure,
    Comment,
    CommentSection,
    CommentStatus,
    Outcome,
    PriorityPlace,
    ReportingFrequency,
    ResponseOutcome,
    Theme,
    Unit,
    VersionStatus,
)
from .selectors import consultation as consultation_selectors

register_conflicts(
    VersionFrozen,
    TransitionRefused,
    consultation_services.ConsultationClosed,
    consultation_services.CommentRecordClosed,
)

TAG_LIBRARY = ["measure library"]
TAG_CHARTERS = ["charters"]
TAG_CONSULTATIONS = ["consultations"]


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


CHARTER_READ_ERRORS = error_responses(400, 404)
STAFF_WRITE_ERRORS = error_responses(400, 401, 403, 404, 409)


class CharterList(AuthorityApiView):
    method_permissions = {"POST": "charters.edit"}

    @extend_schema(
        operation_id="charters_list",
        summary="List charters",
        description="Charters with an adopted or superseded version (and only those versions) for everyone; the "
        "authority's staff with `charters.view` see every charter and version, drafts included.",
        parameters=[ordering_parameter(("title", "created_at"), "title"), *PAGE_PARAMETERS],
        responses={200: paginated(CharterSerializer, "CharterPage"), **CHARTER_READ_ERRORS},
        tags=TAG_CHARTERS,
    )
    def get(self, request, authority_slug):
        charters = selectors.charters_visible(self.authority, include_drafts=self.can("charters.view"))
        charters = apply_ordering(request, charters, ("title", "created_at"), "title")
        return paginate(self, charters, CharterSerializer)

    @extend_schema(
        operation_id="charters_create",
        summary="Create a charter",
        description="Commissioners (`charters.edit`) start a charter: blank, from the Social Value Model template, or "
        "a copy of an adopted charter. Its first version is a draft.",
        request=CharterCreateSerializer,
        responses={201: CharterSerializer, **STAFF_WRITE_ERRORS},
        tags=TAG_CHARTERS,
    )
    def post(self, request, authority_slug):
        data = validated(CharterCreateSerializer, request.data)
        charter = services.charter_create(
            authority=self.authority,
            acting_user=request.user,
            title=data["title"],
            start=data["start"],
            source_version_id=data.get("source_version"),
        )
        charter = selectors.charter_get_visible(self.authority, charter.pk, include_drafts=True)
        return Response(CharterSerializer(charter).data, status=status.HTTP_201_CREATED)


class CharterDetail(AuthorityApiView):
    @extend_schema(
        operation_id="charters_retrieve",
        summary="Read a charter",
        description="A charter and the versions you may read.",
        responses={200: CharterSerializer, **error_responses(404)},
        tags=TAG_CHARTERS,
    )
    def get(self, request, authority_slug, charter_id):
        charter = selectors.charter_get_visible(self.authority, charter_id, include_drafts=self.can("charters.view"))
        if charter is None:
            raise exceptions.NotFound("No such charter.")
        return Response(CharterSerializer(charter).data)


class VersionDetail(AuthorityApiView):
    method_permissions = {"PATCH": "charters.edit"}

    def _version(self, *, for_edit=False):
        include_drafts = for_edit or self.can("charters.view")
        version = selectors.version_get_visible(
            self.authority, self.kwargs["version_id"], include_drafts=include_drafts
        )
        if version is None:
            raise exceptions.NotFound("No such charter version.")
        return version

    @extend_schema(
        operation_id="versions_retrieve",
        summary="Read a charter version",
        description="A version in full: places, themes with their weights, outcomes and measures. Adopted and "
        "superseded versions are public; drafts and versions in consultation only for staff with `charters.view`.",
        responses={200: VersionSerializer, **error_responses(404)},
        tags=TAG_CHARTERS,
    )
    def get(self, request, authority_slug, version_id):
        return Response(version_data(self._version()))

    @extend_schema(
        operation_id="versions_partial_update",
        summary="Change a draft's title, vision or local context",
        description="Commissioners (`charters.edit`) only, and only while the version is a draft (409 otherwise).",
        request=VersionDetailsSerializer,
        responses={200: VersionSerializer, **STAFF_WRITE_ERRORS},
        tags=TAG_CHARTERS,
    )
    def patch(self, request, authority_slug, version_id):
        version = self._version(for_edit=True)
        data = validated(VersionDetailsSerializer, request.data)
        values = {name: data.get(name, getattr(version, name)) for name in ("title", "vision", "local_context")}
        if not values["title"].strip():
            raise exceptions.ValidationError({"title": ["Enter the title"]})
        version = services.version_details_update(version=version, acting_user=request.user, **values)
        return Response(version_data(version))


class VersionWeights(AuthorityApiView):
    method_permissions = {"PUT": "charters.edit"}

    @extend_schema(
        operation_id="versions_weights_update",
        summary="Set every theme's weight",
        description="Weights for every theme of a draft at once; they must total exactly 100.",
        request=WeightsSerializer,
        responses={200: VersionSerializer, **STAFF_WRITE_ERRORS},
        tags=TAG_CHARTERS,
    )
    def put(self, request, authority_slug, version_id):
        version = selectors.version_get_visible(self.authority, version_id, include_drafts=True)
        if version is None:
            raise exceptions.NotFound("No such charter version.")
        data = validated(WeightsSerializer, request.data)
        weights = {row["theme_id"]: row["weight"] for row in data["weights"]}
        services.weights_set(version=version, acting_user=request.user, weights=weights)
        return Response(version_data(version))


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


# Consultations and comments -----------------------------------------------------------------------------------


class ConsultationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    version_id = serializers.IntegerField()
    title = serializers.CharField(source="version.title")
    version_number = serializers.IntegerField(source="version.number")
    version_status = serializers.ChoiceField(source="version.status", choices=VersionStatus.choices)
    opens_on = serializers.DateField()
    closes_on = serializers.DateField()
    shorter_reason = serializers.CharField(help_text="Why it is shorter than the authority's usual length, if it is.")
    is_open = serializers.SerializerMethodField(help_text="Whether it takes comments today (the server's date).")

    def get_is_open(self, consultation) -> bool:
        return not consultation_services.consultation_refusal(consultation)


class ConsultationDetailSerializer(ConsultationSerializer):
    version = VersionSerializer(
        help_text="The version consulted on, in full, as the public consultation page shows it."
    )


def consultation_data(consultation) -> dict:
    data = ConsultationSerializer(consultation).data
    return {**data, "version": version_data(consultation.version)}


class ResponseSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=ResponseOutcome.choices)
    text = serializers.CharField()
    change_made = serializers.CharField(help_text="What changed in the next version, where something did.")
    responded_at = serializers.DateTimeField()


class CommentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    section = serializers.ChoiceField(choices=CommentSection.choices)
    item_id = serializers.SerializerMethodField(help_text="The theme, outcome or measure commented on, if any.")
    about = serializers.CharField(source="anchor_label", help_text="What the comment is about, in words.")
    speaking_for = serializers.CharField(help_text="The community group's name, or “A resident”. Never a name.")
    text = serializers.CharField()
    status = serializers.ChoiceField(choices=CommentStatus.choices)
    created_at = serializers.DateTimeField()
    response = ResponseSerializer(source="answer", allow_null=True, help_text="The authority's public answer.")

    def get_item_id(self, comment) -> int | None:
        return comment.theme_id or comment.outcome_id or comment.measure_id


class CommentCreateSerializer(serializers.Serializer):
    section = serializers.ChoiceField(choices=CommentSection.choices)
    item_id = serializers.IntegerField(
        required=False, allow_null=True, help_text="For a theme, outcome or measure: its id in the consulted version."
    )
    text = serializers.CharField(max_length=consultation_services.COMMENT_MAX_LENGTH)
    organisation_id = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="Speak for this community group (you must be an approved member); leave out to speak for yourself.",
    )


class ModerationSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=[CommentStatus.PUBLISHED, CommentStatus.HIDDEN])
    reason = serializers.CharField(
        required=False, allow_blank=True, help_text="Required to hide: emailed to the author, never published."
    )


class ResponseInputSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=ResponseOutcome.choices)
    text = serializers.CharField()
    change_made = serializers.CharField(required=False, allow_blank=True)


def _decorated(comment: Comment) -> Comment:
    comment.anchor_label = consultation_services.anchor_label(comment.section, comment.anchor)
    comment.answer = getattr(comment, "response", None)
    comment.speaking_for = comment.organisation.name if comment.organisation_id else "A resident"
    return comment


class ConsultationsView(AuthorityApiView):
    def _consultation(self, consultation_id):
        """Published consultations for anyone; staff with `charters.view` reach all of the authority's."""
        if self.can("charters.view"):
            consultation = consultation_selectors.consultation_get(self.authority, consultation_id)
        else:
            consultation = consultation_selectors.consultation_get_public(self.authority, consultation_id)
        if consultation is None:
            raise exceptions.NotFound("No such consultation.")
        return consultation


class ConsultationDetail(ConsultationsView):
    @extend_schema(
        operation_id="consultations_retrieve",
        summary="Read a consultation",
        description="Its dates, whether it takes comments today, and the version consulted on in full (public "
        "once it has gone out for consultation). Its comments are at /comments/.",
        responses={200: ConsultationDetailSerializer, **error_responses(404)},
        tags=TAG_CONSULTATIONS,
    )
    def get(self, request, authority_slug, consultation_id):
        return Response(consultation_data(self._consultation(consultation_id)))


COMMENT_STATUS_PARAMETER = OpenApiParameter(
    "status",
    OpenApiTypes.STR,
    enum=CommentStatus.values,
    description="Staff with `charters.view` only: comments in this moderation state. Everyone else sees published "
    "comments only.",
)


class CommentList(ConsultationsView):
    domain_field_map = {"speaking_for": "organisation_id"}

    @extend_schema(
        operation_id="comments_list",
        summary="List a consultation's comments",
        description="Published comments with the authority's public answers, oldest first. Authors are never named.",
        parameters=[COMMENT_STATUS_PARAMETER, *PAGE_PARAMETERS],
        responses={200: paginated(CommentSerializer, "CommentPage"), **error_responses(400, 403, 404)},
        tags=TAG_CONSULTATIONS,
    )
    def get(self, request, authority_slug, consultation_id):
        consultation = self._consultation(consultation_id)
        state = choice_param(request, "status", CommentStatus.values)
        if state and state != CommentStatus.PUBLISHED and not self.can("charters.view"):
            raise exceptions.PermissionDenied("Only the authority's staff see comments that are not published.")
        comments = consultation_selectors.staff_comments(consultation).filter(status=state or CommentStatus.PUBLISHED)
        return paginate(self, comments, CommentSerializer, prepare=_decorated)

    @extend_schema(
        operation_id="comments_create",
        summary="Comment on a consultation",
        description="Anyone signed in, while the consultation is open. The comment is held until a moderator "
        "publishes it.",
        request=CommentCreateSerializer,
        responses={201: CommentSerializer, **error_responses(400, 401, 404, 409)},
        tags=TAG_CONSULTATIONS,
    )
    def post(self, request, authority_slug, consultation_id):
        consultation = consultation_selectors.consultation_get_public(self.authority, consultation_id)
        if consultation is None:
            raise exceptions.NotFound("No such consultation.")
        data = validated(CommentCreateSerializer, request.data)
        section = data["section"]
        item_id = data.get("item_id")
        target = consultation_selectors.comment_target(consultation, section, "" if item_id is None else str(item_id))
        if target is None:
            raise exceptions.ValidationError({"item_id": ["Choose a part of the charter in this consultation"]})
        organisation = None
        if organisation_id := data.get("organisation_id"):
            # Whether the caller may speak for the group is the service's rule; here it only has to exist.
            organisation = account_selectors.community_groups().filter(pk=organisation_id).first()
            if organisation is None:
                raise exceptions.ValidationError({"organisation_id": ["Choose a community group"]})
        comment = consultation_services.comment_create(
            consultation=consultation,
            acting_user=request.user,
            section=target.section,
            item=target.item,
            text=data["text"],
            organisation=organisation,
        )
        comment = consultation_selectors.staff_comments(consultation).get(pk=comment.pk)
        return Response(CommentSerializer(_decorated(comment)).data, status=status.HTTP_201_CREATED)


class CommentModeration(ConsultationsView):
    method_permissions = {"POST": "consultations.moderate"}

    @extend_schema(
        operation_id="comments_moderate",
        summary="Publish or hide a comment",
        description="Moderators (`consultations.moderate`), while the version is in consultation. Hiding needs a "
        "reason, emailed to the author.",
        request=ModerationSerializer,
        responses={200: CommentSerializer, **STAFF_WRITE_ERRORS},
        tags=TAG_CONSULTATIONS,
    )
    def post(self, request, authority_slug, consultation_id, comment_id):
        consultation = self._consultation(consultation_id)
        comment = _comment(consultation, comment_id)
        data = validated(ModerationSerializer, request.data)
        consultation_services.comment_moderate(
            comment=comment, acting_user=request.user, decision=data["decision"], reason=data.get("reason", "")
        )
        return Response(CommentSerializer(_comment(consultation, comment_id)).data)


class CommentAnswer(ConsultationsView):
    method_permissions = {"PUT": "consultations.moderate"}

    @extend_schema(
        operation_id="comments_answer",
        summary="Answer a published comment",
        description="Moderators (`consultations.moderate`). The first answer is emailed to the author; a later one "
        "replaces it (the audit trail keeps the old text).",
        request=ResponseInputSerializer,
        responses={200: CommentSerializer, **STAFF_WRITE_ERRORS},
        tags=TAG_CONSULTATIONS,
    )
    def put(self, request, authority_slug, consultation_id, comment_id):
        consultation = self._consultation(consultation_id)
        comment = _comment(consultation, comment_id)
        data = validated(ResponseInputSerializer, request.data)
        consultation_services.comment_respond(comment=comment, acting_user=request.user, **data)
        return Response(CommentSerializer(_comment(consultation, comment_id)).data)


def _comment(consultation, comment_id) -> Comment:
    comment = consultation_selectors.staff_comment_get(consultation, comment_id)
    if comment is None:
        raise exceptions.NotFound("No such comment.")
    return comment


# Every consultation the public may read is listed at /consultations/ on the site; the API lists an authority's.
class ConsultationList(ConsultationsView):
    @extend_schema(
        operation_id="consultations_list",
        summary="List consultations",
        description="The authority's consultations the public may read (their version is in consultation, adopted "
        "or superseded), newest first; staff with `charters.view` see every one.",
        parameters=PAGE_PARAMETERS,
        responses={200: paginated(ConsultationSerializer, "ConsultationPage"), **error_responses(400, 404)},
        tags=TAG_CONSULTATIONS,
    )
    def get(self, request, authority_slug):
        consultations = consultation_selectors.consultations_visible(
            self.authority, include_drafts=self.can("charters.view")
        )
        return paginate(self, consultations, ConsultationSerializer)
