"""The 16-action checklist (compact/checklist.py): all 16 with a not-started default, who may update (partner members
and officers only, with a clear message), validation, evidence links, audit, and what the public sees."""

from decimal import Decimal

import pytest

from accounts.models import AuditEvent, OrganisationKind
from accounts.roles import Role
from accounts.scoping import authority_scope
from compact import checklist
from compact.case_examples import case_example_create
from compact.models import ChecklistAction, ChecklistEvidence, ChecklistStatus
from compact.partners import NotPartnerOrOfficer, partner_add
from foundation.errors import DomainError
from tests.factories import OrganisationFactory, UserFactory, add_org_member

pytestmark = pytest.mark.django_db


def make_partner(world, authority, organisation=None):
    with authority_scope(authority):
        return partner_add(
            authority=authority,
            acting_user=world.user(authority, Role.ADMIN),
            organisation=organisation or world.community_group,
        )


def test_the_16_actions_are_those_of_the_guidance():
    assert [action.number for action in checklist.ACTIONS] == list(range(1, 17))
    assert checklist.action_text(10).text.startswith("Review the engagement practices of local statutory bodies")
    assert "12-week consultations" in checklist.action_text(10).text
    assert checklist.action_text(15).text == (
        "Collect examples where failing to recognise social value in procurement led to extra costs."
    )
    assert checklist.action_text(17) is None


def test_a_new_authority_has_16_actions_not_started(world):
    with authority_scope(world.a):
        rows = checklist.checklist_rows(world.a)
        summary = checklist.checklist_summary(world.a)
    assert len(rows) == 16
    assert {row.status for row in rows} == {ChecklistStatus.NOT_STARTED}
    assert (summary.achieved, summary.in_progress, summary.not_started, summary.total) == (0, 0, 16, 16)


def test_a_partner_member_updates_and_the_audit_names_the_group(world):
    make_partner(world, world.a)
    with authority_scope(world.a):
        checklist.action_update(
            authority=world.a,
            acting_user=world.community_user,
            number=10,
            status=ChecklistStatus.IN_PROGRESS,
            notes="  Asked for the consultation calendar.  ",
            owner="Compact group",
        )
        row = checklist.checklist_row(world.a, 10)
        summary = checklist.checklist_summary(world.a)
        event = AuditEvent.objects.get(verb="compact.checklist_updated")
    assert (row.status, row.notes, row.owner) == (
        "in_progress",
        "Asked for the consultation calendar.",
        "Compact group",
    )
    assert row.updated_by == world.community_user
    assert (summary.achieved, summary.in_progress, summary.not_started) == (0, 1, 15)
    assert event.changes["partner_groups"] == ["A Residents Forum"]
    assert event.changes["status"] == {"before": "not_started", "after": "in_progress"}
    assert event.changes["action"] == 10


def test_officers_update_but_other_staff_do_not(world):
    with authority_scope(world.a):
        for role in (Role.ADMIN, Role.COMMISSIONER):
            checklist.action_update(
                authority=world.a, acting_user=world.user(world.a, role), number=1, status=ChecklistStatus.ACHIEVED
            )
        with pytest.raises(NotPartnerOrOfficer) as refused:
            checklist.action_update(
                authority=world.a,
                acting_user=world.user(world.a, Role.EVALUATOR),
                number=2,
                status=ChecklistStatus.ACHIEVED,
            )
        assert refused.value.message == (
            "Only members of Authority A Borough Council's Compact partner groups and its officers can update the "
            "checklist"
        )
        assert list(ChecklistAction.objects.values_list("number", flat=True)) == [1]


def test_non_partner_groups_and_other_authorities_partners_are_refused(world):
    other_group = OrganisationFactory(kind=OrganisationKind.COMMUNITY_GROUP, name="Not A Partner Group")
    outsider = UserFactory()
    add_org_member(other_group, outsider)
    make_partner(world, world.b)  # the world's group is B's partner, not A's
    with authority_scope(world.a):
        for person in (outsider, world.community_user, world.resident):
            with pytest.raises(NotPartnerOrOfficer):
                checklist.action_update(
                    authority=world.a, acting_user=person, number=4, status=ChecklistStatus.ACHIEVED
                )
            with pytest.raises(NotPartnerOrOfficer):
                checklist.evidence_add(
                    authority=world.a, acting_user=person, number=4, label="Minutes", url="https://example.org/m"
                )
        assert not ChecklistAction.objects.exists()
        assert not AuditEvent.objects.filter(verb__startswith="compact.checklist").exists()


@pytest.mark.parametrize(
    ("number", "status", "notes", "owner", "message"),
    [
        (0, "achieved", "", "", "Choose one of the 16 actions"),
        (17, "achieved", "", "", "Choose one of the 16 actions"),
        (3, "done", "", "", "not started, in progress or achieved"),
        (3, "achieved", "x" * 5001, "", "The notes must be 5,000 characters or fewer"),
        (3, "achieved", "", "x" * 201, "Who is leading must be 200 characters or fewer"),
    ],
)
def test_bad_updates_are_refused(world, number, status, notes, owner, message):
    with authority_scope(world.a), pytest.raises(DomainError, match=message):
        checklist.action_update(
            authority=world.a,
            acting_user=world.user(world.a, Role.COMMISSIONER),
            number=number,
            status=status,
            notes=notes,
            owner=owner,
        )


def test_evidence_links_and_removal(world):
    officer = world.user(world.a, Role.COMMISSIONER)
    with authority_scope(world.a):
        link = checklist.evidence_add(
            authority=world.a, acting_user=officer, number=10, label="Calendar", url="https://example.org/calendar"
        )
        row = checklist.checklist_row(world.a, 10)
        assert row.status == ChecklistStatus.NOT_STARTED  # evidence alone changes no status
        assert [item.label for item in row.evidence] == ["Calendar"]
        for kwargs, message in [
            ({"label": "", "url": "https://example.org"}, "Enter what the evidence is"),
            ({"label": "Minutes", "url": ""}, "Enter the evidence's web address, or choose a case example"),
            ({"label": "Minutes", "url": "javascript:alert(1)"}, "Enter a web address starting with https://"),
            ({"label": "Minutes", "url": "ftp://example.org/x"}, "Enter a web address starting with https://"),
        ]:
            with pytest.raises(DomainError, match=message):
                checklist.evidence_add(authority=world.a, acting_user=officer, number=10, **kwargs)
        checklist.evidence_remove(evidence=link, acting_user=officer)
        assert not ChecklistEvidence.objects.exists()
        assert AuditEvent.objects.filter(verb="compact.checklist_evidence_removed").exists()


def test_the_public_sees_case_example_evidence_only_once_published(world):
    officer = world.user(world.a, Role.COMMISSIONER)
    with authority_scope(world.a):
        example = case_example_create(
            authority=world.a,
            acting_user=officer,
            kind="cost",
            title="Draft example",
            what_was_bought="Meals",
            social_value="Missed",
            amount=Decimal("100"),
            amount_explained="Sums",
        )
        checklist.evidence_add(
            authority=world.a, acting_user=officer, number=15, label="Our example", case_example=example
        )
        with pytest.raises(DomainError, match="not both"):
            checklist.evidence_add(
                authority=world.a,
                acting_user=officer,
                number=15,
                label="Both",
                url="https://example.org",
                case_example=example,
            )
        assert [item.label for item in checklist.checklist_row(world.a, 15).evidence] == ["Our example"]
        assert checklist.checklist_row(world.a, 15, public=True).evidence == []
        example.published_at = example.created_at
        example.save()
        assert [item.label for item in checklist.checklist_row(world.a, 15, public=True).evidence] == ["Our example"]


def test_another_authoritys_case_example_cannot_be_linked(world):
    with authority_scope(world.b):
        example_b = case_example_create(
            authority=world.b,
            acting_user=world.user(world.b, Role.COMMISSIONER),
            kind="cost",
            title="B's example",
            what_was_bought="Meals",
            social_value="Missed",
            amount=Decimal("100"),
            amount_explained="Sums",
        )
    with authority_scope(world.a), pytest.raises(DomainError, match="this authority's case examples"):
        checklist.evidence_add(
            authority=world.a,
            acting_user=world.user(world.a, Role.COMMISSIONER),
            number=14,
            label="B's",
            case_example=example_b,
        )


def test_rows_take_two_queries_whatever_the_data(world, django_assert_num_queries, django_assert_max_num_queries):
    officer = world.user(world.a, Role.COMMISSIONER)
    with authority_scope(world.a):
        with django_assert_max_num_queries(2):
            checklist.checklist_rows(world.a)
        for number in range(1, 17):
            checklist.action_update(authority=world.a, acting_user=officer, number=number, status="achieved")
            for index in range(2):
                checklist.evidence_add(
                    authority=world.a,
                    acting_user=officer,
                    number=number,
                    label=f"Link {index}",
                    url=f"https://example.org/{number}/{index}",
                )
        with django_assert_num_queries(2):
            rows = checklist.checklist_rows(world.a, public=True)
            assert sum(len(row.evidence) for row in rows) == 32
            assert all(row.updated_by.email for row in rows)
        assert checklist.checklist_summary(world.a).achieved == 16
