"""The local Compact pages (compact/views/local_compact.py): the checklist for staff and the public (partner members
update it; non-partner groups' members, other staff and other authorities' partners are refused with nothing
changed), the printable checklist, case examples (drafts never public, publishing refused without both approvals,
edits clearing approvals), the landing partials and query counts at two sizes."""

import re
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from accounts.models import OrganisationKind
from accounts.roles import Role
from accounts.scoping import authority_scope
from compact import case_examples as cases
from compact import checklist
from compact.models import CaseExample, ChecklistAction, ChecklistEvidence, CompactPartner
from compact.partners import partner_add, partners_of
from tests.factories import OrganisationFactory, UserFactory, add_org_member

pytestmark = pytest.mark.django_db

CASE_POST = {
    "kind": "saving",
    "title": "Lunch club kept open",
    "what_was_bought": "Day opportunities for older people.",
    "social_value": "The lunch club's volunteers were weighted.",
    "amount": "12500.50",
    "amount_explained": "Fewer care home placements.",
    "evidence": "https://example.org/evaluation",
}


def _partner(world, authority):
    with authority_scope(authority):
        return partner_add(
            authority=authority, acting_user=world.user(authority, Role.ADMIN), organisation=world.community_group
        )


def _example(world, authority, *, title="Draft example", published=False):
    officer = world.user(authority, Role.COMMISSIONER)
    with authority_scope(authority):
        example = cases.case_example_create(
            authority=authority,
            acting_user=officer,
            **{**CASE_POST, "title": title, "amount": Decimal("250")},
        )
        if published:
            if not CompactPartner.objects.filter(organisation=world.community_group).exists():
                _partner(world, authority)
            cases.case_example_approve_as_officer(example=example, acting_user=officer)
            cases.case_example_approve_as_partner(example=example, acting_user=world.community_user)
            cases.case_example_publish(example=example, acting_user=officer)
        return example


def _public(name, authority, *args):
    return reverse(f"compact:{name}", args=[authority.slug, *args])


# The public checklist -----------------------------------------------------------------------------------------------


def test_the_public_checklist_shows_16_actions_and_edit_links_only_for_partner_members(client, world):
    url = _public("checklist-public", world.a)
    page = client.get(url).content.decode()
    assert page.count('class="govuk-heading-m govuk-!-margin-bottom-2"') == 16
    assert "0 achieved" in page and "16 not started" in page
    assert "Update action" not in page
    client.force_login(world.community_user)
    assert "Update action" not in client.get(url).content.decode()
    _partner(world, world.a)
    assert "Update action 10" in client.get(url).content.decode()


def test_a_partner_member_updates_an_action_with_evidence(client, world):
    _partner(world, world.a)
    client.force_login(world.community_user)
    edit = _public("checklist-public-edit", world.a, 10)
    page = client.get(edit).content.decode()
    assert "You are updating it as a member of <strong>A Residents Forum</strong>" in page
    response = client.post(edit, {"status": "in_progress", "owner": "Compact group", "notes": "Calendar asked for"})
    assert response.status_code == 303
    assert response["Location"].endswith("/compact/checklist/#action-10")
    response = client.post(
        _public("checklist-public-evidence-add", world.a, 10),
        {"evidence-label": "Consultation calendar", "evidence-url": "https://example.org/calendar"},
    )
    assert response.status_code == 303
    page = client.get(_public("checklist-public", world.a)).content.decode()
    assert "Calendar asked for" in page and "Consultation calendar" in page and "In progress" in page
    assert 'href="https://example.org/calendar"' in page


def test_bad_input_answers_422_and_keeps_what_was_typed(client, world):
    _partner(world, world.a)
    client.force_login(world.community_user)
    response = client.post(_public("checklist-public-edit", world.a, 10), {"status": "", "notes": "Kept notes"})
    assert response.status_code == 422
    page = response.content.decode()
    assert "Choose whether the action is not started, in progress or achieved" in page and "Kept notes" in page
    response = client.post(
        _public("checklist-public-evidence-add", world.a, 10),
        {"evidence-label": "Kept label", "evidence-url": "not a web address"},
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "<title>Error: " in page and "Enter a web address starting with https://" in page and "Kept label" in page
    with authority_scope(world.a):
        assert not ChecklistAction.objects.exists() and not ChecklistEvidence.objects.exists()


def test_a_non_partner_groups_member_is_refused_and_nothing_changes(client, world):
    other = OrganisationFactory(kind=OrganisationKind.COMMUNITY_GROUP, name="Not A Partner Group")
    outsider = UserFactory()
    add_org_member(other, outsider)
    _partner(world, world.a)
    client.force_login(outsider)
    for response in (
        client.get(_public("checklist-public-edit", world.a, 4)),
        client.post(_public("checklist-public-edit", world.a, 4), {"status": "achieved"}),
        client.post(
            _public("checklist-public-evidence-add", world.a, 4),
            {"evidence-label": "Minutes", "evidence-url": "https://example.org/m"},
        ),
    ):
        assert response.status_code == 403
        assert (
            "Only members of Authority A Borough Council&#x27;s Compact partner groups and its officers can update "
            "the checklist" in response.content.decode()
        )
    with authority_scope(world.a):
        assert not ChecklistAction.objects.exists() and not ChecklistEvidence.objects.exists()


def test_anonymous_is_sent_to_sign_in_and_numbers_outside_1_to_16_answer_404(client, world):
    _partner(world, world.a)
    response = client.get(_public("checklist-public-edit", world.a, 4))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:sign-in"))
    client.force_login(world.community_user)
    assert client.get(_public("checklist-public-edit", world.a, 17)).status_code == 404
    assert client.get(_public("checklist-public-edit", world.a, 0)).status_code == 404


def test_another_authoritys_partner_is_refused_and_gets_404_for_its_objects(client, world):
    _partner(world, world.b)
    client.force_login(world.community_user)
    assert client.post(_public("checklist-public-edit", world.a, 4), {"status": "achieved"}).status_code == 403
    evidence_a = None
    with authority_scope(world.a):
        evidence_a = checklist.evidence_add(
            authority=world.a,
            acting_user=world.user(world.a, Role.COMMISSIONER),
            number=4,
            label="A's link",
            url="https://example.org/a",
        )
    draft_a = _example(world, world.a)
    # B's slug with A's ids: nothing is found.
    assert client.get(_public("checklist-public-evidence-remove", world.b, evidence_a.pk)).status_code == 404
    assert client.post(_public("checklist-public-evidence-remove", world.b, evidence_a.pk)).status_code == 404
    for name in ("case-public-detail", "case-public-edit"):
        assert client.get(_public(name, world.b, draft_a.pk)).status_code == 404
    assert client.post(_public("case-public-approve", world.b, draft_a.pk)).status_code == 404
    # A's slug: A's draft is not theirs to see.
    assert client.get(_public("case-public-detail", world.a, draft_a.pk)).status_code == 404
    assert client.post(_public("case-public-approve", world.a, draft_a.pk)).status_code == 404
    with authority_scope(world.a):
        assert ChecklistEvidence.objects.filter(pk=evidence_a.pk).exists()
        draft_a.refresh_from_db()
        assert draft_a.partner_approved_at is None


def test_the_printable_checklist(client, world):
    with authority_scope(world.a):
        checklist.action_update(
            authority=world.a,
            acting_user=world.user(world.a, Role.COMMISSIONER),
            number=2,
            status="achieved",
            notes="A definition agreed",
        )
        checklist.evidence_add(
            authority=world.a,
            acting_user=world.user(world.a, Role.COMMISSIONER),
            number=2,
            label="Definition",
            url="https://example.org/definition",
        )
    page = client.get(_public("checklist-print", world.a)).content.decode()
    assert "@media print" in page and "govuk-service-navigation" not in page and "govuk-footer" not in page
    assert re.search(r"Printed on \d{1,2} \w+ \d{4}", page)
    assert page.count('class="app-print__action"') == 16
    assert "2. A local definition: Achieved" in page and "https://example.org/definition" in page


def test_staff_checklist_and_edit_permissions(client, world):
    client.force_login(world.user(world.a, Role.EVALUATOR))
    page = client.get(reverse("compact:checklist-staff", args=[world.a.slug])).content.decode()
    assert "Local Compact checklist" in page and "Update action" not in page
    assert (
        client.post(reverse("compact:checklist-edit", args=[world.a.slug, 3]), {"status": "achieved"}).status_code
        == 403
    )
    client.force_login(world.user(world.a, Role.COMMISSIONER))
    response = client.post(reverse("compact:checklist-edit", args=[world.a.slug, 3]), {"status": "achieved"})
    assert response.status_code == 303
    assert client.get(reverse("compact:checklist-edit", args=[world.a.slug, 17])).status_code == 404
    with authority_scope(world.a):
        assert checklist.checklist_summary(world.a).achieved == 1


def test_evidence_removal_asks_first(client, world):
    with authority_scope(world.a):
        evidence = checklist.evidence_add(
            authority=world.a,
            acting_user=world.user(world.a, Role.COMMISSIONER),
            number=4,
            label="Minutes",
            url="https://example.org/m",
        )
    client.force_login(world.user(world.a, Role.COMMISSIONER))
    url = reverse("compact:checklist-evidence-remove", args=[world.a.slug, evidence.pk])
    assert "Remove “Minutes”?" in client.get(url).content.decode()
    assert client.post(url).status_code == 303
    with authority_scope(world.a):
        assert not ChecklistEvidence.objects.exists()


# Case examples --------------------------------------------------------------------------------------------------------


def test_public_pages_never_show_drafts(client, world):
    _example(world, world.a, title="The draft one")
    published = _example(world, world.a, title="The published one", published=True)
    for user in (None, world.resident, world.user(world.a, Role.ADMIN)):
        if user:
            client.force_login(user)
        page = client.get(_public("case-public-list", world.a)).content.decode()
        assert "The published one" in page and "The draft one" not in page
    client.logout()
    page = client.get(_public("case-public-detail", world.a, published.pk)).content.decode()
    assert "The published one" in page and "£250.00" in page
    assert client.get(_public("case-public-detail", world.a, published.pk - 1)).status_code == 404
    # A partner member sees the draft too, to approve it.
    client.force_login(world.community_user)
    assert "The draft one" in client.get(_public("case-public-list", world.a)).content.decode()


def test_the_partner_writes_approves_and_the_officer_publishes(client, world):
    _partner(world, world.a)
    client.force_login(world.community_user)
    response = client.post(_public("case-public-create", world.a), CASE_POST)
    assert response.status_code == 303
    with authority_scope(world.a):
        example = CaseExample.objects.get()
    assert response["Location"] == _public("case-public-detail", world.a, example.pk)
    response = client.post(
        _public("case-public-approve", world.a, example.pk), {"organisation": world.community_group.pk}
    )
    assert response.status_code == 303
    officer = world.user(world.a, Role.COMMISSIONER)
    client.force_login(officer)
    detail = reverse("compact:case-detail", args=[world.a.slug, example.pk])
    assert "To publish it, it needs an officer&#x27;s approval." in client.get(detail).content.decode()
    response = client.post(reverse("compact:case-publish", args=[world.a.slug, example.pk]))
    assert (
        "cannot be published yet: it needs an officer&#x27;s approval"
        in client.get(response["Location"]).content.decode()
    )
    with authority_scope(world.a):
        example.refresh_from_db()
        assert example.published_at is None
    client.post(reverse("compact:case-approve", args=[world.a.slug, example.pk]))
    response = client.post(reverse("compact:case-publish", args=[world.a.slug, example.pk]))
    assert "published on the public pages" in client.get(response["Location"]).content.decode()
    client.logout()
    assert "Lunch club kept open" in client.get(_public("case-public-list", world.a)).content.decode()


def test_publish_without_approvals_is_refused_with_the_message(client, world):
    example = _example(world, world.a)
    client.force_login(world.user(world.a, Role.ADMIN))
    response = client.post(reverse("compact:case-publish", args=[world.a.slug, example.pk]), follow=True)
    assert (
        "This case example cannot be published yet: it needs a Compact partner&#x27;s approval and an officer&#x27;s "
        "approval" in response.content.decode()
    )
    with authority_scope(world.a):
        example.refresh_from_db()
        assert example.published_at is None and example.officer_approved_at is None


def test_editing_a_published_example_clears_approvals_and_unpublishes(client, world):
    example = _example(world, world.a, title="Was published", published=True)
    client.force_login(world.user(world.a, Role.COMMISSIONER))
    edit = reverse("compact:case-edit", args=[world.a.slug, example.pk])
    page = client.get(edit).content.decode()
    assert "takes the example off the public pages" in page and "Was published" in page
    response = client.post(edit, {**CASE_POST, "title": "Now edited", "amount": "-3"})
    assert response.status_code == 422
    assert "Enter the cost or saving in pounds, like 12500 or 12500.50" in response.content.decode()
    assert "Now edited" in response.content.decode()
    response = client.post(edit, {**CASE_POST, "title": "Now edited"}, follow=True)
    assert "taken off the public pages" in response.content.decode()
    with authority_scope(world.a):
        example.refresh_from_db()
        assert example.published_at is None and example.partner_approved_at is None
    client.logout()
    page = client.get(_public("case-public-list", world.a)).content.decode()
    assert "Now edited" not in page and "Was published" not in page


def test_staff_without_compact_manage_are_refused(client, world):
    example = _example(world, world.a)
    client.force_login(world.user(world.a, Role.PROCUREMENT_OFFICER))
    assert client.get(reverse("compact:case-detail", args=[world.a.slug, example.pk])).status_code == 200
    for name in ("case-approve", "case-publish", "case-edit", "case-unpublish"):
        assert client.post(reverse(f"compact:{name}", args=[world.a.slug, example.pk])).status_code == 403
    assert client.post(reverse("compact:case-create", args=[world.a.slug]), CASE_POST).status_code == 403
    # On the public pages too: a member of staff is no partner.
    assert client.post(_public("case-public-create", world.a), CASE_POST).status_code == 403
    with authority_scope(world.a):
        assert CaseExample.objects.count() == 1
        example.refresh_from_db()
        assert example.officer_approved_at is None


def test_unpublish_asks_first(client, world):
    example = _example(world, world.a, published=True)
    client.force_login(world.user(world.a, Role.ADMIN))
    url = reverse("compact:case-unpublish", args=[world.a.slug, example.pk])
    assert "off the public pages?" in client.get(url).content.decode()
    with authority_scope(world.a):
        assert CaseExample.objects.get().published_at is not None
    client.post(url)
    with authority_scope(world.a):
        assert CaseExample.objects.get().published_at is None


def test_staff_case_list_shows_drafts_and_published(client, world):
    _example(world, world.a, title="Needs approving")
    _example(world, world.a, title="Out there", published=True)
    client.force_login(world.user(world.a, Role.EVALUATOR))
    page = client.get(reverse("compact:case-list", args=[world.a.slug])).content.decode()
    assert "Needs approving" in page and "Out there" in page and "Needs both approvals" in page
    assert page.index("Needs approving") < page.index("Out there")
    assert "Write a case example" not in page


# Landing partials -----------------------------------------------------------------------------------------------------


def test_the_landing_partials_render_on_their_own(rf, world):
    _partner(world, world.a)
    _example(world, world.a, title="A published example", published=True)
    _example(world, world.a, title="A draft example")
    with authority_scope(world.a):
        context = {
            "authority": world.a,
            "partners": partners_of(world.a),
            "checklist_summary": checklist.checklist_summary(world.a),
            "case_examples": cases.case_examples_for_landing(world.a),
        }
        partners_html = render_to_string("compact/local_compact/_partners.html", context)
        summary_html = render_to_string("compact/local_compact/_checklist_summary.html", context)
        examples_html = render_to_string("compact/local_compact/_case_examples.html", context)
    assert "A Residents Forum" in partners_html and _public("checklist-public", world.a) in partners_html
    assert "0 of 16" in summary_html and _public("checklist-public", world.a) in summary_html
    assert "A published example" in examples_html and "A draft example" not in examples_html
    assert _public("case-public-list", world.a) in examples_html
    # With the request's authority instead (as on any /p/<authority>/ page).
    request = rf.get("/")
    request.authority = world.a
    with authority_scope(world.a):
        html = render_to_string("compact/local_compact/_partners.html", {"partners": context["partners"]}, request)
    assert "A Residents Forum" in html and _public("checklist-public", world.a) in html


# Query counts ---------------------------------------------------------------------------------------------------------


def _grow(world, authority, size):
    officer = world.user(authority, Role.COMMISSIONER)
    with authority_scope(authority):
        for number in range(1, size + 1):
            checklist.action_update(
                authority=authority, acting_user=officer, number=number, status="in_progress", notes=f"N{number}"
            )
            checklist.evidence_add(
                authority=authority,
                acting_user=officer,
                number=number,
                label=f"E{number}",
                url=f"https://example.org/{number}",
            )
    for index in range(size):
        _example(world, authority, title=f"Published {size}-{index}", published=True)


@pytest.mark.parametrize("size", [1, 8])
def test_public_query_counts_do_not_grow(client, world, size, django_assert_max_num_queries):
    _grow(world, world.a, size)
    client.force_login(world.community_user)  # a partner member: the partner checks are counted too
    # Session, user, authority, the partner check, the actions with their evidence (2), the counts.
    with django_assert_max_num_queries(7):
        assert client.get(_public("checklist-public", world.a)).status_code == 200
    with django_assert_max_num_queries(6):
        assert client.get(_public("checklist-print", world.a)).status_code == 200
    with django_assert_max_num_queries(7):
        page = client.get(_public("case-public-list", world.a)).content.decode()
    assert page.count("Published ") >= size
    client.force_login(world.user(world.a, Role.COMMISSIONER))
    with django_assert_max_num_queries(8):
        assert client.get(reverse("compact:checklist-staff", args=[world.a.slug])).status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(reverse("compact:case-list", args=[world.a.slug])).status_code == 200


# Demo -----------------------------------------------------------------------------------------------------------------


def test_the_demo_is_mixed_and_idempotent():
    from accounts.demo import seed_demo
    from compact.demo_local_compact import AWAITING_TITLE, PUBLISHED_TITLE, seed_local_compact

    world = seed_demo()
    lines = seed_local_compact(world)
    northmoor = world.authorities["northmoor"]

    def state():
        with authority_scope(northmoor):
            return (
                CompactPartner.objects.count(),
                list(ChecklistAction.objects.order_by("number").values_list("number", "status")),
                ChecklistEvidence.objects.count(),
                list(CaseExample.objects.order_by("title").values_list("title", "published_at")),
            )

    before = state()
    assert seed_local_compact(world) == lines
    assert state() == before
    assert "Local Compact: Northmoor" in lines[0]
    with authority_scope(northmoor):
        summary = checklist.checklist_summary(northmoor)
        assert summary.achieved and summary.in_progress and summary.not_started
        assert [e.title for e in cases.case_examples_published(northmoor)] == [PUBLISHED_TITLE]
        awaiting = CaseExample.objects.get(title=AWAITING_TITLE)
        assert awaiting.officer_approved_at and not awaiting.partner_approved_at
        assert ChecklistEvidence.objects.filter(case_example__title=PUBLISHED_TITLE).exists()
        assert partners_of(northmoor)[0].organisation == world.community_group
