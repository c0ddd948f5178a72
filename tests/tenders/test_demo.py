import pytest
from django.core.management import call_command

from accounts.models import Authority
from accounts.scoping import authority_scope
from tenders.models import Tender, TenderStatus
from tenders.receipts import receipt_matches

pytestmark = pytest.mark.django_db


def test_demo_has_an_open_and_a_closed_tender():
    call_command("seed_demo")
    call_command("seed_demo")
    with authority_scope(Authority.objects.get(slug="northmoor")):
        tenders = {tender.reference: tender for tender in Tender.objects.all()}
        assert tenders["NBC-2026-014"].status == TenderStatus.PUBLISHED
        assert tenders["NBC-2026-014"].charter_version.status == "adopted"
        assert tenders["NBC-2026-014"].clarifications.get().answered_at is not None
        assert tenders["NBC-2026-009"].status == TenderStatus.CLOSED
        (submitted,) = tenders["NBC-2026-009"].offers.all()
        assert submitted.status == "submitted"
        submission = submitted.submissions.get()
        assert submission.received_at < tenders["NBC-2026-009"].submission_deadline
        assert receipt_matches(submission.content, submission.received_at, submission.receipt)
        assert tenders["NBC-2026-014"].offers.get().status == "draft"
        assert len(tenders) == 2


def test_demo_eastvale_tender_has_sealed_offers_from_both_suppliers():
    call_command("seed_demo")
    call_command("seed_demo")
    with authority_scope(Authority.objects.get(slug="eastvale")):
        tender = Tender.objects.get(reference="EDC-2026-021")
        assert tender.status == TenderStatus.CLOSED
        assert tender.offers_opened_at is None
        assert tender.charter_version.status == "adopted"
        submissions = {offer.organisation.name: offer.submissions.get() for offer in tender.offers.all()}
    assert set(submissions) == {"Valley Community Catering CIC", "Brightside Facilities Ltd"}
    valley, brightside = (
        submissions["Valley Community Catering CIC"].flags,
        submissions["Brightside Facilities Ltd"].flags,
    )
    # Brightside reuses its Northmoor narrative, which names no Eastvale place; Valley writes for Eastvale.
    assert any(n["identikit"] for n in brightside["narratives"])
    assert not brightside["narratives"][0]["mentions_local"]
    assert valley["narratives"][0]["mentions_local"]
    assert not any(n["identikit"] for n in valley["narratives"])
