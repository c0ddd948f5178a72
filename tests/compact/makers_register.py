"""Isolation makers for the register pages: keyword -> function(world, authority) returning an object id."""

from datetime import date

from accounts.roles import Role
from accounts.scoping import authority_scope

ISOLATION_TITLE = "Isolation register consultation"


def _entry(world, authority):
    """One entered consultation per authority, built once and reused."""
    from compact import register
    from compact.models import RegisteredConsultation

    with authority_scope(authority):
        existing = RegisteredConsultation.objects.filter(title=ISOLATION_TITLE).first()
        if existing is not None:
            return existing.pk
        return register.register_add(
            authority=authority,
            acting_user=world.user(authority, Role.COMMISSIONER),
            title=ISOLATION_TITLE,
            opens_on=date(2026, 1, 5),
            closes_on=date(2026, 3, 30),
        ).pk


REGISTER_MAKERS = {"entry_id": _entry}
