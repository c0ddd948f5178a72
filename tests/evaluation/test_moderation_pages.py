"""Moderation and results pages: only the moderator sees everyone's scores, and only once every evaluator has
submitted; spreads are flagged with words; agreed scores are saved for a whole offer at once, refused with errors by
field, and every change is audited; finalising lists what is missing; results appear only after finalising and
show the selectors' figures, ties and the rule."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils.html import escape

from accounts.models import AuditEvent
from accounts.roles import Role
from accounts.scoping import authority_scope
from evaluation import selectors, services
from evaluation.models import EvaluationStatus, ModeratedScore, PanelMember, Score
from foundation.errors import DomainError
from tenders.models import RelevantMeasure
from tests.evaluation.factories import (
    build_evaluation,
    build_opened_tender,
    moderate_everything,
    score_everything,
)
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def _url(name, authority, *args):
    return reverse(f"evaluation:{name}", args=[authority.slug, *args])


def _scored(world, *, bids=2, score_for=lambda m, o, q: 3, **options):
    """An evaluation whose two evaluators have scored every offer and submitted; the moderator is members[0]."""
    tender, offers = build_opened_tender(world, world.a, bids=bids, **options)
    evaluation, members = build_evaluation(world, tender)
    score_everything(evaluation, members, score_for)
    return evaluation, members, offers


def _questions(evaluation):
    with authority_scope(evaluation.authority):
        return selectors.questions_for(evaluation.tender)


def _tbody(html: str, offer) -> str:
    """The grid's rows for one offer."""
    match = re.search(rf'<tbody class="govuk-table__body" id="offer-{offer.pk}">(.*?)</tbody>', html, re.S)
    assert match, f"no rows for offer {offer.pk}"
    return match.group(1)


def _agreed_post(questions, values):
    data = {}
    for question, (score, rationale) in zip(questions, values, strict=True):
        data[f"score_{question.pk}"] = score
        data[f"rationale_{question.pk}"] = rationale
    return data


# Who may moderate, and when ------------------------------------------------------------------------------------


def test_moderation_waits_for_every_evaluator_and_shows_nobodys_scores(client, world):
    tender, (offer, _) = build_opened_tender(world, world.a)
    evaluation, (moderator, second) = build_evaluation(world, tender)
    # The second evaluator scores and submits; the moderator has not submitted yet.
    with authority_scope(world.a):
        for each in selectors.evaluable_offers(tender):
            for question in selectors.questions_for(tender):
                services.score_record(
                    member=second,
                    offer=each[0],
                    question=question,
                    score=Decimal(2),
                    rationale="SECOND-EVALUATOR-SECRET",
                    acting_user=second.user,
                )
        services.scores_submit(member=second, acting_user=second.user)
    client.force_login(moderator.user)
    for url in (
        _url("moderation", world.a, evaluation.pk),
        _url("moderate-offer", world.a, offer.pk),
        _url("finalise", world.a, evaluation.pk),
    ):
        response = client.get(url)
        html = response.content.decode()
        assert response.status_code == 200, url
        assert "Still scoring (1)" in html
        assert moderator.user.full_name in html
        assert second.user.full_name not in html.split('id="still-scoring-names"')[1].split("</ul>")[0]
        assert "SECOND-EVALUATOR-SECRET" not in html
        assert 'id="moderation-grid"' not in html
    response = client.post(_url("finalise", world.a, evaluation.pk))
    assert response.status_code == 422
    with authority_scope(world.a):
        assert not ModeratedScore.objects.exists()
        assert evaluation.__class__.objects.get(pk=evaluation.pk).status == EvaluationStatus.SCORING


def test_only_the_declared_moderator_may_moderate(client, world):
    evaluation, (moderator, second), (offer, _) = _scored(world)
    urls = [
        _url("moderation", world.a, evaluation.pk),
        _url("moderate-offer", world.a, offer.pk),
        _url("finalise", world.a, evaluation.pk),
    ]
    outsider = UserFactory(email="outsider@authority-a.example.org", full_name="Olive Outsider")
    MembershipFactory(authority=world.a, user=outsider, role=Role.EVALUATOR)
    for user, reason in (
        (second.user, f"Only the moderator, {moderator.user.full_name}, moderates this evaluation"),
        (outsider, "You are not on the panel for this evaluation"),
    ):
        client.force_login(user)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 403, url
            html = response.content.decode()
            assert reason in html
            assert "Scored against the descriptors" not in html
        assert client.post(urls[1], {}).status_code == 403
    # Procurement officers hold no scoring permission at all.
    client.force_login(world.user(world.a, Role.PROCUREMENT_OFFICER))
    assert client.get(urls[0]).status_code == 403


def test_a_moderator_who_has_not_declared_is_refused(client, world):
    tender, _ = build_opened_tender(world, world.a)
    evaluation, (moderator, _) = build_evaluation(world, tender, declare=False)
    client.force_login(moderator.user)
    response = client.get(_url("moderation", world.a, evaluation.pk))
    assert response.status_code == 403
    assert "Declare any conflict of interest" in response.content.decode()


# The grid ------------------------------------------------------------------------------------------------------


def test_grid_shows_the_scores_side_by_side_with_spreads_flagged(client, world):
    # Offer 0: the evaluators give 1 and 4 (a spread of 3 on a 0 to 5 scale: flagged); offer 1: 3 and 4 (not).
    evaluation, (moderator, second), (wide, close) = _scored(
        world, score_for=lambda m, o, q: (1 if m == 0 else 4) if o == 0 else (3 if m == 0 else 4)
    )
    client.force_login(moderator.user)
    response = client.get(_url("moderation", world.a, evaluation.pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert moderator.user.full_name in html and second.user.full_name in html
    wide_rows, close_rows = _tbody(html, wide), _tbody(html, close)
    assert wide_rows.count("Spread of 3") == 2  # both questions
    assert "govuk-tag" in wide_rows  # a tag with words, not colour alone
    assert "Spread of" not in close_rows
    assert "Bidder 1 Ltd" in wide_rows and "Bidder 2 Ltd" in close_rows
    assert _url("moderate-offer", world.a, wide.pk) in wide_rows
    assert "4 agreed scores still to record. 2 spreads flagged" in html
    assert "Finalise moderation" not in html  # not until every agreed score is in


def test_agreed_scores_are_saved_and_a_change_is_audited_with_old_and_new(client, world):
    evaluation, (moderator, _), (offer, _) = _scored(world)
    questions = _questions(evaluation)
    url = _url("moderate-offer", world.a, offer.pk)
    client.force_login(moderator.user)
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count("Scored against the descriptors.") == 4  # two evaluators × two questions
    assert "Moderate the offer from Bidder 1 Ltd" in html
    assert escape("Bidder 1's method.") in html  # the offer's answer, read through the sealing guard
    assert escape("Bidder 2's method.") not in html
    response = client.post(
        url, _agreed_post(questions, [("3", "Clear method, weak on checks."), ("4", "Named partners in wards.")])
    )
    assert response.status_code == 303
    assert response["Location"] == _url("moderation", world.a, evaluation.pk) + f"#offer-{offer.pk}"
    with authority_scope(world.a):
        agreed = {m.question_id: m for m in ModeratedScore.objects.filter(offer=offer)}
    assert agreed[questions[0].pk].score == 3 and agreed[questions[1].pk].rationale == "Named partners in wards."

    # Changing one score keeps the old and the new in the audit log, and the page shows the earlier value.
    response = client.post(
        url,
        _agreed_post(questions, [("4.5", "Raised after discussion."), ("4", "Named partners in wards.")]),
        follow=True,
    )
    html = response.content.decode()
    assert "question 1 changed from 3 to 4.5" in html
    with authority_scope(world.a):
        events = list(
            AuditEvent.objects.filter(verb="evaluation.moderated_score_recorded", changes__offer=offer.pk).order_by(
                "created_at", "pk"
            )
        )
    assert len(events) == 3  # two first saves, one change: the unchanged answer is not recorded again
    change = events[-1].changes
    assert change["before"] == {"score": "3.0", "rationale": "Clear method, weak on checks."}
    assert change["after"] == {"score": "4.5", "rationale": "Raised after discussion."}
    assert events[-1].actor == moderator.user
    html = client.get(url).content.decode()
    assert "Earlier agreed scores" in html and "Clear method, weak on checks." in html
    assert 'value="4.5"' in html


def test_bad_agreed_scores_answer_422_with_errors_by_field_and_save_nothing(client, world):
    evaluation, (moderator, _), (offer, _) = _scored(world)
    questions = _questions(evaluation)
    client.force_login(moderator.user)
    response = client.post(
        _url("moderate-offer", world.a, offer.pk),
        _agreed_post(questions, [("9", "Too generous"), ("2", "")]),
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "<title>Error: " in html
    assert "The agreed score for question 1 must be from 0 to 5" in html
    assert "Enter why the panel agreed this score for question 2" in html
    assert f'href="#id_score_{questions[0].pk}"' in html  # the summary links to the field
    assert "Too generous" in html  # what was typed is kept
    with authority_scope(world.a):
        assert not ModeratedScore.objects.exists()


def test_finalise_lists_what_is_missing_then_finalises(client, world):
    evaluation, (moderator, _), (first, second) = _scored(world)
    questions = _questions(evaluation)
    client.force_login(moderator.user)
    client.post(_url("moderate-offer", world.a, first.pk), _agreed_post(questions, [("3", "A"), ("3", "B")]))
    url = _url("finalise", world.a, evaluation.pk)
    html = client.get(url).content.decode()
    assert "2 agreed scores still to record" in html
    missing = html.split('id="missing"')[1].split("</ul>")[0]
    assert "Bidder 2 Ltd: question 1" in missing and "Bidder 2 Ltd: question 2" in missing
    assert "Bidder 1 Ltd" not in missing
    response = client.post(url)
    assert response.status_code == 422
    assert "Record an agreed score for every offer and question first: 2 still to do." in response.content.decode()

    client.post(_url("moderate-offer", world.a, second.pk), _agreed_post(questions, [("2", "C"), ("4", "D")]))
    html = client.get(_url("moderation", world.a, evaluation.pk)).content.decode()
    assert "Finalise moderation" in html
    response = client.post(url)
    assert response.status_code == 303
    assert response["Location"] == _url("results", world.a, evaluation.pk)
    with authority_scope(world.a):
        evaluation.refresh_from_db()
    assert evaluation.status == EvaluationStatus.FINALISED
    # Afterwards the agreed scores are read-only.
    html = client.get(_url("moderate-offer", world.a, first.pk)).content.decode()
    assert "can no longer change" in html and "Save agreed scores" not in html
    response = client.post(_url("moderate-offer", world.a, first.pk), _agreed_post(questions, [("5", "E"), ("5", "F")]))
    assert response.status_code == 422
    with authority_scope(world.a):
        assert ModeratedScore.objects.get(offer=first, question=questions[0]).score == 3


def test_finalising_waits_for_an_evaluator_added_after_moderation_began(client, world):
    """A bug fixed in services.moderation_finalise: it checked the agreed scores but not who was still scoring."""
    evaluation, members, _ = _scored(world)
    moderator = members[0].user
    with authority_scope(world.a):
        for row in selectors.moderation_grid(evaluation).rows:
            for line in row.lines:
                services.moderated_score_record(
                    evaluation=evaluation,
                    offer=row.offer,
                    question=line.question,
                    score=Decimal(3),
                    rationale="Agreed",
                    acting_user=moderator,
                )
        latecomer = UserFactory(email="late@authority-a.example.org", full_name="Lena Latecomer")
        MembershipFactory(authority=world.a, user=latecomer, role=Role.EVALUATOR)
        services.panel_member_add(
            evaluation=evaluation, user=latecomer, acting_user=world.user(world.a, Role.PROCUREMENT_OFFICER)
        )
        with pytest.raises(DomainError, match=r"Every evaluator must submit their scores first \(1 to go\)"):
            services.moderation_finalise(evaluation=evaluation, acting_user=moderator)
    client.force_login(moderator)
    response = client.post(_url("finalise", world.a, evaluation.pk))
    assert response.status_code == 422
    html = response.content.decode()
    assert "Every evaluator must submit their scores first" in html and "Lena Latecomer" in html
    with authority_scope(world.a):
        evaluation.refresh_from_db()
    assert evaluation.status == EvaluationStatus.SCORING


# Results -------------------------------------------------------------------------------------------------------


def test_results_wait_for_finalisation_and_show_no_scores(client, world):
    evaluation, _, _ = _scored(world)
    for role in (Role.PROCUREMENT_OFFICER, Role.EVALUATOR):
        client.force_login(world.user(world.a, role))
        response = client.get(_url("results", world.a, evaluation.pk))
        assert response.status_code == 200
        html = response.content.decode()
        assert "appear here once the moderator has finalised moderation" in html
        assert "Bidder 1 Ltd" not in html and "Scored against" not in html and "Rank" not in html


def test_results_follow_the_selectors_and_the_weightings(client, world):
    evaluation, members, offers = _scored(world, bids=3, weights=(40, 40, 20))
    evaluation = moderate_everything(evaluation, members, lambda o, q: [2, 5, 3][o])
    with authority_scope(world.a):
        # The first measure asks for at least 3 units: Bidder 1 offered 2, the others 4 and 6.
        measure = RelevantMeasure.objects.filter(tender=evaluation.tender).select_related("charter_measure").first()
        RelevantMeasure.objects.filter(pk=measure.pk).update(quantity_kind="minimum", quantity=Decimal(3))
    client.force_login(world.user(world.a, Role.PROCUREMENT_OFFICER))
    response = client.get(_url("results", world.a, evaluation.pk))
    assert response.status_code == 200
    html = response.content.decode()
    with authority_scope(world.a):
        expected = selectors.results(evaluation, None)
    assert [row.offer.pk for row in expected.rows] == [offers[1].pk, offers[2].pk, offers[0].pk]
    for row in expected.rows:
        match = re.search(rf'<tr class="govuk-table__row" id="rank-offer-{row.offer.pk}">(.*?)</tr>', html, re.S)
        assert match, row.offer.pk
        cells = match.group(1)
        assert f"{row.total:.2f}" in cells
        assert f"{row.parts['price']:.2f}" in cells and f"{row.parts['quality']:.2f}" in cells
        assert cells.strip().startswith(f'<td class="govuk-table__cell govuk-table__cell--numeric">{row.rank}')
        assert sum(row.parts.values()) == row.total
    flagged = [row.offer.pk for row in expected.rows if row.below_minimum]
    assert flagged == [offers[0].pk] and expected.rows[-1].below_minimum == [measure.charter_measure.code]
    low = re.search(rf'id="rank-offer-{offers[0].pk}">(.*?)</tr>', html, re.S).group(1)
    assert "Below minimum" in low and measure.charter_measure.code in low
    assert "Below minimum" not in re.search(rf'id="rank-offer-{offers[1].pk}">(.*?)</tr>', html, re.S).group(1)
    # The weightings: the cheapest offer (Bidder 1) gets the whole price weighting, 40 points.
    cheapest = next(row for row in expected.rows if row.offer.pk == offers[0].pk)
    assert cheapest.parts["price"] == Decimal("40")
    assert "Weightings: price 40%, quality 40%, social value 20%." in html
    assert escape(expected.price_formula_text) in html and escape(expected.tie_break_text) in html
    assert "does not change</strong> if the social value weighting moves by ±5 points" in html
    assert "Decide the award" in html


def test_the_ranking_marks_ties_with_the_rule(client, world):
    # Price and social value carry no weight, so equal agreed scores give equal totals, equal on quality too.
    evaluation, members, _ = _scored(world, weights=(0, 100, 0), justification="Fixed-price grant.")
    moderate_everything(evaluation, members, lambda o, q: 4)
    client.force_login(world.user(world.a, Role.EVALUATOR))
    html = client.get(_url("results", world.a, evaluation.pk)).content.decode()
    assert html.count(">Tied</strong>") == 2
    assert "Equal totals are ranked by the higher quality score." in html
    assert "share their rank" in html


@pytest.mark.parametrize("bids", [5, 50])
def test_query_counts_do_not_grow_with_the_offers(client, world, django_assert_max_num_queries, bids):
    tender, offers = build_opened_tender(world, world.a, bids=bids)
    evaluation, members = build_evaluation(world, tender)
    questions = _questions(evaluation)
    # Scores written directly: hundreds of service calls would only slow the test down.
    with authority_scope(world.a):
        Score.objects.bulk_create(
            Score(
                authority=world.a,
                panel_member=member,
                offer=offer,
                question=question,
                score=Decimal((index + m_index) % 6),
                rationale=f"Rationale {index}",
            )
            for m_index, member in enumerate(members)
            for index, offer in enumerate(offers)
            for question in questions
        )
        PanelMember.objects.filter(evaluation=evaluation).update(scores_submitted_at=evaluation.created_at)
        ModeratedScore.objects.bulk_create(
            ModeratedScore(
                authority=world.a,
                evaluation=evaluation,
                offer=offer,
                question=question,
                score=Decimal(index % 6),
                rationale="Agreed",
                recorded_by=members[0].user,
            )
            for index, offer in enumerate(offers)
            for question in questions
        )
    client.force_login(members[0].user)
    with django_assert_max_num_queries(12):
        response = client.get(_url("moderation", world.a, evaluation.pk))
    assert response.status_code == 200
    assert response.content.decode().count('class="govuk-table__body" id="offer-') == bids
    with authority_scope(world.a):
        services.moderation_finalise(evaluation=evaluation, acting_user=members[0].user)
    client.force_login(world.user(world.a, Role.PROCUREMENT_OFFICER))
    with django_assert_max_num_queries(12):
        response = client.get(_url("results", world.a, evaluation.pk))
    assert response.status_code == 200
    assert response.content.decode().count('id="rank-offer-') == bids
