"""Personal API tokens: made once, stored hashed, used, revoked; and the account pages that manage them."""

import hashlib
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken, AuditEvent
from accounts.roles import Role
from accounts.scoping import dangerously_unscoped
from accounts.tokens import token_authenticate, token_create, token_revoke
from foundation.errors import DomainError

from .conftest import assert_error

AUTHORITIES = "/api/v1/authorities/"


def _me_url(world):
    # A staff-only action that needs nothing but a valid caller to answer 401 without credentials.
    return f"/api/v1/authorities/{world.a.slug}/charters/"


# Services -----------------------------------------------------------------------------------------------------


def test_create_returns_the_secret_once_and_stores_only_its_hash(world):
    token, secret = token_create(user=world.resident, name="  Reporting   script ")
    assert token.name == "Reporting script"
    assert secret.startswith(f"cvc_{token.prefix}_")
    assert len(secret) > 40
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in {getattr(stored, field.attname) for field in ApiToken._meta.concrete_fields}
    with dangerously_unscoped():
        event = AuditEvent.objects.get(verb="api_token.created")
    assert event.authority is None and event.actor == world.resident
    assert secret not in str(event.changes)


def test_names_are_required_and_unique_among_live_tokens(world):
    with pytest.raises(DomainError) as error:
        token_create(user=world.resident, name="   ")
    assert error.value.field == "name"
    token, _ = token_create(user=world.resident, name="Script")
    with pytest.raises(DomainError, match="already have a token with this name"):
        token_create(user=world.resident, name="script")
    # Someone else may use the name, and so may the owner once the first is revoked.
    token_create(user=world.community_user, name="Script")
    token_revoke(token=token, acting_user=world.resident)
    token_create(user=world.resident, name="Script")


def test_only_the_owner_revokes_and_only_once(world):
    token, _ = token_create(user=world.resident, name="Script")
    with pytest.raises(DomainError):
        token_revoke(token=token, acting_user=world.community_user)
    token_revoke(token=token, acting_user=world.resident)
    with pytest.raises(DomainError, match="already been revoked"):
        token_revoke(token=token, acting_user=world.resident)
    with dangerously_unscoped():
        assert AuditEvent.objects.filter(verb="api_token.revoked", actor=world.resident).count() == 1


def test_authenticate_notes_use_at_most_once_a_minute(world):
    token, secret = token_create(user=world.resident, name="Script")
    start = timezone.now()
    assert token_authenticate(secret, now=start) == token
    token.refresh_from_db()
    assert token.last_used_at == start
    token_authenticate(secret, now=start + timedelta(seconds=30))
    token.refresh_from_db()
    assert token.last_used_at == start
    later = start + timedelta(minutes=2)
    token_authenticate(secret, now=later)
    token.refresh_from_db()
    assert token.last_used_at == later


def test_authenticate_refuses_unknown_revoked_and_inactive(world):
    token, secret = token_create(user=world.resident, name="Script")
    assert token_authenticate(secret + "x") is None
    assert token_authenticate("not-a-token") is None
    world.resident.is_active = False
    world.resident.save()
    assert token_authenticate(secret) is None
    world.resident.is_active = True
    world.resident.save()
    token_revoke(token=token, acting_user=world.resident)
    assert token_authenticate(secret) is None


# Using a token over HTTP ---------------------------------------------------------------------------------------


def test_token_lifecycle_over_http(world, api, client):
    _, secret = token_create(user=world.resident, name="Script")
    # Bearer and Token both work.
    for scheme in ("Bearer", "Token"):
        response = api.get(AUTHORITIES, HTTP_AUTHORIZATION=f"{scheme} {secret}")
        assert response.status_code == 200
    token = ApiToken.objects.get(user=world.resident)
    assert token.last_used_at is not None

    # Revoked through the page: the same secret is refused with 401 and the error body.
    client.force_login(world.resident)
    response = client.post(reverse("accounts:api-token-revoke", args=[token.pk]))
    assert response.status_code == 303
    response = api.get(AUTHORITIES, HTTP_AUTHORIZATION=f"Bearer {secret}")
    body = assert_error(response, 401)
    assert "revoked" in body["detail"]
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_malformed_and_unknown_tokens_answer_401(world, api):
    for header in ("Bearer", "Bearer a b", "Bearer cvc_nope_nope", "Token nonsense"):
        assert_error(api.get(AUTHORITIES, HTTP_AUTHORIZATION=header), 401)


def test_no_credentials_on_a_write_answers_401(world, api):
    body = assert_error(api.post(_me_url(world), {"title": "A charter"}, format="json"), 401)
    assert body["title"] == "Not signed in"


def test_session_writes_need_the_csrf_token(world):
    browser = APIClient(enforce_csrf_checks=True)
    browser.force_login(world.user(world.a, Role.COMMISSIONER))
    response = browser.post(_me_url(world), {"title": "A charter"}, format="json")
    assert_error(response, 403)
    assert "CSRF" in response.json()["detail"]


# The account pages ---------------------------------------------------------------------------------------------


def test_token_pages_need_sign_in(client):
    for name in ("accounts:api-token-list", "accounts:api-token-create"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:sign-in"))


def test_create_shows_the_secret_once_with_no_store(world, client):
    client.force_login(world.resident)
    page = client.get(reverse("accounts:account"))
    assert reverse("accounts:api-token-list") in page.content.decode()
    listing = client.get(reverse("accounts:api-token-list"))
    assert "You have no API tokens" in listing.content.decode()

    response = client.post(reverse("accounts:api-token-create"), {"name": "Monthly report"})
    assert response.status_code == 303
    assert "no-store" in response["Cache-Control"]
    shown = client.get(response["Location"])
    assert shown.status_code == 200
    assert "no-store" in shown["Cache-Control"]
    html = shown.content.decode()
    token = ApiToken.objects.get(user=world.resident)
    start = html.index('id="api-token-secret">') + len('id="api-token-secret">')
    secret = html[start : html.index("</code>", start)]
    assert secret.startswith(f"cvc_{token.prefix}_")
    assert token.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert "will not be shown again" in html
    # A second look shows no secret.
    again = client.get(response["Location"]).content.decode()
    assert secret not in again and "cannot be shown again" in again
    listing = client.get(reverse("accounts:api-token-list")).content.decode()
    assert "Monthly report" in listing and f"cvc_{token.prefix}_" in listing and secret not in listing


def test_create_refuses_a_blank_or_duplicate_name_with_422(world, client):
    client.force_login(world.resident)
    response = client.post(reverse("accounts:api-token-create"), {"name": ""})
    assert response.status_code == 422
    assert "Enter a name for the token" in response.content.decode()
    token_create(user=world.resident, name="Script")
    response = client.post(reverse("accounts:api-token-create"), {"name": "Script"})
    assert response.status_code == 422
    html = response.content.decode()
    assert "already have a token with this name" in html and 'value="Script"' in html


def test_revoke_asks_first_and_only_for_your_own_live_tokens(world, client):
    token, _ = token_create(user=world.resident, name="Script")
    client.force_login(world.community_user)
    assert client.get(reverse("accounts:api-token-revoke", args=[token.pk])).status_code == 404
    assert client.post(reverse("accounts:api-token-revoke", args=[token.pk])).status_code == 404
    assert client.get(reverse("accounts:api-token-created", args=[token.pk])).status_code == 404

    client.force_login(world.resident)
    confirm = client.get(reverse("accounts:api-token-revoke", args=[token.pk]))
    assert confirm.status_code == 200 and "Are you sure" in confirm.content.decode()
    response = client.post(reverse("accounts:api-token-revoke", args=[token.pk]), follow=True)
    assert "has been revoked" in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert "You have no API tokens" in client.get(reverse("accounts:api-token-list")).content.decode()
    assert client.get(reverse("accounts:api-token-revoke", args=[token.pk])).status_code == 404


def test_token_list_is_paginated(world, client):
    for number in range(27):
        token_create(user=world.resident, name=f"Token {number:02}")
    client.force_login(world.resident)
    first = client.get(reverse("accounts:api-token-list")).content.decode()
    assert first.count("Revoke<span") == 25 and "govuk-pagination" in first
    second = client.get(reverse("accounts:api-token-list") + "?page=2").content.decode()
    assert second.count("Revoke<span") == 2
