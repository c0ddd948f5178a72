"""Social value offers: drafts built by a supplier's members, submission on the server's clock with a receipt,
withdrawal and resubmission before the deadline, and the identikit and over-claim findings made on submission.

Offer content is sealed until the submission deadline (RULES.md, electronic receipt): nothing here gives authority
staff a way to read it; the pages that will (after opening) check the deadline first.
"""

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from accounts.audit import audit_record
from accounts.emails import send_templated_email
from accounts.models import Organisation, OrganisationKind, OrganisationMembership, OrganisationMemberStatus, User
from accounts.scoping import dangerously_unscoped
from charters.models import Unit
from charters.monetisation import NOTHING, Monetised, monetise_measure, share_of
from foundation.errors import DomainError
from foundation.formatting import datetime_long

from . import identikit, identikit_keys
from .models import (
    Commitment,
    IdentikitKey,
    Lot,
    MethodStatementAnswer,
    Offer,
    OfferStatus,
    OfferSubmission,
    Question,
    RelevantMeasure,
    Tender,
    TenderStatus,
)
from .receipts import canonical_bytes, receipt_hash

# A quantity beyond this is a typing slip, whatever the unit (a billion hours, people or pounds).
QUANTITY_LIMIT = Decimal("1000000000")


class OfferDeadlinePassed(DomainError):
    pass


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def supplier_member_check(*, organisation: Organisation, user: User) -> None:
    if (
        organisation.kind != OrganisationKind.SUPPLIER
        or not OrganisationMembership.objects.filter(
            organisation=organisation, user=user, status=OrganisationMemberStatus.APPROVED
        ).exists()
    ):
        raise DomainError(f"Only members of {organisation.name} can work on its offers.")


def _require_open(tender: Tender, now: datetime) -> None:
    # Opened (or closed) means the deadline has passed, whatever the caller's clock says.
    if tender.offers_opened_at is not None or tender.status == TenderStatus.CLOSED:
        raise OfferDeadlinePassed(_deadline_passed(tender))
    if tender.status != TenderStatus.PUBLISHED:
        raise DomainError("This tender is not open for offers.")
    if tender.submission_deadline is None or now >= tender.submission_deadline:
        raise OfferDeadlinePassed(_deadline_passed(tender))


def _deadline_passed(tender: Tender) -> str:
    return (
        f"The deadline for offers was {datetime_long(tender.submission_deadline)}. Offers can no longer be "
        "submitted or changed; your draft has been kept."
    )


def tender_lock_for_offers(tender_id: int) -> None:
    """Takes a share lock on the tender row until the transaction ends: the boundary between an offer's submission
    or withdrawal and the opening (sealing.offers_open), which locks the same row FOR UPDATE. Whichever holds it
    first finishes first, so a submission is either counted in the opening's audited count or, reading the tender
    again under the lock, refused as late — never both, never neither.

    A share lock, not FOR UPDATE: submissions to one tender (each with its identikit check) need not wait for each
    other near the deadline, only for the opening, amendments and the close, which update the row.

    Lock order, everywhere: the tender, then the offer. On SQLite (no row locks) a write transaction holds the
    whole database, which serialises the same steps."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT 1 FROM {connection.ops.quote_name(Tender._meta.db_table)} WHERE id = %s FOR SHARE", [tender_id]
            )
    elif connection.features.has_select_for_update:
        list(Tender.objects.select_for_update().filter(pk=tender_id).values_list("pk", flat=True))


def measures_for(tender: Tender, lot: Lot | None) -> list[RelevantMeasure]:
    """The measures an offer answers: the lot's own, or the tender-wide ones when the lot has none."""
    measures = RelevantMeasure.objects.filter(tender=tender).select_related("charter_measure").order_by("id")
    if lot is not None:
        own = [measure for measure in measures if measure.lot_id == lot.pk]
        if own:
            return own
    return [measure for measure in measures if measure.lot_id is None]


def offer_start(
    *, tender: Tender, lot: Lot | None, organisation: Organisation, acting_user: User, now: datetime | None = None
) -> Offer:
    """The supplier's offer for the tender (or lot), created as an empty draft the first time."""
    supplier_member_check(organisation=organisation, user=acting_user)
    _require_open(tender, _now(now))
    if lot is not None and lot.tender_id != tender.pk:
        raise DomainError("Choose a lot of this tender.", field="lot")
    if lot is None and tender.lots.exists():
        raise DomainError("This tender is divided into lots: choose the lot you are offering for.", field="lot")
    with transaction.atomic():
        offer, created = Offer.objects.get_or_create(
            authority=tender.authority,
            tender=tender,
            lot=lot,
            organisation=organisation,
            defaults={"created_by": acting_user},
        )
        if created:
            audit_record(
                authority=tender.authority, actor=acting_user, verb="offer.started", obj=offer, sealed_actor=True
            )
    return offer


@dataclass(frozen=True)
class CommitmentInput:
    quantity: Decimal
    delivery_period: str = ""
    place: str = ""
    narrative: str = ""


def quantity_problem(measure: RelevantMeasure, quantity: Decimal) -> str:
    """Why a quantity cannot be committed to this measure, or "" when it can."""
    code = measure.charter_measure.code
    if quantity < 0:
        return f"The quantity for {code} must be 0 or more"
    if quantity > QUANTITY_LIMIT:
        return f"The quantity for {code} is too large"
    if measure.charter_measure.unit == Unit.PERCENT and quantity > 100:
        return f"The quantity for {code} is a percentage: 100 or less"
    return ""


def _word_count(text: str) -> int:
    return len(text.split())


def offer_update(
    *,
    offer: Offer,
    acting_user: User,
    price: Decimal | None,
    commitments: dict[int, CommitmentInput],
    answers: dict[int, str],
    now: datetime | None = None,
) -> Offer:
    """Saves the draft: the price, a commitment per relevant measure (keyed by relevant measure id; a measure left
    out has no commitment) and an answer per question. A submitted offer must be withdrawn before it changes."""
    supplier_member_check(organisation=offer.organisation, user=acting_user)
    _require_open(offer.tender, _now(now))
    if price is not None and price <= 0:
        raise DomainError("The price must be more than £0", field="price")
    allowed = {measure.pk: measure for measure in measures_for(offer.tender, offer.lot)}
    for measure_id, commitment in commitments.items():
        if measure_id not in allowed:
            raise DomainError("Commit only to the measures this tender asks for.", field="commitments")
        if problem := quantity_problem(allowed[measure_id], commitment.quantity):
            raise DomainError(problem, field=f"quantity_{measure_id}")
    questions = {question.pk: question for question in Question.objects.filter(tender=offer.tender)}
    for question_id, text in answers.items():
        question = questions.get(question_id)
        if question is None:
            raise DomainError("Answer only the questions this tender asks.", field="answers")
        if _word_count(text) > question.word_limit:
            raise DomainError(
                f"Your answer to “{question.text[:60]}” is {_word_count(text)} words; the limit is "
                f"{question.word_limit}",
                field=f"answer_{question_id}",
            )
    with transaction.atomic():
        tender_lock_for_offers(offer.tender_id)  # the tender, then the offer: see tender_lock_for_offers
        offer = Offer.objects.select_for_update(of=("self",)).select_related("tender").get(pk=offer.pk)
        _require_open(offer.tender, _now(now))  # again, under the lock: the offers may have been opened meanwhile
        if offer.status == OfferStatus.SUBMITTED:  # read under the lock: the caller's copy may be stale
            raise DomainError("This offer has been submitted. Withdraw it to change it, then submit it again.")
        offer.price = price
        offer.status = OfferStatus.DRAFT
        offer.updated_at = timezone.now()
        offer.save(update_fields=["price", "status", "updated_at"])
        Commitment.objects.filter(offer=offer).exclude(relevant_measure_id__in=commitments).delete()
        for measure_id, commitment in commitments.items():
            Commitment.objects.update_or_create(
                offer=offer,
                relevant_measure_id=measure_id,
                defaults={
                    "authority": offer.authority,
                    "quantity": commitment.quantity,
                    "delivery_period": commitment.delivery_period.strip(),
                    "place": commitment.place.strip(),
                    "narrative": commitment.narrative.strip(),
                },
            )
        MethodStatementAnswer.objects.filter(offer=offer).exclude(question_id__in=answers).delete()
        for question_id, text in answers.items():
            MethodStatementAnswer.objects.update_or_create(
                offer=offer, question_id=question_id, defaults={"authority": offer.authority, "text": text.strip()}
            )
        # The draft's content is sealed from authority staff, so the audit trail records that it changed, not what.
        audit_record(
            authority=offer.authority, actor=acting_user, verb="offer.draft_saved", obj=offer, sealed_actor=True
        )
    return offer


@dataclass(frozen=True)
class OfferValue:
    per_measure: dict[int, Monetised]  # keyed by relevant measure id
    total: Monetised
    contract_value: Decimal
    share_gross: Decimal | None  # % of the contract value
    share_net: Decimal | None


def offer_value_of(offer: Offer, quantities: Iterable[tuple[RelevantMeasure, Decimal]]) -> OfferValue:
    """The monetised value of the given quantities (each with its relevant measure, `charter_measure` loaded) as
    part of this offer: pure, no queries beyond the offer's tender and lot."""
    per_measure, total = {}, NOTHING
    for measure, quantity in quantities:
        value = monetise_measure(measure.charter_measure, quantity)
        per_measure[measure.pk] = value
        total = total + value
    contract_value = (offer.lot.estimated_value if offer.lot else offer.tender.estimated_value) or Decimal("0")
    return OfferValue(
        per_measure, total, contract_value, share_of(total.gross, contract_value), share_of(total.net, contract_value)
    )


def offer_value(offer: Offer) -> OfferValue:
    """The offer's monetised social value: Σ quantity × proxy, gross and net of deflators, per measure and in total,
    and as a share of the contract (the lot's, or the tender's) value."""
    commitments = offer.commitments.select_related("relevant_measure__charter_measure")
    return offer_value_of(offer, ((c.relevant_measure, c.quantity) for c in commitments))


def offer_content(offer: Offer) -> dict:
    """What a submission freezes, in a stable shape: the receipt is computed over exactly this."""
    commitments = offer.commitments.select_related("relevant_measure__charter_measure").order_by("relevant_measure_id")
    return {
        "tender": offer.tender.reference,
        "lot": offer.lot.number if offer.lot else None,
        "supplier": offer.organisation.name,
        "price": offer.price,
        "commitments": [
            {
                "measure": c.relevant_measure.charter_measure.code,
                "unit": c.relevant_measure.charter_measure.unit,
                "quantity": c.quantity,
                "delivery_period": c.delivery_period,
                "place": c.place,
                "narrative": c.narrative,
            }
            for c in commitments
        ],
        "answers": [{"question": a.question_id, "text": a.text} for a in offer.answers.order_by("question_id")],
        # Documents by their digest, so the receipt proves which files were submitted.
        "documents": [
            {"name": d.name, "kind": d.kind, "size": d.size, "sha256": d.sha256} for d in offer.documents.order_by("id")
        ],
    }


_narratives = identikit_keys.narratives


def _comparison_texts(offer: Offer, submission: OfferSubmission) -> tuple[list[str], list[str]]:
    """The narratives of the supplier's other current submissions (any tender, any authority) and of the other
    offers to this tender — of those only that share a shingle key with `submission`, whose keys are stored
    already. The others cannot change the findings (tenders/identikit_keys.py), and are not read: two indexed
    look-ups in one query, whatever the size of the history."""
    with dangerously_unscoped():  # the supplier's own history across authorities, and this tender's other offers
        mine = IdentikitKey.objects.filter(submission=submission).values("key")
        by_supplier = IdentikitKey.objects.filter(organisation_id=offer.organisation_id, key__in=mine)
        by_tender = IdentikitKey.objects.filter(
            authority_id=offer.authority_id, tender_id=offer.tender_id, key__in=mine
        )
        candidates = (
            OfferSubmission.objects.filter(
                pk__in=by_supplier.values("submission_id").union(by_tender.values("submission_id")),
                withdrawn_at__isnull=True,
            )
            .exclude(offer=offer)
            .order_by("pk")
            .values_list("content", "offer__organisation_id", "offer__tender_id")
        )
        same_supplier, same_tender = [], []
        for content, organisation_id, tender_id in candidates:
            if organisation_id == offer.organisation_id:
                same_supplier += _narratives(content)
            if tender_id == offer.tender_id:
                same_tender += _narratives(content)
    return same_supplier, same_tender


def _keys_store(offer: Offer, submission: OfferSubmission, content: dict) -> None:
    rows = identikit_keys.key_rows(
        IdentikitKey,
        submission_id=submission.pk,
        authority_id=offer.authority_id,
        organisation_id=offer.organisation_id,
        tender_id=offer.tender_id,
        content=content,
    )
    IdentikitKey.objects.bulk_create(rows, batch_size=2000)


def offer_flags(offer: Offer, content: dict, *, submission: OfferSubmission) -> dict:
    """Identikit and over-claim findings for one submission (its keys stored). Compared with the same supplier's
    other submissions (any tender, any authority) and other offers to this tender; only passages *of this offer*
    are kept, never where else they appear."""
    same_supplier, same_tender = _comparison_texts(offer, submission)
    version = offer.tender.charter_version
    local_terms = list(version.places.values_list("name", flat=True)) if version else []
    corpora = {name: identikit.Corpus(texts) for name, texts in (("supplier", same_supplier), ("tender", same_tender))}
    stock = identikit.Corpus(identikit.load_stock_phrases())
    narratives = []
    for index, text in enumerate(_narratives(content)):
        assessment = identikit.assess_narrative(
            text,
            same_supplier_texts=corpora["supplier"],
            same_tender_texts=corpora["tender"],
            stock_phrases=stock,
            local_terms=local_terms,
        )
        narratives.append(
            {
                "index": index,
                "score": round(assessment.score, 3),
                "identikit": assessment.is_identikit,
                "mentions_local": assessment.mentions_local,
                "reasons": list(assessment.reasons),
                "passages": [[p.start, p.end] for p in assessment.repeated_passages],
            }
        )
    value = offer_value(offer)
    fte = sum((Decimal(c["quantity"]) for c in content["commitments"] if c["unit"] == Unit.FTE), Decimal("0"))
    overclaims = (
        identikit.overclaim_flags(
            contract_value=value.contract_value, monetised_gross=value.total.gross, fte_committed=fte or None
        )
        if value.contract_value > 0
        else []
    )
    return {"narratives": narratives, "overclaim": overclaims}


def offer_submit(*, offer: Offer, acting_user: User, now: datetime | None = None) -> OfferSubmission:
    """Submits the draft on the server's clock: freezes its content, computes the receipt and emails it. At or
    after the deadline it is refused and the draft is kept."""
    supplier_member_check(organisation=offer.organisation, user=acting_user)
    with transaction.atomic():
        tender_lock_for_offers(offer.tender_id)
        offer = (
            Offer.objects.select_for_update(of=("self",))
            .select_related("tender", "lot", "organisation")
            .get(pk=offer.pk)
        )
        # The clock is read once the opening can no longer slip in between: the time of receipt is after any wait.
        received_at = _now(now)
        _require_open(offer.tender, received_at)
        if offer.status == OfferStatus.SUBMITTED:
            raise DomainError("This offer has already been submitted. Withdraw it first to submit a new version.")
        if offer.price is None:
            raise DomainError("Enter your price before you submit", field="price")
        missing = Question.objects.filter(tender=offer.tender).exclude(
            pk__in=offer.answers.exclude(text="").values("question_id")
        )
        if missing.exists():
            raise DomainError("Answer every question before you submit", field="answers")
        content = offer_content(offer)
        number = (offer.submissions.aggregate(top=Max("number"))["top"] or 0) + 1
        submission = OfferSubmission.objects.create(
            authority=offer.authority,
            offer=offer,
            number=number,
            content=_jsonable(content),
            received_at=received_at,
            receipt=receipt_hash(content, received_at),
            submitted_by=acting_user,
        )
        # Its keys first, so the look-up of earlier submissions sharing them is a join in the database.
        _keys_store(offer, submission, content)
        submission.flags = offer_flags(offer, content, submission=submission)
        submission.save(update_fields=["flags"])
        offer.status = OfferStatus.SUBMITTED
        offer.save(update_fields=["status"])
        audit_record(
            authority=offer.authority,
            actor=acting_user,
            verb="offer.submitted",
            obj=offer,
            changes={"version": number, "receipt": submission.receipt, "received_at": received_at.isoformat()},
            sealed_actor=True,
        )
        members = list(
            OrganisationMembership.objects.filter(
                organisation=offer.organisation, status=OrganisationMemberStatus.APPROVED
            ).values_list("user__email", flat=True)
        )
        transaction.on_commit(
            lambda: send_templated_email(
                to=members,
                template="offer_receipt",
                context={"offer": offer, "submission": submission, "received": datetime_long(received_at)},
            )
        )
    return submission


def _jsonable(content: dict) -> dict:
    """The content as stored: decimals as strings, exactly as the receipt's canonical form writes them, so the
    receipt can be recomputed from the stored copy."""
    return json.loads(canonical_bytes(content, timezone.now()))["content"]


def offer_withdraw(*, offer: Offer, acting_user: User, now: datetime | None = None) -> Offer:
    """Withdraws the submitted version before the deadline; the draft stays, to change and submit again."""
    supplier_member_check(organisation=offer.organisation, user=acting_user)
    with transaction.atomic():
        tender_lock_for_offers(offer.tender_id)  # the tender, then the offer: see tender_lock_for_offers
        offer = Offer.objects.select_for_update(of=("self",)).select_related("tender").get(pk=offer.pk)
        when = _now(now)
        _require_open(offer.tender, when)
        if offer.status != OfferStatus.SUBMITTED:
            raise DomainError("Only a submitted offer can be withdrawn.")
        submission = offer.submissions.filter(withdrawn_at__isnull=True).order_by("-number").first()
        submission.withdrawn_at = when
        submission.save(update_fields=["withdrawn_at"])
        IdentikitKey.objects.filter(submission=submission).delete()  # a withdrawn version is never compared again
        offer.status = OfferStatus.WITHDRAWN
        offer.save(update_fields=["status"])
        audit_record(
            authority=offer.authority,
            actor=acting_user,
            verb="offer.withdrawn",
            obj=offer,
            changes={"version": submission.number},
            sealed_actor=True,
        )
    return offer


def offer_current_submission(offer: Offer) -> OfferSubmission | None:
    """The version that counts: the latest submission not withdrawn."""
    return offer.submissions.filter(withdrawn_at__isnull=True).order_by("-number").first()


# For the bidder's pages -------------------------------------------------------------------------------------


def offer_refusal(tender: Tender, *, now: datetime | None = None) -> str:
    """Why offers for the tender can no longer be started, changed or submitted ("" while they can): the same
    words the services refuse with. A closed tender is refused for its deadline, the reason bidders understand."""
    if tender.status == TenderStatus.CLOSED and tender.submission_deadline is not None:
        return _deadline_passed(tender)
    try:
        _require_open(tender, _now(now))
    except DomainError as error:
        return error.message
    return ""


def parse_quantity(text: str, *, code: str) -> Decimal | None:
    """A quantity as people type it ("1,250" or " 12.5 "): None when nothing was typed. Raises ValueError, with a
    message fit to show, for anything that is not a number with at most 2 decimal places (what is stored)."""
    cleaned = str(text or "").strip().replace(",", "")
    if not cleaned:
        return None
    try:
        quantity = Decimal(cleaned)
    except InvalidOperation:
        quantity = None
    if quantity is None or not quantity.is_finite():
        raise ValueError(f"The quantity for {code} must be a number, like 12 or 2.5")
    if quantity.as_tuple().exponent < -2:
        raise ValueError(f"The quantity for {code} must have no more than 2 decimal places")
    return quantity


@dataclass(frozen=True)
class ValuePreview:
    value: OfferValue
    quantities: dict[int, Decimal]  # the quantities counted, by relevant measure id
    left_out: list[tuple[RelevantMeasure, str]]  # typed quantities not counted, with why


def offer_value_preview(
    offer: Offer, typed: Mapping[int, str], *, measures: list[RelevantMeasure] | None = None
) -> ValuePreview:
    """What the offer would be worth with the quantities as typed (text, by relevant measure id), without saving
    anything: the bidder sees the value change as they type. Empty boxes make no commitment; quantities that are
    not numbers or that the offer would refuse are left out, with why."""
    if measures is None:
        measures = measures_for(offer.tender, offer.lot)
    counted, left_out = [], []
    for measure in measures:
        code = measure.charter_measure.code
        try:
            quantity = parse_quantity(typed.get(measure.pk, ""), code=code)
        except ValueError as error:
            left_out.append((measure, str(error)))
            continue
        if quantity is None:
            continue
        if problem := quantity_problem(measure, quantity):
            left_out.append((measure, problem))
            continue
        counted.append((measure, quantity))
    return ValuePreview(
        value=offer_value_of(offer, counted),
        quantities={measure.pk: quantity for measure, quantity in counted},
        left_out=left_out,
    )
