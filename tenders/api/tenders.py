"""Tenders: the public and staff lists (filters in tenders/filters.py), one tender, a draft's details and
weightings, and the transitions: publish, amend, cancel."""

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response

from accounts.api.foundation import apply_ordering, validated
from accounts.api.generic import (
    ActionMixin,
    CreateMixin,
    Doc,
    Endpoint,
    ListMixin,
    ObjectEndpoint,
    PlatformEndpoint,
    ReplaceMixin,
    UpdateMixin,
    filter_serializer,
    filtered,
)
from accounts.scoping import dangerously_unscoped
from charters.models import Unit

from .. import clarifications, sealing, selectors, services
from ..filters import PlatformTenderFilterSet, StaffTenderFilterSet
from ..models import QuantityKind, QuestionKind, Tender, TenderCategory, TenderStatus
from .clarifications import PublishedClarificationSerializer
from .common import STAFF_WRITE, TAG_TENDERS, money_field

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
    estimated_value = money_field(help_text="Estimated value excluding VAT, in pounds.")
    value_including_vat = money_field()
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
    estimated_value = money_field()
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


StaffTenderFilterSerializer = filter_serializer(StaffTenderFilterSet, "StaffTenderFilterSerializer")
PlatformTenderFilterSerializer = filter_serializer(PlatformTenderFilterSet, "PlatformTenderFilterSerializer")


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
    """The list's filters, validated: (values, status, whether drafts were asked for)."""
    query = validated(serializer_class, request.query_params)
    state = query.get("status", "")
    with_drafts = query.get("include_drafts", False)
    if state and state not in PUBLIC_STATUSES and not with_drafts:
        raise exceptions.ValidationError({"status": ["Draft and cancelled tenders are listed with include_drafts"]})
    return query, state, with_drafts


def _ordered(request, tenders):
    if "ordering" in request.query_params:
        return apply_ordering(request, tenders, TENDER_ORDERING, "submission_deadline")
    return tenders


class TenderList(ListMixin, CreateMixin, Endpoint):
    method_permissions = {"POST": "tenders.manage"}
    tags = TAG_TENDERS
    # The order is the lists' own unless `?ordering=` is given (`_ordered`), so no `ordering_fields`.
    output_serializer, page_name = TenderSummarySerializer, "TenderPage"
    create_serializer, create_service = TenderDraftSerializer, services.tender_create_draft
    object_argument = "authority"
    docs = {
        "get": Doc(
            "tenders_list",
            "List tenders",
            "The authority's public tenders (published from their publication date, closed or awarded), as the "
            "public tender list shows them. Staff with `tenders.view` may ask for every tender, drafts and cancelled "
            "ones included, with `include_drafts=true`.",
            errors=(400, 401, 403, 404),
            parameters=(StaffTenderFilterSerializer, ORDERING_PARAMETER),
        ),
        "post": Doc(
            "tenders_create",
            "Create a draft tender",
            "Procurement officers (`tenders.manage`). The draft then gets weightings, lots, relevant measures and "
            "questions, and is published when nothing blocks it.",
            errors=STAFF_WRITE,
            responses={201: TenderDetailSerializer},
        ),
    }

    def items(self):
        self.now = now = timezone.now()
        query, state, with_drafts = _filtered(self.request, StaffTenderFilterSerializer)
        if with_drafts:
            self.require("tenders.view")
            tenders = selectors.tender_list(self.authority, status=state, now=now)
            tenders = tenders.select_related("authority").prefetch_related("cpv_codes")
            query = {name: value for name, value in query.items() if name != "status"}  # the selector's already
        else:
            tenders = selectors.tender_list_public(now=now).filter(authority=self.authority)
        # Drafts: newest first (the selector's order); public: open ones closing soonest first; unless asked.
        return _ordered(self.request, filtered(StaffTenderFilterSet, tenders, query, now=now))

    def page_context(self) -> dict:
        return {"now": self.now}  # the instant the list was selected at, for each tender's status

    def create(self, authority, data: dict):
        data.setdefault("cpv_codes", [])
        return self.call(self.create_service, authority, data)

    def present(self, tender) -> dict:
        return tender_data(selectors.tender_for_staff(self.authority, tender.pk), staff=True)


class PlatformTenderList(ListMixin, PlatformEndpoint):
    tags = TAG_TENDERS
    output_serializer, page_name = TenderSummarySerializer, "PublicTenderPage"
    docs = {
        "get": Doc(
            "tenders_public_list",
            "List public tenders across authorities",
            "Every authority's public tenders, as the site's tender list shows them: open ones closing soonest first, "
            "then closed ones.",
            errors=(400, 404),
            parameters=(PlatformTenderFilterSerializer, ORDERING_PARAMETER),
        )
    }

    def get(self, request, *args, **kwargs):
        # Public information, read across authorities on purpose (as the site's list does).
        with dangerously_unscoped():
            return super().get(request, *args, **kwargs)

    def items(self):
        now = timezone.now()
        query, _, _ = _filtered(self.request, PlatformTenderFilterSerializer)
        tenders = filtered(PlatformTenderFilterSet, selectors.tender_list_public(now=now), query, now=now)
        return _ordered(self.request, tenders)


# One tender -----------------------------------------------------------------------------------------------------


class TenderEndpoint(ObjectEndpoint):
    """An endpoint about one tender as staff read it; answers the tender in full, read again after the change."""

    tags = TAG_TENDERS
    selector, lookup, not_found = selectors.tender_for_staff, "tender_id", "No such tender."
    object_argument = "tender"
    output_serializer = TenderDetailSerializer

    def present(self, result) -> dict:
        return tender_data(self.get_object(), staff=True)


class TenderDetail(UpdateMixin, TenderEndpoint):
    method_permissions = {"PATCH": "tenders.manage"}
    update_serializer, update_service = TenderDraftSerializer, services.tender_update_draft
    docs = {
        "get": Doc(
            "tenders_retrieve",
            "Read a tender",
            "A public tender in full: its details, weightings, relevant measures with their reasons and weights, "
            "lots, questions, amendments, published clarifications and threshold assessment. Staff with "
            "`tenders.view` read drafts and cancelled tenders too, with the number of offers (never their content).",
            errors=(404,),
        ),
        "patch": Doc(
            "tenders_partial_update",
            "Change a draft tender",
            "Send only the fields to change (`cpv_codes` replaces the codes). Only drafts change this way (409 "
            "otherwise: a published tender changes by amendment). Weightings have their own address.",
            errors=STAFF_WRITE,
        ),
    }

    def get(self, request, authority_slug, tender_id):
        staff = self.can("tenders.view")
        if staff:
            tender = self.get_object()
        else:
            tender = clarifications.tender_get_public(self.authority, tender_id)
            if tender is None:
                raise exceptions.NotFound(self.not_found)
        return Response(tender_data(tender, staff=staff))

    def update(self, tender, data: dict):
        data.setdefault("cpv_codes", None)  # absent: the codes stay
        return self.call(self.update_service, tender, data)


class TenderWeightings(ReplaceMixin, TenderEndpoint):
    method_permissions = {"PUT": "tenders.manage"}
    replace_serializer, replace_service = TenderWeightingsSerializer, services.tender_weightings_set
    docs = {
        "put": Doc(
            "tenders_weightings",
            "Set a draft's weightings",
            "Price, quality and social value, totalling 100%. A social value weighting outside the authority's band "
            "needs a justification.",
            errors=STAFF_WRITE,
        )
    }


class TenderPublish(ActionMixin, TenderEndpoint):
    method_permissions = {"POST": "tenders.manage"}
    action_serializer, action_service = TenderPublishSerializer, services.tender_publish
    docs = {
        "post": Doc(
            "tenders_publish",
            "Publish a draft",
            "Pins the adopted charter version, keeps the threshold assessment and reporting level, and opens the "
            "tender for offers. Refused with 409 and every reason while something blocks it; a tender period under "
            "25 days needs `confirm_short_period` (400 on that field).",
            errors=STAFF_WRITE,
        )
    }


class TenderAmend(ActionMixin, TenderEndpoint):
    method_permissions = {"POST": "tenders.manage"}
    action_serializer, action_service = TenderAmendmentInputSerializer, services.tender_amend
    action_status = status.HTTP_201_CREATED
    output_serializer = TenderAmendmentSerializer
    docs = {
        "post": Doc(
            "tenders_amend",
            "Amend a published tender",
            "A recorded change (before and after, and why) to a published tender before its deadline: the title, "
            "description, contract term, contact, or later deadlines. Bidders are emailed.",
            errors=STAFF_WRITE,
        )
    }

    def present(self, amendment) -> dict:
        amendment.change_lines = clarifications.change_lines(amendment)
        return TenderAmendmentSerializer(amendment).data


class TenderCancel(ActionMixin, TenderEndpoint):
    method_permissions = {"POST": "tenders.manage"}
    action_serializer, action_service = TenderCancelSerializer, services.tender_cancel
    docs = {
        "post": Doc(
            "tenders_cancel",
            "Cancel a tender",
            "A draft, published or closed tender, with the reason (emailed to bidders once published).",
            errors=STAFF_WRITE,
        )
    }
