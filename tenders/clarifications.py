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
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Case, Q, Value, When
from django.urls import reverse
from django.utils import timezone

from accounts.audit import audit_record, diff
from accounts.emails import send_templated_email
from accounts.models import Authority, Organisation, OrganisationKind, OrganisationMemberStatus, User
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
from .selectors import PUBLIC_STATUSES, effective_status, public_q, tender_reporting_level
from .services import display_value, interested_bidder_emails, outside_band

QUESTION_MAX_LENGTH = 3000
ANSWER_MAX_LENGTH = 5000


class ClarificationsClosed(DomainError):
    """The tender takes no more clarification questions: its deadline has passed, or it is no longer open."""


class BidderNamed(DomainError):
    """The text to be published names the bidder who asked."""


# Public tenders (the list's selectors are in selectors.py, its filters in filters.py) -------------------------


def tender_is_public(tender: Tender, *, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return tender.status in PUBLIC_STATUSES and (tender.publish_at is None or tender.publish_at <= now)


def tender_is_open(tender: Tender, *, now: datetime | None = None) -> bool:
    """Open for bids: published, and its submission deadline (server time) not yet reached."""
    return effective_status(tender, now) == TenderStatus.PUBLISHED


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
