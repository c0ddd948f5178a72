"""Starting an evaluation, its overview, forming the panel, and conflicts of interest, through the client: the
officer starts and forms the panel; an evaluator declares; a declared interest blocks the offers until the officer
decides; an excluded evaluator never sees offer content."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from accounts.roles import Role
from accounts.scoping import authority_scope
from evaluation.models import ConflictDecision, Declaration, Evaluation, PanelMember
from tests.evaluation.factories import build_evaluation, build_opened_tender, second_evaluator
from tests.factories import MembershipFactory, UserFactory
from tests.tenders.factories import build_tender

pytestmark = pytest.mark.django_db

OFFER_CONTENT = ("Bidder 1's method.", "Bidder 1 hires locally.", "200,000")


def _url(world, name, *args):
    return reverse(f"evaluation:{name}", args=[world.a.slug, *args])


def _page(response) -> str:
    return response.content.decode()


def _assert_no_offer_content(response):
    page = _page(response)
    for text in OFFER_CONTENT:
        assert text not in page


# Starting ---------------------------------------------------------------------------------------------------------


def test_starting_before_the_offers_are_opened_explains_why(client, world):
    tender = build_tender(world, world.a, published=True)
    client.force_login(world.user(world.a, Role.PROCUREMENT_OFFICER))
    for method in (client.get, client.post):
        response = method(_url(world, "start", tender.pk))
        assert response.status_code == 200
        page = _page(response)
        assert "The evaluation cannot start yet" in page
        assert "Offers are sealed until the submission deadline" in page
        assert "Start the evaluation</button>" not in page
    with authority_scope(world.a):
        assert not Evaluation.objects.exists()


def test_starting_chooses_the_formulas_and_the_share_for_commitments(client, world):
    tender, _ = build_opened_tender(world, world.a)
    client.force_login(world.user(world.a, Role.PROCUREMENT_OFFICER))
    url = _url(world, "start", tender.pk)
    page = _page(client.get(url))
    assert "Price score = lowest price ÷ this offer&#x27;s price × the price weighting." in page
    assert "Equal totals are ranked by the higher quality score." in page
    assert 'value="50"' in page

    response = client.post(url, {"price_formula": "lowest_ratio", "tie_break": "price", "commitments_share": "150"})
    assert response.status_code == 422
    page = _page(response)
    assert "<title>Error: " in page
    assert 'href="#id_commitments_share"' in page
    assert "The share for commitments must be from 0% to 100%" in page
    assert 'value="150"' in page
    with authority_scope(world.a):
        assert not Evaluation.objects.exists()

    response = client.post(url, {"price_formula": "linear_deduction", "tie_break": "price", "commitments_share": "40"})
    assert response.status_code == 303
    with authority_scope(world.a):
        evaluation = Evaluation.objects.get(tender=tender)
    assert response["Location"] == _url(world, "panel", evaluation.pk)
    assert (evaluation.price_formula, evaluation.tie_break, evaluation.commitments_share) == (
        "linear_deduction",
        "price",
        Decimal("40"),
    )
    # Once started, the start page leads to the overview.
    response = client.get(url)
    assert (response.status_code, response["Location"]) == (303, _url(world, "overview", evaluation.pk))
    overview = _page(client.get(response["Location"]))
    assert "each 1% above the lowest price loses 1% of the price marks" in overview
    assert "Equal totals are ranked by the lower price." in overview
    assert "40% of the social value weighting" in overview
    assert 'id="step-add"' in overview


# The panel --------------------------------------------------------------------------------------------------------


def test_the_officer_adds_evaluators_and_sets_the_moderator(client, world):
    tender, _ = build_opened_tender(world, world.a)
    officer = world.user(world.a, Role.PROCUREMENT_OFFICER)
    client.force_login(officer)
    client.post(
        _url(world, "start", tender.pk),
        {"price_formula": "lowest_ratio", "tie_break": "quality", "commitments_share": "50"},
    )
    with authority_scope(world.a):
        evaluation = Evaluation.objects.get(tender=tender)
    evaluator, second = world.user(world.a, Role.EVALUATOR), second_evaluator(world, world.a)
    url = _url(world, "panel", evaluation.pk)

    page = _page(client.get(url))
    assert evaluator.full_name in page and second.full_name in page
    assert world.user(world.a, Role.COMMISSIONER).full_name not in page  # not an evaluator
    assert world.user(world.b, Role.EVALUATOR).email not in page  # another authority's
    assert "Add evaluators to the panel first" in page

    response = client.post(url, {"action": "add", "user": str(world.user(world.b, Role.EVALUATOR).pk)})
    assert response.status_code == 422
    assert "Choose one of the authority&#x27;s evaluators who is not on the panel yet" in _page(response)
    response = client.post(url, {"action": "add"})
    assert response.status_code == 422
    assert "Choose an evaluator to add" in _page(response)

    for user in (evaluator, second):
        response = client.post(url, {"action": "add", "user": str(user.pk)})
        assert (response.status_code, response["Location"]) == (303, url)
    with authority_scope(world.a):
        members = {m.user_id: m for m in PanelMember.objects.filter(evaluation=evaluation)}
    assert set(members) == {evaluator.pk, second.pk}

    # Everyone is on the panel: an empty state, and only admins can invite staff.
    page = _page(client.get(url))
    assert "Every evaluator of Authority A Borough Council is on this panel." in page
    assert "Ask an authority admin to invite staff with the evaluator role" in page

    response = client.post(url, {"action": "moderator"})
    assert response.status_code == 422
    assert "Choose the moderator" in _page(response)
    response = client.post(url, {"action": "moderator", "moderator": str(members[second.pk].pk)})
    assert response.status_code == 303
    evaluation.refresh_from_db()
    assert evaluation.moderator == second
    with authority_scope(world.a):
        verbs = list(AuditEvent.objects.filter(verb__startswith="evaluation.").values_list("verb", flat=True))
    assert verbs.count("evaluation.panel_member_added") == 2 and "evaluation.moderator_set" in verbs

    overview = _page(client.get(_url(world, "overview", evaluation.pk)))
    assert 'id="panel"' in overview
    assert overview.count("Not yet declared") == 2
    assert "2 evaluators are still scoring" in overview


def test_an_excluded_evaluator_cannot_be_chosen_as_moderator(client, world):
    tender, _ = build_opened_tender(world, world.a)
    evaluation, (first, second) = build_evaluation(world, tender, declare=False)
    officer = world.user(world.a, Role.PROCUREMENT_OFFICER)
    client.force_login(second.user)
    client.post(_url(world, "declaration", evaluation.pk), {"has_interest": "yes", "interest": "I own shares."})
    client.force_login(officer)
    client.post(_url(world, "conflict-decide", second.pk), {"decision": "excluded", "note": "Shareholder."})
    page = _page(client.get(_url(world, "panel", evaluation.pk)))
    assert "(excluded for a conflict of interest)" in page
    assert f'value="{second.pk}"' not in page
    response = client.post(_url(world, "panel", evaluation.pk), {"action": "moderator", "moderator": str(second.pk)})
    assert response.status_code == 422
    evaluation.refresh_from_db()
    assert evaluation.moderator == first.user


def test_an_empty_panel_page_links_admins_to_invitations(client, world):
    tender, _ = build_opened_tender(world, world.a)
    admin_officer = UserFactory(email="both@authority-a.example.org", full_name="Both Roles")
    MembershipFactory(authority=world.a, user=admin_officer, role=Role.ADMIN)
    MembershipFactory(authority=world.a, user=admin_officer, role=Role.PROCUREMENT_OFFICER)
    evaluation, _ = build_evaluation(world, tender)
    client.force_login(admin_officer)
    page = _page(client.get(_url(world, "panel", evaluation.pk)))
    assert "Every evaluator of Authority A Borough Council is on this panel." in page
    assert f'href="{reverse("accounts:member-invite", args=[world.a.slug])}"' in page


# Declarations and decisions ---------------------------------------------------------------------------------------


def test_declared_interest_blocks_the_offers_until_the_officer_allows(client, world):
    tender, offers = build_opened_tender(world, world.a, bids=2)
    evaluation, (first, _) = build_evaluation(world, tender, declare=False)
    evaluator = first.user
    client.force_login(evaluator)

    # Before declaring: no offer content, and the way to declare.
    for name, arg in (("scoring", evaluation.pk), ("score-offer", offers[0].pk), ("scores-submit", evaluation.pk)):
        response = client.get(_url(world, name, arg))
        assert response.status_code == 403, name
        assert "Declare any conflict of interest first" in _page(response)
        _assert_no_offer_content(response)

    url = _url(world, "declaration", evaluation.pk)
    page = _page(client.get(url))
    assert "Bidder 1 Ltd" in page and "Bidder 2 Ltd" in page
    # The interest box follows the radio that reveals it; without JavaScript it is simply shown.
    assert 'data-app-reveals="conditional-interest"' in page and 'id="conditional-interest"' in page
    radios = re.findall(r'<input[^>]*name="has_interest"[^>]*>', page)
    assert len(radios) == 2
    assert not any("aria-controls" in radio for radio in radios)  # GOV.UK Frontend would add aria-expanded

    response = client.post(url, {"has_interest": "yes", "interest": "  "})
    assert response.status_code == 422
    page = _page(response)
    assert 'href="#id_interest"' in page
    assert "Describe the interest: who it involves and how" in page
    response = client.post(url, {})
    assert response.status_code == 422
    assert "Choose whether you have an interest to declare" in _page(response)
    first.refresh_from_db()
    assert first.declaration == Declaration.PENDING

    response = client.post(url, {"has_interest": "yes", "interest": "My brother works at Bidder 2 Ltd."})
    assert (response.status_code, response["Location"]) == (303, _url(world, "overview", evaluation.pk))
    first.refresh_from_db()
    assert (first.declaration, first.interest) == (Declaration.DECLARED, "My brother works at Bidder 2 Ltd.")

    response = client.get(_url(world, "scoring", evaluation.pk))
    assert response.status_code == 403
    assert "Your declared interest awaits a decision" in _page(response)
    _assert_no_offer_content(client.get(_url(world, "score-offer", offers[0].pk)))
    assert 'id="step-waiting"' in _page(client.get(_url(world, "overview", evaluation.pk)))

    # Withdrawing it would lift the block without a decision: refused.
    response = client.post(url, {"has_interest": "no"})
    assert response.status_code == 422
    assert "only the procurement officer&#x27;s decision settles it" in _page(response)
    first.refresh_from_db()
    assert first.declaration == Declaration.DECLARED

    # The officer reads the interest and decides.
    client.force_login(world.user(world.a, Role.PROCUREMENT_OFFICER))
    overview = _page(client.get(_url(world, "overview", evaluation.pk)))
    assert "Awaiting a decision" in overview
    assert _url(world, "conflict-decide", first.pk) in overview
    decide = _url(world, "conflict-decide", first.pk)
    page = _page(client.get(decide))
    assert "My brother works at Bidder 2 Ltd." in page
    assert "They are the moderator." in page
    response = client.post(decide, {"decision": "allowed", "note": ""})
    assert response.status_code == 422
    assert "Record the mitigation" in _page(response)
    response = client.post(decide, {"note": "Something"})
    assert response.status_code == 422
    assert "Choose whether to allow or exclude the evaluator" in _page(response)
    response = client.post(decide, {"decision": "allowed", "note": "Scores Bidder 2 Ltd with a second reader."})
    assert (response.status_code, response["Location"]) == (303, _url(world, "overview", evaluation.pk))
    first.refresh_from_db()
    assert (first.decision, first.decided_by) == (
        ConflictDecision.ALLOWED,
        world.user(world.a, Role.PROCUREMENT_OFFICER),
    )

    client.force_login(evaluator)
    response = client.get(_url(world, "scoring", evaluation.pk))
    assert response.status_code == 200
    assert "Bidder 1 Ltd" in _page(response)
    assert "Bidder 1&#x27;s method." in _page(client.get(_url(world, "score-offer", offers[0].pk)))
    with authority_scope(world.a):
        verbs = set(AuditEvent.objects.values_list("verb", flat=True))
    assert {"evaluation.declaration_made", "evaluation.conflict_decided"} <= verbs


def test_an_excluded_evaluator_gets_403_with_no_offer_content(client, world):
    tender, offers = build_opened_tender(world, world.a, bids=2)
    evaluation, (_, second) = build_evaluation(world, tender, declare=False)
    client.force_login(second.user)
    client.post(_url(world, "declaration", evaluation.pk), {"has_interest": "yes", "interest": "Former director."})
    client.force_login(world.user(world.a, Role.PROCUREMENT_OFFICER))
    response = client.post(
        _url(world, "conflict-decide", second.pk), {"decision": "excluded", "note": "Too close to Bidder 1 Ltd."}
    )
    assert response.status_code == 303

    client.force_login(second.user)
    for name, arg in (("scoring", evaluation.pk), ("score-offer", offers[0].pk), ("scores-submit", evaluation.pk)):
        for method in (client.get, client.post):
            response = method(_url(world, name, arg))
            assert response.status_code == 403, name
            assert "You have been excluded from this panel" in _page(response)
            _assert_no_offer_content(response)
    page = _page(client.get(_url(world, "declaration", evaluation.pk)))
    assert 'id="excluded"' in page and "Make the declaration" not in page
    assert 'id="step-excluded"' in _page(client.get(_url(world, "overview", evaluation.pk)))


def test_someone_not_on_the_panel_is_refused_with_the_reason(client, world):
    tender, offers = build_opened_tender(world, world.a)
    evaluation, _ = build_evaluation(world, tender)
    outsider = UserFactory(email="outsider@authority-a.example.org", full_name="Out Sider")
    MembershipFactory(authority=world.a, user=outsider, role=Role.EVALUATOR)
    client.force_login(outsider)
    for name, arg in (
        ("declaration", evaluation.pk),
        ("scoring", evaluation.pk),
        ("score-offer", offers[0].pk),
        ("scores-submit", evaluation.pk),
    ):
        response = client.get(_url(world, name, arg))
        assert response.status_code == 403, name
        assert "You are not on this panel" in _page(response)
        _assert_no_offer_content(response)
    assert 'id="step-not-on-panel"' in _page(client.get(_url(world, "overview", evaluation.pk)))


def test_a_decision_page_with_nothing_declared_explains(client, world):
    tender, _ = build_opened_tender(world, world.a)
    _, (first, second) = build_evaluation(world, tender)
    with authority_scope(world.a):
        PanelMember.objects.filter(pk=second.pk).update(declaration=Declaration.PENDING, declared_at=None)
    client.force_login(world.user(world.a, Role.PROCUREMENT_OFFICER))
    response = client.get(_url(world, "conflict-decide", first.pk))
    assert response.status_code == 200
    assert "declared no conflict of interest" in _page(response)
    assert "Record the decision" not in _page(response)
    response = client.post(_url(world, "conflict-decide", first.pk), {"decision": "excluded", "note": "No."})
    assert response.status_code == 200
    first.refresh_from_db()
    assert first.decision == ""
    assert "has not made a declaration yet" in _page(client.get(_url(world, "conflict-decide", second.pk)))
