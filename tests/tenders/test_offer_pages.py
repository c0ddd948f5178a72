"""The bidder's offer pages through the test client: starting an offer (organisation and lot), saving the draft with
errors kept next to their fields, the live value preview that saves nothing, checking and submitting, the receipt,
withdrawing and resubmitting; who may see an offer (only its supplier's members); the deadline; a person's offers
across authorities; and the offer page's query count."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from accounts.scoping import authority_scope
from charters.models import CharterMeasure
from tenders import offers
from tenders.models import Offer, OfferStatus, OfferSubmission, Question, QuestionKind, RelevantMeasure, Tender
from tenders.receipts import receipt_matches
from tests.charters.factories import adopt_without_consultation, build_charter
from tests.factories import OrganisationFactory, add_org_member
from tests.tenders.factories import build_tender

pytestmark = pytest.mark.django_db


def _url(name, offer, *args):
    return reverse(f"tenders:{name}", args=[offer.authority.slug, offer.pk, *args])


def _start_url(tender):
    return reverse("tenders:offer-start", args=[tender.authority.slug, tender.pk])


def _measures_and_questions(tender, lot=None):
    with authority_scope(tender.authority):
        return offers.measures_for(tender, lot), list(tender.questions.order_by("kind", "position", "id"))


def _draft(world, tender, *, organisation=None, user=None, lot=None, submit=False):
    """A complete draft (price, a commitment per measure, every question answered) made through the services."""
    organisation = organisation or world.supplier_both
    user = user or world.supplier_both_user
    with authority_scope(tender.authority):
        offer = offers.offer_start(tender=tender, lot=lot, organisation=organisation, acting_user=user)
        offers.offer_update(
            offer=offer,
            acting_user=user,
            price=Decimal("240000"),
            commitments={
                m.pk: offers.CommitmentInput(quantity=Decimal("2"), narrative="Apprentices from Moor End first.")
                for m in offers.measures_for(tender, lot)
            },
            answers={q.pk: "Our method, in plain words, with local partners." for q in tender.questions.all()},
        )
        if submit:
            offers.offer_submit(offer=offer, acting_user=user)
        offer.refresh_from_db()
    return offer


def _form(measures, questions, **overrides):
    """The offer form as a browser would post it: every box, empty unless given."""
    data = {"price": "", "action": "save"}
    for measure in measures:
        for part in ("quantity", "delivery", "place", "narrative"):
            data[f"{part}_{measure.pk}"] = ""
    for question in questions:
        data[f"answer_{question.pk}"] = ""
    data.update(overrides)
    return data


def _text(response) -> str:
    return response.content.decode()


def _field_error(response, name) -> str:
    """The text of the GOV.UK error message next to a field, or ""."""
    match = re.search(rf'<p id="id_{name}-error" class="govuk-error-message">(.*?)</p>', _text(response), re.S)
    return re.sub(r"<[^>]+>", "", match.group(1)).strip() if match else ""


# The whole flow ---------------------------------------------------------------------------------------------


def test_start_save_preview_check_submit_withdraw_change_and_resubmit(client, world):
    # The first measure has a deflator, so that net differs from gross (set before adoption freezes it).
    _, version = build_charter(world, world.a, title="Charter with a deflator")
    with authority_scope(world.a):
        CharterMeasure.objects.filter(version=version, code="M1-1-1").update(deadweight_pct=Decimal("20"))
    version = adopt_without_consultation(world, world.a, version)
    tender = build_tender(world, world.a, published=True, charter_version=version)
    (first, second), (quality, social) = _measures_and_questions(tender)
    assert first.charter_measure.code == "M1-1-1"
    client.force_login(world.supplier_both_user)

    # The public tender page offers the way in.
    public = client.get(reverse("tenders:tender-public", args=[world.a.slug, tender.pk]))
    assert _start_url(tender) in _text(public) and 'id="make-offer"' in _text(public)

    # Start: one organisation and no lots, so there is nothing to choose but the page asks before creating.
    response = client.get(_start_url(tender))
    assert response.status_code == 200 and "The offer is from <strong>Both Ways Ltd</strong>" in _text(response)
    response = client.post(_start_url(tender), {"organisation": str(world.supplier_both.pk)})
    assert response.status_code == 303
    with authority_scope(world.a):
        offer = Offer.objects.get(tender=tender)
    offer_url = _url("offer-edit", offer)
    assert response["Location"] == offer_url
    # Starting again goes straight to it.
    assert client.get(_start_url(tender))["Location"] == offer_url

    page = client.get(offer_url)
    assert page.status_code == 200
    text = _text(page)
    assert "Draft" in text and ("GMT on" in text or "BST on" in text)
    assert f'data-maxwords="{quality.word_limit}"' in text and 'data-module="govuk-character-count"' in text
    assert f'hx-post="{_url("offer-value", offer)}"' in text and 'aria-live="polite"' in text

    # Bad input: 422, every error next to its field and in the summary, everything typed kept, nothing saved.
    bad = _form(
        [first, second],
        [quality, social],
        price="lots",
        **{
            f"quantity_{first.pk}": "twelve",
            f"narrative_{second.pk}": "Work placements with the college.",
            f"answer_{quality.pk}": "We sweep daily.",
        },
    )
    response = client.post(offer_url, bad)
    assert response.status_code == 422
    assert _field_error(response, "price") == "Error: The price must be an amount in pounds, like 250000"
    assert _field_error(response, f"quantity_{first.pk}").endswith("must be a number, like 12 or 2.5")
    assert "Enter the quantity for" in _field_error(response, f"quantity_{second.pk}")
    assert 'class="govuk-error-summary"' in _text(response) and _text(response).count('href="#id_') >= 3
    assert 'value="twelve"' in _text(response) and "Work placements with the college." in _text(response)
    assert "We sweep daily." in _text(response) and "<title>Error: " in _text(response)

    # A refusal from the service (a negative quantity, an answer over its word limit) sits next to its field too.
    response = client.post(
        offer_url,
        _form(
            [first, second],
            [quality, social],
            price="1,000,000",
            **{f"quantity_{first.pk}": "-1", f"answer_{social.pk}": "word " * (social.word_limit + 1)},
        ),
    )
    assert response.status_code == 422
    assert "must be 0 or more" in _field_error(response, f"quantity_{first.pk}")
    response = client.post(
        offer_url,
        _form([first, second], [quality, social], **{f"answer_{social.pk}": "word " * (social.word_limit + 1)}),
    )
    assert response.status_code == 422 and "the limit is 500" in _field_error(response, f"answer_{social.pk}")
    with authority_scope(world.a):
        offer.refresh_from_db()
        assert offer.price is None and not offer.commitments.exists()

    # Saved: 303 back with a banner; the quantity typed with a comma is read as a number.
    good = _form(
        [first, second],
        [quality, social],
        price="1,000,000",
        **{
            f"quantity_{first.pk}": "1,2",
            f"delivery_{first.pk}": "Every year of the contract",
            f"place_{first.pk}": "East Ward",
            f"narrative_{first.pk}": "Apprentices recruited through the Moor End job club.",
            f"answer_{quality.pk}": "Daily sweeps with weekly quality checks.",
        },
    )
    response = client.post(offer_url, good)
    assert response.status_code == 303 and response["Location"] == offer_url
    page = client.get(offer_url)
    assert "Your draft has been saved" in _text(page)
    assert 'value="12"' in _text(page) and 'value="1000000.00"' in _text(page)
    with authority_scope(world.a):
        commitment = offer.commitments.get()
        assert commitment.quantity == Decimal("12") and commitment.relevant_measure_id == first.pk
    # The saved value: 12 × £25,000 gross, less 20% deadweight net, and its share of the £250,000 contract.
    assert "Net of deadweight 20%" in _text(page)
    assert "£300,000.00" in _text(page) and "£240,000.00" in _text(page) and "120.0% gross and 96.0% net" in _text(page)

    # The live preview works out the typed quantities without saving; what it cannot count it names.
    value_url = _url("offer-value", offer)
    assert client.get(value_url).status_code == 405
    preview = client.post(
        value_url, {f"quantity_{first.pk}": "3", f"quantity_{second.pk}": "abc"}, HTTP_HX_REQUEST="true"
    )
    assert preview.status_code == 200
    assert "<html" not in _text(preview) and "not saved yet" in _text(preview)
    assert "£75,000.00" in _text(preview) and "£60,000.00" in _text(preview) and "must be a number" in _text(preview)
    with authority_scope(world.a):
        assert offer.commitments.get().quantity == Decimal("12")

    # Checking shows what is missing; submitting needs the declaration, then is refused for the missing answer.
    submit_url = _url("offer-submit", offer)
    check = client.get(submit_url)
    assert check.status_code == 200 and "Check your offer before you submit" in _text(check)
    assert "Not answered" in _text(check) and f"{offer_url}#id_answer_{social.pk}" in _text(check)
    response = client.post(submit_url, {})
    assert response.status_code == 422 and "Confirm that you may submit this offer for Both Ways Ltd" in _text(response)
    response = client.post(submit_url, {"declaration": "on"})
    assert response.status_code == 422
    assert "Answer every question before you submit" in _text(response)
    assert f'href="{offer_url}#id_answer_{social.pk}"' in _text(response)
    with authority_scope(world.a):
        offer.refresh_from_db()
        assert offer.status == OfferStatus.DRAFT and not offer.submissions.exists()

    # Answer it and go straight to the check page; submit; the receipt page shows the stored receipt.
    good[f"answer_{social.pk}"] = "We will name the places and partners."
    good["action"] = "check"
    response = client.post(offer_url, good)
    assert response.status_code == 303 and response["Location"] == submit_url
    response = client.post(submit_url, {"declaration": "on"})
    assert response.status_code == 303 and response["Location"] == _url("offer-receipt", offer, 1)
    with authority_scope(world.a):
        version_1 = OfferSubmission.objects.get(offer=offer)
    assert receipt_matches(version_1.content, version_1.received_at, version_1.receipt)
    receipt = client.get(response["Location"])
    assert receipt.status_code == 200 and "Offer submitted" in _text(receipt)
    assert f'value="{version_1.receipt}"' in _text(receipt)
    groups = " ".join(version_1.receipt[i : i + 8] for i in range(0, 64, 8))
    assert groups in _text(receipt)

    # Submitted: read-only, with the receipt and a way to withdraw; a stale form cannot change it.
    page = client.get(offer_url)
    assert 'name="price"' not in _text(page) and "Withdraw to make changes" in _text(page)
    assert groups in _text(page)
    response = client.post(offer_url, good)
    assert response.status_code == 422 and "Withdraw it to change it" in _text(response)

    # Withdraw: a confirmation page with the warning, then back to the offer with a banner.
    withdraw_url = _url("offer-withdraw", offer)
    confirm = client.get(withdraw_url)
    assert confirm.status_code == 200
    assert "will not consider your offer unless you submit it again before the deadline" in _text(confirm)
    response = client.post(withdraw_url)
    assert response.status_code == 303 and response["Location"] == offer_url
    page = client.get(offer_url)
    assert "Version 1 of your offer has been withdrawn" in _text(page) and "Withdrawn" in _text(page)
    assert 'name="price"' in _text(page)

    # Change a quantity and resubmit: version 2, both versions listed with their receipts.
    good[f"quantity_{first.pk}"] = "5"
    assert client.post(offer_url, good)["Location"] == submit_url
    response = client.post(submit_url, {"declaration": "on"})
    assert response["Location"] == _url("offer-receipt", offer, 2)
    with authority_scope(world.a):
        version_1.refresh_from_db()
        version_2 = OfferSubmission.objects.get(offer=offer, number=2)
    assert version_1.withdrawn_at is not None and version_2.withdrawn_at is None
    assert version_2.content["commitments"][0]["quantity"] == "5"
    receipt = client.get(response["Location"])
    text = _text(receipt)
    assert 'id="version-1"' in text and 'id="version-2"' in text
    assert f'value="{version_2.receipt}"' in text
    assert " ".join(version_1.receipt[i : i + 8] for i in range(0, 64, 8)) in text
    assert "Withdrawn" in text and "Current version" in text
    # The first receipt still reads, marked withdrawn.
    old = client.get(_url("offer-receipt", offer, 1))
    assert old.status_code == 200 and "You withdrew this version" in _text(old)
    assert client.get(_url("offer-receipt", offer, 3)).status_code == 404


def test_the_preview_counts_as_saving_would_and_leaves_out_what_saving_would_refuse(world):
    tender = build_tender(world, world.a, published=True)
    offer = _draft(world, tender)  # 2 of each measure, saved
    with authority_scope(world.a):
        first, second = offers.measures_for(tender, None)
        typed = {first.pk: "2", second.pk: " 2.00 "}
        assert offers.offer_value_preview(offer, typed).value == offers.offer_value(offer)
        preview = offers.offer_value_preview(offer, {first.pk: "-1", second.pk: "1.234"})
        assert preview.value.total.gross == 0 and preview.quantities == {}
        assert [why.split(" ", 4)[-1] for _, why in preview.left_out] == [
            "must be 0 or more",
            "must have no more than 2 decimal places",
        ]
        assert offers.offer_value_preview(offer, {first.pk: "1,250"}).quantities == {first.pk: Decimal("1250")}
    for typed, expected in (("", None), (" 12.5 ", Decimal("12.5")), ("1,250", Decimal("1250")), ("1e3", 1000)):
        assert offers.parse_quantity(typed, code="M1") == expected
    for typed in ("twelve", "NaN", "Infinity", "1.005"):
        with pytest.raises(ValueError, match="The quantity for M1"):
            offers.parse_quantity(typed, code="M1")


# Choosing the organisation and the lot ----------------------------------------------------------------------


def test_lot_choice_shows_each_lots_value_and_links_the_lots_already_offered_for(client, world):
    tender = build_tender(world, world.a, published=True, lots=2)
    with authority_scope(world.a):
        lot_1, lot_2 = tender.lots.order_by("number")
    client.force_login(world.supplier_both_user)
    response = client.get(_start_url(tender))
    assert response.status_code == 200
    assert 'type="radio" name="lot"' in _text(response)
    assert _text(response).count("Estimated value £125,000 excluding VAT.") == 2

    response = client.post(_start_url(tender), {"organisation": str(world.supplier_both.pk)})
    assert response.status_code == 422 and "Choose the lot you are offering for" in _text(response)

    response = client.post(_start_url(tender), {"organisation": str(world.supplier_both.pk), "lot": str(lot_2.pk)})
    assert response.status_code == 303
    with authority_scope(world.a):
        offer = Offer.objects.get(tender=tender)
    assert offer.lot_id == lot_2.pk and response["Location"] == _url("offer-edit", offer)
    page = client.get(response["Location"])
    measures, _ = _measures_and_questions(tender, lot_2)
    assert "Your offer for lot 2" in _text(page)
    for measure in measures:
        assert f'name="quantity_{measure.pk}"' in _text(page)

    # Back on the start page: the lot already offered for links to its offer, and choosing it again goes there.
    response = client.get(_start_url(tender))
    assert response.status_code == 200
    assert f'href="{_url("offer-edit", offer)}"' in _text(response)
    assert "Both Ways Ltd already has an offer for this lot" in _text(response)
    again = client.post(_start_url(tender), {"organisation": str(world.supplier_both.pk), "lot": str(lot_2.pk)})
    assert again["Location"] == _url("offer-edit", offer)
    other = client.post(_start_url(tender), {"organisation": str(world.supplier_both.pk), "lot": str(lot_1.pk)})
    with authority_scope(world.a):
        assert Offer.objects.filter(tender=tender).count() == 2
    assert other.status_code == 303


def test_a_member_of_several_suppliers_chooses_which_one_offers(client, world):
    tender = build_tender(world, world.a, published=True)
    second = OrganisationFactory(name="Second Supply Co")
    add_org_member(second, world.supplier_both_user)
    client.force_login(world.supplier_both_user)
    response = client.get(_start_url(tender))
    assert 'type="radio" name="organisation"' in _text(response) and "Second Supply Co" in _text(response)
    response = client.post(_start_url(tender), {})
    assert response.status_code == 422 and "Choose the organisation the offer is from" in _text(response)
    # Another supplier's id is not a choice.
    response = client.post(_start_url(tender), {"organisation": str(world.supplier_one.pk)})
    assert response.status_code == 422 and "approved member of" in _text(response)
    response = client.post(_start_url(tender), {"organisation": str(second.pk)})
    with authority_scope(world.a):
        offer = Offer.objects.get(tender=tender)
    assert offer.organisation == second and response["Location"] == _url("offer-edit", offer)


def test_people_without_a_supplier_are_told_how_to_register_one_and_closed_tenders_say_so(client, world):
    tender = build_tender(world, world.a, published=True)
    response = client.get(_start_url(tender))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:sign-in"))
    client.force_login(world.resident)
    response = client.get(_start_url(tender))
    assert response.status_code == 403
    assert "register a supplier organisation" in _text(response)
    assert reverse("accounts:organisation-create") in _text(response)

    closed = build_tender(world, world.a, closed=True, title="Grass cutting")
    client.force_login(world.supplier_both_user)
    response = client.get(_start_url(closed))
    assert response.status_code == 200 and "This tender is closed for offers" in _text(response)
    assert "The deadline for offers was" in _text(response)
    assert client.post(_start_url(closed), {"organisation": str(world.supplier_both.pk)}).status_code == 422
    public = client.get(reverse("tenders:tender-public", args=[world.a.slug, closed.pk]))
    assert 'id="make-offer"' not in _text(public)
    # A draft tender is not there at all.
    draft = build_tender(world, world.a, title="Not yet")
    assert client.get(_start_url(draft)).status_code == 404


# Who may see an offer -----------------------------------------------------------------------------------------


def test_only_the_suppliers_members_reach_its_offer(client, world):
    tender = build_tender(world, world.a, published=True)
    offer = _draft(world, tender, submit=True)
    urls = [
        _url("offer-edit", offer),
        _url("offer-submit", offer),
        _url("offer-receipt", offer, 1),
        _url("offer-withdraw", offer),
    ]
    outsiders = [
        world.supplier_one_user,  # another supplier
        world.resident,
        world.community_user,
        world.user(world.a, Role.PROCUREMENT_OFFICER),  # the authority's own staff: sealed
        world.user(world.a, Role.ADMIN),
    ]
    for user in outsiders:
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 404, f"{user.email} GET {url}"
            if url != urls[2]:  # the receipt is GET only
                assert client.post(url, {"declaration": "on"}).status_code == 404, f"{user.email} POST {url}"
        assert client.post(_url("offer-value", offer)).status_code == 404
        # The wrong method is refused before anything is looked up, so it says nothing about the offer.
        assert client.get(_url("offer-value", offer)).status_code == 405
        assert client.post(urls[2]).status_code == 405
    with authority_scope(world.a):
        offer.refresh_from_db()
        assert offer.status == OfferStatus.SUBMITTED and offer.submissions.count() == 1

    # The member, under another authority's slug: that authority's scope has no such offer.
    client.force_login(world.supplier_both_user)
    build_tender(world, world.b, published=True)
    for name, args in (
        ("offer-edit", []),
        ("offer-submit", []),
        ("offer-receipt", [1]),
        ("offer-withdraw", []),
        ("offer-value", []),
    ):
        url = reverse(f"tenders:{name}", args=[world.b.slug, offer.pk, *args])
        if name != "offer-receipt":
            assert client.post(url).status_code == 404, url
        if name != "offer-value":
            assert client.get(url).status_code == 404, url
    assert client.get(_url("offer-edit", offer)).status_code == 200


# The deadline -------------------------------------------------------------------------------------------------


def test_after_the_deadline_the_offer_is_read_only_submission_is_refused_and_the_draft_kept(client, world):
    tender = build_tender(world, world.a, published=True)
    offer = _draft(world, tender)
    (first, second), questions = _measures_and_questions(tender)
    with authority_scope(world.a):
        Tender.objects.filter(pk=tender.pk).update(submission_deadline=timezone.now() - timedelta(minutes=1))
    client.force_login(world.supplier_both_user)

    page = client.get(_url("offer-edit", offer))
    assert page.status_code == 200
    assert "The deadline for offers was" in _text(page) and "your draft has been kept" in _text(page)
    assert 'name="price"' not in _text(page) and "Apprentices from Moor End first." in _text(page)

    check = client.get(_url("offer-submit", offer))
    assert check.status_code == 200 and 'name="declaration"' not in _text(check)
    response = client.post(_url("offer-submit", offer), {"declaration": "on"})
    assert response.status_code == 422
    assert "The deadline for offers was" in _text(response) and 'class="govuk-error-summary"' in _text(response)

    # A save sent after the deadline is refused; what was typed comes back, and nothing changes.
    typed = _form([first, second], questions, price="5", **{f"quantity_{first.pk}": "99"})
    response = client.post(_url("offer-edit", offer), typed)
    assert response.status_code == 422
    assert "The deadline for offers was" in _text(response) and 'value="99"' in _text(response)
    assert "Your changes have not been saved" in _text(response) and "Save draft" not in _text(response)
    with authority_scope(world.a):
        offer.refresh_from_db()
        assert offer.status == OfferStatus.DRAFT and offer.price == Decimal("240000")
        assert offer.commitments.count() == 2 and not offer.submissions.exists()
    assert client.post(_url("offer-withdraw", offer)).status_code == 422


# A person's offers, across authorities ------------------------------------------------------------------------


def test_my_offers_lists_only_my_organisations_offers_newest_first_paginated(client, world):
    tender_a = build_tender(world, world.a, published=True, lots=21, title="Many lots")
    with authority_scope(world.a):
        lots = list(tender_a.lots.order_by("number"))
        for lot in lots:
            offers.offer_start(
                tender=tender_a, lot=lot, organisation=world.supplier_both, acting_user=world.supplier_both_user
            )
    tender_b = build_tender(world, world.b, published=True, title="Parks in B")
    newest = _draft(world, tender_b, submit=True)
    other = build_tender(world, world.a, published=True, title="Only for the other supplier")
    _draft(world, other, organisation=world.supplier_one, user=world.supplier_one_user)

    client.force_login(world.supplier_both_user)
    account = client.get(reverse("accounts:account"))
    assert reverse("tenders:my-offers") in _text(account)
    response = client.get(reverse("tenders:my-offers"))
    assert response.status_code == 200
    rows = re.findall(r'<tr class="govuk-table__row" id="offer-(\d+)">', _text(response))
    assert len(rows) == 20 and rows[0] == str(newest.pk)
    assert "Parks in B" in _text(response) and world.b.name in _text(response)
    assert "Only for the other supplier" not in _text(response) and "Only A Services" not in _text(response)
    assert 'class="govuk-pagination"' in _text(response)
    with authority_scope(world.b):
        receipt = newest.submissions.get().receipt
    assert receipt[:8] in _text(response) and _url("offer-receipt", newest, 1) in _text(response)
    second_page = client.get(reverse("tenders:my-offers"), {"page": 2})
    assert len(re.findall(r'id="offer-\d+"', _text(second_page))) == 2

    client.force_login(world.resident)
    empty = client.get(reverse("tenders:my-offers"))
    assert empty.status_code == 200 and 'id="no-offers"' in _text(empty)
    assert reverse("tenders:tender-list-public") in _text(empty)


# Query count ----------------------------------------------------------------------------------------------------


def _big_tender(world):
    """A published tender asking for 12 measures and 8 questions."""
    _, version = build_charter(world, world.a, title="Big charter", measures_per_outcome=6)
    version = adopt_without_consultation(world, world.a, version)
    tender = build_tender(world, world.a, published=True, charter_version=version, title="Big")
    with authority_scope(world.a):
        asked = set(RelevantMeasure.objects.filter(tender=tender).values_list("charter_measure_id", flat=True))
        for measure in version.measures.exclude(pk__in=asked):
            RelevantMeasure.objects.create(
                authority=world.a, tender=tender, charter_measure=measure, reason="Relevant", weight=Decimal("5")
            )
        for number in range(6):
            Question.objects.create(
                authority=world.a,
                tender=tender,
                kind=QuestionKind.SOCIAL_VALUE,
                position=10 + number,
                text=f"Extra question {number}",
                weight=Decimal("10"),
            )
    return tender


def test_offer_page_queries_do_not_grow_with_measures_questions_or_answers(
    client, world, django_assert_max_num_queries
):
    small = _draft(world, build_tender(world, world.a, published=True))
    big_tender = _big_tender(world)
    big = _draft(world, big_tender)
    measures, questions = _measures_and_questions(big_tender)
    assert len(measures) == 12 and len(questions) == 8
    client.force_login(world.supplier_both_user)
    for name in ("offer-edit", "offer-submit"):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(_url(name, small)).status_code == 200
        assert len(queries) <= 20, f"{name}: {len(queries)} queries"
        with django_assert_max_num_queries(len(queries)):
            response = client.get(_url(name, big))
        assert response.status_code == 200
        assert response.content.decode().count("Apprentices from Moor End first.") == 12
