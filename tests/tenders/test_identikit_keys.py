"""The identikit check looks earlier submissions up by their stored shingle keys (tenders/identikit_keys.py): its
findings are those of reading the whole history, and a submission costs the same number of queries whatever the
size of the supplier's history."""

import io
import json
import random
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from accounts.scoping import authority_scope, dangerously_unscoped
from tenders import identikit_keys, offers
from tenders.models import IdentikitKey, Lot, Offer, OfferStatus, OfferSubmission
from tests.factories import OrganisationFactory, UserFactory, add_org_member
from tests.tenders.factories import build_tender
from tests.tenders.sealed_offers import draft_offer

pytestmark = pytest.mark.django_db

LABELLED = json.loads((Path(__file__).parent / "fixtures" / "identikit" / "labelled.json").read_text())
TEXTS = list(LABELLED["texts"].values())
CASES = [case["text"] for case in LABELLED["cases"]]


def _full_scan(offer, submission):
    """The comparison texts as they were found before the index: every current submission of the supplier (any
    tender, any authority) and of the tender, read and kept whole."""
    with dangerously_unscoped():
        latest = OfferSubmission.objects.filter(withdrawn_at__isnull=True).exclude(offer=offer)
        same_supplier = [
            t
            for s in latest.filter(offer__organisation=offer.organisation)
            for t in identikit_keys.narratives(s.content)
        ]
        same_tender = [
            t for s in latest.filter(offer__tender=offer.tender) for t in identikit_keys.narratives(s.content)
        ]
    return same_supplier, same_tender


def _submit_and_compare(monkeypatch, offer, user):
    """Submits `offer` and checks its stored findings against those of the full scan, over the same history."""
    with authority_scope(offer.authority):
        submission = offers.offer_submit(offer=offer, acting_user=user, now=_during(offer.tender))
        offer = Offer.objects.select_related("tender", "lot", "organisation").get(pk=offer.pk)
        content = offers.offer_content(offer)
        with monkeypatch.context() as patched:
            patched.setattr(offers, "_comparison_texts", _full_scan)
            expected = offers.offer_flags(offer, content, submission=submission)
    assert submission.flags == expected
    return submission


def _during(tender):
    return tender.published_at + timedelta(days=1)


def _tender(world, authority, **kwargs):
    return build_tender(world, authority, published=True, now=timezone.now() - timedelta(days=2), **kwargs)


def test_the_findings_are_those_of_reading_the_whole_history(world, monkeypatch):
    third = OrganisationFactory(name="Third Party Works Ltd")
    third_user = UserFactory(email="bids@thirdparty.example.com")
    add_org_member(third, third_user)
    t1, t2, t3 = _tender(world, world.a), _tender(world, world.a), _tender(world, world.b)
    both, both_user = world.supplier_both, world.supplier_both_user
    one, one_user = world.supplier_one, world.supplier_one_user
    # Earlier offers, then copies, excerpts, renamed and stitched versions of them (the labelled cases), across
    # suppliers, tenders and authorities.
    plan = [
        (t3, both, both_user, TEXTS[0], TEXTS[1]),
        (t2, both, both_user, TEXTS[2], TEXTS[3]),
        (t2, one, one_user, TEXTS[4], TEXTS[5]),
        (t1, third, third_user, TEXTS[6], CASES[0]),
        (t1, both, both_user, CASES[0], CASES[1]),  # the supplier's own offers elsewhere, renamed
        (t1, one, one_user, CASES[2] + "\n\n" + TEXTS[6][:300], CASES[3]),
        (t3, one, one_user, "An original text for Castlebridge, written for this tender alone.", CASES[4]),
    ]
    made = []
    for tender, organisation, user, narrative, answer in plan:
        offer = draft_offer(
            world, tender, organisation=organisation, user=user, narrative=narrative, answer=answer,
            now=_during(tender),
        )  # fmt: skip
        made.append((_submit_and_compare(monkeypatch, offer, user), offer, user))
    assert any(n["identikit"] for s, _, _ in made for n in s.flags["narratives"])
    assert any(not n["identikit"] for s, _, _ in made for n in s.flags["narratives"])

    # A withdrawn version stops counting: its keys go, and a copy of it submitted now matches only what is left.
    _, withdrawn_offer, user = made[1]
    with authority_scope(withdrawn_offer.authority):
        offers.offer_withdraw(offer=withdrawn_offer, acting_user=user, now=_during(withdrawn_offer.tender))
        assert not IdentikitKey.objects.filter(submission__offer=withdrawn_offer).exists()
    t4 = _tender(world, world.b)
    copy = draft_offer(world, t4, narrative=TEXTS[2], answer=TEXTS[3], now=_during(t4))
    assert not any(n["identikit"] for n in _submit_and_compare(monkeypatch, copy, both_user).flags["narratives"])


def test_the_rebuild_makes_the_keys_the_submissions_made(world):
    tender = _tender(world, world.a)
    for organisation, user, text in (
        (world.supplier_both, world.supplier_both_user, TEXTS[0]),
        (world.supplier_one, world.supplier_one_user, TEXTS[1]),
    ):
        offer = draft_offer(world, tender, organisation=organisation, user=user, narrative=text, now=_during(tender))
        with authority_scope(world.a):
            offers.offer_submit(offer=offer, acting_user=user, now=_during(tender))

    def stored():
        with dangerously_unscoped():
            return sorted(
                IdentikitKey.objects.values_list("authority_id", "submission_id", "organisation_id", "tender_id", "key")
            )

    made = stored()
    assert made
    with dangerously_unscoped():
        IdentikitKey.objects.all().delete()
    call_command("identikit_keys_rebuild", stdout=io.StringIO())
    assert stored() == made


def _history(world, size, *, copied):
    """`size` earlier submissions of the supplier to the lots of a tender of authority B, written straight to the
    tables with their keys; every other one is `copied`, the rest are unique."""
    tender = _tender(world, world.b, value="900000")
    rng = random.Random(size)
    vocabulary = " ".join(TEXTS).split()
    with authority_scope(world.b):
        for number in range(1, size + 1):
            lot = Lot.objects.create(
                authority=world.b, tender=tender, number=number, title=f"Lot {number}", estimated_value=Decimal("1000")
            )
            offer = Offer.objects.create(
                authority=world.b,
                tender=tender,
                lot=lot,
                organisation=world.supplier_both,
                status=OfferStatus.SUBMITTED,
            )
            text = copied if number % 2 else " ".join(rng.choice(vocabulary) for _ in range(120))
            content = {"commitments": [{"narrative": text}], "answers": [{"question": 1, "text": text[::-1]}]}
            submission = OfferSubmission.objects.create(
                authority=world.b, offer=offer, number=1, content=content, received_at=timezone.now(), receipt="0" * 64
            )
            IdentikitKey.objects.bulk_create(
                identikit_keys.key_rows(
                    IdentikitKey,
                    submission_id=submission.pk,
                    authority_id=world.b.pk,
                    organisation_id=world.supplier_both.pk,
                    tender_id=tender.pk,
                    content=content,
                )
            )


# What one submission costs, with 3 or 30 earlier submissions of the supplier (half of them sharing its text):
# 20 queries, and on PostgreSQL one more for the share lock on the tender.
SUBMISSION_QUERIES = 20


@pytest.mark.parametrize("history", [3, 30])
def test_a_submission_costs_the_same_queries_whatever_the_history(world, history, django_assert_max_num_queries):
    _history(world, history, copied=TEXTS[0])
    tender = _tender(world, world.a)
    offer = draft_offer(world, tender, narrative=TEXTS[0], now=_during(tender))
    ceiling = SUBMISSION_QUERIES + (connection.vendor == "postgresql")
    with authority_scope(world.a), django_assert_max_num_queries(ceiling):
        submission = offers.offer_submit(offer=offer, acting_user=world.supplier_both_user, now=_during(tender))
    assert submission.flags["narratives"][0]["identikit"] is True  # it found the copies in the history
