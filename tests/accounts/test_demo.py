import pytest
from django.core.management import call_command

from accounts.models import AuditEvent, Authority, Membership, Organisation, User
from accounts.roles import Role
from accounts.scoping import authority_scope, dangerously_unscoped

pytestmark = pytest.mark.django_db


def _counts():
    with dangerously_unscoped():
        return (
            Authority.objects.count(),
            User.objects.count(),
            Membership.objects.count(),
            Organisation.objects.count(),
            AuditEvent.objects.count(),
        )


def test_seed_demo_is_idempotent_and_complete(capsys):
    call_command("seed_demo")
    first = _counts()
    call_command("seed_demo")
    assert _counts() == first
    output = capsys.readouterr().out
    assert "demo-password-2026" in output
    assert "admin@northmoor.example.org" in output
    authorities = list(Authority.objects.order_by("slug"))
    assert [a.slug for a in authorities] == ["eastvale", "northmoor"]
    for authority in authorities:
        with authority_scope(authority):
            assert set(Membership.objects.values_list("role", flat=True)) == set(Role)
    kinds = sorted(Organisation.objects.values_list("kind", flat=True))
    assert kinds == ["community_group", "supplier", "supplier"]
    assert User.objects.filter(email="resident@example.net", organisation_memberships=None).exists()
