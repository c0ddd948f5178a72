"""Evaluation writes under real concurrency (PostgreSQL): no score, agreed score or panel member lands in a
finalised evaluation. Every write locks the evaluation first and checks its state under the lock, so the
finalising either sees the write (and refuses, or counts it) or the write waits and then sees the evaluation
finalised. Each interleaving is forced as in tests/tenders/test_sealing_concurrency.py."""

from decimal import Decimal

import pytest

from accounts.roles import Role
from accounts.scoping import authority_scope
from evaluation import selectors, services
from evaluation.models import Evaluation, EvaluationStatus, ModeratedScore, PanelMember, Score
from tests.concurrency import Holder, Worker, finish, require_postgresql, wait_until_blocked
from tests.conftest import build_world
from tests.evaluation.factories import build_evaluation, build_opened_tender
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

RATIONALE = "Scored against the descriptors."


def _run(first, second):
    """`first` does its work and holds its transaction open; `second` starts and waits for its lock; then
    `first` commits and `second` goes on."""
    holder, waiter = Holder(first, name="first"), Worker(second, name="second")
    try:
        holder.start_and_hold()
        waiter.start()
        wait_until_blocked(waiter, by=holder)
    finally:
        finish(holder, waiter)
    assert holder.error is None, holder.error
    return holder, waiter


def _scored(world, *, submit=(True, True), moderate=True):
    """An evaluation of two offers, both evaluators having scored everything (submitting as `submit` says) and,
    when every one has submitted, the moderator having agreed every score: ready to finalise."""
    require_postgresql()
    tender, _ = build_opened_tender(world, world.a, bids=2)
    evaluation, members = build_evaluation(world, tender)
    with authority_scope(world.a):
        offers = [offer for offer, _ in selectors.evaluable_offers(tender)]
        questions = list(selectors.questions_for(tender))
        for member, submits in zip(members, submit, strict=True):
            for offer in offers:
                for question in questions:
                    services.score_record(
                        member=member,
                        offer=offer,
                        question=question,
                        score=Decimal(3),
                        rationale=RATIONALE,
                        acting_user=member.user,
                    )
            if submits:
                services.scores_submit(member=member, acting_user=member.user)
        if moderate and all(submit):
            for offer in offers:
                for question in questions:
                    services.moderated_score_record(
                        evaluation=evaluation,
                        offer=offer,
                        question=question,
                        score=Decimal(3),
                        rationale="Agreed.",
                        acting_user=members[0].user,
                    )
    return evaluation, members, offers, questions


def _finalise(evaluation, members):
    def work():
        with authority_scope(evaluation.authority):
            return services.moderation_finalise(evaluation=evaluation, acting_user=members[0].user)

    return work


def _score(member, offer, question, value):
    def work():
        with authority_scope(member.authority):
            return services.score_record(
                member=member, offer=offer, question=question, score=Decimal(value), rationale=RATIONALE,
                acting_user=member.user,
            )  # fmt: skip

    return work


def _status(evaluation):
    with authority_scope(evaluation.authority):
        return Evaluation.objects.get(pk=evaluation.pk).status


def _scores(evaluation):
    with authority_scope(evaluation.authority):
        return sorted(
            Score.objects.filter(panel_member__evaluation=evaluation).values_list(
                "panel_member_id", "offer_id", "question_id", "score"
            )
        )


def test_a_score_waiting_for_the_finalising_is_refused():
    world = build_world()
    evaluation, members, offers, questions = _scored(world)
    before = _scores(evaluation)

    _, scoring = _run(_finalise(evaluation, members), _score(members[1], offers[0], questions[0], 5))

    assert isinstance(scoring.error, services.StateRefused), scoring.error
    assert "Moderation has been finalised" in scoring.error.message
    assert _status(evaluation) == EvaluationStatus.FINALISED
    assert _scores(evaluation) == before


def test_a_score_that_takes_the_lock_first_makes_the_finalising_wait_and_refuse():
    world = build_world()
    # The second evaluator is still scoring: the score goes in, and the finalising sees them still to submit.
    evaluation, members, offers, questions = _scored(world, submit=(True, False))

    scoring, finalising = _run(_score(members[1], offers[0], questions[0], 5), _finalise(evaluation, members))

    assert scoring.error is None, scoring.error
    assert isinstance(finalising.error, services.StateRefused), finalising.error
    assert "Every evaluator must submit their scores first (1 to go)" in finalising.error.message
    assert _status(evaluation) == EvaluationStatus.SCORING
    with authority_scope(evaluation.authority):
        assert Score.objects.get(panel_member=members[1], offer=offers[0], question=questions[0]).score == 5


def _third_evaluator(authority):
    user = UserFactory(email=f"evaluator3@{authority.slug}.example.org", full_name="Third Evaluator")
    MembershipFactory(authority=authority, user=user, role=Role.EVALUATOR)
    return user


def _add(evaluation, user):
    def work():
        with authority_scope(evaluation.authority):
            officer = evaluation.authority.memberships.get(role=Role.PROCUREMENT_OFFICER).user
            return services.panel_member_add(evaluation=evaluation, user=user, acting_user=officer)

    return work


def _panel(evaluation):
    with authority_scope(evaluation.authority):
        return set(PanelMember.objects.filter(evaluation=evaluation).values_list("user_id", flat=True))


def test_a_panel_member_added_while_finalising_waits_and_is_refused():
    world = build_world()
    evaluation, members, _, _ = _scored(world)
    newcomer = _third_evaluator(world.a)

    _, adding = _run(_finalise(evaluation, members), _add(evaluation, newcomer))

    assert isinstance(adding.error, services.StateRefused), adding.error
    assert _status(evaluation) == EvaluationStatus.FINALISED
    assert newcomer.pk not in _panel(evaluation)


def test_a_panel_member_added_first_holds_the_finalising_back():
    world = build_world()
    evaluation, members, _, _ = _scored(world)
    newcomer = _third_evaluator(world.a)

    adding, finalising = _run(_add(evaluation, newcomer), _finalise(evaluation, members))

    assert adding.error is None, adding.error
    assert isinstance(finalising.error, services.StateRefused), finalising.error
    assert "(1 to go)" in finalising.error.message  # the newcomer has still to score
    assert _status(evaluation) == EvaluationStatus.SCORING
    assert newcomer.pk in _panel(evaluation)


def test_an_agreed_score_waiting_for_the_finalising_is_refused():
    world = build_world()
    evaluation, members, offers, questions = _scored(world)
    with authority_scope(evaluation.authority):
        agreed = sorted(ModeratedScore.objects.filter(evaluation=evaluation).values_list("pk", "score"))

    def moderate():
        with authority_scope(evaluation.authority):
            return services.moderated_score_record(
                evaluation=evaluation, offer=offers[1], question=questions[0], score=Decimal(1),
                rationale="Changed our minds.", acting_user=members[0].user,
            )  # fmt: skip

    _, moderating = _run(_finalise(evaluation, members), moderate)

    assert isinstance(moderating.error, services.StateRefused), moderating.error
    with authority_scope(evaluation.authority):
        assert sorted(ModeratedScore.objects.filter(evaluation=evaluation).values_list("pk", "score")) == agreed
