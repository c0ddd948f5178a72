"""The public delivery tracker and community checks: only verified, non-personal data in public; checks only from
approved community group members; answers only from the responsible officer or a contract manager; isolation and
query counts.

Test data is built with the ORM (not compact/services.py), so these tests do not move when contract creation and
reporting change.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import AuditEvent, OrganisationKind, OrganisationMemberStatus
from accounts.roles import Role
from accounts.scoping import authority_scope
from compact import tracker
from compact.models import (
    CommunityCheck,
    CommunityVerdict,
    Contract,
    ContractCommitment,
    ContractStatus,
    DeliveryLine,
    DeliveryReport,
    ReportingLevel,
    ReportStatus,
    Verification,
)
from foundation.errors import DomainError
from tests.factories import OrganisationFactory, UserFactory, add_org_member
from tests.tenders.factories import adopted_test_charter, charter_measures

pytestmark = pytest.mark.django_db

# Supplier-typed text and figures that must never reach a public page.
SECRET_NARRATIVE = "Report narrative naming Jo Bloggs"
SECRET_NOTE = "Line note about Sam Worker"
SECRET_COMMITMENT_NARRATIVE = "Commitment narrative with a private phone number"
PENDING, QUERIED, REJECTED = "55.55", "66.66", "77.77"


@dataclass
class Tracked:
    contract: Contract
    commitments: list
    accepted: list  # the accepted lines, in period order


def _report(authority, contract, number, status=ReportStatus.VERIFIED, submitted_by=None):
    start = contract.starts_on + timedelta(days=91 * (number - 1))
    end = start + timedelta(days=90)
    return DeliveryReport.objects.create(
        authority=authority,
        contract=contract,
        number=number,
        label=f"Report {number}",
        period_start=start,
        period_end=end,
        due_on=end + timedelta(days=30),
        status=status,
        narrative=SECRET_NARRATIVE,
        submitted_by=submitted_by,
    )


def build_tracked_contract(
    world,
    authority,
    *,
    reference="TR-1",
    title="Street cleaning",
    status=ContractStatus.ACTIVE,
    responsible_officer=None,
    extra_periods=0,
    tender=None,
    relevant_measures=(None, None),
    charter_version=None,
) -> Tracked:
    """An active contract with two commitments. Report 1: 4 accepted on the first (in East Ward), the second
    rejected; report 2: the first queried, the second pending; report 3: 3 accepted on the first (no place given).
    `extra_periods` adds reports with one accepted line each (for query-count guards)."""
    version = charter_version or adopted_test_charter(world, authority)
    measures = charter_measures(authority, version)
    supplier_user = world.supplier_both_user
    with authority_scope(authority):
        contract = Contract.objects.create(
            authority=authority,
            tender=tender,
            charter_version=version,
            reference=reference,
            title=title,
            supplier=world.supplier_both,
            value=Decimal("120000"),
            starts_on=date(2026, 1, 1),
            ends_on=date(2026, 12, 31),
            responsible_officer=responsible_officer or world.user(authority, Role.CONTRACT_MANAGER),
            reporting_level=ReportingLevel.STANDARD,
            status=status,
        )
        commitments = [
            ContractCommitment.objects.create(
                authority=authority,
                contract=contract,
                charter_measure=measure,
                relevant_measure=relevant,
                target=Decimal(target),
                place="Northtown",
                narrative=SECRET_COMMITMENT_NARRATIVE,
                due_on=contract.ends_on,
            )
            for measure, target, relevant in zip(measures[:2], ("10", "5"), relevant_measures, strict=True)
        ]
        first, second = commitments

        def line(report, commitment, quantity, verification, place=""):
            return DeliveryLine.objects.create(
                authority=authority,
                report=report,
                commitment=commitment,
                quantity=Decimal(quantity),
                place=place,
                note=SECRET_NOTE,
                verification=verification,
                verification_note="Checked against the payroll",
                supplier_answer="Answer from the supplier",
            )

        one, two, three = (_report(authority, contract, n, submitted_by=supplier_user) for n in (1, 2, 3))
        accepted = [line(one, first, "4", Verification.ACCEPTED, place="East Ward")]
        line(one, second, REJECTED, Verification.REJECTED)
        line(two, first, QUERIED, Verification.QUERIED)
        line(two, second, PENDING, Verification.PENDING)
        accepted.append(line(three, first, "3", Verification.ACCEPTED))
        for number in range(4, 4 + extra_periods):
            accepted.append(line(_report(authority, contract, number), second, "1", Verification.ACCEPTED))
    return Tracked(contract, commitments, accepted)


def add_check(world, line, *, verdict=CommunityVerdict.QUESTION, comment="We did not see anyone at work"):
    with authority_scope(line.authority):
        return tracker.community_check_create(
            line=line,
            acting_user=world.community_user,
            organisation=world.community_group,
            verdict=verdict,
            comment=comment,
        )


def contract_url(authority, contract):
    return reverse("compact:tracker-contract", args=[authority.slug, contract.pk])


def check_url(authority, contract, line):
    return reverse("compact:community-check", args=[authority.slug, contract.pk, line.pk])


def answer_url(authority, check):
    return reverse("compact:community-check-answer", args=[authority.slug, check.pk])


def assert_nothing_private(world, html):
    for text in (
        SECRET_NARRATIVE,
        SECRET_NOTE,
        SECRET_COMMITMENT_NARRATIVE,
        "Checked against the payroll",
        "Answer from the supplier",
        PENDING,
        QUERIED,
        REJECTED,
        world.supplier_both_user.email,
        world.supplier_both_user.full_name,
        world.community_user.email,
        world.community_user.full_name,
        world.user(world.a, Role.CONTRACT_MANAGER).email,
        world.user(world.a, Role.CONTRACT_MANAGER).full_name,
    ):
        assert text not in html, text


# The public tracker -------------------------------------------------------------------------------------------


def test_the_tracker_lists_public_contracts_with_verified_delivery_by_theme_and_place(client, world):
    tracked = build_tracked_contract(world, world.a)
    build_tracked_contract(
        world, world.a, reference="TR-2", title="Ended early work", status=ContractStatus.ENDED_EARLY
    )
    build_tracked_contract(world, world.b, reference="TR-B", title="Parks in B")
    add_check(world, tracked.accepted[0])

    response = client.get(reverse("compact:tracker", args=[world.a.slug]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Street cleaning" in html and "Both Ways Ltd" in html and "£120,000.00" in html
    assert "Ended early work" not in html and "Parks in B" not in html
    (entry,) = response.context["entries"]
    assert [(row.theme, row.place, row.quantity) for row in entry.delivery] == [
        ("Theme 1", "East Ward", Decimal("4")),
        ("Theme 1", "Northtown", Decimal("3")),  # no place on the line: the commitment's
    ]
    verified = [commitment.verified for commitment in entry.contract.commitments.all()]
    assert verified == [Decimal("7"), Decimal("0")]
    assert_nothing_private(world, html)
    assert "We did not see anyone" not in html  # checks are on the contract page only


def test_the_tracker_paginates(client, world):
    for number in range(tracker.PAGE_SIZE + 1):
        build_tracked_contract(world, world.a, reference=f"P-{number}")
    first = client.get(reverse("compact:tracker", args=[world.a.slug]))
    second = client.get(reverse("compact:tracker", args=[world.a.slug]) + "?page=2")
    assert len(first.context["entries"]) == tracker.PAGE_SIZE
    assert len(second.context["entries"]) == 1
    assert 'rel="next"' in first.content.decode()


def test_an_empty_tracker_says_so(client, world):
    response = client.get(reverse("compact:tracker", args=[world.a.slug]))
    assert response.status_code == 200
    assert 'id="no-contracts"' in response.content.decode()


def test_the_contract_page_shows_only_accepted_lines_and_no_personal_data(client, world):
    tracked = build_tracked_contract(world, world.a)
    response = client.get(contract_url(world.a, tracked.contract))
    assert response.status_code == 200
    html = response.content.decode()
    assert [line.pk for line in response.context["lines"]] == [line.pk for line in tracked.accepted]
    rows = response.context["commitments"]
    assert [(row.target, row.verified) for row in rows] == [(Decimal("10"), Decimal("7")), (Decimal("5"), Decimal(0))]
    assert all(row.status.label in html for row in rows)
    assert "East Ward" in html and "Report 1" in html and "Report 3" in html
    assert "Report 2" not in html  # only queried and pending lines in it
    assert_nothing_private(world, html)


def test_contracts_not_public_or_of_another_authority_answer_404(client, world):
    ended = build_tracked_contract(world, world.a, status=ContractStatus.ENDED_EARLY)
    other = build_tracked_contract(world, world.b, reference="TR-B")
    assert client.get(contract_url(world.a, ended.contract)).status_code == 404
    assert client.get(contract_url(world.a, other.contract)).status_code == 404
    assert client.get(contract_url(world.b, other.contract)).status_code == 200
    client.force_login(world.community_user)
    assert client.get(check_url(world.a, other.contract, other.accepted[0])).status_code == 404
    assert client.get(reverse("compact:tracker", args=["no-such-authority"])).status_code == 404


def _contract_page_queries(client, world, authority, extra_periods, reference):
    tracked = build_tracked_contract(world, authority, reference=reference, extra_periods=extra_periods)
    for line in tracked.accepted:
        add_check(world, line)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(contract_url(authority, tracked.contract)).status_code == 200
    return len(queries)


def test_the_contract_page_query_count_does_not_grow_with_lines_and_checks(client, world):
    client.force_login(world.community_user)
    small = _contract_page_queries(client, world, world.a, 0, "Q-1")
    large = _contract_page_queries(client, world, world.a, 8, "Q-2")
    assert small == large


def test_the_tracker_query_count_does_not_grow_with_contracts(client, world):
    url = reverse("compact:tracker", args=[world.a.slug])
    build_tracked_contract(world, world.a, reference="L-0")
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for number in range(1, 6):
        build_tracked_contract(world, world.a, reference=f"L-{number}", extra_periods=2)
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(small) == len(large)


# Community checks ---------------------------------------------------------------------------------------------


def test_anonymous_people_are_sent_to_sign_in(client, world):
    tracked = build_tracked_contract(world, world.a)
    url = check_url(world.a, tracked.contract, tracked.accepted[0])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:sign-in"))


@pytest.mark.parametrize("who", ["resident", "supplier", "pending_member"])
def test_only_approved_community_group_members_can_check(client, world, who):
    tracked = build_tracked_contract(world, world.a)
    if who == "resident":
        user = world.resident
    elif who == "supplier":
        user = world.supplier_both_user
    else:
        user = UserFactory(email="waiting@example.net")
        add_org_member(world.community_group, user, status=OrganisationMemberStatus.PENDING)
    client.force_login(user)
    url = check_url(world.a, tracked.contract, tracked.accepted[0])
    assert client.get(url).status_code == 403
    response = client.post(url, {"verdict": "confirm", "comment": "Seen it", "organisation": world.community_group.pk})
    assert response.status_code == 403
    with authority_scope(world.a):
        assert not CommunityCheck.objects.exists()
    with pytest.raises(DomainError, match="approved member"), authority_scope(world.a):
        tracker.community_check_create(
            line=tracked.accepted[0],
            acting_user=user,
            organisation=world.community_group,
            verdict="confirm",
            comment="Seen it",
        )


def test_a_member_checks_a_delivery_and_it_shows_publicly_with_the_group_name(client, world):
    tracked = build_tracked_contract(world, world.a)
    line = tracked.accepted[0]
    client.force_login(world.community_user)
    url = check_url(world.a, tracked.contract, line)
    page = client.get(url)
    assert page.status_code == 200
    assert "You are checking for" in page.content.decode()

    response = client.post(url, {"verdict": "", "comment": "  ", "organisation": world.community_group.pk})
    assert response.status_code == 422
    html = response.content.decode()
    assert "Choose whether you confirm or question this delivery" in html and "Enter your comment" in html

    response = client.post(
        url, {"verdict": "question", "comment": "The verge was never cut", "organisation": world.community_group.pk}
    )
    assert response.status_code == 303
    assert response["Location"] == f"{contract_url(world.a, tracked.contract)}#line-{line.pk}"
    with authority_scope(world.a):
        check = CommunityCheck.objects.get()
        (event,) = AuditEvent.objects.filter(verb="community_check.created")
    assert (check.line, check.user, check.organisation, check.verdict) == (
        line,
        world.community_user,
        world.community_group,
        "question",
    )
    assert event.changes["group"] == "A Residents Forum"

    client.logout()
    html = client.get(contract_url(world.a, tracked.contract)).content.decode()
    assert "A Residents Forum" in html and "The verge was never cut" in html and "Not answered yet." in html
    assert_nothing_private(world, html)


def test_a_member_of_two_groups_chooses_one_they_belong_to(client, world):
    tracked = build_tracked_contract(world, world.a)
    second = OrganisationFactory(kind=OrganisationKind.COMMUNITY_GROUP, name="Northtown Allotments")
    add_org_member(second, world.community_user)
    stranger = OrganisationFactory(kind=OrganisationKind.COMMUNITY_GROUP, name="Not Their Group")
    client.force_login(world.community_user)
    url = check_url(world.a, tracked.contract, tracked.accepted[0])
    response = client.post(url, {"verdict": "confirm", "comment": "Seen it", "organisation": stranger.pk})
    assert response.status_code == 422
    assert "approved member" in response.content.decode()
    response = client.post(url, {"verdict": "confirm", "comment": "Seen it", "organisation": second.pk})
    assert response.status_code == 303
    with authority_scope(world.a):
        assert CommunityCheck.objects.get().organisation == second


def test_lines_that_are_not_accepted_cannot_be_checked(client, world):
    tracked = build_tracked_contract(world, world.a)
    client.force_login(world.community_user)
    with authority_scope(world.a):
        hidden = list(DeliveryLine.objects.exclude(verification=Verification.ACCEPTED))
    assert len(hidden) == 3
    for line in hidden:
        assert client.get(check_url(world.a, tracked.contract, line)).status_code == 404
        with pytest.raises(DomainError, match="public tracker"), authority_scope(world.a):
            tracker.community_check_create(
                line=line,
                acting_user=world.community_user,
                organisation=world.community_group,
                verdict="confirm",
                comment="Seen it",
            )


# Answers ------------------------------------------------------------------------------------------------------


def test_the_responsible_officer_answers_and_the_answer_shows_publicly(client, world):
    officer = world.user(world.a, Role.PROCUREMENT_OFFICER)  # responsible officer without the contract manager role
    tracked = build_tracked_contract(world, world.a, responsible_officer=officer)
    check = add_check(world, tracked.accepted[0])
    client.force_login(officer)
    url = answer_url(world.a, check)
    page = client.get(url)
    assert page.status_code == 200 and page.context["allowed"]
    assert client.post(url, {"answer": ""}).status_code == 422
    response = client.post(url, {"answer": "We have asked the supplier for dated photographs"})
    assert response.status_code == 303
    assert response["Location"].endswith(f"#check-{check.pk}")
    with authority_scope(world.a):
        check.refresh_from_db()
        (event,) = AuditEvent.objects.filter(verb="community_check.answered")
    assert (check.answer, check.answered_by) == ("We have asked the supplier for dated photographs", officer)
    assert event.changes["answer"]["after"] == check.answer

    client.logout()
    html = client.get(contract_url(world.a, tracked.contract)).content.decode()
    assert "We have asked the supplier for dated photographs" in html
    assert f"{world.a.name} answered" in html
    assert officer.full_name not in html and officer.email not in html


def test_a_contract_manager_may_answer_for_the_responsible_officer(client, world):
    tracked = build_tracked_contract(world, world.a, responsible_officer=world.user(world.a, Role.PROCUREMENT_OFFICER))
    check = add_check(world, tracked.accepted[0])
    client.force_login(world.user(world.a, Role.CONTRACT_MANAGER))
    assert client.post(answer_url(world.a, check), {"answer": "Looked into it"}).status_code == 303


@pytest.mark.parametrize("role", [Role.COMMISSIONER, Role.EVALUATOR, Role.ADMIN])
def test_other_staff_read_the_check_but_get_403_when_answering(client, world, role):
    tracked = build_tracked_contract(world, world.a, responsible_officer=world.user(world.a, Role.PROCUREMENT_OFFICER))
    check = add_check(world, tracked.accepted[0])
    client.force_login(world.user(world.a, role))
    page = client.get(answer_url(world.a, check))
    assert page.status_code == 200 and not page.context["allowed"]
    assert 'id="cannot-answer"' in page.content.decode() and "<textarea" not in page.content.decode()
    response = client.post(answer_url(world.a, check), {"answer": "Not mine to answer"})
    assert response.status_code == 403
    assert "You cannot answer this community check" in response.content.decode()
    with pytest.raises(DomainError, match="responsible officer"), authority_scope(world.a):
        tracker.community_check_answer(check=check, acting_user=world.user(world.a, role), roles={role}, answer="No")
    with authority_scope(world.a):
        check.refresh_from_db()
    assert check.answer == ""


def test_another_authoritys_check_answers_404(client, world):
    tracked = build_tracked_contract(world, world.b, reference="TR-B")
    check = add_check(world, tracked.accepted[0])
    client.force_login(world.user(world.a, Role.CONTRACT_MANAGER))
    assert client.get(answer_url(world.a, check)).status_code == 404
    assert client.post(answer_url(world.a, check), {"answer": "Leak"}).status_code == 404


def test_the_staff_contract_page_lists_community_checks_with_a_way_to_answer(client, world):
    tracked = build_tracked_contract(world, world.a)
    client.force_login(world.user(world.a, Role.CONTRACT_MANAGER))
    staff_page = reverse("compact:contract-detail", args=[world.a.slug, tracked.contract.pk])
    assert "No community group has confirmed or questioned" in client.get(staff_page).content.decode()
    check = add_check(world, tracked.accepted[0], comment="The verges on Canal Street were not cut")
    page = client.get(staff_page).content.decode()
    assert "The verges on Canal Street were not cut" in page
    assert answer_url(world.a, check) in page
