"""Charter versions: draft → consultation → adopted → superseded (and withdrawn), with every guard."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from accounts.models import AuditEvent
from accounts.roles import Role
from accounts.scoping import authority_scope
from charters import services
from charters.errors import TransitionRefused, VersionFrozen
from charters.models import (
    Charter,
    CharterMeasure,
    CharterVersion,
    Comment,
    CommentResponse,
    CommentSection,
    CommentStatus,
    Theme,
    VersionStatus,
)
from foundation.errors import DomainError
from tests.charters.factories import adopt_without_consultation, build_charter, open_consultation

pytestmark = pytest.mark.django_db


def test_blank_charter_starts_with_an_empty_draft(world):
    with authority_scope(world.a):
        charter = services.charter_create(
            authority=world.a, acting_user=world.user(world.a, Role.COMMISSIONER), title=" Our charter "
        )
        (version,) = charter.versions.all()
        assert (charter.title, version.number, version.status) == ("Our charter", 1, VersionStatus.DRAFT)
        assert not version.themes.exists()
        assert AuditEvent.objects.filter(verb="charter.created", object_id=str(charter.pk)).exists()


def test_template_charter_has_the_social_value_model_themes_weighted_to_100(world):
    with authority_scope(world.a):
        charter = services.charter_create(
            authority=world.a, acting_user=world.user(world.a, Role.COMMISSIONER), title="SVM", start="template"
        )
        version = charter.versions.get()
        titles = list(version.themes.values_list("title", flat=True))
        assert titles == [
            "COVID-19 recovery", "Tackling economic inequality", "Fighting climate change", "Equal opportunity",
            "Wellbeing",
        ]  # fmt: skip
        assert services.weights_total(version) == 100
        assert version.outcomes.count() == 8
        assert version.outcomes.filter(title="Reduce the disability employment gap").exists()


def test_copy_of_another_authoritys_adopted_charter_keeps_provenance_not_links(world):
    _, source = build_charter(world, world.b)
    adopt_without_consultation(world, world.b, source)
    with authority_scope(world.a):
        charter = services.charter_create(
            authority=world.a, acting_user=world.user(world.a, Role.COMMISSIONER), title="Borrowed",
            start="copy", source_version_id=source.pk,
        )  # fmt: skip
        version = charter.versions.get()
        assert world.b.name in charter.origin_note and "version 1" in charter.origin_note
        assert version.vision.startswith("A fairer")
        assert version.themes.count() == 2 and version.measures.count() == 2
        assert not version.themes.filter(copied_from__isnull=False).exists()
        assert set(CharterMeasure.objects.values_list("authority_id", flat=True)) == {world.a.pk}


def test_only_adopted_charters_can_be_copied(world):
    _, draft = build_charter(world, world.b)
    with authority_scope(world.a), pytest.raises(DomainError, match="adopted charter"):
        services.charter_create(
            authority=world.a,
            acting_user=world.user(world.a, Role.COMMISSIONER),
            title="X",
            start="copy",
            source_version_id=draft.pk,
        )


def test_weights_must_total_100(world):
    _, version = build_charter(world, world.a, themes=3)
    commissioner = world.user(world.a, Role.COMMISSIONER)
    with authority_scope(world.a):
        ids = list(version.themes.values_list("pk", flat=True))
        with pytest.raises(DomainError, match="They total 90%"):
            services.weights_set(
                version=version,
                acting_user=commissioner,
                weights=dict(zip(ids, map(Decimal, [30, 30, 30]), strict=True)),
            )
        services.weights_set(
            version=version, acting_user=commissioner, weights=dict(zip(ids, map(Decimal, [50, 25, 25]), strict=True))
        )
        assert list(version.themes.values_list("weight", flat=True)) == [50, 25, 25]
        services.theme_add(version=version, acting_user=commissioner, title="New", weight=Decimal("10"))
        with pytest.raises(TransitionRefused, match="They total 110%"):
            open_consultation(world, world.a, version)


def test_consultation_defaults_and_shorter_reason(world):
    _, version = build_charter(world, world.a)
    commissioner = world.user(world.a, Role.COMMISSIONER)
    today = timezone.localdate()
    assert services.consultation_default_close(world.a, today) == today + timedelta(weeks=12)
    with authority_scope(world.a):
        with pytest.raises(DomainError, match="shorter than 12 weeks") as error:
            services.consultation_open(
                version=version,
                acting_user=commissioner,
                opens_on=today,
                closes_on=today + timedelta(weeks=8),
                today=today,
            )
        assert error.value.field == "shorter_reason"
        with pytest.raises(DomainError, match="after the open date"):
            services.consultation_open(
                version=version, acting_user=commissioner, opens_on=today, closes_on=today, today=today
            )
        with pytest.raises(DomainError, match="today or later"):
            services.consultation_open(
                version=version,
                acting_user=commissioner,
                opens_on=today - timedelta(days=1),
                closes_on=today + timedelta(weeks=12),
                today=today,
            )
        consultation = services.consultation_open(
            version=version,
            acting_user=commissioner,
            opens_on=today,
            closes_on=today + timedelta(weeks=8),
            shorter_reason="The budget decision is in March",
            today=today,
        )
        version.refresh_from_db()
    assert version.status == VersionStatus.CONSULTATION
    assert consultation.length_weeks == Decimal("8.0")


def test_no_edits_once_in_consultation(world):
    _, version = build_charter(world, world.a)
    open_consultation(world, world.a, version)
    with authority_scope(world.a), pytest.raises(VersionFrozen, match="out for consultation"):
        services.theme_add(version=version, acting_user=world.user(world.a, Role.COMMISSIONER), title="Late")


def _comment(world, consultation, status=CommentStatus.PUBLISHED):
    return Comment.objects.create(
        authority=world.a,
        consultation=consultation,
        author=world.resident,
        section=CommentSection.VISION,
        text="More about young people, please",
        status=status,
    )


def test_adoption_needs_a_closed_consultation_with_every_comment_answered(world):
    _, version = build_charter(world, world.a)
    commissioner = world.user(world.a, Role.COMMISSIONER)
    today = timezone.localdate()
    consultation = open_consultation(world, world.a, version, today=today)
    after_close = consultation.closes_on + timedelta(days=1)
    with authority_scope(world.a):
        with pytest.raises(TransitionRefused, match="Adopt after it has closed"):
            services.version_adopt(version=version, acting_user=commissioner, today=today)
        comment = _comment(world, consultation)
        _comment(world, consultation, status=CommentStatus.HELD)
        _comment(world, consultation, status=CommentStatus.HIDDEN)
        with pytest.raises(TransitionRefused) as refused:
            services.version_adopt(version=version, acting_user=commissioner, today=after_close)
        assert "1 comment waiting for moderation" in str(refused.value)
        assert "1 published comment has no answer yet" in str(refused.value)
        Comment.objects.filter(status=CommentStatus.HELD).update(status=CommentStatus.HIDDEN)
        CommentResponse.objects.create(authority=world.a, comment=comment, outcome="accepted", text="Done")
        services.version_adopt(version=version, acting_user=commissioner, today=after_close)
        version.refresh_from_db()
    assert version.status == VersionStatus.ADOPTED
    assert version.adopted_by == commissioner and version.adoption_reason == ""


def test_adoption_without_consultation_needs_a_reason(world):
    _, version = build_charter(world, world.a)
    with authority_scope(world.a), pytest.raises(DomainError, match="without a consultation"):
        services.version_adopt(version=version, acting_user=world.user(world.a, Role.COMMISSIONER))
    adopt_without_consultation(world, world.a, version)
    version.refresh_from_db()
    assert version.adoption_reason == "Refresh of an agreed text"


def test_adopted_version_is_frozen_and_revision_supersedes_it(world):
    charter, v1 = build_charter(world, world.a)
    adopt_without_consultation(world, world.a, v1)
    commissioner = world.user(world.a, Role.COMMISSIONER)
    with authority_scope(world.a):
        theme = v1.themes.first()
        with pytest.raises(VersionFrozen, match="adopted and cannot be changed"):
            services.item_update(item=theme, acting_user=commissioner, title="Changed")
        with pytest.raises(VersionFrozen):
            services.version_details_update(
                version=v1, acting_user=commissioner, title="X", vision="", local_context=""
            )
        with pytest.raises(VersionFrozen):
            services.item_remove(item=v1.measures.first(), acting_user=commissioner)
        v2 = services.version_revise(charter=charter, acting_user=commissioner)
        with pytest.raises(TransitionRefused, match="already has a version in progress"):
            services.version_revise(charter=charter, acting_user=commissioner)
        assert v2.number == 2 and v2.based_on == v1
        assert [t.copied_from_id for t in v2.themes.all()] == [t.pk for t in v1.themes.all()]
        services.item_update(item=v2.themes.first(), acting_user=commissioner, title="Changed")
        services.version_adopt(version=v2, acting_user=commissioner, reason="Minor wording")
        v1.refresh_from_db()
        assert v1.status == VersionStatus.SUPERSEDED
        assert v1.themes.first().title == "Theme 1"
        assert CharterVersion.objects.filter(charter=charter, status=VersionStatus.ADOPTED).get() == v2


def test_withdraw_needs_a_reason_and_only_open_versions(world):
    _, version = build_charter(world, world.a)
    commissioner = world.user(world.a, Role.COMMISSIONER)
    with authority_scope(world.a):
        with pytest.raises(DomainError, match="Enter why"):
            services.version_withdraw(version=version, acting_user=commissioner, reason=" ")
        services.version_withdraw(version=version, acting_user=commissioner, reason="Merged into the joint charter")
        with pytest.raises(TransitionRefused):
            services.version_withdraw(version=version, acting_user=commissioner, reason="again")
        with pytest.raises(VersionFrozen, match="withdrawn"):
            services.theme_add(version=version, acting_user=commissioner, title="x")


def test_move_reorders_siblings(world):
    _, version = build_charter(world, world.a, themes=3)
    commissioner = world.user(world.a, Role.COMMISSIONER)
    with authority_scope(world.a):
        last = version.themes.last()
        services.item_move(item=last, acting_user=commissioner, direction="up")
        assert list(version.themes.values_list("title", flat=True)) == ["Theme 1", "Theme 3", "Theme 2"]
        services.item_move(item=version.themes.first(), acting_user=commissioner, direction="up")  # already first
        assert list(version.themes.values_list("position", flat=True)) == [1, 2, 3]


def test_measure_values_are_validated(world):
    _, version = build_charter(world, world.a)
    commissioner = world.user(world.a, Role.COMMISSIONER)
    with authority_scope(world.a):
        outcome = version.outcomes.first()
        with pytest.raises(Exception, match="proxy_value_gbp"):
            services.measure_add(
                outcome=outcome,
                acting_user=commissioner,
                code="BAD",
                title="Bad",
                unit="fte",
                proxy_value_gbp=Decimal("-1"),
            )
        with pytest.raises(DomainError, match="already has a measure with the code"):
            services.measure_add(outcome=outcome, acting_user=commissioner, code="M1-1-1", title="Dup", unit="fte")
        assert not CharterMeasure.objects.filter(code="BAD").exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger guard is PostgreSQL's (CI runs it)")
def test_database_refuses_changes_to_adopted_versions_by_any_route(world):
    charter, version = build_charter(world, world.a)
    adopt_without_consultation(world, world.a, version)
    with authority_scope(world.a):
        for attempt in (
            lambda: Theme.objects.filter(version=version).update(title="Sneaky"),
            lambda: CharterMeasure.objects.filter(version=version).delete(),
            lambda: CharterVersion.objects.filter(pk=version.pk).update(vision="Rewritten"),
            lambda: CharterVersion.objects.filter(pk=version.pk).update(status="draft"),
            lambda: Theme.objects.create(authority=world.a, version=version, title="Added"),
        ):
            with pytest.raises(DatabaseError, match="adopted charter version"), transaction.atomic():
                attempt()
        assert Theme.objects.filter(version=version, title="Sneaky").count() == 0
        # Superseding is the one change allowed.
        CharterVersion.objects.filter(pk=version.pk).update(status="superseded")
    assert Charter.objects.with_scopes_disabled().filter(pk=charter.pk).exists()
