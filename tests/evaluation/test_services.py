"""Evaluation services: conflict gating, independent scores, moderation with every change audited, results that
follow the weightings, award after finalising and confirmation after standstill."""

from datetime import date
from decimal import Decimal

import pytest

from accounts.models import AuditEvent
from accounts.roles import Role
from accounts.scoping import authority_scope
from evaluation import selectors, services
from evaluation.models import EvaluationStatus, ModeratedScore, Score
from foundation.errors import DomainError
from tenders.models import TenderStatus
from tests.evaluation.factories import build_evaluation, build_opened_tender, score_everything

pytestmark = pytest.mark.django_db


def test_evaluation_needs_opened_offers(world):
    from tests.tenders.factories import build_tender

    tender = build_tender(world, world.a, closed=True)
    with authority_scope(world.a), pytest.raises(DomainError, match="Open the offers"):
        services.evaluation_start(tender=tender, acting_user=world.user(world.a, Role.PROCUREMENT_OFFICER))


def test_only_the_authoritys_evaluators_join_the_panel(world):
    tender, _ = build_opened_tender(world, world.a)
    evaluation, _ = build_evaluation(world, tender)
    officer = world.user(world.a, Role.PROCUREMENT_OFFICER)
    with authority_scope(world.a):
        for user in (world.user(world.a, Role.COMMISSIONER), world.user(world.b, Role.EVALUATOR)):
            with pytest.raises(DomainError, match="not an evaluator"):
                services.panel_member_add(evaluation=evaluation, user=user, acting_user=officer)


def test_scoring_waits_for_a_declaration_and_a_decision_on_a_declared_interest(world):
    tender, (offer, _) = build_opened_tender(world, world.a)
    _, (first, second) = build_evaluation(world, tender, declare=False)
    officer = world.user(world.a, Role.PROCUREMENT_OFFICER)
    with authority_scope(world.a):
        question = selectors.questions_for(tender)[0]

        def score(member):
            return services.score_record(
                member=member,
                offer=offer,
                question=question,
                score=Decimal(3),
                rationale="Good",
                acting_user=member.user,
            )

        with pytest.raises(DomainError, match="Declare any conflict"):
            score(first)
        with pytest.raises(DomainError, match="Describe the interest"):
            services.declaration_make(member=first, acting_user=first.user, has_interest=True, interest=" ")
        with pytest.raises(DomainError, match="own declaration"):
            services.declaration_make(member=first, acting_user=officer, has_interest=False)
        first = services.declaration_make(
            member=first, acting_user=first.user, has_interest=True, interest="My sister works for Bidder 1 Ltd"
        )
        assert not first.may_see_offers
        with pytest.raises(DomainError, match="Declare any conflict"):
            score(first)
        with pytest.raises(DomainError, match="Record the mitigation"):
            services.conflict_decide(member=first, acting_user=officer, decision="allowed", note="")
        first = services.conflict_decide(
            member=first, acting_user=officer, decision="allowed", note="Does not score Bidder 1's pricing section"
        )
        assert score(first).score == 3
        second = services.declaration_make(
            member=second, acting_user=second.user, has_interest=True, interest="Ex-employee"
        )
        second = services.conflict_decide(member=second, acting_user=officer, decision="excluded", note="Too close")
        with pytest.raises(DomainError, match="Declare any conflict"):
            score(second)
        verbs = list(AuditEvent.objects.filter(authority=world.a).values_list("verb", flat=True))
    assert verbs.count("evaluation.declaration_made") == 2
    assert verbs.count("evaluation.conflict_decided") == 2


def test_bad_scores_are_refused_and_every_change_keeps_the_old_value(world):
    tender, (offer, _) = build_opened_tender(world, world.a)
    _, (first, _) = build_evaluation(world, tender)
    with authority_scope(world.a):
        question = selectors.questions_for(tender)[0]
        for bad, rationale, message in (
            (Decimal(6), "x", "from 0 to 5"),
            (Decimal(-1), "x", "from 0 to 5"),
            (Decimal(3), " ", "Explain"),
        ):
            with pytest.raises(DomainError, match=message):
                services.score_record(
                    member=first, offer=offer, question=question, score=bad, rationale=rationale, acting_user=first.user
                )
        assert not Score.objects.exists()
        services.score_record(
            member=first, offer=offer, question=question, score=Decimal(2), rationale="Thin", acting_user=first.user
        )
        services.score_record(
            member=first,
            offer=offer,
            question=question,
            score=Decimal(4),
            rationale="Reread it",
            acting_user=first.user,
        )
        changes = AuditEvent.objects.filter(verb="evaluation.score_recorded").order_by("id").last().changes
    assert changes["before"] == {"score": "2.0", "rationale": "Thin"}
    assert changes["after"] == {"score": "4", "rationale": "Reread it"}


def test_submitting_needs_every_score_and_freezes_them(world):
    tender, offers = build_opened_tender(world, world.a)
    evaluation, members = build_evaluation(world, tender)
    first = members[0]
    with authority_scope(world.a), pytest.raises(DomainError, match="4 still to score"):
        services.scores_submit(member=first, acting_user=first.user)
    score_everything(evaluation, members, lambda m, o, q: 3)
    with authority_scope(world.a):
        first.refresh_from_db()
        with pytest.raises(DomainError, match="change only through moderation"):
            services.score_record(
                member=first,
                offer=offers[0],
                question=selectors.questions_for(tender)[0],
                score=Decimal(5),
                rationale="Second thoughts",
                acting_user=first.user,
            )


def test_moderation_waits_for_every_evaluator_then_finalises_with_every_score(world):
    tender, offers = build_opened_tender(world, world.a)
    evaluation, members = build_evaluation(world, tender)
    moderator = members[0].user
    with authority_scope(world.a):
        question = selectors.questions_for(tender)[0]
        with pytest.raises(DomainError, match="2 to go"):
            services.moderated_score_record(
                evaluation=evaluation,
                offer=offers[0],
                question=question,
                score=Decimal(3),
                rationale="x",
                acting_user=moderator,
            )
    score_everything(evaluation, members, lambda m, o, q: 1 + m * 2)
    with authority_scope(world.a):
        with pytest.raises(DomainError, match="Only the moderator"):
            services.moderated_score_record(
                evaluation=evaluation,
                offer=offers[0],
                question=question,
                score=Decimal(3),
                rationale="x",
                acting_user=members[1].user,
            )
        with pytest.raises(DomainError, match="4 still to do"):
            services.moderation_finalise(evaluation=evaluation, acting_user=moderator)
        for offer, agreed in zip(offers, (4, 2), strict=True):
            for q in selectors.questions_for(tender):
                services.moderated_score_record(
                    evaluation=evaluation,
                    offer=offer,
                    question=q,
                    score=Decimal(3),
                    rationale="Agreed at panel",
                    acting_user=moderator,
                )
                services.moderated_score_record(
                    evaluation=evaluation,
                    offer=offer,
                    question=q,
                    score=Decimal(agreed),
                    rationale="On reflection",
                    acting_user=moderator,
                )
        assert ModeratedScore.objects.count() == 4
        changed = AuditEvent.objects.filter(verb="evaluation.moderated_score_recorded").order_by("id").last().changes
        assert changed["before"]["score"] == "3.0" and changed["after"]["score"] == "2"
        evaluation = services.moderation_finalise(evaluation=evaluation, acting_user=moderator)
        assert evaluation.status == EvaluationStatus.FINALISED
        with pytest.raises(DomainError, match="finalised"):
            services.moderated_score_record(
                evaluation=evaluation,
                offer=offers[0],
                question=question,
                score=Decimal(1),
                rationale="Late",
                acting_user=moderator,
            )


def _finalised(world, scores=(4, 2)):
    tender, offers = build_opened_tender(world, world.a)
    evaluation, members = build_evaluation(world, tender)
    score_everything(evaluation, members, lambda m, o, q: 3)
    with authority_scope(world.a):
        for offer, agreed in zip(offers, scores, strict=True):
            for q in selectors.questions_for(tender):
                services.moderated_score_record(
                    evaluation=evaluation,
                    offer=offer,
                    question=q,
                    score=Decimal(agreed),
                    rationale="Agreed",
                    acting_user=members[0].user,
                )
        evaluation = services.moderation_finalise(evaluation=evaluation, acting_user=members[0].user)
    return tender, offers, evaluation


def test_results_follow_the_weightings(world):
    _, offers, evaluation = _finalised(world)
    with authority_scope(world.a):
        result = selectors.results(evaluation, None)
    first, second = offers
    rows = {row.offer.pk: row for row in result.rows}
    # Weightings 60/30/10. Bidder 1 is cheapest (200k vs 210k) and scores 4 against 2; Bidder 2 commits twice as
    # much. Quality: one question (100%); social value: commitments 50%, one method statement 50%.
    assert rows[first.pk].parts["price"] == Decimal(60)
    assert rows[second.pk].parts["price"] == Decimal(60) * Decimal(200000) / Decimal(210000)
    assert rows[first.pk].parts["quality"] == Decimal(30) * Decimal("0.8")
    assert rows[second.pk].parts["social_value"] == Decimal(5) + Decimal(5) * Decimal("0.4")
    assert rows[first.pk].parts["social_value"] == Decimal("2.5") + Decimal(5) * Decimal("0.8")
    assert [row.offer.pk for row in result.rows] == [first.pk, second.pk]
    assert result.rows[0].rank == 1 and not result.rows[0].tied
    assert result.rows[0].total == sum(result.rows[0].parts.values())
    assert result.sensitivity is not None and not result.sensitivity.changes


def test_award_is_refused_before_moderation_is_finalised(world):
    tender, offers = build_opened_tender(world, world.a)
    evaluation, _ = build_evaluation(world, tender)
    officer = world.user(world.a, Role.PROCUREMENT_OFFICER)
    with authority_scope(world.a), pytest.raises(DomainError, match="Finalise moderation"):
        services.award_decide(evaluation=evaluation, lot=None, offer=offers[0], reasons="Best", acting_user=officer)


def test_award_goes_to_the_winner_and_is_confirmed_after_standstill(world):
    tender, (winner, runner_up), evaluation = _finalised(world)
    officer = world.user(world.a, Role.PROCUREMENT_OFFICER)
    notice = date(2026, 12, 18)  # Friday: Christmas, the Boxing Day substitute and New Year's Day fall in standstill
    with authority_scope(world.a):
        with pytest.raises(DomainError, match="highest-ranked"):
            services.award_decide(
                evaluation=evaluation, lot=None, offer=runner_up, reasons="Local", acting_user=officer, today=notice
            )
        with pytest.raises(DomainError, match="Give the reasons"):
            services.award_decide(evaluation=evaluation, lot=None, offer=winner, reasons=" ", acting_user=officer)
        award = services.award_decide(
            evaluation=evaluation, lot=None, offer=winner, reasons="Highest score", acting_user=officer, today=notice
        )
        assert award.standstill_ends_on == date(2027, 1, 4)
        with pytest.raises(DomainError, match="Standstill ends on 4 January 2027"):
            services.award_confirm(award=award, acting_user=officer, today=date(2027, 1, 4))
        award = services.award_confirm(award=award, acting_user=officer, today=date(2027, 1, 5))
        tender.refresh_from_db()
        evaluation.refresh_from_db()
    assert tender.status == TenderStatus.AWARDED
    assert evaluation.status == EvaluationStatus.AWARDED
    assert award.contract_terms["supplier"] == "Bidder 1 Ltd"
    assert Decimal(award.contract_terms["value"]) == 200000
    assert len(award.contract_terms["commitments"]) == 2
    assert all("charter_measure_id" in c for c in award.contract_terms["commitments"])
