"""Charter test data built through the services, so tests exercise the same paths as the pages."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.roles import Role
from accounts.scoping import authority_scope
from charters import services
from charters.models import Unit


def build_charter(world, authority, *, measures_per_outcome=1, themes=2, outcomes_per_theme=1, title=None):
    """A draft charter with `themes` themes (weights totalling 100), outcomes and measures."""
    commissioner = world.user(authority, Role.COMMISSIONER)
    with authority_scope(authority):
        charter = services.charter_create(
            authority=authority, acting_user=commissioner, title=title or f"{authority.name} charter"
        )
        version = charter.versions.get()
        services.version_details_update(
            version=version,
            acting_user=commissioner,
            title=charter.title,
            vision="A fairer, greener borough where every contract leaves something behind.",
            local_context="Our borough has high youth unemployment.\n\nThe east wards need jobs most.",
        )
        services.place_add(version=version, acting_user=commissioner, name="East Ward", needs="Youth unemployment")
        base, extra = divmod(100, themes)
        for t in range(themes):
            theme = services.theme_add(
                version=version,
                acting_user=commissioner,
                title=f"Theme {t + 1}",
                weight=Decimal(base + (extra if t == 0 else 0)),
            )
            for o in range(outcomes_per_theme):
                outcome = services.outcome_add(theme=theme, acting_user=commissioner, title=f"Outcome {t + 1}.{o + 1}")
                for m in range(measures_per_outcome):
                    services.measure_add(
                        outcome=outcome,
                        acting_user=commissioner,
                        code=f"M{t + 1}-{o + 1}-{m + 1}",
                        title=f"Measure {t + 1}.{o + 1}.{m + 1}",
                        unit=Unit.FTE,
                        proxy_value_gbp=Decimal("25000.00"),
                        proxy_source="Local estimate",
                        proxy_year=2025,
                    )
        version.refresh_from_db()
    return charter, version


def adopt_without_consultation(world, authority, version):
    with authority_scope(authority):
        return services.version_adopt(
            version=version, acting_user=world.user(authority, Role.COMMISSIONER), reason="Refresh of an agreed text"
        )


def open_consultation(world, authority, version, *, weeks=12, today=None):
    today = today or timezone.localdate()
    with authority_scope(authority):
        return services.consultation_open(
            version=version,
            acting_user=world.user(authority, Role.COMMISSIONER),
            opens_on=today,
            closes_on=today + timedelta(weeks=weeks),
            shorter_reason="" if weeks >= 12 else "Urgent budget cycle",
            today=today,
        )
