"""Submitted offers for the sealing, opening and route tests, built through tenders.offers on a controllable clock.

    tender = tender_past_deadline(world, world.a)        # published; its deadline passed an hour ago
    offer = submitted_offer(world, tender, price="987654.32", narrative="...", answer="...",
                            documents={"plan.pdf": b"%PDF-1.4 ..."})

An offer to a tender whose deadline has passed is drafted and submitted on a clock set before the deadline
(`before_deadline`), exactly as if the supplier had sent it then. Documents are OfferDocument rows with a small file
in private storage, added through tenders.documents before submission so that the submitted content (and its
receipt) lists them.
"""

import hashlib
from datetime import datetime, timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.roles import Role
from accounts.scoping import authority_scope
from tenders import documents, offers
from tenders.models import DocumentKind, Offer, OfferDocument, OfferSubmission, Tender
from tests.tenders.factories import build_tender

PDF_BYTES = b"%PDF-1.4\n% a small test file\n%%EOF\n"


def tender_past_deadline(world, authority, **kwargs) -> Tender:
    """A tender published 30 days and an hour ago, so its 30-day submission deadline passed an hour ago. Still
    recorded as published (nothing has closed it), as a tender is until the scheduled close runs."""
    published_at = timezone.now() - timedelta(days=30, hours=1)
    return build_tender(world, authority, published=True, now=published_at, submission_days=30, **kwargs)


def before_deadline(tender: Tender) -> datetime | None:
    """A moment before the tender's deadline: None (the real clock) while the deadline is still ahead."""
    if tender.submission_deadline > timezone.now():
        return None
    return tender.submission_deadline - timedelta(minutes=5)


def draft_offer(
    world,
    tender: Tender,
    *,
    organisation=None,
    user=None,
    lot=None,
    price="1000000",
    narrative="We will recruit from Moor End first.",
    answer="Our method, in plain words, with local partners.",
    quantity="2",
    documents: dict[str, bytes] | None = None,
    now: datetime | None = None,
) -> Offer:
    """A draft offer with a commitment to every measure (each with `narrative`), `answer` to every question and the
    given documents (file name → bytes)."""
    organisation = organisation or world.supplier_both
    user = user or world.supplier_both_user
    now = now or before_deadline(tender)
    with authority_scope(tender.authority):
        offer = offers.offer_start(tender=tender, lot=lot, organisation=organisation, acting_user=user, now=now)
        offers.offer_update(
            offer=offer,
            acting_user=user,
            price=Decimal(price),
            commitments={
                measure.pk: offers.CommitmentInput(
                    quantity=Decimal(quantity),
                    delivery_period="Years 1 to 3",
                    place="Moor End",
                    narrative=narrative,
                )
                for measure in offers.measures_for(tender, lot)
            },
            answers={question.pk: answer for question in tender.questions.all()},
            now=now,
        )
        for name, data in (documents or {}).items():
            add_document(offer, name=name, data=data, user=user, now=now)
    return offer


def add_document(
    offer: Offer, *, name: str, data: bytes = PDF_BYTES, user=None, now: datetime | None = None, direct: bool = False
) -> OfferDocument:
    """A PDF added through `tenders.documents.document_add` (as a supplier member, on the given clock), or with
    `direct=True` written straight to the table: a row no submission lists, as if it appeared afterwards."""
    with authority_scope(offer.authority):
        if not direct:
            upload = SimpleUploadedFile(name, data, content_type="application/pdf")
            return documents.document_add(offer=offer, upload=upload, acting_user=user, now=now)
        return OfferDocument.objects.create(
            authority=offer.authority,
            offer=offer,
            file=ContentFile(data, name="upload"),
            name=name,
            kind=DocumentKind.PDF,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            uploaded_by=user,
        )


def submit(world, offer: Offer, *, user=None, now: datetime | None = None) -> OfferSubmission:
    user = user or world.supplier_both_user
    with authority_scope(offer.authority):
        tender = Tender.objects.get(pk=offer.tender_id)
        return offers.offer_submit(offer=offer, acting_user=user, now=now or before_deadline(tender))


def submitted_offer(world, tender: Tender, **kwargs) -> Offer:
    """A draft (see `draft_offer`) submitted before the deadline."""
    offer = draft_offer(world, tender, **kwargs)
    submit(world, offer, user=kwargs.get("user"), now=kwargs.get("now"))
    offer.refresh_from_db()
    return offer


def seat_evaluator(world, tender: Tender) -> None:
    """Puts the world's evaluator on the tender's evaluation panel, declared free of conflicts: only then may an
    evaluator read the opened offers (evaluation/access.py)."""
    from evaluation import services as evaluation_services
    from evaluation.models import Evaluation

    authority = tender.authority
    evaluator = world.user(authority, Role.EVALUATOR)
    with authority_scope(authority):
        tender = Tender.objects.get(pk=tender.pk)
        evaluation = Evaluation.objects.filter(tender=tender).first() or evaluation_services.evaluation_start(
            tender=tender, acting_user=world.user(authority, Role.PROCUREMENT_OFFICER)
        )
        if not evaluation.panel.filter(user=evaluator).exists():
            member = evaluation_services.panel_member_add(
                evaluation=evaluation, user=evaluator, acting_user=world.user(authority, Role.PROCUREMENT_OFFICER)
            )
            evaluation_services.declaration_make(member=member, acting_user=evaluator, has_interest=False)
