"""Tender test data built through the services, so tests exercise the same paths as the pages.

    from tests.tenders.factories import build_tender

    tender = build_tender(world, world.a)                          # a complete draft, ready to publish
    tender = build_tender(world, world.a, published=True)          # published now, deadline in 30 days
    tender = build_tender(world, world.a, published=True, lots=2)  # two lots, each with its own measures
    tender = build_tender(world, world.a, closed=True)             # published, then its deadline passed

Every tender asks for measures from the authority's adopted charter. The charter ("Tender test charter": two
themes, two measures each with £25,000 proxies) is built and adopted on first use, then reused by every later
tender of that authority, so `build_tender` can be called many times in one test. Pass `charter_version=` to use
another adopted version (for example after a revision).

The CPV codes and thresholds are reloaded first if a transactional test flushed them (`ensure_reference_data`).

What it makes, by default: a services contract worth £250,000 excluding VAT (20% VAT), CPV 79421000, weightings
60/30/10 (inside the default 10–30% band), publication now, clarification deadline in 20 days, submission deadline
in 30 days (Europe/London), two relevant measures for the whole tender (60% and 40%, with reasons and targets),
one quality and one social value question (100% each). With `lots=n`, n lots share the value equally and each lot
gets its own two relevant measures as well.

Keyword arguments: `reference` (default "T-<n>"), `title`, `value`, `category`, `cpv_codes`, `lots`,
`published`, `closed`, `now` (the clock for publication; default now, or `submission_days` and an hour ago for
a closed tender), `submission_days`,
`clarification_days`, `weights` (price, quality, social value), `justification`, `charter_version`.
It returns the tender re-read from the database. A closed tender (`closed=True`) is published on the past clock,
so its deadline has passed, and its closing is recorded with `tender_close`.
"""

from datetime import timedelta
from decimal import ROUND_DOWN, Decimal
from importlib import import_module

from django.apps import apps as django_apps
from django.utils import timezone

from accounts.roles import Role
from accounts.scoping import authority_scope
from charters.models import CharterVersion, VersionStatus
from tenders import services
from tenders.models import CpvCode, QuestionKind, Tender, Threshold
from tests.charters.factories import adopt_without_consultation, build_charter

TEST_CHARTER_TITLE = "Tender test charter"


def ensure_reference_data() -> None:
    """Reloads the CPV codes, thresholds and bank holidays the migrations seed, if they are gone: a
    `transaction=True` test (the browser tests) flushes every table when it ends, so the next one starts without
    them. Idempotent."""
    if not CpvCode.objects.exists():
        import_module("tenders.migrations.0003_load_cpv_codes").load_cpv_codes(django_apps, None)
    if not Threshold.objects.exists():
        import_module("tenders.migrations.0002_seed_thresholds").seed_thresholds(django_apps, None)
    if not django_apps.get_model("evaluation", "BankHoliday").objects.exists():
        import_module("evaluation.migrations.0002_load_bank_holidays").load_bank_holidays(django_apps, None)


def adopted_test_charter(world, authority) -> CharterVersion:
    """The authority's adopted "Tender test charter" version, built and adopted on first use."""
    with authority_scope(authority):
        version = (
            CharterVersion.objects.filter(
                authority=authority, charter__title=TEST_CHARTER_TITLE, status=VersionStatus.ADOPTED
            )
            .order_by("-number")
            .first()
        )
    if version is None:
        _, version = build_charter(world, authority, title=TEST_CHARTER_TITLE, measures_per_outcome=2)
        version = adopt_without_consultation(world, authority, version)
    return version


def charter_measures(authority, version) -> list:
    with authority_scope(authority):
        return list(version.measures.order_by("position", "id"))


def build_tender(
    world,
    authority,
    *,
    published=False,
    closed=False,
    value="250000",
    lots=0,
    reference=None,
    title="Street cleaning and grounds maintenance",
    category="services",
    cpv_codes=("79421000",),
    now=None,
    submission_days=30,
    clarification_days=20,
    weights=(60, 30, 10),
    justification="",
    charter_version=None,
) -> Tender:
    ensure_reference_data()
    officer = world.user(authority, Role.PROCUREMENT_OFFICER)
    version = charter_version or adopted_test_charter(world, authority)
    measures = charter_measures(authority, version)
    if now is None:
        # A closed tender is published in the past, so its deadline has passed by now.
        now = timezone.now() - (timedelta(days=submission_days, hours=1) if closed else timedelta(0))
    value = Decimal(value)
    with authority_scope(authority):
        if reference is None:
            reference = f"T-{Tender.objects.filter(authority=authority).count() + 1}"
            while Tender.objects.filter(authority=authority, reference=reference).exists():
                reference += "x"
        tender = services.tender_create_draft(
            authority=authority,
            acting_user=officer,
            reference=reference,
            title=title,
            description="Keeping the borough's streets, parks and verges clean and safe.",
            category=category,
            estimated_value=value,
            cpv_codes=list(cpv_codes),
            contract_term_months=36,
            publish_at=now,
            clarification_deadline=now + timedelta(days=clarification_days),
            submission_deadline=now + timedelta(days=submission_days),
            contact_name="Pat Procurement",
            contact_email=f"procurement@{authority.slug}.example.org",
        )
        price, quality, social_value = weights
        services.tender_weightings_set(
            tender=tender,
            acting_user=officer,
            price_weight=price,
            quality_weight=quality,
            social_value_weight=social_value,
            weighting_justification=justification,
        )
        first, second = measures[0], measures[1]
        for measure, weight, quantity in ((first, 60, 4), (second, 40, 2)):
            services.relevant_measure_add(
                tender=tender,
                acting_user=officer,
                charter_measure=measure,
                reason=f"The contract employs people locally, so {measure.title.lower()} follows from the work.",
                quantity=Decimal(quantity),
                weight=Decimal(weight),
            )
        for number in range(1, lots + 1):
            lot = services.lot_add(
                tender=tender,
                acting_user=officer,
                title=f"Lot {number}: area {number}",
                description=f"The streets of area {number}.",
                estimated_value=(value / lots).quantize(Decimal("0.01"), rounding=ROUND_DOWN),
            )
            for measure, weight in ((first, 50), (measures[-1], 50)):
                services.relevant_measure_add(
                    tender=tender,
                    acting_user=officer,
                    charter_measure=measure,
                    lot=lot,
                    reason=f"Area {number} has the highest need for {measure.title.lower()}.",
                    quantity=Decimal("1"),
                    weight=Decimal(weight),
                )
        services.question_add(
            tender=tender,
            acting_user=officer,
            kind=QuestionKind.QUALITY,
            text="How will you keep the streets clean to the specified standard?",
            guidance="Describe your methods, staffing and quality checks.",
            word_limit=750,
            weight=Decimal("100"),
        )
        services.question_add(
            tender=tender,
            acting_user=officer,
            kind=QuestionKind.SOCIAL_VALUE,
            text="How will you deliver your social value commitments in the borough?",
            guidance="Name the places and partners, and how you will evidence delivery.",
            word_limit=500,
            weight=Decimal("100"),
        )
        if published or closed:
            services.tender_publish(tender=tender, acting_user=officer, now=now)
        if closed:
            services.tender_close(tender=tender, acting_user=officer)
        tender.refresh_from_db()
    return tender
