"""Receivers that keep the consultation register in step with charter consultations.

charters cannot import compact (the dependency runs one way), so the register listens to charters' saves.
"""

from django.db.models.signals import post_save
from django.urls import reverse
from django.utils import timezone

from accounts.scoping import authority_scope
from charters.models import CharterVersion, Consultation

from .models import RegisteredConsultation

TITLE_MAX_LENGTH = RegisteredConsultation._meta.get_field("title").max_length


def charter_consultation_title(charter_title: str, version_number: int) -> str:
    suffix = f", version {version_number}"
    return charter_title[: TITLE_MAX_LENGTH - len(suffix)] + suffix


def register_charter_consultation(sender, instance: Consultation, raw: bool = False, **kwargs) -> None:
    """Adds the charter consultation to its authority's register, or brings its row up to date."""
    if raw:  # loading fixtures: the rows come with them
        return
    authority = instance.authority
    with authority_scope(authority):
        version = CharterVersion.objects.select_related("charter").get(pk=instance.version_id)
        values = {
            "authority": authority,
            "title": charter_consultation_title(version.charter.title, version.number),
            "url": reverse("charters:consultation-public", args=[authority.slug, instance.pk]),
            "opens_on": instance.opens_on,
            "closes_on": instance.closes_on,
            "shorter_reason": instance.shorter_reason,
        }
        RegisteredConsultation.objects.update_or_create(
            charter_consultation=instance,
            defaults={**values, "updated_at": timezone.now()},
            create_defaults={**values, "created_by_id": instance.created_by_id, "created_at": instance.created_at},
        )


def connect() -> None:
    post_save.connect(
        register_charter_consultation, sender=Consultation, dispatch_uid="compact.register_charter_consultation"
    )
