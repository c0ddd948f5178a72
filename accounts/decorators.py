from functools import wraps

from django.core.exceptions import PermissionDenied

from .roles import PERMISSIONS, has_permission


def authority_permission(permission: str):
    """Declares which permission (see accounts/roles.py) a staff page under /a/<authority>/ needs.

    The middleware has already resolved `request.authority` and `request.roles` (non-members got 404); this checks
    the role. The view does not receive `authority_slug`: it uses `request.authority`.
    """
    if permission not in PERMISSIONS:
        raise ValueError(f"Unknown permission {permission!r}: add it to accounts/roles.py")

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, authority_slug, **kwargs):
            if request.authority is None or request.authority.slug != authority_slug:
                raise PermissionDenied  # the middleware did not run: never serve tenant data unscoped
            if not has_permission(request.roles, permission):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.authority_permission = permission
        return wrapped

    return decorator
