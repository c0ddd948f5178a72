"""The local Compact page (/p/<authority>/compact/) and the staff Compact home: every section from its selector,
only approved content in public, another authority's content never, a constant number of queries."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from accounts.scoping import authority_scope
from compact import case_examples, checklist, partners, register
from compact.models import ChecklistStatus, CompactPartner


def _case(world, authority, title, *, publish):
    officer = world.user(authority, Role.COMMISSIONER)
    example = case_examples.case_example_create(
        authority=authority,
        acting_user=officer,
        kind="saving",
        title=title,
        what_was_bought="Community transport",
        social_value="Volunteer drivers were counted",
        amount="12500",
        amount_explained="Fewer hospital discharges delayed",
    )
    if publish:
        case_examples.case_example_approve_as_partner(example=example, acting_user=world.community_user)
        case_examples.case_example_approve_as_officer(example=example, acting_user=officer)
        case_examples.case_example_publish(example=example, acting_user=officer)
    return example


def _populate(world, authority, size):
    """`size` entered consultations (one shorter with its reason), the community group as partner, a checklist
    update by its member, one published and one draft case example per size step."""
    admin = world.user(authority, Role.ADMIN)
    today = timezone.localdate()
    with authority_scope(authority):
        if not CompactPartner.objects.filter(authority=authority).exists():
            partners.partner_add(authority=authority, acting_user=admin, organisation=world.community_group)
        for index in range(size):
            opens = today - timedelta(days=index)
            short = index == 0
            register.register_add(
                authority=authority,
                acting_user=world.user(authority, Role.COMMISSIONER),
                title=f"{authority.slug} consultation {index}",
                opens_on=opens,
                closes_on=opens + timedelta(weeks=6 if short else 12),
                shorter_reason="Funding deadline" if short else "",
            )
            _case(world, authority, f"{authority.slug} published case {index}", publish=True)
            _case(world, authority, f"{authority.slug} draft case {index}", publish=False)
        checklist.action_update(
            authority=authority,
            acting_user=world.community_user,
            number=10,
            status=ChecklistStatus.ACHIEVED,
            notes="Calendar published",
        )


def test_public_page_shows_every_section_and_only_published_content(client, world):
    _populate(world, world.a, 2)
    response = client.get(reverse("compact:compact-page", args=[world.a.slug]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "The local Compact" in page
    assert world.community_group.name in page  # partners
    assert "authority-a consultation 0" in page  # open now
    assert "100.0%" in page  # the shorter one gave its reason
    assert 'id="summary-achieved">1 of 16' in page
    assert "authority-a published case 1" in page
    assert "draft case" not in page
    assert "Decommissioning assessments" in page
    # Nothing of people: the officer's and the partner member's names are not shown.
    assert world.community_user.full_name not in page
    assert world.user(world.a, Role.COMMISSIONER).full_name not in page


def test_public_page_never_shows_another_authority(client, world):
    _populate(world, world.b, 1)
    page = client.get(reverse("compact:compact-page", args=[world.a.slug])).content.decode()
    assert "authority-b" not in page
    assert world.community_group.name not in page  # a partner of B only
    assert client.get("/p/no-such-authority/compact/").status_code == 404


def test_partner_members_are_pointed_to_what_they_can_do(client, world):
    _populate(world, world.a, 1)
    client.force_login(world.community_user)
    page = client.get(reverse("compact:compact-page", args=[world.a.slug])).content.decode()
    assert 'id="partner-note"' in page
    client.force_login(world.resident)
    page = client.get(reverse("compact:compact-page", args=[world.a.slug])).content.decode()
    assert 'id="partner-note"' not in page


@pytest.mark.parametrize("size", [1, 8])
def test_public_page_queries_do_not_grow(client, world, django_assert_max_num_queries, size):
    _populate(world, world.a, size)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("compact:compact-page", args=[world.a.slug])).status_code == 200


def test_staff_home_links_what_each_role_may_use(client, world):
    url = reverse("compact:compact-home", args=[world.a.slug])
    client.force_login(world.user(world.a, Role.ADMIN))
    page = client.get(url).content.decode()
    assert reverse("compact:partner-list", args=[world.a.slug]) in page
    client.force_login(world.user(world.a, Role.EVALUATOR))
    page = client.get(url).content.decode()
    assert reverse("compact:partner-list", args=[world.a.slug]) not in page
    assert reverse("compact:register-list", args=[world.a.slug]) in page


def test_partner_names_link_to_the_group_only_for_signed_in_people(client, world):
    _populate(world, world.a, 1)
    url = reverse("compact:compact-page", args=[world.a.slug])
    group_page = reverse("accounts:organisation-detail", args=[world.community_group.pk])
    assert group_page not in client.get(url).content.decode()  # it would only ask the public to sign in
    client.force_login(world.resident)
    assert group_page in client.get(url).content.decode()
