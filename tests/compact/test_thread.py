"""The golden thread: from a contract commitment back through the tender's relevant measure and the charter to the
consultation comments whose answers changed it; and forward, on the commenter's account, to what was delivered."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from accounts.scoping import authority_scope
from charters import consultation
from charters.models import ResponseOutcome
from charters.services import version_adopt
from compact import thread
from tests.charters.factories import build_charter, open_consultation
from tests.compact.test_tracker import build_tracked_contract
from tests.tenders.factories import build_tender, charter_measures

pytestmark = pytest.mark.django_db

CHANGE = "Measure M1-1-1 moved from Theme 1 to Theme 2, where the jobs it counts belong."


def _comment(world, authority, consult, *, user, section, item=None, text, organisation=None, today):
    commissioner = world.user(authority, Role.COMMISSIONER)
    with authority_scope(authority):
        comment = consultation.comment_create(
            consultation=consult,
            acting_user=user,
            section=section,
            item=item,
            text=text,
            organisation=organisation,
            today=today,
        )
        return consultation.comment_moderate(comment=comment, acting_user=commissioner, decision="published")


def _answer(world, authority, comment, *, outcome=ResponseOutcome.ACCEPTED, change_made=""):
    with authority_scope(authority):
        consultation.comment_respond(
            comment=comment,
            acting_user=world.user(authority, Role.COMMISSIONER),
            outcome=outcome,
            text="Thank you: we agree.",
            change_made=change_made,
        )


def build_consulted_contract(world, authority):
    """A charter consulted on (a community group's comment on measure M1-1-1 changed its theme; a resident's noted
    comment and a change to Theme 2 did not touch it), adopted, pinned by a tender, and a contract from it."""
    _, version = build_charter(world, authority, title="Consulted charter")
    today = timezone.localdate() - timedelta(weeks=14)
    consult = open_consultation(world, authority, version, today=today)
    measures = charter_measures(authority, version)
    with authority_scope(authority):
        theme_two = version.themes.order_by("position")[1]
    changed = _comment(
        world,
        authority,
        consult,
        user=world.community_user,
        organisation=world.community_group,
        section="measure",
        item=measures[0],
        text="Local jobs are about the economy, not the environment: move this measure.",
        today=today,
    )
    _answer(world, authority, changed, change_made=CHANGE)
    noted = _comment(
        world,
        authority,
        consult,
        user=world.resident,
        section="measure",
        item=measures[0],
        text="Noted only",
        today=today,
    )
    _answer(world, authority, noted, outcome=ResponseOutcome.NOTED)
    elsewhere = _comment(
        world, authority, consult, user=world.resident, section="theme", item=theme_two, text="Raise it", today=today
    )
    _answer(world, authority, elsewhere, change_made="Theme 2's weight raised")
    with authority_scope(authority):
        version = version_adopt(version=version, acting_user=world.user(authority, Role.COMMISSIONER))
    tender = build_tender(world, authority, published=True, charter_version=version)
    with authority_scope(authority):
        relevant = list(tender.relevant_measures.order_by("id"))
    tracked = build_tracked_contract(
        world,
        authority,
        reference="GT-1",
        title="Youth employment contract",
        tender=tender,
        relevant_measures=relevant,
        charter_version=version,
    )
    return tracked, changed, noted, elsewhere, tender


def test_the_thread_runs_from_commitment_to_the_comment_that_changed_the_measure(client, world):
    tracked, changed, _, _, tender = build_consulted_contract(world, world.a)
    commitment = tracked.commitments[0]
    with authority_scope(world.a):
        found = thread.thread_get(world.a, commitment.pk)
    assert [item.comment.pk for item in found.comments] == [changed.pk]
    assert found.comments[0].speaker == "A Residents Forum"
    assert found.comments[0].about == "Measure M1-1-1: Measure 1.1.1"

    client.force_login(world.user(world.a, Role.EVALUATOR))
    response = client.get(reverse("compact:thread", args=[world.a.slug, commitment.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert tender.reference in html
    assert "The contract employs people locally, so measure 1.1.1 follows from the work." in html
    assert "Consulted charter, version 1" in html
    assert CHANGE in html and "Local jobs are about the economy" in html
    assert "Noted only" not in html and "Raise it" not in html
    assert world.community_user.full_name not in html


def test_the_second_commitment_follows_the_theme_comment(world):
    tracked, _, _, elsewhere, _ = build_consulted_contract(world, world.a)
    with authority_scope(world.a):
        found = thread.thread_get(world.a, tracked.commitments[1].pk)
    # Measure 2 sits under Theme 2, whose weight the resident's comment changed; the resident is not named.
    assert [(item.comment.pk, item.speaker) for item in found.comments] == [(elsewhere.pk, "A resident")]


def test_a_contract_without_tender_or_comments_has_a_short_thread(client, world):
    tracked = build_tracked_contract(world, world.a)
    client.force_login(world.user(world.a, Role.CONTRACT_MANAGER))
    html = client.get(reverse("compact:thread", args=[world.a.slug, tracked.commitments[0].pk])).content.decode()
    assert 'id="no-tender"' in html and 'id="no-thread-comments"' in html


def test_another_authoritys_commitment_answers_404(client, world):
    tracked = build_tracked_contract(world, world.b, reference="TR-B")
    client.force_login(world.user(world.a, Role.CONTRACT_MANAGER))
    assert client.get(reverse("compact:thread", args=[world.a.slug, tracked.commitments[0].pk])).status_code == 404


def test_you_said_we_did_shows_what_was_delivered(client, world):
    tracked, changed, *_ = build_consulted_contract(world, world.a)
    client.force_login(world.community_user)
    response = client.get(reverse("compact:my-thread"))
    assert response.status_code == 200
    (entry,) = response.context["entries"]
    assert entry.comment.comment.pk == changed.pk
    (delivered,) = entry.contracts
    assert delivered.contract.pk == tracked.contract.pk
    assert [row.verified for row in delivered.commitments] == [Decimal("7")]
    html = response.content.decode()
    assert CHANGE in html and "Youth employment contract" in html and "7 full-time equivalent jobs" in html
    assert reverse("compact:tracker-contract", args=[world.a.slug, tracked.contract.pk]) in html


def test_you_said_we_did_has_an_empty_state_and_needs_sign_in(client, world):
    build_consulted_contract(world, world.a)
    url = reverse("compact:my-thread")
    assert client.get(url).status_code == 302
    client.force_login(world.user(world.a, Role.EVALUATOR))
    response = client.get(url)
    assert response.status_code == 200 and 'id="nothing-delivered"' in response.content.decode()
    client.force_login(world.resident)  # their comment changed Theme 2, which the second commitment is under
    response = client.get(url)
    (entry,) = response.context["entries"]
    assert [c.contract.title for c in entry.contracts] == ["Youth employment contract"]
