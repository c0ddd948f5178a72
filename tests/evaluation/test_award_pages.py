"""Award and standstill pages: no award before moderation is finalised; the highest-ranked offer pre-selected, a
non-winner and missing reasons refused; the standstill end date counts England and Wales bank holidays;
confirmation is refused until standstill has ended, then marks the tender awarded; lots are awarded one by one."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from accounts.scoping import authority_scope
from evaluation import selectors, services
from evaluation.models import Award
from evaluation.standstill import standstill_ends_on
from tenders import offers as offer_services
from tenders.models import Tender, TenderStatus
from tenders.services import tender_close
from tests.evaluation.factories import (
    _bidder,
    build_evaluation,
    build_opened_tender,
    moderate_everything,
    score_everything,
)
from tests.tenders.factories import build_tender

pytestmark = pytest.mark.django_db


def _url(name, authority, *args):
    return reverse(f"evaluation:{name}", args=[authority.slug, *args])


def _finalised(world, *, bids=2, agreed=lambda o, q: 4 - o):
    tender, offers = build_opened_tender(world, world.a, bids=bids)
    evaluation, members = build_evaluation(world, tender)
    score_everything(evaluation, members, lambda m, o, q: 3)
    return moderate_everything(evaluation, members, agreed), offers


def _officer(client, world):
    officer = world.user(world.a, Role.PROCUREMENT_OFFICER)
    client.force_login(officer)
    return officer


def test_no_award_before_moderation_is_finalised(client, world):
    tender, offers = build_opened_tender(world, world.a)
    evaluation, _ = build_evaluation(world, tender)
    _officer(client, world)
    url = _url("award", world.a, evaluation.pk)
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "You can decide the award once the moderator has finalised moderation" in html
    assert "2 evaluators are still scoring." in html
    assert "Bidder 1 Ltd" not in html
    response = client.post(url, {"offer": offers[0].pk, "reasons": "Cheapest."})
    assert response.status_code == 200
    with authority_scope(world.a):
        assert not Award.objects.exists()


def test_the_award_goes_to_the_highest_ranked_offer_with_reasons(client, world):
    evaluation, (winner, loser) = _finalised(world)
    _officer(client, world)
    url = _url("award", world.a, evaluation.pk)
    html = client.get(url).content.decode()
    assert "The highest-ranked offer is from <strong>Bidder 1 Ltd</strong>" in html
    checked = re.search(r'<input type="radio"[^>]*checked[^>]*>', html).group(0)
    assert f'value="{winner.pk}"' in checked
    assert "Ranked 1:" in html and "Ranked 2:" in html

    response = client.post(url, {"offer": loser.pk, "reasons": "Local firm."})
    assert response.status_code == 422
    html = response.content.decode()
    assert "The award goes to the highest-ranked offer." in html
    assert "govuk-form-group--error" in html and "Local firm." in html
    response = client.post(url, {"offer": winner.pk, "reasons": "  "})
    assert response.status_code == 422
    assert "Give the reasons for the award" in response.content.decode()
    with authority_scope(world.a):
        assert not Award.objects.exists()

    today = timezone.localdate()
    response = client.post(url, {"offer": winner.pk, "reasons": "Best value: cheapest and best answers."})
    assert response.status_code == 303 and response["Location"] == url
    with authority_scope(world.a):
        award = Award.objects.get(evaluation=evaluation)
        expected = standstill_ends_on(today, services.holidays())
    assert (award.offer_id, award.standstill_ends_on) == (winner.pk, expected)
    html = client.get(url).content.decode()
    assert "The award to Bidder 1 Ltd is decided." in html
    assert (
        f"Standstill ends at midnight at the end of {expected:%A %-d %B %Y}; you can confirm the award from "
        f"{expected + timedelta(days=1):%A %-d %B %Y}." in html
    )
    assert "Best value: cheapest and best answers." in html
    assert "Bidder 2 Ltd" in html.split('id="summaries"')[1]  # every assessed bidder's summary is listed


def test_the_standstill_date_skips_bank_holidays(client, world):
    evaluation, (winner, _) = _finalised(world)
    officer = _officer(client, world)
    with authority_scope(world.a):
        # Decided on Friday 18 December 2026: Christmas Day, Boxing Day (substitute, Monday 28) and New Year's Day
        # do not count, so the 8th working day is Monday 4 January 2027.
        award = services.award_decide(
            evaluation=evaluation, lot=None, offer=winner, reasons="Top", acting_user=officer, today=date(2026, 12, 18)
        )
    assert award.standstill_ends_on == date(2027, 1, 4)
    html = client.get(_url("award", world.a, evaluation.pk)).content.decode()
    assert (
        "Standstill ends at midnight at the end of Monday 4 January 2027; you can confirm the award from "
        "Tuesday 5 January 2027." in html
    )


def test_confirmation_waits_for_the_end_of_standstill(client, world):
    evaluation, (winner, _) = _finalised(world)
    officer = _officer(client, world)
    with authority_scope(world.a):
        award = services.award_decide(evaluation=evaluation, lot=None, offer=winner, reasons="Top", acting_user=officer)
    url = _url("award-confirm", world.a, award.pk)
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "You cannot confirm the award to Bidder 1 Ltd yet." in html
    assert f"Standstill ends at midnight at the end of {award.standstill_ends_on:%A %-d %B %Y}" in html
    assert "Confirm the award</button>" not in html
    response = client.post(url)
    assert response.status_code == 422
    assert f"Standstill ends on {award.standstill_ends_on:%-d %B %Y}" in response.content.decode()
    with authority_scope(world.a):
        award.refresh_from_db()
        assert award.confirmed_at is None

    # Standstill over (yesterday was its last day): confirm.
    with authority_scope(world.a):
        Award.objects.filter(pk=award.pk).update(standstill_ends_on=timezone.localdate() - timedelta(days=1))
    html = client.get(url).content.decode()
    assert "Confirm the award</button>" in html and "Confirming cannot be undone" in html
    response = client.post(url)
    assert response.status_code == 303
    assert response["Location"] == _url("award", world.a, evaluation.pk)
    html = client.get(response["Location"]).content.decode()
    assert "The award to Bidder 1 Ltd is confirmed" in html and "The tender is now awarded." in html
    with authority_scope(world.a):
        award.refresh_from_db()
        tender = Tender.objects.get(pk=evaluation.tender_id)
    assert award.confirmed_at is not None and award.contract_terms["supplier"] == "Bidder 1 Ltd"
    assert tender.status == TenderStatus.AWARDED
    tender_page = client.get(reverse("tenders:tender-detail", args=[world.a.slug, tender.pk])).content.decode()
    assert ">Awarded</strong>" in tender_page and "Awarded: every award has been confirmed" in tender_page
    # Confirmed once only.
    assert "was confirmed at" in client.get(url).content.decode()


def test_only_procurement_officers_decide(client, world):
    evaluation, _ = _finalised(world)
    for role in (Role.EVALUATOR, Role.COMMISSIONER):
        client.force_login(world.user(world.a, role))
        assert client.get(_url("award", world.a, evaluation.pk)).status_code == 403


# Lots ----------------------------------------------------------------------------------------------------------


def _opened_lot_tender(world):
    """A tender with two lots and two bids on each (Bidder 1 and Bidder 2), closed and opened."""
    tender = build_tender(world, world.a, published=True, lots=2, now=timezone.now() - timedelta(days=31))
    during = tender.published_at + timedelta(days=1)
    officer = world.user(world.a, Role.PROCUREMENT_OFFICER)
    with authority_scope(world.a):
        questions = list(tender.questions.all())
        for lot in tender.lots.order_by("number"):
            for index in range(2):
                supplier, user = _bidder(index)
                offer = offer_services.offer_start(
                    tender=tender, lot=lot, organisation=supplier, acting_user=user, now=during
                )
                offer_services.offer_update(
                    offer=offer,
                    acting_user=user,
                    price=Decimal(100000 + 5000 * index),
                    commitments={
                        m.pk: offer_services.CommitmentInput(quantity=Decimal(index + 1), narrative="Local hires.")
                        for m in offer_services.measures_for(tender, lot)
                    },
                    answers={q.pk: f"Lot {lot.number} method from bidder {index + 1}." for q in questions},
                    now=during,
                )
                offer_services.offer_submit(offer=offer, acting_user=user, now=during)
        tender_close(tender=tender, acting_user=officer)
        Tender.objects.filter(pk=tender.pk).update(offers_opened_at=timezone.now(), offers_opened_by=officer)
        tender.refresh_from_db()
    return tender


def test_each_lot_is_awarded_on_its_own(client, world):
    tender = _opened_lot_tender(world)
    evaluation, members = build_evaluation(world, tender)
    score_everything(evaluation, members, lambda m, o, q: 3)
    # Offers are ordered by supplier: Bidder 1 (lot 1), Bidder 1 (lot 2), Bidder 2, Bidder 2.
    evaluation = moderate_everything(evaluation, members, lambda o, q: 5 if o < 2 else 1)
    _officer(client, world)
    url = _url("award", world.a, evaluation.pk)
    html = client.get(url).content.decode()
    assert "Lot 1: Lot 1: area 1" in html and "Lot 2: Lot 2: area 2" in html
    assert html.count("Not decided") == 2
    assert client.get(url + "?lot=9").status_code == 404

    response = client.get(url + "?lot=1")
    html = response.content.decode()
    assert "Decide the award of lot 1" in html
    with authority_scope(world.a):
        lot1 = tender.lots.get(number=1)
        ranked = selectors.results(evaluation, lot1).rows
    assert len(ranked) == 2 and all(row.offer.lot_id == lot1.pk for row in ranked)
    response = client.post(url, {"lot": "1", "offer": ranked[0].offer.pk, "reasons": "Best for area 1."})
    assert response.status_code == 303 and response["Location"] == url + "?lot=1"
    html = client.get(url).content.decode()
    assert "Awarded to Bidder 1 Ltd" in html and html.count("Not decided") == 1

    with authority_scope(world.a):
        award = Award.objects.get(evaluation=evaluation, lot=lot1)
        Award.objects.filter(pk=award.pk).update(standstill_ends_on=timezone.localdate() - timedelta(days=1))
    response = client.post(_url("award-confirm", world.a, award.pk), follow=True)
    html = response.content.decode()
    assert "is confirmed" in html and "The tender is now awarded." not in html
    with authority_scope(world.a):
        assert Tender.objects.get(pk=tender.pk).status == TenderStatus.CLOSED
