"""Sealed offers: how many there are, opening them, and the one way authority staff read them.

RULES.md, electronic receipt (PCR 2015 reg. 22): nobody can access tender data before the time limit; only
authorised persons set the opening, and only after the set date; any infringement or attempt is clearly detectable.

- Before a tender's offers are opened its staff learn only how many offers it has (`submitted_offer_count`): who
  bid is part of the sealed content.
- Opening (`offers_open`) is an explicit act of a procurement officer (`offers.open`), possible only once the
  submission deadline has passed on the server's clock. It is audited (`tender.offers_opened`), and so is every
  refusal (`tender.offers_open_refused`), written after the refused transaction so that it is never rolled back.
- Every staff read of offer content goes through `offers_for_staff`, `offer_for_staff` or `offer_document_for_staff`.
  Before opening they raise `OffersSealed` and record `offer.sealed_access_refused` (who, which tender; never
  content). After opening they give only the current submission's frozen content (the latest, not withdrawn) —
  never the live draft tables, never an offer that was not submitted or was withdrawn.
"""

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from accounts.audit import audit_record
from accounts.models import Authority, Membership, User
from accounts.roles import has_permission
from charters.models import Unit
from charters.monetisation import NOTHING, Monetised, monetise_measure, share_of
from foundation.errors import DomainError
from foundation.formatting import datetime_long

from .models import Lot, Offer, OfferDocument, OfferSubmission, RelevantMeasure, Tender, TenderStatus
from .receipts import receipt_matches
from .services import tender_close


class OffersSealed(DomainError):
    """Offer content asked for before the tender's offers were opened."""

    def __init__(self, message: str, *, tender: Tender):
        super().__init__(message)
        self.tender = tender


class OfferAccessRefused(DomainError, PermissionDenied):
    """Offer content asked for by someone whose role does not allow reading offers."""


class DocumentAltered(DomainError):
    """A stored supporting document no longer has the SHA-256 its submission's receipt covers."""


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def _roles(user: User, authority: Authority) -> set:
    return set(Membership.objects.filter(authority=authority, user=user).values_list("role", flat=True))


def _holds(user: User, authority: Authority, permission: str) -> bool:
    return has_permission(_roles(user, authority), permission)


# Later stages narrow who may read an opened tender's offers (evaluation: an evaluator only once on the tender's
# panel and cleared of conflicts of interest). Each check is called with tender, user and roles and returns a
# refusal, fit to show, or None; tenders cannot import evaluation, so evaluation registers its check here.
READER_CHECKS = []


def register_reader_check(check):
    READER_CHECKS.append(check)
    return check


# Counting and the state of the seal ---------------------------------------------------------------------------


def current_submissions(tender: Tender) -> QuerySet[OfferSubmission]:
    """Each offer's latest submission, where that one is not withdrawn: the versions that count."""
    newer = OfferSubmission.objects.filter(offer=OuterRef("offer"), number__gt=OuterRef("number"))
    return OfferSubmission.objects.filter(offer__tender=tender, withdrawn_at__isnull=True).exclude(Exists(newer))


def submitted_offer_count(tender: Tender) -> int:
    """How many offers the tender has received (withdrawn ones and drafts not counted). A count, nothing else."""
    return current_submissions(tender).count()


def offers_opened(tender: Tender) -> bool:
    return tender.offers_opened_at is not None


def open_refusal(tender: Tender, now: datetime | None = None) -> str | None:
    """Why the tender's offers cannot be opened now, or None when they can."""
    now = _now(now)
    if offers_opened(tender):
        who = tender.offers_opened_by.full_name if tender.offers_opened_by else "a former member of staff"
        return f"The offers were already opened by {who} at {datetime_long(tender.offers_opened_at)}."
    if tender.status == TenderStatus.DRAFT:
        return "This tender is a draft: it has no offers to open."
    if tender.status not in (TenderStatus.PUBLISHED, TenderStatus.CLOSED):
        return f"This tender is {tender.get_status_display().lower()}: its offers cannot be opened."
    if tender.submission_deadline is None:
        return "This tender has no submission deadline, so its offers cannot be opened."
    if now < tender.submission_deadline:
        return f"Offers can be opened only after the submission deadline, {datetime_long(tender.submission_deadline)}."
    return None


def offers_open(*, tender: Tender, acting_user: User, now: datetime | None = None) -> Tender:
    """Opens the tender's sealed offers: a procurement officer's act, after the submission deadline on the server's
    clock. A published tender past its deadline is closed first. Refusals are audited and the record is kept.

    The tender row is locked FOR UPDATE before the clock is read and the offers counted: submissions and
    withdrawals hold a share lock on it (offers.tender_lock_for_offers), so one that got there first has committed
    and is counted, and one still to come waits and then finds the tender opened."""
    if not _holds(acting_user, tender.authority, "offers.open"):
        refusal = "Only a procurement officer can open offers."
        now = _now(now)
    else:
        with transaction.atomic():
            tender = Tender.objects.select_for_update().get(pk=tender.pk)
            now = _now(now)
            refusal = open_refusal(tender, now)
            if refusal is None:
                if tender.status == TenderStatus.PUBLISHED:
                    tender = tender_close(tender=tender, acting_user=acting_user, now=now)
                count = submitted_offer_count(tender)
                tender.offers_opened_at = now
                tender.offers_opened_by = acting_user
                tender.save(update_fields=["offers_opened_at", "offers_opened_by"])
                audit_record(
                    authority=tender.authority,
                    actor=acting_user,
                    verb="tender.offers_opened",
                    obj=tender,
                    changes={
                        "offers": count,
                        "submission_deadline": tender.submission_deadline.isoformat(),
                        "opened_at": now.isoformat(),
                    },
                )
                return tender
    # Outside the transaction above: a refusal is evidence of an attempt and must survive it.
    audit_record(
        authority=tender.authority,
        actor=acting_user,
        verb="tender.offers_open_refused",
        obj=tender,
        changes={"reason": refusal, "at": now.isoformat()},
    )
    raise DomainError(refusal)


@dataclass(frozen=True)
class OffersSummary:
    """What any member of staff may know about a tender's offers: how many, and where the seal stands."""

    count: int
    deadline_passed: bool
    opened: bool


def offers_summary(tender: Tender, now: datetime | None = None) -> OffersSummary:
    now = _now(now)
    return OffersSummary(
        count=submitted_offer_count(tender),
        deadline_passed=tender.submission_deadline is not None and now >= tender.submission_deadline,
        opened=offers_opened(tender),
    )


def sealed_message(tender: Tender, now: datetime | None = None) -> str:
    """What staff are told when they ask for offers that are still sealed."""
    now = _now(now)
    if tender.status in (TenderStatus.DRAFT, TenderStatus.CANCELLED) or tender.submission_deadline is None:
        return f"This tender is {tender.get_status_display().lower()}: it has no offers to read."
    deadline = datetime_long(tender.submission_deadline)
    if now < tender.submission_deadline:
        return (
            f"Offers are sealed until the submission deadline, {deadline}. After it, a procurement officer opens "
            "them; then they can be read."
        )
    return f"Offers are sealed until a procurement officer opens them. The submission deadline passed at {deadline}."


def access_refused_record(*, authority: Authority, user: User, what: str, **ids) -> None:
    """Records that someone whose role does not allow it asked for offers (`what`: "offer list", "offer",
    "document", "opening"), with the ids they asked for: nothing is looked up, so nothing is disclosed."""
    audit_record(
        authority=authority,
        actor=user,
        verb="tender.offers_open_refused" if what == "opening" else "offer.access_refused",
        object_type=what,
        changes={"what": what, **ids, "reason": "role"},
    )


def _guard(*, tender: Tender, user: User, what: str, offer_id=None, document_id=None) -> None:
    """The check before any read of offer content: the reader's role, then the seal. Both refusals are audited,
    with who asked and for what, never with content."""
    detail = {"what": what}
    if offer_id is not None:
        detail["offer"] = offer_id
    if document_id is not None:
        detail["document"] = document_id
    roles = _roles(user, tender.authority)
    if not has_permission(roles, "offers.view"):
        access_refused_record(authority=tender.authority, user=user, **detail, tender=tender.pk)
        raise OfferAccessRefused("Only procurement officers and evaluators can read offers.")
    if not offers_opened(tender):
        audit_record(
            authority=tender.authority, actor=user, verb="offer.sealed_access_refused", obj=tender, changes=detail
        )
        raise OffersSealed(sealed_message(tender), tender=tender)
    for check in READER_CHECKS:
        refusal = check(tender=tender, user=user, roles=roles)
        if refusal:
            audit_record(
                authority=tender.authority,
                actor=user,
                verb="offer.access_refused",
                obj=tender,
                changes={**detail, "reason": refusal},
            )
            raise OfferAccessRefused(refusal)


# Monetised value, from the submitted content -------------------------------------------------------------------


@dataclass(frozen=True)
class SubmissionValue:
    per_commitment: list[Monetised | None]  # in the content's order; None where the measure is not the tender's
    total: Monetised
    contract_value: Decimal
    share_gross: Decimal | None  # % of the contract (the lot's, or the tender's) value
    share_net: Decimal | None


class TenderMeasures:
    """The tender's lots and relevant measures, read once, to value and describe many submissions."""

    def __init__(self, tender: Tender):
        self.tender = tender
        self.lots = {lot.number: lot for lot in Lot.objects.filter(tender=tender)}
        self.measures = list(
            RelevantMeasure.objects.filter(tender=tender).select_related("charter_measure").order_by("id")
        )

    def lot(self, number) -> Lot | None:
        return self.lots.get(number) if number is not None else None

    def by_code(self, lot_number) -> dict:
        """Charter measures by code for an offer to this lot: the lot's own, or the tender-wide ones when it has
        none (the rule of `tenders.offers.measures_for`)."""
        lot = self.lot(lot_number)
        chosen = [m for m in self.measures if lot is not None and m.lot_id == lot.pk] or [
            m for m in self.measures if m.lot_id is None
        ]
        return {m.charter_measure.code: m.charter_measure for m in chosen}

    def value(self, content: dict) -> SubmissionValue:
        measures = self.by_code(content.get("lot"))
        per_commitment, total = [], NOTHING
        for commitment in content["commitments"]:
            measure = measures.get(commitment["measure"])
            value = monetise_measure(measure, Decimal(commitment["quantity"])) if measure else None
            per_commitment.append(value)
            total = total + (value or NOTHING)
        lot = self.lot(content.get("lot"))
        contract_value = (lot.estimated_value if lot else self.tender.estimated_value) or Decimal("0")
        return SubmissionValue(
            per_commitment,
            total,
            contract_value,
            share_of(total.gross, contract_value),
            share_of(total.net, contract_value),
        )


def submission_value(tender: Tender, content: dict) -> SubmissionValue:
    """The monetised social value of a submission, from its frozen content: each commitment's measure found by code
    among the tender's relevant measures, valued with that measure's proxy and deflators."""
    return TenderMeasures(tender).value(content)


# Staff reads -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StaffOffer:
    offer: Offer
    submission: OfferSubmission
    value: SubmissionValue

    @property
    def content(self) -> dict:
        return self.submission.content

    @property
    def receipt_groups(self) -> list[str]:
        """The receipt in groups of 8 characters, for reading it aloud or comparing it by eye."""
        receipt = self.submission.receipt
        return [receipt[i : i + 8] for i in range(0, len(receipt), 8)]

    @property
    def identikit_count(self) -> int:
        return sum(1 for n in self.submission.flags.get("narratives", []) if n.get("identikit"))

    @property
    def overclaim_count(self) -> int:
        return len(self.submission.flags.get("overclaim", []))


def offers_for_staff(*, tender: Tender, user: User) -> list[StaffOffer]:
    """The tender's submitted offers (current versions), by lot then supplier, once opened."""
    _guard(tender=tender, user=user, what="offer list")
    submissions = list(current_submissions(tender).select_related("offer"))
    measures = TenderMeasures(tender)
    found = [StaffOffer(s.offer, s, measures.value(s.content)) for s in submissions]
    return sorted(found, key=lambda o: (o.content.get("lot") or 0, o.content["supplier"].casefold(), o.offer.pk))


def offer_for_staff(*, authority: Authority, offer_id, user: User) -> StaffOffer | None:
    """One offer's current submission, once opened; None when there is no such offer of the authority, or it has
    no current submission (never submitted, or withdrawn)."""
    offer = Offer.objects.filter(authority=authority, pk=offer_id).select_related("tender").first()
    if offer is None:
        return None
    _guard(tender=offer.tender, user=user, what="offer", offer_id=offer.pk)
    submission = current_submissions(offer.tender).filter(offer=offer).first()
    if submission is None:
        return None
    return StaffOffer(offer, submission, submission_value(offer.tender, submission.content))


def offer_document_for_staff(*, authority: Authority, document_id, user: User) -> OfferDocument | None:
    """A supporting document of an offer, once opened, if the current submission lists it (by its SHA-256)."""
    document = OfferDocument.objects.filter(authority=authority, pk=document_id).select_related("offer__tender").first()
    if document is None:
        return None
    tender = document.offer.tender
    _guard(tender=tender, user=user, what="document", offer_id=document.offer_id, document_id=document.pk)
    submission = current_submissions(tender).filter(offer_id=document.offer_id).first()
    if submission is None or document.sha256 not in {d["sha256"] for d in submission.content.get("documents", [])}:
        return None
    if not _stored_digest_matches(document):
        audit_record(
            authority=authority,
            actor=user,
            verb="offer.document_altered",
            obj=tender,
            changes={"offer": document.offer_id, "document": document.pk, "sha256": document.sha256},
        )
        raise DocumentAltered(
            "The stored copy of this document is not the file that was submitted: its fingerprint does not match "
            "the receipt. It has not been sent. The attempt has been recorded."
        )
    return document


def _stored_digest_matches(document: OfferDocument) -> bool:
    """Whether the stored file still has the SHA-256 the receipt covers (read in chunks: files can be large)."""
    digest = hashlib.sha256()
    with document.file.open("rb") as stored:
        for chunk in iter(lambda: stored.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest() == document.sha256


# Presenting one submission -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Segment:
    text: str
    marked: bool


def highlight(text: str, passages) -> list[Segment]:
    """`text` cut into plain and marked segments, the marked ones being the [start, end) character spans given
    (merged where they overlap, clipped to the text). The template escapes each segment."""
    spans = []
    for start, end in sorted((max(0, int(s)), min(len(text), int(e))) for s, e in passages):
        if start >= end:
            continue
        if spans and start <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], end)
        else:
            spans.append([start, end])
    segments, position = [], 0
    for start, end in spans:
        if start > position:
            segments.append(Segment(text[position:start], False))
        segments.append(Segment(text[start:end], True))
        position = end
    if position < len(text):
        segments.append(Segment(text[position:], False))
    return segments


@dataclass
class Narrative:
    """A commitment narrative or an answer, with its identikit findings (when it has text)."""

    text: str
    segments: list[Segment] = field(default_factory=list)
    score: float | None = None
    identikit: bool = False
    mentions_local: bool = True
    reasons: list[str] = field(default_factory=list)
    passage_count: int = 0


@dataclass
class OfferView:
    staff_offer: StaffOffer
    receipt_verifies: bool
    commitments: list[dict]
    answers: list[dict]
    documents: list[dict]
    overclaims: list[str]


def _narrative(text: str, finding: dict | None, *, local_terms_exist: bool) -> Narrative:
    if not finding:
        return Narrative(text=text, segments=[Segment(text, False)] if text else [])
    passages = finding.get("passages", [])
    return Narrative(
        text=text,
        segments=highlight(text, passages),
        score=finding.get("score"),
        identikit=bool(finding.get("identikit")),
        # Only a charter with places or local terms can be "not mentioned".
        mentions_local=bool(finding.get("mentions_local")) or not local_terms_exist,
        reasons=list(finding.get("reasons", [])),
        passage_count=len(passages),
    )


def _question_order(answer: dict):
    question = answer["question"]
    return (0, question.kind, question.position, question.pk) if question else (1, "", 0, 0)


def offer_view(staff_offer: StaffOffer) -> OfferView:
    """Everything the offer page shows, from the current submission only: its content with the measures' titles,
    the questions' text, the identikit findings attached to each narrative (their order is that of
    `tenders.offers._narratives`: commitment narratives, then answers, those with text only), the documents with
    their stored copies, and whether the receipt still matches the stored content and time of receipt."""
    submission = staff_offer.submission
    content = submission.content
    tender = staff_offer.offer.tender
    measures = TenderMeasures(tender).by_code(content.get("lot"))
    findings = iter(submission.flags.get("narratives", []))
    version = tender.charter_version
    local_terms_exist = bool(version and version.places.exists())
    units = dict(Unit.choices)

    commitments = []
    for commitment, value in zip(content["commitments"], staff_offer.value.per_commitment, strict=True):
        measure = measures.get(commitment["measure"])
        finding = next(findings, None) if commitment["narrative"] else None
        commitments.append(
            {
                "code": commitment["measure"],
                "title": measure.title if measure else "",
                "unit": units.get(commitment["unit"], commitment["unit"]),
                "quantity": Decimal(commitment["quantity"]),
                "delivery_period": commitment["delivery_period"],
                "place": commitment["place"],
                "narrative": _narrative(commitment["narrative"], finding, local_terms_exist=local_terms_exist),
                "value": value,
            }
        )
    questions = {q.pk: q for q in tender.questions.all()}
    answers = []
    for answer in content["answers"]:
        finding = next(findings, None) if answer["text"] else None
        question = questions.get(answer["question"])
        answers.append(
            {
                "question": question,
                "narrative": _narrative(answer["text"], finding, local_terms_exist=local_terms_exist),
            }
        )
    answers.sort(key=_question_order)
    stored = {d.sha256: d for d in OfferDocument.objects.filter(offer=staff_offer.offer)}
    documents = [{**d, "stored": stored.get(d["sha256"])} for d in content.get("documents", [])]
    return OfferView(
        staff_offer=staff_offer,
        receipt_verifies=receipt_matches(content, submission.received_at, submission.receipt),
        commitments=commitments,
        answers=answers,
        documents=documents,
        overclaims=list(submission.flags.get("overclaim", [])),
    )
