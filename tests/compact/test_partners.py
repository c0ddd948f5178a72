"""Compact partners (compact/partners.py and the staff partner pages): only community groups, never twice, the
group's admins told by email, audited; only admins choose partners; another authority's partner answers 404."""

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import AuditEvent, OrganisationKind, OrganisationMemberStatus, OrganisationRole
from accounts.roles import Role
from accounts.scoping import authority_scope
from compact import partners
from compact.models import CompactPartner
from foundation.errors import DomainError
from tests.factories import OrganisationFactory, UserFactory, add_org_member

pytestmark = pytest.mark.django_db


def _add(world, authority, organisation=None):
    with authority_scope(authority):
        return partners.partner_add(
            authority=authority,
            acting_user=world.user(authority, Role.ADMIN),
            organisation=organisation or world.community_group,
        )


def test_partner_add_emails_the_groups_admins_and_is_audited(world, django_capture_on_commit_callbacks):
    member = UserFactory(email="member@forum.example.net")
    add_org_member(world.community_group, member, role=OrganisationRole.MEMBER)
    with django_capture_on_commit_callbacks(execute=True):
        partner = _add(world, world.a)
    assert [message.to for message in mail.outbox] == [[world.community_user.email]]
    assert "A Residents Forum is now a Compact partner of Authority A Borough Council" in mail.outbox[0].subject
    assert "/p/authority-a/compact/checklist/" in mail.outbox[0].body
    with authority_scope(world.a):
        event = AuditEvent.objects.get(verb="compact.partner_added")
        assert event.changes == {"organisation": "A Residents Forum"}
        assert event.object_id == str(partner.pk)
        assert partners.is_partner_member(world.community_user, world.a)
        assert partners.is_partner_member(member, world.a)
    with authority_scope(world.b):
        assert not partners.is_partner_member(world.community_user, world.b)


def test_partner_add_refuses_a_supplier_and_a_second_time(world):
    with authority_scope(world.a), pytest.raises(DomainError, match="only community groups can be Compact partners"):
        partners.partner_add(
            authority=world.a, acting_user=world.user(world.a, Role.ADMIN), organisation=world.supplier_both
        )
    _add(world, world.a)
    with pytest.raises(DomainError, match="A Residents Forum is already a Compact partner of Authority A"):
        _add(world, world.a)
    with authority_scope(world.a):
        assert CompactPartner.objects.count() == 1


def test_pending_members_are_not_partner_members(world):
    pending = UserFactory()
    add_org_member(world.community_group, pending, status=OrganisationMemberStatus.PENDING)
    _add(world, world.a)
    with authority_scope(world.a):
        assert not partners.is_partner_member(pending, world.a)


def test_partner_remove_is_audited(world):
    partner = _add(world, world.a)
    with authority_scope(world.a):
        partners.partner_remove(partner=partner, acting_user=world.user(world.a, Role.ADMIN))
        assert not CompactPartner.objects.exists()
        assert AuditEvent.objects.filter(verb="compact.partner_removed").exists()
        assert not partners.is_partner_member(world.community_user, world.a)


# Pages ----------------------------------------------------------------------------------------------------------------


def test_admin_searches_and_makes_a_group_a_partner(client, world):
    other = OrganisationFactory(kind=OrganisationKind.COMMUNITY_GROUP, name="Another Residents Group")
    client.force_login(world.user(world.a, Role.ADMIN))
    url = reverse("compact:partner-list", args=[world.a.slug])
    page = client.get(url).content.decode()
    assert "has no Compact partners yet" in page
    page = client.get(url, {"q": "residents"}).content.decode()
    assert "A Residents Forum" in page and "Another Residents Group" in page
    assert "Both Ways Ltd" not in page  # suppliers are not community groups
    response = client.post(
        reverse("compact:partner-add", args=[world.a.slug]), {"organisation": other.pk, "q": "residents"}
    )
    assert response.status_code == 303
    page = client.get(response["Location"]).content.decode()
    assert "Another Residents Group is now a Compact partner" in page
    # Adding again says so and changes nothing.
    response = client.post(reverse("compact:partner-add", args=[world.a.slug]), {"organisation": other.pk})
    assert "already a Compact partner" in client.get(response["Location"]).content.decode()
    with authority_scope(world.a):
        assert CompactPartner.objects.filter(organisation=other).count() == 1


def test_partner_add_refuses_a_supplier_id(client, world):
    client.force_login(world.user(world.a, Role.ADMIN))
    response = client.post(
        reverse("compact:partner-add", args=[world.a.slug]), {"organisation": world.supplier_both.pk}
    )
    assert "Choose a community group" in client.get(response["Location"]).content.decode()
    with authority_scope(world.a):
        assert not CompactPartner.objects.exists()


def test_partner_search_is_paginated(client, world):
    for number in range(30):
        OrganisationFactory(kind=OrganisationKind.COMMUNITY_GROUP, name=f"Estate Group {number:02}")
    client.force_login(world.user(world.a, Role.ADMIN))
    url = reverse("compact:partner-list", args=[world.a.slug])
    first = client.get(url, {"q": "estate"}).content.decode()
    assert "30 community groups" in first and "Estate Group 24" in first and "Estate Group 25" not in first
    assert "Estate Group 25" in client.get(url, {"q": "estate", "page": 2}).content.decode()


def test_remove_asks_for_confirmation(client, world):
    partner = _add(world, world.a)
    client.force_login(world.user(world.a, Role.ADMIN))
    url = reverse("compact:partner-remove", args=[world.a.slug, partner.pk])
    assert "Remove A Residents Forum as a Compact partner?" in client.get(url).content.decode()
    with authority_scope(world.a):
        assert CompactPartner.objects.exists()
    assert client.post(url).status_code == 303
    with authority_scope(world.a):
        assert not CompactPartner.objects.exists()


def test_only_admins_choose_partners_and_other_authorities_partners_answer_404(client, world):
    partner_b = _add(world, world.b)
    client.force_login(world.user(world.a, Role.COMMISSIONER))
    assert client.get(reverse("compact:partner-list", args=[world.a.slug])).status_code == 403
    response = client.post(
        reverse("compact:partner-add", args=[world.a.slug]), {"organisation": world.community_group.pk}
    )
    assert response.status_code == 403
    client.force_login(world.user(world.a, Role.ADMIN))
    assert client.post(reverse("compact:partner-remove", args=[world.a.slug, partner_b.pk])).status_code == 404
    with authority_scope(world.b):
        assert CompactPartner.objects.filter(pk=partner_b.pk).exists()
    with authority_scope(world.a):
        assert not CompactPartner.objects.exists()
