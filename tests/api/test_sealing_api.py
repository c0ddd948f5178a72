"""Sealed offers stay sealed through the API (RULES.md, electronic receipt; decision 5).

A tender with a submitted offer before its deadline: as every staff role of the authority, with a personal token
and with the browser session, the tender lists and detail, the clarifications, the staff offer list, the offer
detail and the document download never contain the offer's price, commitment quantities, narratives, answers,
document name or bytes, or the supplier's name; every refusal to read is in the audit log. The same holds for a
tender past its deadline whose offers are not yet opened. Once a procurement officer has opened them, procurement
officers and cleared evaluators read the offer; the other roles are still refused and still see no marker.
(Query counts on the tender and offer lists, at two sizes, are in test_tenders.py and test_offers.py.)
"""

from dataclasses import dataclass

import pytest

from accounts.models import AuditEvent
from accounts.roles import Role, has_permission
from accounts.scoping import authority_scope
from tenders import sealing
from tenders.models import Tender
from tests.factories import OrganisationFactory, UserFactory, add_org_member
from tests.tenders.factories import build_tender
from tests.tenders.sealed_offers import seat_evaluator, submitted_offer, tender_past_deadline

from .conftest import as_user, assert_error

READERS = {role for role in Role if has_permission({role}, "offers.view")}
SUPPLIER = "Sealwright Bidders Ltd"
EMAIL = "bids@sealwright.example.net"
PRICE = "987654.32"
QUANTITY = "73519"
NARRATIVE = "QXNARRATIVEMARKER"
ANSWER = "QXANSWERMARKER"
DOCUMENT = "QXDOCUMENTMARKER.pdf"
FILE_MARKER = "QXFILEBYTESMARKER"
MARKERS = [SUPPLIER, EMAIL, PRICE, "987,654.32", QUANTITY, NARRATIVE, ANSWER, DOCUMENT, FILE_MARKER]


@dataclass
class Sealed:
    tender: Tender
    offer: object
    document_id: int


def _sealed_offer(world, tender) -> Sealed:
    organisation = OrganisationFactory(name=SUPPLIER)
    user = UserFactory(email=EMAIL, full_name="Sam Sealwright")
    add_org_member(organisation, user)
    offer = submitted_offer(
        world,
        tender,
        organisation=organisation,
        user=user,
        price=PRICE,
        quantity=QUANTITY,
        narrative=f"{NARRATIVE}: apprentices from East Ward.",
        answer=f"{ANSWER}: our method, with local partners.",
        documents={DOCUMENT: f"%PDF-1.4\n% {FILE_MARKER}\n%%EOF\n".encode()},
    )
    with authority_scope(world.a):
        document_id = offer.documents.get().pk
    return Sealed(tender=tender, offer=offer, document_id=document_id)


@pytest.fixture
def before_deadline(world) -> Sealed:
    return _sealed_offer(world, build_tender(world, world.a, published=True, reference="SEAL-API"))


@pytest.fixture
def past_deadline(world) -> Sealed:
    return _sealed_offer(world, tender_past_deadline(world, world.a, reference="SEAL-API-PAST"))


def _sign_in(api, user, mode):
    as_user(api, None)
    api.logout()
    if mode == "token":
        as_user(api, user)
    else:
        api.force_login(user)


def _text(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def _reads(world, sealed: Sealed) -> dict[str, str]:
    """Every API read that names the tender or its offer, by what it is."""
    base = f"/api/v1/authorities/{world.a.slug}"
    tender = sealed.tender.pk
    return {
        "tender list": f"{base}/tenders/",
        "tender list with drafts": f"{base}/tenders/?include_drafts=true",
        "platform tender list": "/api/v1/tenders/",
        "tender": f"{base}/tenders/{tender}/",
        "clarifications": f"{base}/tenders/{tender}/clarifications/",
        "offer list": f"{base}/tenders/{tender}/offers/",
        "offer": f"{base}/offers/{sealed.offer.pk}/",
        "document": f"{base}/offer-documents/{sealed.document_id}/",
    }


def _assert_sealed_for(world, api, sealed: Sealed, role, *, try_opening: bool):
    user = world.user(world.a, role)
    reads = _reads(world, sealed)
    for what, path in reads.items():
        response = api.get(path)
        text = _text(response)
        for marker in MARKERS:
            assert marker not in text, f"{role} {what}: {marker}"
        if what == "offer list" and role in READERS:
            body = response.json()
            assert response.status_code == 200 and body["sealed"] is True, what
            assert body["count"] == 1 and body["results"] == [] and "sealed" in body["detail"].lower()
        elif what in ("offer list", "offer", "document"):
            assert_error(response, 403)
        else:
            assert response.status_code == 200, (what, response.content)
    if try_opening:  # before the deadline nobody may open them: refused, audited, and the refusal says nothing
        refused = api.post(f"/api/v1/authorities/{world.a.slug}/tenders/{sealed.tender.pk}/open-offers/")
        assert refused.status_code in (403, 409)
        for marker in MARKERS:
            assert marker not in refused.content.decode()
    with authority_scope(world.a):
        events = AuditEvent.objects.filter(actor=user)
        if role in READERS:
            sealed_refusals = events.filter(verb="offer.sealed_access_refused")
            assert sorted(e.changes["what"] for e in sealed_refusals) == ["document", "offer", "offer list"]
        else:
            role_refusals = events.filter(verb="offer.access_refused")
            assert sorted(e.object_type for e in role_refusals) == ["document", "offer", "offer list"]
        assert events.filter(verb="tender.offers_open_refused").exists() == try_opening
        for event in events:
            for marker in MARKERS:
                assert marker not in str(event.changes) and marker not in event.object_repr


@pytest.mark.parametrize("mode", ["token", "session"])
@pytest.mark.parametrize("role", list(Role))
def test_before_the_deadline_nothing_of_the_offer_is_readable(world, api, before_deadline, role, mode):
    _sign_in(api, world.user(world.a, role), mode)
    _assert_sealed_for(world, api, before_deadline, role, try_opening=True)


@pytest.mark.parametrize("mode", ["token", "session"])
@pytest.mark.parametrize("role", list(Role))
def test_after_the_deadline_offers_stay_sealed_until_opened(world, api, past_deadline, role, mode):
    _sign_in(api, world.user(world.a, role), mode)
    _assert_sealed_for(world, api, past_deadline, role, try_opening=False)


@pytest.mark.parametrize("role", list(Role))
def test_once_opened_readers_read_the_offer_and_others_still_do_not(world, api, past_deadline, role):
    with authority_scope(world.a):
        sealing.offers_open(
            tender=Tender.objects.get(pk=past_deadline.tender.pk),
            acting_user=world.user(world.a, Role.PROCUREMENT_OFFICER),
        )
    seat_evaluator(world, past_deadline.tender)
    _sign_in(api, world.user(world.a, role), "token")
    reads = _reads(world, past_deadline)
    content = {what: _text(api.get(reads[what])) for what in ("offer list", "offer", "document")}
    if role in READERS:
        assert SUPPLIER in content["offer list"] and PRICE in content["offer list"]
        for marker in (SUPPLIER, PRICE, f"{QUANTITY}.00", NARRATIVE, ANSWER, DOCUMENT):
            assert marker in content["offer"], marker
        assert FILE_MARKER in content["document"]
    else:
        for text in content.values():
            for marker in MARKERS:
                assert marker not in text
    # The tender's own reads never carry the offer, opened or not.
    for what in ("tender list", "tender list with drafts", "platform tender list", "tender", "clarifications"):
        text = _text(api.get(reads[what]))
        for marker in MARKERS:
            assert marker not in text, f"{role} {what}: {marker}"
