"""Independent scoring through the client: the offer with its flags and each question's scale, scores refused by
field with nothing saved, changes kept in the audit, submission refused while scores are missing and read-only after
it, independence (no page shows another evaluator's scores), and query counts that do not grow with the offers."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import AuditEvent
from accounts.roles import Role
from accounts.scoping import authority_scope
from evaluation import selectors, services
from evaluation.models import Score
from tenders.models import Question
from tenders.sealing import offers_open
from tests.evaluation.factories import build_evaluation, build_opened_tender
from tests.tenders.sealed_offers import submitted_offer, tender_past_deadline

pytestmark = pytest.mark.django_db

SHARED = (
    "Our social value team will work with local schools, colleges and job centres to fill every new post, "
    "with mentoring and paid travel for the first three months"
)


def _url(world, name, *args):
    return reverse(f"evaluation:{name}", args=[world.a.slug, *args])


def _page(response) -> str:
    return response.content.decode()


def _setup(world, bids=2, **options):
    tender, offers = build_opened_tender(world, world.a, bids=bids, **options)
    evaluation, members = build_evaluation(world, tender)
    with authority_scope(world.a):
        questions = selectors.questions_for(tender)
    return evaluation, members, offers, questions


def _checked(page: str, input_id: str) -> bool:
    """Whether the radio with this id is checked (attribute order is Django's business)."""
    tag = re.search(rf'<input[^>]*id="{input_id}"[^>]*>', page)
    return bool(tag) and " checked" in tag.group(0)


def _data(questions, given: dict) -> dict:
    """Form data: `given` maps a question's index to (score, rationale); the other questions are left blank."""
    data = {}
    for index, question in enumerate(questions):
        score, rationale = given.get(index, ("", ""))
        data[f"score_{question.pk}"] = score
        data[f"rationale_{question.pk}"] = rationale
    return data


def test_the_offer_is_shown_with_its_flags_and_each_questions_scale(client, world):
    tender = tender_past_deadline(world, world.a, reference="FLAGS-1")
    submitted_offer(world, tender, narrative="Apprentices from East Ward.", answer=SHARED + ".")
    copied = submitted_offer(
        world,
        tender,
        organisation=world.supplier_one,
        user=world.supplier_one_user,
        narrative="Litter picks in East Ward with volunteers.",
        answer="In East Ward: " + SHARED + ".",
    )
    with authority_scope(world.a):
        offers_open(tender=tender, acting_user=world.user(world.a, Role.PROCUREMENT_OFFICER))
        tender.refresh_from_db()
    evaluation, _ = build_evaluation(world, tender)
    with authority_scope(world.a):
        questions = selectors.questions_for(tender)
    client.force_login(world.user(world.a, Role.EVALUATOR))

    response = client.get(_url(world, "score-offer", copied.pk))
    assert response.status_code == 200
    page = _page(response)
    assert "Score the offer from Only A Services Ltd" in page
    assert f"<mark>{SHARED}</mark>" in page  # the identikit passage, marked as on the staff offer page
    assert "Litter picks in East Ward with volunteers." in page
    assert 'id="overclaims"' in page and 'id="commitments"' in page
    for question in questions:
        assert question.text in page
        assert question.guidance in page
        assert page.count(f'name="score_{question.pk}"') == 6  # radios 0 to 5
        assert f'name="rationale_{question.pk}"' in page
    assert "Excellent: exceeds the requirement, with strong and specific evidence" in page
    assert "Quality question 1" in page and "Social value question 1" in page
    # Scoring is linked from the progress page, by supplier.
    progress = _page(client.get(_url(world, "scoring", evaluation.pk)))
    assert _url(world, "score-offer", copied.pk) in progress
    assert "Only A Services Ltd" in progress and "Both Ways Ltd" in progress


def test_bad_scores_are_refused_by_field_and_nothing_is_saved(client, world):
    _, (first, _), offers, questions = _setup(world)
    client.force_login(first.user)
    url = _url(world, "score-offer", offers[0].pk)

    response = client.post(url, _data(questions, {0: ("7", "Typed and kept."), 1: ("3", "")}))
    assert response.status_code == 422
    page = _page(response)
    assert "<title>Error: " in page
    assert f'href="#id_score_{questions[0].pk}_0"' in page
    assert f'id="id_score_{questions[0].pk}-error"' in page
    assert "Choose a score from 0 to 5 for quality question 1" in page
    assert f'id="id_rationale_{questions[1].pk}-error"' in page
    assert "Explain your score for social value question 1: the rationale is part of the record" in page
    assert "Typed and kept." in page
    assert _checked(page, f"id_score_{questions[1].pk}_3")

    response = client.post(url, _data(questions, {}))
    assert response.status_code == 422
    assert "Score at least one question before you save" in _page(response)

    response = client.post(url, _data(questions, {0: ("", "A reason without a score.")}))
    assert response.status_code == 422
    assert "Choose a score from 0 to 5 for quality question 1" in _page(response)
    with authority_scope(world.a):
        assert not Score.objects.exists()
        assert not AuditEvent.objects.filter(verb="evaluation.score_recorded").exists()


def test_scores_are_saved_changed_with_the_old_value_audited_and_never_silently_removed(client, world):
    evaluation, (first, _), offers, questions = _setup(world)
    client.force_login(first.user)
    url = _url(world, "score-offer", offers[0].pk)

    response = client.post(url, _data(questions, {0: ("3", "First view.")}))
    assert (response.status_code, response["Location"]) == (303, _url(world, "scoring", evaluation.pk))
    progress = client.get(response["Location"])
    assert "have been saved (1 changed)" in _page(progress)
    assert "1 of 2" in _page(progress) and "In progress" in _page(progress)

    page = _page(client.get(url))
    assert "First view." in page
    assert _checked(page, f"id_score_{questions[0].pk}_3")

    response = client.post(url, _data(questions, {0: ("4", "Second view."), 1: ("2", "Method thin.")}))
    assert response.status_code == 303
    with authority_scope(world.a):
        scores = {s.question_id: s for s in Score.objects.filter(panel_member=first, offer=offers[0])}
        events = list(AuditEvent.objects.filter(verb="evaluation.score_recorded").order_by("id"))
    assert (scores[questions[0].pk].score, scores[questions[0].pk].rationale) == (Decimal("4"), "Second view.")
    assert scores[questions[1].pk].score == Decimal("2")
    assert len(events) == 3
    change = events[1].changes
    assert change["question"] == questions[0].pk
    assert change["before"]["rationale"] == "First view." and Decimal(change["before"]["score"]) == 3
    assert change["after"] == {"score": "4", "rationale": "Second view."}

    # Saving again unchanged records nothing.
    response = client.post(url, _data(questions, {0: ("4", "Second view."), 1: ("2", "Method thin.")}))
    assert response.status_code == 303
    assert "Nothing had changed" in _page(client.get(response["Location"]))
    with authority_scope(world.a):
        assert AuditEvent.objects.filter(verb="evaluation.score_recorded").count() == 3

    # A saved score can be changed, not removed.
    response = client.post(url, _data(questions, {1: ("2", "Method thin.")}))
    assert response.status_code == 422
    assert "a saved score can be changed, not removed" in _page(response)
    with authority_scope(world.a):
        assert Score.objects.filter(panel_member=first, offer=offers[0]).count() == 2


def test_other_scales_use_inline_radios_or_a_number(client, world):
    _, (first, _), offers, questions = _setup(world)
    with authority_scope(world.a):
        Question.objects.filter(pk=questions[0].pk).update(scale_max=100)
        Question.objects.filter(pk=questions[1].pk).update(scale_max=10)
    client.force_login(first.user)
    url = _url(world, "score-offer", offers[0].pk)
    page = _page(client.get(url))
    number = re.search(rf'<input[^>]*name="score_{questions[0].pk}"[^>]*>', page).group(0)
    assert 'type="text"' in number and 'inputmode="decimal"' in number
    assert page.count(f'name="score_{questions[1].pk}"') == 11
    assert "govuk-radios--inline" in page
    assert "0 to 10" in page and "0 to 100" in page
    assert "Satisfactory: meets the requirement with adequate evidence" in page  # descriptors listed

    for typed, message in (
        ("100.5", "Enter a score from 0 to 100 for quality question 1"),
        ("-1", "Enter a score from 0 to 100 for quality question 1"),
        ("lots", "The score for quality question 1 must be a number from 0 to 100"),
        ("72.25", "The score for quality question 1 can have 1 decimal place at most"),
    ):
        response = client.post(url, _data(questions, {0: (typed, "Because."), 1: ("7", "Good.")}))
        assert response.status_code == 422, typed
        assert message in _page(response)
        assert f'value="{typed}"' in _page(response)
    with authority_scope(world.a):
        assert not Score.objects.exists()
    response = client.post(url, _data(questions, {0: ("72.5", "Because."), 1: ("7", "Good.")}))
    assert response.status_code == 303
    with authority_scope(world.a):
        assert sorted(Score.objects.values_list("score", flat=True)) == [Decimal("7"), Decimal("72.5")]
    assert 'value="72.5"' in _page(client.get(url))


def test_several_scores_are_recorded_all_or_none_and_a_refusal_names_its_question(world):
    _, (first, _), offers, questions = _setup(world)
    with authority_scope(world.a):
        with pytest.raises(services.ScoreRefused) as refusal:
            services.offer_scores_record(
                member=first,
                offer=offers[0],
                scores={questions[0]: (Decimal("3"), "Fine."), questions[1]: (Decimal("9"), "Too generous.")},
                acting_user=first.user,
            )
        assert (refusal.value.question, refusal.value.field) == (questions[1], "score")
        assert refusal.value.message == "Enter a score from 0 to 5"
        assert not Score.objects.exists()
        assert not AuditEvent.objects.filter(verb="evaluation.score_recorded").exists()
        changed = services.offer_scores_record(
            member=first,
            offer=offers[0],
            scores={questions[0]: (Decimal("3"), " Fine. "), questions[1]: (Decimal("4"), "Good.")},
            acting_user=first.user,
        )
        assert changed == 2
        again = services.offer_scores_record(
            member=first, offer=offers[0], scores={questions[0]: (Decimal("3"), "Fine.")}, acting_user=first.user
        )
        assert again == 0


def test_submitting_is_refused_while_scores_are_missing_and_read_only_after(client, world):
    evaluation, (first, _), offers, questions = _setup(world)
    client.force_login(first.user)
    client.post(_url(world, "score-offer", offers[0].pk), _data(questions, {0: ("3", "Fine."), 1: ("4", "Good.")}))
    submit = _url(world, "scores-submit", evaluation.pk)

    page = _page(client.get(submit))
    assert "2 of 4 still to score" in page
    assert "Bidder 2 Ltd</a>: 2 questions to score" in page
    assert 'id="submit-scores"' not in _page(client.get(_url(world, "scoring", evaluation.pk)))
    response = client.post(submit)
    assert response.status_code == 422
    assert "Score every offer against every question first: 2 still to score." in _page(response)
    first.refresh_from_db()
    assert first.scores_submitted_at is None

    client.post(_url(world, "score-offer", offers[1].pk), _data(questions, {0: ("2", "Weak."), 1: ("1", "Poor.")}))
    assert 'id="submit-scores"' in _page(client.get(_url(world, "scoring", evaluation.pk)))
    page = _page(client.get(submit))
    assert "You cannot change your scores after you submit them, except through moderation." in page
    response = client.post(submit)
    assert (response.status_code, response["Location"]) == (303, _url(world, "scoring", evaluation.pk))
    first.refresh_from_db()
    assert first.scores_submitted_at is not None
    assert 'id="submitted"' in _page(client.get(response["Location"]))

    url = _url(world, "score-offer", offers[1].pk)
    page = _page(client.get(url))
    assert 'id="read-only"' in page
    assert "Save your scores" not in page and 'name="score_' not in page
    assert "Weak." in page and "Poor." in page
    response = client.post(url, _data(questions, {0: ("5", "Changed my mind."), 1: ("5", "Changed.")}))
    assert response.status_code == 200
    assert "Changed my mind." not in _page(response)
    with authority_scope(world.a):
        assert Score.objects.get(panel_member=first, offer=offers[1], question=questions[0]).score == 2
    assert 'id="submitted"' in _page(client.post(submit))


def test_an_offer_whose_tender_is_not_being_evaluated_is_not_found(client, world):
    _, (first, _), _, _ = _setup(world)
    _, other_offers = build_opened_tender(world, world.a, bids=1, reference="NOT-EVALUATED")
    client.force_login(first.user)
    assert client.get(_url(world, "score-offer", other_offers[0].pk)).status_code == 404


def test_no_page_shows_an_evaluator_another_evaluators_scores(client, world):
    evaluation, (first, second), offers, questions = _setup(world)
    with authority_scope(world.a):
        Question.objects.filter(pk=questions[0].pk).update(scale_max=100)
        questions = selectors.questions_for(evaluation.tender)
        for offer in offers:
            for question in questions:
                services.score_record(
                    member=second,
                    offer=offer,
                    question=question,
                    score=Decimal("87.3") if question.scale_max == 100 else Decimal("4"),
                    rationale=f"ZEBRA-MARKER offer {offer.pk} question {question.pk}",
                    acting_user=second.user,
                )
    client.force_login(first.user)
    client.post(_url(world, "score-offer", offers[0].pk), _data(questions, {0: ("12", "Mine."), 1: ("2", "Mine.")}))

    def pages():
        yield _url(world, "overview", evaluation.pk), client.get
        yield _url(world, "declaration", evaluation.pk), client.get
        yield _url(world, "scoring", evaluation.pk), client.get
        yield _url(world, "scores-submit", evaluation.pk), client.get
        yield _url(world, "scores-submit", evaluation.pk), client.post
        for offer in offers:
            yield _url(world, "score-offer", offer.pk), client.get

    def check():
        for headers in ({}, {"HX-Request": "true"}):
            for url, method in pages():
                page = _page(method(url, headers=headers))
                assert "ZEBRA-MARKER" not in page, url
                assert "87.3" not in page, url
            bad = client.post(
                _url(world, "score-offer", offers[1].pk), _data(questions, {0: ("500", "")}), headers=headers
            )
            assert bad.status_code == 422
            assert "ZEBRA-MARKER" not in _page(bad) and "87.3" not in _page(bad)

    check()
    with authority_scope(world.a):
        services.scores_submit(member=second, acting_user=second.user)
    check()
    # Nor does the officer's overview or panel page show anyone's scores.
    client.force_login(world.user(world.a, Role.PROCUREMENT_OFFICER))
    for name in ("overview", "panel"):
        page = _page(client.get(_url(world, name, evaluation.pk)))
        assert "ZEBRA-MARKER" not in page and "87.3" not in page and "Mine." not in page


@pytest.mark.parametrize("page_name", ["scoring", "score-offer", "scores-submit"])
def test_scoring_pages_query_count_does_not_grow_with_the_offers(
    client, world, django_assert_max_num_queries, page_name
):
    def build(bids, reference):
        evaluation, (first, _), offers, questions = _setup(world, bids=bids, reference=reference)
        with authority_scope(world.a):
            services.score_record(
                member=first,
                offer=offers[0],
                question=questions[0],
                score=Decimal("3"),
                rationale="Scored.",
                acting_user=first.user,
            )
        arg = offers[0].pk if page_name == "score-offer" else evaluation.pk
        return _url(world, page_name, arg)

    small, big = build(5, "FIVE"), build(50, "FIFTY")
    client.force_login(world.user(world.a, Role.EVALUATOR))
    client.get(small)  # the session's first read is not the page's
    with CaptureQueriesContext(connection) as queries:
        assert client.get(small).status_code == 200
    assert len(queries) <= 25, f"{page_name}: {len(queries)} queries"
    with django_assert_max_num_queries(len(queries)):
        response = client.get(big)
    assert response.status_code == 200
    if page_name == "scoring":
        assert _page(response).count("Not started") == 49
