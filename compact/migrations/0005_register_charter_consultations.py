"""Adds the charter consultations that already exist to their authorities' consultation registers.

New ones join through compact.signals when they are saved. Deliberately self-contained (historical models, no import
of app code), so later changes to the app cannot change what this migration does: the public consultation page's
address is written out as the route stood when it was written. Idempotent; reversing removes only the rows it
would add (charter consultations' rows), since entered consultations were never here before.
"""

from django.db import migrations

TITLE_MAX_LENGTH = 200


def _title(charter_title, number):
    suffix = f", version {number}"
    return charter_title[: TITLE_MAX_LENGTH - len(suffix)] + suffix


def add_charter_consultations(apps, schema_editor):
    Consultation = apps.get_model("charters", "Consultation")
    RegisteredConsultation = apps.get_model("compact", "RegisteredConsultation")
    registered = set(
        RegisteredConsultation.objects.filter(charter_consultation__isnull=False).values_list(
            "charter_consultation_id", flat=True
        )
    )
    for consultation in Consultation.objects.select_related("authority", "version__charter").order_by("pk"):
        if consultation.pk in registered:
            continue
        RegisteredConsultation.objects.create(
            authority_id=consultation.authority_id,
            charter_consultation=consultation,
            title=_title(consultation.version.charter.title, consultation.version.number),
            url=f"/p/{consultation.authority.slug}/consultations/{consultation.pk}/",
            opens_on=consultation.opens_on,
            closes_on=consultation.closes_on,
            shorter_reason=consultation.shorter_reason,
            created_at=consultation.created_at,
            created_by_id=consultation.created_by_id,
            updated_at=consultation.created_at,
        )


def remove_charter_consultations(apps, schema_editor):
    RegisteredConsultation = apps.get_model("compact", "RegisteredConsultation")
    RegisteredConsultation.objects.filter(charter_consultation__isnull=False).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("charters", "0003_starter_measure_library"),
        ("compact", "0004_local_compact"),
    ]

    operations = [migrations.RunPython(add_charter_consultations, remove_charter_consultations)]
