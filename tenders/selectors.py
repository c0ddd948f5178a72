"""Reads for tenders. Each takes the authority (or a tender already read through it) explicitly and fetches what a
page needs in a fixed number of queries, whatever the number of lots, measures, questions or amendments."""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

from accounts.models import Authority, OrganisationKind, OrganisationMemberStatus, User
from accounts.scoping import dangerously_unscoped
from charters.models import CharterMeasure, CharterVersion, Outcome, Theme, VersionStatus
from charters.monetisation import Monetised
from charters.selectors import adopted_versions

from . import offers, services
from .cpv import divisions_for, is_works
from .models import (
    Amendment,
    Commitment,
    CpvCode,
    Lot,
    MethodStatementAnswer,
    Offer,
    OfferDocument,
    OfferSubmission,
    Question,
    QuestionKind,
    RelevantMeasure,
    Tender,
    TenderStatus,
)
from .offers import OfferValue

HUNDRED = Decimal("100")


# Status -----------------------------------------------------------------------------------------------------


def effective_status(tender: Tender, now: datetime | None = None) -> str:
    """The status as bidders live it: a published tender whose submission deadline has passed is closed, whether or
    not `services.tenders_close_due` has recorded it yet."""
    now = now or timezone.now()
    if tender.status == TenderStatus.PUBLISHED and tender.submission_deadline and tender.submission_deadline <= now:
        return TenderStatus.CLOSED
    return tender.status


STATUS_FILTERS = {
    "draft": lambda now: Q(status=TenderStatus.DRAFT),
    "published": lambda now: Q(status=TenderStatus.PUBLISHED, submission_deadline__gt=now),
    "closed": lambda now: (
        Q(status=TenderStatus.CLOSED) | Q(status=TenderStatus.PUBLISHED, submission_deadline__lte=now)
    ),
    "awarded": lambda now: Q(status=TenderStatus.AWARDED),
    "cancelled": lambda now: Q(status=TenderStatus.CANCELLED),
}


def tender_list(authority: Authority, *, status: str = "", now: datetime | None = None) -> QuerySet[Tender]:
    """The authority's tenders, newest first, optionally of one (effective) status, with lot and measure counts."""
    now = now or timezone.now()
    tenders = Tender.objects.filter(authority=authority)
    if status in STATUS_FILTERS:
        tenders = tenders.filter(STATUS_FILTERS[status](now))
    return tenders.annotate(
        lot_count=Count("lots", distinct=True), measure_count=Count("relevant_measures", distinct=True)
    ).order_by("-created_at", "-pk")


def status_counts(authority: Authority, *, now: datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    tenders = Tender.objects.filter(authority=authority)
    return tenders.aggregate(
        all=Count("pk"), **{name: Count("pk", filter=condition(now)) for name, condition in STATUS_FILTERS.items()}
    )


def tender_for_staff(authority: Authority, tender_id) -> Tender | None:
    return (
        Tender.objects.filter(authority=authority, pk=tender_id)
        .select_related("authority", "charter_version__charter", "created_by")
        .first()
    )


# Threshold and reporting ------------------------------------------------------------------------------------


def tender_threshold(tender: Tender) -> dict:
    """The threshold assessment: as kept at publication, or worked out now for a draft (same keys: those of
    `ThresholdAssessment.as_dict()`, plus `start_date` and `live`)."""
    if tender.status != TenderStatus.DRAFT and tender.threshold_assessment:
        return {**tender.threshold_assessment, "live": False}
    # As publication would: the start date, or else the day it will be published.
    start = tender.procurement_start_date or timezone.localdate(services.planned_publish_at(tender, timezone.now()))
    assessment = services.threshold_assessment(tender, start_date=start)
    return {**assessment.as_dict(), "start_date": start.isoformat(), "live": True}


def tender_reporting_level(tender: Tender) -> dict:
    """Light-touch or quarterly reporting, with why: as kept at publication, or from the authority's setting now.
    Bidders see this on the public tender page."""
    kept = (tender.threshold_assessment or {}).get("reporting")
    if tender.status != TenderStatus.DRAFT and kept:
        return kept
    return services.reporting_level(tender.authority, tender.estimated_value)


# The tender page --------------------------------------------------------------------------------------------


@dataclass
class MeasureGroup:
    """The relevant measures that apply to the whole tender or to one lot, with their weights' total."""

    lot: Lot | None
    measures: list
    value: Decimal

    @property
    def total(self) -> Decimal:
        return sum((m.weight for m in self.measures), Decimal("0"))

    @property
    def adds_up(self) -> bool:
        return self.total == HUNDRED


@dataclass
class QuestionPart:
    kind: str
    label: str
    questions: list

    @property
    def total(self) -> Decimal:
        return sum((q.weight for q in self.questions), Decimal("0"))

    @property
    def adds_up(self) -> bool:
        return not self.questions or self.total == HUNDRED


@dataclass
class TenderDetail:
    tender: Tender
    status: str
    cpv_codes: list
    cpv_divisions: list
    works: bool
    lots: list
    measure_groups: list[MeasureGroup]
    question_parts: list[QuestionPart]
    amendments: list
    threshold: dict
    reporting: dict
    version: CharterVersion | None
    version_is_stale: bool
    adopted: list[CharterVersion]
    short_period_warning: str
    tender_period_days: int | None
    out_of_band: bool
    blockers: list = field(default_factory=list)

    @property
    def measure_count(self) -> int:
        return sum(len(group.measures) for group in self.measure_groups)


def tender_detail(tender: Tender, *, now: datetime | None = None) -> TenderDetail:
    """Everything the staff tender page shows, in a fixed number of queries."""
    now = now or timezone.now()
    cpv_codes = list(tender.cpv_codes.order_by("code"))
    lots = list(tender.lots.order_by("number"))
    measures = list(
        RelevantMeasure.objects.filter(tender=tender)
        .select_related("charter_measure__version__charter", "charter_measure__outcome__theme")
        .order_by("lot__number", "id")
    )
    whole = [m for m in measures if m.lot_id is None]
    groups = [MeasureGroup(lot=None, measures=whole, value=tender.estimated_value)]
    for lot in lots:
        lot.own_measures = [m for m in measures if m.lot_id == lot.pk]
        lot.has_own_weightings = lot.social_value_weight is not None
        if lot.own_measures:
            groups.append(MeasureGroup(lot=lot, measures=lot.own_measures, value=lot.estimated_value))
    questions = list(tender.questions.order_by("kind", "position", "id"))
    parts = [
        QuestionPart(kind=kind, label=label, questions=[q for q in questions if q.kind == kind])
        for kind, label in ((QuestionKind.QUALITY, "Quality"), (QuestionKind.SOCIAL_VALUE, "Social value"))
    ]
    amendments = list(Amendment.objects.filter(tender=tender).select_related("created_by").order_by("created_at"))
    for amendment in amendments:
        amendment.lines = [
            {
                "label": item.get("label", name),
                "before": services.display_value(name, item.get("before")),
                "after": services.display_value(name, item.get("after")),
            }
            for name, item in amendment.changes.items()
        ]
    version = tender.charter_version
    adopted = list(adopted_versions(tender.authority).order_by("charter__title"))
    if version is None and measures:
        version = measures[0].charter_measure.version
    elif version is None and len(adopted) == 1:
        version = adopted[0]
    is_draft = tender.status == TenderStatus.DRAFT
    publish_at = services.planned_publish_at(tender, now) if is_draft else tender.publish_at
    period = None
    if publish_at and tender.submission_deadline and tender.submission_deadline > publish_at:
        period = (tender.submission_deadline - publish_at).days
    return TenderDetail(
        tender=tender,
        status=effective_status(tender, now),
        cpv_codes=cpv_codes,
        cpv_divisions=divisions_for(cpv_codes) if cpv_codes else [],
        works=is_works(cpv_codes),
        lots=lots,
        measure_groups=groups,
        question_parts=parts,
        amendments=amendments,
        threshold=tender_threshold(tender),
        reporting=tender_reporting_level(tender),
        version=version,
        version_is_stale=is_draft and version is not None and version.status != VersionStatus.ADOPTED,
        adopted=adopted,
        short_period_warning=services.short_period_warning(publish_at, tender.submission_deadline),
        tender_period_days=period,
        out_of_band=services.outside_band(tender.authority, tender.social_value_weight),
        blockers=services.tender_publish_blockers(tender, now=now) if is_draft else [],
    )


# Choosing relevant measures ---------------------------------------------------------------------------------


@dataclass
class MeasureChoice:
    measure: CharterMeasure
    hidden_reason: str
    chosen: bool


@dataclass
class VersionChoices:
    version: CharterVersion
    themes: list  # each theme with .outcome_list, each outcome with .choices (MeasureChoice) for measures shown
    hidden: list[MeasureChoice]

    @property
    def available_count(self) -> int:
        return sum(len(outcome.choices) for theme in self.themes for outcome in theme.outcome_list)


def measure_choices(tender: Tender, *, lot: Lot | None = None) -> list[VersionChoices]:
    """The measures a draft can ask for, from the authority's adopted charter versions (or only the one its
    relevant measures already come from), grouped by theme and outcome. Measures that apply only to contracts
    worth more than the tender (or the lot) are listed apart, as hidden, with why."""
    value = lot.estimated_value if lot is not None else tender.estimated_value
    chosen_versions = set(
        RelevantMeasure.objects.filter(tender=tender).values_list("charter_measure__version_id", flat=True)
    )
    versions = adopted_versions(tender.authority).order_by("charter__title")
    if chosen_versions:
        versions = versions.filter(pk__in=chosen_versions)
    versions = list(versions)
    chosen = set(RelevantMeasure.objects.filter(tender=tender, lot=lot).values_list("charter_measure_id", flat=True))
    themes = list(
        Theme.objects.filter(version__in=versions)
        .order_by("position", "id")
        .prefetch_related(
            Prefetch(
                "outcomes",
                queryset=Outcome.objects.order_by("position", "id").prefetch_related(
                    Prefetch(
                        "measures", queryset=CharterMeasure.objects.order_by("position", "id"), to_attr="measure_list"
                    )
                ),
                to_attr="outcome_list",
            )
        )
    )
    result = []
    for version in versions:
        hidden = []
        version_themes = [theme for theme in themes if theme.version_id == version.pk]
        for theme in version_themes:
            for outcome in theme.outcome_list:
                outcome.choices = []
                for measure in outcome.measure_list:
                    choice = MeasureChoice(
                        measure=measure,
                        hidden_reason=services.measure_hidden_reason(measure, value),
                        chosen=measure.pk in chosen,
                    )
                    (hidden if choice.hidden_reason else outcome.choices).append(choice)
        result.append(VersionChoices(version=version, themes=version_themes, hidden=hidden))
    return result


def charter_measure_for_tender(tender: Tender, measure_id) -> CharterMeasure | None:
    """A measure of one of the authority's adopted charter versions, or None."""
    return (
        CharterMeasure.objects.filter(pk=measure_id, authority=tender.authority, version__status=VersionStatus.ADOPTED)
        .select_related("version__charter", "outcome__theme")
        .first()
    )


def lots_for_tender(tender: Tender) -> list[Lot]:
    return list(Lot.objects.filter(tender=tender).order_by("number"))


def lot_for_tender(tender: Tender, lot_id) -> Lot | None:
    if not str(lot_id or "").isdigit():
        return None
    return Lot.objects.filter(tender=tender, pk=lot_id).first()


def question_for_staff(authority: Authority, question_id) -> Question | None:
    return Question.objects.filter(authority=authority, pk=question_id).select_related("tender").first()


def lot_for_staff(authority: Authority, lot_id) -> Lot | None:
    return Lot.objects.filter(authority=authority, pk=lot_id).select_related("tender__authority").first()


def relevant_measure_for_staff(authority: Authority, relevant_measure_id) -> RelevantMeasure | None:
    return (
        RelevantMeasure.objects.filter(authority=authority, pk=relevant_measure_id)
        .select_related("tender__authority", "lot", "charter_measure")
        .first()
    )


# The bidder's offers ----------------------------------------------------------------------------------------

MY_OFFERS_PAGE_SIZE = 20


def _member_q(user: User) -> Q:
    """Offers of the supplier organisations the person is an approved member of: a supplier never sees another's."""
    return Q(
        organisation__kind=OrganisationKind.SUPPLIER,
        organisation__memberships__user=user,
        organisation__memberships__status=OrganisationMemberStatus.APPROVED,
    )


def offer_get_for_bidder(authority: Authority, offer_id, user: User) -> Offer | None:
    """The offer, if it belongs to the authority and to one of the person's supplier organisations; else None."""
    if user is None or not user.is_authenticated:
        return None
    return (
        Offer.objects.filter(_member_q(user), authority=authority, pk=offer_id)
        .select_related("authority", "tender__authority", "lot", "organisation")
        .first()
    )


def offers_of_organisations(tender: Tender, organisations) -> list[Offer]:
    """The given organisations' offers for the tender (one per lot), by lot."""
    return list(
        Offer.objects.filter(tender=tender, organisation__in=organisations)
        .select_related("authority", "lot", "organisation")
        .order_by("organisation__name", "lot__number")
    )


@dataclass
class OfferMeasure:
    """A relevant measure as the offer page shows it: with the offer's commitment to it (None for none) and that
    commitment's monetised value."""

    measure: RelevantMeasure
    commitment: Commitment | None
    value: Monetised | None


@dataclass
class OfferQuestion:
    question: Question
    answer: MethodStatementAnswer | None


@dataclass
class OfferPage:
    offer: Offer
    measures: list[OfferMeasure]
    questions: list[OfferQuestion]
    documents: list
    submissions: list[OfferSubmission]  # newest first
    value: OfferValue

    @property
    def current_submission(self) -> OfferSubmission | None:
        return next((s for s in self.submissions if s.withdrawn_at is None), None)

    @property
    def relevant_measures(self) -> list[RelevantMeasure]:
        return [row.measure for row in self.measures]

    @property
    def unanswered(self) -> list[Question]:
        return [row.question for row in self.questions if row.answer is None or not row.answer.text]


def offer_page(offer: Offer) -> OfferPage:
    """Everything the bidder's offer pages show, in a fixed number of queries whatever the number of measures,
    questions, commitments, answers, documents or versions. `offer` comes from `offer_get_for_bidder`."""
    measures = offers.measures_for(offer.tender, offer.lot)
    commitments = {c.relevant_measure_id: c for c in Commitment.objects.filter(offer=offer)}
    answers = {a.question_id: a for a in MethodStatementAnswer.objects.filter(offer=offer)}
    questions = list(Question.objects.filter(tender=offer.tender).order_by("kind", "position", "id"))
    value = offers.offer_value_of(offer, [(m, commitments[m.pk].quantity) for m in measures if m.pk in commitments])
    return OfferPage(
        offer=offer,
        measures=[OfferMeasure(m, commitments.get(m.pk), value.per_measure.get(m.pk)) for m in measures],
        questions=[OfferQuestion(q, answers.get(q.pk)) for q in questions],
        documents=list(offer.documents.order_by("uploaded_at", "id")),
        submissions=list(OfferSubmission.objects.filter(offer=offer).order_by("-number")),
        value=value,
    )


def offer_submissions(offer: Offer) -> list[OfferSubmission]:
    """Every submitted version of the offer, first to last, with who submitted it."""
    return list(OfferSubmission.objects.filter(offer=offer).select_related("submitted_by").order_by("number"))


def offer_document_get(offer: Offer, document_id) -> OfferDocument | None:
    return offer.documents.select_related("uploaded_by").filter(pk=document_id).first()


def dangerously_offers_for_member(user: User, page_number) -> Page:
    """One page (newest first) of the offers of every supplier organisation the person is an approved member of,
    to every authority, each with `latest_submission` (or None).

    Reads across authorities (a supplier bids to many) but only its members' own organisations' offers, so it runs
    unscoped; everything the page shows is fetched before the unscoped block ends."""
    with dangerously_unscoped():
        offers_qs = (
            Offer.objects.filter(_member_q(user))
            .select_related("authority", "tender", "lot", "organisation")
            .prefetch_related(
                Prefetch(
                    "submissions",
                    queryset=OfferSubmission.objects.order_by("-number"),
                    to_attr="submission_list",
                )
            )
            .order_by("-created_at", "-id")
        )
        page = Paginator(offers_qs, MY_OFFERS_PAGE_SIZE).get_page(page_number)
        page.object_list = list(page.object_list)
    for offer in page.object_list:
        offer.latest_submission = offer.submission_list[0] if offer.submission_list else None
    return page


# The public tender list (platform-wide; its filters are in filters.py) ------------------------------------------

PUBLIC_STATUSES = (TenderStatus.PUBLISHED, TenderStatus.CLOSED, TenderStatus.AWARDED)
PAGE_SIZE = 20


def public_q(now: datetime, prefix: str = "") -> Q:
    """Public: published or closed, and its publication date (which the officer may set later than the moment of
    publishing) reached."""
    return Q(**{f"{prefix}status__in": PUBLIC_STATUSES}) & (
        Q(**{f"{prefix}publish_at__isnull": True}) | Q(**{f"{prefix}publish_at__lte": now})
    )


def open_q(now: datetime) -> Q:
    """Open for bids: published, and its submission deadline (server time) not yet reached."""
    return Q(status=TenderStatus.PUBLISHED) & (Q(submission_deadline__isnull=True) | Q(submission_deadline__gt=now))


def tender_list_public(*, now: datetime | None = None) -> QuerySet[Tender]:
    """Public tenders across every authority (public information, so read across authorities; narrow it to one
    with the filters): open tenders first, closing soonest; then closed ones, most recently closed first."""
    now = now or timezone.now()
    is_open = open_q(now)
    with dangerously_unscoped():
        tenders = Tender.objects.filter(public_q(now))
    return (
        tenders.annotate(
            open_rank=Case(When(is_open, then=Value(0)), default=Value(1), output_field=IntegerField()),
            open_deadline=Case(When(is_open, then=F("submission_deadline")), default=None),
        )
        .select_related("authority")
        .prefetch_related(Prefetch("cpv_codes", queryset=CpvCode.objects.order_by("code")))
        .order_by(
            "open_rank",
            F("open_deadline").asc(nulls_last=True),
            F("submission_deadline").desc(nulls_last=True),
            "pk",
        )
    )


def tender_page_public(
    tenders: QuerySet[Tender], *, page: str | int | None = None, now: datetime | None = None
) -> Page:
    """One page of `tender_list_public` (as filtered), each tender marked open or not.

    A fixed number of queries whatever the page size: the count, the page (with its authority), its CPV codes."""
    now = now or timezone.now()
    with dangerously_unscoped():
        result = Paginator(tenders, PAGE_SIZE).get_page(page)
        result.object_list = list(result.object_list)
    for tender in result.object_list:
        tender.is_open = effective_status(tender, now) == TenderStatus.PUBLISHED
    return result


@dataclass
class PublicFilterChoices:
    authorities: list[tuple[str, str]]  # (slug, name)
    divisions: list[tuple[str, str]]  # (division, label)


def public_filter_choices(*, now: datetime | None = None) -> PublicFilterChoices:
    """The authorities and CPV divisions that have public tenders, for the filter's select boxes (three queries at
    most)."""
    now = now or timezone.now()
    with dangerously_unscoped():
        public = Tender.objects.filter(public_q(now))
        authorities = list(
            Authority.objects.filter(Exists(public.filter(authority_id=OuterRef("pk"))))
            .order_by("name")
            .values_list("slug", "name")
        )
        through = Tender.cpv_codes.through
        present = through.objects.filter(public_q(now, "tender__")).values_list("cpvcode__division", flat=True)
        divisions = sorted(set(present))
        divisions_present = [f"{division}000000" for division in divisions]
    names = {division.division: division.description for division in divisions_for(divisions_present)}
    return PublicFilterChoices(
        authorities=authorities,
        divisions=[(d, f"{names[d]} ({d})" if names.get(d) else f"Division {d}") for d in divisions],
    )
