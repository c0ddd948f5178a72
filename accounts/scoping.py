"""Tenant scoping: every query for authority-owned data runs inside `authority_scope(authority)`.

django-scopes' managers raise `ScopeError` for a query made outside a scope, so a forgotten filter fails loudly
instead of leaking another authority's data. The few places that must read across authorities (a person's own
memberships, the invitation link, the operator's admin) use the `dangerously_` helpers below and nothing else.
"""

from contextlib import contextmanager

from django_scopes import scope, scopes_disabled

from .models import Authority


@contextmanager
def authority_scope(authority: Authority):
    # django-scopes treats a None value as "no filter": refuse it, or a bug would silently disable isolation.
    if authority is None or getattr(authority, "pk", None) is None:
        raise ValueError("authority_scope needs a saved authority")
    with scope(authority=authority):
        yield


@contextmanager
def dangerously_unscoped():
    """Read across authorities. Only for queries already filtered by the signed-in user or for the operator."""
    with scopes_disabled():
        yield
