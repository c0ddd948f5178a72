"""Demo data for Northmoor's local Compact, built through the services as people would (the lead's `seed_demo`
calls `seed_local_compact(world)`):

- the Northmoor Residents' Forum is a Compact partner (added by the admin);
- the checklist in mixed states, with notes, who is leading and evidence links, updated by the commissioner and by
  the forum's member;
- two case examples: one published (approved by the forum and the commissioner), one approved by the commissioner
  and waiting for the forum's approval.

Idempotent: what exists already (the partner, an action's row, a case example by its title) is left as it is.
"""

from decimal import Decimal

from accounts.roles import Role
from accounts.scoping import authority_scope

from . import case_examples as cases
from . import checklist
from .models import CaseExample, CaseKind, ChecklistAction, ChecklistStatus, CompactPartner, Contract
from .partners import partner_add

PUBLISHED_TITLE = "Community meals: local volunteers kept people out of hospital"
AWAITING_TITLE = "Youth centre cleaning let on price alone"

# number -> (status, who is leading, notes, evidence as (label, web address) or "case" for the published example,
# and whether the forum's member made the update rather than the commissioner)
ACTIONS = {
    1: (
        ChecklistStatus.ACHIEVED,
        "Northmoor Compact group",
        "Workshop with the council's commissioners and procurement team on what social value means in Northmoor.",
        ("Workshop notes", "https://www.northmoor.example.org/compact/social-value-workshop"),
        True,
    ),
    2: (
        ChecklistStatus.ACHIEVED,
        "Commissioning team",
        "The adopted charter (version 1) was consulted on for 12 weeks; the forum's comments on volunteering and "
        "local spend were accepted.",
        ("Northmoor's community value charter", "https://www.northmoor.example.org/charter"),
        False,
    ),
    4: (
        ChecklistStatus.IN_PROGRESS,
        "Commissioning team",
        "Social value is asked for above £50,000; the forum has asked for it in all contracts.",
        None,
        True,
    ),
    10: (
        ChecklistStatus.IN_PROGRESS,
        "Northmoor Compact group",
        "The consultation calendar is now public. Still to agree: feedback to every respondent within 12 weeks.",
        ("Consultation calendar", "https://www.northmoor.example.org/consultations"),
        True,
    ),
    12: (
        ChecklistStatus.ACHIEVED,
        "Procurement team",
        "Contracts below £150,000 report with a half-yearly milestone tracker instead of quarterly returns.",
        None,
        False,
    ),
    14: (
        ChecklistStatus.IN_PROGRESS,
        "Northmoor Residents' Forum",
        "One example published; two more being written up.",
        "case",
        True,
    ),
    15: (ChecklistStatus.NOT_STARTED, "Northmoor Residents' Forum", "", None, True),
}


def seed_local_compact(world) -> list[str]:
    authority = world.authorities["northmoor"]
    admin = world.staff[("northmoor", Role.ADMIN)]
    officer = world.staff[("northmoor", Role.COMMISSIONER)]
    forum, member = world.community_group, world.community_user
    with authority_scope(authority):
        if not CompactPartner.objects.filter(authority=authority, organisation=forum).exists():
            partner_add(authority=authority, acting_user=admin, organisation=forum)
        published = _published_example(authority, officer, member)
        _awaiting_example(authority, officer)
        for number, (status, owner, notes, evidence, by_member) in ACTIONS.items():
            if ChecklistAction.objects.filter(authority=authority, number=number).exists():
                continue
            actor = member if by_member else officer
            checklist.action_update(
                authority=authority, acting_user=actor, number=number, status=status, notes=notes, owner=owner
            )
            if evidence == "case":
                checklist.evidence_add(
                    authority=authority,
                    acting_user=actor,
                    number=number,
                    label="Case example: community meals",
                    case_example=published,
                )
            elif evidence is not None:
                label, url = evidence
                checklist.evidence_add(authority=authority, acting_user=actor, number=number, label=label, url=url)
        summary = checklist.checklist_summary(authority)
    return [
        f"{'Local Compact: ' + authority.name:<49} partner {forum.name}; checklist {summary.achieved} achieved, "
        f"{summary.in_progress} in progress; a case example published, one awaiting the partner"
    ]


def _published_example(authority, officer, member) -> CaseExample:
    example = CaseExample.objects.filter(authority=authority, title=PUBLISHED_TITLE).first()
    if example is not None:
        return example
    example = cases.case_example_create(
        authority=authority,
        acting_user=member,
        kind=CaseKind.SAVING,
        title=PUBLISHED_TITLE,
        what_was_bought="A community meals pilot for older residents on the Northmoor estates, 2025 to 2026.",
        social_value="The evaluation weighted the supplier's use of local volunteers, who also checked on people "
        "living alone. Two early warnings led to home adaptations before anyone fell.",
        amount=Decimal("18400"),
        amount_explained="Two avoided hospital admissions after falls at the NHS reference cost, less the cost of "
        "the volunteer coordinator.",
        evidence="Pilot evaluation, March 2026: https://www.northmoor.example.org/meals-pilot-evaluation",
        contract=Contract.objects.filter(authority=authority, reference="NBC-C-002").first(),
    )
    cases.case_example_approve_as_partner(example=example, acting_user=member)
    cases.case_example_approve_as_officer(example=example, acting_user=officer)
    return cases.case_example_publish(example=example, acting_user=officer)


def _awaiting_example(authority, officer) -> CaseExample:
    example = CaseExample.objects.filter(authority=authority, title=AWAITING_TITLE).first()
    if example is not None:
        return example
    example = cases.case_example_create(
        authority=authority,
        acting_user=officer,
        kind=CaseKind.COST,
        title=AWAITING_TITLE,
        what_was_bought="Cleaning for the youth centre, let on price alone in 2023.",
        social_value="The previous provider, a social enterprise, employed young people from the estate. Its "
        "work experience places were not counted, and the youth service later paid for a replacement scheme.",
        amount=Decimal("7250"),
        amount_explained="The replacement work experience scheme's cost for one year.",
    )
    return cases.case_example_approve_as_officer(example=example, acting_user=officer)
