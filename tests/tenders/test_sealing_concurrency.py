"""The sealed-offer boundary under real concurrency (PostgreSQL): a submission or withdrawal racing the opening is
either in the opening's audited count or refused as late — never both, never neither — whichever transaction
takes the tender's lock first. Each interleaving is forced: the first transaction does its work and holds its locks
open, the second starts and is seen waiting for the lock in pg_locks, then the first commits."""

from datetime import timedelta

import pytest

from accounts.models import AuditEvent
from accounts.roles import Role
from accounts.scoping import authority_scope
from tenders import offers, sealing
from tenders.models import Offer, OfferStatus, OfferSubmission
from tests.concurrency import Holder, Worker, finish, require_postgresql, wait_until_blocked
from tests.conftest import build_world
from tests.tenders.sealed_offers import draft_offer, submitted_offer, tender_past_deadline

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def race():
    """A published tender whose deadline has just passed, one offer already in, and the supplier's draft."""
    require_postgresql()
    world = build_world()
    tender = tender_past_deadline(world, world.a)
    submitted_offer(world, tender, organisation=world.supplier_one, user=world.supplier_one_user)
    return world, tender


def _submit(world, offer, tender):
    def work():
        with authority_scope(tender.authority):
            # Sent a second before the deadline; it may commit only after the opening.
            return offers.offer_submit(
                offer=offer, acting_user=world.supplier_both_user, now=tender.submission_deadline - timedelta(seconds=1)
            )

    return work


def _withdraw(world, offer, tender):
    def work():
        with authority_scope(tender.authority):
            return offers.offer_withdraw(
                offer=offer, acting_user=world.supplier_both_user, now=tender.submission_deadline - timedelta(seconds=1)
            )

    return work


def _open(world, tender):
    def work():
        with authority_scope(tender.authority):
            return sealing.offers_open(
                tender=tender,
                acting_user=world.user(tender.authority, Role.PROCUREMENT_OFFICER),
                now=tender.submission_deadline + timedelta(seconds=1),
            )

    return work


def _run(first, second):
    """`first` takes the lock and holds it; `second` starts and waits for it; then `first` commits."""
    holder, waiter = Holder(first, name="first"), Worker(second, name="second")
    try:
        holder.start_and_hold()
        waiter.start()
        wait_until_blocked(waiter, by=holder)
    finally:
        finish(holder, waiter)
    assert holder.error is None, holder.error
    return holder, waiter


def _audited_count(tender) -> int:
    with authority_scope(tender.authority):
        (event,) = AuditEvent.objects.filter(verb="tender.offers_opened", object_id=str(tender.pk))
        return event.changes["offers"]


def _counted_now(tender) -> int:
    with authority_scope(tender.authority):
        return sealing.submitted_offer_count(tender)


def test_a_submission_that_takes_the_lock_first_is_counted_by_the_opening(race):
    world, tender = race
    offer = draft_offer(world, tender)

    _submitting, opening = _run(_submit(world, offer, tender), _open(world, tender))

    assert opening.error is None, opening.error
    with authority_scope(tender.authority):
        assert OfferSubmission.objects.filter(offer=offer).count() == 1
    assert _audited_count(tender) == 2 == _counted_now(tender)


def test_a_submission_that_waits_for_the_opening_is_refused_as_late(race):
    world, tender = race
    offer = draft_offer(world, tender)

    _opening, submitting = _run(_open(world, tender), _submit(world, offer, tender))

    assert isinstance(submitting.error, offers.OfferDeadlinePassed), submitting.error
    assert "The deadline for offers was" in submitting.error.message
    with authority_scope(tender.authority):
        assert not OfferSubmission.objects.filter(offer=offer).exists()
        assert Offer.objects.get(pk=offer.pk).status == OfferStatus.DRAFT  # the draft is kept
    assert _audited_count(tender) == 1 == _counted_now(tender)


def test_a_withdrawal_that_takes_the_lock_first_is_left_out_of_the_count(race):
    world, tender = race
    offer = submitted_offer(world, tender)

    _withdrawing, opening = _run(_withdraw(world, offer, tender), _open(world, tender))

    assert opening.error is None, opening.error
    with authority_scope(tender.authority):
        assert Offer.objects.get(pk=offer.pk).status == OfferStatus.WITHDRAWN
    assert _audited_count(tender) == 1 == _counted_now(tender)


def test_a_withdrawal_that_waits_for_the_opening_is_refused_and_the_offer_counted(race):
    world, tender = race
    offer = submitted_offer(world, tender)

    _opening, withdrawing = _run(_open(world, tender), _withdraw(world, offer, tender))

    assert isinstance(withdrawing.error, offers.OfferDeadlinePassed), withdrawing.error
    with authority_scope(tender.authority):
        assert Offer.objects.get(pk=offer.pk).status == OfferStatus.SUBMITTED
        assert OfferSubmission.objects.get(offer=offer).withdrawn_at is None
    assert _audited_count(tender) == 2 == _counted_now(tender)


def test_submissions_to_one_tender_do_not_wait_for_each_other(race):
    """The share lock: a second supplier's submission goes through while the first one's transaction is open."""
    world, tender = race
    mine = draft_offer(world, tender)
    organisation, user = world.supplier_one, world.supplier_one_user
    with authority_scope(tender.authority):
        theirs = Offer.objects.get(tender=tender, organisation=organisation)
        offers.offer_withdraw(offer=theirs, acting_user=user, now=tender.submission_deadline - timedelta(minutes=2))

    def resubmit():
        with authority_scope(tender.authority):
            return offers.offer_submit(
                offer=theirs, acting_user=user, now=tender.submission_deadline - timedelta(seconds=2)
            )

    holder, other = Holder(_submit(world, mine, tender), name="first"), Worker(resubmit, name="second")
    try:
        holder.start_and_hold()
        other.start()
        other.join(20)
        assert not other.is_alive(), "the second submission waited for the first"
    finally:
        finish(holder, other)
    assert holder.error is None and other.error is None, (holder.error, other.error)
    assert _counted_now(tender) == 2
