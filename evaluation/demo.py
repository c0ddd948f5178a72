"""Demo evaluations for `seed_demo`, built through the services as people would:

- Eastvale's "EDC-2026-012" (meals at home, closed long ago, offers from Valley and Brightside): opened, scored by
  two evaluators (Evan, and Erin, invited for the demo), moderated by Evan with one spread discussed, finalised,
  and the award decided today for the highest-ranked offer. Standstill is running, so the award is shown with its
  standstill end date and is not confirmed: confirming it is left for the demo, from the day after standstill.
- Northmoor's "NBC-2026-009" (closed, Brightside's one submitted offer): opened and in scoring, with Evan on the
  panel as moderator, declared no conflict and not yet scored — ready for the scoring journey.

Eastvale's "EDC-2026-021" stays sealed and unopened (the opening journey starts there). Idempotent: an existing
demo evaluation or tender is left as it is.
"""

from datetime import timedelta
from decimal import Decimal

from accounts.demo import DEMO_PASSWORD
from accounts.models import Membership, User
from accounts.roles import Role
from accounts.scoping import authority_scope
from accounts.services import invitation_accept, invitation_create, user_register
from tenders import sealing
from tenders import services as tender_services
from tenders.demo import (
    BRIGHTSIDE,
    EASTVALE_REASONS,
    EASTVALE_SOCIAL_VALUE_QUESTION,
    VALLEY,
    adopted_measures,
    demo_offer,
    demo_tender,
)
from tenders.models import QuestionKind, Tender

from . import selectors, services
from .models import Evaluation

AWARDED = "EDC-2026-012"
IN_SCORING = "NBC-2026-009"
SECOND_EVALUATOR = ("evaluator2@eastvale.example.org", "Erin Evaluator (Eastvale)")

# Each evaluator's score and rationale for each offer (by supplier) and question kind; then the agreed ones.
SCORES = {
    VALLEY: {
        QuestionKind.QUALITY: [
            (4, "Daily hot meals cooked in Riverside, with a named driver per round and a clear missed-meal plan."),
            (4, "Strong menus and allergy handling; the welfare check on each visit is well described."),
        ],
        QuestionKind.SOCIAL_VALUE: [
            (5, "Names Riverside and the villages, local cooks and drivers, and says how each hire is evidenced."),
            (4, "Specific and local; evidence of delivery is credible, though the partners are not yet signed up."),
        ],
    },
    BRIGHTSIDE: {
        QuestionKind.QUALITY: [
            (3, "Adequate: a regional kitchen and chilled delivery; little on the welfare check."),
            (3, "Meets the specification; the depot is outside the district, so rounds start late."),
        ],
        QuestionKind.SOCIAL_VALUE: [
            (1, "A generic answer, flagged as repeating other offers, that names no Eastvale place or partner."),
            (3, "Commitments are real, but the method reads as generic; some local hiring is plausible."),
        ],
    },
}
AGREED = {
    VALLEY: {
        QuestionKind.QUALITY: (4, "Both evaluators: a well-run daily service with a credible welfare check."),
        QuestionKind.SOCIAL_VALUE: (
            4,
            "Local and specific; held at 4 because the partner organisations have not yet agreed to take part.",
        ),
    },
    BRIGHTSIDE: {
        QuestionKind.QUALITY: (3, "Both evaluators: meets the specification, with little on welfare."),
        QuestionKind.SOCIAL_VALUE: (
            2,
            "The spread was discussed: the commitments count, but the method is generic text that names no "
            "Eastvale place, so weak evidence of how it will be delivered here.",
        ),
    },
}


def seed_demo(world) -> list[str]:
    return _seed_eastvale(world) + _seed_northmoor(world)


def _second_evaluator(world, authority) -> User:
    """Erin Evaluator, invited by Eastvale's admin and accepting, as a new member of staff would."""
    email, full_name = SECOND_EVALUATOR
    user = User.objects.filter(email=email).first()
    if user is None:
        user = user_register(email=email, full_name=full_name, password=DEMO_PASSWORD)
    if not Membership.objects.filter(authority=authority, user=user, role=Role.EVALUATOR).exists():
        invitation = invitation_create(
            authority=authority,
            acting_user=world.staff[("eastvale", Role.ADMIN)],
            email=email,
            roles=[Role.EVALUATOR],
        )
        invitation_accept(invitation=invitation, acting_user=user)
    return user


def _closed_tender(world, authority, officer) -> Tender | None:
    measures = adopted_measures(EASTVALE_REASONS)
    if len(measures) < 2:
        return None
    tender = demo_tender(
        officer=officer,
        measures=measures,
        reasons=EASTVALE_REASONS,
        reference=AWARDED,
        title="Meals at home for older residents",
        description="A hot midday meal delivered every day to older and disabled residents at home, with a "
        "welfare check on each visit, for three years.",
        value="260000",
        cpv_codes=["55521000"],
        term_months=36,
        days_ago=100,
        quality_question=(
            "How will you deliver a hot, nutritious meal every day, with a welfare check on each visit?",
            "Describe kitchens, rounds, menus and special diets, and what happens when nobody answers.",
        ),
        social_value_question=EASTVALE_SOCIAL_VALUE_QUESTION,
    )
    published = tender.published_at
    demo_offer(
        world,
        tender,
        supplier_name=VALLEY,
        submitted_at=published + timedelta(days=22),
        quantities=(4, 3),
        place="Riverside and the Eastvale Villages",
        narrative="Our Riverside kitchen will hire its cooks and drivers from Riverside and the villages on the "
        "rounds, and train them with the district's adult learning service.",
        answer="Meals cooked each morning in our Riverside kitchen and delivered hot on six rounds, each with a "
        "driver who knows the people on it and checks on them; a missed answer is followed up within the hour.",
        price_share="0.92",
    )
    demo_offer(world, tender, submitted_at=published + timedelta(days=27), quantities=(5, 2), price_share="0.86")
    tender_services.tender_close(tender=tender, acting_user=officer)
    return tender


def _seed_eastvale(world) -> list[str]:
    authority = world.authorities["eastvale"]
    officer = world.staff[("eastvale", Role.PROCUREMENT_OFFICER)]
    evan = world.staff[("eastvale", Role.EVALUATOR)]
    with authority_scope(authority):
        erin = _second_evaluator(world, authority)
        lines = [f"{authority.name:<28} {'Evaluator':<20} {erin.email}"]
        if Tender.objects.filter(reference=AWARDED).exists():
            return lines
        tender = _closed_tender(world, authority, officer)
        if tender is None:
            return lines
        tender = sealing.offers_open(tender=tender, acting_user=officer)
        evaluation = services.evaluation_start(tender=tender, acting_user=officer)
        members = [
            services.panel_member_add(evaluation=evaluation, user=user, acting_user=officer) for user in (evan, erin)
        ]
        services.moderator_set(evaluation=evaluation, member=members[0], acting_user=officer)
        questions = selectors.questions_for(tender)
        offers = [offer for offer, _ in selectors.evaluable_offers(tender)]
        for index, member in enumerate(members):
            member = services.declaration_make(member=member, acting_user=member.user, has_interest=False)
            for offer in offers:
                for question in questions:
                    score, rationale = SCORES[offer.organisation.name][question.kind][index]
                    services.score_record(
                        member=member,
                        offer=offer,
                        question=question,
                        score=Decimal(score),
                        rationale=rationale,
                        acting_user=member.user,
                    )
            services.scores_submit(member=member, acting_user=member.user)
        evaluation.refresh_from_db()
        for offer in offers:
            for question in questions:
                score, rationale = AGREED[offer.organisation.name][question.kind]
                services.moderated_score_record(
                    evaluation=evaluation,
                    offer=offer,
                    question=question,
                    score=Decimal(score),
                    rationale=rationale,
                    acting_user=evan,
                )
        evaluation = services.moderation_finalise(evaluation=evaluation, acting_user=evan)
        winner = next(row for row in selectors.results(evaluation, None).rows if row.rank == 1)
        award = services.award_decide(
            evaluation=evaluation,
            lot=None,
            offer=winner.offer,
            reasons=f"{winner.offer.organisation.name} has the highest total score: the strongest written answers "
            "and the best-evidenced local commitments outweigh the other offer's lower price.",
            acting_user=officer,
        )
    lines.append(
        f"{'Tender: ' + AWARDED:<49} evaluated and awarded to {winner.offer.organisation.name}; standstill ends "
        f"{award.standstill_ends_on:%-d %B %Y}"
    )
    return lines


def _seed_northmoor(world) -> list[str]:
    authority = world.authorities["northmoor"]
    officer = world.staff[("northmoor", Role.PROCUREMENT_OFFICER)]
    evan = world.staff[("northmoor", Role.EVALUATOR)]
    with authority_scope(authority):
        tender = Tender.objects.filter(reference=IN_SCORING).first()
        if tender is None or Evaluation.objects.filter(tender=tender).exists():
            return []
        if tender.offers_opened_at is None:
            tender = sealing.offers_open(tender=tender, acting_user=officer)
        evaluation = services.evaluation_start(tender=tender, acting_user=officer)
        member = services.panel_member_add(evaluation=evaluation, user=evan, acting_user=officer)
        services.moderator_set(evaluation=evaluation, member=member, acting_user=officer)
        services.declaration_make(member=member, acting_user=evan, has_interest=False)
    return [f"{'Tender: ' + IN_SCORING:<49} offers opened, in scoring: {evan.email} to score and moderate"]
