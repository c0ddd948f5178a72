"""The tenders API: tenders (public reads of published ones, officers' drafts and transitions), clarification
questions, bidders' own offers, and staff reads of offers through the seal.

Reads go through `selectors` and `clarifications`, writes through `services`, `clarifications` and `offers`, exactly
as the pages do. Staff never read the offer tables: every staff read of an offer goes through `tenders.sealing`
(decision 5), which refuses and audits any read before a procurement officer has opened the tender's offers; before
that the staff list answers only how many offers there are, like the page. A bidder reaches only the offers of the
supplier organisations they are an approved member of (anyone else: 404).
"""

from types import SimpleNamespace

from django.http import FileResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response

from accounts.api.foundation import (
    PAGE_PARAMETERS,
    apply_ordering,
    error_responses,
    paginate,
    paginated,
    register_conflicts,
    validated,
)
from accounts.api.views import ApiView, AuthorityApiView
from accounts.scoping import dangerously_unscoped
from charters.models import Unit
from foundation.errors import DomainError

from . import clarifications, offers, sealing, selectors, services
from .documents import CONTENT_TYPES
from .forms.offers import ANSWER_MAX_LENGTH
from .models import (
    DocumentKind,
    OfferStatus,
    QuantityKind,
    QuestionKind,
    RelevantMeasure,
    Tender,
    TenderCategory,
    TenderStatus,
)

register_conflicts(
    services.TenderLocked,
    services.TenderNotReady,
    clarifications.ClarificationsClosed,
    offers.OfferDeadlinePassed,
    sealing.DocumentAltered,
)

TAG_TENDERS = ["tenders"]
TAG_CLARIFICATIONS = ["clarifications"]
TAG_BIDDER = ["offers (bidders)"]
TAG_STAFF_OFFERS = ["offers (staff)"]

READ_ERRORS = error_responses(400, 404)
STAFF_WRITE_ERRORS = error_responses(400, 401, 403, 404, 409)
BIDDER_ERRORS = error_responses(400, 401, 403, 404, 409)


class Conflict(exceptions.APIException):
    """A refusal the services raise as a plain DomainError but which is about the object's state."""

    status_code = 409
    default_detail = "The object is not in a state that allows this."


def _money(**kwargs):
    return serializers.DecimalField(max_digits=20, decimal_places=2, **kwargs)


# Output: tenders ------------------------------------------------------------------------------------------------


class CpvCodeSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="The 8-digit CPV 2008 code, without its check digit.")
    description = serializers.CharField()
    division = serializers.CharField(help_text="The code's 2-digit division.")


class TenderSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    authority = serializers.CharField(source="authority.slug", help_text="The authority's slug.")
    authority_name = serializers.CharField(source="authority.name")
    reference = serializers.CharField()
    title = serializers.CharField()
    category = serializers.ChoiceField(choices=TenderCategory.choices)
    status = serializers.SerializerMethodField(
        help_text="As bidders live it: a published tender past its submission deadline is `closed`."
    )
    estimated_value = _money(help_text="Estimated value excluding VAT, in pounds.")
    value_including_vat = _money()
    publish_at = serializers.DateTimeField(allow_null=True)
    clarification_deadline = serializers.DateTimeField(allow_null=True)
    submission_deadline = serializers.DateTimeField(allow_null=True)
    cpv_codes = CpvCodeSerializer(many=True, source="cpv_codes.all")

    def get_status(self, tender) -> str:
        return selectors.effective_status(tender, self.context.get("now"))


class RelevantMeasureSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    lot_number = serializers.IntegerField(source="lot.number", allow_null=True, default=None)
    charter_measure_id = serializers.IntegerField()
    code = serializers.CharField(source="charter_measure.code")
    title = serializers.CharField(source="charter_measure.title")
    unit = serializers.ChoiceField(source="charter_measure.unit", choices=Unit.choices)
    theme = serializers.CharField(source="charter_measure.outcome.theme.title", help_text="The charter theme.")
    reason = serializers.CharField(help_text="Why the measure is relevant to what is bought.")
    quantity = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    quantity_kind = serializers.ChoiceField(choices=QuantityKind.choices)
    weight = serializers.DecimalField(max_digits=5, decimal_places=2, help_text="Weight within social value (%).")


class TenderQuestionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=QuestionKind.choices)
    position = serializers.IntegerField()
    text = serializers.CharField()
    guidance = serializers.CharField()
    word_limit = serializers.IntegerField()
    weight = serializers.DecimalField(max_digits=5, decimal_places=2, help_text="Weight within its part (%).")
    scale_max = serializers.IntegerField(help_text="Scores run from 0 to this.")
    scale_descriptors = serializers.ListField(child=serializers.CharField(), help_text="One line per score.")


class TenderLotSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()
    title = serializers.CharField()
    description = serializers.CharField()
    estimated_value = _money()
    price_weight = serializers.IntegerField(allow_null=True, help_text="Null: the tender's weightings apply.")
    quality_weight = serializers.IntegerField(allow_null=True)
    social_value_weight = serializers.IntegerField(allow_null=True)
    relevant_measures = RelevantMeasureSerializer(
        source="measure_list", many=True, help_text="The lot's own measures; none: the tender's apply."
    )


class TenderAmendmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    reason = serializers.CharField()
    changes = serializers.ListField(
        source="change_lines", child=serializers.CharField(), help_text="Each change in words: before → after."
    )


class PublishedClarificationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    question = serializers.CharField(source="published_question", help_text="As published, without who asked.")
    answer = serializers.CharField()
    answered_at = serializers.DateTimeField()


class OffersSummarySerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="How many offers are submitted (not withdrawn). Nothing else.")
    deadline_passed = serializers.BooleanField()
    opened = serializers.BooleanField(help_text="Whether a procurement officer has opened the offers.")


class TenderDetailSerializer(TenderSummarySerializer):
    description = serializers.CharField()
    vat_rate = serializers.DecimalField(max_digits=5, decimal_places=2)
    contract_term_months = serializers.IntegerField(allow_null=True)
    procurement_start_date = serializers.DateField(allow_null=True)
    published_at = serializers.DateTimeField(allow_null=True)
    contact_name = serializers.CharField()
    contact_email = serializers.CharField()
    charter_version_id = serializers.IntegerField(allow_null=True, help_text="The adopted charter version pinned.")
    price_weight = serializers.IntegerField()
    quality_weight = serializers.IntegerField()
    social_value_weight = serializers.IntegerField()
    weighting_justification = serializers.CharField(help_text="Why social value is weighted outside the band.")
    sv_outside_band = serializers.BooleanField(source="page.sv_outside_band")
    threshold_explanation = serializers.CharField(help_text="The threshold assessment, in words.")
    reporting = serializers.DictField(source="page.reporting", help_text="Reporting level: `label`, `explanation`.")
    is_open = serializers.BooleanField(source="page.is_open", help_text="Open for offers now (server time).")
    clarification_refusal = serializers.CharField(
        source="page.clarification_refusal", help_text="Why questions cannot be asked now; empty when they can."
    )
    relevant_measures = RelevantMeasureSerializer(source="page.measures", many=True, help_text="Whole-tender ones.")
    lots = TenderLotSerializer(source="page.lots", many=True)
    questions = TenderQuestionSerializer(source="questions_all", many=True)
    amendments = TenderAmendmentSerializer(source="page.amendments", many=True)
    clarifications = PublishedClarificationSerializer(source="page.clarifications", many=True)
    cancelled_reason = serializers.CharField(help_text="Staff only: why it was cancelled.", allow_null=True)
    offers = OffersSummarySerializer(
        source="offers_seal", allow_null=True, help_text="Staff only: how many offers, and the seal."
    )
    publish_blockers = serializers.ListField(
        child=serializers.CharField(), allow_null=True, help_text="Staff only, drafts: what stops publication."
    )


def tender_data(tender: Tender, *, staff: bool, now=None) -> dict:
    """One tender as its public page shows it (`clarifications.tender_public_page`); staff also get the offers'
    count and seal, the cancellation reason, and a draft's live threshold assessment and publication blockers."""
    now = now or timezone.now()
    tender.page = clarifications.tender_public_page(tender, now=now)
    tender.questions_all = tender.page.quality_questions + tender.page.social_value_questions
    threshold = selectors.tender_threshold(tender) if staff else (tender.threshold_assessment or {})
    tender.threshold_explanation = threshold.get("explanation", "") if isinstance(threshold, dict) else ""
    tender.offers_seal = sealing.offers_summary(tender, now) if staff else None
    is_draft = tender.status == TenderStatus.DRAFT
    tender.publish_blockers = (
        [p.message for p in services.tender_publish_blockers(tender, now=now)] if staff and is_draft else None
    )
    if not staff:
        tender.cancelled_reason = None
    return TenderDetailSerializer(tender, context={"now": now}).data


# Input: tenders ------------------------------------------------------------------------------------------------


class TenderLotInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    estimated_value = serializers.DecimalField(max_digits=14, decimal_places=2)
    price_weight = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=100)
    quality_weight = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=100)
    social_value_weight = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=100)


class TenderDraftSerializer(serializers.Serializer):
    """A draft's details. On create, `reference`, `title`, `category` and `estimated_value` are required."""

    reference = serializers.CharField(max_length=50)
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True)
    category = serializers.ChoiceField(choices=TenderCategory.choices)
    estimated_value = serializers.DecimalField(max_digits=14, decimal_places=2, help_text="Excluding VAT (£).")
    vat_rate = serializers.DecimalField(max_digits=5, decimal_places=2, required=False, min_value=0, max_value=100)
    contract_term_months = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=600)
    cpv_codes = serializers.ListField(
        child=serializers.CharField(max_length=12), required=False, help_text="8-digit CPV codes; replaces them."
    )
    procurement_start_date = serializers.DateField(required=False, allow_null=True)
    publish_at = serializers.DateTimeField(required=False, allow_null=True)
    clarification_deadline = serializers.DateTimeField(required=False, allow_null=True)
    submission_deadline = serializers.DateTimeField(required=False, allow_null=True)
    contact_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    contact_email = serializers.EmailField(required=False, allow_blank=True)


class TenderWeightingsSerializer(serializers.Serializer):
    price_weight = serializers.IntegerField(min_value=0, max_value=100)
    quality_weight = serializers.IntegerField(min_value=0, max_value=100)
    social_value_weight = serializers.IntegerField(min_value=0, max_value=100)
    weighting_justification = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Needed when social value is outside the band."
    )


class RelevantMeasureInputSerializer(serializers.Serializer):
    charter_measure_id = serializers.IntegerField(help_text="A measure of one of the authority's adopted charters.")
    lot_id = serializers.IntegerField(required=False, allow_null=True, help_text="For one lot; leave out for all.")
    reason = serializers.CharField(help_text="Why it is relevant to what is bought.")
    weight = serializers.DecimalField(max_digits=5, decimal_places=2)
    quantity = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True)
    quantity_kind = serializers.ChoiceField(choices=QuantityKind.choices, default=QuantityKind.TARGET)


class RelevantMeasureUpdateSerializer(RelevantMeasureInputSerializer):
    charter_measure_id = None
    lot_id = None


class TenderQuestionInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=QuestionKind.choices)
    text = serializers.CharField(max_length=3000)
    guidance = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    word_limit = serializers.IntegerField(required=False)
    weight = serializers.DecimalField(max_digits=5, decimal_places=2)
    scale_max = serializers.IntegerField(required=False, help_text="5, 10 or 100.")
    scale_descriptors = serializers.ListField(child=serializers.CharField(), required=False)


class TenderPublishSerializer(serializers.Serializer):
    confirm_short_period = serializers.BooleanField(
        default=False, help_text="Confirm a tender period shorter than the Procurement Act's 25 days is allowed."
    )


class TenderAmendmentInputSerializer(serializers.Serializer):
    reason = serializers.CharField(help_text="Why the tender is amended; bidders are told.")
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True)
    contract_term_months = serializers.IntegerField(required=False, allow_null=True)
    clarification_deadline = serializers.DateTimeField(required=False, allow_null=True, help_text="Only later.")
    submission_deadline = serializers.DateTimeField(required=False, allow_null=True, help_text="Only later.")
    contact_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    contact_email = serializers.EmailField(required=False, allow_blank=True)


class TenderCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(help_text="Why; bidders are told once the tender was published.")


# The tender lists -----------------------------------------------------------------------------------------------


class TenderFilterSerializer(serializers.Serializer):
    keyword = serializers.CharField(
        required=False, allow_blank=True, max_length=200, help_text="Words in the title, description or reference."
    )
    status = serializers.ChoiceField(
        choices=list(selectors.STATUS_FILTERS),
        required=False,
        help_text="Only this status (`published` means open for offers). `draft` and `cancelled` with "
        "`include_drafts` only.",
    )
    category = serializers.ChoiceField(choices=TenderCategory.choices, required=False, help_text="Only this category.")
    cpv_division = serializers.RegexField(
        r"^\d{2}$",
        required=False,
        help_text="Only tenders with a CPV code in this 2-digit division (for example `79`).",
        error_messages={"invalid": "A CPV division is two digits, like 79"},
    )
    value_min = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, required=False, help_text="Lowest value excluding VAT (£)."
    )
    value_max = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, required=False, help_text="Highest value excluding VAT (£)."
    )
    closing_after = serializers.DateField(required=False, help_text="Closes on or after this day (YYYY-MM-DD).")
    closing_before = serializers.DateField(required=False, help_text="Closes on or before this day (YYYY-MM-DD).")

    def filters(self) -> clarifications.PublicTenderFilters:
        data = self.validated_data
        return clarifications.PublicTenderFilters(
            category=data.get("category", ""),
            value_min=data.get("value_min"),
            value_max=data.get("value_max"),
            closing_after=data.get("closing_after"),
            closing_before=data.get("closing_before"),
            cpv_division=data.get("cpv_division", ""),
            keyword=data.get("keyword", "").strip(),
            open_only=False,
        )

    def validate(self, data):
        ranges = clarifications.PublicTenderFilters(
            value_min=data.get("value_min"),
            value_max=data.get("value_max"),
            closing_after=data.get("closing_after"),
            closing_before=data.get("closing_before"),
        )
        if problems := ranges.problems():
            raise serializers.ValidationError({name: [message] for name, message in problems.items()})
        return data


class StaffTenderFilterSerializer(TenderFilterSerializer):
    include_drafts = serializers.BooleanField(
        required=False, default=False, help_text="Staff with `tenders.view`: every tender, drafts included."
    )


class PlatformTenderFilterSerializer(TenderFilterSerializer):
    authority = serializers.SlugField(required=False, help_text="Only this authority's tenders (its slug).")


PUBLIC_STATUSES = ("published", "closed", "awarded")
TENDER_ORDERING = ("submission_deadline", "estimated_value", "reference", "title", "published_at")
ORDERING_PARAMETER = OpenApiParameter(
    "ordering",
    OpenApiTypes.STR,
    enum=[*TENDER_ORDERING, *(f"-{name}" for name in TENDER_ORDERING)],
    description="Sort by a field; a leading `-` sorts in descending order. Default: open tenders first, closing "
    "soonest, then closed ones (staff lists with drafts: newest first).",
)


def _filtered(request, serializer_class):
    """The list's filters, validated: (serializer, status, whether drafts were asked for)."""
    query = serializer_class(data=request.query_params)
    query.is_valid(raise_exception=True)
    state = query.validated_data.get("status", "")
    with_drafts = query.validated_data.get("include_drafts", False)
    if state and state not in PUBLIC_STATUSES and not with_drafts:
        raise exceptions.ValidationError({"status": ["Draft and cancelled tenders are listed with include_drafts"]})
    return query, state, with_drafts


def _ordered(request, tenders):
    if "ordering" in request.query_params:
        return apply_ordering(request, tenders, TENDER_ORDERING, "submission_deadline")
    return tenders


def _public_list(request, filters, state, now):
    tenders = clarifications.tenders_public(filters, now)
    if state:
        tenders = tenders.filter(selectors.STATUS_FILTERS[state](now))
    return _ordered(request, tenders)


class TenderList(AuthorityApiView):
    method_permissions = {"POST": "tenders.manage"}

    @extend_schema(
        operation_id="tenders_list",
        summary="List tenders",
        description="The authority's public tenders (published from their publication date, closed or awarded), as "
        "the public tender list shows them. Staff with `tenders.view` may ask for every tender, drafts and "
        "cancelled ones included, with `include_drafts=true`.",
        parameters=[StaffTenderFilterSerializer, ORDERING_PARAMETER, *PAGE_PARAMETERS],
        responses={200: paginated(TenderSummarySerializer, "TenderPage"), **error_responses(400, 401, 403, 404)},
        tags=TAG_TENDERS,
    )
    def get(self, request, authority_slug):
        now = timezone.now()
        query, state, with_drafts = _filtered(request, StaffTenderFilterSerializer)
        if with_drafts:
            self.require("tenders.view")
            tenders = selectors.tender_list(self.authority, status=state, now=now)
            tenders = clarifications.tenders_filtered(tenders, query.filters(), now)
            # Newest first (the selector's order), unless asked otherwise.
            tenders = _ordered(request, tenders.select_related("authority").prefetch_related("cpv_codes"))
        else:
            tenders = _public_list(request, query.filters(), state, now).filter(authority=self.authority)
        return paginate(self, tenders, TenderSummarySerializer, context={"now": now})

    @extend_schema(
        operation_id="tenders_create",
        summary="Create a draft tender",
        description="Procurement officers (`tenders.manage`). The draft then gets weightings, lots, relevant measures "
        "and questions, and is published when nothing blocks it.",
        request=TenderDraftSerializer,
        responses={201: TenderDetailSerializer, **STAFF_WRITE_ERRORS},
        tags=TAG_TENDERS,
    )
    def post(self, request, authority_slug):
        data = dict(validated(TenderDraftSerializer, request.data))
        cpv_codes = data.pop("cpv_codes", [])
        tender = services.tender_create_draft(
            authority=self.authority, acting_user=request.user, cpv_codes=cpv_codes, **data
        )
        tender = selectors.tender_for_staff(self.authority, tender.pk)
        return Response(tender_data(tender, staff=True), status=status.HTTP_201_CREATED)


class PlatformTenderList(ApiView):
    @extend_schema(
        operation_id="tenders_public_list",
        summary="List public tenders across authorities",
        description="Every authority's public tenders, as the site's tender list shows them: open ones closing "
        "soonest first, then closed ones.",
        parameters=[PlatformTenderFilterSerializer, ORDERING_PARAMETER, *PAGE_PARAMETERS],
        responses={200: paginated(TenderSummarySerializer, "PublicTenderPage"), **READ_ERRORS},
        tags=TAG_TENDERS,
    )
    def get(self, request):
        now = timezone.now()
        query, state, _ = _filtered(request, PlatformTenderFilterSerializer)
        filters = query.filters()
        filters.authority = query.validated_data.get("authority", "")
        # Public information, read across authorities on purpose (as the site's list does).
        with dangerously_unscoped():
            return paginate(self, _public_list(request, filters, state, now), TenderSummarySerializer)


# One tender -----------------------------------------------------------------------------------------------------


class TenderView(AuthorityApiView):
    def _staff_tender(self) -> Tender:
        tender = selectors.tender_for_staff(self.authority, self.kwargs["tender_id"])
        if tender is None:
            raise exceptions.NotFound("No such tender.")
        return tender


class TenderDetail(TenderView):
    method_permissions = {"PATCH": "tenders.manage"}

    @extend_schema(
        operation_id="tenders_retrieve",
        summary="Read a tender",
        description="A public tender in full: its details, weightings, relevant measures with their reasons and "
        "weights, lots, questions, amendments, published clarifications and threshold assessment. Staff with "
        "`tenders.view` read drafts and cancelled tenders too, with the number of offers (never their content).",
        responses={200: TenderDetailSerializer, **error_responses(404)},
        tags=TAG_TENDERS,
    )
    def get(self, request, authority_slug, tender_id):
        staff = self.can("tenders.view")
        if staff:
            tender = self._staff_tender()
        else:
            tender = clarifications.tender_get_public(self.authority, tender_id)
            if tender is None:
                raise exceptions.NotFound("No such tender.")
        return Response(tender_data(tender, staff=staff))

    @extend_schema(
        operation_id="tenders_partial_update",
        summary="Change a draft tender",
        description="Send only the fields to change (`cpv_codes` replaces the codes). Only drafts change this way "
        "(409 otherwise: a published tender changes by amendment). Weightings have their own address.",
        request=TenderDraftSerializer(partial=True),
        responses={200: TenderDetailSerializer, **STAFF_WRITE_ERRORS},
        tags=TAG_TENDERS,
    )
    def patch(self, request, authority_slug, tender_id):
        tender = self._staff_tender()
        data = dict(validated(TenderDraftSerializer, request.data, partial=True))
        cpv_codes = data.pop("cpv_codes", None)
        services.tender_update_draft(tender=tender, acting_user=request.user, cpv_codes=cpv_codes, **data)
        return Response(tender_data(self._staff_tender(), staff=True))


class TenderWeightings(TenderView):
    method_permissions = {"PUT": "tenders.manage"}

    @extend_schema(
        operation_id="tenders_weightings",
        summary="Set a draft's weightings",
        description="Price, quality and social value, totalling 100%. A social value weighting outside the "
        "authority's band needs a justification.",
        request=TenderWeightingsSerializer,
        responses={200: TenderDetailSerializer, **STAFF_WRITE_ERRORS},
        tags=TAG_TENDERS,
    )
    def put(self, request, authority_slug, tender_id):
        tender = self._staff_tender()
        data = validated(TenderWeightingsSerializer, request.data)
        services.tender_weightings_set(tender=tender, acting_user=request.user, **data)
        return Response(tender_data(self._staff_tender(), staff=True))


class LotCreate(TenderView):
    method_permissions = {"POST": "tenders.manage"}

    @extend_schema(
        operation_id="tenders_lots_create",
        summary="Add a lot to a draft",
        description="Weightings of its own are all three or none (none: the tender's apply).",
        request=TenderLotInputSerializer,
        responses={201: TenderLotSerializer, **STAFF_WRITE_ERRORS},
        tags=TAG_TENDERS,
    )
    def post(self, request, authority_slug, tender_id):
        tender = self._staff_tender()
        lot = services.lot_add(
            tender=tender, acting_user=request.user, **validated(TenderLotInputSerializer, request.data)
        )
        lot.measure_list = []
        return Response(TenderLotSerializer(lot).data, status=status.HTTP_201_CREATED)


class LotDetail(TenderView):
    method_permissions = {"DELETE": "tenders.manage"}

    @extend_schema(
        operation_id="tenders_lots_destroy",
        summary="Remove a lot from a draft",
        description="Its own relevant measures are removed too, and later lots move up a number.",
        responses={204: OpenApiResponse(description="Removed."), **STAFF_WRITE_ERRORS},
        tags=TAG_TENDERS,
    )
    def delete(self, request, authority_slug, lot_id):
        lot = selectors.lot_for_staff(self.authority, lot_id)
        if lot is None:
            raise exceptions.NotFound("No such lot.")
        services.lot_remove(lot=lot, acting_user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _relevant_measure_out(relevant_id) -> RelevantMeasure:
    return RelevantMeasure.objects.select_related("lot", "charter_measure__outcome__theme").get(pk=relevant_id)


class RelevantMeasureCreate(TenderView):
    method_permissions = {"POST": "tenders.manage"}
    domain_field_map = {"charter_measure": "charter_measure_id", "lot": "lot_id"}

    @extend_schema(
        operation_id="tenders_relevant_measures_create",
        summary="Ask for a measure in a draft",
        description="A measure of the authority's adopted charter, for the whole tender or one lot, with why it is "
        "relevant, its weight within social value and an optional target or minimum quantity. All of a tender's "
        "measures come from one charter version.",
        request=RelevantMeasureInputSerializer,
        responses={201: RelevantMeasureSerializer, **STAFF_WRITE_ERRORS},
        tags=TAG_TENDERS,
    )
    def post(self, request, authority_slug, tender_id):
        tender = self._staff_tender()
        data = dict(validated(RelevantMeasureInputSerializer, request.data))
        measure = selectors.charter_measure_for_tender(tender, data.pop("charter_measure_id"))
        if measure is None:
            raise exceptions.ValidationError({"charter_measure_id": ["Choose a measure from an adopted charter"]})
        lot = None
        if (lot_id := data.pop("lot_id", None)) is not None:
            lot = selectors.lot_for_tender(tender, lot_id)
            if lot is None:
                raise exceptions.ValidationError({"lot_id": ["Choose a lot of this tender"]})
        relevant = services.relevant_measure_add(
            tender=tender, acting_user=request.user, charter_measure=measure, lot=lot, **data
        )
        return Response(RelevantMeasureSerializer(_relevant_measure_out(relevant.pk)).data, status=201)


class RelevantMeasureDetail(TenderView):
    method_permissions = {"PATCH": "tenders.manage", "DELETE": "tenders.manage"}

    def _relevant(self) -> RelevantMeasure:
        relevant = selectors.relevant_measure_for_staff(self.authority, self.kwargs["relevant_measure_id"])
        if relevant is None:
            raise exceptions.NotFound("No such relevant measure.")
        return relevant

    @extend_schema(
        operation_id="tenders_relevant_measures_partial_update",
        summary="Change a draft's relevant measure",
        description="Send only the fields to change: reason, weight, quantity and its kind.",
        request=RelevantMeasureUpdateSerializer(partial=True),
        responses={200: RelevantMeasureSerializer, **STAFF_WRITE_ERRORS},
        tags=TAG_TENDERS,
    )
    def patch(self, request, authority_slug, relevant_measure_id):
        relevant = self._relevant()
        data = validated(RelevantMeasureUpdateSerializer, request.data, partial=True)
        current = {name: getattr(relevant, name) for name in ("reason", "weight", "quantity", "quantity_kind")}
        services.relevant_measure_update(relevant_measure=relevant, acting_user=request.user, **(current | data))
        return Response(RelevantMeasureSerializer(_relevant_measure_out(relevant.pk)).data)

    @extend_schema(
        operation_id="tenders_relevant_measures_destroy",
        summary="Remove a relevant measure from a draft",
        description="Only while the tender is a draft (409 otherwise).",
        responses={204: OpenApiResponse(description="Removed."), **STAFF_WRITE_ERRORS},
        tags=TAG_TENDERS,
    )
    def delete(self, request, authority_slug, relevant_measure_id):
        services.relevant_measure_remove(relevant_measure=self._relevant(), acting_user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class QuestionCreate(TenderView):
    method_permissions = {"POST": "tenders.manage"}

    @extend_schema(
        operation_id="tenders_questions_create",
        summary="Add a question to a draft",
        description="A quality or social value method statement question, with its guidance, word limit, weight "
        "within its part and scoring scale (0 to 5 with descriptors unless told otherwise).",
        request=TenderQuestionInputSerializer,
        responses={201: TenderQuestionSerializer, **STAFF_WRITE_ERRORS},
        tags=TAG_TENDERS,
    )
    def post(self, request, authority_slug, tender_id):
        tender = self._staff_tender()
        data = validated(TenderQuestionInputSerializer, request.data)
        question = services.question_add(tender=tender, acting_user=request.user, **data)
        return Response(TenderQuestionSerializer(question).data, status=status.HTTP_201_CREATED)


class QuestionDetail(TenderView):
    method_permissions = {"PATCH": "tenders.manage", "DELETE": "tenders.manage"}

    def _question(self):
        question = selectors.question_for_staff(self.authority, self.kwargs["question_id"])
        if question is None:
            raise exceptions.NotFound("No such question.")
        return question

    @extend_schema(
        operation_id="tenders_questions_partial_update",
        summary="Change a draft's question",
        description="Send only the fields to change. Only while the tender is a draft (409 otherwise).",
        request=TenderQuestionInputSerializer(partial=True),
        responses={200: TenderQuestionSerializer, **STAFF_WRITE_ERRORS},
        tags=TAG_TENDERS,
    )
    def patch(self, request, authority_slug, question_id):
        question = self._question()
        data = validated(TenderQuestionInputSerializer, request.data, partial=True)
        question = services.question_update(question=question, acting_user=request.user, **data)
        return Response(TenderQuestionSerializer(question).data)

    @extend_schema(
        operation_id="tenders_questions_destroy",
        summary="Remove a question from a draft",
        description="Only while the tender is a draft (409 otherwise).",
        responses={204: OpenApiResponse(description="Removed."), **STAFF_WRITE_ERRORS},
        tags=TAG_TENDERS,
    )
    def delete(self, request, authority_slug, question_id):
        services.question_remove(question=self._question(), acting_user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TenderPublish(TenderView):
    method_permissions = {"POST": "tenders.manage"}

    @extend_schema(
        operation_id="tenders_publish",
        summary="Publish a draft",
        description="Pins the adopted charter version, keeps the threshold assessment and reporting level, and "
        "opens the tender for offers. Refused with 409 and every reason while something blocks it; a tender "
        "period under 25 days needs `confirm_short_period` (400 on that field).",
        request=TenderPublishSerializer,
        responses={200: TenderDetailSerializer, **STAFF_WRITE_ERRORS},
        tags=TAG_TENDERS,
    )
    def post(self, request, authority_slug, tender_id):
        tender = self._staff_tender()
        data = validated(TenderPublishSerializer, request.data)
        services.tender_publish(tender=tender, acting_user=request.user, **data)
        return Response(tender_data(self._staff_tender(), staff=True))


class TenderAmend(TenderView):
    method_permissions = {"POST": "tenders.manage"}

    @extend_schema(
        operation_id="tenders_amend",
        summary="Amend a published tender",
        description="A recorded change (before and after, and why) to a published tender before its deadline: the "
        "title, description, contract term, contact, or later deadlines. Bidders are emailed.",
        request=TenderAmendmentInputSerializer,
        responses={201: TenderAmendmentSerializer, **STAFF_WRITE_ERRORS},
        tags=TAG_TENDERS,
    )
    def post(self, request, authority_slug, tender_id):
        tender = self._staff_tender()
        data = dict(validated(TenderAmendmentInputSerializer, request.data))
        amendment = services.tender_amend(tender=tender, acting_user=request.user, **data)
        amendment.change_lines = clarifications.change_lines(amendment)
        return Response(TenderAmendmentSerializer(amendment).data, status=status.HTTP_201_CREATED)


class TenderCancel(TenderView):
    method_permissions = {"POST": "tenders.manage"}

    @extend_schema(
        operation_id="tenders_cancel",
        summary="Cancel a tender",
        description="A draft, published or closed tender, with the reason (emailed to bidders once published).",
        request=TenderCancelSerializer,
        responses={200: TenderDetailSerializer, **STAFF_WRITE_ERRORS},
        tags=TAG_TENDERS,
    )
    def post(self, request, authority_slug, tender_id):
        tender = self._staff_tender()
        services.tender_cancel(
            tender=tender, acting_user=request.user, **validated(TenderCancelSerializer, request.data)
        )
        return Response(tender_data(self._staff_tender(), staff=True))


# Clarification questions ----------------------------------------------------------------------------------------


class ClarificationSerializer(PublishedClarificationSerializer):
    """A question as everyone reads it once published; staff and the asker's organisation also read it as asked,
    answered or not, with who asked (those fields are left out of the public list)."""

    question = serializers.CharField(
        source="published_question", help_text="As published, without who asked (empty until answered)."
    )
    answered_at = serializers.DateTimeField(allow_null=True)
    asked_question = serializers.CharField(source="question", required=False, help_text="As asked.")
    asked_at = serializers.DateTimeField(required=False)
    is_published = serializers.BooleanField(required=False)
    organisation = serializers.CharField(source="organisation.name", allow_null=True, required=False, default=None)
    asked_by = serializers.CharField(source="asked_by.full_name", allow_null=True, required=False, default=None)


class ClarificationAskSerializer(serializers.Serializer):
    question = serializers.CharField(max_length=clarifications.QUESTION_MAX_LENGTH)
    organisation_id = serializers.IntegerField(
        required=False, help_text="The supplier organisation asking; may be left out when you belong to one only."
    )


class ClarificationAnswerSerializer(serializers.Serializer):
    published_question = serializers.CharField(
        max_length=clarifications.QUESTION_MAX_LENGTH, help_text="The question reworded so it names nobody."
    )
    answer = serializers.CharField(max_length=clarifications.ANSWER_MAX_LENGTH)


def _supplier_organisation(user, organisation_id):
    """The supplier organisation the caller acts for: the one named, or their only one. 403 for non-suppliers."""
    organisations = clarifications.supplier_organisations_for(user)
    if not organisations:
        raise exceptions.PermissionDenied("Only members of a supplier organisation can do this.")
    if organisation_id is None:
        if len(organisations) > 1:
            raise exceptions.ValidationError({"organisation_id": ["Choose the organisation you are acting for"]})
        return organisations[0]
    found = next((org for org in organisations if org.pk == organisation_id), None)
    if found is None:
        raise exceptions.ValidationError(
            {"organisation_id": ["Choose a supplier organisation you are an approved member of"]}
        )
    return found


class ClarificationList(AuthorityApiView):
    domain_field_map = {"organisation": "organisation_id"}

    def _tender(self, *, staff: bool) -> Tender:
        if staff:
            tender = selectors.tender_for_staff(self.authority, self.kwargs["tender_id"])
        else:
            tender = clarifications.tender_get_public(self.authority, self.kwargs["tender_id"])
        if tender is None:
            raise exceptions.NotFound("No such tender.")
        return tender

    @extend_schema(
        operation_id="clarifications_list",
        summary="List a tender's clarification questions",
        description="Published questions with their answers, for anyone (who asked is never shown). With "
        "`mine=true`, a supplier's member reads the questions they and their organisations asked; staff with "
        "`tenders.view` read every question, waiting ones first, with who asked.",
        parameters=[
            OpenApiParameter(
                "mine",
                OpenApiTypes.BOOL,
                description="Only the questions you or your organisations asked, answered or not (signed in).",
            ),
            *PAGE_PARAMETERS,
        ],
        responses={200: paginated(ClarificationSerializer, "ClarificationPage"), **error_responses(401, 404)},
        tags=TAG_CLARIFICATIONS,
    )
    def get(self, request, authority_slug, tender_id):
        mine = request.query_params.get("mine", "").lower() in ("true", "1", "yes")
        staff = self.can("tenders.view")
        tender = self._tender(staff=staff and not mine)
        if mine:
            if not request.user.is_authenticated:
                raise exceptions.NotAuthenticated()
            items = clarifications.clarifications_for_bidder(tender, request.user)
            return paginate(self, items, ClarificationSerializer)
        if staff:
            return paginate(self, clarifications.clarifications_for_staff(tender), ClarificationSerializer)
        return paginate(self, clarifications.clarifications_published(tender), PublishedClarificationSerializer)

    @extend_schema(
        operation_id="clarifications_create",
        summary="Ask a clarification question",
        description="A signed-in member of a supplier organisation asks privately, before the clarification "
        "deadline (409 after it). The authority publishes the answer to every bidder, reworded so it names nobody.",
        request=ClarificationAskSerializer,
        responses={201: ClarificationSerializer, **BIDDER_ERRORS},
        tags=TAG_CLARIFICATIONS,
    )
    def post(self, request, authority_slug, tender_id):
        if not request.user.is_authenticated:
            raise exceptions.NotAuthenticated()
        tender = self._tender(staff=False)
        data = validated(ClarificationAskSerializer, request.data)
        organisation = _supplier_organisation(request.user, data.get("organisation_id"))
        clarification = clarifications.clarification_ask(
            tender=tender, acting_user=request.user, organisation=organisation, question=data["question"]
        )
        clarification = clarifications.clarification_get_for_staff(self.authority, clarification.pk)
        return Response(ClarificationSerializer(clarification).data, status=status.HTTP_201_CREATED)


class ClarificationAnswer(AuthorityApiView):
    method_permissions = {"PUT": "tenders.manage"}

    @extend_schema(
        operation_id="clarifications_answer",
        summary="Answer and publish a clarification question",
        description="Procurement officers (`tenders.manage`) publish the question, reworded so it does not say who "
        "asked (400 if it names them), with its answer. The first answer emails every interested bidder; a later "
        "one changes the published text.",
        request=ClarificationAnswerSerializer,
        responses={200: ClarificationSerializer, **STAFF_WRITE_ERRORS},
        tags=TAG_CLARIFICATIONS,
    )
    def put(self, request, authority_slug, clarification_id):
        clarification = clarifications.clarification_get_for_staff(self.authority, clarification_id)
        if clarification is None:
            raise exceptions.NotFound("No such clarification question.")
        data = validated(ClarificationAnswerSerializer, request.data)
        clarifications.clarification_answer(clarification=clarification, acting_user=request.user, **data)
        clarification = clarifications.clarification_get_for_staff(self.authority, clarification_id)
        return Response(ClarificationSerializer(clarification).data)


# Offers: the bidder's side --------------------------------------------------------------------------------------


class MonetisedValueSerializer(serializers.Serializer):
    gross = _money(help_text="Σ quantity × proxy value (£).")
    net = _money(help_text="After deadweight, attribution, displacement and drop-off (£).")


class OfferValueSerializer(serializers.Serializer):
    total = MonetisedValueSerializer()
    contract_value = _money(help_text="The lot's, or the tender's, estimated value (£).")
    share_gross = serializers.DecimalField(
        max_digits=12, decimal_places=2, allow_null=True, help_text="% of the contract value."
    )
    share_net = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)


class OfferCommitmentSerializer(serializers.Serializer):
    quantity = serializers.DecimalField(max_digits=14, decimal_places=2)
    delivery_period = serializers.CharField()
    place = serializers.CharField()
    narrative = serializers.CharField()


class OfferMeasureSerializer(serializers.Serializer):
    relevant_measure_id = serializers.IntegerField(source="measure.pk")
    code = serializers.CharField(source="measure.charter_measure.code")
    title = serializers.CharField(source="measure.charter_measure.title")
    unit = serializers.ChoiceField(source="measure.charter_measure.unit", choices=Unit.choices)
    reason = serializers.CharField(source="measure.reason")
    weight = serializers.DecimalField(source="measure.weight", max_digits=5, decimal_places=2)
    commitment = OfferCommitmentSerializer(allow_null=True, help_text="Null: no commitment to this measure.")
    value = MonetisedValueSerializer(allow_null=True)


class OfferQuestionSerializer(serializers.Serializer):
    question_id = serializers.IntegerField(source="question.pk")
    kind = serializers.ChoiceField(source="question.kind", choices=QuestionKind.choices)
    text = serializers.CharField(source="question.text")
    word_limit = serializers.IntegerField(source="question.word_limit")
    answer = serializers.CharField(source="answer.text", allow_null=True, default=None)


class OfferDocumentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=DocumentKind.choices)
    size = serializers.IntegerField(help_text="Bytes.")
    sha256 = serializers.CharField()
    description = serializers.CharField()
    uploaded_at = serializers.DateTimeField()


class OfferSubmissionSerializer(serializers.Serializer):
    number = serializers.IntegerField(help_text="The version: 1, then 2 after a withdrawal and a new submission.")
    received_at = serializers.DateTimeField(help_text="The server's time of receipt.")
    receipt = serializers.CharField(help_text="SHA-256 over the submitted content and the time of receipt.")
    withdrawn_at = serializers.DateTimeField(allow_null=True)


class MyOfferSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="offer.pk")
    tender_id = serializers.IntegerField(source="offer.tender_id")
    tender_reference = serializers.CharField(source="offer.tender.reference")
    lot_number = serializers.IntegerField(source="offer.lot.number", allow_null=True, default=None)
    organisation_id = serializers.IntegerField(source="offer.organisation_id")
    organisation = serializers.CharField(source="offer.organisation.name")
    status = serializers.ChoiceField(source="offer.status", choices=OfferStatus.choices)
    price = serializers.DecimalField(source="offer.price", max_digits=14, decimal_places=2, allow_null=True)
    refusal = serializers.CharField(help_text="Why the offer cannot change now; empty while it can.")
    measures = OfferMeasureSerializer(many=True)
    questions = OfferQuestionSerializer(many=True)
    value = OfferValueSerializer(help_text="The monetised social value of the saved commitments.")
    documents = OfferDocumentSerializer(many=True)
    submissions = OfferSubmissionSerializer(many=True, help_text="Newest first.")


def my_offer_data(offer) -> dict:
    page = selectors.offer_page(offer)
    page.refusal = offers.offer_refusal(offer.tender)
    return MyOfferSerializer(page).data


class OfferStartSerializer(serializers.Serializer):
    organisation_id = serializers.IntegerField(
        required=False, help_text="Your supplier organisation; may be left out when you belong to one only."
    )
    lot_id = serializers.IntegerField(required=False, allow_null=True, help_text="Required for a tender in lots.")


class OfferCommitmentInputSerializer(serializers.Serializer):
    relevant_measure_id = serializers.IntegerField()
    quantity = serializers.DecimalField(max_digits=14, decimal_places=2)
    delivery_period = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    place = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    narrative = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class OfferAnswerInputSerializer(serializers.Serializer):
    question_id = serializers.IntegerField()
    text = serializers.CharField(max_length=ANSWER_MAX_LENGTH, help_text="Within the question's word limit.")


class OfferUpdateSerializer(serializers.Serializer):
    """The whole draft: a measure or question left out has no commitment or answer afterwards."""

    price = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True, help_text="£ excluding VAT.")
    commitments = OfferCommitmentInputSerializer(many=True, required=False, default=list)
    answers = OfferAnswerInputSerializer(many=True, required=False, default=list)


class OfferSubmitSerializer(serializers.Serializer):
    declaration = serializers.BooleanField(
        help_text="Confirms you may submit the offer for the organisation, and that it is true and can be delivered."
    )


class MyOfferView(AuthorityApiView):
    def _offer(self):
        offer = selectors.offer_get_for_bidder(self.authority, self.kwargs["offer_id"], self.request.user)
        if offer is None:
            raise exceptions.NotFound("No such offer.")
        return offer

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not request.user.is_authenticated:
            raise exceptions.NotAuthenticated()


class OfferStart(MyOfferView):
    domain_field_map = {"lot": "lot_id"}

    @extend_schema(
        operation_id="offers_start",
        summary="Start an offer",
        description="A member of a supplier organisation starts its offer for an open tender (or one lot of it); "
        "asking again returns the same draft. Another supplier's offers are never visible.",
        request=OfferStartSerializer,
        responses={201: MyOfferSerializer, **BIDDER_ERRORS},
        tags=TAG_BIDDER,
    )
    def post(self, request, authority_slug, tender_id):
        tender = clarifications.tender_get_public(self.authority, tender_id)
        if tender is None:
            raise exceptions.NotFound("No such tender.")
        data = validated(OfferStartSerializer, request.data)
        organisation = _supplier_organisation(request.user, data.get("organisation_id"))
        lot = None
        if data.get("lot_id") is not None:
            lot = selectors.lot_for_tender(tender, data["lot_id"])
            if lot is None:
                raise exceptions.ValidationError({"lot_id": ["Choose a lot of this tender"]})
        if refusal := offers.offer_refusal(tender):
            raise Conflict(refusal)  # the words the page shows for a tender that takes no more offers
        offer = offers.offer_start(tender=tender, lot=lot, organisation=organisation, acting_user=request.user)
        offer = selectors.offer_get_for_bidder(self.authority, offer.pk, request.user)
        return Response(my_offer_data(offer), status=status.HTTP_201_CREATED)


class MyOffer(MyOfferView):
    @extend_schema(
        operation_id="offers_mine_retrieve",
        summary="Read your offer",
        description="Your organisation's offer: the draft's price, commitments with their monetised value, answers, "
        "supporting documents (metadata), and every submitted version with its receipt.",
        responses={200: MyOfferSerializer, **error_responses(401, 404)},
        tags=TAG_BIDDER,
    )
    def get(self, request, authority_slug, offer_id):
        return Response(my_offer_data(self._offer()))

    @extend_schema(
        operation_id="offers_mine_update",
        summary="Save your draft",
        description="The whole draft: price, a commitment per relevant measure you commit to, an answer per question. "
        "Refused with 409 after the deadline (the draft is kept) and while a submitted version stands (withdraw it "
        "first).",
        request=OfferUpdateSerializer,
        responses={200: MyOfferSerializer, **BIDDER_ERRORS},
        tags=TAG_BIDDER,
    )
    def put(self, request, authority_slug, offer_id):
        offer = self._offer()
        data = validated(OfferUpdateSerializer, request.data)
        commitments = {
            item["relevant_measure_id"]: offers.CommitmentInput(
                quantity=item["quantity"],
                delivery_period=item["delivery_period"],
                place=item["place"],
                narrative=item["narrative"],
            )
            for item in data["commitments"]
        }
        answers = {item["question_id"]: item["text"] for item in data["answers"]}
        try:
            offers.offer_update(
                offer=offer, acting_user=request.user, price=data["price"], commitments=commitments, answers=answers
            )
        except offers.OfferDeadlinePassed:
            raise
        except DomainError as error:
            raise _offer_input_error(error, data) from None
        return Response(my_offer_data(self._offer()))


def _offer_input_error(error: DomainError, data: dict):
    """The service names fields by measure or question id (`quantity_12`); the API names the list item instead."""
    field = error.field or ""
    for prefix, items, key, name in (
        ("quantity_", data["commitments"], "relevant_measure_id", "commitments"),
        ("answer_", data["answers"], "question_id", "answers"),
    ):
        if field.startswith(prefix):
            ids = [str(item[key]) for item in items]
            target = field.removeprefix(prefix)
            if target in ids:
                inner = "quantity" if name == "commitments" else "text"
                return exceptions.ValidationError({name: {ids.index(target): {inner: [error.message]}}})
    if not field:
        return Conflict(error.message)
    return exceptions.ValidationError({field: [error.message]})


class MyOfferSubmit(MyOfferView):
    @extend_schema(
        operation_id="offers_mine_submit",
        summary="Submit your offer",
        description="Freezes the draft on the server's clock and answers the receipt (a SHA-256 over the content "
        "and the time of receipt), also emailed to your organisation's members. At or after the deadline: 409, "
        "with the same words as the page.",
        request=OfferSubmitSerializer,
        responses={201: OfferSubmissionSerializer, **BIDDER_ERRORS},
        tags=TAG_BIDDER,
    )
    def post(self, request, authority_slug, offer_id):
        offer = self._offer()
        if not validated(OfferSubmitSerializer, request.data)["declaration"]:
            message = f"Confirm that you may submit this offer for {offer.organisation.name}"
            raise exceptions.ValidationError({"declaration": [message]})
        try:
            submission = offers.offer_submit(offer=offer, acting_user=request.user)
        except offers.OfferDeadlinePassed:
            raise
        except DomainError as error:
            if error.field:
                raise
            raise Conflict(error.message) from None
        return Response(OfferSubmissionSerializer(submission).data, status=status.HTTP_201_CREATED)


class MyOfferWithdraw(MyOfferView):
    @extend_schema(
        operation_id="offers_mine_withdraw",
        summary="Withdraw your submitted offer",
        description="Before the deadline only: the submitted version stops counting; the draft stays, to change and "
        "submit again.",
        request=None,
        responses={200: MyOfferSerializer, **BIDDER_ERRORS},
        tags=TAG_BIDDER,
    )
    def post(self, request, authority_slug, offer_id):
        offer = self._offer()
        try:
            offers.offer_withdraw(offer=offer, acting_user=request.user)
        except offers.OfferDeadlinePassed:
            raise
        except DomainError as error:
            raise Conflict(error.message) from None
        return Response(my_offer_data(self._offer()))


# Offers: staff reads, only through the seal ---------------------------------------------------------------------


class StaffOfferSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="offer.pk")
    version = serializers.IntegerField(source="submission.number")
    lot_number = serializers.IntegerField(source="content.lot", allow_null=True)
    supplier = serializers.CharField(source="content.supplier")
    price = serializers.DecimalField(source="content.price", max_digits=14, decimal_places=2, allow_null=True)
    received_at = serializers.DateTimeField(source="submission.received_at")
    receipt = serializers.CharField(source="submission.receipt")
    value = OfferValueSerializer(help_text="Valued from the submitted content.")
    identikit_count = serializers.IntegerField(help_text="Narratives flagged as identikit.")
    overclaim_count = serializers.IntegerField()


class SubmittedCommitmentSerializer(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField()
    unit = serializers.CharField()
    quantity = serializers.DecimalField(max_digits=14, decimal_places=2)
    delivery_period = serializers.CharField()
    place = serializers.CharField()
    narrative = serializers.CharField(source="narrative.text")
    identikit = serializers.BooleanField(source="narrative.identikit")
    value = MonetisedValueSerializer(allow_null=True)


class SubmittedAnswerSerializer(serializers.Serializer):
    question_id = serializers.IntegerField(source="question.pk", allow_null=True, default=None)
    question = serializers.CharField(source="question.text", allow_null=True, default=None)
    text = serializers.CharField(source="narrative.text")
    identikit = serializers.BooleanField(source="narrative.identikit")


class SubmittedDocumentSerializer(serializers.Serializer):
    id = serializers.IntegerField(
        source="stored.pk", allow_null=True, default=None, help_text="Download it at /offer-documents/{id}/."
    )
    name = serializers.CharField()
    kind = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()


class StaffOfferDetailSerializer(StaffOfferSerializer):
    receipt_verifies = serializers.BooleanField(help_text="Whether the receipt still matches the stored content.")
    commitments = SubmittedCommitmentSerializer(many=True)
    answers = SubmittedAnswerSerializer(many=True)
    documents = SubmittedDocumentSerializer(many=True)
    overclaims = serializers.ListField(child=serializers.CharField())


class SealedOfferPageSerializer(serializers.Serializer):
    sealed = serializers.BooleanField(help_text="True until a procurement officer opens the offers.")
    detail = serializers.CharField(help_text="Where the seal stands, in words (empty once opened).")
    count = serializers.IntegerField(help_text="How many offers are submitted.")
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = StaffOfferSerializer(many=True, help_text="Empty while sealed.")


class StaffOfferView(AuthorityApiView):
    """Reads of offer content: the role check's refusal is audited as the pages' is; the seal's by the guard."""

    refusal_what = "offer"

    def require(self, permission: str) -> None:
        try:
            super().require(permission)
        except exceptions.PermissionDenied:
            ids = {key.removesuffix("_id"): value for key, value in self.kwargs.items() if key.endswith("_id")}
            sealing.access_refused_record(
                authority=self.authority, user=self.request.user, what=self.refusal_what, **ids
            )
            raise


def _sealing_refused(error):
    """The guard's refusals as the pages answer them: 403 with the guard's words."""
    return exceptions.PermissionDenied(error.message)


class StaffOfferList(StaffOfferView):
    method_permissions = {"GET": "offers.view"}
    refusal_what = "offer list"

    @extend_schema(
        operation_id="offers_staff_list",
        summary="List a tender's offers (staff)",
        description="Procurement officers and cleared evaluators (`offers.view`). Before a procurement officer "
        "opens the offers, only how many there are (`sealed`: true, no results), and the attempt is audited; "
        "after, each offer's current submitted version, valued, by lot then supplier.",
        parameters=PAGE_PARAMETERS,
        responses={200: SealedOfferPageSerializer, **error_responses(401, 403, 404)},
        tags=TAG_STAFF_OFFERS,
    )
    def get(self, request, authority_slug, tender_id):
        tender = selectors.tender_for_staff(self.authority, tender_id)
        if tender is None:
            raise exceptions.NotFound("No such tender.")
        try:
            found = sealing.offers_for_staff(tender=tender, user=request.user)
        except sealing.OffersSealed as error:
            count = sealing.submitted_offer_count(tender)
            body = {"sealed": True, "detail": error.message, "count": count, "next": None, "previous": None}
            return Response({**body, "results": []})
        except sealing.OfferAccessRefused as error:
            raise _sealing_refused(error) from None
        response = paginate(self, found, StaffOfferSerializer)
        response.data = {"sealed": False, "detail": "", **response.data}
        return response


class StaffOfferDetail(StaffOfferView):
    method_permissions = {"GET": "offers.view"}

    @extend_schema(
        operation_id="offers_staff_retrieve",
        summary="Read an offer (staff)",
        description="The current submitted version, frozen at submission: price, commitments with their value, "
        "answers, documents, identikit and over-claim findings, and whether the receipt verifies. 403 with the "
        "reason (audited) until a procurement officer has opened the tender's offers.",
        responses={200: StaffOfferDetailSerializer, **error_responses(401, 403, 404)},
        tags=TAG_STAFF_OFFERS,
    )
    def get(self, request, authority_slug, offer_id):
        try:
            staff_offer = sealing.offer_for_staff(authority=self.authority, offer_id=offer_id, user=request.user)
        except (sealing.OffersSealed, sealing.OfferAccessRefused) as error:
            raise _sealing_refused(error) from None
        if staff_offer is None:
            raise exceptions.NotFound("No such offer.")
        view = sealing.offer_view(staff_offer)
        presented = SimpleNamespace(
            offer=staff_offer.offer,
            submission=staff_offer.submission,
            content=staff_offer.content,
            value=staff_offer.value,
            identikit_count=staff_offer.identikit_count,
            overclaim_count=staff_offer.overclaim_count,
            receipt_verifies=view.receipt_verifies,
            commitments=view.commitments,
            answers=view.answers,
            documents=view.documents,
            overclaims=view.overclaims,
        )
        return Response(StaffOfferDetailSerializer(presented).data)


class StaffOfferDocument(StaffOfferView):
    method_permissions = {"GET": "offers.view"}
    refusal_what = "document"

    @extend_schema(
        operation_id="offers_staff_document",
        summary="Download an offer's supporting document (staff)",
        description="The file as submitted, once the offers are opened (403, audited, before). A stored copy that no "
        "longer matches the receipt's SHA-256 is withheld (409, audited).",
        responses={
            **{
                (200, content_type): OpenApiResponse(OpenApiTypes.BINARY, description="The file.")
                for content_type in CONTENT_TYPES.values()
            },
            **error_responses(401, 403, 404, 409),
        },
        tags=TAG_STAFF_OFFERS,
    )
    def get(self, request, authority_slug, document_id):
        try:
            document = sealing.offer_document_for_staff(
                authority=self.authority, document_id=document_id, user=request.user
            )
        except (sealing.OffersSealed, sealing.OfferAccessRefused) as error:
            raise _sealing_refused(error) from None
        if document is None:
            raise exceptions.NotFound("No such document.")
        response = FileResponse(
            document.file.open("rb"),
            as_attachment=True,
            filename=document.name,
            content_type=CONTENT_TYPES.get(document.kind, "application/octet-stream"),
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response


class OffersOpeningSerializer(serializers.Serializer):
    offers_opened_at = serializers.DateTimeField()
    offers_opened_by = serializers.CharField(source="offers_opened_by.full_name")
    count = serializers.IntegerField(help_text="How many offers were opened.")


class OffersOpen(StaffOfferView):
    method_permissions = {"POST": "offers.open"}
    refusal_what = "opening"

    @extend_schema(
        operation_id="offers_open",
        summary="Open a tender's offers",
        description="Procurement officers (`offers.open`), once the submission deadline has passed: an audited act, "
        "after which offers can be read. Refused with 409 and the reason (also audited) before the deadline or "
        "when already opened.",
        request=None,
        responses={200: OffersOpeningSerializer, **STAFF_WRITE_ERRORS},
        tags=TAG_STAFF_OFFERS,
    )
    def post(self, request, authority_slug, tender_id):
        tender = selectors.tender_for_staff(self.authority, tender_id)
        if tender is None:
            raise exceptions.NotFound("No such tender.")
        try:
            tender = sealing.offers_open(tender=tender, acting_user=request.user)
        except DomainError as error:
            raise Conflict(error.message) from None
        tender = selectors.tender_for_staff(self.authority, tender_id)
        tender.count = sealing.submitted_offer_count(tender)
        return Response(OffersOpeningSerializer(tender).data)
