"""What bidders see and ask: the public tender list and page, and clarification questions with their answers.

Reads (selectors) and writes (services) for the bidder's side of a tender live together here because they share the
rules of what is public. A tender is public while it is published or closed; drafts and cancelled tenders never
are (a cancelled tender disappears from the list and its page answers 404, as a draft's does: the authority tells
bidders through its own notice, and an officer's cancellation reason is not written for the public).

Clarification questions are asked privately by a member of a supplier organisation, before the tender's
clarification deadline on the server's clock. An officer answers one by writing the question as it will be
published (with anything that identifies the bidder removed) and the answer; both then appear on the tender page,
and every interested bidder is emailed. The asking organisation is never shown publicly.
"""

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import Case, Exists, F, IntegerField, OuterRef, Prefetch, Q, QuerySet, Value, When
from django.urls import reverse
from django.utils import timezone

from accounts.audit import audit_record, diff
from accounts.emails import send_templated_email
from accounts.models import Authority, Organisation, OrganisationKind, OrganisationMemberStatus, User
from accounts.scoping import dangerously_unscoped
from accounts.selectors import supplier_organisations_for
from foundation.errors import DomainError
from foundation.formatting import datetime_long

from .cpv import divisions_for
from .models import (
    Amendment,
    Clarification,
    CpvCode,
    Lot,
    Question,
    QuestionKind,
    RelevantMeasure,
    Tender,
    TenderStatus,
)
from .selectors import effective_status, tender_reporting_level
from .services import display_value, interested_bidder_emails, outside_band

PUBLIC_STATUSES = (TenderStatus.PUBLISHED, TenderStatus.CLOSED, TenderStatus.AWARDED)
PAGE_SIZE = 20
QUESTION_MAX_LENGTH = 3000
ANSWER_MAX_LENGTH = 5000


class ClarificationsClosed(DomainError):
    """The tender takes no more clarification questions: its deadline has passed, or it is no longer open."""


class BidderNamed(DomainError):
    """The text to be published names the bidder who asked."""


# Public tender list (platform-wide) ----------------------------------------------------------------------------


def public_q(now: datetime, prefix: str = "") -> Q:
    """Public: published or closed, and its publication date (which the officer may set later than the moment of
    publishing) reached."""
    return Q(**{f"{prefix}status__in": PUBLIC_STATUSES}) & (
        Q(**{f"{prefix}publish_at__isnull": True}) | Q(**{f"{prefix}publish_at__lte": now})
    )


def tender_is_public(tender: Tender, *, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return tender.status in PUBLIC_STATUSES and (tender.publish_at is None or tender.publish_at <= now)


def _open_q(now: datetime) -> Q:
    return Q(status=TenderStatus.PUBLISHED) & (Q(submission_deadline__isnull=True) | Q(submission_deadline__gt=now))


def tender_is_open(tender: Tender, *, now: datetime | None = None) -> bool:
    """Open for bids: published, and its submission deadline (server time) not yet reached."""
    return effective_status(tender, now) == TenderStatus.PUBLISHED


@dataclass
class PublicTenderFilters:
    """What the public list is narrowed by. Dates are days in the server's time zone, both ends included."""

    authority: str = ""  # slug
    category: str = ""
    value_min: Decimal | None = None
    value_max: Decimal | None = None
    closing_after: date | None = None
    closing_before: date | None = None
    cpv_division: str = ""
    keyword: str = ""
    open_only: bool = True

    def problems(self) -> dict[str, str]:
        """Ranges that end before they start, by the field to blame (the page's form and the API refuse them)."""
        found = {}
        if self.value_min is not None and self.value_max is not None and self.value_min > self.value_max:
            found["value_max"] = "The highest value must be the same as or more than the lowest value"
        if self.closing_after and self.closing_before and self.closing_after > self.closing_before:
            found["closing_before"] = "The closing date to must be the same as or after the closing date from"
        return found


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def tenders_filtered(tenders: QuerySet[Tender], filters: PublicTenderFilters, now: datetime) -> QuerySet[Tender]:
    """`tenders` narrowed by the filters (the public list's, and the API's staff list with drafts)."""
    if filters.open_only:
        tenders = tenders.filter(_open_q(now))
    if filters.authority:
        tenders = tenders.filter(authority__slug=filters.authority)
    if filters.category:
        tenders = tenders.filter(category=filters.category)
    if filters.value_min is not None:
        tenders = tenders.filter(estimated_value__gte=filters.value_min)
    if filters.value_max is not None:
        tenders = tenders.filter(estimated_value__lte=filters.value_max)
    if filters.closing_after:
        tenders = tenders.filter(submission_deadline__gte=_start_of(filters.closing_after))
    if filters.closing_before:
        tenders = tenders.filter(submission_deadline__lt=_start_of(filters.closing_before + timedelta(days=1)))
    if filters.cpv_division:
        through = Tender.cpv_codes.through
        tenders = tenders.filter(
            Exists(through.objects.filter(tender_id=OuterRef("pk"), cpvcode__division=filters.cpv_division))
        )
    for word in filters.keyword.split():
        tenders = tenders.filter(
            Q(title__icontains=word) | Q(description__icontains=word) | Q(reference__icontains=word)
        )
    return tenders


def tenders_public(filters: PublicTenderFilters, now: datetime) -> QuerySet[Tender]:
    """Public tenders (in the current scope, or across authorities when unscoped): open tenders first, closing
    soonest; then closed ones, most recently closed first."""
    is_open = _open_q(now)
    return (
        tenders_filtered(Tender.objects.filter(public_q(now)), filters, now)
        .annotate(
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
    filters: PublicTenderFilters, *, page: str | int | None = None, now: datetime | None = None
) -> Page:
    """One page of published tenders across every authority (public information, so read across authorities).

    A fixed number of queries whatever the page size: the count, the page (with its authority), its CPV codes."""
    now = now or timezone.now()
    with dangerously_unscoped():
        result = Paginator(tenders_public(filters, now), PAGE_SIZE).get_page(page)
        result.object_list = list(result.object_list)
    for tender in result.object_list:
        tender.is_open = tender_is_open(tender, now=now)
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


# The public tender page ----------------------------------------------------------------------------------------


@dataclass
class TenderPage:
    tender: Tender
    is_open: bool
    cpv_codes: list  # CpvCode, each with .division_name
    measures: list  # RelevantMeasure for the whole tender
    lots: list  # Lot, each with .measure_list and .weights (or None)
    quality_questions: list
    social_value_questions: list
    amendments: list  # Amendment, each with .change_lines
    clarifications: list  # published Clarifications
    sv_outside_band: bool
    reporting: dict  # label and explanation (tenders.selectors.tender_reporting_level)
    clarification_refusal: str
    is_supplier: bool = False  # the reader is a member of a supplier organisation
    mine: list = field(default_factory=list)  # questions asked by the reader or their organisations


def tender_get_public(authority: Authority, tender_id: int, *, now: datetime | None = None) -> Tender | None:
    """A tender the public may read: published (from its publication date) or closed, never a draft or a cancelled
    one."""
    now = now or timezone.now()
    return (
        Tender.objects.filter(public_q(now), authority=authority, pk=tender_id)
        .select_related("authority", "charter_version__charter")
        .first()
    )


def _division_names(codes: list[CpvCode]) -> dict[str, str]:
    return {division.division: division.description for division in divisions_for(codes)}


def change_lines(amendment: Amendment) -> list[str]:
    """An amendment's changes in words, as the amendment email words them: "Submission deadline: x → y"."""
    changes = amendment.changes if isinstance(amendment.changes, dict) else {}
    return [
        f"{item.get('label', name)}: "
        f"{display_value(name, item.get('before'))} → {display_value(name, item.get('after'))}"
        for name, item in changes.items()
        if isinstance(item, dict)
    ]


def _lot_weights(lot: Lot):
    weights = (lot.price_weight, lot.quality_weight, lot.social_value_weight)
    return None if None in weights else weights


def tender_public_page(tender: Tender, *, user: User | None = None, now: datetime | None = None) -> TenderPage:
    """Everything a bidder needs from one public tender, in a fixed number of queries."""
    now = now or timezone.now()
    measures = list(
        RelevantMeasure.objects.filter(tender=tender)
        .select_related("charter_measure__outcome__theme")
        .order_by("lot__number", "charter_measure__outcome__theme__position", "charter_measure__position", "id")
    )
    lots = list(Lot.objects.filter(tender=tender).order_by("number"))
    for lot in lots:
        lot.measure_list = [measure for measure in measures if measure.lot_id == lot.pk]
        lot.weights = _lot_weights(lot)
        lot.measures_caption = f"Measures for lot {lot.number}: {lot.title}"
    questions = list(Question.objects.filter(tender=tender).order_by("kind", "position", "id"))
    for question in questions:
        descriptors = question.scale_descriptors or []
        question.numbered_descriptors = (
            list(enumerate(descriptors)) if len(descriptors) == question.scale_max + 1 else []
        )
    amendments = list(Amendment.objects.filter(tender=tender).order_by("created_at", "id"))
    for amendment in amendments:
        amendment.change_lines = change_lines(amendment)
    cpv_codes = list(tender.cpv_codes.order_by("code"))
    names = _division_names(cpv_codes)
    for code in cpv_codes:
        code.division_name = names.get(code.division, "")
        code.is_division = code.code == f"{code.division}000000"
    authority = tender.authority
    sv_weights = [tender.social_value_weight] + [lot.weights[2] for lot in lots if lot.weights]
    organisations = supplier_organisations_for(user) if user is not None else []
    return TenderPage(
        tender=tender,
        is_open=tender_is_open(tender, now=now),
        cpv_codes=cpv_codes,
        measures=[measure for measure in measures if measure.lot_id is None],
        lots=lots,
        quality_questions=[q for q in questions if q.kind == QuestionKind.QUALITY],
        social_value_questions=[q for q in questions if q.kind == QuestionKind.SOCIAL_VALUE],
        amendments=amendments,
        clarifications=clarifications_published(tender),
        sv_outside_band=any(outside_band(authority, weight) for weight in sv_weights),
        reporting=tender_reporting_level(tender),
        clarification_refusal=clarification_refusal(tender, now=now),
        is_supplier=bool(organisations),
        mine=clarifications_for_bidder(tender, user) if organisations else [],
    )


# Clarifications: reads ------------------------------------------------------------------------------------------


def clarifications_published(tender: Tender) -> list[Clarification]:
    """The answered questions, as published: read only `published_question`, `answer` and `answered_at` from
    these (the model also holds who asked; templates for the public never show it)."""
    return list(
        Clarification.objects.filter(tender=tender, answered_at__isnull=False)
        .only("id", "tender_id", "authority_id", "published_question", "answer", "answered_at")
        .order_by("answered_at", "id")
    )


def clarifications_for_bidder(tender: Tender, user: User) -> list[Clarification]:
    """Questions on this tender asked by the person or by a supplier organisation they belong to: colleagues
    building an offer together see each other's questions; nobody sees another organisation's."""
    if user is None or not user.is_authenticated:
        return []
    organisations = Organisation.objects.filter(
        kind=OrganisationKind.SUPPLIER,
        memberships__user=user,
        memberships__status=OrganisationMemberStatus.APPROVED,
    )
    return list(
        Clarification.objects.filter(tender=tender)
        .filter(Q(asked_by=user) | Q(organisation__in=organisations))
        .select_related("organisation", "asked_by")
        .order_by("-asked_at", "-id")
    )


def clarifications_for_staff(tender: Tender) -> list[Clarification]:
    """Every question on the tender, waiting ones first (oldest first), then the answered ones."""
    return list(
        Clarification.objects.filter(tender=tender)
        .select_related("asked_by", "organisation", "answered_by")
        .annotate(answered_rank=Case(When(answered_at__isnull=True, then=Value(0)), default=Value(1)))
        .order_by("answered_rank", "asked_at", "id")
    )


def tender_get_for_staff(authority: Authority, tender_id: int) -> Tender | None:
    return Tender.objects.filter(authority=authority, pk=tender_id).select_related("authority").first()


def clarification_get_for_staff(authority: Authority, clarification_id: int) -> Clarification | None:
    return (
        Clarification.objects.filter(authority=authority, pk=clarification_id)
        .select_related("tender", "asked_by", "organisation", "answered_by")
        .first()
    )


# Clarifications: writes -----------------------------------------------------------------------------------------


def clarification_refusal(tender: Tender, *, now: datetime | None = None) -> str:
    """Why the tender takes no clarification questions now (the server's clock), or "" when it does.

    The clarification deadline is the last moment: a question at or after it is refused. Without a clarification
    deadline, the submission deadline is the last moment."""
    now = now or timezone.now()
    if tender.status == TenderStatus.PUBLISHED and tender.publish_at and now < tender.publish_at:
        return f"This tender is published at {datetime_long(tender.publish_at)}. You can ask questions from then."
    if tender.status != TenderStatus.PUBLISHED:
        return "This tender is closed, so clarification questions can no longer be asked."
    deadline = tender.clarification_deadline or tender.submission_deadline
    if deadline is not None and now >= deadline:
        return (
            f"The deadline for clarification questions was {datetime_long(deadline)}, so questions can no longer "
            "be asked about this tender."
        )
    return ""


def _check_supplier(acting_user: User, organisation: Organisation | None) -> None:
    if organisation is None or organisation.pk not in {org.pk for org in supplier_organisations_for(acting_user)}:
        raise DomainError(
            "You can only ask a question for a supplier organisation you are an approved member of",
            field="organisation",
        )


def _tender_url(tender: Tender, anchor: str = "") -> str:
    path = reverse("tenders:tender-public", kwargs={"authority_slug": tender.authority.slug, "tender_id": tender.pk})
    return settings.SITE_URL + path + (f"#{anchor}" if anchor else "")


def clarification_ask(
    *,
    tender: Tender,
    acting_user: User,
    organisation: Organisation,
    question: str,
    now: datetime | None = None,
) -> Clarification:
    """A supplier's member asks a question privately, before the clarification deadline (server time). The
    tender's contact is emailed that a question is waiting."""
    question = (question or "").strip()
    if not question:
        raise DomainError("Enter your question", field="question")
    if len(question) > QUESTION_MAX_LENGTH:
        raise DomainError(f"Your question must be {QUESTION_MAX_LENGTH:,} characters or fewer", field="question")
    _check_supplier(acting_user, organisation)
    with transaction.atomic():
        # Read the status and deadlines under a lock, so a question cannot land on a tender being amended or closed.
        tender = Tender.objects.select_for_update(of=("self",)).select_related("authority").get(pk=tender.pk)
        now = now or timezone.now()
        if refusal := clarification_refusal(tender, now=now):
            raise ClarificationsClosed(refusal)
        clarification = Clarification.objects.create(
            authority=tender.authority,
            tender=tender,
            asked_by=acting_user,
            organisation=organisation,
            question=question,
            asked_at=now,
        )
        audit_record(
            authority=tender.authority,
            actor=acting_user,
            verb="clarification.asked",
            obj=clarification,
            changes={"tender": tender.reference, "organisation": organisation.name, "question": question},
        )
        if tender.contact_email:
            context = {
                "authority_name": tender.authority.name,
                "tender_reference": tender.reference,
                "tender_title": tender.title,
                "question": question,
                "asked_at": datetime_long(now),
                "list_url": settings.SITE_URL
                + reverse(
                    "tenders:clarification-list",
                    kwargs={"authority_slug": tender.authority.slug, "tender_id": tender.pk},
                ),
            }
            to = [tender.contact_email]
            transaction.on_commit(lambda: send_templated_email(to=to, template="clarification_asked", context=context))
    return clarification


_LEGAL_SUFFIX = re.compile(r"\s+(ltd\.?|limited|plc|llp|cic|c\.i\.c\.|lp)$", re.IGNORECASE)


def _identifying_terms(clarification: Clarification) -> list[str]:
    """Words that would identify who asked: the organisation's name (and without "Ltd" and the like, when more than
    one word remains), the asker's name (when it has more than one word) and email address."""
    terms = []
    if clarification.organisation is not None:
        name = clarification.organisation.name.strip()
        terms.append(name)
        short = _LEGAL_SUFFIX.sub("", name).strip()
        if short != name and len(short.split()) > 1:
            terms.append(short)
    if clarification.asked_by is not None:
        if len(clarification.asked_by.full_name.split()) > 1:
            terms.append(clarification.asked_by.full_name.strip())
        terms.append(clarification.asked_by.email)
    return [term for term in terms if term]


def _names_bidder(text: str, terms: list[str]) -> str:
    """The first term the text contains as a whole word. Names of several words match in any case; a one-word name
    ("Serco") only as written, so that an organisation called "Care" does not block every answer about care."""
    for term in terms:
        flags = re.IGNORECASE if len(term.split()) > 1 or "@" in term else 0
        if re.search(rf"(?<!\w){re.escape(term)}(?!\w)", text, flags):
            return term
    return ""


def clarification_answer(
    *,
    clarification: Clarification,
    acting_user: User,
    published_question: str,
    answer: str,
    now: datetime | None = None,
) -> Clarification:
    """An officer publishes the question (as they have rewritten it, without anything identifying the bidder) with
    its answer, on the tender page. The first answer emails every interested bidder; a later edit changes the
    published text without a new email, and the audit trail keeps what it said before."""
    published_question = (published_question or "").strip()
    answer = (answer or "").strip()
    if not published_question:
        raise DomainError("Enter the question as it will be published", field="published_question")
    if len(published_question) > QUESTION_MAX_LENGTH:
        raise DomainError(
            f"The published question must be {QUESTION_MAX_LENGTH:,} characters or fewer", field="published_question"
        )
    if not answer:
        raise DomainError("Enter the answer", field="answer")
    if len(answer) > ANSWER_MAX_LENGTH:
        raise DomainError(f"The answer must be {ANSWER_MAX_LENGTH:,} characters or fewer", field="answer")
    with transaction.atomic():
        clarification = (
            Clarification.objects.select_for_update(of=("self",))
            .select_related("tender__authority", "organisation", "asked_by")
            .get(pk=clarification.pk)
        )
        tender = clarification.tender
        if tender.status not in PUBLIC_STATUSES:
            raise ClarificationsClosed(
                f"This tender is {tender.get_status_display().lower()}, so its questions can no longer be answered."
            )
        terms = _identifying_terms(clarification)
        for field_name, text, what in (
            ("published_question", published_question, "The published question"),
            ("answer", answer, "The answer"),
        ):
            if named := _names_bidder(text, terms):
                raise BidderNamed(
                    f"{what} names who asked (“{named}”). Remove it: published questions are anonymous",
                    field=field_name,
                )
        before = {"published_question": clarification.published_question, "answer": clarification.answer}
        after = {"published_question": published_question, "answer": answer}
        first = clarification.answered_at is None
        changes = diff(before, after)
        if not first and not changes:
            return clarification
        clarification.published_question = published_question
        clarification.answer = answer
        update_fields = ["published_question", "answer"]
        if first:
            clarification.answered_at = now or timezone.now()
            clarification.answered_by = acting_user
            update_fields += ["answered_at", "answered_by"]
        clarification.save(update_fields=update_fields)
        audit_record(
            authority=tender.authority,
            actor=acting_user,
            verb="clarification.answered" if first else "clarification.answer_edited",
            obj=clarification,
            changes=changes | ({"status": {"before": "waiting", "after": "published"}} if first else {}),
        )
        if first:
            _email_interested_bidders(clarification)
    return clarification


def _email_interested_bidders(clarification: Clarification) -> None:
    """One email each (recipients never see each other), sent after the transaction commits. The interested
    bidders are those `interested_bidder_emails` names, as for amendments."""
    tender = clarification.tender
    context = {
        "authority_name": tender.authority.name,
        "tender_reference": tender.reference,
        "tender_title": tender.title,
        "published_question": clarification.published_question,
        "answer": clarification.answer,
        "tender_url": _tender_url(tender, f"clarification-{clarification.pk}"),
    }
    asker = clarification.asked_by.email if clarification.asked_by else None
    for email in interested_bidder_emails(tender):
        personal = {**context, "is_yours": email == asker}
        transaction.on_commit(
            lambda email=email, personal=personal: send_templated_email(
                to=[email], template="clarification_answered", context=personal
            )
        )
