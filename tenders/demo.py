"""Demo tenders for `seed_demo`: Northmoor has one tender open for bids (with a clarification question answered and
Brightside's draft offer) and one past its deadline (with Brightside's submitted offer); Eastvale has one past its
deadline with sealed offers from Valley and Brightside. Idempotent."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.roles import Role
from accounts.scoping import authority_scope
from charters.models import CharterMeasure, VersionStatus

from . import clarifications, offers, services
from .models import QuestionKind, Tender

TENDERS = [
    # reference, title, CPV codes, value, days since publication, tender period in days
    ("NBC-2026-014", "Street cleansing and grounds maintenance", ["90610000", "77310000"], "1800000", 5, 40),
    ("NBC-2026-009", "Community meals service for older residents", ["55520000"], "420000", 60, 30),
]
MEASURE_REASONS = {
    "CVC-EMP-01": "The service is labour-intensive and delivered across the borough, so local jobs follow from it.",
    "CVC-EMP-02": "Entry-level roles suit people returning to work, a priority in Moor End.",
}


BRIGHTSIDE = "Brightside Facilities Ltd"
VALLEY = "Valley Community Catering CIC"
BRIGHTSIDE_NARRATIVE = "We will recruit through the Moor End jobs club and train every new starter on site."


def demo_offer(world, tender, *, supplier_name=BRIGHTSIDE, submitted_at=None, **content):
    """A supplier's offer: submitted (before the deadline) when `submitted_at` is given, else still a draft.
    `content` may give quantities, place, narrative, answer and price_share (of the estimated value)."""
    supplier, user = world.suppliers[supplier_name], world.supplier_users[supplier_name]
    when = submitted_at or timezone.now()
    offer = offers.offer_start(tender=tender, lot=None, organisation=supplier, acting_user=user, now=when)
    commitments = {
        measure.pk: offers.CommitmentInput(
            quantity=Decimal(quantity),
            delivery_period="Throughout the contract",
            place=content.get("place", "Moor End and Canal Side"),
            narrative=content.get("narrative", BRIGHTSIDE_NARRATIVE),
        )
        for measure, quantity in zip(offers.measures_for(tender, None), content.get("quantities", (5, 2)), strict=False)
    }
    answer = content.get(
        "answer",
        "Crews based at our Northmoor depot, weekly quality walks with ward councillors, and a named manager for the "
        "contract.",
    )
    offers.offer_update(
        offer=offer,
        acting_user=user,
        price=tender.estimated_value * Decimal(content.get("price_share", "0.95")),
        commitments=commitments,
        answers={question.pk: answer for question in tender.questions.all()},
        now=when,
    )
    if submitted_at:
        offers.offer_submit(offer=offer, acting_user=user, now=submitted_at)


def demo_tender(
    *,
    officer,
    measures,
    reasons: dict,
    reference: str,
    title: str,
    description: str,
    value: str,
    cpv_codes: list,
    term_months: int,
    days_ago: int,
    period: int = 30,
    weights=(50, 30, 20),
    measure_weights=(50, 50),
    targets=(3, 2),
    quality_question: tuple[str, str],
    social_value_question: tuple[str, str],
) -> Tender:
    """A tender built and published as an officer would, `days_ago` days ago: round times, as a real notice has
    (published at 9am, deadlines at noon), clarifications closing 10 days before the deadline. Questions are
    (text, guidance)."""
    published = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0) - timedelta(days=days_ago)
    noon = timedelta(hours=3)
    tender = services.tender_create_draft(
        authority=measures[0].authority,
        acting_user=officer,
        reference=reference,
        title=title,
        description=description,
        category="services",
        estimated_value=Decimal(value),
        cpv_codes=cpv_codes,
        contract_term_months=term_months,
        publish_at=published,
        clarification_deadline=published + timedelta(days=period - 10) + noon,
        submission_deadline=published + timedelta(days=period) + noon,
        contact_name="Priya Procurement",
        contact_email=officer.email,
    )
    price, quality, social_value = weights
    services.tender_weightings_set(
        tender=tender, acting_user=officer, price_weight=price, quality_weight=quality, social_value_weight=social_value
    )
    for measure, weight, quantity in zip(measures, measure_weights, targets, strict=True):
        services.relevant_measure_add(
            tender=tender,
            acting_user=officer,
            charter_measure=measure,
            reason=reasons[measure.code],
            weight=Decimal(weight),
            quantity=Decimal(quantity),
        )
    for kind, (text, guidance), word_limit in (
        (QuestionKind.QUALITY, quality_question, 750),
        (QuestionKind.SOCIAL_VALUE, social_value_question, 500),
    ):
        services.question_add(
            tender=tender,
            acting_user=officer,
            kind=kind,
            weight=Decimal("100"),
            word_limit=word_limit,
            text=text,
            guidance=guidance,
        )
    return services.tender_publish(tender=tender, acting_user=officer, now=published)


def adopted_measures(codes) -> list:
    """The adopted charter's measures with these codes (in the current authority scope), by code."""
    return list(CharterMeasure.objects.filter(version__status=VersionStatus.ADOPTED, code__in=codes).order_by("code"))


def seed_demo(world) -> list[str]:
    return _seed_northmoor(world) + _seed_eastvale(world)


def _seed_eastvale(world) -> list[str]:
    """A tender past its deadline with sealed offers from both suppliers, ready to open: Valley's is written for
    Eastvale; Brightside's repeats its Northmoor text, so the identikit findings have something to show."""
    authority = world.authorities["eastvale"]
    officer = world.staff[("eastvale", Role.PROCUREMENT_OFFICER)]
    reference = "EDC-2026-021"
    with authority_scope(authority):
        measures = adopted_measures(EASTVALE_REASONS)
        if len(measures) < 2 or Tender.objects.filter(reference=reference).exists():
            return []
        tender = demo_tender(
            officer=officer,
            measures=measures,
            reasons=EASTVALE_REASONS,
            reference=reference,
            title="Holiday activities and food programme",
            description="Holiday clubs with a cooked meal for children on free school meals, in Riverside and the "
            "villages, for two years.",
            value="380000",
            cpv_codes=["55520000", "92000000"],
            term_months=24,
            days_ago=45,
            quality_question=(
                "How will you run safe, enjoyable holiday clubs with a nutritious meal every day?",
                "Describe staffing ratios, menus, safeguarding and how children get there.",
            ),
            social_value_question=EASTVALE_SOCIAL_VALUE_QUESTION,
        )
        published = tender.published_at
        demo_offer(
            world,
            tender,
            supplier_name=VALLEY,
            submitted_at=published + timedelta(days=25),
            quantities=(4, 3),
            place="Riverside and the Eastvale Villages",
            narrative="Our Riverside kitchen will hire cooks from the Riverside estate and run a minibus round the "
            "villages so children without a bus can come.",
            answer="Clubs in four village halls and the Riverside community centre, each with a cook from the "
            "village, and a parents' panel that tastes the menus every term.",
            price_share="0.9",
        )
        demo_offer(world, tender, submitted_at=published + timedelta(days=28), quantities=(6, 2), price_share="0.85")
        services.tender_close(tender=tender, acting_user=officer)
    return [f"{'Tender: ' + reference:<49} closed (deadline passed), two sealed offers to open"]


EASTVALE_REASONS = {
    "CVC-EMP-01": "Every club needs cooks and play workers; hiring them locally keeps the wages in the district.",
    "CVC-EMP-02": "Sessional holiday work suits parents and young people looking for a first job.",
}
EASTVALE_SOCIAL_VALUE_QUESTION = (
    "How will your social value commitments reach Riverside and the villages?",
    "Name the places and partners, and how you will evidence delivery.",
)


def _seed_northmoor(world) -> list[str]:
    authority = world.authorities["northmoor"]
    officer = world.staff[("northmoor", Role.PROCUREMENT_OFFICER)]
    lines = []
    with authority_scope(authority):
        measures = adopted_measures(MEASURE_REASONS)
        if len(measures) < 2 or Tender.objects.filter(reference=TENDERS[0][0]).exists():
            return []
        for reference, title, cpv_codes, value, days_ago, period in TENDERS:
            tender = demo_tender(
                officer=officer,
                measures=measures,
                reasons=MEASURE_REASONS,
                reference=reference,
                title=title,
                description=f"{title} for Northmoor Borough Council, for three years from next April.",
                value=value,
                cpv_codes=cpv_codes,
                term_months=36,
                days_ago=days_ago,
                period=period,
                weights=(55, 30, 15),
                measure_weights=(60, 40),
                targets=(6, 3),
                quality_question=(
                    "How will you deliver the service to the specified standard?",
                    "Describe your methods, staffing, equipment and quality checks.",
                ),
                social_value_question=(
                    "How will you deliver your social value commitments in Northmoor?",
                    "Name the places and partners, and how you will evidence delivery.",
                ),
            )
            published = tender.published_at
            demo_offer(world, tender, submitted_at=published + timedelta(days=12) if days_ago >= period else None)
            if days_ago >= period:
                services.tender_close(tender=tender, acting_user=officer)
                lines.append(f"{'Tender: ' + reference:<49} closed (deadline passed), one offer submitted")
                continue
            supplier = world.suppliers[BRIGHTSIDE]
            question = clarifications.clarification_ask(
                tender=tender,
                acting_user=world.supplier_users[BRIGHTSIDE],
                organisation=supplier,
                question="Brightside here: can local jobs include staff who live just outside the borough boundary?",
                now=published + timedelta(days=1),
            )
            clarifications.clarification_answer(
                clarification=question,
                acting_user=officer,
                published_question="Can local jobs include staff who live just outside the borough boundary?",
                answer="No. Local means living in Northmoor, as the charter defines it. Priority places count first.",
                now=published + timedelta(days=2),
            )
            lines.append(f"{'Tender: ' + reference:<49} open for bids, one clarification answered, one draft offer")
    return lines
