"""Evaluation test data, built through the services.

    tender, offers = build_opened_tender(world, world.a, bids=3)   # closed, offers opened, one offer per bidder
    evaluation, members = build_evaluation(world, tender)          # started, two evaluators declared, moderator set

Each bid i (0-based) is from its own supplier organisation, with price 200,000 + 10,000 × i and commitments of
(i + 1) × 2 units on each relevant measure. The tender is the default `build_tender` tender, published a month
ago and closed.
"""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import Organisation, User
from accounts.roles import Role
from accounts.scoping import authority_scope
from evaluation import services
from tenders import offers as offer_services
from tenders.models import Tender
from tenders.services import tender_close
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory, add_org_member
from tests.tenders.factories import build_tender


def _bidder(index):
    """Bidder n's supplier organisation and member, shared by every tender that a test builds."""
    email = f"bidder{index + 1}@example.com"
    user = User.objects.filter(email=email).first()
    if user is not None:
        return Organisation.objects.get(name=f"Bidder {index + 1} Ltd"), user
    supplier = OrganisationFactory(name=f"Bidder {index + 1} Ltd")
    user = UserFactory(email=email)
    add_org_member(supplier, user)
    return supplier, user


def build_opened_tender(world, authority, *, bids=2, **tender_options):
    # Published a month ago, so bids arrive before the deadline on a past clock and the tender then closes.
    tender = build_tender(world, authority, published=True, now=timezone.now() - timedelta(days=31), **tender_options)
    during = tender.published_at + timedelta(days=1)
    made = []
    with authority_scope(authority):
        measures = offer_services.measures_for(tender, None)
        questions = list(tender.questions.all())
        for index in range(bids):
            supplier, user = _bidder(index)
            offer = offer_services.offer_start(
                tender=tender, lot=None, organisation=supplier, acting_user=user, now=during
            )
            offer_services.offer_update(
                offer=offer,
                acting_user=user,
                price=Decimal(200000 + 10000 * index),
                commitments={
                    m.pk: offer_services.CommitmentInput(
                        quantity=Decimal((index + 1) * 2), narrative=f"Bidder {index + 1} hires locally."
                    )
                    for m in measures
                },
                answers={q.pk: f"Bidder {index + 1}'s method." for q in questions},
                now=during,
            )
            offer_services.offer_submit(offer=offer, acting_user=user, now=during)
            made.append(offer)
        tender_close(tender=tender, acting_user=world.user(authority, Role.PROCUREMENT_OFFICER))
        Tender.objects.filter(pk=tender.pk).update(
            offers_opened_at=timezone.now(), offers_opened_by=world.user(authority, Role.PROCUREMENT_OFFICER)
        )
        tender.refresh_from_db()
    return tender, made


def second_evaluator(world, authority):
    existing = User.objects.filter(email=f"evaluator2@{authority.slug}.example.org").first()
    if existing is not None:
        return existing
    user = UserFactory(email=f"evaluator2@{authority.slug}.example.org", full_name="Second Evaluator")
    MembershipFactory(authority=authority, user=user, role=Role.EVALUATOR)
    return user


def build_evaluation(world, tender, *, declare=True, **options):
    authority = tender.authority
    officer = world.user(authority, Role.PROCUREMENT_OFFICER)
    with authority_scope(authority):
        evaluation = services.evaluation_start(tender=tender, acting_user=officer, **options)
        members = [
            services.panel_member_add(evaluation=evaluation, user=user, acting_user=officer)
            for user in (world.user(authority, Role.EVALUATOR), second_evaluator(world, authority))
        ]
        services.moderator_set(evaluation=evaluation, member=members[0], acting_user=officer)
        if declare:
            members = [
                services.declaration_make(member=member, acting_user=member.user, has_interest=False)
                for member in members
            ]
        evaluation.refresh_from_db()
    return evaluation, members


def score_everything(evaluation, members, score_for):
    """Each member scores every offer on every question with `score_for(member_index, offer_index, question)`,
    then submits."""
    from evaluation import selectors

    with authority_scope(evaluation.authority):
        offers = [offer for offer, _ in selectors.evaluable_offers(evaluation.tender)]
        for m_index, member in enumerate(members):
            for o_index, offer in enumerate(offers):
                for question in selectors.questions_for(evaluation.tender):
                    services.score_record(
                        member=member,
                        offer=offer,
                        question=question,
                        score=Decimal(score_for(m_index, o_index, question)),
                        rationale="Scored against the descriptors.",
                        acting_user=member.user,
                    )
            services.scores_submit(member=member, acting_user=member.user)
    return offers


def moderate_everything(evaluation, members, agreed_for):
    """The moderator (members[0]) records `agreed_for(offer_index, question)` for every offer and question, then
    finalises."""
    from evaluation import selectors

    moderator = members[0].user
    with authority_scope(evaluation.authority):
        offers = [offer for offer, _ in selectors.evaluable_offers(evaluation.tender)]
        for o_index, offer in enumerate(offers):
            for question in selectors.questions_for(evaluation.tender):
                services.moderated_score_record(
                    evaluation=evaluation,
                    offer=offer,
                    question=question,
                    score=Decimal(agreed_for(o_index, question)),
                    rationale="Agreed at the moderation meeting.",
                    acting_user=moderator,
                )
        return services.moderation_finalise(evaluation=evaluation, acting_user=moderator)


def build_awarded(world, authority, *, bids=2, confirm=False, **tender_options):
    """An evaluation scored, moderated and finalised, awarded to the winner (Bidder 1: cheapest, best scored)."""
    from datetime import date

    tender, offers = build_opened_tender(world, authority, bids=bids, **tender_options)
    evaluation, members = build_evaluation(world, tender)
    score_everything(evaluation, members, lambda m, o, q: 4 - o if o < 4 else 0)
    evaluation = moderate_everything(evaluation, members, lambda o, q: 4 - o if o < 4 else 0)
    officer = world.user(authority, Role.PROCUREMENT_OFFICER)
    with authority_scope(authority):
        award = services.award_decide(
            evaluation=evaluation,
            lot=None,
            offer=offers[0],
            reasons="The highest total score: cheapest, and the strongest answers.",
            acting_user=officer,
            today=date(2026, 11, 2),
        )
        if confirm:
            award = services.award_confirm(award=award, acting_user=officer, today=date(2026, 11, 13))
    return award
