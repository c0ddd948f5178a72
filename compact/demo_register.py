"""Demo consultations for Northmoor's consultation register, entered through the services as staff would, with dates
counted from today so the register always has one open now, one opening next month, one closed with feedback and one
shorter than 12 weeks with its reason, across two financial years. The charter consultations from the charters demo
are in the register already, through the signal.

Idempotent: a consultation whose title is in the register is left as it is.
"""

from datetime import date, timedelta

from django.utils import timezone

from accounts.roles import Role
from accounts.scoping import authority_scope

from . import register
from .models import RegisteredConsultation
from .performance import add_months
from .reports import financial_year

AUTHORITY = "northmoor"
OPEN_NOW = "Parks and open spaces strategy"
NEXT_MONTH = "Library opening hours"
WITH_FEEDBACK = "Community grants scheme review"
SHORTER = "Winter fuel support: emergency top-up scheme"


def seed_register(world) -> list[str]:
    today = timezone.localdate()
    authority = world.authorities[AUTHORITY]
    commissioner = world.staff[(AUTHORITY, Role.COMMISSIONER)]
    previous_year_starts, _ = financial_year(register.financial_year_of(today) - 1)
    next_month = add_months(date(today.year, today.month, 1), 1)
    with authority_scope(authority):
        existing = set(
            RegisteredConsultation.objects.filter(charter_consultation__isnull=True).values_list("title", flat=True)
        )

        def add(title, opens_on, closes_on, summary, shorter_reason="", url=""):
            if title in existing:
                return None
            return register.register_add(
                authority=authority,
                acting_user=commissioner,
                title=title,
                opens_on=opens_on,
                closes_on=closes_on,
                summary=summary,
                shorter_reason=shorter_reason,
                url=url,
            )

        opened = today - timedelta(days=30)
        add(
            OPEN_NOW,
            opened,
            opened + timedelta(weeks=12),
            "How the borough's parks, playing fields and green corridors are looked after for the next ten years.",
            url="https://www.northmoor.example.org/consultations/parks",
        )
        add(
            NEXT_MONTH,
            next_month,
            next_month + timedelta(weeks=12),
            "Proposed new opening hours for the borough's seven libraries.",
        )
        closed_opened = previous_year_starts + timedelta(days=60)
        closed = add(
            WITH_FEEDBACK,
            closed_opened,
            closed_opened + timedelta(weeks=13),
            "Who the community grants should reach, and how small groups can apply.",
            url="https://www.northmoor.example.org/consultations/community-grants",
        )
        if closed is not None:
            register.feedback_record(
                entry=closed,
                acting_user=commissioner,
                feedback_given=True,
                feedback_url="https://www.northmoor.example.org/consultations/community-grants/you-said-we-did",
                today=closed.closes_on + timedelta(days=30),
            )
        shorter_opened = previous_year_starts + timedelta(days=200)
        add(
            SHORTER,
            shorter_opened,
            shorter_opened + timedelta(weeks=6),
            "A top-up to the household support fund for residents in fuel poverty this winter.",
            shorter_reason=(
                "The government's funding had to be committed before the end of the financial year, so the "
                "consultation ran for six weeks. Residents' groups were told in advance and helped reach tenants."
            ),
        )
        charter = RegisteredConsultation.objects.filter(charter_consultation__isnull=False).count()
    return [
        f"{'Consultation register: Northmoor':<49} one consultation open now, one opening next month, one closed "
        f"with feedback, one shorter than 12 weeks with its reason; {charter} from the charter"
    ]
