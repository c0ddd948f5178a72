"""Demo contracts for `seed_demo`, built through the services as people would, with dates counted back from today so
the reporting schedule always has past, overdue and future reports:

- Northmoor's "NBC-C-001" (street cleansing, Brightside, active, quarterly): report 1 accepted in full; report 2 one
  line accepted and one rejected; report 3 one line queried and answered (back for verification) and one queried
  and not yet answered; report 4 submitted and awaiting verification; report 5 overdue. A confirmed performance
  rating, one KPI, and the Residents' Forum confirming one delivery and questioning another on the public tracker.
- Northmoor's "NBC-C-002" (community meals pilot, Brightside, completed): every report accepted.
- Eastvale's "EDC-C-001" (holiday activities and food, Valley, ended early): its first report accepted; ended on a
  decommissioning assessment opened 60 days ago, responded to by Valley's member, answered, and decided to go ahead.
- An open decommissioning assessment on NBC-C-001 (reducing its value), with Brightside's response waiting for an
  answer, so the public Compact page has a live one.
- The local Compact: Northmoor's Compact partner, checklist and case examples (`demo_local_compact.py`) and its
  consultation register (`demo_register.py`).

Eastvale's award "EDC-2026-012" is left unconfirmed: confirming it is part of the evaluation demo's journey.
Idempotent: a contract whose reference exists is left as it is.
"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.roles import Role
from accounts.scoping import authority_scope
from charters.models import CharterMeasure, VersionStatus
from tenders.demo import BRIGHTSIDE, VALLEY

from . import decommissioning, selectors, services, tracker
from .demo_local_compact import seed_local_compact
from .demo_register import seed_register
from .models import (
    AssessmentDecision,
    AssessmentKind,
    Contract,
    ContractStatus,
    DecommissioningAssessment,
    DeliveryReport,
    ReportStatus,
    Verification,
)
from .performance import add_months

ACTIVE = "NBC-C-001"
COMPLETED = "NBC-C-002"
ENDED_EARLY = "EDC-C-001"


def seed_demo(world) -> list[str]:
    today = timezone.localdate()
    # The Compact partners come before the assessments, so opening them tells the partner groups.
    return (
        _seed_active(world, today)
        + _seed_completed(world, today)
        + seed_local_compact(world)
        + seed_register(world)
        + _seed_ended_early(world, today)
        + _seed_open_assessment(world, today)
    )


def _measures(count: int) -> list[CharterMeasure]:
    """The adopted charter's first measures by code (in the current authority scope)."""
    return list(CharterMeasure.objects.filter(version__status=VersionStatus.ADOPTED).order_by("code")[:count])


def _at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(10, 0)))


def _create(world, authority_slug, supplier_name, *, reference, title, value, starts_on, ends_on, targets, places):
    authority = world.authorities[authority_slug]
    manager = world.staff[(authority_slug, Role.CONTRACT_MANAGER)]
    measures = _measures(len(targets))
    return services.contract_create(
        authority=authority,
        acting_user=manager,
        supplier=world.suppliers[supplier_name],
        reference=reference,
        title=title,
        value=Decimal(value),
        starts_on=starts_on,
        ends_on=ends_on,
        responsible_officer=manager,
        charter_version=measures[0].version,
        commitments=[
            (measure, Decimal(target), place) for measure, target, place in zip(measures, targets, places, strict=True)
        ],
    )


def _submit(world, supplier_name, report, quantities, narrative):
    """The supplier's report, submitted ten days after its period ended."""
    commitments = list(report.contract.commitments.order_by("id"))
    lines = {c.pk: (quantity, "", "") for c, quantity in zip(commitments, quantities, strict=True)}
    return services.report_submit(
        report=report,
        acting_user=world.supplier_users[supplier_name],
        lines=lines,
        narrative=narrative,
        now=_at(report.period_end + timedelta(days=10)),
    )


def _verify(manager, report, decisions):
    """The manager's decision on each line, in commitment order: (decision, note) or None to leave it pending."""
    lines = list(report.lines.order_by("commitment_id"))
    for line, decision in zip(lines, decisions, strict=True):
        if decision is not None:
            services.line_verify(line=line, acting_user=manager, decision=decision[0], note=decision[1])
    return lines


def _reports(contract) -> list[DeliveryReport]:
    return list(DeliveryReport.objects.filter(contract=contract).order_by("number"))


ACCEPT = (Verification.ACCEPTED, "")


def _seed_active(world, today) -> list[str]:
    authority = world.authorities["northmoor"]
    manager = world.staff[("northmoor", Role.CONTRACT_MANAGER)]
    with authority_scope(authority):
        if not Contract.objects.filter(reference=ACTIVE).exists():
            # Report 5's period ended 41 days ago, so it was due 11 days ago and is overdue; report 6 is to come.
            starts_on = add_months(today, -15) - timedelta(days=40)
            contract = _create(
                world,
                "northmoor",
                BRIGHTSIDE,
                reference=ACTIVE,
                title="Street cleansing, Moor End and Northtown",
                value="480000",
                starts_on=starts_on,
                ends_on=add_months(starts_on, 24) - timedelta(days=1),
                targets=("12", "20"),
                places=("Moor End", "Northtown"),
            )
            services.kpi_add(
                contract=contract, acting_user=manager, title="Streets cleansed to grade A", target="95% each month"
            )
            reports = _reports(contract)
            narrative = "Recruited through the Moor End jobs club; timesheets and contracts are with the council."
            _submit(world, BRIGHTSIDE, reports[0], ("3", "5"), narrative)
            _verify(manager, reports[0], [ACCEPT, ACCEPT])
            _submit(world, BRIGHTSIDE, reports[1], ("2", "9"), narrative)
            _verify(
                manager,
                reports[1],
                [ACCEPT, (Verification.REJECTED, "The placements were not in the borough: no Northmoor address.")],
            )
            _submit(world, BRIGHTSIDE, reports[2], ("4", "6"), narrative)
            lines = _verify(
                manager,
                reports[2],
                [
                    (Verification.QUERIED, "Two of these hires started after the quarter ended: which dates?"),
                    (Verification.QUERIED, "Please send the placement attendance sheets."),
                ],
            )
            services.line_answer_query(
                line=lines[0],
                acting_user=world.supplier_users[BRIGHTSIDE],
                answer="All four started before the quarter ended; their contracts are attached to report 3.",
            )
            _submit(world, BRIGHTSIDE, reports[3], ("2", "4"), narrative)
            first_line = reports[0].lines.order_by("commitment_id").first()
            second_line = reports[1].lines.order_by("commitment_id").first()
            forum = world.community_user
            tracker.community_check_create(
                line=first_line,
                acting_user=forum,
                organisation=world.community_group,
                verdict="confirm",
                comment="Two of our members were among the new starters at the Moor End depot.",
            )
            tracker.community_check_create(
                line=second_line,
                acting_user=forum,
                organisation=world.community_group,
                verdict="question",
                comment="We have not seen the new crews on the Northtown estates: where are they working?",
            )
            rated_to = reports[1].period_end
            suggestion = selectors.contract_progress(contract, rated_to).rating
            services.rating_confirm(
                contract=contract,
                acting_user=manager,
                period_end=rated_to,
                rating=suggestion.rating.value,
                suggested=suggestion.rating.value,
                reason=suggestion.reason,
            )
        overdue = DeliveryReport.objects.filter(
            contract__reference=ACTIVE, status=ReportStatus.DUE, due_on__lt=today
        ).count()
    return [
        f"{'Contract: ' + ACTIVE:<49} active: reports accepted, rejected, queried (one answered), awaiting "
        f"verification, and {overdue} overdue; community checks by {world.community_group.name}"
    ]


def _seed_completed(world, today) -> list[str]:
    authority = world.authorities["northmoor"]
    manager = world.staff[("northmoor", Role.CONTRACT_MANAGER)]
    with authority_scope(authority):
        if not Contract.objects.filter(reference=COMPLETED).exists():
            starts_on = add_months(today, -20)
            contract = _create(
                world,
                "northmoor",
                BRIGHTSIDE,
                reference=COMPLETED,
                title="Community meals pilot, Moor End",
                value="60000",
                starts_on=starts_on,
                ends_on=add_months(starts_on, 12) - timedelta(days=1),
                targets=("4", "6"),
                places=("Moor End", "Moor End"),
            )
            for report in _reports(contract):
                _submit(world, BRIGHTSIDE, report, ("2", "3"), "Cooks and drivers hired locally, as committed.")
                _verify(manager, report, [ACCEPT, ACCEPT])
            services.contract_end(
                contract=contract, acting_user=manager, status=ContractStatus.COMPLETED, ended_on=contract.ends_on
            )
    return [f"{'Contract: ' + COMPLETED:<49} completed, every report accepted"]


def _seed_ended_early(world, today) -> list[str]:
    authority = world.authorities["eastvale"]
    manager = world.staff[("eastvale", Role.CONTRACT_MANAGER)]
    with authority_scope(authority):
        if not Contract.objects.filter(reference=ENDED_EARLY).exists():
            starts_on = add_months(today, -10)
            contract = _create(
                world,
                "eastvale",
                VALLEY,
                reference=ENDED_EARLY,
                title="Holiday activities and food programme",
                value="80000",
                starts_on=starts_on,
                ends_on=add_months(starts_on, 24) - timedelta(days=1),
                targets=("6", "10"),
                places=("Riverside", "Eastvale villages"),
            )
            first = _reports(contract)[0]
            _submit(world, VALLEY, first, ("2", "4"), "Play workers and cooks hired from Riverside for the summer.")
            _verify(manager, first, [ACCEPT, ACCEPT])
            # Ending early needs a decided decommissioning assessment: opened 60 days ago, responses closed 35 days
            # ago, decided 30 days ago.
            assessment = decommissioning.assessment_open(
                contract=contract,
                acting_user=manager,
                kind=AssessmentKind.END_EARLY,
                proposal=(
                    "End the programme early: the grant that pays for it ends this year and there is no other "
                    "budget for it."
                ),
                takes_effect_on=today - timedelta(days=20),
                proposed_value=None,
                impact_beneficiaries="Around 120 children in Riverside lose a free holiday club with a hot meal.",
                impact_service_users=(
                    "Families are referred to the library's holiday programme and the food bank's summer scheme."
                ),
                impact_volunteers="Eight volunteer play leaders lose their placements; Valley offers them others.",
                responses_due_on=today - timedelta(days=35),
                now=_at(today - timedelta(days=60)),
            )
            response = decommissioning.response_add(
                assessment=assessment,
                acting_user=world.supplier_users[VALLEY],
                organisation=world.suppliers[VALLEY],
                text="We could keep the Easter club going with the food bank if the council kept the kitchen open.",
                now=_at(today - timedelta(days=50)),
            )
            decommissioning.response_answer(
                response=response,
                acting_user=manager,
                answer="The kitchen stays open to community groups on the old terms until the summer.",
                now=_at(today - timedelta(days=40)),
            )
            decommissioning.assessment_decide(
                assessment=assessment,
                acting_user=manager,
                decision=AssessmentDecision.PROCEED_CHANGED,
                reasons="The grant has ended. The kitchen stays open to community groups so the Easter club can go on.",
                now=_at(today - timedelta(days=30)),
            )
            services.contract_end(
                contract=contract,
                acting_user=manager,
                status=ContractStatus.ENDED_EARLY,
                ended_on=today - timedelta(days=20),
                reason="The programme's grant funding ended; both parties agreed to end the contract early.",
            )
    return [
        f"{'Contract: ' + ENDED_EARLY:<49} ended early on a decided decommissioning assessment, its first report "
        "accepted"
    ]


def _seed_open_assessment(world, today) -> list[str]:
    authority = world.authorities["northmoor"]
    manager = world.staff[("northmoor", Role.CONTRACT_MANAGER)]
    with authority_scope(authority):
        contract = Contract.objects.get(reference=ACTIVE)
        if not DecommissioningAssessment.objects.filter(contract=contract).exists():
            assessment = decommissioning.assessment_open(
                contract=contract,
                acting_user=manager,
                kind=AssessmentKind.REDUCE_VALUE,
                proposal="Reduce the value from next quarter: the council's street cleansing budget has been cut.",
                takes_effect_on=today + timedelta(days=45),
                proposed_value=Decimal("400000"),
                impact_beneficiaries="Fewer sweeps of the Northtown estates; Moor End keeps its weekly sweep.",
                impact_service_users="Residents wait longer for fly-tipping to be cleared outside the town centre.",
                impact_volunteers="The litter-pick volunteers lose the crew's support on Saturdays.",
                responses_due_on=today + timedelta(days=16),
                now=_at(today - timedelta(days=5)),
            )
            decommissioning.response_add(
                assessment=assessment,
                acting_user=world.supplier_users[BRIGHTSIDE],
                organisation=world.suppliers[BRIGHTSIDE],
                text="We can keep the Saturday crew if the Northtown sweeps move to fortnightly.",
                now=_at(today - timedelta(days=3)),
            )
    return [f"{'Decommissioning assessment: ' + ACTIVE:<49} open for responses, one waiting for an answer"]
