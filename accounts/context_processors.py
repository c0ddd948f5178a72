from django.conf import settings

from .roles import has_permission


def site(request):
    roles = getattr(request, "roles", frozenset())
    return {
        "site_name": settings.SITE_NAME,
        "current_authority": getattr(request, "authority", None),
        "current_roles": roles,
        "can": _Can(roles),
    }


class _Can:
    """`{% if can.audit_view %}` in templates: permission names with the dot written as an underscore."""

    def __init__(self, roles):
        self._roles = roles

    def __getattr__(self, name):
        return has_permission(self._roles, name.replace("_", ".", 1))
