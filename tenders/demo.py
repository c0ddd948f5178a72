"""Demo tenders for `seed_demo`: Northmoor has one tender open for bids (with a clarification question answered and
Brightside's draft offer) and one past its deadline (with Brightside's submitted offer). Idempotent."""

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


def _demo_offer(world, tender, *, submitted_at=None):
    """Brightside's offer: submitted (before the deadline) when `submitted_at` is given, else still a draft."""
    name = "Brightside Facilities Ltd"
    supplier, user = world.suppliers[name], world.supplier_users[name]
    when = submitted_at or timezone.now()
    offer = offers.offer_start(tender=tender, lot=None, organisation=supplier, acting_user=user, now=when)
    commitments = {
        measure.pk: offers.CommitmentInput(
            quantity=Decimal(quantity),
            delivery_period="Throughout the contract",
            place="Moor End and Canal Side",
            narrative="We will recruit through the Moor End jobs club and train every new starter on site.",
        )
        for measure, quantity in zip(offers.measures_for(tender, None), (5, 2), strict=False)
    }
    answers = {
        question.pk: "Crews based at our Northmoor depot, weekly quality walks with ward councillors, and a named "
        "manager for the contract."
        for question in tender.questions.all()
    }
    offers.offer_update(
        offer=offer,
        acting_user=user,
        price=tender.estimated_value * Decimal("0.95"),
        commitments=commitments,
        answers=answers,
        now=when,
    )
    if submitted_at:
        offers.offer_submit(offer=offer, acting_user=user, now=submitted_at)


def seed_demo(world) -> list[str]:
    authority = world.authorities["northmoor"]
    officer = world.staff[("northmoor", Role.PROCUREMENT_OFFICER)]
    lines = []
    with authority_scope(authority):
        measures = list(
            CharterMeasure.objects.filter(version__status=VersionStatus.ADOPTED, code__in=MEASURE_REASONS).order_by(
                "code"
            )
        )
        if len(measures) < 2 or Tender.objects.filter(reference=TENDERS[0][0]).exists():
            return []
        for reference, title, cpv_codes, value, days_ago, period in TENDERS:
            # Round times, as a real notice would have: published at 9am, deadlines at noon.
            published = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0) - timedelta(
                days=days_ago
            )
            noon = timedelta(hours=3)
            tender = services.tender_create_draft(
                authority=authority,
                acting_user=officer,
                reference=reference,
                title=title,
                description=f"{title} for Northmoor Borough Council, for three years from next April.",
                category="services",
                estimated_value=Decimal(value),
                cpv_codes=cpv_codes,
                contract_term_months=36,
                publish_at=published,
                clarification_deadline=published + timedelta(days=period - 10) + noon,
                submission_deadline=published + timedelta(days=period) + noon,
                contact_name="Priya Procurement",
                contact_email=officer.email,
            )
            services.tender_weightings_set(
                tender=tender, acting_user=officer, price_weight=55, quality_weight=30, social_value_weight=15
            )
            for measure, weight, quantity in zip(measures, (60, 40), (6, 3), strict=True):
                services.relevant_measure_add(
                    tender=tender,
                    acting_user=officer,
                    charter_measure=measure,
                    reason=MEASURE_REASONS[measure.code],
                    weight=Decimal(weight),
                    quantity=Decimal(quantity),
                )
            services.question_add(
                tender=tender,
                acting_user=officer,
                kind=QuestionKind.QUALITY,
                weight=Decimal("100"),
                word_limit=750,
                text="How will you deliver the service to the specified standard?",
                guidance="Describe your methods, staffing, equipment and quality checks.",
            )
            services.question_add(
                tender=tender,
                acting_user=officer,
                kind=QuestionKind.SOCIAL_VALUE,
                weight=Decimal("100"),
                word_limit=500,
                text="How will you deliver your social value commitments in Northmoor?",
                guidance="Name the places and partners, and how you will evidence delivery.",
            )
            tender = services.tender_publish(tender=tender, acting_user=officer, now=published)
            _demo_offer(world, tender, submitted_at=published + timedelta(days=12) if days_ago >= period else None)
            if days_ago >= period:
                services.tender_close(tender=tender, acting_user=officer)
                lines.append(f"{'Tender: ' + reference:<49} closed (deadline passed), one offer submitted")
                continue
            supplier = world.suppliers["Brightside Facilities Ltd"]
            question = clarifications.clarification_ask(
                tender=tender,
                acting_user=world.supplier_users["Brightside Facilities Ltd"],
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
