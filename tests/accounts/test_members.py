"""Invitations, role changes and removals: the services, the pages, and the audit events each writes."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.errors import InvitationInvalid, LastAdminError
from accounts.models import AuditEvent, Invitation, Membership, User
from accounts.roles import Role
from accounts.scoping import authority_scope
from foundation.errors import DomainError

pytestmark = pytest.mark.django_db


def _events(authority, verb):
    with authority_scope(authority):
        return list(AuditEvent.objects.filter(verb=verb))


def _roles(authority, user):
    with authority_scope(authority):
        return set(Membership.objects.filter(user=user).values_list("role", flat=True))


def _invite_link(django_capture_on_commit_callbacks, client, world, email, roles):
    admin = world.user(world.a, Role.ADMIN)
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:member-invite", args=[world.a.slug]), {"email": email, "roles": roles})
    assert response.status_code == 303
    message = mail.outbox[-1]
    assert message.to == [email]
    return re.search(r"https?://\S+/invitations/\S+/", message.body).group(0)


def test_invite_new_person_who_registers_and_accepts(client, world, django_capture_on_commit_callbacks):
    link = _invite_link(
        django_capture_on_commit_callbacks,
        client,
        world,
        "new.officer@a.example.org",
        ["procurement_officer", "evaluator"],
    )
    path = link.split("://", 1)[1].split("/", 1)[1]
    path = "/" + path
    client.logout()
    page = client.get(path)
    assert page.status_code == 200
    assert "new.officer@a.example.org" in page.content.decode()

    response = client.post(
        reverse("accounts:register") + "?next=" + path,
        {
            "full_name": "New Officer",
            "email": "new.officer@a.example.org",
            "password1": "a-long-secret-phrase",
            "password2": "a-long-secret-phrase",
            "next": path,
        },
    )
    assert response.status_code == 303
    assert response["Location"] == path
    response = client.post(path)
    assert response.status_code == 303
    user = User.objects.get(email="new.officer@a.example.org")
    assert _roles(world.a, user) == {"procurement_officer", "evaluator"}
    assert _roles(world.b, user) == set()
    assert [e.changes["roles"]["after"] for e in _events(world.a, "invitation.accepted")] == [
        ["evaluator", "procurement_officer"]
    ]
    assert _events(world.a, "invitation.created")[0].actor == world.user(world.a, Role.ADMIN)

    # The same link a second time: a clear page, not an error.
    again = client.get(path)
    assert again.status_code == 410
    assert "already been used" in again.content.decode()


def test_invitation_for_someone_else_is_refused(client, world, django_capture_on_commit_callbacks):
    link = _invite_link(django_capture_on_commit_callbacks, client, world, "someone@a.example.org", ["evaluator"])
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    client.force_login(world.resident)
    response = client.post(path)
    assert response.status_code == 403
    assert "sent to someone@a.example.org" in response.content.decode()
    assert _roles(world.a, world.resident) == set()


def test_expired_and_tampered_links_get_a_clear_page(client, world, django_capture_on_commit_callbacks):
    link = _invite_link(django_capture_on_commit_callbacks, client, world, "late@a.example.org", ["evaluator"])
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    with authority_scope(world.a):
        invitation = Invitation.objects.get(email="late@a.example.org")
        invitation.expires_at = timezone.now() - timedelta(minutes=1)
        invitation.save()
    response = client.get(path)
    assert response.status_code == 410
    assert "expired" in response.content.decode()

    response = client.get(path[:-3] + "xx/")
    assert response.status_code == 410
    assert "not valid" in response.content.decode()


def test_signature_expiry_is_enforced_even_if_the_row_says_otherwise(world, settings):
    with authority_scope(world.a):
        invitation = services.invitation_create(
            authority=world.a,
            acting_user=world.user(world.a, Role.ADMIN),
            email="x@example.org",
            roles=["evaluator"],
        )
    token = services.invitation_token(invitation)
    settings.INVITATION_MAX_AGE_DAYS = -1
    with pytest.raises(InvitationInvalid, match="expired"):
        services.dangerously_invitation_from_token(token)


def test_a_new_invitation_replaces_the_pending_one(world):
    admin = world.user(world.a, Role.ADMIN)
    with authority_scope(world.a):
        first = services.invitation_create(
            authority=world.a, acting_user=admin, email="p@example.org", roles=["evaluator"]
        )
        services.invitation_create(authority=world.a, acting_user=admin, email="p@example.org", roles=["commissioner"])
        first.refresh_from_db()
    assert first.revoked_at is not None
    with pytest.raises(InvitationInvalid, match="withdrawn"):
        services.invitation_check_usable(first)


def test_invite_form_errors_keep_input(client, world):
    client.force_login(world.user(world.a, Role.ADMIN))
    response = client.post(reverse("accounts:member-invite", args=[world.a.slug]), {"email": "not-an-email"})
    assert response.status_code == 422
    body = response.content.decode()
    assert "<title>Error: " in body
    assert "Enter an email address in the correct format" in body
    assert "Select at least one role" in body
    assert 'value="not-an-email"' in body
    assert mail.outbox == []


def test_change_roles_writes_a_diff(client, world):
    admin = world.user(world.a, Role.ADMIN)
    evaluator = world.user(world.a, Role.EVALUATOR)
    client.force_login(admin)
    response = client.post(
        reverse("accounts:member-edit", args=[world.a.slug, evaluator.pk]),
        {"roles": ["evaluator", "commissioner"]},
    )
    assert response.status_code == 303
    assert _roles(world.a, evaluator) == {"evaluator", "commissioner"}
    (event,) = _events(world.a, "membership.roles_changed")
    assert event.changes == {"roles": {"before": ["evaluator"], "after": ["commissioner", "evaluator"]}}
    assert event.actor == admin
    assert event.ip_address == "127.0.0.1"


def test_remove_member_with_confirmation(client, world):
    admin = world.user(world.a, Role.ADMIN)
    manager = world.user(world.a, Role.CONTRACT_MANAGER)
    client.force_login(admin)
    url = reverse("accounts:member-remove", args=[world.a.slug, manager.pk])
    confirm = client.get(url)
    assert "Are you sure you want to remove" in confirm.content.decode()
    assert _roles(world.a, manager) == {"contract_manager"}
    assert client.post(url).status_code == 303
    assert _roles(world.a, manager) == set()
    (event,) = _events(world.a, "membership.removed")
    assert event.changes["roles"] == {"before": ["contract_manager"], "after": []}
    client.force_login(manager)
    assert client.get(reverse("accounts:authority-home", args=[world.a.slug])).status_code == 404


def test_the_last_admin_cannot_be_removed_or_demoted(client, world):
    admin = world.user(world.a, Role.ADMIN)
    with authority_scope(world.a):
        with pytest.raises(LastAdminError):
            services.membership_remove(authority=world.a, acting_user=admin, user=admin)
        with pytest.raises(LastAdminError):
            services.membership_roles_set(authority=world.a, acting_user=admin, user=admin, roles=["evaluator"])
    client.force_login(admin)
    response = client.post(reverse("accounts:member-remove", args=[world.a.slug, admin.pk]))
    assert response.status_code == 422
    assert "at least one admin" in response.content.decode()
    assert _roles(world.a, admin) == {"admin"}


def test_withdraw_invitation(client, world):
    admin = world.user(world.a, Role.ADMIN)
    with authority_scope(world.a):
        invitation = services.invitation_create(
            authority=world.a, acting_user=admin, email="w@example.org", roles=["evaluator"]
        )
    client.force_login(admin)
    url = reverse("accounts:invitation-revoke", args=[world.a.slug, invitation.pk])
    assert client.post(url).status_code == 303
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert len(_events(world.a, "invitation.revoked")) == 1
    assert client.post(url).status_code == 422  # already withdrawn: said clearly, nothing changes


def test_inviting_existing_member_to_roles_they_have_is_refused(world):
    admin = world.user(world.a, Role.ADMIN)
    with authority_scope(world.a), pytest.raises(DomainError, match="already has these roles"):
        services.invitation_create(
            authority=world.a,
            acting_user=admin,
            email=world.user(world.a, Role.EVALUATOR).email,
            roles=["evaluator"],
        )


def test_settings_change_is_validated_and_audited(client, world):
    admin = world.user(world.a, Role.ADMIN)
    client.force_login(admin)
    url = reverse("accounts:authority-settings", args=[world.a.slug])
    bad = client.post(
        url,
        {
            "consultation_weeks": "0",
            "sv_weighting_min": "40",
            "sv_weighting_max": "20",
            "light_touch_below": "-5",
        },
    )
    assert bad.status_code == 422
    body = bad.content.decode()
    assert "at least 1 week" in body
    assert "must not be more than the highest" in body
    assert "£0 or more" in body
    world.a.refresh_from_db()
    assert world.a.consultation_weeks == 12

    good = client.post(
        url,
        {
            "consultation_weeks": "10",
            "sv_weighting_min": "10",
            "sv_weighting_max": "25",
            "light_touch_below": "50000",
        },
    )
    assert good.status_code == 303
    world.a.refresh_from_db()
    assert (world.a.consultation_weeks, world.a.sv_weighting_max) == (10, 25)
    (event,) = _events(world.a, "authority.settings_changed")
    assert event.changes["consultation_weeks"] == {"before": "12", "after": "10"}
    assert event.changes["sv_weighting_max"] == {"before": "30", "after": "25"}
