import pytest
from django.core.management import call_command

from accounts.models import Authority
from accounts.scoping import authority_scope
from charters.models import Charter, CommentStatus, VersionStatus

pytestmark = pytest.mark.django_db


def test_demo_has_an_adopted_charter_and_a_revision_in_consultation(capsys):
    call_command("seed_demo")
    call_command("seed_demo")  # idempotent
    northmoor = Authority.objects.get(slug="northmoor")
    with authority_scope(northmoor):
        (charter,) = Charter.objects.all()
        v1, v2 = charter.versions.order_by("number")
        assert (v1.status, v2.status) == (VersionStatus.ADOPTED, VersionStatus.CONSULTATION)
        assert v1.measures.exists() and v1.consultation.comments.get().response.outcome == "accepted"
        comments = v2.consultation.comments.all()
        assert sorted(c.status for c in comments) == [
            CommentStatus.HELD,
            CommentStatus.PUBLISHED,
            CommentStatus.PUBLISHED,
        ]
        assert sum(1 for c in comments if hasattr(c, "response")) == 1
    assert "version 2 in consultation" in capsys.readouterr().out
