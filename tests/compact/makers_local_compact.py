"""Isolation makers for the local_compact pages: keyword -> function(world, authority) returning an object id.

Each object is built once per authority through the services and reused. `action_number` has its own maker in
tests/isolation.py (the numbers 1 to 16 name no tenant object)."""

from decimal import Decimal

from accounts.roles import Role
from accounts.scoping import authority_scope
from compact.case_examples import case_example_create
from compact.checklist import evidence_add
from compact.models import CaseExample, CaseKind, ChecklistEvidence, CompactPartner
from compact.partners import partner_add


def _partner(world, authority):
    with authority_scope(authority):
        existing = CompactPartner.objects.filter(authority=authority, organisation=world.community_group).first()
        if existing is not None:
            return existing.pk
        return partner_add(
            authority=authority, acting_user=world.user(authority, Role.ADMIN), organisation=world.community_group
        ).pk


def _example(world, authority):
    title = f"Isolation case example of {authority.name}"
    with authority_scope(authority):
        existing = CaseExample.objects.filter(authority=authority, title=title).first()
        if existing is not None:
            return existing.pk
        return case_example_create(
            authority=authority,
            acting_user=world.user(authority, Role.COMMISSIONER),
            kind=CaseKind.SAVING,
            title=title,
            what_was_bought="Day services for older people",
            social_value="Volunteers kept people connected to their neighbours.",
            amount=Decimal("12500"),
            amount_explained="Fewer hospital admissions over two years.",
        ).pk


def _checklist_evidence(world, authority):
    label = f"Isolation evidence of {authority.name}"
    with authority_scope(authority):
        existing = ChecklistEvidence.objects.filter(authority=authority, label=label).first()
        if existing is not None:
            return existing.pk
        return evidence_add(
            authority=authority,
            acting_user=world.user(authority, Role.COMMISSIONER),
            number=3,
            label=label,
            url="https://www.example.org/isolation",
        ).pk


LOCAL_COMPACT_MAKERS = {
    "partner_id": _partner,
    "example_id": _example,
    "checklist_evidence_id": _checklist_evidence,
}
