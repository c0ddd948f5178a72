"""Opening sealed offers and reading them once opened: the service on a controllable clock, the audit trail of
every refusal, the staff pages, the highlighted repeated passages, the receipt check and the document download."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from accounts.roles import Role
from accounts.scoping import authority_scope
from foundation.errors import DomainError
from foundation.formatting import datetime_long
from tenders import offers, sealing
from tenders.models import OfferSubmission, Tender, TenderStatus
from tenders.services import tender_cancel
from tests.factories import OrganisationFactory, UserFactory, add_org_member
from tests.tenders.factories import build_tender
from tests.tenders.sealed_offers import (
    add_document,
    draft_offer,
    seat_evaluator,
    submit,
    submitted_offer,
    tender_past_deadline,
)

pytestmark = pytest.mark.django_db


def _events(authority, verb):
    with authority_scope(authority):
        return list(AuditEvent.objects.filter(authority=authority, verb=verb).order_by("id"))


def _open(world, tender, **kwargs):
    with authority_scope(tender.authority):
        opened = sealing.offers_open(
            tender=tender, acting_user=world.user(tender.authority, Role.PROCUREMENT_OFFICER), **kwargs
        )
    seat_evaluator(world, opened)  # the evaluator reads offers from the panel, cleared of conflicts
    return opened


def _third_supplier(name="Third Party Works Ltd", email="bids@thirdparty.example.com"):
    organisation = OrganisationFactory(name=name)
    user = UserFactory(email=email, full_name="Tam Third")
    add_org_member(organisation, user)
    return organisation, user


# The service -------------------------------------------------------------------------------------------------


def test_opening_is_refused_before_the_deadline_and_allowed_at_it(world):
    tender = build_tender(world, world.a, published=True)
    deadline = tender.submission_deadline
    with pytest.raises(DomainError) as refused:
        _open(world, tender, now=deadline - timedelta(microseconds=1))
    assert datetime_long(deadline) in refused.value.message
    with authority_scope(world.a):
        tender.refresh_from_db()
    assert tender.offers_opened_at is None and tender.status == TenderStatus.PUBLISHED
    [event] = _events(world.a, "tender.offers_open_refused")
    assert event.actor == world.user(world.a, Role.PROCUREMENT_OFFICER)
    assert event.object_id == str(tender.pk) and "deadline" in event.changes["reason"]

    opened = _open(world, tender, now=deadline)
    assert opened.offers_opened_at == deadline
    assert opened.offers_opened_by == world.user(world.a, Role.PROCUREMENT_OFFICER)
    assert opened.status == TenderStatus.CLOSED
    [event] = _events(world.a, "tender.offers_opened")
    assert event.changes["offers"] == 0


def test_the_refusal_record_survives_the_refused_transaction(world):
    """The refusal is written after the service's transaction has ended, so rolling that back cannot take it."""
    tender = tender_past_deadline(world, world.a)
    evaluator = world.user(world.a, Role.EVALUATOR)
    with authority_scope(world.a), pytest.raises(DomainError, match="Only a procurement officer"):
        sealing.offers_open(tender=tender, acting_user=evaluator)
    with authority_scope(world.a):
        tender.refresh_from_db()
        # Nothing of the refused act happened (not even the closing that opening starts with); its record stays.
        assert tender.status == TenderStatus.PUBLISHED and tender.offers_opened_at is None
    [event] = _events(world.a, "tender.offers_open_refused")
    assert event.actor == evaluator
    assert _events(world.a, "tender.closed") == []


def test_a_published_tender_past_its_deadline_is_closed_then_opened(world):
    tender = tender_past_deadline(world, world.a)
    submitted_offer(world, tender)
    opened = _open(world, tender)
    assert opened.status == TenderStatus.CLOSED and sealing.offers_opened(opened)
    closed, opening = _events(world.a, "tender.closed"), _events(world.a, "tender.offers_opened")
    assert len(closed) == 1 and len(opening) == 1 and closed[0].pk < opening[0].pk
    assert opening[0].changes["offers"] == 1


def test_opening_twice_is_refused_and_recorded(world):
    tender = build_tender(world, world.a, closed=True)
    _open(world, tender)
    with pytest.raises(DomainError, match="already opened by Procurement officer A"):
        _open(world, tender)
    assert len(_events(world.a, "tender.offers_open_refused")) == 1
    assert len(_events(world.a, "tender.offers_opened")) == 1


@pytest.mark.parametrize("role", [Role.ADMIN, Role.COMMISSIONER, Role.EVALUATOR, Role.CONTRACT_MANAGER])
def test_only_procurement_officers_open_offers(world, role):
    tender = build_tender(world, world.a, closed=True)
    with authority_scope(world.a), pytest.raises(DomainError, match="Only a procurement officer"):
        sealing.offers_open(tender=tender, acting_user=world.user(world.a, role))
    assert len(_events(world.a, "tender.offers_open_refused")) == 1


def test_another_authoritys_procurement_officer_cannot_open(world):
    tender = build_tender(world, world.a, closed=True)
    with authority_scope(world.a), pytest.raises(DomainError, match="Only a procurement officer"):
        sealing.offers_open(tender=tender, acting_user=world.user(world.b, Role.PROCUREMENT_OFFICER))


def test_drafts_and_cancelled_tenders_are_not_opened(world):
    draft = build_tender(world, world.a)
    with pytest.raises(DomainError, match="draft"):
        _open(world, draft, now=draft.submission_deadline + timedelta(days=1))
    cancelled = build_tender(world, world.a, closed=True)
    with authority_scope(world.a):
        tender_cancel(
            tender=cancelled, acting_user=world.user(world.a, Role.PROCUREMENT_OFFICER), reason="Budget withdrawn."
        )
    with pytest.raises(DomainError, match="cancelled"):
        _open(world, cancelled)
    assert len(_events(world.a, "tender.offers_open_refused")) == 2


def test_counts_exclude_withdrawn_offers_and_drafts(world):
    tender = build_tender(world, world.a, published=True)
    third, third_user = _third_supplier()
    fourth, fourth_user = _third_supplier("Fourth Estate Ltd", "bids@fourth.example.com")
    submitted_offer(world, tender)  # counts
    withdrawn = submitted_offer(world, tender, organisation=world.supplier_one, user=world.supplier_one_user)
    with authority_scope(world.a):
        offers.offer_withdraw(offer=withdrawn, acting_user=world.supplier_one_user)
    draft_offer(world, tender, organisation=third, user=third_user)  # never submitted
    resubmitted = submitted_offer(world, tender, organisation=fourth, user=fourth_user)
    with authority_scope(world.a):
        offers.offer_withdraw(offer=resubmitted, acting_user=fourth_user)
    submit(world, resubmitted, user=fourth_user)  # counts once, as its second version
    with authority_scope(world.a):
        assert sealing.submitted_offer_count(tender) == 2
    opened = _open(world, tender, now=tender.submission_deadline)
    assert _events(world.a, "tender.offers_opened")[0].changes["offers"] == 2
    with authority_scope(world.a):
        found = sealing.offers_for_staff(tender=opened, user=world.user(world.a, Role.EVALUATOR))
    assert sorted(o.content["supplier"] for o in found) == ["Both Ways Ltd", "Fourth Estate Ltd"]
    assert [o.submission.number for o in found if o.content["supplier"] == "Fourth Estate Ltd"] == [2]


# Reads: sealed until opened, then only the current submission -------------------------------------------------


def test_reads_before_opening_are_refused_and_audited_without_content(world):
    tender = build_tender(world, world.a, published=True)
    offer = submitted_offer(world, tender, narrative="SECRETNARRATIVE in East Ward.", price="4321.09")
    evaluator = world.user(world.a, Role.EVALUATOR)
    with authority_scope(world.a):
        with pytest.raises(sealing.OffersSealed, match="sealed until the submission deadline"):
            sealing.offer_for_staff(authority=world.a, offer_id=offer.pk, user=evaluator)
        with pytest.raises(sealing.OffersSealed):
            sealing.offers_for_staff(tender=tender, user=evaluator)
        document = add_document(offer, name="SECRETFILE.pdf", direct=True)
        with pytest.raises(sealing.OffersSealed):
            sealing.offer_document_for_staff(authority=world.a, document_id=document.pk, user=evaluator)
    events = _events(world.a, "offer.sealed_access_refused")
    assert [e.changes["what"] for e in events] == ["offer", "offer list", "document"]
    for event in events:
        assert event.actor == evaluator and event.object_type == "tender" and event.object_id == str(tender.pk)
        recorded = str(event.changes) + event.object_repr
        assert "SECRET" not in recorded and "4321" not in recorded and "Both Ways" not in recorded


def test_a_role_that_does_not_read_offers_is_refused_by_the_service_too(world):
    tender = build_tender(world, world.a, closed=True)
    _open(world, tender)
    with authority_scope(world.a), pytest.raises(sealing.OfferAccessRefused):
        sealing.offers_for_staff(tender=tender, user=world.user(world.a, Role.CONTRACT_MANAGER))
    assert len(_events(world.a, "offer.access_refused")) == 1


def test_staff_read_the_submitted_content_never_the_live_draft(world):
    tender = tender_past_deadline(world, world.a)
    offer = submitted_offer(world, tender, price="5000", narrative="As submitted, for East Ward.")
    with authority_scope(world.a):
        # Whatever happens to the live tables afterwards, the frozen submission is what staff read.
        offer.commitments.update(narrative="Changed after submission")
        type(offer).objects.filter(pk=offer.pk).update(price=Decimal("1"))
    _open(world, tender)
    with authority_scope(world.a):
        staff_offer = sealing.offer_for_staff(
            authority=world.a, offer_id=offer.pk, user=world.user(world.a, Role.EVALUATOR)
        )
    assert staff_offer.content["price"] == "5000"
    assert {c["narrative"] for c in staff_offer.content["commitments"]} == {"As submitted, for East Ward."}


def test_offers_never_submitted_or_withdrawn_are_not_found(world):
    tender = build_tender(world, world.a, published=True)
    draft = draft_offer(world, tender)
    withdrawn = submitted_offer(world, tender, organisation=world.supplier_one, user=world.supplier_one_user)
    with authority_scope(world.a):
        offers.offer_withdraw(offer=withdrawn, acting_user=world.supplier_one_user)
    opened = _open(world, tender, now=tender.submission_deadline)
    evaluator = world.user(world.a, Role.EVALUATOR)
    with authority_scope(world.a):
        assert sealing.offer_for_staff(authority=world.a, offer_id=draft.pk, user=evaluator) is None
        assert sealing.offer_for_staff(authority=world.a, offer_id=withdrawn.pk, user=evaluator) is None
        assert sealing.offers_for_staff(tender=opened, user=evaluator) == []


def test_the_value_from_the_content_equals_the_offers_value(world):
    tender = tender_past_deadline(world, world.a, lots=2)
    with authority_scope(world.a):
        lot = tender.lots.get(number=2)
    offer = submitted_offer(world, tender, lot=lot, quantity="3")
    with authority_scope(world.a):
        submission = offers.offer_current_submission(offer)
        value = sealing.submission_value(tender, submission.content)
        expected = offers.offer_value(offer)
        measures = offers.measures_for(tender, lot)
    assert value.total == expected.total and value.total.gross > 0
    assert value.contract_value == lot.estimated_value
    assert (value.share_gross, value.share_net) == (expected.share_gross, expected.share_net)
    assert value.per_commitment == [expected.per_measure[m.pk] for m in measures]


def test_highlight_merges_clips_and_orders_spans():
    segments = sealing.highlight("abcdefghij", [[6, 8], [1, 3], [2, 4], [9, 40], [5, 5]])
    assert [(s.text, s.marked) for s in segments] == [
        ("a", False),
        ("bcd", True),
        ("ef", False),
        ("gh", True),
        ("i", False),
        ("j", True),
    ]
    assert sealing.highlight("", []) == []
    assert [(s.text, s.marked) for s in sealing.highlight("whole", [[0, 5]])] == [("whole", True)]


# Pages ------------------------------------------------------------------------------------------------------


def _url(name, tender_or_id, authority):
    pk = getattr(tender_or_id, "pk", tender_or_id)
    return reverse(f"tenders:{name}", args=[authority.slug, pk])


def test_the_open_page_before_the_deadline_explains_and_refuses(client, world):
    tender = build_tender(world, world.a, published=True)
    submitted_offer(world, tender)
    client.force_login(world.user(world.a, Role.PROCUREMENT_OFFICER))
    page = client.get(_url("offers-open", tender, world.a))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Offers can be opened only after the submission deadline" in text
    assert datetime_long(tender.submission_deadline) in text
    assert "Open 1 offer" not in text and 'id="offer-count">1<' in text
    refused = client.post(_url("offers-open", tender, world.a))
    assert refused.status_code == 422
    assert "There is a problem" in refused.content.decode()
    assert refused.content.decode().count("Offers can be opened only after the submission deadline") == 2
    with authority_scope(world.a):
        tender.refresh_from_db()
    assert tender.offers_opened_at is None
    assert len(_events(world.a, "tender.offers_open_refused")) == 1


def test_the_open_page_after_the_deadline_confirms_opens_and_then_redirects(client, world):
    tender = tender_past_deadline(world, world.a)
    submitted_offer(world, tender)
    submitted_offer(world, tender, organisation=world.supplier_one, user=world.supplier_one_user)
    client.force_login(world.user(world.a, Role.PROCUREMENT_OFFICER))
    page = client.get(_url("offers-open", tender, world.a)).content.decode()
    assert "Opening cannot be undone. It is recorded in the audit log" in page
    assert "Open 2 offers" in page
    assert "Both Ways" not in page
    response = client.post(_url("offers-open", tender, world.a))
    assert response.status_code == 303 and response["Location"] == _url("offer-list", tender, world.a)
    assert "Opening has been recorded" in client.get(response["Location"]).content.decode()
    again = client.get(_url("offers-open", tender, world.a))
    assert again.status_code == 303 and again["Location"] == _url("offer-list", tender, world.a)
    assert client.post(_url("offers-open", tender, world.a)).status_code == 303
    assert len(_events(world.a, "tender.offers_opened")) == 1


def test_the_open_page_is_for_procurement_officers_only_and_other_attempts_are_recorded(client, world):
    tender = tender_past_deadline(world, world.a)
    client.force_login(world.user(world.a, Role.EVALUATOR))
    assert client.get(_url("offers-open", tender, world.a)).status_code == 403
    assert client.post(_url("offers-open", tender, world.a)).status_code == 403
    with authority_scope(world.a):
        tender.refresh_from_db()
    assert tender.offers_opened_at is None
    events = _events(world.a, "tender.offers_open_refused")
    assert [e.changes for e in events] == [{"what": "opening", "tender": tender.pk, "reason": "role"}] * 2
    assert {e.actor for e in events} == {world.user(world.a, Role.EVALUATOR)}


@pytest.mark.parametrize("role", [Role.ADMIN, Role.COMMISSIONER, Role.CONTRACT_MANAGER])
def test_roles_that_do_not_read_offers_are_refused_and_recorded(client, world, role):
    tender = tender_past_deadline(world, world.a)
    offer = submitted_offer(world, tender, documents={"plan.pdf": b"%PDF-1.4\n%%EOF\n"})
    _open(world, tender)
    with authority_scope(world.a):
        document = offer.documents.get()
    client.force_login(world.user(world.a, role))
    for url in (
        _url("offer-list", tender, world.a),
        _url("offer-detail", offer, world.a),
        _url("offer-document-staff", document.pk, world.a),
    ):
        response = client.get(url)
        assert response.status_code == 403 and b"Both Ways" not in response.content
    assert [e.changes for e in _events(world.a, "offer.access_refused")] == [
        {"what": "offer list", "tender": tender.pk, "reason": "role"},
        {"what": "offer", "offer": offer.pk, "reason": "role"},
        {"what": "document", "document": document.pk, "reason": "role"},
    ]


def test_the_list_before_opening_shows_the_count_only_and_is_audited(client, world):
    tender = tender_past_deadline(world, world.a)
    submitted_offer(world, tender, price="987654.32")
    client.force_login(world.user(world.a, Role.EVALUATOR))
    response = client.get(_url("offer-list", tender, world.a))
    text = response.content.decode()
    assert response.status_code == 200
    assert "Offers are sealed until a procurement officer opens them" in text
    assert 'id="offer-count">1<' in text
    assert "Both Ways" not in text and "987" not in text
    [event] = _events(world.a, "offer.sealed_access_refused")
    assert event.changes == {"what": "offer list"}


def test_the_list_after_opening(client, world):
    tender = tender_past_deadline(world, world.a)
    first = submitted_offer(world, tender, price="987654.32", quantity="20")  # 20 × 2 × £25,000: over-claims
    second = submitted_offer(world, tender, organisation=world.supplier_one, user=world.supplier_one_user)
    third, third_user = _third_supplier()
    draft_offer(world, tender, organisation=third, user=third_user)
    _open(world, tender)
    client.force_login(world.user(world.a, Role.EVALUATOR))
    text = client.get(_url("offer-list", tender, world.a)).content.decode()
    assert "2 offers received" in text
    assert "Third Party" not in text
    with authority_scope(world.a):
        receipts = {o.pk: offers.offer_current_submission(o).receipt for o in (first, second)}
        overclaims = offers.offer_current_submission(first).flags["overclaim"]
    assert text.index("Both Ways Ltd") < text.index("Only A Services Ltd")
    assert _url("offer-detail", first, world.a) in text and _url("offer-detail", second, world.a) in text
    row = text[text.index(f'id="offer-{first.pk}"') :].split("</tr>")[0]
    assert "£987,654.32" in row
    assert "£1,000,000" in row  # gross: 20 × 2 measures × £25,000
    assert "400.0%" in row  # of £250,000
    assert receipts[first.pk][:8] in row
    cells = row.split('govuk-table__cell--numeric">')
    assert overclaims and any("more than the contract is worth" in reason for reason in overclaims)
    assert cells[-1].startswith(f"{len(overclaims)}<")


def test_the_list_queries_do_not_grow_with_offers(client, world):
    client.force_login(world.user(world.a, Role.EVALUATOR))
    counts = []
    for size in (2, 4):
        tender = tender_past_deadline(world, world.a)
        for n in range(size):
            organisation, user = _third_supplier(f"Supplier {size}-{n} Ltd", f"bids{size}-{n}@example.com")
            submitted_offer(world, tender, organisation=organisation, user=user)
        _open(world, tender)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(_url("offer-list", tender, world.a))
        assert response.content.decode().count(f"Supplier {size}-") == size
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_offer_page_before_opening_is_refused_and_audited(client, world):
    tender = tender_past_deadline(world, world.a)
    offer = submitted_offer(world, tender, narrative="SECRETNARRATIVE for East Ward.")
    client.force_login(world.user(world.a, Role.PROCUREMENT_OFFICER))
    response = client.get(_url("offer-detail", offer, world.a))
    text = response.content.decode()
    assert response.status_code == 403
    assert "Offers are sealed" in text and "SECRETNARRATIVE" not in text and "Both Ways" not in text
    [event] = _events(world.a, "offer.sealed_access_refused")
    assert event.changes == {"what": "offer", "offer": offer.pk}


def test_the_offer_page_after_opening_shows_the_submission_and_its_verified_receipt(client, world):
    tender = tender_past_deadline(world, world.a)
    offer = submitted_offer(
        world,
        tender,
        price="123456.78",
        narrative="Apprentices from East Ward, <b>supervised</b> & paid.",
        answer="Weekly litter picks with the residents' forum.",
        documents={"Delivery plan.pdf": b"%PDF-1.4\nplan\n%%EOF\n"},
    )
    _open(world, tender)
    client.force_login(world.user(world.a, Role.EVALUATOR))
    response = client.get(_url("offer-detail", offer, world.a))
    text = response.content.decode()
    assert response.status_code == 200
    with authority_scope(world.a):
        submission = offers.offer_current_submission(offer)
        measures = offers.measures_for(tender, None)
        questions = list(tender.questions.all())
    assert "Offer from Both Ways Ltd" in text and "£123,456.78 excluding VAT" in text
    for measure in measures:
        assert f"{measure.charter_measure.code} {measure.charter_measure.title}" in text
    assert "Years 1 to 3" in text and "Moor End" in text
    assert "Apprentices from East Ward, &lt;b&gt;supervised&lt;/b&gt; &amp; paid." in text
    assert "<b>supervised</b>" not in text
    for question in questions:
        assert question.text in text
    assert "Weekly litter picks with the residents&#x27; forum." in text
    assert " ".join(submission.receipt[i : i + 8] for i in range(0, 64, 8)) in text
    assert 'id="receipt-verifies"' in text
    assert "Delivery plan.pdf" in text
    assert "PDF, 20" in text  # the size

    # The stored content changed behind the receipt's back: the page says so.
    with authority_scope(world.a):
        OfferSubmission.objects.filter(pk=submission.pk).update(content={**submission.content, "price": "1.00"})
    text = client.get(_url("offer-detail", offer, world.a)).content.decode()
    assert 'id="receipt-fails"' in text and 'id="receipt-verifies"' not in text


def test_the_offer_page_shows_over_claims_and_places(client, world):
    tender = tender_past_deadline(world, world.a)
    offer = submitted_offer(world, tender, quantity="20", narrative="Jobs for people across the wider region.")
    _open(world, tender)
    client.force_login(world.user(world.a, Role.PROCUREMENT_OFFICER))
    text = client.get(_url("offer-detail", offer, world.a)).content.decode()
    assert "is more than the contract is worth" in text
    assert "Mentions none of the charter's places" in text


SHARED = (
    "Our social value team will work with local schools, colleges and job centres to fill every new post, "
    "with <mentoring> & paid travel for the first three months"
)


def test_repeated_passages_are_highlighted_in_this_offer_only(client, world):
    """The second offer's answer repeats a long passage of the first's: it is marked in the answer where it sits,
    escaped, and nothing says where else it appears."""
    tender = tender_past_deadline(world, world.a)
    submitted_offer(world, tender, narrative="Original words about East Ward apprentices.", answer=SHARED + ".")
    second = submitted_offer(
        world,
        tender,
        organisation=world.supplier_one,
        user=world.supplier_one_user,
        narrative="Different words: litter picks in East Ward with volunteers.",
        answer="In East Ward: " + SHARED + ". Then we report monthly.",
    )
    with authority_scope(world.a):
        flags = offers.offer_current_submission(second).flags["narratives"]
    assert [bool(n["passages"]) for n in flags] == [False, False, True, True]  # 2 commitments, 2 answers
    _open(world, tender)
    client.force_login(world.user(world.a, Role.EVALUATOR))
    text = client.get(_url("offer-detail", second, world.a)).content.decode()
    escaped = SHARED.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    assert text.count(f"<mark>{escaped}</mark>") == 2
    commitments = text[text.index('id="commitments"') : text.index('id="answers"')]
    assert "<mark>" not in commitments
    assert "In East Ward: <mark>" in text and "</mark>. Then we report monthly." in text
    assert "Both Ways" not in text  # never where else the passage appears
    assert "1 repeated passage is highlighted." in text


def test_the_document_download(client, world):
    tender = tender_past_deadline(world, world.a)
    data = b"%PDF-1.4\nthe plan\n%%EOF\n"
    offer = submitted_offer(world, tender, documents={"Delivery plan.pdf": data})
    with authority_scope(world.a):
        document = offer.documents.get()
        # A row that no submission lists (documents.document_add refuses once submitted): never served.
        late = add_document(offer, name="Added after submission.pdf", direct=True)
    url = _url("offer-document-staff", document.pk, world.a)
    client.force_login(world.user(world.a, Role.EVALUATOR))
    sealed = client.get(url)
    assert sealed.status_code == 403 and b"the plan" not in sealed.content
    assert _events(world.a, "offer.sealed_access_refused")[-1].changes == {
        "what": "document",
        "offer": offer.pk,
        "document": document.pk,
    }

    _open(world, tender)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == data
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="Delivery plan.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert client.get(_url("offer-document-staff", late.pk, world.a)).status_code == 404

    client.force_login(world.user(world.a, Role.CONTRACT_MANAGER))
    assert client.get(url).status_code == 403


def test_a_document_of_a_withdrawn_offer_is_not_served(client, world):
    tender = build_tender(world, world.a, published=True)
    offer = submitted_offer(world, tender, documents={"plan.pdf": b"%PDF-1.4\n%%EOF\n"})
    with authority_scope(world.a):
        offers.offer_withdraw(offer=offer, acting_user=world.supplier_both_user)
        document = offer.documents.get()
    _open(world, tender, now=tender.submission_deadline)
    client.force_login(world.user(world.a, Role.PROCUREMENT_OFFICER))
    assert client.get(_url("offer-document-staff", document.pk, world.a)).status_code == 404
    assert client.get(_url("offer-detail", offer, world.a)).status_code == 404


def test_an_altered_stored_document_is_not_served_and_is_recorded(client, world):
    tender = tender_past_deadline(world, world.a)
    offer = submitted_offer(world, tender, documents={"plan.pdf": b"%PDF-1.4\noriginal\n%%EOF\n"})
    _open(world, tender)
    with authority_scope(world.a):
        document = offer.documents.get()
    with document.file.storage.open(document.file.name, "wb") as stored:
        stored.write(b"%PDF-1.4\nswapped\n%%EOF\n")
    client.force_login(world.user(world.a, Role.EVALUATOR))
    response = client.get(_url("offer-document-staff", document.pk, world.a))
    assert response.status_code == 409 and b"swapped" not in response.content
    assert len(_events(world.a, "offer.document_altered")) == 1


# The tender page's "Offers" section -----------------------------------------------------------------------------


def _offers_section(client, tender):
    text = client.get(_url("tender-detail", tender, tender.authority)).content.decode()
    return text[text.index('id="offers-status"') :].split("</div>")[0]


def test_the_tender_page_offers_section_through_the_stages(client, world):
    tender = build_tender(world, world.a, published=True)
    submitted_offer(world, tender)
    officer, evaluator = world.user(world.a, Role.PROCUREMENT_OFFICER), world.user(world.a, Role.EVALUATOR)
    client.force_login(evaluator)
    section = _offers_section(client, tender)
    assert f"1 offer received; sealed until {datetime_long(tender.submission_deadline)}." in section

    with authority_scope(world.a):
        Tender.objects.filter(pk=tender.pk).update(submission_deadline=timezone.now() - timedelta(minutes=1))
    section = _offers_section(client, tender)
    assert "they stay sealed until a procurement officer opens them" in section
    assert "A procurement officer opens them" in section and "Open offers" not in section
    client.force_login(officer)
    assert _url("offers-open", tender, world.a) in _offers_section(client, tender)

    _open(world, tender)
    section = _offers_section(client, tender)
    assert "Opened by Procurement officer A at" in section
    assert _url("offer-list", tender, world.a) in section
    client.force_login(world.user(world.a, Role.CONTRACT_MANAGER))
    section = _offers_section(client, tender)
    assert "Opened by" in section and _url("offer-list", tender, world.a) not in section


def test_a_draft_tender_page_has_no_offers_section(client, world):
    tender = build_tender(world, world.a)
    client.force_login(world.user(world.a, Role.PROCUREMENT_OFFICER))
    assert 'id="offers-status"' not in client.get(_url("tender-detail", tender, world.a)).content.decode()


def test_after_opening_an_offer_cannot_be_submitted_withdrawn_or_changed_on_an_earlier_clock(world):
    """The opening is checked under the tender's lock, not only the deadline on the caller's clock: a request that
    left before the deadline and arrives after the opening is refused as late (tests/tenders/
    test_sealing_concurrency.py races the two)."""
    tender = tender_past_deadline(world, world.a)
    draft = draft_offer(world, tender)
    sent = submitted_offer(world, tender, organisation=world.supplier_one, user=world.supplier_one_user)
    _open(world, tender)
    earlier = tender.submission_deadline - timedelta(seconds=1)
    with authority_scope(world.a):
        with pytest.raises(offers.OfferDeadlinePassed, match="The deadline for offers was"):
            offers.offer_submit(offer=draft, acting_user=world.supplier_both_user, now=earlier)
        with pytest.raises(offers.OfferDeadlinePassed):
            offers.offer_withdraw(offer=sent, acting_user=world.supplier_one_user, now=earlier)
        with pytest.raises(offers.OfferDeadlinePassed):
            offers.offer_update(
                offer=draft, acting_user=world.supplier_both_user, price=Decimal("1"), commitments={}, answers={},
                now=earlier,
            )  # fmt: skip
        assert not OfferSubmission.objects.filter(offer=draft).exists()
        assert sealing.submitted_offer_count(tender) == 1
