"""The staff tender page leads to the evaluation once the offers are opened."""

import pytest
from django.urls import reverse

from accounts.roles import Role
from tests.evaluation.factories import build_evaluation, build_opened_tender
from tests.tenders.factories import build_tender

pytestmark = pytest.mark.django_db


def _page(client, world, role, tender):
    client.force_login(world.user(world.a, role))
    return client.get(reverse("tenders:tender-detail", args=[world.a.slug, tender.pk])).content.decode()


def test_the_tender_page_offers_to_start_the_evaluation_then_links_to_it(client, world):
    sealed = build_tender(world, world.a, published=True)
    assert "Start the evaluation" not in _page(client, world, Role.PROCUREMENT_OFFICER, sealed)
    tender, _ = build_opened_tender(world, world.a)
    start = reverse("evaluation:start", args=[world.a.slug, tender.pk])
    assert start in _page(client, world, Role.PROCUREMENT_OFFICER, tender)
    assert start not in _page(client, world, Role.EVALUATOR, tender)
    evaluation, _ = build_evaluation(world, tender)
    overview = reverse("evaluation:overview", args=[world.a.slug, evaluation.pk])
    assert overview in _page(client, world, Role.EVALUATOR, tender)
    assert overview not in _page(client, world, Role.CONTRACT_MANAGER, tender)
