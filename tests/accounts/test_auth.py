import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import AuditEvent, User
from accounts.roles import Role
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_sign_in_by_email_case_insensitive(client, world):
    user = world.user(world.a, Role.EVALUATOR)
    response = client.post(reverse("accounts:sign-in"), {"username": user.email.upper(), "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("home")).context["user"] == user


def test_wrong_password_answers_422_with_summary(client, world):
    response = client.post(reverse("accounts:sign-in"), {"username": "resident@example.net", "password": "nope"})
    assert response.status_code == 422
    body = response.content.decode()
    assert "There is a problem" in body
    assert "Enter a correct email address and password" in body
    assert 'value="resident@example.net"' in body


def test_register_validates_and_keeps_input(client, db):
    response = client.post(
        reverse("accounts:register"),
        {"full_name": "Ann", "email": "ann@example.org", "password1": "short", "password2": "different"},
    )
    assert response.status_code == 422
    assert "The passwords do not match" in response.content.decode()
    assert 'value="ann@example.org"' in response.content.decode()
    assert not User.objects.filter(email="ann@example.org").exists()


def test_register_duplicate_email(client, world):
    response = client.post(
        reverse("accounts:register"),
        {
            "full_name": "Rae",
            "email": "Resident@example.net",
            "password1": "a-long-secret-phrase",
            "password2": "a-long-secret-phrase",
        },
    )
    assert response.status_code == 422
    assert "already exists" in response.content.decode()


def test_register_signs_in_and_audits(client, db):
    response = client.post(
        reverse("accounts:register"),
        {
            "full_name": "Ann Example",
            "email": "ann@example.org",
            "password1": "a-long-secret-phrase",
            "password2": "a-long-secret-phrase",
        },
    )
    assert response.status_code == 303
    user = User.objects.get(email="ann@example.org")
    assert client.get(reverse("home")).context["user"] == user
    assert AuditEvent.objects.with_scopes_disabled().filter(verb="user.registered", actor=user).exists()


def test_password_reset_by_email_link(client, world):
    response = client.post(reverse("accounts:password-reset"), {"email": "resident@example.net"})
    assert response.status_code == 302
    (message,) = mail.outbox
    link = re.search(r"https?://[^/]+(/account/password-reset/\S+/\S+/)", message.body).group(1)
    page = client.get(link, follow=True)
    assert page.status_code == 200
    form_url = page.redirect_chain[-1][0]
    done = client.post(form_url, {"new_password1": "another-long-phrase", "new_password2": "another-long-phrase"})
    assert done.status_code == 302
    assert client.login(username="resident@example.net", password="another-long-phrase")


def test_password_reset_for_unknown_address_looks_the_same(client, db):
    response = client.post(reverse("accounts:password-reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_change_password(client, world):
    client.force_login(world.resident)
    bad = client.post(
        reverse("accounts:password-change"),
        {"old_password": "wrong", "new_password1": "x", "new_password2": "x"},
    )
    assert bad.status_code == 422
    good = client.post(
        reverse("accounts:password-change"),
        {
            "old_password": PASSWORD,
            "new_password1": "brand-new-long-phrase",
            "new_password2": "brand-new-long-phrase",
        },
    )
    assert good.status_code == 302
    world.resident.refresh_from_db()
    assert world.resident.check_password("brand-new-long-phrase")


def test_sign_out_needs_post(client, world):
    client.force_login(world.resident)
    assert client.post(reverse("accounts:sign-out")).status_code == 302
    assert client.get(reverse("accounts:account")).status_code == 302


def test_account_page_lists_authorities_and_organisations(client, world):
    user = world.user(world.a, Role.EVALUATOR)
    from tests.factories import MembershipFactory, add_org_member

    MembershipFactory(authority=world.b, user=user, role=Role.COMMISSIONER)
    add_org_member(world.community_group, user)
    client.force_login(user)
    body = client.get(reverse("accounts:account")).content.decode()
    assert world.a.name in body and world.b.name in body
    assert "Commissioner" in body and "Evaluator" in body
    assert world.community_group.name in body


def test_home_sends_people_to_what_they_can_do(client, world):
    client.force_login(world.user(world.a, Role.ADMIN))
    body = client.get(reverse("home")).content.decode()
    assert reverse("accounts:authority-home", args=[world.a.slug]) in body
    assert world.b.name not in body
    client.force_login(world.supplier_both_user)
    body = client.get(reverse("home")).content.decode()
    assert world.supplier_both.name in body
    assert world.a.name not in body
