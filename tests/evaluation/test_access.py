"""An evaluator reads an opened tender's offers only from its panel, after declaring; refusals are audited."""

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from accounts.roles import Role
from accounts.scoping import authority_scope
from evaluation import services
from tests.evaluation.factories import build_evaluation, build_opened_tender

pytestmark = pytest.mark.django_db


def test_evaluators_read_offers_only_from_the_panel_once_cleared(client, world):
    tender, (offer, _) = build_opened_tender(world, world.a)
    url = reverse("tenders:offer-detail", args=[world.a.slug, offer.pk])
    client.force_login(world.user(world.a, Role.EVALUATOR))
    assert client.get(url).status_code == 403  # opened, but not on a panel
    _, (member, _) = build_evaluation(world, tender, declare=False)
    refused = client.get(url)
    assert refused.status_code == 403 and b"Bidder 1 hires locally" not in refused.content
    with authority_scope(world.a):
        services.declaration_make(member=member, acting_user=member.user, has_interest=True, interest="A friend")
    assert client.get(url).status_code == 403  # a declared interest awaits the officer's decision
    with authority_scope(world.a):
        services.conflict_decide(
            member=member,
            acting_user=world.user(world.a, Role.PROCUREMENT_OFFICER),
            decision="allowed",
            note="Scores pricing only",
        )
    opened = client.get(url)
    assert opened.status_code == 200 and b"Bidder 1 hires locally" in opened.content
    with authority_scope(world.a):
        reasons = [e.changes.get("reason", "") for e in AuditEvent.objects.filter(verb="offer.access_refused")]
    assert any("panel" in reason for reason in reasons) and any("Declare" in reason for reason in reasons)
    # Procurement officers read by their own role, panel or not.
    client.force_login(world.user(world.a, Role.PROCUREMENT_OFFICER))
    assert client.get(url).status_code == 200
