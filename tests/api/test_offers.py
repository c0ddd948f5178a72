"""Offers over the API. The bidder's side: start, save the draft with its monetised value, submit (receipt),
withdraw, late submissions refused with the page's words, bad input refused with its field and nothing changed, and
nobody but the supplier's members reaching the offer. The staff side: opening (an audited act of procurement
officers), and reading opened offers only through the seal, with the role truth table and fixed query counts."""

import pytest

from accounts.models import AuditEvent
from accounts.roles import Role, has_permission
from accounts.scoping import authority_scope
from tenders import offers, sealing
from tenders.models import Offer, OfferStatus, Tender
from tests.factories import OrganisationFactory, UserFactory, add_org_member
from tests.tenders.factories import build_tender
from tests.tenders.sealed_offers import draft_offer, seat_evaluator, submitted_offer, tender_past_deadline

from .conftest import as_user, assert_error


@pytest.fixture
def api(api):
    api.default_format = "json"  # every body here is JSON
    return api


def base(authority):
    return f"/api/v1/authorities/{authority.slug}"


@pytest.fixture
def tender(world):
    return build_tender(world, world.a, published=True, reference="BID-1")


def _start(api, world, tender, user=None, **body):
    as_user(api, user or world.supplier_both_user)
    response = api.post(f"{base(world.a)}/tenders/{tender.pk}/my-offers/", body)
    assert response.status_code == 201, response.content
    return response.json()


def _draft_body(offer_body, *, quantity="3", price="250000", answer="Our method, with local partners."):
    return {
        "price": price,
        "commitments": [
            {
                "relevant_measure_id": m["relevant_measure_id"],
                "quantity": quantity,
                "place": "East Ward",
                "narrative": "Apprentices from East Ward.",
            }
            for m in offer_body["measures"]
        ],
        "answers": [{"question_id": q["question_id"], "text": answer} for q in offer_body["questions"]],
    }


# The bidder's side ----------------------------------------------------------------------------------------------


def test_bidder_builds_submits_and_withdraws(world, api, tender):
    started = _start(api, world, tender)
    assert started["status"] == "draft" and started["organisation"] == "Both Ways Ltd" and started["refusal"] == ""
    assert [m["commitment"] for m in started["measures"]] == [None, None]
    assert len(started["questions"]) == 2
    # Starting again gives the same draft.
    assert _start(api, world, tender)["id"] == started["id"]
    url = f"{base(world.a)}/my-offers/{started['id']}"

    saved = api.put(f"{url}/", _draft_body(started))
    assert saved.status_code == 200, saved.content
    body = saved.json()
    assert body["price"] == "250000.00"
    assert [m["commitment"]["quantity"] for m in body["measures"]] == ["3.00", "3.00"]
    with authority_scope(world.a):
        value = offers.offer_value(Offer.objects.get(pk=started["id"]))
    assert body["value"]["total"]["gross"] == f"{value.total.gross:.2f}"
    assert body["value"]["total"]["net"] == f"{value.total.net:.2f}"
    assert value.total.gross > 0

    assert_error(api.post(f"{url}/submit/", {"declaration": False}), 400, field="declaration")
    submitted = api.post(f"{url}/submit/", {"declaration": True})
    assert submitted.status_code == 201, submitted.content
    receipt = submitted.json()
    assert receipt["number"] == 1 and len(receipt["receipt"]) == 64 and receipt["withdrawn_at"] is None
    body = assert_error(api.put(f"{url}/", _draft_body(started, quantity="4")), 409)
    assert body["detail"].startswith("This offer has been submitted.")

    withdrawn = api.post(f"{url}/withdraw/")
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    assert withdrawn.json()["submissions"][0]["withdrawn_at"] is not None
    assert_error(api.post(f"{url}/withdraw/"), 409)
    with authority_scope(world.a):
        verbs = set(AuditEvent.objects.filter(object_id=str(started["id"])).values_list("verb", flat=True))
    assert {"offer.started", "offer.draft_saved", "offer.submitted", "offer.withdrawn"} <= verbs


def test_bad_draft_input_is_refused_with_its_field_and_nothing_changes(world, api, tender):
    started = _start(api, world, tender)
    url = f"{base(world.a)}/my-offers/{started['id']}/"
    good = _draft_body(started)
    cases = [
        ({**good, "price": "0"}, "price"),
        (_draft_body(started, quantity="-1"), "commitments.0.quantity"),
        (_draft_body(started, quantity="lots"), "commitments.0.quantity"),
        (_draft_body(started, answer="word " * 800), "answers.0.text"),
        ({**good, "commitments": [{"relevant_measure_id": 999999, "quantity": "1"}]}, "commitments"),
        ({**good, "answers": [{"question_id": 999999, "text": "x"}]}, "answers"),
    ]
    for body, field in cases:
        assert_error(api.put(url, body), 400, field=field)
    with authority_scope(world.a):
        offer = Offer.objects.get(pk=started["id"])
        assert offer.price is None and not offer.commitments.exists() and not offer.answers.exists()


def test_submit_needs_a_price_and_every_answer(world, api, tender):
    started = _start(api, world, tender)
    url = f"{base(world.a)}/my-offers/{started['id']}/"
    assert_error(api.post(f"{url}submit/", {"declaration": True}), 400, field="price")
    api.put(url, {**_draft_body(started), "answers": []})
    assert_error(api.post(f"{url}submit/", {"declaration": True}), 400, field="answers")
    with authority_scope(world.a):
        assert Offer.objects.get(pk=started["id"]).status == OfferStatus.DRAFT


def test_late_submission_is_refused_with_the_pages_words(world, api):
    tender = tender_past_deadline(world, world.a, reference="LATE")
    offer = draft_offer(world, tender)
    as_user(api, world.supplier_both_user)
    url = f"{base(world.a)}/my-offers/{offer.pk}/"
    with authority_scope(world.a):
        words = offers.offer_refusal(Tender.objects.get(pk=tender.pk))
    assert words.startswith("The deadline for offers was")
    body = assert_error(api.post(f"{url}submit/", {"declaration": True}), 409)
    assert body["detail"] == words
    assert_error(api.put(url, {"price": "5", "commitments": [], "answers": []}), 409)
    assert_error(api.post(f"{base(world.a)}/tenders/{tender.pk}/my-offers/", {}), 409)
    assert api.get(url).json()["refusal"] == words
    with authority_scope(world.a):
        assert not Offer.objects.get(pk=offer.pk).submissions.exists()


def test_lots_must_be_chosen(world, api):
    tender = build_tender(world, world.a, published=True, lots=2, reference="LOTTED")
    other = build_tender(world, world.a, published=True, lots=1, reference="OTHER")
    as_user(api, world.supplier_both_user)
    url = f"{base(world.a)}/tenders/{tender.pk}/my-offers/"
    assert_error(api.post(url, {}), 400, field="lot_id")
    with authority_scope(world.a):
        other_lot = other.lots.get()
        lot = tender.lots.order_by("number").last()
    assert_error(api.post(url, {"lot_id": other_lot.pk}), 400, field="lot_id")
    response = api.post(url, {"lot_id": lot.pk})
    assert response.status_code == 201 and response.json()["lot_number"] == 2


def test_who_may_start_an_offer(world, api, tender):
    url = f"{base(world.a)}/tenders/{tender.pk}/my-offers/"
    assert_error(api.post(url, {}), 401)
    for user in (world.resident, world.community_user, world.user(world.a, Role.PROCUREMENT_OFFICER)):
        as_user(api, user)
        assert_error(api.post(url, {}), 403)
    as_user(api, world.supplier_both_user)
    assert_error(api.post(url, {"organisation_id": world.supplier_one.pk}), 400, field="organisation_id")
    closed = build_tender(world, world.a, closed=True, reference="CLOSED")
    body = assert_error(api.post(f"{base(world.a)}/tenders/{closed.pk}/my-offers/", {}), 409)
    assert body["detail"].startswith("The deadline for offers was")
    draft = build_tender(world, world.a, reference="NOT-YET")
    assert_error(api.post(f"{base(world.a)}/tenders/{draft.pk}/my-offers/", {}), 404)
    assert_error(api.post(f"{base(world.b)}/tenders/{tender.pk}/my-offers/", {}), 404)
    with authority_scope(world.a):
        assert not Offer.objects.exists()


def test_nobody_else_reaches_a_bidders_offer(world, api, tender):
    started = _start(api, world, tender)
    paths = [
        ("get", f"{base(world.a)}/my-offers/{started['id']}/", None),
        ("put", f"{base(world.a)}/my-offers/{started['id']}/", {"price": "1", "commitments": [], "answers": []}),
        ("post", f"{base(world.a)}/my-offers/{started['id']}/submit/", {"declaration": True}),
        ("post", f"{base(world.a)}/my-offers/{started['id']}/withdraw/", None),
    ]
    others = [world.supplier_one_user, world.resident, *[world.user(world.a, role) for role in Role]]
    for user in others:
        as_user(api, user)
        for method, path, body in paths:
            assert_error(getattr(api, method)(path, body), 404)
    as_user(api, world.supplier_both_user)
    for method, path, body in paths:
        assert_error(getattr(api, method)(path.replace(world.a.slug, world.b.slug), body), 404)
    as_user(api, None)
    for method, path, body in paths:
        assert_error(getattr(api, method)(path, body), 401)
    with authority_scope(world.a):
        assert Offer.objects.get(pk=started["id"]).price is None


# The staff side -------------------------------------------------------------------------------------------------


@pytest.fixture
def opened(world):
    """A tender past its deadline with one submitted offer (with a document), opened by a procurement officer."""
    tender = tender_past_deadline(world, world.a, reference="OPENED")
    offer = submitted_offer(world, tender, price="123456.78", documents={"plan.pdf": b"%PDF-1.4\n% plan\n%%EOF\n"})
    officer = world.user(world.a, Role.PROCUREMENT_OFFICER)
    with authority_scope(world.a):
        sealing.offers_open(tender=Tender.objects.get(pk=tender.pk), acting_user=officer)
    return tender, offer


def test_procurement_officer_opens_offers(world, api):
    tender = tender_past_deadline(world, world.a, reference="TO-OPEN")
    submitted_offer(world, tender)
    url = f"{base(world.a)}/tenders/{tender.pk}/open-offers/"
    as_user(api, world.user(world.a, Role.EVALUATOR))
    assert_error(api.post(url), 403)
    as_user(api, world.user(world.a, Role.PROCUREMENT_OFFICER))
    response = api.post(url)
    assert response.status_code == 200, response.content
    assert response.json()["count"] == 1 and response.json()["offers_opened_by"] == "Procurement officer A"
    body = assert_error(api.post(url), 409)
    assert body["detail"].startswith("The offers were already opened by Procurement officer A")
    with authority_scope(world.a):
        verbs = list(AuditEvent.objects.filter(verb__startswith="tender.offers_open").values_list("verb", flat=True))
    assert sorted(verbs) == ["tender.offers_open_refused", "tender.offers_open_refused", "tender.offers_opened"]


@pytest.mark.parametrize("role", list(Role))
def test_opening_truth_table(world, api, role):
    """Procurement officers (`offers.open`) open; every other role gets 403, the attempt audited, nothing opened."""
    tender = tender_past_deadline(world, world.a, reference="TRUTH")
    submitted_offer(world, tender)
    user = world.user(world.a, role)
    as_user(api, user)
    response = api.post(f"{base(world.a)}/tenders/{tender.pk}/open-offers/")
    allowed = has_permission({role}, "offers.open")
    if allowed:
        assert response.status_code == 200
    else:
        assert_error(response, 403)
    with authority_scope(world.a):
        assert (Tender.objects.get(pk=tender.pk).offers_opened_at is not None) == allowed
        refused = AuditEvent.objects.filter(verb="tender.offers_open_refused", actor=user)
        assert refused.exists() != allowed


def test_opening_before_the_deadline_is_refused_and_audited(world, api, tender):
    submitted_offer(world, tender)
    as_user(api, world.user(world.a, Role.PROCUREMENT_OFFICER))
    body = assert_error(api.post(f"{base(world.a)}/tenders/{tender.pk}/open-offers/"), 409)
    assert body["detail"].startswith("Offers can be opened only after the submission deadline")
    with authority_scope(world.a):
        assert Tender.objects.get(pk=tender.pk).offers_opened_at is None
        assert AuditEvent.objects.filter(verb="tender.offers_open_refused").exists()
    as_user(api, world.user(world.b, Role.PROCUREMENT_OFFICER))
    assert_error(api.post(f"{base(world.b)}/tenders/{tender.pk}/open-offers/"), 404)


def test_opened_offers_read_through_the_seal(world, api, opened):
    tender, offer = opened
    as_user(api, world.user(world.a, Role.PROCUREMENT_OFFICER))
    listed = api.get(f"{base(world.a)}/tenders/{tender.pk}/offers/").json()
    assert listed["sealed"] is False and listed["count"] == 1
    (item,) = listed["results"]
    assert (item["id"], item["supplier"], item["price"]) == (offer.pk, "Both Ways Ltd", "123456.78")
    assert len(item["receipt"]) == 64 and item["value"]["total"]["gross"] != "0.00"

    detail = api.get(f"{base(world.a)}/offers/{offer.pk}/").json()
    assert detail["receipt_verifies"] is True
    assert [c["narrative"] for c in detail["commitments"]] == ["We will recruit from Moor End first."] * 2
    with authority_scope(world.a):
        questions = {q.text for q in tender.questions.all()}
    assert {a["question"] for a in detail["answers"]} == questions
    (document,) = detail["documents"]
    assert document["name"] == "plan.pdf"
    download = api.get(f"{base(world.a)}/offer-documents/{document['id']}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4\n% plan\n%%EOF\n"
    assert download["Cache-Control"] == "private, no-store"


def test_evaluators_read_only_when_cleared_on_the_panel(world, api, opened):
    tender, offer = opened
    as_user(api, world.user(world.a, Role.EVALUATOR))
    assert_error(api.get(f"{base(world.a)}/offers/{offer.pk}/"), 403)
    seat_evaluator(world, tender)
    assert api.get(f"{base(world.a)}/offers/{offer.pk}/").status_code == 200
    assert api.get(f"{base(world.a)}/tenders/{tender.pk}/offers/").json()["count"] == 1


@pytest.mark.parametrize("role", list(Role))
def test_staff_offer_truth_table(world, api, opened, role):
    """Roles without `offers.view` are refused (403) and the attempt is audited; the others read."""
    tender, offer = opened
    seat_evaluator(world, tender)
    with authority_scope(world.a):
        document_id = offer.documents.get().pk
    as_user(api, world.user(world.a, role))
    paths = [
        f"{base(world.a)}/tenders/{tender.pk}/offers/",
        f"{base(world.a)}/offers/{offer.pk}/",
        f"{base(world.a)}/offer-documents/{document_id}/",
    ]
    for path in paths:
        response = api.get(path)
        if has_permission({role}, "offers.view"):
            assert response.status_code == 200, path
        else:
            assert_error(response, 403)
    if not has_permission({role}, "offers.view"):
        with authority_scope(world.a):
            refused = AuditEvent.objects.filter(verb="offer.access_refused", actor=world.user(world.a, role))
            assert sorted(refused.values_list("object_type", flat=True)) == ["document", "offer", "offer list"]


def test_staff_offer_reads_are_isolated(world, api, opened):
    tender, offer = opened
    for user in (world.user(world.b, Role.PROCUREMENT_OFFICER), world.supplier_both_user, world.resident):
        as_user(api, user)
        assert_error(api.get(f"{base(world.a)}/offers/{offer.pk}/"), 404)
        assert_error(api.get(f"{base(world.a)}/tenders/{tender.pk}/offers/"), 404)
    as_user(api, world.user(world.b, Role.PROCUREMENT_OFFICER))
    assert_error(api.get(f"{base(world.b)}/offers/{offer.pk}/"), 404)
    assert_error(api.get(f"{base(world.b)}/tenders/{tender.pk}/offers/"), 404)
    as_user(api, None)
    assert_error(api.get(f"{base(world.a)}/offers/{offer.pk}/"), 401)


def test_staff_offer_list_reads_a_fixed_number_of_queries(world, api, django_assert_max_num_queries):
    """Two opened tenders, with 2 and 5 offers: the list reads the same number of queries for each."""
    as_user(api, world.user(world.a, Role.PROCUREMENT_OFFICER))
    api.get("/api/v1/authorities/")  # the token's first use notes the time: one write, not counted below
    counts = []
    for size in (2, 5):
        tender = tender_past_deadline(world, world.a, reference=f"MANY-{size}")
        for number in range(size):
            organisation = OrganisationFactory(name=f"Bidder {size}-{number} Ltd")
            user = UserFactory(email=f"bidder-{size}-{number}@example.net")
            add_org_member(organisation, user)
            submitted_offer(world, tender, organisation=organisation, user=user)
        assert api.post(f"{base(world.a)}/tenders/{tender.pk}/open-offers/").status_code == 200
        with django_assert_max_num_queries(20) as captured:
            response = api.get(f"{base(world.a)}/tenders/{tender.pk}/offers/")
        assert response.status_code == 200 and response.json()["count"] == size
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1], counts
