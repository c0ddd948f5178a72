"""Offers: drafts, the deadline on the server's clock, receipts that verify against the stored content, withdrawal and
resubmission, monetisation, and the identikit and over-claim findings."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail

from accounts.scoping import authority_scope
from foundation.errors import DomainError
from tenders import offers
from tenders.models import OfferStatus
from tenders.receipts import receipt_matches
from tests.tenders.factories import build_tender

pytestmark = pytest.mark.django_db


def _draft(world, tender, organisation=None, user=None, narrative="We will recruit from Moor End first."):
    organisation = organisation or world.supplier_both
    user = user or world.supplier_both_user
    with authority_scope(tender.authority):
        offer = offers.offer_start(tender=tender, lot=None, organisation=organisation, acting_user=user)
        measures = offers.measures_for(tender, None)
        questions = list(tender.questions.all())
        offers.offer_update(
            offer=offer,
            acting_user=user,
            price=Decimal("1000000"),
            commitments={m.pk: offers.CommitmentInput(quantity=Decimal("2"), narrative=narrative) for m in measures},
            answers={q.pk: "Our method, in plain words, with local partners." for q in questions},
        )
    return offer


def test_submit_records_server_time_and_a_receipt_that_verifies(world, django_capture_on_commit_callbacks):
    tender = build_tender(world, world.a, published=True)
    offer = _draft(world, tender)
    with authority_scope(world.a), django_capture_on_commit_callbacks(execute=True):
        submission = offers.offer_submit(offer=offer, acting_user=world.supplier_both_user)
        offer.refresh_from_db()
    assert offer.status == OfferStatus.SUBMITTED
    assert receipt_matches(submission.content, submission.received_at, submission.receipt)
    tampered = {**submission.content, "price": "1"}
    assert not receipt_matches(tampered, submission.received_at, submission.receipt)
    assert submission.receipt in mail.outbox[-1].body


def test_deadline_boundary_on_a_controllable_clock(world):
    tender = build_tender(world, world.a, published=True)
    offer = _draft(world, tender)
    deadline = tender.submission_deadline
    with authority_scope(world.a):
        with pytest.raises(offers.OfferDeadlinePassed, match="your draft has been kept"):
            offers.offer_submit(offer=offer, acting_user=world.supplier_both_user, now=deadline)
        with pytest.raises(offers.OfferDeadlinePassed):
            offers.offer_submit(offer=offer, acting_user=world.supplier_both_user, now=deadline + timedelta(seconds=1))
        offer.refresh_from_db()
        assert offer.status == OfferStatus.DRAFT and offer.commitments.count() == 2
        submission = offers.offer_submit(
            offer=offer, acting_user=world.supplier_both_user, now=deadline - timedelta(microseconds=1)
        )
    assert submission.received_at == deadline - timedelta(microseconds=1)


def test_withdraw_change_and_resubmit_keeps_every_receipt(world):
    tender = build_tender(world, world.a, published=True)
    offer = _draft(world, tender)
    user = world.supplier_both_user
    with authority_scope(world.a):
        first = offers.offer_submit(offer=offer, acting_user=user)
        with pytest.raises(DomainError, match="Withdraw it to change it"):
            offers.offer_update(offer=offer, acting_user=user, price=Decimal("5"), commitments={}, answers={})
        offers.offer_withdraw(offer=offer, acting_user=user)
        measures = offers.measures_for(tender, None)
        offers.offer_update(
            offer=offer,
            acting_user=user,
            price=Decimal("900000"),
            commitments={measures[0].pk: offers.CommitmentInput(quantity=Decimal("3"))},
            answers={q.pk: "A shorter method." for q in tender.questions.all()},
        )
        second = offers.offer_submit(offer=offer, acting_user=user)
        first.refresh_from_db()
        assert first.withdrawn_at is not None and second.number == 2
        assert offers.offer_current_submission(offer) == second
        assert first.receipt != second.receipt
        assert receipt_matches(first.content, first.received_at, first.receipt)


def test_only_the_suppliers_members_work_on_its_offer(world):
    tender = build_tender(world, world.a, published=True)
    with authority_scope(world.a), pytest.raises(DomainError, match="Only members of"):
        offers.offer_start(tender=tender, lot=None, organisation=world.supplier_both, acting_user=world.resident)


def test_bad_quantities_and_long_answers_are_refused_and_nothing_changes(world):
    tender = build_tender(world, world.a, published=True)
    offer = _draft(world, tender)
    user = world.supplier_both_user
    with authority_scope(world.a):
        measure = offers.measures_for(tender, None)[0]
        question = tender.questions.first()
        for quantity, message in ((Decimal("-1"), "0 or more"), (Decimal("1e10"), "too large")):
            with pytest.raises(DomainError, match=message):
                offers.offer_update(
                    offer=offer,
                    acting_user=user,
                    price=Decimal("5"),
                    commitments={measure.pk: offers.CommitmentInput(quantity=quantity)},
                    answers={},
                )
        with pytest.raises(DomainError, match="the limit is"):
            offers.offer_update(
                offer=offer,
                acting_user=user,
                price=Decimal("5"),
                commitments={},
                answers={question.pk: "word " * (question.word_limit + 1)},
            )
        offer.refresh_from_db()
        assert offer.price == Decimal("1000000") and offer.commitments.count() == 2


def test_monetised_value_and_share_of_the_contract(world):
    tender = build_tender(world, world.a, published=True, value="1000000")
    offer = _draft(world, tender)
    with authority_scope(world.a):
        value = offers.offer_value(offer)
        expected = sum(
            (Decimal("2") * m.charter_measure.proxy_value_gbp for m in offers.measures_for(tender, None)), Decimal("0")
        )
    assert value.total.gross == expected
    assert value.share_gross == (expected * 100 / Decimal("1000000")).quantize(Decimal("0.1"))


def test_identikit_flags_compare_with_other_offers_without_naming_them(world):
    tender = build_tender(world, world.a, published=True)
    boilerplate = (
        "We are committed to delivering lasting social value through meaningful employment "
        "opportunities for local people and by working closely with community partners across the area."
    )
    first = _draft(world, tender, narrative=boilerplate)
    copy = _draft(world, tender, organisation=world.supplier_one, user=world.supplier_one_user, narrative=boilerplate)
    with authority_scope(world.a):
        offers.offer_submit(offer=first, acting_user=world.supplier_both_user)
        submission = offers.offer_submit(offer=copy, acting_user=world.supplier_one_user)
    narrative = submission.flags["narratives"][0]
    assert narrative["identikit"] is True and narrative["passages"]
    assert world.supplier_both.name not in str(submission.flags)
    assert narrative["mentions_local"] is False


def test_bidders_with_offers_hear_about_amendments(world):
    from tenders.services import interested_bidder_emails

    tender = build_tender(world, world.a, published=True)
    with authority_scope(world.a):
        assert world.supplier_both_user.email not in interested_bidder_emails(tender)
    _draft(world, tender)
    with authority_scope(world.a):
        assert world.supplier_both_user.email in interested_bidder_emails(tender)


def test_over_claims_are_flagged_not_refused(world):
    tender = build_tender(world, world.a, published=True, value="1000000")
    offer = _draft(world, tender)
    user = world.supplier_both_user
    with authority_scope(world.a):
        measures = offers.measures_for(tender, None)
        offers.offer_update(
            offer=offer,
            acting_user=user,
            price=Decimal("990000"),
            commitments={m.pk: offers.CommitmentInput(quantity=Decimal("100")) for m in measures},
            answers={q.pk: "Method." for q in tender.questions.all()},
        )
        submission = offers.offer_submit(offer=offer, acting_user=user)
    flags = " ".join(submission.flags["overclaim"])
    assert "more than the contract is worth" in flags
    assert "200 full-time jobs" in flags
