"""Isolation makers for the assessment pages: keyword -> function(world, authority) returning an object id.

Also `decided_to_end_early`, for tests elsewhere that end a contract early: since a contract can only be ended
early on a decommissioning assessment decided to go ahead, they record one first (through the ORM, so they do not
depend on the assessment's dates and notifications, tested in tests/compact/test_decommissioning.py).
"""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.roles import Role
from accounts.scoping import authority_scope
from compact import decommissioning
from compact.models import (
    AssessmentDecision,
    AssessmentKind,
    AssessmentStatus,
    DecommissioningAssessment,
)

ISOLATION_REFERENCE = "ISOLATION-ASSESSED"


def decided_to_end_early(world, contract, *, decision=AssessmentDecision.PROCEED) -> DecommissioningAssessment:
    """A decided END_EARLY assessment of the contract, as if its responses had closed and been answered."""
    authority = contract.authority
    today = timezone.localdate()
    with authority_scope(authority):
        return DecommissioningAssessment.objects.create(
            authority=authority,
            contract=contract,
            kind=AssessmentKind.END_EARLY,
            proposal="End the contract early: the funding has ended.",
            takes_effect_on=max(contract.starts_on, min(today, contract.ends_on)),
            impact_beneficiaries="Fewer activities for children.",
            impact_service_users="Families find other provision.",
            impact_volunteers="Volunteers move to the library programme.",
            outstanding_value=Decimal("0"),
            responses_due_on=today - timedelta(days=1),
            status=AssessmentStatus.DECIDED,
            decision=decision,
            decision_reasons="Weighed against the responses.",
            decided_at=timezone.now(),
            opened_by=world.user(authority, Role.CONTRACT_MANAGER),
            decided_by=world.user(authority, Role.CONTRACT_MANAGER),
        )


def assessed_contract(world, authority):
    """One contract per authority with an open value-reduction assessment and one response from the supplier's
    member; built once and reused."""
    from tests.compact.test_contract_pages import build_reported_contract

    reported = build_reported_contract(world, authority, reference=ISOLATION_REFERENCE)
    with authority_scope(authority):
        assessment = DecommissioningAssessment.objects.filter(contract=reported.contract).first()
        if assessment is None:
            today = timezone.localdate()
            assessment = decommissioning.assessment_open(
                contract=reported.contract,
                acting_user=world.user(authority, Role.CONTRACT_MANAGER),
                kind=AssessmentKind.REDUCE_VALUE,
                proposal="Reduce the value: the budget has been cut.",
                takes_effect_on=today + timedelta(days=30),
                proposed_value=Decimal("40000"),
                impact_beneficiaries="Fewer streets cleaned.",
                impact_service_users="Residents wait longer.",
                impact_volunteers="No volunteers take part.",
                responses_due_on=today + timedelta(days=14),
            )
            decommissioning.response_add(
                assessment=assessment,
                acting_user=world.supplier_one_user,
                organisation=world.supplier_one,
                text="We could keep the same service for less by changing rounds.",
            )
        return assessment


def _response(world, authority):
    assessment = assessed_contract(world, authority)
    with authority_scope(authority):
        return assessment.responses.order_by("id").first().pk


ASSESSMENT_MAKERS = {
    "assessment_id": lambda world, authority: assessed_contract(world, authority).pk,
    "response_id": _response,
}
